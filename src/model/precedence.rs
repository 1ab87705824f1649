//! The one precedence model, shared by the linter (SB202, SB401, SB402, SB404) and `explain`.
//!
//! For an operation, the rules that name that exact operation are consulted first, and among
//! them the last matching rule wins; only when none of them matches do the rules naming its
//! parent wildcard decide (`file-read-data` → `file-read*` → `file*` → `default`), again last
//! match first. Several filters in one rule are OR-ed. (Measured with `sandbox-exec`; see
//! `shared/reference/README.md`.)

use hashbrown::HashTable;
use rustc_hash::FxHashMap as HashMap;
use smallvec::SmallVec;
use std::hash::BuildHasher;

use super::paths::under;
use super::regex;
use super::rule::{
    Action, Filter, FilterExpr, FilterValue, Leaves, NamePattern, PathPattern, Port, Rule,
};
use super::vocab::{vocabulary, OpId};

/// What an operation is checked against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// Operations without filters, or when the argument does not matter.
    None,
    /// A resolved path (`/private/tmp/x`).
    Path(String),
    /// A service, sysctl, preference domain … name.
    Name(String),
    /// The remote (or local) end of a connection.
    Network { host: String, port: u16 },
}

/// Three-valued: a filter on an unknown `param` may or may not match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truth {
    Yes,
    No,
    Unknown,
}

