//! `sblint.toml`: found as the nearest file upward from each checked file, or given with
//! `--config`. An unknown key is an error with its location.

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub const FILE_NAME: &str = "sblint.toml";

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// The formatter's line width (default 100).
    pub line_width: Option<usize>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ConfigError {
    #[error("cannot read `{path}`: {source}")]
    #[diagnostic(code(sblint::config))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{path}`:{line}:{column}: {message}")]
    #[diagnostic(code(sblint::config))]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

impl Config {
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|err| {
            let offset = err.span().map_or(0, |s| s.start);
            let before = &text[..offset.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            ConfigError::Invalid {
                path: path.to_path_buf(),
                line,
                column,
                message: err.message().trim().to_string(),
            }
        })
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(path, &text)
    }

    /// The nearest `sblint.toml` in `start` or a directory above it.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        let start = if start.is_dir() {
            start.to_path_buf()
        } else {
            start.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        let start = if start.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            start
        };
        let absolute = std::fs::canonicalize(&start).unwrap_or(start);
        absolute
            .ancestors()
            .map(|dir| dir.join(FILE_NAME))
            .find(|candidate| candidate.is_file())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_errors_with_their_location() {
        let err = Config::parse(Path::new("sblint.toml"), "line-width = 80\ncolour = true\n")
            .unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("`sblint.toml`:2:1: "), "{text}");
        assert!(text.contains("colour"), "{text}");
        let ok = Config::parse(Path::new("x"), "line-width = 80\n").unwrap();
        assert_eq!(ok.line_width, Some(80));
    }
}
