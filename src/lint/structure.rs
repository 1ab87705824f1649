//! Facts about a file's top-level structure that several rules share.

use crate::syntax::{Element, NodeId, NodeKind, SyntaxTree};

/// The top-level `(version ...)` forms, in order.
pub fn version_forms(tree: &SyntaxTree) -> impl Iterator<Item = NodeId> + '_ {
    tree.items(tree.root()).filter_map(|e| match e {
        Element::Node(n) if tree.head_symbol(n) == Some("version") => Some(n),
        _ => None,
    })
}

/// Forms whose bodies run later, if ever: a rule inside them is not a rule of the file yet.
const DEFERRED: &[&str] = &[
    "define",
    "define-macro",
    "macro",
    "lambda",
    "quote",
    "quasiquote",
];

/// The first `(allow ...)` or `(deny ...)` form that runs when the file is read: in source
/// order, at any depth, but not inside a definition.
pub fn first_rule(tree: &SyntaxTree) -> Option<NodeId> {
    let mut stack: Vec<NodeId> = vec![tree.root()];
    while let Some(node) = stack.pop() {
        match tree.head_symbol(node) {
            Some("allow" | "deny") => return Some(node),
            Some(head) if DEFERRED.contains(&head) => continue,
            _ => {}
        }
        if tree.node(node).kind == NodeKind::Quote {
            continue;
        }
        let children: Vec<NodeId> = tree
            .items(node)
            .filter_map(|e| match e {
                Element::Node(n) => Some(n),
                Element::Token(_) => None,
            })
            .collect();
        stack.extend(children.into_iter().rev());
    }
    None
}

/// The name a `(define NAME ...)` or `(define (NAME ARGS...) ...)` form defines.
pub fn defined_name(tree: &SyntaxTree, define: NodeId) -> Option<crate::syntax::TokenId> {
    if tree.head_symbol(define) != Some("define") {
        return None;
    }
    match tree.items(define).nth(1)? {
        Element::Token(t) => Some(t),
        Element::Node(sig) => match tree.items(sig).next()? {
            Element::Token(t) => Some(t),
            Element::Node(_) => None,
        },
    }
}
