//! The binary as users run it: exit codes, output formats, stdin, directories, preludes.

mod common;

use std::path::Path;

use assert_cmd::Command;

fn sblint() -> Command {
    let mut cmd = Command::cargo_bin("sblint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    cmd
}

fn stdout(cmd: &mut Command) -> (String, i32) {
    let output = cmd.output().unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        output.status.code().unwrap(),
    )
}

#[test]
fn clean_profile_exits_zero_and_prints_only_the_summary() {
    let (out, code) = stdout(sblint().arg("examples/untrusted-python.sb"));
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, "Checked 1 profile: no problems.\n");
    let (quiet, code) = stdout(sblint().args(["-q", "examples/untrusted-python.sb"]));
    assert_eq!((quiet.as_str(), code), ("", 0));
}

#[test]
fn findings_exit_one_and_check_is_the_default_command() {
    let (plain, code) = stdout(sblint().args(["--format", "concise", "examples/pitfalls.sb"]));
    assert_eq!(code, 1);
    let (explicit, code2) =
        stdout(sblint().args(["check", "--format", "concise", "examples/pitfalls.sb"]));
    assert_eq!((plain.clone(), code), (explicit, code2));
    common::with_snapshots("cli", || insta::assert_snapshot!("pitfalls_concise", plain));
}

#[test]
fn human_format_snapshot() {
    let (out, _) = stdout(sblint().arg("examples/pitfalls.sb"));
    common::with_snapshots("cli", || insta::assert_snapshot!("pitfalls_human", out));
}

#[test]
fn json_format_has_exactly_the_documented_keys() {
    let (out, code) = stdout(sblint().args(["--format", "json", "examples/pitfalls.sb"]));
    assert_eq!(code, 1);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    let items = value.as_array().unwrap();
    assert!(!items.is_empty());
    for item in items {
        let mut keys: Vec<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "code",
                "column",
                "end_column",
                "end_line",
                "fix",
                "line",
                "message",
                "name",
                "path",
                "severity"
            ]
        );
    }
    common::with_snapshots("cli", || insta::assert_snapshot!("pitfalls_json", out));
}

#[test]
fn missing_file_is_a_one_line_error_with_exit_two() {
    let output = sblint().arg("does/not/exist.sb").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("does/not/exist.sb"), "{stderr}");
}

