//! `sblint parse --tree`: a readable dump of the syntax tree.

use std::fmt::Write;

use super::tree::{NodeKind, SyntaxTree, WalkEvent};

/// Indentation stops growing here so that a deeply nested file gives a dump of linear size.
const MAX_INDENT: usize = 40;

pub fn dump_tree(tree: &SyntaxTree) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for event in tree.walk() {
        match event {
            WalkEvent::Enter(id) => {
                let node = tree.node(id);
                let kind = match node.kind {
                    NodeKind::Root => "Root",
                    NodeKind::List => "List",
                    NodeKind::Vector => "Vector",
                    NodeKind::Quote => "Quoted",
                };
                indent(&mut out, depth);
                let unclosed = if node.closed { "" } else { " (unclosed)" };
                let _ = writeln!(out, "{kind}@{}{unclosed}", node.span);
                depth += 1;
            }
            WalkEvent::Leave(_) => depth -= 1,
            WalkEvent::Token(id) => {
                let token = tree.token(id);
                indent(&mut out, depth);
                let _ = writeln!(
                    out,
                    "{}@{} {:?}",
                    token.kind.name(),
                    token.span,
                    tree.token_text(id)
                );
            }
        }
    }
    out
}

fn indent(out: &mut String, depth: usize) {
    if depth > MAX_INDENT {
        let _ = write!(out, "{}[{depth}] ", "  ".repeat(MAX_INDENT));
    } else {
        out.push_str(&"  ".repeat(depth));
    }
}
