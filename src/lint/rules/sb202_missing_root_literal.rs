use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::lint::facts::append_form;
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::precedence::{decide, Arg};
use crate::model::{vocabulary, Action};


const DOC: &str = r#"## What it does
Reports a profile where file reads are denied (by `(deny default)`, `(deny file*)` or
`(deny file-read*)`), some reads are allowed back, but `/` itself cannot be read.

## Why is this a problem on a real Mac?
Nearly every program reads the root directory while it starts: without it `ls` and
Python abort with `Abort trap: 6` before doing anything (the post that started this
project; jdx/mise PR #12263). Allowing only `file-read-metadata` on `/` is not enough.

## Example
```sbpl expect_diagnostic
(version 1)
(allow default)
(deny file*)
(allow file-read* (subpath "/bin") (subpath "/private/tmp/asdf"))
```

Use instead:
```sbpl
(version 1)
(allow default)
(deny file*)
(allow file-read* (subpath "/bin") (subpath "/private/tmp/asdf") (literal "/"))
```

## Fix
Appends `(allow file-read-data (literal "/"))` (unsafe: it widens the sandbox, by
exactly what programs need).
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB202",
        name: "missing-root-literal",
        severity: Severity::Warning,
        summary: "file reads are restricted but `/` itself is not readable: programs abort",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = ctx.model;
    if !model.complete {
        return;
    }
    let vocab = vocabulary();
    let Some(read_data) = vocab.op_id("file-read-data") else {
        return;
    };
    let decision = decide(&model.rules, read_data, &Arg::Path("/".into()));
    // A rule whose filter takes a value sblint does not know (an unset `param` …) may
    // allow `/`: say that the answer depends on it instead of staying silent.
    let unknown = decision.action == Some(Action::Deny)
        && !decision.certainly(Action::Deny, &model.rules)
        && decision
            .undecided
            .iter()
            .all(|&i| model.rules[i].filter.as_ref().is_some_and(|f| f.has_unknown()));
    if !decision.certainly(Action::Deny, &model.rules) && !unknown {
        return;
    }
    let Some(denier) = decision.rule.map(|i| &model.rules[i]) else {
        return;
    };
    // Some read must be allowed back, or the profile simply denies reading.
    let reads_allowed = model.rules.iter().any(|r| {
        r.action == Action::Allow
            && r.filter.is_some()
            && r.operations.iter().any(|o| vocab.covers(o.id, read_data))
    });
    if !reads_allowed {
        return;
    }
    let Some(span) = denier.main_span() else {
        return;
    };
    let mut d = ctx.report(
        &RULE.meta,
        span,
        "reading `/` is denied: programs abort before they start",
        "this rule denies reading `/`",
    );
    if unknown {
        d.severity = Severity::Info;
        d.message = "reading `/` may be denied: only a rule whose filter takes a value sblint \
                     does not know could allow it"
            .into();
        let params: Vec<String> = model
            .unset_params
            .iter()
            .map(|p| format!("`{p}`"))
            .collect();
        if !params.is_empty() {
            d = d.with_note(format!(
                "not checked: the value of {} (give it with `--param NAME=VALUE` or `params` in sblint.toml)",
                params.join(", ")
            ));
        }
        if let Some(at) = decision.undecided.first().and_then(|&i| model.rules[i].main_span()) {
            d = d.with_secondary(at, "may allow it, depending on the unknown value");
        }
    } else if model.missing_import {
        // Apple's `system.sb` grants `(allow file-read* (literal "/"))` (documented for
        // macOS 26.3: luizribeiro/lab lockin/docs/macos-seatbelt-baseline.md); what an
        // import sblint could not read grants is unknown.
        d.severity = Severity::Info;
        d.message = "reading `/` may be denied: nothing here allows it, but an import \
                     that could not be read may (Apple's `system.sb` does)"
            .into();
    }
    out.push(
        d.with_note("add `(literal \"/\")` to a `file-read*` allow, or `(allow file-read-data (literal \"/\"))`")
        .with_fix(Fix {
            message: "allow reading `/` itself".into(),
            applicability: Applicability::Unsafe,
            edits: vec![append_form(ctx, "(allow file-read-data (literal \"/\"))")],
        }),
    );
}
