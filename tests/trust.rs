//! A linter you can trust in CI (issue #14): no silent passes, scriptable answers, ruff's
//! everyday flags. Each test runs the binary as a user or a CI step would.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn sblint() -> Command {
    let mut cmd = Command::cargo_bin("sblint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env_remove("FORCE_COLOR");
    cmd
}

/// stdout, stderr and the exit code.
fn run(cmd: &mut Command) -> (String, String, i32) {
    let output = cmd.output().unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
        output.status.code().unwrap(),
    )
}

/// `sblint check --format concise -` on `text`.
fn concise(text: &str) -> (String, String, i32) {
    run(sblint()
        .args(["check", "--format", "concise", "-"])
        .write_stdin(text))
}

fn tempdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("trust")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn snapshot(name: &str, text: &str) {
    common::with_snapshots("trust", || insta::assert_snapshot!(name, text));
}

const PITFALL: &str = "(version 1)\n(deny default)\n(allow file-read* (literal \"/\"))\n\
                       (allow file-read* (subpath \"/tmp/x\"))\n";

mod unknown_rules {
    use super::*;

    #[test]
    fn a_typo_in_select_ignore_or_extend_select_is_exit_two_with_a_suggestion() {
        for (flag, value, suggestion) in [
            ("--select", "SB2O1", "SB201"),
            ("--ignore", "unresolved-paths", "unresolved-path"),
            ("--extend-select", "sb3O3", "SB303"),
        ] {
            let (out, err, code) = run(sblint().args([flag, value, "examples/pitfalls.sb"]));
            assert_eq!(code, 2, "{flag} {value}: {out}{err}");
            assert_eq!(out, "", "{flag}: nothing is checked");
            assert!(
                err.contains(&format!("did you mean `{suggestion}`?")),
                "{flag}: {err}"
            );
        }
        let (_, err, code) = run(sblint().args(["--select", "E501", "examples/pitfalls.sb"]));
        assert_eq!(code, 2);
        snapshot("select_unknown", &err);
    }

    #[test]
    fn names_prefixes_and_all_select_rules() {
        let codes = |args: &[&str]| {
            let (out, _, _) = run(sblint()
                .args(["--format", "concise"])
                .args(args)
                .arg("-")
                .write_stdin(PITFALL));
            let mut codes: Vec<String> = out
                .lines()
                .filter_map(|l| l.split('[').nth(1)?.split(']').next().map(String::from))
                .collect();
            codes.dedup();
            codes
        };
        assert_eq!(codes(&["--select", "unresolved-path"]), ["SB201"]);
        assert_eq!(codes(&["--select", "sb2"]), ["SB201"]);
        assert_eq!(codes(&["--select", "ALL"]), codes(&[]));
        assert!(!codes(&["--ignore", "unresolved-path"]).contains(&"SB201".to_string()));
        // --extend-select adds to --select, and to every rule when nothing is selected.
        assert_eq!(
            codes(&["--select", "SB308", "--extend-select", "SB201"]),
            ["SB308", "SB201"]
        );
        assert_eq!(codes(&["--extend-select", "SB201"]), codes(&[]));
    }

