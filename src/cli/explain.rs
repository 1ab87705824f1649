//! `sblint explain PROFILE OPERATION [ARGUMENT]`

use std::io::IsTerminal;

use serde_json::json;

use super::args::{Expected, ExplainArgs, ExplainFormat};
use super::error::{report_all, AppError};
use super::evaluate::{load_for_explain, Loaded};
use super::output;
use super::ExitStatus;
use crate::explain::{explain, Explanation};
use crate::lint::RuleId;
use crate::model::sources::SourceMap;
use crate::model::{Action, FileId};
use crate::render::{render_note, Mark};
use crate::workspace::{inputs, Input};

/// One decision (`--outside`/`--within` ask the decision sets instead: `cli/sets.rs`,
/// chosen in `cli/mod.rs`, since the sets' answer prints through this file's printers).
pub fn run(args: &ExplainArgs) -> ExitStatus {
    match answer(args) {
        Ok((text, met)) => match output::print(&text) {
            // `--expect`: 1 when the decision is another, or the profile fails to load.
            Ok(()) if met => ExitStatus::Clean,
            Ok(()) => ExitStatus::Findings,
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

/// The answer, and whether it is what `--expect` expects (true without `--expect`).
fn answer(args: &ExplainArgs) -> Result<(String, bool), AppError> {
    if args.format == ExplainFormat::Json {
        super::error::output_for_programs();
    }
    let loaded = load_for_explain(&args.profile, &args.load)?;
    let cwd = std::env::current_dir().unwrap_or_default();
    if let Some(log) = &args.log {
        return Ok((audit(&loaded, log, &cwd)?, true));
    }
    let operation = args.operation.as_deref().unwrap_or_default();
    let explanation = explain(&loaded.model, operation, args.argument.as_deref(), &cwd)
        .map_err(|e| AppError::Usage(e.to_string()))?;
    let sources = loaded.sources();
    let met = args.expect.is_none_or(|expected| {
        let wanted = match expected {
            Expected::Allow => Action::Allow,
            Expected::Deny => Action::Deny,
        };
        loaded.errors.is_empty() && explanation.action == wanted
    });
    let text = match args.format {
        ExplainFormat::Json => to_json(&loaded, &sources, &explanation),
        ExplainFormat::Human => {
            // What `sandbox-exec` would do first: refuse the profile.
            let mut out: String = loaded
                .load_error_lines()
                .iter()
                .map(|e| format!("fails to load: {e}\n"))
                .collect();
            if !out.is_empty() {
                out.push_str("  (`sandbox-exec` refuses this profile; the answer below is what it would decide if it loaded)\n");
            }
            out.push_str(&to_human(&loaded, &sources, &explanation));
            out
        }
    };
    Ok((text, met))
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
    let audit = crate::learn::audit(&loaded.model, &String::from_utf8_lossy(&bytes), cwd);
    let mut out = String::new();
    for (denial, outcome) in &audit.denials {
        let what = format!(
            "{} {}",
            denial.operation,
            denial.argument.as_deref().unwrap_or("")
        );
        match outcome {
            Err(e) => out.push_str(&format!("; {} ({}): {e}\n", what.trim(), denial.process)),
            Ok(e) => {
                let by = match e.decision.rule {
                    Some(i) => {
                        let at = loaded.sources().line_col(loaded.model.rules[i].origin);
                        format!("line {}", at.line)
                    }
                    None => "no rule".into(),
                };
                let note = if e.action == Action::Allow {
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
            }
        }
    }
    if audit.proposals.is_empty() {
        out.push_str("; nothing to allow\n");
        return Ok(out);
    }
    let mut rules = String::new();
    for p in &audit.proposals {
        rules.push_str(&format!(
            "; denied to {}\n(allow {}{})\n",
            p.processes.join(", "),
            p.operation,
            p.filters
                .iter()
                .map(|f| format!(" {f}"))
                .collect::<String>()
        ));
    }
    let formatted =
        crate::fmt::format_text(&rules, &crate::fmt::FormatOptions::default()).unwrap_or(rules);
    out.push_str("\n; Narrowest rules that would allow these (append them to the profile):\n");
    out.push_str(&formatted);
    Ok(out)
}

pub(super) fn to_json(loaded: &Loaded, sources: &SourceMap<'_>, e: &Explanation) -> String {
    let mut text = serde_json::to_string_pretty(&to_value(loaded, sources, e)).unwrap_or_default();
    text.push('\n');
    text
}

/// The JSON object of one explanation.
pub(super) fn to_value(
    loaded: &Loaded,
    sources: &SourceMap<'_>,
    e: &Explanation,
) -> serde_json::Value {
    let rules = &loaded.model.rules;
    let decider = e.decision.rule.map(|i| &rules[i]);
    let (line, column) = match decider {
        Some(r) => {
            let at = sources.line_col(r.origin);
            (json!(at.line), json!(at.col))
        }
        None => (json!(null), json!(null)),
    };
    let errors: Vec<_> = loaded
        .load_errors()
        .into_iter()
        .map(
            |e| json!({ "line": e.line, "column": e.column, "code": e.code, "message": e.message }),
        )
        .collect();
    let value = json!({
        "loads": errors.is_empty(),
        "errors": errors,
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
        "unverified": e.decision.unverified.iter().map(|&i| {
            let at = sources.line_col(rules[i].origin);
            json!({ "line": at.line, "column": at.col, "action": rules[i].action.as_str() })
        }).collect::<Vec<_>>(),
        "traversal": e.traversal.as_ref().map(|t| {
            let line = t.decision.rule.map(|i| sources.line_col(rules[i].origin).line);
            json!({
                "link": t.link,
                "operation": "file-read-metadata",
                "decision": t.action.as_str(),
                "line": line,
            })
        }),
        "conditional": e.conditional(),
        "conditions": conditions(sources, &e.decision),
        "implicit": e.implicit.map(|(row, verified)| json!({
            "id": row.id,
            "rule": row.rule,
            "verified": verified,
            "source": row.source,
        })),
        "disputes": e.disputes.iter().map(|d| json!({
            "id": d.id,
            "question": d.question,
            "one": d.one,
            "other": d.other,
        })).collect::<Vec<_>>(),
        "unread_imports": e.unread_imports.iter().map(|u| {
            let at = sources.line_col(crate::model::Origin { file: FileId::MAIN, span: u.span });
            json!({ "import": u.name, "line": at.line })
        }).collect::<Vec<_>>(),
    });
    value
}

/// What a decision depends on, as JSON: `[{"filter", "line"}]`.
pub(super) fn conditions(
    sources: &SourceMap<'_>,
    d: &crate::model::precedence::Decision,
) -> Vec<serde_json::Value> {
    d.conditions
        .iter()
        .map(|c| {
            json!({
                "filter": crate::model::precedence::condition_name(c, sources.text(c.origin)),
                "line": sources.line_col(c.origin).line,
            })
        })
        .collect()
}

/// Why an undecided rule leaves a decision open, in words.
pub(super) fn condition_words(
    sources: &SourceMap<'_>,
    model: &crate::model::Model,
    d: &crate::model::precedence::Decision,
    rule: usize,
    argument: Option<&str>,
) -> String {
    let rules = &model.rules;
    let condition = d.conditions.iter().find(|c| c.rule == rule);
    // A name nothing defines, inside the unknown value: the profile does not load at all.
    let unbound = condition.and_then(|c| {
        model.issues.iter().find_map(|issue| match issue {
            crate::model::Issue::UnboundVariable { span, name, .. }
                if c.origin.file == FileId::MAIN
                    && c.origin.span.start <= span.start
                    && span.end <= c.origin.span.end =>
            {
                Some(name.as_str())
            }
            _ => None,
        })
    });
    let filter = condition.map_or_else(
        || crate::model::precedence::open_filter(&rules[rule]).0,
        |c| crate::model::precedence::condition_name(c, sources.text(c.origin)),
    );
    // `(param "NAME")` as written: name it.
    let param = condition
        .map(|c| sources.text(c.origin))
        .and_then(|t| t.split("(param \"").nth(1))
        .and_then(|t| t.split('"').next())
        .filter(|n| !n.is_empty());
    let why = condition_reason(filter, rules, rule, argument, param, unbound, model);
    match (filter, model.implicit_rule(rule)) {
        ("branch", _) | (_, None) => why,
        (_, Some((row, verified))) => format!(
            "{why} (a rule libsandbox adds by itself, `{}`, {} for {}: {})",
            row.id,
            if verified { "seen" } else { "unverified" },
            model.macos,
            row.source
        ),
    }
}

fn condition_reason(
    filter: &str,
    rules: &[crate::model::Rule],
    rule: usize,
    argument: Option<&str>,
    param: Option<&str>,
    unbound: Option<&str>,
    model: &crate::model::Model,
) -> String {
    match filter {
        "regex" => {
            let regex = argument.and_then(|a| {
                let a = if a.starts_with('/') {
                    crate::model::precedence::Arg::Path(a.to_string())
                } else {
                    crate::model::precedence::Arg::Name(a.to_string())
                };
                crate::explain::unverified_regex(&rules[rule], &a).map(str::to_string)
            });
            match regex {
                Some(r) => format!("is unverified: its regex `{r}` uses a construct whose meaning on a Mac is not recorded (SB112)"),
                None => "is unverified: a regex of it uses a construct whose meaning on a Mac is not recorded (SB112)".into(),
            }
        }
        "param" => match param {
            Some(name) => {
                format!("depends on the unset param `{name}` (give it with `--param {name}=VALUE`)")
            }
            None => match unbound {
                Some(name) => format!(
                    "depends on `{name}`, which nothing defines (an unbound variable: sandbox-exec refuses the profile)"
                ),
                None => "depends on a value sblint cannot know (an unset `param`?)".into(),
            },
        },
        "branch" => match model.implicit_rule(rule) {
            Some((row, _)) => format!(
                "is a rule libsandbox may add by itself (`{}`), unverified for {}: {}",
                row.id, model.macos, row.source
            ),
            None => "comes from a branch on a value sblint cannot know (an unset `param`?)".into(),
        },
        "filter" => "has a filter sblint cannot decide for this argument".into(),
        "trailing-slash" => "is unverified: its `subpath` ends with `/`, and whether that matches the directory itself is not recorded on a Mac (SB203)".into(),
        f => format!("depends on `{f}`, which is only known at run time"),
    }
}

pub(super) fn to_human(loaded: &Loaded, sources: &SourceMap<'_>, e: &Explanation) -> String {
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
            out.push_str(&format!("  {how}\n"));
            if let Some((row, _)) = e.implicit {
                out.push_str(&format!(
                    "  the rule is not in the profile: libsandbox adds it by itself on {} (`{}`; {})\n",
                    loaded.model.macos, row.id, row.source
                ));
            }
            out.push('\n');
            out.push_str(&render(sources, rules, i, &e.decision.overridden));
        }
    }
    if let Some(t) = &e.traversal {
        let by = match t.decision.rule {
            Some(i) => {
                let at = sources.line_col(rules[i].origin);
                format!(
                    "the rule at {}:{}:{}",
                    sources.name(rules[i].origin.file),
                    at.line,
                    at.col
                )
            }
            None => "no rule (libsandbox's own default)".to_string(),
        };
        let link = t.link;
        if t.action == Action::Deny {
            out.push_str(&format!(
                "  denied on the way: `{link}` is a symlink into `/private`, and resolving it needs `file-read-metadata` on `{link}` itself, which {by} denies\n  \
                 add `(allow file-read-metadata (literal \"{link}\"))` where no later rule overrides it (observed on macOS 14.4.1: SANDBOX_LORE vfs-canonicalization; that the link's metadata is what is checked is inferred)\n"
            ));
        }
    }
    if !e.decision.unverified.is_empty() {
        for &i in &e.decision.unverified {
            let at = sources.line_col(rules[i].origin);
            out.push_str(&format!(
                "  unverified: the deciding rule has no filter, and the {} at {}:{}:{} names a wildcard above it with a filter; which of the two wins on a Mac is not recorded\n",
                rules[i].action.as_str(),
                sources.name(rules[i].origin.file),
                at.line,
                at.col
            ));
        }
    }
    // A rule spelled with the path before resolution never sees this argument.
    if let (Some(written), Some(resolved)) = (&e.argument, &e.resolved) {
        for i in crate::explain::written_path_matches(&loaded.model, e) {
            let at = sources.line_col(rules[i].origin);
            out.push_str(&format!(
                "  note: the rule at {}:{}:{} matches `{written}` as written, but the kernel checks `{resolved}` ({})\n",
                sources.name(rules[i].origin.file),
                at.line,
                at.col,
                RuleId::UnresolvedPath.code()
            ));
        }
    }
    for (action, i) in &e.alternatives {
        let at = sources.line_col(rules[*i].origin);
        let why = condition_words(
            sources,
            &loaded.model,
            &e.decision,
            *i,
            e.resolved.as_deref(),
        );
        out.push_str(&format!(
            "  could be {} at run time: the rule at {}:{}:{} {why}\n",
            action.as_str(),
            sources.name(rules[*i].origin.file),
            at.line,
            at.col
        ));
    }
    for u in &e.unread_imports {
        let at = sources.line_col(crate::model::Origin {
            file: FileId::MAIN,
            span: u.span,
        });
        out.push_str(&format!(
            "  conditional: `{}` (imported at {}:{}:{}) could not be read; a rule in it could decide instead (the answer is what the rules sblint could read decide)\n",
            u.name,
            sources.name(FileId::MAIN),
            at.line,
            at.col
        ));
    }
    for d in &e.disputes {
        out.push_str(&format!(
            "  conditional: recordings disagree on {} (`{}`): one: {}; the other: {}\n",
            d.question, d.id, d.one, d.other
        ));
    }
    // The other conditions, by what they depend on.
    let others: Vec<String> = e
        .decision
        .conditions
        .iter()
        .filter(|c| c.filter != "order" && !e.alternatives.iter().any(|(_, i)| *i == c.rule))
        .map(|c| {
            let name = crate::model::precedence::condition_name(c, sources.text(c.origin));
            let at = sources.line_col(c.origin);
            format!("`{name}` ({}:{})", at.line, at.col)
        })
        .collect();
    if !others.is_empty() {
        out.push_str(&format!(
            "  other rules that could change it at run time depend on: {}\n",
            others.join(", ")
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
    let mut files: Vec<FileId> = Vec::new();
    let mut mark = |i: usize, primary: bool, message: String| {
        let origin = rules[i].origin;
        let file = match files.iter().position(|f| *f == origin.file) {
            Some(at) => at,
            None => {
                files.push(origin.file);
                files.len() - 1
            }
        };
        Mark {
            file,
            range: origin.span.range(),
            message,
            primary,
        }
    };
    let d = &rules[decider];
    let mut marks = vec![mark(
        decider,
        true,
        format!("{}: this rule decides", d.action.as_str()),
    )];
    for &i in overridden {
        marks.push(mark(
            i,
            false,
            format!(
                "{}: matches too, but is overridden",
                rules[i].action.as_str()
            ),
        ));
    }
    let texts: Vec<(&str, &str)> = files
        .iter()
        .map(|&f| {
            let text = sources.get(f).map_or("", |s| s.tree().text());
            (sources.name(f), text)
        })
        .collect();
    let color = super::args::ColorArg::Auto.enabled(std::io::stdout().is_terminal());
    render_note("deciding rule", &texts, &marks, color)
}
