use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::facts::{any_address, applies_to, default_action, main_rules, MainRule};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::{vocabulary, Action};

const DOC: &str = r#"## What it does
Reports a profile that allows reading every file and connecting anywhere: written out, or
through `(allow default)` when no rule without a filter denies reads or outbound network
afterwards (a profile that "only restricts writes" still lets every file leave the
machine).

## Why is this a problem on a real Mac?
Together they are an exfiltration path: code can read `~/.ssh`, browser cookies and
cloud credentials and send them out. Restrict one of the two: the reads to what the
program needs, or the network to a local proxy.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow file-read*)
(allow network-outbound)
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow file-read*)
(allow network-outbound (remote tcp "localhost:3128"))
```

```sbpl expect_diagnostic
(version 1)
(allow default)
(deny file-write*)
(allow file-write* (subpath "/Users/me/project"))
```

Use instead:
```sbpl
(version 1)
(allow default)
(deny file-write*)
(allow file-write* (subpath "/Users/me/project"))
(deny network*)
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB311",
        name: "read-all-with-network",
        severity: Severity::Warning,
        summary: "unfiltered reads plus unfiltered outbound network",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let before = out.len();
    written_out(ctx, out);
    // One finding says it: the rules written out, else the default.
    if out.len() == before {
        by_default(ctx, out);
    }
}

fn written_out(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let default = vocabulary().default;
    let explicit =
        |r: &crate::model::Rule| r.action == Action::Allow && r.certain && !r.names(default);
    let read_all = ctx
        .model
        .rules
        .iter()
        .find(|r| explicit(r) && r.filter.is_none() && applies_to(r, "file-read-data"));
    let Some(read_all) = read_all else { return };
    for MainRule { rule, span, .. } in main_rules(ctx) {
        if explicit(rule) && applies_to(rule, "network-outbound") && any_address(rule) {
            let mut d = ctx.report(
                &RULE.meta,
                span,
                "every file is readable and any host reachable: data can leave the machine",
                "outbound network to anywhere",
            );
            if let Some(read_span) = read_all.main_span() {
                d = d.with_secondary(read_span, "every file is readable here");
            }
            out.push(d);
        }
    }
}

/// `(allow default)` with neither reads nor outbound network denied by a rule without a
/// filter: every file the profile does not deny can be read and sent anywhere.
fn by_default(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some((Action::Allow, i)) = default_action(ctx) else {
        return;
    };
    let rules = &ctx.model.rules;
    let denied = |op: &str| {
        rules[i + 1..].iter().any(|r| {
            r.action == Action::Deny && r.certain && r.filter.is_none() && applies_to(r, op)
        })
    };
    if denied("file-read-data") || denied("network-outbound") {
        return;
    }
    let Some(span) = rules[i].main_span() else {
        return;
    };
    let mut d = ctx.report(
            &RULE.meta,
            span,
            "reads and outbound network are allowed by default: data can leave the machine",
            "every file no rule denies is readable, and any host reachable",
        );
    // A witness: a credential of `grammar/secrets.tsv` the profile lets be read.
    if let Some((secret, witness)) = crate::model::secrets::readable_credential(rules) {
        d = d.with_note(format!(
            "for example `{witness}` ({}) is readable (`sblint explain file-read-data {witness}`)",
            secret.holds
        ));
    }
    out.push(
        d
        .with_note(
            "deny one of the two: `(deny network*)` (or allow only a local proxy after it), \
             or `(deny file-read*)` and allow what the program reads",
        ),
    );
}
