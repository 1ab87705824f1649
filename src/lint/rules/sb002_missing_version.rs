use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::lint::structure::{first_rule, version_forms};
use crate::syntax::{NodeId, Span, SyntaxTree};

const DOC: &str = r#"## What it does
Reports a profile whose first rule is not preceded by `(version 1)`.

## Why is this a problem on a real Mac?
libsandbox needs the version before it can read any rule: without it `sandbox-exec`
refuses the profile. A fragment that is only ever appended to a base profile (as Codex,
Chromium and agent-safehouse assemble theirs) gets its version from the base: check it
with `--prelude BASE.sb` and this rule stays silent.

## Example
```sbpl expect_diagnostic
(deny default)
(allow file-read* (subpath "/usr/lib"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow file-read* (subpath "/usr/lib"))
```

## Fix
Inserts `(version 1)` before the first form (safe).
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB002",
        name: "missing-version",
        severity: Severity::Error,
        summary: "no `(version 1)` before the first rule",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let tree = ctx.tree;
    let Some(rule) = first_rule(tree) else {
        return;
    };
    let rule_span = tree.node(rule).span;
    let head = Span::new(rule_span.start, rule_span.start + head_len(tree, rule));
    if ctx
        .preludes
        .iter()
        .any(|p| version_forms(&p.tree).next().is_some())
    {
        return;
    }
    match version_forms(tree).next() {
        Some(version) if tree.node(version).span.start < rule_span.start => {}
        Some(version) => out.push(
            ctx.report(
                &RULE.meta,
                head,
                "`(version 1)` comes after the first rule",
                "this rule comes before the version",
            )
            .with_secondary(tree.node(version).span, "move this before the first rule"),
        ),
        None => {
            let at = first_form_start(ctx);
            out.push(
                ctx.report(
                    &RULE.meta,
                    head,
                    "missing `(version 1)`",
                    "the first rule, with no `(version 1)` before it",
                )
                .with_note("every profile starts with `(version 1)`; a fragment gets it from the profile it is appended to (check it with `--prelude`)")
                .with_fix(Fix {
                    message: "insert `(version 1)`".into(),
                    applicability: Applicability::Safe,
                    edits: vec![Edit {
                        span: Span::empty(at),
                        content: "(version 1)\n".into(),
                    }],
                }),
            );
        }
    }
}

/// Length of `(allow`: the opening paren through the head symbol.
fn head_len(tree: &SyntaxTree, rule: NodeId) -> u32 {
    let start = tree.node(rule).span.start;
    tree.items(rule)
        .next()
        .map_or(1, |head| tree.span(head).end - start)
}

/// Offset of the first top-level datum, where the version belongs (leading comments stay on top).
fn first_form_start(ctx: &Context<'_>) -> u32 {
    let tree = ctx.tree;
    tree.items(tree.root()).next().map_or(0, |first| {
        let start = tree.span(first).start as usize;
        tree.text()[..start].rfind('\n').map_or(0, |i| i as u32 + 1)
    })
}
