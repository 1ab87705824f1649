//! `sblint diff OLD NEW`: which decisions change between two profiles, per leaf operation,
//! each change with its shortest witness and the deciding rule in each profile.
//! `sblint diff BASE --append ADDON`: what an add-on read after the base changes.

use std::path::Path;

use super::args::{DiffArgs, ExplainFormat, LoadArgs};
use super::error::AppError;
use super::evaluate::load;
use super::output::Output;
use super::ExitStatus;
use crate::api::diff_text::{self, Shape};

pub fn run(args: &DiffArgs, out: &mut Output) -> Result<ExitStatus, AppError> {
    let color = out.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let (text, status) = answer(args, color)?;
    out.print(&text)?;
    Ok(status)
}

fn answer(args: &DiffArgs, color: bool) -> Result<(String, ExitStatus), AppError> {
    if let Some(addon) = &args.append {
        let (text, widens) = addon_report(
            &args.old,
            addon,
            &args.load,
            args.operation.as_deref(),
            args.format,
        )?;
        let status = if widens {
            ExitStatus::Findings
        } else {
            ExitStatus::Clean
        };
        return Ok((text, status));
    }
    let Some(new) = &args.new else {
        return Err(AppError::Usage("give NEW, or `--append ADDON`".into()));
    };
    let old = load(&args.old, &args.load)?;
    let new = load(new, &args.load)?;
    let shape = match args.format {
        ExplainFormat::Json => Shape::Json,
        ExplainFormat::Human if args.verbose => Shape::Verbose,
        ExplainFormat::Human => Shape::Grouped,
    };
    let (text, changed, undecided) = diff_text::diff_report(
        &old,
        &new,
        args.operation.as_deref(),
        args.widen_only,
        shape,
        color,
    )?;
    let status = if changed {
        ExitStatus::Findings
    } else if undecided {
        ExitStatus::Error
    } else {
        ExitStatus::Clean
    };
    Ok((text, status))
}

/// `sblint diff BASE --append ADDON` and `sblint check --base BASE ADDON`: the add-on read
/// after the base (as a prelude), compared with the base; the text, and whether it widens
/// the base.
pub fn addon_report(
    base: &Path,
    addon: &Path,
    load_args: &LoadArgs,
    operation: Option<&str>,
    format: ExplainFormat,
) -> Result<(String, bool), AppError> {
    Ok(diff_text::addon_files(
        base,
        addon,
        load_args.overrides(&[], &[])?,
        operation,
        format == ExplainFormat::Json,
    )?)
}
