use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};

const DOC: &str = r#"## What it does
Reports a `; sblint: ignore CODE` (or `ignore-file`) comment that suppresses nothing,
and one naming a code that does not exist.

## Why is this a problem on a real Mac?
A stale suppression hides the next real finding of that code on the same form, and a
misspelt code suppresses nothing at all while looking like it does.

## Example
```sbpl expect_diagnostic
(version 1)
; sblint: ignore SB201 -- /tmp is intended
(deny default)
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow file-read* (subpath "/tmp/cache")) ; sblint: ignore SB201 -- only ever read through the symlink
```

## Suppressions
`; sblint: ignore SB201 SB203 -- reason` at the end of a line applies to that line; on a
line of its own it applies to the next form. `; sblint: ignore-file SB002 -- reason`
anywhere applies to the whole file. The reason after `--` is for readers.
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB901",
        name: "unused-suppression",
        severity: Severity::Warning,
        summary: "a suppression comment that suppresses nothing",
        doc: DOC,
    },
    check: Check::File(check),
};

/// The work happens in `lint::suppress`, after every other rule has run.
fn check(_: &Context<'_>, _: &mut Vec<Diagnostic>) {}
