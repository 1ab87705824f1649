//! Denials that touch credentials (kept denied unless `--allow-secrets`), and what a
//! proposed filter opens beyond the denials it answers.

use super::filter::{checked_path, is_network_operation, name_filter, takes_path};
use super::Finding;
use crate::model::paths;

/// Paths that hold credentials: (what, matcher on the resolved path).
const SECRET_PATHS: &[(&str, &str)] = &[
    ("SSH keys", "/.ssh/"),
    ("AWS credentials", "/.aws/"),
    ("GnuPG keys", "/.gnupg/"),
    ("keychains", "/Library/Keychains/"),
    ("Docker credentials", "/.docker/config.json"),
    ("Kubernetes credentials", "/.kube/"),
    ("GitHub CLI token", "/.config/gh/"),
    ("netrc credentials", "/.netrc"),
    ("git credentials", "/.git-credentials"),
    ("npm token", "/.npmrc"),
    ("PyPI token", "/.pypirc"),
    (
        "browser profile",
        "/Library/Application Support/Google/Chrome/",
    ),
    ("browser profile", "/Library/Application Support/Firefox/"),
    ("browser profile", "/Library/Safari/"),
    ("browser cookies", "/Library/Cookies/"),
];

/// Mach services that hand out keychain items (nolabs-ai/nono#620).
const SECRET_SERVICES: &[&str] = &[
    "com.apple.SecurityServer",
    "com.apple.security.keychaind",
    "com.apple.secd",
    "com.apple.security.agent",
];

/// Why a denial touches a secret, if it does.
pub fn secret(operation: &str, argument: Option<&str>) -> Option<&'static str> {
    let arg = argument?;
    if takes_path(operation, arg) {
        let path = checked_path(operation, arg).unwrap_or_else(|| paths::resolve(arg));
        let name = path.rsplit('/').next().unwrap_or("");
        if name == ".env" || name.starts_with(".env.") {
            return Some(".env file");
        }
        // An ssh-agent socket: SSH keys by proxy (eugene1g/agent-safehouse#36, #138).
        if is_network_operation(operation)
            && (path.contains("/.ssh/")
                || path.contains("com.apple.launchd.") && path.ends_with("/Listeners"))
        {
            return Some("ssh-agent socket");
        }
        let dir = format!("{path}/");
        return SECRET_PATHS
            .iter()
            .find(|(_, m)| dir.contains(m) || path.ends_with(m.trim_end_matches('/')))
            .map(|(what, _)| *what);
    }
    let mach_service = name_filter(operation) == Some("global-name");
    if mach_service && SECRET_SERVICES.contains(&arg) {
        return Some("keychain service");
    }
    None
}

/// A subtree that holds credentials when a rule opens all of it: a home directory, an
/// ancestor of one, or a directory inside a home that one of [`SECRET_PATHS`] lies in
/// (`~/Library` holds the keychains). What it holds, if anything.
pub fn subtree_secret(dir: &str) -> Option<&'static str> {
    let dir = paths::resolve(dir);
    let dir = dir.trim_end_matches('/');
    if dir.is_empty() || dir == "/Users" {
        return Some("every user's SSH keys, credentials and keychains");
    }
    let rest = dir.strip_prefix("/Users/")?;
    let within = rest.split_once('/').map_or("", |(_, w)| w);
    if within.is_empty() {
        return Some("the home's SSH keys, credentials and keychains");
    }
    let inside = format!("/{within}/");
    SECRET_PATHS
        .iter()
        .find(|(_, m)| m.starts_with(&inside) || inside.starts_with(m))
        .map(|(what, _)| *what)
}

/// What a proposed filter opens beyond the denials it answers, when that is more than a
/// reader of the proposal would guess: a `remote ip` with host `*` opens the port on every
/// host (SBPL names no host but `*` and `localhost`: the seed post, and libsandbox refuses
/// others, SB105), and a generalised `subpath` may take in a subtree that holds secrets.
pub fn filter_risk(filter: &str, answers: &[usize], findings: &[Finding]) -> Option<String> {
    if let Some(address) = filter
        .strip_prefix("(remote ip \"*:")
        .and_then(|rest| rest.strip_suffix("\")"))
    {
        let mut hosts: Vec<&str> = answers
            .iter()
            .filter_map(|&i| findings[i].argument.as_deref())
            .collect();
        hosts.dedup();
        let port = if address == "*" {
            "every port".to_string()
        } else {
            format!("port {address}")
        };
        return Some(format!(
            "opens {port} on every host, not only {}: SBPL cannot name a host (only `*` or `localhost`); to reach one host, run a proxy on localhost and allow `(remote ip \"localhost:PROXY_PORT\")` instead",
            hosts.join(", ")
        ));
    }
    let dir = filter
        .strip_prefix("(subpath \"")
        .and_then(|rest| rest.strip_suffix("\")"))?;
    let what = subtree_secret(dir)?;
    Some(format!(
        "generalises {} denied path{} to all of `{dir}`, which holds {what}: `--generalize 0` keeps one literal per path",
        answers.len(),
        if answers.len() == 1 { "" } else { "s" }
    ))
}
