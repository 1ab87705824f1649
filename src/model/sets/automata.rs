//! The component automata of the product: one deterministic automaton per distinct
//! argument leaf (and per `within`/`except` entry), over bytes.
//!
//! `literal`, `subpath` and `prefix` are position counters; a regex is AppleMatch's
//! Thompson NFA ([`crate::model::applematch::Nfa`]) determinised lazily, state by state,
//! as the product reaches them. The shape automata say which strings are arguments at all:
//! a path as the kernel checks it (and as `sblint explain` takes it back unchanged), a
//! non-empty name.

use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use crate::model::applematch::nfa::{ByteSet, State, StateId};
use crate::model::applematch::{Matcher, Nfa};

/// A component's state.
pub type S = u32;

/// Literal-like components: no string with this start is accepted.
pub const DEAD: S = u32::MAX;
/// Literal-like components: every string with this start is accepted.
pub const FOREVER: S = u32::MAX - 1;

/// Past a component's state limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exceeded;

/// The classes of bytes no automaton of a state tells apart: the partition of 0..=255
/// refined by every byte set the components use there (a few classes, each a bit set).
pub struct Partition {
    classes: Vec<ByteSet>,
}

impl Partition {
    pub fn new() -> Partition {
        Partition {
            classes: vec![ByteSet::ALL],
        }
    }

    pub fn reset(&mut self) {
        self.classes.clear();
        self.classes.push(ByteSet::ALL);
    }

    /// Splits the class of `b` into `{b}` and the rest.
    pub fn byte(&mut self, b: u8) {
        let single = ByteSet::single(b);
        if let Some(k) = self.classes.iter().position(|c| c.contains(b)) {
            if self.classes[k] != single {
                self.classes[k] = minus(&self.classes[k], &single);
                self.classes.push(single);
            }
        }
    }

    /// Splits every class that `set` cuts.
    pub fn set(&mut self, set: &ByteSet) {
        if set.is_empty() || *set == ByteSet::ALL {
            return;
        }
        for k in 0..self.classes.len() {
            let c = self.classes[k];
            let inside = ByteSet(std::array::from_fn(|w| c.0[w] & set.0[w]));
            if !inside.is_empty() && inside != c {
                self.classes[k] = minus(&c, set);
                self.classes.push(inside);
            }
        }
    }

    /// One byte per class, the most readable first: a-z, then 0-9, then `-_.`, then other
    /// printable ASCII, then the rest.
    pub fn representatives(&self, out: &mut Vec<u8>) {
        out.clear();
        let order = readable_order();
        for c in &self.classes {
            if let Some(&b) = order.iter().find(|&&b| c.contains(b)) {
                out.push(b);
            }
        }
        out.sort_by_key(|&b| (rank(b), b));
    }
}

fn minus(a: &ByteSet, b: &ByteSet) -> ByteSet {
    ByteSet(std::array::from_fn(|w| a.0[w] & !b.0[w]))
}

/// Every byte, the most readable first.
fn readable_order() -> &'static [u8; 256] {
    static ORDER: std::sync::OnceLock<[u8; 256]> = std::sync::OnceLock::new();
    ORDER.get_or_init(|| {
        let mut all: [u8; 256] = std::array::from_fn(|i| i as u8);
        all.sort_by_key(|&b| (rank(b), b));
        all
    })
}

impl Default for Partition {
    fn default() -> Self {
        Partition::new()
    }
}

fn rank(b: u8) -> u8 {
    match b {
        b'a'..=b'z' => 0,
        b'0'..=b'9' => 1,
        b'-' | b'_' | b'.' => 2,
        b'A'..=b'Z' => 3,
        b'/' => 5,
        0x21..=0x7e => 4,
        b' ' => 6,
        0x80..=0xff => 7,
        0 => 9,
        _ => 8,
    }
}

/// A regex's automaton determinised on demand. State 0 is the start (before any byte),
/// 1 accepts every extension (a match was found: regexes are unanchored), 2 accepts none.
pub struct Dfa {
    matcher: Arc<Matcher>,
    under: bool,
    /// Per state: the NFA states that consume a byte or wait for the end.
    kernels: Vec<Box<[StateId]>>,
    index: HashMap<Box<[StateId]>, S>,
    accept_end: Vec<bool>,
    sets: Vec<Box<[ByteSet]>>,
    trans: HashMap<(S, u8), S>,
    /// True when the restart kernel (a match starting later) can never match.
    restart_dead: bool,
    limit: usize,
    marks: Vec<u32>,
    generation: u32,
    /// NFA states visited so far, bounded by [`MAX_WORK`].
    work: usize,
}

