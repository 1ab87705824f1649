//! `sblint learn [LOG] [--into PROFILE] [--generalize N] [--allow-secrets] [--format json]`

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use super::args::{ExplainFormat, ModelArgs};
use super::error::AppError;
use super::evaluate::load;
use super::output::Output;
use super::ExitStatus;
use crate::learn::{learn, merge, rules_text, unified_diff, Learned, Merged, Options, Verdict};
use crate::workspace::{inputs, Input};

#[derive(Debug, Args)]
pub struct LearnArgs {
    /// The log: `log stream`/`log show` output, syslog or `--style ndjson`/`json`
    /// (`-` or nothing: stdin)
    #[arg(value_name = "LOG")]
    pub log: Option<PathBuf>,
    /// Insert the proposed rules into this profile where they take effect, and print the
    /// result as a unified diff (the file is not changed)
    #[arg(long, value_name = "PROFILE")]
    pub into: Option<PathBuf>,
    /// Propose a `subpath` when this many denied paths of one operation share a
    /// directory (0: never)
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub generalize: usize,
    /// Propose access to secrets too (`~/.ssh`, `~/.aws`, keychains, `.env`, …)
    #[arg(long)]
    pub allow_secrets: bool,
    /// Output format: human or json
    #[arg(long, value_enum, default_value_t = ExplainFormat::Human)]
    pub format: ExplainFormat,
    /// A file read before the profile of `--into` (repeatable)
    #[arg(long = "prelude", value_name = "FILE")]
    pub preludes: Vec<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
}

pub fn run(args: &LearnArgs, out: &mut Output) -> Result<ExitStatus, AppError> {
    out.print(&answer(args)?)?;
    Ok(ExitStatus::Clean)
}

fn answer(args: &LearnArgs) -> Result<String, AppError> {
    let input = match &args.log {
        Some(p) if p.as_os_str() != "-" => Input::File(p.clone()),
        _ => Input::Stdin,
    };
    let log_name = inputs::display_name(&input, None);
    let log = String::from_utf8_lossy(&inputs::read(&input)?).into_owned();
    let options = Options {
        generalize: args.generalize,
        allow_secrets: args.allow_secrets,
    };
    let Some(profile) = &args.into else {
        let learned = learn(&log, None, &options);
        return Ok(match args.format {
            ExplainFormat::Json => to_json(&learned, None),
            ExplainFormat::Human => to_human(&learned, None, &log_name, None),
        });
    };
    let loaded = load(profile, &args.preludes, &args.model)?;
    // The merged text, evaluated as the profile was (its preludes, params, macOS).
    let rebuild = |text: &str| loaded.evaluate_text(text);
    let learned = learn(&log, Some(loaded.model()), &options);
    let header = format!("; Learned from {log_name} by `sblint learn`:\n");
    let merged = (!learned.rules.is_empty()).then(|| {
        merge(
            loaded.tree().text(),
            loaded.model(),
            &learned,
            &header,
            &rebuild,
        )
    });
    let diff = merged
        .as_ref()
        .map(|m| unified_diff(loaded.name(), loaded.tree().text(), &m.text));
    Ok(match args.format {
        ExplainFormat::Json => to_json(&learned, merged.as_ref().zip(diff.as_deref())),
        ExplainFormat::Human => to_human(
            &learned,
            merged.as_ref().zip(diff.as_deref()),
            &log_name,
            Some(loaded.name()),
        ),
    })
}

fn what(learned: &Learned, i: usize) -> String {
    let f = &learned.findings[i];
    match &f.argument {
        Some(a) => format!("{} {a}", f.operation),
        None => f.operation.clone(),
    }
}

fn lines(learned: &Learned, i: usize) -> String {
    let f = &learned.findings[i];
    format!(
        "line{} {}: {}",
        if f.lines.len() == 1 { "" } else { "s" },
        f.lines
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        f.processes.join(", ")
    )
}

