//! Answering a test file's assertions against an evaluated profile.

use std::path::Path;

use super::{Assertion, Kind, TestFile};
use crate::explain::explain;
use crate::model::precedence::Condition;
use crate::model::sets::{self, Answer, Budget, Entry};
use crate::model::vocab::{vocabulary, OpId};
use crate::model::{Action, Model};

/// Why an assertion failed: the argument that breaks it and how the profile decides it.
#[derive(Clone, Debug)]
pub struct Failure {
    /// The argument exactly as `sblint explain` takes it; `None` for operations without one.
    pub witness: Option<String>,
    /// The leaf operation decided.
    pub witness_operation: String,
    /// The decision there (`None`: the analysis stopped before deciding).
    pub decision: Option<Action>,
    /// The deciding rule, an index into the model's rules; `None` for libsandbox's default.
    pub rule: Option<usize>,
    /// The decision depends on a value only known at run time.
    pub conditional: bool,
    /// What the failure depends on or why it is not decided, in words.
    pub note: Option<String>,
    /// What the decision depends on, when it is conditional.
    pub conditions: Vec<Condition>,
    /// The analysis stopped at its budget: the assertion is neither proved nor refuted.
    pub too_complex: bool,
}

/// One assertion's result.
#[derive(Clone, Debug)]
pub struct Outcome<'a> {
    pub assertion: &'a Assertion,
    pub passed: bool,
    pub failure: Option<Failure>,
}

/// The assertions of `file` that hold on `before` and fail on `after` (by position in the
/// file), each with its failure on `after`: what a change to the profile would break.
pub fn broken_by(file: &TestFile, before: &Model, after: &Model) -> Vec<(usize, Failure)> {
    let held: Vec<bool> = run(file, before).iter().map(|o| o.passed).collect();
    run(file, after)
        .into_iter()
        .enumerate()
        .filter(|(i, _)| held[*i])
        .filter_map(|(i, o)| o.failure.map(|f| (i, f)))
        .collect()
}

/// Runs every assertion of `file` against `model` (the file's profile, evaluated with the
/// file's params, preludes and macOS).
pub fn run<'a>(file: &'a TestFile, model: &Model) -> Vec<Outcome<'a>> {
    let budget = Budget::default();
    let cwd = file.path.parent().unwrap_or(Path::new("."));
    file.assertions
        .iter()
        .map(|a| {
            let failure = match a.kind {
                Kind::Allow | Kind::Deny => point(a, model, cwd),
                Kind::Never | Kind::Always => set(a, model, &budget),
            };
            Outcome {
                assertion: a,
                passed: failure.is_none(),
                failure,
            }
        })
        .collect()
}

/// The leaf operations an assertion on `op` is about: the decision sets' leaves of `op`
/// that exist on the profile's macOS (`op` itself when none does).
pub(crate) fn leaves(op: OpId, model: &Model) -> Vec<OpId> {
    let vocab = vocabulary();
    let mut leaves = sets::leaves(op);
    leaves.retain(|&d| vocab.operation(d).exists_in(model.macos));
    if leaves.is_empty() {
        leaves.push(op);
    }
    leaves
}

/// A point assertion, asked of every leaf as `sblint explain` asks it.
fn point(a: &Assertion, model: &Model, cwd: &Path) -> Option<Failure> {
    let want = if a.kind == Kind::Allow {
        Action::Allow
    } else {
        Action::Deny
    };
    let vocab = vocabulary();
    for leaf in leaves(a.op, model) {
        let name = vocab.operation(leaf).name.as_str();
        let e = match explain(model, name, a.argument.as_deref(), cwd) {
            Ok(e) => e,
            Err(err) => {
                return Some(Failure {
                    witness: a.argument.clone(),
                    witness_operation: name.to_string(),
                    decision: None,
                    rule: None,
                    conditional: false,
                    note: Some(err.to_string()),
                    conditions: Vec::new(),
                    too_complex: false,
                })
            }
        };
        let conditional = e.decision.conditional();
        if e.action != want || conditional {
            let denied_on_the_way = e.traversal.as_ref().filter(|t| t.action == Action::Deny);
            let note = denied_on_the_way.map(|t| {
                format!(
                    "denied on the way: resolving `{}` needs `file-read-metadata` on it",
                    t.link
                )
            });
            let rule = denied_on_the_way.map_or(e.decision.rule, |t| t.decision.rule);
            return Some(Failure {
                // As written: a path through `/tmp` may fail on the way there.
                witness: a.argument.clone(),
                witness_operation: name.to_string(),
                decision: Some(e.action),
                rule,
                conditional,
                note,
                conditions: e.decision.conditions.clone(),
                too_complex: false,
            });
        }
    }
    None
}

/// A set assertion, answered by the decision sets.
fn set(a: &Assertion, model: &Model, budget: &Budget) -> Option<Failure> {
    let parse = |list: &[String]| -> Vec<Entry> {
        list.iter()
            .filter_map(|e| sets::parse_entry(a.op, e).ok())
            .collect()
    };
    let within = a.within.as_deref().map(parse);
    let except = parse(&a.except);
    let answer = match a.kind {
        Kind::Never => sets::never(&model.rules, a.op, within.as_deref(), &except, budget),
        _ => sets::always(&model.rules, a.op, within.as_deref().unwrap_or(&[]), budget),
    };
    match answer {
        Answer::Holds => None,
        Answer::Fails(w) => Some(Failure {
            witness: w.argument.clone(),
            witness_operation: vocabulary().operation(w.operation).name.clone(),
            decision: w.decision.action.or(Some(Action::Allow)),
            rule: w.decision.rule,
            conditional: w.conditional,
            note: None,
            conditions: w.decision.conditions.clone(),
            too_complex: false,
        }),
        Answer::TooComplex { decided } => Some(Failure {
            witness: None,
            witness_operation: a.operation.clone(),
            decision: None,
            rule: None,
            conditional: false,
            note: Some(format!(
                "too complex to decide exactly within the analysis budget ({} of the leaf \
                 operations were decided and hold)",
                decided.len()
            )),
            conditions: Vec::new(),
            too_complex: true,
        }),
    }
}
