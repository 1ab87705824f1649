use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::Issue;

const DOC: &str = r#"## What it does
Reports where sblint stopped evaluating the profile: after its step limit (a recursive
definition that never ends) or past its nesting limit.

## Why is this a problem on a real Mac?
TinyScheme inside libsandbox would loop or run out of stack too, and `sandbox-exec`
hangs or crashes. sblint stops instead; the checks that need the rest of the profile (rule
order, shadowing) stay silent for this file.

## Example
```sbpl expect_diagnostic
(version 1)
(define (forever n) (forever n))
(forever 1)
```

Use instead:
```sbpl
(version 1)
(define (once n) n)
(once 1)
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB005",
        name: "evaluation-limit",
        severity: Severity::Warning,
        summary: "evaluation stopped at its step or nesting limit",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for issue in &ctx.model.issues {
        if let Issue::EvaluationLimit { span, message } = issue {
            out.push(
                ctx.report(
                    &RULE.meta,
                    *span,
                    message.clone(),
                    "evaluation stopped in this form",
                )
                .with_note("checks about rule order are skipped for this file"),
            );
        }
    }
}
