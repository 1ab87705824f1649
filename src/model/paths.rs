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

/// The path the kernel checks, when it is not `path` itself.
pub fn resolved(path: &str) -> Option<String> {
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
    fn the_quick_rejection_lets_every_link_through() {
        for link in PRIVATE_LINKS.iter().chain([&DATA_VOLUME]) {
            assert!(resolved(&format!("{link}/x")).is_some(), "{link}");
        }
        assert_eq!(resolved("/usr/lib"), None);
    }
}
