//! SARIF 2.1.0 for code scanning: stable `ruleId`s, relative URIs, rule metadata with help.

use serde::Serialize;

use super::RuleInfo;
use crate::diagnostic::{FileReport, Severity};

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as a relative URI: `./a/b.sb` → `a/b.sb`, separators as `/`.
fn uri(path: &str) -> String {
    let path = path.strip_prefix("./").unwrap_or(path).replace('\\', "/");
    crate::diagnostic::uri_path(&path)
}

// The document as typed values borrowing from the reports, written in one go: a tree of
// `serde_json::Value`s for 7,699 findings took more memory than the profile's model.
// Fields are in alphabetical order, as the keys always came out.

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<'a>; 1],
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
    tool: Tool<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
struct Driver<'a> {
    name: &'static str,
    rules: Vec<RuleDescriptor<'a>>,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleDescriptor<'a> {
    default_configuration: Configuration,
    full_description: Text<'a>,
    help: Help<'a>,
    help_uri: &'a str,
    id: &'a str,
    name: &'a str,
    short_description: Text<'a>,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct Help<'a> {
    markdown: &'a str,
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    level: &'static str,
    locations: [Location<'a>; 1],
    message: Text<'a>,
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation<'a> {
    uri: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    end_column: u32,
    end_line: u32,
    start_column: u32,
    start_line: u32,
}

pub fn render(reports: &[FileReport], rules: &[RuleInfo<'_>]) -> String {
    let rule_index = |code: &str| rules.iter().position(|r| r.code == code);
    let uris: Vec<String> = reports.iter().map(|r| uri(&r.path)).collect();
    let mut results = Vec::new();
    for (report, uri) in reports.iter().zip(&uris) {
        for d in &report.diagnostics {
            let start = report.line_col(d.primary.span.start);
            let end = report.line_col(d.primary.span.end);
            results.push(SarifResult {
                level: level(d.severity),
                locations: [Location {
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation { uri },
                        region: Region {
                            end_column: end.col,
                            end_line: end.line,
                            start_column: start.col,
                            start_line: start.line,
                        },
                    },
                }],
                message: Text { text: &d.message },
                rule_id: d.code,
                rule_index: rule_index(d.code),
            });
        }
    }
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        runs: [Run {
            column_kind: "unicodeCodePoints",
            results,
            tool: Tool {
                driver: Driver {
                    name: "sblint",
                    rules: rules
                        .iter()
                        .map(|r| RuleDescriptor {
                            default_configuration: Configuration {
                                level: level(r.severity),
                            },
                            full_description: Text { text: r.summary },
                            help: Help {
                                markdown: r.doc,
                                text: r.doc,
                            },
                            help_uri: r.help_uri,
                            id: r.code,
                            name: r.name,
                            short_description: Text { text: r.summary },
                        })
                        .collect(),
                    version: env!("CARGO_PKG_VERSION"),
                },
            },
        }],
        version: "2.1.0",
    };
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn uris_are_relative_with_every_byte_but_unreserved_ones_escaped() {
        assert_eq!(super::uri("./a b/ü,x.sb"), "a%20b/%C3%BC%2Cx.sb");
        assert_eq!(super::uri("dir\\sub\\p~1_-.sb"), "dir/sub/p~1_-.sb");
    }
}
