//! `sblint parse --tree FILE`

use super::args::ParseArgs;
use super::error::{report_all, AppError};
use super::output;
use super::ExitStatus;
use crate::lint;
use crate::syntax::{dump_tree, parse};
use crate::workspace::{inputs, Input};

pub fn run(args: &ParseArgs) -> ExitStatus {
    let input = if args.file.as_os_str() == "-" {
        Input::Stdin
    } else {
        Input::File(args.file.clone())
    };
    let bytes = match inputs::read(&input) {
        Ok(bytes) => bytes,
        Err(err) => {
            report_all(vec![err.into()]);
            return ExitStatus::Error;
        }
    };
    let text = match lint::decode(bytes) {
        Ok(text) => text,
        Err(e) => {
            report_all(vec![AppError::Usage(e.diagnostic.message)]);
            return ExitStatus::Error;
        }
    };
    let tree = parse(text);
    if let Err(err) = output::print(&dump_tree(&tree)) {
        report_all(vec![err]);
        return ExitStatus::Error;
    }
    if tree.has_errors() {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    }
}
