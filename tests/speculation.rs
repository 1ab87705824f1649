//! Evaluating top-level rules ahead, on all cores, must give the model that in-order
//! evaluation gives: same rules, issues, unset params, in the same order.

mod common;

use std::path::Path;

use sblint::model::{build_with, Model, ModelOptions, Speculation};
use sblint::syntax::{parse, SyntaxTree};

fn model(tree: &SyntaxTree, preludes: &[&SyntaxTree], dir: &Path, how: Speculation) -> Model {
    let options = ModelOptions {
        base_dir: Some(dir.to_path_buf()),
        ..ModelOptions::default()
    };
    build_with(tree, preludes, &options, how)
}

/// Everything a check can see of a model.
fn summary(model: &Model) -> String {
    format!(
        "{:#?}\n{:#?}\ncomplete {} missing_import {}\n{:?}",
        model.rules, model.issues, model.complete, model.missing_import, model.unset_params
    )
}

fn assert_same(name: &str, text: &str, prelude: Option<&str>, dir: &Path) {
    let tree = parse(text.to_string());
    let prelude = prelude.map(|p| parse(p.to_string()));
    let preludes: Vec<&SyntaxTree> = prelude.iter().collect();
    let in_order = summary(&model(&tree, &preludes, dir, Speculation::Never));
    let ahead = summary(&model(&tree, &preludes, dir, Speculation::Always));
    if in_order != ahead {
        let diff = similar::TextDiff::from_lines(&in_order, &ahead)
            .unified_diff()
            .header("in order", "speculated")
            .to_string();
        panic!("{name}: speculation changed the model\n{diff}");
    }
}

#[test]
fn every_fixture_gives_the_same_model_speculated() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut seen = 0;
    for entry in walk(&root) {
        if entry.extension().is_some_and(|e| e == "sb") {
            let text = std::fs::read_to_string(&entry).unwrap_or_default();
            assert_same(
                &entry.display().to_string(),
                &text,
                None,
                entry.parent().unwrap(),
            );
            seen += 1;
        }
    }
    assert!(seen > 100, "only {seen} fixtures");
}

#[test]
fn every_corpus_profile_gives_the_same_model_speculated() {
    let Some(dir) = common::corpus_dir() else {
        return;
    };
    let mut seen = 0;
    for entry in common::corpus_entries(&dir) {
        let path = dir.join(&entry.file);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let prelude = entry
            .prelude
            .as_ref()
            .map(|p| std::fs::read_to_string(dir.join(p)).expect("prelude is readable"));
        assert_same(
            &entry.file,
            &text,
            prelude.as_deref(),
            path.parent().unwrap(),
        );
        seen += 1;
    }
    assert!(seen > 80, "only {seen} corpus files");
}

/// What the in-order evaluation must redo: names bound between rules that read them, a
/// helper, an import that goes missing half-way, `defined?`, unset params, unknown calls,
/// a rule that defines a name, and a recursion that exhausts the step budget. Repeated
/// past one speculation window, so that windows and chunk boundaries fall inside it.
#[test]
fn rebinding_helpers_imports_and_limits_are_evaluated_in_order() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules/SB006");
    let block = r#"
(allow file-read* (subpath "/a") (literal "/b"))
(allow file-read* (if (defined? 'home) (subpath (home)) (literal "/n")))
(define (home) "/Users/me")
(allow file-read* (if (defined? 'home) (subpath (home)) (literal "/n")))
(allow file-write* (subpath (param "UNSET_DIR")))
(allow network-outbound (remote tcp "localhost:80"))
(deny mach-lookup (global-name "x") (with no-report))
(allow process-exec (undefined-helper "/x"))
(allow file-read* (begin (define later 1) (literal "/c")))
(define (subpath p) (literal p))
(allow file-read* (subpath "/now-literal"))
(allow file-read-data (regex #"^/usr/lib/[^/]+\.dylib$"))
"#;
    let mut text = String::from("(version 1)\n(deny default)\n");
    for i in 0..700 {
        text.push_str(block);
        if i == 350 {
            text.push_str("(import \"missing-helpers.sb\")\n");
        }
    }
    assert_same("rebinding", &text, None, &dir);
    let with_prelude = "(define (home) \"/Users/prelude\")\n(define allow deny)\n";
    assert_same("prelude", &text, Some(with_prelude), &dir);
    let mut runaway = text.clone();
    runaway.push_str("(define (loop n) (loop (+ n 1)))\n(loop 0)\n");
    runaway.push_str(&text);
    assert_same("runaway", &runaway, None, &dir);
}

/// A profile of helper calls, where speculation stops paying and the rest is evaluated in
/// order, then plain rules and a rebinding.
#[test]
fn a_profile_of_helper_calls_gives_the_same_model_speculated() {
    let mut text = String::from(
        "(version 1)\n(deny default)\n(define (home-subpath p) (subpath (string-append \"/Users/me\" p)))\n",
    );
    for i in 0..20_000 {
        text.push_str(&format!("(allow file-read* (home-subpath \"/gen{i}\"))\n"));
    }
    for i in 0..5_000 {
        text.push_str(&format!("(allow file-read* (subpath \"/plain{i}\"))\n"));
    }
    text.push_str("(define (subpath p) (literal p))\n(allow file-read* (subpath \"/last\"))\n");
    assert_same("helpers", &text, None, Path::new("."));
}

#[test]
fn a_generated_profile_gives_the_same_model_speculated() {
    let text = sblint::generate::generate_profile(1 << 20);
    assert_same("generated", &text, None, Path::new("."));
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
