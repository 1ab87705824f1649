//! The answers of the API as plain data: each serialises to the JSON the command line
//! prints (`sblint explain --format json` is a [`Decision`], `sblint diff --format json` a
//! [`Diff`]).

use serde::Serialize;

use super::Profile;
use crate::diagnostic::{Diagnostic, FileReport, Severity};
use crate::explain::Explanation;
use crate::model::sets;
use crate::model::sources::SourceMap;
use crate::model::{vocabulary, Action, OpId};

/// Allowed or denied.
///
/// ```
/// assert_eq!(serde_json::to_string(&sblint::Verdict::Allow)?, "\"allow\"");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The operation is allowed.
    Allow,
    /// The operation is denied.
    Deny,
}

impl From<Action> for Verdict {
    fn from(action: Action) -> Verdict {
        match action {
            Action::Allow => Verdict::Allow,
            Action::Deny => Verdict::Deny,
        }
    }
}

impl Verdict {
    /// `allow` or `deny`.
    ///
    /// ```
    /// assert_eq!(sblint::Verdict::Deny.as_str(), "deny");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Deny => "deny",
        }
    }
}

/// One finding of [`Profile::check`]: a rule's code and name, its severity, its message,
/// and where (lines and columns from 1).
///
/// ```
/// # use sblint::{Options, Profile, Severity};
/// let profile = Profile::from_text("(version 1)\n(allow file-read* (subpath \"/tmp\"))\n", &Options::new())?;
/// let finding = profile.check().into_iter().find(|f| f.code == "SB201").unwrap();
/// assert_eq!((finding.line, finding.severity), (2, Severity::Warning));
/// # Ok::<(), sblint::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// `SB201`
    pub code: &'static str,
    /// `unresolved-path`
    pub name: &'static str,
    /// Error, warning or info.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// Where it starts.
    pub line: u32,
    /// Where it starts.
    pub column: u32,
    /// Where it ends.
    pub end_line: u32,
    /// Where it ends.
    pub end_column: u32,
    /// The fix a rule offers, in words (`sblint check --fix` applies the safe ones).
    pub fix: Option<String>,
}

impl Finding {
    pub(crate) fn new(report: &FileReport, d: &Diagnostic) -> Finding {
        let start = report.line_col(d.primary.span.start);
        let end = report.line_col(d.primary.span.end);
        Finding {
            code: d.code,
            name: d.name,
            severity: d.severity,
            message: d.message.clone(),
            line: start.line,
            column: start.col,
            end_line: end.line,
            end_column: end.col,
            fix: d.fix.as_ref().map(|f| f.message.clone()),
        }
    }
}

/// One reason `sandbox-exec` would refuse the profile.
///
/// ```
/// # use sblint::{Options, Profile};
/// let profile = Profile::from_text("(version 1)\n(allow file-read* (subpath HOME))\n", &Options::new())?;
/// let error = &profile.load_errors()[0];
/// assert_eq!((error.line, error.code), (2, "SB004"));
/// # Ok::<(), sblint::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LoadError {
    /// Where.
    pub line: u32,
    /// Where.
    pub column: u32,
    /// The rule that reports it.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
}

/// A rule of the profile, by position and action.
///
/// ```
/// # use sblint::{Options, Profile};
/// let profile = Profile::from_text(
///     "(version 1)\n(deny default)\n(allow file-read*)\n(deny file-read* (literal \"/private/etc/hosts\"))\n",
///     &Options::new(),
/// )?;
/// let decision = profile.decide("file-read-data", Some("/private/etc/hosts"))?;
/// assert_eq!(decision.line, Some(4));
/// # Ok::<(), sblint::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleAt {
    /// Where the rule starts.
    pub line: u32,
    /// Where the rule starts.
    pub column: u32,
    /// The file it is in: the profile's name, a prelude's or an import's.
    pub file: String,
    /// What it does.
    #[serde(rename = "action")]
    pub verdict: Verdict,
}

