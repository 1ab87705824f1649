//! SBPL regexes (POSIX-ERE-like, unanchored unless `^`/`$` say otherwise): validation with a
//! position, and matching for coverage and `explain`.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Checks a regex; the error names the position inside the regex.
pub fn check(pattern: &str) -> Result<(), String> {
    let mut parser = regex_syntax::ast::parse::Parser::new();
    match parser.parse(pattern) {
        Ok(_) => Ok(()),
        Err(err) => {
            let at = err.span().start.offset;
            let column = pattern[..at.min(pattern.len())].chars().count() + 1;
            Err(format!(
                "invalid regex at character {column}: {}",
                err.kind()
            ))
        }
    }
}

/// Whether `pattern` matches `text`; `None` when the pattern cannot be compiled.
pub fn matches(pattern: &str, text: &str) -> Option<bool> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<regex::Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache.lock().ok()?;
    if cache.len() > 4096 {
        cache.clear();
    }
    let compiled = cache
        .entry(pattern.to_string())
        .or_insert_with(|| regex::Regex::new(pattern).ok());
    compiled.as_ref().map(|r| r.is_match(text))
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
        assert!(err.contains("character 7"), "{err}");
        assert!(looks_like_glob("^/usr/lib/*"));
        assert!(!looks_like_glob(r"^/usr/lib/.*"));
        assert_eq!(matches("^/private/tmp/", "/private/tmp/x"), Some(true));
    }
}
