//! The linter: runs the rules of the registry over a file and its preludes.

mod facts;
pub mod fix;
pub mod rule;
pub mod rules;
pub mod structure;
pub mod suppress;

pub use rule::{Check, Context, Prelude, Rule, RuleMeta};
pub use rules::{RuleId, RULES};

use std::collections::HashMap;

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, FileReport, Severity};
use crate::model::precedence::OrderIndex;
pub use crate::model::sets::table::LeafCache;
use crate::model::{Issue, Model, ModelOptions};
use crate::syntax::{parse, Span, SyntaxTree};

/// What a check needs beyond the file itself.
#[derive(Debug, Default)]
pub struct CheckOptions {
    pub preludes: Vec<Arc<Prelude>>,
    pub model: ModelOptions,
    pub selection: Selection,
}

/// Which rules run and at which severity (`select`, `ignore`, `[severity]`).
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Code prefixes (`SB2`, `SB201`) or `ALL`; empty means all.
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub severity: HashMap<String, Severity>,
}

impl Selection {
    /// The most specific matching prefix decides; on a tie, `ignore` wins.
    pub fn enabled(&self, code: &str) -> bool {
        let best = |list: &[String]| {
            list.iter()
                .filter_map(|p| {
                    let p = if p.eq_ignore_ascii_case("ALL") {
                        ""
                    } else {
                        p.as_str()
                    };
                    code.to_ascii_uppercase()
                        .starts_with(&p.to_ascii_uppercase())
                        .then_some(p.len())
                })
                .max()
        };
        let selected = if self.select.is_empty() {
            Some(0)
        } else {
            best(&self.select)
        };
        match (selected, best(&self.ignore)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(s), Some(i)) => s > i,
        }
    }
}

/// A rule selector that names no rule, with the nearest code or name if one is close.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", RuleId::unknown_selector_message(.selector, *.suggestion))]
pub struct UnknownRule {
    pub selector: String,
    pub suggestion: Option<&'static str>,
}

/// Each selector as the code prefix [`Selection`] matches (names become codes); `Err`
/// names the first one that names no rule.
pub fn resolve_selectors(selectors: &[String]) -> Result<Vec<String>, UnknownRule> {
    selectors
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            RuleId::resolve_selector(s).map_err(|suggestion| UnknownRule {
                selector: s.clone(),
                suggestion,
            })
        })
        .collect()
}

/// The rule with this code (any case) or name, if any.
pub fn rule_by_code(code: &str) -> Option<&'static Rule> {
    RuleId::from_code(code).map(RuleId::rule)
}

/// The rule that reports each kind of problem evaluation finds: the one place that maps
/// the model's findings to lint codes (the model knows no codes).
pub fn reported_by(issue: &Issue) -> RuleId {
    match issue {
        Issue::UnknownFunction { .. } | Issue::UnboundVariable { .. } => RuleId::UnknownFunction,
        Issue::EvaluationLimit { .. } => RuleId::EvaluationLimit,
        Issue::Import { .. } => RuleId::ImportFailed,
        Issue::UnknownOperation { .. } | Issue::UnverifiedName { .. } => RuleId::UnknownOperation,
        Issue::ObsoleteOperation { .. } => RuleId::ObsoleteOperation,
        Issue::UnknownFilter { .. } => RuleId::UnknownFilter,
        Issue::InvalidFilterArgument { .. } => RuleId::InvalidFilterArgument,
        Issue::InvalidRegex { .. } => RuleId::InvalidRegex,
        Issue::InvalidNetworkAddress { .. } => RuleId::InvalidNetworkAddress,
        Issue::InvalidModifier { .. } => RuleId::InvalidModifier,
    }
}

/// A file that is not UTF-8: its lossy text, for rendering, and the SB001 at the bad byte.
#[derive(Debug)]
pub struct NotUtf8 {
    pub text: String,
    pub diagnostic: Diagnostic,
}

