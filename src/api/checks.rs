//! `sblint check`'s run over many files: each file's options, the file checked (and fixed)
//! on all cores, what is kept of it until the output is written, the counts over the run,
//! and the texts made of them (statistics, fixes, the registry for SARIF). The command
//! line parses the flags, writes the files and prints.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::diagnostic::{Applicability, FileReport};
use crate::lint::{self, CheckOptions};
use crate::render::{self, Format, RuleInfo};
use crate::workspace::{inputs, Input, Settings, WorkspaceError};

/// What a run of `sblint check` does to each file, from its flags.
pub(crate) struct CheckRun<'a> {
    /// The output format.
    pub(crate) format: Format,
    /// `--fix`: apply the fixes.
    pub(crate) fix: bool,
    /// `--diff`: show what the fixes would change, change nothing.
    pub(crate) diff: bool,
    /// `--unsafe-fixes`.
    pub(crate) unsafe_fixes: bool,
    /// `--statistics`: counts only.
    pub(crate) statistics: bool,
    /// Colour in the human excerpts.
    pub(crate) color: bool,
    /// The name stdin is reported under.
    pub(crate) stdin_filename: Option<&'a str>,
}

/// What is kept of a checked file until the output is written: its diagnostics, and its
/// text only when a format still needs it (findings outside the human format), so that
/// checking thousands of files does not hold them all.
pub(crate) struct Checked {
    pub(crate) report: FileReport,
    /// With `--diff`: what the fixes would change.
    pub(crate) diff: String,
    /// In the human format: the file's excerpts, rendered while its text is at hand.
    pub(crate) human: String,
    /// With `--fix`: the code of each finding fixed.
    pub(crate) fixed: Vec<&'static str>,
    /// With `--fix`: what the door writes, the fixed file (only when it changed) or, for
    /// stdin, the profile (fixed or not).
    pub(crate) rewrite: Option<Rewrite>,
}

/// A file's new text, or stdin's profile, to be written by the door.
pub(crate) enum Rewrite {
    File(PathBuf, String),
    Stdout(String),
}

/// Checks `chunk` (a slice of the run's sorted inputs) on all cores: first the errors of
/// the files whose options could not be made, then each file's result in order.
pub(crate) fn check_chunk(
    settings: &mut Settings,
    chunk: &[Input],
    run: &CheckRun<'_>,
) -> Vec<Result<Checked, WorkspaceError>> {
    // Options first: they share caches of configs and preludes.
    let mut out = Vec::new();
    let mut jobs = Vec::with_capacity(chunk.len());
    for input in chunk {
        match settings.options_for(input) {
            Ok(options) => jobs.push((input, options)),
            Err(err) => out.push(Err(err)),
        }
    }
    out.par_extend(
        jobs.par_iter()
            .map(|(input, options)| check_one(run, input, options)),
    );
    out
}

fn check_one(
    run: &CheckRun<'_>,
    input: &Input,
    options: &CheckOptions,
) -> Result<Checked, WorkspaceError> {
    let name = inputs::display_name(input, run.stdin_filename);
    let bytes = inputs::read(input)?;
    let mut report = lint::check_bytes(&name, bytes, options);
    let mut diff = String::new();
    let mut fixed = Vec::new();
    let mut rewrite = None;
    if run.fix || run.diff {
        let original = report.text.clone();
        (report, fixed) = lint::fix::apply_fixes(report, options, run.unsafe_fixes);
        if run.diff {
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
                rewrite = Some(Rewrite::File(path.clone(), report.text.clone()));
            }
        } else {
            // The profile, fixed or not, is the output of `--fix -` (the report is on stderr).
            rewrite = Some(Rewrite::Stdout(report.text.clone()));
        }
    }
    let human = if run.format == Format::Human && !run.diff && !run.statistics {
        render::render_human(std::slice::from_ref(&report), run.color)
    } else {
        String::new()
    };
    // The other formats read positions off the text: it stays where there are findings.
    if run.format == Format::Human || report.diagnostics.is_empty() {
        report.text = String::new();
    }
    Ok(Checked {
        report,
        diff,
        human,
        fixed,
        rewrite,
    })
}

/// What `--statistics` counts for one rule.
pub(crate) struct Count {
    name: &'static str,
    findings: usize,
    fixable: usize,
}

/// The counts over a run: findings by severity and by rule, the fixes made, whether
/// `--diff` found anything, whether a suppression names no rule.
#[derive(Default)]
pub(crate) struct Tally {
    pub(crate) totals: render::Totals,
    counts: BTreeMap<&'static str, Count>,
    fixed: Vec<(String, Vec<&'static str>)>,
    pub(crate) any_diff: bool,
    pub(crate) unknown_suppression: bool,
}

impl Tally {
    /// Counts a checked file; its fixes are kept (by file) for the report.
    pub(crate) fn add(&mut self, checked: &mut Checked, unsafe_fixes: bool) {
        self.totals.add(&checked.report);
        for d in &checked.report.diagnostics {
            self.unknown_suppression |= lint::suppress::names_unknown_rule(d);
            let count = self.counts.entry(d.code).or_insert(Count {
                name: d.name,
                findings: 0,
                fixable: 0,
            });
            count.findings += 1;
            count.fixable += usize::from(
                d.fix
                    .as_ref()
                    .is_some_and(|f| unsafe_fixes || f.applicability == Applicability::Safe),
            );
        }
        self.any_diff |= !checked.diff.is_empty();
        if !checked.fixed.is_empty() {
            self.fixed.push((
                checked.report.path.clone(),
                std::mem::take(&mut checked.fixed),
            ));
        }
    }

    /// `--statistics`: one line per rule, most findings first (a JSON array with
    /// `--format json`).
    pub(crate) fn statistics_text(&self, format: Format) -> String {
        let mut rows: Vec<(&&str, &Count)> = self.counts.iter().collect();
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
    pub(crate) fn fixed_text(&self, by_file: bool) -> String {
        let fixed = &self.fixed;
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
    pub(crate) fn fixable_text(&self, unsafe_fixes: bool) -> String {
        let total: usize = self.counts.values().map(|c| c.fixable).sum();
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
        for (code, c) in self.counts.iter().filter(|(_, c)| c.fixable > 0) {
            text.push_str(&format!("    {} × {code} ({})\n", c.fixable, c.name));
        }
        text
    }
}

/// The registry as SARIF describes it.
pub(crate) fn rule_infos() -> Vec<RuleInfo<'static>> {
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
