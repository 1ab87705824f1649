//! `sblint fmt`: one canonical layout, over the lossless tree alone.
//!
//! The layout changes whitespace only: the sequence of tokens, comments included, is kept.
//! It never recurses on the input's depth: flat widths are computed in one post-order walk,
//! and broken lists are laid out with an explicit stack of frames.
//!
//! The rules (also in the book, docs/src/fmt.md):
//! - top-level forms start in column 0, one per line; blank lines between forms are kept
//!   but collapsed to one; no trailing whitespace; exactly one final newline;
//! - a form that fits in the line width stays on one line;
//! - otherwise `(allow`/`(deny` keep their operations on the first line and put each filter
//!   or modifier on its own line, indented by two; `define`, `lambda`, `let`, `when` …
//!   keep their distinguished arguments on the first line and indent their bodies by two;
//!   `require-*` and `begin` indent their arguments by two; other calls align their
//!   arguments under the first one; data lists align under their first item;
//! - own-line comments stay on their own line before what follows them, trailing comments
//!   stay at the end of their line; closing parens gather on the last line, except after a
//!   comment, where the closer goes on the next line under its opening paren.

use crate::syntax::{Element, NodeId, NodeKind, SyntaxTree, TokenId, TokenKind, WalkEvent};

pub const DEFAULT_LINE_WIDTH: usize = 100;

#[derive(Clone, Debug)]
pub struct FormatOptions {
    pub line_width: usize,
}

impl Default for FormatOptions {
    fn default() -> Self {
        FormatOptions {
            line_width: DEFAULT_LINE_WIDTH,
        }
    }
}

/// Formats a tree without syntax errors. Callers must not format a tree with errors:
/// [`format_text`] refuses them.
pub fn format_tree(tree: &SyntaxTree, options: &FormatOptions) -> String {
    Formatter::new(tree, options).run()
}

/// Formats text, or returns the parsed tree when it has syntax errors.
pub fn format_text(text: &str, options: &FormatOptions) -> Result<String, Box<SyntaxTree>> {
    let tree = crate::syntax::parse(text);
    if tree.has_errors() {
        return Err(Box::new(tree));
    }
    Ok(format_tree(&tree, options))
}

/// A width that marks "cannot be printed on one line".
const BREAK: u32 = u32::MAX;

/// Forms whose first `n` arguments stay on the first line and whose body is indented by two
/// (Emacs' `scheme-indent-function` values).
const SPECIAL_FORMS: &[(&str, usize)] = &[
    ("define", 1),
    ("define-macro", 1),
    ("macro", 1),
    ("lambda", 1),
    ("let", 1),
    ("let*", 1),
    ("letrec", 1),
    ("letrec*", 1),
    ("when", 1),
    ("unless", 1),
    ("case", 1),
    ("do", 2),
    ("with-filter", 1),
    ("with-modifier", 1),
    ("begin", 0),
    ("require-all", 0),
    ("require-any", 0),
    ("require-not", 0),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    /// The file: one form per line in column 0.
    Top,
    /// `(allow OPS...` then one filter or modifier per line.
    Rule,
    /// `n` distinguished arguments on the first line, body indented by two.
    Special(usize),
    /// A call: arguments aligned under the first one.
    Call,
    /// A data list or vector: items aligned under the first one.
    Data,
    /// `'x`: the prefix, then its datum.
    Quote,
}

#[derive(Clone, Copy, Debug)]
enum Entry {
    Datum {
        element: Element,
        blank_before: bool,
    },
    Comment {
        token: TokenId,
        own_line: bool,
        blank_before: bool,
    },
}

struct Frame {
    style: Style,
    entries: Vec<Entry>,
    next: usize,
    /// Column of the opening token.
    open_col: usize,
    /// Column where continuation lines start (set once the first line is laid out).
    body_col: usize,
    /// Datums printed so far.
    datums: usize,
    /// For rules: the head and the operations, which stay on the first line.
    operations: usize,
    /// For calls: the arguments align under the first one.
    aligned: bool,
    /// The last thing printed was a line comment: the next thing starts a new line.
    after_comment: bool,
    /// Still on the first line of the form.
    on_first_line: bool,
    /// Closing parens that will follow this form's closer on the same line.
    trailing: usize,
    /// Inside quoted data: lists are data, not calls.
    data: bool,
    closer: Option<TokenId>,
}

