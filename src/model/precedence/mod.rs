//! The one precedence model, shared by the linter, `explain` and `compile`.
//!
//! For an operation, libsandbox consults layers in this order (measured with
//! `sandbox-exec`; see `shared/reference/README.md`, "Observed on real Macs"):
//! 1. the rules naming that exact operation with a filter, the last matching one first;
//! 2. the rules naming it without a filter: an unfiltered rule is the operation's fallback
//!    and does not override its filtered rules in either order (microsoft/mxc#754;
//!    Homebrew's shipped profile relies on it);
//! 3. the same two steps for its wildcard parent (`file-read-data` → `file-read*` →
//!    `file*`), and so on, `default` last.
//!
//! Several filters in one rule are OR-ed. How an unfiltered rule on an operation ranks
//! against filtered rules on its parent is unverified: a decision that depends on it says
//! so ([`Decision::unverified`]). [`levels`] is that order; [`decide`] applies it to one
//! argument; [`cover`] answers whether other rules decide everything a rule matches.

use smallvec::SmallVec;

pub mod cover;

use cover::regex_literal_prefix;
pub use cover::{covering_scan, covers, leaf_covers, CoverIndex, OrderIndex, Within};

use super::paths::under;
use super::regex;
use super::rule::{
    Action, Filter, FilterExpr, FilterValue, NamePattern, NetAddr, Origin, PathPattern, Port, Rule,
};
use super::vocab::{vocabulary, OpId};

// The argument and its kind live with the text → argument step (`model/argument.rs`).
use super::argument::unbracketed;
pub use super::argument::{arg_kind, Arg, ArgumentKind};

/// Three-valued: a filter on an unknown `param` may or may not match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truth {
    Yes,
    No,
    Unknown,
}

impl Truth {
    pub fn or(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::Yes, _) | (_, Truth::Yes) => Truth::Yes,
            (Truth::No, Truth::No) => Truth::No,
            _ => Truth::Unknown,
        }
    }
    pub fn and(self, other: Truth) -> Truth {
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
    match filter {
        None => Truth::Yes,
        Some(filter) => eval(filter, |leaf| leaf_matches(leaf, arg)),
    }
}

