use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::lint::rules::needs;

const DOC: &str = r#"## What it does
Reports a profile that allows outbound connections to the internet but denies
`mach-lookup` of `com.apple.SystemConfiguration.DNSConfiguration` or
`com.apple.SystemConfiguration.configd` (`grammar/essentials.tsv`, rows
`dns-configuration` and `configd`).

## Why is this a problem on a real Mac?
Name resolution reads the DNS configuration from that service: with it denied, Node 26
could not resolve host names although the network was allowed (fencesandbox/fence#170).
Rust HTTP clients that read the system proxy settings (reqwest's default
`system-proxy`) panic with "Attempted to create a NULL object" and exit 101 without
`configd` (anthropics/claude-code#42857). Whether every resolver and client needs them is
unverified, hence info.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow network-outbound (remote ip "*:*"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow network-outbound (remote ip "*:*"))
(allow mach-lookup (global-name "com.apple.SystemConfiguration.DNSConfiguration")
                   (global-name "com.apple.SystemConfiguration.configd"))
```

## Fix
Appends the grants of `agent-safehouse/10-system-runtime.sb` and `chromium/network.sb`
(unsafe: it widens the sandbox).
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB506",
        name: "needs-dns-configuration",
        severity: Severity::Info,
        summary: "network allowed but the DNS configuration service denied: host names may not resolve",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if !needs::reaches_internet(ctx) {
        return;
    }
    needs::report_denied(ctx, &RULE.meta, "this profile allows connections to the internet", out);
}