/// Most NFA states one regex's determinisation may visit (a bound on time, for regexes
/// whose automaton is large: a `{n}` unrolled).
const MAX_WORK: usize = 50_000_000;

const STICKY: S = 1;
const NONE: S = 2;

impl Dfa {
    pub fn new(matcher: Arc<Matcher>, under: bool, limit: usize) -> Dfa {
        let n = if under {
            matcher.under().states.len()
        } else {
            matcher.over().states.len()
        };
        let mut dfa = Dfa {
            matcher,
            under,
            kernels: Vec::new(),
            index: HashMap::default(),
            accept_end: Vec::new(),
            sets: Vec::new(),
            trans: HashMap::default(),
            restart_dead: false,
            limit,
            marks: vec![0; n],
            generation: 0,
            work: 0,
        };
        let start = dfa.nfa().start;
        let (kernel, matched) = dfa.closure(&[start], true);
        let accept0 = matched || dfa.accepts_at_end(&kernel, true);
        // 0: the start (kept apart: `^` holds only there).
        dfa.kernels.push(kernel);
        dfa.accept_end.push(accept0);
        let sets0 = dfa.byte_sets(0);
        dfa.sets.push(sets0);
        if matched {
            // Everything matches: the start is as good as STICKY, but stays state 0.
            dfa.sets[0] = Box::new([]);
        }
        // 1 and 2.
        for accept in [true, false] {
            dfa.kernels.push(Box::new([]));
            dfa.accept_end.push(accept);
            dfa.sets.push(Box::new([]));
        }
        let (restart, restart_matched) = dfa.closure(&[start], false);
        dfa.restart_dead = !restart_matched
            && !dfa.accepts_at_end(&restart, false)
            && !restart
                .iter()
                .any(|&s| matches!(dfa.nfa().states[s as usize], State::Bytes { .. }));
        if matched {
            // Record that every byte from the start leads to STICKY.
            for b in 0..=255u8 {
                dfa.trans.insert((0, b), STICKY);
            }
        }
        dfa
    }

    fn nfa(&self) -> &Nfa {
        if self.under {
            self.matcher.under()
        } else {
            self.matcher.over()
        }
    }

    /// The kernel reached from `seeds` without consuming a byte (before the end), and
    /// whether that reaches `Match`.
    fn closure(&mut self, seeds: &[StateId], at_start: bool) -> (Box<[StateId]>, bool) {
        self.generation += 1;
        let generation = self.generation;
        let mut stack: Vec<StateId> = seeds.to_vec();
        let mut kernel = Vec::new();
        let mut matched = false;
        while let Some(s) = stack.pop() {
            if self.marks[s as usize] == generation {
                continue;
            }
            self.marks[s as usize] = generation;
            self.work += 1;
            match self.nfa().states[s as usize] {
                State::Match => matched = true,
                State::Split(a, b) => {
                    stack.push(b);
                    stack.push(a);
                }
                State::Start(to) if at_start => stack.push(to),
                State::Bytes { .. } | State::End(_) => kernel.push(s),
                State::Start(_) | State::Fail => {}
            }
        }
        kernel.sort_unstable();
        (kernel.into_boxed_slice(), matched)
    }

    fn accepts_at_end(&mut self, kernel: &[StateId], at_start: bool) -> bool {
        self.generation += 1;
        let generation = self.generation;
        let mut stack: Vec<StateId> = kernel.to_vec();
        while let Some(s) = stack.pop() {
            if self.marks[s as usize] == generation {
                continue;
            }
            self.marks[s as usize] = generation;
            match self.nfa().states[s as usize] {
                State::Match => return true,
                State::Split(a, b) => {
                    stack.push(b);
                    stack.push(a);
                }
                State::End(to) => stack.push(to),
                State::Start(to) if at_start => stack.push(to),
                _ => {}
            }
        }
        false
    }

