//! One function per request.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CompletionItem,
    CompletionItemKind, CompletionParams, CompletionResponse, DocumentFormattingParams,
    GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents, HoverParams, Location,
    MarkupContent, MarkupKind, Position, Range, TextEdit, WorkspaceEdit,
};

use super::documents::{path_to_uri, range, uri_to_path, Documents};
use crate::diagnostic::Applicability;
use crate::fmt::{format_text, FormatOptions, DEFAULT_LINE_WIDTH};
use crate::lint::structure::defined_name;
use crate::lint::{rule_by_code, RuleId};
use crate::model::vocab::{ArgKind, ModifierActions};
use crate::model::{vocabulary, MacOs};
use crate::syntax::{
    parse, Element, LineIndex, NodeId, NodeKind, SyntaxTree, Token, TokenKind, WalkEvent,
};

fn offset(text: &str, position: Position) -> u32 {
    LineIndex::new(text).offset_of_utf16(text, position.line, position.character)
}

/// The token that contains `offset`, or ends right at it (the cursor after a word).
fn token_at(tree: &SyntaxTree, offset: u32) -> Option<Token> {
    let tokens = tree.tokens();
    let i = tokens.first_ending_from(offset);
    tokens.range(i..tokens.len()).take(2).find(|t| {
        t.span.start <= offset
            && offset <= t.span.end
            && !matches!(t.kind, TokenKind::Whitespace | TokenKind::Newline)
    })
}

pub fn hover(docs: &Documents, params: HoverParams) -> Option<Hover> {
    let uri = &params.text_document_position_params.text_document.uri;
    let text = docs.text(uri)?;
    let at = offset(text, params.text_document_position_params.position);
    let tree = parse(text);
    let token = token_at(&tree, at)?;
    let word = tree.source(token.span);
    let markdown = match token.kind {
        TokenKind::Symbol => describe_name(word),
        TokenKind::LineComment => word
            .split(|c: char| !c.is_ascii_alphanumeric())
            .find(|w| w.starts_with("SB") && rule_by_code(w).is_some())
            .and_then(rule_doc),
        _ => None,
    }
    .or_else(|| {
        // Over a finding: the documentation of its rule.
        let report = docs.report(uri)?;
        let d = report
            .diagnostics
            .iter()
            .find(|d| d.primary.span.start <= at && at <= d.primary.span.end)?;
        rule_doc(d.code)
    })?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        }),
        range: None,
    })
}

fn rule_doc(code: &str) -> Option<String> {
    let id = RuleId::from_code(code)?;
    let m = id.meta();
    Some(format!(
        "**{} {}** ({})\n\n{}\n\n{}",
        m.code,
        m.name,
        m.severity.as_str(),
        id.printed_doc().trim_end(),
        id.help_uri()
    ))
}

