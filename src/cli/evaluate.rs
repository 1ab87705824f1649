//! Loading the profile a command names, with its preludes and settings, through the
//! library's one loader ([`Profile`]).

use std::path::Path;

use super::args::LoadArgs;
use super::error::AppError;
use crate::api::Profile;
use crate::workspace::Input;

/// Reads, parses and evaluates `profile` with the command line's options over
/// `sblint.toml`; a syntax error or an import that fails is bad input.
pub fn load(profile: &Path, args: &LoadArgs) -> Result<Profile, AppError> {
    load_with(profile, args.overrides(&[], &[])?)
}

/// [`load`] with the settings given directly (a test file's params, preludes and macOS).
pub fn load_with(
    profile: &Path,
    overrides: crate::workspace::Overrides,
) -> Result<Profile, AppError> {
    let input = if profile.as_os_str() == "-" {
        Input::Stdin
    } else {
        Input::File(profile.to_path_buf())
    };
    Ok(Profile::load_input(&input, overrides)?)
}
