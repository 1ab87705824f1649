//! `sblint learn`: audit2allow for Seatbelt. Reads sandbox denials from the system log
//! (`log stream`/`log show` output, syslog or `--style ndjson`/`json`), proposes the
//! narrowest rules that allow them, grouped by operation, each with the log lines it
//! answers; keeps secrets denied; and merges the proposals into a profile where
//! precedence lets them take effect. `sblint explain --log` is the same reading.
//!
//! `log` reads the denials, `filter` turns an argument into the narrowest filter,
//! `secrets` keeps credentials denied, `propose` groups the findings into rules,
//! `merge` puts them into a profile, `audit` is `explain --log`.

mod audit;
mod filter;
mod log;
mod merge;
mod propose;
mod secrets;
#[cfg(test)]
mod tests;

use std::path::Path;

pub use audit::{audit, Audit, Proposal};
pub use filter::{narrowest_filter, unanswerable};
pub use log::{parse_denial, read_log, Denial, Logged};
pub use merge::{merge, unified_diff, Merged, StillDenied};
pub use propose::rules_text;
pub use secrets::{filter_risk, secret, subtree_secret};

use crate::explain::explain;
use crate::model::essentials;
use crate::model::{vocabulary, Action, Model};

/// What `learn` does with one distinct denial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Proposed: allowed by the rule of its group.
    Proposed,
    /// A secret: kept denied unless `--allow-secrets`.
    Secret(&'static str),
    /// The profile given already allows it: the denial came from another profile.
    AlreadyAllowed,
    /// Not an operation sblint knows, under any name.
    UnknownOperation,
    /// No rule can name what was denied, and why ([`unanswerable`]).
    Unanswerable(&'static str),
}

/// One distinct denial (operation and argument), the lines that logged it, and its fate.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The operation as sblint knows it (a known alias mapped: `process-exec` stays as
    /// written when the vocabulary has it).
    pub operation: String,
    /// As logged, when the log used another name.
    pub logged_as: Option<String>,
    pub argument: Option<String>,
    pub processes: Vec<String>,
    pub lines: Vec<usize>,
    pub verdict: Verdict,
    /// The row of `grammar/essentials.tsv` this is, when it is one.
    pub essential: Option<&'static essentials::Essential>,
}

/// One proposed `allow` rule: an operation and its filters, each with the findings
/// (indices into [`Learned::findings`]) it answers.
#[derive(Debug, Clone)]
pub struct Rule {
    pub operation: String,
    /// `(literal …)`, `(subpath …)`, …; empty for an operation without argument.
    pub filters: Vec<Filter>,
    /// For an operation without argument, the findings it answers.
    pub answers: Vec<usize>,
}

impl Rule {
    /// The rule as SBPL, on one line.
    pub fn text(&self) -> String {
        let filters: String = self
            .filters
            .iter()
            .map(|f| format!(" {}", f.sbpl))
            .collect();
        format!("(allow {}{filters})", self.operation)
    }
}

/// One filter of a proposed rule and the findings it answers.
#[derive(Debug, Clone)]
pub struct Filter {
    /// As SBPL: `(literal "/private/etc/hosts")`, `(subpath …)`, `(remote ip …)` …
    pub sbpl: String,
    /// Indices into [`Learned::findings`].
    pub answers: Vec<usize>,
    /// The path of a `literal` of a denied path (not of a link on its way): what
    /// generalising groups by directory.
    pub path: Option<String>,
}

/// What `learn` read and proposes.
#[derive(Debug, Clone)]
pub struct Learned {
    /// Lines that were denials.
    pub denial_lines: usize,
    pub findings: Vec<Finding>,
    /// Grouped by operation, in the order each was first denied.
    pub rules: Vec<Rule>,
}

/// How to learn.
#[derive(Debug, Clone)]
pub struct Options {
    /// Propose a `subpath` when this many denied paths of one operation share a directory
    /// (0 never).
    pub generalize: usize,
    /// Propose access to secrets too.
    pub allow_secrets: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            generalize: 3,
            allow_secrets: false,
        }
    }
}

/// The operation as sblint knows it: the name itself, or what it is known as.
fn known_operation(name: &str) -> Option<String> {
    let vocab = vocabulary();
    if vocab.op_id(name).is_some() {
        return Some(name.to_string());
    }
    vocab
        .resolve_operation(name)
        .map(|id| vocab.operation(id).name.to_string())
}

/// Reads the denials of `log` and proposes rules. With `model`, denials the profile
/// already allows are reported as such and not proposed.
pub fn learn(log: &str, model: Option<&Model>, options: &Options) -> Learned {
    let logged = read_log(log);
    let mut findings: Vec<Finding> = Vec::new();
    // (operation, argument) → its finding: a log of many thousand lines stays linear.
    let mut index: std::collections::HashMap<(String, Option<String>), usize> =
        std::collections::HashMap::new();
    for l in &logged {
        let d = &l.denial;
        let operation = known_operation(&d.operation);
        let key_op = operation.clone().unwrap_or_else(|| d.operation.clone());
        let key = (key_op.clone(), d.argument.clone());
        if let Some(f) = index.get(&key).map(|&i| &mut findings[i]) {
            f.lines.push(l.line);
            if !f.processes.contains(&d.process) {
                f.processes.push(d.process.clone());
            }
            continue;
        }
        let verdict = match &operation {
            None => Verdict::UnknownOperation,
            Some(op) => match (
                secret(op, d.argument.as_deref()),
                unanswerable(op, d.argument.as_deref()),
            ) {
                (Some(what), _) if !options.allow_secrets => Verdict::Secret(what),
                (_, Some(why)) => Verdict::Unanswerable(why),
                _ => {
                    let allowed = model.is_some_and(|m| {
                        explain(m, op, d.argument.as_deref(), Path::new("/"))
                            .is_ok_and(|e| e.action == Action::Allow && e.alternatives.is_empty())
                    });
                    if allowed {
                        Verdict::AlreadyAllowed
                    } else {
                        Verdict::Proposed
                    }
                }
            },
        };
        let essential = essentials::table().iter().find(|e| {
            Some(e.operation) == operation.as_deref() && e.argument == d.argument.as_deref()
        });
        index.insert(key, findings.len());
        findings.push(Finding {
            logged_as: operation
                .as_ref()
                .filter(|o| **o != d.operation)
                .map(|_| d.operation.clone()),
            operation: key_op,
            argument: d.argument.clone(),
            processes: vec![d.process.clone()],
            lines: vec![l.line],
            verdict,
            essential,
        });
    }
    let rules = propose::propose(&findings, options);
    Learned {
        denial_lines: logged.len(),
        findings,
        rules,
    }
}
