use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::facts::{main_rules, MainRule};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::{FileId, FilterExpr, FilterValue, Origin, PathPattern};
use crate::syntax::Span;

const DOC: &str = r#"## What it does
Reports `(regex A B)` where `A` is anchored with `^` but has no end (`$`) and `B` is not
anchored: the two look like one regex cut in two.

## Why is this a problem on a real Mac?
Each argument of `regex` is a regex of its own, and the filter matches when any of them
does. `(regex "^/Users/me/Library" "/Cookies$")` is not "`~/Library/Cookies`": its first
regex matches every path below `~/Library` (Mail, Keychains, Cookies). Firefox's Flash
profile had exactly this: its `home-library-regex` helper closed `string-append` before
the relative part, so the rule opened all of `~/Library`.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow file-read* (regex "^/Users/me/Library" "/Preferences/ss\\.cfg$"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow file-read* (regex (string-append "^/Users/me/Library" "/Preferences/ss\\.cfg$")))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB211",
        name: "split-regex",
        severity: Severity::Warning,
        summary: "`(regex A B)` with an open-ended `A`: two regexes, not one",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for MainRule { rule, span, .. } in main_rules(ctx) {
        let Some(filter) = &rule.filter else { continue };
        let mut stack = vec![filter];
        while let Some(expr) = stack.pop() {
            match expr {
                FilterExpr::Any(xs) => {
                    for pair in xs.windows(2) {
                        if let Some(d) = split(ctx, &pair[0], &pair[1], span) {
                            out.push(d);
                        }
                    }
                    stack.extend(xs.iter());
                }
                FilterExpr::All(xs) => stack.extend(xs.iter()),
                FilterExpr::Not(x) => stack.push(x),
                FilterExpr::Leaf(_) | FilterExpr::Unknown(_) => {}
            }
        }
    }
}

/// `first` then `second`, two arguments of one `regex` form, the first open-ended.
fn split(
    ctx: &Context<'_>,
    first: &FilterExpr,
    second: &FilterExpr,
    rule_span: Span,
) -> Option<Diagnostic> {
    let FilterExpr::Leaf(tail) = second else {
        return None;
    };
    let FilterValue::Path(PathPattern::Regex(rest)) = &tail.value else {
        return None;
    };
    if &*tail.written != "regex" || rest.starts_with('^') {
        return None;
    }
    let head = match first {
        FilterExpr::Leaf(leaf) if leaf.origin == tail.origin => match &leaf.value {
            FilterValue::Path(PathPattern::Regex(r)) if open_ended(r) => format!("`{r}`"),
            _ => return None,
        },
        // The first regex depends on a value sblint does not know (`(param "HOME")`):
        // look at how it is written.
        FilterExpr::Unknown(at) if inside(at, &tail.origin) => {
            let text = written(ctx, at)?;
            let opens = text.starts_with("(string-append \"^") || text.starts_with("\"^");
            if !opens || text.contains("$\"") {
                return None;
            }
            format!("`{text}`")
        }
        _ => return None,
    };
    let at = if tail.origin.file == FileId::MAIN {
        tail.origin.span
    } else {
        rule_span
    };
    Some(
        ctx.report(
            &RULE.meta,
            at,
            format!(
                "`regex` takes each argument as a regex of its own: {head} has no `$`, so it matches every path that starts with it, whatever `{rest}` says"
            ),
            "two regexes, either of which matches",
        )
        .with_note(format!(
            "to match the first followed by `{rest}`, make one string: `(regex (string-append … \"{rest}\"))`"
        )),
    )
}

/// Anchored at the start, with nothing that ends or bounds it.
fn open_ended(regex: &str) -> bool {
    regex.starts_with('^') && !regex.ends_with('$')
}

fn inside(inner: &Origin, outer: &Origin) -> bool {
    inner.file == outer.file
        && outer.span.start <= inner.span.start
        && inner.span.end <= outer.span.end
}

fn written<'a>(ctx: &'a Context<'_>, at: &Origin) -> Option<&'a str> {
    if at.file != FileId::MAIN {
        return None;
    }
    ctx.tree
        .text()
        .get(at.span.start as usize..at.span.end as usize)
}
