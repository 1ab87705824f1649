use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::facts::{report_dead_rules, DeadRule};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::precedence::OrderIndex;
use crate::model::precedence::Within;

const DOC: &str = r#"## What it does
Reports a rule that never takes effect because later rules of the opposite action on the
same operation match everything it matches. Both ends are labelled.

## Why is this a problem on a real Mac?
Among the filtered rules naming an operation, the last matching one wins (measured with
`sandbox-exec`: synergy PR #1440, trailofbits/skills PR #218). An allow followed by a
broader deny on the same operation is silently dead: the author thinks the path is open.

A rule without a filter is different: it is the operation's fallback and never overrides
that operation's filtered rules, in either order (microsoft/mxc#754). So `(allow
file-write* (subpath …))` followed by an unfiltered `(deny file-write*)` works, as
Homebrew's shipped build sandbox relies on, and is not reported; an unfiltered rule is
shadowed only by a later unfiltered rule of the opposite action.

## Example
```sbpl expect_diagnostic
(version 1)
(allow default)
(allow file-write* (subpath "/Users/me/project"))
(deny file-write* (subpath "/Users/me"))
```

Use instead:
```sbpl
(version 1)
(allow default)
(deny file-write* (subpath "/Users/me"))
(allow file-write* (subpath "/Users/me/project"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB401",
        name: "shadowed-rule",
        severity: Severity::Warning,
        summary: "a rule that later rules of the opposite action always override",
        doc: DOC,
    },
    check: Check::Ordered(check),
};

fn check(ctx: &Context<'_>, order: &OrderIndex<'_>, out: &mut Vec<Diagnostic>) {
    let dead = DeadRule {
        meta: &RULE.meta,
        message: |rule| {
            format!(
                "this {} never takes effect: a later {} overrides it",
                rule.action.as_str(),
                rule.action.opposite().as_str()
            )
        },
        label: "never takes effect",
        other: |later| {
            format!(
                "this later `{}` matches everything it matches",
                later.action.as_str()
            )
        },
        advice: Some(
            "among rules naming the same operation the last match wins; move this rule after the other",
        ),
    };
    report_dead_rules(ctx, &dead, out, |i, rule, op| {
        let opposite = rule.action.opposite();
        order.covering(op, opposite, rule.filter.as_ref(), Within::After(i))
    });
}