#[test]
fn unknown_flag_is_a_one_line_error_with_exit_two() {
    let output = sblint().args(["--frobnicate", "x.sb"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--frobnicate"), "{stderr}");
}

/// Errors with a source are drawn only on a terminal (src/cli/error.rs tests the drawing):
/// here stderr is a pipe, so each is one line with its location.
#[test]
fn errors_with_a_source_are_one_line_off_a_terminal() {
    let dir = tempdir("sourced-errors");
    std::fs::write(
        dir.join("imports.sb"),
        "(version 1)\n(import \"nope.sb\")\n(allow file-read* (subpath \"/usr\"))\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("bad")).unwrap();
    std::fs::write(
        dir.join("bad/sblint.toml"),
        "line-width = 80\nmacos = \"9\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("bad/p.sb"), "(version 1)\n").unwrap();
    // (`explain` answers without an import it cannot read: tests/fidelity.rs.)
    let cases: [(&[&str], &str); 3] = [
        (
            &["check", "--param", "HOME", "imports.sb"],
            "sblint: error: `--param`: `HOME` is not NAME=VALUE (help: write `--param NAME=VALUE`)\n",
        ),
        // An import that fails would make the answer about another profile.
        (
            &["compile", "imports.sb"],
            "sblint: error: `imports.sb`:2:9: cannot find `nope.sb` to import: names it defines are not checked\n",
        ),
        (
            &["check", "--config", "bad/sblint.toml", "bad/p.sb"],
            "sblint: error: `bad/sblint.toml`:2:1: unknown macOS version `9`: use 10.12-10.15, 11, 12, 13, 14, 15 or 26, with a minor version (`14.2`, `13.7.8`), or a name (catalina, big-sur, monterey, ventura, sonoma, sequoia, tahoe)\n",
        ),
    ];
    for (args, expected) in cases {
        let output = sblint().current_dir(&dir).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            expected,
            "{args:?}"
        );
    }
}

#[test]
fn missing_file_among_good_ones_still_checks_the_rest_and_exits_two() {
    let (out, code) =
        stdout(sblint().args(["--format", "concise", "examples/pitfalls.sb", "nope.sb"]));
    assert_eq!(code, 2);
    assert!(out.contains("pitfalls.sb"));
}

#[test]
fn stdin_with_a_display_name() {
    let (out, code) = stdout(
        sblint()
            .args([
                "--format",
                "concise",
                "--select",
                "SB002",
                "--stdin-filename",
                "from-stdin.sb",
                "-",
            ])
            .write_stdin("(deny default)\n"),
    );
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "from-stdin.sb:1:1: error[SB002]: missing `(version 1)`\n"
    );
}

#[test]
fn directories_are_walked_for_profiles_honouring_gitignore() {
    let dir = tempdir("walk");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::create_dir_all(dir.join("ignored")).unwrap();
    std::fs::write(dir.join(".gitignore"), "ignored/\n").unwrap();
    std::fs::write(dir.join("a.sb"), "(deny default)\n").unwrap();
    std::fs::write(dir.join("sub/b.sbpl"), "(deny default)\n").unwrap();
    std::fs::write(dir.join("sub/notes.txt"), "(deny default)\n").unwrap();
    std::fs::write(dir.join("ignored/c.sb"), "(deny default)\n").unwrap();
    let (out, code) = stdout(
        sblint()
            .current_dir(&dir)
            .args(["--format", "concise", "--select", "SB002", "."]),
    );
    assert_eq!(code, 1);
    let files: Vec<&str> = out.lines().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(files, ["./a.sb", "./sub/b.sbpl"]);
}

#[test]
fn a_fragment_checked_with_its_prelude_is_not_missing_its_version() {
    let dir = tempdir("prelude");
    std::fs::write(dir.join("base.sb"), "(version 1)\n(deny default)\n").unwrap();
    std::fs::write(
        dir.join("fragment.sb"),
        "(allow file-read* (literal \"/\"))\n",
    )
    .unwrap();
    let (_, alone) = stdout(sblint().current_dir(&dir).arg("fragment.sb"));
    assert_eq!(alone, 1);
    let (out, with) =
        stdout(
            sblint()
                .current_dir(&dir)
                .args(["--prelude", "base.sb", "fragment.sb"]),
        );
    assert_eq!(with, 0, "{out}");
}

#[test]
fn a_fragment_declaring_another_version_than_its_prelude_is_an_error_naming_the_prelude() {
    let dir = tempdir("prelude-version");
    std::fs::write(dir.join("base.sb"), "(version 1)\n(deny default)\n").unwrap();
    std::fs::write(dir.join("same.sb"), "(version 1)\n(allow process-fork)\n").unwrap();
    std::fs::write(dir.join("other.sb"), "(version 2)\n(allow process-fork)\n").unwrap();
    let check = |file: &str| {
        stdout(sblint().current_dir(&dir).args([
            "--prelude",
            "base.sb",
            "--select",
            "SB003",
            "--macos",
            "10.15",
            file,
        ]))
    };
    let (out, code) = check("same.sb");
    assert_eq!(code, 0, "the same version again is accepted: {out}");
    let (out, code) = check("other.sb");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("a second `version` form with another number"),
        "{out}"
    );
    assert!(
        out.contains("`base.sb` declares `(version 1)`; libsandbox fails once the two are joined"),
        "{out}"
    );
}

#[test]
fn parse_tree_prints_the_tree() {
    let (out, code) = stdout(
        sblint()
            .args(["parse", "--tree", "-"])
            .write_stdin("(version 1)"),
    );
    assert_eq!(code, 0);
    assert!(out.starts_with("Root@0..11\n  List@0..11\n"), "{out}");
}

#[test]
fn rule_prints_docs_and_lists_rules() {
    let (out, code) = stdout(sblint().args(["rule", "SB002"]));
    assert_eq!(code, 0);
    assert!(out.starts_with("# SB002 missing-version (error)"), "{out}");
    assert!(out.contains("## What it does"));
    let (list, _) = stdout(sblint().arg("rule"));
    assert!(list.lines().any(|l| l.starts_with("SB001  syntax-error")));
    let output = sblint().args(["rule", "SB999"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

mod fmt {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    const UGLY: &str = "(version 1)(deny default)\n(allow file-read*\n(literal \"/\"))\n";
    const PRETTY: &str = "(version 1)\n(deny default)\n(allow file-read* (literal \"/\"))\n";

    #[test]
    fn rewrites_in_place_keeping_permissions() {
        let dir = tempdir("fmt-write");
        let path = dir.join("p.sb");
        std::fs::write(&path, UGLY).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let output = sblint()
            .current_dir(&dir)
            .args(["fmt", "p.sb"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), PRETTY);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn an_unchanged_file_is_not_touched() {
        let dir = tempdir("fmt-untouched");
        let path = dir.join("p.sb");
        std::fs::write(&path, PRETTY).unwrap();
        let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let output = sblint()
            .current_dir(&dir)
            .args(["fmt", "p.sb"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), old);
    }

    #[test]
    fn check_lists_files_and_writes_nothing() {
        let dir = tempdir("fmt-check");
        std::fs::write(dir.join("ugly.sb"), UGLY).unwrap();
        std::fs::write(dir.join("pretty.sb"), PRETTY).unwrap();
        let (out, code) = stdout(sblint().current_dir(&dir).args(["fmt", "--check", "."]));
        assert_eq!(code, 1);
        assert_eq!(out, "Would reformat: ./ugly.sb\n");
        assert_eq!(std::fs::read_to_string(dir.join("ugly.sb")).unwrap(), UGLY);
        let (_, clean) = stdout(
            sblint()
                .current_dir(&dir)
                .args(["fmt", "--check", "pretty.sb"]),
        );
        assert_eq!(clean, 0);
    }

    #[test]
    fn diff_prints_a_unified_diff() {
        let dir = tempdir("fmt-diff");
        std::fs::write(dir.join("ugly.sb"), UGLY).unwrap();
        let (out, code) = stdout(
            sblint()
                .current_dir(&dir)
                .args(["fmt", "--diff", "ugly.sb"]),
        );
        assert_eq!(code, 1);
        common::with_snapshots("cli", || insta::assert_snapshot!("fmt_diff", out));
        assert_eq!(std::fs::read_to_string(dir.join("ugly.sb")).unwrap(), UGLY);
    }

    #[test]
    fn stdin_to_stdout() {
        let (out, code) = stdout(sblint().args(["fmt", "-"]).write_stdin(UGLY));
        assert_eq!(code, 0);
        assert_eq!(out, PRETTY);
    }

    #[test]
    fn syntax_errors_are_never_rewritten() {
        let dir = tempdir("fmt-syntax");
        let broken = "(version 1)\n(allow file-read*\n";
        std::fs::write(dir.join("broken.sb"), broken).unwrap();
        let output = sblint()
            .current_dir(&dir)
            .args(["fmt", "broken.sb"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&output.stderr).contains("unclosed"));
        assert_eq!(
            std::fs::read_to_string(dir.join("broken.sb")).unwrap(),
            broken
        );
        let (out, code) = stdout(sblint().args(["fmt", "-"]).write_stdin(broken));
        assert_eq!((out.as_str(), code), ("", 1));
    }

    #[test]
    fn line_width_comes_from_the_nearest_config() {
        let dir = tempdir("fmt-config");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sblint.toml"), "line-width = 30\n").unwrap();
        std::fs::write(dir.join("sub/p.sb"), PRETTY).unwrap();
        sblint()
            .current_dir(&dir)
            .args(["fmt", "sub/p.sb"])
            .assert()
            .success();
        let text = std::fs::read_to_string(dir.join("sub/p.sb")).unwrap();
        assert_eq!(
            text,
            "(version 1)\n(deny default)\n(allow file-read*\n  (literal \"/\"))\n"
        );
        std::fs::write(dir.join("sblint.toml"), "line-wdith = 30\n").unwrap();
        let output = sblint()
            .current_dir(&dir)
            .args(["fmt", "sub/p.sb"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&output.stderr).contains("sblint.toml`:1:1"));
    }

    #[test]
    fn the_bundled_examples_are_formatted() {
        sblint()
            .args(["fmt", "--check", "examples"])
            .assert()
            .success();
    }
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sblint"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["parse", "--tree", "examples/untrusted-python.sb"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(0));
}

mod lint_surface {
    use super::*;

    #[test]
    fn fix_rewrites_the_file_and_diff_only_shows() {
        let dir = tempdir("fix");
        let text = "(deny default)\n(allow file-read* (literal \"/\") (subpath \"/tmp/x\"))\n";
        std::fs::write(dir.join("p.sb"), text).unwrap();
        let (diff, code) = stdout(sblint().current_dir(&dir).args(["check", "--diff", "p.sb"]));
        assert_eq!(code, 1);
        assert!(
            diff.contains("+(version 1)")
                && diff
                    .contains("+(allow file-read* (literal \"/\") (subpath \"/private/tmp/x\"))"),
            "{diff}"
        );
        assert_eq!(std::fs::read_to_string(dir.join("p.sb")).unwrap(), text);
        let output = sblint()
            .current_dir(&dir)
            .args(["check", "--fix", "--select", "SB0,SB2", "p.sb"])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stdout)
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("p.sb")).unwrap(),
            // SB201's rewrite makes SB210 see `/private/tmp` allowed and `/tmp` not: its fix
            // follows in the same run.
            "(version 1)\n(deny default)\n(allow file-read* (literal \"/\") (subpath \"/private/tmp/x\"))\n(allow file-read-metadata (literal \"/tmp\"))\n"
        );
    }

    #[test]
    fn sarif_is_valid_sarif_2_1_0() {
        let Some(corpus) = common::corpus_dir() else {
            return;
        };
        let schema_path = corpus.join("../schemas/sarif-2.1.0-rtm.5.json");
        let mut schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
        // The schema's `language` pattern (`…]?$`, an unbalanced `]`) fails the meta-schema's
        // regex check; sblint never writes `language`, so that pattern is dropped wherever
        // it appears.
        fn drop_language_patterns(value: &mut serde_json::Value) {
            match value {
                serde_json::Value::Object(map) => {
                    if map
                        .get("pattern")
                        .and_then(|p| p.as_str())
                        .is_some_and(|p| p.ends_with("]?$"))
                    {
                        map.remove("pattern");
                    }
                    map.values_mut().for_each(drop_language_patterns);
                }
                serde_json::Value::Array(items) => {
                    items.iter_mut().for_each(drop_language_patterns)
                }
                _ => {}
            }
        }
        drop_language_patterns(&mut schema);
        let validator = jsonschema::draft4::new(&schema).unwrap();
        let (out, code) = stdout(sblint().args(["--format", "sarif", "examples/pitfalls.sb"]));
        assert_eq!(code, 1);
        let log: serde_json::Value = serde_json::from_str(&out).unwrap();
        let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert!(results.iter().any(|r| r["ruleId"] == "SB201"));
        assert_eq!(
            results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "examples/pitfalls.sb"
        );
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        assert_eq!(rules.len(), sblint::lint::RULES.len());
        assert!(rules.iter().all(|r| r["help"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("## What it does"))));
    }

    #[test]
    fn github_annotations() {
        let (out, _) = stdout(sblint().args([
            "--format",
            "github",
            "--select",
            "SB201,SB302",
            "examples/pitfalls.sb",
        ]));
        common::with_snapshots("cli", || insta::assert_snapshot!("pitfalls_github", out));
    }

    #[test]
    fn suppressions_apply_to_the_next_form_the_line_and_the_file() {
        let text = "(version 1)\n(allow default)\n\
                    ; sblint: ignore SB201 -- fixture\n(deny file-write* (subpath \"/tmp/a\"))\n\
                    (deny file-write* (subpath \"/tmp/b\")) ; sblint: ignore SB201\n\
                    (deny file-write* (subpath \"/tmp/c\"))\n\
                    ; sblint: ignore-file SB303 SB311\n";
        let (out, _) = stdout(
            sblint()
                .args(["--format", "concise", "-"])
                .write_stdin(text),
        );
        assert_eq!(
            out,
            "-:6:28: warning[SB201]: `/tmp/c` never matches: the kernel checks `/private/tmp/c`\n"
        );
    }

    #[test]
    fn config_selects_ignores_sets_severity_params_and_preludes() {
        let dir = tempdir("config-lint");
        std::fs::create_dir_all(dir.join("profiles")).unwrap();
        std::fs::create_dir_all(dir.join("system")).unwrap();
        std::fs::write(
            dir.join("sblint.toml"),
            "macos = \"10.15\"\nignore = [\"SB3\"]\n\n[severity]\nSB201 = \"error\"\n\n[params]\nPROJECT = \"/tmp/project\"\n\n\
             import-paths = [\"system\"]\n",
        )
        .unwrap();
        // `import-paths` after a table header would belong to it: write it before instead.
        std::fs::write(
            dir.join("sblint.toml"),
            "macos = \"10.15\"\nignore = [\"SB3\"]\nimport-paths = [\"system\"]\n\n[severity]\nSB201 = \"error\"\n\n[params]\nPROJECT = \"/tmp/project\"\n\n\
             [[preludes]]\nglob = \"profiles/*.sb\"\nfiles = [\"base.sb\"]\n",
        )
        .unwrap();
        std::fs::write(dir.join("base.sb"), "(version 1)\n(deny default)\n").unwrap();
        std::fs::write(
            dir.join("system/helpers.sb"),
            "(define (allow-project) (allow file-read* (subpath (param \"PROJECT\"))))\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("profiles/app.sb"),
            "(import \"helpers.sb\")\n(allow-project)\n(allow load-unsigned-code)\n(allow file-read* (literal \"/\"))\n(allow process-exec)\n",
        )
        .unwrap();
        let (out, code) = stdout(
            sblint()
                .current_dir(&dir)
                .args(["--format", "concise", "profiles"]),
        );
        assert_eq!(code, 1);
        // The param reaches the imported helper: its /tmp path is reported, as an error;
        // load-unsigned-code exists on 10.15 (not 14); SB3xx is ignored; the prelude supplies the version.
        assert_eq!(
            out,
            "profiles/app.sb:2:1: error[SB201]: `/tmp/project` never matches: the kernel checks `/private/tmp/project`\n"
        );
        let (out14, _) = stdout(sblint().current_dir(&dir).args([
            "--format", "concise", "--macos", "14", "--select", "SB109", "profiles",
        ]));
        assert!(out14.contains("SB109"), "{out14}");
    }

    /// A `[[preludes]]` list is an assembly: each file of it is checked after the ones
    /// listed before it (agent-safehouse's modules), the files a glob matches after all.
    #[test]
    fn config_assembly_checks_each_file_after_the_ones_that_ship_before_it() {
        let dir = tempdir("config-assembly");
        std::fs::write(
            dir.join("00-base.sb"),
            "(version 1)\n(define (home-subpath rel) (subpath (string-append \"/Users/me\" rel)))\n\
             (deny default)\n(allow file-read-data (literal \"/\"))\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("10-runtime.sb"),
            "(allow file-read* (home-subpath \"/x\"))\n(define (runtime-path) (literal \"/usr/lib\"))\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("20-net.sb"),
            "(allow file-read* (home-subpath \"/y\") (runtime-path))\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("30-extra.sb"),
            "(allow file-read* (runtime-path))\n",
        )
        .unwrap();
        let files = ["00-base.sb", "10-runtime.sb", "20-net.sb", "30-extra.sb"];
        let check = || {
            stdout(
                sblint().current_dir(&dir).args(
                    ["check", "--format", "concise", "--select", "SB002,SB102"]
                        .iter()
                        .chain(&files),
                ),
            )
        };
        // Alone, each fragment lacks the version and the helpers of the files before it.
        let (alone, code) = check();
        assert_eq!(code, 1);
        for f in &files[1..] {
            assert!(alone.contains(&format!("{f}:1:1: error[SB002]")), "{alone}");
        }
        assert!(alone.contains("20-net.sb:1:20: error[SB102]"), "{alone}");
        std::fs::write(
            dir.join("sblint.toml"),
            "[[preludes]]\nfiles = [\"00-base.sb\", \"10-runtime.sb\", \"20-net.sb\"]\n\n\
             [[preludes]]\nglob = \"30-*.sb\"\nfiles = [\"00-base.sb\", \"10-runtime.sb\"]\n",
        )
        .unwrap();
        let (assembled, code) = check();
        assert_eq!((assembled.as_str(), code), ("", 0));
        // A list member is not read before itself: `20-net.sb` defines nothing twice.
        std::fs::write(
            dir.join("sblint.toml"),
            "[[preludes]]\nglob = \"*.sb\"\nfiles = [\"00-base.sb\", \"10-runtime.sb\"]\n",
        )
        .unwrap();
        let (globbed, code) = check();
        assert_eq!((globbed.as_str(), code), ("", 0));
    }
}

mod explain_compile {
    use super::*;

    #[test]
    fn explain_json_has_exactly_the_documented_keys() {
        let (out, code) = stdout(sblint().args([
            "explain",
            "--format",
            "json",
            "tests/explain/seed-tmp.sb",
            "file-write-create",
            "/tmp/asdf/foo",
        ]));
        assert_eq!(code, 0);
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        let mut keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "alternatives",
                "argument",
                "column",
                "conditional",
                "conditions",
                "decision",
                "default",
                "disputes",
                "errors",
                "file",
                "implicit",
                "line",
                "loads",
                "operation",
                "overridden",
                "resolved",
                "rule",
                "traversal",
                "unread_imports",
                "unverified"
            ]
        );
        assert_eq!(value["decision"], "deny");
        assert_eq!(value["loads"], true);
        assert_eq!(value["resolved"], "/private/tmp/asdf/foo");
        assert_eq!(value["rule"], "(deny file-write*)");
        assert_eq!(value["overridden"][0]["action"], "allow");
        assert_eq!(value["overridden"][0]["file"], "tests/explain/seed-tmp.sb");
        assert_eq!(value["file"], "tests/explain/seed-tmp.sb");
        assert_eq!(value["alternatives"], serde_json::json!([]));
        // `/tmp` is resolved on the way; `(allow default)` lets its metadata be read.
        assert_eq!(value["traversal"]["link"], "/tmp");
        assert_eq!(value["traversal"]["decision"], "allow");
        assert_eq!(value["unverified"], serde_json::json!([]));
    }

    #[test]
    fn explain_human_snapshot_and_errors() {
        let (out, code) = stdout(sblint().args([
            "explain",
            "tests/explain/seed-tmp.sb",
            "file-write-create",
            "/tmp/asdf/foo",
        ]));
        assert_eq!(code, 0);
        common::with_snapshots("cli", || insta::assert_snapshot!("explain_tmp", out));
        let output = sblint()
            .args([
                "explain",
                "tests/explain/seed-tmp.sb",
                "file-wrte-data",
                "/x",
            ])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&output.stderr).contains("did you mean `file-write-data`"));
        let output = sblint()
            .args([
                "explain",
                "tests/explain/seed-port80.sb",
                "network-outbound",
                "example.com",
            ])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
    }

    #[test]
    fn compile_substitutes_params_and_cites_sources() {
        let dir = tempdir("compile");
        let (out, code) = stdout(sblint().args([
            "compile",
            "--param",
            "PWD=/Users/me/proj",
            "tests/explain/seed-cwd-writes.sb",
        ]));
        assert_eq!(code, 0);
        common::with_snapshots("cli", || insta::assert_snapshot!("compile_cwd", out));
        let output = sblint()
            .args(["compile", "tests/explain/seed-cwd-writes.sb"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("--param PWD="),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let target = dir.join("flat.sb");
        sblint()
            .args(["compile", "--param", "PWD=/w", "-o"])
            .arg(&target)
            .arg("tests/explain/seed-cwd-writes.sb")
            .assert()
            .success();
        let (_, check) = stdout(sblint().args(["check", "--select", "SB0,SB1"]).arg(&target));
        assert_eq!(check, 0, "the compiled profile checks clean");
        let (json, _) = stdout(sblint().args([
            "compile",
            "--emit",
            "json",
            "--param",
            "PWD=/w",
            "tests/explain/seed-cwd-writes.sb",
        ]));
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["rules"][2]["filter"]["value"], "/w");
        assert_eq!(value["rules"][2]["origin"]["line"], 4);
    }
    /// Found by the compile fuzz target: a helper called in a loop repeated one refusal
    /// hundreds of times.
    #[test]
    fn compile_refusals_are_listed_once_and_capped() {
        let dir = tempdir("compile-refusals");
        let profile = dir.join("loop.sb");
        let mut text =
            String::from("(version 1)\n(define (w p) (allow file-write* (subpath (param p))))\n");
        for i in 0..5 {
            text.push_str(&format!("(w \"P{i}\")\n"));
        }
        for i in 0..25 {
            text.push_str(&format!("(allow file-read* (subpath (param \"Q{i}\")))\n"));
        }
        std::fs::write(&profile, text).unwrap();
        let output = sblint().arg("compile").arg(&profile).output().unwrap();
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        // The helper's rule once, then each of the 25 others: 10 shown.
        assert_eq!(stderr.matches("loop.sb:2:15").count(), 1, "{stderr}");
        assert_eq!(stderr.matches("cannot know").count(), 10, "{stderr}");
        assert!(stderr.contains("and 16 more"), "{stderr}");
    }
}

