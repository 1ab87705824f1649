use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::facts::{any_address, names_under, network_leaves};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::rule::Port;
use crate::model::{vocabulary, Action};
use crate::syntax::Span;

const DOC: &str = r#"## What it does
Reports an allow of `network*`, `network-outbound`, `network-inbound` or `network-bind`
with no filter or with `"*:*"`, and an allow of `network-inbound` or `network-bind` whose
local end is any address and port (`(local ip)`, `(local udp "*:*")`) when the profile
allows both binding and accepting that way.

## Why is this a problem on a real Mac?
Code in the sandbox can then reach any host on any port (or listen on any port): the
usual way data leaves a machine. On the local end of `network-bind` or `network-inbound`
an address with no port means listening on every port, for any host. SBPL cannot filter by host, so a narrow profile allows
`localhost` ports (a local proxy) and nothing else.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow network*)
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow network-outbound (remote tcp "localhost:3128"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB301",
        name: "broad-network",
        severity: Severity::Warning,
        summary: "network access to any host and port",
        doc: DOC,
    },
    check: Check::Rule(check),
};

fn check(ctx: &Context<'_>, rule: &crate::model::Rule, span: Span, out: &mut Vec<Diagnostic>) {
    if rule.action != Action::Allow || !names_under(rule, "network*") {
        return;
    }
    let (ops, message, note): (&[&str], &str, &str) = if any_address(rule) {
        (
            &["network*", "network-outbound", "network-inbound", "network-bind"],
            "allowed to any host and port",
            "allow only what is needed, e.g. `(remote tcp \"localhost:PORT\")` for a local proxy",
        )
    } else if local_any(rule)
        && listens_anywhere(ctx, "network-bind")
        && listens_anywhere(ctx, "network-inbound")
    {
        // The local end of a listening socket is where it accepts: with binding and
        // accepting both open on any local address and port, the sandbox can serve any
        // host on every port (Firefox's Flash profile). Binding limited to some ports
        // limits where it accepts too (dnscrypt-proxy): not reported.
        (
            &["network*", "network-inbound", "network-bind"],
            "allowed on any local port, with binding and accepting both open: the sandbox can accept connections from any host on every port",
            "allow only the port the program serves, e.g. `(local tcp \"localhost:8080\")`",
        )
    } else {
        return;
    };
    let broad: Vec<&str> = rule
        .operations
        .iter()
        .filter(|o| ops.contains(&o.written.as_str()))
        .map(|o| o.written.as_str())
        .collect();
    if broad.is_empty() {
        return;
    }
    out.push(
        ctx.report(
            &RULE.meta,
            span,
            format!(
                "`{}` {} {message}",
                broad.join("`, `"),
                if broad.len() > 1 { "are" } else { "is" }
            ),
            "no address filter",
        )
        .with_note(note),
    );
}

/// A `local` address filter for any address and port (not a unix socket).
fn local_any(rule: &crate::model::Rule) -> bool {
    network_leaves(rule)
        .any(|n| n.local && n.host == "*" && n.port == Port::Any && !n.protocol.starts_with("unix"))
}

/// Whether some allow (in any file read) gives `op` on any local address and port: no
/// filter, or a `local` one for any address and port.
fn listens_anywhere(ctx: &Context<'_>, op: &str) -> bool {
    let vocab = vocabulary();
    let Some(id) = vocab.op_id(op) else {
        return false;
    };
    ctx.model.rules.iter().any(|r| {
        r.action == Action::Allow
            && r.certain
            && r.operations.iter().any(|o| vocab.covers(o.id, id))
            && (r.filter.is_none() || local_any(r))
    })
}
