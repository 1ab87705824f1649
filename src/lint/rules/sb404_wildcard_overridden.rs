use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::facts::{main_rules, MainRule};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::precedence::{consulted_before, OrderIndex, Within};
use crate::model::{vocabulary, Action, FileId, OpId};
use crate::syntax::Span;

const DOC: &str = r#"## What it does
Reports a deny on a wildcard operation (`file-read*`, `file*`, `network*` …) that, for some
of the operations it covers, never takes effect: earlier allows naming those operations
decide first. It says which operations escape it.

Only the case where libsandbox and a "last rule wins" reading disagree is reported: the
specific allow comes first. An allow on a wildcard pre-empted by a specific deny only
makes the profile stricter than it reads (Nix keeps `file-write-setugid` denied that
way), so it is not reported.

## Why is this a problem on a real Mac?
Rules naming an operation are consulted before rules naming its wildcard parent, whatever
their order. So after `(allow file-read-data (subpath "/"))`, a `(deny file-read*
(literal "/p/.env"))` still lets `cat /p/.env` succeed (GreyhavenHQ/greywall PR #20,
fencesandbox/fence PR #218, the agent-safehouse profiles). An overlap with the same
action changes nothing and is not reported. Where the two filters do not compare as text
(a regex deny under a `subpath` allow, fencesandbox/fence#184), the profile's decision sets
decide: the operation escapes when every argument the deny matches on it is allowed by an
earlier rule on a more specific operation. A deny that more specific allows re-open only in
part is SB405's. When only `file-read-metadata` escapes (a broad metadata allow lets paths
resolve: stat, not content) it is an info, unless another deny names `file-read-metadata`
for those paths.

## Example
```sbpl expect_diagnostic
(version 1)
(allow default)
(allow file-read-data (subpath "/Users/me/project"))
(deny file-read* (literal "/Users/me/project/.env"))
```

Use instead:
```sbpl
(version 1)
(allow default)
(allow file-read-data (subpath "/Users/me/project"))
(deny file-read* file-read-data (literal "/Users/me/project/.env"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB404",
        name: "wildcard-overridden",
        severity: Severity::Warning,
        summary: "a wildcard rule that more specific rules of the opposite action pre-empt",
        doc: DOC,
    },
    check: Check::Ordered(check),
};

/// A deny rule of the profile (the callers keep only denies).
type Deny<'m> = MainRule<'m>;

/// An operation a deny's wildcard covers but does not apply to.
#[derive(Clone, Copy)]
struct Escape {
    op: OpId,
    /// The earlier rule that decides `op` first.
    by: usize,
}

/// How earlier rules decide one operation before the deny's wildcard.
enum PreEmpt {
    /// Surely, by these rules.
    Certain(Vec<usize>),
    /// By an unfiltered rule, whose rank against filtered rules on a wildcard is unverified.
    Unverified(usize),
}

fn check(ctx: &Context<'_>, order: &OrderIndex<'_>, out: &mut Vec<Diagnostic>) {
    if !ctx.model.complete {
        return;
    }
    for deny in main_rules(ctx) {
        // A wildcard allow pre-empted by a deny only makes the profile stricter than its
        // order suggests (Nix keeps `file-write-setugid` denied that way): not reported.
        if deny.rule.action != Action::Deny {
            continue;
        }
        let Escapes { sure, unverified } = escapes(ctx, order, deny);
        let certain = !sure.is_empty();
        let escapes = if certain { sure } else { unverified };
        if escapes.is_empty() {
            continue;
        }
        out.push(diagnose(ctx, deny, &escapes, certain));
    }
}

/// The operations that escape a deny's wildcards.
struct Escapes {
    /// Those that earlier rules surely decide first.
    sure: Vec<Escape>,
    /// Those that an earlier unfiltered rule naming a more specific operation may decide
    /// first: whether such a fallback ranks above filtered rules on the wildcard is unverified.
    unverified: Vec<Escape>,
}

/// The operations that surely escape the deny's wildcards, and those that may.
fn escapes(ctx: &Context<'_>, order: &OrderIndex<'_>, deny: Deny<'_>) -> Escapes {
    let vocab = vocabulary();
    let rule = deny.rule;
    let mut sure: Vec<Escape> = Vec::new();
    // Earlier unfiltered rules naming a more specific operation: whether such a
    // fallback ranks above filtered rules on the wildcard is unverified.
    let mut unverified: Vec<Escape> = Vec::new();
    for op in &rule.operations {
        let wildcard = op.id;
        if wildcard == vocab.default || !vocab.operation(wildcard).is_wildcard {
            continue;
        }
        for &d in vocab.descendants(wildcard) {
            if d == wildcard || !vocab.operation(d).exists_in(ctx.model.macos) || rule.names(d) {
                continue;
            }
            match pre_empt(ctx, order, deny, wildcard, d) {
                Some(PreEmpt::Certain(js)) => {
                    sure.extend(js.into_iter().map(|by| Escape { op: d, by }))
                }
                Some(PreEmpt::Unverified(by)) => unverified.push(Escape { op: d, by }),
                None => {}
            }
        }
    }
    Escapes { sure, unverified }
}

/// Whether earlier rules decide `d` (under the deny's `wildcard`) before the deny.
fn pre_empt(
    ctx: &Context<'_>,
    order: &OrderIndex<'_>,
    deny: Deny<'_>,
    wildcard: OpId,
    d: OpId,
) -> Option<PreEmpt> {
    let (i, rule) = (deny.index, deny.rule);
    // Only an earlier rule: a later one wins under "last match wins" too, so the
    // author's reading of the profile and libsandbox's agree.
    let pre_empt = consulted_before(d, wildcard)
        .filter_map(|level| {
            order.covering(
                level,
                rule.action.opposite(),
                rule.filter.as_ref(),
                Within::Before(i),
            )
        })
        .next();
    // Exactly, where the texts do not compare (a regex deny under a subpath
    // allow, fencesandbox/fence#184): the decision sets.
    let exact = || {
        let leaf = !vocabulary().operation(d).is_wildcard;
        leaf.then(|| ctx.sets().pre_empted(i, d)).flatten()
    };
    if let Some(j) = pre_empt {
        Some(PreEmpt::Certain(vec![j]))
    } else if let Some(js) = rule.filter.as_ref().and_then(|_| exact()) {
        Some(PreEmpt::Certain(js))
    } else if rule.filter.is_some() {
        consulted_before(d, wildcard)
            .find_map(|level| {
                order.covering(level, rule.action.opposite(), None, Within::Before(i))
            })
            .map(PreEmpt::Unverified)
    } else {
        None
    }
}

/// The warning (an info when `certain` is false) for a deny that `escapes` (not empty) escape.
fn diagnose(ctx: &Context<'_>, deny: Deny<'_>, escapes: &[Escape], certain: bool) -> Diagnostic {
    let names = most_specific(escapes);
    let mut d = headline(ctx, deny, &names, certain);
    // Only metadata escapes (stat, not content): how most profiles let paths resolve;
    // an info, unless another deny names `file-read-metadata` for these paths.
    if certain && names == ["file-read-metadata"] {
        let metadata = escapes[0].op;
        if !ctx.sets().also_named(deny.index, metadata) {
            d.severity = Severity::Info;
            d = d.with_note(
                "only metadata escapes (stat, not content): how most profiles let paths resolve",
            );
        }
    }
    d = with_unverified_reach(d, deny, escapes);
    d = with_decider_labels(d, ctx, escapes, certain);
    let suggestion = suggestion(ctx, deny, &names);
    d.with_note(format!(
        "name them in this rule too, and keep it after the other rule: `{suggestion}`"
    ))
}

/// The names of the escaping operations whose parent does not escape too.
fn most_specific(escapes: &[Escape]) -> Vec<&'static str> {
    let vocab = vocabulary();
    escapes
        .iter()
        .filter(|e| {
            let parent = vocab.operation(e.op).parent;
            !escapes.iter().any(|other| other.op == parent)
        })
        .map(|e| vocab.operation(e.op).name.as_str())
        .collect()
}

/// The diagnostic's message and label: "does not apply" when `certain`, else "may not apply".
fn headline(ctx: &Context<'_>, deny: Deny<'_>, names: &[&str], certain: bool) -> Diagnostic {
    let them = if names.len() == 1 { "it" } else { "them" };
    let action = deny.rule.action.as_str();
    if certain {
        ctx.report(
            &RULE.meta,
            deny.span,
            format!(
                "this {} does not apply to `{}`: rules naming {them} decide first",
                action,
                names.join("`, `"),
            ),
            format!("`{}` escapes this rule", names.join("`, `")),
        )
    } else {
        let mut d = ctx.report(
            &RULE.meta,
            deny.span,
            format!(
                "this {} may not apply to `{}`: an earlier rule naming {them} has no filter, \
                 and how such a fallback ranks against filtered rules on a wildcard is \
                 unverified",
                action,
                names.join("`, `"),
            ),
            format!("`{}` may escape this rule", names.join("`, `")),
        );
        d.severity = Severity::Info;
        d
    }
}

/// The note on escaping operations that the wildcard reaches only by sblint's inference.
fn with_unverified_reach(d: Diagnostic, deny: Deny<'_>, escapes: &[Escape]) -> Diagnostic {
    let vocab = vocabulary();
    // `file-write*` → `file-write-setugid` and the like: the tables put the leaf under
    // `default`, sblint under the wildcard its name falls in.
    let inferred: Vec<&str> = escapes
        .iter()
        .filter(|e| {
            deny.rule
                .operations
                .iter()
                .any(|o| vocab.reach_unverified(o.id, e.op))
        })
        .map(|e| vocab.operation(e.op).name.as_str())
        .collect();
    if inferred.is_empty() {
        return d;
    }
    d.with_note(format!(
        "unverified: whether this wildcard reaches `{}` at all (simbple's macOS 10.15 hierarchy gives it the fallback `default`)",
        inferred.join("`, `")
    ))
}

/// A secondary label on each rule that decides an escaping operation first.
fn with_decider_labels(
    mut d: Diagnostic,
    ctx: &Context<'_>,
    escapes: &[Escape],
    certain: bool,
) -> Diagnostic {
    let rules = &ctx.model.rules;
    let mut labelled: Vec<usize> = escapes.iter().map(|e| e.by).collect();
    labelled.sort_unstable();
    labelled.dedup();
    for j in labelled {
        if let Some(other) = rules[j].main_span() {
            d = d.with_secondary(
                other,
                if certain {
                    format!("this `{}` decides first", rules[j].action.as_str())
                } else {
                    format!(
                        "this unfiltered `{}` may decide first",
                        rules[j].action.as_str()
                    )
                },
            );
        }
    }
    d
}

/// The deny rewritten to name the escaping operations too.
fn suggestion(ctx: &Context<'_>, deny: Deny<'_>, names: &[&str]) -> String {
    let rule = deny.rule;
    rule.operations
        .iter()
        .filter(|o| o.origin.file == FileId::MAIN)
        .map(|o| o.origin.span.end)
        .max()
        .filter(|_| rule.origin.file == FileId::MAIN)
        .map(|end| {
            let source = ctx.tree.source(Span::new(rule.origin.span.start, end));
            let rest = ctx.tree.source(Span::new(end, rule.origin.span.end));
            format!("{source} {}{rest}", names.join(" "))
        })
        .unwrap_or_else(|| format!("({} {} ...)", rule.action.as_str(), names.join(" ")))
}
