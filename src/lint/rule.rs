//! What every rule declares, and the context its check reads.

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::model::precedence::OrderIndex;
use crate::model::Model;
use crate::syntax::{Span, SyntaxTree};

/// A rule's identity and documentation. Codes are stable: a retired code is never reused.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// One line, for `sblint rule` and SARIF's `shortDescription`.
    pub summary: &'static str,
    /// What it does / why it is a problem on a real Mac / example / what to write instead.
    /// Examples in ```` ```sbpl expect_diagnostic ```` blocks must trigger the rule and
    /// those in plain ```` ```sbpl ```` blocks must not: a test runs them all.
    pub doc: &'static str,
}

pub struct Rule {
    pub meta: RuleMeta,
    pub check: Check,
}

/// How a rule looks at a file.
pub enum Check {
    /// The whole context at once.
    File(fn(&Context<'_>, &mut Vec<Diagnostic>)),
    /// The whole context and the rules indexed by operation and action, for the checks
    /// about rule order: the linter builds the index (on all cores, while the other checks
    /// run) only when such a check is enabled.
    Ordered(fn(&Context<'_>, &OrderIndex<'_>, &mut Vec<Diagnostic>)),
    /// One rule shown in the checked file at a time (see `facts::main_rules`),
    /// with where to show it.
    Rule(RuleCheck),
    /// One filter leaf the checked file answers for (see `facts::main_leaves`) at
    /// a time.
    Leaf(LeafCheck),
}

// `Rule` and `Leaf` checks share one walk over the model, on all cores: a model of 100,000
// rules is walked once for all of them, not once each.
pub type RuleCheck = fn(&Context<'_>, &crate::model::Rule, Span, &mut Vec<Diagnostic>);
pub type LeafCheck = fn(&Context<'_>, &crate::model::Filter, Span, &mut Vec<Diagnostic>);

/// A file read before the checked one (`--prelude`): visible, but not reported on.
#[derive(Debug)]
pub struct Prelude {
    pub path: String,
    pub tree: SyntaxTree,
}

pub struct Context<'a> {
    pub tree: &'a SyntaxTree,
    pub preludes: &'a [std::sync::Arc<Prelude>],
    pub model: &'a Model,
    /// See [`super::facts::default_action`].
    pub(super) default_action: std::sync::OnceLock<Option<(crate::model::Action, usize)>>,
    /// The profile's decisions, per leaf operation, computed once for every rule that asks.
    sets: std::sync::OnceLock<crate::model::sets::table::Table<'a>>,
    /// A profile beside the checked file (or in an import directory) that imports it, when
    /// the checked file has no `(version 1)`: a fragment, which gets its version there.
    pub importer: Option<String>,
    /// True when the checked file has no `(version 1)` and lies in one of the `--import-path`
    /// directories: a library of fragments by the user's own account.
    pub in_import_dir: bool,
    /// Analyses kept from the previous check of the same document (the language server).
    pub leaf_cache: Option<std::sync::Arc<crate::model::sets::table::LeafCache>>,
}

impl<'a> Context<'a> {
    pub fn new(
        tree: &'a SyntaxTree,
        preludes: &'a [std::sync::Arc<Prelude>],
        model: &'a Model,
    ) -> Context<'a> {
        Context {
            tree,
            preludes,
            model,
            default_action: std::sync::OnceLock::new(),
            sets: std::sync::OnceLock::new(),
            importer: None,
            in_import_dir: false,
            leaf_cache: None,
        }
    }
}

impl RuleMeta {
    /// A diagnostic of this rule at `span`, with the rule's default severity.
    pub fn diagnostic(
        &self,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            code: self.code,
            name: self.name,
            severity: self.severity,
            message: message.into(),
            primary: Label::new(span, label),
            secondary: Vec::new(),
            notes: Vec::new(),
            fix: None,
        }
    }
}

impl<'a> Context<'a> {
    /// The profile's decision sets (SB401, SB402, SB404, SB405 ask them).
    pub fn sets(&self) -> &crate::model::sets::table::Table<'a> {
        self.sets.get_or_init(|| {
            use crate::model::sets::table::Table;
            match &self.leaf_cache {
                Some(cache) => Table::with_cache(&self.model.rules, cache.clone()),
                None => Table::new(&self.model.rules),
            }
        })
    }

    pub fn report(
        &self,
        rule: &RuleMeta,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Diagnostic {
        rule.diagnostic(span, message, label)
    }
}
