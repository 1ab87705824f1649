use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::facts::unfiltered_allows_under_deny_default;
use crate::lint::rule::{Check, Context, Rule, RuleMeta};

const DOC: &str = r#"## What it does
Reports an unfiltered allow of `mach-lookup` (or `mach*`) in a `(deny default)` profile.

## Why is this a problem on a real Mac?
Every system service becomes reachable. Some run outside the sandbox and act for the
caller: through `com.apple.coreservices.launchservicesd` code can ask LaunchServices to
open an application, which runs unsandboxed. Allow the services the program needs by
`global-name`.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow mach-lookup)
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow mach-lookup (global-name "com.apple.system.logger"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB306",
        name: "broad-mach-lookup",
        severity: Severity::Warning,
        summary: "every Mach service reachable from a deny-by-default profile",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (_, span) in unfiltered_allows_under_deny_default(ctx, "mach-lookup") {
        out.push(
                ctx.report(&RULE.meta, span, "every Mach service can be looked up", "no `global-name` filter")
                    .with_note("services such as launchservicesd act outside the sandbox; allow only the ones needed"),
            );
    }
}
