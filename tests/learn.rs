//! `sblint learn` on real denial lines from public issue threads (`tests/learn/real.log`,
//! each under its source URL): what it proposes, what it keeps denied, and how `--into`
//! merges the proposals where they take effect.

mod common;

use std::path::Path;

use assert_cmd::Command;
use sblint::explain::explain;
use sblint::learn::{learn, merge, read_log, Options, Verdict};
use sblint::model::{Action, Model, ModelOptions};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/learn")
            .join(name),
    )
    .unwrap()
}

fn sblint(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("sblint")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn every_denial_line_of_the_real_log_has_its_source_url_above_it() {
    let log = fixture("real.log");
    let denials = read_log(&log);
    assert_eq!(denials.len(), 10);
    let lines: Vec<&str> = log.lines().collect();
    for d in &denials {
        let source = lines[..d.line - 1]
            .iter()
            .rev()
            .find(|l| l.starts_with("# https://github.com/"));
        assert!(source.is_some(), "line {} has no source", d.line);
    }
}

#[test]
fn the_real_log_as_users_see_it() {
    let human = sblint(&["learn", "tests/learn/real.log"]);
    assert!(human.status.success(), "{human:?}");
    let into = sblint(&[
        "learn",
        "tests/learn/real.log",
        "--into",
        "tests/learn/profile.sb",
    ]);
    assert!(into.status.success(), "{into:?}");
    common::with_snapshots("learn", || {
        insta::assert_snapshot!("real-log", String::from_utf8_lossy(&human.stdout));
        insta::assert_snapshot!("real-log-into", String::from_utf8_lossy(&into.stdout));
    });
}

#[test]
fn json_lists_every_finding_with_its_verdict_and_lines() {
    let out = sblint(&["learn", "--format", "json", "tests/learn/real.log"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["denial_lines"], 10);
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 6);
    let kept: Vec<_> = findings
        .iter()
        .filter(|f| f["verdict"] == "kept-denied")
        .map(|f| {
            (
                f["argument"].as_str().unwrap(),
                f["secret"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(kept, [("/Users/ebi/.ssh/known_hosts", "SSH keys")]);
    let rules: Vec<&str> = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["operation"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "network-outbound",
            "file-read-metadata",
            "file-read-data",
            "mach-lookup"
        ]
    );
    assert!(v["merged"].is_null());
}

#[test]
fn merged_profile_allows_the_logged_denials_and_keeps_the_secret_denied() {
    let text = fixture("profile.sb");
    let options = ModelOptions::default();
    let rebuild = |t: &str| Model::new(&sblint::syntax::parse(t), &[], &options);
    let model = rebuild(&text);
    let learned = learn(&fixture("real.log"), Some(&model), &Options::default());
    let merged = merge(&text, &model, &learned, "; learned\n", &rebuild);
    assert!(merged.still_denied.is_empty(), "{:?}", merged.still_denied);
    // Every finding is decided, the unix-socket connect to mDNSResponder too (sockets are
    // network arguments).
    let undecided: Vec<_> = merged
        .undecided
        .iter()
        .map(|&i| learned.findings[i].argument.clone().unwrap())
        .collect();
    assert!(undecided.is_empty(), "{undecided:?}");
    assert!(learned
        .findings
        .iter()
        .any(|f| f.argument.as_deref() == Some("/private/var/run/mDNSResponder")));
    let after = rebuild(&merged.text);
    let cwd = Path::new("/");
    for f in &learned.findings {
        let before = explain(&model, &f.operation, f.argument.as_deref(), cwd);
        let now = explain(&after, &f.operation, f.argument.as_deref(), cwd);
        match (&f.verdict, before, now) {
            (Verdict::Proposed, Ok(b), Ok(n)) => {
                assert_eq!(b.action, Action::Deny, "{f:?}");
                assert_eq!(n.action, Action::Allow, "{f:?}");
            }
            (Verdict::Secret(_), Ok(b), Ok(n)) => {
                assert_eq!((b.action, n.action), (Action::Deny, Action::Deny));
            }
            (Verdict::Proposed, Err(_), Err(_)) => {}
            other => panic!("{f:?}: {other:?}"),
        }
    }
    // The decision sets confirm it: the merge only allows more, and only on what the
    // proposed rules name; every witness is allowed by the merged profile and was denied.
    let changes = merged.changes.as_ref().expect("decided");
    assert!(!changes.is_empty());
    assert!(merged.unexpected.is_empty(), "{:?}", merged.unexpected);
    let vocab = sblint::model::vocabulary();
    for c in changes {
        let op = &vocab.operation(c.operation).name;
        let w = c.witness.as_deref();
        assert_eq!(
            explain(&model, op, w, cwd).unwrap().action,
            Action::Deny,
            "{c:?}"
        );
        assert_eq!(
            explain(&after, op, w, cwd).unwrap().action,
            Action::Allow,
            "{c:?}"
        );
    }
    // The merged profile checks clean of errors.
    let report = sblint::lint::check_text(
        "merged.sb",
        merged.text.clone(),
        &sblint::lint::CheckOptions::default(),
    );
    assert!(
        report
            .diagnostics
            .iter()
            .all(|d| d.severity != sblint::diagnostic::Severity::Error),
        "{:#?}",
        report.diagnostics
    );
}

#[test]
fn stdin_secrets_aliases_and_the_explain_alias() {
    let log = "Sandbox: sh(1) deny(1) process-exec /usr/local/bin/tool\n\
               Sandbox: sh(1) deny(1) network-bind 0.0.0.0:8080\n\
               Sandbox: gh(2) deny(1) mach-lookup com.apple.trustd.agent\n\
               Sandbox: cat(3) deny(1) file-read-data /Users/me/p/.env\n\
               Sandbox: cat(3) deny(1) no-such-operation /x\n";
    let out = Command::cargo_bin("sblint")
        .unwrap()
        .args(["learn", "-", "--format", "json"])
        .write_stdin(log)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f[0]["logged_as"], "process-exec");
    assert_eq!(f[0]["operation"], "process-exec*");
    assert_eq!(f[2]["essential"], "trustd");
    assert_eq!(f[3]["verdict"], "kept-denied");
    assert_eq!(f[4]["verdict"], "unknown-operation");
    let rules: Vec<&str> = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "(allow process-exec* (literal \"/usr/local/bin/tool\"))",
            "(allow network-bind (local ip \"*:8080\"))",
            "(allow mach-lookup (global-name \"com.apple.trustd.agent\"))",
        ]
    );
    let allowed = Command::cargo_bin("sblint")
        .unwrap()
        .args(["learn", "--allow-secrets", "-"])
        .write_stdin(log)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&allowed.stdout).contains("/Users/me/p/.env"));
    // `explain --log` still answers, from the same reading.
    let alias = sblint(&[
        "explain",
        "tests/learn/profile.sb",
        "--log",
        "tests/learn/real.log",
    ]);
    assert!(alias.status.success(), "{alias:?}");
    let text = String::from_utf8_lossy(&alias.stdout);
    assert!(
        text.contains("(global-name \"com.apple.dock.server\")"),
        "{text}"
    );
}

