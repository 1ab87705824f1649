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
fn clean_profile_exits_zero_and_prints_nothing() {
    let (out, code) = stdout(sblint().arg("examples/untrusted-python.sb"));
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, "");
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
