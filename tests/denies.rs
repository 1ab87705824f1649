//! Denies that hold: the per-profile decision table (`sblint::model::sets::table`) agrees
//! with the point decision (`explain`) and with the per-rule set diff on random profiles,
//! and the field's shapes (`tests/denies/*.sb`) report what they should (snapshots of what
//! users see).

mod common;

use common::random::{model, rule};

use proptest::prelude::*;
use sblint::lint::CheckOptions;
use sblint::model::precedence::decide;
use sblint::model::sets::table::{rule_leaves, Table};
use sblint::model::sets::{argument, diff_leaves, Budget};
use sblint::model::{vocabulary, Action, Rule};

fn fixtures() -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/denies");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sb"))
        .collect();
    files.sort();
    files
}

#[test]
fn field_shapes_report_what_users_see() {
    for path in fixtures() {
        let report = common::check_fixture(&path, &CheckOptions::default());
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        common::with_snapshots("denies", || {
            insta::assert_snapshot!(name, common::human(&report));
        });
    }
}

/// The codes a fixture reports.
fn codes(name: &str) -> Vec<(&'static str, sblint::diagnostic::Severity)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/denies")
        .join(name);
    let report = common::check_fixture(&path, &CheckOptions::default());
    report
        .diagnostics
        .iter()
        .map(|d| (d.code, d.severity))
        .collect()
}

#[test]
fn the_field_incidents_are_caught() {
    use sblint::diagnostic::Severity::{Info, Warning};
    // fence#184 (regex form): SB404, exactly, under a workspace and under `/`.
    assert!(codes("fence-184-regex.sb").contains(&("SB404", Warning)));
    assert!(codes("fence-184-root.sb").contains(&("SB404", Warning)));
    // cplt#55: a later overlapping allow.
    assert!(codes("cplt-55.sb").contains(&("SB405", Warning)));
    // The carve-outs: nothing about the deny.
    for name in ["carve-out.sb", "orbit-1086.sb"] {
        let found = codes(name);
        assert!(
            !found.iter().any(|(c, _)| c.starts_with("SB40")),
            "{name}: {found:?}"
        );
    }
    // Metadata only: an info; with a metadata deny of the same path, a warning.
    let found = codes("metadata.sb");
    assert!(found.contains(&("SB405", Info)), "{found:?}");
    assert!(found.contains(&("SB405", Warning)), "{found:?}");
    // `notes[1]` in a deny: a warning; in an allow: an info.
    let found = codes("notes-1.sb");
    assert!(found.contains(&("SB209", Warning)), "{found:?}");
    assert!(found.contains(&("SB209", Info)), "{found:?}");
}

fn without(rules: &[Rule], i: usize) -> Vec<Rule> {
    rules
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != i)
        .map(|(_, r)| r.clone())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every class's witness gets the class's decision from the point decision (what
    /// `sblint explain` prints), and every re-opened deny's witness is allowed there with
    /// the deny overridden.
    #[test]
    fn every_witness_is_confirmed_by_explain(rules in prop::collection::vec(rule(), 1..7)) {
        let m = model(&rules);
        let table = Table::new(&m.rules);
        for (i, r) in m.rules.iter().enumerate() {
            for op in rule_leaves(r) {
                let Some(leaf) = table.leaf(op) else { continue };
                for class in &leaf.classes {
                    if class.witness.as_deref().is_some_and(|w| w.contains('\u{fffd}')) {
                        continue;
                    }
                    let point = decide(&m.rules, op, &argument(op, class.witness.as_deref()));
                    prop_assert_eq!(&point, &class.decision, "{:?} on {:?}", class.witness, rules);
                }
            }
            if r.action == Action::Deny {
                for found in table.reopened(i).unwrap() {
                    let point = decide(&m.rules, found.operation, &argument(found.operation, found.witness.as_deref()));
                    prop_assert!(point.may_be(Action::Allow));
                    prop_assert!(point.overridden.contains(&i));
                }
            }
        }
    }

    /// "Removing the rule changes a decision" from the one table equals the set diff of
    /// the profile with and without the rule (what SB401/SB402 asked per rule before).
    #[test]
    fn takes_effect_agrees_with_the_diff(rules in prop::collection::vec(rule(), 1..7)) {
        let m = model(&rules);
        let table = Table::new(&m.rules);
        for i in 0..m.rules.len() {
            let ops = rule_leaves(&m.rules[i]);
            let changes = diff_leaves(&m.rules, &without(&m.rules, i), &ops, &Budget::default());
            let expected = changes.map(|c| !c.is_empty()).ok();
            prop_assert_eq!(table.takes_effect(i), expected, "rule {} of {:?}", i, rules);
        }
    }
}

