//! A JSON array of findings; the keys are documented in the book (docs/src/output-formats.md) and stable.

use serde::Serialize;

use crate::diagnostic::{Applicability, FileReport, Severity};

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    path: &'a str,
    code: &'a str,
    name: &'a str,
    severity: Severity,
    message: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    message: &'a str,
    applicability: Applicability,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    content: &'a str,
}

pub fn render(reports: &[FileReport]) -> String {
    let mut items = Vec::new();
    for report in reports {
        for d in &report.diagnostics {
            let start = report.line_col(d.primary.span.start);
            let end = report.line_col(d.primary.span.end);
            items.push(JsonDiagnostic {
                path: &report.path,
                code: d.code,
                name: d.name,
                severity: d.severity,
                message: &d.message,
                line: start.line,
                column: start.col,
                end_line: end.line,
                end_column: end.col,
                fix: d.fix.as_ref().map(|fix| JsonFix {
                    message: &fix.message,
                    applicability: fix.applicability,
                    edits: fix
                        .edits
                        .iter()
                        .map(|e| {
                            let (s, t) =
                                (report.line_col(e.span.start), report.line_col(e.span.end));
                            JsonEdit {
                                line: s.line,
                                column: s.col,
                                end_line: t.line,
                                end_column: t.col,
                                content: &e.content,
                            }
                        })
                        .collect(),
                }),
            });
        }
    }
    let mut text = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into());
    text.push('\n');
    text
}
