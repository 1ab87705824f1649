use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::Issue;

const DOC: &str = r#"## What it does
Reports a call whose head is neither an SBPL form, nor a Scheme built-in, nor defined by
the profile (or its preludes and imports), and suggests the closest known name.

The built-ins are every name libsandbox's Scheme defines before a profile runs
(`grammar/builtins.tsv`, each with its source): TinyScheme's primitives and init.scm,
libsandbox's natives (`split-string`, `disable-callouts`, `%entitlement-load` …), and the
SBPL prelude and version 1 library of macOS 10.15 (`sbpl.scm`, `prelude.scm`, `sbpl1.scm`
in public copies of `/System/Library/Sandbox`) and of 10.12-10.14 (0xbf00/simbple). Those
whose value can be known are evaluated (`split-string`, `_IO`, `substring` …); the others
give an unknown value, never a finding.

## Why is this a problem on a real Mac?
libsandbox evaluates the profile with TinyScheme: a misspelt `alow` is an unbound
variable, and `sandbox-exec` refuses the whole profile with a terse error.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(alow file-read* (literal "/"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow file-read* (literal "/"))
```

When an `import` cannot be found, names it may define are not reported.
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB004",
        name: "unknown-function",
        severity: Severity::Error,
        summary: "a call of a name nothing defines",
        doc: DOC,
    },
    check: Check::File(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for issue in &ctx.model.issues {
        if let Issue::UnknownFunction {
            span,
            name,
            suggestion,
        } = issue
        {
            let label = match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => "not defined".to_string(),
            };
            out.push(ctx.report(
                &RULE.meta,
                *span,
                format!("unknown function `{name}`"),
                label,
            ));
        }
    }
}
