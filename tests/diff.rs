//! `sblint diff OLD NEW` and `sblint explain --outside/--within`: fixtures for the classic
//! cases and each filter kind, snapshots of what users see, every witness confirmed by
//! `sblint explain` in both profiles, and the corpus against itself compiled.

mod common;

use assert_cmd::Command;
use sblint::compile::compile;
use sblint::model::sets::{diff, Budget};
use sblint::model::sources::SourceMap;
use sblint::model::{vocabulary, Model, ModelOptions};
use sblint::syntax::parse;

fn sblint() -> Command {
    let mut cmd = Command::cargo_bin("sblint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    cmd
}

fn run(args: &[&str]) -> (String, i32) {
    let output = sblint().args(args).output().unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        output.status.code().unwrap(),
    )
}

fn pair(name: &str) -> (String, String) {
    (
        format!("tests/diff/{name}-old.sb"),
        format!("tests/diff/{name}-new.sb"),
    )
}

/// `diff --format json` on a fixture pair, each change checked with `explain` on both.
fn diff_json(name: &str, extra: &[&str]) -> (serde_json::Value, i32) {
    let (old, new) = pair(name);
    let mut args = vec!["diff", "--format", "json", &old, &new];
    args.extend_from_slice(extra);
    let (out, code) = run(&args);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    for change in value["changes"].as_array().unwrap() {
        let op = change["operation"].as_str().unwrap();
        let witness = change["witness"].as_str();
        for (profile, side) in [(&old, "old"), (&new, "new")] {
            let mut args = vec!["explain", "--format", "json", profile.as_str(), op];
            args.extend(witness);
            let (out, code) = run(&args);
            assert_eq!(code, 0, "{out}");
            let e: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert_eq!(e["decision"], change[side]["decision"], "{side} {change}");
            assert_eq!(e["line"], change[side]["line"], "{side} {change}");
            assert_eq!(
                e["resolved"].as_str(),
                witness,
                "a witness explain would rewrite"
            );
            let conditional = e["conditional"].as_bool().unwrap();
            if !change["conditional"].as_bool().unwrap() {
                assert!(!conditional, "{side} {change}");
            }
        }
    }
    (value, code)
}

#[test]
fn reordered_disjoint_rules_are_equivalent() {
    let (value, code) = diff_json("reorder", &[]);
    assert_eq!(code, 0);
    assert_eq!(
        value,
        serde_json::json!({"equivalent": true, "changes": []})
    );
    let (old, new) = pair("reorder");
    let (out, code) = run(&["diff", &old, &new]);
    assert_eq!(
        (out.as_str(), code),
        ("equivalent: no decision changes\n", 0)
    );
}

#[test]
fn a_deny_moved_before_an_allow_widens_inside_the_denied_subtree() {
    let (value, code) = diff_json("deny-first", &[]);
    assert_eq!(code, 1);
    assert_eq!(value["equivalent"], false);
    let changes = value["changes"].as_array().unwrap();
    assert!(!changes.is_empty());
    for c in changes {
        assert_eq!(c["change"], "allowed");
        let w = c["witness"].as_str().unwrap();
        assert!(
            w == "/Users/me/.ssh" || w.starts_with("/Users/me/.ssh/"),
            "{w}"
        );
        assert_eq!(c["old"], serde_json::json!({"decision": "deny", "line": 4}));
        assert_eq!(
            c["new"],
            serde_json::json!({"decision": "allow", "line": 4})
        );
    }
    let (old, new) = pair("deny-first");
    let (out, _) = run(&["diff", &old, &new]);
    common::with_snapshots("diff", || insta::assert_snapshot!("deny_first", out));
}

#[test]
fn tmp_is_checked_as_private_tmp() {
    let (value, code) = diff_json("tmp", &[]);
    assert_eq!(code, 1);
    let changes = value["changes"].as_array().unwrap();
    // Every leaf of file-write*, each newly allowed at the resolved path.
    let leaves = sblint::model::sets::leaves(vocabulary().op_id("file-write*").unwrap());
    assert_eq!(changes.len(), leaves.len());
    for c in changes {
        assert_eq!(c["witness"], "/private/tmp/build");
        assert_eq!(c["change"], "allowed");
    }
    let (old, new) = pair("tmp");
    let (out, _) = run(&["diff", &old, &new]);
    common::with_snapshots("diff", || insta::assert_snapshot!("tmp", out));
}