impl Truth {
    fn or(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::Yes, _) | (_, Truth::Yes) => Truth::Yes,
            (Truth::No, Truth::No) => Truth::No,
            _ => Truth::Unknown,
        }
    }
    fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::No, _) | (_, Truth::No) => Truth::No,
            (Truth::Yes, Truth::Yes) => Truth::Yes,
            _ => Truth::Unknown,
        }
    }
    fn not(self) -> Truth {
        match self {
            Truth::Yes => Truth::No,
            Truth::No => Truth::Yes,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

/// Whether a rule's filter matches `arg`. A rule without filter matches everything.
pub fn matches(filter: Option<&FilterExpr>, arg: &Arg) -> Truth {
    let Some(filter) = filter else {
        return Truth::Yes;
    };
    // An explicit stack keeps deep `require-*` nesting off the call stack.
    enum Step<'a> {
        Eval(&'a FilterExpr),
        Or(usize),
        And(usize),
        Not,
    }
    let mut steps = vec![Step::Eval(filter)];
    let mut values: Vec<Truth> = Vec::new();
    while let Some(step) = steps.pop() {
        match step {
            Step::Eval(FilterExpr::Leaf(f)) => values.push(leaf_matches(f, arg)),
            Step::Eval(FilterExpr::Unknown(_)) => values.push(Truth::Unknown),
            Step::Eval(FilterExpr::Any(xs)) => {
                steps.push(Step::Or(xs.len()));
                steps.extend(xs.iter().map(Step::Eval));
            }
            Step::Eval(FilterExpr::All(xs)) => {
                steps.push(Step::And(xs.len()));
                steps.extend(xs.iter().map(Step::Eval));
            }
            Step::Eval(FilterExpr::Not(x)) => {
                steps.push(Step::Not);
                steps.push(Step::Eval(x));
            }
            Step::Or(n) => {
                let v = values
                    .split_off(values.len() - n)
                    .into_iter()
                    .fold(Truth::No, Truth::or);
                values.push(v);
            }
            Step::And(n) => {
                let v = values
                    .split_off(values.len() - n)
                    .into_iter()
                    .fold(Truth::Yes, Truth::and);
                values.push(v);
            }
            Step::Not => {
                let v = values.pop().unwrap_or(Truth::Unknown).not();
                values.push(v);
            }
        }
    }
    values.pop().unwrap_or(Truth::Unknown)
}

fn leaf_matches(filter: &Filter, arg: &Arg) -> Truth {
    match (&filter.value, arg) {
        (FilterValue::Path(p), Arg::Path(path)) => bool_truth(match p {
            PathPattern::Literal(l) => **l == **path,
            PathPattern::Subpath(s) => under(path, s),
            PathPattern::Prefix(s) => path.starts_with(&**s),
            PathPattern::Regex(r) => return regex_truth(r, path),
        }),
        (FilterValue::Name(n), Arg::Name(name)) => bool_truth(match n {
            NamePattern::Exact(e) => **e == **name,
            NamePattern::Prefix(p) => name.starts_with(&**p),
            NamePattern::Regex(r) => return regex_truth(r, name),
        }),
        (FilterValue::Network(a), Arg::Network { host, port }) => {
            let host_ok = a.host == "*" || (a.host == "localhost" && is_loopback(host));
            let port_ok = match a.port {
                Port::Any => true,
                Port::Number(p) => p == *port,
            };
            bool_truth(host_ok && port_ok)
        }
        // A filter of another kind (vnode-type, extension …) cannot be decided statically.
        _ => Truth::Unknown,
    }
}

/// A regex against a text; the literal start a `^` regex requires is checked first, so
/// most regexes never need compiling.
fn regex_truth(pattern: &str, text: &str) -> Truth {
    if regex_literal_prefix(pattern).is_some_and(|p| !text.starts_with(p)) {
        return Truth::No;
    }
    regex::matches(pattern, text).map_or(Truth::Unknown, bool_truth)
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_matches(|c| c == '[' || c == ']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn bool_truth(b: bool) -> Truth {
    if b {
        Truth::Yes
    } else {
        Truth::No
    }
}

/// How an operation on an argument is decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// `None` when nothing matches and the profile has no `default` rule.
    pub action: Option<Action>,
    /// The deciding rule (an index into `rules`).
    pub rule: Option<usize>,
    /// The operation level whose rules decided.
    pub level: Option<OpId>,
    /// Rules that matched but lost to the deciding one (the order problem, made visible).
    pub overridden: Vec<usize>,
    /// Rules that might match (unknown filters): the decision may differ at run time.
    pub undecided: Vec<usize>,
}

impl Decision {
    /// True when the outcome is `action` whatever the undecided rules do at run time.
    pub fn certainly(&self, action: Action, rules: &[Rule]) -> bool {
        self.action == Some(action) && self.undecided.iter().all(|&i| rules[i].action == action)
    }
}

/// Decides `op` on `arg` with `rules` in the order libsandbox sees them.
/// Uncertain rules (from branches on unknown values) count as undecided when they match.
pub fn decide(rules: &[Rule], op: OpId, arg: &Arg) -> Decision {
    let chain = vocabulary().chain(op);
    let mut decision = Decision {
        action: None,
        rule: None,
        level: None,
        overridden: Vec::new(),
        undecided: Vec::new(),
    };
    // One pass over the rules, last first, noting for each level of the chain the rules
    // naming it that may match; then the levels in order, as libsandbox consults them.
    let mut matched: SmallVec<[Vec<(usize, Truth)>; 4]> =
        chain.iter().map(|_| Vec::new()).collect();
    for (i, rule) in rules.iter().enumerate().rev() {
        let mut truth = None;
        for (k, &level) in chain.iter().enumerate() {
            if !rule.names(level) {
                continue;
            }
            let t = *truth.get_or_insert_with(|| matches(rule.filter.as_ref(), arg));
            if t != Truth::No {
                matched[k].push((i, t));
            }
        }
    }
    for (&level, found) in chain.iter().zip(matched) {
        for (i, truth) in found {
            let rule = &rules[i];
            match truth {
                Truth::No => {}
                Truth::Unknown => decision.undecided.push(i),
                Truth::Yes if !rule.certain => decision.undecided.push(i),
                Truth::Yes => {
                    if decision.rule.is_none() {
                        decision.action = Some(rule.action);
                        decision.rule = Some(i);
                        decision.level = Some(level);
                    } else {
                        decision.overridden.push(i);
                    }
                }
            }
        }
        // Lower levels never decide once a level has; their matches are still shown.
    }
    decision
}

/// True when every argument `inner` matches is also matched by `outer` (conservative: false
/// when it cannot tell). `None` means "no filter": matches everything.
pub fn covers(outer: Option<&FilterExpr>, inner: Option<&FilterExpr>) -> bool {
    let Some(outer) = outer else {
        return true;
    };
    let Some(inner) = inner else {
        return false;
    };
    match inner {
        FilterExpr::Any(xs) => xs.iter().all(|x| covers(Some(outer), Some(x))),
        FilterExpr::Unknown(_) => false,
        _ => match outer {
            FilterExpr::Any(ys) => ys.iter().any(|y| covers(Some(y), Some(inner))),
            FilterExpr::Leaf(a) => match inner {
                FilterExpr::Leaf(b) => leaf_covers(a, b),
                // `require-all` that includes a leaf `a` covers: narrower than `a`.
                FilterExpr::All(parts) => parts.iter().any(|p| covers(Some(outer), Some(p))),
                _ => false,
            },
            FilterExpr::All(_) => match inner {
                FilterExpr::All(_) => outer == inner,
                _ => false,
            },
            FilterExpr::Not(_) | FilterExpr::Unknown(_) => outer == inner,
        },
    }
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

/// The alternatives of a filter that are plain leaves, or `None` when some alternative is
/// not (a `require-all`, a `require-not`, an unknown value): such a rule is never claimed
/// to be covered.
pub fn leaf_alternatives(filter: &FilterExpr) -> Option<Leaves<'_>> {
    filter.is_alternatives().then(|| filter.leaves())
}

/// For one operation and one action: which rules (by index, ascending) cover what, so that
/// "is this covered by a later/earlier rule" is a few hash lookups instead of a scan.
pub struct CoverIndex<'r> {
    unfiltered: Vec<u32>,
    /// Exact values per filter family (`path`, `global-name` …).
    exact: HashMap<&'static str, Lists<&'r str>>,
    /// Path subpaths, keyed without a trailing slash.
    subpath: Lists<&'r str>,
    /// Bit `n` set when some subpath key is `n` bytes long (bit 63: 63 or more), so that
    /// a path's directories are looked up only at lengths some key has.
    subpath_lengths: u64,
    /// Per filter family, prefixes.
    prefix: HashMap<&'static str, Prefixes<'r, u32>>,
    /// Regexes per filter family, by pattern: only the same pattern covers a regex.
    regexes: HashMap<&'static str, Lists<&'r str>>,
    /// Anchored regex leaves by the literal text they require at the start, so a literal
    /// is compared only with the regexes that can match it.
    anchored: Prefixes<'r, (u32, &'r Filter)>,
    /// Network addresses by (local, protocol, host, port); `None` is any port.
    network: Lists<(bool, &'r str, &'r str, Option<u16>)>,
    /// The (local, protocol, host) of those addresses, while there are a few: an address
    /// is looked up only under those.
    endpoints: Option<Vec<(bool, &'r str, &'r str)>>,
    /// Other leaves, compared directly.
    others: Vec<(u32, &'r Filter)>,
}

/// Items by key, in the order they were added, in two flat arrays: a model of 100,000
/// rules has as many keys, and a vector per key would cost more than the rules.
struct Lists<K, T = u32> {
    keys: Keys<K>,
    /// The items of key `id` are `items[starts[id]..starts[id + 1]]`.
    starts: Vec<u32>,
    items: Vec<T>,
}

/// Distinct keys numbered in the order they come. The hash table holds only the numbers
/// (4 bytes a slot, not the 24 of a `&str` and its number): with tables sized in powers of
/// two, that halves the order index of a large profile.
struct Keys<K> {
    table: HashTable<u32>,
    keys: Vec<K>,
}

impl<K> Default for Keys<K> {
    fn default() -> Self {
        Keys {
            table: HashTable::new(),
            keys: Vec::new(),
        }
    }
}

fn hash<Q: std::hash::Hash + ?Sized>(key: &Q) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(key)
}

