//! `sblint new --preset NAME [--project DIR] [--allow-host HOST:PORT]... [--read DIR]...
//! [--write DIR]... [-o FILE]`

use std::path::PathBuf;

use super::args::NewArgs;
use super::error::AppError;
use super::output::{self, Output};
use super::ExitStatus;
use crate::new::{generate, Options, Preset};

pub fn run(args: &NewArgs, out: &mut Output) -> Result<ExitStatus, AppError> {
    out.print(&write(args)?)?;
    Ok(ExitStatus::Clean)
}

/// The test file's path beside `profile`: `dir/name.sb` → `dir/name.sbtest.toml`.
pub fn test_path(profile: &std::path::Path) -> PathBuf {
    let stem = profile
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "profile".into());
    profile.with_file_name(format!("{stem}.sbtest.toml"))
}

fn write(args: &NewArgs) -> Result<String, AppError> {
    let preset: Preset = args.preset.parse().map_err(AppError::New)?;
    let profile_path = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.sb", preset.name())));
    let test_path = test_path(&profile_path);
    let file_name = profile_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("{}.sb", preset.name()));
    let generated = generate(&Options {
        preset,
        project: args.project.clone(),
        allow_hosts: args.allow_hosts.clone(),
        read: args.read.clone(),
        write: args.write.clone(),
        file_name,
        home: args.home.clone(),
        tmpdir: args.tmpdir.clone(),
    })
    .map_err(|e| AppError::Usage(e.0))?;
    for path in [&profile_path, &test_path] {
        if path.exists() && !args.force {
            return Err(AppError::Usage(format!(
                "`{}` exists (use --force to replace it)",
                path.display()
            )));
        }
    }
    output::write_atomically(&profile_path, generated.profile.as_bytes())?;
    output::write_atomically(&test_path, generated.test.as_bytes())?;
    Ok(format!(
        "wrote {} and {}\nrun a program under it with:\n  {}\n",
        profile_path.display(),
        test_path.display(),
        generated.command
    ))
}
