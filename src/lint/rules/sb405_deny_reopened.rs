use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::facts::{for_every_operation, main_rules};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::precedence::{OrderIndex, Within};
use crate::model::sets::table::{rule_leaves, Reopened};
use crate::model::{vocabulary, Action, OpId};
use crate::syntax::LineIndex;

const DOC: &str = r#"## What it does
Reports a deny with a filter that the profile does not keep: some argument it matches is
still allowed, because an allow decides first. The warning gives the shortest such
argument (`sblint explain` gives the same answer), every allow that re-opens the deny, why
that allow wins, and how to make the deny hold. It asks the profile's decision sets, so
regexes, prefixes and overlapping paths count as they do on the Mac.

Not reported:
- a carve-out: an allow whose arguments all lie inside the deny (`(deny file-read*
  (subpath "~/Library"))` then `(allow file-read* (subpath "~/Library/Caches/pip"))`) is
  the author's intent;
- a deny without a filter: it is its operation's fallback, and filtered allows are its
  exceptions by design;
- a deny SB401 reports (it never takes effect), or SB404 on those operations (including
  its "may not apply" for an earlier unfiltered allow on a more specific operation).

A broad metadata re-open (`(allow file-read-metadata)` under a `file-read*` deny) lets
paths resolve (stat, not content): it is an info, unless another deny names
`file-read-metadata` for that path. A re-open that depends on a run-time value is an info.