struct Formatter<'t> {
    tree: &'t SyntaxTree,
    width: usize,
    flat: Vec<u32>,
    out: String,
    col: usize,
}

impl<'t> Formatter<'t> {
    fn new(tree: &'t SyntaxTree, options: &FormatOptions) -> Self {
        Formatter {
            tree,
            width: options.line_width,
            flat: flat_widths(tree),
            out: String::with_capacity(tree.text().len() + tree.text().len() / 8),
            col: 0,
        }
    }

    fn run(mut self) -> String {
        let root = self.tree.root();
        let bom = self.tree.children(root).next().is_some_and(
            |e| matches!(e, Element::Token(t) if self.tree.token(t).kind == TokenKind::Bom),
        );
        if bom {
            self.out.push('\u{feff}');
        }
        let start = self.out.len();
        let mut stack = vec![self.frame(root, Style::Top, 0, false)];
        while let Some(frame) = stack.last_mut() {
            let Some(&entry) = frame.entries.get(frame.next) else {
                let frame = stack.pop().expect("checked above");
                self.close(&frame);
                continue;
            };
            frame.next += 1;
            let is_last = frame.next == frame.entries.len();
            match entry {
                Entry::Comment {
                    token,
                    own_line,
                    blank_before,
                } => {
                    if own_line {
                        self.new_line(frame, blank_before, start);
                    } else {
                        self.space();
                    }
                    self.write(self.tree.token_text(token));
                    frame.after_comment = true;
                    frame.on_first_line = false;
                }
                Entry::Datum {
                    element,
                    blank_before,
                } => {
                    let trailing = if is_last {
                        frame.trailing + usize::from(frame.closer.is_some())
                    } else {
                        0
                    };
                    let width = self.width_of(element);
                    match self.placement(frame, width, trailing, start) {
                        Placement::First => {}
                        Placement::SameLine => self.space(),
                        Placement::NewLine => self.new_line(frame, blank_before, start),
                    }
                    frame.datums += 1;
                    if frame.datums == 1 {
                        self.set_body_col(frame, width);
                    }
                    let data = frame.data || frame.style == Style::Quote;
                    match element {
                        Element::Token(t) => self.write(self.tree.token_text(t)),
                        Element::Node(n) => {
                            // Past the indentation cap, nesting is printed on one line so
                            // that output stays linear in the input.
                            let fits = width != BREAK
                                && (self.col + width as usize + trailing <= self.width
                                    || self.col >= self.max_indent());
                            if fits {
                                self.write_flat(n);
                            } else {
                                let child = self.open(n, trailing, data);
                                stack.push(child);
                            }
                        }
                    }
                }
            }
        }
        // No trailing whitespace; exactly one final newline, none for an empty file.
        trim_trailing_spaces(&mut self.out);
        if self.out.len() > start {
            self.out.push('\n');
        }
        self.out
    }

    /// Where continuation lines of a form start, decided once its first item is known.
    fn set_body_col(&self, frame: &mut Frame, head_width: u32) {
        match frame.style {
            // Arguments align under the first argument, unless the head is so long that
            // they would start past the middle of the line.
            Style::Call => {
                let align = self.col + head_width as usize + 1;
                frame.aligned = head_width != BREAK && align <= self.width / 2;
                if frame.aligned {
                    frame.body_col = align;
                } else {
                    frame.body_col = frame.open_col + 2;
                }
            }
            Style::Data => frame.body_col = self.col,
            _ => {}
        }
    }

    fn placement(&self, frame: &Frame, width: u32, trailing: usize, start: usize) -> Placement {
        if frame.style == Style::Top {
            return if self.out.len() == start {
                Placement::First
            } else {
                Placement::NewLine
            };
        }
        if frame.after_comment || (frame.datums > 0 && !frame.on_first_line) {
            return Placement::NewLine;
        }
        if frame.datums == 0 {
            return Placement::First;
        }
        let fits = width != BREAK && self.col + 1 + width as usize + trailing <= self.width;
        let keep = match frame.style {
            Style::Rule => frame.datums < frame.operations && fits,
            Style::Special(n) => frame.datums <= n && fits,
            Style::Call => frame.datums == 1 && frame.aligned,
            Style::Data => false,
            Style::Quote | Style::Top => true,
        };
        if keep {
            Placement::SameLine
        } else {
            Placement::NewLine
        }
    }

