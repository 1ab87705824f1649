//! Decision sets: whole-profile answers about every argument of an operation at once
//! (`sblint test`'s `never`/`always`, `sblint diff`, `explain --outside`).
//!
//! For one leaf operation, every argument leaf of every rule on its chain
//! ([`precedence::levels`]) becomes a deterministic automaton over bytes ([`automata`]),
//! and the product of them all is explored breadth first from the empty string
//! ([`product`]). At each product state the leaves' truths are read off the components,
//! each rule's filter is evaluated three-valued over them
//! ([`precedence::eval`]; leaves of other kinds are unknown, as in a point decision), and
//! the decision is [`precedence::decide_among`], the one layer order. Breadth-first order
//! gives the shortest witness, and among those the most readable (a-z first).
//!
//! Arguments are as the kernel checks them and `sblint explain` takes them back unchanged:
//! paths absolute and resolved (`/private/tmp/x`; no `//`, `.`, `..` or trailing `/`;
//! nothing through `/tmp`, `/var`, `/etc` or `/System/Volumes/Data`), names non-empty,
//! both without NUL. A regex whose meaning is partly unverified has two automata (at least
//! and at most what libsandbox could match); where they disagree the leaf is unknown, so
//! the answer is conditional, never guessed. Network operations are decided on a finite
//! set of endpoints that tells every rule apart (see [`endpoints`]); unix-socket paths and
//! host names are not enumerated. Past the [`Budget`] the answer is "too complex".

mod arguments;
mod ask;
pub mod automata;
mod diff;
mod endpoints;
pub mod points;
pub mod product;
mod profile;
pub mod table;

pub use self::arguments::{argument, parse_entry, Entry, EntryError};
pub use self::ask::{always, never};
pub use self::diff::{diff, diff_leaves};
pub use self::endpoints::{endpoints, endpoints_of, OTHER_SOCKET};

use self::arguments::local_end;
use self::product::{Comp, Components, Explorer, Flow};
use self::profile::Profile;
use super::precedence::{arg_kind, ArgumentKind, Decision};
use super::rule::{Action, Rule};
use super::vocab::{vocabulary, OpId};

/// How far an analysis may go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Budget {
    /// Product states per leaf operation.
    pub states: usize,
    /// States of one regex's automaton.
    pub dfa_states: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            states: 200_000,
            dfa_states: 20_000,
        }
    }
}

/// An argument that answers a question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witness {
    /// The leaf operation.
    pub operation: OpId,
    /// Exactly as `sblint explain` takes it; `None` for operations without an argument.
    pub argument: Option<String>,
    /// The point decision there (deciding rule, conditions).
    pub decision: Decision,
    pub conditional: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Holds,
    Fails(Witness),
    /// Past the budget: the leaf operations decided (holding) before giving up.
    TooComplex {
        decided: Vec<OpId>,
    },
}

/// Past the budget, with the leaf operations decided before and the changes found on them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooComplex {
    pub decided: Vec<OpId>,
    pub changes: Vec<Change>,
}

/// Which way a decision changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// Denied by the old profile, allowed by the new one.
    Allowed,
    /// Allowed by the old profile, denied by the new one.
    Denied,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Allowed => "allowed",
            Direction::Denied => "denied",
        }
    }
}

/// One kind of change between two profiles on one leaf operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub operation: OpId,
    pub direction: Direction,
    /// The shortest argument showing it, as `sblint explain` takes it.
    pub witness: Option<String>,
    /// True when a run-time value could undo it.
    pub conditional: bool,
    pub old: Decision,
    pub new: Decision,
}

/// The leaf operations `op` stands for: itself, or every leaf a wildcard covers.
pub fn leaves(op: OpId) -> Vec<OpId> {
    let vocab = vocabulary();
    let found: Vec<OpId> = vocab
        .descendants(op)
        .iter()
        .copied()
        .filter(|&d| !vocab.operation(d).is_wildcard && d != vocab.default)
        .collect();
    if found.is_empty() {
        vec![op]
    } else {
        found
    }
}

