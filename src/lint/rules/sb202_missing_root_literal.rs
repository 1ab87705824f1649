use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::lint::facts::append_form;
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::precedence::{decide, Arg, Decision};
use crate::model::{vocabulary, Action, Model, OpId, Rule as ModelRule};
use crate::syntax::Span;


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

/// How the profile decides reading `/`, when it is denied or may be.
struct RootDenied {
    decision: Decision,
    /// True when only a rule whose filter takes an unknown value could allow it.
    unknown: bool,
}

/// Where the finding goes and what its label says.
struct Anchor {
    span: Span,
    label: &'static str,
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let model = ctx.model;
    if !model.complete {
        return;
    }
    let Some(read_data) = vocabulary().op_id("file-read-data") else {
        return;
    };
    let Some(RootDenied { decision, unknown }) = root_denied(model, read_data) else {
        return;
    };
    let Some(denier) = decision.rule.map(|i| &model.rules[i]) else {
        return;
    };
    // Some read must be allowed back, or the profile simply denies reading.
    if !reads_allowed_back(model, read_data) {
        return;
    }
    let Some(Anchor { span, label }) = anchor(model, denier) else {
        return;
    };
    let mut d = ctx.report(
        &RULE.meta,
        span,
        "reading `/` is denied: programs abort before they start",
        label,
    );
    if unknown {
        d = as_unknown_value(d, model, &decision);
    } else if model.missing_import {
        d = as_missing_import(d, model);
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

/// The decision on reading `/` when it is surely denied or only an unknown value could allow it.
fn root_denied(model: &Model, read_data: OpId) -> Option<RootDenied> {
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
        return None;
    }
    Some(RootDenied { decision, unknown })
}

/// True when a filtered allow gives some file reads back.
fn reads_allowed_back(model: &Model, read_data: OpId) -> bool {
    let vocab = vocabulary();
    model.rules.iter().any(|r| {
        r.action == Action::Allow
            && r.filter.is_some()
            && r.operations.iter().any(|o| vocab.covers(o.id, read_data))
    })
}

/// Where to report: the denying rule, or this file's allow naming `/` when the deny comes
/// from a file read before it; `None` when the finding is not this file's.
fn anchor(model: &Model, denier: &ModelRule) -> Option<Anchor> {
    // The deny may come from a file read before this one (a prelude, the files that ship
    // first). Then the finding is this file's only when it allows something on `/` itself
    // but not its data (Codex's restricted-read base: the metadata of `/` after the base's
    // `(deny default)`, openai/codex#46406); other fragments may rely on what the tool
    // that assembles them adds.
    if let Some(span) = denier.main_span() {
        return Some(Anchor {
            span,
            label: "this rule denies reading `/`",
        });
    }
    let root = Arg::Path("/".into());
    let names_root = model.rules.iter().find(|r| {
        r.action == Action::Allow
            && r.origin.file == crate::model::FileId::MAIN
            && r.filter.iter().flat_map(|f| f.leaves()).any(|leaf| {
                matches!(leaf.value, crate::model::FilterValue::Path(_))
                    && crate::model::precedence::leaf_matches(leaf, &root)
                        == crate::model::precedence::Truth::Yes
            })
    });
    names_root.map(|r| Anchor {
        span: r.origin.span,
        label: "allows `/` only for these operations; a file read before this one denies reading its data",
    })
}

/// The finding as an info: only a rule whose filter takes an unknown value could allow `/`.
fn as_unknown_value(mut d: Diagnostic, model: &Model, decision: &Decision) -> Diagnostic {
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
    d
}

/// The finding as an info: an import sblint could not read may allow `/`.
fn as_missing_import(mut d: Diagnostic, model: &Model) -> Diagnostic {
    // Apple's `system.sb` grants `(allow file-read* (literal "/"))` (documented for
    // macOS 26.3: luizribeiro/lab lockin/docs/macos-seatbelt-baseline.md); what an
    // import sblint could not read grants is unknown.
    d.severity = Severity::Info;
    let apple = model.issues.iter().any(|i| {
        matches!(i, crate::model::Issue::Import { apple: true, .. })
    });
    d.message = if apple {
        // `bsd.sb` imports `system.sb` (grammar/apple-profiles.tsv).
        "reading `/` is likely allowed by Apple's `system.sb` (imported here or through \
         `bsd.sb`; documented for macOS 26.3, unverified on older versions), which \
         sblint cannot read"
    } else {
        "reading `/` may be denied: nothing here allows it, but an import that could \
         not be read may (Apple's `system.sb` does)"
    }
    .into();
    d
}

#[cfg(test)]
mod tests {
    use crate::lint::{self, CheckOptions};

    fn sb202(prelude: &str, text: &str) -> Vec<u32> {
        let options = CheckOptions {
            preludes: vec![lint::load_prelude("base.sb", prelude.as_bytes().to_vec())],
            ..CheckOptions::default()
        };
        let report = lint::check_text("fragment.sb", text.to_string(), &options);
        report
            .diagnostics
            .iter()
            .filter(|d| d.code == "SB202")
            .map(|d| report.line_col(d.primary.span.start).line)
            .collect()
    }

    #[test]
    fn a_fragment_that_allows_only_the_metadata_of_root_after_a_prelude_deny() {
        let base = "(version 1)\n(deny default)\n";
        // Codex's restricted-read base (openai/codex#46406).
        let metadata = "(allow file-read* (subpath \"/usr/lib\"))\n\
                        (allow file-read-metadata (literal \"/\") (literal \"/tmp\"))\n";
        assert_eq!(sb202(base, metadata), vec![2]);
        // A fragment that does not name `/` may rely on what its assembler adds.
        assert!(sb202(base, "(allow file-read* (subpath \"/usr/lib\"))\n").is_empty());
        // Data of `/` allowed: nothing to say.
        let data = "(allow file-read* (literal \"/\") (subpath \"/usr/lib\"))\n";
        assert!(sb202(base, data).is_empty());
    }

    #[test]
    fn apples_system_profile_is_said_to_grant_root_as_an_info() {
        let text = "(version 1)\n(import \"bsd.sb\")\n(deny default)\n\
                    (allow file-read* (subpath \"/usr\"))\n";
        let report = lint::check_text("p.sb", text.to_string(), &CheckOptions::default());
        let d = report.diagnostics.iter().find(|d| d.code == "SB202").unwrap();
        assert_eq!(d.severity, crate::diagnostic::Severity::Info);
        assert!(d.message.contains("Apple's `system.sb`"), "{}", d.message);
    }
}
