//! `sblint explain PROFILE OPERATION --outside ENTRY…` and `--within ENTRY…`: one set
//! question answered by the decision sets, as JSON or in words.

use serde_json::json;

use super::{Error, Profile, Witness};

/// Which set question: `never` outside the entries, or `always` within them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Question {
    Outside,
    Within,
}

impl Question {
    /// The flag, and the key of the entries in the JSON.
    pub(crate) fn flag(self) -> &'static str {
        match self {
            Question::Outside => "outside",
            Question::Within => "within",
        }
    }
}

/// The answer to `question` about `operation` and the entries `texts`: the text (JSON
/// when `json`), and whether the claim holds.
pub(crate) fn answer(
    profile: &Profile,
    operation: &str,
    question: Question,
    texts: &[String],
    json: bool,
    color: bool,
) -> Result<(String, bool), Error> {
    // The entries as understood (`/tmp/**` is `/private/tmp/**`), for the answer.
    let list: Vec<String> = profile
        .entries(profile.operation(operation)?, texts)?
        .iter()
        .map(ToString::to_string)
        .collect();
    let answer = match question {
        Question::Outside => profile.never(operation, texts),
        Question::Within => profile.always(operation, texts),
    }?;
    let holds = answer.witness.is_none();
    let text = match (answer.witness, json) {
        (None, true) => json_text(json!({
            "operation": operation,
            question.flag(): list,
            "holds": true,
            "witness": null,
        })),
        (None, false) => holds_text(operation, question, &list),
        (Some(w), true) => json_text(json!({
            "operation": operation,
            question.flag(): list,
            "holds": false,
            "witness": w.argument,
            "witness_operation": w.operation,
            "decision": w.decision.verdict,
            "line": w.line,
            "conditional": w.conditional,
            "conditions": w.conditions,
            "explanation": w.decision,
        })),
        (Some(w), false) => fails_text(profile, question, &list, &w, color)?,
    };
    Ok((text, holds))
}

/// The claim holds, in words.
fn holds_text(operation: &str, question: Question, list: &[String]) -> String {
    match question {
        Question::Outside => format!(
            "never: no argument of {operation} outside {} is allowed\n",
            list.join(", ")
        ),
        Question::Within => format!(
            "always: every argument of {operation} within {} is allowed\n",
            list.join(", ")
        ),
    }
}

/// The claim fails: the witness, then how the profile decides it.
fn fails_text(
    profile: &Profile,
    question: Question,
    list: &[String],
    w: &Witness,
    color: bool,
) -> Result<String, Error> {
    let leaf = &w.operation;
    let what = match &w.argument {
        Some(a) => format!("{leaf} {a}"),
        None => leaf.clone(),
    };
    let list = list.join(", ");
    let head = match (question, w.conditional) {
        (Question::Outside, false) => format!("allowed outside {list}: {what}\n"),
        (Question::Outside, true) => {
            format!("may be allowed outside {list} (conditional): {what}\n")
        }
        (Question::Within, false) => format!("not allowed within {list}: {what}\n"),
        (Question::Within, true) => {
            format!("not surely allowed within {list} (conditional): {what}\n")
        }
    };
    // Decided on the profile the sets answered on (with libsandbox's own rules).
    let answering = profile.answering();
    let e = answering.explanation(leaf, w.argument.as_deref())?;
    Ok(head + &answering.explanation_text(&e, color, false))
}

fn json_text(value: serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}
