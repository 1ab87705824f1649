//! One analysis per profile: every leaf operation's decisions, computed once and asked by
//! every lint (SB401/SB402 "does this rule take effect", SB404/SB405 "which arguments of
//! this deny does the profile still allow").
//!
//! For a leaf operation the product of its rules' automata is explored once ([`super`]);
//! each distinct decision there is a [`Class`]: the decision (deciding rule, every rule that
//! matched and lost), its shortest argument (breadth first: `sblint explain` takes it back
//! unchanged and gives the same decision), and the rules whose removal would change it.
//! Leaves whose rules are the same share one analysis. Network operations are decided on
//! [`super::endpoints`], each against only the rules that can match its port; operations
//! without an argument have one class.
//!
//! The whole file has a [`FileBudget`]: past it, the leaves not yet analysed answer
//! `None` ("not checked exactly") and [`Table::exhausted`] says so; nothing hangs.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use smallvec::SmallVec;

use super::product::{Comp, Flow, TooLarge, Vector};
use super::profile::Profile;
use super::{change_of, endpoints, key, leaves, shaped, Budget, Key};
use crate::model::precedence::{arg_kind, decide_among, matches, Arg, ArgumentKind, Decision};
use crate::model::rule::{Action, FilterExpr, FilterValue, Port, Rule};
use crate::model::vocab::{vocabulary, OpId};

/// One decision of a leaf operation, with its shortest argument.
#[derive(Clone, Debug)]
pub struct Class {
    /// As `sblint explain` takes it; `None` for operations without an argument.
    pub witness: Option<String>,
    pub decision: Decision,
    /// Rules whose removal would change the decision here.
    pub effective: SmallVec<[usize; 2]>,
}

impl Class {
    /// True when rule `i` certainly matches here (it decides or is overridden).
    pub fn matched(&self, i: usize) -> bool {
        self.decision.rule == Some(i) || self.decision.overridden.contains(&i)
    }

    /// True when rule `i` matches here or may (an unknown filter).
    pub fn may_match(&self, i: usize) -> bool {
        self.matched(i) || self.decision.undecided.contains(&i)
    }
}

/// Every decision of one leaf operation (and of the leaves that decide alike).
#[derive(Debug)]
pub struct Leaf {
    /// In breadth-first order: the first class deciding a way has the shortest witness.
    pub classes: Vec<Class>,
    /// Per rule, the classes where it matches or may match, ascending.
    by_rule: HashMap<usize, Vec<u32>>,
    /// Rules that take effect on some class.
    effective: HashSet<usize>,
}

impl Leaf {
    fn new(classes: Vec<Class>) -> Leaf {
        let mut by_rule: HashMap<usize, Vec<u32>> = HashMap::default();
        let mut effective = HashSet::default();
        for (k, c) in classes.iter().enumerate() {
            let d = &c.decision;
            for &i in d.rule.iter().chain(&d.overridden).chain(&d.undecided) {
                let list = by_rule.entry(i).or_default();
                if list.last() != Some(&(k as u32)) {
                    list.push(k as u32);
                }
            }
            effective.extend(c.effective.iter().copied());
        }
        Leaf {
            classes,
            by_rule,
            effective,
        }
    }

    /// The classes where rule `i` matches or may match.
    pub fn classes_of(&self, i: usize) -> impl Iterator<Item = &Class> + '_ {
        self.by_rule
            .get(&i)
            .into_iter()
            .flatten()
            .map(|&k| &self.classes[k as usize])
    }

    /// True when removing rule `i` changes a decision of this leaf.
    pub fn takes_effect(&self, i: usize) -> bool {
        self.effective.contains(&i)
    }

    /// True when every argument rule `j` may match here, rule `i` surely matches.
    pub fn inside(&self, j: usize, i: usize) -> bool {
        self.classes_of(j).all(|c| c.matched(i))
    }
}