/// A rule that decides otherwise when a value only known at run time goes its way.
///
/// ```
/// # use sblint::{Options, Profile, Verdict};
/// let profile = Profile::from_text(
///     "(version 1)\n(allow default)\n(deny file-read* (require-all (subpath \"/opt\") (entitlement-is-present \"com.example.x\")))\n",
///     &Options::new(),
/// )?;
/// let decision = profile.decide("file-read-data", Some("/opt/a"))?;
/// assert_eq!(decision.alternatives[0].could_be, Verdict::Deny);
/// assert_eq!(decision.alternatives[0].rule.line, 3);
/// # Ok::<(), sblint::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Alternative {
    /// The rule.
    #[serde(flatten)]
    pub rule: RuleAt,
    /// What it would decide.
    pub could_be: Verdict,
}

/// Something only known at run time that could change a decision: the filter that leaves
/// a rule open (`entitlement`, `process-path`, `param` for an unset parameter, `regex` for
/// a regex whose meaning on a Mac is unverified …) and the line of it.
///
/// ```
/// # use sblint::{Options, Profile};
/// let profile = Profile::from_text(
///     "(version 1)\n(deny default)\n(allow file-read* (require-all (subpath \"/opt\") (entitlement-is-present \"com.example.x\")))\n",
///     &Options::new(),
/// )?;
/// let decision = profile.decide("file-read-data", Some("/opt/a"))?;
/// assert!(decision.conditional);
/// assert_eq!(decision.conditions[0].line, 3);
/// # Ok::<(), sblint::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Condition {
    /// The filter, as libsandbox names it.
    pub filter: String,
    /// Where.
    pub line: u32,
}

/// A path through `/tmp`, `/var` or `/etc`: resolving the link needs `file-read-metadata`
/// on the link itself, decided here.
///
/// ```
/// # use sblint::{Options, Profile, Verdict};
/// let profile = Profile::from_text(
///     "(version 1)\n(deny default)\n(allow file-read* (subpath \"/private/tmp\"))\n",
///     &Options::new(),
/// )?;
/// let decision = profile.decide("file-read-data", Some("/tmp/x"))?;
/// let traversal = decision.traversal.unwrap();
/// assert_eq!((traversal.link, traversal.verdict), ("/tmp", Verdict::Deny));
/// # Ok::<(), sblint::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Traversal {
    /// The link as written: `/var`.
    pub link: &'static str,
    /// `file-read-metadata`.
    pub operation: &'static str,
    /// How `file-read-metadata` on the link is decided.
    #[serde(rename = "decision")]
    pub verdict: Verdict,
    /// The deciding rule's line.
    pub line: Option<u32>,
}

/// How the profile decides an operation on an argument ([`Profile::decide`]); the JSON of
/// `sblint explain --format json`.
///
/// ```
/// # use sblint::{Options, Profile, Verdict};
/// let profile = Profile::from_text("(version 1)\n(deny default)\n(allow file-read* (subpath \"/usr\"))\n", &Options::new())?;
/// let decision = profile.decide("file-read-data", Some("/usr/lib/libz.dylib"))?;
/// assert_eq!(decision.verdict, Verdict::Allow);
/// assert_eq!(decision.rule.as_deref(), Some("(allow file-read* (subpath \"/usr\"))"));
/// assert!(!decision.default && !decision.conditional && decision.loads);
/// let json = serde_json::to_value(&decision)?;
/// assert_eq!(json["decision"], "allow");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// The outcome (a traversal denied on the way makes it deny).
    #[serde(rename = "decision")]
    pub verdict: Verdict,
    /// The operation as asked.
    pub operation: String,
    /// The argument as asked.
    pub argument: Option<String>,
    /// The argument as the kernel checks it (`/tmp/x` → `/private/tmp/x`).
    pub resolved: Option<String>,
    /// The deciding rule's line (`None`: no rule matches and there is no `default`).
    pub line: Option<u32>,
    /// The deciding rule's column.
    pub column: Option<u32>,
    /// The deciding rule's file: the profile's name, a prelude's or an import's.
    pub file: Option<String>,
    /// The deciding rule's text.
    pub rule: Option<String>,
    /// True when the `default` rule (or libsandbox's own default) decides.
    pub default: bool,
    /// Rules that match too but lose to the deciding one.
    pub overridden: Vec<RuleAt>,
    /// Rules whose precedence against the deciding one is unverified.
    pub unverified: Vec<RuleAt>,
    /// Rules that decide otherwise when a value only known at run time goes their way.
    pub alternatives: Vec<Alternative>,
    /// A symlinked root resolved on the way, when the argument is written through one.
    pub traversal: Option<Traversal>,
    /// True when something only known at run time could change the outcome.
    pub conditional: bool,
    /// What it depends on.
    pub conditions: Vec<Condition>,
    /// The deciding rule when libsandbox adds it by itself (not in the profile).
    pub implicit: Option<Implicit>,
    /// Facts the deciding rule rests on that recordings on real Macs disagree on.
    pub disputes: Vec<Dispute>,
    /// Imports that could not be read, whose rules could change the decision.
    pub unread_imports: Vec<UnreadImport>,
    /// False when `sandbox-exec` would refuse the profile (the decision is what it would
    /// be if it loaded).
    pub loads: bool,
    /// Why it would be refused.
    pub errors: Vec<LoadError>,
}

