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

pub mod automata;
pub mod product;
pub mod table;

use rustc_hash::FxHashMap as HashMap;
use smallvec::SmallVec;

use self::automata::Plain;
use self::product::{Comp, Components, Explorer, Flow, TooLarge, Vector};
use super::argument::{self, Endpoint};
use super::paths;
use super::precedence::{
    self, arg_kind, bool_truth, decide, decide_among, Arg, ArgumentKind, Decision, Truth,
};
use super::regex;
use super::rule::{Action, Filter, FilterValue, NamePattern, PathPattern, Port, Rule};
use super::vocab::{vocabulary, OpId};

/// One item of an assertion's `within` / `except`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Entry {
    /// Exactly this (resolved) path.
    Path(String),
    /// `PATH/**`: it and everything under it.
    Tree(String),
    /// Exactly this name.
    Name(String),
    /// `prefix*`
    NamePrefix(String),
    /// `HOST:PORT`, `None` = `*`; `localhost` = loopback.
    Endpoint {
        host: Option<String>,
        port: Option<u16>,
    },
    /// A unix socket of a network operation, by its (resolved) path.
    Socket(String),
}

impl std::fmt::Display for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Entry::Path(p) | Entry::Name(p) | Entry::Socket(p) => f.write_str(p),
            Entry::Tree(p) if p == "/" => f.write_str("/**"),
            Entry::Tree(p) => write!(f, "{p}/**"),
            Entry::NamePrefix(p) => write!(f, "{p}*"),
            Entry::Endpoint { host, port } => {
                let host = host.as_deref().unwrap_or("*");
                let host = if host.contains(':') {
                    format!("[{host}]")
                } else {
                    host.to_string()
                };
                match port {
                    Some(p) => write!(f, "{host}:{p}"),
                    None => write!(f, "{host}:*"),
                }
            }
        }
    }
}

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

/// Why an entry of `within` / `except` does not fit its operation.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("`{0}` is not an absolute path: write `/PATH` (exactly that path) or `/PATH/**` (it and everything under it)")]
    NotAbsolute(String),
    #[error("`{0}`: only a trailing `/**` is a pattern (it and everything under it); write `/PATH` or `/PATH/**`")]
    Pattern(String),
    #[error("an empty name: write `name` or `prefix*`")]
    EmptyName,
    #[error("`{0}` is not HOST:PORT: write `HOST:PORT` with `*` for either part (`localhost:*`, `*:443`), or a unix socket's absolute path")]
    NotEndpoint(String),
    /// The operation takes no argument.
    #[error("`{0}` takes no argument: leave out `within` and `except`")]
    NoArgument(String),
}

