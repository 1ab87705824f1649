//! `sblint rule [CODE]`

use super::args::RuleArgs;
use super::error::{report_all, AppError};
use super::ExitStatus;
use crate::lint::{rule_by_code, RULES};

pub fn run(args: &RuleArgs) -> ExitStatus {
    match &args.code {
        None => {
            for rule in RULES {
                let m = &rule.meta;
                println!(
                    "{}  {:<28} {:<8} {}",
                    m.code,
                    m.name,
                    m.severity.as_str(),
                    m.summary
                );
            }
            ExitStatus::Clean
        }
        Some(code) => match rule_by_code(code) {
            Some(rule) => {
                let m = &rule.meta;
                println!("# {} {} ({})\n", m.code, m.name, m.severity.as_str());
                print!("{}", m.doc);
                ExitStatus::Clean
            }
            None => {
                report_all(vec![AppError::UnknownRule { code: code.clone() }]);
                ExitStatus::Error
            }
        },
    }
}
