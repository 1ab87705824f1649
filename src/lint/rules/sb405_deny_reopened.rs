use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::facts::{for_every_operation, main_rules, MainRule};
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

/// An allow that re-opens the deny, and why it wins.
struct Reopener {
    /// The allow's index in the model's rules.
    rule: usize,
    why: Why,
}

/// A deny rule of the profile (the callers keep only denies).
type Deny<'m> = MainRule<'m>;

/// The checked file with its line index: names a rule by the line it starts on.
struct Lines<'c, 'a> {
    ctx: &'c Context<'a>,
    index: LineIndex,
}

impl Lines<'_, '_> {
    /// The line rule `j` starts on.
    fn of_rule(&self, j: usize) -> Option<u32> {
        self.ctx.model.rules[j]
            .main_span()
            .map(|s| self.index.line_col(self.ctx.tree.text(), s.start).line)
    }
}

fn check(ctx: &Context<'_>, order: &OrderIndex<'_>, out: &mut Vec<Diagnostic>) {
    if !ctx.model.complete {
        return;
    }
    let sets = ctx.sets();
    let lines = Lines {
        ctx,
        index: LineIndex::new(ctx.tree.text()),
    };
    let mut unchecked = 0usize;
    for deny in main_rules(ctx) {
        if !examined(order, deny) {
            continue;
        }
        let found = match sets.reopened(deny.index) {
            Ok(found) => found,
            Err(partial) => {
                unchecked += 1;
                partial
            }
        };
        let open = still_open(ctx, deny, &found);
        if open.is_empty() {
            continue;
        }
        out.push(diagnose(&lines, deny, &open));
    }
    report_unchecked(ctx, unchecked, out);
}

/// True for a filtered deny that takes effect somewhere (not SB401's): the ones this rule examines.
fn examined(order: &OrderIndex<'_>, deny: Deny<'_>) -> bool {
    let rule = deny.rule;
    if rule.action != Action::Deny || rule.filter.is_none() || rule.names(vocabulary().default) {
        return false;
    }
    // SB401's: every operation is covered by a later allow (it never takes effect).
    for_every_operation(rule, |op| {
        order.covering(op, Action::Allow, rule.filter.as_ref(), Within::After(deny.index))
    })
    .is_none()
}

/// The re-openings this rule reports (not carve-outs, not SB404's), the shortest witness first.
fn still_open<'f>(ctx: &Context<'_>, deny: Deny<'_>, found: &'f [Reopened]) -> Vec<&'f Reopened> {
    let (i, rule) = (deny.index, deny.rule);
    let sets = ctx.sets();
    let rules = &ctx.model.rules;
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
    // The shortest witness first; among equals, reading or writing the data.
    let vocab = vocabulary();
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
    open
}

/// The warning for one deny that `open` (not empty, shortest witness first) re-opens.
fn diagnose(lines: &Lines<'_, '_>, deny: Deny<'_>, open: &[&Reopened]) -> Diagnostic {
    let ctx = lines.ctx;
    let vocab = vocabulary();
    let first = open[0];
    let op_name = &vocab.operation(first.operation).name;
    let witness = first.witness.as_deref().unwrap_or("");
    let weak = open.iter().all(|r| {
        r.decision.conditional()
            || (metadata_only(&vocab.operation(r.operation).name)
                && !metadata_denied_elsewhere(ctx, deny.index, r))
    });
    let may = if first.decision.conditional() {
        "may still be allowed"
    } else {
        "is still allowed"
    };
    let mut d = ctx.report(
        &RULE.meta,
        deny.span,
        format!("this deny does not hold: `{op_name} {witness}` {may}"),
        "re-opened",
    );
    if weak {
        d.severity = Severity::Info;
    }
    let reopeners = reopeners(deny, open);
    d = with_reopener_labels(d, ctx, &reopeners);
    let decider = first.decision.rule.and_then(|j| lines.of_rule(j));
    d = d.with_note(format!(
        "`sblint explain {op_name} {witness}` says {}{}",
        first.decision.outcome().as_str(),
        decider.map_or(String::new(), |l| format!(", decided by the rule at line {l}"))
    ));
    d = with_fix_notes(d, lines, &reopeners);
    if weak && !first.decision.conditional() {
        d = d.with_note(
            "only metadata is re-opened (stat, not content): how most profiles let paths resolve",
        );
    }
    d
}

