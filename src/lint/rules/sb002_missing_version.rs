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
with `--prelude BASE.sb` and this rule stays silent. It is silent too for a file that a
profile in its own directory or an `--import-path` directory imports by name: Apple's
`/usr/share/sandbox` keeps such fragments (`com.apple.atsd.support.sb`). A file without
a version in an `--import-path` directory that nothing there imports is reported as
info: a library file, by the user's own account, unless it is applied on its own.

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
        || ctx.importer.is_some()
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
        None if ctx.in_import_dir => out.push({
            let mut d = ctx.report(
                &RULE.meta,
                head,
                "no `(version 1)` in a file of an import directory: a fragment, unless it is applied on its own",
                "the first rule, with no `(version 1)` before it",
            )
            .with_note("a file that `import` reads gets its version from the profile that imports it; applied on its own, `sandbox-exec` refuses it (no profile in these directories imports it by name)");
            d.severity = Severity::Info;
            d
        }),
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
