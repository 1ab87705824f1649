//! Add-ons: rules a user appends to a generated base profile (nono's
//! `unsafe_macos_seatbelt_rules`, microsoft/mxc's `profileOverride`, agent-safehouse's
//! `--append-profile`). What the add-on opens (the decisions it widens, each with a
//! witness), and which of its rules have no effect because the base decides instead
//! (nolabs-ai/nono#1566: user allows that nono's own later denies override).
//!
//! The combined profile is the base followed by the add-on: a model of the add-on with the
//! base as its prelude. Everything is answered by the decision sets
//! ([`super::sets::diff_leaves`]) and confirmed by the point decision `explain` uses.

use super::precedence::{decide, Decision};
use super::sets::{self, Answer, Budget, Change, Direction};
use super::{vocabulary, Action, FileId, OpId, Rule};

/// An add-on rule that changes nothing, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoEffect {
    /// The rule, an index into the combined rules.
    pub rule: usize,
    /// An argument the rule matches, on one of its leaf operations, and how the combined
    /// profile without the rule decides it there (as with it): the rule that decides
    /// instead, its rule indices those of the combined rules.
    pub witness: Option<(OpId, Option<String>, Decision)>,
}

impl NoEffect {
    /// The rule that decides instead, when one does.
    pub fn decided_by(&self) -> Option<usize> {
        self.witness.as_ref().and_then(|(_, _, d)| d.rule)
    }
}

/// What an add-on does to its base.
#[derive(Debug, Default)]
pub struct Report {
    /// Decisions the add-on changes, newly allowed first, each with a witness; `old` is the
    /// base's decision, `new` the combined profile's (its rule indices are the combined
    /// rules').
    pub changes: Vec<Change>,
    /// Add-on rules that change nothing.
    pub no_effect: Vec<NoEffect>,
    /// Leaf operations too complex to decide within the budget.
    pub too_complex: Vec<OpId>,
    /// Add-on rules not examined for effect (past [`MAX_RULES`]).
    pub unexamined: usize,
}

impl Report {
    /// True when the add-on allows something the base denied.
    pub fn widens(&self) -> bool {
        self.changes
            .iter()
            .any(|c| c.direction == Direction::Allowed)
    }
}

/// At most this many add-on rules are examined one by one for effect.
pub const MAX_RULES: usize = 200;

/// True when rule `i` of the combined rules comes from the add-on (the checked file, or a
/// form written there).
pub fn from_addon(rule: &Rule) -> bool {
    rule.origin.file == FileId::MAIN || rule.site.is_some()
}

/// The leaf operations a rule applies to.
fn leaves_of(rule: &Rule) -> Vec<OpId> {
    let mut out: Vec<OpId> = Vec::new();
    for op in rule.operations.iter() {
        for leaf in sets::leaves(op.id) {
            if !out.contains(&leaf) {
                out.push(leaf);
            }
        }
    }
    out
}

/// Compares `base` with `combined` (the base followed by the add-on) on `ops`, and
/// examines each add-on rule of `combined` for effect.
pub fn analyze(base: &[Rule], combined: &[Rule], ops: &[OpId], budget: &Budget) -> Report {
    let mut report = Report::default();
    match sets::diff_leaves(base, combined, ops, budget) {
        Ok(found) => report.changes = found,
        Err(partial) => {
            report.changes = partial.changes;
            report.too_complex = ops
                .iter()
                .copied()
                .filter(|op| !partial.decided.contains(op))
                .collect();
        }
    }
    report
        .changes
        .sort_by_key(|c| c.direction != Direction::Allowed);
    let addon: Vec<usize> = (0..combined.len())
        .filter(|&i| from_addon(&combined[i]))
        .collect();
    report.unexamined = addon.len().saturating_sub(MAX_RULES);
    for &i in addon.iter().take(MAX_RULES) {
        if let Some(n) = no_effect(combined, i, budget) {
            report.no_effect.push(n);
        }
    }
    report
}

