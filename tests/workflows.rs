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
    // owner/name[/path]@v4, @stable, or @1.88: a release, never a branch such as @main.
    let pinned = |action: &str| {
        let Some((name, reference)) = action.split_once('@') else {
            return false;
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        name.split('/').count() >= 2
            && (reference == "stable"
                || reference.strip_prefix('v').is_some_and(digits)
                || reference
                    .split_once('.')
                    .is_some_and(|(a, b)| digits(a) && digits(b)))
    };
    for path in [
        ".github/workflows/ci.yml",
        ".github/workflows/release.yml",
        ".github/workflows/action.yml",
    ] {
        let workflow = yaml(path);
        for (name, job) in workflow["jobs"].as_hash().unwrap() {
            assert!(!steps(job).is_empty());
            for action in uses(job) {
                // `./` is this repository's own action (action.yml).
                assert!(
                    action == "./" || pinned(action),
                    "{path} job {name:?}: `{action}` is not pinned"
                );
            }
        }
    }
    let action = yaml("action.yml");
    for used in action["runs"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .filter_map(|s| s["uses"].as_str())
    {
        assert!(pinned(used), "action.yml: `{used}` is not pinned");
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
    // The install lines are in the README; the snippets for pre-commit, the action and VS
    // Code on the book's integrations page.
    let readme = read("README.md") + &read("docs/src/integrations.md");
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
    for needed in [
        format!("uses: sblint/sblint@v{version}"),
        "repo: https://github.com/sblint/sblint-pre-commit".to_owned(),
        "pip install sblint".to_owned(),
        format!("releases/download/v{version}/sblint-v{version}-aarch64-apple-darwin.tar.gz"),
    ] {
        // The install lines are in the README, the integrations on the book's page.
        let both = format!("{}\n{readme}", read("README.md"));
        assert!(
            both.contains(&needed),
            "README.md or the integrations page has `{needed}`"
        );
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
        "cargo build --release --locked",
        "maturin build --release --locked --out target/wheels",
        r#"(cd "$venv" && "$venv/bin/python" -m pytest -q -p no:cacheprovider "$recipes")"#,
        r#"export SBLINT_WHEEL_DIR="$PWD/target/wheels""#,
        "cargo test",
    ] {
        assert!(lines.contains(&needed), ".ci/run lacks `{needed}`");
    }
    // One release build, before the wheel; the wheel before the tests that install it.
    let at = |needle: &str| script.find(needle).unwrap();
    assert!(at("cargo build --release") < at("maturin build"));
    assert!(at("export SBLINT_WHEEL_DIR") < at("\ncargo test"));
    assert!(Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("python/tests/test_generator.py")
        .is_file());
}

/// The targets of a release build, as (target, runner) pairs.
fn matrix(workflow: &Yaml, name: &str) -> Vec<(String, String)> {
    job(workflow, name)["strategy"]["matrix"]["include"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["target"].as_str().unwrap().to_owned(),
                e["os"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn step<'a>(steps: &'a [Yaml], key: &str, value: &str) -> &'a Yaml {
    steps
        .iter()
        .find(|s| s[key].as_str() == Some(value))
        .unwrap_or_else(|| panic!("no step with {key}: {value}"))
}

#[test]
fn release_builds_wheels_and_an_sdist_and_publishes_them_with_the_crate() {
    let release = yaml(".github/workflows/release.yml");
    // The wheels are built for the binaries' targets.
    assert_eq!(matrix(&release, "wheels"), matrix(&release, "build"));
    let wheels = job(&release, "wheels");
    let maturin = step(steps(wheels), "uses", "PyO3/maturin-action@v1");
    assert_eq!(
        maturin["with"]["target"].as_str(),
        Some("${{ matrix.target }}")
    );
    let args = maturin["with"]["args"].as_str().unwrap();
    assert!(
        args.contains("--release") && args.contains("--locked"),
        "{args}"
    );
    assert_eq!(maturin["with"]["manylinux"].as_str(), Some("auto"));
    let sdist = step(
        steps(job(&release, "sdist")),
        "uses",
        "PyO3/maturin-action@v1",
    );
    assert_eq!(sdist["with"]["command"].as_str(), Some("sdist"));

    // Nothing is published unless every build succeeded; tokens come from secrets.
    for (name, secret) in [
        ("publish-pypi", "PYPI_API_TOKEN"),
        ("publish-crate", "CARGO_REGISTRY_TOKEN"),
    ] {
        let publish = job(&release, name);
        assert_eq!(strings(&publish["needs"]), ["build", "wheels", "sdist"]);
        let uses_secret = steps(publish).iter().any(|s| {
            s["env"]
                .as_hash()
                .into_iter()
                .flatten()
                .any(|(_, v)| v.as_str() == Some(&format!("${{{{ secrets.{secret} }}}}")))
        });
        assert!(uses_secret, "{name} reads secrets.{secret}");
    }
    assert!(has_run(
        job(&release, "publish-crate"),
        "cargo publish --locked"
    ));
    let upload = runs(job(&release, "publish-pypi")).join("\n");
    assert!(
        upload.contains("twine upload --non-interactive dist/*"),
        "{upload}"
    );
    assert!(upload.contains("-eq 3"), "all three wheels are uploaded");
    let mirror = job(&release, "pre-commit-mirror");
    assert_eq!(mirror["needs"].as_str(), Some("publish-pypi"));
    let push = runs(mirror).join("\n");
    assert!(push.contains(
        "cp packaging/pre-commit/.pre-commit-hooks.yaml packaging/pre-commit/pyproject.toml"
    ));
    assert!(push.contains(r#"git push origin HEAD "$GITHUB_REF_NAME""#));
}

#[test]
fn the_wheel_carries_the_binary_and_the_module_at_the_crates_version() {
    let pyproject: toml::Table = read("pyproject.toml").parse().unwrap();
    assert_eq!(
        pyproject["build-system"]["build-backend"].as_str(),
        Some("maturin")
    );
    let project = pyproject["project"].as_table().unwrap();
    assert_eq!(project["name"].as_str(), Some("sblint"));
    // maturin takes the version from Cargo.toml.
    assert_eq!(
        project["dynamic"].as_array().unwrap()[0].as_str(),
        Some("version")
    );
    let maturin = pyproject["tool"]["maturin"].as_table().unwrap();
    assert_eq!(maturin["bindings"].as_str(), Some("bin"));
    assert_eq!(maturin["python-source"].as_str(), Some("python"));
    for module in ["python/sblint/__init__.py", "python/sblint/__main__.py"] {
        assert!(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(module).is_file(),
            "{module}"
        );
    }
}

#[test]
fn the_pre_commit_mirror_installs_this_versions_wheel_with_the_same_hooks() {
    let version = version();
    let shim: toml::Table = read("packaging/pre-commit/pyproject.toml").parse().unwrap();
    assert_eq!(shim["project"]["version"].as_str(), Some(version.as_str()));
    assert_eq!(
        shim["project"]["dependencies"].as_array().unwrap()[0].as_str(),
        Some(format!("sblint=={version}").as_str())
    );
    let mirror = yaml("packaging/pre-commit/.pre-commit-hooks.yaml");
    let source = yaml(".pre-commit-hooks.yaml");
    let (mirror, source) = (mirror.as_vec().unwrap(), source.as_vec().unwrap());
    assert_eq!(mirror.len(), source.len());
    for (m, s) in mirror.iter().zip(source) {
        assert_eq!(m["language"].as_str(), Some("python"), "the wheel, no Rust");
        for key in ["id", "name", "description", "entry", "files"] {
            assert_eq!(m[key], s[key], "{key} of hook {:?}", s["id"]);
        }
    }
    let readme = read("packaging/pre-commit/README.md");
    assert!(readme.contains(&format!("rev: v{version}")));
}

#[test]
fn the_action_installs_a_release_binary_and_checks() {
    let action = yaml("action.yml");
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let steps = action["runs"]["steps"].as_vec().unwrap();
    for s in steps.iter().filter(|s| s["run"].as_str().is_some()) {
        assert_eq!(s["shell"].as_str(), Some("bash"), "{:?}", s["name"]);
        // Inputs reach scripts through `env`, never pasted into the script (injection),
        // so the scripts run as written (the widen test below runs one).
        assert!(
            !s["run"].as_str().unwrap().contains("${{"),
            "{:?}",
            s["name"]
        );
    }
    // The install step knows every target the release builds, under the archive's name.
    let release = yaml(".github/workflows/release.yml");
    let install = step(steps, "id", "install");
    let script = install["run"].as_str().unwrap();
    for (target, _) in matrix(&release, "build") {
        assert!(script.contains(&format!("target={target}")), "{target}");
    }
    assert!(script.contains(r#"name="sblint-$tag-$target""#));
    assert!(script.contains(r#"shasum -a 256 -c "$name.tar.gz.sha256""#));
    let check = step(steps, "id", "check")["run"].as_str().unwrap();
    assert!(check.contains("sblint check --format github"));
    assert!(check.contains("sblint check --format sarif --output-file"));
    let upload = step(steps, "uses", "github/codeql-action/upload-sarif@v3");
    assert!(upload["if"]
        .as_str()
        .unwrap()
        .contains("inputs.format == 'sarif'"));
    let widen = step(steps, "id", "widen");
    assert!(widen["if"]
        .as_str()
        .unwrap()
        .contains("github.event_name == 'pull_request'"));
    assert_eq!(
        widen["env"]["BASE_SHA"].as_str(),
        Some("${{ github.event.pull_request.base.sha }}")
    );
    // Every input a step reads is declared.
    let inputs = action["inputs"].as_hash().unwrap();
    let text = read("action.yml");
    for name in regex::Regex::new(r"inputs\.([a-z-]+)")
        .unwrap()
        .captures_iter(&text)
        .map(|c| c[1].to_owned())
    {
        assert!(
            inputs.contains_key(&Yaml::String(name.clone())),
            "inputs.{name} is not declared"
        );
    }
    // The repository's own workflow runs the action on the code under review.
    let test = yaml(".github/workflows/action.yml");
    let job = job(&test, "action");
    assert!(uses(job).contains(&"./"));
    assert!(has_run(job, "cargo build --release --locked"));
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The action's pull-request step, run as GitHub runs it (bash, its env) on a repository
/// with two commits: a widened profile (one that imports a file of the base tree), an
/// added one, a narrowed one and an untouched one.
#[test]
fn the_action_reports_what_a_pull_request_newly_allows() {
    for tool in ["git", "jq"] {
        let found = std::process::Command::new(tool)
            .arg("--version")
            .output()
            .is_ok();
        if !found {
            assert!(
                std::env::var("CI").is_err(),
                "`{tool}` is needed to run the action's widen step"
            );
            eprintln!("SKIPPED: `{tool}` is not installed: the action's widen step did not run");
            return;
        }
    }
    let action = yaml("action.yml");
    let script = step(action["runs"]["steps"].as_vec().unwrap(), "id", "widen")["run"]
        .as_str()
        .unwrap()
        .to_owned();
    let temp = tempfile::tempdir().unwrap();
    let repo = temp.path().join("repo");
    let runner = temp.path().join("runner");
    std::fs::create_dir_all(repo.join("profiles")).unwrap();
    std::fs::create_dir_all(&runner).unwrap();
    let write = |name: &str, text: &str| std::fs::write(repo.join(name), text).unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["config", "user.email", "ci@example.invalid"]);
    git(&repo, &["config", "user.name", "ci"]);
    write(
        "profiles/base.sb",
        "(allow file-read* (subpath \"/usr/lib\"))\n",
    );
    write(
        "profiles/app.sb",
        "(version 1)\n(deny default)\n(import \"base.sb\")\n",
    );
    write(
        "profiles/strict.sb",
        "(version 1)\n(deny default)\n(allow network-outbound (remote tcp \"localhost:8080\"))\n",
    );
    write("profiles/same.sb", "(version 1)\n(allow default)\n");
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "base"]);
    let base = git(&repo, &["rev-parse", "HEAD"]).trim().to_owned();
    write(
        "profiles/app.sb",
        "(version 1)\n(deny default)\n(import \"base.sb\")\n(allow network-outbound (remote tcp \"*:443\"))\n",
    );
    write(
        "profiles/new.sb",
        "(version 1)\n(deny default)\n(allow mach-lookup (global-name \"com.example.helper\"))\n",
    );
    write("profiles/strict.sb", "(version 1)\n(deny default)\n");
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "change"]);

    let sblint = assert_cmd::cargo::cargo_bin("sblint");
    let path = format!(
        "{}:{}",
        sblint.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |fail: &str| {
        let summary = runner.join("summary.md");
        let output = runner.join("output");
        let _ = std::fs::remove_file(&summary);
        let _ = std::fs::remove_file(&output);
        let status = std::process::Command::new("bash")
            .current_dir(&repo)
            .args(["-c", &script])
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .env("BASE_SHA", &base)
            .env("ARGS", "")
            .env("FAIL", fail)
            .env("RUNNER_TEMP", &runner)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_OUTPUT", &output)
            .status()
            .unwrap();
        (
            status.code(),
            std::fs::read_to_string(summary).unwrap(),
            std::fs::read_to_string(output).unwrap(),
        )
    };
    let (code, summary, output) = run("false");
    assert_eq!(code, Some(0), "{summary}");
    assert_eq!(output, "widened=true\n");
    let section = |file: &str| {
        let start = summary
            .find(&format!("`profiles/{file}`"))
            .unwrap_or_else(|| panic!("{file} is not in the summary:\n{summary}"));
        let rest = &summary[start..];
        let end = rest[1..].find("`profiles/").map_or(rest.len(), |e| e + 1);
        rest[..end].to_owned()
    };
    // Widened: the new rule, with a witness; what the imported base allows is not new.
    let app = section("app.sb");
    assert!(app.contains("| `network-outbound` | `"), "{app}");
    assert!(
        app.contains(":443` | deny, line 2 | allow, line 4 |"),
        "{app}"
    );
    assert!(!app.contains("file-read"), "{app}");
    let new = section("new.sb");
    assert!(new.contains("new profile"), "{new}");
    assert!(
        new.contains("| `mach-lookup` | `com.example.helper` |"),
        "{new}"
    );
    assert!(section("strict.sb").contains("allows nothing new"));
    assert!(
        !summary.contains("same.sb") && !summary.contains("base.sb"),
        "{summary}"
    );
    // The base tree's worktree is gone afterwards.
    assert!(!runner.join("sblint-base").exists());

    let (code, _, _) = run("true");
    assert_eq!(code, Some(1), "fail-on-widen fails the step");
}

/// The action's check step, run as GitHub runs it, in both formats: annotations, or a
/// SARIF file named in the step's outputs; findings fail the step only when asked.
#[test]
fn the_action_checks_with_annotations_or_sarif() {
    let action = yaml("action.yml");
    let script = step(action["runs"]["steps"].as_vec().unwrap(), "id", "check")["run"]
        .as_str()
        .unwrap()
        .to_owned();
    let sblint = assert_cmd::cargo::cargo_bin("sblint");
    let temp = tempfile::tempdir().unwrap();
    let run = |format: &str, fail: &str| {
        let output = temp.path().join("output");
        let _ = std::fs::remove_file(&output);
        let out = std::process::Command::new("bash")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["-c", &script])
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    sblint.parent().unwrap().display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            )
            .env("NO_COLOR", "1")
            .env("PATHS", "examples/pitfalls.sb")
            .env("FORMAT", format)
            .env("ARGS", "")
            .env("FAIL", fail)
            .env("RUNNER_TEMP", temp.path())
            .env("GITHUB_OUTPUT", &output)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            std::fs::read_to_string(output).unwrap_or_default(),
        )
    };
    let (code, stdout, output) = run("github", "true");
    assert_eq!(code, Some(1));
    assert!(
        stdout.contains("::error file=examples/pitfalls.sb,line=2"),
        "{stdout}"
    );
    assert_eq!(output, "status=1\n");
    let (code, _, _) = run("github", "false");
    assert_eq!(code, Some(0), "fail-on-findings: false");

    let (code, _, output) = run("sarif", "true");
    assert_eq!(code, Some(0), "the upload comes first; a later step fails");
    let sarif = temp.path().join("sblint.sarif");
    assert!(
        output.contains(&format!("sarif-file={}", sarif.display())),
        "{output}"
    );
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sarif).unwrap()).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert!(!log["runs"][0]["results"].as_array().unwrap().is_empty());

    let (code, _, _) = run("text", "true");
    assert_eq!(code, Some(2), "an unknown format is an error");
}
