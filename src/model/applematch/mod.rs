//! Apple's regex dialect (AppleMatch), as libsandbox compiles the regexes of a profile:
//! a parser with byte spans ([`parse`]), a printer ([`print::print`]), the dialect table
//! ([`dialect`], loaded from `grammar/regex-dialect.tsv`), and a linear-time matcher
//! built on a public Thompson NFA ([`nfa::Nfa`]) that the set analysis can build DFAs from.
//!
//! Every point decision about a regex goes through [`Matcher::verdict`]: `Match`,
//! `NoMatch`, or `Unverified` when the answer depends on a construct whose meaning on a
//! Mac is not recorded.

pub mod ast;
mod classify;
pub mod dialect;
pub mod nfa;
pub mod parse;
pub mod print;

pub use ast::{Node, Regex, Span};
pub use classify::{findings, Finding};
pub use dialect::{Construct, Status};
pub use nfa::{Mode, Nfa};
pub use parse::{parse, ParseError};

/// A problem to report about a regex, at its span in the regex text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub construct: Construct,
    pub status: Status,
    pub span: Span,
    pub message: String,
}

/// What the dialect says about a regex: the refusal, if any (the profile does not load),
/// and the warnings (a construct that never matches or whose meaning is unverified).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Report {
    pub error: Option<Problem>,
    pub warnings: Vec<Problem>,
}

/// Checks a regex against the dialect.
pub fn check(text: &[u8]) -> Report {
    if plainly_supported(text) {
        return Report::default();
    }
    let regex = match parse(text) {
        Ok(r) => r,
        Err(e) => {
            let problem = Problem {
                construct: e.construct,
                status: e.construct.status(),
                span: whole_chars(text, e.span),
                message: e.message,
            };
            return if problem.status == Status::Refused {
                Report {
                    error: Some(problem),
                    warnings: Vec::new(),
                }
            } else {
                Report {
                    error: None,
                    warnings: vec![problem],
                }
            };
        }
    };
    let mut report = Report::default();
    let mut all = findings(&regex);
    // Spans end on character boundaries, so that they can be shown (a non-ASCII
    // character is several literal bytes, one finding).
    for f in &mut all {
        f.span = whole_chars(text, f.span);
    }
    all.dedup();
    for f in &all {
        let status = f.construct.status();
        let message = message(&regex, f, &all);
        let problem = Problem {
            construct: f.construct,
            status,
            span: f.span,
            message,
        };
        match status {
            Status::Refused if report.error.is_none() => report.error = Some(problem),
            Status::Refused | Status::Supported => {}
            Status::NeverMatches | Status::Unverified => report.warnings.push(problem),
        }
    }
    report
}

/// True for regexes made only of constructs the dialect plainly supports: printable ASCII
/// literals, `.`, `\\` before punctuation, classes of letters, digits, some punctuation and
/// increasing ranges of one kind, groups and alternatives with nothing empty, `*`/`+`/`?`
/// after an item, a leading `^`, a trailing `$`, and `$` last in an alternative of a group
/// that ends the regex (`(/|$)`). Most profile regexes are; they skip the full parse (a
/// large profile has tens of thousands). Anything else is left to the parser; a property
/// test checks that the two agree.
pub fn plainly_supported(text: &[u8]) -> bool {
    if text.is_empty() {
        return false;
    }
    let body = text.strip_prefix(b"^").unwrap_or(text);
    let (body, trailing_dollar) = match body.strip_suffix(b"$") {
        Some(b) if !b.ends_with(b"\\") => (b, true),
        _ => (body, false),
    };
    let mut i = 0;
    // Whether the previous item can take a quantifier.
    let mut item = false;
    let mut depth = 0usize;
    // Where the outermost group holding a `$` opened, and where the last one closed.
    let mut dollar_group: Option<usize> = None;
    let mut outer_open = 0usize;
    let mut outer_close = None;
    while i < body.len() {
        let next = body.get(i + 1).copied();
        match body[i] {
            b'\\' => match next {
                Some(c) if c.is_ascii_punctuation() => {
                    i += 2;
                    item = true;
                    continue;
                }
                _ => return false,
            },
            b'[' => {
                let Some(end) = plain_class_end(body, i) else {
                    return false;
                };
                i = end;
                item = true;
                continue;
            }
            b'*' | b'+' | b'?' if item => item = false,
            b'(' if !matches!(next, None | Some(b'?' | b')' | b'|')) => {
                if depth == 0 {
                    outer_open = i;
                }
                depth += 1;
                item = false;
            }
            b')' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    outer_close = Some(i);
                }
                item = true;
            }
            b'|' if i > 0 && !matches!(next, None | Some(b'|' | b')')) => item = false,
            b'$' if depth > 0 && matches!(next, Some(b'|' | b')')) => {
                dollar_group.get_or_insert(outer_open);
                if dollar_group != Some(outer_open) {
                    return false;
                }
                item = false;
            }
            b'*' | b'+' | b'?' | b'(' | b')' | b'|' | b'$' => return false,
            b'{' | b'}' | b'^' | b']' => return false,
            c if !(0x20..=0x7e).contains(&c) => return false,
            _ => item = true,
        }
        i += 1;
    }
    if depth != 0 {
        return false;
    }
    // A `$` inside a group: that group must end the regex, unrepeated.
    match dollar_group {
        None => true,
        Some(open) => !trailing_dollar && open == outer_open && outer_close == Some(body.len() - 1),
    }
}

