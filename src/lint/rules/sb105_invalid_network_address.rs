use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::Issue;

const DOC: &str = r#"## What it does
Reports a network address libsandbox cannot parse: a host other than `*` or
`localhost`, a port that is not `*` or 0–65535, or an unknown protocol.

## Why is this a problem on a real Mac?
SBPL cannot filter by IP address or host name. `(remote ip "127.0.0.1:8080")` does not
narrow the rule: the whole profile fails to compile (zeroclaw#4764, and the post that
started this project).

## Example
```sbpl expect_diagnostic
(version 1)
(allow network-outbound (remote ip "127.0.0.1:8080"))
```

Use instead:
```sbpl
(version 1)
(allow network-outbound (remote ip "localhost:8080"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB105",
        name: "invalid-network-address",
        severity: Severity::Error,
        summary: "a host, port or protocol libsandbox cannot parse",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for issue in &ctx.model.issues {
        if let Issue::InvalidNetworkAddress {
            span,
            message,
            label,
        } = issue
        {
            out.push(ctx.report(&RULE.meta, *span, message.clone(), label.clone()));
        }
    }
}
