use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::FilterValue;

const DOC: &str = r#"## What it does
Reports `$PWD`, `${HOME}` or a leading `~` inside a path or name in a profile.

## Why is this a problem on a real Mac?
libsandbox does not expand shell variables or `~`: the rule matches the literal text
`$HOME/...`, which no real path has. Scripts that splice `$PWD` into profile text work
only when the shell expands it first; use `(param "HOME")` and `sandbox-exec -D HOME=...`
(or `sblint compile --param`) instead.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow file-write* (subpath "$HOME/project"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow file-write* (subpath (string-append (param "HOME") "/project")))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB111",
        name: "unexpanded-shell-variable",
        severity: Severity::Warning,
        summary: "`$VAR` or `~` in a path: libsandbox does not expand them",
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
    let text = match &leaf.value {
        FilterValue::Path(p) if !matches!(p, crate::model::PathPattern::Regex(_)) => p.text(),
        _ => return,
    };
    let variable = find_variable(text);
    let tilde = text.starts_with('~');
    if variable.is_none() && !tilde {
        return;
    }
    let what = variable.map_or_else(|| "`~`".to_string(), |v| format!("`{v}`"));
    out.push(
        ctx.report(
            &RULE.meta,
            at,
            format!("{what} is not expanded: this path matches nothing"),
            "taken literally by libsandbox",
        )
        .with_note("use `(param \"NAME\")` and pass the value with `sandbox-exec -D NAME=...`"),
    );
}

/// `$NAME` or `${NAME}` in the text.
fn find_variable(text: &str) -> Option<&str> {
    let start = text.find('$')?;
    let rest = &text[start + 1..];
    let len = if let Some(inner) = rest.strip_prefix('{') {
        inner.find('}').map(|i| i + 3)?
    } else {
        let n = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if n == 0 || !rest.as_bytes()[0].is_ascii_alphabetic() && rest.as_bytes()[0] != b'_' {
            return None;
        }
        n + 1
    };
    Some(&text[start..start + len])
}