/// The components and explorer of one path or name search, restricted to the arguments
/// `explain` takes back unchanged (resolved paths, non-empty names), with that shape's
/// component.
fn shaped(kind: ArgumentKind, budget: &Budget) -> (Components, Explorer, u32) {
    let mut comps = Components::new(budget.dfa_states);
    let mut explorer = Explorer::new();
    let shape = comps.add(if kind == ArgumentKind::Path {
        Comp::PathShape
    } else {
        Comp::NameShape
    });
    explorer.required.push(vec![shape]);
    (comps, explorer, shape)
}

/// What the decisions of a leaf operation depend on: its argument kind and, per level of
/// its chain, the rules naming it. Leaves with the same key decide alike.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    kind: ArgumentKind,
    /// Decided on the local end (bind, inbound).
    local: bool,
    /// Per level of the chain that some rule names: the level and those rules.
    levels: Vec<(OpId, Vec<u32>)>,
}

fn key(rules: &[Rule], op: OpId) -> Key {
    let name = &vocabulary().operation(op).name;
    let levels = vocabulary()
        .chain(op)
        .iter()
        .map(|&l| {
            let naming: Vec<u32> = rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.names(l))
                .map(|(i, _)| i as u32)
                .collect();
            (l, naming)
        })
        .filter(|(_, n)| !n.is_empty())
        .collect();
    Key {
        kind: arg_kind(name),
        local: local_end(name),
        levels,
    }
}

/// What kinds of run-time value a decision's conditions are on, sorted.
fn condition_kinds(d: &Decision) -> Vec<&'static str> {
    let mut kinds: Vec<&'static str> = d.conditions.iter().map(|c| c.filter).collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

/// How two decisions differ, if they do.
fn change_of(old: &Decision, new: &Decision) -> Option<(Direction, bool)> {
    let (o, n) = (old.outcome(), new.outcome());
    let conditional = old.conditional() || new.conditional();
    if o != n {
        let d = if n == Action::Allow {
            Direction::Allowed
        } else {
            Direction::Denied
        };
        return Some((d, conditional));
    }
    match (old.conditional(), new.conditional()) {
        // The new profile lets a run-time value turn the outcome.
        (false, true) => Some((
            if o == Action::Deny {
                Direction::Allowed
            } else {
                Direction::Denied
            },
            true,
        )),
        // The old one did, the new one does not.
        (true, false) => Some((
            if o == Action::Deny {
                Direction::Denied
            } else {
                Direction::Allowed
            },
            true,
        )),
        // Both may turn, on different kinds of run-time value: the new one may turn where
        // the old did not. (The same kinds on different values count as the same.)
        (true, true) if condition_kinds(old) != condition_kinds(new) => Some((
            if o == Action::Deny {
                Direction::Allowed
            } else {
                Direction::Denied
            },
            true,
        )),
        _ => None,
    }
}

/// Sizes of the automata one leaf operation builds, for the benchmark's report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizes {
    /// Components (one automaton per distinct filter argument, and the shape).
    pub components: usize,
    /// Product states explored.
    pub states: usize,
    /// States of the regexes' automata.
    pub dfa_states: usize,
}

/// [`Sizes`] of the search on leaf operation `op`.
pub fn sizes(rules: &[Rule], op: OpId, budget: &Budget) -> Sizes {
    let name = &vocabulary().operation(op).name;
    let kind = arg_kind(name);
    if !matches!(kind, ArgumentKind::Path | ArgumentKind::Name) {
        return Sizes {
            components: 0,
            states: 1,
            dfa_states: 0,
        };
    }
    let (mut comps, mut explorer, _) = shaped(kind, budget);
    let _profile = Profile::new(rules, op, kind, &mut comps);
    let _ = explorer.explore(&mut comps, budget.states, |_, _, _| Flow::Continue);
    let dfa = comps
        .comps
        .iter()
        .filter(|c| matches!(c, Comp::Regex(_)))
        .map(Comp::size)
        .sum();
    Sizes {
        components: comps.comps.len(),
        states: explorer.states,
        dfa_states: dfa,
    }
}