/// The allows that re-open the deny, once each, in rule order.
fn reopeners(deny: Deny<'_>, open: &[&Reopened]) -> Vec<Reopener> {
    let mut reopeners: Vec<Reopener> = Vec::new();
    for r in open {
        let Some(j) = r.decision.rule else { continue };
        if reopeners.iter().any(|k| k.rule == j) {
            continue;
        }
        let specific = r
            .decision
            .level
            .filter(|&l| !deny.rule.names(l))
            .map(Why::Specific);
        reopeners.push(Reopener {
            rule: j,
            why: specific.unwrap_or(Why::Later),
        });
    }
    reopeners.sort_by_key(|r| r.rule);
    reopeners
}

/// A secondary label on each re-opening allow saying why it wins.
fn with_reopener_labels(
    mut d: Diagnostic,
    ctx: &Context<'_>,
    reopeners: &[Reopener],
) -> Diagnostic {
    for r in reopeners {
        let Some(at) = ctx.model.rules[r.rule].main_span() else {
            continue;
        };
        let label = match r.why {
            Why::Specific(op) => format!(
                "this `allow` names `{}`, consulted before the deny's wildcard",
                vocabulary().operation(op).name
            ),
            Why::Later => "this later `allow` overlaps it: the last match wins".to_string(),
        };
        d = d.with_secondary(at, label);
    }
    d
}

/// The notes naming every re-opening rule and how to make the deny hold.
fn with_fix_notes(mut d: Diagnostic, lines: &Lines<'_, '_>, reopeners: &[Reopener]) -> Diagnostic {
    if reopeners.len() > 1 {
        let all: Vec<String> = reopeners
            .iter()
            .filter_map(|r| lines.of_rule(r.rule))
            .map(|l| format!("line {l}"))
            .collect();
        d = d.with_note(format!("re-opened by the rules at {}", all.join(", ")));
    }
    let mut specific: Vec<&str> = reopeners
        .iter()
        .filter_map(|r| match r.why {
            Why::Specific(op) => Some(vocabulary().operation(op).name.as_str()),
            Why::Later => None,
        })
        .collect();
    specific.sort_unstable();
    specific.dedup();
    if !specific.is_empty() {
        d = d.with_note(format!(
            "rules on a more specific operation are consulted before rules on its wildcard, in any order: name `{}` in this deny too, and keep it after the allow",
            specific.join("`, `")
        ));
    }
    let last_later = reopeners
        .iter()
        .filter(|r| matches!(r.why, Why::Later))
        .map(|r| r.rule)
        .max();
    if let Some(last) = last_later.and_then(|j| lines.of_rule(j)) {
        d = d.with_note(format!(
            "among rules on the same operation the last match wins: move this deny after the allow at line {last}"
        ));
    }
    d
}

/// The info that the exact checks stopped at the file's budget, if they did.
fn report_unchecked(ctx: &Context<'_>, unchecked: usize, out: &mut Vec<Diagnostic>) {
    let sets = ctx.sets();
    if unchecked == 0 && !sets.exhausted() {
        return;
    }
    let Some(MainRule { span, .. }) = main_rules(ctx).next() else {
        return;
    };
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

fn metadata_only(op: &str) -> bool {
    op == "file-read-metadata"
}

/// Another deny naming `file-read-metadata` itself matches some argument of this one: the
/// profile means to hide that path's metadata too.
fn metadata_denied_elsewhere(ctx: &Context<'_>, i: usize, r: &Reopened) -> bool {
    ctx.sets().also_named(i, r.operation)
}
