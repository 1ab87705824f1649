//! The options for each checked file: the door's overrides first (the command line's
//! flags; none in the language server), then the nearest `sblint.toml`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::config::Config;
use super::inputs::{self, Input};
use super::WorkspaceError;
use crate::diagnostic::Severity;
use crate::lint::{self, CheckOptions, Prelude, Selection};
use crate::model::{MacOs, ModelOptions};

/// What a door sets over `sblint.toml`: each field, when given, wins over the file's
/// (`params` and `import_paths` add to it, `ignore` adds to it, `select` replaces it).
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// Values for `(param "NAME")`.
    pub params: Vec<(String, String)>,
    /// Directories searched by `import` after the profile's own.
    pub import_paths: Vec<PathBuf>,
    pub macos: Option<MacOs>,
    /// This `sblint.toml` instead of the nearest one above each file.
    pub config: Option<PathBuf>,
    /// Files read before every checked file.
    pub preludes: Vec<PathBuf>,
    /// Rule codes or prefixes to run; empty keeps the config's.
    pub select: Vec<String>,
    /// Rule codes or prefixes added to the selection (the command line's or the config's).
    pub extend_select: Vec<String>,
    /// Rule codes or prefixes not to run.
    pub ignore: Vec<String>,
}

/// Resolves and caches configs and preludes across the files of one run.
pub struct Settings {
    overrides: Overrides,
    given_preludes: Vec<Arc<Prelude>>,
    configs: HashMap<PathBuf, Arc<(PathBuf, Config)>>,
    preludes: HashMap<PathBuf, Arc<Prelude>>,
}

impl Settings {
    /// Reads the overrides' preludes once for the whole run.
    pub fn new(overrides: Overrides) -> Result<Self, WorkspaceError> {
        let mut given_preludes = Vec::new();
        for path in &overrides.preludes {
            let bytes = inputs::read(&Input::File(path.clone()))?;
            given_preludes.push(lint::load_prelude(path.display().to_string(), bytes));
        }
        Ok(Settings {
            overrides,
            given_preludes,
            configs: HashMap::new(),
            preludes: HashMap::new(),
        })
    }

    fn config_for(
        &mut self,
        input: &Input,
    ) -> Result<Option<Arc<(PathBuf, Config)>>, WorkspaceError> {
        let path = match (&self.overrides.config, input) {
            (Some(path), _) => Some(path.clone()),
            (None, Input::File(file)) => Config::discover(file),
            (None, Input::Stdin) => Config::discover(Path::new(".")),
        };
        let Some(path) = path else { return Ok(None) };
        if let Some(found) = self.configs.get(&path) {
            return Ok(Some(found.clone()));
        }
        let config = Config::load(&path)?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let entry = Arc::new((dir, config));
        self.configs.insert(path, entry.clone());
        Ok(Some(entry))
    }

    fn prelude(&mut self, path: &Path) -> Result<Arc<Prelude>, WorkspaceError> {
        if let Some(p) = self.preludes.get(path) {
            return Ok(p.clone());
        }
        let bytes = inputs::read(&Input::File(path.to_path_buf()))?;
        let prelude = lint::load_prelude(path.display().to_string(), bytes);
        self.preludes.insert(path.to_path_buf(), prelude.clone());
        Ok(prelude)
    }

    /// Everything a check of `input` needs: the nearest `sblint.toml`'s settings, then the
    /// door's overrides over them.
    pub fn options_for(&mut self, input: &Input) -> Result<CheckOptions, WorkspaceError> {
        let config = self.config_for(input)?;
        let mut options = CheckOptions {
            preludes: self.given_preludes.clone(),
            model: ModelOptions {
                base_dir: match input {
                    Input::File(path) => path.parent().map(Path::to_path_buf),
                    Input::Stdin => Some(PathBuf::from(".")),
                },
                ..ModelOptions::default()
            },
            selection: Selection::default(),
        };
        if let Some(entry) = config {
            let (dir, config) = &*entry;
            apply_config(&mut options, config, dir);
            if let Input::File(file) = input {
                for prelude in config_preludes(config, dir, file) {
                    let prelude = self.prelude(&prelude)?;
                    options.preludes.push(prelude);
                }
            }
        }
        apply_overrides(&mut options, &self.overrides);
        Ok(options)
    }
}

/// A config's model settings and rule selection.
fn apply_config(options: &mut CheckOptions, config: &Config, dir: &Path) {
    let (model, selection) = (&mut options.model, &mut options.selection);
    model.macos = config.macos.as_deref().and_then(MacOs::parse);
    model
        .params
        .extend(config.params.clone().unwrap_or_default());
    model
        .import_paths
        .extend(config.import_paths.iter().flatten().map(|p| dir.join(p)));
    // Validated when the file was read: every selector names a rule.
    let resolve = |list: &Option<Vec<String>>| {
        lint::resolve_selectors(list.as_deref().unwrap_or_default()).unwrap_or_default()
    };
    selection.select = resolve(&config.select);
    selection.ignore = resolve(&config.ignore);
    for (code, severity) in config.severity.iter().flatten() {
        if let (Some(s), Some(id)) = (Severity::parse(severity), lint::RuleId::from_code(code)) {
            selection.severity.insert(id.code().to_string(), s);
        }
    }
}

/// The preludes a config's `[[preludes]]` give `file`, in order: every file of a rule whose
/// glob matches it, or the files before it in a list that names it.
fn config_preludes(config: &Config, dir: &Path, file: &Path) -> Vec<PathBuf> {
    let relative = std::fs::canonicalize(file)
        .ok()
        .and_then(|f| {
            std::fs::canonicalize(dir)
                .ok()
                .and_then(|d| f.strip_prefix(d).ok().map(Path::to_path_buf))
        })
        .unwrap_or_else(|| file.to_path_buf());
    let canonical = std::fs::canonicalize(file).ok();
    let mut out = Vec::new();
    for rule in config.preludes.iter().flatten() {
        // A file of the list itself is read after the ones before it only: the
        // list is an assembly, in the order the files ship.
        let position = rule.files.iter().position(|f| {
            canonical.is_some() && std::fs::canonicalize(dir.join(f)).ok() == canonical
        });
        let before = match (position, &rule.glob) {
            (Some(i), _) => &rule.files[..i],
            (None, Some(glob)) => {
                let matcher = globset::Glob::new(glob).map(|g| g.compile_matcher());
                if !matcher.is_ok_and(|m| m.is_match(&relative)) {
                    continue;
                }
                &rule.files[..]
            }
            (None, None) => continue,
        };
        out.extend(before.iter().map(|f| dir.join(f)));
    }
    out
}

/// The door's overrides over what the config gave.
fn apply_overrides(options: &mut CheckOptions, overrides: &Overrides) {
    let (model, selection) = (&mut options.model, &mut options.selection);
    if let Some(macos) = overrides.macos {
        model.macos = Some(macos);
    }
    model.params.extend(overrides.params.iter().cloned());
    model
        .import_paths
        .extend(overrides.import_paths.iter().cloned());
    if !overrides.select.is_empty() {
        selection.select = overrides.select.clone();
    }
    if !overrides.extend_select.is_empty() && selection.select.is_empty() {
        // Nothing selected means every rule: extending it keeps every rule.
        selection.select.push("ALL".into());
    }
    selection
        .select
        .extend(overrides.extend_select.iter().cloned());
    selection.ignore.extend(overrides.ignore.iter().cloned());
}