#[test]
fn each_filter_kind_alias_and_wildcard() {
    let (value, code) = diff_json("kinds", &[]);
    assert_eq!(code, 1);
    let (old, new) = pair("kinds");
    let (out, _) = run(&["diff", "--verbose", &old, &new]);
    let (grouped, _) = run(&["diff", &old, &new]);
    common::with_snapshots("diff", || {
        insta::assert_snapshot!("kinds", out);
        insta::assert_snapshot!("kinds_grouped", grouped);
        insta::assert_snapshot!("kinds_json", serde_json::to_string_pretty(&value).unwrap());
    });
    // `sysctl-write` is `sysctl*`: the same rule, no change.
    let changes = value["changes"].as_array().unwrap();
    assert!(!changes.iter().any(|c| c["operation"] == "sysctl-write"));
    // Only the newly allowed ones with --widen-only.
    let (widen, code) = diff_json("kinds", &["--widen-only"]);
    assert_eq!(code, 1);
    let allowed: Vec<_> = changes
        .iter()
        .filter(|c| c["change"] == "allowed")
        .collect();
    assert_eq!(widen["changes"].as_array().unwrap().len(), allowed.len());
    // From new to old, every "allowed" is "denied".
    let (old, new) = pair("kinds");
    let (out, _) = run(&["diff", "--format", "json", &new, &old]);
    let back: serde_json::Value = serde_json::from_str(&out).unwrap();
    let denied = back["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["change"] == "denied")
        .count();
    assert_eq!(denied, allowed.len());
}

#[test]
fn diff_reports_bad_input_with_exit_2() {
    let (_, code) = run(&["diff", "tests/diff/nonexistent.sb", "tests/diff/tmp-new.sb"]);
    assert_eq!(code, 2);
    let (_, code) = run(&[
        "diff",
        "--operation",
        "file-wrte*",
        "tests/diff/tmp-old.sb",
        "tests/diff/tmp-new.sb",
    ]);
    assert_eq!(code, 2);
}

#[test]
fn explain_outside_answers_never_with_a_witness() {
    let (out, code) = run(&[
        "explain",
        "tests/diff/tmp-new.sb",
        "file-write*",
        "--outside",
        "/private/tmp/build/**",
    ]);
    assert_eq!(
        (out.as_str(), code),
        (
            "never: no argument of file-write* outside /private/tmp/build/** is allowed\n",
            0
        )
    );
    // `/tmp/...` is resolved as explain resolves its argument.
    let (_, code) = run(&[
        "explain",
        "tests/diff/tmp-new.sb",
        "file-write*",
        "--outside",
        "/tmp/build/**",
    ]);
    assert_eq!(code, 0);
    let (out, code) = run(&[
        "explain",
        "tests/diff/tmp-new.sb",
        "file-write*",
        "--outside",
        "/private/tmp/build/src/**",
    ]);
    assert_eq!(code, 1);
    common::with_snapshots("diff", || insta::assert_snapshot!("explain_outside", out));
    let (out, code) = run(&[
        "explain",
        "--format",
        "json",
        "tests/diff/kinds-old.sb",
        "file-read*",
        "--within",
        "/Library/**",
    ]);
    assert_eq!(code, 1);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value["holds"], false);
    assert_eq!(value["witness"], "/Library");
    assert_eq!(value["conditional"], true);
    assert_eq!(
        value["conditions"],
        serde_json::json!([{"filter": "require-entitlement", "line": 14}])
    );
    let (out, code) = run(&[
        "explain",
        "tests/diff/tmp-new.sb",
        "file-write*",
        "--outside",
        "build/**",
    ]);
    assert_eq!(code, 2, "{out}");
}

