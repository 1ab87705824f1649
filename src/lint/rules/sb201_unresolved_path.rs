use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::lint::facts::{main_leaves, string_token};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use rustc_hash::FxHashSet;

use crate::model::paths::{resolved, DATA_VOLUME, PRIVATE_LINKS};
use crate::model::{Action, FilterValue, PathPattern};

const DOC: &str = r#"## What it does
Reports a path spelled through `/tmp`, `/var` or `/etc` (symlinks into `/private`) or
through `/System/Volumes/Data`, in `literal`, `subpath`, `prefix` and in regexes that
start with `^/tmp` and the like.

## Why is this a problem on a real Mac?
The kernel checks the resolved path: `touch /tmp/asdf/foo` is checked as
`/private/tmp/asdf/foo`, so `(subpath "/tmp/asdf")` never matches (observed with
`sandbox-exec` on macOS 13 and 14: the post that started this project). An allow grants
nothing; a deny protects nothing.

## Example
```sbpl expect_diagnostic
(version 1)
(allow default)
(deny file-write*)
(allow file-write* (subpath "/tmp/asdf"))
```

Use instead:
```sbpl
(version 1)
(allow default)
(deny file-write*)
(allow file-write* (subpath "/private/tmp/asdf"))
```

## Fix
Rewrites the path to the form the kernel checks (safe: it makes the rule do what it says).
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB201",
        name: "unresolved-path",
        severity: Severity::Warning,
        summary: "`/tmp`, `/var`, `/etc` or `/System/Volumes/Data`: the kernel checks another path",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut found = Vec::new();
    for (rule, leaf, at) in main_leaves(ctx) {
        let FilterValue::Path(pattern) = &leaf.value else {
            continue;
        };
        // `(literal "/tmp")` is the symlink itself, which `lstat` checks as written.
        if let PathPattern::Literal(p) = pattern {
            if PRIVATE_LINKS.contains(&&**p) {
                continue;
            }
        }
        let (written, resolved) = match pattern {
            PathPattern::Regex(r) => {
                let Some(body) = r.strip_prefix('^') else {
                    continue;
                };
                if !matches!(body.as_bytes(), [b'/', b't' | b'v' | b'e' | b'S', ..]) {
                    continue;
                }
                let path_end = body
                    .find(|c: char| "\\.[]()*+?{}|$".contains(c))
                    .unwrap_or(body.len());
                let head = &body[..path_end];
                let Some(resolved) = resolved(head) else {
                    continue;
                };
                if !resolved.starts_with("/private") && !head.starts_with(DATA_VOLUME) {
                    continue;
                }
                (&**r, format!("^{resolved}{}", &body[path_end..]))
            }
            other => match resolved(other.text()) {
                Some(resolved) => (other.text(), resolved),
                None => continue,
            },
        };
        found.push((rule, pattern, at, written, resolved));
    }
    if found.is_empty() {
        return;
    }
    // Paths the profile also spells the resolved way: its author covered both.
    let spelled: FxHashSet<(Action, &str)> = ctx
        .model
        .rules
        .iter()
        .flat_map(|r| {
            r.filter.iter().flat_map(move |f| {
                f.leaves().filter_map(move |l| match &l.value {
                    FilterValue::Path(p) => Some((r.action, p.text())),
                    _ => None,
                })
            })
        })
        .collect();
    for (rule, pattern, at, written, resolved) in found {
        if !matches!(pattern, PathPattern::Regex(_))
            && spelled.contains(&(rule.action, resolved.as_str()))
        {
            continue;
        }
        let data_volume = written.trim_start_matches('^').starts_with(DATA_VOLUME);
        let message = if data_volume {
            format!("`{written}` goes through the data volume: the kernel checks `{resolved}`")
        } else {
            format!("`{written}` never matches: the kernel checks `{resolved}`")
        };
        let mut d = ctx.report(&RULE.meta, at, message, format!("write `{resolved}`"));
        // Only a string written right here can be rewritten.
        let token = string_token(ctx, at);
        if let Some((_, token_text)) = token.filter(|(_, t)| t.contains(written)) {
            d = d.with_fix(Fix {
                message: format!("rewrite to `{resolved}`"),
                applicability: Applicability::Safe,
                edits: vec![Edit {
                    span: at,
                    content: token_text.replacen(written, &resolved, 1),
                }],
            });
        }
        out.push(d);
    }
}
