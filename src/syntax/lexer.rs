//! The lexer: nom parsers for each token, dispatched on the first byte.
//!
//! Every token kind is a nom parser but `#| … |#`, whose nesting is counted in a loop
//! (a recursive parser would let `#|#|#|…` overflow the stack).
//!
//! It never fails: bytes it cannot read become [`TokenKind::Error`] tokens with a
//! [`SyntaxError`] beside them, so the token stream always covers the whole input.

use nom::branch::alt;
use nom::bytes::complete::{is_not, tag, take_till, take_till1, take_while1};
use nom::character::complete::{anychar, char as ch, digit1, hex_digit1, oct_digit1, one_of};
use nom::combinator::{all_consuming, not, opt, recognize};
use nom::multi::{many0_count, many1_count};
use nom::sequence::{preceded, terminated};
use nom::{IResult, Parser};

use super::error::{SyntaxError, SyntaxErrorKind};
use super::token::{Span, TokenKind, Tokens};

/// Directives of the C preprocessor that WebKit's `.sb.in` templates carry.
const PREPROCESSOR_DIRECTIVES: &[&str] = &[
    "if", "ifdef", "ifndef", "elif", "else", "endif", "include", "import", "define", "undef",
    "pragma", "error", "warning", "line",
];

pub struct Lexed {
    pub tokens: Tokens,
    pub errors: Vec<SyntaxError>,
}

