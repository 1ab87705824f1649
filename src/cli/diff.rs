//! `sblint diff OLD NEW`: which decisions change between two profiles, per leaf operation,
//! each change with its shortest witness and the deciding rule in each profile.

use std::io::IsTerminal;

use serde_json::json;

use super::args::{DiffArgs, ExplainFormat};
use super::error::AppError;
use super::evaluate::{load, Loaded};
use super::output;
use super::ExitStatus;
use crate::model::precedence::Decision;
use crate::model::sets::{self, Budget, Change, Direction};
use crate::model::{vocabulary, FileId, OpId};
use crate::render::{render_note, Mark};

pub fn run(args: &DiffArgs) -> ExitStatus {
    output::respond(answer(args))
}

/// The leaf operations compared: those of `--operation`, or every leaf operation either
/// profile's macOS has.
fn operations(args: &DiffArgs, old: &Loaded, new: &Loaded) -> Result<Vec<OpId>, AppError> {
    let vocab = vocabulary();
    let root = match &args.operation {
        Some(name) => super::sets::operation(new, name)?,
        None => vocab.default,
    };
    Ok(sets::leaves(root)
        .into_iter()
        .filter(|&op| {
            let o = vocab.operation(op);
            o.exists_in(old.model.macos) || o.exists_in(new.model.macos)
        })
        .collect())
}

fn answer(args: &DiffArgs) -> Result<(String, ExitStatus), AppError> {
    if args.format == ExplainFormat::Json {
        super::error::output_for_programs();
    }
    if let Some(addon) = &args.append {
        let (text, widens) = addon_report(
            &args.old,
            addon,
            &args.load,
            args.operation.as_deref(),
            args.format,
        )?;
        let status = if widens {
            ExitStatus::Findings
        } else {
            ExitStatus::Clean
        };
        return Ok((text, status));
    }
    let Some(new) = &args.new else {
        return Err(AppError::Usage("give NEW, or `--append ADDON`".into()));
    };
    let old = load(&args.old, &args.load)?;
    let new = load(new, &args.load)?;
    let budget = Budget::default();
    let ops = operations(args, &old, &new)?;
    // One call for all of them, so that leaves deciding alike are computed once.
    let (mut changes, undecided): (Vec<Change>, Vec<OpId>) =
        match sets::diff_leaves(&old.model.rules, &new.model.rules, &ops, &budget) {
            Ok(found) => (found, Vec::new()),
            Err(partial) => {
                let undecided = ops
                    .iter()
                    .copied()
                    .filter(|op| !partial.decided.contains(op))
                    .collect();
                (partial.changes, undecided)
            }
        };
    if args.widen_only {
        changes.retain(|c| c.direction == Direction::Allowed);
    }
    let text = match args.format {
        ExplainFormat::Json => to_json(&old, &new, &changes, &undecided),
        ExplainFormat::Human if args.verbose => {
            to_human(&old, &new, &changes, &undecided, args.widen_only)
        }
        ExplainFormat::Human => grouped(&old, &new, &changes, &undecided, args.widen_only),
    };
    let status = if !changes.is_empty() {
        ExitStatus::Findings
    } else if !undecided.is_empty() {
        ExitStatus::Error
    } else {
        ExitStatus::Clean
    };
    Ok((text, status))
}

