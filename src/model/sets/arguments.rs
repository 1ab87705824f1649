//! What a set question is about and what its answer means as a point: the entries of an
//! assertion's `within` / `except` ([`Entry`], [`parse_entry`]) and the point argument
//! `sblint explain` makes of a witness ([`argument`]).

use super::super::argument::{self, Endpoint};
use super::super::paths;
use super::super::precedence::{arg_kind, Arg, ArgumentKind};
use super::super::vocab::{vocabulary, OpId};

/// One item of an assertion's `within` / `except`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Entry {
    /// Exactly this (resolved) path.
    Path(String),
    /// `PATH/**`: it and everything under it.
    Tree(String),
    /// Exactly this name.
    Name(String),
    /// `prefix*`
    NamePrefix(String),
    /// `HOST:PORT`, `None` = `*`; `localhost` = loopback.
    Endpoint {
        host: Option<String>,
        port: Option<u16>,
    },
    /// A unix socket of a network operation, by its (resolved) path.
    Socket(String),
}

impl std::fmt::Display for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Entry::Path(p) | Entry::Name(p) | Entry::Socket(p) => f.write_str(p),
            Entry::Tree(p) if p == "/" => f.write_str("/**"),
            Entry::Tree(p) => write!(f, "{p}/**"),
            Entry::NamePrefix(p) => write!(f, "{p}*"),
            Entry::Endpoint { host, port } => {
                let host = host.as_deref().unwrap_or("*");
                let host = if host.contains(':') {
                    format!("[{host}]")
                } else {
                    host.to_string()
                };
                match port {
                    Some(p) => write!(f, "{host}:{p}"),
                    None => write!(f, "{host}:*"),
                }
            }
        }
    }
}

/// Why an entry of `within` / `except` does not fit its operation.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("`{0}` is not an absolute path: write `/PATH` (exactly that path) or `/PATH/**` (it and everything under it)")]
    NotAbsolute(String),
    #[error("`{0}`: only a trailing `/**` is a pattern (it and everything under it); write `/PATH` or `/PATH/**`")]
    Pattern(String),
    #[error("an empty name: write `name` or `prefix*`")]
    EmptyName,
    #[error("`{0}` is not HOST:PORT: write `HOST:PORT` with `*` for either part (`localhost:*`, `*:443`), or a unix socket's absolute path")]
    NotEndpoint(String),
    /// The operation takes no argument.
    #[error("`{0}` takes no argument: leave out `within` and `except`")]
    NoArgument(String),
}

/// Parses an entry of `within` / `except` for `op`: `PATH`, `PATH/**`, `HOST:PORT` (`*` for
/// either part), `name`, `prefix*`.
pub fn parse_entry(op: OpId, text: &str) -> Result<Entry, EntryError> {
    let name = &vocabulary().operation(op).name;
    match arg_kind(name) {
        ArgumentKind::Path => {
            if !text.starts_with('/') {
                return Err(EntryError::NotAbsolute(text.to_string()));
            }
            if let Some(base) = text.strip_suffix("/**") {
                let base = if base.is_empty() { "/" } else { base };
                Ok(Entry::Tree(paths::resolve(&normalize(base))))
            } else if text.ends_with("/*") || text.contains("/**/") {
                Err(EntryError::Pattern(text.to_string()))
            } else {
                Ok(Entry::Path(paths::resolve(&normalize(text))))
            }
        }
        ArgumentKind::Name => {
            if text.is_empty() {
                return Err(EntryError::EmptyName);
            }
            Ok(match text.strip_suffix('*') {
                Some(p) => Entry::NamePrefix(p.to_string()),
                None => Entry::Name(text.to_string()),
            })
        }
        ArgumentKind::Network => {
            if text.starts_with('/') {
                return Ok(Entry::Socket(paths::resolve(&normalize(text))));
            }
            let bad = || EntryError::NotEndpoint(text.to_string());
            let Endpoint { host, port, .. } = Endpoint::parse(text).ok_or_else(bad)?;
            if host.is_empty() {
                return Err(bad());
            }
            let host = (host != "*").then(|| host.to_string());
            let port = match port {
                "*" => None,
                p => Some(p.parse::<u16>().map_err(|_| bad())?),
            };
            Ok(Entry::Endpoint { host, port })
        }
        ArgumentKind::None => Err(EntryError::NoArgument(name.clone())),
    }
}

/// `/a/./b/../c` → `/a/c`, lexically (an absolute path).
pub(super) fn normalize(path: &str) -> String {
    argument::normalize(path, std::path::Path::new("/"))
}

/// The point argument `sblint explain` makes of a witness.
pub fn argument(op: OpId, witness: Option<&str>) -> Arg {
    let name = &vocabulary().operation(op).name;
    let Some(text) = witness else {
        return Arg::None;
    };
    match argument::parse(name, text, std::path::Path::new("/")) {
        // A witness is already the path the kernel checks.
        Ok(Arg::Path(_)) => Arg::Path(text.to_string()),
        Ok(arg) => arg,
        // Not `HOST:PORT` (the sets never give such a witness): asked about on port 0.
        Err(_) => {
            let end = Endpoint::parse(text);
            Arg::Network {
                host: end
                    .map_or(argument::unbracketed(text), |e| e.host)
                    .to_string(),
                port: end.and_then(|e| e.port_number()).unwrap_or(0),
                local: local_end(name),
            }
        }
    }
}

pub(super) fn local_end(op: &str) -> bool {
    argument::decided_on_local_end(op)
}
