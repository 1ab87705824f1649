//! `sblint test`'s results: a test file's profile loaded with the file's settings over the
//! command line's, its assertions answered, and the reports (human, JSON, JUnit).

use std::path::{Path, PathBuf};

use serde_json::json;

use super::{Error, Profile, SourceError, TestResult};
use crate::model::sources::SourceMap;
use crate::model::{Action, FileId};
use crate::render::{render_note, Mark};
use crate::sbtest::{self, Kind, Problem, TestFile};
use crate::syntax::LineIndex;
use crate::workspace::Overrides;

/// A test file with its loaded profile and what its assertions found. The outcomes
/// borrow the file, so they are kept as owned copies.
pub(crate) struct FileResults {
    pub(crate) file: TestFile,
    pub(crate) loaded: Profile,
    pub(crate) outcomes: Vec<Owned>,
}

pub(crate) struct Owned {
    pub(crate) assertion: usize,
    pub(crate) passed: bool,
    pub(crate) failure: Option<sbtest::Failure>,
}

/// The settings a test file's profile is evaluated with: `overrides` (the command
/// line's, with the file's preludes), with the file's own params (which win) and macOS.
pub(crate) fn file_overrides(file: &TestFile, mut overrides: Overrides) -> Overrides {
    overrides
        .params
        .retain(|(k, _)| !file.params.iter().any(|(fk, _)| fk == k));
    overrides.params.extend(file.params.iter().cloned());
    if file.macos.is_some() {
        overrides.macos = file.macos;
    }
    overrides
}

/// Why a test file cannot be run.
pub(crate) enum FileError {
    /// It cannot be read, or names no profile.
    Usage(String),
    /// Problems at places in it, each reported.
    Source(Vec<SourceError>),
}

/// Reads and parses the test file at `path`, and the profile it runs on: `flag`
/// (`--profile`) over the file's own `profile`, which must exist.
pub(crate) fn read_file(
    path: &Path,
    flag: Option<&Path>,
) -> Result<(TestFile, PathBuf), FileError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| FileError::Usage(format!("cannot read `{}`: {e}", path.display())))?;
    let name = path.display().to_string();
    let at = |p: Problem| {
        let mut error = SourceError::at(&name, &text, p.span, p.message, &p.label);
        error.help = p.help;
        error
    };
    let file = sbtest::parse(path, &text)
        .map_err(|problems| FileError::Source(problems.into_iter().map(at).collect()))?;
    let profile = match (flag, &file.profile) {
        (Some(flag), _) => flag.to_path_buf(),
        (None, Some(own)) if own.is_file() => own.clone(),
        (None, Some(own)) => {
            return Err(FileError::Source(vec![at(Problem {
                span: file.profile_span.clone(),
                message: format!("the profile `{}` does not exist", own.display()),
                label: "this profile".into(),
                help: Some("`profile` is relative to the test file's directory".into()),
            })]));
        }
        (None, None) => {
            return Err(FileError::Usage(format!(
                "`{name}` names no `profile`: add `profile = \"….sb\"` or pass `--profile PATH` (`-` for stdin)"
            )));
        }
    };
    Ok((file, profile))
}

/// Loads `profile` for the test `file` with `overrides` ([`file_overrides`]) and answers
/// its assertions.
pub(crate) fn run(
    file: TestFile,
    profile: &Path,
    overrides: Overrides,
) -> Result<FileResults, Error> {
    let loaded = Profile::load_path(profile, overrides, false)?;
    // One outcome per assertion, in the file's order.
    let outcomes = sbtest::run(&file, loaded.answering().model())
        .into_iter()
        .enumerate()
        .map(|(assertion, o)| Owned {
            assertion,
            passed: o.passed,
            failure: o.failure,
        })
        .collect();
    Ok(FileResults {
        file,
        loaded,
        outcomes,
    })
}

/// What the assertion says, on one line: `never file-write* except /a/**, /b`.
fn describe(a: &sbtest::Assertion) -> String {
    let mut out = format!("{} {}", a.kind.as_str(), a.operation);
    if let Some(arg) = &a.argument {
        out.push(' ');
        out.push_str(arg);
    }
    if let Some(within) = &a.within {
        out.push_str(" within ");
        out.push_str(&within.join(", "));
    }
    if !a.except.is_empty() {
        out.push_str(" except ");
        out.push_str(&a.except.join(", "));
    }
    out
}

pub(crate) fn location(file: &TestFile, a: &sbtest::Assertion) -> String {
    let at = LineIndex::new(&file.text).line_col(&file.text, a.span.start as u32);
    format!("{}:{}:{}", file.path.display(), at.line, at.col)
}

