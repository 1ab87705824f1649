//! sblint inside the tools people use, each driven for real: pre-commit (from PyPI), vim's
//! quickfix, and Neovim's LSP client.
//!
//! These are slow (pre-commit makes a Python environment with sblint's wheel) and need
//! tools a fresh machine lacks, so they run only with `SBLINT_INTEGRATION=1`, which `.ci/run` sets after
//! installing the tools. Without it each test says on stderr that it was skipped. With it,
//! a missing tool skips its test with a message, and fails it under `CI=true`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Written past the test harness's capture, so a skip shows in `cargo test`'s output.
fn say(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

fn opted_in(test: &str) -> bool {
    let on = std::env::var("SBLINT_INTEGRATION").is_ok_and(|v| v == "1");
    if !on {
        say(&format!(
            "SKIPPED: integration test `{test}` (slow, drives real tools): set SBLINT_INTEGRATION=1 to run it (.ci/run does)"
        ));
    }
    on
}

fn tool(name: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        let message = format!("`{name}` is not installed: its integration test did not run");
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{message}");
        }
        say(&format!("SKIPPED: {message}"));
    }
    found
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sblint_dir() -> PathBuf {
    assert_cmd::cargo::cargo_bin("sblint")
        .parent()
        .unwrap()
        .to_path_buf()
}

fn path_with_sblint() -> String {
    format!(
        "{}:{}",
        sblint_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

const PITFALL: &str = "(version 1)\n(allow default)\n(deny file-write*)\n(allow file-write* (subpath \"/tmp/build\"))\n";
const CLEAN: &str = "(version 1)\n(allow default)\n(deny network*)\n(deny file-write*)\n(allow file-write* (subpath \"/private/tmp/build\"))\n";

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// The directory holding the wheel `.ci/run` built (`SBLINT_WHEEL_DIR`); the pre-commit
/// hooks install it from there as they would from PyPI.
fn wheel_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SBLINT_WHEEL_DIR").map(PathBuf::from);
    let found = dir.filter(|d| {
        std::fs::read_dir(d).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(".whl"))
        })
    });
    if found.is_none() {
        let message = "SBLINT_WHEEL_DIR names no directory with sblint's wheel (.ci/run builds it with maturin): the pre-commit test did not run";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{message}");
        }
        say(&format!("SKIPPED: {message}"));
    }
    found
}

#[test]
fn pre_commit_blocks_a_pitfall_and_passes_a_clean_profile() {
    if !opted_in("pre-commit") || !tool("pre-commit") || !tool("git") {
        return;
    }
    let Some(wheels) = wheel_dir() else {
        return;
    };
    // The hook repository as the release publishes it (packaging/pre-commit): its hooks
    // are `language: python` and install the sblint wheel, found here in the wheel
    // directory instead of on PyPI. No Rust toolchain is involved.
    let hooks = scratch("pre-commit-hooks");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/pre-commit");
    for file in [".pre-commit-hooks.yaml", "pyproject.toml", "README.md"] {
        std::fs::copy(source.join(file), hooks.join(file)).unwrap();
    }
    git(&hooks, &["init", "-q"]);
    git(&hooks, &["config", "user.email", "ci@example.invalid"]);
    git(&hooks, &["config", "user.name", "ci"]);
    git(&hooks, &["add", "-A"]);
    git(&hooks, &["commit", "-qm", "hooks"]);
    let rev = Command::new("git")
        .current_dir(&hooks)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    let rev = String::from_utf8(rev.stdout).unwrap().trim().to_owned();

    let dir = scratch("pre-commit-repo");
    git(&dir, &["init", "-q"]);
    git(&dir, &["config", "user.email", "ci@example.invalid"]);
    git(&dir, &["config", "user.name", "ci"]);
    std::fs::create_dir_all(dir.join("vendor")).unwrap();
    std::fs::write(dir.join("sblint.toml"), "exclude = [\"vendor/**\"]\n").unwrap();
    std::fs::write(dir.join("profile.sb"), PITFALL).unwrap();
    std::fs::write(dir.join("vendor/theirs.sb"), PITFALL).unwrap();
    // As a user's configuration names the hook repository (here by its path).
    std::fs::write(
        dir.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: sblint\n      - id: sblint-fmt\n",
            hooks.display()
        ),
    )
    .unwrap();
    git(&dir, &["add", "-A"]);
    // A fresh pre-commit home: the hook environment is made once, from the wheel.
    let home = scratch("pre-commit-home");
    let run = |hook: &str| {
        Command::new("pre-commit")
            .current_dir(&dir)
            .env("PRE_COMMIT_HOME", &home)
            .env("PIP_FIND_LINKS", &wheels)
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .env("NO_COLOR", "1")
            .args(["run", hook, "--all-files"])
            .output()
            .unwrap()
    };
    let blocked = run("sblint");
    let out = String::from_utf8_lossy(&blocked.stdout);
    assert!(!blocked.status.success(), "{out}");
    // The environment pre-commit made holds the binary the wheel carries.
    let installed = std::fs::read_dir(&home)
        .unwrap()
        .flatten()
        .flat_map(|repo| {
            std::fs::read_dir(repo.path())
                .into_iter()
                .flatten()
                .flatten()
        })
        .any(|env| env.path().join("bin/sblint").is_file());
    assert!(
        installed,
        "no bin/sblint in a hook environment under {}",
        home.display()
    );
    assert!(out.contains("SB201") && out.contains("profile.sb"), "{out}");
    assert!(
        !out.contains("vendor/theirs.sb"),
        "excluded files stay excluded: {out}"
    );

    std::fs::write(dir.join("profile.sb"), CLEAN).unwrap();
    git(&dir, &["add", "-A"]);
    let passed = run("sblint");
    assert!(
        passed.status.success(),
        "{}",
        String::from_utf8_lossy(&passed.stdout)
    );

    std::fs::write(dir.join("profile.sb"), "(version 1)(allow default)\n").unwrap();
    git(&dir, &["add", "-A"]);
    let formatted = run("sblint-fmt");
    assert!(
        !formatted.status.success(),
        "pre-commit reports the files fmt changed"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("profile.sb")).unwrap(),
        "(version 1)\n(allow default)\n"
    );
}

