use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::syntax::Span;

const DOC: &str = r#"## What it does
Reports a rule naming `sysctl-write` where the alias changes what the rule does: a deny
(it also denies reading, unless the profile allows `sysctl-read` by name), or an allow
with no filter (it allows reading and writing every sysctl). An allow that names its sysctls is not reported: the alias only adds
reading the same names, and the program needs the write it asks for (V8 writes
`kern.tcsm_enable`, the JVM `kern.grade_cputype`).

## Why is this a problem on a real Mac?
In SBPL `sysctl-write` is an alias of `sysctl*` (simbple's `sbpl_v1.scm`): `(deny
sysctl-write)` also denies every `sysctl-read`, which breaks `uname` and Python's
`os.uname()`, and `(allow sysctl-write)` allows writing every sysctl the user may set.

## Example
```sbpl expect_diagnostic
(version 1)
(allow default)
(deny sysctl-write)
```

Use instead:
```sbpl
(version 1)
(allow default)
(deny sysctl-write)
(allow sysctl-read)
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB304",
        name: "sysctl-write",
        severity: Severity::Warning,
        summary: "`sysctl-write` is `sysctl*`: denying it denies reads too",
        doc: DOC,
    },
    check: Check::Rule(check),
};

fn check(ctx: &Context<'_>, rule: &crate::model::Rule, _span: Span, out: &mut Vec<Diagnostic>) {
    let deny = rule.action == crate::model::Action::Deny;
    // An allow that names its sysctls only adds reading those same names: nothing to say.
    if !deny && rule.filter.is_some() {
        return;
    }
    // Reads allowed by name are decided by `sysctl-read`'s own rules, before `sysctl*`'s.
    let reads_allowed = ctx.model.rules.iter().any(|r| {
        r.action == crate::model::Action::Allow
            && r.operations.iter().any(|o| o.written == "sysctl-read")
    });
    if deny && reads_allowed {
        return;
    }
    for op in &rule.operations {
        if op.written == "sysctl-write" && op.origin.file == crate::model::FileId::MAIN {
            let (message, note) = if deny {
                (
                    "`sysctl-write` means `sysctl*`: this deny also denies reading, which \
                     `uname` and most runtimes need",
                    "follow it with `(allow sysctl-read)` (or the names the program reads), \
                     or deny `sysctl*` only where that is meant",
                )
            } else {
                (
                    "`sysctl-write` with no filter allows writing every sysctl (and, as \
                     `sysctl*`, reading every one)",
                    "name the sysctls the program writes with `(sysctl-name \"…\")`; \
                     `sysctl-read` alone if it only reads",
                )
            };
            out.push(
                ctx.report(&RULE.meta, op.origin.span, message, "an alias of `sysctl*`")
                    .with_note(note),
            );
        }
    }
}
