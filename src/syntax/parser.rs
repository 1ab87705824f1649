//! The parser: turns the token stream into the lossless tree, recovering from every error.

use super::error::{SyntaxError, SyntaxErrorKind};
use super::lexer::{lex, Lexed};
use super::token::{Span, TokenKind, Tokens};
use super::tree::{Builder, NodeKind, Packed, SyntaxTree};

/// How often the parser goes back to close a list at a top-level form (see [`Checkpoint`]).
const MAX_REWINDS: usize = 32;

/// Parses a whole file. Never fails: errors are kept in the tree.
pub fn parse(text: impl Into<String>) -> SyntaxTree {
    let text = text.into();
    let Lexed { tokens, mut errors } = lex(&text);
    hint_multiline_string(&text, &tokens, &mut errors);
    let mut parser = Parser {
        tokens: &tokens,
        builder: Builder::new(&tokens),
        frames: Vec::new(),
        errors: Vec::new(),
        checkpoint: None,
        rewinds: 0,
        accept_swapped: None,
    };
    parser.run();
    let Parser {
        builder,
        errors: parse_errors,
        ..
    } = parser;
    let mut all_errors = errors;
    all_errors.extend(parse_errors);
    let mut builder = builder;
    let root = builder.close(NodeKind::Root, 0, true, &tokens);
    let Builder {
        nodes, children, ..
    } = builder;
    SyntaxTree::from_parts(text, tokens, nodes, children, root, all_errors)
}

#[derive(Clone, Debug)]
struct Frame {
    kind: NodeKind,
    open: usize,
    /// Index into the pending elements where this node's children start.
    from: usize,
}

/// Where a list probably should have closed: a `(` in column 0 met inside a top-level form
/// that itself starts in column 0. Only used when the file ends with lists still open.
#[derive(Clone, Debug)]
struct Checkpoint {
    token: usize,
    frames: Vec<Frame>,
    pending: usize,
    nodes: usize,
    children: usize,
    errors: usize,
}

struct Parser<'t> {
    tokens: &'t Tokens,
    builder: Builder,
    frames: Vec<Frame>,
    errors: Vec<SyntaxError>,
    checkpoint: Option<Checkpoint>,
    rewinds: usize,
    /// A closer already reported as swapped with the one before it.
    accept_swapped: Option<usize>,
}

