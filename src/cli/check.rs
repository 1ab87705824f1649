//! `sblint check`

use std::io::IsTerminal;

use super::args::CheckArgs;
use super::error::{report_all, AppError};
use super::output;
use super::ExitStatus;
use rayon::prelude::*;

use crate::diagnostic::FileReport;
use crate::lint;
use crate::render::{self, Format, RuleInfo};
use crate::workspace::{inputs, Input, Settings};

pub fn run(args: &CheckArgs) -> ExitStatus {
    if args.paths.is_empty() {
        report_all(vec![AppError::Usage(
            "no paths given: `sblint PATHS...` (files, directories, or `-` for stdin)".into(),
        )]);
        return ExitStatus::Error;
    }
    let format = Format::from(args.format);
    if format != Format::Human {
        super::error::output_for_programs();
    }
    let settings = args
        .model
        .overrides(&args.preludes, &args.select, &args.ignore)
        .and_then(|overrides| Ok(Settings::new(overrides)?));
    let mut settings = match settings {
        Ok(s) => s,
        Err(err) => {
            report_all(vec![err]);
            return ExitStatus::Error;
        }
    };
    let rules = rule_infos();
    let mut errors = Vec::new();
    let files = match args
        .exclude
        .collect(&args.paths, args.model.config.clone(), &mut errors)
    {
        Ok(files) => files,
        Err(err) => {
            report_all(vec![err]);
            return ExitStatus::Error;
        }
    };
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    // Files go by in sorted chunks: a chunk is checked on all cores, then written, so the
    // output is deterministic and memory stays flat however many files there are. JSON
    // and SARIF are one document: their reports (without the texts of clean files) wait.
    const CHUNK: usize = 256;
    let document = !args.diff && matches!(format, Format::Json | Format::Sarif);
    let mut kept = Vec::new();
    let mut totals = render::Totals::default();
    let mut any_diff = false;
    for chunk in files.chunks(CHUNK) {
        // Options first: they share caches of configs and preludes.
        let mut jobs = Vec::with_capacity(chunk.len());
        for input in chunk {
            match settings.options_for(input) {
                Ok(options) => jobs.push((input, options)),
                Err(err) => errors.push(err.into()),
            }
        }
        let results: Vec<Result<Checked, AppError>> = jobs
            .par_iter()
            .map(|(input, options)| check_one(args, format, input, options, color))
            .collect();
        let mut text = String::new();
        let mut reports = Vec::new();
        for result in results {
            match result {
                Ok(checked) => {
                    totals.add(&checked.report);
                    any_diff |= !checked.diff.is_empty();
                    text.push_str(if args.diff {
                        &checked.diff
                    } else {
                        &checked.human
                    });
                    reports.push(checked.report);
                }
                Err(err) => errors.push(err),
            }
        }
        if document {
            kept.extend(reports);
        } else if !args.diff && format != Format::Human {
            let mut rendered = Vec::new();
            match render::render(&mut rendered, &reports, format, color, &rules) {
                Ok(()) => text.push_str(&String::from_utf8_lossy(&rendered)),
                Err(err) => errors.push(AppError::Output(err)),
            }
        }
        if let Err(err) = output::print(&text) {
            errors.push(err);
        }
    }
    let written = if document {
        let mut rendered = Vec::new();
        render::render(&mut rendered, &kept, format, color, &rules)
            .map_err(AppError::Output)
            .and_then(|()| output::print(&String::from_utf8_lossy(&rendered)))
    } else if !args.diff && format == Format::Human {
        let summary = totals.summary();
        if summary.is_empty() {
            Ok(())
        } else {
            output::print(&format!("{summary}\n"))
        }
    } else {
        Ok(())
    };
    if let Err(err) = written {
        errors.push(err);
    }
    if report_all(errors) {
        ExitStatus::Error
    } else if (args.diff && any_diff) || totals.findings() {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    }
}

/// The registry as SARIF describes it.
fn rule_infos() -> Vec<RuleInfo<'static>> {
    lint::RULES
        .iter()
        .map(|rule| {
            let m = &rule.meta;
            RuleInfo {
                code: m.code,
                name: m.name,
                severity: m.severity,
                summary: m.summary,
                doc: m.doc,
            }
        })
        .collect()
}

/// What is kept of a checked file until the output is written: its diagnostics, and its
/// text only when a format still needs it (findings outside the human format), so that
/// checking thousands of files does not hold them all.
struct Checked {
    report: FileReport,
    /// With `--diff`: what the safe fixes would change.
    diff: String,
    /// In the human format: the file's excerpts, rendered while its text is at hand.
    human: String,
}

fn check_one(
    args: &CheckArgs,
    format: Format,
    input: &Input,
    options: &lint::CheckOptions,
    color: bool,
) -> Result<Checked, AppError> {
    let name = inputs::display_name(input, args.stdin_filename.as_deref());
    let bytes = inputs::read(input)?;
    let mut report = lint::check_bytes(&name, bytes, options);
    let mut diff = String::new();
    if args.fix || args.diff {
        let original = report.text.clone();
        report = lint::fix::apply_safe_fixes(report, options);
        if report.text != original {
            if args.diff {
                diff = similar::TextDiff::from_lines(&original, &report.text)
                    .unified_diff()
                    .context_radius(3)
                    .header(&name, &name)
                    .to_string();
                // Show what the file has now, not what it would have.
                report = lint::check_text(&name, original, options);
            } else if let Input::File(path) = input {
                output::write_atomically(path, report.text.as_bytes())?;
            } else {
                output::print(&report.text)?;
            }
        }
    }
    let human = if format == Format::Human && !args.diff {
        render::render_human(std::slice::from_ref(&report), color)
    } else {
        String::new()
    };
    // The other formats read positions off the text: it stays where there are findings.
    if format == Format::Human || report.diagnostics.is_empty() {
        report.text = String::new();
    }
    Ok(Checked {
        report,
        diff,
        human,
    })
}