/// Decodes a file as UTF-8.
pub fn decode(bytes: Vec<u8>) -> Result<String, Box<NotUtf8>> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(err) => {
            let offset = err.utf8_error().valid_up_to();
            let bad = err.as_bytes()[offset];
            let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
            let meta = RuleId::SyntaxError.meta();
            let at = Span::new(offset as u32, offset as u32 + 1);
            let diagnostic = meta
                .diagnostic(
                    at,
                    format!("the file is not valid UTF-8: byte 0x{bad:02X} at offset {offset}"),
                    "invalid UTF-8 here",
                )
                .with_note("profiles are UTF-8 text; nothing after this byte was checked");
            Err(Box::new(NotUtf8 { text, diagnostic }))
        }
    }
}

/// Parses a prelude; its own diagnostics are never reported.
pub fn load_prelude(path: impl Into<String>, bytes: Vec<u8>) -> Arc<Prelude> {
    let text = decode(bytes).unwrap_or_else(|e| e.text);
    Arc::new(Prelude {
        path: path.into(),
        tree: parse(text),
    })
}

/// Checks one file given as bytes.
pub fn check_bytes(path: &str, bytes: Vec<u8>, options: &CheckOptions) -> FileReport {
    match decode(bytes) {
        Ok(text) => check_text(path, text, options),
        Err(e) => FileReport::new(path, e.text, vec![e.diagnostic]),
    }
}

/// Checks one file given as text.
pub fn check_text(path: &str, text: String, options: &CheckOptions) -> FileReport {
    check_text_in(path, text, options, None)
}

/// [`check_text`] for a document checked again and again (the language server): the
/// decision sets' analyses of operations whose rules an edit left as they were are taken
/// from `cache` (see [`LeafCache`]), and the ones of this check kept there.
pub fn check_text_reusing(
    path: &str,
    text: String,
    options: &CheckOptions,
    cache: &Arc<LeafCache>,
) -> FileReport {
    cache.next_check();
    check_text_in(path, text, options, Some(cache.clone()))
}

fn check_text_in(
    path: &str,
    text: String,
    options: &CheckOptions,
    cache: Option<Arc<LeafCache>>,
) -> FileReport {
    let tree = parse(text);
    // Only SB002 reads who imports the file: the directory walks are for it alone.
    let (importer, in_import_dir) = if options.selection.enabled(RuleId::MissingVersion.code()) {
        let importer = importer_of(path, &tree, options);
        let in_dir = importer.is_none() && in_import_dir(&tree, options);
        (importer, in_dir)
    } else {
        (None, false)
    };
    let diagnostics = check_tree_imported(&tree, options, (importer, in_import_dir, cache));
    FileReport::new(path, tree.into_text(), diagnostics)
}

/// A profile in the checked file's directory or an import directory that imports the file
/// at `path` by name, looked for only when the file has rules and no `(version 1)` (nor a
/// prelude with one): Apple's `/usr/share/sandbox` has such fragments
/// (`com.apple.atsd.support.sb`, imported by `com.apple.atsd.internal.sb`).
fn importer_of(path: &str, tree: &SyntaxTree, options: &CheckOptions) -> Option<String> {
    if structure::version_forms(tree).next().is_some()
        || structure::first_rule(tree).is_none()
        || options
            .preludes
            .iter()
            .any(|p| structure::version_forms(&p.tree).next().is_some())
    {
        return None;
    }
    let name = std::path::Path::new(path).file_name()?.to_str()?;
    options
        .model
        .base_dir
        .iter()
        .chain(options.model.import_paths.iter())
        .find_map(|dir| {
            imports_in(dir)
                .get(name)
                .filter(|importer| importer.as_str() != name)
                .cloned()
        })
}

