//! `sblint fmt`: rewrite profiles in the canonical layout, or show what would change.

use std::io::{IsTerminal, Write};

use super::args::FmtArgs;
use super::error::AppError;
use super::output::{self, Output};
use super::ExitStatus;
use crate::api::formatting::parse_bytes;
use crate::diagnostic::FileReport;
use crate::fmt::{format_tree, FormatOptions};
use crate::render::{self, Format};
use crate::workspace::{inputs, Config, Input, WorkspaceError};

pub fn run(args: &FmtArgs, out: &mut Output) -> Result<ExitStatus, AppError> {
    if args.paths.is_empty() {
        return Err(AppError::Usage(
            "no paths given: `sblint fmt PATHS...` (files, directories, or `-` for stdin)".into(),
        ));
    }
    let mut errors = Vec::new();
    let files = args
        .exclude
        .collect(&args.paths, args.config.clone(), &mut errors, false)?;
    let mut status = ExitStatus::Clean;
    let (mut changed, mut unchanged) = (0usize, 0usize);
    for input in &files {
        match format_one(args, input, out) {
            Ok(Outcome::Unchanged) => unchanged += 1,
            Ok(Outcome::Changed) => {
                changed += 1;
                if args.check || args.diff {
                    status = ExitStatus::Findings;
                }
            }
            Ok(Outcome::SyntaxError) => status = ExitStatus::Findings,
            Err(err) => errors.push(err),
        }
    }
    let on_disk = files.iter().any(|i| matches!(i, Input::File(_)));
    if on_disk && !args.check && !args.diff {
        let _ = writeln!(
            std::io::stderr(),
            "{changed} file{} reformatted, {unchanged} unchanged",
            if changed == 1 { "" } else { "s" }
        );
    }
    match AppError::all(errors) {
        Some(error) => Err(error),
        None => Ok(status),
    }
}

enum Outcome {
    Unchanged,
    Changed,
    SyntaxError,
}

fn format_one(args: &FmtArgs, input: &Input, out: &mut Output) -> Result<Outcome, AppError> {
    let name = inputs::display_name(input, args.stdin_filename.as_deref());
    let tree = match parse_bytes(name.clone(), inputs::read(input)?) {
        Ok(tree) => tree,
        Err(report) => {
            show_syntax_errors(report);
            return Ok(Outcome::SyntaxError);
        }
    };
    let options = FormatOptions {
        line_width: line_width(args, input)?,
    };
    let formatted = format_tree(&tree, &options);
    let original = tree.text();
    if let Input::Stdin = input {
        if !args.check && !args.diff {
            out.print(&formatted)?;
        }
    }
    if formatted == original {
        return Ok(Outcome::Unchanged);
    }
    if args.diff {
        let diff = similar::TextDiff::from_lines(original, formatted.as_str());
        let text = diff
            .unified_diff()
            .context_radius(3)
            .header(&name, &name)
            .to_string();
        out.print(&text)?;
    } else if args.check {
        out.print(&format!("Would reformat: {name}\n"))?;
    } else if let Input::File(path) = input {
        output::write_atomically(path, formatted.as_bytes())?;
    }
    Ok(Outcome::Changed)
}

fn line_width(args: &FmtArgs, input: &Input) -> Result<usize, AppError> {
    if let Some(width) = args.line_width {
        return Ok(width);
    }
    let file = match input {
        Input::File(path) => Some(path.as_path()),
        Input::Stdin => None,
    };
    Ok(Config::line_width_for(args.config.as_deref(), file).map_err(WorkspaceError::from)?)
}

fn show_syntax_errors(report: FileReport) {
    let color = super::args::ColorArg::Auto.enabled(std::io::stderr().is_terminal());
    let mut stderr = std::io::stderr().lock();
    let _ = render::render(&mut stderr, &[report], Format::Human, color, &[]);
    let _ = writeln!(
        stderr,
        "sblint fmt: a file with syntax errors is never rewritten"
    );
}