/// `--into PROFILE` runs the test files beside PROFILE that name it on the merged profile
/// and reports each promise the merge would break, before anything is written; the
/// proposal that opens a port on every host says so and suggests a proxy.
#[test]
fn into_reports_the_promises_a_merge_breaks_and_what_a_proposal_risks() {
    let out = sblint(&[
        "learn",
        "tests/learn/promises/https.log",
        "--into",
        "tests/learn/promises/agent.sb",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("; the merge breaks tests/learn/promises/agent.sbtest.toml:4: [[deny]] network-outbound 151.101.0.223:443"),
        "{text}"
    );
    assert!(
        text.contains("; the merge breaks tests/learn/promises/agent.sbtest.toml:8: [[never]] network-outbound: network-outbound "),
        "{text}"
    );
    // The file-read promise still holds: it is not listed.
    assert!(!text.contains("agent.sbtest.toml:12"), "{text}");
    assert!(
        text.contains("risk: opens port 443 on every host, not only 151.101.0.223:443"),
        "{text}"
    );
    let json = sblint(&[
        "learn",
        "tests/learn/promises/https.log",
        "--into",
        "tests/learn/promises/agent.sb",
        "--format",
        "json",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let breaks = value["breaks"].as_array().unwrap();
    assert_eq!(breaks.len(), 2, "{value:#}");
    assert_eq!(breaks[1]["decision"], "allowed");
    assert!(value["rules"][0]["filters"][0]["risk"]
        .as_str()
        .unwrap()
        .contains("every host"));
}

/// Paths written with `//`, a trailing `/` or no leading `/` (found by the `learn` fuzz
/// target): each proposed literal is the path the model checks, so the merged profile
/// allows every proposed denial; a relative path is not proposed, and the output says why.
#[test]
fn mangled_paths_are_proposed_as_checked_and_relative_ones_not_at_all() {
    let text = fixture("deny-default.sb");
    let options = ModelOptions::default();
    let rebuild = |t: &str| Model::new(&sblint::syntax::parse(t), &[], &options);
    let model = rebuild(&text);
    let learned = learn(&fixture("mangled.log"), Some(&model), &Options::default());
    let merged = merge(&text, &model, &learned, "; learned\n", &rebuild);
    assert!(merged.still_denied.is_empty(), "{}", merged.text);
    assert!(merged.undecided.is_empty(), "{}", merged.text);
    let relative = learned
        .findings
        .iter()
        .find(|f| f.argument.as_deref() == Some("d_rsa"))
        .unwrap();
    assert!(
        matches!(relative.verdict, Verdict::Unanswerable(why) if why.contains("not absolute")),
        "{relative:?}"
    );
    assert!(!merged.text.contains("d_rsa"), "{}", merged.text);
    let human = sblint(&[
        "learn",
        "tests/learn/mangled.log",
        "--into",
        "tests/learn/deny-default.sb",
    ]);
    assert!(human.status.success(), "{human:?}");
    let json = sblint(&["learn", "--format", "json", "tests/learn/mangled.log"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let last = &v["findings"][6];
    assert_eq!(
        (&last["argument"], &last["verdict"]),
        (&"d_rsa".into(), &"not-proposed".into())
    );
    assert!(last["why"].as_str().unwrap().contains("relative"), "{last}");
    common::with_snapshots("learn", || {
        insta::assert_snapshot!("mangled-into", String::from_utf8_lossy(&human.stdout));
    });
}
