use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::lint::rules::needs;
use crate::model::essentials;

const DOC: &str = r#"## What it does
Reports a profile that allows outbound connections to the internet but denies
`mach-lookup` of `com.apple.trustd.agent`, the service that checks TLS certificates
(`grammar/essentials.tsv`, row `trustd`). A warning when the profile allows port 443
specifically (it means to speak HTTPS), info otherwise.

## Why is this a problem on a real Mac?
Certificate checks go through `trustd`: without it every Go CLI (`gh`, `terraform`,
`kubectl`) fails with `x509: OSStatus -26276` although the network is open
(anthropic-experimental/sandbox-runtime#118, #125; anthropics/claude-code#34876, #85857;
spacedriveapp/spacebot#272). The name `com.apple.trustd` is wrong (anthropics/claude-code#82793).

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow network-outbound (remote tcp "*:443"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow network-outbound (remote tcp "*:443"))
(allow mach-lookup (global-name "com.apple.trustd.agent"))
```

## Fix
Appends `(allow mach-lookup (global-name "com.apple.trustd.agent"))`, as
`agent-safehouse/10-system-runtime.sb` has it (unsafe: it widens the sandbox).
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB502",
        name: "needs-trustd",
        severity: Severity::Info,
        summary: "network allowed but `com.apple.trustd.agent` denied: TLS fails with `x509: OSStatus -26276`",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if !needs::reaches_internet(ctx) {
        return;
    }
    let rows = needs::denied(ctx, &RULE.meta);
    // Port 443 allowed where another port is not: the profile is written for HTTPS.
    let https = essentials::means_to_allow(ctx.model, "network-outbound", Some("93.184.215.14:443"))
        && !essentials::means_to_allow(ctx.model, "network-outbound", Some("93.184.215.14:9"));
    let (severity, intent) = if https {
        (Severity::Warning, "this profile allows HTTPS (port 443)")
    } else {
        (Severity::Info, "this profile allows connections to the internet")
    };
    needs::report(ctx, &RULE.meta, severity, intent, &rows, out);
}
