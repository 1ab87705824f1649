use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::lint::facts::string_token;
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::{FilterValue, NamePattern, PathPattern};
use crate::syntax::string::dropped_escapes;
use crate::syntax::TokenKind;

const DOC: &str = r#"## What it does
Reports a regex written in a plain `"..."` string whose backslashes the reader drops,
such as `"^/usr/lib/.*\.dylib$"`.

## Why is this a problem on a real Mac?
In a plain string only `\n \t \r \" \\` (and octal and `\x`) are escapes; any other `\c`
silently becomes `c`. So `"\."` reaches the regex as `.`, which matches any character.
Raw strings `#"..."` keep every backslash: that is how regexes are written.

## Example
```sbpl expect_diagnostic
(version 1)
(allow file-read* (regex "^/usr/lib/.*\.dylib$"))
```

Use instead:
```sbpl
(version 1)
(allow file-read* (regex #"^/usr/lib/.*\.dylib$"))
```

## Fix
Turns the string into a raw string `#"..."` with the same text (safe: the regex then
means what was written), when the string has no escape that means something.
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB206",
        name: "regex-in-plain-string",
        severity: Severity::Warning,
        summary: "a regex in `\"...\"` loses its backslashes; write `#\"...\"`",
        doc: DOC,
    },
    check: Check::Leaf(check),
};

fn check(
    ctx: &Context<'_>,
    leaf: &crate::model::Filter,
    at: crate::syntax::Span,
    out: &mut Vec<Diagnostic>,
) {
    let is_regex = matches!(
        &leaf.value,
        FilterValue::Path(PathPattern::Regex(_)) | FilterValue::Name(NamePattern::Regex(_))
    );
    if !is_regex {
        return;
    }
    let Some((TokenKind::String, text)) = string_token(ctx, at) else {
        return;
    };
    let dropped = dropped_escapes(text);
    let Some(&(offset, c)) = dropped.first() else {
        return;
    };
    let escape = crate::syntax::Span::new(
        at.start + offset as u32,
        at.start + offset as u32 + 1 + c.len_utf8() as u32,
    );
    let mut d = ctx
        .report(
            &RULE.meta,
            escape,
            format!("`\\{c}` in a plain string is just `{c}`: the regex loses its backslash"),
            "dropped by the reader",
        )
        .with_secondary(at, "write this regex as a raw string `#\"...\"`");
    let body = &text[1..text.len() - 1];
    if dropped.len() == body.matches('\\').count() {
        d = d.with_fix(Fix {
            message: "write it as a raw string".into(),
            applicability: Applicability::Safe,
            edits: vec![Edit {
                span: at,
                content: format!("#{text}"),
            }],
        });
    }
    out.push(d);
}
