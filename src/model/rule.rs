//! Rules as libsandbox sees them after evaluation: action, operations (aliases resolved),
//! a filter tree of typed values, modifiers, and where each came from.

use smallvec::SmallVec;

use super::vocab::{Name, OpId};
use crate::syntax::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Allow,
    Deny,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Deny => "deny",
        }
    }

    pub fn opposite(self) -> Action {
        match self {
            Action::Allow => Action::Deny,
            Action::Deny => Action::Allow,
        }
    }
}

/// Which file a span belongs to: 0 is the checked file; preludes and imports follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u16);

impl FileId {
    pub const MAIN: FileId = FileId(0);
}

/// A place in one of the files the model was built from.
///
/// Packed to ten bytes: every rule and filter leaf carries one or two, and alignment
/// would pad each to twelve (read its fields by value). Measured: unpacked, `sblint check`
/// of the generated 10 MiB profile peaks at 102.7 MiB, over the 10x-the-input bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(C, packed(2))]
pub struct Origin {
    pub file: FileId,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleOp {
    /// As written: `sysctl-write`.
    pub written: Name,
    /// As it applies: `sysctl*`.
    pub id: OpId,
    pub origin: Origin,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathPattern {
    Literal(Box<str>),
    Subpath(Box<str>),
    Prefix(Box<str>),
    Regex(Box<str>),
}

impl PathPattern {
    pub fn text(&self) -> &str {
        match self {
            PathPattern::Literal(s)
            | PathPattern::Subpath(s)
            | PathPattern::Prefix(s)
            | PathPattern::Regex(s) => s,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NamePattern {
    Exact(Box<str>),
    Prefix(Box<str>),
    Regex(Box<str>),
}

impl NamePattern {
    pub fn text(&self) -> &str {
        match self {
            NamePattern::Exact(s) | NamePattern::Prefix(s) | NamePattern::Regex(s) => s,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Port {
    Any,
    Number(u16),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NetAddr {
    /// `local` rather than `remote`.
    pub local: bool,
    pub protocol: String,
    /// `*` or `localhost`.
    pub host: String,
    pub port: Port,
    /// `(remote unix-socket (path-literal "/x.sock"))`: the socket's path filter as written
    /// (`path-literal`, `path-regex` …) and its pattern; `None` for every socket of the kind.
    pub socket: Option<Box<(Name, PathPattern)>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FilterValue {
    Path(PathPattern),
    Name(NamePattern),
    /// Boxed: rare, and three times the size of the others.
    Network(Box<NetAddr>),
    /// A string argument of another filter (`extension`, `xattr` …).
    Other(Box<str>),
    /// A bare argument: a named constant, a number, `#t`/`#f` (`vnode-type DIRECTORY`).
    Atom(Box<str>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    /// The filter as libsandbox knows it: `path` for `literal`.
    pub name: Name,
    /// As written: `literal`.
    pub written: Name,
    pub value: FilterValue,
    /// The whole `(literal "/x")` form.
    pub origin: Origin,
    /// The argument (the string token when it was written literally).
    pub arg: Origin,
}

impl Filter {
    /// `path`, `name`, `network` …, or `other`.
    pub fn category(&self) -> &'static str {
        self.name.category()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilterExpr {
    /// Any of them: several filters in one rule, or `require-any`.
    Any(Vec<FilterExpr>),
    /// `require-all`
    All(Vec<FilterExpr>),
    /// `require-not`
    Not(Box<FilterExpr>),
    Leaf(Filter),
    /// A filter whose value evaluation could not know (an unset `param` …).
    Unknown(Origin),
}

impl FilterExpr {
    /// Every leaf, in order.
    pub fn leaves(&self) -> Leaves<'_> {
        Leaves::new(self, false)
    }

    /// Leaves reached without going through `require-not`: what the rule positively matches.
    pub fn positive_leaves(&self) -> Leaves<'_> {
        Leaves::new(self, true)
    }

    /// True when the filter is leaves joined by "any of" only: no `require-all`, no
    /// `require-not`, no unknown value.
    pub fn is_alternatives(&self) -> bool {
        // Most filters: one leaf, or a few leaves side by side.
        match self {
            FilterExpr::Leaf(_) => return true,
            FilterExpr::Any(xs) if xs.iter().all(|x| matches!(x, FilterExpr::Leaf(_))) => {
                return true
            }
            FilterExpr::Any(_) => {}
            _ => return false,
        }
        let mut stack: SmallVec<[&FilterExpr; 4]> = SmallVec::new();
        stack.push(self);
        while let Some(expr) = stack.pop() {
            match expr {
                FilterExpr::Any(xs) => stack.extend(xs.iter()),
                FilterExpr::Leaf(_) => {}
                _ => return false,
            }
        }
        true
    }

    pub fn has_unknown(&self) -> bool {
        match self {
            FilterExpr::Any(xs) | FilterExpr::All(xs) => xs.iter().any(FilterExpr::has_unknown),
            FilterExpr::Not(x) => x.has_unknown(),
            FilterExpr::Leaf(_) => false,
            FilterExpr::Unknown(_) => true,
        }
    }
}

/// The leaves of a filter, in order, without allocating for filters nested up to four deep.
pub struct Leaves<'a> {
    next: Option<&'a FilterExpr>,
    stack: SmallVec<[std::slice::Iter<'a, FilterExpr>; 4]>,
    /// Skip what is under `require-not`.
    positive: bool,
}

impl<'a> Leaves<'a> {
    fn new(expr: &'a FilterExpr, positive: bool) -> Leaves<'a> {
        Leaves {
            next: Some(expr),
            stack: SmallVec::new(),
            positive,
        }
    }
}

impl<'a> Iterator for Leaves<'a> {
    type Item = &'a Filter;

    fn next(&mut self) -> Option<&'a Filter> {
        loop {
            let expr = match self.next.take() {
                Some(expr) => expr,
                None => match self.stack.last_mut()?.next() {
                    Some(expr) => expr,
                    None => {
                        self.stack.pop();
                        continue;
                    }
                },
            };
            match expr {
                FilterExpr::Any(xs) | FilterExpr::All(xs) => self.stack.push(xs.iter()),
                FilterExpr::Not(x) if !self.positive => self.next = Some(x),
                FilterExpr::Leaf(f) => return Some(f),
                FilterExpr::Not(_) | FilterExpr::Unknown(_) => {}
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Modifier {
    pub name: &'static str,
    pub args: Vec<String>,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub action: Action,
    pub operations: Box<[RuleOp]>,
    /// `None`: the rule has no filter and applies to every argument.
    pub filter: Option<FilterExpr>,
    pub modifiers: Box<[Modifier]>,
    /// The `(allow ...)` form.
    pub origin: Origin,
    /// The top-level form of the checked file whose evaluation made this rule.
    pub site: Option<Span>,
    /// False when the rule comes from a branch whose condition is unknown.
    pub certain: bool,
}

impl Rule {
    pub fn names(&self, op: OpId) -> bool {
        self.operations.iter().any(|o| o.id == op)
    }

    /// Where a finding about this rule is shown in the checked file, if anywhere.
    pub fn main_span(&self) -> Option<Span> {
        if self.origin.file == FileId::MAIN {
            Some(self.origin.span)
        } else {
            self.site
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 10 MB profile has over 100,000 rules and more leaves: their size is most of the
    /// model's memory (docs/src/performance.md).
    #[test]
    fn rules_and_leaves_stay_small() {
        assert!(
            std::mem::size_of::<Filter>() <= 64,
            "{}",
            std::mem::size_of::<Filter>()
        );
        assert!(std::mem::size_of::<FilterExpr>() <= 64);
        assert!(
            std::mem::size_of::<Rule>() <= 128,
            "{}",
            std::mem::size_of::<Rule>()
        );
    }
}