/// How much exact analysis one file may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileBudget {
    /// Product states (or endpoints) over all leaf operations.
    pub states: usize,
    /// Rule evaluations over all leaf operations.
    pub decisions: usize,
    /// Rules in the profile: past this many no leaf is analysed. The cost of a leaf grows
    /// with the rules an undecided filter (an unset param) leaves in each of its decisions,
    /// which the two counts above charge only in part: a generated 4 MB profile took 10 s
    /// and a 10 MB one did not finish before this limit.
    pub rules: usize,
    /// Entries kept in the decisions of all leaf operations (each decision, and its
    /// overridden rules, undecided rules and conditions): what the table holds, about 40
    /// bytes each. Under the rule limit a generated profile with an unset param in one rule
    /// of eight kept 4.9 million (800 KB of text, 160 MB); the corpus keeps at most 5,649.
    pub kept: usize,
}

impl Default for FileBudget {
    fn default() -> Self {
        FileBudget {
            states: 2_000_000,
            decisions: 20_000_000,
            rules: 10_000,
            kept: 1_000_000,
        }
    }
}

/// Product states allowed per byte of pattern text: a profile of literals and subpaths
/// explores at most one state per byte of its paths (their trie) times the few states of
/// the shape automaton.
const STATES_PER_BYTE: usize = 4;

impl FileBudget {
    /// The budgets for a profile whose path and name patterns hold `text` bytes: at least
    /// the defaults, and enough states for every literal, subpath and prefix to be
    /// explored. The analysis stays linear in the profile's size (each budget is), and a
    /// generated profile of thousands of store paths is checked exactly rather than
    /// stopped at a constant (8,000 subpaths need about 400,000 states). Rounded up to a
    /// power of two, so that an edit seldom changes it: the language server takes back only
    /// analyses made with the same budget.
    pub fn scaled(self, budget: Budget, text: usize) -> (Budget, FileBudget) {
        let states = STATES_PER_BYTE
            .saturating_mul(text)
            .checked_next_power_of_two()
            .unwrap_or(usize::MAX);
        let budget = Budget {
            states: budget.states.max(states),
            ..budget
        };
        let file = FileBudget {
            states: self.states.max(states.saturating_mul(4)),
            decisions: self.decisions.max(states.saturating_mul(10)),
            rules: self.rules,
            kept: self.kept,
        };
        (budget, file)
    }
}

/// Bytes of the path and name patterns in `rules`.
pub fn pattern_bytes(rules: &[Rule]) -> usize {
    let len = |v: &FilterValue| match v {
        FilterValue::Path(p) => p.text().len(),
        FilterValue::Name(n) => n.text().len(),
        _ => 0,
    };
    rules
        .iter()
        .filter_map(|r| r.filter.as_ref())
        .flat_map(|f| f.leaves())
        .map(|leaf| len(&leaf.value))
        .sum()
}

impl std::fmt::Display for FileBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} argument classes, {} rule evaluations and {} kept decision entries per file, of at most {} rules",
            self.states, self.decisions, self.kept, self.rules
        )
    }
}

/// A deny's arguments that the profile still allows, on one leaf operation.
#[derive(Clone, Debug)]
pub struct Reopened {
    pub operation: OpId,
    /// The shortest such argument, as `sblint explain` takes it.
    pub witness: Option<String>,
    /// The decision there: its rule is the allow that re-opens the deny.
    pub decision: Decision,
    /// True when the deciding allow comes later and every argument it matches on this
    /// operation lies inside the deny: a carve-out.
    pub inside: bool,
}

/// The decisions of one profile, computed on demand per leaf operation.
pub struct Table<'r> {
    rules: &'r [Rule],
    budget: Budget,
    pub file_budget: FileBudget,
    states_left: AtomicUsize,
    decisions_left: AtomicUsize,
    kept_left: AtomicUsize,
    exhausted: AtomicBool,
    done: Mutex<HashMap<Key, Option<Arc<Leaf>>>>,
    by_op: Mutex<HashMap<OpId, Option<Arc<Leaf>>>>,
    /// Analyses kept from earlier checks of the same document (the language server).
    reuse: Option<(Arc<LeafCache>, RuleTexts)>,
}

/// Each rule as `Debug` prints it, made when an analysis first needs it.
type RuleTexts = Vec<std::sync::OnceLock<Arc<str>>>;