    #[test]
    fn a_typo_in_sblint_toml_is_exit_two_with_its_location() {
        for (text, needle) in [
            ("select = [\"SB2O1\"]\n", "did you mean `SB201`?"),
            ("ignore = [\"SB3O3\"]\n", "did you mean `SB303`?"),
            (
                "[severity]\nunresolved-paths = \"error\"\n",
                "did you mean `unresolved-path`?",
            ),
        ] {
            let dir = tempdir("toml-typo");
            std::fs::write(dir.join("sblint.toml"), text).unwrap();
            std::fs::write(dir.join("p.sb"), PITFALL).unwrap();
            let (out, err, code) = run(sblint().arg(dir.join("p.sb")));
            assert_eq!(code, 2, "{text}: {out}{err}");
            assert!(err.contains("sblint.toml`:"), "{err}");
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn names_work_in_sblint_toml() {
        let dir = tempdir("toml-names");
        std::fs::write(
            dir.join("sblint.toml"),
            "select = [\"unresolved-path\"]\n[severity]\nunresolved-path = \"error\"\n",
        )
        .unwrap();
        std::fs::write(dir.join("p.sb"), PITFALL).unwrap();
        let (out, _, code) = run(sblint().args(["--format", "concise"]).arg(dir.join("p.sb")));
        assert_eq!(code, 1);
        assert!(out.contains("error[SB201]"), "{out}");
        assert_eq!(out.lines().count(), 1, "{out}");
    }

    #[test]
    fn a_typo_in_a_suppression_is_an_error_and_exit_two() {
        let text = "(version 1)\n(deny default)\n(allow file-read* (literal \"/\"))\n\
                    (allow file-read* (subpath \"/tmp/x\")) ; sblint: ignore SB2O1\n";
        let (out, _, code) = concise(text);
        assert_eq!(code, 2, "{out}");
        assert!(out.contains("error[SB901]"), "{out}");
        assert!(out.contains("did you mean `SB201`?"), "{out}");
        // Still shown when SB901 is not selected: a typo never passes silently.
        let (out, _, code) = run(sblint()
            .args(["--format", "concise", "--select", "SB2", "-"])
            .write_stdin(text));
        assert_eq!(code, 2, "{out}");
        assert!(out.contains("SB901"), "{out}");
        // A name works where a code does.
        let named = text.replace("SB2O1", "unresolved-path");
        let (out, _, code) = concise(&named);
        assert!(!out.contains("SB201") && !out.contains("SB901"), "{out}");
        assert_eq!(code, 0, "{out}");
    }
}

mod refused_input {
    use super::*;

    #[test]
    fn text_scripts_bare_words_and_unbound_variables_are_errors() {
        let mut shown = String::new();
        for (name, text, code) in [
            ("plain text", "Install the profile with sandbox-exec -f it.sb\n", "SB004"),
            ("a shell script", "#!/bin/sh\necho hello\n", "SB004"),
            ("a bare symbol", "(version 1)\n(deny default)\nfoo\n", "SB004"),
            ("an unbound HOME", "(version 1)\n(deny default)\n(allow file-read* (subpath (string-append HOME \"/x\")))\n", "SB004"),
            ("subpath of an undefined name", "(version 1)\n(deny default)\n(allow file-read* (subpath PROJECT_DIR))\n", "SB004"),
            ("a string at the top level", "(version 1)\n(deny default)\n\"hello\"\n", "SB001"),
            ("a number at the top level", "(version 1)\n(deny default)\n42\n", "SB001"),
        ] {
            let (out, err, status) = concise(text);
            assert_eq!(status, 1, "{name}: {out}{err}");
            assert!(out.contains(code), "{name}: {out}");
            shown.push_str(&format!("# {name}\n{out}"));
        }
        assert!(shown.contains("`PROJECT_DIR`"), "{shown}");
        snapshot("refused_input", &shown);
    }

    #[test]
    fn a_fragment_checked_alone_gets_a_hint_to_pass_its_base() {
        let fragment = "(allow file-read* (home-subpath \"/.config\"))\n";
        let (out, _, code) = run(sblint().arg("-").write_stdin(fragment));
        assert_eq!(code, 1);
        assert!(out.contains("--prelude"), "{out}");
        assert!(!out.contains("did you mean"), "{out}");
        // With its base, nothing is left to say about the name.
        let dir = tempdir("fragment");
        std::fs::write(
            dir.join("base.sb"),
            "(version 1)\n(deny default)\n(define (home-subpath p) (subpath (string-append \"/Users/me\" p)))\n",
        )
        .unwrap();
        let (out, _, _) = run(sblint()
            .args(["--format", "concise", "--prelude"])
            .arg(dir.join("base.sb"))
            .arg("-")
            .write_stdin(fragment));
        assert!(!out.contains("SB004"), "{out}");
    }

    #[test]
    fn defined_names_and_guarded_references_are_not_findings() {
        let text = "(version 1)\n(deny default)\n(define HOME (param \"HOME\"))\n\
                    (allow file-read* (subpath HOME))\n\
                    (if (and (param \"X\") (defined? 'later)) (allow file-read* (subpath later)))\n";
        let (out, _, _) = concise(text);
        assert!(!out.contains("SB004"), "{out}");
    }
}

mod explain_and_compile {
    use super::*;

    const UNBOUND: &str = "(version 1)\n(deny default)\n(allow file-read* (subpath PROJECT_DIR))\n";

    fn profile(name: &str, text: &str) -> PathBuf {
        let dir = tempdir(name);
        let path = dir.join("p.sb");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn explain_says_first_that_the_profile_fails_to_load() {
        let path = profile("explain-refused", UNBOUND);
        let (out, _, code) = run(sblint().current_dir(path.parent().unwrap()).args([
            "explain",
            "p.sb",
            "file-read-data",
            "/etc/passwd",
        ]));
        assert_eq!(code, 0, "{out}");
        assert!(
            out.starts_with("fails to load: `p.sb`:3:28: SB004 unbound variable `PROJECT_DIR`"),
            "{out}"
        );
        snapshot("explain_fails_to_load", &out);
        let (json, _, _) = run(sblint().current_dir(path.parent().unwrap()).args([
            "explain",
            "--format",
            "json",
            "p.sb",
            "file-read-data",
            "/etc/passwd",
        ]));
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["loads"], false);
        assert_eq!(value["errors"][0]["code"], "SB004");
        assert_eq!(value["errors"][0]["line"], 3);
        let (json, _, _) = run(sblint().args([
            "explain",
            "--format",
            "json",
            "examples/untrusted-python.sb",
            "file-read-data",
            "/etc/passwd",
        ]));
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["loads"], true);
        assert_eq!(value["errors"], serde_json::json!([]));
    }

    #[test]
    fn explain_expect_exits_zero_on_the_expected_decision_and_one_otherwise() {
        let path = profile(
            "explain-expect",
            "(version 1)\n(deny default)\n(allow file-read* (subpath \"/usr/lib\"))\n",
        );
        let expect = |operation: &str, argument: &str, decision: &str| {
            let (_, _, code) = run(sblint()
                .args(["explain", "--expect", decision])
                .arg(&path)
                .args([operation, argument]));
            code
        };
        assert_eq!(expect("file-read-data", "/usr/lib/libc.dylib", "allow"), 0);
        assert_eq!(expect("file-read-data", "/usr/lib/libc.dylib", "deny"), 1);
        assert_eq!(expect("file-write-data", "/usr/lib/libc.dylib", "deny"), 0);
        assert_eq!(expect("file-write-data", "/usr/lib/libc.dylib", "allow"), 1);
        // A profile that fails to load allows nothing: no expectation is met.
        let refused = profile("explain-expect-refused", UNBOUND);
        let (_, _, code) = run(sblint()
            .args(["explain", "--expect", "deny"])
            .arg(&refused)
            .args(["file-write-data", "/x"]));
        assert_eq!(code, 1);
        let (_, err, code) = run(sblint()
            .args(["explain", "--expect", "maybe"])
            .arg(&path)
            .args(["file-read-data", "/x"]));
        assert_eq!(code, 2, "{err}");
    }

    #[test]
    fn compile_refuses_a_profile_that_fails_to_load_with_the_real_reason() {
        let path = profile(
            "compile-address",
            "(version 1)\n(deny default)\n(allow network-outbound (remote ip \"nowhere:80\"))\n",
        );
        let (out, err, code) = run(sblint()
            .current_dir(path.parent().unwrap())
            .args(["compile", "p.sb"]));
        assert_eq!(code, 2);
        assert_eq!(out, "");
        assert!(err.contains("fails to load"), "{err}");
        assert!(err.contains("SB105"), "{err}");
        assert!(!err.contains("cannot know"), "{err}");
        snapshot("compile_refused", &err);
    }
}

mod walking {
    use super::*;

