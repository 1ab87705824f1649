use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::lint::facts::{append_form, main_leaves};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::paths::{under, PRIVATE_LINKS};
use crate::model::precedence::{decide, Arg};
use crate::model::{vocabulary, Action, FilterValue, PathPattern};


const DOC: &str = r#"## What it does
Reports an allow of `/private/tmp`, `/private/var` or `/private/etc` or a path under one
in a profile that denies `file-read-metadata` on the symlink programs reach it through
(`/tmp`, `/var`, `/etc`).

## Why is this a problem on a real Mac?
Programs open `/tmp/x`, `$TMPDIR/x` (under `/var/folders`) or `/etc/hosts`, not the
`/private` spelling. The kernel checks the resolved path, and resolving the link on the
way also needs `file-read-metadata` on the link itself: on macOS 14.4.1, with
`/private/var/tmp/canon` (and even `/var/tmp/canon`) allowed, reading `/var/tmp/canon`
was denied while `/private/var/tmp/canon` worked, and allowing the metadata of `/tmp`
made `/tmp/foo` readable (Protonk/SANDBOX_LORE `book/experiments/vfs-canonicalization/`).
That the link's metadata is what is checked is the reading that fits every run; the
outcomes are observed. `sblint explain` shows the traversal for any such path.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow file-read-data (literal "/"))
(allow file* (subpath "/private/tmp/build"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow file-read-data (literal "/"))
(allow file* (subpath "/private/tmp/build"))
(allow file-read-metadata (literal "/tmp"))
```

## Fix
Appends `(allow file-read-metadata (literal "/tmp"))` (or `/var`, `/etc`) at the end of
the profile, where no later rule overrides it (safe: it lets programs reach what the
profile already allows, and reveals only the link's own metadata).
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB210",
        name: "symlink-traversal-denied",
        severity: Severity::Warning,
        summary: "`/private/tmp`, `/private/var` or `/private/etc` allowed, but the link programs reach it through is not",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = ctx.model;
    if !model.complete || model.missing_import {
        return;
    }
    let Some(metadata) = vocabulary().op_id("file-read-metadata") else {
        return;
    };
    for link in PRIVATE_LINKS {
        let private = format!("/private{link}");
        // The first certain allow of a path below the link's target that the file wrote.
        let Some(at) = main_leaves(ctx).find_map(|(rule, leaf, at)| {
            // The target itself counts: `(subpath "/private/tmp")` is reached as `/tmp/…`
            // too (mcp-python-exec-sandbox).
            let reaches = matches!(&leaf.value, FilterValue::Path(
                PathPattern::Literal(p) | PathPattern::Subpath(p) | PathPattern::Prefix(p)
            ) if under(p, &private));
            (rule.action == Action::Allow && rule.certain && reaches).then_some(at)
        }) else {
            continue;
        };
        let decision = decide(&model.rules, metadata, &Arg::Path(link.to_string()));
        if !decision.certainly(Action::Deny, &model.rules) {
            continue;
        }
        let by = decision
            .rule
            .and_then(|i| model.rules[i].main_span())
            .filter(|s| *s != at);
        let mut d = ctx
            .report(
                &RULE.meta,
                at,
                format!(
                    "programs reach this through `{link}`, but `file-read-metadata` on `{link}` is denied: \
                     opening `{link}/…` fails"
                ),
                format!("under `{private}`"),
            )
            .with_note(format!(
                "the kernel resolves the `{link}` symlink on the way, which needs its metadata; \
                 observed on macOS 14.4.1 (SANDBOX_LORE vfs-canonicalization)"
            ))
            .with_fix(Fix {
                message: format!("allow the metadata of `{link}`"),
                applicability: Applicability::Safe,
                edits: vec![append_form(
                    ctx,
                    &format!("(allow file-read-metadata (literal \"{link}\"))"),
                )],
            });
        if let Some(by) = by {
            d = d.with_secondary(by, format!("denies `file-read-metadata` on `{link}`"));
        }
        out.push(d);
    }
}
