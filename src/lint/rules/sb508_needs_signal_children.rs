use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::lint::facts::{append_form, applies_to, default_action};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::lint::rules::needs;
use crate::model::essentials;
use crate::model::{Action, FilterValue};

const DOC: &str = r#"## What it does
Reports a profile that denies by default and lets programs run `/bin/sh`, but allows
`signal` only to the program itself (`(target self)`, which Apple's `policy.scm` already
allows) or not at all (`grammar/essentials.tsv`, row `signal-children`).

## Why is this a problem on a real Mac?
A shell, a test runner or a timeout signals its own children. `(target self)` does not
reach them: microsoft/mxc measured a script that "exits 0 in 19ms" with `(target
same-sandbox)` exit 1 after 5.0 s with `(target self)` (microsoft/mxc#934); nono saw
orphans pile up and keyboard input slow down (nolabs-ai/nono#558). Children run in the
same sandbox, so `(target same-sandbox)` reaches them and nothing outside.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow process-exec process-fork)
(allow file-read*)
(allow signal (target self))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow process-exec process-fork)
(allow file-read*)
(allow signal (target same-sandbox))
```

## Fix
Appends `(allow signal (target same-sandbox))`, as `openai-codex/seatbelt_base_policy.sbpl`
has it (unsafe: it widens the sandbox).
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB508",
        name: "needs-signal-children",
        severity: Severity::Info,
        summary: "programs may run but not signal their children: hangs and orphans",
        doc: DOC,
    },
    check: Check::File(check),
};

/// The value of a `target` leaf: `self`, `same-sandbox`, `children`, `others` …
fn target(leaf: &crate::model::Filter) -> Option<&str> {
    match &leaf.value {
        FilterValue::Atom(v) if leaf.name.as_str() == "target" => Some(v),
        _ => None,
    }
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some((Action::Deny, deny_default)) = default_action(ctx) else {
        return;
    };
    if !needs::runs_shell(ctx) || !ctx.model.complete || ctx.model.missing_import {
        return;
    }
    let rules = &ctx.model.rules;
    let allows: Vec<usize> = (0..rules.len())
        .filter(|&i| {
            let r = &rules[i];
            r.action == Action::Allow
                && applies_to(r, "signal")
                && r.operations.iter().all(|o| o.id != ctx.model.vocabulary().default)
        })
        .collect();
    // Any allow that may reach another process of the sandbox is enough.
    let reaches_others = allows.iter().any(|&i| match &rules[i].filter {
        None => true,
        Some(f) => f.leaves().any(|leaf| target(leaf) != Some("self")),
    });
    if reaches_others {
        return;
    }
    let Some(row) = essentials::table().iter().find(|r| r.id == "signal-children") else {
        return;
    };
    let at = allows.first().copied().unwrap_or(deny_default);
    let Some(span) = rules[at].main_span() else {
        return;
    };
    let message = if allows.is_empty() {
        "this profile lets programs run `/bin/sh`, but no rule lets them signal their children"
    } else {
        "this profile lets programs run `/bin/sh`, but `(target self)` does not reach their children"
    };
    out.push(
        ctx.report(&RULE.meta, span, message, "signals only the program itself")
            .with_note(format!(
                "without it: {} (reported in {}; macOS: {})",
                row.symptom,
                row.sources.join(", "),
                row.macos
            ))
            .with_fix(Fix {
                message: "allow signals within the sandbox".into(),
                applicability: Applicability::Unsafe,
                edits: vec![append_form(ctx, row.grant)],
            }),
    );
}
