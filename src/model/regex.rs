//! SBPL regexes, read as Apple's dialect (AppleMatch, [`super::applematch`]): validation
//! with a position, the dialect's warnings, and matching for coverage and `explain`.
//! Unanchored unless `^`/`$` say otherwise.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::applematch::{self, Matcher, Verdict};

/// A regex libsandbox refuses: where in it (by character, from 1) and what the dialect
/// allows instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid regex at character {column}: {message}")]
pub struct InvalidRegex {
    pub column: usize,
    pub message: String,
}

/// Checks a regex. Only what makes libsandbox refuse the profile is an error.
pub fn check(pattern: &str) -> Result<(), InvalidRegex> {
    match &report(pattern).error {
        None => Ok(()),
        Some(p) => {
            let at = p.span.start.min(pattern.len());
            Err(InvalidRegex {
                column: pattern.get(..at).map_or(at, |s| s.chars().count()) + 1,
                message: p.message.clone(),
            })
        }
    }
}

/// The dialect's warnings about a regex (never matches, unverified), with their spans in
/// the regex text.
pub fn warnings(pattern: &str) -> Vec<applematch::Problem> {
    report(pattern).warnings.clone()
}

/// The dialect's report on a regex, computed once per pattern (the model and the lints
/// both ask).
pub fn report(pattern: &str) -> Arc<applematch::Report> {
    static EMPTY: OnceLock<Arc<applematch::Report>> = OnceLock::new();
    if applematch::plainly_supported(pattern.as_bytes()) {
        return EMPTY.get_or_init(Default::default).clone();
    }
    type Cache = HashMap<String, Arc<applematch::Report>>;
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(found) = cache.lock().ok().and_then(|c| c.get(pattern).cloned()) {
        return found;
    }
    let computed = Arc::new(applematch::check(pattern.as_bytes()));
    if let Ok(mut cache) = cache.lock() {
        if cache.len() > 4096 {
            cache.clear();
        }
        cache.insert(pattern.to_string(), computed.clone());
    }
    computed
}

fn matcher(pattern: &str) -> Option<Arc<Matcher>> {
    type Cache = HashMap<String, Option<Arc<Matcher>>>;
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(found) = cache.lock().ok()?.get(pattern) {
        return found.clone();
    }
    let compiled = Matcher::new(pattern.as_bytes()).map(Arc::new);
    let mut cache = cache.lock().ok()?;
    if cache.len() > 4096 {
        cache.clear();
    }
    cache.insert(pattern.to_string(), compiled.clone());
    compiled
}

/// Whether `pattern` matches `text`, as libsandbox would decide it. `Verdict::Unverified`
/// when the answer depends on a construct whose meaning is not recorded, or the regex is
/// refused (the profile does not load) or beyond sblint's bounds.
pub fn verdict(pattern: &str, text: &str) -> Verdict {
    matcher(pattern).map_or(Verdict::Unverified, |m| m.verdict(text.as_bytes()))
}

/// True when every construct of `pattern` has a known meaning (no match of it is ever
/// unverified); false for a regex the dialect refuses or beyond sblint's bounds.
pub fn is_exact(pattern: &str) -> bool {
    applematch::plainly_supported(pattern.as_bytes())
        || matcher(pattern).is_some_and(|m| m.is_exact())
}

/// The compiled regex (cached), for the set analysis; `None` when the dialect refuses it
/// or it is beyond sblint's bounds.
pub fn compiled(pattern: &str) -> Option<Arc<Matcher>> {
    matcher(pattern)
}

/// Whether `pattern` matches `text`; `None` when that is not known (see [`verdict`]).
pub fn matches(pattern: &str, text: &str) -> Option<bool> {
    match verdict(pattern, text) {
        Verdict::Match => Some(true),
        Verdict::NoMatch => Some(false),
        Verdict::Unverified => None,
    }
}