/// Splits `text` into tokens that cover every byte.
pub fn lex(text: &str) -> Lexed {
    let mut lexer = Lexer {
        text,
        pos: 0,
        tokens: Tokens::with_capacity(text.len() / 4 + 1),
        errors: Vec::new(),
        at_line_start: true,
        preprocessor: Vec::new(),
        explained_hash: false,
    };
    lexer.run();
    lexer.finish_preprocessor();
    Lexed {
        tokens: lexer.tokens,
        errors: lexer.errors,
    }
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    tokens: Tokens,
    errors: Vec<SyntaxError>,
    /// Only whitespace since the last newline: where a preprocessor line may start.
    at_line_start: bool,
    preprocessor: Vec<(Span, &'a str)>,
    /// The note on what may follow `#` is given once per file.
    explained_hash: bool,
}

impl<'a> Lexer<'a> {
    fn run(&mut self) {
        if self.pos == 0 && self.text.starts_with('\u{feff}') {
            self.push(TokenKind::Bom, 3);
        }
        while self.pos < self.text.len() {
            let rest = &self.text[self.pos..];
            let (kind, len) = self.next_token(rest);
            debug_assert!(len > 0, "the lexer must make progress");
            self.push(kind, len);
            self.at_line_start = match kind {
                TokenKind::Newline | TokenKind::Preprocessor => true,
                TokenKind::Whitespace => self.at_line_start,
                _ => false,
            };
        }
    }

    fn push(&mut self, kind: TokenKind, len: usize) {
        self.pos += len;
        self.tokens.push(kind, len as u32);
    }

    fn span(&self, len: usize) -> Span {
        Span::new(self.pos as u32, (self.pos + len) as u32)
    }

    fn error(&mut self, error: SyntaxError) {
        self.errors.push(error);
    }

    fn next_token(&mut self, rest: &'a str) -> (TokenKind, usize) {
        let bytes = rest.as_bytes();
        match bytes[0] {
            b'(' => (TokenKind::LParen, 1),
            b')' => (TokenKind::RParen, 1),
            b'[' => (TokenKind::LBracket, 1),
            b']' => (TokenKind::RBracket, 1),
            b'\'' => (TokenKind::Quote, 1),
            b'`' => (TokenKind::Quasiquote, 1),
            b',' if bytes.get(1) == Some(&b'@') => (TokenKind::UnquoteSplicing, 2),
            b',' => (TokenKind::Unquote, 1),
            b'\n' => (TokenKind::Newline, 1),
            b'\r' if bytes.get(1) == Some(&b'\n') => (TokenKind::Newline, 2),
            b' ' | b'\t' | b'\r' | b'\x0b' | b'\x0c' => (TokenKind::Whitespace, whitespace(rest)),
            b';' => (TokenKind::LineComment, line_comment(rest)),
            b'"' => self.string(rest),
            b'#' => self.hash(rest),
            0 => {
                self.error(
                    SyntaxError::new(
                        SyntaxErrorKind::NulByte,
                        self.span(1),
                        "NUL byte in the profile",
                        "a NUL byte here",
                    )
                    .with_note("a profile is text; libsandbox stops reading at a NUL byte"),
                );
                (TokenKind::Error, 1)
            }
            _ => self.atom(rest),
        }
    }

    fn string(&mut self, rest: &str) -> (TokenKind, usize) {
        match string_len(rest) {
            Some(len) => (TokenKind::String, len),
            None => {
                self.error(unterminated(
                    SyntaxErrorKind::UnterminatedString,
                    self.span(1),
                    "unterminated string",
                    "this string is never closed",
                ));
                (TokenKind::String, rest.len())
            }
        }
    }

    fn hash(&mut self, rest: &'a str) -> (TokenKind, usize) {
        if self.at_line_start {
            if let Some(len) = self.preprocessor_line(rest) {
                return (TokenKind::Preprocessor, len);
            }
        }
        let bytes = rest.as_bytes();
        match bytes.get(1) {
            Some(b'|') => match block_comment_len(rest) {
                Some(len) => (TokenKind::BlockComment, len),
                None => {
                    self.error(unterminated(
                        SyntaxErrorKind::UnterminatedBlockComment,
                        self.span(2),
                        "unterminated block comment",
                        "this `#|` is never closed by `|#`",
                    ));
                    (TokenKind::BlockComment, rest.len())
                }
            },
            Some(b'!') => (TokenKind::LineComment, line_comment(rest)),
            Some(b'"') => match memchr::memchr(b'"', &bytes[2..]) {
                Some(i) => (TokenKind::RawString, i + 3),
                None => {
                    self.error(unterminated(
                        SyntaxErrorKind::UnterminatedRawString,
                        self.span(2),
                        "unterminated raw string",
                        "this `#\"` is never closed",
                    ));
                    (TokenKind::RawString, rest.len())
                }
            },
            Some(b'(') => (TokenKind::VectorOpen, 2),
            Some(b'\\') if rest.len() == 2 => {
                // Nothing left to be the character: a newline added after it would be.
                self.error(SyntaxError::new(
                    SyntaxErrorKind::BadHashToken,
                    self.span(2),
                    "incomplete character literal",
                    "`#\\` needs a character after it",
                ));
                (TokenKind::Error, 2)
            }
            Some(b'\\') => {
                let len = char_literal_len(rest);
                (TokenKind::Char, len)
            }
            _ => self.hash_word(rest),
        }
    }

    /// A `#` word: a boolean or a number, else a bad `#` token (what may follow `#` is
    /// explained once).
    fn hash_word(&mut self, rest: &'a str) -> (TokenKind, usize) {
        let len = 1 + atom_len(&rest[1..]);
        let word = &rest[..len];
        if all_consuming(hash_atom).parse(word).is_ok() {
            let kind = if matches!(word, "#t" | "#f" | "#true" | "#false") {
                TokenKind::Boolean
            } else {
                TokenKind::Number
            };
            return (kind, len);
        }
        let label = if len == 1 {
            "`#` must be followed by a token".to_string()
        } else {
            format!("`{word}` is not a token")
        };
        let mut error = SyntaxError::new(
            SyntaxErrorKind::BadHashToken,
            self.span(len),
            format!("bad `#` token `{word}`"),
            label,
        );
        if !self.explained_hash {
            self.explained_hash = true;
            error = error.with_note(
                "after `#` come `t`/`f`, `\"...\"` (a raw string), `|...|#` (a comment), \
                 `!` (a comment line), `\\c` (a character), `(` (a vector), or a number \
                 such as `#o644`, `#x1F`, `#b101`, `#d10`",
            );
        }
        self.error(error);
        (TokenKind::Error, len)
    }

    /// A `#include`/`#if`… line at the start of a line: kept whole, reported once.
    fn preprocessor_line(&mut self, rest: &'a str) -> Option<usize> {
        let after = rest[1..].trim_start_matches([' ', '\t']);
        let word_len = after
            .bytes()
            .take_while(|b| b.is_ascii_alphabetic())
            .count();
        let word = &after[..word_len];
        if !PREPROCESSOR_DIRECTIVES.contains(&word) {
            return None;
        }
        if after[word_len..]
            .bytes()
            .next()
            .is_some_and(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'(' | b'<' | b'"' | b'!'))
        {
            return None;
        }
        // A directive ends at the end of its line, unless the line ends with `\`.
        let bytes = rest.as_bytes();
        let mut end = 0;
        loop {
            match memchr::memchr(b'\n', &bytes[end..]) {
                None => {
                    end = bytes.len();
                    break;
                }
                Some(i) => {
                    let nl = end + i;
                    let line = rest[..nl].trim_end_matches('\r');
                    if line.ends_with('\\') {
                        end = nl + 1;
                    } else {
                        end = if rest[..nl].ends_with('\r') {
                            nl - 1
                        } else {
                            nl
                        };
                        break;
                    }
                }
            }
        }
        self.preprocessor.push((self.span(end), &rest[..end]));
        Some(end)
    }

    fn finish_preprocessor(&mut self) {
        let Some(&(first, text)) = self.preprocessor.first() else {
            return;
        };
        let more = self.preprocessor.len() - 1;
        let directive = text.split_whitespace().next().unwrap_or("#");
        let mut error = SyntaxError::new(
            SyntaxErrorKind::Preprocessor,
            first,
            format!("C preprocessor directive `{directive}` in a profile"),
            "the C preprocessor must run before libsandbox reads this",
        )
        .with_note(
            "this is a template for the C preprocessor (as WebKit's `.sb.in` files are); \
             lint the preprocessed output (`clang -E -P -x c FILE`) instead",
        );
        if more > 0 {
            error = error.with_note(format!(
                "{more} more preprocessor line{} skipped",
                if more == 1 { " was" } else { "s were" }
            ));
        }
        self.errors.push(error);
    }

    fn atom(&mut self, rest: &str) -> (TokenKind, usize) {
        let len = atom_len(rest);
        if len == 0 {
            // A control character that is not whitespace.
            let c = rest.chars().next().unwrap_or('\0');
            let len = c.len_utf8();
            self.error(SyntaxError::new(
                SyntaxErrorKind::BadCharacter,
                self.span(len),
                format!("unexpected character U+{:04X}", c as u32),
                "a control character here",
            ));
            return (TokenKind::Error, len);
        }
        let word = &rest[..len];
        if word == "." {
            return (TokenKind::Dot, 1);
        }
        // Only a word starting like a number can be one: most words are symbols.
        if word.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.'))
            && all_consuming(decimal).parse(word).is_ok()
        {
            return (TokenKind::Number, len);
        }
        let first = word.chars().next().unwrap_or(' ');
        if matches!(first, '@' | '{' | '}' | '|' | '\\') {
            self.error(
                SyntaxError::new(
                    SyntaxErrorKind::BadCharacter,
                    self.span(len),
                    format!("unexpected character `{first}`"),
                    format!("`{word}` is not a symbol, string or number"),
                )
                .with_note("symbols cannot start with `@`, `{`, `}`, `|` or `\\`"),
            );
            return (TokenKind::Error, len);
        }
        (TokenKind::Symbol, len)
    }
}

