//! `sblint explain`: which rule decides an operation on an argument, with the one
//! precedence model the linter uses.

use std::path::{Component, Path, PathBuf};

use crate::model::paths;
use crate::model::precedence::{
    arg_kind, decide, matches, Arg, ArgumentKind as ArgKind, Decision, Truth,
};
use crate::model::{vocabulary, Action, Model, OpId};

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

#[derive(Debug, PartialEq, Eq)]
pub enum ExplainError {
    UnknownOperation {
        name: String,
        suggestion: Option<String>,
    },
    BadArgument(String),
}

impl std::fmt::Display for ExplainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExplainError::UnknownOperation {
                name,
                suggestion: Some(s),
            } => {
                write!(f, "unknown operation `{name}` (did you mean `{s}`?)")
            }
            ExplainError::UnknownOperation {
                name,
                suggestion: None,
            } => write!(f, "unknown operation `{name}`"),
            ExplainError::BadArgument(m) => f.write_str(m),
        }
    }
}

/// `/a/./b/../c` → `/a/c`, relative paths against `cwd`.
fn normalize(path: &str, cwd: &Path) -> String {
    let joined = if Path::new(path).is_absolute() {
        PathBuf::from(path)
    } else {
        cwd.join(path)
    };
    let mut parts: Vec<String> = Vec::new();
    for component in joined.components() {
        match component {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop();
            }
            _ => {}
        }
    }
    format!("/{}", parts.join("/"))
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
    match arg_kind(op) {
        ArgKind::Path => {
            let resolved = paths::resolve(&normalize(text, cwd));
            Ok((Arg::Path(resolved.clone()), Some(resolved)))
        }
        ArgKind::Network => {
            let (host, port) = text.rsplit_once(':').ok_or_else(|| {
                ExplainError::BadArgument(format!(
                    "`{text}` is not HOST:PORT (for example `example.com:443`)"
                ))
            })?;
            let port: u16 = port
                .parse()
                .map_err(|_| ExplainError::BadArgument(format!("`{port}` is not a port number")))?;
            let host = host.trim_matches(|c| c == '[' || c == ']').to_string();
            Ok((
                Arg::Network {
                    host: host.clone(),
                    port,
                    // Bind and inbound are decided on the machine's own end.
                    local: op.starts_with("network-bind") || op.starts_with("network-inbound"),
                },
                Some(format!("{host}:{port}")),
            ))
        }
        ArgKind::Name | ArgKind::None => Ok((Arg::Name(text.to_string()), Some(text.to_string()))),
    }
}

/// Explains `operation` on `argument` against the model's rules.
pub fn explain(
    model: &Model,
    operation: &str,
    argument: Option<&str>,
    cwd: &Path,
) -> Result<Explanation, ExplainError> {
    let vocab = vocabulary();
    let op = vocab
        .op_id(operation)
        .or_else(|| vocab.resolve_operation(operation))
        .filter(|id| {
            vocab.operation(*id).exists_in(model.macos) || vocab.op_id(operation).is_none()
        })
        .ok_or_else(|| ExplainError::UnknownOperation {
            name: operation.to_string(),
            suggestion: vocab.suggest(operation, vocab.operation_names()),
        })?;
    let (arg, resolved) = parse_argument(operation, argument, cwd)?;
    let decision = decide(&model.rules, op, &arg);
    let decided = decision.action.unwrap_or(Action::Allow);
    let traversal = match (&arg, argument) {
        (Arg::Path(_), Some(written)) => {
            paths::traversed_link(&normalize(written, cwd)).and_then(|link| {
                let metadata = vocab.op_id("file-read-metadata")?;
                let decision = decide(&model.rules, metadata, &Arg::Path(link.to_string()));
                let action = decision.action.unwrap_or(Action::Allow);
                Some(Traversal {
                    link,
                    decision,
                    action,
                })
            })
        }
        _ => None,
    };
    let action = match &traversal {
        Some(t) if t.action == Action::Deny => Action::Deny,
        _ => decided,
    };
    let default = decision.level.is_none_or(|l| l == vocab.default);
    // An undecided rule changes the outcome if it is consulted before the decider with
    // the other action: the decision's conditions, in the order libsandbox consults them.
    let mut alternatives: Vec<(Action, usize)> = Vec::new();
    for c in decision.conditions.iter().filter(|c| c.filter != "order") {
        let action = model.rules[c.rule].action;
        if action != decided && !alternatives.iter().any(|(a, _)| *a == action) {
            alternatives.push((action, c.rule));
        }
    }
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

/// One denial from the system log: `Sandbox: bash(31281) deny(1) file-read-metadata /path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    pub process: String,
    pub operation: String,
    pub argument: Option<String>,
}