    #[test]
    fn a_path_without_profiles_is_a_warning_and_quiet_silences_it() {
        let dir = tempdir("empty");
        std::fs::write(dir.join("README.md"), "not a profile\n").unwrap();
        let (out, err, code) = run(sblint().arg(&dir));
        assert_eq!(code, 0);
        assert_eq!(out, "");
        assert!(
            err.starts_with("sblint: warning: no profiles found under `"),
            "{err}"
        );
        let (_, err, _) = run(sblint().args(["fmt", "--check"]).arg(&dir));
        assert!(err.contains("no profiles found"), "{err}");
        let (out, err, code) = run(sblint().arg("-q").arg(&dir));
        assert_eq!((out.as_str(), err.as_str(), code), ("", "", 0));
    }

    #[test]
    fn extensions_match_in_any_case_and_the_summary_counts_profiles_checked() {
        let dir = tempdir("case");
        let clean = "(version 1)\n(deny default)\n(allow file-read* (literal \"/\"))\n\
                     (deny process-info* iokit-get-properties nvram*)\n";
        std::fs::write(dir.join("a.SB"), clean).unwrap();
        std::fs::write(dir.join("b.Sbpl"), clean).unwrap();
        std::fs::write(dir.join("c.sb"), clean).unwrap();
        let (out, _, code) = run(sblint().args(["--ignore", "SB308"]).arg(&dir));
        assert_eq!(
            (out.as_str(), code),
            ("Checked 3 profiles: no problems.\n", 0)
        );
        std::fs::write(dir.join("d.sb"), PITFALL).unwrap();
        let (out, _, code) = run(sblint().args(["--ignore", "SB308"]).arg(&dir));
        assert_eq!(code, 1);
        assert!(
            out.ends_with("Found 1 warning in 1 file (4 profiles checked).\n"),
            "{out}"
        );
    }

