use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::Issue;

const DOC: &str = r#"## What it does
Reports a regex that does not compile, with the position of the problem inside it.

## Why is this a problem on a real Mac?
libsandbox compiles every regex when it loads the profile; one bad regex and the whole
profile is refused.

## Example
```sbpl expect_diagnostic
(version 1)
(allow file-read* (regex #"^/usr/(lib"))
```

Use instead:
```sbpl
(version 1)
(allow file-read* (regex #"^/usr/(lib|share)/"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB104",
        name: "invalid-regex",
        severity: Severity::Error,
        summary: "a regex that does not compile",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for issue in &ctx.model.issues {
        if let Issue::InvalidRegex { span, message } = issue {
            out.push(ctx.report(&RULE.meta, *span, message.clone(), "this regex"));
        }
    }
}
