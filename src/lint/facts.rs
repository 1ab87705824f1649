//! Questions about the model that several rules ask.

use smallvec::SmallVec;

use crate::model::precedence::{decide, Arg};
use crate::model::sets::points::Points;
use crate::model::{vocabulary, Action, FileId, Filter, OpId, Rule};
use crate::syntax::{Span, TokenKind};

use super::rule::Context;

/// Every filter leaf the checked file is answerable for, with its rule and where to show
/// it: the argument itself when it was written in the file, else the top-level form of
/// the file that made the rule (a helper from an import called with a `--param` value).
/// Walked afresh by each rule: cheaper than keeping a list as long as the profile.
pub fn main_leaves<'a>(
    ctx: &'a Context<'_>,
) -> impl Iterator<Item = (&'a Rule, &'a Filter, Span)> + 'a {
    ctx.model
        .rules
        .iter()
        .flat_map(|rule| rule_leaves(rule).map(move |(leaf, at)| (rule, leaf, at)))
}

/// The leaves of one rule that [`main_leaves`] gives.
pub fn rule_leaves(rule: &Rule) -> impl Iterator<Item = (&Filter, Span)> + '_ {
    rule.filter.iter().flat_map(move |filter| {
        filter.leaves().filter_map(move |leaf| {
            let at = if leaf.arg.file == FileId::MAIN {
                Some(leaf.arg.span)
            } else {
                rule.site
            };
            at.map(|at| (leaf, at))
        })
    })
}

/// A rule shown in the checked file, as [`main_rules`] gives it.
#[derive(Clone, Copy)]
pub struct MainRule<'a> {
    /// Its index in the model's rules.
    pub index: usize,
    pub rule: &'a Rule,
    /// Where the checked file shows it.
    pub span: Span,
}

/// Rules shown in the checked file (written there, or made by a call written there).
pub fn main_rules<'a>(ctx: &'a Context<'_>) -> impl Iterator<Item = MainRule<'a>> + 'a {
    ctx.model
        .rules
        .iter()
        .enumerate()
        .filter_map(|(index, rule)| {
            let span = rule.main_span()?;
            Some(MainRule { index, rule, span })
        })
}

/// The action that decides an operation nothing else matches: the last certain
/// `(allow|deny default)`; `None` when there is none or it depends on unknown values.
/// Worked out once per file: several rules ask.
pub fn default_action(ctx: &Context<'_>) -> Option<(Action, usize)> {
    *ctx.default_action.get_or_init(|| {
        let decision = decide(&ctx.model.rules, vocabulary().default, &Arg::None);
        match (
            decision.action,
            decision.rule,
            decision.undecided.is_empty(),
        ) {
            (Some(a), Some(i), true) => Some((a, i)),
            _ => None,
        }
    })
}

/// True when the rule names `op` or an operation `op` covers.
pub fn names_under(rule: &Rule, op: &str) -> bool {
    let vocab = vocabulary();
    let Some(id) = vocab.op_id(op) else {
        return false;
    };
    rule.operations.iter().any(|o| vocab.covers(id, o.id))
}

/// True when the rule names `op` itself or one of its wildcard parents.
pub fn applies_to(rule: &Rule, op: &str) -> bool {
    let vocab = vocabulary();
    let Some(id) = vocab.op_id(op) else {
        return false;
    };
    rule.operations.iter().any(|o| vocab.covers(o.id, id))
}

/// The string token of the checked file exactly at `span`, if a string was written there.
pub fn string_token<'a>(ctx: &'a Context<'_>, span: Span) -> Option<(TokenKind, &'a str)> {
    let tokens = ctx.tree.tokens();
    let token = tokens.get(tokens.starting_at(span.start)?);
    (token.span == span && matches!(token.kind, TokenKind::String | TokenKind::RawString))
        .then(|| (token.kind, ctx.tree.source(span)))
}

/// A rule's positive network leaves: `(remote tcp "*:80")` …
pub fn network_leaves(rule: &Rule) -> impl Iterator<Item = &crate::model::rule::NetAddr> {
    rule.filter
        .iter()
        .flat_map(|f| f.positive_leaves())
        .filter_map(|l| match &l.value {
            crate::model::FilterValue::Network(n) => Some(&**n),
            _ => None,
        })
}

/// True when the rule matches every address: no filter, or `"*:*"` on the remote end (a
/// unix socket is not the network).
pub fn any_address(rule: &Rule) -> bool {
    rule.filter.is_none()
        || network_leaves(rule).any(|n| {
            !n.local
                && n.host == "*"
                && n.port == crate::model::rule::Port::Any
                && !n.protocol.starts_with("unix")
        })
}

