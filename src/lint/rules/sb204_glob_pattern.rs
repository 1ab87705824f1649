use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::regex::looks_like_glob;
use crate::model::{FilterValue, PathPattern};

const DOC: &str = r#"## What it does
Reports a `*` in a `literal`, `subpath` or `prefix` path, and a regex written like a
shell glob such as `#"^/usr/lib/*"` or `#"\.md*"` (a letter then `*` at the end, with
no `$`).

## Why is this a problem on a real Mac?
Path filters take no wildcards: `(literal "/Users/*/Library")` matches only a directory
literally named `*`. In a regex, `/*` means "any number of slashes", so `^/usr/lib/*`
matches `/usr/lib` and also `/usr/libexec`, not "everything in /usr/lib". (The post that
started this project lists exactly this regex as an example.) `\.md*` is "`.m` then any
number of `d`", and with no `$` it matches every name containing `.m`: dnscrypt-proxy's
profile wrote `\.md*` and `\.tmp*` for `*.md*` and `*.tmp*`.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow file-read* (regex #"^/usr/lib/*"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow file-read* (subpath "/usr/lib"))
(allow file-read* (regex #"^/Users/[^/]+/Library/"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB204",
        name: "glob-pattern",
        severity: Severity::Warning,
        summary: "a glob where SBPL wants a path or a regex",
        doc: DOC,
    },
    check: Check::Leaf(check),
};

fn check(
    ctx: &Context<'_>,
    leaf: &crate::model::Filter,
    at: crate::syntax::Span,
    out: &mut Vec<Diagnostic>,
) {
    let FilterValue::Path(pattern) = &leaf.value else {
        return;
    };
    let (message, note) = match pattern {
        PathPattern::Regex(r) if trailing_star(r) => (
            {
                let (prefix, letter) = r.split_at(r.len() - 2);
                let letter = &letter[..1];
                format!("`{r}` is written like a glob: `{letter}*` means \"any number of `{letter}`\", and with no `$` the regex matches every path that `{prefix}` matches, whatever follows")
            },
            "for \"then anything\" write `.*`; to end the match write `$`",
        ),
        PathPattern::Regex(r) if looks_like_glob(r) => (
            format!("`{r}` is written like a glob: in a regex `/*` means \"any number of `/`\""),
            "for everything below a directory write `(subpath \"/dir\")` or `#\"^/dir/\"`; for one path component write `[^/]+`",
        ),
        PathPattern::Literal(p) | PathPattern::Subpath(p) | PathPattern::Prefix(p) if p.contains('*') => (
            format!("`{p}`: `{}` takes no wildcards, `*` matches only itself", leaf.written),
            "use `(regex #\"^...\")` with `[^/]+` for one path component, or `subpath` for a whole tree",
        ),
        _ => return,
    };
    out.push(
        ctx.report(&RULE.meta, at, message, "not a glob")
            .with_note(note),
    );
}

/// A regex ending in an ordinary character and `*` (`\.md*`): a glob's "anything" written
/// where the regex repeats the letter, and with no `$` the repetition bounds nothing.
fn trailing_star(regex: &str) -> bool {
    let b = regex.as_bytes();
    let n = b.len();
    n >= 3
        && b[n - 1] == b'*'
        && b[n - 2].is_ascii_alphanumeric()
        && b[n - 3] != b'\\'
        && !regex.contains('$')
}
