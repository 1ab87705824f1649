//! The on-the-fly product of the component automata, explored breadth first from the
//! empty string: each state is the vector of the components' states (components that can
//! no longer accept are left out), each step one byte class.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use hashbrown::HashTable;
use rustc_hash::{FxHashMap as HashMap, FxHasher};

use super::automata::{self, Dfa, Exceeded, Partition, Plain, DEAD, FOREVER, S};
use crate::model::applematch::Matcher;

/// One component automaton.
pub enum Comp {
    Plain(Plain, Box<[u8]>),
    Regex(Box<Dfa>),
    PathShape,
    NameShape,
}

impl Comp {
    fn start(&self) -> S {
        match self {
            Comp::Plain(kind, text) => automata::plain_start(*kind, text),
            Comp::Regex(_) => 0,
            Comp::PathShape => automata::path_start(),
            Comp::NameShape => 0,
        }
    }

    pub fn accepts(&self, s: S) -> bool {
        match self {
            Comp::Plain(kind, text) => automata::plain_accepts(*kind, text, s),
            Comp::Regex(d) => d.accepts(s),
            Comp::PathShape => automata::path_accepts(s),
            Comp::NameShape => s == 1,
        }
    }

    fn is_dead(&self, s: S) -> bool {
        match self {
            Comp::Regex(d) => d.is_dead(s),
            _ => s == DEAD,
        }
    }

    fn is_forever(&self, s: S) -> bool {
        match self {
            Comp::Regex(d) => d.is_forever(s),
            Comp::Plain(..) => s == FOREVER,
            _ => false,
        }
    }

    fn step(&mut self, s: S, b: u8) -> Result<S, Exceeded> {
        Ok(match self {
            Comp::Plain(kind, text) => automata::plain_step(*kind, text, s, b),
            Comp::Regex(d) => d.step(s, b)?,
            Comp::PathShape => automata::path_step(s, b),
            Comp::NameShape => automata::name_step(s, b),
        })
    }

    fn refine(&self, s: S, part: &mut Partition) {
        match self {
            Comp::Plain(kind, text) => automata::plain_sets(*kind, text, s, part),
            Comp::Regex(d) => {
                for set in d.sets(s) {
                    part.set(set);
                }
            }
            Comp::PathShape => automata::path_sets(s, part),
            Comp::NameShape => part.byte(0),
        }
    }

    /// States built so far (regexes), for the bench's report.
    pub fn size(&self) -> usize {
        match self {
            Comp::Regex(d) => d.states(),
            Comp::Plain(_, text) => text.len() + 2,
            _ => 1,
        }
    }
}

/// Components, interned by what they accept.
#[derive(Default)]
pub struct Components {
    pub comps: Vec<Comp>,
    plain: HashMap<(Plain, Box<[u8]>), u32>,
    regex: HashMap<(Box<str>, bool), u32>,
    pub dfa_limit: usize,
}

impl Components {
    pub fn new(dfa_limit: usize) -> Components {
        Components {
            dfa_limit,
            ..Components::default()
        }
    }

    pub fn plain(&mut self, kind: Plain, text: &[u8]) -> u32 {
        let text: Box<[u8]> = if kind == Plain::Subpath {
            let t = trim_dir(text);
            t.into()
        } else {
            text.into()
        };
        if let Some(&c) = self.plain.get(&(kind, text.clone())) {
            return c;
        }
        let c = self.comps.len() as u32;
        self.comps.push(Comp::Plain(kind, text.clone()));
        self.plain.insert((kind, text), c);
        c
    }

    /// The automata of a regex: `(over, under)` (the same when its meaning is known).
    pub fn regex(&mut self, pattern: &str, matcher: Arc<Matcher>) -> (u32, u32) {
        let exact = matcher.is_exact();
        let one = |under: bool, this: &mut Components| {
            if let Some(&c) = this.regex.get(&(pattern.into(), under)) {
                return c;
            }
            let c = this.comps.len() as u32;
            let limit = this.dfa_limit;
            this.comps.push(Comp::Regex(Box::new(Dfa::new(
                matcher.clone(),
                under,
                limit,
            ))));
            this.regex.insert((pattern.into(), under), c);
            c
        };
        let over = one(false, self);
        let under = if exact { over } else { one(true, self) };
        (over, under)
    }

    pub fn add(&mut self, comp: Comp) -> u32 {
        self.comps.push(comp);
        (self.comps.len() - 1) as u32
    }
}

/// `subpath`'s directory as [`crate::model::paths::under`] compares it: without trailing
/// slashes (empty for `/`).
fn trim_dir(text: &[u8]) -> &[u8] {
    let mut end = text.len();
    while end > 0 && text[end - 1] == b'/' {
        end -= 1;
    }
    &text[..end]
}

/// Most component states all product states may hold together (8 bytes each): the
/// memory bound, for products whose states each carry many live components.
const MAX_ARENA: usize = 4 << 20;

/// Most component steps one exploration may take (a bound on time).
const MAX_STEPS: usize = 200_000_000;

/// A product state's components and their states, by component.
pub type Vector = [(u32, S)];

