//! The lossless syntax tree: nodes own their tokens, trivia included, in source order.
//!
//! Stored flat (vectors of tokens, nodes and child lists) so that building and walking it
//! never recurses: a file nested 300,000 levels deep is as easy as a flat one.

use super::error::SyntaxError;
use super::token::{Span, Token, TokenKind, Tokens};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeKind {
    /// The whole file.
    Root,
    /// `( ... )` or `[ ... ]`
    List,
    /// `#( ... )`
    Vector,
    /// `'x`, `` `x ``, `,x`, `,@x`: the prefix token, trivia, then one datum.
    Quote,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Element {
    Token(TokenId),
    Node(NodeId),
}

/// An [`Element`] packed in 32 bits (the high bit tells a node), so that child lists of
/// multi-megabyte files stay small.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Packed(u32);

const NODE_BIT: u32 = 1 << 31;

impl Packed {
    pub fn token(id: usize) -> Packed {
        Packed(id as u32)
    }
    pub fn node(id: NodeId) -> Packed {
        Packed(id.0 | NODE_BIT)
    }
    pub fn unpack(self) -> Element {
        if self.0 & NODE_BIT != 0 {
            Element::Node(NodeId(self.0 & !NODE_BIT))
        } else {
            Element::Token(TokenId(self.0))
        }
    }
}

#[derive(Clone, Debug)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
    /// The children are `children[children_start..]` up to the next node's start: nodes
    /// are made in the order their children are stored (16 bytes a node, not 20).
    children_start: u32,
    /// False when the list's closing paren is missing (a syntax error was reported).
    pub closed: bool,
}

/// Events of a preorder walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WalkEvent {
    Enter(NodeId),
    Token(TokenId),
    Leave(NodeId),
}

#[derive(Clone, Debug)]
pub struct SyntaxTree {
    text: String,
    tokens: Tokens,
    nodes: Vec<Node>,
    children: Vec<Packed>,
    root: NodeId,
    errors: Vec<SyntaxError>,
    /// Syntax errors beyond the cap that are counted but not kept.
    more_errors: usize,
}

/// How many syntax errors one file keeps; the rest are counted.
pub const MAX_SYNTAX_ERRORS: usize = 100;

impl SyntaxTree {
    pub(super) fn from_parts(
        text: String,
        tokens: Tokens,
        nodes: Vec<Node>,
        children: Vec<Packed>,
        root: NodeId,
        mut errors: Vec<SyntaxError>,
    ) -> Self {
        errors.sort_by_key(|e| (e.span.start, e.span.end));
        let more_errors = errors.len().saturating_sub(MAX_SYNTAX_ERRORS);
        errors.truncate(MAX_SYNTAX_ERRORS);
        SyntaxTree {
            text,
            tokens,
            nodes,
            children,
            root,
            errors,
            more_errors,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn into_text(self) -> String {
        self.text
    }

    pub fn root(&self) -> NodeId {
        self.root
    }

    pub fn errors(&self) -> &[SyntaxError] {
        &self.errors
    }

    /// Errors found beyond [`MAX_SYNTAX_ERRORS`].
    pub fn more_errors(&self) -> usize {
        self.more_errors
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn tokens(&self) -> &Tokens {
        &self.tokens
    }

    pub fn token(&self, id: TokenId) -> Token {
        self.tokens.get(id.0 as usize)
    }

    pub fn token_text(&self, id: TokenId) -> &str {
        &self.text[self.token(id).span.range()]
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0 as usize]
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn children(
        &self,
        id: NodeId,
    ) -> impl DoubleEndedIterator<Item = Element> + ExactSizeIterator + Clone + '_ {
        self.children[self.children_range(id)]
            .iter()
            .map(|p| p.unpack())
    }

    fn children_range(&self, id: NodeId) -> std::ops::Range<usize> {
        let i = id.0 as usize;
        let end = self
            .nodes
            .get(i + 1)
            .map_or(self.children.len(), |next| next.children_start as usize);
        self.nodes[i].children_start as usize..end
    }

    fn child(&self, id: NodeId, index: usize) -> Option<Element> {
        let range = self.children_range(id);
        (index < range.len()).then(|| self.children[range.start + index].unpack())
    }

    pub fn span(&self, element: Element) -> Span {
        match element {
            Element::Token(t) => self.token(t).span,
            Element::Node(n) => self.node(n).span,
        }
    }

    pub fn source(&self, span: Span) -> &str {
        &self.text[span.range()]
    }

    /// The data inside a node: children without trivia, brackets, quote prefix or errors.
    pub fn items(&self, id: NodeId) -> impl Iterator<Item = Element> + '_ {
        self.children(id).filter(|e| match *e {
            Element::Node(_) => true,
            Element::Token(t) => {
                let kind = self.token(t).kind;
                kind.is_atom() || kind == TokenKind::Dot
            }
        })
    }

    /// The first item of a list when it is a symbol: `allow` in `(allow file-read*)`.
    pub fn head_symbol(&self, id: NodeId) -> Option<&str> {
        if self.node(id).kind != NodeKind::List {
            return None;
        }
        match self.items(id).next()? {
            Element::Token(t) if self.token(t).kind == TokenKind::Symbol => {
                Some(self.token_text(t))
            }
            _ => None,
        }
    }

    /// Walks the whole tree in source order without recursion.
    pub fn walk(&self) -> Walk<'_> {
        self.walk_from(self.root)
    }

