//! `sblint test`: policy test files run as users run them, their outputs, their errors, and
//! every failure's witness confirmed by `sblint explain`.

mod common;

use assert_cmd::Command;

fn sblint() -> Command {
    let mut cmd = Command::cargo_bin("sblint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    cmd
}

fn run(args: &[&str]) -> (String, String, i32) {
    let output = sblint().args(args).output().unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
        output.status.code().unwrap(),
    )
}

#[test]
fn a_profile_that_keeps_its_promises_passes() {
    let (out, err, code) = run(&["test", "--verbose", "tests/sbtest/pass"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("FAIL"), "{out}");
    common::with_snapshots("sbtest", || insta::assert_snapshot!("pass_verbose", out));
}

#[test]
fn broken_promises_fail_with_witnesses() {
    let (out, err, code) = run(&["test", "tests/sbtest/fail"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(err, "");
    common::with_snapshots("sbtest", || insta::assert_snapshot!("fail_human", out));
}

#[test]
fn json_has_the_documented_shape() {
    let (out, _, code) = run(&[
        "test",
        "--format",
        "json",
        "tests/sbtest/fail",
        "tests/sbtest/pass",
    ]);
    assert_eq!(code, 1);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    let results = value["results"].as_array().unwrap();
    let failed = results.iter().filter(|r| r["passed"] == false).count();
    assert_eq!(value["failed"], failed);
    assert_eq!(value["passed"], results.len() - failed);
    assert!(failed > 0 && failed < results.len());
    for r in results {
        for key in ["file", "kind", "operation", "passed"] {
            assert!(r.get(key).is_some(), "{key} missing in {r}");
        }
        let kind = r["kind"].as_str().unwrap();
        match kind {
            "allow" | "deny" => assert!(r.get("argument").is_some()),
            "never" => assert!(r.get("except").is_some() && r.get("within").is_some()),
            "always" => assert!(r.get("within").is_some()),
            other => panic!("unknown kind {other}"),
        }
        if r["passed"] == false {
            for key in ["witness", "witness_operation", "decision", "line"] {
                assert!(r.get(key).is_some(), "{key} missing in failure {r}");
            }
        }
    }
    common::with_snapshots("sbtest", || insta::assert_snapshot!("fail_json", out));
}

#[test]
fn junit_is_one_suite_per_file() {
    let (out, _, code) = run(&["test", "--format", "junit", "tests/sbtest/fail"]);
    assert_eq!(code, 1);
    assert!(out.starts_with("<?xml"));
    assert_eq!(out.matches("<testsuite ").count(), 1);
    assert_eq!(
        out.matches("<testcase ").count(),
        out.matches("<failure ").count() + out.matches("\"/>").count()
    );
    common::with_snapshots("sbtest", || insta::assert_snapshot!("fail_junit", out));
}

/// Every witness a failure names gets the same decision from `sblint explain`.
#[test]
fn every_witness_is_confirmed_by_explain() {
    let (out, _, _) = run(&[
        "test",
        "--format",
        "json",
        "tests/sbtest/fail",
        "tests/sbtest/pass",
    ]);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut checked = 0;
    for r in value["results"].as_array().unwrap() {
        if r["passed"] == true || r["witness_operation"].is_null() {
            continue;
        }
        let mut args = vec![
            "explain".to_string(),
            "tests/sbtest/agent.sb".into(),
            r["witness_operation"].as_str().unwrap().into(),
        ];
        if let Some(w) = r["witness"].as_str() {
            args.push(w.into());
        }
        args.extend(["--param".into(), "PROJECT=/Users/me/proj".into()]);
        args.extend(["--format".into(), "json".into()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (explained, err, code) = run(&args);
        assert_eq!(code, 0, "{err}");
        let e: serde_json::Value = serde_json::from_str(&explained).unwrap();
        assert_eq!(e["decision"], r["decision"], "{r} vs {e}");
        checked += 1;
    }
    assert!(checked >= 4, "only {checked} witnesses");
}

#[test]
fn bad_test_files_are_errors_at_their_span() {
    let mut all = String::new();
    for name in [
        "syntax",
        "unknown-key",
        "unknown-operation",
        "missing-profile",
        "bad-argument",
        "bad-macos",
        "bad-entry",
    ] {
        let path = format!("tests/sbtest/errors/{name}.sbtest.toml");
        let (out, err, code) = run(&["test", &path]);
        assert_eq!(code, 2, "{name}: {out}{err}");
        assert!(
            err.starts_with(&format!("sblint: error: `{path}`:")),
            "{name}: {err}"
        );
        all.push_str(&err);
    }
    common::with_snapshots("sbtest", || insta::assert_snapshot!("errors", all));
}

#[test]
fn a_directory_without_test_files_is_an_error() {
    let (_, err, code) = run(&["test", "tests/fmt"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no test files (*.sbtest.toml) found under `tests/fmt`"),
        "{err}"
    );
}

#[test]
fn the_bundled_example_passes() {
    let (out, err, code) = run(&["test", "examples"]);
    assert_eq!(code, 0, "{out}{err}");
}

/// Set assertions of the kinds users write, over every shipping corpus profile (with the
/// prelude SOURCES.tsv names): every one is decided, none stops at the analysis budget.
#[test]
fn corpus_profiles_are_decided_within_the_budget() {
    let Some(dir) = common::corpus_dir() else {
        return;
    };
    let assertions = r#"
[[never]]
operation = "file-write*"
except = ["/Users/me/proj/**", "/private/tmp/**", "/dev/null"]
[[never]]
operation = "file-read*"
within = ["/Users/me/.ssh/**"]
[[always]]
operation = "file-read*"
within = ["/usr/lib/**"]
[[never]]
operation = "network-outbound"
except = ["localhost:*"]
[[never]]
operation = "mach-lookup"
except = ["com.apple.*"]
[[never]]
operation = "process-exec*"
within = ["/Users/me/proj/**"]
"#;
    let mut decided = 0;
    for entry in common::corpus_entries(&dir) {
        if entry.role != "profile" {
            continue;
        }
        let path = dir.join(&entry.file);
        let text = std::fs::read_to_string(&path).unwrap();
        let tree = sblint::syntax::parse(&text);
        let prelude = entry
            .prelude
            .as_ref()
            .map(|p| sblint::syntax::parse(std::fs::read_to_string(dir.join(p)).unwrap()));
        let preludes: Vec<&sblint::syntax::SyntaxTree> = prelude.iter().collect();
        let options = sblint::model::ModelOptions {
            base_dir: path.parent().map(Into::into),
            ..Default::default()
        };
        let model = sblint::model::Model::new(&tree, &preludes, &options);
        let spec = format!("profile = {:?}\n{assertions}", path.display().to_string());
        let file = sblint::sbtest::parse(&dir.join("corpus.sbtest.toml"), &spec).unwrap();
        for outcome in sblint::sbtest::run(&file, &model) {
            let too_complex = outcome.failure.as_ref().is_some_and(|f| f.too_complex);
            assert!(
                !too_complex,
                "{}: {:?} is too complex to decide",
                entry.file, outcome.assertion
            );
            decided += 1;
        }
    }
    assert!(decided > 100, "only {decided} assertions decided");
}

/// A decision an `extension` filter can flip is not proof either way: the assertion fails,
/// says it is conditional and names the filter with its line.
#[test]
fn conditional_answers_fail_and_name_the_filter() {
    let (out, _, code) = run(&["test", "--format", "json", "tests/sbtest/conditional"]);
    assert_eq!(code, 1);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    let results = value["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for r in results {
        assert_eq!(r["passed"], false, "{r}");
        assert_eq!(r["conditional"], true, "{r}");
        assert_eq!(r["conditions"][0]["filter"], "extension", "{r}");
        assert_eq!(r["conditions"][0]["line"], 4, "{r}");
    }
    let (human, _, _) = run(&["test", "tests/sbtest/conditional"]);
    common::with_snapshots("sbtest", || {
        insta::assert_snapshot!("conditional_human", human)
    });
}

/// Off a Mac, `--on-device` says in one line that it needs one (exit 2), before anything.
#[cfg(not(target_os = "macos"))]
#[test]
fn on_device_needs_macos() {
    let (out, err, code) = run(&["test", "--on-device", "tests/sbtest/pass"]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert_eq!(
        err,
        "sblint: error: `sblint test --on-device` needs macOS (sandbox-exec); without it, `sblint test` answers statically\n"
    );
}

/// A generator pipes the profile it made into `sblint test --profile -` with a test file
/// that names no profile of its own; `--profile PATH` replaces the file's `profile`.
#[test]
fn the_profile_comes_from_stdin_or_a_flag() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("generated.sbtest.toml");
    std::fs::write(
        &spec,
        "params = { PROJECT = \"/Users/me/project\", PYTHON_PREFIX = \"/opt/py\" }\n\
         [[never]]\noperation = \"file-read*\"\nwithin = [\"/Users/me/.ssh/**\"]\n",
    )
    .unwrap();
    let spec = spec.to_str().unwrap();
    let piped = |profile: &str, args: &[&str]| {
        let output = sblint()
            .args(["test", "--format", "json"])
            .args(args)
            .arg(spec)
            .write_stdin(profile)
            .output()
            .unwrap();
        (
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
            output.status.code().unwrap(),
        )
    };
    let kept = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/untrusted-python.sb"),
    )
    .unwrap();
    let (out, err, code) = piped(&kept, &["--profile", "-"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["passed"],
        1
    );

    let open = "(version 1)\n(allow default)\n";
    let (out, err, code) = piped(open, &["--profile", "-"]);
    assert_eq!(code, 1, "{out}{err}");
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value["results"][0]["witness"], "/Users/me/.ssh");

    let (out, err, code) = piped("", &["--profile", "examples/untrusted-python.sb"]);
    assert_eq!(code, 0, "{out}{err}");

    let (_, err, code) = run(&["test", spec]);
    assert_eq!(code, 2);
    assert!(
        err.contains("names no `profile`") && err.contains("--profile"),
        "{err}"
    );

    let (_, err, code) = run(&["test", "--profile", "-", spec, "examples"]);
    assert_eq!(code, 2);
    assert!(err.contains("`--profile -` reads one profile"), "{err}");
}
