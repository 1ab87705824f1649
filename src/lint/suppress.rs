//! Inline suppressions: `; sblint: ignore SB201 -- reason` at the end of a line or on the
//! line before a form; `; sblint: ignore-file SB002` anywhere. Unused ones are SB901.

use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::RuleMeta;
use crate::lint::RuleId;
use crate::syntax::{LineIndex, Span, SyntaxTree, TokenKind};

#[derive(Debug)]
struct Suppression {
    /// The comment, for SB901.
    comment: Span,
    codes: Vec<(String, bool)>,
    scope: Scope,
}

#[derive(Debug)]
enum Scope {
    File,
    /// Diagnostics starting on this 0-based line.
    Line(usize),
    /// Diagnostics starting inside the next form.
    Form(Span),
}

/// Removes suppressed diagnostics and adds SB901 for suppressions that suppressed nothing.
pub fn apply(tree: &SyntaxTree, diagnostics: &mut Vec<Diagnostic>, unused: &RuleMeta) {
    let mut suppressions = collect(tree);
    if suppressions.is_empty() {
        return;
    }
    let index = LineIndex::new(tree.text());
    diagnostics.retain(|d| {
        let line = index.line_of(d.primary.span.start);
        let mut keep = true;
        for s in &mut suppressions {
            let in_scope = match s.scope {
                Scope::File => true,
                Scope::Line(l) => l == line,
                Scope::Form(span) => span.contains(d.primary.span.start),
            };
            if !in_scope {
                continue;
            }
            for (code, used) in &mut s.codes {
                if code.eq_ignore_ascii_case(d.code) || code == d.name {
                    *used = true;
                    keep = false;
                }
            }
        }
        keep
    });
    for s in &suppressions {
        for (code, used) in &s.codes {
            if *used {
                continue;
            }
            let d = match RuleId::from_code(code) {
                Some(_) => {
                    let message = format!("this suppression of {code} suppresses nothing");
                    let mut d = unused.diagnostic(s.comment, message, "remove it");
                    d.severity = Severity::Warning;
                    d
                }
                // An error, and `sblint check` exits 2: the suppression a typo breaks
                // silences nothing while looking as if it did.
                None => {
                    let suggestion = RuleId::suggest(code);
                    let mut d = unused.diagnostic(
                        s.comment,
                        format!(
                            "{UNKNOWN}{}",
                            RuleId::unknown_selector_message(code, suggestion)
                        ),
                        match suggestion {
                            Some(s) => format!("write `{s}`"),
                            None => "no rule has this code or name".into(),
                        },
                    );
                    d.severity = Severity::Error;
                    d
                }
            };
            diagnostics.push(d);
        }
    }
}

/// How the message of a suppression naming no rule starts.
const UNKNOWN: &str = "suppression names no rule: ";

/// True for the finding of a suppression comment that names no rule (`sblint check` exits
/// 2 on it, as on an unknown code in `--select` or `sblint.toml`).
pub fn names_unknown_rule(diagnostic: &Diagnostic) -> bool {
    RuleId::UnusedSuppression.is(diagnostic) && diagnostic.message.starts_with(UNKNOWN)
}

fn collect(tree: &SyntaxTree) -> Vec<Suppression> {
    let tokens = tree.tokens();
    let mut out = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        if token.kind != TokenKind::LineComment {
            continue;
        }
        let text = tree.source(token.span);
        let body = text.trim_start_matches([';', '#', '!']).trim_start();
        let Some(directive) = body.strip_prefix("sblint:") else {
            continue;
        };
        let directive = directive.trim_start();
        let (file_wide, rest) = if let Some(rest) = directive.strip_prefix("ignore-file") {
            (true, rest)
        } else if let Some(rest) = directive.strip_prefix("ignore") {
            (false, rest)
        } else {
            continue;
        };
        let rest = rest.split("--").next().unwrap_or("");
        let codes: Vec<(String, bool)> = rest
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|c| !c.is_empty())
            .map(|c| (c.to_string(), false))
            .collect();
        if codes.is_empty() {
            continue;
        }
        let scope = if file_wide {
            Scope::File
        } else if trailing(tokens, i) {
            Scope::Line(
                tree.text()[..token.span.start as usize]
                    .matches('\n')
                    .count(),
            )
        } else {
            match next_form(tree, i) {
                Some(span) => Scope::Form(span),
                None => Scope::Line(usize::MAX),
            }
        };
        out.push(Suppression {
            comment: token.span,
            codes,
            scope,
        });
    }
    out
}

/// True when code precedes the comment on its line.
fn trailing(tokens: &crate::syntax::Tokens, i: usize) -> bool {
    tokens
        .range(0..i)
        .rev()
        .take_while(|t| t.kind != TokenKind::Newline)
        .any(|t| !t.kind.is_trivia())
}

/// The span of the form that follows the comment.
fn next_form(tree: &SyntaxTree, i: usize) -> Option<Span> {
    let tokens = tree.tokens();
    let start = (i + 1..tokens.len()).find(|&j| !tokens.kind(j).is_trivia())?;
    let first = tokens.get(start);
    if !matches!(first.kind, TokenKind::LParen | TokenKind::LBracket) {
        return Some(first.span);
    }
    let mut depth = 0usize;
    for t in tokens.range(start..tokens.len()) {
        match t.kind {
            TokenKind::LParen | TokenKind::LBracket | TokenKind::VectorOpen => depth += 1,
            TokenKind::RParen | TokenKind::RBracket => {
                depth -= 1;
                if depth == 0 {
                    return Some(Span::new(first.span.start, t.span.end));
                }
            }
            _ => {}
        }
    }
    Some(Span::new(first.span.start, tree.text().len() as u32))
}
