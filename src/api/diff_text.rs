//! `sblint diff` in words, for people.

use std::path::Path;

use serde_json::json;

use super::answers::family;
use super::{Diff, Error, Profile};
use crate::model::addon::Report as AddonReport;
use crate::model::precedence::Decision;
use crate::model::sets::{self, Budget, Change, Direction};
use crate::model::{vocabulary, FileId, OpId};
use crate::render::{render_note, Mark};
use crate::workspace::Overrides;

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

/// How `sblint diff OLD NEW` shows its answer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// The JSON of [`Diff`].
    Json,
    /// Every change with both deciding rules drawn (`--verbose`).
    Verbose,
    /// The changes by family, alike ones once.
    Grouped,
}

/// What `sblint diff OLD NEW` finds: the text in `shape`, whether a decision changes,
/// and whether a leaf operation was too complex to decide. With `widen_only`, only what
/// `new` newly allows.
pub(crate) fn diff_report(
    old: &Profile,
    new: &Profile,
    operation: Option<&str>,
    widen_only: bool,
    shape: Shape,
    color: bool,
) -> Result<(String, bool, bool), Error> {
    let (mut changes, undecided) = super::diff_changes(old, new, operation)?;
    if widen_only {
        changes.retain(|c| c.direction == Direction::Allowed);
    }
    let text = match shape {
        Shape::Json => {
            let value =
                serde_json::to_value(Diff::new(old, new, &changes, &undecided)).unwrap_or_default();
            let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
            text.push('\n');
            text
        }
        Shape::Verbose => to_human(old, new, &changes, &undecided, widen_only, color),
        Shape::Grouped => grouped(old, new, &changes, &undecided, widen_only),
    };
    Ok((text, !changes.is_empty(), !undecided.is_empty()))
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
    out.push_str(&summary(changes, undecided, widen_only));
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

/// `sblint diff BASE --append ADDON` and `sblint check --base BASE ADDON` on files: the
/// base loaded with `overrides`, the add-on with the base read first (as a prelude), then
/// [`addon_report`].
pub(crate) fn addon_files(
    base: &Path,
    addon: &Path,
    overrides: Overrides,
    operation: Option<&str>,
    json: bool,
) -> Result<(String, bool), Error> {
    let old = Profile::load_path(base, overrides.clone(), false)?;
    let mut with_base = overrides;
    with_base.preludes.push(base.to_path_buf());
    let new = Profile::load_path(addon, with_base, false)?;
    addon_report(&old, &new, operation, json)
}

/// `sblint diff BASE --append ADDON` and `sblint check --base BASE ADDON`: `new` is the
/// add-on read after the base (`old`), compared with it on the leaves of `operation` (all
/// when `None`); the text (JSON when `json`), and whether it widens the base.
pub(crate) fn addon_report(
    old: &Profile,
    new: &Profile,
    operation: Option<&str>,
    json: bool,
) -> Result<(String, bool), Error> {
    let vocab = vocabulary();
    let root = match operation {
        Some(name) => new.operation(name)?,
        None => vocab.default,
    };
    let macos = new.model().macos;
    let ops: Vec<OpId> = sets::leaves(root)
        .into_iter()
        .filter(|&op| vocab.operation(op).exists_in(macos))
        .collect();
    let rules = &new.model().rules;
    let report = crate::model::addon::analyze(&old.model().rules, rules, &ops, &Budget::default());
    let widens = report.widens();
    let text = if json {
        addon_json(old, new, &report)
    } else {
        addon_human(old, new, &report)
    };
    Ok((text, widens))
}

/// [`addon_report`] as JSON: the diff, whether it widens, the rules with no effect.
fn addon_json(old: &Profile, new: &Profile, report: &AddonReport) -> String {
    let vocab = vocabulary();
    let rules = &new.model().rules;
    let widens = report.widens();
    let mut value = serde_json::to_value(Diff::new(old, new, &report.changes, &report.too_complex))
        .unwrap_or_default();
    value["widens"] = json!(widens);
    value["no_effect"] = json!(report
        .no_effect
        .iter()
        .map(|n| {
            let rule = &rules[n.rule];
            let mut v = json!({
                "line": new.sources().line_col(rule.origin).line,
            });
            if let Some((op, w, d)) = &n.witness {
                v["operation"] = json!(vocab.operation(*op).name);
                v["witness"] = json!(w);
                v["decided_by"] = json!({
                    "decision": d.outcome().as_str(),
                    "file": d.rule.map(|i| new.sources().name(rules[i].origin.file).to_string()),
                    "line": d.rule.map(|i| new.sources().line_col(rules[i].origin).line),
                });
            }
            v
        })
        .collect::<Vec<_>>());
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// [`addon_report`] in words.
fn addon_human(old: &Profile, new: &Profile, report: &AddonReport) -> String {
    let vocab = vocabulary();
    let rules = &new.model().rules;
    let mut out = String::new();
    if report.changes.is_empty() && report.too_complex.is_empty() {
        out.push_str("the add-on changes no decision of the base\n");
    } else {
        out.push_str("what the add-on changes:\n");
        out.push_str(&grouped(
            old,
            new,
            &report.changes,
            &report.too_complex,
            false,
        ));
    }
    if !report.no_effect.is_empty() {
        out.push_str(&format!(
            "{} rule{} of the add-on change{} nothing:\n",
            report.no_effect.len(),
            if report.no_effect.len() == 1 { "" } else { "s" },
            if report.no_effect.len() == 1 { "s" } else { "" },
        ));
        for n in &report.no_effect {
            let rule = &rules[n.rule];
            let mut line = format!("  {} `{}`", at(new, rule.origin), rule_text(new, n.rule));
            if let Some((op, w, d)) = &n.witness {
                let what = match w {
                    Some(w) => format!("{} {w}", vocab.operation(*op).name),
                    None => vocab.operation(*op).name.clone(),
                };
                let from_base = d
                    .rule
                    .is_some_and(|i| !crate::model::addon::from_addon(&rules[i]));
                line.push_str(&format!(
                    ": {what} is {} with or without it, by {}{}",
                    match d.outcome() {
                        crate::model::Action::Allow => "allowed",
                        crate::model::Action::Deny => "denied",
                    },
                    by(new, d.rule),
                    if from_base { " (the base)" } else { "" },
                ));
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    if report.unexamined > 0 {
        out.push_str(&format!(
            "{} rules of the add-on past the first {} were not examined for effect\n",
            report.unexamined,
            crate::model::addon::MAX_RULES
        ));
    }
    out
}

/// A rule as written, on one line and at most 60 characters.
fn rule_text(loaded: &Profile, i: usize) -> String {
    let origin = loaded.model().rules[i].origin;
    let text = loaded
        .sources()
        .text(origin)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(59).collect::<String>())
    } else {
        text
    }
}

/// "old.sb:2:1 `(allow default)`", or libsandbox's own default.
fn by(loaded: &Profile, rule: Option<usize>) -> String {
    match rule {
        Some(i) => format!(
            "{} `{}`",
            at(loaded, loaded.model().rules[i].origin),
            rule_text(loaded, i)
        ),
        None => "no rule (libsandbox's own default)".into(),
    }
}

/// `items` joined by ", ", wrapped at 96 columns under a 4-space indent.
fn wrapped(items: &[String]) -> String {
    let mut out = String::from("   ");
    let mut width = 3;
    for (n, item) in items.iter().enumerate() {
        let piece = if n + 1 < items.len() {
            format!("{item},")
        } else {
            item.clone()
        };
        if width + 1 + piece.len() > 96 && width > 3 {
            out.push_str("\n   ");
            width = 3;
        }
        out.push(' ');
        out.push_str(&piece);
        width += 1 + piece.len();
    }
    out.push('\n');
    out
}

/// `sblint diff`'s default human report: one entry per pair of deciding rules (widenings
/// first), listing its operations; the per-operation detail is `--verbose` ([`to_human`]).
pub(crate) fn grouped(
    old: &Profile,
    new: &Profile,
    changes: &[Change],
    undecided: &[OpId],
    widen_only: bool,
) -> String {
    let vocab = vocabulary();
    let mut out = String::new();
    for g in crate::model::changes::group(changes) {
        let ops = g.operations();
        let (now, was) = match g.direction {
            Direction::Allowed => ("allowed", "denied"),
            Direction::Denied => ("denied", "allowed"),
        };
        out.push_str(&format!(
            "{} operation{} newly {now} by {}, {} {was} by {}\n",
            ops.len(),
            if ops.len() == 1 { "" } else { "s" },
            by(new, g.new_rule),
            if ops.len() == 1 { "was" } else { "were" },
            by(old, g.old_rule),
        ));
        let short = crate::model::changes::compress(&ops);
        // Witnesses when the list is short; else one example.
        let witnesses = short.len() <= 8;
        let items: Vec<String> = short
            .into_iter()
            .map(|(op, n)| {
                let name = &vocab.operation(op).name;
                if n > 1 {
                    return format!("{name} ({n})");
                }
                if !witnesses {
                    return name.to_string();
                }
                match g
                    .changes
                    .iter()
                    .find(|c| c.operation == op)
                    .and_then(|c| c.witness.as_ref())
                {
                    Some(w) => format!("{name} {w}"),
                    None => name.to_string(),
                }
            })
            .collect();
        out.push_str(&wrapped(&items));
        if !witnesses || items.iter().any(|i| i.ends_with(')')) {
            let example = g
                .changes
                .iter()
                .find(|c| c.witness.as_deref().is_some_and(|w| w.starts_with('/')))
                .or_else(|| g.changes.iter().find(|c| c.witness.is_some()));
            if let Some(c) = example {
                out.push_str(&format!(
                    "    for example: {} {}\n",
                    vocab.operation(c.operation).name,
                    c.witness.as_deref().unwrap_or_default()
                ));
            }
        }
        if let Some(c) = g.changes.iter().find(|c| c.conditional) {
            out.push_str(&format!(
                "    conditional: a value known only at run time decides (old: {} by {}; new: {} by {})\n",
                c.old.outcome().as_str(),
                where_(old, &c.old),
                c.new.outcome().as_str(),
                where_(new, &c.new),
            ));
        }
    }
    out.push_str(&summary(changes, undecided, widen_only));
    if !changes.is_empty() {
        out.push_str("(each operation with its witness and both rules: --verbose)\n");
    }
    out
}

/// The closing lines: what was too complex, and how many changes of each kind.
fn summary(changes: &[Change], undecided: &[OpId], widen_only: bool) -> String {
    let vocab = vocabulary();
    let mut out = String::new();
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
