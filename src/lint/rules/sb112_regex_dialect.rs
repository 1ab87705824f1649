use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::applematch::{Construct, Status};
use crate::model::{FilterValue, NamePattern, PathPattern};
use crate::syntax::Span;

use super::sb104_invalid_regex::regex_in_token;

const DOC: &str = r#"## What it does
Reports a regex construct that Apple's regex dialect (AppleMatch) accepts but does not
match as PCRE does: `(?:...)`, which never matches, and constructs whose meaning on a Mac
is not recorded (`\d`, `{2,5}`, `[\w]`, `(?i)` without a `^` after it, …), which sblint
reports as "unverified" and never counts as matching.

## Why is this a problem on a real Mac?
AppleMatch has no non-capturing group: `(deny file-read-data (regex #"^/tmp/poc/(?:.*/)?\.env$"))`
loads and protects nothing, because the group never matches (nolabs-ai/nono#1763, fixed
in #1764 by writing `(.*/)?`). For the unverified constructs nobody has recorded what
libsandbox does; a rule that relies on one may match more, less or nothing. The dialect,
construct by construct with its sources, is `grammar/regex-dialect.tsv`.

## Example
```sbpl expect_diagnostic
(version 1)
(deny file-read-data (regex #"^/private/tmp/poc/(?:.*/)?\.env$"))
```

```sbpl expect_diagnostic
(version 1)
(allow file-read* (regex #"^/private/tmp/build-\d+/"))
```

Use instead:
```sbpl
(version 1)
(deny file-read-data (regex #"^/private/tmp/poc/(.*/)?\.env$"))
(allow file-read* (regex #"^/private/tmp/build-[0-9]+/"))
```

## Fix
For `(?:...)`: removes the `?:` (safe: the group then matches what was written), when
the regex is written as one string.
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB112",
        name: "regex-dialect",
        severity: Severity::Warning,
        summary: "a regex construct AppleMatch never matches, or whose meaning is unverified",
        doc: DOC,
    },
    check: Check::Leaf(check),
};

fn check(ctx: &Context<'_>, leaf: &crate::model::Filter, at: Span, out: &mut Vec<Diagnostic>) {
    let (FilterValue::Path(PathPattern::Regex(r)) | FilterValue::Name(NamePattern::Regex(r))) =
        &leaf.value
    else {
        return;
    };
    let report = crate::model::regex::report(r);
    if report.error.is_some() {
        return; // SB104 says it
    }
    let token = regex_in_token(ctx, at).filter(|(_, body)| *body == &**r);
    for w in &report.warnings {
        let inner = token.map(|(base, _)| {
            Span::new(
                base + w.span.start as u32,
                base + w.span.end.max(w.span.start + 1) as u32,
            )
        });
        let label = match w.status {
            Status::NeverMatches => "never matches",
            _ => "unverified",
        };
        let mut d = match inner {
            Some(inner) => ctx
                .report(&RULE.meta, inner, w.message.clone(), label)
                .with_secondary(at, "in this regex"),
            None => ctx.report(&RULE.meta, at, w.message.clone(), "this regex"),
        };
        if let (Construct::NonCapturingGroup, Some(inner)) = (w.construct, inner) {
            d = d.with_fix(Fix {
                message: "write `(...)`".into(),
                applicability: Applicability::Safe,
                edits: vec![Edit {
                    span: Span::new(inner.start + 1, inner.start + 3),
                    content: String::new(),
                }],
            });
        }
        out.push(d);
    }
}
