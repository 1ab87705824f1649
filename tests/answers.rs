//! The three ways of asking what a profile decides agree: the library's `decide`,
//! `sblint explain` and `sblint test`. All three decide as a Mac does, with the rules
//! libsandbox adds by itself (`grammar/implicit.tsv`): `(version 1)(deny default)` still
//! allows `file-link` on macOS 26. Before, only `sblint explain` added them, so the
//! library and `sblint test` said "deny" where `explain` said "allow".

mod common;

use assert_cmd::Command;
use proptest::prelude::*;
use sblint::{Options, Profile};
use serde_json::Value;

/// Operations implicit rules decide (each row of `grammar/implicit.tsv` has one), and some
/// only the profile decides, with an argument each.
const QUESTIONS: &[(&str, Option<&str>)] = &[
    ("file-link", Some("/a/b")),
    ("file-clone", Some("/a")),
    ("darwin-notification-post", Some("com.x")),
    ("dynamic-code-generation", None),
    ("consume-extension", None),
    ("signal", None),
    ("mach-task-name", None),
    ("mach-task-inspect", None),
    ("process-info-pidinfo", None),
    ("iokit-get-properties", Some("IOPlatformExpertDevice")),
    ("nvram-get", Some("boot-args")),
    ("syscall-unix", None),
    ("file-read-data", Some("/a/b")),
    ("mach-lookup", Some("com.x.y")),
    ("network-outbound", Some("localhost:80")),
];

/// Rules on the operations implicit rules decide, so that a profile's own rule sometimes
/// overrides one and sometimes not.
fn implicit_rule() -> impl Strategy<Value = String> {
    (
        prop::bool::ANY,
        prop::sample::select(vec![
            "file-link",
            "file*",
            "darwin-notification-post",
            "signal",
            "mach-task-name",
            "process-info*",
            "nvram*",
            "syscall-unix",
        ]),
        prop::sample::select(vec!["", "(literal \"/a/b\")", "(target self)"]),
    )
        .prop_map(|(allow, op, filter)| {
            let filter = match (op, filter) {
                ("file-link" | "file*", "(target self)") => "",
                ("file-link" | "file*", f) => f,
                ("signal" | "mach-task-name", f) if f.starts_with("(target") => f,
                _ => "",
            };
            let action = if allow { "allow" } else { "deny" };
            format!("({action} {op} {filter})")
        })
}

fn profile() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["", "(deny default)", "(allow default)"]),
        prop::collection::vec(prop_oneof![common::random::rule(), implicit_rule()], 0..5),
    )
        .prop_map(|(default, rules)| format!("(version 1)\n{default}\n{}\n", rules.join("\n")))
}

fn sblint(dir: &std::path::Path, args: &[&str]) -> (String, i32) {
    let output = Command::cargo_bin("sblint")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        output.status.code().unwrap_or(-1),
    )
}

/// What a decision says, as the JSON of `decide` and `sblint explain --format json` both
/// give it.
fn said(v: &Value) -> Value {
    serde_json::json!({
        "decision": v["decision"],
        "line": v["line"],
        "conditional": v["conditional"],
        "implicit": v["implicit"]["id"],
    })
}

/// Asks the three doors one question; returns what the library said.
fn agree(dir: &std::path::Path, text: &str, macos: &str, op: &str, arg: Option<&str>) -> Value {
    std::fs::write(dir.join("p.sb"), text).unwrap();
    let options = Options::new().macos(macos);
    let mut args = vec!["explain", "p.sb", op];
    args.extend(arg);
    args.extend(["--macos", macos, "--format", "json"]);
    let (out, code) = sblint(dir, &args);
    let decision = match Profile::named("p.sb", text, &options)
        .unwrap()
        .decide(op, arg)
    {
        Ok(decision) => decision,
        // An operation this macOS lacks: both refuse the question.
        Err(e) => {
            assert_eq!(code, 2, "decide refused ({e}), explain answered: {out}");
            return Value::Null;
        }
    };
    let library = serde_json::to_value(&decision).unwrap();
    let cli: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(
        said(&library),
        said(&cli),
        "decide and explain: {op} {arg:?} in\n{text}"
    );
    if !decision.conditional {
        let verdict = library["decision"].as_str().unwrap();
        let mut toml = format!(
            "profile = \"p.sb\"\nmacos = \"{macos}\"\n[[{verdict}]]\noperation = \"{op}\"\n"
        );
        if let Some(a) = arg {
            toml.push_str(&format!("argument = \"{a}\"\n"));
        }
        std::fs::write(dir.join("p.sbtest.toml"), toml).unwrap();
        let (out, code) = sblint(dir, &["test", "p.sbtest.toml"]);
        assert_eq!(
            code, 0,
            "sblint test disagrees with decide ({verdict}): {op} {arg:?} in\n{text}\n{out}"
        );
    }
    library
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sblint-answers-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn implicit_rules_decide_in_every_door() {
    let dir = scratch("fixed");
    let said = agree(
        &dir,
        "(version 1)\n(deny default)\n",
        "26",
        "file-link",
        Some("/x"),
    );
    assert_eq!(said["decision"], "allow");
    assert_eq!(said["implicit"]["id"], "sbpl1-file-link");
    // A rule of the profile after the preamble overrides it.
    let said = agree(
        &dir,
        "(version 1)\n(deny default)\n(deny file-link)\n",
        "26",
        "file-link",
        Some("/x"),
    );
    assert_eq!(
        (said["decision"].as_str(), said["line"].as_u64()),
        (Some("deny"), Some(3))
    );
    std::fs::remove_dir_all(&dir).ok();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn decide_explain_and_test_agree(
        text in profile(),
        macos in prop::sample::select(vec!["14.4.1", "26", "10.15"]),
        question in prop::sample::select(QUESTIONS.to_vec()),
    ) {
        let dir = scratch("random");
        agree(&dir, &text, macos, question.0, question.1);
        std::fs::remove_dir_all(&dir).ok();
    }
}
