//! The finite set of endpoints a network operation is decided on.

use super::super::paths;
use super::super::precedence::Arg;
use super::super::rule::{Filter, FilterValue, PathPattern, Port, Rule};
use super::super::vocab::{vocabulary, OpId};
use super::arguments::{local_end, normalize};
use super::Entry;

const HOSTS: [&str; 4] = ["127.0.0.1", "::1", "93.184.215.14", "2606:2800:21f:cb07::1"];

/// The endpoints a network operation is decided on: loopback and non-local addresses of
/// both families, each with every port the rules or `entries` name and one other; every
/// host an entry names; then the unix sockets the rules (literal paths) or `entries` name,
/// and one other ([`OTHER_SOCKET`]). Every rule's network, socket and address filters give each host
/// of the same family and locality the same truth, and each port not named the same
/// truth, so these tell every decision apart.
pub fn endpoints<'e>(
    rules: &[Rule],
    op: OpId,
    entries: impl Iterator<Item = &'e Entry>,
) -> Vec<(String, Arg)> {
    endpoints_of(&[rules], op, entries)
}

/// [`endpoints`] for several profiles at once: every port any of them names, and one
/// none of them does.
pub fn endpoints_of<'e>(
    profiles: &[&[Rule]],
    op: OpId,
    entries: impl Iterator<Item = &'e Entry>,
) -> Vec<(String, Arg)> {
    let local = local_end(&vocabulary().operation(op).name);
    let chain = vocabulary().chain(op);
    // The leaves of the rules on the chain of `op`.
    let leaves = || {
        profiles
            .iter()
            .flat_map(|r| r.iter())
            .filter(|rule| chain.iter().any(|&l| rule.names(l)))
            .flat_map(|rule| rule.filter.iter().flat_map(|f| f.leaves()))
    };
    let mut ports: Vec<u16> = leaves().filter_map(port_of).collect();
    let mut sockets: Vec<String> = leaves().filter_map(socket_of).collect();
    let mut hosts: Vec<String> = HOSTS.iter().map(|h| h.to_string()).collect();
    for e in entries {
        if let Entry::Socket(p) = e {
            sockets.push(p.clone());
        }
        if let Entry::Endpoint { host, port } = e {
            ports.extend(*port);
            if let Some(h) = host {
                if h != "localhost" && !hosts.contains(h) {
                    hosts.push(h.clone());
                }
            }
        }
    }
    ports.sort_unstable();
    ports.dedup();
    if let Some(other) = [443u16, 80, 8080, 1]
        .into_iter()
        .chain(2..=u16::MAX)
        .find(|p| ports.binary_search(p).is_err())
    {
        ports.push(other);
        ports.sort_unstable();
    }
    let mut out = on_hosts(&hosts, &ports, local);
    if !local {
        sockets.push(OTHER_SOCKET.to_string());
        sockets.sort_unstable();
        sockets.dedup();
        out.extend(sockets.into_iter().map(|p| (p.clone(), Arg::Socket(p))));
    }
    out
}

/// The port number a network leaf names.
fn port_of(leaf: &Filter) -> Option<u16> {
    match &leaf.value {
        FilterValue::Network(a) => match a.port {
            Port::Number(p) => Some(p),
            Port::Any => None,
        },
        _ => None,
    }
}

/// The unix socket a path leaf or a network leaf's socket names literally, as explain
/// reads a socket: normalized and resolved (`(subpath "/a/")` names the socket `/a`,
/// whose match is unverified).
fn socket_of(leaf: &Filter) -> Option<String> {
    let pattern = match &leaf.value {
        FilterValue::Path(p) => Some(p),
        FilterValue::Network(a) => a.socket.as_ref().map(|s| &s.1),
        _ => None,
    };
    match pattern {
        Some(PathPattern::Literal(p) | PathPattern::Subpath(p)) => {
            Some(paths::resolve(&normalize(p)))
        }
        _ => None,
    }
}

/// Every host with every port, as `explain` takes them.
fn on_hosts(hosts: &[String], ports: &[u16], local: bool) -> Vec<(String, Arg)> {
    let mut out = Vec::new();
    for host in hosts {
        for &port in ports {
            let text = if host.contains(':') {
                format!("[{host}]:{port}")
            } else {
                format!("{host}:{port}")
            };
            out.push((
                text,
                Arg::Network {
                    host: host.clone(),
                    port,
                    local,
                },
            ));
        }
    }
    out
}

/// A unix socket no profile names: every decision about sockets nothing names is made here.
pub const OTHER_SOCKET: &str = "/private/tmp/other.sock";

pub(super) fn endpoint_in(entry: &Entry, arg: &Arg) -> bool {
    if let (Entry::Socket(p), Arg::Socket(x)) = (entry, arg) {
        return p == x;
    }
    let (
        Entry::Endpoint { host, port },
        Arg::Network {
            host: h, port: p, ..
        },
    ) = (entry, arg)
    else {
        return false;
    };
    let host_ok = match host.as_deref() {
        None => true,
        Some("localhost") => h
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        Some(x) => x == h,
    };
    host_ok && port.is_none_or(|x| x == *p)
}