/// `sblint diff BASE --append ADDON` and `sblint check --base BASE ADDON`: the add-on read
/// after the base, compared with the base; the text, and whether it widens the base.
pub fn addon_report(
    base: &std::path::Path,
    addon: &std::path::Path,
    load_args: &super::args::LoadArgs,
    operation: Option<&str>,
    format: ExplainFormat,
) -> Result<(String, bool), AppError> {
    let old = load(base, load_args)?;
    let mut with_base = load_args.clone();
    with_base.preludes.push(base.to_path_buf());
    let new = load(addon, &with_base)?;
    let vocab = vocabulary();
    let root = match operation {
        Some(name) => super::sets::operation(&new, name)?,
        None => vocab.default,
    };
    let ops: Vec<OpId> = sets::leaves(root)
        .into_iter()
        .filter(|&op| vocab.operation(op).exists_in(new.model.macos))
        .collect();
    let report =
        crate::model::addon::analyze(&old.model.rules, &new.model.rules, &ops, &Budget::default());
    let widens = report.widens();
    let text = match format {
        ExplainFormat::Json => {
            let mut value: serde_json::Value =
                serde_json::from_str(&to_json(&old, &new, &report.changes, &report.too_complex))
                    .unwrap_or_default();
            value["widens"] = json!(widens);
            value["no_effect"] = json!(report
                .no_effect
                .iter()
                .map(|n| {
                    let rule = &new.model.rules[n.rule];
                    let mut v = json!({
                        "line": new.sources().line_col(rule.origin).line,
                    });
                    if let Some((op, w, d)) = &n.witness {
                        v["operation"] = json!(vocab.operation(*op).name);
                        v["witness"] = json!(w);
                        v["decided_by"] = json!({
                            "decision": d.outcome().as_str(),
                            "file": d.rule.map(|i| new.sources().name(new.model.rules[i].origin.file).to_string()),
                            "line": line(&new, d),
                        });
                    }
                    v
                })
                .collect::<Vec<_>>());
            let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
            text.push('\n');
            text
        }
        ExplainFormat::Human => {
            let mut out = String::new();
            if report.changes.is_empty() && report.too_complex.is_empty() {
                out.push_str("the add-on changes no decision of the base\n");
            } else {
                out.push_str("what the add-on changes:\n");
                out.push_str(&grouped(
                    &old,
                    &new,
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
                    let rule = &new.model.rules[n.rule];
                    let mut line =
                        format!("  {} `{}`", at(&new, rule.origin), rule_text(&new, n.rule));
                    if let Some((op, w, d)) = &n.witness {
                        let what = match w {
                            Some(w) => format!("{} {w}", vocab.operation(*op).name),
                            None => vocab.operation(*op).name.clone(),
                        };
                        let from_base = d
                            .rule
                            .is_some_and(|i| !crate::model::addon::from_addon(&new.model.rules[i]));
                        line.push_str(&format!(
                            ": {what} is {} with or without it, by {}{}",
                            match d.outcome() {
                                crate::model::Action::Allow => "allowed",
                                crate::model::Action::Deny => "denied",
                            },
                            by(&new, d.rule),
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
    };
    Ok((text, widens))
}

fn line(loaded: &Loaded, d: &Decision) -> Option<u32> {
    d.rule
        .map(|i| loaded.sources().line_col(loaded.model.rules[i].origin).line)
}

fn side(loaded: &Loaded, d: &Decision) -> serde_json::Value {
    json!({ "decision": d.outcome().as_str(), "line": line(loaded, d) })
}

fn to_json(old: &Loaded, new: &Loaded, changes: &[Change], undecided: &[OpId]) -> String {
    let vocab = vocabulary();
    let list: Vec<serde_json::Value> = changes
        .iter()
        .map(|c| {
            let mut v = json!({
                "operation": vocab.operation(c.operation).name,
                "change": c.direction.as_str(),
                "conditional": c.conditional,
                "old": side(old, &c.old),
                "new": side(new, &c.new),
            });
            if let Some(w) = &c.witness {
                v["witness"] = json!(w);
            }
            v
        })
        .collect();
    let mut value = json!({
        "equivalent": changes.is_empty() && undecided.is_empty(),
        "changes": list,
    });
    if !undecided.is_empty() {
        value["too_complex"] = json!(undecided
            .iter()
            .map(|&op| vocab.operation(op).name.as_str())
            .collect::<Vec<_>>());
    }
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

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

fn at(loaded: &Loaded, origin: crate::model::Origin) -> String {
    let sources = loaded.sources();
    let at = sources.line_col(origin);
    format!("{}:{}:{}", sources.name(origin.file), at.line, at.col)
}

/// The deciding rule, and what could change the outcome at run time.
fn where_(loaded: &Loaded, d: &Decision) -> String {
    let mut text = match d.rule {
        None => "no rule (libsandbox's own default)".to_string(),
        Some(i) => at(loaded, loaded.model.rules[i].origin),
    };
    for c in &d.conditions {
        let action = loaded.model.rules[c.rule].action.as_str();
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

/// A rule as written, on one line and at most 60 characters.
fn rule_text(loaded: &Loaded, i: usize) -> String {
    let origin = loaded.model.rules[i].origin;
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
fn by(loaded: &Loaded, rule: Option<usize>) -> String {
    match rule {
        Some(i) => format!(
            "{} `{}`",
            at(loaded, loaded.model.rules[i].origin),
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

/// One entry per pair of deciding rules (widenings first), listing its operations; the
/// per-operation detail is `--verbose`.
fn grouped(
    old: &Loaded,
    new: &Loaded,
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

fn to_human(
    old: &Loaded,
    new: &Loaded,
    changes: &[Change],
    undecided: &[OpId],
    widen_only: bool,
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
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
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
fn excerpt(old: &Loaded, new: &Loaded, c: &Change, color: bool) -> String {
    let (old_sources, new_sources) = (old.sources(), new.sources());
    let mut files: Vec<(bool, FileId)> = Vec::new();
    let mut marks = Vec::new();
    for (is_new, loaded, d) in [(false, old, &c.old), (true, new, &c.new)] {
        let Some(i) = d.rule else { continue };
        let origin = loaded.model.rules[i].origin;
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
