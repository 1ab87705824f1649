use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::facts::{any_address, names_under};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::Action;
use crate::syntax::Span;

const DOC: &str = r#"## What it does
Reports an allow of `network*`, `network-outbound`, `network-inbound` or `network-bind`
with no filter or with `"*:*"`.

## Why is this a problem on a real Mac?
Code in the sandbox can then reach any host on any port (or listen on any port): the
usual way data leaves a machine. SBPL cannot filter by host, so a narrow profile allows
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
    if rule.action != Action::Allow || !names_under(rule, "network*") || !any_address(rule) {
        return;
    }
    let broad: Vec<&str> = rule
        .operations
        .iter()
        .filter(|o| {
            matches!(
                o.written.as_str(),
                "network*" | "network-outbound" | "network-inbound" | "network-bind"
            )
        })
        .map(|o| o.written.as_str())
        .collect();
    if broad.is_empty() {
        return;
    }
    out.push(
        ctx.report(
            &RULE.meta,
            span,
            format!("`{}` is allowed to any host and port", broad.join("`, `")),
            "no address filter",
        )
        .with_note(
            "allow only what is needed, e.g. `(remote tcp \"localhost:PORT\")` for a local proxy",
        ),
    );
}
