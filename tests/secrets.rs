//! `grammar/secrets.tsv` against real and random profiles: every exposure SB313 reports is
//! what `sblint explain` says at its witness (allowed, by the same rule), on the rule
//! fixtures, on every corpus profile, and on random profiles built from the table's own
//! paths.

mod common;

use std::path::Path;

use proptest::prelude::*;
use sblint::explain::explain;
use sblint::model::secrets::{exposures, table, Access};
use sblint::model::{Action, Model, ModelOptions};
use sblint::syntax::parse;

/// Every exposure of `text` is confirmed by `explain`; returns how many there were.
fn confirmed(text: &str, preludes: &[&sblint::syntax::SyntaxTree]) -> usize {
    let tree = parse(text);
    let model = Model::new(&tree, preludes, &ModelOptions::default());
    let mut n = 0;
    for access in [Access::File, Access::Socket] {
        for e in exposures(&model.rules, access) {
            let x = explain(&model, e.operation, Some(&e.witness), Path::new("/"))
                .unwrap_or_else(|err| panic!("{} {}: {err}", e.operation, e.witness));
            assert_eq!(x.action, Action::Allow, "{} {}", e.operation, e.witness);
            assert_eq!(
                x.decision.rule,
                Some(e.rule),
                "{} {}",
                e.operation,
                e.witness
            );
            assert_eq!(x.resolved.as_deref(), Some(e.witness.as_str()));
            n += 1;
        }
    }
    n
}

#[test]
fn the_fixtures_exposures_are_what_explain_says() {
    for f in ["SB313/trigger.sb", "SB313/clean.sb", "SB312/trigger.sb"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/rules")
            .join(f);
        let text = std::fs::read_to_string(path).unwrap();
        let n = confirmed(&text, &[]);
        assert_eq!(n > 0, f != "SB313/clean.sb", "{f}: {n}");
    }
}

#[test]
fn every_corpus_exposure_is_what_explain_says() {
    let Some(dir) = common::corpus_dir() else {
        return;
    };
    let mut total = 0;
    for entry in common::corpus_entries(&dir) {
        let Ok(text) = std::fs::read_to_string(dir.join(&entry.file)) else {
            continue;
        };
        let prelude = entry
            .prelude
            .as_ref()
            .and_then(|p| std::fs::read_to_string(dir.join(p)).ok())
            .map(parse);
        let preludes: Vec<&sblint::syntax::SyntaxTree> = prelude.iter().collect();
        total += confirmed(&text, &preludes);
    }
    assert!(total > 0);
}

/// A random rule over the table's own paths (at a random home) and a few broad ones.
fn rule() -> impl Strategy<Value = String> {
    let paths: Vec<String> = table()
        .iter()
        .filter_map(|s| s.path.strip_prefix('~').map(str::to_string))
        .collect();
    let action = prop_oneof![Just("allow"), Just("deny")];
    let op = prop_oneof![
        Just("file-read*"),
        Just("file-read-data"),
        Just("file-write*"),
        Just("file*"),
        Just("network-outbound"),
    ];
    let home = prop_oneof![Just("/Users/me"), Just("/Users/alice")];
    let filter = prop_oneof![
        Just(String::new()),
        (home.clone(), proptest::sample::select(paths.clone()))
            .prop_map(|(h, p)| format!(" (subpath \"{h}{p}\")")),
        (home.clone(), proptest::sample::select(paths))
            .prop_map(|(h, p)| format!(" (literal \"{h}{p}\")")),
        home.clone().prop_map(|h| format!(" (subpath \"{h}\")")),
        Just(" (regex #\"/\\.env$\")".to_string()),
        Just(" (regex #\"^/Users/[^/]+/\")".to_string()),
        Just(" (remote unix-socket)".to_string()),
    ];
    (action, op, filter).prop_map(|(a, o, f)| format!("({a} {o}{f})"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn random_profiles_exposures_are_what_explain_says(
        default in prop_oneof![Just("(deny default)"), Just("(allow default)")],
        rules in proptest::collection::vec(rule(), 0..8),
    ) {
        let text = format!("(version 1)\n{default}\n{}\n", rules.join("\n"));
        confirmed(&text, &[]);
    }
}