#[test]
fn a_tiny_budget_stops_and_says_so() {
    use sblint::model::sets::table::FileBudget;
    let text = sblint::generate::generate_rules(200, 20);
    let m = sblint::model::Model::new(
        &sblint::syntax::parse(text),
        &[],
        &sblint::model::ModelOptions::default(),
    );
    let table = Table::with_budget(
        &m.rules,
        Budget::default(),
        FileBudget {
            states: 50,
            decisions: 1_000,
            rules: 10_000,
            kept: 1_000_000,
        },
    );
    let op = vocabulary().op_id("file-read-data").unwrap();
    assert!(table.leaf(op).is_none());
    assert!(table.exhausted());
    assert_eq!(table.takes_effect(3), None);
}

#[test]
fn the_budget_grows_with_the_pattern_text_and_never_below_the_defaults() {
    use sblint::model::sets::table::{pattern_bytes, FileBudget};
    let small = sblint::model::Model::new(
        &sblint::syntax::parse(sblint::generate::generate_rules(10, 1)),
        &[],
        &sblint::model::ModelOptions::default(),
    );
    let large = sblint::model::Model::new(
        &sblint::syntax::parse(sblint::generate::generate_rules(3_000, 0)),
        &[],
        &sblint::model::ModelOptions::default(),
    );
    let defaults = (Budget::default(), FileBudget::default());
    let (b, f) = FileBudget::default().scaled(Budget::default(), pattern_bytes(&small.rules));
    assert_eq!((b.states, f), (defaults.0.states, defaults.1));
    let text = pattern_bytes(&large.rules);
    // Each generated rule's store path is over 40 bytes.
    assert!(text > 3_000 * 40, "{text}");
    let (b, f) = FileBudget::default().scaled(Budget::default(), text);
    assert!(b.states >= 4 * text && b.states > defaults.0.states);
    assert!(f.states >= b.states && f.decisions >= defaults.1.decisions);
    assert_eq!(f.rules, defaults.1.rules);
}

#[test]
fn decisions_that_keep_too_much_stop_at_the_budget_and_say_so() {
    use sblint::model::sets::table::FileBudget;
    // Every rule after the first is undecided (an unset param), so each decision keeps
    // them all: the kept entries run out long before the states or the evaluations.
    let mut text = String::from("(version 1)\n(deny default)\n");
    for i in 0..60 {
        text.push_str(&format!(
            "(allow file-read* (subpath \"/p{i}\"))\n(allow file-read* (subpath (param \"P{i}\")))\n"
        ));
    }
    let m = sblint::model::Model::new(
        &sblint::syntax::parse(text),
        &[],
        &sblint::model::ModelOptions::default(),
    );
    let op = vocabulary().op_id("file-read-data").unwrap();
    let roomy = Table::new(&m.rules);
    let leaf = roomy.leaf(op).expect("the default budget is enough");
    assert!(!roomy.exhausted());
    let kept: usize = leaf
        .classes
        .iter()
        .map(|c| {
            1 + c.decision.overridden.len()
                + c.decision.undecided.len()
                + c.decision.conditions.len()
        })
        .sum();
    assert!(kept > 1_000, "{kept}");
    let tight = Table::with_budget(
        &m.rules,
        Budget::default(),
        FileBudget {
            kept: kept / 2,
            ..FileBudget::default()
        },
    );
    assert!(tight.leaf(op).is_none());
    assert!(tight.exhausted());
    assert!(tight
        .file_budget
        .to_string()
        .contains("kept decision entries"));
}
