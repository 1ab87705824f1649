//! `sblint check`

use std::io::IsTerminal;

use super::args::CheckArgs;
use super::error::{report_all, AppError};
use super::inputs::{self, Input};
use super::output;
use super::settings::Settings;
use super::ExitStatus;
use rayon::prelude::*;

use crate::diagnostic::{FileReport, Severity};
use crate::lint;
use crate::render;

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
    let mut exclusions =
        match inputs::Exclusions::from_args(&args.exclude, args.model.config.clone()) {
            Ok(e) => e,
            Err(err) => {
                report_all(vec![err]);
                return ExitStatus::Error;
            }
        };
    let files = inputs::collect(&args.paths, &mut exclusions, &mut errors);
    // Options first (they share caches of configs and preludes), then every file on all
    // cores; results keep the sorted order of `files`, so output is deterministic.
    let mut jobs = Vec::with_capacity(files.len());
    for input in &files {
        match settings.options_for(input) {
            Ok(options) => jobs.push((input, options)),
            Err(err) => errors.push(err),
        }
    }
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let results: Vec<Result<Checked, AppError>> = jobs
        .par_iter()
        .map(|(input, options)| check_one(args, input, options, color))
        .collect();
    let mut reports = Vec::with_capacity(results.len());
    let mut diffs = String::new();
    let mut human = String::new();
    for result in results {
        match result {
            Ok(checked) => {
                diffs.push_str(&checked.diff);
                human.push_str(&checked.human);
                reports.push(checked.report);
            }
            Err(err) => errors.push(err),
        }
    }
    let mut rendered = Vec::new();
    let written = if args.diff {
        output::print(&diffs)
    } else if args.format == render::Format::Human {
        let summary = render::summary(&reports);
        if !summary.is_empty() {
            human.push_str(&summary);
            human.push('\n');
        }
        output::print(&human)
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
    let human = if args.format == render::Format::Human && !args.diff {
        render::render_human(std::slice::from_ref(&report), color)
    } else {
        String::new()
    };
    // The other formats read positions off the text: it stays where there are findings.
    if args.format == render::Format::Human || report.diagnostics.is_empty() {
        report.text = String::new();
    }
    Ok(Checked {
        report,
        diff,
        human,
    })
}