impl<K: std::hash::Hash + Eq> Keys<K> {
    fn id(&mut self, key: K) -> u32 {
        let Keys { table, keys } = self;
        let entry = table.entry(
            hash(&key),
            |&id| keys[id as usize] == key,
            |&id| hash(&keys[id as usize]),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(e) => *e.get(),
            hashbrown::hash_table::Entry::Vacant(e) => {
                let id = keys.len() as u32;
                e.insert(id);
                keys.push(key);
                id
            }
        }
    }

    fn get<Q>(&self, key: &Q) -> Option<u32>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.table
            .find(hash(key), |&id| self.keys[id as usize].borrow() == key)
            .copied()
    }

    fn len(&self) -> usize {
        self.keys.len()
    }
}

/// What a [`Lists`] is built from: (key id, item) pairs in the order they come.
struct ListsBuilder<K, T = u32> {
    keys: Keys<K>,
    pending: Vec<(u32, T)>,
}

impl<K, T> Default for ListsBuilder<K, T> {
    fn default() -> Self {
        ListsBuilder {
            keys: Keys::default(),
            pending: Vec::new(),
        }
    }
}

impl<K: std::hash::Hash + Eq, T: Copy> ListsBuilder<K, T> {
    fn push(&mut self, key: K, item: T) {
        let id = self.keys.id(key);
        self.pending.push((id, item));
    }