    fn new_line(&mut self, frame: &mut Frame, blank_before: bool, start: usize) {
        trim_trailing_spaces(&mut self.out);
        if self.out.len() > start {
            self.out.push('\n');
            if blank_before {
                self.out.push('\n');
            }
        }
        let indent = if frame.style == Style::Top {
            0
        } else {
            frame.body_col.min(self.max_indent())
        };
        self.out.extend(std::iter::repeat_n(' ', indent));
        self.col = indent;
        frame.after_comment = false;
        frame.on_first_line = false;
    }

    fn leading_symbols(&self, frame: &Frame) -> usize {
        frame
            .entries
            .iter()
            .filter_map(|e| match e {
                Entry::Datum { element, .. } => Some(*element),
                Entry::Comment { .. } => None,
            })
            .take_while(
                |e| matches!(e, Element::Token(t) if self.tree.token(*t).kind == TokenKind::Symbol),
            )
            .count()
    }

    /// Opens a node that does not fit on the line: prints its opener and returns its frame.
    fn open(&mut self, node: NodeId, trailing: usize, data: bool) -> Frame {
        let kind = self.tree.node(node).kind;
        let style = match kind {
            NodeKind::Quote => Style::Quote,
            NodeKind::Vector => Style::Data,
            NodeKind::Root => Style::Top,
            NodeKind::List if data => Style::Data,
            NodeKind::List => match self.tree.head_symbol(node) {
                Some("allow" | "deny") => Style::Rule,
                Some(head) => match SPECIAL_FORMS.iter().find(|(name, _)| *name == head) {
                    // A named let has one more distinguished argument: its name.
                    Some(("let", _)) if self.second_item_is_symbol(node) => Style::Special(2),
                    Some((_, n)) => Style::Special(*n),
                    None => Style::Call,
                },
                None => Style::Data,
            },
        };
        let open_col = self.col;
        let mut frame = self.frame(node, style, trailing, data);
        if style == Style::Rule {
            frame.operations = self.leading_symbols(&frame);
        }
        // The opener: `(`, `[`, `#(`, or the quote prefix.
        if let Some(Element::Token(open)) = self.tree.children(node).next() {
            self.write(self.tree.token_text(open));
        }
        frame.body_col = match style {
            Style::Rule | Style::Special(_) => open_col + 2,
            Style::Data | Style::Call => open_col + 1,
            Style::Quote | Style::Top => self.col,
        };
        frame
    }

    fn second_item_is_symbol(&self, node: NodeId) -> bool {
        matches!(self.tree.items(node).nth(1),
            Some(Element::Token(t)) if self.tree.token(t).kind == TokenKind::Symbol)
    }

    fn frame(&self, node: NodeId, style: Style, trailing: usize, data: bool) -> Frame {
        let (entries, closer) = self.entries(node);
        Frame {
            style,
            entries,
            next: 0,
            open_col: self.col,
            body_col: self.col,
            datums: 0,
            operations: 0,
            aligned: false,
            after_comment: false,
            on_first_line: true,
            trailing,
            data,
            closer,
        }
    }

    /// The datums and comments of a node, with where each stood relative to line breaks.
    fn entries(&self, node: NodeId) -> (Vec<Entry>, Option<TokenId>) {
        let tree = self.tree;
        let kind = tree.node(node).kind;
        let mut children = tree.children(node).peekable();
        // Skip the opener of lists, vectors and quotes.
        if kind != NodeKind::Root {
            children.next();
        }
        let mut entries = Vec::new();
        let mut closer = None;
        let mut newlines = 0usize;
        let mut seen_any = false;
        for child in children {
            match child {
                Element::Node(_) => {
                    entries.push(Entry::Datum {
                        element: child,
                        blank_before: seen_any && newlines >= 2,
                    });
                    newlines = 0;
                    seen_any = true;
                }
                Element::Token(t) => match tree.token(t).kind {
                    TokenKind::Newline => newlines += 1,
                    TokenKind::Whitespace | TokenKind::Bom => {}
                    TokenKind::LineComment | TokenKind::BlockComment => {
                        entries.push(Entry::Comment {
                            token: t,
                            own_line: newlines > 0 || (!seen_any && kind == NodeKind::Root),
                            blank_before: seen_any && newlines >= 2,
                        });
                        newlines = 0;
                        seen_any = true;
                    }
                    TokenKind::RParen | TokenKind::RBracket if kind != NodeKind::Root => {
                        closer = Some(t);
                    }
                    _ => {
                        entries.push(Entry::Datum {
                            element: child,
                            blank_before: seen_any && newlines >= 2,
                        });
                        newlines = 0;
                        seen_any = true;
                    }
                },
            }
        }
        (entries, closer)
    }

