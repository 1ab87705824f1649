use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::{FilterValue, PathPattern};

const DOC: &str = r#"## What it does
Points out a path regex that does not start with `^`.

## Why is this a problem on a real Mac?
SBPL regexes are unanchored: `#"/\.ssh/"` matches that text anywhere in a path, for
instance inside a project checkout, which is rarely what an allow rule means.

## Example
```sbpl expect_diagnostic
(version 1)
(allow file-read* (regex #"/Library/Caches/"))
```

Use instead:
```sbpl
(version 1)
(allow file-read* (regex #"^/Users/[^/]+/Library/Caches/"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB205",
        name: "unanchored-regex",
        severity: Severity::Info,
        summary: "a path regex without `^` matches anywhere in the path",
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
    let FilterValue::Path(PathPattern::Regex(r)) = &leaf.value else {
        return;
    };
    if r.starts_with('^') {
        return;
    }
    out.push(ctx.report(
        &RULE.meta,
        at,
        format!("`{r}` is not anchored: it matches anywhere in a path"),
        "add `^` to match from the start",
    ));
}
