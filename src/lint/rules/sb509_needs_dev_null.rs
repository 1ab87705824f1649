use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::lint::rules::needs;

const DOC: &str = r#"## What it does
Reports a profile that denies writing `/dev/null` (`grammar/essentials.tsv`, row
`dev-null-write`): a warning when a rule with a filter denies it, an info when `(deny
default)` does in a profile that lets programs run `/bin/sh`.

## Why is this a problem on a real Mac?
Every shell discards output with `>/dev/null`; with the write denied, redirections fail
and builds stop. Homebrew's build sandbox denied `/dev/null` by resolving a shell history
file that was a link to it (Homebrew/brew@5c3ed300d6, "Fixes #23156"; its fix: "Keep
`/dev/null` writable when history files link to it").

## Example
```sbpl expect_diagnostic
(version 1)
(allow default)
(deny file-write* (literal "/dev/null"))
```

Use instead:
```sbpl
(version 1)
(allow default)
(deny file-write* (literal "/Users/me/.zsh_history"))
```

## Fix
Appends the grant of `gemini-cli/sandbox-macos-strict-open.sb` (unsafe: it widens the
sandbox).
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB509",
        name: "needs-dev-null",
        severity: Severity::Warning,
        summary: "writing `/dev/null` denied: redirections fail",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let rows = needs::denied(ctx, &RULE.meta);
    let Some(&(_, denier)) = rows.first() else {
        return;
    };
    if ctx.model.rules[denier].filter.is_some() {
        needs::report(
            ctx,
            &RULE.meta,
            Severity::Warning,
            "every shell writes `/dev/null`",
            &rows,
            out,
        );
    } else if needs::runs_shell(ctx) {
        needs::report(
            ctx,
            &RULE.meta,
            Severity::Info,
            "this profile lets programs run `/bin/sh`",
            &rows,
            out,
        );
    }
}
