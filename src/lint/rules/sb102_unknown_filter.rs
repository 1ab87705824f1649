use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::Issue;

const DOC: &str = r#"## What it does
Reports a filter that libsandbox does not know, where a rule expects one, with the
closest known filter name.

## Why is this a problem on a real Mac?
An unknown filter is an unbound function: the whole profile fails to load.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow file-read* (sub-path "/usr/lib"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow file-read* (subpath "/usr/lib"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB102",
        name: "unknown-filter",
        severity: Severity::Error,
        summary: "a filter libsandbox does not know",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let fragment = super::sb004_unknown_function::is_fragment(ctx);
    for issue in &ctx.model.issues {
        if let Issue::UnknownFilter {
            span,
            name,
            suggestion,
            note,
        } = issue
        {
            let label = match suggestion {
                Some(s) if !fragment => format!("did you mean `{s}`?"),
                _ => "not a filter".into(),
            };
            let mut d = ctx.report(&RULE.meta, *span, format!("unknown filter `{name}`"), label);
            if fragment && note.is_none() {
                // A helper its base defines, most likely (`home-subpath`).
                d = d.with_note(super::sb004_unknown_function::FRAGMENT_HINT);
            }
            if let Some(note) = note {
                d = d.with_note(note.clone());
            }
            out.push(d);
        }
    }
}