fn unterminated(kind: SyntaxErrorKind, open: Span, message: &str, label: &str) -> SyntaxError {
    SyntaxError::new(kind, open, message, label)
}

/// Bytes that end a symbol or number (TinyScheme's delimiters, plus brackets and NUL).
pub fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t'
            | b'\n'
            | b'\r'
            | b'\x0b'
            | b'\x0c'
            | b'('
            | b')'
            | b'['
            | b']'
            | b'"'
            | b';'
            | 0
    )
}

fn atom_len(rest: &str) -> usize {
    // Every delimiter is ASCII, so scanning bytes never splits a character.
    let r: IResult<&[u8], &[u8]> =
        take_till1(|b: u8| is_delimiter(b) || b < 0x20).parse(rest.as_bytes());
    r.map_or(0, |(_, word)| word.len())
}

fn whitespace(rest: &str) -> usize {
    // Stops before `\r\n`, which is a newline token of its own.
    let r: IResult<&str, usize> = many1_count(alt((
        one_of(" \t\x0b\x0c"),
        terminated(ch('\r'), not(ch('\n'))),
    )))
    .parse(rest);
    r.map_or(0, |(_, n)| n)
}

/// A comment up to the end of its line; trailing blanks are whitespace, not comment.
fn line_comment(rest: &str) -> usize {
    let r: IResult<&str, &str> = take_till(|c| c == '\n').parse(rest);
    let body = r.map_or(rest, |(_, body)| body);
    body.trim_end_matches([' ', '\t', '\r', '\x0b', '\x0c'])
        .len()
}

/// Length of a `"..."` string including both quotes, or `None` when it never ends.
fn string_len(rest: &str) -> Option<usize> {
    // A backslash escapes the character after it, whatever it is.
    let r: IResult<&str, &str> = recognize((
        ch('"'),
        many0_count(alt((is_not("\\\""), recognize((ch('\\'), anychar))))),
        ch('"'),
    ))
    .parse(rest);
    r.ok().map(|(_, s)| s.len())
}

/// Length of a nested `#| ... |#` comment, or `None` when it never ends.
fn block_comment_len(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'#', b'|') => {
                depth += 1;
                i += 2;
            }
            (b'|', b'#') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// `#\a`, `#\(`, `#\space`, `#\x41`: the first character is taken whatever it is.
