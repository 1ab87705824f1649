//! `sblint test [PATHS]`: runs `*.sbtest.toml` policy tests.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use miette::NamedSource;
use serde_json::json;

use super::args::{TestArgs, TestFormat};
use super::error::{AppError, SourceError};
use super::evaluate::load_with;
use super::output::Output;
use super::ExitStatus;
use crate::api::Profile as Loaded;
use crate::model::sources::SourceMap;
use crate::model::{Action, FileId};
use crate::render::{render_note, Mark};
use crate::run::device::{self, Agreement, Check};
use crate::run::probe::Outcome;
use crate::sbtest::{self, Kind, Problem, TestFile};
use crate::syntax::LineIndex;

pub fn run(args: &TestArgs, out: &mut Output) -> Result<ExitStatus, AppError> {
    if args.on_device && !cfg!(target_os = "macos") {
        return Err(AppError::Usage(
            "`sblint test --on-device` needs macOS (sandbox-exec); without it, `sblint test` answers statically".into(),
        ));
    }
    let files = discover(&args.paths)?;
    let mut errors = Vec::new();
    let mut results: Vec<FileResults> = Vec::new();
    for path in files {
        match run_file(&path, args) {
            Ok(r) => results.push(r),
            Err(mut errs) => errors.append(&mut errs),
        }
    }
    let device = if args.on_device {
        on_device(&results, &mut errors)
    } else {
        Vec::new()
    };
    // A JSON result without the files that could not be used would read as a pass.
    if args.format == TestFormat::Json && !errors.is_empty() {
        return Err(AppError::Several(errors));
    }
    let mut text = match args.format {
        TestFormat::Human => human(&results, args.verbose),
        TestFormat::Json => to_json(&results, args.on_device.then_some(&device[..])),
        TestFormat::Junit => junit(&results),
    };
    if args.on_device && args.format == TestFormat::Human {
        text.push_str(&device_human(&results, &device));
    }
    if let Err(err) = out.print(&text) {
        errors.push(err);
    }
    let failed = results.iter().any(|r| r.outcomes.iter().any(|o| !o.passed))
        || device.iter().any(|d| d.agreement == Agreement::Disagrees);
    match AppError::all(errors) {
        Some(error) => Err(error),
        None if failed => Ok(ExitStatus::Findings),
        None => Ok(ExitStatus::Clean),
    }
}

/// One probe run on the device.
struct DeviceResult {
    file: usize,
    check: Check,
    outcome: Outcome,
    agreement: Agreement,
}

