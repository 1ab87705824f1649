use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::Issue;

const DOC: &str = r#"## What it does
Reports an operation that older macOS versions had but the selected one (`--macos`,
default the newest) no longer has, such as `iokit-open` on macOS 14.

## Why is this a problem on a real Mac?
On the newer system the name is unbound and the profile fails to load; where a profile
must support both, guard it with `(if (defined? 'iokit-open) ...)`.

## Example
```sbpl expect_diagnostic
(version 1)
(allow iokit-open (iokit-registry-entry-class "IOSurfaceRootUserClient"))
```

Use instead:
```sbpl
(version 1)
(allow iokit-open-user-client (iokit-registry-entry-class "IOSurfaceRootUserClient"))
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
