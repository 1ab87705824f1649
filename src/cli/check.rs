//! `sblint check`

use std::io::IsTerminal;

use super::args::CheckArgs;
use super::error::{report_all, AppError};
use super::inputs::{self, Input};
use super::output;
use super::ExitStatus;
use crate::diagnostic::Severity;
use crate::lint::{self, CheckOptions};
use crate::render;

pub fn run(args: &CheckArgs) -> ExitStatus {
    let mut errors = Vec::new();
    if args.paths.is_empty() {
        report_all(vec![AppError::Usage(
            "no paths given: `sblint PATHS...` (files, directories, or `-` for stdin)".into(),
        )]);
        return ExitStatus::Error;
    }
    let mut options = CheckOptions::default();
    for path in &args.preludes {
        match inputs::read(&Input::File(path.clone())) {
            Ok(bytes) => options
                .preludes
                .push(lint::load_prelude(path.display().to_string(), bytes)),
            Err(err) => errors.push(err),
        }
    }
    if !errors.is_empty() {
        let _ = report_all(errors);
        return ExitStatus::Error;
    }
    let files = inputs::collect(&args.paths, &mut errors);
    let mut reports = Vec::with_capacity(files.len());
    for input in &files {
        match inputs::read(input) {
            Ok(bytes) => {
                let name = inputs::display_name(input, args.stdin_filename.as_deref());
                reports.push(lint::check_bytes(&name, bytes, &options));
            }
            Err(err) => errors.push(err),
        }
    }
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut rendered = Vec::new();
    let written = render::render(&mut rendered, &reports, args.format, color)
        .map_err(AppError::Output)
        .and_then(|()| output::print(&String::from_utf8_lossy(&rendered)));
    if let Err(err) = written {
        report_all(vec![err]);
        return ExitStatus::Error;
    }
    if report_all(errors) {
        ExitStatus::Error
    } else if reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity != Severity::Info)
    {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    }
}
