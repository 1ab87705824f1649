//! Tokens: every byte of a file belongs to exactly one token.

use std::fmt;

/// A byte range in a source file, end exclusive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Self {
        Span { start, end }
    }
    pub fn empty(at: u32) -> Self {
        Span { start: at, end: at }
    }
    pub fn len(self) -> u32 {
        self.end - self.start
    }
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
    pub fn contains(self, offset: u32) -> bool {
        self.start <= offset && offset < self.end
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `#(`
    VectorOpen,
    /// `'`
    Quote,
    /// `` ` ``
    Quasiquote,
    /// `,`
    Unquote,
    /// `,@`
    UnquoteSplicing,
    /// a lone `.` in a dotted list
    Dot,
    /// `"..."` with escapes
    String,
    /// `#"..."`: no escapes, ends at the next `"`
    RawString,
    Number,
    /// `#t`, `#f`, `#true`, `#false`
    Boolean,
    /// `#\a`, `#\space`
    Char,
    Symbol,
    Whitespace,
    /// `\n` or `\r\n`
    Newline,
    /// `; ...` or `#! ...` up to the end of the line
    LineComment,
    /// `#| ... |#`, nested
    BlockComment,
    /// a UTF-8 byte order mark at the start of the file
    Bom,
    /// a C preprocessor line (`#if`, `#include` …) left in a `.sb.in` template
    Preprocessor,
    /// bytes the lexer could not read; an error is recorded for each
    Error,
}

impl TokenKind {
    /// Trivia carry no meaning: whitespace, comments, and lines the reader never sees.
    pub fn is_trivia(self) -> bool {
        matches!(
            self,
            TokenKind::Whitespace
                | TokenKind::Newline
                | TokenKind::LineComment
                | TokenKind::BlockComment
                | TokenKind::Bom
                | TokenKind::Preprocessor
        )
    }

    pub fn is_comment(self) -> bool {
        matches!(self, TokenKind::LineComment | TokenKind::BlockComment)
    }

    /// Tokens that open a node of the tree: a list, a vector, or a quote form.
    pub fn opens_node(self) -> bool {
        matches!(
            self,
            TokenKind::LParen
                | TokenKind::LBracket
                | TokenKind::VectorOpen
                | TokenKind::Quote
                | TokenKind::Quasiquote
                | TokenKind::Unquote
                | TokenKind::UnquoteSplicing
        )
    }

    /// Tokens that are a complete datum on their own.
    pub fn is_atom(self) -> bool {
        matches!(
            self,
            TokenKind::String
                | TokenKind::RawString
                | TokenKind::Number
                | TokenKind::Boolean
                | TokenKind::Char
                | TokenKind::Symbol
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            TokenKind::LParen => "LParen",
            TokenKind::RParen => "RParen",
            TokenKind::LBracket => "LBracket",
            TokenKind::RBracket => "RBracket",
            TokenKind::VectorOpen => "VectorOpen",
            TokenKind::Quote => "Quote",
            TokenKind::Quasiquote => "Quasiquote",
            TokenKind::Unquote => "Unquote",
            TokenKind::UnquoteSplicing => "UnquoteSplicing",
            TokenKind::Dot => "Dot",
            TokenKind::String => "String",
            TokenKind::RawString => "RawString",
            TokenKind::Number => "Number",
            TokenKind::Boolean => "Boolean",
            TokenKind::Char => "Char",
            TokenKind::Symbol => "Symbol",
            TokenKind::Whitespace => "Whitespace",
            TokenKind::Newline => "Newline",
            TokenKind::LineComment => "LineComment",
            TokenKind::BlockComment => "BlockComment",
            TokenKind::Bom => "Bom",
            TokenKind::Preprocessor => "Preprocessor",
            TokenKind::Error => "Error",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

/// Every token of a file in order, five bytes each: a one-byte kind and a start offset (a
/// token ends where the next one starts). A 10 MiB profile has two million tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tokens {
    kinds: Vec<TokenKind>,
    /// `starts[i]` is where token `i` starts; the last entry is where the last token ends.
    starts: Vec<u32>,
}

impl Tokens {
    pub fn with_capacity(capacity: usize) -> Tokens {
        let mut starts = Vec::with_capacity(capacity + 1);
        starts.push(0);
        Tokens {
            kinds: Vec::with_capacity(capacity),
            starts,
        }
    }

    /// Appends a token of `len` bytes right after the last one.
    pub fn push(&mut self, kind: TokenKind, len: u32) {
        let end = self.end() + len;
        self.kinds.push(kind);
        self.starts.push(end);
    }

    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// Where the last token ends.
    pub fn end(&self) -> u32 {
        *self.starts.last().expect("starts is never empty")
    }

    pub fn kind(&self, index: usize) -> TokenKind {
        self.kinds[index]
    }

    pub fn get(&self, index: usize) -> Token {
        Token {
            kind: self.kinds[index],
            span: Span::new(self.starts[index], self.starts[index + 1]),
        }
    }

    pub fn last(&self) -> Option<Token> {
        self.len().checked_sub(1).map(|i| self.get(i))
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = Token> + ExactSizeIterator + '_ {
        self.range(0..self.len())
    }

    /// The index of the token that starts at `offset`, if one does.
    pub fn starting_at(&self, offset: u32) -> Option<usize> {
        self.starts[..self.len()].binary_search(&offset).ok()
    }

    /// The index of the first token that ends at or after `offset`.
    pub fn first_ending_from(&self, offset: u32) -> usize {
        self.starts[1..].partition_point(|&end| end < offset)
    }

    /// The tokens with these indices.
    pub fn range(
        &self,
        indices: std::ops::Range<usize>,
    ) -> impl DoubleEndedIterator<Item = Token> + ExactSizeIterator + '_ {
        indices.map(|i| self.get(i))
    }
}
