//! The human format: codespan-reporting excerpts, for findings and for `explain`'s notes
//! (the one place that renders source excerpts).

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::{SimpleFile, SimpleFiles};
use codespan_reporting::term::{self, termcolor::Buffer, Config};

use crate::diagnostic::{FileReport, Severity};

fn buffer(color: bool) -> Buffer {
    if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    }
}

/// A labelled span of one of a note's files.
#[derive(Clone, Debug)]
pub struct Mark {
    /// Index into the note's files.
    pub file: usize,
    pub range: std::ops::Range<usize>,
    pub message: String,
    pub primary: bool,
}

/// A note with excerpts of several files (`explain`'s deciding rule and the rules it
/// overrides): `files` are `(name, text)`.
pub fn render_note(message: &str, files: &[(&str, &str)], marks: &[Mark], color: bool) -> String {
    let mut simple = SimpleFiles::new();
    for (name, text) in files {
        simple.add(*name, *text);
    }
    let labels = marks
        .iter()
        .map(|m| {
            let label = if m.primary {
                Label::primary
            } else {
                Label::secondary
            };
            label(m.file, clamp(m.range.clone(), files[m.file].1)).with_message(&m.message)
        })
        .collect();
    let diagnostic = CsDiagnostic::new(CsSeverity::Note)
        .with_message(message)
        .with_labels(labels);
    let mut buffer = buffer(color);
    let _ = term::emit_to_write_style(&mut buffer, &Config::default(), &simple, &diagnostic);
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

pub fn render_human(reports: &[FileReport], color: bool) -> String {
    let config = Config::default();
    let mut buffer = buffer(color);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_shows_each_file_under_its_name_with_its_labels() {
        let files = [
            ("prelude.sb", "(deny default)\n"),
            ("main.sb", "(version 1)\n(allow file-read*)\n"),
        ];
        let marks = [
            Mark {
                file: 1,
                range: 12..30,
                message: "allow: this rule decides".into(),
                primary: true,
            },
            Mark {
                file: 0,
                range: 0..14,
                message: "deny: matches too".into(),
                primary: false,
            },
            // Out of range: clamped, not a panic.
            Mark {
                file: 0,
                range: 10..99,
                message: "clamped".into(),
                primary: false,
            },
        ];
        let text = render_note("deciding rule", &files, &marks, false);
        assert!(text.starts_with("note: deciding rule\n"), "{text}");
        for needle in [
            "main.sb:2:1",
            "prelude.sb:1:1",
            "allow: this rule decides",
            "deny: matches too",
            "clamped",
        ] {
            assert!(text.contains(needle), "{needle} missing in:\n{text}");
        }
    }
}