    /// Groups the items by key (a counting sort: the order within a key is kept).
    fn finish(mut self) -> Lists<K, T> {
        let mut starts = vec![0u32; self.keys.len() + 1];
        for &(id, _) in &self.pending {
            starts[id as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut fill = starts.clone();
        let mut order = vec![0u32; self.pending.len()];
        for (k, &(id, _)) in self.pending.iter().enumerate() {
            order[fill[id as usize] as usize] = k as u32;
            fill[id as usize] += 1;
        }
        let items = order.iter().map(|&k| self.pending[k as usize].1).collect();
        self.keys.keys.shrink_to_fit();
        Lists {
            keys: self.keys,
            starts,
            items,
        }
    }
}

impl<K: std::hash::Hash + Eq, T> Lists<K, T> {
    fn get<Q>(&self, key: &Q) -> Option<&[T]>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        let id = self.keys.get(key)? as usize;
        Some(&self.items[self.starts[id] as usize..self.starts[id + 1] as usize])
    }
}

/// Items keyed by a string, looked up by every key that is a prefix of a text: one hash
/// lookup per key length in use, not per character of the text.
struct Prefixes<'r, T> {
    lists: Lists<&'r str, T>,
    /// Distinct key lengths, ascending.
    lengths: Vec<usize>,
}

struct PrefixesBuilder<'r, T> {
    lists: ListsBuilder<&'r str, T>,
    lengths: Vec<usize>,
}

impl<T> Default for PrefixesBuilder<'_, T> {
    fn default() -> Self {
        PrefixesBuilder {
            lists: ListsBuilder::default(),
            lengths: Vec::new(),
        }
    }
}

impl<'r, T: Copy> PrefixesBuilder<'r, T> {
    fn push(&mut self, key: &'r str, item: T) {
        if let Err(at) = self.lengths.binary_search(&key.len()) {
            self.lengths.insert(at, key.len());
        }
        self.lists.push(key, item);
    }

    fn finish(self) -> Prefixes<'r, T> {
        Prefixes {
            lists: self.lists.finish(),
            lengths: self.lengths,
        }
    }
}

impl<T> Prefixes<'_, T> {
    /// The items of every key that `text` starts with (the empty key included).
    fn prefixes_of<'a>(&'a self, text: &'a str) -> impl Iterator<Item = &'a [T]> + 'a {
        self.lengths
            .iter()
            .take_while(move |&&n| n <= text.len())
            .filter(move |&&n| text.is_char_boundary(n))
            .filter_map(move |&n| self.lists.get(&text[..n]))
    }
}

/// How far a query looks.
#[derive(Clone, Copy)]
pub enum Within {
    After(usize),
    Before(usize),
    Anywhere,
}

