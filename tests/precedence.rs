//! The order index answers exactly as a scan with the coverage oracle, on random profiles;
//! and `decide` follows the measured layers (filtered rules, then the unfiltered fallback,
//! then the wildcard parent).

mod common;

use common::random::{model, rule};
use proptest::prelude::*;
use sblint::model::precedence::{covering_scan, decide, Arg, OrderIndex, Within};
use sblint::model::{vocabulary, Action, Model, ModelOptions};
use sblint::syntax::parse;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_order_index_answers_as_the_scan(rules in prop::collection::vec(rule(), 1..12)) {
        let model = model(&rules);
        let order = OrderIndex::new(&model.rules);
        for (i, rule) in model.rules.iter().enumerate() {
            for op in &rule.operations {
                for action in [Action::Allow, Action::Deny] {
                    let naming = order.naming(op.id, action);
                    for within in [Within::After(i), Within::Before(i), Within::Anywhere] {
                        let filter = rule.filter.as_ref();
                        prop_assert_eq!(
                            order.covering(op.id, action, filter, within),
                            covering_scan(&model.rules, naming, filter, within),
                            "rule {} {:?} {:?} in {:#?}", i, action, within, rules
                        );
                    }
                }
            }
        }
    }
}

fn decision(profile: &str, op: &str, arg: Arg) -> (Option<Action>, Option<usize>, bool) {
    let model = Model::new(&parse(profile.to_string()), &[], &ModelOptions::default());
    let op = vocabulary().op_id(op).unwrap();
    let d = decide(&model.rules, op, &arg);
    (d.action, d.rule, !d.unverified.is_empty())
}

fn path(p: &str) -> Arg {
    Arg::Path(p.to_string())
}

#[test]
fn an_unfiltered_rule_is_the_fallback_of_the_filtered_ones_in_either_order() {
    // microsoft/mxc#754: an unfiltered allow cannot override a path-filtered deny in
    // either order; Homebrew's profile: filtered allows, then an unfiltered deny.
    let homebrew = "(version 1)\n(allow file-write* (subpath \"/private/tmp/b\"))\n(deny file-write*)\n(allow default)\n";
    assert_eq!(
        decision(homebrew, "file-write-data", path("/private/tmp/b/x")),
        (Some(Action::Allow), Some(0), false)
    );
    assert_eq!(
        decision(homebrew, "file-write-data", path("/Users/me/x")),
        (Some(Action::Deny), Some(1), false)
    );
    for profile in [
        "(version 1)\n(deny file-read-data (subpath \"/p\"))\n(allow file-read-data)\n",
        "(version 1)\n(allow file-read-data)\n(deny file-read-data (subpath \"/p\"))\n",
    ] {
        let (action, _, _) = decision(profile, "file-read-data", path("/p/x"));
        assert_eq!(action, Some(Action::Deny), "{profile}");
    }
    // Between two filtered rules the last match still wins (synergy PR #1440).
    let filtered = "(version 1)\n(allow file-read-data (subpath \"/p\"))\n(deny file-read-data (subpath \"/p\"))\n";
    assert_eq!(
        decision(filtered, "file-read-data", path("/p/x")),
        (Some(Action::Deny), Some(1), false)
    );
}

#[test]
fn an_unfiltered_rule_against_a_filtered_wildcard_rule_is_unverified() {
    let profile = "(version 1)\n(deny file-read* (subpath \"/p\"))\n(allow file-read-data)\n";
    assert_eq!(
        decision(profile, "file-read-data", path("/p/x")),
        (Some(Action::Allow), Some(1), true)
    );
    // The same action on both: nothing depends on the order.
    let same = "(version 1)\n(allow file-read* (subpath \"/p\"))\n(allow file-read-data)\n";
    assert!(!decision(same, "file-read-data", path("/p/x")).2);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// A rule SB401 or SB402 calls ineffective changes no point decision when removed: the
    /// lint (coverage, confirmed by the decision sets) agrees with `decide` on samples.
    #[test]
    fn a_rule_reported_as_changing_nothing_changes_no_decision(rules in prop::collection::vec(rule(), 1..10)) {
        let text = format!("(version 1)\n{}\n", rules.join("\n"));
        let model = Model::new(&parse(text.clone()), &[], &ModelOptions::default());
        let report = sblint::lint::check_text("p.sb", text, &sblint::lint::CheckOptions::default());
        let samples = ["/a", "/a/b", "/ab", "/a/b/c", "/", "/c", "/a/x", "/b"];
        for d in report.diagnostics.iter().filter(|d| d.code == "SB401" || d.code == "SB402") {
            let Some(i) = model.rules.iter().position(|r| r.main_span() == Some(d.primary.span)) else {
                continue;
            };
            let without: Vec<_> = model.rules.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, r)| r.clone()).collect();
            for op in ["file-read-data", "file-write-data", "file-read-metadata"] {
                let op = vocabulary().op_id(op).unwrap();
                for s in samples {
                    let before = decide(&model.rules, op, &path(s));
                    let after = decide(&without, op, &path(s));
                    prop_assert_eq!(before.outcome(), after.outcome(), "{} rule {} on {}: {:#?}", d.code, i, s, rules);
                }
            }
        }
    }
}
