//! An explanation in words, for people: the decision, the deciding rule drawn in its
//! file, and what could change it at run time (`sblint explain`, the witnesses of
//! `explain --outside`/`--within`, [`Profile::explain`]).

use super::Profile;
use crate::explain::Explanation;
use crate::lint::RuleId;
use crate::model::sources::SourceMap;
use crate::model::{Action, FileId};
use crate::render::{render_note, Mark};

/// Why an undecided rule leaves a decision open, in words.
fn condition_words(
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

/// `sblint explain` in words: the outcome, the deciding rule drawn with the rules it
/// overrides, then what could change it.
pub(crate) fn to_human(
    loaded: &Profile,
    sources: &SourceMap<'_>,
    e: &Explanation,
    color: bool,
) -> String {
    let mut out = String::new();
    let what = match (&e.argument, &e.resolved) {
        (Some(a), Some(r)) if a != r => format!("{} {r} (written {a})", e.operation),
        (Some(a), _) => format!("{} {a}", e.operation),
        (None, _) => e.operation.clone(),
    };
    out.push_str(&format!("{}: {what}\n", e.action.as_str()));
    decided(&mut out, loaded, sources, e, color);
    traversal(&mut out, loaded, sources, e);
    unverified(&mut out, loaded, sources, e);
    alternatives(&mut out, loaded, sources, e);
    run_time(&mut out, sources, e);
    out
}

/// How the deciding rule was chosen, and the rule drawn.
fn decided(
    out: &mut String,
    loaded: &Profile,
    sources: &SourceMap<'_>,
    e: &Explanation,
    color: bool,
) {
    let rules = &loaded.model().rules;
    let vocab = crate::model::vocabulary();
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
                    loaded.model().macos, row.id, row.source
                ));
            }
            out.push('\n');
            out.push_str(&render(sources, rules, i, &e.decision.overridden, color));
        }
    }
}

/// A symlinked root denied on the way.
fn traversal(out: &mut String, loaded: &Profile, sources: &SourceMap<'_>, e: &Explanation) {
    let rules = &loaded.model().rules;
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
}

/// Rules whose order against the deciding one is unverified, and rules that match the
/// path only as written.
fn unverified(out: &mut String, loaded: &Profile, sources: &SourceMap<'_>, e: &Explanation) {
    let rules = &loaded.model().rules;
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
        for i in crate::explain::written_path_matches(loaded.model(), e) {
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
}

/// Rules that decide otherwise when a value only known at run time goes their way.
fn alternatives(out: &mut String, loaded: &Profile, sources: &SourceMap<'_>, e: &Explanation) {
    let rules = &loaded.model().rules;
    for (action, i) in &e.alternatives {
        let at = sources.line_col(rules[*i].origin);
        let why = condition_words(
            sources,
            loaded.model(),
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
}

/// Unread imports, disputed facts and the other run-time conditions.
fn run_time(out: &mut String, sources: &SourceMap<'_>, e: &Explanation) {
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
}

/// The deciding rule with its source line, and the overridden ones as secondary labels.
fn render(
    sources: &SourceMap<'_>,
    rules: &[crate::model::Rule],
    decider: usize,
    overridden: &[usize],
    color: bool,
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
    render_note("deciding rule", &texts, &marks, color)
}
