use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::{FileId, Filter, FilterExpr, FilterValue};
use crate::syntax::Span;

const DOC: &str = r#"## What it does
Reports a rule that lists a path filter beside a filter about the file's kind
(`vnode-type`, `file-mode`) or a `require-not`: filters side by side are alternatives.

## Why is this a problem on a real Mac?
`(allow file-read-metadata (literal "/System/Volumes") (vnode-type DIRECTORY))` reads as
"the directory `/System/Volumes`", but the filters of one rule are OR-ed: it allows the
metadata of every directory on the disk. Codex's read-only profile has three such rules.
`(require-not …)` beside a path is worse: it matches everything the negation does not
exclude. To require both, wrap them in `require-all`.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow file-read-metadata (literal "/System/Volumes") (vnode-type DIRECTORY))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow file-read-metadata (require-all (literal "/System/Volumes") (vnode-type DIRECTORY)))
```

## Fix
Wraps the filters in `(require-all …)` (unsafe: it narrows what the rule allows, as its
author meant).
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB212",
        name: "ored-attribute-filter",
        severity: Severity::Warning,
        summary: "a path filter OR-ed with `vnode-type`, `file-mode` or `require-not`",
        doc: DOC,
    },
    check: Check::Rule(check),
};

/// Filters about what kind of file it is, not which: alone they match files everywhere.
const ATTRIBUTES: &[&str] = &["vnode-type", "file-mode"];

fn is_path(x: &FilterExpr) -> Option<&Filter> {
    match x {
        FilterExpr::Leaf(leaf) if matches!(leaf.value, FilterValue::Path(_)) => Some(leaf),
        _ => None,
    }
}

fn attribute(x: &FilterExpr) -> Option<String> {
    match x {
        FilterExpr::Leaf(leaf) if ATTRIBUTES.contains(&&*leaf.written) => {
            Some(format!("`{}`", leaf.written))
        }
        FilterExpr::Not(_) => Some("`require-not`".to_string()),
        _ => None,
    }
}

fn origin_of(x: &FilterExpr) -> Option<crate::model::Origin> {
    match x {
        FilterExpr::Leaf(leaf) => Some(leaf.origin),
        _ => None,
    }
}

fn check(ctx: &Context<'_>, rule: &crate::model::Rule, span: Span, out: &mut Vec<Diagnostic>) {
    // Only the filters written side by side in the rule: the top level of its filter.
    let Some(FilterExpr::Any(xs)) = &rule.filter else {
        return;
    };
    let Some(path) = xs.iter().find_map(is_path) else {
        return;
    };
    let Some(attr) = xs.iter().find_map(attribute) else {
        return;
    };
    let mut d = ctx
        .report(
            &RULE.meta,
            span,
            format!(
                "the filters of one rule are alternatives: {attr} matches on its own, not only together with `{}`",
                path.written
            ),
            "OR-ed, not AND-ed",
        )
        .with_note("to require both, wrap them in `(require-all …)`");
    // The fix, when every filter is a form written in this rule.
    let leaves: Option<Vec<Span>> = xs
        .iter()
        .map(|x| {
            let origin = match x {
                FilterExpr::Not(_) => None,
                other => origin_of(other),
            }?;
            (origin.file == FileId::MAIN && rule.origin.file == FileId::MAIN)
                .then_some(origin.span)
        })
        .collect();
    if let Some(spans) = leaves {
        if let (Some(first), Some(last)) = (spans.iter().map(|s| s.start).min(), spans.iter().map(|s| s.end).max()) {
            d = d.with_fix(Fix {
                message: "wrap the filters in `(require-all …)`".into(),
                applicability: Applicability::Unsafe,
                edits: vec![
                    Edit {
                        span: Span::empty(first),
                        content: "(require-all ".into(),
                    },
                    Edit {
                        span: Span::empty(last),
                        content: ")".into(),
                    },
                ],
            });
        }
    }
    out.push(d);
}