    pub fn walk_from(&self, node: NodeId) -> Walk<'_> {
        Walk {
            tree: self,
            stack: vec![(node, 0)],
            entered: false,
        }
    }

    /// Prints the tree back; gives the input byte for byte.
    pub fn print(&self) -> String {
        let mut out = String::with_capacity(self.text.len());
        for event in self.walk() {
            if let WalkEvent::Token(t) = event {
                out.push_str(self.token_text(t));
            }
        }
        out
    }
}

pub struct Walk<'a> {
    tree: &'a SyntaxTree,
    /// Open nodes with the index of the next child to visit.
    stack: Vec<(NodeId, usize)>,
    entered: bool,
}

impl Iterator for Walk<'_> {
    type Item = WalkEvent;

    fn next(&mut self) -> Option<WalkEvent> {
        if !self.entered {
            self.entered = true;
            return self.stack.last().map(|&(n, _)| WalkEvent::Enter(n));
        }
        let (node, index) = self.stack.last_mut()?;
        let node = *node;
        let Some(child) = self.tree.child(node, *index) else {
            self.stack.pop();
            return Some(WalkEvent::Leave(node));
        };
        *index += 1;
        Some(match child {
            Element::Token(t) => WalkEvent::Token(t),
            Element::Node(n) => {
                self.stack.push((n, 0));
                WalkEvent::Enter(n)
            }
        })
    }
}

/// Builds the flat tree bottom-up: elements are pushed, and closing a node moves its
/// elements into the shared child list.
pub(super) struct Builder {
    pub nodes: Vec<Node>,
    pub children: Vec<Packed>,
    pub pending: Vec<Packed>,
}

impl Builder {
    /// Sized exactly: every token and every node but the root is a child once, and a node
    /// starts at each opener (growing these for a large file would copy them again and again).
    pub fn new(tokens: &Tokens) -> Self {
        let openers = tokens.iter().filter(|t| t.kind.opens_node()).count();
        Builder {
            nodes: Vec::with_capacity(openers + 1),
            children: Vec::with_capacity(tokens.len() + openers),
            pending: Vec::with_capacity(64),
        }
    }

    /// Makes a node of the pending elements from `from` on, and leaves it pending in their place.
    pub fn close(&mut self, kind: NodeKind, from: usize, closed: bool, tokens: &Tokens) -> NodeId {
        let start = self.children.len() as u32;
        let elements = self.pending.drain(from..);
        self.children.extend(elements);
        let span_of = |e: &Packed, nodes: &[Node]| match e.unpack() {
            Element::Token(t) => tokens.get(t.0 as usize).span,
            Element::Node(n) => nodes[n.0 as usize].span,
        };
        let span = match (
            self.children[start as usize..].first(),
            self.children[start as usize..].last(),
        ) {
            (Some(first), Some(last)) => Span::new(
                span_of(first, &self.nodes).start,
                span_of(last, &self.nodes).end,
            ),
            _ => Span::empty(tokens.end()),
        };
        let id = NodeId(self.nodes.len() as u32);
        self.nodes.push(Node {
            kind,
            span,
            children_start: start,
            closed,
        });
        self.pending.push(Packed::node(id));
        id
    }
}

#[cfg(test)]
mod tests {
    /// A 10 MB profile has hundreds of thousands of lists.
    #[test]
    fn nodes_stay_small() {
        assert_eq!(std::mem::size_of::<super::Node>(), 16);
    }
}
