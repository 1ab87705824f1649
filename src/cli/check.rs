//! `sblint check`

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::args::CheckArgs;
use super::error::AppError;
use super::output::{self, Output};
use super::ExitStatus;

use crate::api::checks::{self, CheckRun, Checked, Rewrite, Tally};
use crate::api::diff_text;
use crate::diagnostic::FileReport;
use crate::lint;
use crate::render::{self, Format, RuleInfo};
use crate::workspace::{Input, Overrides, Settings, WorkspaceError};

/// Where the report goes: stdout, stderr (when `--fix -` writes the profile to stdout), or
/// the `--output-file`, written once at the end.
enum Sink<'o> {
    Stdout(&'o mut Output),
    Stderr,
    File(PathBuf, String),
}

impl Sink<'_> {
    fn write(&mut self, text: &str) -> Result<(), AppError> {
        match self {
            Sink::Stdout(out) => out.print(text),
            Sink::Stderr => {
                use std::io::Write;
                let _ = std::io::stderr().lock().write_all(text.as_bytes());
                Ok(())
            }
            Sink::File(_, buffer) => {
                buffer.push_str(text);
                Ok(())
            }
        }
    }

    fn terminal(&self) -> bool {
        match self {
            Sink::Stdout(out) => out.is_terminal(),
            Sink::Stderr => std::io::stderr().is_terminal(),
            Sink::File(..) => false,
        }
    }

    fn finish(self) -> Result<(), AppError> {
        match self {
            Sink::File(path, text) => output::write_atomically(&path, text.as_bytes()),
            _ => Ok(()),
        }
    }
}

/// Every selector of the flags as the code prefix the selection matches; exit 2 on one
/// that names no rule.
fn selectors(flag: &str, list: &[String]) -> Result<Vec<String>, AppError> {
    lint::resolve_selectors(list).map_err(|error| AppError::Selector {
        flag: flag.to_string(),
        error,
    })
}

pub fn run(args: &CheckArgs, out: &mut Output) -> Result<ExitStatus, AppError> {
    if args.paths.is_empty() {
        return Err(AppError::Usage(
            "no paths given: `sblint PATHS...` (files, directories, or `-` for stdin)".into(),
        ));
    }
    let format = Format::from(args.format);
    let mut settings = Settings::new(overrides(args)?)?;
    let mut errors = Vec::new();
    let files = args.exclude.collect(
        &args.paths,
        args.load.model.config.clone(),
        &mut errors,
        args.quiet,
    )?;
    let fix_stdin = args.fix && files.contains(&Input::Stdin);
    let mut sink = match (&args.output_file, fix_stdin) {
        (Some(path), _) => Sink::File(path.clone(), String::new()),
        (None, true) => Sink::Stderr,
        (None, false) => Sink::Stdout(out),
    };
    let run = CheckRun {
        format,
        fix: args.fix,
        diff: args.diff,
        unsafe_fixes: args.unsafe_fixes,
        statistics: args.statistics,
        color: args.color.enabled(sink.terminal()),
        stdin_filename: args.stdin_filename.as_deref(),
    };
    let rules = checks::rule_infos();
    // Files go by in sorted chunks: a chunk is checked on all cores, then written, so the
    // output is deterministic and memory stays flat however many files there are. JSON
    // and SARIF are one document: their reports (without the texts of clean files) wait.
    const CHUNK: usize = 256;
    let document = !args.diff && !args.statistics && matches!(format, Format::Json | Format::Sarif);
    let mut kept = Vec::new();
    let mut tally = Tally::default();
    for chunk in files.chunks(CHUNK) {
        let results = checks::check_chunk(&mut settings, chunk, &run);
        let (mut text, reports) = chunk_text(args, results, &mut tally, &mut errors);
        if document {
            kept.extend(reports);
        } else if !args.diff && !args.statistics && format != Format::Human {
            text.push_str(&rendered(&reports, &run, &rules, &mut errors));
        }
        if let Err(err) = sink.write(&text) {
            errors.push(err);
        }
    }
    let mut tail = if document {
        rendered(&kept, &run, &rules, &mut errors)
    } else if args.statistics {
        tally.statistics_text(format)
    } else {
        String::new()
    };
    tail.push_str(&footer(args, format, &tally));
    // `--base`: what each add-on opens and which of its rules change nothing.
    let widens = match &args.base {
        Some(base) => addons(args, base, &files, &mut tail, &mut errors)?,
        None => false,
    };
    // A JSON document with files missing would read as a clean run: the error instead.
    if format == Format::Json && !errors.is_empty() {
        return Err(AppError::Several(errors));
    }
    if let Err(err) = sink.write(&tail).and_then(|()| sink.finish()) {
        errors.push(err);
    }
    if let Some(error) = AppError::all(errors) {
        return Err(error);
    }
    Ok(status(args, &tally, widens))
}

