use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::lint::rules::needs;

const DOC: &str = r#"## What it does
Reports a profile that lets programs run a shell (`process-exec` of `/bin/sh`) but denies reading the dyld
shared cache under `/System/Library/dyld` (`grammar/essentials.tsv`, row `dyld-cache`).

## Why is this a problem on a real Mac?
Every dynamically linked program maps the system libraries from the dyld shared cache
before `main`. Without read access the exec'd program exits 1 or aborts with no output:
`bash` exit 1 under a profile that allowed reading only `/usr`, `/bin`, `/sbin`
(bug-ops/zeph#3077); about 90 CI failures of `/bin/sh` (phuetz/code-buddy#88). Where the
cache lives on macOS 13 and later (`/System/Volumes/Preboot/Cryptexes`) is unverified;
agent-safehouse allows both `/System/Library` and `/System/Volumes/Preboot`.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow process-exec (literal "/bin/sh"))
(allow file-read* (subpath "/bin") (subpath "/usr") (literal "/"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow process-exec (literal "/bin/sh"))
(allow file-read* (subpath "/bin") (subpath "/usr") (literal "/"))
(allow file-read* (subpath "/System/Library") (subpath "/System/Volumes/Preboot"))
```

## Fix
Appends the grant of `agent-safehouse/10-system-runtime.sb` (unsafe: it widens the
sandbox).
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB501",
        name: "needs-dyld-cache",
        severity: Severity::Info,
        summary: "programs may run but the dyld shared cache is unreadable: they exit before `main`",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if !needs::runs_shell(ctx) {
        return;
    }
    needs::report_denied(ctx, &RULE.meta, "this profile lets programs run `/bin/sh`", out);
}
