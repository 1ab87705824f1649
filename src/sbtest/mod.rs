//! Policy tests as files (`opa test` for SBPL): `*.sbtest.toml` files that assert what a
//! profile allows, point by point (`[[allow]]`, `[[deny]]`) and over whole sets of
//! arguments (`[[never]]`, `[[always]]`), answered by the same model as `sblint explain`.
//!
//! ```toml
//! profile = "python.sb"                      # relative to this file; or `--profile`
//! params = { PROJECT = "/Users/me/proj" }    # also preludes = [...], macos = "14"
//! [[allow]]
//! operation = "file-read-data"
//! argument = "/usr/lib/libz.dylib"
//! [[never]]                                  # no argument outside `except` is allowed
//! operation = "file-write*"                  # a wildcard: every leaf it covers
//! except = ["/Users/me/proj/**", "/private/tmp/**", "/dev/null"]
//! ```
//!
//! [`parse`] reads and validates a file (every error with its span); [`run`] answers its
//! assertions against an evaluated profile.

mod run;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::model::vocab::{vocabulary, OpId};

pub use run::{broken_by, run, Failure, Outcome};

/// The suffix that makes a file a test file.
pub const SUFFIX: &str = ".sbtest.toml";

/// True when `path` names a test file (`*.sbtest.toml`, any case).
pub fn is_test_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.to_ascii_lowercase().ends_with(SUFFIX) && n.len() > SUFFIX.len())
}

/// A problem in a test file, at a byte range of its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub span: Range<usize>,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
}

/// What an assertion claims.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The operation on the argument is allowed (for a wildcard: every leaf it covers).
    Allow,
    /// The operation on the argument is denied (for a wildcard: every leaf).
    Deny,
    /// No argument inside `within` (everything when absent) and outside `except` is allowed.
    Never,
    /// Every argument inside `within` is allowed.
    Always,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Allow => "allow",
            Kind::Deny => "deny",
            Kind::Never => "never",
            Kind::Always => "always",
        }
    }
}

/// One assertion, validated.
#[derive(Clone, Debug)]
pub struct Assertion {
    pub kind: Kind,
    /// As written in the file.
    pub operation: String,
    pub op: OpId,
    /// Point assertions: the argument, as `sblint explain` takes it.
    pub argument: Option<String>,
    /// Set assertions: the entries as written.
    pub within: Option<Vec<String>>,
    pub except: Vec<String>,
    /// The `[[kind]]` table in the file: where a result points.
    pub span: Range<usize>,
}

