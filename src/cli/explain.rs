//! `sblint explain PROFILE OPERATION [ARGUMENT]`

use std::io::IsTerminal;

use codespan_reporting::diagnostic::{Diagnostic, Label, Severity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor::Buffer, Config};
use serde_json::json;

use super::args::{ExplainArgs, ExplainFormat};
use super::error::{report_all, AppError};
use super::evaluate::{load, Loaded};
use super::output;
use super::ExitStatus;
use crate::explain::{explain, Explanation};
use crate::model::sources::SourceMap;
use crate::workspace::{inputs, Input};

pub fn run(args: &ExplainArgs) -> ExitStatus {
    match answer(args) {
        Ok(text) => match output::print(&text) {
            Ok(()) => ExitStatus::Clean,
            Err(err) => {
                report_all(vec![err]);
                ExitStatus::Error
            }
        },
        Err(err) => {
            report_all(vec![err]);
            ExitStatus::Error
        }
    }
}

fn answer(args: &ExplainArgs) -> Result<String, AppError> {
    let loaded = load(&args.profile, &args.preludes, &args.model)?;
    let cwd = std::env::current_dir().unwrap_or_default();
    if let Some(log) = &args.log {
        return audit(&loaded, log, &cwd);
    }
    let operation = args.operation.as_deref().unwrap_or_default();
    let explanation = explain(&loaded.model, operation, args.argument.as_deref(), &cwd)
        .map_err(|e| AppError::Usage(e.to_string()))?;
    let sources = loaded.sources();
    Ok(match args.format {
        ExplainFormat::Json => to_json(&loaded, &sources, &explanation),
        ExplainFormat::Human => to_human(&loaded, &sources, &explanation),
    })
}

/// `--log`: each denial explained, then the narrowest rules that would allow them,
/// grouped by operation, as SBPL ready to paste (audit2allow for SBPL).
fn audit(
    loaded: &Loaded,
    log: &std::path::Path,
    cwd: &std::path::Path,
) -> Result<String, AppError> {
    let input = if log.as_os_str() == "-" {
        Input::Stdin
    } else {
        Input::File(log.to_path_buf())
    };
    let bytes = inputs::read(&input)?;
    let text = String::from_utf8_lossy(&bytes);
    let mut out = String::new();
    let mut proposals: Vec<(String, Vec<String>, Vec<String>)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for line in text.lines() {
        let Some(denial) = crate::explain::parse_denial(line) else {
            continue;
        };
        if !seen.insert((denial.operation.clone(), denial.argument.clone())) {
            continue;
        }
        let what = format!(
            "{} {}",
            denial.operation,
            denial.argument.as_deref().unwrap_or("")
        );
        match explain(
            &loaded.model,
            &denial.operation,
            denial.argument.as_deref(),
            cwd,
        ) {
            Err(e) => out.push_str(&format!("; {} ({}): {e}\n", what.trim(), denial.process)),
            Ok(e) => {
                let by = match e.decision.rule {
                    Some(i) => {
                        let at = loaded.sources().line_col(loaded.model.rules[i].origin);
                        format!("line {}", at.line)
                    }
                    None => "no rule".into(),
                };
                let note = if e.action == crate::model::Action::Allow {
                    " (this profile allows it: the denial came from another profile)"
                } else {
                    ""
                };
                out.push_str(&format!(
                    "; {} ({}): {} by {by}{note}\n",
                    what.trim(),
                    denial.process,
                    e.action.as_str()
                ));
                if e.action == crate::model::Action::Deny {
                    let filter = denial
                        .argument
                        .as_deref()
                        .and_then(|a| crate::explain::narrowest_filter(&denial.operation, a));
                    match proposals
                        .iter_mut()
                        .find(|(op, _, _)| *op == denial.operation)
                    {
                        Some((_, filters, procs)) => {
                            filters.extend(filter);
                            if !procs.contains(&denial.process) {
                                procs.push(denial.process.clone());
                            }
                        }
                        None => proposals.push((
                            denial.operation.clone(),
                            filter.into_iter().collect(),
                            vec![denial.process.clone()],
                        )),
                    }
                }
            }
        }
    }
    if proposals.is_empty() {
        out.push_str("; nothing to allow\n");
        return Ok(out);
    }
    let mut rules = String::new();
    for (op, filters, procs) in &proposals {
        rules.push_str(&format!(
            "; denied to {}\n({} {}{})\n",
            procs.join(", "),
            "allow",
            op,
            filters.iter().map(|f| format!(" {f}")).collect::<String>()
        ));
    }
    let formatted =
        crate::fmt::format_text(&rules, &crate::fmt::FormatOptions::default()).unwrap_or(rules);
    out.push_str("\n; Narrowest rules that would allow these (append them to the profile):\n");
    out.push_str(&formatted);
    Ok(out)
}

