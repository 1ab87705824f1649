use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::facts::{main_rules, network_leaves, MainRule};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::precedence::{decide, Arg};
use crate::model::rule::Port;
use crate::model::{vocabulary, Action};

const DOC: &str = r#"## What it does
Reports a profile where outbound network is allowed by default (or by a broad allow) and
blocked port by port.

## Why is this a problem on a real Mac?
Blocking port 80 does not close the network: `curl http://example.com` fails but
`curl https://example.com` works (observed in the post that started this project), and
so does every other port. A deny list of ports never ends; allow what is needed instead.

## Example
```sbpl expect_diagnostic
(version 1)
(allow default)
(deny network-outbound (remote ip "*:80"))
```

Use instead:
```sbpl
(version 1)
(allow default)
(deny network-outbound)
(allow network-outbound (remote tcp "localhost:3128"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB302",
        name: "port-deny-list",
        severity: Severity::Warning,
        summary: "outbound traffic blocked port by port: every other port stays open",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if !ctx.model.complete {
        return;
    }
    let vocab = vocabulary();
    let Some(outbound) = vocab.op_id("network-outbound") else {
        return;
    };
    // A port nobody writes: if it is allowed, the deny list leaves other ports open.
    let probe = Arg::Network {
        host: "example.com".into(),
        port: 47_321,
        local: false,
    };
    let decision = decide(&ctx.model.rules, outbound, &probe);
    if !decision.certainly(Action::Allow, &ctx.model.rules) {
        return;
    }
    for MainRule { rule, span, .. } in main_rules(ctx) {
        if rule.action != Action::Deny
            || !rule.operations.iter().any(|o| vocab.covers(o.id, outbound))
        {
            continue;
        }
        let ports: Vec<String> = network_leaves(rule)
            .filter(|n| !n.local)
            .filter_map(|n| match n.port {
                Port::Number(p) => Some(p.to_string()),
                Port::Any => None,
            })
            .collect();
        if ports.is_empty() {
            continue;
        }
        out.push(
            ctx.report(
                &RULE.meta,
                span,
                format!(
                    "only port {} is blocked: every other port stays open",
                    ports.join(", ")
                ),
                "a deny list of ports",
            )
            .with_note("deny `network-outbound` as a whole and allow the few addresses you need"),
        );
    }
}