#[test]
fn explain_log_proposes_the_narrowest_rules() {
    let (out, code) = stdout(sblint().args([
        "explain",
        "tests/explain/seed-ls-no-root.sb",
        "--log",
        "tests/explain/denials.log",
    ]));
    assert_eq!(code, 0);
    common::with_snapshots("cli", || insta::assert_snapshot!("explain_log", out));
    // The proposal, appended, allows every denial it was made from.
    let proposal: String = out
        .lines()
        .skip_while(|l| !l.starts_with("; Narrowest"))
        .skip(1)
        .map(|l| format!("{l}\n"))
        .collect();
    let profile = std::fs::read_to_string("tests/explain/seed-ls-no-root.sb").unwrap() + &proposal;
    let (after, _) = stdout(
        sblint()
            .args(["explain", "-", "file-read-data", "/"])
            .write_stdin(profile),
    );
    assert!(after.starts_with("allow:"), "{after}");
}

/// Thousands of files: every one is checked (on all cores), and the output is the same on
/// every run, sorted by path, in every format.
#[test]
fn a_tree_of_thousands_of_profiles_gives_sorted_deterministic_output() {
    let dir = tempdir("many-files");
    for i in 0..2000 {
        let sub = dir.join(format!("team{}", i % 7));
        std::fs::create_dir_all(&sub).unwrap();
        let text = if i % 3 == 0 {
            // Findings: SB201 (`/tmp`) on line 3.
            format!("(version 1)\n(deny default)\n(allow file-read* (subpath \"/tmp/p{i}\"))\n")
        } else {
            format!("(version 1)\n(deny default)\n(allow file-read* (literal \"/\") (subpath \"/usr/share/p{i}\"))\n")
        };
        std::fs::write(sub.join(format!("p{i:04}.sb")), text).unwrap();
    }
    for format in ["concise", "human", "json"] {
        let run = || {
            stdout(
                sblint()
                    .args(["check", "--select", "SB201", "--format", format])
                    .arg(&dir),
            )
        };
        let (first, code) = run();
        assert_eq!(code, 1, "{format}");
        assert_eq!(run().0, first, "{format}: the output changed between runs");
        if format == "concise" {
            let paths: Vec<&str> = first
                .lines()
                .map(|l| l.split(':').next().unwrap())
                .collect();
            assert_eq!(paths.len(), 667, "one finding per third file");
            let mut sorted = paths.clone();
            sorted.sort();
            assert_eq!(paths, sorted, "findings are sorted by path");
        }
    }
}

