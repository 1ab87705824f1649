//! Every rule has `tests/rules/<CODE>/trigger.sb`, which must report it (snapshot of the
//! rendered diagnostics), and `clean.sb`, which must not. The examples in each rule's
//! documentation are checked the same way, so the docs cannot drift from the code.

mod common;

use std::path::Path;

use sblint::lint::{CheckOptions, RULES};

fn fixture_dir(code: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/rules")
        .join(code)
}

#[test]
fn every_rule_triggers_on_its_fixture_and_not_on_the_clean_one() {
    for rule in RULES {
        let code = rule.meta.code;
        let dir = fixture_dir(code);
        let mut report = common::check_fixture(&dir.join("trigger.sb"), &CheckOptions::default());
        report.diagnostics.retain(|d| d.code == code);
        assert!(
            !report.diagnostics.is_empty(),
            "{code}: trigger.sb reports nothing"
        );
        common::with_snapshots("rules", || {
            insta::assert_snapshot!(code, common::human(&report));
        });
        let clean = common::check_fixture(&dir.join("clean.sb"), &CheckOptions::default());
        let found: Vec<_> = clean
            .diagnostics
            .iter()
            .filter(|d| d.code == code)
            .collect();
        assert!(found.is_empty(), "{code}: clean.sb reports {found:#?}");
    }
}

/// Code blocks of a rule's doc: (source, expects the rule to fire).
fn doc_examples(doc: &str) -> Vec<(String, bool)> {
    let mut examples = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let mut body = String::new();
        for line in lines.by_ref() {
            if line.starts_with("```") {
                break;
            }
            body.push_str(line);
            body.push('\n');
        }
        let mut words = info.split_whitespace();
        if words.next() == Some("sbpl") {
            examples.push((body, words.any(|w| w == "expect_diagnostic")));
        }
    }
    examples
}

#[test]
fn rule_docs_examples_behave_as_documented() {
    for rule in RULES {
        let meta = &rule.meta;
        for section in [
            "## What it does",
            "## Why is this a problem on a real Mac?",
            "## Example",
        ] {
            assert!(
                meta.doc.contains(section),
                "{}: doc lacks {section}",
                meta.code
            );
        }
        let examples = doc_examples(meta.doc);
        assert!(
            examples.iter().any(|(_, expect)| *expect) && examples.iter().any(|(_, e)| !*e),
            "{}: the doc needs an example that triggers it and one that does not",
            meta.code
        );
        for (source, expect) in examples {
            let report =
                sblint::lint::check_text("doc.sb", source.clone(), &CheckOptions::default());
            let fired = report.diagnostics.iter().any(|d| d.code == meta.code);
            assert_eq!(
                fired,
                expect,
                "{}: doc example {}:\n{source}",
                meta.code,
                if expect {
                    "does not trigger it"
                } else {
                    "triggers it"
                }
            );
        }
    }
}

#[test]
fn codes_and_names_are_unique_and_well_formed() {
    let mut codes: Vec<_> = RULES.iter().map(|r| r.meta.code).collect();
    let mut names: Vec<_> = RULES.iter().map(|r| r.meta.name).collect();
    assert!(
        codes.windows(2).all(|w| w[0] < w[1]),
        "registry is in code order"
    );
    codes.dedup();
    names.sort();
    names.dedup();
    assert_eq!(codes.len(), RULES.len());
    assert_eq!(names.len(), RULES.len());
    for rule in RULES {
        let code = rule.meta.code;
        assert!(code.len() == 5 && code.starts_with("SB"), "{code}");
        assert!(code[2..].bytes().all(|b| b.is_ascii_digit()), "{code}");
    }
}

#[test]
fn the_readme_lists_every_rule() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for rule in RULES {
        let m = &rule.meta;
        let row = format!("| {} | {} | {} |", m.code, m.name, m.severity.as_str());
        assert!(readme.contains(&row), "README lacks the row for {}", m.code);
    }
}