impl Parser<'_> {
    fn run(&mut self) {
        let mut i = 0;
        loop {
            while i < self.tokens.len() {
                self.token(i);
                i += 1;
            }
            self.close_quotes_without_datum(None);
            if self.frames.is_empty() {
                return;
            }
            match self.checkpoint.take() {
                Some(cp) if self.rewinds < MAX_REWINDS => {
                    self.rewinds += 1;
                    i = self.rewind(cp);
                }
                _ => {
                    self.close_unclosed_at_eof();
                    return;
                }
            }
        }
    }

    fn token(&mut self, i: usize) {
        let token = self.tokens.get(i);
        let element = Packed::token(i);
        match token.kind {
            TokenKind::LParen | TokenKind::LBracket | TokenKind::VectorOpen => {
                self.maybe_checkpoint(i);
                let kind = if token.kind == TokenKind::VectorOpen {
                    NodeKind::Vector
                } else {
                    NodeKind::List
                };
                self.frames.push(Frame {
                    kind,
                    open: i,
                    from: self.builder.pending.len(),
                });
                self.builder.pending.push(element);
            }
            TokenKind::Quote
            | TokenKind::Quasiquote
            | TokenKind::Unquote
            | TokenKind::UnquoteSplicing => {
                self.frames.push(Frame {
                    kind: NodeKind::Quote,
                    open: i,
                    from: self.builder.pending.len(),
                });
                self.builder.pending.push(element);
            }
            TokenKind::RParen | TokenKind::RBracket => self.closer(i),
            kind if kind.is_atom() || kind == TokenKind::Dot => {
                self.builder.pending.push(element);
                self.datum_done();
            }
            _ => self.builder.pending.push(element),
        }
    }

    fn closer(&mut self, i: usize) {
        self.close_quotes_without_datum(Some(i));
        let closer = self.tokens.get(i);
        let Some(frame) = self.frames.pop() else {
            let text = closer_text(closer.kind);
            self.errors.push(
                SyntaxError::new(
                    SyntaxErrorKind::UnexpectedCloser,
                    closer.span,
                    format!("unexpected `{text}`"),
                    "no list is open here",
                )
                .with_note("remove it, or look for an extra `)` earlier in the form"),
            );
            self.builder.pending.push(Packed::token(i));
            return;
        };
        let opener = self.tokens.get(frame.open);
        let expected = closer_for(opener.kind);
        let next = self.next_datum_token(i);
        if closer.kind != expected
            && self.accept_swapped != Some(i)
            && next.map(|(_, k)| k) == Some(expected)
        {
            let below = self
                .frames
                .last()
                .map(|f| closer_for(self.tokens.kind(f.open)));
            if below == Some(closer.kind) {
                // `[x 1)]`: the two closers are swapped; take them as meant.
                let (j, _) = next.expect("checked above");
                self.errors.push(
                    SyntaxError::new(
                        SyntaxErrorKind::MismatchedCloser,
                        closer.span.cover(self.tokens.get(j).span),
                        "swapped closing brackets",
                        "these two closers are in the wrong order",
                    )
                    .with_secondary(opener.span, "the innermost list opened here"),
                );
                self.accept_swapped = Some(j);
            } else {
                self.frames.push(frame);
                self.errors.push(SyntaxError::new(
                    SyntaxErrorKind::UnexpectedCloser,
                    closer.span,
                    format!("unexpected `{}`", closer_text(closer.kind)),
                    "remove this",
                ));
                self.builder.pending.push(Packed::token(i));
                return;
            }
        } else if self.accept_swapped == Some(i) {
            self.accept_swapped = None;
        } else if closer.kind != expected {
            let (want, got) = (closer_text(expected), closer_text(closer.kind));
            self.errors.push(
                SyntaxError::new(
                    SyntaxErrorKind::MismatchedCloser,
                    closer.span,
                    format!("mismatched `{got}`: expected `{want}`"),
                    format!("expected `{want}`"),
                )
                .with_secondary(opener.span, "the list opened here"),
            );
        }
        self.builder.pending.push(Packed::token(i));
        self.builder
            .close(frame.kind, frame.from, true, self.tokens);
        // A list open at the checkpoint closed after all: going back there would undo it.
        if self
            .checkpoint
            .as_ref()
            .is_some_and(|cp| self.frames.len() < cp.frames.len())
        {
            self.checkpoint = None;
        }
        self.datum_done();
    }

    /// The next token after `i` that is not trivia, with its index.
    fn next_datum_token(&self, i: usize) -> Option<(usize, TokenKind)> {
        (i + 1..self.tokens.len())
            .map(|j| (j, self.tokens.kind(j)))
            .find(|(_, kind)| !kind.is_trivia())
    }

    /// A datum is complete: close the quote prefixes waiting for it.
    fn datum_done(&mut self) {
        while let Some(frame) = self.frames.last() {
            if frame.kind != NodeKind::Quote {
                break;
            }
            let frame = self.frames.pop().expect("checked above");
            self.builder
                .close(NodeKind::Quote, frame.from, true, self.tokens);
        }
    }

    fn close_quotes_without_datum(&mut self, at: Option<usize>) {
        while let Some(frame) = self.frames.last() {
            if frame.kind != NodeKind::Quote {
                break;
            }
            let frame = self.frames.pop().expect("checked above");
            let quote = self.tokens.get(frame.open);
            let what = match at {
                Some(_) => "before this closing paren",
                None => "at the end of the file",
            };
            self.errors.push(SyntaxError::new(
                SyntaxErrorKind::MissingDatum,
                quote.span,
                "quote without a datum",
                format!("nothing follows this quote {what}"),
            ));
            self.builder
                .close(NodeKind::Quote, frame.from, false, self.tokens);
            self.datum_done();
        }
    }

    fn at_column_zero(&self, i: usize) -> bool {
        i == 0 || matches!(self.tokens.kind(i - 1), TokenKind::Newline | TokenKind::Bom)
    }

    fn maybe_checkpoint(&mut self, i: usize) {
        if self.checkpoint.is_some()
            || self.rewinds >= MAX_REWINDS
            || self.frames.is_empty()
            || self.tokens.kind(i) != TokenKind::LParen
            || !self.at_column_zero(i)
            || !self.at_column_zero(self.frames[0].open)
            || self.frames.iter().any(|f| f.kind == NodeKind::Quote)
        {
            return;
        }
        self.checkpoint = Some(Checkpoint {
            token: i,
            frames: self.frames.clone(),
            pending: self.builder.pending.len(),
            nodes: self.builder.nodes.len(),
            children: self.builder.children.len(),
            errors: self.errors.len(),
        });
    }

    /// Goes back to the checkpoint, closes the lists open there, and resumes at its token.
    fn rewind(&mut self, cp: Checkpoint) -> usize {
        self.builder.pending.truncate(cp.pending);
        self.builder.nodes.truncate(cp.nodes);
        self.builder.children.truncate(cp.children);
        self.errors.truncate(cp.errors);
        self.frames = cp.frames;
        let next_form = self.tokens.get(cp.token).span;
        while let Some(frame) = self.frames.pop() {
            let opener = self.tokens.get(frame.open);
            self.errors.push(unclosed(opener.span).with_secondary(
                next_form,
                "the next top-level form starts here: a `)` is probably missing before it",
            ));
            self.builder
                .close(frame.kind, frame.from, false, self.tokens);
            self.datum_done();
        }
        cp.token
    }

    fn close_unclosed_at_eof(&mut self) {
        let end = Span::empty(self.tokens.end());
        while let Some(frame) = self.frames.pop() {
            let opener = self.tokens.get(frame.open);
            self.errors.push(
                unclosed(opener.span).with_secondary(end, "the file ends before it is closed"),
            );
            self.builder
                .close(frame.kind, frame.from, false, self.tokens);
            self.datum_done();
        }
    }
}

