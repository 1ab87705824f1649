use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::applematch::ast::{ClassItem, Kind};
use crate::model::{FilterValue, PathPattern};
use crate::syntax::Span;

use super::sb104_invalid_regex::regex_in_token;

const DOC: &str = r#"## What it does
Reports a bracket class of one letter or digit in a path regex: `notes[1]\.txt`.

## Why is this a problem on a real Mac?
`[1]` is the character `1`, so `^/Users/me/notes[1]\.txt$` matches `notes1.txt`, not the
file `notes[1].txt` it seems to name. Tools that turn paths or globs into regexes let
such brackets through, and the rule then protects another file
(anthropic-experimental/sandbox-runtime#576). For the brackets themselves write `\[1\]`;
for the character alone drop the brackets. (`[.]` is left alone: it is a common way to
write a literal dot.)

In a deny this is a deny that does not hold (the file it names stays open): a warning. In
an allow it is an info.

## Example
```sbpl expect_diagnostic
(version 1)
(deny file-read* (regex #"^/Users/me/notes[1]\.txt$"))
```

Use instead:
```sbpl
(version 1)
(deny file-read* (regex #"^/Users/me/notes\[1\]\.txt$"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB209",
        name: "one-byte-class",
        severity: Severity::Info,
        summary: "`[1]` in a path regex is just `1`, not the brackets",
        doc: DOC,
    },
    check: Check::Leaf(check),
};

fn check(ctx: &Context<'_>, leaf: &crate::model::Filter, at: Span, out: &mut Vec<Diagnostic>) {
    let FilterValue::Path(PathPattern::Regex(r)) = &leaf.value else {
        return;
    };
    if !r.contains('[') {
        return;
    }
    let Ok(tree) = crate::model::applematch::parse(r.as_bytes()) else {
        return;
    };
    let token = regex_in_token(ctx, at).filter(|(_, body)| *body == &**r);
    for node in tree.root.walk() {
        let Kind::Class(c) = &node.kind else {
            continue;
        };
        let [ClassItem::Byte(b)] = c.items[..] else {
            continue;
        };
        if c.negated || !b.is_ascii_alphanumeric() {
            continue;
        }
        let ch = b as char;
        let message = format!(
            "`[{ch}]` matches the character `{ch}` only, not the brackets: write `\\[{ch}\\]` for a path with brackets, or `{ch}` alone"
        );
        let d = match token {
            Some((base, _)) => ctx
                .report(
                    &RULE.meta,
                    Span::new(base + node.span.start as u32, base + node.span.end as u32),
                    message,
                    format!("just `{ch}`"),
                )
                .with_secondary(at, "in this regex"),
            None => ctx.report(&RULE.meta, at, message, "this regex"),
        };
        // In a deny, the rule does not protect the file it spells: a deny that does not
        // hold (issue 22 §1).
        let d = if in_deny(ctx, leaf) {
            let mut d = d.with_note(format!(
                "this deny does not hold for the file it spells: it matches `{ch}`, not `[{ch}]`"
            ));
            d.severity = Severity::Warning;
            d
        } else {
            d
        };
        out.push(d);
    }
}

/// True when `leaf` belongs to a deny rule.
fn in_deny(ctx: &Context<'_>, leaf: &crate::model::Filter) -> bool {
    ctx.model.rules.iter().any(|r| {
        r.action == crate::model::Action::Deny
            && r.filter
                .iter()
                .flat_map(|f| f.leaves())
                .any(|l| std::ptr::eq(l, leaf))
    })
}