impl Within {
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

/// Most direct comparisons one query makes (regexes sharing a literal prefix with it, leaves
/// of other filters): beyond that the answer is "not covered", which only ever silences a
/// finding.
const MAX_DIRECT: usize = 256;

/// The literal text a regex requires at the start (`^/usr/lib/` → `/usr/lib/`).
fn regex_literal_prefix(pattern: &str) -> Option<&str> {
    let body = pattern.strip_prefix('^')?;
    let end = body
        .find(|c: char| "\\.[](){}*+?|$".contains(c))
        .unwrap_or(body.len());
    // A quantifier applies to the character before it, which is then not required.
    let end = match body[end..].chars().next() {
        Some('*' | '?' | '{') => body[..end].char_indices().last().map_or(0, |(i, _)| i),
        _ => end,
    };
    Some(&body[..end])
}

impl<'r> CoverIndex<'r> {
    /// Indexes the certain rules among `indices` (ascending).
    pub fn new(rules: &'r [Rule], indices: impl Iterator<Item = usize>) -> CoverIndex<'r> {
        let mut unfiltered = Vec::new();
        let mut exact: HashMap<&'static str, ListsBuilder<&'r str>> = HashMap::default();
        let mut subpath = ListsBuilder::default();
        let mut subpath_lengths = 0u64;
        let mut endpoints = Some(Vec::new());
        let mut prefix: HashMap<&'static str, PrefixesBuilder<'r, u32>> = HashMap::default();
        let mut regexes: HashMap<&'static str, ListsBuilder<&'r str>> = HashMap::default();
        let mut anchored = PrefixesBuilder::default();
        let mut network = ListsBuilder::default();
        let mut others = Vec::new();
        for i in indices {
            let rule = &rules[i];
            if !rule.certain {
                continue;
            }
            let i = i as u32;
            let Some(filter) = &rule.filter else {
                unfiltered.push(i);
                continue;
            };
            let Some(leaves) = leaf_alternatives(filter) else {
                continue;
            };
            for leaf in leaves {
                let family = family(leaf.name.as_str());
                match &leaf.value {
                    FilterValue::Path(PathPattern::Literal(p)) => {
                        exact.entry("path").or_default().push(&**p, i)
                    }
                    FilterValue::Path(PathPattern::Subpath(p)) => {
                        let key = if p.len() > 1 {
                            p.trim_end_matches('/')
                        } else {
                            &**p
                        };
                        subpath_lengths |= length_bit(key.len());
                        subpath.push(key, i)
                    }
                    FilterValue::Path(PathPattern::Prefix(p)) => {
                        prefix.entry("path").or_default().push(p, i)
                    }
                    FilterValue::Name(NamePattern::Exact(n)) => {
                        exact.entry(family).or_default().push(&**n, i)
                    }
                    FilterValue::Name(NamePattern::Prefix(n)) => {
                        prefix.entry(family).or_default().push(n, i)
                    }
                    FilterValue::Path(PathPattern::Regex(r))
                    | FilterValue::Name(NamePattern::Regex(r)) => {
                        let family = match &leaf.value {
                            FilterValue::Path(_) => "path",
                            _ => family,
                        };
                        regexes.entry(family).or_default().push(&**r, i);
                        if let Some(required) = regex_literal_prefix(r) {
                            anchored.push(required, (i, leaf));
                        }
                    }
                    FilterValue::Network(a) => {
                        let port = match a.port {
                            Port::Any => None,
                            Port::Number(n) => Some(n),
                        };
                        let endpoint = (a.local, &*a.protocol, &*a.host);
                        if let Some(list) = &mut endpoints {
                            if !list.contains(&endpoint) {
                                list.push(endpoint);
                            }
                            if list.len() > 8 {
                                endpoints = None;
                            }
                        }
                        network.push((a.local, &*a.protocol, &*a.host, port), i)
                    }
                    _ => others.push((i, leaf)),
                }
            }
        }
        let finish = |m: HashMap<&'static str, ListsBuilder<&'r str>>| {
            m.into_iter().map(|(k, b)| (k, b.finish())).collect()
        };
        CoverIndex {
            unfiltered,
            exact: finish(exact),
            subpath: subpath.finish(),
            subpath_lengths,
            endpoints,
            prefix: prefix.into_iter().map(|(k, b)| (k, b.finish())).collect(),
            regexes: finish(regexes),
            anchored: anchored.finish(),
            network: network.finish(),
            others,
        }
    }

    /// A rule within range that matches everything `filter` matches.
    pub fn covering(&self, filter: Option<&FilterExpr>, within: Within) -> Option<usize> {
        if let Some(j) = within.pick(&self.unfiltered) {
            return Some(j);
        }
        let filter = filter?;
        let leaves = leaf_alternatives(filter)?;
        let mut found = None;
        for leaf in leaves {
            let j = self.covering_leaf(leaf, within)?;
            found = Some(found.map_or(j, |f: usize| f.max(j)));
        }
        found
    }

    fn covering_leaf(&self, leaf: &Filter, within: Within) -> Option<usize> {
        let mut best: Option<usize> = None;
        let mut consider = |list: Option<&[u32]>| {
            if let Some(j) = list.and_then(|l| within.pick(l)) {
                best = Some(best.map_or(j, |b| b.max(j)));
            }
        };
        let (family, text, exact) = match &leaf.value {
            FilterValue::Path(PathPattern::Literal(p)) => ("path", Some(&**p), true),
            FilterValue::Path(PathPattern::Subpath(p) | PathPattern::Prefix(p)) => {
                ("path", Some(&**p), false)
            }
            FilterValue::Name(NamePattern::Exact(n)) => {
                (family(leaf.name.as_str()), Some(&**n), true)
            }
            FilterValue::Name(NamePattern::Prefix(n)) => {
                (family(leaf.name.as_str()), Some(&**n), false)
            }
            _ => ("", None, false),
        };
        if let Some(text) = text {
            if exact {
                consider(self.exact.get(family).and_then(|l| l.get(text)));
            }
            if family == "path" {
                // Subpaths at every component boundary above (and at) the path.
                let trimmed = if text.len() > 1 {
                    text.trim_end_matches('/')
                } else {
                    text
                };
                let mut dir = trimmed;
                loop {
                    let key = if dir.is_empty() { "/" } else { dir };
                    if self.subpath_lengths & length_bit(key.len()) != 0 {
                        consider(self.subpath.get(key));
                    }
                    match dir.rfind('/') {
                        Some(i) if !dir.is_empty() => dir = &dir[..i],
                        _ => break,
                    }
                }
            }
            if let Some(prefixes) = self.prefix.get(family) {
                for list in prefixes.prefixes_of(text) {
                    consider(Some(list));
                }
            }
            if exact {
                for list in self.anchored.prefixes_of(text) {
                    if let Some(j) = latest_covering(within.slice(list), leaf, best) {
                        best = Some(j);
                    }
                }
            }
        } else if let FilterValue::Path(PathPattern::Regex(r)) = &leaf.value {
            consider(self.regexes.get("path").and_then(|l| l.get(&**r)));
        } else if let FilterValue::Name(NamePattern::Regex(r)) = &leaf.value {
            let family = self::family(leaf.name.as_str());
            consider(self.regexes.get(family).and_then(|l| l.get(&**r)));
        } else if let FilterValue::Network(a) = &leaf.value {
            // Covered by the same address, or one with `ip`, `*` or any port in its place.
            let protocols = [a.protocol.as_str(), "ip"];
            let hosts = [a.host.as_str(), "*"];
            let ports = match a.port {
                Port::Any => [None, None],
                Port::Number(n) => [Some(n), None],
            };
            for protocol in protocols {
                for host in hosts {
                    let endpoint = (a.local, protocol, host);
                    if self
                        .endpoints
                        .as_ref()
                        .is_some_and(|e| !e.contains(&endpoint))
                    {
                        continue;
                    }
                    for port in ports {
                        consider(self.network.get(&(a.local, protocol, host, port)));
                    }
                }
            }
        } else {
            if let Some(j) = latest_covering(within.slice(&self.others), leaf, best) {
                best = Some(j);
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

fn length_bit(len: usize) -> u64 {
    1 << len.min(63)
}

fn family(name: &'static str) -> &'static str {
    name.strip_suffix("-prefix")
        .or_else(|| name.strip_suffix("-regex"))
        .unwrap_or(name)
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
            .map(|(key, mut list)| {
                list.shrink_to_fit();
                let index = CoverIndex::new(rules, list.iter().map(|&i| i as usize));
                (key, (list, index))
            })
            .collect();
        OrderIndex { levels }
    }

    /// Rules naming `op` with `action`, ascending.
    fn naming(&self, op: OpId, action: Action) -> &[u32] {
        self.levels
            .get(&(op, action))
            .map_or(&[], |(l, _)| l.as_slice())
    }

    /// A certain rule naming `op` with `action`, within range, that matches everything
    /// `filter` matches.
    pub fn covering(
        &self,
        op: OpId,
        action: Action,
        filter: Option<&FilterExpr>,
        within: Within,
    ) -> Option<usize> {
        self.levels.get(&(op, action))?.1.covering(filter, within)
    }

    /// True when a rule naming `op` with `action` lies strictly between `a` and `b`.
    pub fn any_between(&self, op: OpId, action: Action, a: usize, b: usize) -> bool {
        let list = self.naming(op, action);
        let pos = list.partition_point(|&j| j as usize <= a);
        list.get(pos).is_some_and(|&j| (j as usize) < b)
    }
}
