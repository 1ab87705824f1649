//! `sblint learn [LOG] [--into PROFILE] [--generalize N] [--allow-secrets] [--format json]`

use serde_json::json;

use super::args::{ExplainFormat, LearnArgs};
use super::error::AppError;
use super::evaluate::load;
use super::output::Output;
use super::ExitStatus;
use crate::learn::{
    learn, merge, rules_text, unified_diff, Finding, Learned, Merged, Options, Rule, Verdict,
};
use crate::workspace::{inputs, Input};

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
            ExplainFormat::Json => to_json(&learned, None, &[]),
            ExplainFormat::Human => to_human(&learned, None, &log_name, None),
        });
    };
    let loaded = load(profile, &args.load)?;
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
    let broken = match &merged {
        Some(m) => broken_promises(profile, &m.text, &args.load.model)?,
        None => Vec::new(),
    };
    let shown = merged
        .as_ref()
        .zip(diff.as_deref())
        .map(|(merged, diff)| MergeShown { merged, diff });
    Ok(match args.format {
        ExplainFormat::Json => to_json(&learned, shown, &broken),
        ExplainFormat::Human => {
            let mut out = to_human(&learned, shown, &log_name, Some(loaded.name()));
            out.insert_str(0, &broken_text(&broken));
            out
        }
    })
}

/// An assertion of a test file that the merged profile would break.
struct Broken {
    file: String,
    line: usize,
    assertion: String,
    failure: crate::sbtest::Failure,
}

/// Runs the test files beside `profile` that name it on the merged text: the assertions
/// that hold today and would fail after the merge.
fn broken_promises(
    profile: &std::path::Path,
    merged: &str,
    model_args: &super::args::ModelArgs,
) -> Result<Vec<Broken>, AppError> {
    let mut out = Vec::new();
    for file in crate::sbtest::files_naming(profile) {
        let overrides = super::test::file_overrides(&file, model_args)?;
        // One load with the file's settings; the merged text evaluated the same way.
        let before = super::evaluate::load_with(profile, overrides)?;
        let after = before.evaluate_text(merged);
        let index = crate::syntax::LineIndex::new(&file.text);
        for (i, failure) in crate::sbtest::broken_by(&file, before.model(), &after) {
            let a = &file.assertions[i];
            let line = index.line_col(&file.text, a.span.start as u32).line as usize;
            let what = match (&a.argument, &a.within) {
                (Some(arg), _) => format!("{} {arg}", a.operation),
                (None, Some(within)) => format!("{} within {}", a.operation, within.join(", ")),
                (None, None) => a.operation.clone(),
            };
            out.push(Broken {
                file: file.path.display().to_string(),
                line,
                assertion: format!("[[{}]] {what}", a.kind.as_str()),
                failure,
            });
        }
    }
    Ok(out)
}

fn broken_text(broken: &[Broken]) -> String {
    let mut out = String::new();
    for b in broken {
        let witness = b
            .failure
            .witness
            .as_deref()
            .map(|w| {
                format!(
                    ": {} {w} becomes {}",
                    b.failure.witness_operation,
                    decision(&b.failure)
                )
            })
            .unwrap_or_default();
        out.push_str(&format!(
            "; the merge breaks {}:{}: {}{witness}\n",
            b.file, b.line, b.assertion
        ));
    }
    out
}

fn decision(f: &crate::sbtest::Failure) -> &'static str {
    match f.decision {
        Some(crate::model::Action::Allow) => "allowed",
        Some(crate::model::Action::Deny) => "denied",
        None => "undecided",
    }
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

/// A merge and its unified diff against the profile.
#[derive(Clone, Copy)]
struct MergeShown<'a> {
    merged: &'a Merged,
    diff: &'a str,
}

fn to_human(
    learned: &Learned,
    merge: Option<MergeShown>,
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
    not_proposed(&mut out, learned, profile);
    if learned.rules.is_empty() {
        out.push_str("; nothing to allow\n");
        return out;
    }
    match merge {
        None => {
            out.push_str("\n; The narrowest rules that allow them:\n");
            out.push_str(&rules_text(learned));
        }
        Some(shown) => merge_text(&mut out, learned, shown),
    }
    out
}

