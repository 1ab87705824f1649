//! A Thompson NFA over bytes, built from the tree, and its linear-time simulation.
//!
//! AppleMatch itself compiles regexes to such an automaton (byte, any-byte, class, split,
//! epsilon, line-begin, line-end, accept: SANDBOX_LORE re2dot). The set analysis builds
//! DFAs and products from [`Nfa`]: its states are public, assertions are explicit states
//! ([`State::Start`] holds only before the first byte, [`State::End`] only after the last),
//! and a regex is unanchored: it matches a text when some part of it matches.
//!
//! A construct whose meaning is unverified has no exact automaton. [`Mode::Over`] builds
//! one that accepts at least what libsandbox could (the construct matches any string) and
//! [`Mode::Under`] one that accepts at most that (the construct matches nothing); when the
//! two agree on a text the answer is certain.

use super::ast::{Class, ClassItem, GroupKind, Kind, Node, Regex, RepeatOp};
use super::classify::class_item;
use super::dialect::{Construct, Status};

pub type StateId = u32;

/// A set of bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct ByteSet(pub [u64; 4]);

impl ByteSet {
    pub const ALL: ByteSet = ByteSet([u64::MAX; 4]);

    pub fn single(b: u8) -> ByteSet {
        let mut s = ByteSet::default();
        s.insert(b);
        s
    }

    pub fn insert(&mut self, b: u8) {
        self.0[usize::from(b >> 6)] |= 1 << (b & 63);
    }

    pub fn insert_range(&mut self, lo: u8, hi: u8) {
        for b in lo..=hi {
            self.insert(b);
        }
    }

    pub fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }

    pub fn complement(&self) -> ByteSet {
        ByteSet(self.0.map(|w| !w))
    }

    pub fn is_empty(&self) -> bool {
        self.0 == [0; 4]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Consume one byte of the set, then go to `next`.
    Bytes {
        set: ByteSet,
        next: StateId,
    },
    /// Go to both.
    Split(StateId, StateId),
    /// Only before the first byte of the text.
    Start(StateId),
    /// Only after the last byte of the text.
    End(StateId),
    Match,
    /// No way on.
    Fail,
}

/// Which automaton to build for constructs whose meaning is unverified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Each unverified construct matches any string: accepts a superset.
    Over,
    /// Each unverified construct matches nothing: accepts a subset.
    Under,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nfa {
    pub states: Vec<State>,
    pub start: StateId,
}

/// Most states one regex may take (a `{n}` is unrolled); past it there is no automaton.
pub const MAX_STATES: usize = 250_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooLarge;

impl Nfa {
    pub fn build(regex: &Regex, mode: Mode) -> Result<Nfa, TooLarge> {
        // A flag or extension group may change how all of the regex matches (`(?i)`): no
        // part of it is then known.
        if regex.root.walk().iter().any(|n| {
            matches!(
                n.construct,
                Construct::FlagGroup | Construct::ExtensionGroup
            ) && n.construct.status() == Status::Unverified
        }) {
            let start = match mode {
                Mode::Over => MATCH,
                Mode::Under => FAIL,
            };
            return Ok(Nfa {
                states: vec![State::Match, State::Fail],
                start,
            });
        }
        let mut b = Builder {
            states: vec![State::Match, State::Fail],
            mode,
        };
        let start = b.compile(&regex.root, MATCH)?;
        Ok(Nfa {
            states: b.states,
            start,
        })
    }

    /// Whether some part of `text` matches. Time O(len(text) × states), memory O(states).
    pub fn is_match(&self, text: &[u8]) -> bool {
        let n = self.states.len();
        let mut current = Set::new(n);
        let mut next = Set::new(n);
        let mut stack = Vec::new();
        for at in 0..=text.len() {
            // Unanchored: a match may start anywhere.
            if self.close(self.start, at, text.len(), &mut current, &mut stack) {
                return true;
            }
            let Some(&byte) = text.get(at) else {
                break;
            };
            next.clear();
            for &s in &current.dense {
                if let State::Bytes { set, next: to } = self.states[s as usize] {
                    if set.contains(byte)
                        && self.close(to, at + 1, text.len(), &mut next, &mut stack)
                    {
                        return true;
                    }
                }
            }
            std::mem::swap(&mut current, &mut next);
        }
        false
    }

    /// Adds `from` and what it reaches without a byte at position `at` to `set`; true when
    /// that reaches `Match`.
    fn close(
        &self,
        from: StateId,
        at: usize,
        len: usize,
        set: &mut Set,
        stack: &mut Vec<StateId>,
    ) -> bool {
        stack.clear();
        stack.push(from);
        while let Some(s) = stack.pop() {
            if !set.insert(s) {
                continue;
            }
            match self.states[s as usize] {
                State::Match => return true,
                State::Split(a, b) => {
                    stack.push(b);
                    stack.push(a);
                }
                State::Start(to) if at == 0 => stack.push(to),
                State::End(to) if at == len => stack.push(to),
                _ => {}
            }
        }
        false
    }
}

const MATCH: StateId = 0;
const FAIL: StateId = 1;

struct Builder {
    states: Vec<State>,
    mode: Mode,
}

impl Builder {
    fn push(&mut self, s: State) -> Result<StateId, TooLarge> {
        if self.states.len() >= MAX_STATES {
            return Err(TooLarge);
        }
        self.states.push(s);
        Ok((self.states.len() - 1) as StateId)
    }

