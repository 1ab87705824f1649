//! One profile's rules on one leaf operation, decided at the product's states: each
//! filter leaf's truth read off the components ([`Source`]), each rule's filter evaluated
//! three-valued over them, the decision [`precedence::decide_among`]'s.

use rustc_hash::FxHashMap as HashMap;
use smallvec::SmallVec;

use super::super::precedence::{self, bool_truth, decide_among, ArgumentKind, Decision, Truth};
use super::super::regex;
use super::super::rule::{Filter, FilterValue, NamePattern, PathPattern, Rule};
use super::super::vocab::{vocabulary, OpId};
use super::automata::Plain;
use super::product::{Comp, Components, Vector};

/// How a leaf's truth is read off the components.
#[derive(Clone, Copy, Debug)]
enum Source {
    Unknown,
    Plain(u32),
    Regex {
        over: u32,
        under: u32,
        prefix: Option<u32>,
    },
    /// A regex the dialect refuses (or past sblint's bounds): unknown where its literal
    /// start matches, no match elsewhere (as a point decision has it).
    Broken {
        prefix: Option<u32>,
    },
}

/// One profile's rules on one leaf operation, ready to be decided at product states.
pub(super) struct Profile<'r> {
    rules: &'r [Rule],
    op: OpId,
    /// Rules naming a level of the chain whose truth is not "no" when no component
    /// accepts (unfiltered rules, `require-not`, unknown values), ascending.
    always: Vec<usize>,
    /// Per component, the rules with a leaf whose truth it can make not "no".
    by_comp: HashMap<u32, Vec<usize>>,
    sources: HashMap<*const Filter, Source>,
    /// Per component id, whether a leaf of this profile reads it.
    referenced: Vec<bool>,
    /// Decisions by the set of referenced components that accept: a state's decision
    /// depends on nothing else.
    cache: HashMap<SmallVec<[u32; 4]>, u32>,
    pub(super) decisions: Vec<Decision>,
}