impl<'r> Table<'r> {
    /// A table with the default budgets, raised in proportion to the profile's pattern
    /// text (see [`FileBudget::scaled`]).
    pub fn new(rules: &'r [Rule]) -> Table<'r> {
        let text = pattern_bytes(rules);
        let (budget, file) = FileBudget::default().scaled(Budget::default(), text);
        Table::with_budget(rules, budget, file)
    }

    pub fn with_budget(rules: &'r [Rule], budget: Budget, file: FileBudget) -> Table<'r> {
        let within = rules.len() <= file.rules;
        Table {
            rules,
            budget,
            file_budget: file,
            states_left: AtomicUsize::new(if within { file.states } else { 0 }),
            decisions_left: AtomicUsize::new(file.decisions),
            kept_left: AtomicUsize::new(file.kept),
            exhausted: AtomicBool::new(false),
            done: Mutex::new(HashMap::default()),
            by_op: Mutex::new(HashMap::default()),
            reuse: None,
        }
    }

    /// A table that takes a leaf's analysis from `cache` when the rules it depends on are
    /// the same as when it was made (and keeps its new ones there).
    pub fn with_cache(rules: &'r [Rule], cache: Arc<LeafCache>) -> Table<'r> {
        let mut table = Table::new(rules);
        table.reuse = Some((cache, rules.iter().map(|_| Default::default()).collect()));
        table
    }

    pub fn rules(&self) -> &'r [Rule] {
        self.rules
    }

    /// True when some leaf operation was left unanalysed because the file's budget ran out.
    pub fn exhausted(&self) -> bool {
        self.exhausted.load(Ordering::Relaxed)
    }

    /// Every decision of leaf operation `op`; `None` past the budget.
    pub fn leaf(&self, op: OpId) -> Option<Arc<Leaf>> {
        if let Some(found) = self.by_op.lock().ok()?.get(&op) {
            return found.clone();
        }
        let found = self.leaf_by_key(op);
        self.by_op.lock().ok()?.insert(op, found.clone());
        found
    }

    fn leaf_by_key(&self, op: OpId) -> Option<Arc<Leaf>> {
        if self.rules.len() > self.file_budget.rules {
            // Past the rule limit no leaf is analysed: not even the key (a pass over every
            // rule per leaf operation) is worth finding.
            self.exhausted.store(true, Ordering::Relaxed);
            return None;
        }
        let k = key(self.rules, op);
        if let Some(found) = self.done.lock().ok()?.get(&k) {
            return found.clone();
        }
        let computed = match &self.reuse {
            Some((cache, texts)) => self.compute_cached(op, &k, cache, texts),
            None => self.compute(op).ok().map(Arc::new),
        };
        if computed.is_none() {
            self.exhausted.store(true, Ordering::Relaxed);
        }
        self.done.lock().ok()?.insert(k, computed.clone());
        computed
    }

    /// Whether removing rule `i` changes some decision: `None` when a leaf operation it
    /// names could not be analysed within the budget (and no change was found elsewhere).
    pub fn takes_effect(&self, i: usize) -> Option<bool> {
        let mut unknown = false;
        for op in rule_leaves(&self.rules[i]) {
            match self.leaf(op) {
                Some(leaf) => {
                    if leaf.takes_effect(i) {
                        return Some(true);
                    }
                }
                None => unknown = true,
            }
        }
        (!unknown).then_some(false)
    }

    /// For deny `i`: per leaf operation it names and per allow that wins there, the shortest
    /// argument the deny matches that the profile allows (surely or conditionally). `None`
    /// when some leaf could not be analysed (the ones that could are still in `Err`).
    pub fn reopened(&self, i: usize) -> Result<Vec<Reopened>, Vec<Reopened>> {
        let mut out = Vec::new();
        let mut unknown = false;
        for op in rule_leaves(&self.rules[i]) {
            let Some(leaf) = self.leaf(op) else {
                unknown = true;
                continue;
            };
            let mut seen: SmallVec<[Option<usize>; 4]> = SmallVec::new();
            for class in leaf.classes_of(i) {
                let d = &class.decision;
                if !d.overridden.contains(&i) || !d.may_be(Action::Allow) {
                    continue;
                }
                if seen.contains(&d.rule) {
                    continue;
                }
                seen.push(d.rule);
                out.push(Reopened {
                    operation: op,
                    witness: class.witness.clone(),
                    decision: d.clone(),
                    inside: d.rule.is_some_and(|j| j > i && leaf.inside(j, i)),
                });
            }
        }
        if unknown {
            Err(out)
        } else {
            Ok(out)
        }
    }

    fn spend(&self, cost: Cost) -> bool {
        let take = |left: &AtomicUsize, n: usize| {
            left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |l| {
                Some(l.saturating_sub(n))
            })
            .unwrap_or(0)
                >= n
        };
        take(&self.states_left, cost.states)
            & take(&self.decisions_left, cost.work)
            & take(&self.kept_left, cost.kept)
    }

    /// What is left of the file's budget.
    fn left(&self) -> Cost {
        Cost {
            states: self.states_left.load(Ordering::Relaxed),
            work: self.decisions_left.load(Ordering::Relaxed),
            kept: self.kept_left.load(Ordering::Relaxed),
        }
    }

    /// [`Table::compute`] through the cache. A kept analysis is used only where computing
    /// it again would succeed with the budget left (it is charged what it cost then), so
    /// the answers, and where the budget runs out, are those of a fresh check.
    fn compute_cached(
        &self,
        op: OpId,
        k: &Key,
        cache: &LeafCache,
        texts: &RuleTexts,
    ) -> Option<Arc<Leaf>> {
        let naming: Vec<(u32, Arc<str>)> = {
            let mut all: Vec<u32> = k
                .levels
                .iter()
                .flat_map(|(_, n)| n.iter().copied())
                .collect();
            all.sort_unstable();
            all.dedup();
            all.into_iter()
                .map(|i| {
                    let text = texts[i as usize]
                        .get_or_init(|| format!("{:?}", self.rules[i as usize]).into());
                    (i, text.clone())
                })
                .collect()
        };
        let exact = CacheKey {
            key: k.clone(),
            rules: self.rules.len(),
            budget: self.budget,
            naming,
        };
        let generation = cache.generation.load(Ordering::Relaxed);
        let mut entries = cache.entries.lock().ok()?;
        if let Some(entry) = entries.get_mut(&exact) {
            let left = self.left();
            if !left.is_spent() && entry.cost.fits(left) {
                entry.used = generation;
                let leaf = entry.leaf.clone();
                let cost = entry.cost;
                drop(entries);
                self.spend(cost);
                return Some(leaf);
            }
        }
        drop(entries);
        let before = self.left();
        let leaf = Arc::new(self.compute(op).ok()?);
        let after = self.left();
        let entry = CachedLeaf {
            leaf: leaf.clone(),
            cost: Cost {
                states: before.states - after.states,
                work: before.work - after.work,
                kept: before.kept - after.kept,
            },
            used: generation,
        };
        cache.entries.lock().ok()?.insert(exact, entry);
        Some(leaf)
    }

    fn compute(&self, op: OpId) -> Result<Leaf, TooLarge> {
        let kind = arg_kind(&vocabulary().operation(op).name);
        let left = self.left();
        if left.is_spent() {
            return Err(TooLarge);
        }
        let classes = match kind {
            ArgumentKind::Path | ArgumentKind::Name => self.searched(op, kind, left)?,
            ArgumentKind::Network => self.on_endpoints(op, left)?,
            ArgumentKind::None => vec![self.without_argument(op)?],
        };
        Ok(Leaf::new(classes))
    }

    /// A path or name operation's classes: the product explored breadth first, each new
    /// decision with the rules whose removal changes it.
    fn searched(&self, op: OpId, kind: ArgumentKind, left: Cost) -> Result<Vec<Class>, TooLarge> {
        let (mut comps, mut explorer, shape) = shaped(kind, &self.budget);
        let mut profile = Profile::new(self.rules, op, kind, &mut comps);
        let mut scratch = Vec::new();
        let mut first: Vec<u32> = Vec::new();
        let mut effective: Vec<SmallVec<[usize; 2]>> = Vec::new();
        let mut work = 0usize;
        let mut kept = 0usize;
        let limit = self.budget.states.min(left.states);
        let result = explorer.explore(&mut comps, limit, |comps, id, v| {
            let accepts = v
                .binary_search_by_key(&shape, |&(k, _)| k)
                .is_ok_and(|i| comps[shape as usize].accepts(v[i].1));
            if !accepts {
                return Flow::Continue;
            }
            let before = profile.decisions.len();
            let d = profile.decide_id(comps, v, &mut scratch) as usize;
            if d == before {
                first.push(id);
                let eff = effective_at(&profile, comps, v, &mut scratch, &mut work);
                work += scratch.len();
                kept += kept_of(&profile.decisions[d]);
                effective.push(eff);
                if work > left.work || kept > left.kept {
                    return Flow::Stop;
                }
            }
            Flow::Continue
        });
        let cost = Cost {
            states: explorer.states,
            work,
            kept,
        };
        if !self.spend(cost) || result.is_err() || !cost.fits(left) {
            return Err(TooLarge);
        }
        let classes = first.iter().zip(profile.decisions).zip(effective);
        Ok(classes
            .map(|((id, decision), eff)| Class {
                witness: Some(String::from_utf8_lossy(&explorer.witness(*id)).into_owned()),
                decision,
                effective: eff,
            })
            .collect())
    }

    /// A network operation's classes: one per distinct decision over the endpoints, each
    /// endpoint decided against only the rules that can match its port.
    fn on_endpoints(&self, op: OpId, left: Cost) -> Result<Vec<Class>, TooLarge> {
        let rules = self.rules;
        let buckets = PortBuckets::new(rules, op);
        let mut index: HashMap<DecisionKey, usize> = HashMap::default();
        let mut classes = Vec::new();
        let points = endpoints(rules, op, std::iter::empty());
        let mut work = 0usize;
        let mut kept = 0usize;
        for (text, arg) in &points {
            let candidates = buckets.candidates(arg);
            work += candidates.len();
            if work > left.work || kept > left.kept {
                return Err(TooLarge);
            }
            let truth = |i: usize| matches(rules[i].filter.as_ref(), arg);
            let d = decide_among(rules, op, candidates.iter().copied(), truth);
            let k = DecisionKey::of(&d);
            if index.contains_key(&k) {
                continue;
            }
            let without = |r: usize| {
                work += candidates.len();
                let others = candidates.iter().copied().filter(|&c| c != r);
                decide_among(rules, op, others, truth)
            };
            let eff = effective_by(&d, without);
            kept += kept_of(&d);
            index.insert(k, classes.len());
            classes.push(Class {
                witness: Some(text.clone()),
                decision: d,
                effective: eff,
            });
        }
        let cost = Cost {
            states: points.len(),
            work,
            kept,
        };
        if !self.spend(cost) || !cost.fits(left) {
            return Err(TooLarge);
        }
        Ok(classes)
    }

    /// An operation without an argument: its one class.
    fn without_argument(&self, op: OpId) -> Result<Class, TooLarge> {
        let rules = self.rules;
        let all = || (0..rules.len()).rev();
        let truth = |i: usize| matches(rules[i].filter.as_ref(), &Arg::None);
        let d = decide_among(rules, op, all(), truth);
        let eff = effective_by(&d, |r| {
            decide_among(rules, op, all().filter(|&c| c != r), truth)
        });
        let cost = Cost {
            states: 1,
            work: rules.len() * (1 + eff.len()),
            kept: kept_of(&d),
        };
        if !self.spend(cost) {
            return Err(TooLarge);
        }
        Ok(Class {
            witness: None,
            decision: d,
            effective: eff,
        })
    }
}

/// The rules whose removal changes the decision at product state `v` (the last of
/// `profile.decisions`), charging the rule evaluations to `work`.
fn effective_at(
    profile: &Profile<'_>,
    comps: &[Comp],
    v: &Vector,
    scratch: &mut Vec<usize>,
    work: &mut usize,
) -> SmallVec<[usize; 2]> {
    let decision = &profile.decisions[profile.decisions.len() - 1];
    *work += decision.conditions.len();
    effective_by(decision, |r| {
        let without = profile.decide_skip(comps, v, scratch, Some(r));
        *work += scratch.len();
        without
    })
}

/// The rules whose removal changes decision `d`: the deciding rule when `without(it)`
/// decides otherwise, and the rules that alone give a kind of condition.
fn effective_by(d: &Decision, mut without: impl FnMut(usize) -> Decision) -> SmallVec<[usize; 2]> {
    let sole = sole_condition_rules(d);
    let mut eff = SmallVec::new();
    for r in removable(d, &sole) {
        let changes = if d.rule == Some(r) {
            change_of(d, &without(r)).is_some()
        } else {
            sole.contains(&r)
        };
        if changes {
            eff.push(r);
        }
    }
    eff
}

/// The analyses of one document's leaf operations, kept from one check to the next (the
/// language server re-checks on every edit, and most edits leave most operations' rules
/// as they were). An analysis is taken back only when the rules it was made from are the
/// same in every field, spans included (its decisions cite them), at the same indices,
/// among as many rules, with the same budget. Each check keeps the ones it used and makes.
#[derive(Debug, Default)]
pub struct LeafCache {
    entries: Mutex<HashMap<CacheKey, CachedLeaf>>,
    generation: AtomicUsize,
}

impl LeafCache {
    /// Before a check: forgets the analyses the previous check neither used nor made.
    pub fn next_check(&self) {
        let previous = self.generation.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, e| e.used == previous);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    key: Key,
    rules: usize,
    budget: Budget,
    /// Each rule the analysis reads, by index, as `Debug` prints it (every field).
    naming: Vec<(u32, Arc<str>)>,
}

#[derive(Debug)]
struct CachedLeaf {
    leaf: Arc<Leaf>,
    /// What computing it charged the file's budget.
    cost: Cost,
    /// The check that last used it.
    used: usize,
}

/// What an analysis takes from the file's budget, or what is left of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cost {
    /// Product states or endpoints.
    states: usize,
    /// Rule evaluations.
    work: usize,
    /// Decision entries kept ([`kept_of`]).
    kept: usize,
}

