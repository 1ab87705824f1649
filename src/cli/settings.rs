//! The options for each checked file: command line first, then the nearest `sblint.toml`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::args::ModelArgs;
use super::error::AppError;
use super::inputs::{self, Input};
use crate::config::Config;
use crate::diagnostic::Severity;
use crate::lint::{self, CheckOptions, Prelude, Selection};
use crate::model::{MacOs, ModelOptions};

/// Resolves and caches configs and preludes across the files of one run.
pub struct Settings<'a> {
    args: &'a ModelArgs,
    cli_preludes: Vec<Arc<Prelude>>,
    select: &'a [String],
    ignore: &'a [String],
    configs: HashMap<PathBuf, Arc<(PathBuf, Config)>>,
    preludes: HashMap<PathBuf, Arc<Prelude>>,
}

impl<'a> Settings<'a> {
    pub fn new(
        args: &'a ModelArgs,
        prelude_paths: &[PathBuf],
        select: &'a [String],
        ignore: &'a [String],
    ) -> Result<Self, AppError> {
        let mut cli_preludes = Vec::new();
        for path in prelude_paths {
            let bytes = inputs::read(&Input::File(path.clone()))?;
            cli_preludes.push(lint::load_prelude(path.display().to_string(), bytes));
        }
        Ok(Settings {
            args,
            cli_preludes,
            select,
            ignore,
            configs: HashMap::new(),
            preludes: HashMap::new(),
        })
    }

    fn config_for(&mut self, input: &Input) -> Result<Option<Arc<(PathBuf, Config)>>, AppError> {
        let path = match (&self.args.config, input) {
            (Some(path), _) => Some(path.clone()),
            (None, Input::File(file)) => Config::discover(file),
            (None, Input::Stdin) => Config::discover(Path::new(".")),
        };
        let Some(path) = path else { return Ok(None) };
        if let Some(found) = self.configs.get(&path) {
            return Ok(Some(found.clone()));
        }
        let config = Config::load(&path).map_err(|e| AppError::Usage(e.to_string()))?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let entry = Arc::new((dir, config));
        self.configs.insert(path, entry.clone());
        Ok(Some(entry))
    }

    fn prelude(&mut self, path: &Path) -> Result<Arc<Prelude>, AppError> {
        if let Some(p) = self.preludes.get(path) {
            return Ok(p.clone());
        }
        let bytes = inputs::read(&Input::File(path.to_path_buf()))?;
        let prelude = lint::load_prelude(path.display().to_string(), bytes);
        self.preludes.insert(path.to_path_buf(), prelude.clone());
        Ok(prelude)
    }

    /// Everything a check of `input` needs.
    pub fn options_for(&mut self, input: &Input) -> Result<CheckOptions, AppError> {
        let config = self.config_for(input)?;
        let mut options = CheckOptions {
            preludes: self.cli_preludes.clone(),
            ..CheckOptions::default()
        };
        let mut model = ModelOptions {
            base_dir: match input {
                Input::File(path) => path.parent().map(Path::to_path_buf),
                Input::Stdin => Some(PathBuf::from(".")),
            },
            ..ModelOptions::default()
        };
        let mut selection = Selection::default();
        if let Some(entry) = config {
            let (dir, config) = &*entry;
            model.macos = config.macos.as_deref().and_then(MacOs::parse);
            model
                .params
                .extend(config.params.clone().unwrap_or_default());
            model
                .import_paths
                .extend(config.import_paths.iter().flatten().map(|p| dir.join(p)));
            selection.select = config.select.clone().unwrap_or_default();
            selection.ignore = config.ignore.clone().unwrap_or_default();
            for (code, severity) in config.severity.iter().flatten() {
                if let Some(s) = Severity::parse(severity) {
                    selection.severity.insert(code.to_ascii_uppercase(), s);
                }
            }
            if let Input::File(file) = input {
                let relative = std::fs::canonicalize(file)
                    .ok()
                    .and_then(|f| {
                        std::fs::canonicalize(dir)
                            .ok()
                            .and_then(|d| f.strip_prefix(d).ok().map(Path::to_path_buf))
                    })
                    .unwrap_or_else(|| file.clone());
                for rule in config.preludes.iter().flatten() {
                    let matcher = globset::Glob::new(&rule.glob).map(|g| g.compile_matcher());
                    if matcher.is_ok_and(|m| m.is_match(&relative)) {
                        for f in &rule.files {
                            let prelude = self.prelude(&dir.join(f))?;
                            options.preludes.push(prelude);
                        }
                    }
                }
            }
        }
        if let Some(macos) = self.args.macos {
            model.macos = Some(macos);
        }
        model.params.extend(self.args.params.iter().cloned());
        model
            .import_paths
            .extend(self.args.import_paths.iter().cloned());
        if !self.select.is_empty() {
            selection.select = self.select.to_vec();
        }
        selection.ignore.extend(self.ignore.iter().cloned());
        options.model = model;
        options.selection = selection;
        Ok(options)
    }
}