/// Reads a denial from a log line (with or without the `kernel: (Sandbox)` or
/// `System Policy:` prefixes); `None` for any other line.
pub fn parse_denial(line: &str) -> Option<Denial> {
    let at = line.find(" deny(")?;
    let before = &line[..at];
    let process = before
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .map(|p| {
            p.split('(')
                .next()
                .unwrap_or(p)
                .trim_end_matches(':')
                .to_string()
        })
        .unwrap_or_default();
    let rest = &line[at + " deny(".len()..];
    let close = rest.find(')')?;
    if !rest[..close].bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = rest[close + 1..].trim_start();
    let (operation, argument) = match rest.split_once(char::is_whitespace) {
        Some((op, arg)) => (op, Some(arg.trim().to_string()).filter(|a| !a.is_empty())),
        None => (rest.trim(), None),
    };
    if operation.is_empty()
        || !operation
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'*')
    {
        return None;
    }
    Some(Denial {
        process,
        operation: operation.to_string(),
        argument,
    })
}

/// A log's denials, each explained once, and what would allow the denied ones.
#[derive(Debug)]
pub struct Audit {
    /// In the log's order, repeats left out.
    pub denials: Vec<(Denial, Result<Explanation, ExplainError>)>,
    /// One per operation the profile denies, in the order first denied.
    pub proposals: Vec<Proposal>,
}

/// The narrowest `allow` rule for the denials of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub operation: String,
    /// SBPL filters, one per denied argument that has one ([`narrowest_filter`]).
    pub filters: Vec<String>,
    /// The processes that were denied, each once.
    pub processes: Vec<String>,
}

/// Explains each denial of a log (lines that are not denials are skipped) against the
/// model, and proposes, per operation the profile denies, the narrowest rule that would
/// allow what was denied (audit2allow for SBPL).
pub fn audit(model: &Model, log: &str, cwd: &Path) -> Audit {
    let mut denials = Vec::new();
    let mut proposals: Vec<Proposal> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for line in log.lines() {
        let Some(denial) = parse_denial(line) else {
            continue;
        };
        if !seen.insert((denial.operation.clone(), denial.argument.clone())) {
            continue;
        }
        let outcome = explain(model, &denial.operation, denial.argument.as_deref(), cwd);
        if outcome.as_ref().is_ok_and(|e| e.action == Action::Deny) {
            let filter = denial
                .argument
                .as_deref()
                .and_then(|a| narrowest_filter(&denial.operation, a));
            match proposals
                .iter_mut()
                .find(|p| p.operation == denial.operation)
            {
                Some(p) => {
                    p.filters.extend(filter);
                    if !p.processes.contains(&denial.process) {
                        p.processes.push(denial.process.clone());
                    }
                }
                None => proposals.push(Proposal {
                    operation: denial.operation.clone(),
                    filters: filter.into_iter().collect(),
                    processes: vec![denial.process.clone()],
                }),
            }
        }
        denials.push((denial, outcome));
    }
    Audit { denials, proposals }
}

