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
    // The deny may come from a file read before this one (a prelude, the files that ship
    // first). Then the finding is this file's only when it allows something on `/` itself
    // but not its data (Codex's restricted-read base: the metadata of `/` after the base's
    // `(deny default)`, openai/codex#46406); other fragments may rely on what the tool
    // that assembles them adds.
    let (span, label) = match denier.main_span() {
        Some(span) => (span, "this rule denies reading `/`"),
        None => {
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
            match names_root {
                Some(r) => (
                    r.origin.span,
                    "allows `/` only for these operations; a file read before this one denies reading its data",
                ),
                None => return,
            }
        }
    };
    let mut d = ctx.report(
        &RULE.meta,
        span,
        "reading `/` is denied: programs abort before they start",
        label,
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