/// The exit status of a run whose output is written.
fn status(args: &CheckArgs, tally: &Tally, widens: bool) -> ExitStatus {
    if tally.unknown_suppression {
        ExitStatus::Error
    } else if args.exit_zero {
        ExitStatus::Clean
    } else if args.diff {
        // `--diff` answers "would `--fix` change anything?", as ruff's does.
        if tally.any_diff {
            ExitStatus::Findings
        } else {
            ExitStatus::Clean
        }
    } else if tally.totals.findings() || widens {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    }
}

/// A chunk's checked files counted, their fixes written, their text (human excerpts, or
/// `--diff`'s) and their reports; a file that could not be checked or written is an error.
fn chunk_text(
    args: &CheckArgs,
    results: Vec<Result<Checked, WorkspaceError>>,
    tally: &mut Tally,
    errors: &mut Vec<AppError>,
) -> (String, Vec<FileReport>) {
    let mut text = String::new();
    let mut reports = Vec::new();
    for result in results {
        // A file whose fix cannot be written is an error, not a report.
        let written = result
            .map_err(AppError::from)
            .and_then(|mut checked| rewrite(checked.rewrite.take()).map(|()| checked));
        let mut checked = match written {
            Ok(checked) => checked,
            Err(err) => {
                errors.push(err);
                continue;
            }
        };
        tally.add(&mut checked, args.unsafe_fixes);
        if !args.statistics {
            text.push_str(if args.diff {
                &checked.diff
            } else {
                &checked.human
            });
        }
        reports.push(checked.report);
    }
    (text, reports)
}

/// The flags over `sblint.toml`: with `--base`, each file is an add-on, the base read
/// first, as a prelude.
fn overrides(args: &CheckArgs) -> Result<Overrides, AppError> {
    let select = selectors("--select", &args.select)?;
    let ignore = selectors("--ignore", &args.ignore)?;
    let extend = selectors("--extend-select", &args.extend_select)?;
    let mut preludes = args.load.preludes.clone();
    preludes.extend(args.base.iter().cloned());
    let mut overrides = args.load.model.overrides(&preludes, &select, &ignore)?;
    overrides.extend_select = extend;
    Ok(overrides)
}

/// `--fix`: the fixed file written in place, or stdin's profile printed.
fn rewrite(rewrite: Option<Rewrite>) -> Result<(), AppError> {
    match rewrite {
        Some(Rewrite::File(path, text)) => output::write_atomically(&path, text.as_bytes()),
        // Checked in parallel, so not through the run's `Output`; stdin is one input.
        Some(Rewrite::Stdout(text)) => Output::stdout().print(&text),
        None => Ok(()),
    }
}

/// The reports in a format other than the human one.
fn rendered(
    reports: &[FileReport],
    run: &CheckRun<'_>,
    rules: &[RuleInfo<'static>],
    errors: &mut Vec<AppError>,
) -> String {
    let mut out = Vec::new();
    match render::render(&mut out, reports, run.format, run.color, rules) {
        Ok(()) => String::from_utf8_lossy(&out).into_owned(),
        Err(err) => {
            errors.push(AppError::Output(err));
            String::new()
        }
    }
}

/// For people: the fixes made (or fixable), then the summary line.
fn footer(args: &CheckArgs, format: Format, tally: &Tally) -> String {
    let mut tail = String::new();
    let people = format == Format::Human || args.statistics;
    if args.diff || args.quiet || !people {
        return tail;
    }
    if args.fix {
        tail.push_str(&tally.fixed_text(args.show_fixes));
    } else if args.show_fixes {
        tail.push_str(&tally.fixable_text(args.unsafe_fixes));
    }
    if format == Format::Human && !args.statistics {
        let summary = tally.totals.summary();
        if !summary.is_empty() {
            tail.push_str(&summary);
            tail.push('\n');
        }
    }
    tail
}

/// `--base`: each add-on's report (in the human format; other formats are one document
/// each, the exit status says it); whether any widens the base.
fn addons(
    args: &CheckArgs,
    base: &Path,
    files: &[Input],
    tail: &mut String,
    errors: &mut Vec<AppError>,
) -> Result<bool, AppError> {
    let overrides = args.load.overrides(&[], &[])?;
    let mut widens = false;
    for input in files {
        let Input::File(path) = input else { continue };
        match diff_text::addon_files(base, path, overrides.clone(), None, false) {
            Ok((text, w)) => {
                widens |= w;
                if Format::from(args.format) == Format::Human {
                    tail.push_str(&format!(
                        "{} appended to {}: {text}",
                        path.display(),
                        base.display()
                    ));
                }
            }
            Err(err) => errors.push(err.into()),
        }
    }
    Ok(widens)
}
