//! Add-ons appended to a base profile: `sblint diff BASE --append ADDON` and `sblint check
//! --base BASE ADDON` say what the add-on opens (each witness confirmed by `explain` on the
//! combined profile) and which of its rules change nothing (nolabs-ai/nono#1566); exit 1
//! when the add-on widens the base.

mod common;

use assert_cmd::Command;

fn run(args: &[&str]) -> (String, i32) {
    let output = Command::cargo_bin("sblint")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        output.status.code().unwrap(),
    )
}

const BASE: &str = "tests/addon/base.sb";
const ADDON: &str = "tests/addon/addon.sb";
const NARROW: &str = "tests/addon/narrow.sb";

#[test]
fn an_addon_that_widens_its_base() {
    let (out, code) = run(&["diff", BASE, "--append", ADDON]);
    assert_eq!(code, 1, "{out}");
    common::with_snapshots("addon", || insta::assert_snapshot!("widens", out));
    let (json, code) = run(&["diff", "--format", "json", BASE, "--append", ADDON]);
    assert_eq!(code, 1);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["widens"], true);
    let changes = value["changes"].as_array().unwrap();
    assert!(!changes.is_empty());
    // Every witness: `explain` on the base and on the base with the add-on agree.
    for c in changes {
        let op = c["operation"].as_str().unwrap();
        let witness = c["witness"].as_str().unwrap();
        for (args, side) in [
            (
                vec!["explain", "--format", "json", BASE, op, witness],
                "old",
            ),
            (
                vec![
                    "explain",
                    "--format",
                    "json",
                    "--prelude",
                    BASE,
                    ADDON,
                    op,
                    witness,
                ],
                "new",
            ),
        ] {
            let (out, code) = run(&args);
            assert_eq!(code, 0, "{out}");
            let e: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert_eq!(e["decision"], c[side]["decision"], "{side} {c}");
        }
    }
    // The add-on's read of /usr/lib changes nothing: the base allows /usr.
    let none = value["no_effect"].as_array().unwrap();
    assert_eq!(none.len(), 1, "{none:?}");
    assert_eq!(none[0]["line"], 3);
    assert_eq!(none[0]["decided_by"]["line"], 6);
    assert_eq!(none[0]["decided_by"]["file"], BASE);
}

#[test]
fn an_addon_that_only_narrows_exits_0() {
    let (out, code) = run(&["diff", BASE, "--append", NARROW]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("newly denied"), "{out}");
}

#[test]
fn check_with_a_base_lints_the_addon_and_reports_what_it_opens() {
    let (out, code) = run(&["check", "--base", BASE, ADDON]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("appended to tests/addon/base.sb"), "{out}");
    assert!(
        out.contains("1 rule of the add-on changes nothing"),
        "{out}"
    );
    let (out, code) = run(&["check", "--base", BASE, NARROW]);
    assert_eq!(code, 0, "{out}");
    // Without --base the add-on alone is another profile.
    let (_, code) = run(&["diff", BASE]);
    assert_eq!(code, 2);
}