fn to_json(loaded: &Loaded, sources: &SourceMap<'_>, e: &Explanation) -> String {
    let rules = &loaded.model.rules;
    let decider = e.decision.rule.map(|i| &rules[i]);
    let (line, column) = match decider {
        Some(r) => {
            let at = sources.line_col(r.origin);
            (json!(at.line), json!(at.col))
        }
        None => (json!(null), json!(null)),
    };
    let value = json!({
        "decision": e.action.as_str(),
        "operation": e.operation,
        "argument": e.argument,
        "resolved": e.resolved,
        "line": line,
        "column": column,
        "rule": decider.map(|r| sources.text(r.origin)),
        "default": e.default,
        "overridden": e.decision.overridden.iter().map(|&i| {
            let at = sources.line_col(rules[i].origin);
            json!({ "line": at.line, "column": at.col, "action": rules[i].action.as_str() })
        }).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

fn to_human(loaded: &Loaded, sources: &SourceMap<'_>, e: &Explanation) -> String {
    let rules = &loaded.model.rules;
    let vocab = crate::model::vocabulary();
    let mut out = String::new();
    let what = match (&e.argument, &e.resolved) {
        (Some(a), Some(r)) if a != r => format!("{} {r} (written {a})", e.operation),
        (Some(a), _) => format!("{} {a}", e.operation),
        (None, _) => e.operation.clone(),
    };
    out.push_str(&format!("{}: {what}\n", e.action.as_str()));
    match e.decision.rule {
        None => out.push_str("  no rule matches and the profile has no `default` rule: libsandbox's own default (allow) applies\n"),
        Some(i) => {
            let level = e.decision.level.map_or("?", |l| vocab.operation(l).name.as_str());
            let how = if e.default {
                "the `default` rule decides: no rule naming the operation or a wildcard above it matches".to_string()
            } else if e.decision.level == Some(e.op) {
                format!("decided by the last matching rule naming `{level}`")
            } else {
                format!("no rule naming `{}` matches; decided by the last matching rule naming `{level}`", vocab.operation(e.op).name)
            };
            out.push_str(&format!("  {how}\n\n"));
            out.push_str(&render(sources, rules, i, &e.decision.overridden));
        }
    }
    // A rule spelled with the path before resolution never sees this argument.
    if let (Some(written), Some(resolved)) = (&e.argument, &e.resolved) {
        if written != resolved && written.starts_with('/') {
            let written_arg = crate::model::precedence::Arg::Path(written.clone());
            for rule in rules
                .iter()
                .filter(|r| r.operations.iter().any(|o| vocab.covers(o.id, e.op)))
            {
                if crate::model::precedence::matches(rule.filter.as_ref(), &written_arg)
                    == crate::model::precedence::Truth::Yes
                    && rule.filter.is_some()
                {
                    let at = sources.line_col(rule.origin);
                    out.push_str(&format!(
                        "  note: the rule at {}:{}:{} matches `{written}` as written, but the kernel checks `{resolved}` (SB201)\n",
                        sources.name(rule.origin.file),
                        at.line,
                        at.col
                    ));
                }
            }
        }
    }
    for (action, i) in &e.alternatives {
        let at = sources.line_col(rules[*i].origin);
        out.push_str(&format!(
            "  could be {} at run time: the rule at {}:{}:{} depends on a value sblint cannot know (an unset `param`?)\n",
            action.as_str(),
            sources.name(rules[*i].origin.file),
            at.line,
            at.col
        ));
    }
    out
}

/// The deciding rule with its source line, and the overridden ones as secondary labels.
fn render(
    sources: &SourceMap<'_>,
    rules: &[crate::model::Rule],
    decider: usize,
    overridden: &[usize],
) -> String {
    let mut files = SimpleFiles::new();
    let mut ids = std::collections::HashMap::new();
    let mut file_id = |origin: crate::model::Origin| {
        *ids.entry(origin.file).or_insert_with(|| {
            let name = sources.name(origin.file).to_string();
            let text = sources
                .get(origin.file)
                .map_or(String::new(), |s| s.tree().text().to_string());
            files.add(name, text)
        })
    };
    let d = &rules[decider];
    let mut labels = vec![Label::primary(file_id(d.origin), d.origin.span.range())
        .with_message(format!("{}: this rule decides", d.action.as_str()))];
    for &i in overridden {
        let r = &rules[i];
        labels.push(
            Label::secondary(file_id(r.origin), r.origin.span.range()).with_message(format!(
                "{}: matches too, but is overridden",
                r.action.as_str()
            )),
        );
    }
    let diagnostic = Diagnostic::new(Severity::Note)
        .with_message("deciding rule")
        .with_labels(labels);
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut buffer = if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    let _ = term::emit_to_write_style(&mut buffer, &Config::default(), &files, &diagnostic);
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}
