//! Syntax errors found by the lexer and the parser.

use super::token::Span;

/// What went wrong; the parser fills in the message and labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyntaxErrorKind {
    UnclosedList,
    UnexpectedCloser,
    MismatchedCloser,
    UnterminatedString,
    UnterminatedRawString,
    UnterminatedBlockComment,
    BadHashToken,
    BadCharacter,
    NulByte,
    MissingDatum,
    Preprocessor,
    InvalidUtf8,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub kind: SyntaxErrorKind,
    pub message: String,
    /// Where it is; the label says what is wrong there.
    pub span: Span,
    pub label: String,
    /// Other places that explain it, such as the `(` an unclosed list opened with.
    pub secondary: Vec<(Span, String)>,
    pub notes: Vec<String>,
}

impl SyntaxError {
    pub fn new(
        kind: SyntaxErrorKind,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        SyntaxError {
            kind,
            message: message.into(),
            span,
            label: label.into(),
            secondary: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push((span, label.into()));
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}