    #[test]
    fn help_says_which_directories_are_skipped() {
        let (out, _, _) = run(sblint().args(["check", "--help"]));
        let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(out.contains("hidden files and directories"), "{out}");
        assert!(out.contains(".gitignore"), "{out}");
        assert!(out.contains("any case"), "{out}");
    }
}

mod fixes {
    use super::*;

    #[test]
    fn fix_on_stdin_writes_the_profile_to_stdout_and_the_report_to_stderr() {
        let fix = || {
            let mut cmd = sblint();
            cmd.args(["--fix", "--ignore", "SB210", "-"]);
            cmd
        };
        let (out, err, code) = run(fix().write_stdin(PITFALL));
        assert_eq!(out, PITFALL.replace("\"/tmp/x\"", "\"/private/tmp/x\""));
        assert!(err.contains("Fixed 1 finding: SB201 ×1"), "{err}");
        assert!(!err.contains("(version 1)\n(deny default)"), "{err}");
        assert_eq!(code, 0, "{err}");
        // Round trip: the output checks clean of what was fixed, and a second fix is a no-op.
        let (again, err, _) = run(fix().write_stdin(out.clone()));
        assert_eq!(again, out);
        assert!(!err.contains("Fixed"), "{err}");
        // Nothing to fix: the profile comes back unchanged.
        let clean = "(version 1)\n(deny default)\n(allow file-read* (literal \"/\"))\n";
        let (same, _, _) = run(fix().write_stdin(clean));
        assert_eq!(same, clean);
    }

    #[test]
    fn fix_says_what_it_fixed_and_show_fixes_lists_it_by_file() {
        let dir = tempdir("fix-files");
        let path = dir.join("p.sb");
        std::fs::write(
            &path,
            "(deny default)\n(allow file-read* (literal \"/\"))\n(allow file-read* (subpath \"/tmp/x\"))\n(allow file-read* (subpath \"/var/y\"))\n",
        )
        .unwrap();
        let (out, _, _) = run(sblint().current_dir(&dir).args([
            "--fix",
            "--show-fixes",
            "--ignore",
            "SB308,SB210",
            "p.sb",
        ]));
        assert!(
            out.contains("Fixed 3 findings: SB002 ×1, SB201 ×2\n"),
            "{out}"
        );
        assert!(
            out.contains(
                "- p.sb:\n    1 × SB002 (missing-version)\n    2 × SB201 (unresolved-path)\n"
            ),
            "{out}"
        );
        snapshot("fix_show_fixes", &out);
    }

    #[test]
    fn unsafe_fixes_are_applied_only_on_request() {
        let text = "(version 1)\n(deny default)\n(allow file-read* (subpath \"/usr\"))\n";
        let (safe, _, _) = run(sblint()
            .args(["--fix", "--select", "SB202", "-"])
            .write_stdin(text));
        assert_eq!(safe, text, "SB202's fix is unsafe");
        let (out, err, _) = run(sblint()
            .args(["--fix", "--unsafe-fixes", "--select", "SB202", "-"])
            .write_stdin(text));
        assert_ne!(out, text);
        assert!(out.contains("(literal \"/\")"), "{out}");
        assert!(err.contains("Fixed 1 finding: SB202 ×1"), "{err}");
    }

    #[test]
    fn diff_exits_zero_with_nothing_to_show_and_one_with_a_diff() {
        let no_fix = "(version 1)\n(deny default)\n(allow network-outbound)\n";
        let (out, _, code) = run(sblint().args(["--diff", "-"]).write_stdin(no_fix));
        assert_eq!((out.as_str(), code), ("", 0));
        let (out, _, code) = run(sblint().args(["--diff", "-"]).write_stdin(PITFALL));
        assert_eq!(code, 1);
        assert!(
            out.contains("+(allow file-read* (subpath \"/private/tmp/x\"))"),
            "{out}"
        );
    }