/// What the vocabulary says about a name: operation, filter or modifier.
fn describe_name(name: &str) -> Option<String> {
    let vocab = vocabulary();
    if let Some(id) = vocab.resolve_operation(name) {
        let op = vocab.operation(id);
        let chain: Vec<&str> = vocab
            .chain(id)
            .iter()
            .map(|c| vocab.operation(*c).name.as_str())
            .collect();
        let mut out = format!("**{name}**: operation\n\n");
        if op.name != name {
            out.push_str(&format!(
                "An alias: a rule naming `{name}` applies to `{}`.\n\n",
                op.name
            ));
        }
        out.push_str(&format!("Falls back to: `{}`\n\n", chain.join("` → `")));
        let versions: Vec<&str> = op.versions().iter().map(|v| v.as_str()).collect();
        out.push_str(&format!("macOS: {}\n\n", versions.join(", ")));
        if let Some(categories) = &op.categories {
            out.push_str(&format!("Filters it consults: {}\n", categories.join(", ")));
        }
        if !op.exists_in(MacOs::NEWEST) {
            out.push_str(&format!(
                "\nNot an operation of the newest macOS table ({}).\n",
                RuleId::ObsoleteOperation.code()
            ));
        }
        return Some(out);
    }
    if let Some(filter) = vocab.resolve_filter(name) {
        let arg = match filter.arg {
            ArgKind::Path => "an exact path",
            ArgKind::PathSubpath => "a path: it and everything below it",
            ArgKind::PathPrefix => "a path prefix (a plain string prefix)",
            ArgKind::Regex => "a regex `#\"...\"` (unanchored unless `^`/`$`)",
            ArgKind::Name => "an exact name",
            ArgKind::NamePrefix => "a name prefix",
            ArgKind::Network => "`[PROTOCOL] \"HOST:PORT\"` with HOST `*` or `localhost`",
            ArgKind::Constant => "a number or a named constant",
            ArgKind::Bitfield => "a number such as `#o644`",
            ArgKind::Boolean => "`#t` or `#f`",
            ArgKind::String => "an exact string",
            ArgKind::Unknown => "(argument kind not in the tables)",
        };
        let mut out = format!(
            "**{name}**: filter ({} category)\n\nArgument: {arg}\n",
            filter.category
        );
        if filter.name != name {
            out.push_str(&format!("\nAn alias of `{}`.\n", filter.name));
        }
        if !filter.named_values.is_empty() {
            out.push_str(&format!(
                "\nValues: {}{}\n",
                filter.named_values.join(", "),
                if filter.named_values_complete {
                    ""
                } else {
                    ", …"
                }
            ));
        }
        return Some(out);
    }
    if let Some(m) = vocab.modifier(name) {
        let on = match m.actions {
            ModifierActions::Allow => "only on `allow` rules",
            ModifierActions::Deny => "only on `deny` rules",
            ModifierActions::Any => "on any rule",
        };
        return Some(format!(
            "**{name}**: modifier, written `(with {name} …)`, {on}\n"
        ));
    }
    None
}

pub fn formatting(docs: &Documents, params: DocumentFormattingParams) -> Option<Vec<TextEdit>> {
    let uri = &params.text_document.uri;
    let text = docs.text(uri)?;
    let path = uri_to_path(uri);
    let width = crate::workspace::Config::line_width_for(None, path.as_deref())
        .unwrap_or(DEFAULT_LINE_WIDTH);
    // A document with syntax errors is left alone, as `sblint fmt` leaves such files.
    let formatted = format_text(text, &FormatOptions { line_width: width }).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    let index = LineIndex::new(text);
    let (line, character) = index.utf16_position(text, text.len() as u32);
    Some(vec![TextEdit {
        range: Range {
            start: Position::new(0, 0),
            end: Position::new(line, character),
        },
        new_text: formatted,
    }])
}

// `WorkspaceEdit::changes` is keyed by `Uri`, which clippy thinks mutable; it is not hashed
// differently after insertion.
#[allow(clippy::mutable_key_type)]
pub fn code_actions(
    docs: &Documents,
    params: CodeActionParams,
) -> Option<Vec<CodeActionOrCommand>> {
    let uri = &params.text_document.uri;
    let report = docs.report(uri)?;
    let wanted = params.range;
    let mut actions = Vec::new();
    for d in &report.diagnostics {
        let Some(fix) = &d.fix else { continue };
        let r = range(&report, d.primary.span);
        if r.end < wanted.start || wanted.end < r.start {
            continue;
        }
        let edits = fix
            .edits
            .iter()
            .map(|e| TextEdit {
                range: range(&report, e.span),
                new_text: e.content.clone(),
            })
            .collect();
        let mut changes = HashMap::new();
        changes.insert(uri.clone(), edits);
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!("{} ({})", fix.message, d.code),
            kind: Some(CodeActionKind::QUICKFIX),
            edit: Some(WorkspaceEdit {
                changes: Some(changes),
                ..WorkspaceEdit::default()
            }),
            is_preferred: Some(fix.applicability == Applicability::Safe),
            ..CodeAction::default()
        }));
    }
    Some(actions)
}

/// The innermost list around `offset`.
fn enclosing_list(tree: &SyntaxTree, offset: u32) -> Option<NodeId> {
    let mut found = None;
    for event in tree.walk() {
        if let WalkEvent::Enter(n) = event {
            let node = tree.node(n);
            if node.kind == NodeKind::List
                && node.span.start < offset
                && (offset < node.span.end || !node.closed)
            {
                found = Some(n);
            }
        }
    }
    found
}

