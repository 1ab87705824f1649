use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::syntax::{Element, TokenKind};

const DOC: &str = r#"## What it does
Reports text that libsandbox's reader cannot read: an unclosed `(`, a stray `)`, an
unterminated string, raw string or block comment, a bad `#` token, a NUL byte, a file that
is not UTF-8, and C preprocessor lines left in a template. A string, number or boolean
at the top level, which is not a profile form (a file that is not a profile), is a
warning: TinyScheme evaluates it to itself, and whether `sandbox-exec` refuses it is
unverified (a bare word at the top level is an unbound variable: SB004).

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
    top_level_values(ctx, out);
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

/// A string, number, boolean or character at the top level (the first of a run: plain text
/// is a run of them): not a profile form. TinyScheme evaluates it to itself; whether
/// `sandbox-exec` refuses the profile is unverified, so it is a warning, not an error.
/// Bare words at the top level are unbound variables (SB004).
fn top_level_values(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let tree = ctx.tree;
    let mut after_atom = false;
    for item in tree.items(tree.root()) {
        let Element::Token(t) = item else {
            after_atom = false;
            continue;
        };
        let first = !after_atom;
        after_atom = true;
        let kind = match tree.token(t).kind {
            TokenKind::String | TokenKind::RawString => "a string",
            TokenKind::Number => "a number",
            TokenKind::Boolean => "a boolean",
            TokenKind::Char => "a character",
            _ => continue,
        };
        if !first {
            continue;
        }
        let mut d = ctx
            .report(
                &RULE.meta,
                tree.token(t).span,
                format!("{kind} at the top level is not a profile form"),
                "not a rule or a definition",
            )
            .with_note(
                "a profile is a list of forms such as `(allow …)`; TinyScheme evaluates this and \
                 ignores it (whether `sandbox-exec` refuses the profile is unverified): is this \
                 file a profile?",
            );
        d.severity = Severity::Warning;
        out.push(d);
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
