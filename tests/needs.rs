//! `grammar/essentials.tsv` and the "needs" rules (SB5xx) over it: each row a rule reports
//! is documented there with its source, `sblint rule` shows the symptom users search for,
//! and each grant is what the named known-running profile writes.

mod common;

use assert_cmd::Command;
use sblint::lint::{RuleId, RULES};
use sblint::model::essentials::table;

#[test]
fn each_reported_row_is_documented_by_its_rule_with_a_source() {
    for row in table() {
        let Some(code) = row.rule else { continue };
        let rule = RuleId::from_code(code).unwrap_or_else(|| panic!("{}: no rule {code}", row.id));
        let doc = rule.meta().doc;
        let thread = row.sources[0].rsplit('#').next().unwrap();
        assert!(
            doc.contains(&format!("#{thread}")),
            "{code}'s doc does not cite {} (row {})",
            row.sources[0],
            row.id
        );
    }
    // Every SB5xx rule reports some row.
    for rule in RULES.iter().filter(|r| r.meta.code.starts_with("SB5")) {
        assert!(
            table().iter().any(|r| r.rule == Some(rule.meta.code)),
            "{} reports no row",
            rule.meta.code
        );
    }
}

#[test]
fn sblint_rule_names_the_symptom_users_search_for() {
    let out = Command::cargo_bin("sblint")
        .unwrap()
        .args(["rule", "SB502"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("OSStatus -26276"), "{text}");
}

#[test]
fn each_grant_comes_from_the_profile_it_names() {
    let Some(dir) = common::corpus_dir() else {
        return;
    };
    for row in table() {
        let Some(file) = row.grant_from else { continue };
        let text = std::fs::read_to_string(dir.join(file))
            .unwrap_or_else(|e| panic!("{}: {file}: {e}", row.id));
        // The quoted argument of the grant's first filter, as the profile writes it.
        let quoted = row.grant.split('"').nth(1);
        match quoted {
            Some(q) => assert!(text.contains(q), "{}: {file} lacks `{q}`", row.id),
            None => assert!(text.contains(row.grant), "{}: {file} lacks it", row.id),
        }
    }
}

/// `(allow default)` is no intent: with `(deny file-write*)` it does not mean to open
/// pseudo-terminals, so SB504 is no warning (the pre-commit integration test's clean
/// profile got one); an explicit `(allow pseudo-tty)` still is.
#[test]
fn allow_default_is_not_the_intent_the_needs_rules_read() {
    let check = |text: &str| {
        sblint::lint::check_text(
            "p.sb",
            text.to_string(),
            &sblint::lint::CheckOptions::default(),
        )
        .diagnostics
        .into_iter()
        .filter(|d| d.code == "SB504")
        .map(|d| d.severity)
        .collect::<Vec<_>>()
    };
    let by_default = "(version 1)\n(allow default)\n(deny network*)\n(deny file-write*)\n";
    assert!(check(by_default)
        .iter()
        .all(|s| *s != sblint::diagnostic::Severity::Warning));
    let explicit = "(version 1)\n(deny default)\n(allow pseudo-tty)\n(allow file-read* file-write* (regex #\"^/dev/ttys[0-9]+$\"))\n";
    assert_eq!(check(explicit), vec![sblint::diagnostic::Severity::Warning]);
}