/// For a directory: each name that a profile in it imports (`(import "NAME")`), with the
/// first such profile. Read once per directory and modification time, so that checking a
/// directory of fragments reads each file once, not once per fragment.
fn imports_in(dir: &std::path::Path) -> Arc<HashMap<String, String>> {
    type Cache = std::sync::Mutex<
        HashMap<std::path::PathBuf, (Option<std::time::SystemTime>, Arc<HashMap<String, String>>)>,
    >;
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let modified = std::fs::metadata(dir).and_then(|m| m.modified()).ok();
    let cache = CACHE.get_or_init(Default::default);
    if let Some((when, imports)) = cache.lock().ok().and_then(|c| c.get(dir).cloned()) {
        if when == modified {
            return imports;
        }
    }
    let mut imports = HashMap::new();
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    for file in files {
        let Some(importer) = file.file_name().and_then(|f| f.to_str()) else {
            continue;
        };
        if !(importer.ends_with(".sb") || importer.ends_with(".sbpl")) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for (at, _) in text.match_indices("(import \"") {
            let rest = &text[at + "(import \"".len()..];
            if let Some(end) = rest.find('"') {
                imports
                    .entry(rest[..end].to_string())
                    .or_insert_with(|| importer.to_string());
            }
        }
    }
    let imports = Arc::new(imports);
    if let Ok(mut c) = cache.lock() {
        c.insert(dir.to_path_buf(), (modified, imports.clone()));
    }
    imports
}

/// True when the file has no `(version 1)` and its directory is one of the import paths.
fn in_import_dir(tree: &SyntaxTree, options: &CheckOptions) -> bool {
    if structure::version_forms(tree).next().is_some() {
        return false;
    }
    let Some(dir) = options
        .model
        .base_dir
        .as_ref()
        .and_then(|d| std::fs::canonicalize(d).ok())
    else {
        return false;
    };
    options
        .model
        .import_paths
        .iter()
        .any(|p| std::fs::canonicalize(p).is_ok_and(|p| p == dir))
}

pub fn check_tree(tree: &SyntaxTree, options: &CheckOptions) -> Vec<Diagnostic> {
    check_tree_imported(tree, options, (None, false, None))
}

/// Who imports the checked file, whether it lies in an import directory, and the analyses
/// kept from its previous check.
type Around = (Option<String>, bool, Option<Arc<LeafCache>>);

fn check_tree_imported(
    tree: &SyntaxTree,
    options: &CheckOptions,
    around: Around,
) -> Vec<Diagnostic> {
    let preludes: Vec<&SyntaxTree> = options.preludes.iter().map(|p| &p.tree).collect();
    let model = Model::new(tree, &preludes, &options.model);
    check_model_in(tree, &options.preludes, &model, &options.selection, around)
}

/// What would make `sandbox-exec` refuse the profile: the errors of the rules about
/// reading and evaluating it (SB0xx, SB1xx), on a model already built.
pub fn load_errors(tree: &SyntaxTree, preludes: &[Arc<Prelude>], model: &Model) -> Vec<Diagnostic> {
    let selection = Selection {
        select: vec!["SB0".into(), "SB1".into()],
        ..Selection::default()
    };
    let mut errors = check_model(tree, preludes, model, &selection);
    errors.retain(|d| d.severity == Severity::Error);
    errors.sort_by_key(|d| (d.primary.span.start, d.code));
    errors
}

/// The rules `selection` enables, over a model already built.
pub fn check_model(
    tree: &SyntaxTree,
    preludes: &[Arc<Prelude>],
    model: &Model,
    selection: &Selection,
) -> Vec<Diagnostic> {
    check_model_in(tree, preludes, model, selection, (None, false, None))
}

