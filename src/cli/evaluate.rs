//! Loading the profile a command names, with its preludes and settings, through the
//! library's one loader ([`Profile`]).

use std::path::Path;

use super::args::LoadArgs;
use super::error::AppError;
use crate::api::Profile;

/// Reads, parses and evaluates `profile` with the command line's options over
/// `sblint.toml`; a syntax error or an import that fails is bad input.
pub fn load(profile: &Path, args: &LoadArgs) -> Result<Profile, AppError> {
    load_with(profile, args.overrides(&[], &[])?)
}

/// [`load`] for `explain`: the model has the rules libsandbox adds by itself, and an import
/// that cannot be read (Apple's `/System/Library/Sandbox/Profiles/bsd.sb` off a Mac) is no
/// error: the answer is what the rules it can read decide, marked conditional on it.
pub fn load_for_explain(profile: &Path, args: &LoadArgs) -> Result<Profile, AppError> {
    load_inner(profile, args.overrides(&[], &[])?, true)
}

/// [`load`] with the settings given directly (a test file's params, preludes and macOS).
pub fn load_with(
    profile: &Path,
    overrides: crate::workspace::Overrides,
) -> Result<Profile, AppError> {
    load_inner(profile, overrides, false)
}

fn load_inner(
    profile: &Path,
    overrides: crate::workspace::Overrides,
    explain: bool,
) -> Result<Profile, AppError> {
    Ok(Profile::load_path(profile, overrides, explain)?)
}
