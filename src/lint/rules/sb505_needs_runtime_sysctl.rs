use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::lint::rules::needs;
use crate::model::{Action, Filter};

const DOC: &str = r#"## What it does
Reports a profile that allows `sysctl-read` only for a list of names, when the list
leaves out names that language runtimes read at start (`grammar/essentials.tsv`, rows
`sysctl-*`): `hw.cachelinesize`, `hw.optional.arm64`, `hw.optional.neon`,
`machdep.cpu.brand_string`, `hw.model`.

## Why is this a problem on a real Mac?
Each was a real breakage of an allow-list: mysqld SIGSEGV without `hw.cachelinesize`
(the list had `hw.cachelinesize_compat`, openai/codex#31264); Flutter took Apple Silicon
for x86_64 because `(sysctl-name-prefix "hw.optional.arm.")` does not cover
`hw.optional.arm64` (openai/codex#46656); Qt said `Incompatible processor` without
`hw.optional.neon` (openai/codex#7099); Node's `os.cpus()` came back empty
(openai/codex#11210).

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow sysctl-read (sysctl-name "hw.ncpu") (sysctl-name-prefix "hw.optional.arm."))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow sysctl-read (sysctl-name "hw.ncpu") (sysctl-name-prefix "hw.optional.arm."))
(allow sysctl-read (sysctl-name "hw.cachelinesize") (sysctl-name "hw.optional.arm64")
  (sysctl-name "hw.optional.neon") (sysctl-name "machdep.cpu.brand_string")
  (sysctl-name "hw.model"))
```

## Fix
Appends an allow of each missing name (unsafe: it widens the sandbox).
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB505",
        name: "needs-runtime-sysctl",
        severity: Severity::Info,
        summary: "a sysctl allow-list leaves out names runtimes read (mysqld SIGSEGV, Qt `Incompatible processor`)",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // An allow-list: some allow of sysctl-read that names sysctls.
    let listed = ctx.model.rules.iter().any(|r| {
        r.action == Action::Allow
            && crate::lint::facts::applies_to(r, "sysctl-read")
            && r.filter
                .as_ref()
                .is_some_and(|f| f.leaves().any(|l: &Filter| l.name.category() == "sysctl"))
    });
    if !listed {
        return;
    }
    needs::report_denied(ctx, &RULE.meta, "this profile lists the sysctls programs may read", out);
}
