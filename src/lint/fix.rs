//! `--fix`: applies safe fixes and re-checks until nothing is left to fix.

use super::{check_text, CheckOptions, RuleId};
use crate::diagnostic::{Applicability, FileReport};

/// How many times fixes are applied and the file re-checked before giving up.
const MAX_FIX_ROUNDS: usize = 8;

/// Applies safe fixes until none is left (or a round limit), re-checking after each round.
/// A file with syntax errors is never changed, and a round whose result does not parse is
/// dropped.
pub fn apply_safe_fixes(mut report: FileReport, options: &CheckOptions) -> FileReport {
    for _ in 0..MAX_FIX_ROUNDS {
        if report.diagnostics.iter().any(|d| RuleId::SyntaxError.is(d)) {
            break;
        }
        let mut edits: Vec<_> = report
            .diagnostics
            .iter()
            .filter_map(|d| d.fix.as_ref())
            .filter(|f| f.applicability == Applicability::Safe)
            .flat_map(|f| f.edits.iter().cloned())
            .collect();
        if edits.is_empty() {
            break;
        }
        edits.sort_by_key(|e| (e.span.start, e.span.end));
        let mut text = String::with_capacity(report.text.len());
        let mut at = 0usize;
        for edit in edits {
            let (start, end) = (edit.span.start as usize, edit.span.end as usize);
            if start < at {
                continue; // overlaps an edit already taken; the next round gets it
            }
            text.push_str(&report.text[at..start]);
            text.push_str(&edit.content);
            at = end;
        }
        text.push_str(&report.text[at..]);
        let next = check_text(&report.path, text, options);
        let broken = next.diagnostics.iter().any(|d| RuleId::SyntaxError.is(d));
        if broken || next.text == report.text {
            break;
        }
        report = next;
    }
    report
}
