//! The layer both doors (the command line and the language server) stand on: which files
//! to check, how to read them, and the options each one gets from the command line's
//! overrides and the nearest `sblint.toml` (as taplo's `taplo-common` serves its CLI and
//! its LSP). Nothing here knows clap or the protocol.

pub mod config;
pub mod inputs;
pub mod settings;

use std::path::PathBuf;

pub use config::{Config, ConfigError};
pub use inputs::{Exclusions, Input};
pub use settings::{Overrides, Settings};

/// What can go wrong finding, reading or configuring the files of a run (not findings).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum WorkspaceError {
    #[error("cannot read `{path}`: {source}")]
    #[diagnostic(code(sblint::io))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{path}`: no such file or directory")]
    #[diagnostic(code(sblint::missing_path))]
    MissingPath { path: PathBuf },
    #[error("cannot walk `{path}`: {message}")]
    #[diagnostic(code(sblint::walk))]
    Walk { path: PathBuf, message: String },
    #[error("bad exclude glob `{glob}`: {message}")]
    #[diagnostic(code(sblint::usage))]
    ExcludeGlob { glob: String, message: String },
    #[error("{0}")]
    #[diagnostic(code(sblint::usage))]
    GlobSet(String),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] ConfigError),
}
