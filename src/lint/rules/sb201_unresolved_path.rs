use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::lint::facts::{main_leaves, string_token};
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use rustc_hash::FxHashSet;

use crate::model::paths::{resolved, without_dots, DATA_VOLUME, PRIVATE_LINKS};
use crate::model::{Action, FileId, Filter, FilterValue, PathPattern, Rule as ModelRule};
use crate::syntax::Span;

const DOC: &str = r#"## What it does
Reports a path spelled through `/tmp`, `/var` or `/etc` (symlinks into `/private`) or
through `/System/Volumes/Data`, in `literal`, `subpath`, `prefix` and in regexes that
start with `^/tmp` and the like; and a path with `..` or `.` components. Values of
`(param …)` given with `--param` are checked the same way: `TMPDIR=/var/folders/…` or a
directory under `/tmp` becomes a path that never matches.

## Why is this a problem on a real Mac?
The kernel checks the resolved path: `touch /tmp/asdf/foo` is checked as
`/private/tmp/asdf/foo`, so `(subpath "/tmp/asdf")` never matches (observed with
`sandbox-exec` on macOS 13 and 14: the post that started this project). An allow grants
nothing; a deny protects nothing. `..` is resolved before matching too, so a literal
containing it never matches (SANDBOX_LORE runtime-adversarial, path_edges).

## Example
```sbpl expect_diagnostic
(version 1)
(allow default)
(deny file-write*)
(allow file-write* (subpath "/tmp/asdf"))
```

Use instead:
```sbpl
(version 1)
(allow default)
(deny file-write*)
(allow file-write* (subpath "/private/tmp/asdf"))
```

Not reported: `(literal "/tmp")` (and `/var`, `/etc`), the symlink itself, which `lstat`
checks as written; `(literal "/System/Volumes/Data")`, the data volume's mount point,
also checked as written; and a path whose resolved spelling a rule of the same action
already covers (`(subpath "/etc")` beside `(subpath "/private")`, a `^/tmp/…` regex beside
its `^/private/tmp/…` twin). `(subpath "/etc")` alone is reported as matching only the
symlink.

## Fix
Rewrites the path to the form the kernel checks (safe: it makes the rule do what it says).
For `(subpath "/etc")` and the like it adds `(subpath "/private/etc")` beside it instead,
so that the rule still covers the symlink, which resolving `/etc/…` needs (unsafe: it
opens what is below the link, which the rule never matched).
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB201",
        name: "unresolved-path",
        severity: Severity::Warning,
        summary: "`/tmp`, `/var`, `/etc` or `/System/Volumes/Data`: the kernel checks another path",
        doc: DOC,
    },
    check: Check::File(check),
};

/// A path leaf of the checked file spelled through a link: how it is written and checked.
struct Found<'a> {
    rule: &'a ModelRule,
    leaf: &'a Filter,
    pattern: &'a PathPattern,
    at: Span,
    /// The text as written (a regex with its `^`).
    written: &'a str,
    /// The spelling the kernel checks.
    resolved: String,
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut found = Vec::new();
    for (rule, leaf, at) in main_leaves(ctx) {
        let FilterValue::Path(pattern) = &leaf.value else {
            continue;
        };
        let Some((written, resolved)) = spellings(pattern) else {
            continue;
        };
        found.push(Found {
            rule,
            leaf,
            pattern,
            at,
            written,
            resolved,
        });
    }
    if found.is_empty() {
        return;
    }
    // Paths the profile also covers the resolved way: its author covered both.
    let twins = Twins::new(ctx);
    for f in found {
        if twins.covered(f.rule.action, f.pattern, &f.resolved) {
            continue;
        }
        out.push(diagnose(ctx, &f));
    }
}

/// A path pattern's text as written and the spelling the kernel checks, when they differ
/// through `/tmp`, `/var`, `/etc` or the data volume.
fn spellings(pattern: &PathPattern) -> Option<(&str, String)> {
    // `(literal "/tmp")` is the symlink itself, which `lstat` checks as written, and
    // `/System/Volumes/Data` itself is the data volume's mount point (a recorded
    // denial reads `deny(1) file-read-metadata /System/Volumes/Data`).
    if let PathPattern::Literal(p) = pattern {
        if PRIVATE_LINKS.contains(&&**p) || **p == *DATA_VOLUME {
            return None;
        }
    }
    match pattern {
        PathPattern::Regex(r) => {
            let body = r.strip_prefix('^')?;
            if !matches!(body.as_bytes(), [b'/', b't' | b'v' | b'e' | b'S', ..]) {
                return None;
            }
            let path_end = body
                .find(|c: char| "\\.[]()*+?{}|$".contains(c))
                .unwrap_or(body.len());
            let head = &body[..path_end];
            let resolved = resolved(head)?;
            if !resolved.starts_with("/private") && !head.starts_with(DATA_VOLUME) {
                return None;
            }
            Some((&**r, format!("^{resolved}{}", &body[path_end..])))
        }
        other => resolved(other.text()).map(|resolved| (other.text(), resolved)),
    }
}

