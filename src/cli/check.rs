//! `sblint check`

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use super::args::CheckArgs;
use super::error::AppError;
use super::output::{self, Output};
use super::ExitStatus;
use rayon::prelude::*;

use crate::diagnostic::FileReport;
use crate::lint;
use crate::render::{self, Format, RuleInfo};
use crate::workspace::{inputs, Input, Settings};

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
    let select = selectors("--select", &args.select)?;
    let ignore = selectors("--ignore", &args.ignore)?;
    let extend = selectors("--extend-select", &args.extend_select)?;
    let mut overrides = args.load.overrides(&select, &ignore)?;
    overrides.extend_select = extend;
    let mut settings = Settings::new(overrides)?;
    let rules = rule_infos();
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
    let color = args.color.enabled(sink.terminal());
    let statistics = args.statistics;
    // Files go by in sorted chunks: a chunk is checked on all cores, then written, so the
    // output is deterministic and memory stays flat however many files there are. JSON
    // and SARIF are one document: their reports (without the texts of clean files) wait.
    const CHUNK: usize = 256;
    let document = !args.diff && !statistics && matches!(format, Format::Json | Format::Sarif);
    let mut kept = Vec::new();
    let mut totals = render::Totals::default();
    let mut counts: BTreeMap<&'static str, Count> = BTreeMap::new();
    let mut fixed: Vec<(String, Vec<&'static str>)> = Vec::new();
    let mut any_diff = false;
    let mut unknown_suppression = false;
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
                    for d in &checked.report.diagnostics {
                        unknown_suppression |= lint::suppress::names_unknown_rule(d);
                        let count = counts.entry(d.code).or_insert(Count {
                            name: d.name,
                            findings: 0,
                            fixable: 0,
                        });
                        count.findings += 1;
                        count.fixable += usize::from(d.fix.as_ref().is_some_and(|f| {
                            args.unsafe_fixes
                                || f.applicability == crate::diagnostic::Applicability::Safe
                        }));
                    }
                    any_diff |= !checked.diff.is_empty();
                    if !statistics {
                        text.push_str(if args.diff {
                            &checked.diff
                        } else {
                            &checked.human
                        });
                    }
                    if !checked.fixed.is_empty() {
                        fixed.push((checked.report.path.clone(), checked.fixed));
                    }
                    reports.push(checked.report);
                }
                Err(err) => errors.push(err),
            }
        }
        if document {
            kept.extend(reports);
        } else if !args.diff && !statistics && format != Format::Human {
            let mut rendered = Vec::new();
            match render::render(&mut rendered, &reports, format, color, &rules) {
                Ok(()) => text.push_str(&String::from_utf8_lossy(&rendered)),
                Err(err) => errors.push(AppError::Output(err)),
            }
        }
        if let Err(err) = sink.write(&text) {
            errors.push(err);
        }
    }
    let mut tail = String::new();
    if document {
        let mut rendered = Vec::new();
        match render::render(&mut rendered, &kept, format, color, &rules) {
            Ok(()) => tail.push_str(&String::from_utf8_lossy(&rendered)),
            Err(err) => errors.push(AppError::Output(err)),
        }
    } else if statistics {
        tail.push_str(&statistics_text(&counts, format));
    }
    let people = format == Format::Human || statistics;
    if !args.diff && !args.quiet && people {
        if args.fix {
            tail.push_str(&fixed_text(&fixed, args.show_fixes));
        } else if args.show_fixes {
            tail.push_str(&fixable_text(&counts, args.unsafe_fixes));
        }
        if format == Format::Human && !statistics {
            let summary = totals.summary();
            if !summary.is_empty() {
                tail.push_str(&summary);
                tail.push('\n');
            }
        }
    }
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
    Ok(if unknown_suppression {
        ExitStatus::Error
    } else if args.exit_zero {
        ExitStatus::Clean
    } else if args.diff {
        // `--diff` answers "would `--fix` change anything?", as ruff's does.
        if any_diff {
            ExitStatus::Findings
        } else {
            ExitStatus::Clean
        }
    } else if totals.findings() {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    })
}

/// What `--statistics` counts for one rule.
struct Count {
    name: &'static str,
    findings: usize,
    fixable: usize,
}

