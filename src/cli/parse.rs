//! `sblint parse --tree FILE`

use super::args::ParseArgs;
use super::error::AppError;
use super::output::Output;
use super::ExitStatus;
use crate::lint;
use crate::syntax::{dump_tree, parse};
use crate::workspace::{inputs, Input};

pub fn run(args: &ParseArgs, out: &mut Output) -> Result<ExitStatus, AppError> {
    let input = if args.file.as_os_str() == "-" {
        Input::Stdin
    } else {
        Input::File(args.file.clone())
    };
    let bytes = inputs::read(&input)?;
    let text = lint::decode(bytes).map_err(|e| AppError::Usage(e.diagnostic.message))?;
    let tree = parse(text);
    out.print(&dump_tree(&tree))?;
    Ok(if tree.has_errors() {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    })
}
