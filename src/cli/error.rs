//! Application errors (not findings): rendered on one line through miette.

use std::fmt;
use std::io::Write;
use std::path::PathBuf;

use miette::{Diagnostic, ReportHandler};

use crate::workspace::WorkspaceError;

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
    #[error("unknown rule `{code}`")]
    #[diagnostic(code(sblint::unknown_rule), help("`sblint rule` lists every rule"))]
    UnknownRule { code: String },
    #[error("cannot write output: {0}")]
    #[diagnostic(code(sblint::output))]
    Output(#[from] std::io::Error),
    #[error("{0}")]
    #[diagnostic(code(sblint::usage))]
    Usage(String),
}

/// Renders a miette diagnostic as `sblint: error: message (help: …)` on one line, so that
/// scripts and editors can read it.
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

/// Prints each error on stderr; true when there was any.
pub fn report_all(errors: Vec<AppError>) -> bool {
    let any = !errors.is_empty();
    let mut stderr = std::io::stderr().lock();
    for error in errors {
        // A closed stderr must not turn an error into a panic.
        let _ = writeln!(stderr, "{:?}", miette::Report::new(error));
    }
    any
}