/// The warning for one path the kernel checks under another spelling, with its fix.
fn diagnose(ctx: &Context<'_>, f: &Found<'_>) -> Diagnostic {
    let (written, resolved) = (f.written, f.resolved.as_str());
    let data_volume = written.trim_start_matches('^').starts_with(DATA_VOLUME);
    // `(subpath "/etc")` matches the symlink itself, not what is below it.
    let link_itself = matches!(f.pattern, PathPattern::Subpath(p) if PRIVATE_LINKS.contains(&p.trim_end_matches('/')));
    let dots = !matches!(f.pattern, PathPattern::Regex(_)) && without_dots(written).is_some();
    let message = if dots {
        let dot = if written.contains("/..") { "`..`" } else { "`.`" };
        format!("`{written}` never matches: the kernel resolves {dot} first and checks `{resolved}`")
    } else if link_itself {
        format!(
            "`{written}` matches only the symlink itself: what is below it is checked as `{resolved}/…`"
        )
    } else if data_volume {
        format!("`{written}` goes through the data volume: the kernel checks `{resolved}`")
    } else {
        format!("`{written}` never matches: the kernel checks `{resolved}`")
    };
    let label = if link_itself {
        format!("add `{resolved}` beside it")
    } else {
        format!("write `{resolved}`")
    };
    let mut d = ctx.report(&RULE.meta, f.at, message, label);
    // Only a string written right here can be rewritten.
    let token = string_token(ctx, f.at);
    if token.is_none() && from_param(ctx, f.at) {
        d = d.with_note(format!(
            "the path comes from a `(param …)` value: pass the path the kernel checks, `{resolved}` (in a shell, `-D NAME=\"$(cd DIR && pwd -P)\"`: `pwd -P` resolves the links)"
        ));
    }
    if let Some((_, token_text)) = token.filter(|(_, t)| t.contains(written)) {
        d = d.with_fix(fix(f, token_text, link_itself));
    }
    d
}

/// The fix: the string rewritten to the resolved spelling, or, for a link matched itself,
/// the resolved twin added beside it.
fn fix(f: &Found<'_>, token_text: &str, link_itself: bool) -> Fix {
    let resolved = &f.resolved;
    let twin = token_text.replacen(f.written, resolved, 1);
    if link_itself && f.leaf.origin.file == FileId::MAIN {
        // Keep the symlink itself, add what is below it.
        let end = f.leaf.origin.span.end;
        // Unsafe: it opens what is below the link, which the rule never matched.
        Fix {
            message: format!("also match `{resolved}`"),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                span: Span::empty(end),
                content: format!(" ({} {twin})", f.leaf.written.as_str()),
            }],
        }
    } else {
        Fix {
            message: format!("rewrite to `{resolved}`"),
            applicability: Applicability::Safe,
            edits: vec![Edit {
                span: f.at,
                content: twin,
            }],
        }
    }
}

/// True when the expression at `at` (in the checked file) takes a `param`.
fn from_param(ctx: &Context<'_>, at: Span) -> bool {
    ctx.tree
        .text()
        .get(at.start as usize..at.end as usize)
        .is_some_and(|text| text.contains("(param "))
}

/// The path leaves of the profile by action: whether the resolved spelling of a pattern is
/// matched by another rule of the same action (`(subpath "/etc")` beside `(subpath
/// "/private")`; a `^/tmp/…` regex beside its `^/private/tmp/…` twin).
struct Twins<'a> {
    literals: FxHashSet<(Action, &'a str)>,
    regexes: FxHashSet<(Action, &'a str)>,
    subpaths: FxHashSet<(Action, &'a str)>,
    prefixes: Vec<(Action, &'a str)>,
}

impl<'a> Twins<'a> {
    fn new(ctx: &'a Context<'_>) -> Twins<'a> {
        let mut twins = Twins {
            literals: FxHashSet::default(),
            regexes: FxHashSet::default(),
            subpaths: FxHashSet::default(),
            prefixes: Vec::new(),
        };
        for rule in &ctx.model.rules {
            for leaf in rule.filter.iter().flat_map(|f| f.leaves()) {
                let FilterValue::Path(p) = &leaf.value else {
                    continue;
                };
                match p {
                    PathPattern::Literal(t) => {
                        twins.literals.insert((rule.action, t));
                    }
                    PathPattern::Regex(t) => {
                        twins.regexes.insert((rule.action, t));
                    }
                    PathPattern::Subpath(t) => {
                        let key = if t.len() > 1 {
                            t.trim_end_matches('/')
                        } else {
                            t
                        };
                        twins.subpaths.insert((rule.action, key));
                    }
                    PathPattern::Prefix(t) => twins.prefixes.push((rule.action, t)),
                }
            }
        }
        twins
    }

    /// True when a rule of `action` matches everything `resolved` (the resolved text of
    /// `pattern`) would.
    fn covered(&self, action: Action, pattern: &PathPattern, resolved: &str) -> bool {
        match pattern {
            PathPattern::Regex(_) => return self.regexes.contains(&(action, resolved)),
            PathPattern::Literal(_) if self.literals.contains(&(action, resolved)) => return true,
            _ => {}
        }
        let prefix = matches!(pattern, PathPattern::Prefix(_));
        // Subpaths at every component boundary above (and, but for a prefix, at) it.
        let mut dir = resolved.trim_end_matches('/');
        let mut first = true;
        loop {
            let key = if dir.is_empty() { "/" } else { dir };
            if !(prefix && first && !resolved.ends_with('/'))
                && self.subpaths.contains(&(action, key))
            {
                return true;
            }
            first = false;
            match dir.rfind('/') {
                Some(i) if !dir.is_empty() => dir = &dir[..i],
                _ => break,
            }
        }
        self.prefixes
            .iter()
            .any(|&(a, p)| a == action && resolved.starts_with(p))
    }
}
