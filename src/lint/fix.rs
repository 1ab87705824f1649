//! `--fix`: applies safe fixes and re-checks until nothing is left to fix.

use super::{check_text, CheckOptions, RuleId};
use crate::diagnostic::{Applicability, FileReport};

/// How many times fixes are applied and the file re-checked before giving up.
const MAX_FIX_ROUNDS: usize = 8;

/// Applies safe fixes until none is left (or a round limit), re-checking after each round.
/// A file with syntax errors is never changed, and a round whose result does not parse is
/// dropped.
pub fn apply_safe_fixes(report: FileReport, options: &CheckOptions) -> FileReport {
    apply_fixes(report, options, false).0
}

/// As [`apply_safe_fixes`], with the unsafe fixes too when `unsafe_fixes`; also returns the
/// code of each finding fixed, once per fix applied.
pub fn apply_fixes(
    mut report: FileReport,
    options: &CheckOptions,
    unsafe_fixes: bool,
) -> (FileReport, Vec<&'static str>) {
    let mut fixed = Vec::new();
    for _ in 0..MAX_FIX_ROUNDS {
        if report.diagnostics.iter().any(broken) {
            break;
        }
        let mut fixes: Vec<(&'static str, Vec<_>)> = report
            .diagnostics
            .iter()
            .filter_map(|d| d.fix.as_ref().map(|f| (d.code, f)))
            .filter(|(_, f)| unsafe_fixes || f.applicability == Applicability::Safe)
            .filter(|(_, f)| !f.edits.is_empty())
            .map(|(code, f)| {
                let mut edits = f.edits.clone();
                edits.sort_by_key(|e| (e.span.start, e.span.end));
                (code, edits)
            })
            .collect();
        if fixes.is_empty() {
            break;
        }
        fixes.sort_by_key(|(_, edits)| (edits[0].span.start, edits[0].span.end));
        let mut text = String::with_capacity(report.text.len());
        let mut at = 0usize;
        let mut round = Vec::new();
        for (code, edits) in fixes {
            // A fix is taken whole or not at all: one that overlaps a fix already taken
            // waits for the next round.
            if (edits[0].span.start as usize) < at {
                continue;
            }
            for edit in edits {
                let (start, end) = (edit.span.start as usize, edit.span.end as usize);
                text.push_str(&report.text[at..start.max(at)]);
                text.push_str(&edit.content);
                at = end.max(at);
            }
            round.push(code);
        }
        text.push_str(&report.text[at..]);
        let next = check_text(&report.path, text, options);
        if next.diagnostics.iter().any(broken) || next.text == report.text {
            break;
        }
        fixed.extend(round);
        report = next;
    }
    (report, fixed)
}

/// A syntax error (not SB001's warning about a value at the top level): no fix applies.
fn broken(d: &crate::diagnostic::Diagnostic) -> bool {
    RuleId::SyntaxError.is(d) && d.severity == crate::diagnostic::Severity::Error
}
