//! SBPL regexes (POSIX-ERE-like, unanchored unless `^`/`$` say otherwise): validation with a
//! position, and matching for coverage and `explain`.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Checks a regex; the error names the position inside the regex.
pub fn check(pattern: &str) -> Result<(), String> {
    if plainly_valid(pattern) {
        return Ok(());
    }
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

/// True for regexes made only of constructs that are always valid: literals, `.`, escaped
/// metacharacters, simple bracket classes, `*`/`+`/`?` after an atom, a leading `^` and a
/// trailing `$`. Most profile regexes are; they skip the full parse (a large profile has
/// tens of thousands). Anything else is left to the parser.
fn plainly_valid(pattern: &str) -> bool {
    const META: &[u8] = b"\\.+*?()|[]{}^$";
    let bytes = pattern.as_bytes();
    let body = bytes.strip_prefix(b"^").unwrap_or(bytes);
    let body = match body.strip_suffix(b"$") {
        Some(b) if !b.ends_with(b"\\") => b,
        _ => body,
    };
    let mut i = 0;
    // Whether the previous item can take a quantifier.
    let mut atom = false;
    while i < body.len() {
        match body[i] {
            b'\\' => match body.get(i + 1) {
                Some(c) if META.contains(c) || *c == b'-' => {
                    i += 2;
                    atom = true;
                }
                _ => return false,
            },
            b'[' => {
                let mut j = i + 1;
                if body.get(j) == Some(&b'^') {
                    j += 1;
                }
                let start = j;
                while j < body.len() && body[j] != b']' {
                    let c = body[j];
                    let range_ok = c == b'-'
                        && j > start
                        && body.get(j + 1).is_some_and(|&next| {
                            next != b']'
                                && body[j - 1].is_ascii_alphanumeric()
                                && next.is_ascii_alphanumeric()
                                && body[j - 1] <= next
                                && body[j - 1].is_ascii_digit() == next.is_ascii_digit()
                        });
                    if !(c.is_ascii_alphanumeric()
                        || b"/_.~@:,=%#!'\" ;&<> ".contains(&c)
                        || range_ok)
                    {
                        return false;
                    }
                    j += 1;
                }
                if j == start || j >= body.len() {
                    return false;
                }
                i = j + 1;
                atom = true;
            }
            b'*' | b'+' | b'?' => {
                if !atom {
                    return false;
                }
                i += 1;
                atom = false;
            }
            b'(' | b')' | b'|' | b'{' | b'}' | b'^' | b'$' | b']' => return false,
            c if c.is_ascii_control() => return false,
            _ => {
                i += 1;
                atom = true;
            }
        }
    }
    true
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
        assert!(plainly_valid(r"^/Users/[^/]+/Library/Caches/gen1/.*\.db$"));
        assert!(!plainly_valid(r"^/usr/(lib"));
        assert!(!plainly_valid("[z-a]"));
    }

    proptest::proptest! {
        /// The shortcut never accepts what the full parser rejects.
        #[test]
        fn plainly_valid_regexes_parse(pattern in r"[\^$.*+?()\[\]{}|\\a-z0-9/_-]{0,12}") {
            if plainly_valid(&pattern) {
                let parsed = regex_syntax::ast::parse::Parser::new().parse(&pattern);
                proptest::prop_assert!(parsed.is_ok(), "{pattern}: {parsed:?}");
            }
        }
    }
}