    #[test]
    fn show_fixes_without_fix_counts_what_fix_would_do() {
        let (out, _, _) = run(sblint().args(["--show-fixes", "-"]).write_stdin(PITFALL));
        assert!(
            out.contains("1 finding fixable with `--fix`:\n    1 × SB201 (unresolved-path)\n"),
            "{out}"
        );
    }
}

mod ruff_flags {
    use super::*;

    #[test]
    fn statistics_counts_findings_per_rule() {
        let (out, _, code) = run(sblint().args(["--statistics", "examples/pitfalls.sb"]));
        assert_eq!(code, 1);
        snapshot("statistics", &out);
        let (json, _, _) =
            run(sblint().args(["--statistics", "--format", "json", "examples/pitfalls.sb"]));
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let rows = value.as_array().unwrap();
        assert!(rows
            .iter()
            .any(|r| r["code"] == "SB201" && r["count"] == 1 && r["fixable"] == 1));
        assert_eq!(
            rows.iter()
                .map(|r| r["count"].as_u64().unwrap())
                .sum::<u64>() as usize,
            out.lines()
                .map(|l| l
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .parse::<usize>()
                    .unwrap())
                .sum::<usize>()
        );
    }

    #[test]
    fn output_file_gets_the_report_and_stdout_stays_empty() {
        let dir = tempdir("output-file");
        let file = dir.join("report.json");
        let (out, _, code) = run(sblint()
            .args(["--format", "json", "--output-file"])
            .arg(&file)
            .arg("examples/pitfalls.sb"));
        assert_eq!((out.as_str(), code), ("", 1));
        let (direct, _, _) = run(sblint().args(["--format", "json", "examples/pitfalls.sb"]));
        assert_eq!(std::fs::read_to_string(&file).unwrap(), direct);
    }

    #[test]
    fn exit_zero_passes_findings_but_not_errors() {
        let (out, _, code) = run(sblint().args(["--exit-zero", "examples/pitfalls.sb"]));
        assert_eq!(code, 0);
        assert!(out.contains("SB201"), "{out}");
        let (_, _, code) = run(sblint().args(["--exit-zero", "no/such/file.sb"]));
        assert_eq!(code, 2);
    }

    #[test]
    fn color_always_never_and_the_environment() {
        let ansi = |cmd: &mut Command| run(cmd).0.contains("\u{1b}[");
        assert!(ansi(sblint().args([
            "--color",
            "always",
            "examples/pitfalls.sb"
        ])));
        assert!(!ansi(sblint().args([
            "--color",
            "never",
            "examples/pitfalls.sb"
        ])));
        // Not a terminal, NO_COLOR set: none.
        assert!(!ansi(sblint().arg("examples/pitfalls.sb")));
        assert!(ansi(
            sblint()
                .env_remove("NO_COLOR")
                .env("FORCE_COLOR", "1")
                .arg("examples/pitfalls.sb")
        ));
        assert!(!ansi(
            sblint()
                .env_remove("NO_COLOR")
                .env("FORCE_COLOR", "1")
                .args(["--color", "never", "examples/pitfalls.sb"])
        ));
    }

    #[test]
    fn quiet_prints_findings_but_no_summary() {
        let (out, _, code) = run(sblint().args(["-q", "examples/pitfalls.sb"]));
        assert_eq!(code, 1);
        assert!(out.contains("SB201"), "{out}");
        assert!(!out.contains("Found "), "{out}");
    }

