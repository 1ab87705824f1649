use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::facts::overlaps;
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::{Action, FilterValue, PathPattern};
use crate::syntax::Span;

const DOC: &str = r#"## What it does
Reports an allow of file writes with no filter, or below `/`, `/Users`, a home
directory, `/private`, `/System`, `/Library` or `/dev`, including a regex that matches
every path there (`(regex ".*")`, bazelbuild/bazel#29427; the decision sets decide it,
not the text).

## Why is this a problem on a real Mac?
Write access there lets code plant a LaunchAgent, edit shell start-up files, rewrite other
projects or fill the disk: the sandbox no longer contains it. Below `/dev` are the disks
(`/dev/disk*`, `/dev/rdisk*`) and every terminal (`/dev/ttys*`): a program that needs its
own terminal wants `/dev/tty` and `/dev/ptmx`, not the tree (itch's profile allows
`file*` on all of `/dev`). Allow the project and a
temporary directory instead.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow file-write* (subpath "/Users/me"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow file-write* (subpath "/Users/me/project") (subpath "/private/tmp"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB305",
        name: "broad-file-write",
        severity: Severity::Warning,
        summary: "writes allowed to `/`, a home directory or a system tree",
        doc: DOC,
    },
    check: Check::Rule(check),
};

const BROAD: &[&str] = &[
    "/",
    "/Users",
    "/private",
    "/private/var",
    "/System",
    "/Library",
    "/Applications",
    "/dev",
];

fn broad(path: &str) -> bool {
    let path = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    if BROAD.contains(&path) {
        return true;
    }
    // A home directory: /Users/NAME
    path.strip_prefix("/Users/")
        .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
}

fn check(ctx: &Context<'_>, rule: &crate::model::Rule, span: Span, out: &mut Vec<Diagnostic>) {
    // `(allow default)` is SB303's.
    if rule.action != Action::Allow
        || !overlaps(rule, "file-write*")
        || rule.names(crate::model::vocabulary().default)
    {
        return;
    }
    match &rule.filter {
        None => out.push(ctx.report(
            &RULE.meta,
            span,
            "file writes are allowed everywhere",
            "no path filter",
        )),
        Some(filter) => {
            for leaf in filter.positive_leaves() {
                if let FilterValue::Path(PathPattern::Regex(r)) = &leaf.value {
                    regex_reach(ctx, rule, leaf, r, span, out);
                    continue;
                }
                let FilterValue::Path(PathPattern::Subpath(p) | PathPattern::Prefix(p)) =
                    &leaf.value
                else {
                    continue;
                };
                if broad(p) {
                    let at = if leaf.arg.file == crate::model::FileId::MAIN {
                        leaf.arg.span
                    } else {
                        span
                    };
                    out.push(ctx.report(
                        &RULE.meta,
                        at,
                        format!("file writes are allowed everywhere below `{p}`"),
                        "too broad",
                    ).with_note(if p.trim_end_matches('/') == "/dev" {
                        "below `/dev` are the disks and every terminal: allow the devices the program uses, such as `(literal \"/dev/null\")`, `(literal \"/dev/tty\")`, `(literal \"/dev/ptmx\")`"
                    } else {
                        "allow the project directory and `/private/tmp` (or `(param \"TMPDIR\")`) instead"
                    }));
                }
            }
        }
    }
}

/// A regex allow whose pattern matches every path below a broad root (`".*"`,
/// bazelbuild/bazel#29427), asked of the decision sets: the rule alone, every argument
/// below the root surely allowed.
fn regex_reach(
    ctx: &Context<'_>,
    rule: &crate::model::Rule,
    leaf: &crate::model::Filter,
    pattern: &str,
    span: Span,
    out: &mut Vec<Diagnostic>,
) {
    use crate::model::sets::{always, Answer, Budget, Entry};
    let vocab = crate::model::vocabulary();
    let Some(op) = vocab.op_id("file-write*").and_then(|w| {
        crate::model::sets::table::rule_leaves(rule)
            .into_iter()
            .find(|&o| vocab.covers(w, o))
    }) else {
        return;
    };
    let mut alone = rule.clone();
    alone.filter = Some(crate::model::FilterExpr::Leaf(leaf.clone()));
    // The rule alone against a deny of everything else: with no rule under it, what it
    // does not match would fall to libsandbox's own default (allow), and every regex
    // would seem to reach everything.
    let mut rest = rule.clone();
    rest.action = crate::model::Action::Deny;
    rest.filter = None;
    let rules = [rest, alone];
    // A home directory stands for every one.
    let roots = BROAD.iter().copied().chain(["/Users/u"]);
    let Some(root) = roots.into_iter().find(|root| {
        let within = [Entry::Tree((*root).to_string())];
        always(&rules, op, &within, &Budget::default()) == Answer::Holds
    }) else {
        return;
    };
    let below = if root == "/Users/u" {
        "a home directory".to_string()
    } else {
        format!("`{root}`")
    };
    let at = if leaf.arg.file == crate::model::FileId::MAIN {
        leaf.arg.span
    } else {
        span
    };
    out.push(
        ctx.report(
            &RULE.meta,
            at,
            format!("file writes are allowed everywhere below {below}: the regex `{pattern}` matches every path there"),
            "too broad",
        )
        .with_note("allow the project directory and `/private/tmp` (or `(param \"TMPDIR\")`) instead"),
    );
}