    fn byte_sets(&self, s: S) -> Box<[ByteSet]> {
        let mut sets: Vec<ByteSet> = Vec::new();
        for &n in self.kernels[s as usize].iter() {
            if let State::Bytes { set, .. } = self.nfa().states[n as usize] {
                if !sets.contains(&set) {
                    sets.push(set);
                }
            }
        }
        sets.into_boxed_slice()
    }

    pub fn accepts(&self, s: S) -> bool {
        self.accept_end[s as usize]
    }

    pub fn is_dead(&self, s: S) -> bool {
        s == NONE
    }

    pub fn is_forever(&self, s: S) -> bool {
        s == STICKY
    }

    pub fn sets(&self, s: S) -> &[ByteSet] {
        &self.sets[s as usize]
    }

    /// How many states it has so far.
    pub fn states(&self) -> usize {
        self.kernels.len()
    }

    pub fn step(&mut self, s: S, b: u8) -> Result<S, Exceeded> {
        if s == STICKY || s == NONE {
            return Ok(s);
        }
        if let Some(&t) = self.trans.get(&(s, b)) {
            return Ok(t);
        }
        let mut seeds: Vec<StateId> = Vec::new();
        for &n in self.kernels[s as usize].iter() {
            if let State::Bytes { set, next } = self.nfa().states[n as usize] {
                if set.contains(b) {
                    seeds.push(next);
                }
            }
        }
        seeds.push(self.nfa().start);
        let (kernel, matched) = self.closure(&seeds, false);
        if self.work > MAX_WORK {
            return Err(Exceeded);
        }
        let t = if matched {
            STICKY
        } else if let Some(&t) = self.index.get(&kernel) {
            t
        } else {
            let accept = self.accepts_at_end(&kernel, false);
            let consumes = kernel
                .iter()
                .any(|&n| matches!(self.nfa().states[n as usize], State::Bytes { .. }));
            if !accept && !consumes && self.restart_dead {
                NONE
            } else {
                if self.kernels.len() >= self.limit {
                    return Err(Exceeded);
                }
                let t = self.kernels.len() as S;
                self.kernels.push(kernel.clone());
                self.accept_end.push(accept);
                let sets = self.byte_sets(t);
                self.sets.push(sets);
                self.index.insert(kernel, t);
                t
            }
        };
        self.trans.insert((s, b), t);
        Ok(t)
    }
}

/// How a path may look to be an argument: absolute, no empty, `.` or `..` component, no
/// trailing `/` (but `/` itself), no NUL, and not through a symlinked root or the data
/// volume (`/tmp`, `/var`, `/etc`, `/System/Volumes/Data` and below), which the kernel
/// and `explain` resolve first. State: segment state × position among those roots.
const ROOTS: [&[u8]; 4] = [b"/tmp", b"/var", b"/etc", b"/System/Volumes/Data"];

/// Segment states.
const SEG_EMPTY: u32 = 0;
const SEG_SLASH: u32 = 1;
const SEG_DOT: u32 = 2;
const SEG_DOTDOT: u32 = 3;
const SEG_NAME: u32 = 4;

/// Root tracking: 0..=len of the longest root while some root is still possible (the
/// text so far is a prefix of one), 254: a whole root was read, 255: none can follow.
const ROOT_FULL: u32 = 254;
const ROOT_FREE: u32 = 255;

fn shape(seg: u32, root: u32) -> S {
    seg << 8 | root
}

/// The start of the path shape.
pub fn path_start() -> S {
    shape(SEG_EMPTY, 0)
}

pub fn path_accepts(s: S) -> bool {
    if s == DEAD {
        return false;
    }
    let (seg, root) = (s >> 8, s & 0xff);
    let seg_ok = match seg {
        SEG_NAME => true,
        // `/` alone.
        SEG_SLASH => root == 1,
        _ => false,
    };
    seg_ok && root != ROOT_FULL
}

/// The root tracked (which root, how much of it was read): 0 nothing, 1 `/`, else
/// `root * 32 + length`. The roots differ from their second byte on.
fn root_of(state: u32) -> Option<(usize, usize)> {
    match state {
        0 => None,
        1 => None,
        ROOT_FULL | ROOT_FREE => None,
        n => Some(((n / 32) as usize, (n % 32) as usize)),
    }
}

