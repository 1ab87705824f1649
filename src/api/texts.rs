//! The calls on texts alone, where a profile need not load to be answered: [`check_text`]
//! (the findings of any text, a syntax error among them) and [`test_text`] (a test file's
//! assertions on a profile given as text). The WebAssembly build is a JSON adapter over
//! these and [`Profile`]; `sblint test --format json` prints the same [`TestResult`]s.

use serde::Serialize;

use super::answers::{conditions_of, Condition, LoadError, Verdict};
use super::{Error, Options, Profile, SourceError};
use crate::lint;
use crate::sbtest::{self, Kind};
use crate::syntax::LineIndex;

/// The findings of `text` (named `name`) exactly as `sblint check --format json` prints
/// them: an array of `{path, code, name, severity, message, line, column, end_line,
/// end_column, fix}`. Any text is checked: one that does not parse, or whose `import`
/// fails, gets those findings (SB001 …), not an error. `Err` only for bad options (an
/// unknown macOS or rule selector, a prelude file that cannot be read).
///
/// ```
/// let findings = sblint::check_text("p.sb", "(version 1)\n(allow file-read* (subpath \"/tmp\"))\n", &sblint::Options::new())?;
/// assert_eq!(findings[0]["code"], "SB201");
/// assert_eq!(findings[0]["path"], "p.sb");
/// let broken = sblint::check_text("p.sb", "(allow", &sblint::Options::new())?;
/// assert_eq!(broken[0]["code"], "SB001");
/// # Ok::<(), sblint::Error>(())
/// ```
pub fn check_text(name: &str, text: &str, options: &Options) -> Result<serde_json::Value, Error> {
    let report = lint::check_text(name, text.to_string(), &options.resolve(None)?);
    let mut out = Vec::new();
    crate::render::render(
        &mut out,
        std::slice::from_ref(&report),
        crate::render::Format::Json,
        false,
        &[],
    )
    .map_err(|source| Error::Read {
        path: name.into(),
        source,
    })?;
    Ok(serde_json::from_slice(&out).unwrap_or_default())
}

/// One assertion's result, as `sblint test --format json` prints it (which adds the test
/// file's path).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TestResult {
    /// The line of the assertion's table in the test file.
    pub assertion_line: u32,
    /// `allow`, `deny`, `never` or `always`.
    pub kind: &'static str,
    /// The operation asserted on.
    pub operation: String,
    /// True when the assertion holds.
    pub passed: bool,
    /// What it claims about: an argument, or the entries within and except.
    #[serde(flatten)]
    pub claim: Claim,
    /// When it failed: the argument that breaks it, and how the profile decides that.
    #[serde(flatten)]
    pub failure: Option<TestFailure>,
}

/// What an assertion claims about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Claim {
    /// `allow` and `deny`: one argument (`None` for operations without one).
    Point {
        /// The argument.
        argument: Option<String>,
    },
    /// `never`: no argument within (everything when `None`) and outside `except`.
    Never {
        /// The entries within.
        within: Option<Vec<String>>,
        /// The entries left out.
        except: Vec<String>,
    },
    /// `always`: every argument within.
    Always {
        /// The entries within.
        within: Option<Vec<String>>,
    },
}

/// Why an assertion failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TestFailure {
    /// The argument that breaks it (`None` for operations without one).
    pub witness: Option<String>,
    /// The leaf operation decided there.
    pub witness_operation: String,
    /// The decision there (`None`: the analysis stopped before deciding).
    pub decision: Option<Verdict>,
    /// The deciding rule's line.
    pub line: Option<u32>,
    /// True when a value only known at run time decides.
    pub conditional: bool,
    /// What it depends on.
    pub conditions: Vec<Condition>,
    /// The analysis stopped at its budget: neither proved nor refuted.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub too_complex: bool,
    /// What the failure depends on, or why it is not decided, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The assertions of one test file answered on one profile ([`test_text`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TestReport {
    /// How many hold.
    pub passed: usize,
    /// How many fail.
    pub failed: usize,
    /// False when `sandbox-exec` would refuse the profile.
    pub loads: bool,
    /// Why it would be refused.
    pub errors: Vec<LoadError>,
    /// One per assertion, in the file's order.
    pub results: Vec<TestResult>,
}

