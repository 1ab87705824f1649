//! `sblint explain PROFILE OPERATION --outside ENTRY…` and `--within ENTRY…`: one set
//! question at a time, answered by the decision sets `sblint test` uses.

use super::args::{ExplainArgs, ExplainFormat};
use super::error::AppError;
use super::evaluate::load;
use super::output::Output;
use super::ExitStatus;
use crate::api::set_text::{self, Question};
use crate::api::Error;

pub fn explain(args: &ExplainArgs, out: &mut Output) -> Result<ExitStatus, AppError> {
    let (text, status) = answer(args, out)?;
    out.print(&text)?;
    Ok(status)
}

fn answer(args: &ExplainArgs, out: &Output) -> Result<(String, ExitStatus), AppError> {
    let loaded = load(&args.profile, &args.load)?;
    let name = args.operation.as_deref().unwrap_or_default();
    let (question, texts) = if args.within.is_empty() {
        (Question::Outside, &args.outside)
    } else {
        (Question::Within, &args.within)
    };
    let json = args.format == ExplainFormat::Json;
    let color = super::args::ColorArg::Auto.enabled(out.is_terminal());
    let (text, holds) = set_text::answer(&loaded, name, question, texts, json, color).map_err(
        |error| match error {
            Error::Entry { message } => AppError::Flag {
                flag: question.flag(),
                message,
            },
            other => other.into(),
        },
    )?;
    let status = if holds {
        ExitStatus::Clean
    } else {
        ExitStatus::Findings
    };
    Ok((text, status))
}
