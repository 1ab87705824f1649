use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::{vocabulary, FileId};
use crate::syntax::Span;

const DOC: &str = r#"## What it does
Reports a filter that the rule's operations never consult, such as a path filter on
`mach-lookup` or a `global-name` on `file-read*`, using the filter categories each
operation accepts (simbple's macOS 10.15 tables; operations without that data are not
checked).

## Why is this a problem on a real Mac?
The filter can never match for that operation: an allow grants nothing, a deny blocks
nothing, and the author believes otherwise.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow mach-lookup (literal "/usr/lib/libSystem.B.dylib"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow mach-lookup (global-name "com.apple.system.logger"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB108",
        name: "filter-not-applicable",
        severity: Severity::Warning,
        summary: "a filter the rule's operations never consult",
        doc: DOC,
    },
    check: Check::Rule(check),
};

/// Categories whose filters name one kind of object; others (process, extension …)
/// apply broadly and are not checked.
const CHECKED: &[&str] = &[
    "path",
    "mach",
    "sysctl",
    "posix-ipc",
    "preference-domain",
    "network",
    "xattr",
    "notification",
];

/// Runs on the rules shown in the checked file: a rule with a leaf written there was made
/// by evaluating a form of the file.
fn check(ctx: &Context<'_>, rule: &crate::model::Rule, _span: Span, out: &mut Vec<Diagnostic>) {
    let vocab = vocabulary();
    let Some(filter) = &rule.filter else { return };
    // A wildcard consults whatever the operations below it do.
    if rule.operations.is_empty()
        || rule
            .operations
            .iter()
            .any(|op| vocab.operation(op.id).is_wildcard)
    {
        return;
    }
    for leaf in filter.leaves() {
        if leaf.origin.file != FileId::MAIN
            || !rule
                .operations
                .iter()
                .all(|op| vocab.consults(op.id, leaf.name) == Some(false))
            || !CHECKED.contains(&leaf.category())
        {
            continue;
        }
        let refused: Vec<&str> = rule
            .operations
            .iter()
            .map(|op| op.written.as_str())
            .collect();
        out.push(
            ctx.report(
                &RULE.meta,
                leaf.origin.span,
                format!(
                    "`{}` never consults `{}`: this filter matches nothing for it",
                    refused.join("`, `"),
                    leaf.written
                ),
                format!("a {} filter", leaf.category()),
            )
            .with_note("use a filter of the kind the operation checks (paths for file-*, global-name for mach-lookup …)"),
        );
    }
}