impl TestResult {
    /// The result of `a` on `profile`; its line is read in `text` at the assertion's
    /// offset less `shift` (the length of a line put in front of the text given).
    pub(crate) fn new(
        profile: &Profile,
        text: &str,
        shift: usize,
        a: &sbtest::Assertion,
        passed: bool,
        failure: Option<&sbtest::Failure>,
    ) -> TestResult {
        let offset = a.span.start.saturating_sub(shift) as u32;
        let claim = match a.kind {
            Kind::Allow | Kind::Deny => Claim::Point {
                argument: a.argument.clone(),
            },
            Kind::Never => Claim::Never {
                within: a.within.clone(),
                except: a.except.clone(),
            },
            Kind::Always => Claim::Always {
                within: a.within.clone(),
            },
        };
        let sources = profile.sources();
        TestResult {
            assertion_line: LineIndex::new(text).line_col(text, offset).line,
            kind: a.kind.as_str(),
            operation: a.operation.clone(),
            passed,
            claim,
            failure: failure.map(|f| TestFailure {
                witness: f.witness.clone(),
                witness_operation: f.witness_operation.clone(),
                decision: f.decision.map(Verdict::from),
                line: f
                    .rule
                    .map(|i| sources.line_col(profile.model().rules[i].origin).line),
                conditional: f.conditional,
                conditions: conditions_of(&sources, &f.conditions),
                too_complex: f.too_complex,
                note: f.note.clone(),
            }),
        }
    }
}

/// The assertions `toml` (a `*.sbtest.toml`'s text; its `profile` key, if any, is
/// ignored) answered on the profile `text` named `name`, loaded with `options` under the
/// file's own `params` (which win) and `macos`, as `sblint test` answers a test file.
/// `preludes` in the assertions name files, which a text has none of: give them in the
/// options.
///
/// ```
/// let profile = "(version 1)\n(deny default)\n(allow file-read* (subpath \"/usr\"))\n";
/// let toml = "[[allow]]\noperation = \"file-read-data\"\nargument = \"/usr/lib/x\"\n\n[[never]]\noperation = \"file-write*\"\n";
/// let report = sblint::test_text("p.sb", profile, toml, &sblint::Options::new())?;
/// assert_eq!((report.passed, report.failed), (2, 0));
/// assert_eq!(report.results[1].assertion_line, 5);
/// let bad = sblint::test_text("p.sb", profile, "[[allow]]\noperation = 3\n", &sblint::Options::new());
/// assert_eq!(bad.unwrap_err().kind(), "sblint::assertions");
/// # Ok::<(), sblint::Error>(())
/// ```
pub fn test_text(
    name: &str,
    text: &str,
    toml: &str,
    options: &Options,
) -> Result<TestReport, Error> {
    // The test file names its profile; here the profile is the text given. A `profile`
    // line is put in front when there is none (spans are moved back past it).
    let has_profile = toml::from_str::<toml::Table>(toml)
        .map(|t| t.contains_key("profile"))
        .unwrap_or(true);
    let prefix = if has_profile {
        String::new()
    } else {
        format!(
            "profile = {}\n",
            serde_json::Value::String(name.to_string())
        )
    };
    let invalid = |offset: usize, message: String| {
        let offset = offset.saturating_sub(prefix.len());
        Error::Assertions(Box::new(SourceError::at(
            "assertions",
            toml,
            offset..offset,
            message,
            "here",
        )))
    };
    let full = format!("{prefix}{toml}");
    let file =
        sbtest::parse(std::path::Path::new("/profile.sbtest.toml"), &full).map_err(|problems| {
            let message = problems
                .iter()
                .map(|p| p.message.clone())
                .collect::<Vec<_>>()
                .join("; ");
            invalid(problems[0].span.start, message)
        })?;
    if !file.preludes.is_empty() {
        return Err(invalid(
            prefix.len(),
            "`preludes` in the assertions name files, which a profile given as text cannot read: give them as texts in the options' `preludes`".into(),
        ));
    }
    let mut check_options = options.resolve(None)?;
    check_options
        .model
        .params
        .extend(file.params.iter().cloned());
    if file.macos.is_some() {
        check_options.model.macos = file.macos;
    }
    let profile = Profile::build(name.to_string(), text.to_string(), check_options);
    profile.evaluable(false)?;
    // Decided with libsandbox's own rules, as `sblint test` decides.
    let answering = profile.answering();
    let results: Vec<TestResult> = sbtest::run(&file, answering.model())
        .iter()
        .map(|o| {
            TestResult::new(
                answering,
                toml,
                prefix.len(),
                o.assertion,
                o.passed,
                o.failure.as_ref(),
            )
        })
        .collect();
    let passed = results.iter().filter(|r| r.passed).count();
    Ok(TestReport {
        passed,
        failed: results.len() - passed,
        loads: profile.loads(),
        errors: profile.load_errors(),
        results,
    })
}
