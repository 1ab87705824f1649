//! The semantic model: vocabulary, evaluation of the Scheme real profiles use, rules as
//! libsandbox sees them, path facts, and the one precedence model.

mod eval;
pub mod paths;
pub mod precedence;
pub mod regex;
pub mod rule;
pub mod sources;
pub mod value;
pub mod vocab;

use std::collections::HashMap;
use std::path::PathBuf;

pub use crate::syntax::string::quote;
pub use eval::build;
pub use rule::{
    Action, FileId, Filter, FilterExpr, FilterValue, NamePattern, Origin, PathPattern, Rule,
};
pub use vocab::{vocabulary, MacOs, Name, OpId, Vocabulary};

use crate::syntax::{Span, SyntaxTree};

/// What the model needs besides the trees.
#[derive(Clone, Debug, Default)]
pub struct ModelOptions {
    pub macos: Option<MacOs>,
    pub params: HashMap<String, String>,
    /// Directory of the checked file, for `import`.
    pub base_dir: Option<PathBuf>,
    pub import_paths: Vec<PathBuf>,
}

/// Something evaluation found wrong; the linter turns each into a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Issue {
    /// SB004: a call of a name nothing defines.
    UnknownFunction {
        span: Span,
        name: String,
        suggestion: Option<String>,
    },
    /// SB005: evaluation stopped at its step or depth limit.
    EvaluationLimit { span: Span, message: String },
    /// SB006: an `import` that could not be read.
    Import { span: Span, message: String },
    /// SB101
    UnknownOperation {
        span: Span,
        name: String,
        suggestion: Option<String>,
        note: Option<String>,
    },
    /// SB109
    ObsoleteOperation {
        span: Span,
        name: String,
        versions: Vec<MacOs>,
    },
    /// SB101, at info: an operation or named constant that no table of the selected
    /// release lists and no evidence shows there ("not verified for macOS N").
    UnverifiedName {
        span: Span,
        name: String,
        /// `operation` or `constant`.
        kind: &'static str,
        macos: MacOs,
        /// Releases where it is known to exist.
        known: Vec<MacOs>,
    },
    /// SB102
    UnknownFilter {
        span: Span,
        name: String,
        suggestion: Option<String>,
        /// Why, when the filter exists on other macOS versions.
        note: Option<String>,
    },
    /// SB103
    InvalidFilterArgument {
        span: Span,
        message: String,
        label: String,
    },
    /// SB104: `span` is the regex token; `offset` is the byte offset of the problem in it.
    InvalidRegex { span: Span, message: String },
    /// SB105
    InvalidNetworkAddress {
        span: Span,
        message: String,
        label: String,
    },
    /// SB107
    InvalidModifier {
        span: Span,
        message: String,
        label: String,
    },
}

/// The checked file, its preludes and imports, evaluated.
#[derive(Debug)]
pub struct Model {
    pub macos: MacOs,
    /// Every rule in the order libsandbox sees them: preludes, then the file (imports inline).
    pub rules: Vec<Rule>,
    /// Problems in the checked file (preludes and imports are not reported on).
    pub issues: Vec<Issue>,
    /// False when evaluation stopped early: checks about rule order stay silent.
    pub complete: bool,
    /// True when an `import` could not be read: names it may define are not reported.
    pub missing_import: bool,
    /// Files read by `import`: their id, the name as written, and their tree.
    pub imported: Vec<(FileId, String, std::sync::Arc<SyntaxTree>)>,
    /// `param` names that were used without a value (`--param`, `params` in sblint.toml).
    pub unset_params: Vec<String>,
}

impl Model {
    pub fn vocabulary(&self) -> &'static Vocabulary {
        vocabulary()
    }

    /// Builds the model of `tree` with `preludes` evaluated first.
    pub fn new(tree: &SyntaxTree, preludes: &[&SyntaxTree], options: &ModelOptions) -> Model {
        build(tree, preludes, options)
    }
}
