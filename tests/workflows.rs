//! The GitHub workflows, the Homebrew formula and the install snippets of the README cannot
//! run here. These tests load them as what reads them does (YAML 1.2 for the workflows, as
//! GitHub does) and check the jobs, steps, targets and versions a release relies on, so a
//! typo or a version bump that forgets one of them fails `cargo test`.

use std::path::Path;

use yaml_rust2::{Yaml, YamlLoader};

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn yaml(path: &str) -> Yaml {
    let docs = YamlLoader::load_from_str(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(docs.len(), 1, "{path} holds one document");
    docs.into_iter().next().unwrap()
}

fn package() -> toml::Table {
    let manifest: toml::Table = read("Cargo.toml").parse().unwrap();
    manifest["package"].as_table().unwrap().clone()
}

fn version() -> String {
    package()["version"].as_str().unwrap().to_owned()
}

fn job<'a>(workflow: &'a Yaml, name: &str) -> &'a Yaml {
    let job = &workflow["jobs"][name];
    assert!(!job.is_badvalue(), "no job `{name}`");
    job
}

fn steps(job: &Yaml) -> &[Yaml] {
    job["steps"].as_vec().expect("a job has a list of steps")
}

/// The `run` scripts of a job's steps.
fn runs(job: &Yaml) -> Vec<&str> {
    steps(job)
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect()
}

/// The actions a job's steps use.
fn uses(job: &Yaml) -> Vec<&str> {
    steps(job)
        .iter()
        .filter_map(|s| s["uses"].as_str())
        .collect()
}

