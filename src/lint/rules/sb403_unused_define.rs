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
    let defined: Vec<_> = tree
        .items(tree.root())
        .filter_map(|form| match form {
            Element::Node(n) => defined_name(tree, n),
            Element::Token(_) => None,
        })
        .collect();
    if defined.is_empty() {
        return;
    }
    // How often each defined name is written (its definition included), counted up to 2:
    // the walk ends once every name is known to be used. Symbols whose length no defined
    // name has are skipped without hashing.
    let mut counts: HashMap<&str, usize> =
        defined.iter().map(|&t| (tree.token_text(t), 0)).collect();
    let lengths = counts
        .keys()
        .fold(0u64, |mask, name| mask | 1 << name.len().min(63));
    let mut unknown = counts.len();
    let trees = std::iter::once(tree).chain(ctx.preludes.iter().map(|p| &p.tree));
    'walk: for t in trees {
        for token in t.tokens().iter() {
            if token.kind != TokenKind::Symbol || lengths & 1 << token.span.len().min(63) == 0 {
                continue;
            }
            if let Some(count) = counts.get_mut(t.source(token.span)) {
                *count += 1;
                if *count == 2 {
                    unknown -= 1;
                    if unknown == 0 {
                        break 'walk;
                    }
                }
            }
        }
    }
    for name in defined {
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
