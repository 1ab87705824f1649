//! Loading a profile with its preludes and settings into a model, for `explain` and
//! `compile`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::args::ModelArgs;
use super::error::AppError;
use crate::lint::{self, Prelude};
use crate::model::sources::SourceMap;
use crate::model::Model;
use crate::syntax::{parse, SyntaxTree};
use crate::workspace::{inputs, Input, Settings};

pub struct Loaded {
    pub name: String,
    pub tree: SyntaxTree,
    pub preludes: Vec<Arc<Prelude>>,
    pub model: Model,
}

impl Loaded {
    pub fn sources(&self) -> SourceMap<'_> {
        let preludes: Vec<(&str, &SyntaxTree)> = self
            .preludes
            .iter()
            .map(|p| (p.path.as_str(), &p.tree))
            .collect();
        SourceMap::new((self.name.as_str(), &self.tree), &preludes, &self.model)
    }
}

/// Reads, parses and evaluates `profile`; a syntax error is bad input.
pub fn load(profile: &Path, preludes: &[PathBuf], args: &ModelArgs) -> Result<Loaded, AppError> {
    let input = if profile.as_os_str() == "-" {
        Input::Stdin
    } else {
        Input::File(profile.to_path_buf())
    };
    let name = inputs::display_name(&input, None);
    let bytes = inputs::read(&input)?;
    let text = lint::decode(bytes)
        .map_err(|e| AppError::Usage(format!("`{name}`: {}", e.diagnostic.message)))?;
    let tree = parse(text);
    if let Some(error) = tree.errors().first() {
        let at = crate::syntax::LineIndex::new(tree.text()).line_col(tree.text(), error.span.start);
        return Err(AppError::Usage(format!(
            "`{name}`:{}:{}: {} (run `sblint check {name}`)",
            at.line, at.col, error.message
        )));
    }
    let mut settings = Settings::new(args.overrides(preludes, &[], &[]))?;
    let options = settings.options_for(&input)?;
    let prelude_trees: Vec<&SyntaxTree> = options.preludes.iter().map(|p| &p.tree).collect();
    let model = Model::new(&tree, &prelude_trees, &options.model);
    Ok(Loaded {
        name,
        tree,
        preludes: options.preludes,
        model,
    })
}
