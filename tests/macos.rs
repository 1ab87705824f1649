//! Findings that depend on `--macos`: one fixture checked against the versions people run,
//! one snapshot of what each reports (tests/rules/SB101/macos.sb, SB003/version3.sb).

mod common;

use std::fmt::Write;
use std::path::Path;

use sblint::lint::CheckOptions;
use sblint::model::{MacOs, ModelOptions};

fn findings(fixture: &str, versions: &[&str], codes: &[&str]) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/rules")
        .join(fixture);
    let mut out = String::new();
    for version in versions {
        let macos = MacOs::parse(version).unwrap_or_else(|| panic!("{version} parses"));
        let options = CheckOptions {
            model: ModelOptions {
                macos: Some(macos),
                ..ModelOptions::default()
            },
            ..CheckOptions::default()
        };
        let report = common::check_fixture(&path, &options);
        writeln!(out, "--macos {version}").unwrap();
        for d in report
            .diagnostics
            .iter()
            .filter(|d| codes.contains(&d.code))
        {
            let line = report.line_col(d.primary.span.start).line;
            writeln!(
                out,
                "  {line}: {}[{}] {}",
                d.severity.as_str(),
                d.code,
                d.message
            )
            .unwrap();
        }
    }
    out
}

#[test]
fn availability_follows_the_selected_version() {
    let out = findings(
        "SB101/macos.sb",
        &[
            "10.15", "big-sur", "13.7.8", "14.2", "14", "14.4.1", "sequoia", "26",
        ],
        &["SB101", "SB103", "SB109"],
    );
    common::with_snapshots("macos", || insta::assert_snapshot!("availability", out));
}

#[test]
fn version_3_is_refused_up_to_10_15_and_unverified_after() {
    let out = findings(
        "SB003/version3.sb",
        &["10.15", "12", "14", "26"],
        &["SB003"],
    );
    common::with_snapshots("macos", || insta::assert_snapshot!("version3", out));
}

/// Apple's own profile sources for 11.5 to 26.0 (`../shared/apple`, see its README): a name
/// Apple's profile uses on release N exists on N, so each checks with no error and no
/// vocabulary finding under `--macos N` (`grammar/availability.tsv` has the rows, with the
/// file and commit, that `grammar/build.py` derives from them).
#[test]
fn apples_own_profiles_check_clean_on_their_release() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/apple");
    let Ok(sources) = std::fs::read_to_string(root.join("SOURCES.tsv")) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "../shared/apple is missing"
        );
        eprintln!("../shared/apple is missing: Apple's profiles not checked");
        return;
    };
    let mut checked = std::collections::BTreeMap::<&str, usize>::new();
    let mut wrong = Vec::new();
    for line in sources.lines().skip(1) {
        let cells: Vec<&str> = line.split('\t').collect();
        let (release, file) = (cells[0], cells[1]);
        if !file.ends_with(".sb") {
            continue;
        }
        let path = root.join(file);
        let options = CheckOptions {
            model: ModelOptions {
                macos: Some(MacOs::parse(release).expect("a release")),
                base_dir: path.parent().map(Path::to_path_buf),
                import_paths: vec![root.join(release).join("files/usr/share/sandbox")],
                ..ModelOptions::default()
            },
            ..CheckOptions::default()
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let report = sblint::lint::check_text(path.to_str().unwrap(), text, &options);
        *checked.entry(release).or_default() += 1;
        for d in &report.diagnostics {
            let vocabulary = matches!(d.code, "SB101" | "SB102" | "SB109");
            if vocabulary || d.severity == sblint::diagnostic::Severity::Error {
                wrong.push(format!(
                    "{file}: {}[{}] {}",
                    d.severity.as_str(),
                    d.code,
                    d.message
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Every release the README lists, each with its files.
    let releases: Vec<&str> = checked.keys().copied().collect();
    assert_eq!(releases, ["11.5", "12.5", "13.5", "14.6", "15.6", "26.0"]);
    assert!(checked.values().all(|n| *n >= 20), "{checked:?}");
}