/// Runs every probe of every file under `sandbox-exec` with the file's profile compiled
/// (its params baked in), plus two rules that let the probe binary itself start.
fn on_device(results: &[FileResults], errors: &mut Vec<AppError>) -> Vec<DeviceResult> {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe.display().to_string(),
        Err(e) => {
            errors.push(AppError::Usage(format!(
                "cannot find sblint's own binary: {e}"
            )));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (file, r) in results.iter().enumerate() {
        let sources = r.loaded.sources();
        let mut compiled = match crate::compile::compile(r.loaded.model(), &sources) {
            Ok(text) => text,
            Err(e) => {
                errors.push(AppError::Usage(format!(
                    "cannot run `{}` on the device: {e}",
                    r.file.path.display()
                )));
                continue;
            }
        };
        // The probe is sblint itself: it must be able to start under the profile. Literals
        // of its own path, so no probed argument is affected.
        let literal = crate::syntax::string::quote(&exe);
        compiled.push_str(&format!(
            "\n; sblint test --on-device: let the probe start\n(allow process-exec (literal {literal}))\n(allow file-read* (literal {literal}))\n"
        ));
        let temp = tempfile::Builder::new()
            .prefix("sblint-device-")
            .suffix(".sb")
            .tempfile()
            .and_then(|mut t| {
                use std::io::Write;
                t.write_all(compiled.as_bytes()).map(|()| t)
            });
        let temp = match temp {
            Ok(t) => t,
            Err(e) => {
                errors.push(AppError::Usage(format!(
                    "cannot write the compiled profile: {e}"
                )));
                continue;
            }
        };
        let failures: Vec<Option<&sbtest::Failure>> =
            r.outcomes.iter().map(|o| o.failure.as_ref()).collect();
        for check in device::plan(&r.file, r.loaded.model(), &failures) {
            let command = vec![
                exe.clone(),
                "probe".to_string(),
                check.probe.name().to_string(),
                check.argument.clone(),
            ];
            let inv = crate::run::sandbox_exec(
                temp.path(),
                &command,
                crate::run::scrub_env(std::env::vars(), &[]),
            );
            let mut process = std::process::Command::new(&inv.program);
            process.args(&inv.args);
            if let Some(env) = &inv.env {
                process.env_clear().envs(env);
            }
            let outcome = match process.output() {
                Ok(o) if !o.stdout.is_empty() => {
                    device::parse_outcome(&String::from_utf8_lossy(&o.stdout))
                }
                Ok(o) => Outcome::Other(format!(
                    "the probe did not start: {}",
                    String::from_utf8_lossy(&o.stderr).trim()
                )),
                Err(e) => Outcome::Other(format!("cannot run sandbox-exec: {e}")),
            };
            let agreement = device::compare(check.expected, &outcome);
            out.push(DeviceResult {
                file,
                check,
                outcome,
                agreement,
            });
        }
    }
    out
}

fn device_human(results: &[FileResults], device: &[DeviceResult]) -> String {
    let mut out = String::new();
    let count = |a: Agreement| device.iter().filter(|d| d.agreement == a).count();
    for d in device.iter().filter(|d| d.agreement != Agreement::Agrees) {
        let r = &results[d.file];
        let a = &r.file.assertions[d.check.assertion];
        let word = if d.agreement == Agreement::Disagrees {
            "DISAGREES"
        } else {
            "INCONCLUSIVE"
        };
        out.push_str(&format!(
            "DEVICE {word} {}: {} `{}`: sblint says {}, the kernel answered {}\n",
            location(&r.file, a),
            d.check.operation,
            d.check.argument,
            d.check.expected.as_str(),
            d.outcome.text()
        ));
    }
    out.push_str(&format!(
        "on the device: {} agree, {} disagree, {} inconclusive\n",
        count(Agreement::Agrees),
        count(Agreement::Disagrees),
        count(Agreement::Inconclusive)
    ));
    out
}

/// A test file with its loaded profile and what its assertions found. The outcomes
/// borrow the file, so they are kept as owned copies.
struct FileResults {
    file: TestFile,
    loaded: Loaded,
    outcomes: Vec<Owned>,
}

struct Owned {
    assertion: usize,
    passed: bool,
    failure: Option<sbtest::Failure>,
}

fn run_file(path: &Path, args: &TestArgs) -> Result<FileResults, Vec<AppError>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![AppError::Usage(format!(
            "cannot read `{}`: {e}",
            path.display()
        ))]
    })?;
    let name = path.display().to_string();
    let file = sbtest::parse(path, &text).map_err(|problems| {
        problems
            .into_iter()
            .map(|p| source_error(&name, &text, p))
            .collect::<Vec<_>>()
    })?;
    if !file.profile.is_file() {
        return Err(vec![source_error(
            &name,
            &text,
            Problem {
                span: file.profile_span.clone(),
                message: format!("the profile `{}` does not exist", file.profile.display()),
                label: "this profile".into(),
                help: Some("`profile` is relative to the test file's directory".into()),
            },
        )]);
    }
    let mut overrides = args
        .model
        .overrides(&file.preludes, &[], &[])
        .map_err(|e| vec![e])?;
    // The file's own params win over `--param`.
    overrides
        .params
        .retain(|(k, _)| !file.params.iter().any(|(fk, _)| fk == k));
    overrides.params.extend(file.params.iter().cloned());
    if file.macos.is_some() {
        overrides.macos = file.macos;
    }
    let loaded = load_with(&file.profile, overrides).map_err(|e| vec![e])?;
    // One outcome per assertion, in the file's order.
    let outcomes = sbtest::run(&file, loaded.model())
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

fn source_error(name: &str, text: &str, p: Problem) -> AppError {
    let at = LineIndex::new(text).line_col(text, p.span.start as u32);
    SourceError {
        location: format!("`{name}`:{}:{}", at.line, at.col),
        message: p.message,
        text: NamedSource::new(name, text.to_string()),
        span: (p.span.start, p.span.len()).into(),
        label: p.label,
        help: p.help,
    }
    .into()
}