impl Cost {
    /// True when some part of the budget is used up.
    fn is_spent(self) -> bool {
        self.states == 0 || self.work == 0 || self.kept == 0
    }

    /// True when this cost is within `left` in every part.
    fn fits(self, left: Cost) -> bool {
        self.states <= left.states && self.work <= left.work && self.kept <= left.kept
    }
}

/// The entries decision `d` keeps: itself, its overridden and undecided rules and its
/// conditions.
fn kept_of(d: &Decision) -> usize {
    1 + d.overridden.len() + d.undecided.len() + d.conditions.len()
}

/// The leaf operations a rule names, each once.
pub fn rule_leaves(rule: &Rule) -> Vec<OpId> {
    let mut ops: Vec<OpId> = rule.operations.iter().flat_map(|o| leaves(o.id)).collect();
    ops.sort_unstable_by_key(|o| o.0);
    ops.dedup();
    ops
}

/// The rules whose removal could change a decision: the deciding one, and the rules
/// [`sole_condition_rules`] gives. (Removing any other rule that matches leaves the
/// deciding rule and the kinds of condition as they are.)
fn removable(d: &Decision, sole: &[usize]) -> SmallVec<[usize; 4]> {
    let mut out: SmallVec<[usize; 4]> = SmallVec::new();
    out.extend(d.rule);
    out.extend(sole.iter().copied());
    out.sort_unstable();
    out.dedup();
    out
}

