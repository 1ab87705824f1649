use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::facts::{report_dead_rules, DeadRule};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::precedence::OrderIndex;
use crate::model::precedence::Within;

const DOC: &str = r#"## What it does
Reports a rule that changes nothing: an earlier rule of the same action on the same
operation already matches everything it matches, and no rule of the opposite action on
that operation comes in between. Exact duplicates are the common case.

## Why is this a problem on a real Mac?
It does no harm to the sandbox, but it hides what the profile means: readers assume each
rule matters, and a later edit to one copy leaves the other in force.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow file-read* (subpath "/usr/lib"))
(allow file-read* (literal "/usr/lib/libSystem.B.dylib"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow file-read* (subpath "/usr/lib"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB402",
        name: "redundant-rule",
        severity: Severity::Warning,
        summary: "a rule an earlier rule of the same action already covers",
        doc: DOC,
    },
    check: Check::Ordered(check),
};

fn check(ctx: &Context<'_>, order: &OrderIndex<'_>, out: &mut Vec<Diagnostic>) {
    let dead = DeadRule {
        meta: &RULE.meta,
        message: |rule| {
            format!(
                "this {} changes nothing: an earlier rule already covers it",
                rule.action.as_str()
            )
        },
        label: "redundant",
        other: |_| "already covered here".to_string(),
        advice: None,
    };
    let rules = &ctx.model.rules;
    report_dead_rules(ctx, &dead, out, |i, rule, op| {
        order
            .covering(op, rule.action, rule.filter.as_ref(), Within::Before(i))
            .filter(|&e| {
                let filtered = rule.filter.is_some();
                !order.any_between(rules, op, rule.action.opposite(), filtered, e, i)
            })
            // A modifier (`no-sandbox`, `report` …) makes the later rule matter.
            .filter(|&e| same_modifiers(&rules[e], rule))
    });
}

fn same_modifiers(a: &crate::model::Rule, b: &crate::model::Rule) -> bool {
    if a.modifiers.is_empty() && b.modifiers.is_empty() {
        return true;
    }
    let key = |r: &crate::model::Rule| {
        let mut m: Vec<(String, Vec<String>)> = r
            .modifiers
            .iter()
            .map(|m| (m.name.to_string(), m.args.clone()))
            .collect();
        m.sort();
        m
    };
    key(a) == key(b)
}