    /// Any string, then `next`.
    fn any_string(&mut self, next: StateId) -> Result<StateId, TooLarge> {
        let split = self.push(State::Fail)?;
        let byte = self.push(State::Bytes {
            set: ByteSet::ALL,
            next: split,
        })?;
        self.states[split as usize] = State::Split(byte, next);
        Ok(split)
    }

    /// The automaton for `node` followed by `next` (built back to front).
    fn compile(&mut self, node: &Node, next: StateId) -> Result<StateId, TooLarge> {
        match node.construct.status() {
            Status::Refused | Status::NeverMatches => return Ok(FAIL),
            Status::Unverified => {
                return match self.mode {
                    Mode::Over => self.any_string(next),
                    Mode::Under => Ok(FAIL),
                }
            }
            Status::Supported => {}
        }
        match &node.kind {
            Kind::Empty => Ok(next),
            Kind::Literal { byte, .. } => self.push(State::Bytes {
                set: ByteSet::single(*byte),
                next,
            }),
            Kind::Any => self.push(State::Bytes {
                set: ByteSet::ALL,
                next,
            }),
            Kind::Start => self.push(State::Start(next)),
            Kind::End => self.push(State::End(next)),
            Kind::Class(c) => {
                let set = self.class(c);
                if set.is_empty() {
                    return Ok(FAIL);
                }
                self.push(State::Bytes { set, next })
            }
            Kind::Group { kind, body } => match kind {
                GroupKind::Capture => self.compile(body, next),
                // Their status is not `supported`: handled above.
                _ => Ok(FAIL),
            },
            Kind::Repeat {
                item: Some(item),
                op,
            } => self.repeat(item, *op, next),
            Kind::Repeat { item: None, .. } | Kind::Escape(_) | Kind::TrailingEscape => Ok(FAIL),
            Kind::Concat(xs) => {
                let mut at = next;
                for x in xs.iter().rev() {
                    at = self.compile(x, at)?;
                }
                Ok(at)
            }
            Kind::Alt(xs) => self.alternatives(xs, next),
        }
    }

    /// The automaton for `item` repeated by `op`, followed by `next`.
    fn repeat(&mut self, item: &Node, op: RepeatOp, next: StateId) -> Result<StateId, TooLarge> {
        match op {
            RepeatOp::Star => {
                let split = self.push(State::Fail)?;
                let body = self.compile(item, split)?;
                self.states[split as usize] = State::Split(body, next);
                Ok(split)
            }
            RepeatOp::Plus => {
                let split = self.push(State::Fail)?;
                let body = self.compile(item, split)?;
                self.states[split as usize] = State::Split(body, next);
                Ok(body)
            }
            RepeatOp::Question => {
                let body = self.compile(item, next)?;
                self.push(State::Split(body, next))
            }
            RepeatOp::Exact(n) => {
                let mut at = next;
                for _ in 0..n {
                    at = self.compile(item, at)?;
                }
                Ok(at)
            }
            // Unverified: handled in `compile`.
            RepeatOp::AtLeast(_) | RepeatOp::Range(..) => Ok(FAIL),
        }
    }

    /// The automaton for any one of `xs`, followed by `next`.
    fn alternatives(&mut self, xs: &[Node], next: StateId) -> Result<StateId, TooLarge> {
        let mut at = FAIL;
        for x in xs.iter().rev() {
            let branch = self.compile(x, next)?;
            at = if at == FAIL {
                branch
            } else {
                self.push(State::Split(branch, at))?
            };
        }
        Ok(at)
    }

    /// The bytes a class matches; unverified items count as every byte (over) or none
    /// (under), turned around for a negated class.
    fn class(&self, c: &Class) -> ByteSet {
        let mut set = ByteSet::default();
        let mut unverified = false;
        for (k, item) in c.items.iter().enumerate() {
            // `\.` in a class is `.` (PCRE) or `\` and `.` (POSIX): either way it holds `.`.
            if let ClassItem::Escape(b) = *item {
                if !b.is_ascii_alphanumeric() {
                    set.insert(b);
                    if self.mode == Mode::Over && !c.negated
                        || self.mode == Mode::Under && c.negated
                    {
                        set.insert(b'\\');
                    }
                    continue;
                }
            }
            if class_item(item, k, c.items.len()).status() != Status::Supported {
                unverified = true;
                continue;
            }
            match *item {
                ClassItem::Byte(b) => set.insert(b),
                ClassItem::Range(lo, hi) => set.insert_range(lo, hi),
                ClassItem::Escape(_) | ClassItem::Posix(_) => {}
            }
        }
        // The unknown items widen a plain class and narrow a negated one.
        let widen = match self.mode {
            Mode::Over => !c.negated,
            Mode::Under => c.negated,
        };
        if unverified && widen {
            set = ByteSet::ALL;
        }
        if c.negated {
            set.complement()
        } else {
            set
        }
    }
}

/// A sparse set of states: O(1) insert and clear.
struct Set {
    dense: Vec<StateId>,
    sparse: Vec<u32>,
}

impl Set {
    fn new(n: usize) -> Set {
        Set {
            dense: Vec::with_capacity(n),
            sparse: vec![0; n],
        }
    }

    fn insert(&mut self, s: StateId) -> bool {
        let i = self.sparse[s as usize] as usize;
        if i < self.dense.len() && self.dense[i] == s {
            return false;
        }
        self.sparse[s as usize] = self.dense.len() as u32;
        self.dense.push(s);
        true
    }

    fn clear(&mut self) {
        self.dense.clear();
    }
}