/// A filter evaluated three-valued with each leaf's truth given by `leaf` (an unknown
/// value is [`Truth::Unknown`]): the one evaluator of `require-*` for point decisions and
/// the set analysis.
pub fn eval(filter: &FilterExpr, mut leaf: impl FnMut(&Filter) -> Truth) -> Truth {
    // An explicit stack keeps deep `require-*` nesting off the call stack.
    enum Step<'a> {
        Eval(&'a FilterExpr),
        Or(usize),
        And(usize),
        Not,
    }
    // Most filters are one leaf or a few leaves side by side.
    match filter {
        FilterExpr::Leaf(f) => return leaf(f),
        FilterExpr::Any(xs) if xs.iter().all(|x| matches!(x, FilterExpr::Leaf(_))) => {
            let mut t = Truth::No;
            for x in xs {
                if let FilterExpr::Leaf(f) = x {
                    t = t.or(leaf(f));
                    if t == Truth::Yes {
                        break;
                    }
                }
            }
            return t;
        }
        _ => {}
    }
    let mut steps = vec![Step::Eval(filter)];
    let mut values: Vec<Truth> = Vec::new();
    while let Some(step) = steps.pop() {
        match step {
            Step::Eval(FilterExpr::Leaf(f)) => values.push(leaf(f)),
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

/// True for a filter on the process rather than the operation's argument
/// (`process-path`, `signing-identifier`, `require-target-with-entitlement` …): its value
/// is only known at run time, whatever kind of string it takes.
pub fn on_process(filter: &Filter) -> bool {
    matches!(filter.category(), "process" | "target")
}

/// Whether one filter leaf matches `arg`.
pub fn leaf_matches(filter: &Filter, arg: &Arg) -> Truth {
    if on_process(filter) {
        return Truth::Unknown;
    }
    match (&filter.value, arg) {
        (FilterValue::Path(p), Arg::Path(path)) => path_truth(p, path),
        // `connect()` to a unix socket: `network-outbound` on its path. A unix-socket
        // address matches by its path filter (every socket without one); an IP address is
        // another family (microsoft/mxc#749, nolabs-ai/nono#590).
        (FilterValue::Path(p), Arg::Socket(path)) => path_truth(p, path),
        (FilterValue::Network(a), Arg::Socket(path)) => {
            if !a.protocol.starts_with("unix") {
                Truth::No
            } else if a.local {
                Truth::Unknown
            } else {
                a.socket
                    .as_ref()
                    .map_or(Truth::Yes, |s| path_truth(&s.1, path))
            }
        }
        (FilterValue::Atom(value), Arg::Socket(_)) if filter.name.as_str() == "socket-domain" => {
            match value.as_ref() {
                "AF_UNIX" | "AF_LOCAL" | "1" => Truth::Yes,
                "AF_INET" | "AF_INET6" | "2" | "30" => Truth::No,
                _ => Truth::Unknown,
            }
        }
        (FilterValue::Name(n), Arg::Name(name)) => bool_truth(match n {
            NamePattern::Exact(e) => **e == **name,
            NamePattern::Prefix(p) => name.starts_with(&**p),
            NamePattern::Regex(r) => return regex_truth(r, name),
        }),
        (FilterValue::Network(a), Arg::Network { host, port, local }) => {
            network_truth(a, host, *port, *local)
        }
        (FilterValue::Atom(value), Arg::Network { host, .. }) => {
            socket_truth(filter.name.as_str(), value, host)
        }
        // A filter of another kind (vnode-type, extension …) cannot be decided statically.
        _ => Truth::Unknown,
    }
}

/// A path filter against a path (a file's, or a unix socket's).
fn path_truth(p: &PathPattern, path: &str) -> Truth {
    bool_truth(match p {
        PathPattern::Literal(l) => **l == *path,
        // `(subpath "/x/")` matches what is below `/x`; whether it matches `/x` itself is
        // unverified (nothing recorded on a Mac settles it: SB203).
        PathPattern::Subpath(s)
            if s.len() > 1 && s.ends_with('/') && *path == *s.trim_end_matches('/') =>
        {
            return Truth::Unknown
        }
        PathPattern::Subpath(s) => under(path, s),
        PathPattern::Prefix(s) => path.starts_with(&**s),
        PathPattern::Regex(r) => return regex_truth(r, path),
    })
}

/// The socket filters against a TCP connection to `host` (AF_INET or AF_INET6 by the
/// address; a name may be either): observed on macOS 14.4.1, `(require-all (socket-domain
/// AF_INET) (socket-type SOCK_STREAM) (socket-protocol IPPROTO_TCP))` let `nc` connect to
/// 127.0.0.1 (sandbox-boostrap runtime-adversarial flow_divert_require_all_tcp).
fn socket_truth(filter: &str, value: &str, host: &str) -> Truth {
    let family = unbracketed(host).parse::<std::net::IpAddr>().ok();
    match (filter, value) {
        ("socket-domain", "AF_INET" | "2") => {
            family.map_or(Truth::Unknown, |f| bool_truth(f.is_ipv4()))
        }
        ("socket-domain", "AF_INET6" | "30") => {
            family.map_or(Truth::Unknown, |f| bool_truth(f.is_ipv6()))
        }
        ("socket-domain", "AF_UNIX" | "AF_LOCAL" | "1") => Truth::No,
        ("socket-type", "SOCK_STREAM" | "1") => Truth::Yes,
        ("socket-type", "SOCK_DGRAM" | "SOCK_RAW" | "2" | "3") => Truth::No,
        ("socket-protocol", "IPPROTO_TCP" | "6") => Truth::Yes,
        ("socket-protocol", "IPPROTO_UDP" | "17") => Truth::No,
        _ => Truth::Unknown,
    }
}

/// An address filter against one end of a connection. The connection is taken to be TCP
/// (`socket-type SOCK_STREAM`; the filters `udp`, `udp4`, `udp6` do not match it).
/// `localhost` is every address assigned to the machine, of which the loopback ones are
/// all sblint can recognise (bazelbuild/bazel#30865). A `local` filter on an outbound
/// connection matches on the machine's own end, an address of the machine with an
/// ephemeral port: `"*:*"` and `"localhost:*"` match every connection
/// (anthropic-experimental/sandbox-runtime#131, NixOS/nix#10078), a fixed port may or may
/// not be the one picked. A `remote` filter on a bind or inbound decision depends on a
/// peer sblint is not given.
fn network_truth(a: &NetAddr, host: &str, port: u16, local: bool) -> Truth {
    let protocol = a.protocol.as_str();
    // The connection is to an IP address: a unix-socket address (AF_UNIX) is another family.
    if protocol.starts_with("udp") || protocol.starts_with("unix") {
        return Truth::No;
    }
    let family = match unbracketed(host).parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => Some('4'),
        Ok(std::net::IpAddr::V6(_)) => Some('6'),
        Err(_) => None,
    };
    let family_truth = match (protocol.chars().last(), family) {
        (Some(want @ ('4' | '6')), Some(got)) => bool_truth(want == got),
        (Some('4' | '6'), None) => Truth::Unknown,
        _ => Truth::Yes,
    };
    let end_truth = if a.local == local {
        let host_ok = a.host == "*" || (a.host == "localhost" && is_loopback(host));
        let port_ok = match a.port {
            Port::Any => true,
            Port::Number(p) => p == port,
        };
        bool_truth(host_ok && port_ok)
    } else if a.local {
        // The machine's own end of an outbound connection.
        match a.port {
            Port::Any => Truth::Yes,
            Port::Number(_) => Truth::Unknown,
        }
    } else {
        Truth::Unknown
    };
    family_truth.and(end_truth)
}

/// A regex against a text; the literal start a `^` regex requires is checked first, so
/// most regexes never need compiling.
pub(crate) fn regex_truth(pattern: &str, text: &str) -> Truth {
    if regex_literal_prefix(pattern).is_some_and(|p| !text.starts_with(p)) {
        return Truth::No;
    }
    regex::matches(pattern, text).map_or(Truth::Unknown, bool_truth)
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || unbracketed(host)
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

pub(crate) fn bool_truth(b: bool) -> Truth {
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
    /// True when the deciding rule has no filter: it is its operation's fallback, below
    /// that operation's filtered rules.
    pub unfiltered: bool,
    /// Filtered rules naming a wildcard parent that match with the other action while an
    /// unfiltered rule on a more specific operation decided: which wins is unverified.
    pub unverified: Vec<usize>,
    /// What the outcome depends on: each undecided rule consulted before the deciding one
    /// whose action differs from the outcome, and each unverified rule, with the filter
    /// that leaves it open. Empty when the outcome holds whatever happens at run time.
    pub conditions: Vec<Condition>,
}

/// Something sblint cannot know statically that could change a decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    /// The filter as libsandbox knows it (`entitlement`, `extension`, `process-path`,
    /// `vnode-type` …); `param` for a value an unset `param` left unknown; `regex` for a
    /// regex whose meaning here is unverified; `branch` for a rule from a branch on an
    /// unknown value; `order` for an unverified layer order ([`Decision::unverified`]).
    pub filter: &'static str,
    /// The rule it leaves open (an index into `rules`).
    pub rule: usize,
    /// Where: the filter (or the rule, for `branch` and `order`).
    pub origin: Origin,
}

impl Decision {
    /// True when the outcome is `action` whatever the undecided rules do at run time.
    pub fn certainly(&self, action: Action, rules: &[Rule]) -> bool {
        self.action == Some(action) && self.undecided.iter().all(|&i| rules[i].action == action)
    }

    /// The outcome: the deciding rule's action, or libsandbox's built-in default (allow)
    /// when nothing decides.
    pub fn outcome(&self) -> Action {
        self.action.unwrap_or(Action::Allow)
    }

    /// True when something sblint cannot know could change the outcome ([`Self::conditions`]).
    pub fn conditional(&self) -> bool {
        !self.conditions.is_empty()
    }

    /// True when `action` is the outcome, or a condition could make it so.
    pub fn may_be(&self, action: Action) -> bool {
        self.outcome() == action || self.conditional()
    }
}

/// The name to show for a condition, given the source text at its origin: a `param`
/// condition is any value evaluation could not know, so the form it came from says which
/// (`(param "HOME")`, `(require-entitlement "…")`).
pub fn condition_name<'a>(condition: &Condition, text: &'a str) -> &'a str {
    if condition.filter != "param" || text.contains("(param ") {
        return condition.filter;
    }
    let head = text
        .strip_prefix('(')
        .map(|t| t.trim_start())
        .and_then(|t| {
            t.split(|c: char| c.is_whitespace() || c == '(' || c == ')')
                .next()
        })
        .filter(|h| !h.is_empty());
    head.unwrap_or("param")
}

