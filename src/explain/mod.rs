//! `sblint explain`: which rule decides an operation on an argument, with the one
//! precedence model the linter uses.

use std::path::Path;

use crate::model::argument::{self, normalize, BadArgument};
use crate::model::disputed::{disputes, Dispute};
use crate::model::implicit::ImplicitRule;
use crate::model::paths;
use crate::model::precedence::{decide, matches, Arg, Decision, Truth};
use crate::model::{vocabulary, Action, Model, OpId, UnreadImport};

/// An answer: the decision, and what could change it at run time.
#[derive(Debug)]
pub struct Explanation {
    pub operation: String,
    pub op: OpId,
    pub argument: Option<String>,
    /// The argument as the kernel checks it (`/tmp/x` → `/private/tmp/x`).
    pub resolved: Option<String>,
    pub decision: Decision,
    /// The outcome: the deciding rule's action, or libsandbox's built-in default (allow)
    /// when the profile has no `default` rule.
    pub action: Action,
    /// True when no rule naming the operation or a wildcard above it (other than
    /// `default`) matched.
    pub default: bool,
    /// Outcomes the undecided rules would give if they matched, with the rule.
    pub alternatives: Vec<(Action, usize)>,
    /// A path written through `/tmp`, `/var` or `/etc`: the link resolved on the way, and
    /// how `file-read-metadata` on it is decided. When that is denied, so is the operation.
    pub traversal: Option<Traversal>,
    /// The deciding rule when it is one libsandbox adds by itself (`grammar/implicit.tsv`),
    /// and whether a source shows it on the model's macOS.
    pub implicit: Option<(&'static ImplicitRule, bool)>,
    /// Imports that could not be read and whose rules could change the decision: it is
    /// what the rules sblint could read decide, conditional on these.
    pub unread_imports: Vec<UnreadImport>,
    /// Facts the deciding rule rests on that recordings on real Macs disagree on
    /// (`grammar/disputed.tsv`): the answer is the model's, conditional on them.
    pub disputes: Vec<&'static Dispute>,
}

impl Explanation {
    /// True when something sblint cannot know could change the outcome: a filter only known
    /// at run time, an unverified rule or order, an import it could not read.
    pub fn conditional(&self) -> bool {
        self.decision.conditional() || !self.unread_imports.is_empty() || !self.disputes.is_empty()
    }
}

/// Resolving a symlinked root on the way to the argument.
#[derive(Debug)]
pub struct Traversal {
    /// The link as written: `/var`.
    pub link: &'static str,
    pub decision: Decision,
    /// `file-read-metadata` on the link: the deciding rule's action, or allow.
    pub action: Action,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExplainError {
    #[error("unknown operation `{name}`{}", .suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    UnknownOperation {
        name: String,
        suggestion: Option<String>,
    },
    #[error("{0}")]
    BadArgument(String),
}

/// Parses ARGUMENT for the operation: a path, `HOST:PORT`, or a name.
pub fn parse_argument(
    op: &str,
    text: Option<&str>,
    cwd: &Path,
) -> Result<(Arg, Option<String>), ExplainError> {
    let Some(text) = text else {
        return Ok((Arg::None, None));
    };
    let arg = argument::parse(op, text, cwd).map_err(|bad| {
        ExplainError::BadArgument(match bad {
            BadArgument::NotHostPort => {
                format!(
                    "`{text}` is not HOST:PORT (for example `example.com:443`) or a unix-socket path"
                )
            }
            BadArgument::NotAPort(port) => format!("`{port}` is not a port number"),
        })
    })?;
    let shown = argument::shown(&arg);
    Ok((arg, shown))
}

/// Explains `operation` on `argument` against the model's rules.
pub fn explain(
    model: &Model,
    operation: &str,
    argument: Option<&str>,
    cwd: &Path,
) -> Result<Explanation, ExplainError> {
    let vocab = vocabulary();
    let op = operation_id(model, operation)?;
    let (arg, resolved) = parse_argument(operation, argument, cwd)?;
    let decision = decide(&model.rules, op, &arg);
    let decided = decision.action.unwrap_or(Action::Allow);
    let traversal = match (&arg, argument) {
        (Arg::Path(_), Some(written)) => traversal(model, written, cwd),
        _ => None,
    };
    let action = match &traversal {
        Some(t) if t.action == Action::Deny => Action::Deny,
        _ => decided,
    };
    let default = decision.level.is_none_or(|l| l == vocab.default);
    let alternatives = alternatives(model, &decision, decided);
    let implicit = decision.rule.and_then(|i| model.implicit_rule(i));
    let unread_imports = unread_imports(model, &decision, op);
    let disputes = match decision.rule {
        Some(i) => disputes()
            .iter()
            .filter(|d| d.concerns(&model.rules[i], op))
            .collect(),
        None => Vec::new(),
    };
    Ok(Explanation {
        operation: operation.to_string(),
        op,
        argument: argument.map(str::to_string),
        resolved,
        decision,
        action,
        default,
        alternatives,
        traversal,
        implicit,
        unread_imports,
        disputes,
    })
}

/// The operation as a rule would name it, on the model's macOS.
fn operation_id(model: &Model, operation: &str) -> Result<OpId, ExplainError> {
    let vocab = vocabulary();
    vocab
        .operation_on(operation, model.macos)
        .ok_or_else(|| ExplainError::UnknownOperation {
            name: operation.to_string(),
            suggestion: vocab.suggest_operation(operation),
        })
}

/// A path `written` through a symlinked root: how reading the link's metadata is decided.
fn traversal(model: &Model, written: &str, cwd: &Path) -> Option<Traversal> {
    paths::traversed_link(&normalize(written, cwd)).and_then(|link| {
        let metadata = vocabulary().op_id("file-read-metadata")?;
        let decision = decide(&model.rules, metadata, &Arg::Path(link.to_string()));
        let action = decision.action.unwrap_or(Action::Allow);
        Some(Traversal {
            link,
            decision,
            action,
        })
    })
}

/// An undecided rule changes the outcome if it is consulted before the decider with
/// the other action: the decision's conditions, in the order libsandbox consults them.
fn alternatives(model: &Model, decision: &Decision, decided: Action) -> Vec<(Action, usize)> {
    let mut alternatives: Vec<(Action, usize)> = Vec::new();
    for c in decision.conditions.iter().filter(|c| c.filter != "order") {
        let action = model.rules[c.rule].action;
        if action != decided && !alternatives.iter().any(|(a, _)| *a == action) {
            alternatives.push((action, c.rule));
        }
    }
    alternatives
}

/// An import sblint could not read may hold rules that decide instead, unless the
/// deciding rule comes after it, names the operation itself and has a filter: rules of
/// the import naming the operation are then consulted after it, and none is closer.
fn unread_imports(model: &Model, decision: &Decision, op: OpId) -> Vec<UnreadImport> {
    let settled_after = |at: usize| {
        decision
            .rule
            .is_some_and(|i| i >= at && decision.level == Some(op) && !decision.unfiltered)
    };
    model
        .unread_imports
        .iter()
        .filter(|u| !settled_after(u.at))
        .cloned()
        .collect()
}

/// The first regex of `rule` whose match on `arg` is unverified (it depends on a construct
/// whose meaning on a Mac is not recorded): what `explain` names when such a rule leaves a
/// decision open.
pub fn unverified_regex<'r>(
    rule: &'r crate::model::Rule,
    arg: &crate::model::precedence::Arg,
) -> Option<&'r str> {
    use crate::model::applematch::Verdict;
    use crate::model::precedence::Arg;
    use crate::model::regex::verdict;
    use crate::model::{FilterValue, NamePattern, PathPattern};
    let text = match arg {
        Arg::Path(t) | Arg::Name(t) | Arg::Socket(t) => t.as_str(),
        _ => return None,
    };
    rule.filter
        .iter()
        .flat_map(|f| f.leaves())
        .find_map(|leaf| match &leaf.value {
            FilterValue::Path(PathPattern::Regex(r))
                if matches!(arg, Arg::Path(_) | Arg::Socket(_)) =>
            {
                (verdict(r, text) == Verdict::Unverified).then_some(&**r)
            }
            FilterValue::Name(NamePattern::Regex(r)) if matches!(arg, Arg::Name(_)) => {
                (verdict(r, text) == Verdict::Unverified).then_some(&**r)
            }
            _ => None,
        })
}

/// The rules (indices into the model's rules) that match the argument as it was written
/// but not as the kernel checks it: a path the kernel resolves first (`/tmp/x` is checked
/// as `/private/tmp/x`), so such a rule never sees it. Empty when the argument is not a
/// path that resolution changes.
pub fn written_path_matches(model: &Model, e: &Explanation) -> Vec<usize> {
    let (Some(written), Some(resolved)) = (&e.argument, &e.resolved) else {
        return Vec::new();
    };
    if written == resolved || !written.starts_with('/') {
        return Vec::new();
    }
    let vocab = vocabulary();
    let written = Arg::Path(written.clone());
    model
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.operations.iter().any(|o| vocab.covers(o.id, e.op)))
        .filter(|(_, r)| r.filter.is_some() && matches(r.filter.as_ref(), &written) == Truth::Yes)
        .map(|(i, _)| i)
        .collect()
}

// The log reading `explain --log` uses lives in `crate::learn` (`sblint learn`).
