//! `sblint new --preset NAME [--project DIR] [--allow-host HOST:PORT]... [--read DIR]...
//! [--write DIR]... [-o FILE]`

use std::path::PathBuf;

use clap::Args;

use super::error::AppError;
use super::output::{self, Output};
use super::ExitStatus;
use crate::new::{generate, Options, Preset};

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The kind of program: python, node, shell (an agent's command runner) or build
    #[arg(long, value_parser = ["python", "node", "shell", "build"])]
    pub preset: String,
    /// The project directory: the value the printed command and the test file use
    /// (default: the command passes `$(pwd -P)`, the test file an example path)
    #[arg(long, value_name = "DIR")]
    pub project: Option<String>,
    /// An endpoint to allow, `localhost:PORT` or `*:PORT` (repeatable; replaces the
    /// preset's local proxy)
    #[arg(long = "allow-host", value_name = "HOST:PORT")]
    pub allow_hosts: Vec<String>,
    /// Another directory to read (repeatable; relative = in the project)
    #[arg(long, value_name = "DIR")]
    pub read: Vec<String>,
    /// Another directory to write (repeatable; relative = in the project)
    #[arg(long, value_name = "DIR")]
    pub write: Vec<String>,
    /// The profile to write; the test file goes beside it as `NAME.sbtest.toml`
    /// (default: `PRESET.sb` in the current directory)
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The home the test file and the command use (default: `$HOME` in the command, an
    /// example in the test file)
    #[arg(long, value_name = "DIR")]
    pub home: Option<String>,
    /// The resolved per-user temporary directory the test file and the command use
    /// (default: the command resolves `getconf DARWIN_USER_TEMP_DIR`, the test file an
    /// example)
    #[arg(long, value_name = "DIR")]
    pub tmpdir: Option<String>,
    /// Replace the files if they exist
    #[arg(long)]
    pub force: bool,
}

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
