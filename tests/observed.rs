//! Decisions other people recorded on real Macs, replayed through `explain`.
//!
//! `tests/observed/decisions.tsv` has one row per recorded outcome: the profile (a file in
//! `tests/observed/profiles/`, the text that was applied, or `corpus:FILE` for a profile of
//! the shared corpus), the operation and argument the
//! probe exercised, the decision observed and where it was recorded. No row comes from
//! sblint. The harness probes of SANDBOX_LORE say `file-read*` / `file-write*`: their
//! reader opens the file for reading or writing, which is `file-read-data` /
//! `file-write-data`, and the table names those. A sixth column, when present, marks a row
//! as pending with the reason (a known gap in the model); such a row must still disagree,
//! so that it is un-pended the day the model gets it right. A sixth column that starts with
//! `disputed` marks a fact other recordings disagree on (`grammar/disputed.tsv`): the row
//! must be reproduced and the answer must be conditional. `-` leaves the sixth column
//! empty. A seventh column names the macOS the decision was recorded on (default: the
//! model's default, 14.4.1). The model includes the rules libsandbox adds by itself
//! (`grammar/implicit.tsv`), as `explain` does.

use sblint::model::{Action, MacOs, Model, ModelOptions};

/// The model a row is decided with: its macOS, and the rules libsandbox adds by itself.
fn options(row: &Row) -> ModelOptions {
    ModelOptions {
        macos: row.macos,
        implicit: true,
        ..ModelOptions::default()
    }
}
use std::path::Path;

struct Row {
    line: usize,
    profile: String,
    operation: String,
    argument: String,
    observed: Action,
    pending: Option<String>,
    disputed: bool,
    macos: Option<MacOs>,
}

fn rows() -> Vec<Row> {
    let table = include_str!("observed/decisions.tsv");
    table
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.starts_with('#') && !line.trim().is_empty())
        .map(|(index, line)| {
            let cells: Vec<&str> = line.split('\t').collect();
            assert!(
                (5..=7).contains(&cells.len()),
                "decisions.tsv:{}: 5 to 7 columns, found {}",
                index + 1,
                cells.len()
            );
            assert!(
                !cells[4].trim().is_empty(),
                "decisions.tsv:{}: no source",
                index + 1
            );
            let observed = match cells[3] {
                "allow" => Action::Allow,
                "deny" => Action::Deny,
                other => panic!("decisions.tsv:{}: decision {other:?}", index + 1),
            };
            Row {
                line: index + 1,
                profile: cells[0].to_string(),
                operation: cells[1].to_string(),
                argument: cells[2].to_string(),
                observed,
                pending: cells
                    .get(5)
                    .filter(|c| **c != "-" && !c.starts_with("disputed"))
                    .map(|reason| reason.to_string()),
                disputed: cells.get(5).is_some_and(|c| c.starts_with("disputed")),
                macos: cells.get(6).map(|v| {
                    MacOs::parse(v)
                        .unwrap_or_else(|| panic!("decisions.tsv:{}: macOS {v:?}", index + 1))
                }),
            }
        })
        .collect()
}

/// The profile text of a row: a file of `tests/observed/profiles/`, or `corpus:FILE`, a
/// file of the shared corpus (never copied into the repository) with its ERB lines left
/// out; `None` when the corpus is not there.
fn profile_text(row: &Row) -> Option<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if let Some(file) = row.profile.strip_prefix("corpus:") {
        let text = std::fs::read_to_string(root.join("../shared/corpus").join(file)).ok()?;
        return Some(
            text.lines()
                .filter(|line| !line.contains("<%="))
                .map(|line| format!("{line}\n"))
                .collect(),
        );
    }
    let path = root.join("tests/observed/profiles").join(&row.profile);
    Some(
        std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("{}: {error}", path.display())),
    )
}

fn decide(row: &Row) -> Option<sblint::explain::Explanation> {
    let text = profile_text(row)?;
    let model = Model::new(&sblint::syntax::parse(text), &[], &options(row));
    match sblint::explain::explain(&model, &row.operation, Some(&row.argument), Path::new("/")) {
        Ok(e) => Some(e),
        // A pending row may be one `explain` cannot ask yet (a unix socket's path).
        Err(_) if row.pending.is_some() => None,
        Err(error) => panic!("decisions.tsv:{}: {error}", row.line),
    }
}