    #[test]
    fn sarif_and_rule_give_the_rule_documentation_url() {
        let (sarif, _, _) = run(sblint().args(["--format", "sarif", "examples/pitfalls.sb"]));
        let value: serde_json::Value = serde_json::from_str(&sarif).unwrap();
        let rules = value["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        let sb201 = rules.iter().find(|r| r["id"] == "SB201").unwrap();
        // The rule's page on the documentation site (docs/src/rules/SB201.md, tests/docs.rs).
        let url = "https://sblint.github.io/sblint/rules/SB201.html";
        assert_eq!(sb201["helpUri"], url);
        assert!(rules.iter().all(|r| !r["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("expect_diagnostic")));
        let (doc, _, code) = run(sblint().args(["rule", "unresolved-path"]));
        assert_eq!(code, 0);
        assert!(doc.contains(url), "{doc}");
        assert!(!doc.contains("expect_diagnostic"), "{doc}");
        assert!(doc.contains("```sbpl\n"), "{doc}");
        let (_, err, code) = run(sblint().args(["rule", "SB2O1"]));
        assert_eq!(code, 2);
        assert!(err.contains("did you mean `SB201`?"), "{err}");
    }
}

mod smaller_things {
    use super::*;

    #[test]
    fn the_lowest_severity_is_info_in_every_format() {
        let text = "(version 1)\n(allow default)\n(deny network*)\n";
        let (human, _, _) = run(sblint().arg("-").write_stdin(text));
        assert!(human.starts_with("info[SB303/"), "{human}");
        assert!(!human.contains("note["), "{human}");
        let (concise, _, _) = concise(text);
        assert!(concise.contains("info[SB303]"), "{concise}");
        let (json, _, _) = run(sblint().args(["--format", "json", "-"]).write_stdin(text));
        assert!(json.contains("\"severity\": \"info\""), "{json}");
        let (sarif, _, _) = run(sblint().args(["--format", "sarif", "-"]).write_stdin(text));
        // SARIF's own word for it.
        assert!(sarif.contains("\"level\": \"note\""), "{sarif}");
    }

    #[test]
    fn a_long_line_is_printed_once_and_cut_around_the_span() {
        let line = format!(
            "(version 1)(deny default)(allow file-read* (literal \"/\")){}(allow file-read* (subpath \"/tmp/x\"))\n",
            "(allow file-read* (literal \"/usr/lib/x\"))".repeat(20_000)
        );
        let (out, _, code) = run(sblint()
            .args(["--select", "SB201", "-"])
            .write_stdin(line.clone()));
        assert_eq!(code, 1);
        assert!(out.len() < 2_000, "{} bytes for one finding", out.len());
        let col = line.find("\"/tmp/x\"").unwrap() + 1;
        assert!(out.contains(&format!("-:1:{col}")), "{out}");
    }

    #[test]
    fn allow_default_with_reads_and_network_open_is_an_exfiltration_warning() {
        // The post's "only allow writes to CWD" profile.
        let text = "(version 1)\n(allow default)\n(deny file-write*)\n\
                    (allow file-write* (subpath (param \"CWD\")))\n";
        let (out, _, code) = concise(text);
        assert_eq!(code, 1);
        assert!(out.contains("warning[SB311]"), "{out}");
        let closed = format!("{text}(deny network*)\n");
        let (out, _, _) = concise(&closed);
        assert!(!out.contains("SB311"), "{out}");
    }

    #[test]
    fn one_operation_left_allowed_is_singular() {
        let text = "(version 1)\n(deny default)\n(allow file-read* (literal \"/\"))\n\
                    (deny process-info* iokit-get-properties nvram*)\n";
        let (out, _, _) = concise(text);
        assert!(out.contains("`syscall-unix` stays allowed"), "{out}");
    }

    #[test]
    fn man_writes_a_page_per_subcommand() {
        let dir = tempdir("man");
        let (_, err, code) = run(sblint().args(["man", "--dir"]).arg(&dir));
        assert_eq!(code, 0, "{err}");
        for page in [
            "sblint.1",
            "sblint-check.1",
            "sblint-explain.1",
            "sblint-fmt.1",
            "sblint-compile.1",
            "sblint-rule.1",
        ] {
            let text = std::fs::read_to_string(dir.join(page)).unwrap_or_default();
            assert!(text.contains(".TH"), "{page}");
        }
        let check = std::fs::read_to_string(dir.join("sblint-check.1")).unwrap();
        assert!(check.contains("statistics"), "{check}");
    }
}

/// What each flag prints, side by side: one snapshot to review when any of them changes.
#[test]
fn each_flags_output() {
    let mut shown = String::new();
    for args in [
        &["-q", "--format", "concise"][..],
        &["--exit-zero", "--format", "concise"],
        &["--show-fixes", "--select", "SB201"],
        &["--diff"],
        &["--diff", "--unsafe-fixes", "--select", "SB202"],
        &["--statistics", "--format", "concise"],
        &["--select", "unresolved-path", "--format", "concise"],
        &[
            "--ignore",
            "SB2,SB3",
            "--extend-select",
            "SB201",
            "--format",
            "concise",
        ],
    ] {
        let (out, err, code) = run(sblint()
            .args(args)
            .args(["--stdin-filename", "p.sb", "-"])
            .write_stdin("(version 1)\n(deny default)\n(allow file-read* (subpath \"/tmp/x\"))\n"));
        shown.push_str(&format!(
            "$ sblint {} -  # exit {code}\n{out}{err}\n",
            args.join(" ")
        ));
    }
    snapshot("each_flag", &shown);
}
