//! `sblint diff OLD NEW`: which decisions change between two profiles, per leaf operation,
//! each change with its shortest witness and the deciding rule in each profile.

use super::args::{DiffArgs, ExplainFormat};
use super::error::AppError;
use super::evaluate::load;
use super::output::Output;
use super::ExitStatus;
use crate::model::sets::Direction;

pub fn run(args: &DiffArgs, out: &mut Output) -> Result<ExitStatus, AppError> {
    let color = out.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let (text, status) = answer(args, color)?;
    out.print(&text)?;
    Ok(status)
}

fn answer(args: &DiffArgs, color: bool) -> Result<(String, ExitStatus), AppError> {
    let old = load(&args.old, &args.load)?;
    let new = load(&args.new, &args.load)?;
    let (mut changes, undecided) = crate::api::diff_changes(&old, &new, args.operation.as_deref())?;
    if args.widen_only {
        changes.retain(|c| c.direction == Direction::Allowed);
    }
    let text = match args.format {
        ExplainFormat::Json => {
            let value =
                serde_json::to_value(crate::api::Diff::new(&old, &new, &changes, &undecided))
                    .unwrap_or_default();
            let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
            text.push('\n');
            text
        }
        ExplainFormat::Human => crate::api::diff_text::to_human(
            &old,
            &new,
            &changes,
            &undecided,
            args.widen_only,
            color,
        ),
    };
    let status = if !changes.is_empty() {
        ExitStatus::Findings
    } else if !undecided.is_empty() {
        ExitStatus::Error
    } else {
        ExitStatus::Clean
    };
    Ok((text, status))
}