/// What the exploration is to do at a state.
pub enum Flow {
    Continue,
    Stop,
}

/// Past the product-state budget, or a component's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooLarge;

pub struct Explorer {
    arena: Vec<(u32, S)>,
    spans: Vec<(u32, u32)>,
    parent: Vec<(u32, u8)>,
    table: HashTable<u32>,
    /// Groups of components one of which must stay alive (the shape; `within`).
    pub required: Vec<Vec<u32>>,
    /// Components that end the exploration of a branch once they accept everything
    /// (`except`).
    pub blocking: Vec<u32>,
    pub states: usize,
}

fn hash(v: &Vector) -> u64 {
    let mut h = FxHasher::default();
    v.hash(&mut h);
    h.finish()
}

impl Explorer {
    pub fn new() -> Explorer {
        Explorer {
            arena: Vec::new(),
            spans: Vec::new(),
            parent: Vec::new(),
            table: HashTable::new(),
            required: Vec::new(),
            blocking: Vec::new(),
            states: 0,
        }
    }

    fn vector(&self, id: u32) -> &Vector {
        let (start, len) = self.spans[id as usize];
        &self.arena[start as usize..(start + len) as usize]
    }

    /// The bytes leading to state `id`.
    pub fn witness(&self, mut id: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        while id != 0 {
            let (p, b) = self.parent[id as usize];
            bytes.push(b);
            id = p;
        }
        bytes.reverse();
        bytes
    }

    fn pruned(&self, comps: &[Comp], v: &Vector) -> bool {
        let alive = |c: u32| v.binary_search_by_key(&c, |&(k, _)| k).is_ok();
        if self.required.iter().any(|g| !g.iter().any(|&c| alive(c))) {
            return true;
        }
        self.blocking.iter().any(|&c| {
            v.binary_search_by_key(&c, |&(k, _)| k)
                .is_ok_and(|i| comps[c as usize].is_forever(v[i].1))
        })
    }

    fn intern(&mut self, v: &[(u32, S)], parent: (u32, u8)) -> Option<u32> {
        let h = hash(v);
        let (arena, spans) = (&self.arena, &self.spans);
        let get = |id: &u32| {
            let (start, len) = spans[*id as usize];
            &arena[start as usize..(start + len) as usize]
        };
        if self.table.find(h, |id| get(id) == v).is_some() {
            return None;
        }
        let id = self.spans.len() as u32;
        self.spans.push((self.arena.len() as u32, v.len() as u32));
        self.arena.extend_from_slice(v);
        self.parent.push(parent);
        let (arena, spans) = (&self.arena, &self.spans);
        self.table.insert_unique(h, id, |id| {
            let (start, len) = spans[*id as usize];
            hash(&arena[start as usize..(start + len) as usize])
        });
        Some(id)
    }

    /// Explores from the empty string, breadth first, calling `visit` on every state
    /// (its id, for [`Explorer::witness`], and its vector); stops when `visit` says so
    /// and returns that state.
    pub fn explore(
        &mut self,
        comps: &mut Components,
        budget: usize,
        mut visit: impl FnMut(&[Comp], u32, &Vector) -> Flow,
    ) -> Result<Option<u32>, TooLarge> {
        let start: Vec<(u32, S)> = comps
            .comps
            .iter()
            .enumerate()
            .map(|(c, comp)| (c as u32, comp.start()))
            .filter(|&(c, s)| !comps.comps[c as usize].is_dead(s))
            .collect();
        if self.pruned(&comps.comps, &start) {
            return Ok(None);
        }
        self.intern(&start, (0, 0));
        let mut part = Partition::new();
        let mut reps = Vec::new();
        let mut next: Vec<(u32, S)> = Vec::new();
        let mut at = 0u32;
        let mut steps = 0usize;
        let mut current: Vec<(u32, S)> = Vec::new();
        while (at as usize) < self.spans.len() {
            current.clear();
            current.extend_from_slice(self.vector(at));
            if let Flow::Stop = visit(&comps.comps, at, &current) {
                return Ok(Some(at));
            }
            part.reset();
            for &(c, s) in &current {
                comps.comps[c as usize].refine(s, &mut part);
            }
            part.representatives(&mut reps);
            steps += reps.len() * current.len();
            if steps > MAX_STEPS {
                self.states = self.spans.len();
                return Err(TooLarge);
            }
            for &b in &reps {
                next.clear();
                for &(c, s) in &current {
                    let comp = &mut comps.comps[c as usize];
                    let t = comp.step(s, b).map_err(|_| TooLarge)?;
                    if !comp.is_dead(t) {
                        next.push((c, t));
                    }
                }
                if self.pruned(&comps.comps, &next) {
                    continue;
                }
                if self.intern(&next, (at, b)).is_some()
                    && (self.spans.len() > budget || self.arena.len() > MAX_ARENA)
                {
                    self.states = self.spans.len();
                    return Err(TooLarge);
                }
            }
            at += 1;
        }
        self.states = self.spans.len();
        Ok(None)
    }
}

impl Default for Explorer {
    fn default() -> Self {
        Explorer::new()
    }
}
