//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding.

use std::fmt::Write;

use crate::diagnostic::{FileReport, Severity};

// GitHub's workflow-command escaping is a fixed table of five characters that leaves
// every other byte, UTF-8 included, as it is; the `percent-encoding` crate always encodes
// non-ASCII bytes, so it cannot write this table.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for report in reports {
        for d in &report.diagnostics {
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let start = report.line_col(d.primary.span.start);
            let end = report.line_col(d.primary.span.end);
            let _ = writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                escape_property(report.path.strip_prefix("./").unwrap_or(&report.path)),
                start.line,
                start.col,
                end.line,
                end.col,
                escape_property(&format!("{} ({})", d.code, d.name)),
                escape_data(&d.message)
            );
        }
    }
    out
}