/// [`check_model`] for a file that an importer beside it (or an import directory) reads.
fn check_model_in(
    tree: &SyntaxTree,
    preludes: &[Arc<Prelude>],
    model: &Model,
    selection: &Selection,
    (importer, in_import_dir, leaf_cache): Around,
) -> Vec<Diagnostic> {
    let mut ctx = Context::new(tree, preludes, model);
    ctx.importer = importer;
    ctx.in_import_dir = in_import_dir;
    ctx.leaf_cache = leaf_cache;
    // Files are checked on all cores (the CLI's walk); within a file the checks run in
    // turn. Rules that look at one rule or one filter leaf at a time share one walk over
    // the model; the order index is built only when a rule about order is enabled.
    let (mut file_rules, mut ordered, mut rule_rules, mut leaf_rules) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for rule in RULES.iter().filter(|r| selection.enabled(r.meta.code)) {
        match rule.check {
            Check::File(check) => file_rules.push(check),
            Check::Ordered(check) => ordered.push(check),
            Check::Rule(check) => rule_rules.push(check),
            Check::Leaf(check) => leaf_rules.push(check),
        }
    }
    let mut out = Vec::new();
    for check in &file_rules {
        check(&ctx, &mut out);
    }
    if !ordered.is_empty() {
        let order = OrderIndex::new(&model.rules);
        for check in &ordered {
            check(&ctx, &order, &mut out);
        }
    }
    if !leaf_rules.is_empty() || !rule_rules.is_empty() {
        for rule in &model.rules {
            if let Some(span) = rule.main_span() {
                for check in &rule_rules {
                    check(&ctx, rule, span, &mut out);
                }
            }
            for (leaf, at) in facts::rule_leaves(rule) {
                for check in &leaf_rules {
                    check(&ctx, leaf, at, &mut out);
                }
            }
        }
    }
    let unused = RuleId::UnusedSuppression.meta();
    suppress::apply(tree, &mut out, unused);
    // A suppression naming no rule is never deselected: a typo must not pass silently.
    out.retain(|d| selection.enabled(d.code) || suppress::names_unknown_rule(d));
    for d in &mut out {
        if let Some(severity) = selection.severity.get(d.code) {
            d.severity = *severity;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(issue: &Issue) -> Span {
        match issue {
            Issue::UnknownFunction { span, .. }
            | Issue::UnboundVariable { span, .. }
            | Issue::EvaluationLimit { span, .. }
            | Issue::Import { span, .. }
            | Issue::UnknownOperation { span, .. }
            | Issue::UnverifiedName { span, .. }
            | Issue::ObsoleteOperation { span, .. }
            | Issue::UnknownFilter { span, .. }
            | Issue::InvalidFilterArgument { span, .. }
            | Issue::InvalidRegex { span, .. }
            | Issue::InvalidNetworkAddress { span, .. }
            | Issue::InvalidModifier { span, .. } => *span,
        }
    }

    #[test]
    fn each_issue_is_reported_by_the_rule_its_kind_maps_to() {
        let text = "(version 1)\n(deny default)\n(allow file-reed-data)\n\
                    (allow file-read-data (literall \"/x\"))\n\
                    (allow file-read-data (regex #\"(\"))\n\
                    (allow network-outbound (remote ip \"nowhere\"))\n\
                    (allow file-read-data (with no-such-modifier))\n\
                    (undefined-helper 1)\n(allow file-read* (subpath HOME))\n(import \"/no/such/file.sb\")\n";
        let tree = parse(text);
        let model = Model::new(&tree, &[], &ModelOptions::default());
        let diagnostics = check_tree(&tree, &CheckOptions::default());
        let mut kinds: Vec<RuleId> = model.issues.iter().map(reported_by).collect();
        for issue in &model.issues {
            let code = reported_by(issue).code();
            assert!(
                diagnostics
                    .iter()
                    // At the issue, or inside it (SB104 points into the regex).
                    .any(|d| {
                        let at = span(issue);
                        d.code == code
                            && at.start <= d.primary.span.start
                            && d.primary.span.end <= at.end
                    }),
                "{issue:?} is not reported as {code}: {diagnostics:#?}"
            );
        }
        kinds.sort();
        kinds.dedup();
        assert!(kinds.len() >= 6, "{:?}", model.issues);
    }
}
