//! What can go wrong loading a profile or asking it a question (not findings: those are
//! [`Finding`](super::Finding)s).

use std::path::PathBuf;

use miette::{NamedSource, SourceSpan};

use crate::workspace::WorkspaceError;

/// Why a profile could not be loaded or a question not answered.
///
/// Every variant names its kind for programs ([`Error::kind`]) and has a one-line message
/// (its `Display`); errors at a place in a text carry the text and the span
/// ([`Error::source_error`]), which a terminal draws with the span labelled (`miette`).
///
/// ```
/// use sblint::{Error, Options, Profile};
///
/// let error = Profile::from_text("(version 1)\n(allow file-read*", &Options::new()).unwrap_err();
/// assert!(matches!(error, Error::Syntax(_)));
/// assert_eq!(error.kind(), "sblint::syntax");
/// assert!(error.to_string().starts_with("`<text>`:2:1: "), "{error}");
/// ```
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum Error {
    /// A file (the profile, a prelude, a log) could not be read.
    #[error("cannot read `{path}`: {source}")]
    #[diagnostic(code(sblint::io))]
    Read {
        /// The file as it was given.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The profile is not UTF-8 text.
    #[error("`{name}`: {message}")]
    #[diagnostic(code(sblint::not_utf8))]
    NotUtf8 {
        /// The profile's name.
        name: String,
        /// Which byte, where.
        message: String,
    },
    /// The profile does not parse (`sblint check` lists every syntax error).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Syntax(Box<SourceError>),
    /// An `import` of the profile could not be read: without its rules, every answer
    /// would be about another profile.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Import(Box<SourceError>),
    /// A macOS version sblint does not know.
    #[error("unknown macOS version `{text}`: use {accepted}", accepted = crate::model::MacOs::ACCEPTED)]
    #[diagnostic(code(sblint::macos))]
    UnknownMacOs {
        /// The version as given.
        text: String,
    },
    /// An operation name the vocabulary does not know (on the profile's macOS).
    #[error("unknown operation `{name}`{}", did_you_mean(suggestion))]
    #[diagnostic(code(sblint::operation))]
    UnknownOperation {
        /// The name as given.
        name: String,
        /// The nearest known name, if one is near.
        suggestion: Option<String>,
    },
    /// An argument that does not fit the operation (`example.com` where `HOST:PORT` is
    /// expected).
    #[error("{message}")]
    #[diagnostic(code(sblint::argument))]
    Argument {
        /// What is wrong, with the expected form.
        message: String,
    },
    /// An entry of a `never`/`always` question that does not fit the operation.
    #[error("{message}")]
    #[diagnostic(code(sblint::entry))]
    Entry {
        /// What is wrong, with the expected form.
        message: String,
    },
    /// A set question or a diff past sblint's budget: neither proved nor refuted.
    #[error("too complex to decide exactly within sblint's budget ({decided} of the leaf operations of `{operation}` decided)")]
    #[diagnostic(code(sblint::too_complex))]
    TooComplex {
        /// The operation asked about.
        operation: String,
        /// How many of its leaf operations were decided before the budget ran out.
        decided: usize,
    },
    /// The profile cannot be flattened (`compile`), or fails to load at all.
    #[error("cannot compile `{name}`: {reason}")]
    #[diagnostic(code(sblint::compile))]
    Compile {
        /// The profile's name.
        name: String,
        /// Why, naming what is missing.
        reason: String,
    },
    /// A rule selector of [`Options`](crate::Options) that names no rule.
    #[error("`{key}`: {message}")]
    #[diagnostic(code(sblint::selector))]
    Selector {
        /// `select` or `ignore`.
        key: &'static str,
        /// Which selector, and the rules near it.
        message: String,
    },
    /// A test file's assertions (`*.sbtest.toml`) that are not valid: every problem, at
    /// the first.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Assertions(Box<SourceError>),
    /// Finding, walking or configuring the files of a run (the command line's settings,
    /// `sblint.toml`).
    #[doc(hidden)]
    #[error(transparent)]
    #[diagnostic(transparent)]
    Workspace(WorkspaceError),
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

impl From<WorkspaceError> for Error {
    fn from(error: WorkspaceError) -> Error {
        match error {
            WorkspaceError::Read { path, source } => Error::Read { path, source },
            other => Error::Workspace(other),
        }
    }
}

impl From<crate::explain::ExplainError> for Error {
    fn from(error: crate::explain::ExplainError) -> Error {
        use crate::explain::ExplainError;
        match error {
            ExplainError::UnknownOperation { name, suggestion } => {
                Error::UnknownOperation { name, suggestion }
            }
            ExplainError::BadArgument(message) => Error::Argument { message },
        }
    }
}

impl Error {
    /// The error's kind for programs: `sblint::syntax`, `sblint::io` … (stable).
    ///
    /// ```
    /// use sblint::{Options, Profile};
    ///
    /// let profile = Profile::from_text("(version 1)\n(deny default)", &Options::new()).unwrap();
    /// let error = profile.decide("file-reed-data", Some("/etc/hosts")).unwrap_err();
    /// assert_eq!(error.kind(), "sblint::operation");
    /// assert_eq!(error.to_string(), "unknown operation `file-reed-data` (did you mean `file-read-data`?)");
    /// ```
    pub fn kind(&self) -> String {
        match self {
            Error::Syntax(_) => "sblint::syntax".into(),
            Error::Import(_) => "sblint::import".into(),
            Error::Assertions(_) => "sblint::assertions".into(),
            _ => miette::Diagnostic::code(self)
                .map(|c| c.to_string())
                .unwrap_or_else(|| "sblint::error".into()),
        }
    }

    /// The located error, when the error is at a place in a text.
    ///
    /// ```
    /// use sblint::{Options, Profile};
    ///
    /// let error = Profile::from_text("(allow", &Options::new()).unwrap_err();
    /// let located = error.source_error().unwrap();
    /// assert_eq!(located.location, "`<text>`:1:1");
    /// ```
    pub fn source_error(&self) -> Option<&SourceError> {
        match self {
            Error::Syntax(e) | Error::Import(e) | Error::Assertions(e) => Some(e),
            _ => None,
        }
    }
}

/// `{"error": kind, "message": …, "help": …, "location": …}`: what the WebAssembly build
/// and the command line's JSON formats return instead of a result.
///
/// ```
/// use sblint::{Options, Profile};
///
/// let error = Profile::from_text("(allow", &Options::new()).unwrap_err();
/// let json = serde_json::to_value(&error)?;
/// assert_eq!(json["error"], "sblint::syntax");
/// assert_eq!(json["location"], "`<text>`:1:1");
/// # Ok::<(), serde_json::Error>(())
/// ```
impl serde::Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let located = self.source_error();
        let mut s = serializer.serialize_struct("Error", 4)?;
        s.serialize_field("error", &self.kind())?;
        s.serialize_field("message", &self.to_string())?;
        s.serialize_field(
            "help",
            &miette::Diagnostic::help(self).map(|h| h.to_string()),
        )?;
        s.serialize_field("location", &located.map(|e| e.location.as_str()))?;
        s.end()
    }
}