/// The filter that leaves a rule undecided, named for [`Condition`]: the first leaf sblint
/// cannot decide statically (a filter on a run-time value, an unset `param`, a regex whose
/// meaning is unverified), else `branch` for an uncertain rule.
pub fn open_filter(rule: &Rule) -> (&'static str, Origin) {
    fn run_time(leaf: &Filter) -> bool {
        if on_process(leaf) {
            return true;
        }
        match &leaf.value {
            FilterValue::Path(PathPattern::Regex(r)) | FilterValue::Name(NamePattern::Regex(r)) => {
                !regex::is_exact(r)
            }
            FilterValue::Path(_) | FilterValue::Name(_) | FilterValue::Network(_) => false,
            FilterValue::Atom(_) => !leaf.name.as_str().starts_with("socket-"),
            FilterValue::Other(_) => true,
        }
    }
    if let Some(filter) = &rule.filter {
        let mut stack = vec![filter];
        while let Some(expr) = stack.pop() {
            match expr {
                FilterExpr::Unknown(origin) => return ("param", *origin),
                FilterExpr::Leaf(leaf) if run_time(leaf) => {
                    let name = match &leaf.value {
                        _ if on_process(leaf) => leaf.name.as_str(),
                        FilterValue::Path(PathPattern::Regex(_))
                        | FilterValue::Name(NamePattern::Regex(_)) => "regex",
                        _ => leaf.name.as_str(),
                    };
                    return (name, leaf.origin);
                }
                FilterExpr::Leaf(_) => {}
                FilterExpr::Any(xs) | FilterExpr::All(xs) => stack.extend(xs.iter().rev()),
                FilterExpr::Not(x) => stack.push(x),
            }
        }
    }
    if !rule.certain {
        return ("branch", rule.origin);
    }
    // A `subpath` ending in `/` leaves its directory itself unverified (`leaf_matches`).
    let slash = rule.filter.iter().flat_map(|f| f.leaves()).find(|l| {
        matches!(&l.value, FilterValue::Path(PathPattern::Subpath(s)) if s.len() > 1 && s.ends_with('/'))
    });
    if let Some(leaf) = slash {
        return ("trailing-slash", leaf.origin);
    }
    // Decided by the argument's kind: a filter of another kind (a name filter on a path
    // operation) is unknown to the point decision.
    let origin = rule
        .filter
        .iter()
        .flat_map(|f| f.leaves())
        .next()
        .map_or(rule.origin, |l| l.origin);
    ("filter", origin)
}

