use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::Issue;

const DOC: &str = r#"## What it does
Reports a filter argument of the wrong type or arity, an unknown named constant (such as
a misspelt `vnode-type`), and a bare string where a filter belongs.

## Why is this a problem on a real Mac?
libsandbox refuses the profile with `illegal argument`. The bare-string case is common:
`(allow file-read* (param "DIR"))` looks like it allows `DIR`, but a string is not a
filter and the profile does not load (checked with `sandbox-exec` on macOS 26.5,
trailofbits/skills PR #218).

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow file-read* (param "DIR"))
```

```sbpl expect_diagnostic
(version 1)
(allow file-write-data (vnode-type REGULAR_FILE))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow file-read* (subpath (param "DIR")))
(allow file-write-data (vnode-type REGULAR-FILE))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB103",
        name: "invalid-filter-argument",
        severity: Severity::Error,
        summary: "a filter argument of the wrong type, or a bare string as a filter",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for issue in &ctx.model.issues {
        if let Issue::InvalidFilterArgument {
            span,
            message,
            label,
        } = issue
        {
            out.push(ctx.report(&RULE.meta, *span, message.clone(), label.clone()));
        }
    }
}
