use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::lint::rules::needs;

const DOC: &str = r#"## What it does
Reports a profile that lets programs run a shell (`process-exec` of `/bin/sh`) but denies `process-fork`
(`grammar/essentials.tsv`, row `process-fork`).

## Why is this a problem on a real Mac?
Shells, `make` and most build tools fork before they run a command: they fail with
`fork: Operation not permitted` (NixOS/nix#759, when the allow moved out of Nix's
default profile). A program that only `exec`s, or spawns without forking, does not need
it; whether `posix_spawn` checks `process-fork` is unverified, hence info.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow process-exec (literal "/bin/sh"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow process-exec (literal "/bin/sh"))
(allow process-fork)
```

## Fix
Appends `(allow process-fork)`, as `openai-codex/seatbelt_base_policy.sbpl` has it
(unsafe: it widens the sandbox).
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB507",
        name: "needs-process-fork",
        severity: Severity::Info,
        summary: "programs may run but not fork: `fork: Operation not permitted`",
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
