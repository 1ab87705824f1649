use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::facts::string_token;
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::Issue;
use crate::syntax::{Span, TokenKind};

const DOC: &str = r#"## What it does
Reports a regex that Apple's regex dialect (AppleMatch) refuses, at the place in the regex
and with what the dialect allows instead: an unclosed `(` or `[`, a `)` that closes
nothing, a `^` after another item (as in `(?i)^/Users`).

## Why is this a problem on a real Mac?
libsandbox compiles every regex when it loads the profile; one bad regex and the whole
profile is refused. `(?i)^...` fails with "unexpected ^ operator in middle of expression"
(constellation-works/orbit#495): AppleMatch is not PCRE. The dialect, construct by
construct with its sources, is `grammar/regex-dialect.tsv`.

## Example
```sbpl expect_diagnostic
(version 1)
(allow file-read* (regex #"^/usr/(lib"))
```

```sbpl expect_diagnostic
(version 1)
(deny file-read* (regex #"(?i)^/Users/[^/]+/\.ssh/"))
```

Use instead:
```sbpl
(version 1)
(allow file-read* (regex #"^/usr/(lib|share)/"))
(deny file-read* (regex #"^/Users/[^/]+/\.[Ss][Ss][Hh]/"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB104",
        name: "invalid-regex",
        severity: Severity::Error,
        summary: "a regex that Apple's regex dialect refuses",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for issue in &ctx.model.issues {
        if let Issue::InvalidRegex { span, message } = issue {
            // Point at the refused construct when the regex is written as one string.
            let at = regex_in_token(ctx, *span).and_then(|(base, body)| {
                // The dialect's report, cached: the model asked for it while evaluating.
                let report = crate::model::regex::report(body);
                let e = report.error.as_ref()?;
                Some(Span::new(
                    base + e.span.start as u32,
                    base + e.span.end.max(e.span.start + 1) as u32,
                ))
            });
            // The primary label stays on the regex (the model's issue span); the refused
            // construct inside it is the secondary one.
            let mut d = ctx.report(&RULE.meta, *span, message.clone(), "this regex");
            if let Some(inner) = at.filter(|inner| inner != span) {
                d = d.with_secondary(inner, "AppleMatch refuses this");
            }
            out.push(d);
        }
    }
}

/// The regex text of a string token of the checked file, with the offset of its first
/// byte, when the token holds it byte for byte: a raw string `#"..."`, or a plain string
/// with no backslash.
pub(crate) fn regex_in_token<'a>(ctx: &'a Context<'_>, span: Span) -> Option<(u32, &'a str)> {
    let (kind, text) = string_token(ctx, span)?;
    match kind {
        TokenKind::RawString => Some((span.start + 2, text.get(2..text.len().checked_sub(1)?)?)),
        TokenKind::String if !text.contains('\\') => {
            Some((span.start + 1, text.get(1..text.len().checked_sub(1)?)?))
        }
        _ => None,
    }
}