/// With `--format json`, a run that fails (exit 2) prints a JSON object naming the error on
/// stdout, never a result: a program reading only stdout must not take it for a pass.
#[test]
fn json_output_names_the_error_instead_of_an_empty_result() {
    let runs: &[&[&str]] = &[
        &[
            "test",
            "--format",
            "json",
            "tests/sbtest/errors/bad-argument.sbtest.toml",
        ],
        &[
            "explain",
            "--format",
            "json",
            "no-such.sb",
            "file-read-data",
        ],
        &[
            "diff",
            "--format",
            "json",
            "no-such.sb",
            "examples/pitfalls.sb",
        ],
        &["compile", "--emit", "json", "no-such.sb"],
        &["--format", "json", "no-such.sb", "examples/pitfalls.sb"],
        &["learn", "--format", "json", "no-such.log"],
    ];
    for args in runs {
        let output = sblint().args(*args).output().unwrap();
        let out = String::from_utf8(output.stdout).unwrap();
        let err = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {out}{err}");
        let value: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"));
        let kind = value["error"].as_str().unwrap_or_default();
        assert!(kind.starts_with("sblint::"), "{args:?}: {value}");
        let message = value["message"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "{args:?}: {value}");
        assert_eq!(value["errors"][0]["message"], message, "{args:?}");
        // People still read it on stderr, on one line.
        assert!(err.starts_with("sblint: error: "), "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
    }
}

/// The library API (which the WebAssembly build serialises as it is) and the binary print
/// the same JSON: one engine behind both doors, so the npm package cannot drift from the
/// command line.
mod library_agrees_with_the_binary {
    use super::*;
    use sblint::{Options, Profile};

    fn json(args: &[&str]) -> serde_json::Value {
        let (out, _) = stdout(sblint().args(args));
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}\n{out}"))
    }

    fn read(path: &str) -> String {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
    }

    fn params() -> Options {
        Options::new()
            .param("PROJECT", "/Users/me/project")
            .param("PYTHON_PREFIX", "/opt/py")
    }

    #[test]
    fn check_explain_test_and_diff() {
        for path in ["examples/pitfalls.sb", "examples/untrusted-python.sb"] {
            let library = sblint::check_text(path, &read(path), &Options::new()).unwrap();
            assert_eq!(
                library,
                json(&["check", "--format", "json", path]),
                "{path}"
            );
        }
        let path = "examples/untrusted-python.sb";
        let flags = [
            "--param",
            "PROJECT=/Users/me/project",
            "--param",
            "PYTHON_PREFIX=/opt/py",
        ];
        let profile = Profile::from_file(path, &params()).unwrap();
        for (op, arg) in [
            ("file-read-data", "/Users/me/.ssh/id_ed25519"),
            ("file-write-data", "/Users/me/project/build/out.txt"),
        ] {
            let mut args = vec!["explain", "--format", "json", path, op, arg];
            args.extend(flags);
            let library = serde_json::to_value(profile.decide(op, Some(arg)).unwrap()).unwrap();
            assert_eq!(library, json(&args), "{op} {arg}");
        }
        let toml = "examples/untrusted-python.sbtest.toml";
        let report = sblint::test_text(path, &read(path), &read(toml), &Options::new()).unwrap();
        let mut binary = json(&["test", "--format", "json", toml]);
        for result in binary["results"].as_array_mut().unwrap() {
            result.as_object_mut().unwrap().remove("file");
        }
        assert_eq!(
            serde_json::to_value(&report.results).unwrap(),
            binary["results"]
        );
        let (old, new) = ("tests/diff/kinds-old.sb", "tests/diff/kinds-new.sb");
        let library = sblint::diff(
            &Profile::from_file(old, &Options::new()).unwrap(),
            &Profile::from_file(new, &Options::new()).unwrap(),
        )
        .unwrap();
        assert_eq!(
            serde_json::to_value(library).unwrap(),
            json(&["diff", "--format", "json", old, new])
        );
    }
}
