use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::applematch::ast::{Kind, Node};
use crate::model::{FilterValue, NamePattern, PathPattern};
use crate::syntax::Span;

use super::sb104_invalid_regex::regex_in_token;

const DOC: &str = r#"## What it does
Reports an unescaped `.` between two letters or digits of a regex, as in
`^/Users/first.last/` or `^com.example.agent$`: a dot that reads like part of a literal
name.

## Why is this a problem on a real Mac?
In a regex `.` matches any character, so `^/Users/first.last/` also matches
`/Users/firstXlast/`, and an allow written so grants more than the path it names
(navikt/cplt#552: a home directory pasted into a regex unescaped). Write `\.` for the
character itself, or build the regex with `regex-quote`. It is an info, not a warning:
the extra matches are seldom real paths, and Apple's own profiles are full of such dots
(`SystemConfiguration.framework`).

## Example
```sbpl expect_diagnostic
(version 1)
(allow file-read* (regex #"^/Users/first.last/Documents/"))
```

Use instead:
```sbpl
(version 1)
(allow file-read* (regex #"^/Users/first\.last/Documents/"))
```

## Fix
Writes `\.` (unsafe: the regex then matches less, which is what the name says but not
what the profile did), when the regex is written as one string.
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB207",
        name: "unescaped-dot",
        severity: Severity::Info,
        summary: "an unescaped `.` inside a name in a regex matches any character",
        doc: DOC,
    },
    check: Check::Leaf(check),
};

fn literal_name_byte(n: &Node) -> bool {
    matches!(n.kind, Kind::Literal { byte, escaped: false } if byte.is_ascii_alphanumeric())
}

fn check(ctx: &Context<'_>, leaf: &crate::model::Filter, at: Span, out: &mut Vec<Diagnostic>) {
    let (FilterValue::Path(PathPattern::Regex(r)) | FilterValue::Name(NamePattern::Regex(r))) =
        &leaf.value
    else {
        return;
    };
    // Regexes with no `.` between letters or digits need no parse.
    let b = r.as_bytes();
    if !b
        .windows(3)
        .any(|w| w[1] == b'.' && w[0].is_ascii_alphanumeric() && w[2].is_ascii_alphanumeric())
    {
        return;
    }
    let Ok(tree) = crate::model::applematch::parse(b) else {
        return;
    };
    let token = regex_in_token(ctx, at).filter(|(_, body)| *body == &**r);
    for node in tree.root.walk() {
        let Kind::Concat(xs) = &node.kind else {
            continue;
        };
        for (k, x) in xs.iter().enumerate() {
            if !matches!(x.kind, Kind::Any) || k == 0 || k + 1 == xs.len() {
                continue;
            }
            if !(literal_name_byte(&xs[k - 1]) && literal_name_byte(&xs[k + 1])) {
                continue;
            }
            // The name around the dot, for the message.
            let (mut lo, mut hi) = (k - 1, k + 1);
            while lo > 0 && (literal_name_byte(&xs[lo - 1]) || matches!(xs[lo - 1].kind, Kind::Any)) {
                lo -= 1;
            }
            while hi + 1 < xs.len()
                && (literal_name_byte(&xs[hi + 1]) || matches!(xs[hi + 1].kind, Kind::Any))
            {
                hi += 1;
            }
            let name = String::from_utf8_lossy(&b[xs[lo].span.start..xs[hi].span.end]).into_owned();
            let message = format!(
                "`.` in `{name}` matches any character, not only a dot: write `\\.` for the dot"
            );
            let mut d = match token {
                Some((base, _)) => {
                    let dot = Span::new(base + x.span.start as u32, base + x.span.end as u32);
                    ctx.report(&RULE.meta, dot, message, "any character")
                        .with_secondary(at, "in this regex")
                        .with_fix(Fix {
                            message: "write `\\.`".into(),
                            applicability: Applicability::Unsafe,
                            edits: vec![Edit {
                                span: dot,
                                content: "\\.".into(),
                            }],
                        })
                }
                None => ctx.report(&RULE.meta, at, message, "this regex"),
            };
            if d.fix.is_none() {
                d = d.with_note("write `\\.` for the dot");
            }
            out.push(d);
        }
    }
}
