//! Turns PATHS into the files to check: files as named, directories walked.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::error::AppError;

/// One profile to check.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    File(PathBuf),
    Stdin,
}

/// Expands directories into their `*.sb`/`*.sbpl` files (honouring `.gitignore` and hidden
/// files as git does), keeps named files whatever their extension, and sorts the result
/// so that output order does not depend on the file system.
pub fn collect(paths: &[PathBuf], errors: &mut Vec<AppError>) -> Vec<Input> {
    let mut inputs = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else if path.is_dir() {
            walk(path, &mut inputs, errors);
        } else if path.exists() {
            inputs.push(Input::File(path.clone()));
        } else {
            errors.push(AppError::MissingPath { path: path.clone() });
        }
    }
    inputs.sort();
    inputs.dedup();
    inputs
}

fn walk(dir: &Path, inputs: &mut Vec<Input>, errors: &mut Vec<AppError>) {
    let walker = ignore::WalkBuilder::new(dir)
        .standard_filters(true)
        .require_git(false)
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let path = entry.path();
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if is_file && is_profile(path) {
                    inputs.push(Input::File(path.to_path_buf()));
                }
            }
            Err(err) => errors.push(AppError::Walk {
                path: dir.to_path_buf(),
                message: err.to_string(),
            }),
        }
    }
}

pub fn is_profile(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("sb" | "sbpl")
    )
}

pub fn read(input: &Input) -> Result<Vec<u8>, AppError> {
    match input {
        Input::File(path) => std::fs::read(path).map_err(|source| AppError::Read {
            path: path.clone(),
            source,
        }),
        Input::Stdin => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|source| AppError::Read {
                    path: PathBuf::from("-"),
                    source,
                })?;
            Ok(bytes)
        }
    }
}

/// The path shown in findings.
pub fn display_name(input: &Input, stdin_filename: Option<&str>) -> String {
    match input {
        Input::File(path) => path.display().to_string(),
        Input::Stdin => stdin_filename.unwrap_or("-").to_string(),
    }
}
