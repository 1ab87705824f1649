use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::Issue;

const DOC: &str = r#"## What it does
Reports an unknown modifier in `(with ...)`, `report` on a `deny` rule, and `no-report`
(or its alias `no-log`) on an `allow` rule.

## Why is this a problem on a real Mac?
libsandbox refuses the profile: `report` only exists for allowed operations (denials are
logged anyway) and `no-report` only for denied ones.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow file-read* (literal "/") (with no-log))
```

Use instead:
```sbpl
(version 1)
(deny default (with no-log))
(allow file-read* (literal "/") (with report))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB107",
        name: "invalid-modifier",
        severity: Severity::Error,
        summary: "an unknown modifier, or one the rule's action does not allow",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for issue in &ctx.model.issues {
        if let Issue::InvalidModifier {
            span,
            message,
            label,
        } = issue
        {
            out.push(ctx.report(&RULE.meta, *span, message.clone(), label.clone()));
        }
    }
}
