//! `sblint rule [CODE]`

use super::args::RuleArgs;
use super::error::{report_all, AppError};
use super::output;
use super::ExitStatus;
use crate::lint::{rule_by_code, RULES};

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
        Some(code) => match rule_by_code(code) {
            Some(rule) => {
                let m = &rule.meta;
                let text = format!(
                    "# {} {} ({})\n\n{}",
                    m.code,
                    m.name,
                    m.severity.as_str(),
                    m.doc
                );
                finish(output::print(&text))
            }
            None => {
                report_all(vec![AppError::UnknownRule { code: code.clone() }]);
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
