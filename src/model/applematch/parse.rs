//! The parser: regex bytes → [`Regex`], or the refused construct at its span.
//!
//! Grammar (bytes):
//! ```text
//! regex  := alt EOF
//! alt    := concat ('|' concat)*
//! concat := item*
//! item   := atom? quant*          (no atom: a quantifier with nothing to repeat)
//! atom   := '(' prefix alt ')' | '[' '^'? class-items ']' | '.' | '^' | '$' | '\' byte? | byte
//! quant  := '*' | '+' | '?' | '{' digits (',' digits?)? '}'
//! prefix := '' | '?:' | '?' flags ')' | '?' flags ':' | '?' byte
//! ```
//! Groups and stacked quantifiers nest at most [`MAX_DEPTH`] deep, so no input exhausts
//! the stack of this parser, of the printer or of the NFA builder.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while};
use nom::character::complete::{char as ch, digit1};
use nom::combinator::{map_res, opt, value};
use nom::sequence::{delimited, preceded};
use nom::{IResult, Parser};

use super::ast::{Class, ClassItem, GroupKind, Kind, Node, Regex, RepeatOp, Span};
use super::dialect::Construct;

/// How deep groups and quantifiers may nest.
pub const MAX_DEPTH: usize = 64;

/// A regex that cannot be read into a tree: the construct, where, and what to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub construct: Construct,
    pub span: Span,
    pub message: String,
}

type In<'a> = &'a [u8];

/// nom's error: `fatal` is set for the refusals, which stop the parse (`Err::Failure`).
#[derive(Debug)]
struct E {
    fatal: Option<Box<ParseError>>,
}

impl nom::error::ParseError<In<'_>> for E {
    fn from_error_kind(_: In<'_>, _: nom::error::ErrorKind) -> Self {
        E { fatal: None }
    }
    fn append(_: In<'_>, _: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

impl<X> nom::error::FromExternalError<In<'_>, X> for E {
    fn from_external_error(_: In<'_>, _: nom::error::ErrorKind, _: X) -> Self {
        E { fatal: None }
    }
}

type R<'a, T> = IResult<In<'a>, T, E>;

struct Parser_<'a> {
    full: &'a [u8],
}

fn fail<'a, T>(construct: Construct, span: Span, message: String) -> R<'a, T> {
    Err(nom::Err::Failure(E {
        fatal: Some(Box::new(ParseError {
            construct,
            span,
            message,
        })),
    }))
}

/// Parses a regex. `Err` only for what the dialect refuses (or sblint's nesting bound).
pub fn parse(text: &[u8]) -> Result<Regex, ParseError> {
    let p = Parser_ { full: text };
    let root = match p.alternation(text, 0) {
        Ok((rest, root)) => match rest.first() {
            None => root,
            Some(_) => {
                let at = p.off(rest);
                return Err(ParseError {
                    construct: Construct::UnmatchedClose,
                    span: Span::new(at, at + 1),
                    message: "this `)` closes no group: write `\\)` for the character".into(),
                });
            }
        },
        Err(nom::Err::Failure(E { fatal: Some(e) }) | nom::Err::Error(E { fatal: Some(e) })) => {
            return Err(*e)
        }
        Err(_) => {
            return Err(ParseError {
                construct: Construct::Empty,
                span: Span::new(0, text.len()),
                message: "this regex could not be read".into(),
            })
        }
    };
    let mut regex = Regex {
        text: text.to_vec(),
        root,
    };
    super::classify::classify(&mut regex);
    Ok(regex)
}

/// The refusal of a `(` (at `open`) that is never closed.
fn unclosed_group<'a, T>(open: Span) -> R<'a, T> {
    fail(
        Construct::UnclosedGroup,
        open,
        "this `(` is never closed: end the group with `)`, or write `\\(` for the character".into(),
    )
}

fn node(kind: Kind, span: Span, construct: Construct) -> Node {
    Node {
        kind,
        span,
        construct,
    }
}

