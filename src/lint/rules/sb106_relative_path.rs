use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::{FilterValue, PathPattern};

const DOC: &str = r#"## What it does
Reports a `literal`, `subpath` or `prefix` path that does not start with `/`.

## Why is this a problem on a real Mac?
The kernel checks absolute, resolved paths: a relative path never matches anything, so an
allow grants nothing and a deny protects nothing. (Paths with `$VAR` or `~` are reported
by SB111 instead.)

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow file-read* (subpath "project/src"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow file-read* (subpath (param "PROJECT")))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB106",
        name: "relative-path",
        severity: Severity::Warning,
        summary: "a path filter that is not absolute never matches",
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
    let FilterValue::Path(pattern) = &leaf.value else {
        return;
    };
    if matches!(pattern, PathPattern::Regex(_)) {
        return;
    }
    let path = pattern.text();
    // `{{DIR}}`, `<%= dir %>`, `%username%`, `__HOME_DIR__`: a template placeholder,
    // filled in later.
    let placeholder = path.contains("{{")
        || path.contains("<%")
        || path.starts_with('%')
        || path.starts_with("__");
    // A path a helper built from its own constant is the helper's, not this file's.
    if leaf.arg.file != crate::model::FileId::MAIN {
        return;
    }
    if path.starts_with('/')
        || path.contains('$')
        || path.starts_with('~')
        || path.is_empty()
        || placeholder
    {
        return;
    }
    out.push(
        ctx.report(
            &RULE.meta,
            at,
            format!(
                "`{path}` is not an absolute path: `{}` never matches it",
                leaf.written
            ),
            "the kernel checks absolute paths",
        )
        .with_note("write the full path, or pass it in with `(param \"NAME\")` and `-D NAME=...`"),
    );
}
