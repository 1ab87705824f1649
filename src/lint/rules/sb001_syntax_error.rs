use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};

const DOC: &str = r#"## What it does
Reports text that libsandbox's reader cannot read: an unclosed `(`, a stray `)`, an
unterminated string, raw string or block comment, a bad `#` token, a NUL byte, a file that
is not UTF-8, and C preprocessor lines left in a template.

## Why is this a problem on a real Mac?
`sandbox-exec` refuses the whole profile, often with nothing more than `Abort trap: 6`
or a bare "unbound variable" and no line number. One missing `)` can make every later
rule part of an earlier one.

sblint reports every syntax error in the file in one run: after an unclosed list it
resumes at the next form that starts in column 0.

## Example
```sbpl expect_diagnostic
(version 1)
(allow file-read*
  (subpath "/usr/lib")
(deny default)
```

Use instead:
```sbpl
(version 1)
(allow file-read*
  (subpath "/usr/lib"))
(deny default)
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB001",
        name: "syntax-error",
        severity: Severity::Error,
        summary: "the profile cannot be read",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let errors = ctx.tree.errors();
    for error in errors {
        let mut diagnostic = ctx.report(&RULE.meta, error.span, &error.message, &error.label);
        for (span, label) in &error.secondary {
            diagnostic = diagnostic.with_secondary(*span, label);
        }
        diagnostic.notes.extend(error.notes.iter().cloned());
        out.push(diagnostic);
    }
    let more = ctx.tree.more_errors();
    if let (Some(last), true) = (errors.last(), more > 0) {
        out.push(ctx.report(
            &RULE.meta,
            last.span,
            format!("{more} more syntax error{} not shown", plural(more)),
            "the last error shown",
        ));
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
