use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::facts::default_action;
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::secrets::{self, Access, Exposure, Match, Weight};
use crate::model::Action;

const DOC: &str = r#"## What it does
Reports a rule that lets the program read or write a secret (`grammar/secrets.tsv`: SSH
and GnuPG keys, cloud, registry and git credentials, keychains, password managers,
browser cookies and logins, shell history, `.env` files) in a profile that confines: it
denies by default, or it denies some secret. One finding per rule, with the secrets it
exposes and a witness for each that `sblint explain` confirms.

Credentials warn. Personal data (history, mail) is an info. A project's `.env` files warn
only where the profile denies some `.env` (it means to protect them); else an info, or
every profile that lets a build read its sources would warn. A rule that names the
secret itself (WebKit's network process allowing its cookie store by path) is intent: an
info.

Where it looks: each secret in `/Users/me` and in up to three more homes the profile
names (`/Users/NAME/...`), and `.env` in up to 24 folders: those homes and the project
folders under them that the profile's allow rules grant. A secret only a fifth home or a
25th folder would show is not looked for: these bounds keep the check linear on generated
profiles.

## Why is this a problem on a real Mac?
An agent or build sandbox is there to keep code from reaching these files. A broad
allow reaches them anyway: `(allow file-read-data)` added for dyld under `(deny
default)` bypassed every read root (avalan-ai/avalan#1060); a workspace allow on
`file-read-data` beat a `file-read*` deny of `.env` (fencesandbox/fence#184); a later
`~/Repos` allow re-opened the `.env` deny (navikt/cplt#55); with `$HOME` as a project
folder a sandboxed child read `~/.ssh/id_rsa` in full (SII-Holos/synergy#1440).

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow file-read-data)
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow file-read* (subpath "/usr/lib") (subpath "/System/Library"))
```

```sbpl expect_diagnostic
(version 1)
(deny default)
(deny file-read* (regex #"/\.env$"))
(allow file-read* (subpath "/Users/me/Repos"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow file-read* (subpath "/Users/me/Repos"))
(deny file-read* (regex #"/\.env$"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB313",
        name: "secret-exposed",
        severity: Severity::Warning,
        summary: "a confining profile lets the program read or write a secret",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = ctx.model;
    if !model.complete || model.missing_import {
        return;
    }
    let rules = &model.rules;
    let confines = matches!(default_action(ctx), Some((Action::Deny, _)))
        || secrets::protects_some(rules);
    if !confines {
        return;
    }
    let found = secrets::exposures(rules, Access::File);
    let mut by_rule: Vec<usize> = found.iter().map(|e| e.rule).collect();
    by_rule.sort_unstable();
    by_rule.dedup();
    for i in by_rule {
        let Some(span) = rules[i].main_span() else {
            continue;
        };
        let mine: Vec<&Exposure> = found.iter().filter(|e| e.rule == i).collect();
        report(ctx, i, span, &mine, out);
    }
}

fn warns(ctx: &Context<'_>, e: &Exposure) -> bool {
    !e.named
        && match e.secret.weight {
            Weight::Credential => true,
            Weight::Personal => false,
            Weight::Project => secrets::protects_name(&ctx.model.rules, e.secret),
        }
}

fn report(
    ctx: &Context<'_>,
    i: usize,
    span: crate::syntax::Span,
    exposures: &[&Exposure],
    out: &mut Vec<Diagnostic>,
) {
    // One line per secret: its name, read and/or write, the first witness.
    let mut secrets_seen: Vec<&'static str> = Vec::new();
    for e in exposures {
        if !secrets_seen.contains(&e.secret.id) {
            secrets_seen.push(e.secret.id);
        }
    }
    let message = headline(exposures, &secrets_seen);
    let mut d = ctx.report(&RULE.meta, span, message, "exposes secrets");
    if !exposures.iter().any(|e| warns(ctx, e)) {
        d.severity = Severity::Info;
    }
    // The first secrets in full, the rest by name: a finding fits on a screen.
    const SHOWN: usize = 5;
    for id in secrets_seen.iter().take(SHOWN) {
        d = d.with_note(secret_note(ctx, exposures, id));
    }
    if secrets_seen.len() > SHOWN {
        let rest: Vec<String> = secrets_seen[SHOWN..]
            .iter()
            .map(|id| format!("`{}`", first_of(exposures, id).secret.path))
            .collect();
        d = d.with_note(format!("also exposed: {}", rest.join(", ")));
    }
    if let Some(fix) = deny_after(ctx, i, exposures) {
        d = d.with_note(format!(
            "if the program does not need them, deny them after this rule, on the same operations (a wildcard deny does not beat a more specific allow, fencesandbox/fence#184): `{fix}`"
        ));
    }
    out.push(d);
}

/// The first exposure of secret `id` (one the rule was found to expose).
fn first_of<'e>(exposures: &[&'e Exposure], id: &str) -> &'e Exposure {
    exposures
        .iter()
        .find(|e| e.secret.id == id)
        .expect("a secret seen among the exposures")
}

/// The finding's message: the first four secrets' paths, and how many more.
fn headline(exposures: &[&Exposure], secrets_seen: &[&'static str]) -> String {
    let names: Vec<String> = secrets_seen
        .iter()
        .take(4)
        .map(|id| format!("`{}`", first_of(exposures, id).secret.path))
        .collect();
    let more = secrets_seen.len().saturating_sub(names.len());
    let listed = if more > 0 {
        format!("{} and {more} more", names.join(", "))
    } else {
        names.join(", ")
    };
    if exposures.iter().all(|e| e.named) {
        format!("this rule opens a secret by name: {listed}")
    } else {
        format!("this rule lets the program reach secrets the profile confines: {listed}")
    }
}

/// The note on secret `id`: what it holds, read and/or write, a witness with the `explain`
/// command that shows it, why it is only an info, and its sources.
fn secret_note(ctx: &Context<'_>, exposures: &[&Exposure], id: &str) -> String {
    let e = first_of(exposures, id);
    let verbs: Vec<&str> = exposures
        .iter()
        .filter(|e| e.secret.id == id)
        .map(|e| match e.operation {
            "file-write-data" => "write",
            _ => "read",
        })
        .collect();
    let why = if e.named {
        " (named by this rule: intent)"
    } else if e.secret.weight == Weight::Project && !warns(ctx, e) {
        " (no rule denies such a file: an info)"
    } else {
        ""
    };
    format!(
        "`{}` ({}): {}, for example `{}` (`sblint explain {} {}` shows this rule){why}; listed in {}",
        e.secret.path,
        e.secret.holds,
        verbs.join(" and "),
        e.witness,
        e.operation,
        e.witness,
        e.secret.sources.join(", "),
    )
}

/// The deny to append: the operations the exposing rule names (`file-read*
/// file-write*` for `default`), over the secrets' paths.
fn deny_after(ctx: &Context<'_>, i: usize, exposures: &[&Exposure]) -> Option<String> {
    let rule = &ctx.model.rules[i];
    let vocab = crate::model::vocabulary();
    let mut ops: Vec<&str> = rule
        .operations
        .iter()
        .filter(|o| o.id != vocab.default)
        .map(|o| o.written.as_str())
        .collect();
    if ops.is_empty() {
        ops = vec!["file-read*", "file-write*"];
    }
    let mut filters: Vec<String> = Vec::new();
    for e in exposures.iter().filter(|e| !e.named) {
        let f = match e.secret.matching {
            Match::Name => format!("(regex #\"/{}$\")", regex_escape(e.secret.path)),
            Match::Literal | Match::Subpath => {
                let home = e
                    .witness
                    .strip_prefix("/Users/")
                    .and_then(|r| r.split('/').next())
                    .map(|n| format!("/Users/{n}"))
                    .unwrap_or_default();
                let at = e.secret.at(&home)?;
                if e.secret.matching == Match::Subpath {
                    format!("(subpath \"{at}\")")
                } else {
                    format!("(literal \"{at}\")")
                }
            }
        };
        if !filters.contains(&f) {
            filters.push(f);
        }
    }
    if filters.is_empty() {
        return None;
    }
    let shown = filters.len().min(3);
    let etc = if filters.len() > shown { " …" } else { "" };
    Some(format!(
        "(deny {} {}{etc})",
        ops.join(" "),
        filters[..shown].join(" ")
    ))
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if ".+*?()[]{}|^$\\".contains(c) {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect()
}