/// The findings not proposed, grouped by why, and the operations the log names otherwise.
fn not_proposed(out: &mut String, learned: &Learned, profile: Option<&str>) {
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
        out,
        "kept denied: secret (`--allow-secrets` proposes them)",
        &|v| match v {
            Verdict::Secret(what) => Some(format!(": {what}")),
            _ => None,
        },
    );
    group(
        out,
        &format!(
            "already allowed by {} (the denial came from another profile)",
            profile.unwrap_or("the profile")
        ),
        &|v| (*v == Verdict::AlreadyAllowed).then(String::new),
    );
    group(
        out,
        "not proposed: an operation sblint does not know",
        &|v| (*v == Verdict::UnknownOperation).then(String::new),
    );
    group(
        out,
        "not proposed: no rule can name what was denied",
        &|v| match v {
            Verdict::Unanswerable(why) => Some(format!(": {why}")),
            _ => None,
        },
    );
    for f in &learned.findings {
        if let Some(logged) = &f.logged_as {
            out.push_str(&format!(
                "; `{logged}` in the log is `{}` to sblint\n",
                f.operation
            ));
        }
    }
}

/// Where the rules went, what the merged profile still denies or cannot decide, what the
/// decision sets say, and the diff.
fn merge_text(out: &mut String, learned: &Learned, shown: MergeShown) {
    let m = shown.merged;
    out.push_str(&format!(
        "; inserted after line {}, after the rules that deny them, before the denials that follow\n",
        m.after_line
    ));
    for s in &m.still_denied {
        out.push_str(&format!(
            "; still denied in the merged profile: {}: {}\n",
            what(learned, s.finding),
            s.why
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
    out.push_str(shown.diff);
}

fn to_json(learned: &Learned, merge: Option<MergeShown>, broken: &[Broken]) -> String {
    let findings: Vec<_> = learned.findings.iter().map(finding_json).collect();
    let rules: Vec<_> = learned
        .rules
        .iter()
        .map(|r| rule_json(learned, r))
        .collect();
    let mut text = serde_json::to_string_pretty(&json!({
        "denial_lines": learned.denial_lines,
        "findings": findings,
        "rules": rules,
        "merged": merge.map(merge_json),
        "breaks": broken.iter().map(|b| json!({
            "file": b.file,
            "line": b.line,
            "assertion": b.assertion,
            "witness": b.failure.witness,
            "operation": b.failure.witness_operation,
            "decision": decision(&b.failure),
        })).collect::<Vec<_>>(),
    }))
    .unwrap_or_default();
    text.push('\n');
    text
}

fn finding_json(f: &Finding) -> serde_json::Value {
    let (verdict, secret, why) = match &f.verdict {
        Verdict::Proposed => ("proposed", None, None),
        Verdict::Secret(w) => ("kept-denied", Some(*w), None),
        Verdict::AlreadyAllowed => ("already-allowed", None, None),
        Verdict::UnknownOperation => ("unknown-operation", None, None),
        Verdict::Unanswerable(why) => ("not-proposed", None, Some(*why)),
    };
    json!({
        "operation": f.operation,
        "logged_as": f.logged_as,
        "argument": f.argument,
        "processes": f.processes,
        "lines": f.lines,
        "verdict": verdict,
        "secret": secret,
        "why": why,
        "essential": f.essential.map(|e| e.id),
    })
}

fn rule_json(learned: &Learned, r: &Rule) -> serde_json::Value {
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
        "filters": r.filters.iter().map(|f| json!({
            "filter": f.sbpl,
            "lines": line_list(&f.answers),
            "risk": crate::learn::filter_risk(&f.sbpl, &f.answers, &learned.findings),
        })).collect::<Vec<_>>(),
        "lines": line_list(&r.answers),
    })
}

fn merge_json(shown: MergeShown) -> serde_json::Value {
    let m = shown.merged;
    json!({
        "after_line": m.after_line,
        "diff": shown.diff,
        "still_denied": m.still_denied.iter().map(|s| json!({"finding": s.finding, "why": s.why})).collect::<Vec<_>>(),
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
