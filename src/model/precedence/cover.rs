//! Coverage: whether later or earlier rules decide everything a rule matches.
//!
//! [`covers`] is the oracle; [`CoverIndex`] answers the same question for one operation
//! and action with hash lookups instead of a scan, and [`covering_scan`] is the scan it
//! must agree with (a property test compares them on random profiles).
//!
//! The layers of [`super`] apply: within an operation an unfiltered rule is the fallback
//! of the filtered ones, so a filtered rule is covered only by filtered rules and an
//! unfiltered rule only by unfiltered ones.

use rustc_hash::FxHashMap as HashMap;
use smallvec::SmallVec;

use crate::model::paths::under;
use crate::model::regex;
use crate::model::rule::{
    Action, Filter, FilterExpr, FilterValue, NamePattern, PathPattern, Port, Rule,
};
use crate::model::vocab::OpId;

/// True when `outer` matches every argument `inner` matches, as far as can be told
/// without a set analysis: `inner` must be plain leaves joined by "any of", each covered
/// by a plain leaf among `outer`'s alternatives (a `require-all`, a `require-not` or an
/// unknown value on either side is never claimed to cover or be covered).
pub fn covers(outer: &FilterExpr, inner: &FilterExpr) -> bool {
    inner.is_alternatives() && inner.leaves().all(|leaf| covers_leaf(outer, leaf))
}

/// True when a plain leaf among `outer`'s alternatives covers `leaf`.
pub fn covers_leaf(outer: &FilterExpr, leaf: &Filter) -> bool {
    alternative_leaves(outer).any(|a| leaf_covers(a, leaf))
}

/// The plain leaves among a filter's alternatives (through nested "any of"), skipping
/// `require-all`, `require-not` and unknown values.
pub fn alternative_leaves(filter: &FilterExpr) -> impl Iterator<Item = &Filter> {
    let mut stack: SmallVec<[&FilterExpr; 4]> = SmallVec::new();
    stack.push(filter);
    std::iter::from_fn(move || {
        while let Some(expr) = stack.pop() {
            match expr {
                FilterExpr::Leaf(f) => return Some(f),
                FilterExpr::Any(xs) => stack.extend(xs.iter().rev()),
                _ => {}
            }
        }
        None
    })
}

/// A single filter covering another.
pub fn leaf_covers(a: &Filter, b: &Filter) -> bool {
    match (&a.value, &b.value) {
        (FilterValue::Path(pa), FilterValue::Path(pb)) => path_covers(pa, pb),
        (FilterValue::Name(na), FilterValue::Name(nb))
            if same_family(a.name.as_str(), b.name.as_str()) =>
        {
            match (na, nb) {
                (NamePattern::Exact(x), NamePattern::Exact(y)) => x == y,
                (NamePattern::Prefix(x), NamePattern::Exact(y) | NamePattern::Prefix(y)) => {
                    y.starts_with(&**x)
                }
                (NamePattern::Regex(r), NamePattern::Exact(y)) => {
                    regex::matches(r, y) == Some(true)
                }
                (NamePattern::Regex(x), NamePattern::Regex(y)) => x == y,
                _ => false,
            }
        }
        (FilterValue::Network(x), FilterValue::Network(y))
            if x.protocol.starts_with("unix") || y.protocol.starts_with("unix") =>
        {
            // Unix sockets are their own family: `ip` does not cover them; every socket
            // (no path) covers each one, a path only itself.
            x.local == y.local
                && x.protocol.starts_with("unix")
                && y.protocol.starts_with("unix")
                && (x.socket.is_none() || x.socket == y.socket)
        }
        (FilterValue::Network(x), FilterValue::Network(y)) => {
            x.local == y.local
                && (x.host == "*" || x.host == y.host)
                && (x.port == Port::Any || x.port == y.port)
                && (x.protocol == "ip" || x.protocol == y.protocol)
        }
        (FilterValue::Other(x), FilterValue::Other(y))
        | (FilterValue::Atom(x), FilterValue::Atom(y)) => a.name == b.name && x == y,
        _ => false,
    }
}

