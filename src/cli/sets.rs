//! `sblint explain PROFILE OPERATION --outside ENTRY…` and `--within ENTRY…`: one set
//! question at a time, answered by the decision sets `sblint test` uses.

use serde_json::json;

use super::args::{ExplainArgs, ExplainFormat};
use super::error::AppError;
use super::evaluate::{load, Loaded};
use super::output;
use super::ExitStatus;
use crate::model::sets::{self, Answer, Budget, Entry, Witness};
use crate::model::{vocabulary, OpId};

pub fn explain(args: &ExplainArgs) -> ExitStatus {
    output::respond(answer(args))
}

/// The operation as a rule would name it: `file-write*`, an alias, a leaf.
pub fn operation(loaded: &Loaded, name: &str) -> Result<OpId, AppError> {
    let vocab = vocabulary();
    vocab
        .op_id(name)
        .or_else(|| vocab.resolve_operation(name))
        .filter(|id| {
            vocab.operation(*id).exists_in(loaded.model.macos) || vocab.op_id(name).is_none()
        })
        .ok_or_else(|| {
            let hint = vocab
                .suggest(name, vocab.operation_names())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            AppError::Usage(format!("unknown operation `{name}`{hint}"))
        })
}

fn answer(args: &ExplainArgs) -> Result<(String, ExitStatus), AppError> {
    if args.format == ExplainFormat::Json {
        super::error::output_for_programs();
    }
    let loaded = load(&args.profile, &args.load)?;
    let name = args.operation.as_deref().unwrap_or_default();
    let op = operation(&loaded, name)?;
    let (question, texts) = if args.within.is_empty() {
        ("outside", &args.outside)
    } else {
        ("within", &args.within)
    };
    let entries: Vec<Entry> = texts
        .iter()
        .map(|t| {
            sets::parse_entry(op, t).map_err(|e| AppError::Usage(format!("--{question}: {e}")))
        })
        .collect::<Result<_, _>>()?;
    let budget = Budget::default();
    let result = if question == "outside" {
        sets::never(&loaded.model.rules, op, None, &entries, &budget)
    } else {
        sets::always(&loaded.model.rules, op, &entries, &budget)
    };
    let list = entries.iter().map(Entry::to_string).collect::<Vec<_>>();
    let vocab = vocabulary();
    match result {
        Answer::TooComplex { decided } => Err(AppError::Usage(format!(
            "too complex to decide exactly within sblint's budget ({} of the leaf operations of `{name}` decided)",
            decided.len()
        ))),
        Answer::Holds => {
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
            Ok((text, ExitStatus::Clean))
        }
        Answer::Fails(w) => {
            let leaf = &vocab.operation(w.operation).name;
            let cwd = std::env::current_dir().unwrap_or_default();
            let e = crate::explain::explain(&loaded.model, leaf, w.argument.as_deref(), &cwd)
                .map_err(|e| AppError::Usage(e.to_string()))?;
            let sources = loaded.sources();
            let text = match args.format {
                ExplainFormat::Json => json_text(json!({
                    "operation": name,
                    question: list,
                    "holds": false,
                    "witness": w.argument,
                    "witness_operation": leaf,
                    "decision": e.action.as_str(),
                    "line": line(&loaded, &w),
                    "conditional": w.conditional,
                    "conditions": super::explain::conditions(&sources, &w.decision),
                    "explanation": super::explain::to_value(&loaded, &sources, &e),
                })),
                ExplainFormat::Human => {
                    let what = match &w.argument {
                        Some(a) => format!("{leaf} {a}"),
                        None => leaf.clone(),
                    };
                    let head = match (question, w.conditional) {
                        ("outside", false) => format!(
                            "allowed outside {}: {what}\n",
                            list.join(", ")
                        ),
                        ("outside", true) => format!(
                            "may be allowed outside {} (conditional): {what}\n",
                            list.join(", ")
                        ),
                        (_, false) => {
                            format!("not allowed within {}: {what}\n", list.join(", "))
                        }
                        (_, true) => format!(
                            "not surely allowed within {} (conditional): {what}\n",
                            list.join(", ")
                        ),
                    };
                    head + &super::explain::to_human(&loaded, &sources, &e)
                }
            };
            Ok((text, ExitStatus::Findings))
        }
    }
}

fn line(loaded: &Loaded, w: &Witness) -> Option<u32> {
    let sources = loaded.sources();
    w.decision
        .rule
        .map(|i| sources.line_col(loaded.model.rules[i].origin).line)
}

fn json_text(value: serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}
