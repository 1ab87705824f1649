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
    let mut out = String::new();
    for report in reports {
        let file = SimpleFile::new(report.path.as_str(), report.text.as_str());
        for d in &report.diagnostics {
            let mut buffer = buffer(color);
            // Spans are clamped to the text, so rendering cannot fail on a missing range.
            match Excerpt::cut(report, d) {
                Some(excerpt) => {
                    let diagnostic = to_codespan(d, |range| excerpt.map(range));
                    let _ = term::emit_to_write_style(&mut buffer, &config, &excerpt, &diagnostic);
                }
                None => {
                    let diagnostic = to_codespan(d, |range| clamp(range, &report.text));
                    let _ = term::emit_to_write_style(&mut buffer, &config, &file, &diagnostic);
                }
            }
            let text = String::from_utf8_lossy(buffer.as_slice());
            // codespan calls its lowest severity "note"; sblint's is "info" everywhere.
            if d.severity == Severity::Info {
                out.push_str(&text.replacen("note[", "info[", 1));
            } else {
                out.push_str(&text);
            }
        }
    }
    out
}

fn to_codespan(
    d: &crate::diagnostic::Diagnostic,
    range: impl Fn(std::ops::Range<usize>) -> std::ops::Range<usize>,
) -> CsDiagnostic<()> {
    let severity = match d.severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Info => CsSeverity::Note,
    };
    let mut labels =
        vec![Label::primary((), range(d.primary.span.range())).with_message(&d.primary.message)];
    labels.extend(
        d.secondary
            .iter()
            .map(|l| Label::secondary((), range(l.span.range())).with_message(&l.message)),
    );
    let mut notes: Vec<String> = d.notes.iter().map(|n| format!("note: {n}")).collect();
    if let Some(fix) = &d.fix {
        notes.push(format!("fix ({}): {}", applicability(fix), fix.message));
    }
    CsDiagnostic::new(severity)
        .with_code(format!("{}/{}", d.code, d.name))
        .with_message(&d.message)
        .with_labels(labels)
        .with_notes(notes)
}

/// Lines longer than this are cut around the labels (a minified profile is one line).
const LONG_LINE: usize = 240;
/// Bytes kept on each side of the labels of a cut line, and of a label itself.
const CONTEXT: usize = 60;
const LABEL: usize = 160;

/// The lines of a file a diagnostic's labels start or end on, long ones cut around the
/// labels, as codespan's files: line and column numbers stay those of the file.
struct Excerpt<'a> {
    name: &'a str,
    original: &'a str,
    text: String,
    lines: Vec<ExcerptLine>,
}

struct ExcerptLine {
    /// 0-based line of the file.
    line: usize,
    /// Where the line starts in the file, and its kept part.
    start: usize,
    kept: std::ops::Range<usize>,
    /// Where the kept part starts in the excerpt (after a `…`, if cut).
    at: usize,
    /// The line's range in the excerpt.
    range: std::ops::Range<usize>,
}

impl<'a> Excerpt<'a> {
    /// `None` when no line the labels touch is long: codespan gets the file as it is.
    fn cut(report: &'a FileReport, d: &crate::diagnostic::Diagnostic) -> Option<Excerpt<'a>> {
        let text = report.text.as_str();
        let spans: Vec<std::ops::Range<usize>> = std::iter::once(&d.primary)
            .chain(&d.secondary)
            .map(|l| clamp(l.span.range(), text))
            .collect();
        let bounds = |offset: usize| {
            let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
            start..end
        };
        let mut lines: Vec<std::ops::Range<usize>> = Vec::new();
        for span in &spans {
            for offset in [span.start, span.end] {
                let line = bounds(offset);
                if !lines.iter().any(|l| l.start == line.start) {
                    lines.push(line);
                }
            }
        }
        if lines.iter().all(|l| l.len() <= LONG_LINE) {
            return None;
        }
        lines.sort_by_key(|l| l.start);
        let lines = lines.into_iter().map(|l| {
            let line = report.line_col(l.start as u32).line as usize - 1;
            (line, l)
        });
        let mut excerpt = Excerpt {
            name: report.path.as_str(),
            original: text,
            text: String::new(),
            lines: Vec::new(),
        };
        for (line, range) in lines {
            let kept = if range.len() <= LONG_LINE {
                range.clone()
            } else {
                let inside = |o: usize| (range.start..=range.end).contains(&o);
                let points: Vec<usize> = spans
                    .iter()
                    .flat_map(|s| [s.start, s.end])
                    .filter(|&o| inside(o))
                    .collect();
                let lo = points.iter().copied().min().unwrap_or(range.start);
                let hi = points
                    .iter()
                    .copied()
                    .max()
                    .unwrap_or(range.start)
                    .min(lo + LABEL);
                let start = floor(text, lo.saturating_sub(CONTEXT).max(range.start));
                let end = floor(text, (hi + CONTEXT).min(range.end));
                start..end
            };
            let start = excerpt.text.len();
            if kept.start > range.start {
                excerpt.text.push('…');
            }
            let at = excerpt.text.len();
            excerpt.text.push_str(&text[kept.clone()]);
            if kept.end < range.end {
                excerpt.text.push('…');
            }
            let end = excerpt.text.len();
            excerpt.text.push('\n');
            excerpt.lines.push(ExcerptLine {
                line,
                start: range.start,
                kept,
                at,
                range: start..end,
            });
        }
        Some(excerpt)
    }

    /// A range of the file as a range of the excerpt (cut to the kept parts).
    fn map(&self, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
        let range = clamp(range, self.original);
        let one = |offset: usize| {
            let line = self
                .lines
                .iter()
                .rev()
                .find(|l| l.start <= offset)
                .unwrap_or(&self.lines[0]);
            let inside = offset.clamp(line.kept.start, line.kept.end);
            line.at + (inside - line.kept.start)
        };
        let (start, end) = (one(range.start), one(range.end));
        start..end.max(start)
    }

    fn line(&self, index: usize) -> Result<&ExcerptLine, codespan_reporting::files::Error> {
        self.lines
            .get(index)
            .ok_or(codespan_reporting::files::Error::LineTooLarge {
                given: index,
                max: self.lines.len().saturating_sub(1),
            })
    }
}

impl<'a> codespan_reporting::files::Files<'a> for Excerpt<'_> {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, codespan_reporting::files::Error> {
        Ok(self.name)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, codespan_reporting::files::Error> {
        Ok(&self.text)
    }

