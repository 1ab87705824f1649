use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::lint::rules::needs;
use crate::model::essentials;

const DOC: &str = r#"## What it does
Reports a profile that gives a program its terminal (reads or writes of `/dev/ttys*`, or
`pseudo-tty`) but denies what an interactive program also needs: `file-ioctl` on the
terminal and writes to `/dev/ptmx` (`grammar/essentials.tsv`, rows `tty-ioctl`,
`ptmx-write`). Info, and a warning when the profile allows `pseudo-tty` but denies
writing `/dev/ptmx`: it means to open terminals, and cannot.

## Why is this a problem on a real Mac?
`file-write*` does not confer `file-ioctl`: `tcsetattr` fails with EPERM, so raw mode is
never set, keystrokes leak into the program as escape sequences (`^[[27u`), Ctrl+C does
nothing, and zsh prints `can't set tty pgrp` (anthropic-experimental/sandbox-runtime#419
on macOS 15.7.7; eugene1g/agent-safehouse#98; h5i-dev/h5i#409). `openpty` opens
`/dev/ptmx` for writing and fails with a bare EPERM without it
(william0wang/zcode-acp#130).

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow file-read* file-write* (regex #"^/dev/ttys[0-9]+$"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow file-read* file-write* (regex #"^/dev/ttys[0-9]+$"))
(allow file-ioctl (regex #"^/dev/ttys[0-9]+$"))
```

## Fix
Appends the grants of `openai-codex/seatbelt_base_policy.sbpl` (unsafe: it widens the
sandbox).
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB504",
        name: "needs-tty",
        severity: Severity::Info,
        summary: "terminal access without `file-ioctl`/`/dev/ptmx`: raw mode fails with EPERM",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = ctx.model;
    let tty = "/dev/ttys000";
    let uses_tty = essentials::means_to_allow(model, "file-write-data", Some(tty))
        || essentials::means_to_allow(model, "file-read-data", Some(tty));
    let opens_pty = essentials::means_to_allow(model, "pseudo-tty", None);
    let rows: Vec<_> = needs::denied(ctx, &RULE.meta)
        .into_iter()
        .filter(|(row, _)| match row.id {
            "ptmx-write" => opens_pty,
            _ => uses_tty,
        })
        .collect();
    let (severity, intent) = if rows.iter().any(|(r, _)| r.id == "ptmx-write") {
        (Severity::Warning, "this profile allows `pseudo-tty`")
    } else {
        (Severity::Info, "this profile gives the program a terminal")
    };
    needs::report(ctx, &RULE.meta, severity, intent, &rows, out);
}
