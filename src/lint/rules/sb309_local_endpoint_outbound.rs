use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::facts::{applies_to, network_leaves};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::Action;
use crate::syntax::Span;

const DOC: &str = r#"## What it does
Reports `(allow network-outbound (local ...))`.

## Why is this a problem on a real Mac?
`local` filters on the local end of the connection, which every outbound connection has:
`(allow network-outbound (local ip "*:*"))` allows all outbound traffic. To allow
connections to this machine, filter the remote end: `(remote ip "localhost:*")`.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow network-outbound (local ip "*:*"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow network-outbound (remote ip "localhost:*"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB309",
        name: "local-endpoint-outbound",
        severity: Severity::Warning,
        summary: "`local` on an outbound allow matches every connection",
        doc: DOC,
    },
    check: Check::Rule(check),
};

fn check(ctx: &Context<'_>, rule: &crate::model::Rule, span: Span, out: &mut Vec<Diagnostic>) {
    if rule.action != Action::Allow || !applies_to(rule, "network-outbound") {
        return;
    }
    // With a `remote` filter beside it, the rule already says what it allows.
    if !network_leaves(rule).any(|n| n.local) || network_leaves(rule).any(|n| !n.local) {
        return;
    }
    out.push(
        ctx.report(
            &RULE.meta,
            span,
            "`local` matches the local end: this allows all outbound traffic",
            "filters the wrong end",
        )
        .with_note("to allow connections to this machine write `(remote ip \"localhost:*\")`"),
    );
}
