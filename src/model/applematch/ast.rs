//! The syntax tree of an AppleMatch regex, with byte spans into the regex text.

use super::dialect::Construct;

/// A byte range `start..end` in the regex text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
}

/// A parsed regex: its text and its tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Regex {
    pub text: Vec<u8>,
    pub root: Node,
}

/// One node. Equality compares the shape only (kinds and contents, not spans), so that a
/// printed and re-parsed tree equals the original even where printing normalises (`{03}`).
#[derive(Clone, Debug, Eq)]
pub struct Node {
    pub kind: Kind,
    pub span: Span,
    /// What the dialect table calls this construct here (anchors depend on their place).
    pub construct: Construct,
}

impl PartialEq for Node {
    fn eq(&self, other: &Node) -> bool {
        self.kind == other.kind
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Nothing: an empty regex, group body or alternative.
    Empty,
    /// One byte; `escaped` when written `\c`.
    Literal { byte: u8, escaped: bool },
    /// `.`
    Any,
    /// `^`
    Start,
    /// `$`
    End,
    /// `[...]`
    Class(Class),
    /// `(...)` in its forms.
    Group { kind: GroupKind, body: Box<Node> },
    /// A quantifier; `item` is `None` when nothing stands before it (`*a`, `(?`).
    Repeat {
        item: Option<Box<Node>>,
        op: RepeatOp,
    },
    /// Items one after the other (two or more); its `construct` is `Literal`, a
    /// placeholder: a sequence is no construct of its own.
    Concat(Vec<Node>),
    /// `a|b|...` (two or more).
    Alt(Vec<Node>),
    /// `\c` where `c` is a letter or digit: `\d`, `\w`, `\1`, `\n` …
    Escape(u8),
    /// A `\` at the very end.
    TrailingEscape,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupKind {
    /// `(...)`
    Capture,
    /// `(?:...)`
    NonCapture,
    /// `(?i)` (no body: `body` is `Empty`, `scoped` false) or `(?i:...)` (`scoped` true).
    Flags { flags: Vec<u8>, scoped: bool },
    /// `(?` followed by another byte (`=`, `!`, `<`, `#`, `P` …), then the body.
    Extension(u8),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepeatOp {
    Star,
    Plus,
    Question,
    /// `{n}`
    Exact(u32),
    /// `{n,}`
    AtLeast(u32),
    /// `{n,m}`
    Range(u32, u32),
}

/// A bracket class; `spans` holds each item's span (not compared, like node spans).
#[derive(Clone, Debug, Eq)]
pub struct Class {
    pub negated: bool,
    pub items: Vec<ClassItem>,
    pub spans: Vec<Span>,
}

impl PartialEq for Class {
    fn eq(&self, other: &Class) -> bool {
        self.negated == other.negated && self.items == other.items
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClassItem {
    Byte(u8),
    /// `lo-hi` (possibly reversed: `z-a`).
    Range(u8, u8),
    /// `\c` inside a class.
    Escape(u8),
    /// `[:name:]`
    Posix(Vec<u8>),
}

impl Node {
    /// Every node of the tree, this one first (iterative: no recursion on deep trees).
    pub fn walk(&self) -> Vec<&Node> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(n) = stack.pop() {
            out.push(n);
            match &n.kind {
                Kind::Group { body, .. } => stack.push(body),
                Kind::Repeat { item: Some(i), .. } => stack.push(i),
                Kind::Concat(xs) | Kind::Alt(xs) => stack.extend(xs.iter().rev()),
                _ => {}
            }
        }
        out
    }
}