impl<'r> Profile<'r> {
    pub(super) fn new(
        rules: &'r [Rule],
        op: OpId,
        kind: ArgumentKind,
        comps: &mut Components,
    ) -> Self {
        let chain = vocabulary().chain(op);
        let mut p = Profile {
            rules,
            op,
            always: Vec::new(),
            by_comp: HashMap::default(),
            sources: HashMap::default(),
            referenced: Vec::new(),
            cache: HashMap::default(),
            decisions: Vec::new(),
        };
        for (i, rule) in rules.iter().enumerate() {
            if !chain.iter().any(|&l| rule.names(l)) {
                continue;
            }
            let Some(filter) = &rule.filter else {
                p.always.push(i);
                continue;
            };
            for leaf in filter.leaves() {
                let source = source(leaf, kind, comps);
                p.sources.insert(leaf as *const Filter, source);
                let key = match source {
                    Source::Plain(c) | Source::Regex { over: c, .. } => Some(c),
                    Source::Broken { prefix } => prefix,
                    Source::Unknown => None,
                };
                if let Some(c) = key {
                    let list = p.by_comp.entry(c).or_default();
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
            let base = precedence::eval(filter, |leaf| {
                match p.sources.get(&(leaf as *const Filter)) {
                    Some(Source::Unknown | Source::Broken { prefix: None }) | None => {
                        Truth::Unknown
                    }
                    _ => Truth::No,
                }
            });
            if base != Truth::No {
                p.always.push(i);
            }
        }
        p.referenced = vec![false; comps.comps.len()];
        for source in p.sources.values() {
            let (a, b, c) = match *source {
                Source::Plain(c) => (Some(c), None, None),
                Source::Regex {
                    over,
                    under,
                    prefix,
                } => (Some(over), Some(under), prefix),
                Source::Broken { prefix } => (prefix, None, None),
                Source::Unknown => (None, None, None),
            };
            for c in [a, b, c].into_iter().flatten() {
                p.referenced[c as usize] = true;
            }
        }
        p
    }

    /// The decision at a product state, by its index in [`Profile::decisions`]: computed
    /// once per set of accepting components.
    pub(super) fn decide_id(
        &mut self,
        comps: &[Comp],
        v: &Vector,
        scratch: &mut Vec<usize>,
    ) -> u32 {
        let key: SmallVec<[u32; 4]> = v
            .iter()
            .filter(|&&(c, s)| {
                self.referenced.get(c as usize).copied().unwrap_or(false)
                    && comps[c as usize].accepts(s)
            })
            .map(|&(c, _)| c)
            .collect();
        if let Some(&id) = self.cache.get(&key) {
            return id;
        }
        let d = self.decide(comps, v, scratch);
        let id = self.decisions.len() as u32;
        self.decisions.push(d);
        self.cache.insert(key, id);
        id
    }

    /// The decision at a product state.
    fn decide(&self, comps: &[Comp], v: &Vector, scratch: &mut Vec<usize>) -> Decision {
        self.decide_skip(comps, v, scratch, None)
    }

    /// The decision at a product state with rule `skip` left out.
    pub(super) fn decide_skip(
        &self,
        comps: &[Comp],
        v: &Vector,
        scratch: &mut Vec<usize>,
        skip: Option<usize>,
    ) -> Decision {
        let accepts = |c: u32| {
            v.binary_search_by_key(&c, |&(k, _)| k)
                .is_ok_and(|i| comps[c as usize].accepts(v[i].1))
        };
        scratch.clear();
        scratch.extend_from_slice(&self.always);
        for &(c, s) in v {
            if let Some(list) = self.by_comp.get(&c) {
                if comps[c as usize].accepts(s) {
                    scratch.extend_from_slice(list);
                }
            }
        }
        scratch.sort_unstable_by(|a, b| b.cmp(a));
        scratch.dedup();
        if let Some(skip) = skip {
            scratch.retain(|&i| i != skip);
        }
        let leaf_truth = |leaf: &Filter| match self.sources.get(&(leaf as *const Filter)) {
            None | Some(Source::Unknown) => Truth::Unknown,
            Some(Source::Plain(c)) => bool_truth(accepts(*c)),
            Some(Source::Regex {
                over,
                under,
                prefix,
            }) => {
                if prefix.is_some_and(|p| !accepts(p)) || !accepts(*over) {
                    Truth::No
                } else if accepts(*under) {
                    Truth::Yes
                } else {
                    Truth::Unknown
                }
            }
            Some(Source::Broken { prefix }) => match prefix {
                Some(p) if !accepts(*p) => Truth::No,
                _ => Truth::Unknown,
            },
        };
        decide_among(
            self.rules,
            self.op,
            scratch.iter().copied(),
            |i| match &self.rules[i].filter {
                None => Truth::Yes,
                Some(f) => precedence::eval(f, leaf_truth),
            },
        )
    }
}

fn source(leaf: &Filter, kind: ArgumentKind, comps: &mut Components) -> Source {
    if precedence::on_process(leaf) {
        return Source::Unknown;
    }
    let (regex_text, plain) = match (&leaf.value, kind) {
        (FilterValue::Path(p), ArgumentKind::Path) => match p {
            PathPattern::Literal(t) => (None, Some((Plain::Literal, t))),
            PathPattern::Subpath(t) => (None, Some((Plain::Subpath, t))),
            PathPattern::Prefix(t) => (None, Some((Plain::Prefix, t))),
            PathPattern::Regex(r) => (Some(r), None),
        },
        (FilterValue::Name(n), ArgumentKind::Name) => match n {
            NamePattern::Exact(t) => (None, Some((Plain::Literal, t))),
            NamePattern::Prefix(t) => (None, Some((Plain::Prefix, t))),
            NamePattern::Regex(r) => (Some(r), None),
        },
        _ => return Source::Unknown,
    };
    if let Some((k, t)) = plain {
        // `(subpath "/x/")`: certain below `/x`, unverified at `/x` itself (as
        // `precedence::leaf_matches` has it): what may match, and what surely does.
        if k == Plain::Subpath && t.len() > 1 && t.ends_with('/') {
            let below = format!("{}/", t.trim_end_matches('/'));
            return Source::Regex {
                over: comps.plain(Plain::Subpath, t.as_bytes()),
                under: comps.plain(Plain::Prefix, below.as_bytes()),
                prefix: None,
            };
        }
        return Source::Plain(comps.plain(k, t.as_bytes()));
    }
    let Some(r) = regex_text else {
        return Source::Unknown;
    };
    let prefix = regex::literal_prefix(r)
        .filter(|p| !p.is_empty())
        .map(|p| comps.plain(Plain::Prefix, p.as_bytes()));
    match regex::compiled(r) {
        Some(m) => {
            let (over, under) = comps.regex(r, m);
            Source::Regex {
                over,
                under,
                prefix,
            }
        }
        None => Source::Broken { prefix },
    }
}
