//! What an operation is asked about, read from text once: `HOST:PORT` endpoints (with
//! `[` `]` around an IPv6 host), lexically normalised paths, and the text → argument step
//! every reader (`explain`, the decision sets' witnesses, the essentials table, `learn`,
//! `new`) takes.

use std::path::{Component, Path, PathBuf};

use super::paths;
use super::vocab::vocabulary;

/// What an operation is checked against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// Operations without filters, or when the argument does not matter.
    None,
    /// A resolved path (`/private/tmp/x`).
    Path(String),
    /// A service, sysctl, preference domain … name.
    Name(String),
    /// One end of a TCP connection: the remote end for `network-outbound`, the local end
    /// (`local: true`) for `network-bind` and `network-inbound`.
    Network {
        host: String,
        port: u16,
        local: bool,
    },
    /// A unix socket a network operation reaches, by its resolved path (`connect()` to
    /// `/private/var/run/docker.sock` is `network-outbound`).
    Socket(String),
}

pub use super::vocab::ArgumentKind;

/// The kind of argument operation `op` (by name) is checked against, as
/// `grammar/operations.tsv` gives it ([`super::vocab::Vocabulary::argument_of`]).
pub fn arg_kind(op: &str) -> ArgumentKind {
    vocabulary().argument_of(op)
}

/// `HOST:PORT` as written, split at its last `:`: the host without the brackets of an IPv6
/// address (`[::1]:443` → `::1`), the port as written (a number, `*`, or anything else:
/// each reader decides what it accepts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Endpoint<'t> {
    pub host: &'t str,
    pub port: &'t str,
    /// The host as written, brackets and all: what libsandbox's own parser sees.
    pub written_host: &'t str,
}

impl<'t> Endpoint<'t> {
    /// `None` when the text has no `:`.
    pub fn parse(text: &'t str) -> Option<Endpoint<'t>> {
        let (host, port) = text.rsplit_once(':')?;
        Some(Endpoint {
            host: unbracketed(host),
            port,
            written_host: host,
        })
    }

    /// The port as a number, when it is one (0–65535).
    pub fn port_number(&self) -> Option<u16> {
        self.port.parse().ok()
    }
}

/// A host without the `[` `]` an IPv6 address is written in.
pub fn unbracketed(host: &str) -> &str {
    host.trim_matches(|c| c == '[' || c == ']')
}

/// Whether `op` (by name) is decided on the machine's own end of a connection (bind and
/// inbound are), as `grammar/operations.tsv` gives it.
pub fn decided_on_local_end(op: &str) -> bool {
    vocabulary().decided_on_local_end(op)
}

/// `/a/./b/../c` → `/a/c`, lexically (no file system); a relative path is taken against
/// `cwd`. `..` above the root stays at the root.
pub fn normalize(path: &str, cwd: &Path) -> String {
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

/// Why a text is not an argument of its operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BadArgument {
    /// A network operation's argument without a `:`.
    NotHostPort,
    /// A port that is not a number from 0 to 65535 (as written).
    NotAPort(String),
}

/// The argument `text` is for operation `op` (by name), as the precedence model matches
/// it: a path normalised against `cwd` and resolved (`/tmp/x` → `/private/tmp/x`),
/// `HOST:PORT` on the end the operation is decided on, a unix socket's path for a network
/// operation, or a name.
pub fn parse(op: &str, text: &str, cwd: &Path) -> Result<Arg, BadArgument> {
    Ok(match arg_kind(op) {
        ArgumentKind::Path => Arg::Path(paths::resolve(&normalize(text, cwd))),
        // A unix socket, by its path: `connect()` to it is `network-outbound`.
        ArgumentKind::Network if text.starts_with('/') => {
            Arg::Socket(paths::resolve(&normalize(text, cwd)))
        }
        ArgumentKind::Network => {
            let end = Endpoint::parse(text).ok_or(BadArgument::NotHostPort)?;
            let port = end
                .port_number()
                .ok_or_else(|| BadArgument::NotAPort(end.port.to_string()))?;
            Arg::Network {
                host: end.host.to_string(),
                port,
                local: decided_on_local_end(op),
            }
        }
        ArgumentKind::Name | ArgumentKind::None => Arg::Name(text.to_string()),
    })
}

/// An argument as `sblint explain` shows it back: the resolved path, `HOST:PORT`, the name.
pub fn shown(arg: &Arg) -> Option<String> {
    match arg {
        Arg::None => None,
        Arg::Path(p) | Arg::Name(p) | Arg::Socket(p) => Some(p.clone()),
        Arg::Network { host, port, .. } => Some(format!("{host}:{port}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_split_at_the_last_colon_and_lose_their_brackets() {
        let e = Endpoint::parse("[::1]:443").unwrap();
        assert_eq!((e.host, e.port, e.written_host), ("::1", "443", "[::1]"));
        assert_eq!(e.port_number(), Some(443));
        let e = Endpoint::parse("*:*").unwrap();
        assert_eq!((e.host, e.port, e.written_host), ("*", "*", "*"));
        assert_eq!(e.port_number(), None);
        assert_eq!(Endpoint::parse("localhost"), None);
        assert_eq!(
            Endpoint::parse("localhost:70000").unwrap().port_number(),
            None
        );
    }

    #[test]
    fn arguments_follow_the_operation() {
        let cwd = Path::new("/Users/me");
        assert_eq!(
            parse("file-read-data", "../x/./y", cwd),
            Ok(Arg::Path("/Users/x/y".into()))
        );
        assert_eq!(
            parse("file-read-data", "/tmp/a", cwd),
            Ok(Arg::Path("/private/tmp/a".into()))
        );
        assert_eq!(
            parse("network-bind", "[::1]:80", cwd),
            Ok(Arg::Network {
                host: "::1".into(),
                port: 80,
                local: true
            })
        );
        assert_eq!(
            parse("network-outbound", "example.com:https", cwd),
            Err(BadArgument::NotAPort("https".into()))
        );
        assert_eq!(
            parse("network-outbound", "example.com", cwd),
            Err(BadArgument::NotHostPort)
        );
        assert_eq!(
            parse("mach-lookup", "com.apple.x", cwd),
            Ok(Arg::Name("com.apple.x".into()))
        );
        assert_eq!(normalize("/a/../../b", cwd), "/b");
    }

    /// Where simbple's filter categories settled an operation the name's prefix had wrong
    /// (`grammar/operations.tsv`, argument-source).
    #[test]
    fn kinds_come_from_the_table_not_the_name() {
        assert_eq!(arg_kind("authorization-right-obtain"), ArgumentKind::Name);
        assert_eq!(arg_kind("nvram-get"), ArgumentKind::Name);
        assert_eq!(arg_kind("load-unsigned-code"), ArgumentKind::Path);
        assert_eq!(arg_kind("system-privilege"), ArgumentKind::None);
        assert_eq!(arg_kind("mach-priv-host-port"), ArgumentKind::None);
        assert_eq!(arg_kind("process-exec"), ArgumentKind::Path);
        let cwd = Path::new("/");
        assert_eq!(
            parse("network-inbound", "*:88", cwd),
            Ok(Arg::Network {
                host: "*".into(),
                port: 88,
                local: true
            })
        );
    }
}
