//! `sblint check`

use std::io::IsTerminal;

use super::args::CheckArgs;
use super::error::{report_all, AppError};
use super::inputs::{self, Input};
use super::output;
use super::settings::Settings;
use super::ExitStatus;
use crate::diagnostic::{Applicability, FileReport, Severity};
use crate::lint;
use crate::render;

/// How many times fixes are applied and the file re-checked before giving up.
const MAX_FIX_ROUNDS: usize = 8;

pub fn run(args: &CheckArgs) -> ExitStatus {
    if args.paths.is_empty() {
        report_all(vec![AppError::Usage(
            "no paths given: `sblint PATHS...` (files, directories, or `-` for stdin)".into(),
        )]);
        return ExitStatus::Error;
    }
    let mut settings = match Settings::new(&args.model, &args.preludes, &args.select, &args.ignore)
    {
        Ok(s) => s,
        Err(err) => {
            report_all(vec![err]);
            return ExitStatus::Error;
        }
    };
    let mut errors = Vec::new();
    let files = inputs::collect(&args.paths, &mut errors);
    let mut reports = Vec::with_capacity(files.len());
    let mut diffs = String::new();
    for input in &files {
        let name = inputs::display_name(input, args.stdin_filename.as_deref());
        let result = inputs::read(input).and_then(|bytes| {
            let options = settings.options_for(input)?;
            let mut report = lint::check_bytes(&name, bytes, &options);
            if args.fix || args.diff {
                let original = report.text.clone();
                report = fix(report, &options);
                if report.text != original {
                    if args.diff {
                        let diff = similar::TextDiff::from_lines(&original, &report.text);
                        diffs.push_str(
                            &diff
                                .unified_diff()
                                .context_radius(3)
                                .header(&name, &name)
                                .to_string(),
                        );
                        // Show what the file has now, not what it would have.
                        report = lint::check_text(&name, original, &options);
                    } else if let Input::File(path) = input {
                        output::write_atomically(path, report.text.as_bytes())?;
                    } else {
                        output::print(&report.text)?;
                    }
                }
            }
            Ok(report)
        });
        match result {
            Ok(report) => reports.push(report),
            Err(err) => errors.push(err),
        }
    }
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut rendered = Vec::new();
    let written = if args.diff {
        output::print(&diffs)
    } else {
        render::render(&mut rendered, &reports, args.format, color)
            .map_err(AppError::Output)
            .and_then(|()| output::print(&String::from_utf8_lossy(&rendered)))
    };
    if let Err(err) = written {
        errors.push(err);
    }
    if report_all(errors) {
        ExitStatus::Error
    } else if (args.diff && !diffs.is_empty())
        || reports
            .iter()
            .flat_map(|r| &r.diagnostics)
            .any(|d| d.severity != Severity::Info)
    {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    }
}

/// Applies safe fixes until none is left (or a round limit), re-checking after each round.
/// A file with syntax errors is never changed, and a round whose result does not parse is
/// dropped.
fn fix(mut report: FileReport, options: &lint::CheckOptions) -> FileReport {
    for _ in 0..MAX_FIX_ROUNDS {
        if report.diagnostics.iter().any(|d| d.code == "SB001") {
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
        let next = lint::check_text(&report.path, text, options);
        if next.diagnostics.iter().any(|d| d.code == "SB001") || next.text == report.text {
            break;
        }
        report = next;
    }
    report
}
