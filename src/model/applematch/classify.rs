//! Names the constructs whose status depends on their place (anchors), and lists the
//! constructs of a tree that are not plainly supported.

use super::ast::{ClassItem, GroupKind, Kind, Node, Regex, Span};
use super::dialect::{Construct, Status};

/// Where a node stands: whether an item comes before it in its own sequence, and whether
/// nothing can be matched after it in the whole regex.
#[derive(Clone, Copy)]
struct Place {
    after_item: bool,
    tail: bool,
}

pub(super) fn classify(regex: &mut Regex) {
    let len = regex.text.len();
    let mut stack: Vec<(&mut Node, Place)> = vec![(
        &mut regex.root,
        Place {
            after_item: false,
            tail: true,
        },
    )];
    while let Some((n, place)) = stack.pop() {
        match &mut n.kind {
            Kind::Start => {
                n.construct = if n.span.start == 0 {
                    Construct::AnchorStart
                } else if place.after_item {
                    Construct::AnchorStartMiddle
                } else {
                    Construct::AnchorStartNested
                };
            }
            Kind::End => {
                n.construct = if !place.tail {
                    Construct::AnchorEndMiddle
                } else if n.span.end == len {
                    Construct::AnchorEnd
                } else {
                    Construct::AnchorEndAlternative
                };
            }
            Kind::Concat(xs) => {
                let last = xs.len().saturating_sub(1);
                for (k, x) in xs.iter_mut().enumerate() {
                    stack.push((
                        x,
                        Place {
                            after_item: k > 0,
                            tail: place.tail && k == last,
                        },
                    ));
                }
            }
            Kind::Alt(xs) => {
                for x in xs.iter_mut() {
                    stack.push((
                        x,
                        Place {
                            after_item: false,
                            tail: place.tail,
                        },
                    ));
                }
            }
            Kind::Group { body, .. } => stack.push((
                body,
                Place {
                    after_item: false,
                    tail: place.tail,
                },
            )),
            Kind::Repeat {
                item: Some(item), ..
            } => stack.push((
                item,
                Place {
                    after_item: place.after_item,
                    tail: false,
                },
            )),
            _ => {}
        }
    }
}

/// A construct at a place in the regex.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Finding {
    pub construct: Construct,
    pub span: Span,
}

impl Finding {
    pub fn status(&self) -> Status {
        self.construct.status()
    }
}

/// The constructs of `regex` whose status is not `supported`, in text order.
pub fn findings(regex: &Regex) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut stack = vec![&regex.root];
    while let Some(n) = stack.pop() {
        if n.construct.status() != Status::Supported {
            out.push(Finding {
                construct: n.construct,
                span: n.span,
            });
        }
        match &n.kind {
            // `(?i)` has no body of its own to report.
            Kind::Group {
                kind: GroupKind::Flags { scoped: false, .. },
                ..
            } => {}
            Kind::Group { body, .. } => stack.push(body),
            Kind::Repeat { item: Some(i), .. } => stack.push(i),
            Kind::Concat(xs) | Kind::Alt(xs) => stack.extend(xs.iter()),
            Kind::Class(c) => {
                for (k, (item, span)) in c.items.iter().zip(&c.spans).enumerate() {
                    let construct = class_item(item, k, c.items.len());
                    if construct.status() != Status::Supported {
                        out.push(Finding {
                            construct,
                            span: *span,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    out.sort_by_key(|f| (f.span.start, f.span.end));
    out
}

/// The construct of the `k`-th of `len` items of a class.
pub(super) fn class_item(item: &ClassItem, k: usize, len: usize) -> Construct {
    match *item {
        ClassItem::Byte(b']') if k == 0 => Construct::ClassLeadingBracket,
        ClassItem::Byte(b'-') if k == 0 || k + 1 == len => Construct::ClassDashEdge,
        ClassItem::Byte(b) if !(0x20..=0x7e).contains(&b) => Construct::LiteralUnusualByte,
        ClassItem::Byte(_) => Construct::Class,
        ClassItem::Range(lo, hi) if lo > hi => Construct::ClassReversedRange,
        ClassItem::Range(lo, hi)
            if !(0x20..=0x7e).contains(&lo) || !(0x20..=0x7e).contains(&hi) =>
        {
            Construct::LiteralUnusualByte
        }
        ClassItem::Range(..) => Construct::ClassRange,
        ClassItem::Escape(_) => Construct::ClassEscape,
        ClassItem::Posix(_) => Construct::PosixClass,
    }
}
