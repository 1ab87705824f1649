//! `sblint rule [CODE]`

use super::args::RuleArgs;
use super::error::AppError;
use super::output::Output;
use super::ExitStatus;
use crate::lint::{RuleId, RULES};

pub fn run(args: &RuleArgs, out: &mut Output) -> Result<ExitStatus, AppError> {
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
            out.print(&list)?;
            Ok(ExitStatus::Clean)
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
                out.print(&text)?;
                Ok(ExitStatus::Clean)
            }
            None => Err(crate::lint::UnknownRule {
                selector: code.clone(),
                suggestion: RuleId::suggest(code),
            }
            .into()),
        },
    }
}
