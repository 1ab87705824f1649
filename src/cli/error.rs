//! Application errors (not findings), through miette, and the one reporter `main` calls
//! for any error a command returns ([`report`]). An error with a source (a bad
//! `sblint.toml` value, a `--param`, the profile `explain` or `compile` cannot read) is
//! drawn with its span labelled when stderr is a terminal; everything else, and every
//! error when stderr is not a terminal or the output is for programs
//! (`--format concise|json|sarif|github`, `explain --format json`), is one line:
//! `sblint: error: message (help: …)`, so that scripts and editors can read it. With a
//! JSON format, stdout carries a JSON object naming the error instead of a result, so that
//! a program reading only stdout never takes a failure for an answer.

use std::fmt;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, ReportHandler, SourceCode,
};

use crate::workspace::{ConfigError, WorkspaceError};

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum AppError {
    /// Finding, reading or configuring the files.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error("cannot write `{path}`: {source}")]
    #[diagnostic(code(sblint::io))]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write output: {0}")]
    #[diagnostic(code(sblint::output))]
    Output(#[from] std::io::Error),
    #[error("{0}")]
    #[diagnostic(code(sblint::usage))]
    Usage(String),
    /// A rule selector that names no rule (`--select`, `sblint rule CODE`).
    #[error("`{flag}`: {error}")]
    #[diagnostic(code(sblint::usage))]
    Selector {
        flag: String,
        error: crate::lint::UnknownRule,
    },
    /// A rule code or name that names no rule (`sblint rule CODE`).
    #[error("{0}")]
    #[diagnostic(code(sblint::usage))]
    Rule(#[from] crate::lint::UnknownRule),
    /// What `sblint new` cannot write.
    #[error("{0}")]
    #[diagnostic(code(sblint::usage))]
    New(#[from] crate::new::NewError),
    /// A flag's value the library refused (`--outside ENTRY`).
    #[error("--{flag}: {message}")]
    #[diagnostic(code(sblint::usage))]
    Flag { flag: &'static str, message: String },
    /// Something wrong at a place in a text.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Source(Box<SourceError>),
    /// What the library reports (loading a profile, asking it a question).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Api(#[from] crate::api::Error),
    /// Several errors of one run (files that could not be read or used), each reported.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    #[diagnostic(code(sblint::several))]
    Several(Vec<AppError>),
}

pub use crate::api::SourceError;

impl From<SourceError> for AppError {
    fn from(error: SourceError) -> AppError {
        AppError::Source(Box::new(error))
    }
}

impl AppError {
    /// `errors` as one error; `None` when there is none.
    pub fn all(mut errors: Vec<AppError>) -> Option<AppError> {
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => Some(AppError::Several(errors)),
        }
    }

    /// Each error, the several of a run one by one.
    fn flatten(self) -> Vec<AppError> {
        match self {
            AppError::Several(errors) => errors.into_iter().flat_map(AppError::flatten).collect(),
            other => vec![other],
        }
    }

    /// The error's kind for programs: `sblint::io`, `sblint::syntax` … (its miette code).
    pub fn kind(&self) -> String {
        match self {
            AppError::Api(error) => error.kind(),
            other => Diagnostic::code(other)
                .map(|c| c.to_string())
                .unwrap_or_else(|| "sblint::error".into()),
        }
    }

    /// The JSON object a program reads on stdout instead of a result.
    fn json(&self) -> serde_json::Value {
        let entry = |e: &AppError| {
            serde_json::json!({
                "error": e.kind(),
                "message": e.to_string(),
                "help": Diagnostic::help(e).map(|h| h.to_string()),
            })
        };
        let errors: Vec<&AppError> = match self {
            AppError::Several(errors) => errors.iter().collect(),
            other => vec![other],
        };
        let mut value = entry(errors[0]);
        value["errors"] = errors.iter().map(|e| entry(e)).collect();
        value
    }

    /// The error's message without the location its drawing shows anyway.
    fn headline(&self) -> Option<String> {
        match self {
            AppError::Source(error) => Some(error.message.clone()),
            AppError::Api(error) => error.source_error().map(|e| e.message.clone()),
            AppError::Workspace(WorkspaceError::Config(ConfigError::Invalid(error))) => {
                Some(error.message.clone())
            }
            _ => None,
        }
    }
}

/// Renders a miette diagnostic as `sblint: error: message (help: …)` on one line.
pub struct OneLineHandler;

impl ReportHandler for OneLineHandler {
    fn debug(&self, error: &dyn Diagnostic, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sblint: error: {error}")?;
        if let Some(help) = error.help() {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

pub fn install_handler() {
    let _ = miette::set_hook(Box::new(|_| Box::new(OneLineHandler)));
}

/// How errors are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    OneLine,
    /// Errors with a source drawn with their span labelled (others stay one line).
    Graphical {
        color: bool,
    },
}

/// Who reads a command's output, as its format says: `main` knows it from the arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reader {
    /// People (the human formats): errors drawn on a terminal.
    People,
    /// Programs (concise, SARIF, GitHub, JUnit …): errors on one line.
    Programs,
    /// Programs reading JSON: errors on one line, and a JSON object naming the error on
    /// stdout instead of a result.
    Json,
}

/// One line unless stderr is a terminal and the output is for people.
fn style(reader: Reader) -> Style {
    if reader != Reader::People || !std::io::stderr().is_terminal() {
        Style::OneLine
    } else {
        Style::Graphical {
            color: crate::render::color_enabled(None, true),
        }
    }
}

/// The one reporter: each error on stderr as `reader` wants it; with JSON, the object
/// naming it is returned, for stdout.
pub fn report(error: AppError, reader: Reader) -> Option<String> {
    let json = (reader == Reader::Json).then(|| {
        let mut text = serde_json::to_string_pretty(&error.json()).unwrap_or_default();
        text.push('\n');
        text
    });
    let style = style(reader);
    let mut stderr = std::io::stderr().lock();
    for error in error.flatten() {
        // A closed stderr must not turn an error into a panic.
        let _ = stderr.write_all(render(&error, style).as_bytes());
    }
    json
}

/// `error` as `style` writes it, ending with a newline.
pub fn render(error: &AppError, style: Style) -> String {
    let one_line = || format!("{:?}\n", OneLine(error));
    let Style::Graphical { color } = style else {
        return one_line();
    };
    let Some(headline) = error.headline() else {
        return one_line();
    };
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut out = String::new();
    let drawn = Headline {
        text: headline,
        inner: error,
    };
    match GraphicalReportHandler::new_themed(theme).render_report(&mut out, &drawn) {
        Ok(()) => format!("sblint: error\n{out}"),
        Err(_) => one_line(),
    }
}

struct OneLine<'a>(&'a AppError);

impl fmt::Debug for OneLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        OneLineHandler.debug(self.0, f)
    }
}

/// An error shown under a shorter message (the drawing shows the location).
struct Headline<'a> {
    text: String,
    inner: &'a AppError,
}

