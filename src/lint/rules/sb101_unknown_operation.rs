use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::Issue;

const DOC: &str = r#"## What it does
Reports an operation name that the selected macOS version (`--macos`, default the newest)
does not have, with the closest known name.

## Why is this a problem on a real Mac?
An unknown operation is an unbound variable to libsandbox: the whole profile fails to
load. An operation added in a later macOS fails the same way on older systems.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow file-read-date (literal "/"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow file-read-data (literal "/"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB101",
        name: "unknown-operation",
        severity: Severity::Error,
        summary: "an operation this macOS does not have",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for issue in &ctx.model.issues {
        if let Issue::UnknownOperation {
            span,
            name,
            suggestion,
            note,
        } = issue
        {
            let label = match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => "not an operation".into(),
            };
            let mut d = ctx.report(
                &RULE.meta,
                *span,
                format!("unknown operation `{name}`"),
                label,
            );
            if let Some(note) = note {
                d = d.with_note(note.clone());
            }
            out.push(d);
        }
    }
}