/// The layers of one operation level, in the order libsandbox consults them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    Filtered,
    Unfiltered,
}

impl Layer {
    pub fn of(rule: &Rule) -> Layer {
        if rule.filter.is_some() {
            Layer::Filtered
        } else {
            Layer::Unfiltered
        }
    }
}

/// Every (operation, layer) consulted for `op`, first to last: `op`'s filtered rules, its
/// unfiltered ones, then the same for each wildcard parent up to `default`.
pub fn levels(op: OpId) -> impl Iterator<Item = (OpId, Layer)> {
    vocabulary()
        .chain(op)
        .iter()
        .flat_map(|&level| [(level, Layer::Filtered), (level, Layer::Unfiltered)])
}

/// The operations whose rules are consulted for `op` before any rule naming `wildcard`
/// (one of `op`'s ancestors): `op` and its parents below `wildcard`.
pub fn consulted_before(op: OpId, wildcard: OpId) -> impl Iterator<Item = OpId> {
    vocabulary()
        .chain(op)
        .iter()
        .copied()
        .take_while(move |&level| level != wildcard)
}

/// Decides `op` on `arg` with `rules` in the order libsandbox sees them.
/// Uncertain rules (from branches on unknown values) count as undecided when they match.
pub fn decide(rules: &[Rule], op: OpId, arg: &Arg) -> Decision {
    decide_with(rules, op, |i| matches(rules[i].filter.as_ref(), arg))
}

/// Decides `op` with each rule's truth given by `truth` (called only for rules naming a
/// level of `op`'s chain): the one place the layer order is applied. [`decide`] is this with
/// [`matches`] on an argument; the set analysis supplies truths over sets of arguments.
pub fn decide_with(rules: &[Rule], op: OpId, truth: impl FnMut(usize) -> Truth) -> Decision {
    decide_among(rules, op, (0..rules.len()).rev(), truth)
}

