use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::facts::default_action;
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::{vocabulary, Action};

const DOC: &str = r#"## What it does
Points out, on `(deny default)`, the operations that stay allowed unless a rule denies
them explicitly: `process-info*`, `iokit-get-properties`, `nvram*`, `syscall-unix`.

## Why is this a problem on a real Mac?
`(deny default)` reads as "nothing is allowed", but these remain open (Chromium's
renderer profile denies them by hand for that reason): sandboxed code can list processes
and read hardware and NVRAM properties. This is unverified: it rests on Chromium's
comment ("crbug.com/799149: These operations are allowed by default"), not on a recorded
run, and the finding says so.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow file-read* (literal "/"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(deny process-info* iokit-get-properties nvram* syscall-unix)
(allow file-read* (literal "/"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB308",
        name: "allowed-by-default",
        severity: Severity::Info,
        summary: "operations `(deny default)` does not cover",
        doc: DOC,
    },
    check: Check::File(check),
};

const OPEN_UNDER_DENY_DEFAULT: &[&str] = &[
    "process-info*",
    "iokit-get-properties",
    "nvram*",
    "syscall-unix",
];

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some((Action::Deny, index)) = default_action(ctx) else {
        return;
    };
    let rule = &ctx.model.rules[index];
    let Some(span) = rule
        .main_span()
        .filter(|_| rule.origin.file == crate::model::FileId::MAIN)
    else {
        return;
    };
    let vocab = vocabulary();
    let mut candidates: Vec<(&str, crate::model::OpId, bool)> = OPEN_UNDER_DENY_DEFAULT
        .iter()
        .filter_map(|&name| {
            let id = vocab.op_id(name)?;
            vocab
                .operation(id)
                .exists_in(ctx.model.macos)
                .then_some((name, id, false))
        })
        .collect();
    // Any rule naming it or an operation below it counts as handling it: one pass for all.
    for r in &ctx.model.rules {
        if r.names(vocab.default) {
            continue;
        }
        for o in r.operations.iter() {
            for (_, id, handled) in candidates.iter_mut() {
                *handled |= vocab.covers(o.id, *id) || vocab.covers(*id, o.id);
            }
        }
    }
    candidates.retain(|(_, _, handled)| !handled);
    let open: Vec<&str> = candidates.iter().map(|(name, _, _)| *name).collect();
    if open.is_empty() {
        return;
    }
    let mut d = ctx.report(
        &RULE.meta,
        span,
        format!(
            "`{}` {} allowed under `(deny default)`",
            open.join("`, `"),
            if open.len() == 1 { "stays" } else { "stay" }
        ),
        if open.len() == 1 {
            "does not cover it"
        } else {
            "does not cover them"
        },
    );
    let deniable: Vec<&str> = open
        .iter()
        .copied()
        .filter(|n| *n != "syscall-unix")
        .collect();
    if !deniable.is_empty() {
        d = d.with_note(format!(
            "deny them explicitly if the sandboxed code should not have them: `(deny {})`",
            deniable.join(" ")
        ));
    }
    d = d.with_note("unverified: no recorded run shows these allowed under `(deny default)`; the source is a comment in Chromium's renderer profile (\"crbug.com/799149: These operations are allowed by default\")");
    if open.contains(&"syscall-unix") {
        d = d.with_note("`syscall-unix` cannot simply be denied (every program needs system calls): allow a list of `syscall-number`s and deny the rest, as Chromium's common.sb does");
    }
    out.push(d);
}
