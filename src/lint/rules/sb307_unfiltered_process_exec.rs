use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::facts::unfiltered_allows_under_deny_default;
use crate::lint::rule::{Check, Context, Rule, RuleMeta};

const DOC: &str = r#"## What it does
Points out an unfiltered allow of `process-exec` in a `(deny default)` profile.

## Why is this a problem on a real Mac?
Any program on the system may be run. Children inherit the sandbox, so this is often
fine (`process-exec` as such is not flagged), but naming the programs or directories
keeps a compromised process from reaching tools such as `osascript` or `curl`.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow process-exec)
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow process-exec (subpath "/usr/bin") (subpath "/bin"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB307",
        name: "unfiltered-process-exec",
        severity: Severity::Info,
        summary: "any program may be executed",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (_, span) in unfiltered_allows_under_deny_default(ctx, "process-exec*") {
        out.push(ctx.report(
            &RULE.meta,
            span,
            "any program may be executed",
            "no path filter",
        ));
    }
}
