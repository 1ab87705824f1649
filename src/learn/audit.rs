//! `explain --log`: each denial of a log explained once, and the narrowest rule per
//! operation the profile denies.

use std::path::Path;

use super::filter::{narrowest_filter, unanswerable};
use super::log::{read_log, Denial};
use crate::explain::{explain, ExplainError, Explanation};
use crate::model::{Action, Model};

/// A log's denials, each explained once, and what would allow the denied ones.
#[derive(Debug)]
pub struct Audit {
    /// In the log's order, repeats left out.
    pub denials: Vec<(Denial, Result<Explanation, ExplainError>)>,
    /// One per operation the profile denies, in the order first denied.
    pub proposals: Vec<Proposal>,
}

/// The narrowest `allow` rule for the denials of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub operation: String,
    /// SBPL filters, one per denied argument that has one ([`narrowest_filter`]).
    pub filters: Vec<String>,
    /// The processes that were denied, each once.
    pub processes: Vec<String>,
}

/// Explains each denial of a log (lines that are not denials are skipped) against the
/// model, and proposes, per operation the profile denies, the narrowest rule that would
/// allow what was denied (audit2allow for SBPL).
pub fn audit(model: &Model, log: &str, cwd: &Path) -> Audit {
    let mut denials = Vec::new();
    let mut proposals: Vec<Proposal> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for logged in read_log(log) {
        let denial = logged.denial;
        if !seen.insert((denial.operation.clone(), denial.argument.clone())) {
            continue;
        }
        let outcome = explain(model, &denial.operation, denial.argument.as_deref(), cwd);
        // A relative path: no rule names it (the denial is still explained, against `cwd`).
        let answerable = unanswerable(&denial.operation, denial.argument.as_deref()).is_none();
        if answerable && outcome.as_ref().is_ok_and(|e| e.action == Action::Deny) {
            let filter = denial
                .argument
                .as_deref()
                .and_then(|a| narrowest_filter(&denial.operation, a));
            match proposals
                .iter_mut()
                .find(|p| p.operation == denial.operation)
            {
                Some(p) => {
                    p.filters.extend(filter);
                    if !p.processes.contains(&denial.process) {
                        p.processes.push(denial.process.clone());
                    }
                }
                None => proposals.push(Proposal {
                    operation: denial.operation.clone(),
                    filters: filter.into_iter().collect(),
                    processes: vec![denial.process.clone()],
                }),
            }
        }
        denials.push((denial, outcome));
    }
    Audit { denials, proposals }
}
