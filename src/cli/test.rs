//! `sblint test [PATHS]`: runs `*.sbtest.toml` policy tests.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::args::{TestArgs, TestFormat};
use super::error::AppError;
use super::output::Output;
use super::ExitStatus;
use crate::api::tests::{self, location, FileError, FileResults};
use crate::run::device::Agreement;
use crate::run::session::{self, Probed};
use crate::sbtest;

pub fn run(args: &TestArgs, out: &mut Output) -> Result<ExitStatus, AppError> {
    if args.on_device && !cfg!(target_os = "macos") {
        return Err(AppError::Usage(
            "`sblint test --on-device` needs macOS (sandbox-exec); without it, `sblint test` answers statically".into(),
        ));
    }
    let files = discover(&args.paths)?;
    if args.profile.as_deref() == Some(Path::new("-")) && files.len() > 1 {
        return Err(AppError::Usage(format!(
            "`--profile -` reads one profile from stdin, for one test file; {} were found",
            files.len()
        )));
    }
    let mut errors = Vec::new();
    let mut results: Vec<FileResults> = Vec::new();
    for path in files {
        match run_file(&path, args) {
            Ok(r) => results.push(r),
            Err(mut errs) => errors.append(&mut errs),
        }
    }
    let device = if args.on_device {
        on_device(&results, &mut errors)
    } else {
        Vec::new()
    };
    // A JSON result without the files that could not be used would read as a pass.
    if args.format == TestFormat::Json && !errors.is_empty() {
        return Err(AppError::Several(errors));
    }
    let mut text = match args.format {
        TestFormat::Human => {
            let color = out.is_terminal() && std::env::var_os("NO_COLOR").is_none();
            tests::human(&results, args.verbose, color)
        }
        TestFormat::Json => tests::to_json(
            &results,
            args.on_device.then(|| device_json(&results, &device)),
        ),
        TestFormat::Junit => tests::junit(&results),
    };
    if args.on_device && args.format == TestFormat::Human {
        text.push_str(&device_human(&results, &device));
    }
    if let Err(err) = out.print(&text) {
        errors.push(err);
    }
    let failed = results.iter().any(|r| r.outcomes.iter().any(|o| !o.passed))
        || device
            .iter()
            .any(|d| d.probed.agreement == Agreement::Disagrees);
    match AppError::all(errors) {
        Some(error) => Err(error),
        None if failed => Ok(ExitStatus::Findings),
        None => Ok(ExitStatus::Clean),
    }
}

/// One probe run on the device, for a file of the results.
struct DeviceResult {
    file: usize,
    probed: Probed,
}

/// Runs every probe of every file under `sandbox-exec` with the file's profile compiled
/// (its params baked in).
fn on_device(results: &[FileResults], errors: &mut Vec<AppError>) -> Vec<DeviceResult> {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe.display().to_string(),
        Err(e) => {
            errors.push(AppError::Usage(format!(
                "cannot find sblint's own binary: {e}"
            )));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (file, r) in results.iter().enumerate() {
        let compiled = crate::compile::compile(r.loaded.model(), &r.loaded.sources())
            .map_err(|e| format!("cannot run `{}` on the device: {e}", r.file.path.display()));
        let failures: Vec<Option<&sbtest::Failure>> =
            r.outcomes.iter().map(|o| o.failure.as_ref()).collect();
        let probed = compiled.and_then(|text| {
            session::run_probes(
                &text,
                &exe,
                &r.file,
                r.loaded.answering().model(),
                &failures,
            )
            .map_err(|e| format!("cannot write the compiled profile: {e}"))
        });
        match probed {
            Ok(list) => out.extend(list.into_iter().map(|probed| DeviceResult { file, probed })),
            Err(message) => errors.push(AppError::Usage(message)),
        }
    }
    out
}

fn device_json(results: &[FileResults], device: &[DeviceResult]) -> Vec<serde_json::Value> {
    device
        .iter()
        .map(|d| {
            json!({
                "file": results[d.file].file.path.display().to_string(),
                "operation": d.probed.check.operation,
                "argument": d.probed.check.argument,
                "expected": d.probed.check.expected.as_str(),
                "outcome": d.probed.outcome.text(),
                "agreement": match d.probed.agreement {
                    Agreement::Agrees => "agrees",
                    Agreement::Disagrees => "disagrees",
                    Agreement::Inconclusive => "inconclusive",
                },
            })
        })
        .collect()
}

fn device_human(results: &[FileResults], device: &[DeviceResult]) -> String {
    let mut out = String::new();
    let count = |a: Agreement| device.iter().filter(|d| d.probed.agreement == a).count();
    for d in device
        .iter()
        .filter(|d| d.probed.agreement != Agreement::Agrees)
    {
        let r = &results[d.file];
        let a = &r.file.assertions[d.probed.check.assertion];
        let word = if d.probed.agreement == Agreement::Disagrees {
            "DISAGREES"
        } else {
            "INCONCLUSIVE"
        };
        out.push_str(&format!(
            "DEVICE {word} {}: {} `{}`: sblint says {}, the kernel answered {}\n",
            location(&r.file, a),
            d.probed.check.operation,
            d.probed.check.argument,
            d.probed.check.expected.as_str(),
            d.probed.outcome.text()
        ));
    }
    out.push_str(&format!(
        "on the device: {} agree, {} disagree, {} inconclusive\n",
        count(Agreement::Agrees),
        count(Agreement::Disagrees),
        count(Agreement::Inconclusive)
    ));
    out
}

fn run_file(path: &Path, args: &TestArgs) -> Result<FileResults, Vec<AppError>> {
    let (file, profile) =
        tests::read_file(path, args.profile.as_deref()).map_err(|error| match error {
            FileError::Usage(message) => vec![AppError::Usage(message)],
            FileError::Source(list) => list.into_iter().map(AppError::from).collect(),
        })?;
    let overrides = file_overrides(&file, &args.model).map_err(|e| vec![e])?;
    tests::run(file, &profile, overrides).map_err(|e| vec![e.into()])
}

/// The settings a test file's profile is evaluated with: the flags', with the file's own
/// preludes, params (which win over `--param`) and macOS.
pub(super) fn file_overrides(
    file: &sbtest::TestFile,
    model: &super::args::ModelArgs,
) -> Result<crate::workspace::Overrides, AppError> {
    let overrides = model.overrides(&file.preludes, &[], &[])?;
    Ok(tests::file_overrides(file, overrides))
}

/// The test files: those named, and every `*.sbtest.toml` under the directories given
/// (the current one when none is), hidden and ignored ones skipped, sorted.
fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, AppError> {
    let roots: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let mut found = Vec::new();
    for root in &roots {
        if root.is_file() {
            found.push(root.clone());
            continue;
        }
        if !root.exists() {
            return Err(AppError::Usage(format!(
                "`{}` does not exist",
                root.display()
            )));
        }
        let before = found.len();
        for entry in ignore::WalkBuilder::new(root).build() {
            let entry = entry.map_err(|e| AppError::Usage(e.to_string()))?;
            if entry.file_type().is_some_and(|t| t.is_file()) && sbtest::is_test_file(entry.path())
            {
                found.push(entry.path().to_path_buf());
            }
        }
        found[before..].sort();
        if found.len() == before {
            return Err(AppError::Usage(format!(
                "no test files (*{}) found under `{}`",
                sbtest::SUFFIX,
                root.display()
            )));
        }
    }
    Ok(found)
}
