use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::facts::overlaps;
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::{Action, FileId, FilterValue, PathPattern};
use crate::syntax::Span;

const DOC: &str = r#"## What it does
Reports write access to files that other programs later run or trust: shell start-up
files, `~/.gitconfig`, `.git/hooks`, `LaunchAgents`, `~/.ssh`.

## Why is this a problem on a real Mac?
Sandboxed code that can write there escapes the sandbox later: the next shell, `git`
command or login runs what it wrote, unsandboxed. Agent sandboxes (Codex, agent-safehouse)
deny these paths explicitly for that reason.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow file-write* (subpath "/Users/me/.ssh"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(allow file-write* (subpath "/Users/me/project"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB310",
        name: "writable-code-path",
        severity: Severity::Warning,
        summary: "write access to files other programs run or trust",
        doc: DOC,
    },
    check: Check::Rule(check),
};

/// The `.ssh` directory: as a subpath it covers `config` and `authorized_keys`, which
/// `ssh` and `sshd` act on; `known_hosts` and agent sockets alone are harmless.
const SSH_DIR: &str = "/.ssh";

const SENSITIVE: &[&str] = &[
    "/.ssh/config",
    "/.ssh/authorized_keys",
    "/.ssh/rc",
    "/.ssh/environment",
    "/.bashrc",
    "/.bash_profile",
    "/.bash_login",
    "/.zshrc",
    "/.zprofile",
    "/.zshenv",
    "/.zlogin",
    "/.profile",
    "/.config/fish",
    "/.gitconfig",
    "/.git/hooks",
    "/LaunchAgents",
];

fn check(ctx: &Context<'_>, rule: &crate::model::Rule, span: Span, out: &mut Vec<Diagnostic>) {
    if rule.action != Action::Allow || !overlaps(rule, "file-write*") {
        return;
    }
    let Some(filter) = &rule.filter else { return };
    for leaf in filter.positive_leaves() {
        let FilterValue::Path(p) = &leaf.value else {
            continue;
        };
        let text = p.text().replace("\\.", ".");
        // The `.ssh` directory itself, as a subpath or prefix, covers its config files.
        let ssh_dir = matches!(p, PathPattern::Subpath(_) | PathPattern::Prefix(_))
            && text.trim_end_matches('/').ends_with(SSH_DIR);
        let Some(hit) = SENSITIVE
            .iter()
            .find(|s| {
                text.match_indices(*s).any(|(i, _)| {
                    let after = &text[i + s.len()..];
                    after.is_empty() || after.starts_with('/') || after.starts_with('$')
                })
            })
            .or(ssh_dir.then_some(&SSH_DIR))
        else {
            continue;
        };
        let at = if leaf.arg.file == FileId::MAIN {
            leaf.arg.span
        } else {
            span
        };
        out.push(
            ctx.report(
                &RULE.meta,
                at,
                format!(
                    "`{}` is writable: code written there runs outside the sandbox later",
                    p.text()
                ),
                format!("`{}`", hit.trim_start_matches('/')),
            )
            .with_note("deny writes there, or allow only the project directory"),
        );
    }
}
