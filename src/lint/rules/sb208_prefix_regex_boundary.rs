use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::applematch::ast::Kind;
use crate::model::{FilterValue, PathPattern};
use crate::syntax::Span;

use super::sb104_invalid_regex::regex_in_token;

const DOC: &str = r#"## What it does
Reports a path regex that is `^` and a literal path ending inside a name, with nothing
after it: `^/private/tmp/abc`. Device paths (`^/dev/ttys`) are left alone: they are
named by prefix on purpose.

## Why is this a problem on a real Mac?
Regexes are unanchored at the end, so `^/private/tmp/abc` matches every path that starts
with those bytes: `/private/tmp/abc/x`, but also `/private/tmp/abcdef` and
`/private/tmp/abc.secret` (valon-technologies/gestalt#382). If the rule means the
directory and what is below it, write `(subpath "/private/tmp/abc")`, or end the regex at
a component boundary with `(/|$)`. Sometimes the prefix is meant: Apple's own profiles
write `^/Library/Keychains/System\.keychain` to cover the files written beside it
(`System.keychain-journal`); then say so with a suppression comment.

## Example
```sbpl expect_diagnostic
(version 1)
(allow file-write* (regex #"^/private/tmp/gstp-abc"))
```

Use instead:
```sbpl
(version 1)
(allow file-write* (subpath "/private/tmp/gstp-abc"))
(allow file-write* (regex #"^/private/tmp/gstp-abc(/|$)"))
```

## Fix
Appends `(/|$)` (unsafe: the rule then matches less), when the regex is written as one
string.
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB208",
        name: "prefix-regex-boundary",
        severity: Severity::Info,
        summary: "`^/a/b` with no `/` or `$` after it also matches `/a/bc`",
        doc: DOC,
    },
    check: Check::Leaf(check),
};

fn check(ctx: &Context<'_>, leaf: &crate::model::Filter, at: Span, out: &mut Vec<Diagnostic>) {
    let FilterValue::Path(PathPattern::Regex(r)) = &leaf.value else {
        return;
    };
    let b = r.as_bytes();
    // `^/x/y`: anchored, at least two components, ending inside a name. Devices are
    // named by prefix on purpose (`^/dev/ttys` for every terminal).
    if !b.starts_with(b"^/")
        || b.starts_with(b"^/dev/")
        || b.len() < 4
        || !b[2..].contains(&b'/')
        || !b.last().is_some_and(|c| c.is_ascii_alphanumeric())
    {
        return;
    }
    let Ok(tree) = crate::model::applematch::parse(b) else {
        return;
    };
    let Kind::Concat(xs) = &tree.root.kind else {
        return;
    };
    let literal = xs[1..]
        .iter()
        .all(|x| matches!(x.kind, Kind::Literal { .. }));
    if !matches!(xs[0].kind, Kind::Start) || !literal {
        return;
    }
    let path: Vec<u8> = xs[1..]
        .iter()
        .filter_map(|x| match x.kind {
            Kind::Literal { byte, .. } => Some(byte),
            _ => None,
        })
        .collect();
    let path = String::from_utf8_lossy(&path).into_owned();
    let mut d = ctx.report(
        &RULE.meta,
        at,
        format!(
            "`{r}` also matches `{path}more` and `{path}.x`: there is no component boundary after `{path}`"
        ),
        "no `/` or `$` at the end",
    );
    d = d.with_note(format!(
        "for the directory and what is below it write `(subpath \"{path}\")`, or end the regex with `(/|$)`"
    ));
    if let Some((base, body)) = regex_in_token(ctx, at).filter(|(_, body)| *body == &**r) {
        let end = base + body.len() as u32;
        d = d.with_fix(Fix {
            message: "end the regex with `(/|$)`".into(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                span: Span::new(end, end),
                content: "(/|$)".into(),
            }],
        });
    }
    out.push(d);
}