/// `--statistics`: one line per rule, most findings first (a JSON array with `--format json`).
fn statistics_text(counts: &BTreeMap<&'static str, Count>, format: Format) -> String {
    let mut rows: Vec<(&&str, &Count)> = counts.iter().collect();
    rows.sort_by(|a, b| b.1.findings.cmp(&a.1.findings).then(a.0.cmp(b.0)));
    if format == Format::Json {
        let value: Vec<serde_json::Value> = rows
            .iter()
            .map(|(code, c)| {
                serde_json::json!({
                    "code": code,
                    "name": c.name,
                    "count": c.findings,
                    "fixable": c.fixable,
                })
            })
            .collect();
        let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
        text.push('\n');
        return text;
    }
    let width = rows
        .iter()
        .map(|(_, c)| c.findings.to_string().len())
        .max()
        .unwrap_or(1);
    rows.iter()
        .map(|(code, c)| {
            let fixable = if c.fixable > 0 { "[*] " } else { "" };
            format!("{:>width$}  {code}  {fixable}{}\n", c.findings, c.name)
        })
        .collect()
}

/// "Fixed 3 findings: SB002 ×1, SB201 ×2", and with `--show-fixes` the fixes by file.
fn fixed_text(fixed: &[(String, Vec<&'static str>)], by_file: bool) -> String {
    let total: usize = fixed.iter().map(|(_, codes)| codes.len()).sum();
    if total == 0 {
        return String::new();
    }
    let tally = |codes: &mut dyn Iterator<Item = &'static str>| {
        let mut map: BTreeMap<&str, usize> = BTreeMap::new();
        codes.for_each(|c| *map.entry(c).or_default() += 1);
        map
    };
    let plural = |n: usize| if n == 1 { "finding" } else { "findings" };
    let all = tally(&mut fixed.iter().flat_map(|(_, codes)| codes.iter().copied()));
    let mut text = format!(
        "Fixed {total} {}: {}\n",
        plural(total),
        all.iter()
            .map(|(code, n)| format!("{code} ×{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if by_file {
        for (path, codes) in fixed {
            text.push_str(&format!("- {path}:\n"));
            for (code, n) in tally(&mut codes.iter().copied()) {
                let name = lint::rule_by_code(code).map_or("", |r| r.meta.name);
                text.push_str(&format!("    {n} × {code} ({name})\n"));
            }
        }
    }
    text
}

/// `--show-fixes` without `--fix`: what `--fix` would remove.
fn fixable_text(counts: &BTreeMap<&'static str, Count>, unsafe_fixes: bool) -> String {
    let total: usize = counts.values().map(|c| c.fixable).sum();
    if total == 0 {
        return String::new();
    }
    let flag = if unsafe_fixes {
        "`--fix --unsafe-fixes`"
    } else {
        "`--fix`"
    };
    let mut text = format!(
        "{total} finding{} fixable with {flag}:\n",
        if total == 1 { "" } else { "s" }
    );
    for (code, c) in counts.iter().filter(|(_, c)| c.fixable > 0) {
        text.push_str(&format!("    {} × {code} ({})\n", c.fixable, c.name));
    }
    text
}

/// The registry as SARIF describes it.
fn rule_infos() -> Vec<RuleInfo<'static>> {
    // The printed docs and URLs are made once and live as long as the registry.
    static TEXTS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    let texts = TEXTS.get_or_init(|| {
        lint::RuleId::ALL
            .iter()
            .map(|id| (id.printed_doc(), id.help_uri()))
            .collect()
    });
    lint::RuleId::ALL
        .iter()
        .zip(texts)
        .map(|(id, (doc, help_uri))| {
            let m = id.meta();
            RuleInfo {
                code: m.code,
                name: m.name,
                severity: m.severity,
                summary: m.summary,
                doc,
                help_uri,
            }
        })
        .collect()
}

/// What is kept of a checked file until the output is written: its diagnostics, and its
/// text only when a format still needs it (findings outside the human format), so that
/// checking thousands of files does not hold them all.
struct Checked {
    report: FileReport,
    /// With `--diff`: what the fixes would change.
    diff: String,
    /// In the human format: the file's excerpts, rendered while its text is at hand.
    human: String,
    /// With `--fix`: the code of each finding fixed.
    fixed: Vec<&'static str>,
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
    let mut fixed = Vec::new();
    if args.fix || args.diff {
        let original = report.text.clone();
        (report, fixed) = lint::fix::apply_fixes(report, options, args.unsafe_fixes);
        if args.diff {
            if report.text != original {
                diff = similar::TextDiff::from_lines(&original, &report.text)
                    .unified_diff()
                    .context_radius(3)
                    .header(&name, &name)
                    .to_string();
                // Show what the file has now, not what it would have.
                report = lint::check_text(&name, original, options);
            }
            fixed.clear();
        } else if let Input::File(path) = input {
            if report.text != original {
                output::write_atomically(path, report.text.as_bytes())?;
            }
        } else {
            // The profile, fixed or not, is the output of `--fix -` (the report is on stderr).
            // (checked in parallel, so not through the run's `Output`; stdin is one input).
            Output::stdout().print(&report.text)?;
        }
    }
    let human = if format == Format::Human && !args.diff && !args.statistics {
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
        fixed,
    })
}
