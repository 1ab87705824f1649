use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::Issue;

const DOC: &str = r#"## What it does
Reports an `import` sblint could not follow: a file it cannot find (relative to the
profile, then each `--import-path`), a cycle, a directory, a device or a file too large.

## Why is this a problem on a real Mac?
libsandbox also searches `/System/Library/Sandbox/Profiles` and `/usr/share/sandbox`, so
`(import "bsd.sb")` works there; sblint cannot see those files on other systems. Pass
`--import-path DIR` (or `import-paths` in `sblint.toml`) with copies to check what they
define. Until then, names they may define are not reported as unknown. An import of one
of Apple's own profiles (`system.sb`, `bsd.sb`: `grammar/apple-profiles.tsv`) is an info,
not a warning: it loads on every Mac.

## Example
```sbpl expect_diagnostic
(version 1)
(import "no-such-file.sb")
```

Use instead:
```sbpl
(version 1)
(deny default)
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB006",
        name: "import-failed",
        severity: Severity::Warning,
        summary: "an `import` that could not be followed",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for issue in &ctx.model.issues {
        if let Issue::Import {
            span,
            message,
            apple,
        } = issue
        {
            let mut d = ctx.report(&RULE.meta, *span, message.clone(), "this import");
            if *apple {
                // Found on every Mac: sblint's limitation, not the profile's.
                d.severity = Severity::Info;
                d = d.with_note(
                    "give a copy with `--import-path DIR` (or `import-paths` in sblint.toml) \
                     to check what it defines",
                );
            }
            out.push(d);
        }
    }
}