## Why is this a problem on a real Mac?
Two rules of the language decide against the reading "the deny is there, so it is
denied" (field reports of 2026: 8 of 30 incidents, most guarding secrets):
- rules on a more specific operation are consulted before rules on its wildcard, in any
  order: `(allow file-read-data (subpath WS))` beats `(deny file-read* (regex
  …\.env…))`, so every `.env` in the workspace stays readable (fencesandbox/fence#184);
- among rules on the same operation the last match wins: `.env` denied, then `~/Repos`
  allowed, leaves `.env` files under `~/Repos` readable (navikt/cplt#55).

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(deny file-read* (regex #"/\.env$"))
(allow file-read* (subpath "/Users/me/Repos"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow file-read* (subpath "/Users/me/Repos"))
(deny file-read* (regex #"/\.env$"))
```

## Fix safety
No automatic fix: moving a deny after an allow, or repeating it on the specific operation,
changes what the profile allows on every argument the two share, which is the point but
is for the author to decide. The notes spell out both edits.
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB405",
        name: "deny-reopened",
        severity: Severity::Warning,
        summary: "a deny that an allow re-opens: some argument it matches is still allowed",
        doc: DOC,
    },
    check: Check::Ordered(check),
};

/// Why a re-opening allow wins over the deny.
enum Why {
    /// It names a more specific operation (consulted first, in any order).
    Specific(OpId),
    /// The same operation level, later: the last match wins.
    Later,
}

fn check(ctx: &Context<'_>, order: &OrderIndex<'_>, out: &mut Vec<Diagnostic>) {
    if !ctx.model.complete {
        return;
    }
    let vocab = vocabulary();
    let rules = &ctx.model.rules;
    let sets = ctx.sets();
    let lines = LineIndex::new(ctx.tree.text());
    let line_of = |j: usize| {
        rules[j]
            .main_span()
            .map(|s| lines.line_col(ctx.tree.text(), s.start).line)
    };
    let mut unchecked = 0usize;
    for (i, rule, span) in main_rules(ctx) {
        if rule.action != Action::Deny || rule.filter.is_none() || rule.names(vocab.default) {
            continue;
        }
        // SB401's: every operation is covered by a later allow (it never takes effect).
        if for_every_operation(rule, |op| {
            order.covering(op, Action::Allow, rule.filter.as_ref(), Within::After(i))
        })
        .is_some()
        {
            continue;
        }
        let found = match sets.reopened(i) {
            Ok(found) => found,
            Err(partial) => {
                unchecked += 1;
                partial
            }
        };
        // SB404's: the operations the deny never applies to.
        let escaped: Vec<OpId> = rule_leaves(rule)
            .into_iter()
            .filter(|&op| sets.pre_empted(i, op).is_some())
            .collect();
        // SB404's too: an earlier unfiltered allow on a more specific operation (its
        // "may not apply", of unverified order).
        let sb404_may = |r: &Reopened| {
            r.decision.rule.is_some_and(|j| {
                j < i
                    && rules[j].filter.is_none()
                    && r.decision.level.is_some_and(|l| !rule.names(l))
            })
        };
        let mut open: Vec<&Reopened> = found
            .iter()
            .filter(|r| {
                !r.inside
                    && !escaped.contains(&r.operation)
                    && r.decision.rule.is_some()
                    && !sb404_may(r)
            })
            .collect();
        if open.is_empty() {
            continue;
        }
        // The shortest witness first; among equals, reading or writing the data.
        open.sort_by_key(|r| {
            let name = &vocab.operation(r.operation).name;
            (
                r.decision.conditional(),
                metadata_only(name),
                r.witness.as_ref().map_or(0, String::len),
                !name.ends_with("-data"),
                r.witness.clone(),
            )
        });
        let first = open[0];
        let op_name = &vocab.operation(first.operation).name;
        let witness = first.witness.as_deref().unwrap_or("");
        let weak = open.iter().all(|r| {
            r.decision.conditional()
                || (metadata_only(&vocab.operation(r.operation).name)
                    && !metadata_denied_elsewhere(ctx, i, r))
        });
        let may = if first.decision.conditional() {
            "may still be allowed"
        } else {
            "is still allowed"
        };
        let mut d = ctx.report(
            &RULE.meta,
            span,
            format!("this deny does not hold: `{op_name} {witness}` {may}"),
            "re-opened",
        );
        if weak {
            d.severity = Severity::Info;
        }
        let mut reopeners: Vec<(usize, Why)> = Vec::new();
        for r in &open {
            let Some(j) = r.decision.rule else { continue };
            if reopeners.iter().any(|(k, _)| *k == j) {
                continue;
            }
            let specific = r
                .decision
                .level
                .filter(|&l| !rule.names(l))
                .map(Why::Specific);
            reopeners.push((j, specific.unwrap_or(Why::Later)));
        }
        reopeners.sort_by_key(|(j, _)| *j);
        for (j, why) in &reopeners {
            let Some(at) = rules[*j].main_span() else {
                continue;
            };
            let label = match why {
                Why::Specific(op) => format!(
                    "this `allow` names `{}`, consulted before the deny's wildcard",
                    vocab.operation(*op).name
                ),
                Why::Later => "this later `allow` overlaps it: the last match wins".to_string(),
            };
            d = d.with_secondary(at, label);
        }
        let decider = first.decision.rule.and_then(line_of);
        d = d.with_note(format!(
            "`sblint explain {op_name} {witness}` says {}{}",
            first.decision.outcome().as_str(),
            decider.map_or(String::new(), |l| format!(", decided by the rule at line {l}"))
        ));
        if reopeners.len() > 1 {
            let all: Vec<String> = reopeners
                .iter()
                .filter_map(|(j, _)| line_of(*j))
                .map(|l| format!("line {l}"))
                .collect();
            d = d.with_note(format!("re-opened by the rules at {}", all.join(", ")));
        }
        let specific: Vec<&str> = {
            let mut ops: Vec<&str> = reopeners
                .iter()
                .filter_map(|(_, w)| match w {
                    Why::Specific(op) => Some(vocab.operation(*op).name.as_str()),
                    Why::Later => None,
                })
                .collect();
            ops.sort_unstable();
            ops.dedup();
            ops
        };
        if !specific.is_empty() {
            d = d.with_note(format!(
                "rules on a more specific operation are consulted before rules on its wildcard, in any order: name `{}` in this deny too, and keep it after the allow",
                specific.join("`, `")
            ));
        }
        let later: Vec<usize> = reopeners
            .iter()
            .filter(|(_, w)| matches!(w, Why::Later))
            .map(|(j, _)| *j)
            .collect();
        if let Some(last) = later.iter().max().and_then(|&j| line_of(j)) {
            d = d.with_note(format!(
                "among rules on the same operation the last match wins: move this deny after the allow at line {last}"
            ));
        }
        if weak && !first.decision.conditional() {
            d = d.with_note(
                "only metadata is re-opened (stat, not content): how most profiles let paths resolve",
            );
        }
        out.push(d);
    }
    if unchecked > 0 || sets.exhausted() {
        if let Some((_, _, span)) = main_rules(ctx).next() {
            let mut d = ctx.report(
                &RULE.meta,
                span,
                format!(
                    "the exact checks stopped at the per-file budget ({}): SB401, SB402, SB404 and SB405 report only what they decided before it",
                    sets.file_budget
                ),
                "not all checked exactly",
            );
            d.severity = Severity::Info;
            if unchecked > 0 {
                d = d.with_note(format!("{unchecked} deny rules were not checked exactly"));
            }
            out.push(d);
        }
    }
}

fn metadata_only(op: &str) -> bool {
    op == "file-read-metadata"
}

/// Another deny naming `file-read-metadata` itself matches some argument of this one: the
/// profile means to hide that path's metadata too.
fn metadata_denied_elsewhere(ctx: &Context<'_>, i: usize, r: &Reopened) -> bool {
    ctx.sets().also_named(i, r.operation)
}
