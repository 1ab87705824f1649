use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::lint::structure::version_forms;
use crate::model::vocab::Release;
use crate::syntax::{Element, NodeId, SyntaxTree, TokenKind};

const DOC: &str = r#"## What it does
Reports a `version` form that libsandbox refuses: a version other than 1, 2 or 3, a version
2 or 3 on macOS 10.15 and older, and a second `version` form with a different number.
`(version 2)` and `(version 3)` on macOS 11 and later are reported at info severity: they
exist, but from which release libsandbox accepts them is unverified, and sblint's model is
that of version 1.

## Why is this a problem on a real Mac?
On macOS 10.12-10.15 the stub libsandbox loads before every profile (`sbpl.scm`, public in
copies of `/System/Library/Sandbox` such as knightsc/sandbox_profiles for 10.15.2, and in
0xbf00/simbple) defines `version` as: `1` loads the version 1 library, anything else is
`(error "unsupported version" n)`; once called, `version` is replaced by a procedure that
fails with "only one version may be specified" when it is called again with a *different*
number. A repeated `(version 1)`, which appears when a fragment carrying its own version is
appended to a base profile, is therefore accepted there.

Versions 2 and 3 exist on later releases: WebKit's shared profile
(`Source/WebKit/Shared/Sandbox/common.sb`) writes `(version 3)` under
`USE(SANDBOX_VERSION_3)` since "Upgrade to sandbox version 3 on iOS and macOS"
(WebKit/WebKit#6864, November 2022), after "Fix sandbox violations with sandbox version 2"
(#5648), "Add sandbox telemetry for version 2" (#5908) and "Add remaining sandbox rules
implicitly allowed in v1" (#6089). Those PRs say what changes: a version 2 or 3 profile no
longer gets access that version 1 grants implicitly (WebKit adds explicit rules such as
`(allow syscall-mach)`, `(allow mach-bootstrap)`, `(allow file-test-existence)` to keep the
same behaviour). Which macOS release first accepts them, and exactly which implicit
grants they drop, is not public; sblint's precedence and default decisions are those
measured with version 1.

## Example
```sbpl expect_diagnostic
(version 4)
(deny default)
```

```sbpl expect_diagnostic
(version 1)
(deny default)
(version 2)
```

Use instead:
```sbpl
(version 1)
(deny default)
```

A repeated version with the same number is accepted:
```sbpl
(version 1)
(deny default)
(version 1)
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB003",
        name: "unsupported-version",
        severity: Severity::Error,
        summary: "a version libsandbox refuses, or a second `version` with another number",
        doc: DOC,
    },
    check: Check::File(check),
};

/// The argument of a `version` form, when it is one integer.
fn number(tree: &SyntaxTree, form: NodeId) -> Option<i64> {
    let args: Vec<Element> = tree.items(form).skip(1).collect();
    match args.as_slice() {
        [Element::Token(t)] if tree.token(*t).kind == TokenKind::Number => {
            let text = tree.token_text(*t);
            let digits = text
                .strip_prefix("#d")
                .or_else(|| text.strip_prefix("#e"))
                .unwrap_or(text);
            digits.trim_start_matches('+').parse().ok()
        }
        _ => None,
    }
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let tree = ctx.tree;
    let forms: Vec<_> = version_forms(tree).collect();
    let prelude_version = ctx.preludes.iter().find_map(|p| {
        let form = version_forms(&p.tree).next()?;
        Some((p, number(&p.tree, form)))
    });
    for (i, &form) in forms.iter().enumerate() {
        let value = number(tree, form);
        out.extend(unsupported(ctx, form, value));
        // A second `version` fails only with another number ("only one version may be
        // specified" in sbpl.scm).
        let earlier = if i > 0 {
            Some((number(tree, forms[0]), None))
        } else {
            prelude_version.map(|(p, n)| (n, Some(p.path.as_str())))
        };
        if let Some((first, prelude)) = earlier {
            if first != value || value.is_none() {
                out.push(second_version(ctx, form, forms[0], first, prelude));
            }
        }
    }
}

/// The finding on version form `form` whose number is `value`, unless it is 1.
fn unsupported(ctx: &Context<'_>, form: NodeId, value: Option<i64>) -> Option<Diagnostic> {
    let tree = ctx.tree;
    let macos = ctx.model.macos;
    let span = tree.node(form).span;
    let d = match value {
        Some(1) => return None,
        Some(n @ (2 | 3)) if macos.release > Release::V10_15 => {
            let mut d = ctx
                .report(
                    &RULE.meta,
                    span,
                    format!("`(version {n})`: not verified for {macos}"),
                    "sblint models version 1",
                )
                .with_note(
                    "version 3 exists (WebKit writes it since WebKit/WebKit#6864) and no \
                     longer grants some access version 1 allows implicitly; from which \
                     macOS it is accepted, and what exactly it drops, is unverified",
                );
            d.severity = Severity::Info;
            d
        }
        Some(n @ (2 | 3)) => ctx
            .report(
                &RULE.meta,
                span,
                format!("unsupported version `{n}` on {macos}"),
                "only `(version 1)` exists there",
            )
            .with_note(
                "libsandbox's sbpl.scm of macOS 10.12-10.15 accepts only 1: write `(version 1)`",
            ),
        _ => {
            let args: Vec<Element> = tree.items(form).skip(1).collect();
            let what = match args.as_slice() {
                [] => "a `version` form without a version".to_string(),
                [only] => format!("unsupported version `{}`", tree.source(tree.span(*only))),
                _ => "a `version` form takes exactly one argument".to_string(),
            };
            ctx.report(&RULE.meta, span, what, "no profile version by that number")
                .with_note("write `(version 1)`")
        }
    };
    Some(d)
}

/// The finding on a second version form `form` whose number differs from the `first`
/// one's: declared at `first_form` in this file, or in the prelude at path `prelude`.
fn second_version(
    ctx: &Context<'_>,
    form: NodeId,
    first_form: NodeId,
    first: Option<i64>,
    prelude: Option<&str>,
) -> Diagnostic {
    let tree = ctx.tree;
    let span = tree.node(form).span;
    match prelude {
        None => ctx
            .report(
                &RULE.meta,
                span,
                "a second `version` form with another number",
                "libsandbox fails: only one version may be specified",
            )
            .with_secondary(tree.node(first_form).span, "first declared here"),
        Some(path) => {
            let first_text =
                first.map_or("another version".to_string(), |n| format!("`(version {n})`"));
            ctx.report(
                &RULE.meta,
                span,
                "a second `version` form with another number",
                "the prelude already declares the version",
            )
            .with_note(format!(
                "`{path}` declares {first_text}; libsandbox fails once the two are joined"
            ))
        }
    }
}