/// `global-name` and `global-name-prefix` filter the same thing.
fn same_family(a: &'static str, b: &'static str) -> bool {
    family(a) == family(b)
}

fn path_covers(a: &PathPattern, b: &PathPattern) -> bool {
    use PathPattern::*;
    match (a, b) {
        (Literal(x), Literal(y)) => x == y,
        // A trailing slash leaves `/x` itself unverified (see `leaf_matches`): it covers
        // only what is certainly below.
        (Subpath(x), Literal(y) | Subpath(y)) if x.len() > 1 && x.ends_with('/') => {
            under(y, x) && (y.ends_with('/') || **y != *x.trim_end_matches('/'))
        }
        (Subpath(x), Literal(y) | Subpath(y)) => under(y, x),
        (Subpath(x), Prefix(y)) => y
            .strip_prefix(x.trim_end_matches('/'))
            .is_some_and(|r| r.starts_with('/')),
        (Prefix(x), Literal(y) | Subpath(y) | Prefix(y)) => y.starts_with(&**x),
        (Regex(r), Literal(y)) => regex::matches(r, y) == Some(true),
        (Regex(x), Regex(y)) => x == y,
        _ => false,
    }
}

/// The literal text a regex requires at the start (`^/usr/lib/` → `/usr/lib/`).
pub(super) fn regex_literal_prefix(pattern: &str) -> Option<&str> {
    regex::literal_prefix(pattern)
}

fn family(name: &'static str) -> &'static str {
    name.strip_suffix("-prefix")
        .or_else(|| name.strip_suffix("-regex"))
        .unwrap_or(name)
}

/// How far a query looks.
#[derive(Clone, Copy, Debug)]
pub enum Within {
    After(usize),
    Before(usize),
    Anywhere,
}

impl Within {
    pub fn contains(self, j: usize) -> bool {
        match self {
            Within::After(i) => j > i,
            Within::Before(i) => j < i,
            Within::Anywhere => true,
        }
    }

    /// The latest rule of a list (ascending) within range.
    fn pick(self, list: &[u32]) -> Option<usize> {
        let found = match self {
            Within::After(i) => list.last().copied().filter(|&j| j as usize > i),
            Within::Before(i) => {
                let pos = list.partition_point(|&j| (j as usize) < i);
                pos.checked_sub(1).map(|p| list[p])
            }
            Within::Anywhere => list.last().copied(),
        };
        found.map(|j| j as usize)
    }

    /// The part of a list sorted by rule index that lies within range.
    fn slice<T>(self, list: &[(u32, T)]) -> &[(u32, T)] {
        match self {
            Within::After(i) => &list[list.partition_point(|(j, _)| *j as usize <= i)..],
            Within::Before(i) => &list[..list.partition_point(|(j, _)| (*j as usize) < i)],
            Within::Anywhere => list,
        }
    }
}

/// The answer [`CoverIndex::covering`] must give, by scanning: among `candidates` (rule
/// indices, ascending: the rules naming one operation with one action) the certain rules
/// within range of the same layer as `filter`; `None` (no filter) is covered by the
/// latest unfiltered one; a filter, when every one of its leaves is covered by some rule,
/// by the latest of the rules that cover its leaves.
pub fn covering_scan(
    rules: &[Rule],
    candidates: &[u32],
    filter: Option<&FilterExpr>,
    within: Within,
) -> Option<usize> {
    let mut in_range = candidates
        .iter()
        .map(|&j| j as usize)
        .filter(|&j| within.contains(j) && rules[j].certain);
    let Some(filter) = filter else {
        return in_range.rfind(|&j| rules[j].filter.is_none());
    };
    if !filter.is_alternatives() {
        return None;
    }
    let mut found = None;
    for leaf in filter.leaves() {
        let covering = |&j: &usize| {
            rules[j]
                .filter
                .as_ref()
                .is_some_and(|f| covers_leaf(f, leaf))
        };
        let j = in_range.clone().rfind(covering)?;
        found = Some(found.map_or(j, |f: usize| f.max(j)));
    }
    found
}

/// Most candidates one lookup compares directly: beyond that the answer is "not covered",
/// which only ever silences a finding (and only on profiles with that many rules on the
/// same key).
const MAX_DIRECT: usize = 256;

type Item<'r> = (u32, &'r Filter);