#[test]
fn vim_quickfix_reads_the_concise_format() {
    if !opted_in("vim") || !tool("vim") {
        return;
    }
    let dir = scratch("vim");
    std::fs::write(dir.join("profile.sb"), PITFALL).unwrap();
    let status = Command::new("timeout")
        .current_dir(&dir)
        .env("PATH", path_with_sblint())
        .args([
            "60",
            "vim",
            "-N",
            "-es",
            "-u",
            "NONE",
            "-i",
            "NONE",
            "-c",
            r"set makeprg=sblint\ check\ --format\ concise\ %",
            "-c",
            r"set errorformat=%f:%l:%c:\ %m",
            "-c",
            "silent make",
            "-c",
            "redir! > quickfix.txt",
            "-c",
            "silent clist",
            "-c",
            "redir END",
            "-c",
            "qa!",
            "profile.sb",
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let list = std::fs::read_to_string(dir.join("quickfix.txt")).unwrap();
    assert!(
        list.contains("profile.sb:4 col 29: warning[SB201]"),
        "{list}"
    );
}

#[test]
fn neovim_attaches_the_language_server_and_shows_diagnostics() {
    if !opted_in("neovim") || !tool("nvim") {
        return;
    }
    let dir = scratch("neovim");
    std::fs::write(dir.join("profile.sb"), PITFALL).unwrap();
    std::fs::write(
        dir.join("attach.lua"),
        r#"
local client = vim.lsp.start_client({ name = "sblint", cmd = { os.getenv("SBLINT"), "lsp" }, root_dir = vim.fn.getcwd() })
vim.lsp.buf_attach_client(0, client)
vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 100)
local lines = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(lines, string.format("%d:%d:%s", d.lnum, d.col, d.message))
end
vim.fn.writefile(lines, "diagnostics.txt")
vim.cmd("qa!")
"#,
    )
    .unwrap();
    let status = Command::new("timeout")
        .current_dir(&dir)
        .env("SBLINT", assert_cmd::cargo::cargo_bin("sblint"))
        .args([
            "90",
            "nvim",
            "--headless",
            "-u",
            "NONE",
            "-i",
            "NONE",
            "-c",
            "luafile attach.lua",
            "profile.sb",
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let diagnostics = std::fs::read_to_string(dir.join("diagnostics.txt")).unwrap();
    assert!(
        diagnostics.contains("3:28:`/tmp/build` never matches"),
        "{diagnostics}"
    );
}
