//! `sblint.toml`: found as the nearest file upward from each checked file, or given with
//! `--config`. An unknown key is an error with its location.

use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use miette::{NamedSource, SourceSpan};
use serde::Deserialize;

pub const FILE_NAME: &str = "sblint.toml";

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// The formatter's line width (default 100).
    pub line_width: Option<usize>,
    /// The macOS version whose vocabulary applies (`10.12` … `10.15`, `14`).
    pub macos: Option<String>,
    /// Rule codes or prefixes to run (default: all).
    pub select: Option<Vec<String>>,
    /// Rule codes or prefixes not to run.
    pub ignore: Option<Vec<String>>,
    /// Per-code severity: `SB303 = "warning"`.
    pub severity: Option<BTreeMap<String, String>>,
    /// Values for `(param "NAME")`.
    pub params: Option<BTreeMap<String, String>>,
    /// Directories searched by `import`, relative to this file.
    pub import_paths: Option<Vec<PathBuf>>,
    /// Files read before the profiles a glob matches (paths relative to this file). A
    /// file that is itself in `files` is read after the ones listed before it only: the
    /// list is an assembly, the files in the order they ship.
    pub preludes: Option<Vec<PreludeRule>>,
    /// Globs (relative to this file) of profiles never checked or formatted when a
    /// directory is walked, nor, with `--force-exclude`, when named.
    pub exclude: Option<Vec<String>>,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PreludeRule {
    /// The profiles the files are read before; without it, only the files listed
    /// (each after the ones before it).
    pub glob: Option<String>,
    pub files: Vec<PathBuf>,
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
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<InvalidConfig>),
}

/// A value of the file that is wrong, with where.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("`{path}`:{line}:{column}: {message}")]
#[diagnostic(code(sblint::config))]
pub struct InvalidConfig {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The file, for drawing the error.
    #[source_code]
    pub text: NamedSource<String>,
    #[label("here")]
    pub span: SourceSpan,
}

impl ConfigError {
    /// `len` bytes at `offset` of `text` are wrong.
    fn invalid(path: &Path, text: &str, offset: usize, len: usize, message: String) -> Self {
        let offset = offset.min(text.len());
        let before = &text[..offset];
        ConfigError::Invalid(Box::new(InvalidConfig {
            path: path.to_path_buf(),
            line: before.matches('\n').count() + 1,
            column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
            message,
            text: NamedSource::new(path.display().to_string(), text.to_string()),
            span: (offset, len.min(text.len() - offset)).into(),
        }))
    }
}

impl Config {
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|err| {
            let span = err.span().unwrap_or(0..0);
            let message = err.message().trim().to_string();
            ConfigError::invalid(path, text, span.start, span.len(), message)
        })?;
        config.validate(path, text)?;
        Ok(config)
    }

    /// Values serde cannot check: versions, severities, rule codes.
    fn validate(&self, path: &Path, text: &str) -> Result<(), ConfigError> {
        let invalid = |needle: &str, message: String| match text.find(needle) {
            Some(offset) => ConfigError::invalid(path, text, offset, needle.len(), message),
            None => ConfigError::invalid(path, text, 0, 0, message),
        };
        if let Some(macos) = &self.macos {
            if crate::model::MacOs::parse(macos).is_none() {
                return Err(invalid(
                    "macos",
                    format!(
                        "unknown macOS version `{macos}`: use {}",
                        crate::model::MacOs::ACCEPTED
                    ),
                ));
            }
        }
        for (code, severity) in self.severity.iter().flatten() {
            if crate::diagnostic::Severity::parse(severity).is_none() {
                return Err(invalid(
                    code,
                    format!("severity `{severity}` for {code}: use error, warning or info"),
                ));
            }
            if crate::lint::rule_by_code(code).is_none() {
                let suggestion = crate::lint::RuleId::suggest(code);
                return Err(invalid(
                    code,
                    crate::lint::RuleId::unknown_selector_message(code, suggestion),
                ));
            }
        }
        for (key, list) in [("select", &self.select), ("ignore", &self.ignore)] {
            for selector in list.iter().flatten() {
                if let Err(suggestion) = crate::lint::RuleId::resolve_selector(selector) {
                    let message = format!(
                        "in `{key}`: {}",
                        crate::lint::RuleId::unknown_selector_message(selector, suggestion)
                    );
                    return Err(invalid(&format!("\"{selector}\""), message));
                }
            }
        }
        for glob in self.exclude.iter().flatten() {
            if let Err(e) = globset::Glob::new(glob) {
                return Err(invalid(glob, format!("bad glob `{glob}`: {e}")));
            }
        }
        for prelude in self.preludes.iter().flatten() {
            if let Some(glob) = &prelude.glob {
                if let Err(e) = globset::Glob::new(glob) {
                    return Err(invalid(glob, format!("bad glob `{glob}`: {e}")));
                }
            }
            if prelude.files.is_empty() {
                return Err(invalid(
                    "[[preludes]]",
                    "a `[[preludes]]` entry needs `files` (the files in the order they ship)"
                        .into(),
                ));
            }
        }
        Ok(())
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(path, &text)
    }

    /// The formatter's line width for `file`: from `config` if given, else from the nearest
    /// `sblint.toml` above `file` (or the current directory), else the default.
    pub fn line_width_for(
        config: Option<&Path>,
        file: Option<&Path>,
    ) -> Result<usize, ConfigError> {
        let path = match config {
            Some(path) => Some(path.to_path_buf()),
            None => Config::discover(file.unwrap_or(Path::new("."))),
        };
        let width = match path {
            Some(path) => Config::load(&path)?.line_width,
            None => None,
        };
        Ok(width.unwrap_or(crate::fmt::DEFAULT_LINE_WIDTH))
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

    #[test]
    fn unknown_rules_in_select_ignore_and_severity_are_errors_with_a_suggestion() {
        for (text, needle) in [
            ("select = [\"SB2O1\"]\n", "did you mean `SB201`?"),
            (
                "ignore = [\"unresolved-paths\"]\n",
                "did you mean `unresolved-path`?",
            ),
            ("[severity]\nSB3O3 = \"warning\"\n", "did you mean `SB303`?"),
        ] {
            let err = Config::parse(Path::new("sblint.toml"), text).unwrap_err();
            assert!(err.to_string().contains(needle), "{text}: {err}");
        }
        let ok = "select = [\"ALL\", \"SB2\", \"unresolved-path\"]\n\
                  [severity]\nbroad-network = \"info\"\n";
        assert!(Config::parse(Path::new("x"), ok).is_ok());
    }
}