/// Items grouped by key, as a sorted table rather than a hash map of buckets: the index of
/// a generated 10 MB profile holds 140,000 keys, whose hash buckets took about 130 bytes
/// each (18 MiB, a fifth of the check's peak); here about 50. Items of one key stay in the
/// order added (ascending rules).
struct Grouped<'r, K> {
    /// While building: (key, item) as added.
    pending: Vec<(K, Item<'r>)>,
    /// Distinct keys, sorted.
    keys: Vec<K>,
    /// `ends[k]`: where the items of `keys[k]` end in `items`.
    ends: Vec<u32>,
    items: Vec<Item<'r>>,
}

impl<K> Default for Grouped<'_, K> {
    fn default() -> Self {
        Grouped {
            pending: Vec::new(),
            keys: Vec::new(),
            ends: Vec::new(),
            items: Vec::new(),
        }
    }
}

impl<'r, K: Ord + Copy> Grouped<'r, K> {
    fn push(&mut self, key: K, item: Item<'r>) {
        debug_assert!(self.keys.is_empty(), "an item added after `finish`");
        self.pending.push((key, item));
    }

    /// Sorts what was added into the table.
    fn finish(&mut self) {
        let mut pending = std::mem::take(&mut self.pending);
        // Stable: the items of a key keep their order.
        pending.sort_by_key(|p| p.0);
        self.items.reserve_exact(pending.len());
        for (key, item) in pending {
            if self.keys.last() != Some(&key) {
                if !self.keys.is_empty() {
                    self.ends.push(self.items.len() as u32);
                }
                self.keys.push(key);
            }
            self.items.push(item);
        }
        if !self.keys.is_empty() {
            self.ends.push(self.items.len() as u32);
        }
        self.keys.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    fn get(&self, key: &K) -> Option<&[Item<'r>]> {
        let k = self.keys.binary_search(key).ok()?;
        let start = k.checked_sub(1).map_or(0, |p| self.ends[p] as usize);
        Some(&self.items[start..self.ends[k] as usize])
    }
}

/// Buckets keyed by (family, text), looked up by every key that is a prefix of a text.
#[derive(Default)]
struct Prefixes<'r> {
    map: Grouped<'r, (&'static str, &'r str)>,
    /// Distinct key lengths, ascending.
    lengths: Vec<usize>,
}

impl<'r> Prefixes<'r> {
    fn push(&mut self, family: &'static str, key: &'r str, item: (u32, &'r Filter)) {
        if let Err(at) = self.lengths.binary_search(&key.len()) {
            self.lengths.insert(at, key.len());
        }
        self.map.push((family, key), item);
    }

    /// The buckets of every key of `family` that `text` starts with (the empty key too).
    fn prefixes_of<'a>(
        &'a self,
        family: &'static str,
        text: &'a str,
    ) -> impl Iterator<Item = &'a [Item<'r>]> + 'a {
        self.lengths
            .iter()
            .take_while(move |&&n| n <= text.len())
            .filter(move |&&n| text.is_char_boundary(n))
            .filter_map(move |&n| self.map.get(&(family, &text[..n])))
    }
}

/// For one operation and one action: the certain rules (by index, ascending) bucketed by
/// what their filter leaves could cover. Every candidate a bucket gives is checked with
/// [`leaf_covers`], so the buckets only need to be complete: a rule whose leaf covers a
/// query is always in one of the buckets the query looks in.
#[derive(Default)]
pub struct CoverIndex<'r> {
    unfiltered: Vec<u32>,
    /// Literal paths and exact names, by (family, text).
    exact: Grouped<'r, (&'static str, &'r str)>,
    /// Subpaths, by their text without a trailing slash.
    subpath: Grouped<'r, &'r str>,
    /// Path and name prefixes.
    prefix: Prefixes<'r>,
    /// Regexes by the literal text they require at the start (`""` for none), for the
    /// literals and exact names they may match.
    anchored: Prefixes<'r>,
    /// Regexes by pattern: only the same pattern covers a regex.
    regexes: Grouped<'r, (&'static str, &'r str)>,
    /// Network addresses by (local, protocol, host, port); `None` is any port.
    network: Grouped<'r, (bool, &'r str, &'r str, Option<u16>)>,
    /// Other leaves, compared directly.
    others: Vec<(u32, &'r Filter)>,
}

