use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::Issue;

const DOC: &str = r#"## What it does
Reports an operation that older macOS versions had but the selected one (`--macos`,
default 14.4.1) does not: it is missing from that release's complete table of operation
names and nothing shows it accepted there. `load-unsigned-code` is in the 10.12-10.15
tables and not in libsandbox's `_operation_names` of 14.4.1.

A name that is missing from the 14.4.1 table but seen accepted there is not reported:
`iokit-open` was applied with `sandbox_init` on 14.4.1 (rc 0, Protonk/sandbox-boostrap
runtime-adversarial runs) and Chromium's current profiles use it, so the 14 prelude still
defines it (as what, is unverified). On releases no table covers (11-13 outside the two
tables, 15, 26) a missing name is "not verified" (SB101, info) instead.

## Why is this a problem on a real Mac?
On the newer system the name is unbound and the profile fails to load; where a profile
must support both, guard it with `(if (defined? 'load-unsigned-code) ...)`.

## Example
```sbpl expect_diagnostic
(version 1)
(allow load-unsigned-code)
```

Use instead:
```sbpl
(version 1)
(if (defined? 'load-unsigned-code) (allow load-unsigned-code))
(allow iokit-open (iokit-registry-entry-class "IOSurfaceRootUserClient"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB109",
        name: "obsolete-operation",
        severity: Severity::Warning,
        summary: "an operation the selected macOS no longer has",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for issue in &ctx.model.issues {
        if let Issue::ObsoleteOperation {
            span,
            name,
            versions,
        } = issue
        {
            let last = versions.last().map_or("?", |v| v.as_str());
            out.push(
                ctx.report(
                    &RULE.meta,
                    *span,
                    format!("`{name}` is not an operation of {}", ctx.model.macos),
                    format!("last seen in macOS {last}"),
                )
                .with_note("guard it with `(if (defined? '...) ...)` or use the newer operation"),
            );
        }
    }
}
