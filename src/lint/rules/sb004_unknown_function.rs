use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::lint::structure::version_forms;
use crate::model::Issue;

const DOC: &str = r#"## What it does
Reports a call whose head is neither an SBPL form, nor a Scheme built-in, nor defined by
the profile (or its preludes and imports), and suggests the closest known name. A name
used as a value that nothing defines (`HOME` without a `define`, `(subpath PROJECT_DIR)`,
a word of plain text or of a shell script at the top level) is reported the same way: it
is an unbound variable too.

The built-ins are every name libsandbox's Scheme defines before a profile runs
(`grammar/builtins.tsv`, each with its source): TinyScheme's primitives and init.scm,
libsandbox's natives (`split-string`, `disable-callouts`, `%entitlement-load` …), and the
SBPL prelude and version 1 library of macOS 10.15 (`sbpl.scm`, `prelude.scm`, `sbpl1.scm`
in public copies of `/System/Library/Sandbox`) and of 10.12-10.14 (0xbf00/simbple). Those
whose value can be known are evaluated (`split-string`, `_IO`, `substring` …); the others
give an unknown value, never a finding.

## Why is this a problem on a real Mac?
libsandbox evaluates the profile with TinyScheme: a misspelt `alow` is an unbound
variable, and `sandbox-exec` refuses the whole profile with a terse error
(`sandbox-exec: unbound variable: setenv at <input string>, line 5`, exit 65, recorded in
ZaxbyHub/opencode-swarm#2590; `unbound variable: TIOCSTI` in openai/codex#45119).

A file checked on its own that is a fragment of a larger profile (no `(version 1)`, the
names it uses defined by the base it is appended to) gets a hint to pass the base with
`--prelude` instead of a suggestion.

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

```sbpl expect_diagnostic
(version 1)
(deny default)
(allow file-read* (subpath HOME))
```

Use instead:
```sbpl
(version 1)
(deny default)
(define HOME (param "HOME"))
(allow file-read* (subpath HOME))
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

/// What a name a fragment uses but does not define gets instead of a suggestion.
pub(crate) const FRAGMENT_HINT: &str =
    "if this file is a fragment of a larger profile, check it with its base: `--prelude BASE.sb`";

/// A file without a version of its own or from a prelude is likely a fragment whose names
/// its base defines (agent-safehouse's `profiles/*.sb`): the closest known name is then a
/// poor guess.
pub(crate) fn is_fragment(ctx: &Context<'_>) -> bool {
    version_forms(ctx.tree).next().is_none()
        && ctx
            .preludes
            .iter()
            .all(|p| version_forms(&p.tree).next().is_none())
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let fragment = is_fragment(ctx);
    // Past a syntax error the reader's recovery decides what a word is: a variable there
    // may be the rest of an unterminated string.
    let readable_until = ctx.tree.errors().first().map_or(u32::MAX, |e| e.span.start);
    for issue in &ctx.model.issues {
        let (span, name, suggestion, variable) = match issue {
            Issue::UnknownFunction {
                span,
                name,
                suggestion,
            } => (span, name, suggestion, false),
            Issue::UnboundVariable {
                span,
                name,
                suggestion,
            } if span.start < readable_until => (span, name, suggestion, true),
            _ => continue,
        };
        let label = match suggestion {
            Some(s) if !fragment => format!("did you mean `{s}`?"),
            _ => "not defined".to_string(),
        };
        let message = if variable {
            format!("unbound variable `{name}`: nothing defines it, so `sandbox-exec` refuses the profile")
        } else {
            format!("unknown function `{name}`")
        };
        let mut d = ctx.report(&RULE.meta, *span, message, label);
        if fragment {
            d = d.with_note(FRAGMENT_HINT);
        }
        out.push(d);
    }
}
