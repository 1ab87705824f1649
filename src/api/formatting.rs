//! `sblint fmt` on one file's bytes: its tree, or, when it is not text or does not parse,
//! the report of why (a file with syntax errors is never rewritten).

use crate::diagnostic::FileReport;
use crate::lint::{self, CheckOptions, RuleId};
use crate::syntax::{parse, SyntaxTree};

/// The file `name` whose bytes are `bytes`, parsed; `Err`: not UTF-8, or its syntax
/// errors, as findings.
pub(crate) fn parse_bytes(name: String, bytes: Vec<u8>) -> Result<SyntaxTree, FileReport> {
    let text = match lint::decode(bytes) {
        Ok(text) => text,
        Err(e) => return Err(FileReport::new(name, e.text, vec![e.diagnostic])),
    };
    let tree = parse(text);
    if tree.has_errors() {
        let diagnostics = lint::check_tree(&tree, &CheckOptions::default())
            .into_iter()
            .filter(|d| RuleId::SyntaxError.is(d))
            .collect();
        return Err(FileReport::new(name, tree.into_text(), diagnostics));
    }
    Ok(tree)
}
