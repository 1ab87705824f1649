use rustc_hash::FxHashMap as HashMap;

use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::lint::structure::defined_name;
use crate::syntax::{Element, TokenKind};

const DOC: &str = r#"## What it does
Points out a top-level `define` whose name appears nowhere else in the profile (or its
preludes).

## Why is this a problem on a real Mac?
Nothing breaks, but a helper that is never called often means a rule the author thinks is
in force is not: `(define (allow-fonts) (allow file-read* ...))` grants nothing until it
is called.

## Example
```sbpl expect_diagnostic
(version 1)
(define (allow-fonts) (allow file-read* (subpath "/Library/Fonts")))
(deny default)
```

Use instead:
```sbpl
(version 1)
(define (allow-fonts) (allow file-read* (subpath "/Library/Fonts")))
(deny default)
(allow-fonts)
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB403",
        name: "unused-define",
        severity: Severity::Info,
        summary: "a definition nothing uses",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let tree = ctx.tree;
    let mut counts: HashMap<&str, usize> = HashMap::default();
    let trees = std::iter::once(tree).chain(ctx.preludes.iter().map(|p| &p.tree));
    for t in trees {
        for token in t.tokens().iter() {
            if token.kind == TokenKind::Symbol {
                *counts.entry(t.source(token.span)).or_default() += 1;
            }
        }
    }
    for form in tree.items(tree.root()) {
        let Element::Node(n) = form else { continue };
        let Some(name) = defined_name(tree, n) else {
            continue;
        };
        let text = tree.token_text(name);
        if counts.get(text).copied().unwrap_or(0) <= 1 {
            out.push(ctx.report(
                &RULE.meta,
                tree.token(name).span,
                format!("`{text}` is defined but never used"),
                "never used",
            ));
        }
    }
}