    fn close(&mut self, frame: &Frame) {
        let Some(closer) = frame.closer else {
            return;
        };
        if frame.after_comment {
            trim_trailing_spaces(&mut self.out);
            self.out.push('\n');
            let indent = frame.open_col.min(self.max_indent());
            self.out.extend(std::iter::repeat_n(' ', indent));
            self.col = indent;
        }
        self.write(self.tree.token_text(closer));
    }

    /// Deeper forms are not indented further: a file nested 100,000 levels deep must not
    /// produce quadratic output.
    fn max_indent(&self) -> usize {
        self.width.max(40)
    }

    fn width_of(&self, element: Element) -> u32 {
        match element {
            Element::Node(n) => self.flat[n.0 as usize],
            Element::Token(t) => token_width(self.tree.token_text(t)),
        }
    }

    fn space(&mut self) {
        self.out.push(' ');
        self.col += 1;
    }

    fn write(&mut self, text: &str) {
        self.out.push_str(text);
        match text.rfind('\n') {
            Some(i) => self.col = text[i + 1..].chars().count(),
            None => self.col += text.chars().count(),
        }
    }

    /// Prints a node on one line: single spaces between items, none inside the brackets.
    fn write_flat(&mut self, node: NodeId) {
        let tree = self.tree;
        let mut need_space = false;
        for event in tree.walk_from(node) {
            let WalkEvent::Token(t) = event else {
                continue;
            };
            let token = tree.token(t);
            match token.kind {
                kind if kind.is_trivia() => {}
                TokenKind::RParen | TokenKind::RBracket => {
                    self.write(tree.token_text(t));
                    need_space = true;
                }
                kind if kind.opens_node() => {
                    if need_space {
                        self.space();
                    }
                    self.write(tree.token_text(t));
                    need_space = false;
                }
                _ => {
                    if need_space {
                        self.space();
                    }
                    self.write(tree.token_text(t));
                    need_space = true;
                }
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Placement {
    First,
    SameLine,
    NewLine,
}

fn trim_trailing_spaces(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
}

fn token_width(text: &str) -> u32 {
    if text.contains('\n') {
        BREAK
    } else {
        text.chars().count().min(BREAK as usize - 1) as u32
    }
}

/// The one-line width of every node, or [`BREAK`] when it holds a comment or a multi-line
/// token. One post-order walk: children are finished before their parent.
fn flat_widths(tree: &SyntaxTree) -> Vec<u32> {
    let mut widths = vec![0u32; tree.node_count()];
    for event in tree.walk() {
        let WalkEvent::Leave(node) = event else {
            continue;
        };
        let kind = tree.node(node).kind;
        let mut total: u64 = 0;
        let mut items = 0u64;
        let mut broken = false;
        for child in tree.children(node) {
            let w = match child {
                Element::Node(n) => widths[n.0 as usize],
                Element::Token(t) => {
                    let token = tree.token(t);
                    if token.kind.is_comment() {
                        broken = true;
                    }
                    if token.kind.is_trivia() {
                        continue;
                    }
                    token_width(tree.token_text(t))
                }
            };
            if w == BREAK {
                broken = true;
            }
            total += u64::from(w);
            if matches!(child, Element::Node(_))
                || matches!(child, Element::Token(t) if {
                    let k = tree.token(t).kind;
                    k.is_atom() || k == TokenKind::Dot
                })
            {
                items += 1;
            }
        }
        // One space between items inside brackets; quotes glue to their datum.
        if kind != NodeKind::Quote && items > 1 {
            total += items - 1;
        }
        widths[node.0 as usize] = if broken || total >= u64::from(BREAK) {
            BREAK
        } else {
            total as u32
        };
    }
    widths
}
