//! Loading a profile with its preludes and settings into a model, for `explain` and
//! `compile`.

use std::path::Path;
use std::sync::Arc;

use super::args::LoadArgs;
use super::error::{AppError, SourceError};
use crate::lint::{self, Prelude};
use crate::model::sources::SourceMap;
use crate::model::Issue;
use crate::model::Model;
use crate::syntax::{parse, LineIndex, Span, SyntaxTree};
use crate::workspace::{inputs, Input, Overrides, Settings};
use miette::NamedSource;

pub struct Loaded {
    pub name: String,
    pub tree: SyntaxTree,
    pub preludes: Vec<Arc<Prelude>>,
    pub model: Model,
    /// What would make `sandbox-exec` refuse the profile (SB0xx/SB1xx errors).
    pub errors: Vec<crate::diagnostic::Diagnostic>,
}

/// One reason the profile fails to load, for people and for JSON.
pub struct LoadError {
    pub line: u32,
    pub column: u32,
    pub code: &'static str,
    pub message: String,
}

impl Loaded {
    /// Why the profile fails to load; empty when it loads (as far as sblint knows).
    pub fn load_errors(&self) -> Vec<LoadError> {
        let index = LineIndex::new(self.tree.text());
        self.errors
            .iter()
            .map(|d| {
                let at = index.line_col(self.tree.text(), d.primary.span.start);
                LoadError {
                    line: at.line,
                    column: at.col,
                    code: d.code,
                    message: d.message.clone(),
                }
            })
            .collect()
    }

    /// "`p.sb`:3:28: SB004 unbound variable `HOME` …", one per error.
    pub fn load_error_lines(&self) -> Vec<String> {
        self.load_errors()
            .iter()
            .map(|e| {
                format!(
                    "`{}`:{}:{}: {} {}",
                    self.name, e.line, e.column, e.code, e.message
                )
            })
            .collect()
    }

    pub fn sources(&self) -> SourceMap<'_> {
        let preludes: Vec<(&str, &SyntaxTree)> = self
            .preludes
            .iter()
            .map(|p| (p.path.as_str(), &p.tree))
            .collect();
        SourceMap::new((self.name.as_str(), &self.tree), &preludes, &self.model)
    }
}

/// An error at `span` of the profile, shown as `` `name`:line:col: message ``.
fn at_source(name: &str, tree: &SyntaxTree, span: Span, message: String, label: &str) -> AppError {
    let at = LineIndex::new(tree.text()).line_col(tree.text(), span.start);
    SourceError {
        location: format!("`{name}`:{}:{}", at.line, at.col),
        message,
        text: NamedSource::new(name, tree.text().to_string()),
        span: (span.start as usize, span.len() as usize).into(),
        label: label.into(),
        help: None,
    }
    .into()
}

/// Reads, parses and evaluates `profile`; a syntax error or an import that fails is bad
/// input.
pub fn load(profile: &Path, args: &LoadArgs) -> Result<Loaded, AppError> {
    load_with(profile, args.overrides(&[], &[])?)
}

/// [`load`] for `explain`: the model has the rules libsandbox adds by itself, and an import
/// that cannot be read (Apple's `/System/Library/Sandbox/Profiles/bsd.sb` off a Mac) is no
/// error: the answer is what the rules it can read decide, marked conditional on it.
pub fn load_for_explain(profile: &Path, args: &LoadArgs) -> Result<Loaded, AppError> {
    load_inner(profile, args.overrides(&[], &[])?, true)
}

/// [`load`] with the settings given directly (a test file's params, preludes and macOS).
pub fn load_with(profile: &Path, overrides: Overrides) -> Result<Loaded, AppError> {
    load_inner(profile, overrides, false)
}

fn load_inner(profile: &Path, overrides: Overrides, explain: bool) -> Result<Loaded, AppError> {
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
        let message = format!("{} (run `sblint check {name}`)", error.message);
        return Err(at_source(&name, &tree, error.span, message, "here"));
    }
    let mut settings = Settings::new(overrides)?;
    let mut options = settings.options_for(&input)?;
    options.model.implicit = explain;
    let prelude_trees: Vec<&SyntaxTree> = options.preludes.iter().map(|p| &p.tree).collect();
    let model = Model::new(&tree, &prelude_trees, &options.model);
    // Without the imported rules the answer would be about another profile.
    // For `explain`, an import that cannot be read at all leaves the rules it has (the
    // answer says so); one that was read but is broken is still an error.
    let unread = |span: Span| explain && model.unread_imports.iter().any(|u| u.span == span);
    if let Some((span, message)) = model.issues.iter().find_map(|issue| match issue {
        Issue::Import { span, message, .. } if !unread(*span) => Some((*span, message)),
        _ => None,
    }) {
        return Err(at_source(
            &name,
            &tree,
            span,
            message.clone(),
            "this import",
        ));
    }
    Ok(finish(name, tree, options.preludes, model))
}

fn finish(name: String, tree: SyntaxTree, preludes: Vec<Arc<Prelude>>, model: Model) -> Loaded {
    let errors = lint::load_errors(&tree, &preludes, &model);
    Loaded {
        name,
        tree,
        preludes,
        model,
        errors,
    }
}
