use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::Issue;

const DOC: &str = r#"## What it does
Reports an operation name that the selected macOS version (`--macos`, default 14.4.1, the
newest with complete tables) does not have, with the closest known name.

A name that no table of the selected release lists and that no evidence shows there (macOS
11-13 outside the tables of 10.15 and 14.4.1, and 15 and 26, which are known only from
shipping profiles and recorded runs: `grammar/availability.tsv`) is reported at info
severity as "not verified for macOS N", never as an error: it may well load. The same holds
for named constants whose availability is recorded per version (`TIOCSTI`).

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
        match issue {
            Issue::UnknownOperation {
                span,
                name,
                suggestion,
                note,
            } => {
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
            Issue::UnverifiedName {
                span,
                name,
                kind,
                macos,
                known,
            } => {
                let known = match known.as_slice() {
                    [] => "no table lists it".to_string(),
                    [only] => format!("known on macOS {}", only.as_str()),
                    [first, .., last] => {
                        format!("known on macOS {} to {}", first.as_str(), last.as_str())
                    }
                };
                let mut d = ctx
                    .report(
                        &RULE.meta,
                        *span,
                        format!("`{name}` is not verified for {macos}"),
                        known,
                    )
                    .with_note(format!(
                        "no table of {macos} lists this {kind} and no recorded run or shipping \
                         profile shows it there; it may well load (grammar/availability.tsv \
                         lists the evidence)"
                    ));
                d.severity = Severity::Info;
                out.push(d);
            }
            _ => {}
        }
    }
}
