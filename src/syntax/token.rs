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