fn strings(list: &Yaml) -> Vec<&str> {
    list.as_vec()
        .unwrap_or_else(|| panic!("a list, not {list:?}"))
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

fn has_run(job: &Yaml, command: &str) -> bool {
    runs(job)
        .iter()
        .any(|script| script.lines().any(|line| line.trim().starts_with(command)))
}

#[test]
fn ci_runs_fmt_clippy_and_the_tests_on_linux_and_macos() {
    let ci = yaml(".github/workflows/ci.yml");
    assert!(!ci["on"]["push"].is_badvalue() && !ci["on"]["pull_request"].is_badvalue());
    let test = job(&ci, "test");
    assert_eq!(
        strings(&test["strategy"]["matrix"]["os"]),
        ["ubuntu-latest", "macos-latest"]
    );
    assert_eq!(test["runs-on"].as_str(), Some("${{ matrix.os }}"));
    assert!(uses(test).contains(&"actions/checkout@v4"));
    let toolchain = steps(test)
        .iter()
        .find(|s| s["uses"].as_str() == Some("dtolnay/rust-toolchain@stable"))
        .expect("a stable toolchain");
    let components = toolchain["with"]["components"].as_str().unwrap();
    assert!(components.contains("rustfmt") && components.contains("clippy"));
    assert!(has_run(test, "cargo fmt --check"));
    assert!(runs(test)
        .iter()
        .any(|r| r.starts_with("cargo clippy --all-targets") && r.ends_with("-- -D warnings")));
    assert!(has_run(test, "cargo test"));
}

#[test]
fn ci_keeps_a_step_for_on_device_checks_on_macos_only() {
    let ci = yaml(".github/workflows/ci.yml");
    let step = steps(job(&ci, "test"))
        .iter()
        .find(|s| s["name"].as_str() == Some("on-device checks"))
        .expect("an on-device step");
    let condition = step["if"].as_str().unwrap();
    assert!(condition.contains("runner.os == 'macOS'"), "{condition}");
    assert!(
        condition.contains("hashFiles('tests/on_device.rs')"),
        "{condition}"
    );
    assert_eq!(step["env"]["SBLINT_ON_DEVICE"].as_str(), Some("1"));
    assert!(step["run"].as_str().unwrap().contains("--test on_device"));
}

#[test]
fn ci_checks_the_rust_version_cargo_toml_declares() {
    let ci = yaml(".github/workflows/ci.yml");
    let msrv = package()["rust-version"].as_str().unwrap().to_owned();
    let job = job(&ci, "msrv");
    assert!(
        uses(job).contains(&format!("dtolnay/rust-toolchain@{msrv}").as_str()),
        "the msrv job builds with rust-version {msrv}: {:?}",
        uses(job)
    );
    assert!(has_run(job, "cargo check --locked --all-targets"));
}

#[test]
fn ci_checks_tests_and_packages_the_vscode_extension() {
    let ci = yaml(".github/workflows/ci.yml");
    let job = job(&ci, "vscode");
    assert_eq!(
        job["defaults"]["run"]["working-directory"].as_str(),
        Some("editors/vscode")
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&read("editors/vscode/package.json")).unwrap();
    assert!(
        has_run(job, "npm ci"),
        "npm ci installs from the committed lock file"
    );
    assert!(Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("editors/vscode/package-lock.json")
        .is_file());
    for script in ["check", "test", "package"] {
        let command = if script == "test" {
            "npm test".to_owned()
        } else {
            format!("npm run {script}")
        };
        assert!(has_run(job, &command), "the job runs `{command}`");
        assert!(
            manifest["scripts"][script].is_string(),
            "package.json has a `{script}` script"
        );
    }
    let upload = steps(job)
        .iter()
        .find(|s| s["uses"].as_str() == Some("actions/upload-artifact@v4"))
        .expect("the .vsix is uploaded");
    assert!(upload["with"]["path"].as_str().unwrap().ends_with(".vsix"));
}

#[test]
fn release_builds_the_three_targets_on_a_version_tag() {
    let release = yaml(".github/workflows/release.yml");
    assert_eq!(strings(&release["on"]["push"]["tags"]), ["v*"]);
    assert_eq!(release["permissions"]["contents"].as_str(), Some("write"));
    let build = job(&release, "build");
    let include = build["strategy"]["matrix"]["include"].as_vec().unwrap();
    let targets: Vec<(&str, &str)> = include
        .iter()
        .map(|e| (e["target"].as_str().unwrap(), e["os"].as_str().unwrap()))
        .collect();
    assert_eq!(
        targets,
        [
            ("aarch64-apple-darwin", "macos-latest"),
            ("x86_64-apple-darwin", "macos-latest"),
            ("x86_64-unknown-linux-gnu", "ubuntu-latest"),
        ]
    );
    let toolchain = steps(build)
        .iter()
        .find(|s| s["uses"].as_str() == Some("dtolnay/rust-toolchain@stable"))
        .expect("a stable toolchain");
    assert_eq!(
        toolchain["with"]["targets"].as_str(),
        Some("${{ matrix.target }}")
    );
    assert!(has_run(
        build,
        "cargo build --release --locked --target ${{ matrix.target }}"
    ));
    let tag_check = runs(build).join("\n");
    assert!(
        tag_check.contains(r#"test "v$version" = "$GITHUB_REF_NAME""#),
        "the tag must be Cargo.toml's version"
    );
}

#[test]
fn release_publishes_archives_with_checksums_in_a_github_release() {
    let release = yaml(".github/workflows/release.yml");
    let build = job(&release, "build");
    let archive = runs(build).join("\n");
    for needed in [
        r#"name="sblint-$GITHUB_REF_NAME-${{ matrix.target }}""#,
        "release/sblint",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        r#"tar -czf "$name.tar.gz""#,
        r#"shasum -a 256 "$name.tar.gz" > "$name.tar.gz.sha256""#,
    ] {
        assert!(archive.contains(needed), "the archive step has {needed}");
    }
    let publish = job(&release, "release");
    assert_eq!(publish["needs"].as_str(), Some("build"));
    let download = steps(publish)
        .iter()
        .find(|s| s["uses"].as_str() == Some("actions/download-artifact@v4"))
        .expect("the archives are downloaded");
    assert_eq!(download["with"]["merge-multiple"].as_bool(), Some(true));
    let scripts = runs(publish).join("\n");
    assert!(scripts.contains("cat ./*.sha256 > SHA256SUMS"));
    assert!(scripts.contains(r#"gh release create "$GITHUB_REF_NAME" --verify-tag"#));
    assert!(scripts.contains("dist/*"));
}

#[test]
fn release_fills_in_the_checksum_line_the_formula_has() {
    let release = yaml(".github/workflows/release.yml");
    let scripts = runs(job(&release, "release")).join("\n");
    // The sed expression that writes the source tarball's sum into the formula.
    assert!(
        scripts.contains(r#"sed "s/^  sha256 \".*\"$/  sha256 \"$sum\"/" packaging/homebrew/sblint.rb > dist/sblint.rb"#),
        "{scripts}"
    );
    assert!(scripts.contains(r#"--prefix="sblint-$version/""#));
    let is_sum_line = |l: &str| {
        l.strip_prefix("  sha256 \"")
            .and_then(|rest| rest.strip_suffix('"'))
            .is_some_and(|sum| {
                sum.len() == 64
                    && sum
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            })
    };
    let formula = read("packaging/homebrew/sblint.rb");
    assert_eq!(
        formula.lines().filter(|l| is_sum_line(l)).count(),
        1,
        "the formula has one sha256 line in the form the release rewrites"
    );
}

#[test]
fn every_action_is_pinned_to_a_release() {
    // owner/name@v4, @stable, or @1.88: a release, never a branch such as @main.
    let pinned = |action: &str| {
        let Some((name, reference)) = action.split_once('@') else {
            return false;
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        name.split('/').count() == 2
            && (reference == "stable"
                || reference.strip_prefix('v').is_some_and(digits)
                || reference
                    .split_once('.')
                    .is_some_and(|(a, b)| digits(a) && digits(b)))
    };
    for path in [".github/workflows/ci.yml", ".github/workflows/release.yml"] {
        let workflow = yaml(path);
        for (name, job) in workflow["jobs"].as_hash().unwrap() {
            assert!(!steps(job).is_empty());
            for action in uses(job) {
                assert!(
                    pinned(action),
                    "{path} job {name:?}: `{action}` is not pinned"
                );
            }
        }
    }
}

#[test]
fn homebrew_formula_builds_this_version_from_the_release_tarball() {
    let formula = read("packaging/homebrew/sblint.rb");
    let version = version();
    let url = formula
        .lines()
        .find_map(|l| l.trim().strip_prefix("url "))
        .expect("the formula has a url");
    assert_eq!(
        url,
        format!(
            "\"https://github.com/sblint/sblint/releases/download/v{version}/sblint-{version}.tar.gz\""
        ),
        "the formula's url names Cargo.toml's version"
    );
    assert!(formula.contains("class Sblint < Formula"));
    assert!(formula.contains(r#"depends_on "rust" => :build"#));
    assert!(formula.contains(r#"system "cargo", "install", *std_cargo_args"#));
    assert!(formula.contains(r#"license any_of: ["MIT", "Apache-2.0"]"#));
    let homepage = package()["homepage"].as_str().unwrap().to_owned();
    assert!(formula.contains(&format!("homepage \"{homepage}\"")));
}

#[test]
fn readme_and_hooks_name_a_real_tag_of_this_version() {
    // The install snippets for pre-commit and VS Code are on the book's integrations page.
    let readme = read("docs/src/integrations.md");
    let version = version();
    let rev = format!("rev: v{version}");
    assert!(
        readme.contains(&rev),
        "the integrations page's pre-commit snippet has `{rev}`"
    );
    assert!(readme.contains("repo: https://github.com/sblint/sblint"));
    let hooks = yaml(".pre-commit-hooks.yaml");
    let ids: Vec<&str> = hooks
        .as_vec()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["sblint", "sblint-fmt"]);
    for id in ids {
        assert!(readme.contains(&format!("- id: {id}")), "README names {id}");
    }
    let vsix = format!("code --install-extension sblint-{version}.vsix");
    assert!(readme.contains(&vsix), "the README installs `{vsix}`");
}

#[test]
fn the_vscode_extension_has_the_crates_version() {
    let manifest: serde_json::Value =
        serde_json::from_str(&read("editors/vscode/package.json")).unwrap();
    let lock: serde_json::Value =
        serde_json::from_str(&read("editors/vscode/package-lock.json")).unwrap();
    let version = version();
    assert_eq!(manifest["version"], version.as_str());
    assert_eq!(lock["version"], version.as_str());
    assert_eq!(lock["packages"][""]["version"], version.as_str());
}

#[test]
fn ci_run_turns_the_slow_tests_on_and_runs_the_extension_checks() {
    let script = read(".ci/run");
    let lines: Vec<&str> = script.lines().map(str::trim).collect();
    for needed in [
        "set -euo pipefail",
        "export SBLINT_INTEGRATION=1",
        "apt-get install -y -qq vim neovim >/dev/null",
        "python3 -m pip install --quiet --disable-pip-version-check pre-commit",
        "list=$(cargo package --list --allow-dirty --quiet)",
        "cargo fmt --check",
        "cargo clippy --all-targets -- -D warnings",
        "npm ci --no-audit --no-fund",
        "npm run check",
        "npm test",
        "npm run package",
        "cargo test",
    ] {
        assert!(lines.contains(&needed), ".ci/run lacks `{needed}`");
    }
}
