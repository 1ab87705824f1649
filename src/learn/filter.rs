//! What a denial's argument is to a rule: the path the model checks, the narrowest filter
//! that matches it, or why none can be proposed.

use std::path::Path;

use crate::model::argument::{
    arg_kind, decided_on_local_end, parse as parse_argument, Arg, ArgumentKind, Endpoint,
};
use crate::model::quote;

pub(super) fn is_path_operation(op: &str) -> bool {
    arg_kind(op) == ArgumentKind::Path
}

/// Whether `argument` is a path to `operation`: a file or `process-exec` path, or a unix
/// socket's path for a network operation.
pub(super) fn takes_path(operation: &str, argument: &str) -> bool {
    is_path_operation(operation) || (operation.starts_with("network") && argument.starts_with('/'))
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

/// Why no rule can be proposed for a denial's argument, when none can: a path that is not
/// absolute names nothing sblint can know (the process's working directory is not in the
/// log), and a literal of it as written matches nothing the kernel checks.
pub fn unanswerable(operation: &str, argument: Option<&str>) -> Option<&'static str> {
    let arg = argument?;
    (takes_path(operation, arg) && checked_path(operation, arg).is_none())
        .then_some("a path that is not absolute: the log does not say what it is relative to")
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
    if operation.starts_with("network") {
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
    let name_filter = [
        ("mach-", "global-name"),
        ("sysctl", "sysctl-name"),
        ("ipc-posix", "ipc-posix-name"),
        ("user-preference", "preference-domain"),
        ("iokit-open", "iokit-registry-entry-class"),
    ]
    .iter()
    .find(|(prefix, _)| operation.starts_with(prefix))?
    .1;
    Some(format!("({name_filter} {})", quote(argument)))
}