pub fn completion(docs: &Documents, params: CompletionParams) -> Option<CompletionResponse> {
    let uri = &params.text_document_position.text_document.uri;
    let text = docs.text(uri)?;
    let at = offset(text, params.text_document_position.position);
    let tree = parse(text);
    let vocab = vocabulary();
    let list = enclosing_list(&tree, at);
    let head = list.and_then(|l| tree.head_symbol(l));
    let item = |label: &str, kind: CompletionItemKind, detail: &str| CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: Some(detail.to_string()),
        ..CompletionItem::default()
    };
    let operations = || {
        vocab
            .operations
            .iter()
            .filter(|o| o.exists_in(MacOs::NEWEST))
            .map(|o| item(&o.name, CompletionItemKind::ENUM_MEMBER, "operation"))
    };
    let filters = || {
        vocab
            .filter_names()
            .filter(|n| !n.starts_with('%'))
            .map(|n| item(n, CompletionItemKind::FUNCTION, "filter"))
            .chain(
                ["require-all", "require-any", "require-not", "with"]
                    .map(|n| item(n, CompletionItemKind::KEYWORD, "filter")),
            )
    };
    let items: Vec<CompletionItem> = match head {
        Some("with") => vocab
            .modifiers
            .iter()
            .map(|m| item(&m.name, CompletionItemKind::PROPERTY, "modifier"))
            .collect(),
        Some("allow" | "deny") => {
            // Operations come first; after the first filter only filters make sense.
            let list = list.expect("head implies a list");
            let after_filter = tree
                .items(list)
                .skip(1)
                .any(|e| matches!(e, Element::Node(n) if tree.span(Element::Node(n)).end <= at));
            if after_filter {
                filters().collect()
            } else {
                operations().chain(filters()).collect()
            }
        }
        Some("require-all" | "require-any" | "require-not") => filters().collect(),
        None => ["allow", "deny", "version", "define", "import", "if", "when"]
            .map(|k| item(k, CompletionItemKind::KEYWORD, "form"))
            .into_iter()
            .collect(),
        Some(_) => filters().chain(operations()).collect(),
    };
    Some(CompletionResponse::Array(items))
}

pub fn definition(
    docs: &Documents,
    params: GotoDefinitionParams,
) -> Option<GotoDefinitionResponse> {
    let uri = &params.text_document_position_params.text_document.uri;
    let text = docs.text(uri)?;
    let at = offset(text, params.text_document_position_params.position);
    let tree = parse(text);
    let token = token_at(&tree, at)?;
    let word = tree.source(token.span);
    match token.kind {
        TokenKind::Symbol => {
            for form in tree.items(tree.root()) {
                let Element::Node(n) = form else { continue };
                let Some(name) = defined_name(&tree, n) else {
                    continue;
                };
                if tree.token_text(name) == word {
                    let index = LineIndex::new(text);
                    let span = tree.token(name).span;
                    let (sl, sc) = index.utf16_position(text, span.start);
                    let (el, ec) = index.utf16_position(text, span.end);
                    return Some(GotoDefinitionResponse::Scalar(Location {
                        uri: uri.clone(),
                        range: Range {
                            start: Position::new(sl, sc),
                            end: Position::new(el, ec),
                        },
                    }));
                }
            }
            None
        }
        TokenKind::String => {
            // `(import "file.sb")`: the imported file, next to this one.
            let list = enclosing_list(&tree, token.span.start)?;
            if tree.head_symbol(list) != Some("import") {
                return None;
            }
            let name = crate::syntax::string::string_value(word);
            let dir = uri_to_path(uri)?.parent()?.to_path_buf();
            let path = dir.join(name.as_ref());
            if !path.exists() {
                return None;
            }
            Some(GotoDefinitionResponse::Scalar(Location {
                uri: path_to_uri(&path)?,
                range: Range::default(),
            }))
        }
        _ => None,
    }
}