/// The narrowest filter that matches a denial's argument, as SBPL.
pub fn narrowest_filter(operation: &str, argument: &str) -> Option<String> {
    let q = crate::model::quote;
    match arg_kind(operation) {
        ArgKind::Path => Some(format!("(literal {})", q(&paths::resolve(argument)))),
        ArgKind::Network => {
            let (host, port) = argument.rsplit_once(':')?;
            let host = host.trim_matches(|c| c == '[' || c == ']');
            let loopback = host == "localhost"
                || host
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            let host = if loopback { "localhost" } else { "*" };
            Some(format!("(remote ip {})", q(&format!("{host}:{port}"))))
        }
        ArgKind::Name if operation.starts_with("mach-") => {
            Some(format!("(global-name {})", q(argument)))
        }
        ArgKind::Name if operation.starts_with("sysctl") => {
            Some(format!("(sysctl-name {})", q(argument)))
        }
        ArgKind::Name if operation.starts_with("ipc-posix") => {
            Some(format!("(ipc-posix-name {})", q(argument)))
        }
        ArgKind::Name if operation.starts_with("user-preference") => {
            Some(format!("(preference-domain {})", q(argument)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_audit_explains_each_denial_once_and_groups_proposals_by_operation() {
        let tree = crate::syntax::parse(
            "(version 1)\n(deny default)\n(allow file-read* (subpath \"/usr\"))\n",
        );
        let model = Model::new(&tree, &[], &crate::model::ModelOptions::default());
        let log = "Sandbox: ls(1) deny(1) file-read-data /etc/hosts\n\
                   not a denial\n\
                   Sandbox: ls(1) deny(1) file-read-data /etc/hosts\n\
                   Sandbox: cat(2) deny(1) file-read-data /private/etc/passwd\n\
                   Sandbox: cat(2) deny(1) file-read-data /usr/lib/x\n\
                   Sandbox: cat(2) deny(1) no-such-operation\n";
        let audit = audit(&model, log, Path::new("/"));
        let explained: Vec<_> = audit
            .denials
            .iter()
            .map(|(d, e)| (d.process.as_str(), e.as_ref().map(|e| e.action).ok()))
            .collect();
        assert_eq!(
            explained,
            [
                ("ls", Some(Action::Deny)),
                ("cat", Some(Action::Deny)),
                ("cat", Some(Action::Allow)),
                ("cat", None),
            ]
        );
        assert_eq!(
            audit.proposals,
            [Proposal {
                operation: "file-read-data".into(),
                filters: vec![
                    "(literal \"/private/etc/hosts\")".into(),
                    "(literal \"/private/etc/passwd\")".into()
                ],
                processes: vec!["ls".into(), "cat".into()],
            }]
        );
    }

    #[test]
    fn denial_lines_with_and_without_prefixes() {
        let d =
            parse_denial("Sandbox: bash(31281) deny(1) file-read-metadata /System/Library/dyld/x")
                .unwrap();
        assert_eq!(
            (d.process.as_str(), d.operation.as_str()),
            ("bash", "file-read-metadata")
        );
        assert_eq!(d.argument.as_deref(), Some("/System/Library/dyld/x"));
        let k = parse_denial("2024-01-01 10:00:00 kernel: (Sandbox) Sandbox: python3(42) deny(1) network-outbound 1.2.3.4:443").unwrap();
        assert_eq!(
            (k.process.as_str(), k.argument.as_deref()),
            ("python3", Some("1.2.3.4:443"))
        );
        let s = parse_denial("System Policy: curl(7) deny(1) mach-lookup com.apple.x").unwrap();
        assert_eq!(s.operation, "mach-lookup");
        assert!(parse_denial("nothing to see").is_none());
        assert_eq!(
            narrowest_filter("network-outbound", "127.0.0.1:3141").as_deref(),
            Some("(remote ip \"localhost:3141\")")
        );
        assert_eq!(
            narrowest_filter("file-read-data", "/tmp/x").as_deref(),
            Some("(literal \"/private/tmp/x\")")
        );
    }
}
