//! The fixture folders drive the rule tests: in `tests/rules/<CODE>/`, every `clean*.sb`
//! must not report the rule and every `trigger*.sb` must, with a snapshot of what users
//! see beside it (`trigger.snap` for `trigger.sb`); other files there are what fixtures
//! import or what other tests read with other options (`tests/macos.rs`). A rule
//! has as many fixtures as its branches need; every rule of the registry has at least one
//! of each. A fixture that is another test's file is a symbolic link to it, so each text
//! is in the tree once. The examples in each rule's documentation are checked the same
//! way, so the docs cannot drift from the code.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sblint::lint::{CheckOptions, RuleId, RuleMeta, RULES};

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules")
}

/// What a file in a rule's folder is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fixture {
    /// `trigger*`: must report the rule.
    Trigger,
    /// `clean*`: must not.
    Clean,
    /// Anything else: a file a fixture or another test uses.
    Other,
}

/// The rule code a file is for (its folder) and what it is.
fn fixture_kind(path: &Path) -> (String, Fixture) {
    let code = path.parent().unwrap().file_name().unwrap();
    let name = path.file_name().unwrap().to_string_lossy();
    let kind = if name.starts_with("clean") {
        Fixture::Clean
    } else if name.starts_with("trigger") {
        Fixture::Trigger
    } else {
        Fixture::Other
    };
    (code.to_string_lossy().into_owned(), kind)
}

#[test]
fn every_fixture_behaves_as_its_name_says() {
    let codes: Vec<&str> = RULES.iter().map(|r| r.meta.code).collect();
    insta::glob!("rules/*/*.sb", |path| {
        let (code, kind) = fixture_kind(path);
        if kind == Fixture::Other {
            return;
        }
        assert!(
            codes.contains(&code.as_str()),
            "tests/rules/{code} is not a rule of the registry"
        );
        let mut report = common::check_fixture(path, &CheckOptions::default());
        report.diagnostics.retain(|d| d.code == code);
        let name = path.file_name().unwrap().to_string_lossy();
        if kind == Fixture::Clean {
            assert!(
                report.diagnostics.is_empty(),
                "{code}/{name} reports {:#?}",
                report.diagnostics
            );
            return;
        }
        assert!(
            !report.diagnostics.is_empty(),
            "{code}/{name} reports nothing"
        );
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(path.parent().unwrap());
        settings.remove_snapshot_suffix();
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            insta::assert_snapshot!(stem, common::human(&report));
        });
    });
}

/// Every rule of the registry has a fixture that triggers it and one that does not, and
/// behaves as the examples of its documentation say.
#[test]
fn every_rule_has_fixtures_both_ways_and_true_docs() {
    let mut missing = Vec::new();
    for rule in RuleId::ALL {
        let code = rule.code();
        let dir = rules_dir().join(code);
        let names: Vec<String> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".sb"))
                    .collect()
            })
            .unwrap_or_default();
        if !names.iter().any(|n| n.starts_with("clean")) {
            missing.push(format!("{code}: no clean*.sb"));
        }
        if !names.iter().any(|n| !n.starts_with("clean")) {
            missing.push(format!("{code}: no trigger*.sb"));
        }
        docs_behave_as_documented(rule.meta());
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// Every snapshot beside a fixture belongs to a fixture that triggers (none is left over).
#[test]
fn no_snapshot_without_its_fixture() {
    let mut orphans = Vec::new();
    for entry in std::fs::read_dir(rules_dir()).unwrap() {
        let dir = entry.unwrap().path();
        for file in std::fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            if path.extension().is_some_and(|e| e == "snap")
                && (!path.with_extension("sb").is_file()
                    || fixture_kind(&path).1 != Fixture::Trigger)
            {
                orphans.push(path.display().to_string());
            }
        }
    }
    assert!(orphans.is_empty(), "{}", orphans.join("\n"));
}

#[test]
fn no_two_fixtures_are_byte_identical() {
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")];
    let mut seen: HashMap<Vec<u8>, PathBuf> = HashMap::new();
    let mut duplicates = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let link = path.symlink_metadata().unwrap().is_symlink();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "sb") && !link {
                let bytes = std::fs::read(&path).unwrap();
                if let Some(first) = seen.insert(bytes, path.clone()) {
                    duplicates.push(format!("{} = {}", first.display(), path.display()));
                }
            }
        }
    }
    assert!(
        duplicates.is_empty(),
        "link to the first instead of copying it:\n{}",
        duplicates.join("\n")
    );
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

fn docs_behave_as_documented(meta: &RuleMeta) {
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
        let report = sblint::lint::check_text("doc.sb", source.clone(), &CheckOptions::default());
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
fn the_rules_index_lists_every_rule() {
    let readme = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/src/rules/index.md"),
    )
    .unwrap();
    for rule in RULES {
        let m = &rule.meta;
        let row = format!(
            "| [{}]({}.md) | {} | {} |",
            m.code,
            m.code,
            m.name,
            m.severity.as_str()
        );
        assert!(
            readme.contains(&row),
            "the rules index lacks the row for {}",
            m.code
        );
    }
}