/// [`decide_with`] over `candidates` only (rule indices, descending): every rule left out
/// counts as not matching.
pub fn decide_among(
    rules: &[Rule],
    op: OpId,
    candidates: impl Iterator<Item = usize>,
    truth: impl FnMut(usize) -> Truth,
) -> Decision {
    let chain = vocabulary().chain(op);
    let mut decision = Decision {
        action: None,
        rule: None,
        level: None,
        overridden: Vec::new(),
        undecided: Vec::new(),
        unfiltered: false,
        unverified: Vec::new(),
        conditions: Vec::new(),
    };
    // One pass over the rules, last first, noting for each level of the chain and each
    // layer the rules naming it that may match; then the levels in order.
    let matched = matched_by_level(rules, chain, candidates, truth);
    let before = consult_levels(&mut decision, rules, chain, matched);
    add_conditions(&mut decision, rules, before);
    decision
}

/// Per layer of one level (filtered, unfiltered): the rules naming it that may match, with
/// their truth, last rule first.
type Matched = [Vec<(usize, Truth)>; 2];

/// For each level of `chain` and each layer, the `candidates` naming it that may match.
#[inline]
fn matched_by_level(
    rules: &[Rule],
    chain: &[OpId],
    candidates: impl Iterator<Item = usize>,
    mut truth: impl FnMut(usize) -> Truth,
) -> SmallVec<[Matched; 4]> {
    let mut matched: SmallVec<[Matched; 4]> =
        chain.iter().map(|_| [Vec::new(), Vec::new()]).collect();
    for i in candidates {
        let rule = &rules[i];
        let mut t = None;
        let layer = Layer::of(rule) as usize;
        for (k, &level) in chain.iter().enumerate() {
            if !rule.names(level) {
                continue;
            }
            let t = *t.get_or_insert_with(|| truth(i));
            if t != Truth::No {
                matched[k][layer].push((i, t));
            }
        }
    }
    matched
}

/// Consults the levels in order into `decision` (the deciding rule, those it overrides,
/// the undecided ones); returns the undecided rules consulted before the deciding one.
#[inline]
fn consult_levels(
    decision: &mut Decision,
    rules: &[Rule],
    chain: &[OpId],
    matched: SmallVec<[Matched; 4]>,
) -> SmallVec<[usize; 4]> {
    let mut decided_at = None;
    // Undecided rules consulted before the deciding one.
    let mut before: SmallVec<[usize; 4]> = SmallVec::new();
    for (k, (&level, layers)) in chain.iter().zip(matched).enumerate() {
        for found in layers {
            for (i, truth) in found {
                let rule = &rules[i];
                match truth {
                    Truth::No => {}
                    Truth::Unknown => {
                        decision.undecided.push(i);
                        if decision.rule.is_none() {
                            before.push(i);
                        }
                    }
                    Truth::Yes if !rule.certain => {
                        decision.undecided.push(i);
                        if decision.rule.is_none() {
                            before.push(i);
                        }
                    }
                    Truth::Yes => {
                        if decision.rule.is_none() {
                            decision.action = Some(rule.action);
                            decision.rule = Some(i);
                            decision.level = Some(level);
                            decision.unfiltered = rule.filter.is_none();
                            decided_at = Some(k);
                        } else {
                            let parent_filtered = decision.unfiltered
                                && decided_at.is_some_and(|d| d < k)
                                && rule.filter.is_some()
                                && Some(rule.action) != decision.action
                                && level != vocabulary().default;
                            if parent_filtered {
                                decision.unverified.push(i);
                            }
                            decision.overridden.push(i);
                        }
                    }
                }
            }
        }
        // Lower levels never decide once a level has; their matches are still shown.
    }
    before
}

/// The decision's conditions: the undecided rules `before` the deciding one that would
/// change its outcome, then the rules whose order against it is unverified.
#[inline]
fn add_conditions(decision: &mut Decision, rules: &[Rule], before: SmallVec<[usize; 4]>) {
    let outcome = decision.outcome();
    // A rule naming several levels of the chain is consulted once per level: each gives
    // one condition. (A set, not a scan of those seen: a profile whose unset param leaves
    // 14,000 rules undecided made this quadratic.)
    let mut seen: rustc_hash::FxHashSet<usize> = rustc_hash::FxHashSet::default();
    for i in before {
        if rules[i].action != outcome && seen.insert(i) {
            let (filter, origin) = open_filter(&rules[i]);
            decision.conditions.push(Condition {
                filter,
                rule: i,
                origin,
            });
        }
    }
    for &i in &decision.unverified {
        decision.conditions.push(Condition {
            filter: "order",
            rule: i,
            origin: rules[i].origin,
        });
    }
}