    fn line_index(
        &'a self,
        (): (),
        byte: usize,
    ) -> Result<usize, codespan_reporting::files::Error> {
        Ok(self
            .lines
            .iter()
            .rposition(|l| l.range.start <= byte)
            .unwrap_or(0))
    }

    fn line_number(
        &'a self,
        (): (),
        index: usize,
    ) -> Result<usize, codespan_reporting::files::Error> {
        Ok(self.line(index)?.line + 1)
    }

    fn column_number(
        &'a self,
        (): (),
        index: usize,
        byte: usize,
    ) -> Result<usize, codespan_reporting::files::Error> {
        let line = self.line(index)?;
        let before = self.original[line.start..line.kept.start].chars().count();
        let byte = floor(&self.text, byte.clamp(line.at, line.range.end));
        Ok(before + self.text[line.at..byte].chars().count() + 1)
    }

    fn line_range(
        &'a self,
        (): (),
        index: usize,
    ) -> Result<std::ops::Range<usize>, codespan_reporting::files::Error> {
        let line = self.line(index)?;
        Ok(line.range.start..line.range.end + 1)
    }
}

/// The nearest character boundary at or before `i`.
fn floor(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
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

    fn diagnostic(
        code: &'static str,
        severity: Severity,
        span: crate::syntax::Span,
    ) -> crate::diagnostic::Diagnostic {
        crate::diagnostic::Diagnostic {
            code,
            name: "a-rule",
            severity,
            message: "a message".into(),
            primary: crate::diagnostic::Label::new(span, "here"),
            secondary: Vec::new(),
            notes: Vec::new(),
            fix: None,
        }
    }

    #[test]
    fn a_long_line_is_cut_around_the_span_and_keeps_its_columns() {
        let line = format!(
            "(version 1)(allow file-read* {}(literal \"/tmp/x\"))",
            " ".repeat(100_000)
        );
        let at = line.find("\"/tmp/x\"").unwrap();
        let span = crate::syntax::Span::new(at as u32, at as u32 + 8);
        let d = diagnostic("SB201", Severity::Warning, span);
        let report = FileReport::new("long.sb", line, vec![d]);
        let text = render_human(std::slice::from_ref(&report), false);
        assert!(text.len() < 1_000, "{} bytes:\n{text}", text.len());
        assert!(text.contains(&format!("long.sb:1:{}", at + 1)), "{text}");
        assert!(text.contains("…"), "{text}");
        assert!(text.contains("(literal \"/tmp/x\")"), "{text}");
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots/cli"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!("human_long_line_cut", text);
        });
    }

    #[test]
    fn the_lowest_severity_is_info_in_human_output_too() {
        let d = diagnostic("SB303", Severity::Info, crate::syntax::Span::new(0, 15));
        let report = FileReport::new("a.sb", "(allow default)\n".into(), vec![d]);
        let text = render_human(std::slice::from_ref(&report), false);
        assert!(text.starts_with("info[SB303/"), "{text}");
    }

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
