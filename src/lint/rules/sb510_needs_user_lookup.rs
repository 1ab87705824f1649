use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::lint::rules::needs;
use crate::model::essentials;

const DOC: &str = r#"## What it does
Reports a profile that lets programs run `git` but denies `mach-lookup` of
`com.apple.system.opendirectoryd.libinfo` or `.membership` (`grammar/essentials.tsv`, rows
`opendirectoryd-libinfo` and `opendirectoryd-membership`).

## Why is this a problem on a real Mac?
git looks up the user it runs as; without these services `git commit` fails with
`error: No user exists for uid 501?` (microsoft/mxc#437). Whether other programs need
both is unverified, hence info.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow process-exec (literal "/usr/bin/git"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow process-exec (literal "/usr/bin/git"))
(allow mach-lookup (global-name "com.apple.system.opendirectoryd.libinfo" "com.apple.system.opendirectoryd.membership"))
```

## Fix
Appends the grants of `chromium/common.sb` and `chromium/network.sb` (unsafe: it widens
the sandbox).
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB510",
        name: "needs-user-lookup",
        severity: Severity::Info,
        summary: "git may run but not look up its user: `No user exists for uid`",
        doc: DOC,
    },
    check: Check::File(check),
};

/// Where git is installed: Apple's shim and Homebrew's.
const GIT: [&str; 3] = ["/usr/bin/git", "/opt/homebrew/bin/git", "/usr/local/bin/git"];

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if !GIT
        .iter()
        .any(|g| essentials::means_to_allow(ctx.model, "process-exec", Some(g)))
    {
        return;
    }
    needs::report_denied(ctx, &RULE.meta, "this profile lets programs run `git`", out);
}
