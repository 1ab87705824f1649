use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::{vocabulary, Action};
use crate::syntax::Span;

const DOC: &str = r#"## What it does
Points out `(allow default)`: a profile that allows everything it does not deny.

## Why is this a problem on a real Mac?
An allow-by-default profile is a deny list: every operation, path, service and port its
author did not think of stays open, including ones added by future macOS releases. For
untrusted code start from `(deny default)` and allow what it needs.

## Example
```sbpl expect_diagnostic
(version 1)
(allow default)
(deny file-write*)
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow file-read* (literal "/") (subpath "/usr/lib"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB303",
        name: "allow-default-base",
        severity: Severity::Info,
        summary: "`(allow default)`: everything not denied is allowed",
        doc: DOC,
    },
    check: Check::Rule(check),
};

fn check(ctx: &Context<'_>, rule: &crate::model::Rule, span: Span, out: &mut Vec<Diagnostic>) {
    if rule.action == Action::Allow && rule.filter.is_none() && rule.names(vocabulary().default) {
        out.push(ctx.report(
            &RULE.meta,
            span,
            "the profile allows everything it does not deny",
            "allow by default",
        ));
    }
}
