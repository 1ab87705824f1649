//! `sblint rule [CODE]`

use super::args::RuleArgs;
use super::error::{report_all, AppError};
use super::output;
use super::ExitStatus;
use crate::lint::{RuleId, RULES};

pub fn run(args: &RuleArgs) -> ExitStatus {
    match &args.code {
        None => {
            let list: String = RULES
                .iter()
                .map(|rule| {
                    let m = &rule.meta;
                    format!(
                        "{}  {:<28} {:<8} {}\n",
                        m.code,
                        m.name,
                        m.severity.as_str(),
                        m.summary
                    )
                })
                .collect();
            finish(output::print(&list))
        }
        Some(code) => match RuleId::from_code(code) {
            Some(id) => {
                let m = id.meta();
                let text = format!(
                    "# {} {} ({})\n\n{}\n{}\n",
                    m.code,
                    m.name,
                    m.severity.as_str(),
                    id.printed_doc().trim_end(),
                    id.help_uri()
                );
                finish(output::print(&text))
            }
            None => {
                report_all(vec![AppError::Usage(RuleId::unknown_selector_message(
                    code,
                    RuleId::suggest(code),
                ))]);
                ExitStatus::Error
            }
        },
    }
}

fn finish(result: Result<(), AppError>) -> ExitStatus {
    match result {
        Ok(()) => ExitStatus::Clean,
        Err(err) => {
            report_all(vec![err]);
            ExitStatus::Error
        }
    }
}