/// Something wrong at a place in a text: `{location}: {message}` on one line, the text
/// with `span` labelled when drawn.
///
/// ```
/// use sblint::SourceError;
///
/// let error = SourceError::at("p.sb", "(allow", 0..6, "unclosed `(`".into(), "here");
/// assert_eq!(error.to_string(), "`p.sb`:1:1: unclosed `(`");
/// ```
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{location}: {message}")]
#[diagnostic(code(sblint::source))]
pub struct SourceError {
    /// `` `path`:line:col `` or `` `--param` ``.
    pub location: String,
    /// What is wrong.
    pub message: String,
    /// The whole text, named.
    #[source_code]
    pub text: NamedSource<String>,
    /// Where in it.
    #[label("{label}")]
    pub span: SourceSpan,
    /// The label at the span.
    pub label: String,
    /// How to fix it, if known.
    #[help]
    pub help: Option<String>,
}

impl SourceError {
    /// The line and column (from 1) where it starts.
    ///
    /// ```
    /// let error = sblint::SourceError::at("t.toml", "a = 1\nb = ", 10..10, "no value".into(), "here");
    /// assert_eq!(error.line_col(), (2, 5));
    /// ```
    pub fn line_col(&self) -> (u32, u32) {
        let text = self.text.inner();
        let at = crate::syntax::LineIndex::new(text).line_col(text, self.span.offset() as u32);
        (at.line, at.col)
    }

    /// An error at byte range `span` of `text` named `name`, located as
    /// `` `name`:line:col ``.
    ///
    /// ```
    /// use sblint::SourceError;
    ///
    /// let error = SourceError::at("t.toml", "a = 1\nb = ", 10..10, "no value".into(), "here");
    /// assert_eq!(error.location, "`t.toml`:2:5");
    /// ```
    pub fn at(
        name: &str,
        text: &str,
        span: std::ops::Range<usize>,
        message: String,
        label: &str,
    ) -> SourceError {
        let index = crate::syntax::LineIndex::new(text);
        let at = index.line_col(text, span.start as u32);
        SourceError {
            location: format!("`{name}`:{}:{}", at.line, at.col),
            message,
            text: NamedSource::new(name, text.to_string()),
            span: (span.start, span.len()).into(),
            label: label.into(),
            help: None,
        }
    }
}
