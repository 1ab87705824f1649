//! The values of string tokens, decoded as libsandbox's reader (TinyScheme) does.

use std::borrow::Cow;

/// The value of a `"..."` or `#"..."` token's text (quotes included).
///
/// In `"..."` only `\n \t \r \" \\`, octal `\NNN` and `\xNN` are escapes; any other `\c`
/// means `c` (so `"\."` is `"."`: the trap SB206 reports). `#"..."` has no escapes.
pub fn string_value(text: &str) -> Cow<'_, str> {
    if let Some(raw) = text.strip_prefix("#\"") {
        return Cow::Borrowed(raw.strip_suffix('"').unwrap_or(raw));
    }
    let body = text.strip_prefix('"').unwrap_or(text);
    let body = body.strip_suffix('"').unwrap_or(body);
    if !body.contains('\\') {
        return Cow::Borrowed(body);
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            None => {}
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('x') => {
                let mut value = 0u32;
                let mut digits = 0;
                while digits < 2 {
                    match chars.peek().and_then(|c| c.to_digit(16)) {
                        Some(d) => {
                            value = value * 16 + d;
                            chars.next();
                            digits += 1;
                        }
                        None => break,
                    }
                }
                if digits == 0 {
                    out.push('x');
                } else {
                    out.push(char::from_u32(value).unwrap_or('\u{fffd}'));
                }
            }
            Some(d @ '0'..='7') => {
                let mut value = d.to_digit(8).unwrap_or(0);
                let mut digits = 1;
                while digits < 3 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            value = value * 8 + d;
                            chars.next();
                            digits += 1;
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(value).unwrap_or('\u{fffd}'));
            }
            Some(other) => out.push(other),
        }
    }
    Cow::Owned(out)
}

/// The backslash escapes in a `"..."` token that the reader silently drops (`\.`, `\d`, `\/` …):
/// byte offsets within the token text and the escaped character.
pub fn dropped_escapes(text: &str) -> Vec<(usize, char)> {
    let mut found = Vec::new();
    if text.starts_with("#\"") {
        return found;
    }
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if c != '\\' {
            continue;
        }
        if let Some((_, next)) = iter.next() {
            if !matches!(next, 'n' | 't' | 'r' | '"' | '\\' | 'x' | '0'..='7') {
                found.push((i, next));
            }
        }
    }
    found
}

/// A string as a `"..."` token that reads back as the same text.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_tinyscheme() {
        assert_eq!(string_value(r#""a\nb""#), "a\nb");
        assert_eq!(string_value(r#""\.""#), ".");
        assert_eq!(string_value(r#""\x41\101\"""#), "AA\"");
        assert_eq!(string_value(r##"#"^/x\.y""##), r"^/x\.y");
        assert_eq!(dropped_escapes(r#""^/x\.y\n""#), vec![(4, '.')]);
    }
}
