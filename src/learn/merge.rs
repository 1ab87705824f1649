//! `learn --into`: the proposals merged into a profile where precedence lets them take
//! effect, and what re-evaluating the merged profile found.

use std::path::Path;

use super::propose::rules_text;
use super::{Learned, Verdict};
use crate::explain::explain;
use crate::model::sets::{self, Change};
use crate::model::{Action, Model};

/// The profile with the proposed rules inserted where precedence lets them take effect,
/// and what re-evaluating it found.
#[derive(Debug, Clone)]
pub struct Merged {
    pub text: String,
    /// 1-based line of the profile after which the rules were inserted (0: at the start).
    pub after_line: usize,
    /// Findings the merged profile still denies, with why.
    pub still_denied: Vec<StillDenied>,
    /// Findings the merged profile cannot be asked about (unix sockets …).
    pub undecided: Vec<usize>,
    /// Secrets (findings kept denied) that the merged profile allows: the proposals undid
    /// nothing, so these were already allowed before.
    pub secrets_allowed: Vec<usize>,
    /// What the merge changes over every leaf operation, by the decision sets (what `sblint
    /// diff` reports), or why that could not be decided.
    pub changes: Result<Vec<Change>, String>,
    /// Indices into `changes` that the proposals do not explain: a decision that became
    /// denied, or one on an operation no proposed rule names. Empty when the merged profile
    /// allows the logged denials (and what generalising them covers) and nothing else.
    pub unexpected: Vec<usize>,
}

/// A proposed finding the merged profile still denies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StillDenied {
    /// Index into [`Learned::findings`].
    pub finding: usize,
    pub why: String,
}

/// Merges the proposed rules into `text` (evaluated as `model`, built with
/// `rebuild`): after the last rule of the checked file that decides a proposed denial, so
/// that the new allows are the later match (last match wins), and before every denial
/// that comes after it (which they must not undo). `rebuild` evaluates a text with the
/// same options (preludes, params) as `model`; `sblint diff` can compare the result with
/// the original.
pub fn merge(
    text: &str,
    model: &Model,
    learned: &Learned,
    header: &str,
    rebuild: &dyn Fn(&str) -> Model,
) -> Merged {
    let insert_at = insertion_point(text, model, learned);
    let block = format!("{header}{}", rules_text(learned));
    let mut merged = String::with_capacity(text.len() + block.len() + 2);
    merged.push_str(&text[..insert_at]);
    if !merged.is_empty() && !merged.ends_with('\n') {
        merged.push('\n');
    }
    merged.push_str(&block);
    merged.push_str(&text[insert_at..]);
    let after_line = text[..insert_at].matches('\n').count();

    let new_model = rebuild(&merged);
    let rechecked = recheck(&new_model, learned);
    let changes = changes(model, &new_model);
    let unexpected = changes
        .as_ref()
        .map(|changes| unexpected(learned, changes))
        .unwrap_or_default();
    Merged {
        text: merged,
        after_line,
        still_denied: rechecked.still_denied,
        undecided: rechecked.undecided,
        secrets_allowed: rechecked.secrets_allowed,
        changes,
        unexpected,
    }
}

/// Where the rules go in `text`: after the end of the line of the last rule of the checked
/// file that decides a proposed denial; with none, at the end.
fn insertion_point(text: &str, model: &Model, learned: &Learned) -> usize {
    let mut last_end: Option<usize> = None;
    for rule in &learned.rules {
        let answers = rule
            .filters
            .iter()
            .flat_map(|f| f.answers.clone())
            .chain(rule.answers.clone());
        for i in answers {
            let f = &learned.findings[i];
            let Ok(e) = explain(model, &f.operation, f.argument.as_deref(), Path::new("/")) else {
                continue;
            };
            if let Some(r) = e.decision.rule.map(|r| &model.rules[r]) {
                if r.origin.file == crate::model::FileId::MAIN {
                    let end = r.origin.span.end as usize;
                    last_end = Some(last_end.map_or(end, |e: usize| e.max(end)));
                }
            }
        }
    }
    match last_end {
        Some(end) => text[end..].find('\n').map_or(text.len(), |n| end + n + 1),
        None => text.len(),
    }
}

/// What asking the merged profile about each finding again found.
struct Rechecked {
    still_denied: Vec<StillDenied>,
    undecided: Vec<usize>,
    secrets_allowed: Vec<usize>,
}

fn recheck(new_model: &Model, learned: &Learned) -> Rechecked {
    let mut out = Rechecked {
        still_denied: Vec::new(),
        undecided: Vec::new(),
        secrets_allowed: Vec::new(),
    };
    for (i, f) in learned.findings.iter().enumerate() {
        let e = explain(
            new_model,
            &f.operation,
            f.argument.as_deref(),
            Path::new("/"),
        );
        match (&f.verdict, e) {
            (Verdict::Proposed, Ok(e)) if e.action == Action::Deny => {
                let why = match e.traversal {
                    Some(t) if t.action == Action::Deny => {
                        format!("resolving `{}` needs `file-read-metadata` on it", t.link)
                    }
                    _ => "a rule consulted before the proposed one denies it".into(),
                };
                out.still_denied.push(StillDenied { finding: i, why });
            }
            (Verdict::Proposed, Err(_)) => out.undecided.push(i),
            (Verdict::Secret(_), Ok(e)) if e.action == Action::Allow => out.secrets_allowed.push(i),
            _ => {}
        }
    }
    out
}

/// What the merge changes over every leaf operation, by the decision sets.
fn changes(model: &Model, new_model: &Model) -> Result<Vec<Change>, String> {
    let every_leaf = sets::leaves(crate::model::vocabulary().default);
    sets::diff_leaves(
        &model.rules,
        &new_model.rules,
        &every_leaf,
        &sets::Budget::default(),
    )
    .map_err(|_| "too complex to compare exactly within the analysis budget".to_string())
}

/// The changes the proposals do not explain: a decision that became denied, or one on an
/// operation no proposed rule names.
fn unexpected(learned: &Learned, changes: &[Change]) -> Vec<usize> {
    let vocab = crate::model::vocabulary();
    let proposed: Vec<crate::model::vocab::OpId> = learned
        .rules
        .iter()
        .filter_map(|r| vocab.resolve_operation(&r.operation))
        .collect();
    changes
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.direction != sets::Direction::Allowed
                || !proposed.iter().any(|&p| vocab.covers(p, c.operation))
        })
        .map(|(i, _)| i)
        .collect()
}

/// A unified diff of `old` and `new`, labelled with `name`.
pub fn unified_diff(name: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}