fn to_human(
    learned: &Learned,
    merged: Option<(&Merged, &str)>,
    log_name: &str,
    profile: Option<&str>,
) -> String {
    let mut out = format!(
        "; {log_name}: {} denial line{}, {} distinct denial{}\n",
        learned.denial_lines,
        if learned.denial_lines == 1 { "" } else { "s" },
        learned.findings.len(),
        if learned.findings.len() == 1 { "" } else { "s" },
    );
    let group = |out: &mut String, title: &str, pick: &dyn Fn(&Verdict) -> Option<String>| {
        let items: Vec<String> = (0..learned.findings.len())
            .filter_map(|i| {
                pick(&learned.findings[i].verdict)
                    .map(|why| format!(";   {}{why} ({})\n", what(learned, i), lines(learned, i)))
            })
            .collect();
        if !items.is_empty() {
            out.push_str(&format!("; {title}:\n"));
            for item in items {
                out.push_str(&item);
            }
        }
    };
    group(
        &mut out,
        "kept denied: secret (`--allow-secrets` proposes them)",
        &|v| match v {
            Verdict::Secret(what) => Some(format!(": {what}")),
            _ => None,
        },
    );
    group(
        &mut out,
        &format!(
            "already allowed by {} (the denial came from another profile)",
            profile.unwrap_or("the profile")
        ),
        &|v| (*v == Verdict::AlreadyAllowed).then(String::new),
    );
    group(
        &mut out,
        "not proposed: an operation sblint does not know",
        &|v| (*v == Verdict::UnknownOperation).then(String::new),
    );
    for f in &learned.findings {
        if let Some(logged) = &f.logged_as {
            out.push_str(&format!(
                "; `{logged}` in the log is `{}` to sblint\n",
                f.operation
            ));
        }
    }
    if learned.rules.is_empty() {
        out.push_str("; nothing to allow\n");
        return out;
    }
    match merged {
        None => {
            out.push_str("\n; The narrowest rules that allow them:\n");
            out.push_str(&rules_text(learned));
        }
        Some((m, diff)) => {
            out.push_str(&format!(
                "; inserted after line {}, after the rules that deny them, before the denials that follow\n",
                m.after_line
            ));
            for (i, why) in &m.still_denied {
                out.push_str(&format!(
                    "; still denied in the merged profile: {}: {why}\n",
                    what(learned, *i)
                ));
            }
            for i in &m.undecided {
                out.push_str(&format!(
                    "; unverified in the merged profile: sblint cannot decide {} yet\n",
                    what(learned, *i)
                ));
            }
            out.push_str(&confirmation(m));
            out.push('\n');
            out.push_str(diff);
        }
    }
    out
}

fn to_json(learned: &Learned, merged: Option<(&Merged, &str)>) -> String {
    let findings: Vec<_> = learned
        .findings
        .iter()
        .map(|f| {
            let (verdict, secret) = match &f.verdict {
                Verdict::Proposed => ("proposed", None),
                Verdict::Secret(w) => ("kept-denied", Some(*w)),
                Verdict::AlreadyAllowed => ("already-allowed", None),
                Verdict::UnknownOperation => ("unknown-operation", None),
            };
            json!({
                "operation": f.operation,
                "logged_as": f.logged_as,
                "argument": f.argument,
                "processes": f.processes,
                "lines": f.lines,
                "verdict": verdict,
                "secret": secret,
                "essential": f.essential.map(|e| e.id),
            })
        })
        .collect();
    let rules: Vec<_> = learned
        .rules
        .iter()
        .map(|r| {
            let line_list = |answers: &[usize]| {
                let mut l: Vec<usize> = answers
                    .iter()
                    .flat_map(|&i| learned.findings[i].lines.clone())
                    .collect();
                l.sort_unstable();
                l.dedup();
                l
            };
            json!({
                "operation": r.operation,
                "rule": r.text(),
                "filters": r.filters.iter().map(|(f, a)| json!({"filter": f, "lines": line_list(a)})).collect::<Vec<_>>(),
                "lines": line_list(&r.answers),
            })
        })
        .collect();
    let merged = merged.map(|(m, diff)| {
        json!({
            "after_line": m.after_line,
            "diff": diff,
            "still_denied": m.still_denied.iter().map(|(i, why)| json!({"finding": i, "why": why})).collect::<Vec<_>>(),
            "undecided": m.undecided,
            "changes": m.changes.as_ref().ok().map(|changes| changes.iter().enumerate().map(|(i, c)| json!({
                "operation": crate::model::vocabulary().operation(c.operation).name,
                "change": c.direction.as_str(),
                "witness": c.witness,
                "conditional": c.conditional,
                "expected": !m.unexpected.contains(&i),
            })).collect::<Vec<_>>()),
            "confirmed": m.changes.is_ok() && m.unexpected.is_empty(),
        })
    });
    let mut text = serde_json::to_string_pretty(&json!({
        "denial_lines": learned.denial_lines,
        "findings": findings,
        "rules": rules,
        "merged": merged,
    }))
    .unwrap_or_default();
    text.push('\n');
    text
}

/// What `sblint diff` says of the merge, in one or a few comment lines.
fn confirmation(m: &Merged) -> String {
    let vocab = crate::model::vocabulary();
    let changes = match &m.changes {
        Ok(changes) => changes,
        Err(why) => return format!("; not confirmed by the decision sets: {why}\n"),
    };
    if m.unexpected.is_empty() {
        let mut ops: Vec<&str> = changes
            .iter()
            .map(|c| vocab.operation(c.operation).name.as_str())
            .collect();
        ops.dedup();
        return format!(
            "; confirmed by the decision sets (sblint diff): the merge only allows more, on {}\n",
            if ops.is_empty() {
                "nothing (the profile already allowed them)".to_string()
            } else {
                ops.join(", ")
            }
        );
    }
    let mut out = String::new();
    for &i in &m.unexpected {
        let c = &changes[i];
        out.push_str(&format!(
            "; unexpected: the merge makes {} {} {}\n",
            vocab.operation(c.operation).name,
            c.witness.as_deref().unwrap_or(""),
            c.direction.as_str()
        ));
    }
    out
}
