use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::lint::rules::needs;
use crate::model::essentials;

const DOC: &str = r#"## What it does
Reports a profile written for a program that uses Apple frameworks (it opens other IOKit
user clients, or looks up the window server) but denies `iokit-open` of
`RootDomainUserClient` (`grammar/essentials.tsv`, row `root-domain-iokit`).

## Why is this a problem on a real Mac?
Frameworks open `RootDomainUserClient` while they load; when `IOServiceOpen` is denied
they use a null port and the program dies with a bare SIGSEGV (exit 139) and no sandbox
log line: headless Chrome under `(deny default)` with `bsd.sb` (deepcoldy/botmux#670),
Electron (nolabs-ai/nono#1442).

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow iokit-open (iokit-registry-entry-class "IOSurfaceRootUserClient"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow iokit-open (iokit-registry-entry-class "IOSurfaceRootUserClient"))
(allow iokit-open (iokit-registry-entry-class "RootDomainUserClient"))
```

## Fix
Appends the grant of `openai-codex/seatbelt_base_policy.sbpl` (unsafe: it widens the
sandbox).
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB503",
        name: "needs-root-domain-iokit",
        severity: Severity::Info,
        summary: "framework program without `RootDomainUserClient`: a bare SIGSEGV",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = ctx.model;
    let frameworks = essentials::means_to_allow(model, "iokit-open", Some("IOSurfaceRootUserClient"))
        || essentials::means_to_allow(model, "mach-lookup", Some("com.apple.windowserver.active"));
    if !frameworks {
        return;
    }
    needs::report_denied(ctx, &RULE.meta, "this profile is written for a program that uses Apple frameworks", out);
}