/// The test files: those named, and every `*.sbtest.toml` under the directories given
/// (the current one when none is), hidden and ignored ones skipped, sorted.
fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, AppError> {
    let roots: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let mut found = Vec::new();
    for root in &roots {
        if root.is_file() {
            found.push(root.clone());
            continue;
        }
        if !root.exists() {
            return Err(AppError::Usage(format!(
                "`{}` does not exist",
                root.display()
            )));
        }
        let before = found.len();
        for entry in ignore::WalkBuilder::new(root).build() {
            let entry = entry.map_err(|e| AppError::Usage(e.to_string()))?;
            if entry.file_type().is_some_and(|t| t.is_file()) && sbtest::is_test_file(entry.path())
            {
                found.push(entry.path().to_path_buf());
            }
        }
        found[before..].sort();
        if found.len() == before {
            return Err(AppError::Usage(format!(
                "no test files (*{}) found under `{}`",
                sbtest::SUFFIX,
                root.display()
            )));
        }
    }
    Ok(found)
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

fn location(file: &TestFile, a: &sbtest::Assertion) -> String {
    let at = LineIndex::new(&file.text).line_col(&file.text, a.span.start as u32);
    format!("{}:{}:{}", file.path.display(), at.line, at.col)
}

/// The decision that broke the assertion, in words.
fn failure_line(r: &FileResults, a: &sbtest::Assertion, f: &sbtest::Failure) -> String {
    let sources = r.loaded.sources();
    let what = match &f.witness {
        Some(w) => format!("{} `{w}`", f.witness_operation),
        None => f.witness_operation.clone(),
    };
    let by = match f.rule {
        Some(i) => {
            let origin = r.loaded.model().rules[i].origin;
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

fn human(results: &[FileResults], verbose: bool) -> String {
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
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
                            &r.loaded.sources(),
                            &r.loaded.model().rules,
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
    let mut value = json!({
        "file": r.file.path.display().to_string(),
        "assertion_line": LineIndex::new(&r.file.text).line_col(&r.file.text, a.span.start as u32).line,
        "kind": a.kind.as_str(),
        "operation": a.operation,
        "passed": o.passed,
    });
    let map = value.as_object_mut().expect("an object");
    match a.kind {
        Kind::Allow | Kind::Deny => {
            map.insert("argument".into(), json!(a.argument));
        }
        Kind::Never | Kind::Always => {
            map.insert("within".into(), json!(a.within));
            if a.kind == Kind::Never {
                map.insert("except".into(), json!(a.except));
            }
        }
    }
    if let Some(f) = &o.failure {
        let sources = r.loaded.sources();
        let line = f
            .rule
            .map(|i| sources.line_col(r.loaded.model().rules[i].origin).line);
        map.insert("witness".into(), json!(f.witness));
        map.insert("witness_operation".into(), json!(f.witness_operation));
        map.insert("decision".into(), json!(f.decision.map(Action::as_str)));
        map.insert("line".into(), json!(line));
        map.insert("conditional".into(), json!(f.conditional));
        let conditions: Vec<serde_json::Value> = f
            .conditions
            .iter()
            .map(|c| json!({ "filter": c.filter, "line": sources.line_col(c.origin).line }))
            .collect();
        map.insert("conditions".into(), json!(conditions));
        if let Some(note) = &f.note {
            map.insert("note".into(), json!(note));
        }
    }
    value
}

fn to_json(results: &[FileResults], device: Option<&[DeviceResult]>) -> String {
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
        value["device"] = device
            .iter()
            .map(|d| {
                json!({
                    "file": results[d.file].file.path.display().to_string(),
                    "operation": d.check.operation,
                    "argument": d.check.argument,
                    "expected": d.check.expected.as_str(),
                    "outcome": d.outcome.text(),
                    "agreement": match d.agreement {
                        Agreement::Agrees => "agrees",
                        Agreement::Disagrees => "disagrees",
                        Agreement::Inconclusive => "inconclusive",
                    },
                })
            })
            .collect();
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
fn junit(results: &[FileResults]) -> String {
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