/// Just past the `]` of the class opening at `open`, when the class is plainly supported
/// (see `plainly_supported`); `None` otherwise.
fn plain_class_end(body: &[u8], open: usize) -> Option<usize> {
    let mut j = open + 1;
    if body.get(j) == Some(&b'^') {
        j += 1;
    }
    let start = j;
    while j < body.len() && body[j] != b']' {
        let c = body[j];
        if !(c.is_ascii_alphanumeric() || b"/_.~@:,=%#!'\" ;&<> ".contains(&c)) {
            return None;
        }
        match (body.get(j + 1), body.get(j + 2)) {
            (Some(b'-'), Some(&hi)) if hi != b']' => {
                if !plain_range(c, hi) {
                    return None;
                }
                j += 3;
            }
            _ => j += 1,
        }
    }
    if j == start || j >= body.len() {
        return None;
    }
    Some(j + 1)
}

/// A class range `lo-hi` of one kind (digits, lower or upper case letters), increasing.
#[inline]
fn plain_range(lo: u8, hi: u8) -> bool {
    let same_kind = lo.is_ascii_digit() && hi.is_ascii_digit()
        || lo.is_ascii_lowercase() && hi.is_ascii_lowercase()
        || lo.is_ascii_uppercase() && hi.is_ascii_uppercase();
    same_kind && lo <= hi
}

/// `span` widened to whole UTF-8 characters of `text`.
fn whole_chars(text: &[u8], span: Span) -> Span {
    let continuation = |i: usize| text.get(i).is_some_and(|b| b & 0xc0 == 0x80);
    let (mut start, mut end) = (span.start.min(text.len()), span.end.min(text.len()));
    while start > 0 && continuation(start) {
        start -= 1;
    }
    while end < text.len() && continuation(end) {
        end += 1;
    }
    Span::new(start, end)
}

fn show(regex: &Regex, span: Span) -> String {
    String::from_utf8_lossy(&regex.text[span.start..span.end.min(regex.text.len())]).into_owned()
}

