use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::syntax::Span;

const DOC: &str = r#"## What it does
Reports a rule naming `sysctl-write`.

## Why is this a problem on a real Mac?
In SBPL `sysctl-write` is an alias of `sysctl*`: `(allow sysctl-write)` also allows every
`sysctl-read`, and `(deny sysctl-write)` also denies reads, which breaks `uname` and
Python's `os.uname()`.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow sysctl-write (sysctl-name "kern.hostname"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow sysctl-read (sysctl-name "kern.hostname"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB304",
        name: "sysctl-write",
        severity: Severity::Warning,
        summary: "`sysctl-write` is `sysctl*`: it covers reads too",
        doc: DOC,
    },
    check: Check::Rule(check),
};

fn check(ctx: &Context<'_>, rule: &crate::model::Rule, _span: Span, out: &mut Vec<Diagnostic>) {
    for op in &rule.operations {
        if op.written == "sysctl-write" && op.origin.file == crate::model::FileId::MAIN {
            out.push(
                ctx.report(
                    &RULE.meta,
                    op.origin.span,
                    format!(
                        "`sysctl-write` means `sysctl*`: this {} covers `sysctl-read` too",
                        rule.action.as_str()
                    ),
                    "an alias of `sysctl*`",
                )
                .with_note(
                    "name `sysctl-read` for reads; write access to sysctls is rarely needed",
                ),
            );
        }
    }
}