/// Parses an entry of `within` / `except` for `op`: `PATH`, `PATH/**`, `HOST:PORT` (`*` for
/// either part), `name`, `prefix*`.
pub fn parse_entry(op: OpId, text: &str) -> Result<Entry, EntryError> {
    let name = &vocabulary().operation(op).name;
    match arg_kind(name) {
        ArgumentKind::Path => {
            if !text.starts_with('/') {
                return Err(EntryError::NotAbsolute(text.to_string()));
            }
            if let Some(base) = text.strip_suffix("/**") {
                let base = if base.is_empty() { "/" } else { base };
                Ok(Entry::Tree(paths::resolve(&normalize(base))))
            } else if text.ends_with("/*") || text.contains("/**/") {
                Err(EntryError::Pattern(text.to_string()))
            } else {
                Ok(Entry::Path(paths::resolve(&normalize(text))))
            }
        }
        ArgumentKind::Name => {
            if text.is_empty() {
                return Err(EntryError::EmptyName);
            }
            Ok(match text.strip_suffix('*') {
                Some(p) => Entry::NamePrefix(p.to_string()),
                None => Entry::Name(text.to_string()),
            })
        }
        ArgumentKind::Network => {
            if text.starts_with('/') {
                return Ok(Entry::Socket(paths::resolve(&normalize(text))));
            }
            let bad = || EntryError::NotEndpoint(text.to_string());
            let Endpoint { host, port, .. } = Endpoint::parse(text).ok_or_else(bad)?;
            if host.is_empty() {
                return Err(bad());
            }
            let host = (host != "*").then(|| host.to_string());
            let port = match port {
                "*" => None,
                p => Some(p.parse::<u16>().map_err(|_| bad())?),
            };
            Ok(Entry::Endpoint { host, port })
        }
        ArgumentKind::None => Err(EntryError::NoArgument(name.clone())),
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

/// `/a/./b/../c` → `/a/c`, lexically (an absolute path).
fn normalize(path: &str) -> String {
    argument::normalize(path, std::path::Path::new("/"))
}

/// The point argument `sblint explain` makes of a witness.
pub fn argument(op: OpId, witness: Option<&str>) -> Arg {
    let name = &vocabulary().operation(op).name;
    let Some(text) = witness else {
        return Arg::None;
    };
    match argument::parse(name, text, std::path::Path::new("/")) {
        // A witness is already the path the kernel checks.
        Ok(Arg::Path(_)) => Arg::Path(text.to_string()),
        Ok(arg) => arg,
        // Not `HOST:PORT` (the sets never give such a witness): asked about on port 0.
        Err(_) => {
            let end = Endpoint::parse(text);
            Arg::Network {
                host: end
                    .map_or(argument::unbracketed(text), |e| e.host)
                    .to_string(),
                port: end.and_then(|e| e.port_number()).unwrap_or(0),
                local: local_end(name),
            }
        }
    }
}

fn local_end(op: &str) -> bool {
    argument::decided_on_local_end(op)
}

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
struct Profile<'r> {
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
    decisions: Vec<Decision>,
}

impl<'r> Profile<'r> {
    fn new(rules: &'r [Rule], op: OpId, kind: ArgumentKind, comps: &mut Components) -> Self {
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
    fn decide_id(&mut self, comps: &[Comp], v: &Vector, scratch: &mut Vec<usize>) -> u32 {
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
    fn decide_skip(
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

/// A set question on an operation: over the arguments inside `within` (every argument when
/// `None`) and outside `except`, does the `question` fail somewhere?
#[derive(Clone, Copy)]
struct Query<'q> {
    within: Option<&'q [Entry]>,
    except: &'q [Entry],
    question: Question,
}

/// The question asked at each argument.
#[derive(Clone, Copy)]
enum Question {
    /// Fails where the argument may be allowed.
    Never,
    /// Fails where the argument is not surely allowed.
    Always,
}

impl Question {
    fn fails(self, d: &Decision) -> bool {
        match self {
            Question::Never => d.may_be(Action::Allow),
            Question::Always => d.outcome() != Action::Allow || d.conditional(),
        }
    }
}

/// Is some argument of `op` (a leaf or a wildcard: every leaf it covers) inside `within`
/// (`None` = everything) and outside `except` allowed (surely or conditionally)?
/// `Holds` = no.
pub fn never(
    rules: &[Rule],
    op: OpId,
    within: Option<&[Entry]>,
    except: &[Entry],
    budget: &Budget,
) -> Answer {
    let query = Query {
        within,
        except,
        question: Question::Never,
    };
    ask(rules, op, query, budget)
}

/// Is every argument of `op` inside `within` surely allowed? `Holds` = yes; else a witness
/// that is not.
pub fn always(rules: &[Rule], op: OpId, within: &[Entry], budget: &Budget) -> Answer {
    let query = Query {
        within: Some(within),
        except: &[],
        question: Question::Always,
    };
    ask(rules, op, query, budget)
}

fn ask(rules: &[Rule], op: OpId, query: Query<'_>, budget: &Budget) -> Answer {
    let mut decided = Vec::new();
    let mut too_complex = false;
    for leaf in leaves(op) {
        match ask_leaf(rules, leaf, query, budget) {
            Ok(None) => decided.push(leaf),
            Ok(Some(w)) => return Answer::Fails(w),
            Err(TooLarge) => too_complex = true,
        }
    }
    if too_complex {
        Answer::TooComplex { decided }
    } else {
        Answer::Holds
    }
}

fn ask_leaf(
    rules: &[Rule],
    op: OpId,
    query: Query<'_>,
    budget: &Budget,
) -> Result<Option<Witness>, TooLarge> {
    let Query {
        within,
        except,
        question,
    } = query;
    let name = &vocabulary().operation(op).name;
    let kind = arg_kind(name);
    let found = match kind {
        ArgumentKind::Path | ArgumentKind::Name => {
            let (mut comps, mut explorer, shape) = shaped(kind, budget);
            let entry_comp = |e: &Entry, comps: &mut Components| match e {
                Entry::Path(p) | Entry::Name(p) => Some(comps.plain(Plain::Literal, p.as_bytes())),
                Entry::Tree(p) => Some(comps.plain(Plain::Subpath, p.as_bytes())),
                Entry::NamePrefix(p) => Some(comps.plain(Plain::Prefix, p.as_bytes())),
                Entry::Endpoint { .. } | Entry::Socket(_) => None,
            };
            let within_comps: Option<Vec<u32>> =
                within.map(|w| w.iter().filter_map(|e| entry_comp(e, &mut comps)).collect());
            let except_comps: Vec<u32> = except
                .iter()
                .filter_map(|e| entry_comp(e, &mut comps))
                .collect();
            if let Some(w) = &within_comps {
                explorer.required.push(w.clone());
            }
            explorer.blocking = except_comps.clone();
            let mut profile = Profile::new(rules, op, kind, &mut comps);
            let mut scratch = Vec::new();
            let mut decision = None;
            let found = explorer.explore(&mut comps, budget.states, |comps, _, v| {
                let accepts = |c: u32| {
                    v.binary_search_by_key(&c, |&(k, _)| k)
                        .is_ok_and(|i| comps[c as usize].accepts(v[i].1))
                };
                if !accepts(shape)
                    || within_comps
                        .as_ref()
                        .is_some_and(|w| !w.iter().any(|&c| accepts(c)))
                    || except_comps.iter().any(|&c| accepts(c))
                {
                    return Flow::Continue;
                }
                let d = profile.decide_id(comps, v, &mut scratch);
                if question.fails(&profile.decisions[d as usize]) {
                    decision = Some(profile.decisions[d as usize].clone());
                    Flow::Stop
                } else {
                    Flow::Continue
                }
            })?;
            found.zip(decision).map(|(id, d)| {
                let bytes = explorer.witness(id);
                (Some(String::from_utf8_lossy(&bytes).into_owned()), d)
            })
        }
        ArgumentKind::Network => {
            let mut found = None;
            for (text, arg) in endpoints(rules, op, within.unwrap_or(&[]).iter().chain(except)) {
                let inside = |entries: &[Entry]| entries.iter().any(|e| endpoint_in(e, &arg));
                if within.is_some_and(|w| !inside(w)) || inside(except) {
                    continue;
                }
                let d = decide(rules, op, &arg);
                if question.fails(&d) {
                    found = Some((Some(text), d));
                    break;
                }
            }
            found
        }
        ArgumentKind::None => {
            let d = decide(rules, op, &Arg::None);
            (within.is_none() && question.fails(&d)).then_some((None, d))
        }
    };
    Ok(found.map(|(argument, decision)| {
        confirm(rules, op, argument.as_deref(), &decision);
        Witness {
            operation: op,
            conditional: decision.conditional(),
            argument,
            decision,
        }
    }))
}

/// The point decision at a witness must be the one the set analysis found.
fn confirm(rules: &[Rule], op: OpId, witness: Option<&str>, decision: &Decision) {
    if cfg!(debug_assertions) {
        if let Some(w) = witness {
            if w.contains('\u{fffd}') {
                return;
            }
        }
        let point = decide(rules, op, &argument(op, witness));
        debug_assert_eq!(
            &point, decision,
            "the point decision of {witness:?} disagrees with the set analysis"
        );
    }
}

const HOSTS: [&str; 4] = ["127.0.0.1", "::1", "93.184.215.14", "2606:2800:21f:cb07::1"];

/// The endpoints a network operation is decided on: loopback and non-local addresses of
/// both families, each with every port the rules or `entries` name and one other; every
/// host an entry names; then the unix sockets the rules (literal paths) or `entries` name,
/// and one other ([`OTHER_SOCKET`]). Every rule's network, socket and address filters give each host
/// of the same family and locality the same truth, and each port not named the same
/// truth, so these tell every decision apart.
pub fn endpoints<'e>(
    rules: &[Rule],
    op: OpId,
    entries: impl Iterator<Item = &'e Entry>,
) -> Vec<(String, Arg)> {
    endpoints_of(&[rules], op, entries)
}

/// [`endpoints`] for several profiles at once: every port any of them names, and one
/// none of them does.
pub fn endpoints_of<'e>(
    profiles: &[&[Rule]],
    op: OpId,
    entries: impl Iterator<Item = &'e Entry>,
) -> Vec<(String, Arg)> {
    let name = &vocabulary().operation(op).name;
    let local = local_end(name);
    let chain = vocabulary().chain(op);
    let mut ports: Vec<u16> = Vec::new();
    let mut hosts: Vec<String> = HOSTS.iter().map(|h| h.to_string()).collect();
    for rule in profiles.iter().flat_map(|r| r.iter()) {
        if !chain.iter().any(|&l| rule.names(l)) {
            continue;
        }
        for leaf in rule.filter.iter().flat_map(|f| f.leaves()) {
            if let FilterValue::Network(a) = &leaf.value {
                if let Port::Number(p) = a.port {
                    ports.push(p);
                }
            }
        }
    }
    let mut sockets: Vec<String> = Vec::new();
    for rule in profiles.iter().flat_map(|r| r.iter()) {
        if !chain.iter().any(|&l| rule.names(l)) {
            continue;
        }
        for leaf in rule.filter.iter().flat_map(|f| f.leaves()) {
            let pattern = match &leaf.value {
                FilterValue::Path(p) => Some(p),
                FilterValue::Network(a) => a.socket.as_ref().map(|s| &s.1),
                _ => None,
            };
            // As explain reads a socket: normalized and resolved (`(subpath "/a/")` names
            // the socket `/a`, whose match is unverified).
            if let Some(PathPattern::Literal(p) | PathPattern::Subpath(p)) = pattern {
                sockets.push(paths::resolve(&normalize(p)));
            }
        }
    }
    for e in entries {
        if let Entry::Socket(p) = e {
            sockets.push(p.clone());
        }
        if let Entry::Endpoint { host, port } = e {
            ports.extend(*port);
            if let Some(h) = host {
                if h != "localhost" && !hosts.contains(h) {
                    hosts.push(h.clone());
                }
            }
        }
    }
    ports.sort_unstable();
    ports.dedup();
    if let Some(other) = [443u16, 80, 8080, 1]
        .into_iter()
        .chain(2..=u16::MAX)
        .find(|p| !ports.contains(p))
    {
        ports.push(other);
        ports.sort_unstable();
    }
    let mut out = Vec::new();
    for host in &hosts {
        for &port in &ports {
            let text = if host.contains(':') {
                format!("[{host}]:{port}")
            } else {
                format!("{host}:{port}")
            };
            out.push((
                text,
                Arg::Network {
                    host: host.clone(),
                    port,
                    local,
                },
            ));
        }
    }
    if !local {
        sockets.push(OTHER_SOCKET.to_string());
        sockets.sort_unstable();
        sockets.dedup();
        out.extend(sockets.into_iter().map(|p| (p.clone(), Arg::Socket(p))));
    }
    out
}

/// A unix socket no profile names: every decision about sockets nothing names is made here.
pub const OTHER_SOCKET: &str = "/private/tmp/other.sock";

fn endpoint_in(entry: &Entry, arg: &Arg) -> bool {
    if let (Entry::Socket(p), Arg::Socket(x)) = (entry, arg) {
        return p == x;
    }
    let (
        Entry::Endpoint { host, port },
        Arg::Network {
            host: h, port: p, ..
        },
    ) = (entry, arg)
    else {
        return false;
    };
    let host_ok = match host.as_deref() {
        None => true,
        Some("localhost") => h
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        Some(x) => x == h,
    };
    host_ok && port.is_none_or(|x| x == *p)
}

/// Which decisions change between `old` and `new` on `op` (every leaf it covers): one
/// change per distinct (direction, old deciding rule, new deciding rule), each with its
/// shortest witness.
pub fn diff(
    old: &[Rule],
    new: &[Rule],
    op: OpId,
    budget: &Budget,
) -> Result<Vec<Change>, TooComplex> {
    diff_leaves(old, new, &leaves(op), budget)
}

/// [`diff`] over the given leaf operations (leaves that decide alike are computed once).
pub fn diff_leaves(
    old: &[Rule],
    new: &[Rule],
    ops: &[OpId],
    budget: &Budget,
) -> Result<Vec<Change>, TooComplex> {
    let mut changes = Vec::new();
    let mut decided = Vec::new();
    let mut too_complex = false;
    let mut cache: HashMap<(Key, Key), Vec<Change>> = HashMap::default();
    for &leaf in ops {
        let key = (key(old, leaf), key(new, leaf));
        if let Some(found) = cache.get(&key) {
            changes.extend(found.iter().cloned().map(|mut c| {
                c.operation = leaf;
                c
            }));
            decided.push(leaf);
            continue;
        }
        match diff_leaf(old, new, leaf, budget) {
            Ok(found) => {
                changes.extend(found.iter().cloned());
                cache.insert(key, found);
                decided.push(leaf);
            }
            Err(TooLarge) => too_complex = true,
        }
    }
    if too_complex {
        Err(TooComplex { decided, changes })
    } else {
        Ok(changes)
    }
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

fn diff_leaf(
    old: &[Rule],
    new: &[Rule],
    op: OpId,
    budget: &Budget,
) -> Result<Vec<Change>, TooLarge> {
    let name = &vocabulary().operation(op).name;
    let kind = arg_kind(name);
    // One change per (direction, old deciding rule, new deciding rule): the first found.
    let mut found: Vec<Change> = Vec::new();
    let mut record = |witness: Option<String>, o: Decision, n: Decision| {
        if let Some((direction, conditional)) = change_of(&o, &n) {
            if !found
                .iter()
                .any(|f| f.direction == direction && f.old.rule == o.rule && f.new.rule == n.rule)
            {
                found.push(Change {
                    operation: op,
                    direction,
                    witness,
                    conditional,
                    old: o,
                    new: n,
                });
            }
        }
    };
    match kind {
        ArgumentKind::Path | ArgumentKind::Name => {
            let (mut comps, mut explorer, shape) = shaped(kind, budget);
            let mut a = Profile::new(old, op, kind, &mut comps);
            let mut b = Profile::new(new, op, kind, &mut comps);
            let mut scratch = Vec::new();
            // The first state (breadth first: a shortest witness) of each pair of decisions.
            let mut pairs: HashMap<(u32, u32), ()> = HashMap::default();
            let mut pending: Vec<(u32, u32, u32)> = Vec::new();
            explorer.explore(&mut comps, budget.states, |comps, id, v| {
                let accepts = v
                    .binary_search_by_key(&shape, |&(k, _)| k)
                    .is_ok_and(|i| comps[shape as usize].accepts(v[i].1));
                if accepts {
                    let o = a.decide_id(comps, v, &mut scratch);
                    let n = b.decide_id(comps, v, &mut scratch);
                    if pairs.insert((o, n), ()).is_none()
                        && change_of(&a.decisions[o as usize], &b.decisions[n as usize]).is_some()
                    {
                        pending.push((id, o, n));
                    }
                }
                Flow::Continue
            })?;
            for (id, o, n) in pending {
                let w = String::from_utf8_lossy(&explorer.witness(id)).into_owned();
                record(
                    Some(w),
                    a.decisions[o as usize].clone(),
                    b.decisions[n as usize].clone(),
                );
            }
        }
        ArgumentKind::Network => {
            for (text, arg) in endpoints_of(&[old, new], op, std::iter::empty()) {
                record(Some(text), decide(old, op, &arg), decide(new, op, &arg));
            }
        }
        ArgumentKind::None => record(
            None,
            decide(old, op, &Arg::None),
            decide(new, op, &Arg::None),
        ),
    }
    for c in &found {
        confirm(old, op, c.witness.as_deref(), &c.old);
        confirm(new, op, c.witness.as_deref(), &c.new);
    }
    Ok(found)
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
