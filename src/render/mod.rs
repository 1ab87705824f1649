//! Renderers: they know diagnostics and files, never the rules' registry (what SARIF says
//! about each rule is passed in as [`RuleInfo`]s).

mod concise;
mod github;
mod human;
mod json;
mod sarif;

use std::io::{self, Write};

use crate::diagnostic::{FileReport, Severity};

pub use human::{render_human, render_note, Mark};

/// The output formats (the command line maps its `--format` values onto these).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Source excerpts with labels and notes (codespan-reporting).
    Human,
    /// One line per finding: `path:line:col: severity[CODE]: message`.
    Concise,
    /// A JSON array of findings (documented in docs/src/output-formats.md).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions annotations.
    Github,
}

/// A rule as the SARIF document describes it.
#[derive(Clone, Copy, Debug)]
pub struct RuleInfo<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub severity: Severity,
    /// One line.
    pub summary: &'a str,
    /// Markdown.
    pub doc: &'a str,
    /// Where the documentation is published (SARIF's `helpUri`).
    pub help_uri: &'a str,
}

/// Whether to colour output: `forced` when `--color` says always (`Some(true)`) or never
/// (`Some(false)`); otherwise not under `NO_COLOR`, always under `FORCE_COLOR`, else when
/// the output goes to a terminal (`terminal`).
pub fn color_enabled(forced: Option<bool>, terminal: bool) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    match forced {
        Some(color) => color,
        None if set("NO_COLOR") => false,
        None if set("FORCE_COLOR") => true,
        None => terminal,
    }
}

/// Writes every report in `format`. `color` only affects the human format; `rules` only
/// SARIF (its `rules` array, in this order).
pub fn render(
    out: &mut dyn Write,
    reports: &[FileReport],
    format: Format,
    color: bool,
    rules: &[RuleInfo<'_>],
) -> io::Result<()> {
    match format {
        Format::Human => {
            out.write_all(render_human(reports, color).as_bytes())?;
            let summary = summary(reports);
            if !summary.is_empty() {
                writeln!(out, "{summary}")?;
            }
            Ok(())
        }
        Format::Concise => out.write_all(concise::render(reports).as_bytes()),
        Format::Json => out.write_all(json::render(reports).as_bytes()),
        Format::Sarif => out.write_all(sarif::render(reports, rules).as_bytes()),
        Format::Github => out.write_all(github::render(reports).as_bytes()),
    }
}

/// "Found 2 errors and 1 warning in 1 file." or nothing when there is nothing.
pub fn summary(reports: &[FileReport]) -> String {
    let mut totals = Totals::default();
    reports.iter().for_each(|r| totals.add(r));
    totals.summary()
}

/// Counts of findings by severity over the files seen so far.
#[derive(Clone, Copy, Debug, Default)]
pub struct Totals {
    errors: usize,
    warnings: usize,
    infos: usize,
    /// Files with at least one finding.
    files: usize,
    /// Files checked.
    checked: usize,
}

impl Totals {
    pub fn add(&mut self, report: &FileReport) {
        self.checked += 1;
        self.errors += report.count(Severity::Error);
        self.warnings += report.count(Severity::Warning);
        self.infos += report.count(Severity::Info);
        self.files += usize::from(!report.diagnostics.is_empty());
    }

    /// True when some finding is an error or a warning (infos never fail a run).
    pub fn findings(&self) -> bool {
        self.errors + self.warnings > 0
    }

    /// "Found 2 errors and 1 warning in 1 file (3 profiles checked)." or, when nothing
    /// was found, "Checked 3 profiles: no problems."; nothing when no file was checked.
    pub fn summary(&self) -> String {
        let profiles = |n: usize| format!("{n} profile{}", if n == 1 { "" } else { "s" });
        let mut parts = Vec::new();
        for (n, word) in [
            (self.errors, "error"),
            (self.warnings, "warning"),
            (self.infos, "info"),
        ] {
            if n > 0 {
                parts.push(format!(
                    "{n} {word}{}",
                    if n == 1 || word == "info" { "" } else { "s" }
                ));
            }
        }
        if parts.is_empty() {
            if self.checked == 0 {
                return String::new();
            }
            return format!("Checked {}: no problems.", profiles(self.checked));
        }
        let files = self.files;
        let found = match parts.split_last() {
            Some((last, init)) if !init.is_empty() => format!("{} and {last}", init.join(", ")),
            _ => parts.join(""),
        };
        format!(
            "Found {found} in {files} file{} ({} checked).",
            if files == 1 { "" } else { "s" },
            profiles(self.checked)
        )
    }
}
