use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::facts::rule_leaves;
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::{vocabulary, Action, FilterValue, PathPattern};
use crate::syntax::Span;

const DOC: &str = r#"## What it does
Points out a path regex that does not start with `^` (an info), and warns about a regex
in a write allow that ends in a name but not with `$` (`#"^/usr/local/etc/.*\.log"`).

## Why is this a problem on a real Mac?
SBPL regexes are unanchored: `#"/\.ssh/"` matches that text anywhere in a path, for
instance inside a project checkout, which is rarely what an allow rule means. And they match a prefix of the path unless they
end with `$`: `#"^/usr/local/etc/.*\.log"` lets a program write `/usr/local/etc/a.logx`
and anything under a directory named `a.log…` (dnscrypt-proxy's profile).

## Example
```sbpl expect_diagnostic
(version 1)
(allow file-read* (regex #"/Library/Caches/"))
```

Use instead:
```sbpl
(version 1)
(allow file-read* (regex #"^/Users/[^/]+/Library/Caches/"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB205",
        name: "unanchored-regex",
        severity: Severity::Info,
        summary: "a path regex without `^` matches anywhere in the path; a write regex without `$` goes on past its name",
        doc: DOC,
    },
    check: Check::Rule(check),
};

/// The operations a write allow may name: creating or writing a file.
const WRITES: &[&str] = &["file-write-create", "file-write-data"];

fn check(ctx: &Context<'_>, rule: &crate::model::Rule, _span: Span, out: &mut Vec<Diagnostic>) {
    let writes = || {
        let vocab = vocabulary();
        rule.action == Action::Allow
            && rule.operations.iter().any(|o| {
                WRITES
                    .iter()
                    .filter_map(|w| vocab.op_id(w))
                    .any(|w| vocab.covers(o.id, w))
            })
    };
    for (leaf, at) in rule_leaves(rule) {
        let FilterValue::Path(PathPattern::Regex(r)) = &leaf.value else {
            continue;
        };
        if !r.starts_with('^') {
            out.push(ctx.report(
                &RULE.meta,
                at,
                format!("`{r}` is not anchored: it matches anywhere in a path"),
                "add `^` to match from the start",
            ));
            continue;
        }
        // A write allow that ends in a name after a repetition (`.*\.log`) but not with `$`
        // also covers every path that goes on past it (`x.logs/anything`). Patterns ending
        // in `*`, `/` or a group are left to SB204 or read as meant.
        let tail: String = r
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        // A literal regex with no `$` (`^/dev/ttys`) is a prefix on purpose; a repetition
        // before the name (`.*\.log`) says the name was meant to end the path.
        let head = &r[..r.len() - tail.len()];
        let suffix_meant = head.contains('*') || head.contains('+');
        if !tail.is_empty() && suffix_meant && !r.ends_with('$') && writes() {
            let mut d = ctx.report(
                &RULE.meta,
                at,
                format!(
                    "`{r}` has no `$`: this write allow also covers every path that goes on \
                     past `{tail}` (`…{tail}x`, `…{tail}/anything`)"
                ),
                "add `$` to end the match",
            );
            d.severity = Severity::Warning;
            out.push(d.with_note(
                "regexes match a prefix of the path unless they end with `$`; write \
                 `(/|$)` to also cover what is below a directory",
            ));
        }
    }
}