fn closer_for(opener: TokenKind) -> TokenKind {
    if opener == TokenKind::LBracket {
        TokenKind::RBracket
    } else {
        TokenKind::RParen
    }
}

fn closer_text(closer: TokenKind) -> &'static str {
    if closer == TokenKind::RBracket {
        "]"
    } else {
        ")"
    }
}

fn unclosed(open: Span) -> SyntaxError {
    SyntaxError::new(
        SyntaxErrorKind::UnclosedList,
        open,
        "unclosed `(`",
        "this list is never closed",
    )
}

/// An unterminated string at the end of the file is often the fault of an earlier string
/// whose closing quote is missing: it swallowed the text up to the next quote. Point at the
/// first string that spans lines.
fn hint_multiline_string(text: &str, tokens: &Tokens, errors: &mut [SyntaxError]) {
    let Some(error) = errors
        .iter_mut()
        .find(|e| e.kind == SyntaxErrorKind::UnterminatedString)
    else {
        return;
    };
    let suspect = tokens.iter().find(|t| {
        t.kind == TokenKind::String
            && t.span.start < error.span.start
            && text[t.span.range()].contains('\n')
    });
    if let Some(token) = suspect {
        let lines = text[token.span.range()].matches('\n').count() + 1;
        error.secondary.push((
            Span::new(token.span.start, token.span.start + 1),
            format!("this string runs over {lines} lines: is its closing `\"` missing?"),
        ));
    }
}
