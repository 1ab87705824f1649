//! Path facts: what the kernel matches, and how a written path relates to it.

/// Directories that are symlinks into `/private`: the kernel checks the resolved path.
pub const PRIVATE_LINKS: &[&str] = &["/tmp", "/var", "/etc"];

/// The firmlinked data volume: paths spelled through it match nothing.
pub const DATA_VOLUME: &str = "/System/Volumes/Data";

/// The symlink a path written through `/tmp`, `/var` or `/etc` goes through, when the
/// path is below it (the link itself is checked as written). Resolving it needs
/// `file-read-metadata` on the link: observed on macOS 14.4.1, reading `/var/tmp/x` was
/// denied with `/private/var/tmp/x` allowed until the profile allowed the metadata of
/// `/var` (Protonk/SANDBOX_LORE `book/experiments/vfs-canonicalization/`; that the link's
/// metadata is what is checked is the reading that fits every run, not a documented fact).
pub fn traversed_link(path: &str) -> Option<&'static str> {
    PRIVATE_LINKS
        .iter()
        .copied()
        .find(|link| path.len() > link.len() && under(path, link))
}

/// The path as the kernel sees it: `/tmp/x` → `/private/tmp/x`,
/// `/System/Volumes/Data/Users/x` → `/Users/x`.
pub fn resolve(path: &str) -> String {
    resolved(path).unwrap_or_else(|| path.to_string())
}

/// The path the kernel checks, when it is not `path` itself: `.` and `..` resolved (a
/// literal with `..` never matches: SANDBOX_LORE runtime-adversarial, path_edges), then
/// the links into `/private` and the data volume.
pub fn resolved(path: &str) -> Option<String> {
    match without_dots(path) {
        Some(clean) => Some(linked(&clean).unwrap_or(clean)),
        None => linked(path),
    }
}

/// `path` with its `.` and `..` components resolved, when it has any (`..` at `/` stays
/// at `/`); a trailing `/` is kept.
pub fn without_dots(path: &str) -> Option<String> {
    if !path.starts_with('/')
        || !path
            .split('/')
            .any(|component| component == "." || component == "..")
    {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for component in path.split('/').filter(|c| !c.is_empty()) {
        match component {
            "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let mut out = format!("/{}", parts.join("/"));
    if path.ends_with('/') && out.len() > 1 {
        out.push('/');
    }
    Some(out)
}

/// The path through a link into `/private` or the data volume, resolved.
fn linked(path: &str) -> Option<String> {
    // Every link and the data volume start `/t`, `/v`, `/e` or `/S`: most paths stop here.
    if !matches!(path.as_bytes(), [b'/', b't' | b'v' | b'e' | b'S', ..]) {
        return None;
    }
    for link in PRIVATE_LINKS {
        if under(path, link) {
            return Some(format!("/private{path}"));
        }
    }
    let rest = path.strip_prefix(DATA_VOLUME)?;
    if rest.is_empty() {
        Some("/".into())
    } else {
        rest.starts_with('/').then(|| rest.to_string())
    }
}

/// True when `path` is `dir` or below it, at a component boundary.
pub fn under(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    if dir.is_empty() {
        return path.starts_with('/');
    }
    path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution() {
        assert_eq!(resolve("/tmp/x"), "/private/tmp/x");
        assert_eq!(resolve("/tmpx"), "/tmpx");
        assert_eq!(resolve("/System/Volumes/Data/Users/me"), "/Users/me");
        assert!(under("/a/b", "/a"));
        assert!(!under("/ab", "/a"));
        assert!(under("/anything", "/"));
    }

    #[test]
    fn dots_are_resolved_before_the_links() {
        assert_eq!(
            resolved("/tmp/runtime-adv/edges/okdir/../blocked.txt").as_deref(),
            Some("/private/tmp/runtime-adv/edges/blocked.txt")
        );
        assert_eq!(
            resolved("/private/tmp/a/./b/../c").as_deref(),
            Some("/private/tmp/a/c")
        );
        assert_eq!(resolved("/Users/me/../..").as_deref(), Some("/"));
        assert_eq!(resolved("/tmp/x/../").as_deref(), Some("/private/tmp/"));
        assert_eq!(resolved("/usr/lib/..x"), None);
        assert_eq!(resolved("relative/../x"), None);
    }

    #[test]
    fn the_quick_rejection_lets_every_link_through() {
        for link in PRIVATE_LINKS.iter().chain([&DATA_VOLUME]) {
            assert!(resolved(&format!("{link}/x")).is_some(), "{link}");
        }
        assert_eq!(resolved("/usr/lib"), None);
    }
}
