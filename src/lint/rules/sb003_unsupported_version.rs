use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::lint::structure::version_forms;
use crate::syntax::{Element, TokenKind};

const DOC: &str = r#"## What it does
Reports a `version` form whose argument is not `1`, and a second `version` form.

## Why is this a problem on a real Mac?
`1` is the only version of the Sandbox Profile Language. libsandbox refuses a profile
that asks for another, and one that declares its version twice, which happens when a
fragment that carries its own `(version 1)` is appended to a base profile.

## Example
```sbpl expect_diagnostic
(version 2)
(deny default)
```

```sbpl expect_diagnostic
(version 1)
(deny default)
(version 1)
```

Use instead:
```sbpl
(version 1)
(deny default)
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB003",
        name: "unsupported-version",
        severity: Severity::Error,
        summary: "a version other than 1, or a second `version` form",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let tree = ctx.tree;
    let forms: Vec<_> = version_forms(tree).collect();
    let prelude_version = ctx
        .preludes
        .iter()
        .find(|p| version_forms(&p.tree).next().is_some());
    for (i, &form) in forms.iter().enumerate() {
        let span = tree.node(form).span;
        let args: Vec<Element> = tree.items(form).skip(1).collect();
        let is_one = matches!(args.as_slice(), [Element::Token(t)]
            if tree.token(*t).kind == TokenKind::Number
                && matches!(tree.token_text(*t), "1" | "+1" | "#d1" | "#e1"));
        if !is_one {
            let what = match args.as_slice() {
                [] => "a `version` form without a version".to_string(),
                [only] => format!("unsupported version `{}`", tree.source(tree.span(*only))),
                _ => "a `version` form takes exactly one argument".to_string(),
            };
            out.push(
                ctx.report(&RULE.meta, span, what, "only `(version 1)` exists")
                    .with_note("write `(version 1)`"),
            );
        }
        if i > 0 {
            out.push(
                ctx.report(
                    &RULE.meta,
                    span,
                    "a second `version` form",
                    "the version is already declared",
                )
                .with_secondary(tree.node(forms[0]).span, "first declared here"),
            );
        } else if let Some(prelude) = prelude_version {
            out.push(
                ctx.report(
                    &RULE.meta,
                    span,
                    "a second `version` form",
                    "the prelude already declares the version",
                )
                .with_note(format!(
                    "`{}` declares `(version 1)`; libsandbox refuses a second one once the two are joined",
                    prelude.path
                )),
            );
        }
    }
}
