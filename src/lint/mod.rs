//! The linter: runs the rules of the registry over a file and its preludes.

pub mod rule;
pub mod rules;
mod structure;

pub use rule::{Context, Prelude, Rule, RuleMeta};
pub use rules::RULES;

use crate::diagnostic::{Diagnostic, FileReport};
use crate::syntax::{parse, Span, SyntaxTree};

/// What a check needs beyond the file itself.
#[derive(Debug, Default)]
pub struct CheckOptions {
    pub preludes: Vec<Prelude>,
}

/// The rule with this code, if any.
pub fn rule_by_code(code: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.meta.code.eq_ignore_ascii_case(code) || r.meta.name == code)
}

/// A file that is not UTF-8: its lossy text, for rendering, and the SB001 at the bad byte.
#[derive(Debug)]
pub struct NotUtf8 {
    pub text: String,
    pub diagnostic: Diagnostic,
}

/// Decodes a file as UTF-8.
pub fn decode(bytes: Vec<u8>) -> Result<String, Box<NotUtf8>> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(err) => {
            let offset = err.utf8_error().valid_up_to();
            let bad = err.as_bytes()[offset];
            let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
            let meta = &rules::sb001_syntax_error::RULE.meta;
            let at = Span::new(offset as u32, offset as u32 + 1);
            let diagnostic = meta
                .diagnostic(
                    at,
                    format!("the file is not valid UTF-8: byte 0x{bad:02X} at offset {offset}"),
                    "invalid UTF-8 here",
                )
                .with_note("profiles are UTF-8 text; nothing after this byte was checked");
            Err(Box::new(NotUtf8 { text, diagnostic }))
        }
    }
}

/// Parses a prelude; its own diagnostics are never reported.
pub fn load_prelude(path: impl Into<String>, bytes: Vec<u8>) -> Prelude {
    let text = decode(bytes).unwrap_or_else(|e| e.text);
    Prelude {
        path: path.into(),
        tree: parse(text),
    }
}

/// Checks one file given as bytes.
pub fn check_bytes(path: &str, bytes: Vec<u8>, options: &CheckOptions) -> FileReport {
    match decode(bytes) {
        Ok(text) => check_text(path, text, options),
        Err(e) => FileReport::new(path, e.text, vec![e.diagnostic]),
    }
}

/// Checks one file given as text.
pub fn check_text(path: &str, text: String, options: &CheckOptions) -> FileReport {
    let tree = parse(text);
    let diagnostics = check_tree(&tree, options);
    FileReport::new(path, tree.into_text(), diagnostics)
}

pub fn check_tree(tree: &SyntaxTree, options: &CheckOptions) -> Vec<Diagnostic> {
    let ctx = Context {
        tree,
        preludes: &options.preludes,
    };
    let mut out = Vec::new();
    for rule in RULES {
        (rule.check)(&ctx, &mut out);
    }
    out
}
