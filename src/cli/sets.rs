//! `sblint explain PROFILE OPERATION --outside ENTRY…` and `--within ENTRY…`: one set
//! question at a time, answered by the decision sets `sblint test` uses.

use serde_json::json;

use super::args::{ExplainArgs, ExplainFormat};
use super::error::AppError;
use super::evaluate::load;
use super::output::Output;
use super::ExitStatus;
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
        ("outside", &args.outside)
    } else {
        ("within", &args.within)
    };
    let flag = |error: Error| match error {
        Error::Entry { message } => AppError::Flag {
            flag: question,
            message,
        },
        other => other.into(),
    };
    // The entries as understood (`/tmp/**` is `/private/tmp/**`), for the answer.
    let list: Vec<String> = loaded
        .entries(loaded.operation(name)?, texts)
        .map_err(flag)?
        .iter()
        .map(ToString::to_string)
        .collect();
    let answer = if question == "outside" {
        loaded.never(name, texts)
    } else {
        loaded.always(name, texts)
    }
    .map_err(flag)?;
    let Some(w) = answer.witness else {
        let text = match args.format {
            ExplainFormat::Json => json_text(json!({
                "operation": name,
                question: list,
                "holds": true,
                "witness": null,
            })),
            ExplainFormat::Human if question == "outside" => format!(
                "never: no argument of {name} outside {} is allowed\n",
                list.join(", ")
            ),
            ExplainFormat::Human => format!(
                "always: every argument of {name} within {} is allowed\n",
                list.join(", ")
            ),
        };
        return Ok((text, ExitStatus::Clean));
    };
    let text = match args.format {
        ExplainFormat::Json => json_text(json!({
            "operation": name,
            question: list,
            "holds": false,
            "witness": w.argument,
            "witness_operation": w.operation,
            "decision": w.decision.verdict,
            "line": w.line,
            "conditional": w.conditional,
            "conditions": w.conditions,
            "explanation": w.decision,
        })),
        ExplainFormat::Human => {
            let leaf = &w.operation;
            let what = match &w.argument {
                Some(a) => format!("{leaf} {a}"),
                None => leaf.clone(),
            };
            let head = match (question, w.conditional) {
                ("outside", false) => format!("allowed outside {}: {what}\n", list.join(", ")),
                ("outside", true) => format!(
                    "may be allowed outside {} (conditional): {what}\n",
                    list.join(", ")
                ),
                (_, false) => format!("not allowed within {}: {what}\n", list.join(", ")),
                (_, true) => format!(
                    "not surely allowed within {} (conditional): {what}\n",
                    list.join(", ")
                ),
            };
            // Decided on the profile the sets answered on (with libsandbox's own rules).
            let answering = loaded.answering();
            let e = answering.explanation(leaf, w.argument.as_deref())?;
            let color = super::args::ColorArg::Auto.enabled(out.is_terminal());
            head + &answering.explanation_text(&e, color, false)
        }
    };
    Ok((text, ExitStatus::Findings))
}

fn json_text(value: serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}