/// The decision that broke the assertion, in words.
fn failure_line(r: &FileResults, a: &sbtest::Assertion, f: &sbtest::Failure) -> String {
    let answering = r.loaded.answering();
    let sources = answering.sources();
    let what = match &f.witness {
        Some(w) => format!("{} `{w}`", f.witness_operation),
        None => f.witness_operation.clone(),
    };
    let by = match f.rule {
        Some(i) => {
            let origin = answering.model().rules[i].origin;
            let at = sources.line_col(origin);
            format!(" by {}:{}:{}", sources.name(origin.file), at.line, at.col)
        }
        None if f.decision.is_some() => {
            " by libsandbox's own default (no rule matches and there is no `default` rule)".into()
        }
        None => String::new(),
    };
    let expected = match a.kind {
        Kind::Allow | Kind::Always => Action::Allow,
        Kind::Deny | Kind::Never => Action::Deny,
    };
    let (decided, expected) = match f.decision {
        Some(d) if f.conditional => (
            format!(
                "{what} is {}{by}, but a rule that depends on a value known only at run time can make it {}",
                past(d),
                past(if d == Action::Allow { Action::Deny } else { Action::Allow })
            ),
            format!("expected {} whatever happens at run time", past(expected)),
        ),
        Some(d) => (format!("{what} is {}{by}", past(d)), format!("expected {}", past(expected))),
        None => (what, format!("expected {}", past(expected))),
    };
    let mut line = format!("{decided} ({expected})");
    if let Some(note) = &f.note {
        line.push_str(&format!("\n  note: {note}"));
    }
    if !f.conditions.is_empty() {
        let on: Vec<String> = f
            .conditions
            .iter()
            .map(|c| {
                let at = sources.line_col(c.origin);
                format!(
                    "`{}` at {}:{}:{}",
                    c.filter,
                    sources.name(c.origin.file),
                    at.line,
                    at.col
                )
            })
            .collect();
        line.push_str(&format!("\n  conditional on: {}", on.join(", ")));
    }
    line
}

fn past(action: Action) -> &'static str {
    match action {
        Action::Allow => "allowed",
        Action::Deny => "denied",
    }
}

/// The human report: each failure with its deciding rule (and each pass when `verbose`).
pub(crate) fn human(results: &[FileResults], verbose: bool, color: bool) -> String {
    let mut out = String::new();
    let (mut passed, mut failed) = (0, 0);
    for r in results {
        for o in &r.outcomes {
            let a = &r.file.assertions[o.assertion];
            match &o.failure {
                None => {
                    passed += 1;
                    if verbose {
                        out.push_str(&format!("PASS {}: {}\n", location(&r.file, a), describe(a)));
                    }
                }
                Some(f) => {
                    failed += 1;
                    out.push_str(&format!("FAIL {}: {}\n", location(&r.file, a), describe(a)));
                    out.push_str(&format!("  {}\n", failure_line(r, a, f)));
                    if let Some(i) = f.rule {
                        out.push_str(&excerpt(
                            &r.loaded.answering().sources(),
                            &r.loaded.answering().model().rules,
                            i,
                            color,
                        ));
                    } else {
                        out.push('\n');
                    }
                }
            }
        }
    }
    let files = results.len();
    if files == 0 {
        return out;
    }
    out.push_str(&format!(
        "{passed} passed, {failed} failed ({files} test file{})\n",
        if files == 1 { "" } else { "s" }
    ));
    out
}

fn excerpt(sources: &SourceMap<'_>, rules: &[crate::model::Rule], i: usize, color: bool) -> String {
    let origin = rules[i].origin;
    let files: Vec<FileId> = vec![origin.file];
    let texts: Vec<(&str, &str)> = files
        .iter()
        .map(|&f| {
            (
                sources.name(f),
                sources.get(f).map_or("", |s| s.tree().text()),
            )
        })
        .collect();
    let marks = [Mark {
        file: 0,
        range: origin.span.range(),
        message: format!("{}: this rule decides", rules[i].action.as_str()),
        primary: true,
    }];
    render_note("deciding rule", &texts, &marks, color)
}

fn result_json(r: &FileResults, o: &Owned) -> serde_json::Value {
    let a = &r.file.assertions[o.assertion];
    // Decided on the profile with libsandbox's own rules: lines are that profile's.
    let answering = r.loaded.answering();
    let result = TestResult::new(answering, &r.file.text, 0, a, o.passed, o.failure.as_ref());
    let mut value = serde_json::to_value(result).unwrap_or_default();
    value["file"] = json!(r.file.path.display().to_string());
    value
}

/// The JSON of `sblint test --format json`; `device`, the on-device results when run.
pub(crate) fn to_json(results: &[FileResults], device: Option<Vec<serde_json::Value>>) -> String {
    let all: Vec<serde_json::Value> = results
        .iter()
        .flat_map(|r| r.outcomes.iter().map(move |o| result_json(r, o)))
        .collect();
    let passed = all.iter().filter(|v| v["passed"] == json!(true)).count();
    let mut value = json!({
        "passed": passed,
        "failed": all.len() - passed,
        "results": all,
    });
    if let Some(device) = device {
        value["device"] = device.into();
    }
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML, one `<testsuite>` per test file, one `<testcase>` per assertion.
pub(crate) fn junit(results: &[FileResults]) -> String {
    let total: usize = results.iter().map(|r| r.outcomes.len()).sum();
    let failures: usize = results
        .iter()
        .map(|r| r.outcomes.iter().filter(|o| !o.passed).count())
        .sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"sblint test\" tests=\"{total}\" failures=\"{failures}\">\n"
    ));
    for r in results {
        let name = xml(&r.file.path.display().to_string());
        let failed = r.outcomes.iter().filter(|o| !o.passed).count();
        out.push_str(&format!(
            "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{failed}\">\n",
            r.outcomes.len()
        ));
        for o in &r.outcomes {
            let a = &r.file.assertions[o.assertion];
            let case = xml(&format!("{}: {}", location(&r.file, a), describe(a)));
            match &o.failure {
                None => out.push_str(&format!(
                    "    <testcase classname=\"{name}\" name=\"{case}\"/>\n"
                )),
                Some(f) => {
                    let line = failure_line(r, a, f);
                    let first = line.lines().next().unwrap_or_default();
                    out.push_str(&format!(
                        "    <testcase classname=\"{name}\" name=\"{case}\">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                        xml(first),
                        xml(&line)
                    ));
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