fn subpath_key(p: &str) -> &str {
    if p.len() > 1 {
        p.trim_end_matches('/')
    } else {
        p
    }
}

/// The family a leaf's value is compared within: every path filter is `path`.
fn leaf_family(leaf: &Filter) -> &'static str {
    match leaf.value {
        FilterValue::Path(_) => "path",
        _ => family(leaf.name.as_str()),
    }
}

impl<'r> CoverIndex<'r> {
    /// Indexes the certain rules among `indices` (ascending).
    pub fn new(rules: &'r [Rule], indices: impl Iterator<Item = usize>) -> CoverIndex<'r> {
        let mut index = CoverIndex::default();
        for i in indices {
            let rule = &rules[i];
            if !rule.certain {
                continue;
            }
            let i = i as u32;
            let Some(filter) = &rule.filter else {
                index.unfiltered.push(i);
                continue;
            };
            for leaf in alternative_leaves(filter) {
                index.add(i, leaf);
            }
        }
        index.exact.finish();
        index.subpath.finish();
        index.prefix.map.finish();
        index.anchored.map.finish();
        index.regexes.finish();
        index.network.finish();
        index
    }

    fn add(&mut self, i: u32, leaf: &'r Filter) {
        let family = leaf_family(leaf);
        let item = (i, leaf);
        match &leaf.value {
            FilterValue::Path(PathPattern::Literal(p))
            | FilterValue::Name(NamePattern::Exact(p)) => self.exact.push((family, &**p), item),
            FilterValue::Path(PathPattern::Subpath(p)) => self.subpath.push(subpath_key(p), item),
            FilterValue::Path(PathPattern::Prefix(p))
            | FilterValue::Name(NamePattern::Prefix(p)) => self.prefix.push(family, p, item),
            FilterValue::Path(PathPattern::Regex(r)) | FilterValue::Name(NamePattern::Regex(r)) => {
                self.regexes.push((family, &**r), item);
                self.anchored
                    .push(family, regex_literal_prefix(r).unwrap_or(""), item);
            }
            FilterValue::Network(a) => {
                let port = match a.port {
                    Port::Any => None,
                    Port::Number(n) => Some(n),
                };
                self.network
                    .push((a.local, &*a.protocol, &*a.host, port), item)
            }
            _ => self.others.push(item),
        }
    }

    /// The latest rule within range of the same layer that covers `filter` (see
    /// [`covering_scan`], which gives the same answer by scanning).
    pub fn covering(&self, filter: Option<&FilterExpr>, within: Within) -> Option<usize> {
        let Some(filter) = filter else {
            return within.pick(&self.unfiltered);
        };
        if !filter.is_alternatives() {
            return None;
        }
        let mut found = None;
        for leaf in filter.leaves() {
            let j = self.covering_leaf(leaf, within)?;
            found = Some(found.map_or(j, |f: usize| f.max(j)));
        }
        found
    }

    fn covering_leaf(&self, leaf: &Filter, within: Within) -> Option<usize> {
        let mut best: Option<usize> = None;
        let mut consider = |bucket: Option<&[Item<'_>]>| {
            if let Some(j) = bucket.and_then(|b| latest_covering(within.slice(b), leaf, best)) {
                best = Some(j);
            }
        };
        let family = leaf_family(leaf);
        match &leaf.value {
            FilterValue::Path(
                PathPattern::Literal(text) | PathPattern::Subpath(text) | PathPattern::Prefix(text),
            )
            | FilterValue::Name(NamePattern::Exact(text) | NamePattern::Prefix(text)) => {
                let exact = matches!(
                    leaf.value,
                    FilterValue::Path(PathPattern::Literal(_))
                        | FilterValue::Name(NamePattern::Exact(_))
                );
                if exact {
                    consider(self.exact.get(&(family, &**text)));
                    for bucket in self.anchored.prefixes_of(family, text) {
                        consider(Some(bucket));
                    }
                }
                if family == "path" {
                    // Subpaths at every component boundary above (and at) the path.
                    let mut dir = subpath_key(text);
                    loop {
                        consider(self.subpath.get(&if dir.is_empty() { "/" } else { dir }));
                        match dir.rfind('/') {
                            Some(i) if !dir.is_empty() => dir = &dir[..i],
                            _ => break,
                        }
                    }
                }
                for bucket in self.prefix.prefixes_of(family, text) {
                    consider(Some(bucket));
                }
            }
            FilterValue::Path(PathPattern::Regex(r)) | FilterValue::Name(NamePattern::Regex(r)) => {
                consider(self.regexes.get(&(family, &**r)))
            }
            FilterValue::Network(a) => {
                // Covered by the same address, or one with `ip`, `*` or any port in its place.
                let ports = match a.port {
                    Port::Any => [None, None],
                    Port::Number(n) => [Some(n), None],
                };
                for protocol in [a.protocol.as_str(), "ip"] {
                    for host in [a.host.as_str(), "*"] {
                        for port in ports {
                            consider(self.network.get(&(a.local, protocol, host, port)));
                        }
                    }
                }
            }
            _ => {
                if let Some(j) = latest_covering(within.slice(&self.others), leaf, best) {
                    best = Some(j);
                }
            }
        }
        best
    }
}

/// The latest of `candidates` (ascending by rule) after `above` whose leaf covers `leaf`,
/// comparing [`MAX_DIRECT`] of them at most.
fn latest_covering(
    candidates: &[(u32, &Filter)],
    leaf: &Filter,
    above: Option<usize>,
) -> Option<usize> {
    candidates
        .iter()
        .rev()
        .take(MAX_DIRECT)
        .map(|&(j, other)| (j as usize, other))
        .take_while(|&(j, _)| above.is_none_or(|b| j > b))
        .find(|&(_, other)| leaf_covers(other, leaf))
        .map(|(j, _)| j)
}

/// Per operation and action: the rules naming it (ascending) and their cover index.
pub struct OrderIndex<'r> {
    levels: HashMap<(OpId, Action), (Vec<u32>, CoverIndex<'r>)>,
}

impl<'r> OrderIndex<'r> {
    pub fn new(rules: &'r [Rule]) -> OrderIndex<'r> {
        let mut lists: HashMap<(OpId, Action), Vec<u32>> = HashMap::default();
        for (i, rule) in rules.iter().enumerate() {
            let i = i as u32;
            for op in &rule.operations {
                let list = lists.entry((op.id, rule.action)).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        let levels = lists
            .into_iter()
            .map(|(key, list)| {
                let index = CoverIndex::new(rules, list.iter().map(|&i| i as usize));
                (key, (list, index))
            })
            .collect();
        OrderIndex { levels }
    }

    /// Rules naming `op` with `action`, ascending.
    pub fn naming(&self, op: OpId, action: Action) -> &[u32] {
        self.levels
            .get(&(op, action))
            .map_or(&[], |(l, _)| l.as_slice())
    }

    /// A certain rule naming `op` with `action`, within range and of the same layer, that
    /// matches everything `filter` matches.
    pub fn covering(
        &self,
        op: OpId,
        action: Action,
        filter: Option<&FilterExpr>,
        within: Within,
    ) -> Option<usize> {
        self.levels.get(&(op, action))?.1.covering(filter, within)
    }

    /// True when a rule naming `op` with `action`, of the layer `filtered` says, lies
    /// strictly between `a` and `b`.
    pub fn any_between(
        &self,
        rules: &[Rule],
        op: OpId,
        action: Action,
        filtered: bool,
        a: usize,
        b: usize,
    ) -> bool {
        let list = self.naming(op, action);
        let from = list.partition_point(|&j| j as usize <= a);
        list[from..]
            .iter()
            .take_while(|&&j| (j as usize) < b)
            .any(|&j| rules[j as usize].filter.is_some() == filtered)
    }
}