fn char_literal_len(rest: &str) -> usize {
    let r: IResult<&str, &str> = recognize((
        tag("#\\"),
        anychar,
        take_till(|c: char| c.is_ascii() && (is_delimiter(c as u8) || (c as u8) < 0x20)),
    ))
    .parse(rest);
    r.map_or(2, |(_, s)| s.len())
}

/// Decimal numbers: `42`, `-1`, `+3`, `1.5`, `.5`, `1e3`.
fn decimal(i: &str) -> IResult<&str, &str> {
    recognize((
        opt(one_of("+-")),
        alt((
            recognize((digit1, opt((ch('.'), opt(digit1))))),
            recognize((ch('.'), digit1)),
        )),
        opt((one_of("eE"), opt(one_of("+-")), digit1)),
    ))
    .parse(i)
}

/// What may follow `#` as a whole atom: booleans and radix-prefixed numbers.
fn hash_atom(i: &str) -> IResult<&str, &str> {
    alt((
        tag("#true"),
        tag("#false"),
        tag("#t"),
        tag("#f"),
        recognize(preceded(tag("#x"), preceded(opt(one_of("+-")), hex_digit1))),
        recognize(preceded(tag("#X"), preceded(opt(one_of("+-")), hex_digit1))),
        recognize(preceded(tag("#o"), preceded(opt(one_of("+-")), oct_digit1))),
        recognize(preceded(
            tag("#b"),
            preceded(opt(one_of("+-")), take_while1(|c| c == '0' || c == '1')),
        )),
        recognize(preceded(alt((tag("#d"), tag("#e"), tag("#i"))), decimal)),
    ))
    .parse(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        let lexed = lex(text);
        lexed
            .tokens
            .iter()
            .map(|t| (t.kind, &text[t.span.range()]))
            .collect()
    }

    #[test]
    fn symbols_numbers_and_hash_forms() {
        use TokenKind::*;
        assert_eq!(
            kinds("file-read* -1 #o0644 #x682f #t #\\a string>=? ... . 1.5"),
            vec![
                (Symbol, "file-read*"),
                (Whitespace, " "),
                (Number, "-1"),
                (Whitespace, " "),
                (Number, "#o0644"),
                (Whitespace, " "),
                (Number, "#x682f"),
                (Whitespace, " "),
                (Boolean, "#t"),
                (Whitespace, " "),
                (Char, "#\\a"),
                (Whitespace, " "),
                (Symbol, "string>=?"),
                (Whitespace, " "),
                (Symbol, "..."),
                (Whitespace, " "),
                (Dot, "."),
                (Whitespace, " "),
                (Number, "1.5"),
            ]
        );
    }

    #[test]
    fn strings_comments_and_crlf() {
        use TokenKind::*;
        assert_eq!(
            kinds("\"a\\\"b\" #\"^/x\\.y\"; c\r\n#| a #| b |# |#"),
            vec![
                (String, "\"a\\\"b\""),
                (Whitespace, " "),
                (RawString, "#\"^/x\\.y\""),
                (LineComment, "; c"),
                (Newline, "\r\n"),
                (BlockComment, "#| a #| b |# |#"),
            ]
        );
    }

    #[test]
    fn errors_cover_their_bytes() {
        let text = "(a \"open\n#q @x \0";
        let lexed = lex(text);
        let total: u32 = lexed.tokens.iter().map(|t| t.span.len()).sum();
        assert_eq!(total as usize, text.len());
        assert_eq!(lexed.errors.len(), 1, "the string swallows the rest");
        let lexed = lex("#q @x \0 #x1g");
        let kinds: Vec<_> = lexed.errors.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            vec![
                SyntaxErrorKind::BadHashToken,
                SyntaxErrorKind::BadCharacter,
                SyntaxErrorKind::NulByte,
                SyntaxErrorKind::BadHashToken
            ]
        );
    }

    #[test]
    fn preprocessor_lines_are_one_error() {
        let text = "#include <a.h>\n(version 1)\n  #if X\n(allow default)\n#endif\n";
        let lexed = lex(text);
        assert_eq!(lexed.errors.len(), 1);
        assert_eq!(lexed.errors[0].kind, SyntaxErrorKind::Preprocessor);
        assert_eq!(lexed.errors[0].span, Span::new(0, 14));
        let pre = lexed
            .tokens
            .iter()
            .filter(|t| t.kind == TokenKind::Preprocessor)
            .count();
        assert_eq!(pre, 3);
    }
}
