//! How to load a profile through the API: [`Options`] and its [`PreludeSource`]s, and the
//! options a check needs made of them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Error;
use crate::lint::{self, CheckOptions, Selection};
use crate::model::{MacOs, ModelOptions};
use crate::workspace::{inputs, Input};

/// How to load a profile: values for its `(param "NAME")`s, files read before it
/// (preludes), where its `import`s are searched, and the macOS whose vocabulary applies.
/// Nothing is read from `sblint.toml`: a library call gets what it is given.
///
/// Serialises as `{"params": {...}, "preludes": [{"name", "text"} | {"path"}],
/// "import_paths": [...], "imports": {"name.sb": "text"}, "macos": "14", "select": [...],
/// "ignore": [...]}`, every key optional.
///
/// ```
/// use sblint::Options;
///
/// let options = Options::new()
///     .param("HOME", "/Users/me")
///     .prelude_text("base.sb", "(define (home p) (string-append (param \"HOME\") p))")
///     .macos("14");
/// let json: Options = serde_json::from_str(r#"{"params": {"HOME": "/Users/me"}, "macos": "14"}"#)?;
/// assert_eq!(json.params, options.params);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// Values for `(param "NAME")`.
    pub params: BTreeMap<String, String>,
    /// Profiles evaluated before this one, in order (their definitions are visible; their
    /// own findings are not reported).
    pub preludes: Vec<PreludeSource>,
    /// Directories searched by `import` after the profile's own directory.
    pub import_paths: Vec<PathBuf>,
    /// Texts of imported files by the name `import` gives, found before the file system
    /// (where there is none, as in WebAssembly).
    pub imports: BTreeMap<String, String>,
    /// The macOS version: `10.12`-`10.15`, `11`-`15`, `26`, a minor version (`14.2`) or a
    /// name (`sonoma`); default 14.4.1, the newest with complete tables.
    pub macos: Option<String>,
    /// The rules [`Profile::check`] runs, by code, prefix or name (`SB2`,
    /// `unresolved-path`); empty: every rule (as `sblint check --select`).
    pub select: Vec<String>,
    /// Rules [`Profile::check`] leaves out (as `sblint check --ignore`).
    pub ignore: Vec<String>,
}

/// A prelude: text with a name, or a file read when the profile is loaded.
///
/// ```
/// use sblint::PreludeSource;
///
/// let text: PreludeSource = serde_json::from_str(r#"{"name": "base.sb", "text": "(version 1)"}"#)?;
/// assert_eq!(text, PreludeSource::Text { name: "base.sb".into(), text: "(version 1)".into() });
/// let file: PreludeSource = serde_json::from_str(r#"{"path": "base.sb"}"#)?;
/// assert_eq!(file, PreludeSource::File { path: "base.sb".into() });
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PreludeSource {
    /// The prelude's text, and the name findings and citations use.
    Text {
        /// Its name.
        name: String,
        /// Its text.
        text: String,
    },
    /// A file.
    File {
        /// Its path.
        path: PathBuf,
    },
}

impl Options {
    /// No params, no preludes, no import paths, the default macOS.
    ///
    /// ```
    /// assert_eq!(sblint::Options::new(), sblint::Options::default());
    /// ```
    pub fn new() -> Options {
        Options::default()
    }

    /// Gives `(param "NAME")` a value.
    ///
    /// ```
    /// let options = sblint::Options::new().param("HOME", "/Users/me");
    /// assert_eq!(options.params["HOME"], "/Users/me");
    /// ```
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Options {
        self.params.insert(name.into(), value.into());
        self
    }

    /// Adds a prelude given as text.
    ///
    /// ```
    /// let options = sblint::Options::new().prelude_text("base.sb", "(version 1)");
    /// assert_eq!(options.preludes.len(), 1);
    /// ```
    pub fn prelude_text(mut self, name: impl Into<String>, text: impl Into<String>) -> Options {
        self.preludes.push(PreludeSource::Text {
            name: name.into(),
            text: text.into(),
        });
        self
    }

    /// Adds a prelude read from a file when the profile is loaded.
    ///
    /// ```
    /// let options = sblint::Options::new().prelude_file("/usr/share/sandbox/base.sb");
    /// assert_eq!(options.preludes.len(), 1);
    /// ```
    pub fn prelude_file(mut self, path: impl Into<PathBuf>) -> Options {
        self.preludes
            .push(PreludeSource::File { path: path.into() });
        self
    }

    /// Adds a directory searched by `import`.
    ///
    /// ```
    /// let options = sblint::Options::new().import_path("/usr/share/sandbox");
    /// assert_eq!(options.import_paths.len(), 1);
    /// ```
    pub fn import_path(mut self, dir: impl Into<PathBuf>) -> Options {
        self.import_paths.push(dir.into());
        self
    }

    /// Sets the macOS version (checked when the profile is loaded).
    ///
    /// ```
    /// use sblint::{Error, Options, Profile};
    ///
    /// let error = Profile::from_text("(version 1)", &Options::new().macos("9")).unwrap_err();
    /// assert!(matches!(error, Error::UnknownMacOs { .. }));
    /// ```
    pub fn macos(mut self, version: impl Into<String>) -> Options {
        self.macos = Some(version.into());
        self
    }

    /// The options a check needs: preludes read, the version parsed.
    pub(super) fn resolve(&self, base_dir: Option<PathBuf>) -> Result<CheckOptions, Error> {
        let macos = match &self.macos {
            Some(text) => {
                Some(MacOs::parse(text).ok_or_else(|| Error::UnknownMacOs { text: text.clone() })?)
            }
            None => None,
        };
        let mut preludes = Vec::new();
        for prelude in &self.preludes {
            preludes.push(match prelude {
                PreludeSource::Text { name, text } => {
                    lint::load_prelude(name.clone(), text.clone().into_bytes())
                }
                PreludeSource::File { path } => {
                    let bytes = inputs::read(&Input::File(path.clone()))?;
                    lint::load_prelude(path.display().to_string(), bytes)
                }
            });
        }
        let selectors = |key: &'static str, list: &[String]| {
            lint::resolve_selectors(list).map_err(|e| Error::Selector {
                key,
                message: e.to_string(),
            })
        };
        Ok(CheckOptions {
            preludes,
            model: ModelOptions {
                macos,
                params: self.params.clone().into_iter().collect(),
                base_dir,
                import_paths: self.import_paths.clone(),
                imports: self.imports.clone().into_iter().collect(),
                ..ModelOptions::default()
            },
            selection: Selection {
                select: selectors("select", &self.select)?,
                ignore: selectors("ignore", &self.ignore)?,
                ..Selection::default()
            },
        })
    }
}