/// True when the rule names `op`, a wildcard above it, or an operation below it.
pub fn overlaps(rule: &Rule, op: &str) -> bool {
    let vocab = vocabulary();
    let Some(id) = vocab.op_id(op) else {
        return false;
    };
    rule.operations
        .iter()
        .any(|o| vocab.covers(o.id, id) || vocab.covers(id, o.id))
}

/// For every operation of `rule`, the rule index `find` gives; `None` unless every
/// operation has one. Sorted, without repeats.
pub fn for_every_operation(
    rule: &Rule,
    mut find: impl FnMut(crate::model::OpId) -> Option<usize>,
) -> Option<SmallVec<[usize; 2]>> {
    if rule.operations.is_empty() {
        return None;
    }
    let mut found = rule
        .operations
        .iter()
        .map(|op| find(op.id))
        .collect::<Option<SmallVec<[usize; 2]>>>()?;
    found.sort_unstable();
    found.dedup();
    Some(found)
}

/// Unfiltered allows in the checked file that apply to `op` (other than `(allow default)`),
/// when the profile denies by default.
pub fn unfiltered_allows_under_deny_default<'a>(
    ctx: &'a Context<'_>,
    op: &'a str,
) -> Vec<(&'a Rule, Span)> {
    if !matches!(default_action(ctx), Some((Action::Deny, _))) {
        return Vec::new();
    }
    let default = vocabulary().default;
    main_rules(ctx)
        .filter(|m| {
            let r = m.rule;
            r.action == Action::Allow
                && r.filter.is_none()
                && !r.names(default)
                && applies_to(r, op)
        })
        .map(|m| (m.rule, m.span))
        .collect()
}

/// An edit that appends `form` as a line of its own at the end of the checked file, where
/// no later rule overrides it.
pub fn append_form(ctx: &Context<'_>, form: &str) -> crate::diagnostic::Edit {
    let text = ctx.tree.text();
    let newline = if text.ends_with('\n') || text.is_empty() {
        ""
    } else {
        "\n"
    };
    crate::diagnostic::Edit {
        span: Span::empty(text.len() as u32),
        content: format!("{newline}{form}\n"),
    }
}

/// Whether removing rule `i` changes a decision on the operations it names, by the
/// decision sets (what `sblint diff` would report): `Some(true)` with the change when it
/// does, `Some(false)` when nothing changes (conditionally or not), `None` when the sets
/// cannot decide it within their budget. SB401 and SB402 claim a rule changes nothing; a
/// change here refutes the claim, so they stay silent.
pub fn removal_changes(ctx: &Context<'_>, i: usize) -> Option<bool> {
    ctx.sets().takes_effect(i)
}

/// For each rule of `of`: an argument it matches on one of its leaf operations, with the
/// rule that decides it in the whole profile: the witness SB401 and SB402 show (`explain`
/// gives the same answer). From the rule's first literal, subpath, prefix or exact name;
/// `None` when it has none or that argument is decided by the rule itself. The decisions
/// are read through one index of the rules that can match each witness path ([`Points`]):
/// a decision over every rule per finding made SB402 quadratic on profiles with many
/// duplicates.
pub fn witnesses(ctx: &Context<'_>, of: &[usize]) -> Vec<Option<(String, &'static str, usize)>> {
    let rules = &ctx.model.rules;
    let asked: Vec<Option<WitnessAsk>> = of.iter().map(|&i| witness_ask(&rules[i])).collect();
    let mut ops: Vec<OpId> = asked
        .iter()
        .flatten()
        .filter(|a| a.path)
        .flat_map(|a| a.leaves.iter().copied())
        .collect();
    ops.sort_unstable_by_key(|o| o.0);
    ops.dedup();
    let paths = asked
        .iter()
        .flatten()
        .filter(|a| a.path)
        .map(|a| a.text.as_str());
    let index = Points::new(rules, &ops, paths);
    of.iter()
        .zip(&asked)
        .map(|(&i, ask)| {
            let ask = ask.as_ref()?;
            let arg = if ask.path {
                Arg::Path(ask.text.clone())
            } else {
                Arg::Name(ask.text.clone())
            };
            ask.leaves.iter().find_map(|&leaf| {
                let d = index.decide(leaf, &arg);
                match d.rule {
                    Some(j) if j != i && !d.conditional() => Some((
                        ask.text.clone(),
                        vocabulary().operation(leaf).name.as_str(),
                        j,
                    )),
                    _ => None,
                }
            })
        })
        .collect()
}

/// What [`witnesses`] asks about a rule: its argument and the leaf operations it fits, in
/// the order tried.
struct WitnessAsk {
    text: String,
    path: bool,
    leaves: Vec<OpId>,
}

