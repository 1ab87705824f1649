//! Open documents, and the diagnostics the linter finds in them, in protocol terms.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use lsp_types::{
    Diagnostic as LspDiagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Position, Range, Uri,
};
use percent_encoding::percent_decode_str;

use crate::diagnostic::{FileReport, Severity};
use crate::lint::{self, CheckOptions, LeafCache};
use crate::syntax::Span;
use crate::workspace::{Input, Overrides, Settings};

#[derive(Default)]
pub struct Documents {
    texts: HashMap<Uri, String>,
    /// Per open document, the decision sets' analyses of its last check: an edit to one
    /// operation's rules re-analyses that operation only.
    analyses: HashMap<Uri, Arc<LeafCache>>,
    /// The options `sblint lsp` was started with.
    overrides: Overrides,
}

/// `file:///a/b%20c.sb` → `/a/b c.sb`.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let path = percent_decode_str(rest).decode_utf8().ok()?;
    Some(PathBuf::from(path.into_owned()))
}

/// `/a/b c.sb` → `file:///a/b%20c.sb`.
pub fn path_to_uri(path: &std::path::Path) -> Option<Uri> {
    let path = path.to_string_lossy();
    format!("file://{}", crate::diagnostic::uri_path(&path))
        .parse()
        .ok()
}

impl Documents {
    pub fn new(overrides: Overrides) -> Documents {
        Documents {
            texts: HashMap::new(),
            analyses: HashMap::new(),
            overrides,
        }
    }

    pub fn open(&mut self, uri: Uri, text: String) {
        self.analyses.entry(uri.clone()).or_default();
        self.texts.insert(uri, text);
    }

    pub fn close(&mut self, uri: &Uri) {
        self.texts.remove(uri);
        self.analyses.remove(uri);
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
        let options = self.options(uri);
        Some(match self.analyses.get(uri) {
            Some(cache) => {
                lint::check_text_reusing(uri.as_str(), text.to_string(), &options, cache)
            }
            None => lint::check_text(uri.as_str(), text.to_string(), &options),
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_file_uris_convert_both_ways() {
        let path = std::path::Path::new("/a/b c/ü%.sb");
        let uri = path_to_uri(path).unwrap();
        assert_eq!(uri.as_str(), "file:///a/b%20c/%C3%BC%25.sb");
        assert_eq!(uri_to_path(&uri).as_deref(), Some(path));
        // Bytes that are not UTF-8 are no path.
        let bytes: Uri = "file:///x%FF.sb".parse().unwrap();
        assert_eq!(uri_to_path(&bytes), None);
        let other: Uri = "https://example.com/x".parse().unwrap();
        assert_eq!(uri_to_path(&other), None);
    }
}
