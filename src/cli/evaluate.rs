//! Loading the profile a command names, with its preludes and settings, through the
//! library's one loader ([`Profile`]).

use std::path::{Path, PathBuf};

use super::args::ModelArgs;
use super::error::AppError;
use crate::api::Profile;
use crate::workspace::Input;

/// Reads, parses and evaluates `profile` with the command line's options over
/// `sblint.toml`; a syntax error or an import that fails is bad input.
pub fn load(profile: &Path, preludes: &[PathBuf], args: &ModelArgs) -> Result<Profile, AppError> {
    let overrides = args.overrides(preludes, &[], &[])?;
    let input = if profile.as_os_str() == "-" {
        Input::Stdin
    } else {
        Input::File(profile.to_path_buf())
    };
    Ok(Profile::load_input(&input, overrides)?)
}
