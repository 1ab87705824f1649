//! `sblint test`'s `never` and `always`: is some argument inside `within` and outside
//! `except` decided the wrong way? Answered with the shortest witness.

use super::super::precedence::{arg_kind, decide, Arg, ArgumentKind, Decision};
use super::super::rule::{Action, Rule};
use super::super::vocab::{vocabulary, OpId};
use super::arguments::argument;
use super::automata::Plain;
use super::endpoints::{endpoint_in, endpoints};
use super::product::{Components, Flow, TooLarge};
use super::profile::Profile;
use super::{leaves, shaped, Answer, Budget, Entry, Witness};

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
    let kind = arg_kind(&vocabulary().operation(op).name);
    let found = match kind {
        ArgumentKind::Path | ArgumentKind::Name => search(rules, op, kind, query, budget)?,
        ArgumentKind::Network => on_endpoints(rules, op, query),
        ArgumentKind::None => {
            let d = decide(rules, op, &Arg::None);
            (query.within.is_none() && query.question.fails(&d)).then_some((None, d))
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

/// A witness and its decision, the witness `None` for operations without an argument.
type Found = Option<(Option<String>, Decision)>;

/// The component of an entry of `within` / `except` (none for endpoints and sockets).
fn entry_comp(e: &Entry, comps: &mut Components) -> Option<u32> {
    match e {
        Entry::Path(p) | Entry::Name(p) => Some(comps.plain(Plain::Literal, p.as_bytes())),
        Entry::Tree(p) => Some(comps.plain(Plain::Subpath, p.as_bytes())),
        Entry::NamePrefix(p) => Some(comps.plain(Plain::Prefix, p.as_bytes())),
        Entry::Endpoint { .. } | Entry::Socket(_) => None,
    }
}

/// A path or name operation: the product explored breadth first, inside `within` and
/// outside `except`, up to the first state whose decision fails the question.
fn search(
    rules: &[Rule],
    op: OpId,
    kind: ArgumentKind,
    query: Query<'_>,
    budget: &Budget,
) -> Result<Found, TooLarge> {
    let (mut comps, mut explorer, shape) = shaped(kind, budget);
    let within_comps: Option<Vec<u32>> = query
        .within
        .map(|w| w.iter().filter_map(|e| entry_comp(e, &mut comps)).collect());
    let except_comps: Vec<u32> = query
        .except
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
        if query.question.fails(&profile.decisions[d as usize]) {
            decision = Some(profile.decisions[d as usize].clone());
            Flow::Stop
        } else {
            Flow::Continue
        }
    })?;
    Ok(found.zip(decision).map(|(id, d)| {
        let bytes = explorer.witness(id);
        (Some(String::from_utf8_lossy(&bytes).into_owned()), d)
    }))
}

/// A network operation: the first endpoint inside `within` and outside `except` whose
/// decision fails the question.
fn on_endpoints(rules: &[Rule], op: OpId, query: Query<'_>) -> Found {
    let Query {
        within,
        except,
        question,
    } = query;
    for (text, arg) in endpoints(rules, op, within.unwrap_or(&[]).iter().chain(except)) {
        let inside = |entries: &[Entry]| entries.iter().any(|e| endpoint_in(e, &arg));
        if within.is_some_and(|w| !inside(w)) || inside(except) {
            continue;
        }
        let d = decide(rules, op, &arg);
        if question.fails(&d) {
            return Some((Some(text), d));
        }
    }
    None
}

/// The point decision at a witness must be the one the set analysis found.
pub(super) fn confirm(rules: &[Rule], op: OpId, witness: Option<&str>, decision: &Decision) {
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
