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
