//! What a denial's argument is to a rule: the path the model checks, the narrowest filter
//! that matches it, or why none can be proposed.

use std::path::Path;

use crate::model::argument::{
    arg_kind, decided_on_local_end, parse as parse_argument, Arg, ArgumentKind, Endpoint,
};
use crate::model::{quote, vocabulary};

pub(super) fn is_path_operation(op: &str) -> bool {
    arg_kind(op) == ArgumentKind::Path
}

pub(super) fn is_network_operation(op: &str) -> bool {
    arg_kind(op) == ArgumentKind::Network
}

/// Whether `argument` is a path to `operation`: a file or `process-exec` path, or a unix
/// socket's path for a network operation.
pub(super) fn takes_path(operation: &str, argument: &str) -> bool {
    is_path_operation(operation) || (is_network_operation(operation) && argument.starts_with('/'))
}

/// The path a denial names, as the model checks it: read by the one argument parser
/// ([`parse_argument`]: `//` and a trailing `/` dropped, `.` and `..` resolved, `/tmp/x`
/// → `/private/tmp/x`), so a proposed `literal` is the path `explain` asks about. `None`
/// for a path that is not absolute: the log does not say what it is relative to.
pub(super) fn checked_path(operation: &str, argument: &str) -> Option<String> {
    if !argument.starts_with('/') {
        return None;
    }
    match parse_argument(operation, argument, Path::new("/")) {
        Ok(Arg::Path(path) | Arg::Socket(path)) => Some(path),
        _ => None,
    }
}

/// Why no rule can be proposed for a denial, when none can: the operation takes an
/// argument a filter names, but the log gives none (a rule without a filter would allow the
/// operation on everything, secrets too), a path that is not absolute (the process's
/// working directory is not in the log, and a literal of it as written matches nothing the
/// kernel checks), or a network argument that is neither `HOST:PORT` nor a socket's path.
pub fn unanswerable(operation: &str, argument: Option<&str>) -> Option<&'static str> {
    let filtered = is_path_operation(operation)
        || is_network_operation(operation)
        || name_filter(operation).is_some();
    if !filtered {
        return None;
    }
    match argument {
        None => {
            Some("the log names no argument: a rule without a filter would allow it on everything")
        }
        Some(arg) if narrowest_filter(operation, arg).is_some() => None,
        Some(arg) if takes_path(operation, arg) => {
            Some("a path that is not absolute: the log does not say what it is relative to")
        }
        Some(_) => Some("neither HOST:PORT nor a socket's path"),
    }
}

/// The narrowest filter that matches a denial's argument, as SBPL: a `literal` for a path,
/// `(remote unix-socket (path-literal …))` for a unix-socket connect, `(local ip …)` for
/// bind and inbound (the machine's own end), `(remote ip …)` for other connects, the name
/// filter for names. Paths as the model checks them ([`checked_path`]); `None` for a path
/// that is not absolute ([`unanswerable`]).
pub fn narrowest_filter(operation: &str, argument: &str) -> Option<String> {
    if is_path_operation(operation) {
        let path = checked_path(operation, argument)?;
        return Some(format!("(literal {})", quote(&path)));
    }
    if is_network_operation(operation) {
        if argument.starts_with('/') {
            let path = checked_path(operation, argument)?;
            return Some(format!(
                "(remote unix-socket (path-literal {}))",
                quote(&path)
            ));
        }
        let Endpoint { host, port, .. } = Endpoint::parse(argument)?;
        let loopback = host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        let local_end = decided_on_local_end(operation);
        // A server bound to 0.0.0.0 or :: is matched by `*` only (bazelbuild/bazel#30865).
        let host = if loopback { "localhost" } else { "*" };
        let port = if port.parse::<u16>().is_ok() {
            port
        } else {
            "*"
        };
        let end = if local_end { "local" } else { "remote" };
        return Some(format!("({end} ip {})", quote(&format!("{host}:{port}"))));
    }
    let name_filter = name_filter(operation)?;
    Some(format!("({name_filter} {})", quote(argument)))
}

/// The filter that names the argument of a name-taking operation (`mach-lookup` →
/// `global-name`), when learn proposes one: grammar/operations.tsv's name-filter column.
pub(super) fn name_filter(operation: &str) -> Option<&'static str> {
    vocabulary().name_filter_of(operation)
}
