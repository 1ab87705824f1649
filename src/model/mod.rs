//! The semantic model: vocabulary, evaluation of the Scheme real profiles use, rules as
//! libsandbox sees them, path facts, and the one precedence model.

pub mod addon;
pub mod applematch;
pub mod argument;
pub mod changes;
pub mod disputed;
pub mod essentials;
mod eval;
pub mod implicit;
pub mod paths;
pub mod precedence;
pub mod regex;
pub mod rule;
pub mod secrets;
pub mod sets;
pub mod sources;
pub mod suggest;
pub mod tsv;
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
    /// Add the rules libsandbox adds by itself (`grammar/implicit.tsv`, see
    /// [`implicit`]): what `explain` and `sblint test` decide with. Off for the checks,
    /// which are about the profile's own text.
    pub implicit: bool,
    /// Texts of imported files by the name `import` gives, found before the file system
    /// (the WebAssembly build has none).
    pub imports: HashMap<String, String>,
}

/// Something evaluation found wrong, by kind. The model knows no lint codes: the lint
/// layer maps each kind to the rule that reports it (`lint::reported_by`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Issue {
    /// A call of a name nothing defines.
    UnknownFunction {
        span: Span,
        name: String,
        suggestion: Option<String>,
    },
    /// A reference to a name nothing defines (libsandbox: "unbound variable"); the
    /// profile fails to load.
    UnboundVariable {
        span: Span,
        name: String,
        suggestion: Option<String>,
    },
    /// Evaluation stopped at its step or depth limit.
    EvaluationLimit { span: Span, message: String },
    /// An `import` that could not be read.
    /// `apple` when the file is one of Apple's own profiles that libsandbox finds on
    /// every Mac (`grammar/apple-profiles.tsv`): sblint's limitation, not the profile's.
    Import {
        span: Span,
        message: String,
        apple: bool,
    },
    /// An operation name the vocabulary does not know, or one only newer macOS versions
    /// have (`note` says which).
    UnknownOperation {
        span: Span,
        name: String,
        suggestion: Option<String>,
        note: Option<String>,
    },
    /// A rule names an operation only older macOS versions have (`versions`).
    ObsoleteOperation {
        span: Span,
        name: String,
        versions: Vec<MacOs>,
    },
    /// At info: an operation or named constant that no table of the selected
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
    /// A filter name the vocabulary does not have.
    UnknownFilter {
        span: Span,
        name: String,
        suggestion: Option<String>,
        /// Why, when the filter exists on other macOS versions.
        note: Option<String>,
    },
    /// An argument of the wrong kind where a filter or a rule's filters are expected.
    InvalidFilterArgument {
        span: Span,
        message: String,
        label: String,
    },
    /// A regex that does not compile; `span` is the regex token.
    InvalidRegex { span: Span, message: String },
    /// A network filter's host, port or protocol that does not parse.
    InvalidNetworkAddress {
        span: Span,
        message: String,
        label: String,
    },
    /// A `with` modifier that is unknown or misplaced.
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
    /// The rules libsandbox adds by itself ([`ModelOptions::implicit`]): each as an index
    /// into `rules`, its row of `grammar/implicit.tsv`, and whether a source shows it on the
    /// selected macOS (false: the rule is uncertain, and a decision resting on it says so).
    pub implicit: Vec<(usize, &'static implicit::ImplicitRule, bool)>,
    /// Imports of the checked file that could not be read: the name as written, where, and
    /// how many rules came before it (its rules would have come next).
    pub unread_imports: Vec<UnreadImport>,
}

/// An `import` whose file could not be read: its rules are missing from the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnreadImport {
    pub name: String,
    /// The `(import ...)` form in the checked file (or the top-level form that led to it).
    pub span: Span,
    /// The number of rules before it: its rules would have been `rules[at..]`'s first.
    pub at: usize,
}

impl Model {
    /// The implicit rule (row and whether a source shows it here) that `rule` is, if any.
    pub fn implicit_rule(&self, rule: usize) -> Option<(&'static implicit::ImplicitRule, bool)> {
        self.implicit
            .iter()
            .find(|(i, _, _)| *i == rule)
            .map(|(_, row, verified)| (*row, *verified))
    }
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
