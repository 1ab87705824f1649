//! The human format: codespan-reporting excerpts.

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor::Buffer, Config};

use crate::diagnostic::{FileReport, Severity};

pub fn render_human(reports: &[FileReport], color: bool) -> String {
    let config = Config::default();
    let mut buffer = if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    for report in reports {
        let file = SimpleFile::new(report.path.as_str(), report.text.as_str());
        for d in &report.diagnostics {
            let severity = match d.severity {
                Severity::Error => CsSeverity::Error,
                Severity::Warning => CsSeverity::Warning,
                Severity::Info => CsSeverity::Note,
            };
            let mut labels = vec![
                Label::primary((), clamp(d.primary.span.range(), &report.text))
                    .with_message(&d.primary.message),
            ];
            labels.extend(d.secondary.iter().map(|l| {
                Label::secondary((), clamp(l.span.range(), &report.text)).with_message(&l.message)
            }));
            let mut notes: Vec<String> = d.notes.iter().map(|n| format!("note: {n}")).collect();
            if let Some(fix) = &d.fix {
                notes.push(format!("fix ({}): {}", applicability(fix), fix.message));
            }
            let diagnostic = CsDiagnostic::new(severity)
                .with_code(format!("{}/{}", d.code, d.name))
                .with_message(&d.message)
                .with_labels(labels)
                .with_notes(notes);
            // Spans are clamped to the text, so rendering cannot fail on a missing range.
            let _ = term::emit_to_write_style(&mut buffer, &config, &file, &diagnostic);
        }
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

fn applicability(fix: &crate::diagnostic::Fix) -> &'static str {
    match fix.applicability {
        crate::diagnostic::Applicability::Safe => "safe",
        crate::diagnostic::Applicability::Unsafe => "unsafe",
    }
}

/// Keeps a range inside the text and on character boundaries.
fn clamp(range: std::ops::Range<usize>, text: &str) -> std::ops::Range<usize> {
    let fix = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    fix(range.start)..fix(range.end)
}
