//! One line per finding, for vim's quickfix (`%f:%l:%c: %m`), emacs and VS Code matchers.

use std::fmt::Write;

use crate::diagnostic::FileReport;

pub fn render(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for report in reports {
        for d in &report.diagnostics {
            let at = report.line_col(d.primary.span.start);
            let _ = writeln!(
                out,
                "{}:{}:{}: {}[{}]: {}",
                report.path,
                at.line,
                at.col,
                d.severity.as_str(),
                d.code,
                d.message
            );
        }
    }
    out
}
