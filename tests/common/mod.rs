//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod random;

use std::path::{Path, PathBuf};

use sblint::diagnostic::FileReport;
use sblint::lint::{self, CheckOptions};

/// Runs `body` with snapshots stored under `snapshots/<dir>/`.
pub fn with_snapshots(dir: &str, body: impl FnOnce()) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("snapshots")
            .join(dir),
    );
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(body);
}

/// Checks a fixture file and shows it under its file name, so snapshots do not depend on
/// where the repository lives.
pub fn check_fixture(path: &Path, options: &CheckOptions) -> FileReport {
    let bytes = std::fs::read(path).expect("fixture is readable");
    let name = path.file_name().unwrap().to_string_lossy();
    let options = CheckOptions {
        preludes: options.preludes.clone(),
        model: sblint::model::ModelOptions {
            base_dir: path.parent().map(Path::to_path_buf),
            ..options.model.clone()
        },
        selection: options.selection.clone(),
    };
    lint::check_bytes(&name, bytes, &options)
}

pub fn human(report: &FileReport) -> String {
    sblint::render::render_human(std::slice::from_ref(report), false)
}

/// The shared corpus beside the project, or `None` (with a message) when it is absent;
/// absence fails the test under `CI=true`.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if dir.join("SOURCES.tsv").is_file() {
        return Some(dir);
    }
    let message = format!(
        "the shared corpus is missing at {}: corpus tests did not run",
        dir.display()
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message}");
    }
    eprintln!("SKIPPED: {message}");
    None
}

/// One row of `SOURCES.tsv`.
#[derive(Debug, Clone)]
pub struct CorpusEntry {
    pub file: String,
    pub role: String,
    pub prelude: Option<String>,
    /// Every file that ships before this one, in order (the `assembly` column).
    pub assembly: Vec<String>,
}

pub fn corpus_entries(dir: &Path) -> Vec<CorpusEntry> {
    let text = std::fs::read_to_string(dir.join("SOURCES.tsv")).expect("SOURCES.tsv");
    let assembly_column = text
        .lines()
        .next()
        .and_then(|header| header.split('\t').position(|c| c == "assembly"))
        .expect("SOURCES.tsv has an `assembly` column");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            CorpusEntry {
                file: fields[0].to_string(),
                role: fields[1].to_string(),
                prelude: fields
                    .get(2)
                    .filter(|p| !p.is_empty())
                    .map(|p| p.to_string()),
                assembly: fields
                    .get(assembly_column)
                    .map(|a| a.split_whitespace().map(str::to_string).collect())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// The options that check `entry` as it ships: every file of its `assembly` read first,
/// in order.
pub fn assembly_options(dir: &Path, entry: &CorpusEntry) -> CheckOptions {
    let mut options = CheckOptions::default();
    for file in &entry.assembly {
        let bytes = std::fs::read(dir.join(file))
            .unwrap_or_else(|e| panic!("{}: assembly file {file}: {e}", entry.file));
        options.preludes.push(lint::load_prelude(file, bytes));
    }
    options
}