impl Decision {
    /// True when the outcome is allow.
    ///
    /// ```
    /// # use sblint::{Options, Profile};
    /// let profile = Profile::from_text("(version 1)\n(deny default)\n", &Options::new())?;
    /// assert!(!profile.decide("file-read-data", Some("/etc/hosts"))?.allowed());
    /// # Ok::<(), sblint::Error>(())
    /// ```
    pub fn allowed(&self) -> bool {
        self.verdict == Verdict::Allow
    }
}

/// A rule libsandbox adds by itself (`grammar/implicit.tsv`) that decides.
///
/// ```
/// let implicit = sblint::Implicit { id: "x".into(), rule: "(allow file-link)".into(), verified: false, source: "s".into() };
/// assert_eq!(serde_json::to_value(&implicit)?["rule"], "(allow file-link)");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Implicit {
    /// Its row.
    pub id: String,
    /// The rule as SBPL text.
    pub rule: String,
    /// True when a source shows it on the profile's macOS.
    pub verified: bool,
    /// Where it is recorded.
    pub source: String,
}

/// A fact recordings on real Macs disagree on (`grammar/disputed.tsv`).
///
/// ```
/// let d = sblint::Dispute { id: "x".into(), question: "q".into(), one: "a".into(), other: "b".into() };
/// assert_eq!(serde_json::to_value(&d)?["question"], "q");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Dispute {
    /// Its row.
    pub id: String,
    /// What is in dispute.
    pub question: String,
    /// One side, with its recordings.
    pub one: String,
    /// The other side, with its recordings.
    pub other: String,
}

/// An `import` that could not be read.
///
/// ```
/// let u = sblint::UnreadImport { import: "bsd.sb".into(), line: 2 };
/// assert_eq!(serde_json::to_value(&u)?["import"], "bsd.sb");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnreadImport {
    /// The name as written.
    pub import: String,
    /// Where.
    pub line: u32,
}

/// The family an operation belongs to: its topmost wildcard below `default`.
pub(crate) fn family(op: OpId) -> OpId {
    let vocab = vocabulary();
    vocab
        .chain(op)
        .iter()
        .copied()
        .rfind(|&l| l != vocab.default)
        .unwrap_or(op)
}

/// What a decision depends on, with lines.
pub(crate) fn conditions(
    sources: &SourceMap<'_>,
    d: &crate::model::precedence::Decision,
) -> Vec<Condition> {
    conditions_of(sources, &d.conditions)
}

/// Conditions with lines.
pub(crate) fn conditions_of(
    sources: &SourceMap<'_>,
    list: &[crate::model::precedence::Condition],
) -> Vec<Condition> {
    list.iter()
        .map(|c| Condition {
            filter: crate::model::precedence::condition_name(c, sources.text(c.origin)).to_string(),
            line: sources.line_col(c.origin).line,
        })
        .collect()
}