/// `Some` when removing rule `i` changes no decision (decided within the budget).
fn no_effect(rules: &[Rule], i: usize, budget: &Budget) -> Option<NoEffect> {
    let default = vocabulary().default;
    if rules[i].operations.iter().any(|o| o.id == default) {
        return None;
    }
    let ops = leaves_of(&rules[i]);
    let without: Vec<Rule> = rules
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != i)
        .map(|(_, r)| r.clone())
        .collect();
    match sets::diff_leaves(&without, rules, &ops, budget) {
        Ok(changes) if changes.is_empty() => {}
        _ => return None,
    }
    // An argument the rule matches: where its allowing twin allows, alone after an
    // unfiltered deny of its operations (the fallback it overrides).
    let mut fallback = rules[i].clone();
    fallback.action = Action::Deny;
    fallback.filter = None;
    let mut twin = rules[i].clone();
    twin.action = Action::Allow;
    let alone = [fallback, twin];
    let witness = ops
        .iter()
        .find_map(|&op| match sets::never(&alone, op, None, &[], budget) {
            Answer::Fails(w) => {
                let arg = sets::argument(op, w.argument.as_deref());
                // How it is decided without the rule (the same as with it), rule indices mapped
                // back to the combined rules.
                let mut d = decide(&without, op, &arg);
                let back = |j: usize| if j >= i { j + 1 } else { j };
                d.rule = d.rule.map(back);
                d.overridden = d.overridden.iter().map(|&j| back(j)).collect();
                d.undecided = d.undecided.iter().map(|&j| back(j)).collect();
                for c in &mut d.conditions {
                    c.rule = back(c.rule);
                }
                Some((op, w.argument, d))
            }
            _ => None,
        });
    Some(NoEffect { rule: i, witness })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Model, ModelOptions};
    use crate::syntax::parse;

    fn combined(base: &str, addon: &str) -> (Vec<Rule>, Vec<Rule>) {
        let base_tree = parse(base);
        let addon_tree = parse(addon);
        let options = ModelOptions::default();
        let b = Model::new(&base_tree, &[], &options).rules;
        let c = Model::new(&addon_tree, &[&base_tree], &options).rules;
        (b, c)
    }

    #[test]
    fn an_addon_that_widens_and_one_the_base_overrides() {
        // nolabs-ai/nono#1566: the base's later deny is a prelude here, so the add-on's
        // allow comes after it and wins; an add-on allow of what the base allows already
        // changes nothing.
        let (base, all) = combined(
            "(version 1)\n(deny default)\n(allow file-read* (subpath \"/usr\"))\n",
            "(allow file-write* (subpath \"/Users/nic\"))\n(allow file-read* (subpath \"/usr/lib\"))\n",
        );
        let ops = sets::leaves(vocabulary().default);
        let r = analyze(&base, &all, &ops, &Budget::default());
        assert!(r.widens());
        let opened = &r.changes[0];
        assert_eq!(opened.direction, Direction::Allowed);
        assert!(opened
            .witness
            .as_deref()
            .is_some_and(|w| w.starts_with("/Users/nic")));
        assert_eq!(r.no_effect.len(), 1, "{:?}", r.no_effect);
        let n = &r.no_effect[0];
        assert_eq!(n.rule, 3);
        assert_eq!(n.decided_by(), Some(1), "the base's read of /usr decides");
    }

    #[test]
    fn a_base_deny_of_a_more_specific_operation_holds_against_an_appended_allow() {
        // The base's deny names `file-write-data`, the add-on's allow `file-write*`: the
        // more specific operation is consulted first (fencesandbox/fence#184), so the
        // add-on opens the other write operations only.
        let (base, all) = combined(
            "(version 1)\n(deny default)\n(deny file-write-data (subpath \"/Users/nic/.ssh\"))\n",
            "(allow file-write* (subpath \"/Users/nic/.ssh\"))\n",
        );
        let ops = sets::leaves(vocabulary().default);
        let r = analyze(&base, &all, &ops, &Budget::default());
        // file-write-data stays denied by the base; the other write operations open.
        assert!(r.widens());
        assert!(!r
            .changes
            .iter()
            .any(|c| vocabulary().operation(c.operation).name == "file-write-data"));
        assert!(r.no_effect.is_empty());
    }
}
