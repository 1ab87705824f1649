//! Turns paths into the files to check: files as named, directories walked.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::WorkspaceError;

/// One profile to check.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    File(PathBuf),
    Stdin,
}

/// Expands directories into their `*.sb`/`*.sbpl` files (any case; skipping hidden files
/// and what `.gitignore` excludes, as git does), keeps named files whatever their
/// extension, and sorts the result so that output order does not depend on the file
/// system. Each directory that holds no profile is added to `empty`.
#[cfg(feature = "native")]
pub fn collect(
    paths: &[PathBuf],
    exclusions: &mut Exclusions,
    errors: &mut Vec<WorkspaceError>,
    empty: &mut Vec<PathBuf>,
) -> Vec<Input> {
    let mut inputs = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else if path.is_dir() {
            let mut walked = Vec::new();
            walk(path, &mut walked, errors);
            walked.retain(|i| !matches!(i, Input::File(f) if exclusions.excludes(f)));
            if walked.is_empty() {
                empty.push(path.clone());
            }
            inputs.extend(walked);
        } else if path.exists() {
            // A file named on the command line is checked unless `--force-exclude` says
            // the excludes apply to it too (as pre-commit passes every staged file).
            if !(exclusions.force && exclusions.excludes(path)) {
                inputs.push(Input::File(path.clone()));
            }
        } else {
            errors.push(WorkspaceError::MissingPath { path: path.clone() });
        }
    }
    inputs.sort();
    inputs.dedup();
    inputs
}

/// `exclude` globs from the command line (relative to the current directory) and from the
/// nearest `sblint.toml` (relative to its directory).
pub struct Exclusions {
    cli: globset::GlobSet,
    configs: std::collections::HashMap<PathBuf, Option<(PathBuf, globset::GlobSet)>>,
    config: Option<PathBuf>,
    pub force: bool,
}

impl Exclusions {
    /// `globs` relative to the current directory; `config` instead of the nearest
    /// `sblint.toml`; `force` applies the excludes to named files too.
    pub fn new(
        globs: &[String],
        config: Option<PathBuf>,
        force: bool,
    ) -> Result<Exclusions, WorkspaceError> {
        Ok(Exclusions {
            cli: glob_set(globs)?,
            configs: std::collections::HashMap::new(),
            config,
            force,
        })
    }

    pub fn excludes(&mut self, path: &Path) -> bool {
        let relative = path.strip_prefix(".").unwrap_or(path);
        if self.cli.is_match(relative) {
            return true;
        }
        let config = match &self.config {
            Some(c) => Some(c.clone()),
            None => super::Config::discover(path),
        };
        let Some(config) = config else { return false };
        let entry = self.configs.entry(config.clone()).or_insert_with(|| {
            let loaded = super::Config::load(&config).ok()?;
            let set = glob_set(&loaded.exclude.unwrap_or_default()).ok()?;
            let dir = config.parent().map(Path::to_path_buf).unwrap_or_default();
            Some((std::fs::canonicalize(&dir).unwrap_or(dir), set))
        });
        let Some((dir, set)) = entry else {
            return false;
        };
        let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        absolute.strip_prefix(&*dir).is_ok_and(|r| set.is_match(r))
    }
}

fn glob_set(globs: &[String]) -> Result<globset::GlobSet, WorkspaceError> {
    let mut builder = globset::GlobSetBuilder::new();
    for glob in globs {
        let parsed = globset::Glob::new(glob).map_err(|e| WorkspaceError::ExcludeGlob {
            glob: glob.clone(),
            message: e.to_string(),
        })?;
        builder.add(parsed);
    }
    builder
        .build()
        .map_err(|e| WorkspaceError::GlobSet(e.to_string()))
}

#[cfg(feature = "native")]
fn walk(dir: &Path, inputs: &mut Vec<Input>, errors: &mut Vec<WorkspaceError>) {
    let walker = ignore::WalkBuilder::new(dir)
        .standard_filters(true)
        .require_git(false)
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let path = entry.path();
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if is_file && is_profile(path) {
                    inputs.push(Input::File(path.to_path_buf()));
                }
            }
            Err(err) => errors.push(WorkspaceError::Walk {
                path: dir.to_path_buf(),
                message: err.to_string(),
            }),
        }
    }
}

/// `*.sb` and `*.sbpl`, in any case (`.SB` from a case-insensitive file system).
pub fn is_profile(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("sb") || e.eq_ignore_ascii_case("sbpl"))
}

pub fn read(input: &Input) -> Result<Vec<u8>, WorkspaceError> {
    match input {
        Input::File(path) => std::fs::read(path).map_err(|source| WorkspaceError::Read {
            path: path.clone(),
            source,
        }),
        Input::Stdin => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|source| WorkspaceError::Read {
                    path: PathBuf::from("-"),
                    source,
                })?;
            Ok(bytes)
        }
    }
}

/// The path shown in findings.
pub fn display_name(input: &Input, stdin_filename: Option<&str>) -> String {
    match input {
        Input::File(path) => path.display().to_string(),
        Input::Stdin => stdin_filename.unwrap_or("-").to_string(),
    }
}