/// Every Chromium and WebKit profile of the corpus (with its prelude) decides as its
/// `sblint compile` output does, on every leaf operation.
#[test]
fn corpus_profiles_are_equivalent_to_themselves_compiled() {
    let Some(dir) = common::corpus_dir() else {
        assert!(std::env::var_os("CI").is_none(), "the corpus is missing");
        return;
    };
    let mut compared = 0;
    let mut skipped = Vec::new();
    for entry in common::corpus_entries(&dir) {
        if !(entry.file.starts_with("chromium/") || entry.file.starts_with("webkit/")) {
            continue;
        }
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
        let tree = parse(read(&entry.file));
        let prelude = entry.prelude.as_deref().map(|p| parse(read(p)));
        let preludes: Vec<_> = prelude.iter().collect();
        if !tree.errors().is_empty() {
            // WebKit's `.sb.in` files still have their preprocessor directives.
            skipped.push(format!("{}: syntax", entry.file));
            continue;
        }
        let mut options = ModelOptions {
            base_dir: Some(dir.join(&entry.file).parent().unwrap().to_path_buf()),
            ..ModelOptions::default()
        };
        // Compiling needs every param: a value for each, by what its name suggests.
        let unset = Model::new(&tree, &preludes, &options).unset_params;
        for name in unset {
            let value = if name.contains("VERSION") {
                "14"
            } else if ["DIR", "PATH", "HOME", "LITERAL", "ROOT"]
                .iter()
                .any(|k| name.contains(k))
            {
                "/Users/me/p"
            } else {
                "1"
            };
            options.params.insert(name, value.to_string());
        }
        let original = Model::new(&tree, &preludes, &options);
        let prelude_names: Vec<(&str, &sblint::syntax::SyntaxTree)> = entry
            .prelude
            .as_deref()
            .zip(prelude.as_ref())
            .into_iter()
            .collect();
        let sources = SourceMap::new((entry.file.as_str(), &tree), &prelude_names, &original);
        let flat = match compile(&original, &sources) {
            Ok(flat) => flat,
            Err(e) => {
                skipped.push(format!("{}: {e}", entry.file));
                continue;
            }
        };
        let compiled = Model::new(&parse(flat), &[], &ModelOptions::default());
        let changes = diff(
            &original.rules,
            &compiled.rules,
            vocabulary().default,
            &Budget::default(),
        )
        .unwrap_or_else(|e| panic!("{}: too complex ({} decided)", entry.file, e.decided.len()));
        assert!(
            changes.is_empty(),
            "{}: {:#?}",
            entry.file,
            &changes[..changes.len().min(3)]
        );
        compared += 1;
    }
    assert!(
        compared >= 10,
        "{compared} compared; skipped:\n{}",
        skipped.join("\n")
    );
    eprintln!("{compared} compared; skipped:\n{}", skipped.join("\n"));
}

/// `explain` names what a decision depends on: a run-time filter, an unset param, an
/// unverified regex, not "an unset param" for all of them.
#[test]
fn explain_names_each_condition() {
    let (out, code) = run(&[
        "explain",
        "tests/diff/conditions.sb",
        "file-read-data",
        "/Users/me/bin/x",
    ]);
    assert_eq!(code, 0);
    common::with_snapshots("diff", || {
        insta::assert_snapshot!("explain_conditions", out)
    });
    let (out, _) = run(&[
        "explain",
        "--format",
        "json",
        "tests/diff/conditions.sb",
        "file-read-data",
        "/Users/me/bin/x",
    ]);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value["conditional"], true);
    assert_eq!(
        value["conditions"],
        serde_json::json!([
            {"filter": "regex", "line": 6},
            {"filter": "param", "line": 5},
            {"filter": "process-path", "line": 4},
            {"filter": "require-entitlement", "line": 3},
        ])
    );
    // Given the param, and outside every filtered rule: not conditional.
    let (out, _) = run(&[
        "explain",
        "--format",
        "json",
        "--param",
        "PROJECT=/Users/me/p",
        "tests/diff/conditions.sb",
        "file-read-data",
        "/usr/lib/x",
    ]);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value["conditional"], false);
    assert_eq!(value["conditions"], serde_json::json!([]));
    let (out, _) = run(&[
        "explain",
        "examples/untrusted-python.sb",
        "file-write-create",
        "/Users/me/.ssh/authorized_keys",
    ]);
    assert!(
        out.contains("depends on the unset param `PROJECT` (give it with `--param PROJECT=VALUE`)"),
        "{out}"
    );
}

/// `(allow default)` against a `(deny default)` profile: one entry per pair of deciding
/// rules fits on a screen; `--verbose` has a block per operation; JSON is per operation.
#[test]
fn a_diff_fits_on_a_screen() {
    let old = "tests/diff/allow-default.sb";
    let new = "examples/untrusted-python.sb";
    let (grouped, code) = run(&["diff", old, new]);
    assert_eq!(code, 1);
    let (verbose, _) = run(&["diff", "--verbose", old, new]);
    let (json, _) = run(&["diff", "--format", "json", old, new]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let changes = value["changes"].as_array().unwrap().len();
    let lines = grouped.lines().count();
    assert!(lines < 40, "{lines} lines:\n{grouped}");
    assert!(
        verbose.lines().count() > 4 * changes,
        "{}",
        verbose.lines().count()
    );
    // Every change is in one entry: the entries' counts add up.
    let counted: usize = grouped
        .lines()
        .filter_map(|l| {
            l.split_once(" operation")
                .and_then(|(n, _)| n.parse::<usize>().ok())
        })
        .sum();
    let leaf_ops: std::collections::BTreeSet<&str> = value["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["operation"].as_str().unwrap())
        .collect();
    assert_eq!(counted, leaf_ops.len());
    common::with_snapshots("diff", || insta::assert_snapshot!("screen", grouped));
}