impl Profile {
    /// The answer of an explanation, with lines and texts.
    pub(crate) fn decision(&self, e: &Explanation) -> Decision {
        let sources = self.sources();
        let rules = &self.model().rules;
        let at = |i: usize| {
            let at = sources.line_col(rules[i].origin);
            RuleAt {
                line: at.line,
                column: at.col,
                file: sources.name(rules[i].origin.file).to_string(),
                verdict: rules[i].action.into(),
            }
        };
        let decider = e.decision.rule.map(|i| &rules[i]);
        let start = decider.map(|r| sources.line_col(r.origin));
        let errors = self.load_errors();
        Decision {
            verdict: e.action.into(),
            operation: e.operation.clone(),
            argument: e.argument.clone(),
            resolved: e.resolved.clone(),
            line: start.map(|s| s.line),
            column: start.map(|s| s.col),
            file: decider.map(|r| sources.name(r.origin.file).to_string()),
            rule: decider.map(|r| sources.text(r.origin).to_string()),
            default: e.default,
            overridden: e.decision.overridden.iter().map(|&i| at(i)).collect(),
            unverified: e.decision.unverified.iter().map(|&i| at(i)).collect(),
            alternatives: e
                .alternatives
                .iter()
                .map(|&(action, i)| Alternative {
                    rule: at(i),
                    could_be: action.into(),
                })
                .collect(),
            traversal: e.traversal.as_ref().map(|t| Traversal {
                link: t.link,
                operation: "file-read-metadata",
                verdict: t.action.into(),
                line: t
                    .decision
                    .rule
                    .map(|i| sources.line_col(rules[i].origin).line),
            }),
            conditional: e.conditional(),
            conditions: conditions(&sources, &e.decision),
            implicit: e.implicit.map(|(row, verified)| Implicit {
                id: row.id.to_string(),
                rule: row.rule.to_string(),
                verified,
                source: row.source.to_string(),
            }),
            disputes: e
                .disputes
                .iter()
                .map(|d| Dispute {
                    id: d.id.to_string(),
                    question: d.question.to_string(),
                    one: d.one.to_string(),
                    other: d.other.to_string(),
                })
                .collect(),
            unread_imports: e
                .unread_imports
                .iter()
                .map(|u| UnreadImport {
                    import: u.name.clone(),
                    line: sources
                        .line_col(crate::model::Origin {
                            file: crate::model::FileId::MAIN,
                            span: u.span,
                        })
                        .line,
                })
                .collect(),
            loads: errors.is_empty(),
            errors,
        }
    }
}

/// The answer to a set question ([`Profile::never`], [`Profile::always`]).
///
/// ```
/// # use sblint::{Options, Profile};
/// let profile = Profile::from_text("(version 1)\n(allow default)\n", &Options::new())?;
/// let answer = profile.never("file-write*", &["/private/tmp/**"])?;
/// assert!(!answer.holds);
/// assert_eq!(answer.witness.unwrap().argument.as_deref(), Some("/"));
/// # Ok::<(), sblint::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SetAnswer {
    /// True when the claim holds for every argument.
    pub holds: bool,
    /// When it does not: the shortest argument that breaks it.
    pub witness: Option<Witness>,
}

/// An argument that breaks a set claim, and how the profile decides it.
///
/// ```
/// # use sblint::{Options, Profile};
/// let profile = Profile::from_text("(version 1)\n(deny default)\n(allow file-write-data (subpath \"/Users\"))\n", &Options::new())?;
/// let witness = profile.never("file-write*", &[] as &[&str])?.witness.unwrap();
/// assert_eq!(witness.operation, "file-write-data");
/// assert_eq!(witness.argument.as_deref(), Some("/Users"));
/// assert_eq!(witness.line, Some(3));
/// # Ok::<(), sblint::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Witness {
    /// The leaf operation.
    pub operation: String,
    /// The argument, exactly as [`Profile::decide`] takes it (`None` for operations
    /// without one).
    pub argument: Option<String>,
    /// True when the claim breaks only if a run-time condition goes one way.
    pub conditional: bool,
    /// The deciding rule's line.
    pub line: Option<u32>,
    /// What the decision depends on.
    pub conditions: Vec<Condition>,
    /// The point decision there.
    pub decision: Decision,
}

