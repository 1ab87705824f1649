use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::facts::{applies_to, main_rules, MainRule};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::paths;
use crate::model::precedence::{decide, Arg};
use crate::model::secrets::{self, Access};
use crate::model::{vocabulary, Action, FilterValue, PathPattern};

const DOC: &str = r#"## What it does
Reports a unix socket that file rules deny while outbound network is allowed for it: a
path ending in `.sock` or `.socket`, or a socket of `grammar/secrets.tsv` (ssh-agent,
gpg-agent, Docker) inside a denied folder.

## Why is this a problem on a real Mac?
`connect()` to a unix socket is `network-outbound`, not a file read or write: `(deny
file-read* file-write* (literal "/var/run/docker.sock"))` does not stop a client from
talking to Docker when `(allow network-outbound)` is in the profile, and Docker's socket
is a way out of any sandbox (eugene1g/agent-safehouse#36). gemini-cli's `*-open`
profiles have this shape. Denying a folder does not close the sockets in it either: "A
Docker / ssh-agent / gpg-agent socket is a control plane" (microsoft/mxc#749).

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow network-outbound)
(deny file-read* file-write* (literal "/private/var/run/docker.sock"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow network-outbound)
(deny file-read* file-write* (literal "/private/var/run/docker.sock"))
(deny network-outbound (remote unix-socket (path-literal "/private/var/run/docker.sock")))
```

```sbpl expect_diagnostic
(version 1)
(deny default)
(allow network-outbound)
(allow file-read* (subpath "/Users/me"))
(deny file-read* file-write* (subpath "/Users/me/.gnupg"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow network-outbound)
(allow file-read* (subpath "/Users/me"))
(deny file-read* file-write* network-outbound (subpath "/Users/me/.gnupg"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB312",
        name: "socket-reachable-by-network",
        severity: Severity::Warning,
        summary: "a unix socket denied to file rules but reachable by `network-outbound`",
        doc: DOC,
    },
    check: Check::File(check),
};

fn is_socket(path: &str) -> bool {
    [".sock", ".socket", ".sock.raw"]
        .iter()
        .any(|end| path.ends_with(end))
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(outbound) = vocabulary().op_id("network-outbound") else {
        return;
    };
    let rules = &ctx.model.rules;
    // Found once: per deny rule it read every rule again (10 s on a 4 MB profile).
    let homes = std::cell::OnceCell::new();
    for MainRule { rule, span, .. } in main_rules(ctx) {
        let Some(filter) = &rule.filter else { continue };
        if rule.action != Action::Deny
            || !(applies_to(rule, "file-read-data") || applies_to(rule, "file-write-data"))
            || applies_to(rule, "network-outbound")
        {
            continue;
        }
        let mut reached: Vec<String> = Vec::new();
        let mut by = None;
        let mut tried: Vec<String> = Vec::new();
        for leaf in filter.positive_leaves() {
            match &leaf.value {
                FilterValue::Path(PathPattern::Literal(p)) if is_socket(p) => {
                    tried.push(paths::resolve(p));
                }
                // The sockets of `grammar/secrets.tsv` inside a denied folder
                // (microsoft/mxc#749: ssh-agent, gpg-agent, Docker).
                FilterValue::Path(PathPattern::Subpath(dir)) => tried.extend(
                    secrets::inside_homes(
                        homes.get_or_init(|| secrets::homes(rules)),
                        &paths::resolve(dir),
                        Access::Socket,
                    )
                        .into_iter()
                        .map(|(_, w)| w),
                ),
                _ => {}
            }
        }
        for resolved in tried {
            if reached.contains(&resolved) {
                continue;
            }
            let decision = decide(rules, outbound, &Arg::Socket(resolved.clone()));
            if decision.certainly(Action::Allow, rules) {
                if let Some(i) = decision.rule {
                    by.get_or_insert(i);
                    reached.push(resolved);
                }
            }
        }
        let Some(i) = by else { continue };
        let names: Vec<String> = reached.iter().map(|p| format!("`{p}`")).collect();
        let mut d = ctx
            .report(
                &RULE.meta,
                span,
                format!(
                    "{} denied to file operations, but `connect()` to a unix socket is `network-outbound`, which this profile allows",
                    names.join(", ") + if names.len() == 1 { " is" } else { " are" }
                ),
                "does not stop a client from connecting",
            )
            .with_note(format!(
                "deny the connection too: `(deny network-outbound (remote unix-socket (path-literal \"{}\")))` (eugene1g/agent-safehouse#36)",
                reached[0]
            ));
        if let Some(at) = rules[i].main_span() {
            d = d.with_secondary(at, "allows the connection");
        }
        out.push(d);
    }
}
