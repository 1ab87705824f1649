//! The printer: tree → regex text. For a tree the parser built, the text re-parses to the
//! same tree (a property test checks it); it is the text written, but for numbers in
//! braces, which print without leading zeros.

use super::ast::{ClassItem, GroupKind, Kind, Node, RepeatOp};

/// The regex text of a tree.
pub fn print(node: &Node) -> Vec<u8> {
    let mut out = Vec::new();
    write(node, &mut out);
    out
}

fn write(node: &Node, out: &mut Vec<u8>) {
    match &node.kind {
        Kind::Empty => {}
        Kind::Literal { byte, escaped } => {
            if *escaped {
                out.push(b'\\');
            }
            out.push(*byte);
        }
        Kind::Any => out.push(b'.'),
        Kind::Start => out.push(b'^'),
        Kind::End => out.push(b'$'),
        Kind::Escape(c) => {
            out.push(b'\\');
            out.push(*c);
        }
        Kind::TrailingEscape => out.push(b'\\'),
        Kind::Class(c) => {
            out.push(b'[');
            if c.negated {
                out.push(b'^');
            }
            for item in &c.items {
                match item {
                    ClassItem::Byte(b) => out.push(*b),
                    ClassItem::Range(lo, hi) => out.extend([*lo, b'-', *hi]),
                    ClassItem::Escape(b) => out.extend([b'\\', *b]),
                    ClassItem::Posix(name) => {
                        out.extend_from_slice(b"[:");
                        out.extend_from_slice(name);
                        out.extend_from_slice(b":]");
                    }
                }
            }
            out.push(b']');
        }
        Kind::Group { kind, body } => {
            out.push(b'(');
            match kind {
                GroupKind::Capture => {}
                GroupKind::NonCapture => out.extend_from_slice(b"?:"),
                GroupKind::Flags { flags, scoped } => {
                    out.push(b'?');
                    out.extend_from_slice(flags);
                    if !scoped {
                        out.push(b')');
                        return;
                    }
                    out.push(b':');
                }
                GroupKind::Extension(b) => out.extend([b'?', *b]),
            }
            write(body, out);
            out.push(b')');
        }
        Kind::Repeat { item, op } => {
            if let Some(item) = item {
                write(item, out);
            }
            match op {
                RepeatOp::Star => out.push(b'*'),
                RepeatOp::Plus => out.push(b'+'),
                RepeatOp::Question => out.push(b'?'),
                RepeatOp::Exact(n) => out.extend(format!("{{{n}}}").bytes()),
                RepeatOp::AtLeast(n) => out.extend(format!("{{{n},}}").bytes()),
                RepeatOp::Range(n, m) => out.extend(format!("{{{n},{m}}}").bytes()),
            }
        }
        Kind::Concat(xs) => xs.iter().for_each(|x| write(x, out)),
        Kind::Alt(xs) => {
            for (k, x) in xs.iter().enumerate() {
                if k > 0 {
                    out.push(b'|');
                }
                write(x, out);
            }
        }
    }
}
