use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::lint::facts::{rule_leaves, string_token};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::{vocabulary, Action, FilterValue, PathPattern};
use crate::syntax::Span;

const DOC: &str = r#"## What it does
Reports a path ending with `/` where what it leaves out matters: a `literal` (the kernel
checks paths without a trailing slash, so it matches nothing), and a `subpath` whose rule
is about the directory itself: a deny of reading, listing, renaming or removing it, or an
allow of listing or reading its metadata.

## Why is this a problem on a real Mac?
`(subpath "/x/")` still covers everything below `/x` (Apple's own 10.15 trustd profile
grants its cache writes that way: knightsc/sandbox_profiles `com.apple.trustd.sb`), but
whether it matches the directory `/x` itself is unverified: nothing recorded on a Mac
settles it (`sblint explain` says so for that path). So `(deny file-read* (subpath
"/x/"))` may still let a program list `/x`. A rule the directory cannot matter to is not
reported: `(deny process-exec (subpath "/Applications/X.app/Contents/MacOS/"))` (a
directory cannot be executed), `(allow file-write* (subpath "/x/"))` (files below are
written, not the directory).

## Example
```sbpl expect_diagnostic
(version 1)
(allow default)
(deny file-read* (subpath "/Users/me/secrets/"))
```

Use instead:
```sbpl
(version 1)
(allow default)
(deny file-read* (subpath "/Users/me/secrets"))
```

## Fix
Removes the trailing slash: safe for a `literal`; unsafe for a `subpath` (it then
certainly matches the directory itself too).
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB203",
        name: "trailing-slash",
        severity: Severity::Warning,
        summary: "a path ending in `/` may not match the directory it names",
        doc: DOC,
    },
    check: Check::Rule(check),
};

/// Operations on a directory itself, as opposed to the files below it: listing (data),
/// `stat` (metadata), and renaming, removing or changing it.
const ON_THE_DIRECTORY: &[&str] = &[
    "file-read-data",
    "file-read-metadata",
    "file-write-unlink",
    "file-write-create",
    "file-write-mode",
    "file-write-owner",
    "file-write-flags",
    "file-write-times",
    "file-write-xattr",
];

/// Of those, the ones an allow must give for the directory to be usable: listing it and
/// reading its metadata.
const TO_USE_THE_DIRECTORY: &[&str] = &["file-read-data", "file-read-metadata"];

/// Whether one of the rule's operations reaches one of `ops`.
fn reaches(rule: &crate::model::Rule, ops: &[&str]) -> bool {
    let vocab = vocabulary();
    rule.operations.iter().any(|op| {
        ops.iter()
            .filter_map(|name| vocab.op_id(name))
            .any(|target| vocab.covers(op.id, target))
    })
}

fn check(ctx: &Context<'_>, rule: &crate::model::Rule, _span: Span, out: &mut Vec<Diagnostic>) {
    // Rules the directory itself matters to: computed once, for the first subpath leaf.
    let mut matters: Option<bool> = None;
    for (leaf, at) in rule_leaves(rule) {
        let (path, literal) = match &leaf.value {
            FilterValue::Path(PathPattern::Literal(p)) => (p, true),
            FilterValue::Path(PathPattern::Subpath(p)) => (p, false),
            _ => continue,
        };
        if path.len() < 2 || !path.ends_with('/') {
            continue;
        }
        let trimmed = path.trim_end_matches('/');
        let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
        let message = if literal {
            format!(
                "`{path}` ends with `/`: the kernel checks paths without one, so `{}` matches nothing",
                leaf.written
            )
        } else {
            let deny = rule.action == Action::Deny;
            let directory = *matters.get_or_insert_with(|| {
                reaches(rule, if deny { ON_THE_DIRECTORY } else { TO_USE_THE_DIRECTORY })
            });
            if !directory {
                continue;
            }
            if deny {
                format!(
                    "`{path}` ends with `/`: the subpath covers what is below `{trimmed}`, but \
                     whether it matches `{trimmed}` itself is unverified, so this deny may \
                     leave listing or renaming it allowed"
                )
            } else {
                format!(
                    "`{path}` ends with `/`: the subpath covers what is below `{trimmed}`, but \
                     whether it matches `{trimmed}` itself is unverified, so programs may not \
                     be able to list or `stat` it"
                )
            }
        };
        let mut d = ctx.report(&RULE.meta, at, message, format!("write `{trimmed}`"));
        if let Some((_, text)) = string_token(ctx, at).filter(|(_, t)| t.contains(&**path)) {
            d = d.with_fix(Fix {
                message: format!("remove the trailing slash: `{trimmed}`"),
                applicability: if literal {
                    Applicability::Safe
                } else {
                    Applicability::Unsafe
                },
                edits: vec![Edit {
                    span: at,
                    content: text.replacen(&**path, trimmed, 1),
                }],
            });
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::{self, CheckOptions};
    use crate::model::precedence::{decide, Arg};
    use crate::model::{vocabulary, Action, Model, ModelOptions};
    use crate::syntax::parse;

    /// What `sblint explain` decides for `op path`: (action, conditional).
    fn explain(text: &str, op: &str, path: &str) -> (Option<Action>, bool) {
        let tree = parse(text.to_string());
        let model = Model::new(&tree, &[], &ModelOptions::default());
        let id = vocabulary().op_id(op).unwrap();
        let d = decide(&model.rules, id, &Arg::Path(path.into()));
        (d.action, d.conditional())
    }

    fn sb203(text: &str) -> usize {
        let report = lint::check_text("p.sb", text.to_string(), &CheckOptions::default());
        report.diagnostics.iter().filter(|d| d.code == "SB203").count()
    }

    /// SB203 says whether `(subpath "/x/")` matches `/x` is unverified; `explain` says the
    /// same (a conditional decision at `/x`), and both say everything below is covered.
    #[test]
    fn explain_and_sb203_agree_on_a_trailing_slash() {
        let deny = "(version 1)\n(allow default)\n(deny file-read* (subpath \"/Users/me/s/\"))\n";
        assert_eq!(sb203(deny), 1);
        assert_eq!(
            explain(deny, "file-read-data", "/Users/me/s"),
            (Some(Action::Allow), true)
        );
        assert_eq!(
            explain(deny, "file-read-data", "/Users/me/s/key"),
            (Some(Action::Deny), false)
        );
        // A directory cannot be executed: nothing SB203 should say, and below is denied.
        let exec = "(version 1)\n(allow default)\n(deny process-exec (subpath \"/A.app/Contents/MacOS/\"))\n";
        assert_eq!(sb203(exec), 0);
        assert_eq!(
            explain(exec, "process-exec*", "/A.app/Contents/MacOS/A"),
            (Some(Action::Deny), false)
        );
    }
}
