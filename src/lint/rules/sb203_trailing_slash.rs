use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::lint::facts::string_token;
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::{FilterValue, PathPattern};

const DOC: &str = r#"## What it does
Reports a `literal` or `subpath` path that ends with `/`.

## Why is this a problem on a real Mac?
The kernel checks paths without a trailing slash, so `(literal "/usr/lib/")` matches
nothing and `(subpath "/usr/lib/")` does not match `/usr/lib` itself.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow file-read* (subpath "/usr/lib/"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow file-read* (subpath "/usr/lib"))
```

## Fix
Removes the trailing slash (safe).
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB203",
        name: "trailing-slash",
        severity: Severity::Warning,
        summary: "a path ending in `/` does not match what it names",
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
    let path = match &leaf.value {
        FilterValue::Path(PathPattern::Literal(p) | PathPattern::Subpath(p)) => p,
        _ => return,
    };
    if path.len() < 2 || !path.ends_with('/') {
        return;
    }
    let trimmed = path.trim_end_matches('/');
    let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
    let mut d = ctx.report(
        &RULE.meta,
        at,
        format!(
            "`{path}` ends with `/`: `{}` does not match `{trimmed}`",
            leaf.written
        ),
        format!("write `{trimmed}`"),
    );
    if let Some((_, text)) = string_token(ctx, at).filter(|(_, t)| t.contains(&**path)) {
        d = d.with_fix(Fix {
            message: format!("remove the trailing slash: `{trimmed}`"),
            applicability: Applicability::Safe,
            edits: vec![Edit {
                span: at,
                content: text.replacen(&**path, trimmed, 1),
            }],
        });
    }
    out.push(d);
}