#[test]
fn every_recorded_decision_is_reproduced() {
    let rows = rows();
    assert!(rows.len() >= 40, "{} rows", rows.len());
    let mut wrong = Vec::new();
    for row in &rows {
        let Some(explanation) = decide(row) else {
            continue;
        };
        let decided = explanation.action;
        if row.disputed && explanation.disputes.is_empty() {
            wrong.push(format!(
                "decisions.tsv:{}: disputed, but the answer names no dispute",
                row.line
            ));
        }
        match (&row.pending, decided == row.observed) {
            (None, false) => wrong.push(format!(
                "decisions.tsv:{}: {} {} under {}: observed {:?}, sblint says {:?}",
                row.line, row.operation, row.argument, row.profile, row.observed, decided
            )),
            (Some(reason), true) => wrong.push(format!(
                "decisions.tsv:{}: pending ({reason}) but now reproduced: drop the mark",
                row.line
            )),
            _ => {}
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_table_covers_what_the_model_must_hold() {
    let rows = rows();
    let has = |pred: &dyn Fn(&Row) -> bool| rows.iter().any(pred);
    assert!(
        has(&|r| r.argument.starts_with("/var/")),
        "a symlinked root"
    );
    assert!(has(&|r| r.argument.contains("/../")), "a `..`");
    assert!(has(&|r| r.profile.contains("nested")), "nested require-*");
    assert!(has(&|r| r.profile.contains("capturing")), "a regex");
    assert!(has(&|r| r.operation == "mach-lookup"), "mach");
    assert!(has(&|r| r.operation.starts_with("network")), "network");
    assert!(has(&|r| r.operation.starts_with("sysctl")), "sysctl");
    assert!(
        has(&|r| r.macos.is_some_and(|v| v.as_str() == "26")),
        "macOS 26, where the version-1 preamble adds rules"
    );
    assert!(has(&|r| r.disputed), "a fact recordings disagree on");
}

/// The table as `sblint test` files, one per profile (every row a point assertion with its
/// source as a comment), run through `sblint test`'s library: the test-file path agrees
/// with `explain` on every recorded decision. With `SBLINT_OBSERVED_OUT=DIR` the files are
/// kept there, for `sblint test --on-device DIR` on a Mac (`.github/workflows/macos.yml`).
#[test]
fn the_table_as_test_files_passes_sblint_test() {
    let kept = std::env::var_os("SBLINT_OBSERVED_OUT").map(std::path::PathBuf::from);
    let temp = tempfile::tempdir().unwrap();
    let out = kept.clone().unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&out).unwrap();
    let rows = rows();
    let mut profiles: Vec<(&str, Option<MacOs>)> =
        rows.iter().map(|r| (r.profile.as_str(), r.macos)).collect();
    profiles.sort();
    profiles.dedup();
    let mut ran = 0;
    for (profile, macos) in profiles {
        let of: Vec<&Row> = rows
            .iter()
            .filter(|r| r.profile == profile && r.macos == macos && r.pending.is_none())
            .collect();
        let Some(first) = of.first() else {
            continue;
        };
        let Some(text) = profile_text(first) else {
            continue;
        };
        let name = profile.trim_start_matches("corpus:").replace('/', "_");
        let name = match macos {
            Some(v) => format!("{}.{}", name.trim_end_matches(".sb"), v.as_str()),
            None => name.trim_end_matches(".sb").to_string(),
        };
        let name = name.as_str();
        std::fs::write(out.join(format!("{name}.sb")), &text).unwrap();
        let mut test = format!(
            "# Decisions recorded on real Macs (tests/observed/decisions.tsv), as `sblint test` checks them.\nprofile = \"{name}.sb\"\n"
        );
        if let Some(v) = macos {
            test.push_str(&format!("macos = \"{}\"\n", v.as_str()));
        }
        for r in &of {
            let kind = match r.observed {
                Action::Allow => "allow",
                Action::Deny => "deny",
            };
            test.push_str(&format!(
                "\n# decisions.tsv:{}\n[[{kind}]]\noperation = \"{}\"\nargument = \"{}\"\n",
                r.line, r.operation, r.argument
            ));
        }
        let path = out.join(format!("{name}.sbtest.toml"));
        std::fs::write(&path, &test).unwrap();
        let file = sblint::sbtest::parse(&path, &test).unwrap();
        let model = Model::new(&sblint::syntax::parse(text), &[], &options(first));
        for outcome in sblint::sbtest::run(&file, &model) {
            assert!(
                outcome.passed,
                "{}: {:?}: {:?}",
                path.display(),
                outcome.assertion,
                outcome.failure
            );
            ran += 1;
        }
    }
    assert!(ran >= 40, "only {ran} assertions");
}