/// `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`.
fn quantifier(i: In<'_>) -> R<'_, RepeatOp> {
    alt((
        value(RepeatOp::Star, ch('*')),
        value(RepeatOp::Plus, ch('+')),
        value(RepeatOp::Question, ch('?')),
        braces,
    ))
    .parse(i)
}

fn number(i: In<'_>) -> R<'_, u32> {
    map_res(digit1, |d: In<'_>| {
        std::str::from_utf8(d)
            .map_err(|_| ())
            .and_then(|s| s.parse::<u32>().map_err(|_| ()))
    })
    .parse(i)
}

fn braces(i: In<'_>) -> R<'_, RepeatOp> {
    let (rest, (min, max)) = delimited(
        ch('{'),
        (number, opt(preceded(ch(','), opt(number)))),
        ch('}'),
    )
    .parse(i)?;
    let op = match max {
        None => RepeatOp::Exact(min),
        Some(None) => RepeatOp::AtLeast(min),
        Some(Some(m)) => RepeatOp::Range(min, m),
    };
    Ok((rest, op))
}

fn is_flag(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'-'
}

impl<'a> Parser_<'a> {
    fn off(&self, rest: In<'a>) -> usize {
        self.full.len() - rest.len()
    }

    fn alternation(&self, i: In<'a>, depth: usize) -> R<'a, Node> {
        let start = self.off(i);
        let (mut i, first) = self.concat(i, depth)?;
        let mut branches = vec![first];
        while let Ok((rest, _)) = tag::<_, _, E>(&b"|"[..]).parse(i) {
            let (rest, b) = self.concat(rest, depth)?;
            branches.push(b);
            i = rest;
        }
        if branches.len() == 1 {
            return Ok((
                i,
                branches.pop().unwrap_or_else(|| unreachable_empty(start)),
            ));
        }
        let span = Span::new(start, self.off(i));
        Ok((i, node(Kind::Alt(branches), span, Construct::Alternation)))
    }

    fn concat(&self, mut i: In<'a>, depth: usize) -> R<'a, Node> {
        let start = self.off(i);
        let mut items = Vec::new();
        while let Some(&b) = i.first() {
            if b == b'|' || b == b')' {
                break;
            }
            let (rest, item) = self.item(i, depth)?;
            items.push(item);
            i = rest;
        }
        let span = Span::new(start, self.off(i));
        let n = match items.len() {
            0 => node(Kind::Empty, span, Construct::Empty),
            1 => items.pop().unwrap_or_else(|| unreachable_empty(start)),
            _ => node(Kind::Concat(items), span, Construct::Literal),
        };
        Ok((i, n))
    }

    fn item(&self, i: In<'a>, depth: usize) -> R<'a, Node> {
        let start = self.off(i);
        let (mut i, mut atom) = self.atom(i, depth)?;
        let mut stacked = 0usize;
        // Most items have no quantifier: look at the byte before asking nom.
        while let Some(Ok((rest, op))) = i
            .first()
            .filter(|b| b"*+?{".contains(b))
            .map(|_| quantifier(i))
        {
            stacked += 1;
            let span = Span::new(start, self.off(rest));
            if depth + stacked > MAX_DEPTH {
                return fail(
                    Construct::NestingLimit,
                    span,
                    format!("quantifiers stacked deeper than {MAX_DEPTH}: sblint does not analyse this regex"),
                );
            }
            let construct = match (&atom, op) {
                (None, _) => Construct::QuantifierWithoutItem,
                (Some(n), _) if matches!(n.kind, Kind::Repeat { .. }) => {
                    Construct::StackedQuantifier
                }
                (_, RepeatOp::Star) => Construct::Star,
                (_, RepeatOp::Plus) => Construct::Plus,
                (_, RepeatOp::Question) => Construct::Question,
                (_, RepeatOp::Exact(_)) => Construct::RepeatExact,
                (_, RepeatOp::AtLeast(_)) => Construct::RepeatAtLeast,
                (_, RepeatOp::Range(..)) => Construct::RepeatRange,
            };
            atom = Some(node(
                Kind::Repeat {
                    item: atom.map(Box::new),
                    op,
                },
                span,
                construct,
            ));
            i = rest;
        }
        match atom {
            Some(a) => Ok((i, a)),
            // `atom` returns `None` only before a quantifier, which the loop then took.
            None => Ok((i, unreachable_empty(start))),
        }
    }

    /// One atom, or `None` when a quantifier stands here with nothing before it.
    fn atom(&self, i: In<'a>, depth: usize) -> R<'a, Option<Node>> {
        let start = self.off(i);
        let Some(&b) = i.first() else {
            return Ok((i, None));
        };
        let one = |kind, construct| {
            Ok((
                &i[1..],
                Some(node(kind, Span::new(start, start + 1), construct)),
            ))
        };
        match b {
            b'(' => {
                let (rest, g) = self.group(i, depth)?;
                Ok((rest, Some(g)))
            }
            b'[' => {
                let (rest, c) = self.class(i)?;
                Ok((rest, Some(c)))
            }
            b'.' => one(Kind::Any, Construct::Any),
            b'^' => one(Kind::Start, Construct::AnchorStart),
            b'$' => one(Kind::End, Construct::AnchorEnd),
            b'\\' => match i.get(1) {
                None => one(Kind::TrailingEscape, Construct::EscapeTrailing),
                Some(&c) => {
                    let (kind, construct) = if c.is_ascii_digit() {
                        (Kind::Escape(c), Construct::EscapeBackreference)
                    } else if b"dwsDWS".contains(&c) {
                        (Kind::Escape(c), Construct::EscapeShorthand)
                    } else if c.is_ascii_alphabetic() {
                        (Kind::Escape(c), Construct::EscapeLetter)
                    } else {
                        (
                            Kind::Literal {
                                byte: c,
                                escaped: true,
                            },
                            Construct::EscapePunct,
                        )
                    };
                    Ok((
                        &i[2..],
                        Some(node(kind, Span::new(start, start + 2), construct)),
                    ))
                }
            },
            b'*' | b'+' | b'?' => Ok((i, None)),
            b'{' if braces(i).is_ok() => Ok((i, None)),
            _ => {
                let construct = match b {
                    b'{' => Construct::BraceLiteral,
                    b']' | b'}' => Construct::CloseLiteral,
                    0x20..=0x7e => Construct::Literal,
                    _ => Construct::LiteralUnusualByte,
                };
                one(
                    Kind::Literal {
                        byte: b,
                        escaped: false,
                    },
                    construct,
                )
            }
        }
    }

    /// A group: `(…)`, `(?:…)`, `(?flags:…)`, `(?flags)` or another `(?…)` extension.
    fn group(&self, i: In<'a>, depth: usize) -> R<'a, Node> {
        let start = self.off(i);
        let open = Span::new(start, start + 1);
        if depth >= MAX_DEPTH {
            return fail(
                Construct::NestingLimit,
                open,
                format!(
                    "groups nested deeper than {MAX_DEPTH}: sblint does not analyse this regex"
                ),
            );
        }
        let after = &i[1..];
        let (body_in, kind, construct) = if let Some(q) = after.strip_prefix(b"?") {
            let (q_rest, flags) = take_while::<_, _, E>(is_flag)
                .parse(q)
                .unwrap_or((q, &q[..0]));
            match (q.first(), q_rest.first()) {
                (None, _) => return unclosed_group(open),
                (Some(b':'), _) => (&q[1..], GroupKind::NonCapture, Construct::NonCapturingGroup),
                (_, Some(b')')) => return Ok(self.flag_group(&q_rest[1..], flags, start)),
                (_, Some(b':')) if !flags.is_empty() => (
                    &q_rest[1..],
                    GroupKind::Flags {
                        flags: flags.to_vec(),
                        scoped: true,
                    },
                    Construct::FlagGroup,
                ),
                (Some(&b), _) => (&q[1..], GroupKind::Extension(b), Construct::ExtensionGroup),
            }
        } else {
            (after, GroupKind::Capture, Construct::Group)
        };
        let (rest, body) = self.alternation(body_in, depth + 1)?;
        if rest.first() != Some(&b')') {
            return unclosed_group(open);
        }
        let rest = &rest[1..];
        Ok((
            rest,
            node(
                Kind::Group {
                    kind,
                    body: Box::new(body),
                },
                Span::new(start, self.off(rest)),
                construct,
            ),
        ))
    }

    /// `(?flags)`, ending just before `rest`: the flags set for the rest of the enclosing
    /// group, with an empty body.
    fn flag_group(&self, rest: In<'a>, flags: &[u8], start: usize) -> (In<'a>, Node) {
        let end = self.off(rest);
        let body = node(Kind::Empty, Span::new(end - 1, end - 1), Construct::Empty);
        let g = node(
            Kind::Group {
                kind: GroupKind::Flags {
                    flags: flags.to_vec(),
                    scoped: false,
                },
                body: Box::new(body),
            },
            Span::new(start, end),
            Construct::FlagGroup,
        );
        (rest, g)
    }

    fn class(&self, i: In<'a>) -> R<'a, Node> {
        let start = self.off(i);
        let mut rest = &i[1..];
        let negated = rest.first() == Some(&b'^');
        if negated {
            rest = &rest[1..];
        }
        let unclosed = || {
            fail(
                Construct::UnclosedClass,
                Span::new(start, start + 1),
                "this `[` is never closed: end the class with `]`, or write `\\[` for the character"
                    .into(),
            )
        };
        let mut items = Vec::new();
        let mut spans = Vec::new();
        loop {
            let at = self.off(rest);
            let Some(&b) = rest.first() else {
                return unclosed();
            };
            if b == b']' && !items.is_empty() {
                rest = &rest[1..];
                break;
            }
            if rest.starts_with(b"[:") {
                if let Some(len) = rest[2..].windows(2).position(|w| w == b":]") {
                    items.push(ClassItem::Posix(rest[2..2 + len].to_vec()));
                    rest = &rest[2 + len + 2..];
                    spans.push(Span::new(at, self.off(rest)));
                    continue;
                }
            }
            if b == b'\\' {
                let Some(&c) = rest.get(1) else {
                    return unclosed();
                };
                items.push(ClassItem::Escape(c));
                rest = &rest[2..];
                spans.push(Span::new(at, self.off(rest)));
                continue;
            }
            match (rest.get(1), rest.get(2)) {
                (Some(b'-'), Some(&hi)) if hi != b']' => {
                    items.push(ClassItem::Range(b, hi));
                    rest = &rest[3..];
                }
                _ => {
                    items.push(ClassItem::Byte(b));
                    rest = &rest[1..];
                }
            }
            spans.push(Span::new(at, self.off(rest)));
        }
        let construct = if negated {
            Construct::NegatedClass
        } else {
            Construct::Class
        };
        Ok((
            rest,
            node(
                Kind::Class(Class {
                    negated,
                    items,
                    spans,
                }),
                Span::new(start, self.off(rest)),
                construct,
            ),
        ))
    }
}

/// A placeholder never reached (the callers check lengths first); kept total, not panicking.
fn unreachable_empty(at: usize) -> Node {
    node(Kind::Empty, Span::new(at, at), Construct::Empty)
}