/// The bytes that continue a root from a root state.
fn root_next(state: u32) -> impl Iterator<Item = (u8, u32)> {
    let (candidates, at): (Vec<usize>, usize) = match state {
        0 => ((0..ROOTS.len()).collect(), 0),
        1 => ((0..ROOTS.len()).collect(), 1),
        ROOT_FULL | ROOT_FREE => (Vec::new(), 0),
        _ => {
            let (r, n) = root_of(state).unwrap_or((0, 0));
            (vec![r], n)
        }
    };
    candidates.into_iter().filter_map(move |r| {
        let root = ROOTS[r];
        let b = *root.get(at)?;
        let next = if at + 1 == root.len() {
            ROOT_FULL
        } else if at == 0 {
            1
        } else {
            (r * 32 + at + 1) as u32
        };
        Some((b, next))
    })
}

pub fn path_step(s: S, b: u8) -> S {
    if s == DEAD || b == 0 {
        return DEAD;
    }
    let (seg, root) = (s >> 8, s & 0xff);
    let seg = match (seg, b) {
        (SEG_EMPTY, b'/') => SEG_SLASH,
        (SEG_EMPTY, _) => return DEAD,
        (SEG_SLASH, b'/') => return DEAD,
        (SEG_SLASH, b'.') => SEG_DOT,
        (SEG_DOT, b'.') => SEG_DOTDOT,
        (SEG_DOT | SEG_DOTDOT, b'/') => return DEAD,
        (_, b'/') => SEG_SLASH,
        _ => SEG_NAME,
    };
    let root = match root {
        ROOT_FREE => ROOT_FREE,
        ROOT_FULL if b == b'/' => return DEAD,
        ROOT_FULL => ROOT_FREE,
        n => root_next(n)
            .find(|&(c, _)| c == b)
            .map_or(ROOT_FREE, |(_, next)| next),
    };
    shape(seg, root)
}

/// The byte sets the path shape tells apart in state `s`.
pub fn path_sets(s: S, part: &mut Partition) {
    if s == DEAD {
        return;
    }
    part.byte(b'/');
    part.byte(0);
    let (seg, root) = (s >> 8, s & 0xff);
    if matches!(seg, SEG_SLASH | SEG_DOT) {
        part.byte(b'.');
    }
    for (b, _) in root_next(root) {
        part.byte(b);
    }
}

/// Names: non-empty, no NUL. 0: empty so far, 1: a name, DEAD.
pub fn name_step(s: S, b: u8) -> S {
    if s == DEAD || b == 0 {
        DEAD
    } else {
        1
    }
}

/// A literal, subpath or prefix over bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Plain {
    Literal,
    /// It and everything under it at a component boundary (the text without trailing `/`;
    /// empty for `/`).
    Subpath,
    Prefix,
}

/// The start state of a plain component (`FOREVER` for an empty prefix).
pub fn plain_start(kind: Plain, text: &[u8]) -> S {
    if kind == Plain::Prefix && text.is_empty() {
        FOREVER
    } else {
        0
    }
}

pub fn plain_step(kind: Plain, text: &[u8], s: S, b: u8) -> S {
    match s {
        DEAD | FOREVER => s,
        n => {
            let n = n as usize;
            if n < text.len() {
                if text[n] != b {
                    DEAD
                } else if n + 1 == text.len() && kind == Plain::Prefix {
                    FOREVER
                } else {
                    (n + 1) as S
                }
            } else if kind == Plain::Subpath && b == b'/' {
                FOREVER
            } else {
                DEAD
            }
        }
    }
}

pub fn plain_accepts(kind: Plain, text: &[u8], s: S) -> bool {
    match s {
        FOREVER => true,
        DEAD => false,
        // Subpath `/` (empty text): only the strings starting with `/` (FOREVER).
        n => n as usize == text.len() && !(kind == Plain::Subpath && text.is_empty()),
    }
}

pub fn plain_sets(kind: Plain, text: &[u8], s: S, part: &mut Partition) {
    match s {
        DEAD | FOREVER => {}
        n => {
            let n = n as usize;
            if n < text.len() {
                part.byte(text[n]);
            } else if kind == Plain::Subpath {
                part.byte(b'/');
            }
        }
    }
}