/// One side of a [`Change`].
///
/// ```
/// # use sblint::{Options, Profile, Verdict};
/// let old = Profile::from_text("(version 1)\n(deny default)\n", &Options::new())?;
/// let new = Profile::from_text("(version 1)\n(allow default)\n", &Options::new())?;
/// let change = &sblint::diff(&old, &new)?.changes[0];
/// assert_eq!((change.old.verdict, change.new.verdict), (Verdict::Deny, Verdict::Allow));
/// # Ok::<(), sblint::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Side {
    /// The decision in that profile.
    #[serde(rename = "decision")]
    pub verdict: Verdict,
    /// The deciding rule's line.
    pub line: Option<u32>,
}

/// One kind of change on one leaf operation between two profiles.
///
/// ```
/// # use sblint::{Options, Profile};
/// let old = Profile::from_text("(version 1)\n(allow default)\n", &Options::new())?;
/// let new = Profile::from_text("(version 1)\n(allow default)\n(deny mach-lookup)\n", &Options::new())?;
/// let change = &sblint::diff(&old, &new)?.changes[0];
/// assert_eq!((change.operation.as_str(), change.change.as_str()), ("mach-lookup", "denied"));
/// # Ok::<(), sblint::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The leaf operation.
    pub operation: String,
    /// Its family, the topmost wildcard above it (`file*`, `network*` …), for grouping.
    pub family: String,
    /// `allowed` (denied before, allowed now) or `denied` (the other way).
    pub change: String,
    /// True when a run-time value could undo it.
    pub conditional: bool,
    /// The decision in the old profile.
    pub old: Side,
    /// The decision in the new profile.
    pub new: Side,
    /// The shortest argument showing it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness: Option<String>,
}

/// What changes between two profiles ([`diff`](crate::diff)); the JSON of `sblint diff
/// --format json`.
///
/// ```
/// # use sblint::{Options, Profile};
/// let a = Profile::from_text("(version 1)\n(deny default)\n", &Options::new())?;
/// let diff = sblint::diff(&a, &a)?;
/// assert!(diff.equivalent && diff.changes.is_empty() && diff.too_complex.is_empty());
/// # Ok::<(), sblint::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// True when no decision changes (and every operation was decided).
    pub equivalent: bool,
    /// The changes, by operation.
    pub changes: Vec<Change>,
    /// The leaf operations past sblint's budget: neither equal nor different is proved.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub too_complex: Vec<String>,
}

impl Diff {
    pub(crate) fn new(
        old: &Profile,
        new: &Profile,
        changes: &[sets::Change],
        undecided: &[OpId],
    ) -> Diff {
        let vocab = vocabulary();
        let (old_sources, new_sources) = (old.sources(), new.sources());
        let side =
            |p: &Profile, sources: &SourceMap<'_>, d: &crate::model::precedence::Decision| Side {
                verdict: d.outcome().into(),
                line: d
                    .rule
                    .map(|i| sources.line_col(p.model().rules[i].origin).line),
            };
        Diff {
            equivalent: changes.is_empty() && undecided.is_empty(),
            changes: changes
                .iter()
                .map(|c| Change {
                    operation: vocab.operation(c.operation).name.clone(),
                    family: vocab.operation(family(c.operation)).name.clone(),
                    change: c.direction.as_str().to_string(),
                    conditional: c.conditional,
                    old: side(old, &old_sources, &c.old),
                    new: side(new, &new_sources, &c.new),
                    witness: c.witness.clone(),
                })
                .collect(),
            too_complex: undecided
                .iter()
                .map(|&op| vocab.operation(op).name.clone())
                .collect(),
        }
    }
}
