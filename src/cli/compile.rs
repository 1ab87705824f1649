//! `sblint compile PROFILE`

use super::args::{CompileArgs, Emit};
use super::error::AppError;
use super::evaluate::load;
use super::output::{self, Output};
use super::ExitStatus;
use crate::fmt::{format_text, FormatOptions};

pub fn run(args: &CompileArgs, out: &mut Output) -> Result<ExitStatus, AppError> {
    let loaded = load(&args.profile, &args.load)?;
    let text = match args.emit {
        Emit::Sbpl => {
            let flat = loaded.compile()?;
            // The output goes through the formatter, like any profile.
            format_text(&flat, &FormatOptions::default()).map_err(|_| {
                AppError::Usage("internal error: the compiled profile does not parse".into())
            })?
        }
        Emit::Json => {
            let value = loaded.compile_json()?;
            let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
            text.push('\n');
            text
        }
    };
    match &args.output {
        Some(path) => output::write_atomically(path, text.as_bytes())?,
        None => out.print(&text)?,
    }
    Ok(ExitStatus::Clean)
}
