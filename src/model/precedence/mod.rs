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
use super::rule::{Action, Filter, FilterExpr, FilterValue, NamePattern, PathPattern, Port, Rule};
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
    /// True when the deciding rule has no filter: it is its operation's fallback, below
    /// that operation's filtered rules.
    pub unfiltered: bool,
    /// Filtered rules naming a wildcard parent that match with the other action while an
    /// unfiltered rule on a more specific operation decided: which wins is unverified.
    pub unverified: Vec<usize>,
}

impl Decision {
    /// True when the outcome is `action` whatever the undecided rules do at run time.
    pub fn certainly(&self, action: Action, rules: &[Rule]) -> bool {
        self.action == Some(action) && self.undecided.iter().all(|&i| rules[i].action == action)
    }
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
    let chain = vocabulary().chain(op);
    let mut decision = Decision {
        action: None,
        rule: None,
        level: None,
        overridden: Vec::new(),
        undecided: Vec::new(),
        unfiltered: false,
        unverified: Vec::new(),
    };
    // One pass over the rules, last first, noting for each level of the chain and each
    // layer the rules naming it that may match; then the levels in order.
    // Per level, per layer: (rule, truth), last rule first.
    type Matched = [Vec<(usize, Truth)>; 2];
    let mut matched: SmallVec<[Matched; 4]> =
        chain.iter().map(|_| [Vec::new(), Vec::new()]).collect();
    for (i, rule) in rules.iter().enumerate().rev() {
        let mut truth = None;
        let layer = Layer::of(rule) as usize;
        for (k, &level) in chain.iter().enumerate() {
            if !rule.names(level) {
                continue;
            }
            let t = *truth.get_or_insert_with(|| matches(rule.filter.as_ref(), arg));
            if t != Truth::No {
                matched[k][layer].push((i, t));
            }
        }
    }
    let mut decided_at = None;
    for (k, (&level, layers)) in chain.iter().zip(matched).enumerate() {
        for found in layers {
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
    decision
}