impl fmt::Debug for Headline<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.inner, f)
    }
}

impl fmt::Display for Headline<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for Headline<'_> {}

// No `code`: the codes name the error's kind for programs, and a drawn error is for people.
impl Diagnostic for Headline<'_> {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.help()
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.inner.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.inner.labels()
    }
}

/// A warning on stderr: `sblint: warning: message` (as ruff writes its own).
pub fn warn(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "sblint: warning: {message}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use miette::NamedSource;

    fn param_error() -> AppError {
        SourceError {
            location: "`--param`".into(),
            message: "`HOME` is not NAME=VALUE".into(),
            text: NamedSource::new("--param", "HOME".to_string()),
            span: (0, 4).into(),
            label: "no `=` here".into(),
            help: Some("write `--param NAME=VALUE`".into()),
        }
        .into()
    }

    #[test]
    fn one_line_keeps_location_message_and_help_on_one_line() {
        assert_eq!(
            render(&param_error(), Style::OneLine),
            "sblint: error: `--param`: `HOME` is not NAME=VALUE (help: write `--param NAME=VALUE`)\n"
        );
        // Graphical or not, an error without a source is one line.
        let plain = AppError::Usage("no paths given".into());
        assert_eq!(
            render(&plain, Style::Graphical { color: false }),
            "sblint: error: no paths given\n"
        );
    }

    #[test]
    fn graphical_draws_the_source_with_its_span_labelled() {
        let text = render(&param_error(), Style::Graphical { color: false });
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots/cli"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!("error_graphical", text);
        });
    }
}
