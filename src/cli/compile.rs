//! `sblint compile PROFILE`

use super::args::{CompileArgs, Emit};
use super::error::{report_all, AppError};
use super::evaluate::load;
use super::output;
use super::ExitStatus;
use crate::compile::{compile, compile_json};
use crate::fmt::{format_text, FormatOptions};

pub fn run(args: &CompileArgs) -> ExitStatus {
    match emit(args) {
        Ok(()) => ExitStatus::Clean,
        Err(err) => {
            report_all(vec![err]);
            ExitStatus::Error
        }
    }
}

fn emit(args: &CompileArgs) -> Result<(), AppError> {
    if args.emit == Emit::Json {
        super::error::output_for_programs();
    }
    let loaded = load(&args.profile, &args.load)?;
    let reasons = loaded.load_error_lines();
    if !reasons.is_empty() {
        // A flat copy of a profile `sandbox-exec` refuses would hide why.
        return Err(AppError::Usage(format!(
            "cannot compile `{}`: the profile fails to load: {}",
            loaded.name,
            reasons.join("; ")
        )));
    }
    let sources = loaded.sources();
    let refuse = |e: crate::compile::CompileError| {
        AppError::Usage(format!("cannot compile `{}`: {e}", loaded.name))
    };
    let text = match args.emit {
        Emit::Sbpl => {
            let flat = compile(&loaded.model, &sources).map_err(refuse)?;
            // The output goes through the formatter, like any profile.
            format_text(&flat, &FormatOptions::default()).map_err(|_| {
                AppError::Usage("internal error: the compiled profile does not parse".into())
            })?
        }
        Emit::Json => {
            let value = compile_json(&loaded.model, &sources).map_err(refuse)?;
            let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
            text.push('\n');
            text
        }
    };
    match &args.output {
        Some(path) => output::write_atomically(path, text.as_bytes()),
        None => output::print(&text),
    }
}