/// The literal text every match must start with, for a regex anchored with `^`
/// (`^/usr/lib/` → `/usr/lib/`): the plain bytes after the `^`, up to the first operator,
/// without a last byte that a quantifier makes optional. `None` when the regex is not
/// anchored, or its top level is an alternation (`^/a|/b` requires no start).
pub fn literal_prefix(pattern: &str) -> Option<&str> {
    let body = pattern.strip_prefix('^')?;
    let bytes = body.as_bytes();
    // An unescaped `|` outside groups and classes makes the `^` belong to one branch only.
    let (mut depth, mut i, mut class) = (0usize, 0usize, false);
    let alternation = memchr::memchr(b'|', bytes).is_some();
    while alternation && i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b']' if class => class = false,
            b'[' if !class => {
                class = true;
                // A `]` first in a class is a byte of it.
                if bytes.get(i + 1) == Some(&b'^') {
                    i += 1;
                }
                if bytes.get(i + 1) == Some(&b']') {
                    i += 1;
                }
            }
            b'(' if !class => depth += 1,
            b')' if !class => depth = depth.saturating_sub(1),
            b'|' if !class && depth == 0 => return None,
            _ => {}
        }
        i += 1;
    }
    let end = body
        .find(|c: char| "\\.[](){}*+?|$^".contains(c) || !c.is_ascii_graphic() && c != ' ')
        .unwrap_or(body.len());
    // A quantifier applies to the byte before it, which is then not required.
    let end = match body[end..].chars().next() {
        Some('*' | '?' | '{') => end.saturating_sub(1),
        _ => end,
    };
    Some(&body[..end])
}

/// A regex that looks like a shell glob: `^/usr/lib/*` means "`/usr/lib` followed by any
/// number of `/`", not "everything under `/usr/lib`".
pub fn looks_like_glob(pattern: &str) -> bool {
    let bytes = pattern.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        b == b'*' && i > 0 && bytes[i - 1] == b'/' && (i < 2 || bytes[i - 2] != b'\\')
    }) || pattern.contains("**")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_globs() {
        assert!(check(r"^/usr/lib/.*\.dylib$").is_ok());
        let err = check(r"^/usr/(lib").unwrap_err();
        assert_eq!(err.column, 7, "{err}");
        assert!(err.to_string().contains("character 7"), "{err}");
        assert!(looks_like_glob("^/usr/lib/*"));
        assert!(!looks_like_glob(r"^/usr/lib/.*"));
        assert_eq!(matches("^/private/tmp/", "/private/tmp/x"), Some(true));
    }

    #[test]
    fn the_recorded_outcomes() {
        // orbit#495: `(?i)` then `^` is refused.
        let err = check("(?i)^/Users/me/.*\\.db$").unwrap_err();
        assert_eq!(err.column, 5, "{err}");
        assert!(err.message.contains("middle of expression"), "{err}");
        // nono#1763: `(?:` loads and never matches.
        let r = r"^/private/tmp/poc/(?:.*/)?\.env$";
        assert!(check(r).is_ok());
        assert_eq!(matches(r, "/private/tmp/poc/deep/.env"), Some(false));
        let fixed = r"^/private/tmp/poc/(.*/)?\.env$";
        assert_eq!(matches(fixed, "/private/tmp/poc/deep/.env"), Some(true));
        assert_eq!(warnings(r).len(), 1);
    }

    #[test]
    fn unverified_constructs_decide_only_what_they_cannot_change() {
        // `\d` is unverified: no match is claimed, but a text that fails the known part fails.
        assert_eq!(matches(r"^/tmp/\d+$", "/tmp/12"), None);
        assert_eq!(matches(r"^/tmp/\d+$", "/var/12"), Some(false));
        // Apple's own `{16}` is known.
        let k = "/Library/Keychains/~[-A-Za-z0-9_]{16}$";
        assert_eq!(
            matches(k, "/Library/Keychains/~0123456789abcdef"),
            Some(true)
        );
        assert_eq!(
            matches(k, "/Library/Keychains/~0123456789abcde"),
            Some(false)
        );
    }

    #[test]
    fn literal_prefixes() {
        assert_eq!(literal_prefix("^/usr/lib/.*"), Some("/usr/lib/"));
        assert_eq!(literal_prefix("^/usr/libx*"), Some("/usr/lib"));
        assert_eq!(literal_prefix("^/a|/b"), None);
        assert_eq!(literal_prefix("^/a(/|$)"), Some("/a"));
        assert_eq!(literal_prefix("^/a[|]b"), Some("/a"));
        assert_eq!(literal_prefix("/a"), None);
    }
}
