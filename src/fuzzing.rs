//! The properties the fuzz targets (`fuzz/`) check, one function per target. Each takes
//! arbitrary bytes and panics when a property fails; `tests/fuzz.rs` replays every input
//! ever kept under `tests/fuzz/TARGET/` through the same function, so a crash found once
//! stays fixed.

use std::path::Path;

use crate::compile::compile;
use crate::diagnostic::Severity;
use crate::explain::{explain, parse_argument};
use crate::fmt::{format_text, FormatOptions};
use crate::learn::{narrowest_filter, parse_denial};
use crate::lint::{check_bytes, check_text, CheckOptions};
use crate::model::sources::SourceMap;
use crate::model::{vocabulary, FilterValue, Model, ModelOptions, PathPattern};
use crate::syntax::{parse, SyntaxTree, TokenKind};

/// A property: panics when it fails on the input.
pub type Property = fn(&[u8]);

/// The targets, as `fuzz/fuzz_targets/NAME.rs` and `tests/fuzz/NAME/` name them.
pub const TARGETS: &[(&str, Property)] = &[
    ("parse", parse_prints_back),
    ("check", check_never_panics),
    ("fmt", fmt_keeps_tokens),
    ("explain", explain_never_panics),
    ("compile", compile_round_trips),
    ("regex", regex_round_trips),
];

/// Any bytes read as an AppleMatch regex: no panic; a tree prints back to text that
/// re-parses to the same tree; the under-approximating automaton never accepts what the
/// over-approximating one rejects.
pub fn regex_round_trips(data: &[u8]) {
    use crate::model::applematch::{check, parse, print::print, Matcher, Verdict};
    let report = check(data);
    let Ok(tree) = parse(data) else {
        return;
    };
    let printed = print(&tree.root);
    let again = parse(&printed).expect("a printed tree parses");
    assert!(
        again.root == tree.root,
        "the printed tree re-parses differently"
    );
    assert_eq!(check(&printed).error.is_some(), report.error.is_some());
    if let Some(m) = Matcher::from_tree(&tree) {
        for text in [data, &printed[..], b"", b"/private/tmp/x"] {
            let over = m.over().is_match(text);
            let under = m.under().is_match(text);
            assert!(over || !under, "the under-approximation accepts more");
            let v = m.verdict(text);
            assert_eq!(v == Verdict::NoMatch, !over);
        }
    }
}

/// Parsing never fails, and printing the tree gives the input back.
pub fn parse_prints_back(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let tree = parse(text);
        assert_eq!(tree.print(), text, "the tree does not print back its input");
    }
}

/// Checking any bytes gives diagnostics, never a panic; the step limits bound the time.
pub fn check_never_panics(data: &[u8]) {
    let report = check_bytes("fuzz.sb", data.to_vec(), &CheckOptions::default());
    for d in &report.diagnostics {
        let end = d.primary.span.end as usize;
        assert!(end <= report.text.len(), "{} points past the end", d.code);
    }
}

/// The tokens formatting must keep: all but whitespace and newlines (tests/fmt.rs too).
pub fn significant(tree: &SyntaxTree) -> Vec<(TokenKind, &str)> {
    tree.tokens()
        .iter()
        .filter(|t| !matches!(t.kind, TokenKind::Whitespace | TokenKind::Newline))
        .map(|t| (t.kind, &tree.text()[t.span.range()]))
        .collect()
}

/// Formatting keeps every token and comment, and a second pass changes nothing; a file with
/// syntax errors is refused.
pub fn fmt_keeps_tokens(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let width = 20 + data.first().map_or(0, |b| *b as usize % 100);
    let options = FormatOptions { line_width: width };
    match format_text(text, &options) {
        Err(tree) => assert!(tree.has_errors(), "refused a file without syntax errors"),
        Ok(formatted) => {
            let before = parse(text);
            let after = parse(formatted.as_str());
            assert!(!after.has_errors(), "the output has syntax errors");
            assert_eq!(significant(&after), significant(&before), "tokens changed");
            let again = format_text(&formatted, &options).expect("the output parses");
            assert_eq!(again, formatted, "formatting is not idempotent");
        }
    }
}

/// The first byte picks an operation, the first line is the argument, the rest is the
/// profile: no pair panics, whatever the profile or argument.
pub fn explain_never_panics(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let (argument, profile) = text.split_once('\n').unwrap_or((&text, ""));
    let names: Vec<&str> = vocabulary().operation_names().collect();
    let op = names[pick as usize % names.len()];
    let tree = parse(profile);
    let model = Model::new(&tree, &[], &ModelOptions::default());
    let cwd = Path::new("/Users/fuzz");
    let _ = explain(&model, op, Some(argument), cwd);
    let _ = explain(&model, op, None, cwd);
    let _ = explain(&model, argument, None, cwd);
    let _ = parse_argument(op, Some(argument), cwd);
    if let Some(denial) = parse_denial(argument) {
        let _ = narrowest_filter(&denial.operation, denial.argument.as_deref().unwrap_or(""));
    }
    let _ = narrowest_filter(op, argument);
    let _ = crate::learn::learn(argument, Some(&model), &crate::learn::Options::default());
}

/// What a compiled profile is asked about: each rule's operations on a path it names.
fn probes(model: &Model) -> Vec<(String, String)> {
    let vocab = vocabulary();
    let mut out = Vec::new();
    for rule in model.rules.iter().take(32) {
        let Some(op) = rule.operations.first() else {
            continue;
        };
        let name = vocab.operation(op.id).name.clone();
        let leaves = rule.filter.as_ref().map(|f| f.positive_leaves());
        for leaf in leaves.into_iter().flatten().take(4) {
            if let FilterValue::Path(
                PathPattern::Literal(p) | PathPattern::Subpath(p) | PathPattern::Prefix(p),
            ) = &leaf.value
            {
                if p.starts_with('/') {
                    out.push((name.clone(), p.to_string()));
                    out.push((name.clone(), format!("{}/x", p.trim_end_matches('/'))));
                }
            }
        }
    }
    out
}

/// A compiled profile parses, checks without errors, and decides every probe as the
/// original does.
pub fn compile_round_trips(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let tree = parse(text);
    if tree.has_errors() {
        return;
    }
    let model = Model::new(&tree, &[], &ModelOptions::default());
    let sources = SourceMap::new(("fuzz.sb", &tree), &[], &model);
    let Ok(flat) = compile(&model, &sources) else {
        return;
    };
    let formatted = format_text(&flat, &FormatOptions::default())
        .unwrap_or_else(|_| panic!("the compiled profile does not parse:\n{flat}"));
    let original_errors = check_text("fuzz.sb", text.to_string(), &CheckOptions::default())
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if original_errors == 0 {
        let report = check_text("compiled.sb", formatted.clone(), &CheckOptions::default());
        let errors: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| format!("{}: {}", d.code, d.message))
            .collect();
        assert!(errors.is_empty(), "{errors:?} in:\n{formatted}");
    }
    let compiled_tree = parse(formatted.as_str());
    let compiled = Model::new(&compiled_tree, &[], &ModelOptions::default());
    let cwd = Path::new("/");
    for (op, path) in probes(&model) {
        let arg = Some(path.as_str());
        let (Ok(before), Ok(after)) = (
            explain(&model, &op, arg, cwd),
            explain(&compiled, &op, arg, cwd),
        ) else {
            continue;
        };
        assert_eq!(
            (before.action, before.default),
            (after.action, after.default),
            "{op} {path} decided differently after compiling:\n{formatted}"
        );
    }
}