fn message(regex: &Regex, f: &Finding, all: &[Finding]) -> String {
    let text = show(regex, f.span);
    match f.construct {
        Construct::AnchorStartMiddle => {
            let after_flags = all.iter().any(|g| {
                g.construct == Construct::FlagGroup && g.span.end == f.span.start
            });
            let mut m = "`^` after another item: sandbox-exec refuses the profile (\"unexpected ^ operator in middle of expression\"); `^` may only start the regex".to_string();
            if after_flags {
                m.push_str(", and AppleMatch has no inline flags: for case-insensitive matching write each letter as a class (`[Aa]`)");
            }
            m
        }
        Construct::NonCapturingGroup => format!(
            "`{text}` never matches: AppleMatch has no non-capturing group, so the profile loads but nothing that needs this group matches; write `({})`",
            show(regex, Span::new(f.span.start + 3, f.span.end.saturating_sub(1)))
        ),
        Construct::FlagGroup => format!(
            "unverified: `{text}` is an inline flag group, and AppleMatch has no flags; what sandbox-exec does with it is not recorded (followed by `^` it refuses the profile), so sblint claims no match of this regex; for case-insensitive matching write each letter as a class (`[Aa]`)"
        ),
        c => {
            let advice = match c {
                Construct::EscapeShorthand => ": write the bytes as a class (`[0-9]`, `[A-Za-z0-9_]`, `[ \\t]`)",
                Construct::ClassEscape if text.as_bytes().get(1).is_some_and(u8::is_ascii_alphanumeric) => {
                    ": list the bytes themselves (`[A-Za-z0-9_]` for `\\w`)"
                }
                Construct::ClassEscape => {
                    ": in a class the byte needs no backslash (`[.]`); sblint takes the class to hold the byte, and maybe `\\`"
                }
                Construct::RepeatRange | Construct::RepeatAtLeast => {
                    ": spell the repetitions out (`aaa?` for `a{2,3}`, `aa+` for `a{2,}`)"
                }
                Construct::EscapeBackreference => ": AppleMatch has no backreference",
                Construct::BraceLiteral => ": write `\\{` for the character",
                Construct::ClassLeadingBracket => ": write `\\]` outside a class, or reorder",
                Construct::Empty => ": remove the empty alternative or group, or write `(a)?` for an optional part",
                _ => "",
            };
            let what = if text.is_empty() {
                "here".to_string()
            } else {
                format!("`{text}`")
            };
            format!(
                "unverified: {what} — {}; what libsandbox does with it is not recorded, so sblint claims no match that depends on it{advice}",
                c.meaning()
            )
        }
    }
}

/// A point decision: whether a regex matches a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Match,
    NoMatch,
    /// The answer depends on a construct whose meaning is unverified (or the regex is
    /// beyond sblint's bounds).
    Unverified,
}

/// A compiled regex: one automaton when every construct is known, else the two that
/// bound what libsandbox could match.
#[derive(Clone, Debug)]
pub struct Matcher {
    over: Nfa,
    /// `None` when it would equal `over`.
    under: Option<Nfa>,
}

impl Matcher {
    /// Compiles a regex; `None` when the dialect refuses it (the profile does not load, so
    /// it decides nothing) or past sblint's bounds (nesting, automaton size).
    pub fn new(text: &[u8]) -> Option<Matcher> {
        Matcher::from_tree(&parse(text).ok()?)
    }

    pub fn from_tree(regex: &Regex) -> Option<Matcher> {
        let all = findings(regex);
        if all.iter().any(|f| f.construct.status() == Status::Refused) {
            return None;
        }
        let exact = all
            .iter()
            .all(|f| f.construct.status() != Status::Unverified);
        let over = Nfa::build(regex, Mode::Over).ok()?;
        let under = if exact {
            None
        } else {
            Some(Nfa::build(regex, Mode::Under).ok()?)
        };
        Some(Matcher { over, under })
    }

    /// True when every construct's meaning is known: the verdict is never `Unverified`.
    pub fn is_exact(&self) -> bool {
        self.under.is_none()
    }

    /// The automaton accepting at least what libsandbox could match (exactly that when
    /// [`Matcher::is_exact`]).
    pub fn over(&self) -> &Nfa {
        &self.over
    }

    /// The automaton accepting at most what libsandbox could match.
    pub fn under(&self) -> &Nfa {
        self.under.as_ref().unwrap_or(&self.over)
    }

    pub fn verdict(&self, text: &[u8]) -> Verdict {
        if !self.over.is_match(text) {
            return Verdict::NoMatch;
        }
        match &self.under {
            None => Verdict::Match,
            Some(under) if under.is_match(text) => Verdict::Match,
            Some(_) => Verdict::Unverified,
        }
    }
}

#[cfg(test)]
mod tests;