fn witness_ask(rule: &Rule) -> Option<WitnessAsk> {
    let vocab = vocabulary();
    let (text, path) = rule
        .filter
        .as_ref()?
        .positive_leaves()
        .find_map(|l| match &l.value {
            crate::model::FilterValue::Path(
                crate::model::rule::PathPattern::Literal(p)
                | crate::model::rule::PathPattern::Subpath(p)
                | crate::model::rule::PathPattern::Prefix(p),
            ) => Some((p.to_string(), true)),
            crate::model::FilterValue::Name(
                crate::model::rule::NamePattern::Exact(n)
                | crate::model::rule::NamePattern::Prefix(n),
            ) => Some((n.to_string(), false)),
            _ => None,
        })?;
    let mut leaves: Vec<OpId> = rule
        .operations
        .iter()
        .flat_map(|o| crate::model::sets::leaves(o.id))
        .collect();
    // The operation people think of first: reading or writing the data.
    leaves.sort_by_key(|&l| !vocab.operation(l).name.ends_with("-data"));
    leaves.retain(|&leaf| {
        let kind = crate::model::precedence::arg_kind(&vocab.operation(leaf).name);
        matches!(
            (kind, path),
            (crate::model::precedence::ArgumentKind::Path, true)
                | (crate::model::precedence::ArgumentKind::Name, false)
        )
    });
    Some(WitnessAsk { text, path, leaves })
}

/// A witness as a note: "for example, `/usr/lib` (`file-read-data`) is decided by the rule
/// at line 12 whether this rule is there or not".
fn note_of(
    ctx: &Context<'_>,
    lines: &crate::syntax::LineIndex,
    found: Option<(String, &'static str, usize)>,
    confirmed: bool,
) -> Option<String> {
    let (arg, op, j) = found?;
    let sets = if confirmed {
        "; the decision sets confirm that removing this rule changes no decision"
    } else {
        ""
    };
    let at = ctx.model.rules[j].main_span()?;
    let line = lines.line_col(ctx.tree.text(), at.start).line;
    Some(format!(
        "for example, `{op} {arg}` is decided by the rule at line {line} whether this rule is there or not (`sblint explain` shows it{sets})"
    ))
}

/// How SB401 and SB402 word a rule that other rules make dead.
pub struct DeadRule {
    pub meta: &'static super::rule::RuleMeta,
    /// The finding's message, from the dead rule.
    pub message: fn(&Rule) -> String,
    /// The label on the dead rule.
    pub label: &'static str,
    /// The label on each rule that makes it dead.
    pub other: fn(&Rule) -> String,
    /// A last note, after the witness.
    pub advice: Option<&'static str>,
}

/// The skeleton SB401 and SB402 share: each main rule that `others` finds a rule for on
/// every operation it names (`others(i, rule, op)`), unless removing it changes a
/// decision exactly, reported with those rules labelled and a witness.
pub fn report_dead_rules(
    ctx: &Context<'_>,
    dead: &DeadRule,
    out: &mut Vec<crate::diagnostic::Diagnostic>,
    mut others: impl FnMut(usize, &Rule, crate::model::OpId) -> Option<usize>,
) {
    if !ctx.model.complete {
        return;
    }
    let rules = &ctx.model.rules;
    // The dead rules first, then their witnesses at once.
    // (rule, where, the rules that make it dead, whether removing it changes nothing)
    type Dead = (usize, Span, SmallVec<[usize; 2]>, Option<bool>);
    let mut dead_rules: Vec<Dead> = Vec::new();
    for MainRule { index, rule, span } in main_rules(ctx) {
        let Some(found) = for_every_operation(rule, |op| others(index, rule, op)) else {
            continue;
        };
        // Exactly: if removing the rule changes a decision, it does take effect.
        let exact = removal_changes(ctx, index);
        if exact == Some(true) {
            continue;
        }
        dead_rules.push((index, span, found, exact));
    }
    if dead_rules.is_empty() {
        return;
    }
    let of: Vec<usize> = dead_rules.iter().map(|(i, ..)| *i).collect();
    let lines = crate::syntax::LineIndex::new(ctx.tree.text());
    for ((i, span, found, exact), witness) in dead_rules.into_iter().zip(witnesses(ctx, &of)) {
        let rule = &rules[i];
        let mut d = ctx.report(dead.meta, span, (dead.message)(rule), dead.label);
        for j in found {
            if let Some(at) = rules[j].main_span() {
                d = d.with_secondary(at, (dead.other)(&rules[j]));
            }
        }
        if let Some(note) = note_of(ctx, &lines, witness, exact == Some(false)) {
            d = d.with_note(note);
        }
        if let Some(advice) = dead.advice {
            d = d.with_note(advice);
        }
        out.push(d);
    }
}