/// A test file, read and validated.
#[derive(Clone, Debug)]
pub struct TestFile {
    pub path: PathBuf,
    pub text: String,
    /// The profile, resolved against the test file's directory; `None` when the file names
    /// none (the profile then comes from `sblint test --profile`).
    pub profile: Option<PathBuf>,
    /// The span of the `profile` value (an unreadable profile is reported there).
    pub profile_span: Range<usize>,
    pub params: Vec<(String, String)>,
    pub preludes: Vec<PathBuf>,
    pub macos: Option<crate::model::MacOs>,
    pub assertions: Vec<Assertion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    #[serde(default)]
    profile: Option<Spanned<String>>,
    #[serde(default)]
    params: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    preludes: Vec<Spanned<String>>,
    #[serde(default)]
    macos: Option<Spanned<String>>,
    #[serde(default)]
    allow: Vec<Spanned<Point>>,
    #[serde(default)]
    deny: Vec<Spanned<Point>>,
    #[serde(default)]
    never: Vec<Spanned<Never>>,
    #[serde(default)]
    always: Vec<Spanned<Always>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Point {
    operation: Spanned<String>,
    #[serde(default)]
    argument: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Never {
    operation: Spanned<String>,
    #[serde(default)]
    within: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    except: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Always {
    operation: Spanned<String>,
    within: Vec<Spanned<String>>,
}

/// Reads the test file's text (already read by the caller) into its assertions. Every
/// problem is returned, each at its span; a file with problems runs nothing.
pub fn parse(path: &Path, text: &str) -> Result<TestFile, Vec<Problem>> {
    let spec: Spec = toml::from_str(text).map_err(|e| vec![toml_problem(&e)])?;
    let mut problems = Vec::new();
    let base = path.parent().unwrap_or(Path::new("."));
    let macos = spec.macos.as_ref().and_then(|m| macos_of(m, &mut problems));
    let mut assertions = Vec::new();
    for (kind, points) in [(Kind::Allow, &spec.allow), (Kind::Deny, &spec.deny)] {
        for p in points {
            assertions.extend(point(kind, p, base, &mut problems));
        }
    }
    for n in &spec.never {
        let span = n.span();
        let n = n.get_ref();
        let Some(op) = operation(&n.operation, &mut problems) else {
            continue;
        };
        let within = n.within.as_ref().map(|w| entries(op, w, &mut problems));
        let except = entries(op, &n.except, &mut problems);
        assertions.push(Assertion {
            kind: Kind::Never,
            operation: n.operation.get_ref().clone(),
            op,
            argument: None,
            within,
            except,
            span,
        });
    }
    for a in &spec.always {
        let span = a.span();
        let a = a.get_ref();
        let Some(op) = operation(&a.operation, &mut problems) else {
            continue;
        };
        let within = entries(op, &a.within, &mut problems);
        assertions.push(Assertion {
            kind: Kind::Always,
            operation: a.operation.get_ref().clone(),
            op,
            argument: None,
            within: Some(within),
            except: Vec::new(),
            span,
        });
    }
    // Assertions run in the order they are written, whatever their kind.
    assertions.sort_by_key(|a| a.span.start);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(TestFile {
        path: path.to_path_buf(),
        text: text.to_string(),
        profile: spec
            .profile
            .as_ref()
            .map(|p| lexical(&base.join(p.get_ref()))),
        profile_span: spec.profile.as_ref().map_or(0..0, |p| p.span()),
        params: spec
            .params
            .into_iter()
            .map(|(k, v)| (k, v.into_inner()))
            .collect(),
        preludes: spec
            .preludes
            .iter()
            .map(|p| lexical(&base.join(p.get_ref())))
            .collect(),
        macos,
        assertions,
    })
}

/// A file that is not TOML, or not of a test file's shape.
fn toml_problem(e: &toml::de::Error) -> Problem {
    let span = e.span().unwrap_or(0..0);
    let message = e.message().trim().to_string();
    // A misnamed key gets the shape of the file; a TOML syntax error speaks for itself.
    let help =
        (message.starts_with("unknown field") || message.starts_with("missing field")).then(|| {
            "a test file has `profile`, optional `params`, `preludes`, `macos`, and \
             [[allow]], [[deny]], [[never]], [[always]] tables (see `sblint test --help`)"
                .to_string()
        });
    Problem {
        span,
        message,
        label: "here".into(),
        help,
    }
}

/// The file's `macos`, or a problem.
fn macos_of(m: &Spanned<String>, problems: &mut Vec<Problem>) -> Option<crate::model::MacOs> {
    let parsed = crate::model::MacOs::parse(m.get_ref());
    if parsed.is_none() {
        problems.push(Problem {
            span: m.span(),
            message: format!("`{}` is not a macOS version sblint knows", m.get_ref()),
            label: "this version".into(),
            help: Some(
                "give 10.12-10.15, 11-15 or 26, a minor version (14.2) or a name (sonoma)".into(),
            ),
        });
    }
    parsed
}

/// An `[[allow]]` or `[[deny]]` table: its operation and argument, as `sblint explain`
/// takes them.
fn point(
    kind: Kind,
    p: &Spanned<Point>,
    base: &Path,
    problems: &mut Vec<Problem>,
) -> Option<Assertion> {
    let span = p.span();
    let p = p.get_ref();
    let op = operation(&p.operation, problems)?;
    if let Some(arg) = &p.argument {
        let name = &vocabulary().operation(op).name;
        if let Err(e) = crate::explain::parse_argument(name, Some(arg.get_ref()), base) {
            problems.push(Problem {
                span: arg.span(),
                message: e.to_string(),
                label: "this argument".into(),
                help: None,
            });
        }
    }
    Some(Assertion {
        kind,
        operation: p.operation.get_ref().clone(),
        op,
        argument: p.argument.as_ref().map(|a| a.get_ref().clone()),
        within: None,
        except: Vec::new(),
        span,
    })
}

/// The entries of a `within` or `except` list, each checked as the decision sets read it.
fn entries(op: OpId, list: &[Spanned<String>], problems: &mut Vec<Problem>) -> Vec<String> {
    for e in list {
        if let Err(error) = crate::model::sets::parse_entry(op, e.get_ref()) {
            problems.push(Problem {
                span: e.span(),
                message: error.to_string(),
                label: "this entry".into(),
                help: None,
            });
        }
    }
    list.iter().map(|e| e.get_ref().clone()).collect()
}

/// The operation an assertion names, as a rule would mean it (`sysctl-write` is `sysctl*`).
fn operation(name: &Spanned<String>, problems: &mut Vec<Problem>) -> Option<OpId> {
    let vocab = vocabulary();
    let text = name.get_ref();
    let found = vocab.op_id(text).or_else(|| vocab.resolve_operation(text));
    if found.is_none() {
        problems.push(Problem {
            span: name.span(),
            message: format!("unknown operation `{text}`"),
            label: "this operation".into(),
            help: vocab
                .suggest_operation(text)
                .map(|s| format!("did you mean `{s}`?")),
        });
    }
    found
}

/// `tests/a/../p.sb` → `tests/p.sb`, without touching the file system (what users see in
/// locations).
fn lexical(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            c => out.push(c),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// The test files in `profile`'s directory (not below it) whose `profile` is that file:
/// the promises `sblint learn --into` checks a merge against. A file that does not parse
/// is skipped (`sblint test` reports it).
pub fn files_naming(profile: &Path) -> Vec<TestFile> {
    let Ok(target) = profile.canonicalize() else {
        return Vec::new();
    };
    // Listed as the profile was named, so that the files are shown the same way.
    let dir = match profile.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    // `./x.sbtest.toml` is shown as `x.sbtest.toml`.
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_test_file(p))
        .map(|p| p.strip_prefix(".").map(Path::to_path_buf).unwrap_or(p))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let file = parse(&path, &text).ok()?;
            (file.profile.as_ref()?.canonicalize().ok()? == target).then_some(file)
        })
        .collect()
}
