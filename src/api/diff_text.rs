//! `sblint diff` in words, for people.

use super::Profile;
use crate::model::precedence::Decision;
use crate::model::sets::{Change, Direction};
use crate::model::{vocabulary, FileId, OpId};
use crate::render::{render_note, Mark};

/// The family an operation belongs to: its topmost wildcard below `default`.
fn family(op: OpId) -> OpId {
    let vocab = vocabulary();
    vocab
        .chain(op)
        .iter()
        .copied()
        .rfind(|&l| l != vocab.default)
        .unwrap_or(op)
}

fn at(loaded: &Profile, origin: crate::model::Origin) -> String {
    let sources = loaded.sources();
    let at = sources.line_col(origin);
    format!("{}:{}:{}", sources.name(origin.file), at.line, at.col)
}

/// The deciding rule, and what could change the outcome at run time.
fn where_(loaded: &Profile, d: &Decision) -> String {
    let mut text = match d.rule {
        None => "no rule (libsandbox's own default)".to_string(),
        Some(i) => at(loaded, loaded.model().rules[i].origin),
    };
    for c in &d.conditions {
        let action = loaded.model().rules[c.rule].action.as_str();
        let name = crate::model::precedence::condition_name(c, loaded.sources().text(c.origin))
            .to_string();
        let what = match name.as_str() {
            "branch" => "a rule in a branch on a value sblint cannot know".to_string(),
            "param" => "a rule on an unset `param`".to_string(),
            "order" => "a rule whose order against this one is unverified".to_string(),
            "regex" => "a rule with a regex whose meaning is unverified".to_string(),
            f => format!("a rule on `{f}`"),
        };
        text.push_str(&format!(
            "; {action} if {what} ({}) matches",
            at(loaded, c.origin)
        ));
    }
    text
}

/// `sblint diff`'s human report: the changes by family of operations, alike ones once,
/// each with both deciding rules drawn.
pub(crate) fn to_human(
    old: &Profile,
    new: &Profile,
    changes: &[Change],
    undecided: &[OpId],
    widen_only: bool,
    color: bool,
) -> String {
    let vocab = vocabulary();
    let mut out = String::new();
    let mut order: Vec<OpId> = Vec::new();
    for c in changes {
        let f = family(c.operation);
        if !order.contains(&f) {
            order.push(f);
        }
    }
    for f in order {
        out.push_str(&format!("{}\n", vocab.operation(f).name));
        // Changes alike but for the leaf operation are shown once, with every operation.
        let mut groups: Vec<(&Change, Vec<OpId>)> = Vec::new();
        for c in changes.iter().filter(|c| family(c.operation) == f) {
            let same = |g: &Change| {
                g.direction == c.direction
                    && g.old.rule == c.old.rule
                    && g.new.rule == c.new.rule
                    && g.witness == c.witness
                    && g.conditional == c.conditional
            };
            match groups.iter_mut().find(|(g, _)| same(g)) {
                Some((_, ops)) => ops.push(c.operation),
                None => groups.push((c, vec![c.operation])),
            }
        }
        for (c, ops) in groups {
            let names: Vec<&str> = ops
                .iter()
                .map(|&op| vocab.operation(op).name.as_str())
                .collect();
            let what = match &c.witness {
                Some(w) => format!("{} {w}", names[0]),
                None => names[0].to_string(),
            };
            let also = if names.len() > 1 {
                format!("\n    also on: {}", names[1..].join(", "))
            } else {
                String::new()
            };
            let conditional = if c.conditional {
                " (conditional: a value known only at run time decides)"
            } else {
                ""
            };
            out.push_str(&format!(
                "  {}: {what}{conditional}{also}\n    old: {} by {}\n    new: {} by {}\n",
                c.direction.as_str(),
                c.old.outcome().as_str(),
                where_(old, &c.old),
                c.new.outcome().as_str(),
                where_(new, &c.new),
            ));
            out.push_str(&excerpt(old, new, c, color));
        }
    }
    if !undecided.is_empty() {
        out.push_str(&format!(
            "too complex to decide exactly within sblint's budget: {}\n",
            undecided
                .iter()
                .map(|&op| vocab.operation(op).name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if changes.is_empty() && undecided.is_empty() {
        out.push_str(if widen_only {
            "nothing newly allowed\n"
        } else {
            "equivalent: no decision changes\n"
        });
    } else if !changes.is_empty() {
        let allowed = changes
            .iter()
            .filter(|c| c.direction == Direction::Allowed)
            .count();
        out.push_str(&format!(
            "{} change{} ({allowed} newly allowed, {} newly denied)\n",
            changes.len(),
            if changes.len() == 1 { "" } else { "s" },
            changes.len() - allowed
        ));
    }
    out
}

/// Both deciding rules, as one note with excerpts of the files they are in.
fn excerpt(old: &Profile, new: &Profile, c: &Change, color: bool) -> String {
    let (old_sources, new_sources) = (old.sources(), new.sources());
    let mut files: Vec<(bool, FileId)> = Vec::new();
    let mut marks = Vec::new();
    for (is_new, loaded, d) in [(false, old, &c.old), (true, new, &c.new)] {
        let Some(i) = d.rule else { continue };
        let origin = loaded.model().rules[i].origin;
        let file = match files.iter().position(|f| *f == (is_new, origin.file)) {
            Some(at) => at,
            None => {
                files.push((is_new, origin.file));
                files.len() - 1
            }
        };
        marks.push(Mark {
            file,
            range: origin.span.range(),
            message: format!(
                "{}: {} decides here",
                if is_new { "new" } else { "old" },
                d.outcome().as_str()
            ),
            primary: is_new,
        });
    }
    if marks.is_empty() {
        return String::new();
    }
    let texts: Vec<(&str, &str)> = files
        .iter()
        .map(|&(is_new, f)| {
            let sources = if is_new { &new_sources } else { &old_sources };
            (
                sources.name(f),
                sources.get(f).map_or("", |s| s.tree().text()),
            )
        })
        .collect();
    render_note("deciding rules", &texts, &marks, color)
}
