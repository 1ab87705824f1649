//! Changes between two profiles grouped for people: one group per (direction, old deciding
//! rule, new deciding rule), widenings first, each listing its operations. What `sblint
//! diff` prints by default; the per-operation changes ([`super::sets::diff`]) stay what
//! JSON and `--verbose` show.

use super::sets::{Change, Direction};
use super::{vocabulary, OpId};

/// Changes with the same direction and the same pair of deciding rules.
#[derive(Debug)]
pub struct Group<'c> {
    pub direction: Direction,
    /// The deciding rule in the old profile (an index into its rules); `None` when no
    /// rule decides (libsandbox's own default).
    pub old_rule: Option<usize>,
    pub new_rule: Option<usize>,
    /// In the order [`super::sets::diff`] found them.
    pub changes: Vec<&'c Change>,
}

impl Group<'_> {
    /// The leaf operations, each once.
    pub fn operations(&self) -> Vec<OpId> {
        let mut ops: Vec<OpId> = Vec::new();
        for c in &self.changes {
            if !ops.contains(&c.operation) {
                ops.push(c.operation);
            }
        }
        ops
    }

    /// True when a value known only at run time could undo one of the changes.
    pub fn conditional(&self) -> bool {
        self.changes.iter().any(|c| c.conditional)
    }
}

/// `changes` grouped by (direction, old rule, new rule): newly allowed first, then in the
/// order each group first appears.
pub fn group(changes: &[Change]) -> Vec<Group<'_>> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    for c in changes {
        match groups.iter_mut().find(|g| {
            g.direction == c.direction && g.old_rule == c.old.rule && g.new_rule == c.new.rule
        }) {
            Some(g) => g.changes.push(c),
            None => groups.push(Group {
                direction: c.direction,
                old_rule: c.old.rule,
                new_rule: c.new.rule,
                changes: vec![c],
            }),
        }
    }
    // Stable: within a direction, first appearance.
    groups.sort_by_key(|g| g.direction != Direction::Allowed);
    groups
}

/// `ops` written short: a wildcard for each family all of whose leaves are there
/// (`file*`), then the other operations, in the vocabulary's order of first appearance.
/// Each name with the number of leaf operations it stands for.
pub fn compress(ops: &[OpId]) -> Vec<(OpId, usize)> {
    let vocab = vocabulary();
    let mut out: Vec<(OpId, usize)> = Vec::new();
    let mut covered: Vec<OpId> = Vec::new();
    for &op in ops {
        if covered.contains(&op) {
            continue;
        }
        // The widest wildcard above `op` (not `default`) whose leaves are all in `ops`.
        let wide = vocab
            .chain(op)
            .iter()
            .rev()
            .copied()
            .filter(|&w| w != vocab.default && w != op)
            .find(|&w| {
                let leaves = super::sets::leaves(w);
                leaves.len() > 1 && leaves.iter().all(|l| ops.contains(l))
            });
        match wide {
            Some(w) => {
                let leaves = super::sets::leaves(w);
                covered.extend(leaves.iter().copied());
                out.push((w, leaves.len()));
            }
            None => {
                covered.push(op);
                out.push((op, 1));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::sets::{diff_leaves, leaves, Budget};
    use crate::model::{Model, ModelOptions};

    fn rules(text: &str) -> Vec<crate::model::Rule> {
        Model::new(&crate::syntax::parse(text), &[], &ModelOptions::default()).rules
    }

    #[test]
    fn changes_with_the_same_rules_are_one_group_widenings_first() {
        let old = rules(
            "(version 1)\n(allow default)\n(deny file-write* (subpath \"/a\"))\n(deny network*)\n",
        );
        let new = rules(
            "(version 1)\n(deny default)\n(allow file-write* (subpath \"/a\"))\n(allow network*)\n",
        );
        let ops = leaves(vocabulary().default);
        let changes = diff_leaves(&old, &new, &ops, &Budget::default()).unwrap();
        let groups = group(&changes);
        assert!(groups.len() < changes.len(), "{} groups", groups.len());
        assert_eq!(groups[0].direction, Direction::Allowed);
        assert!(groups
            .iter()
            .any(|g| g.direction == Direction::Allowed
                && (g.old_rule, g.new_rule) == (Some(1), Some(1))));
        let denied = groups
            .iter()
            .find(|g| g.direction == Direction::Denied && g.new_rule == Some(0))
            .unwrap();
        assert_eq!(denied.old_rule, Some(0));
        // Every change is in exactly one group.
        let total: usize = groups.iter().map(|g| g.changes.len()).sum();
        assert_eq!(total, changes.len());
        // The network operations all changed alike: one wildcard.
        let net = groups
            .iter()
            .find(|g| {
                g.direction == Direction::Allowed && (g.old_rule, g.new_rule) == (Some(2), Some(2))
            })
            .unwrap();
        let short = compress(&net.operations());
        let network = vocabulary().op_id("network*").unwrap();
        assert_eq!(short, [(network, leaves(network).len())]);
    }
}