/// The rules the outcome depends on at run time (not the deciding one) whose removal
/// changes the decision as [`change_of`] sees it: the deciding rule stays and the
/// conditions lose that rule's, which changes something only when a kind of condition goes
/// with them, that is when the rule is the only one giving some kind. Computed in one pass,
/// not re-decided: a profile with thousands of unknown rules has thousands of conditions
/// per decision.
fn sole_condition_rules(d: &Decision) -> SmallVec<[usize; 4]> {
    let mut by_kind: HashMap<&str, Option<usize>> = HashMap::default();
    for c in &d.conditions {
        by_kind
            .entry(c.filter)
            .and_modify(|only| {
                if *only != Some(c.rule) {
                    *only = None;
                }
            })
            .or_insert(Some(c.rule));
    }
    let mut out: SmallVec<[usize; 4]> = by_kind.into_values().flatten().collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// What tells two decisions apart, for deduplicating endpoints.
#[derive(Clone, PartialEq, Eq, Hash)]
struct DecisionKey(
    Option<Action>,
    Option<usize>,
    Vec<usize>,
    Vec<usize>,
    Vec<usize>,
);

impl DecisionKey {
    fn of(d: &Decision) -> DecisionKey {
        DecisionKey(
            d.action,
            d.rule,
            d.overridden.clone(),
            d.undecided.clone(),
            d.unverified.clone(),
        )
    }
}

/// The rules of a network operation by the one port they can match (rules whose every
/// alternative names the same port number), and the rest.
struct PortBuckets {
    general: Vec<usize>,
    by_port: HashMap<u16, Vec<usize>>,
}

impl PortBuckets {
    fn new(rules: &[Rule], op: OpId) -> PortBuckets {
        let chain = vocabulary().chain(op);
        let mut b = PortBuckets {
            general: Vec::new(),
            by_port: HashMap::default(),
        };
        for (i, rule) in rules.iter().enumerate() {
            if !chain.iter().any(|&l| rule.names(l)) {
                continue;
            }
            match rule.filter.as_ref().and_then(one_port) {
                Some(p) => b.by_port.entry(p).or_default().push(i),
                None => b.general.push(i),
            }
        }
        b
    }

    /// The rules that can match `arg`, descending.
    fn candidates(&self, arg: &Arg) -> Vec<usize> {
        let port = match arg {
            Arg::Network { port, .. } => Some(*port),
            _ => None,
        };
        let mut out = self.general.clone();
        if let Some(list) = port.and_then(|p| self.by_port.get(&p)) {
            out.extend_from_slice(list);
        }
        out.sort_unstable_by(|a, b| b.cmp(a));
        out
    }
}

/// The port number every alternative of `filter` names, if they all name the same one.
fn one_port(filter: &FilterExpr) -> Option<u16> {
    let alternatives: Vec<&FilterExpr> = match filter {
        FilterExpr::Any(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut port = None;
    for alt in alternatives {
        let FilterExpr::Leaf(leaf) = alt else {
            return None;
        };
        let FilterValue::Network(a) = &leaf.value else {
            return None;
        };
        let Port::Number(p) = a.port else {
            return None;
        };
        if a.socket.is_some() || port.is_some_and(|q| q != p) {
            return None;
        }
        port = Some(p);
    }
    port
}

impl Table<'_> {
    /// For rule `i` on leaf `op`: when every argument it matches there is surely decided the
    /// other way by an earlier rule on an operation consulted before the first one `i`
    /// names (SB404's escape, exactly), those deciding rules; else `None` (also when `i`
    /// matches nothing there, or past the budget).
    pub fn pre_empted(&self, i: usize, op: OpId) -> Option<Vec<usize>> {
        let leaf = self.leaf(op)?;
        let rule = &self.rules[i];
        let chain = vocabulary().chain(op);
        let own = chain.iter().position(|&l| rule.names(l))?;
        let mut deciders = Vec::new();
        let mut any = false;
        for class in leaf.classes_of(i) {
            let d = &class.decision;
            if !class.matched(i) {
                continue;
            }
            any = true;
            let j = d.rule?;
            let at = d
                .level
                .and_then(|l| chain.iter().position(|&c| c == l))
                .unwrap_or(usize::MAX);
            if j >= i || at >= own || d.action == Some(rule.action) || d.conditional() {
                return None;
            }
            if !deciders.contains(&j) {
                deciders.push(j);
            }
        }
        (any && !deciders.is_empty()).then_some(deciders)
    }
}

impl Table<'_> {
    /// True when, on leaf `op`, some argument rule `i` matches is also matched by another
    /// rule of the same action naming `op` itself: the profile means that operation too
    /// (a `file-read-metadata` deny beside a `file-read*` one). `false` past the budget.
    pub fn also_named(&self, i: usize, op: OpId) -> bool {
        let Some(leaf) = self.leaf(op) else {
            return false;
        };
        let action = self.rules[i].action;
        let found = leaf.classes_of(i).filter(|c| c.matched(i)).any(|c| {
            c.decision
                .overridden
                .iter()
                .chain(c.decision.rule.iter())
                .any(|&k| k != i && self.rules[k].action == action && self.rules[k].names(op))
        });
        found
    }
}
