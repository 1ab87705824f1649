//! `sblint explain PROFILE OPERATION [ARGUMENT]`

use super::args::{Expected, ExplainArgs, ExplainFormat};
use super::error::AppError;
use super::evaluate::load_for_explain;
use super::output::Output;
use super::ExitStatus;
use crate::api::Profile as Loaded;
use crate::model::Action;
use crate::workspace::{inputs, Input};

/// One decision (`--outside`/`--within` ask the decision sets instead: `cli/sets.rs`,
/// chosen in `cli/mod.rs`).
pub fn run(args: &ExplainArgs, out: &mut Output) -> Result<ExitStatus, AppError> {
    let color = super::args::ColorArg::Auto.enabled(out.is_terminal());
    let (text, met) = answer(args, color)?;
    out.print(&text)?;
    // `--expect`: 1 when the decision is another, or the profile fails to load.
    Ok(if met {
        ExitStatus::Clean
    } else {
        ExitStatus::Findings
    })
}

/// The answer, and whether it is what `--expect` expects (true without `--expect`).
fn answer(args: &ExplainArgs, color: bool) -> Result<(String, bool), AppError> {
    let loaded = load_for_explain(&args.profile, &args.load)?;
    let cwd = std::env::current_dir().unwrap_or_default();
    if let Some(log) = &args.log {
        return Ok((audit(&loaded, log, &cwd)?, true));
    }
    let operation = args.operation.as_deref().unwrap_or_default();
    let explanation = loaded.explanation(operation, args.argument.as_deref())?;
    let met = args.expect.is_none_or(|expected| {
        let wanted = match expected {
            Expected::Allow => Action::Allow,
            Expected::Deny => Action::Deny,
        };
        loaded.loads() && explanation.action == wanted
    });
    let text = match args.format {
        ExplainFormat::Json => {
            let value = serde_json::to_value(loaded.decision(&explanation)).unwrap_or_default();
            let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
            text.push('\n');
            text
        }
        ExplainFormat::Human => loaded.explanation_text(&explanation, color, true),
    };
    Ok((text, met))
}

/// `--log`: each denial explained, then the narrowest rules that would allow them,
/// grouped by operation, as SBPL ready to paste (audit2allow for SBPL).
fn audit(
    loaded: &Loaded,
    log: &std::path::Path,
    cwd: &std::path::Path,
) -> Result<String, AppError> {
    let input = if log.as_os_str() == "-" {
        Input::Stdin
    } else {
        Input::File(log.to_path_buf())
    };
    let bytes = inputs::read(&input)?;
    Ok(crate::api::audit_text::audit(
        loaded,
        &String::from_utf8_lossy(&bytes),
        cwd,
    ))
}
