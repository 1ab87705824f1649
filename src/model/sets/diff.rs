//! `sblint diff`: which decisions change between two profiles, each change with its
//! shortest witness.

use rustc_hash::FxHashMap as HashMap;

use super::super::precedence::{arg_kind, decide, Arg, ArgumentKind, Decision};
use super::super::rule::Rule;
use super::super::vocab::{vocabulary, OpId};
use super::ask::confirm;
use super::endpoints::endpoints_of;
use super::product::{Flow, TooLarge};
use super::profile::Profile;
use super::{change_of, key, leaves, shaped, Budget, Change, Key, TooComplex};

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
