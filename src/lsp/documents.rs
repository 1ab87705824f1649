//! Open documents, and the diagnostics the linter finds in them, in protocol terms.

use std::collections::HashMap;
use std::path::PathBuf;

use lsp_types::{
    Diagnostic as LspDiagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Position, Range, Uri,
};

use crate::diagnostic::{FileReport, Severity};
use crate::lint::{self, CheckOptions};
use crate::syntax::Span;
use crate::workspace::{Input, Overrides, Settings};

#[derive(Default)]
pub struct Documents {
    texts: HashMap<Uri, String>,
    /// The options `sblint lsp` was started with.
    overrides: Overrides,
}

/// `file:///a/b%20c.sb` → `/a/b c.sb`.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&rest[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok().map(PathBuf::from)
}

pub fn path_to_uri(path: &std::path::Path) -> Option<Uri> {
    let mut text = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'.' | b'_' | b'~' => {
                text.push(b as char)
            }
            _ => text.push_str(&format!("%{b:02X}")),
        }
    }
    text.parse().ok()
}

impl Documents {
    pub fn new(overrides: Overrides) -> Documents {
        Documents {
            texts: HashMap::new(),
            overrides,
        }
    }

    pub fn open(&mut self, uri: Uri, text: String) {
        self.texts.insert(uri, text);
    }

    pub fn close(&mut self, uri: &Uri) {
        self.texts.remove(uri);
    }

    pub fn text(&self, uri: &Uri) -> Option<&str> {
        self.texts.get(uri).map(String::as_str)
    }

    /// The options `sblint check` would use for this document (its nearest sblint.toml).
    pub fn options(&self, uri: &Uri) -> CheckOptions {
        let Ok(mut settings) = Settings::new(self.overrides.clone()) else {
            return CheckOptions::default();
        };
        let input = uri_to_path(uri).map_or(Input::Stdin, Input::File);
        settings.options_for(&input).unwrap_or_default()
    }

    pub fn report(&self, uri: &Uri) -> Option<FileReport> {
        let text = self.text(uri)?;
        Some(lint::check_text(
            uri.as_str(),
            text.to_string(),
            &self.options(uri),
        ))
    }

    pub fn diagnostics(&self, uri: &Uri) -> Vec<LspDiagnostic> {
        let Some(report) = self.report(uri) else {
            return Vec::new();
        };
        report
            .diagnostics
            .iter()
            .map(|d| LspDiagnostic {
                range: range(&report, d.primary.span),
                severity: Some(match d.severity {
                    Severity::Error => DiagnosticSeverity::ERROR,
                    Severity::Warning => DiagnosticSeverity::WARNING,
                    Severity::Info => DiagnosticSeverity::INFORMATION,
                }),
                code: Some(NumberOrString::String(d.code.to_string())),
                source: Some("sblint".into()),
                message: format!("{} [{}]", d.message, d.name),
                related_information: Some(
                    d.secondary
                        .iter()
                        .map(|l| DiagnosticRelatedInformation {
                            location: Location {
                                uri: uri.clone(),
                                range: range(&report, l.span),
                            },
                            message: l.message.clone(),
                        })
                        .collect(),
                ),
                ..LspDiagnostic::default()
            })
            .collect()
    }
}

/// A byte span as a protocol range (0-based lines, UTF-16 columns).
pub fn range(report: &FileReport, span: Span) -> Range {
    let position = |offset: u32| {
        let (line, character) = report.line_index.utf16_position(&report.text, offset);
        Position { line, character }
    };
    Range {
        start: position(span.start),
        end: position(span.end),
    }
}
