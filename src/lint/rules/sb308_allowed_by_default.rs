use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::facts::default_action;
use crate::lint::rule::{Check, Context, Rule, RuleMeta};
use crate::model::implicit::{self, ImplicitRule, Status};
use crate::model::{vocabulary, Action, OpId};

const DOC: &str = r#"## What it does
Points out, on `(deny default)`, the operations that stay allowed unless a rule denies
them explicitly: `process-info*`, `iokit-get-properties`, `nvram*`, `syscall-unix`, and on
macOS 26 what libsandbox's version-1 preamble allows by itself (`file-link`, `file-clone`,
`dynamic-code-generation`, `darwin-notification-post`, `consume-extension`). The list is
the implicit layer, `grammar/implicit.tsv`, each row with its source.

## Why is this a problem on a real Mac?
`(deny default)` reads as "nothing is allowed", but these remain open (Chromium's
renderer profile denies them by hand for that reason): sandboxed code can list processes
and read hardware and NVRAM properties. This is unverified: it rests on Chromium's
comment ("crbug.com/799149: These operations are allowed by default"), not on a recorded
run, and the finding says so. The preamble's rules on macOS 26 are Apple's own
`sbpl1.scm` (blacktop/ipsw#1258: `(deny file-link)` changes the compiled profile of
`(version 1)(deny default)`); on 11 to 15 they are unverified, and a note says so.

## Example
```sbpl expect_diagnostic
(version 1)
(deny default)
(allow file-read* (literal "/"))
```

Use instead:
```sbpl
(version 1)
(deny default)
(deny process-info* iokit-get-properties nvram* syscall-unix)
(allow file-read* (literal "/"))
```
"#;

pub const RULE: Rule = Rule {
    meta: RuleMeta {
        code: "SB308",
        name: "allowed-by-default",
        severity: Severity::Info,
        summary: "operations `(deny default)` does not cover",
        doc: DOC,
    },
    check: Check::File(check),
};

/// A row of the implicit layer that `(deny default)` leaves open on the checked release.
#[derive(Clone, Copy)]
struct Listed {
    row: &'static ImplicitRule,
    /// True when a source shows it on this release (else no release settles it).
    verified: bool,
}

/// The implicit layer's unfiltered allows, as they stand on one release.
struct OpenByDefault {
    /// Shown there by a source, or settled on no release (Chromium's list).
    listed: Vec<Listed>,
    /// Seen on other releases but unverified on this one, for a note.
    elsewhere: Vec<&'static ImplicitRule>,
}

/// The operations `(deny default)` leaves open on `macos`: the unfiltered allows of the
/// implicit layer (`grammar/implicit.tsv`) that a source shows there or that no release
/// settles (Chromium's list), with whether a source shows them; and those seen on other
/// releases but unverified on this one, for a note.
fn open_by_default(macos: crate::model::MacOs) -> OpenByDefault {
    let (mut listed, mut elsewhere) = (Vec::new(), Vec::new());
    for row in implicit::rules().iter().filter(|r| r.unfiltered_allow()) {
        match row.status(macos) {
            Status::Present => listed.push(Listed {
                row,
                verified: true,
            }),
            Status::Unverified if row.releases().is_empty() => listed.push(Listed {
                row,
                verified: false,
            }),
            Status::Unverified => elsewhere.push(row),
            Status::Absent => {}
        }
    }
    OpenByDefault { listed, elsewhere }
}

/// An operation `(deny default)` may leave open, and whether some rule handles it.
struct Candidate {
    name: &'static str,
    id: OpId,
    handled: bool,
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some((Action::Deny, index)) = default_action(ctx) else {
        return;
    };
    let rule = &ctx.model.rules[index];
    let Some(span) = rule
        .main_span()
        .filter(|_| rule.origin.file == crate::model::FileId::MAIN)
    else {
        return;
    };
    let OpenByDefault { listed, elsewhere } = open_by_default(ctx.model.macos);
    let open = unhandled(ctx, &listed);
    if open.is_empty() {
        return;
    }
    let mut d = ctx.report(
        &RULE.meta,
        span,
        format!(
            "`{}` {} allowed under `(deny default)`",
            open.join("`, `"),
            if open.len() == 1 { "stays" } else { "stay" }
        ),
        if open.len() == 1 {
            "does not cover it"
        } else {
            "does not cover them"
        },
    );
    let deniable: Vec<&str> = open
        .iter()
        .copied()
        .filter(|n| *n != "syscall-unix")
        .collect();
    if !deniable.is_empty() {
        d = d.with_note(format!(
            "deny them explicitly if the sandboxed code should not have them: `(deny {})`",
            deniable.join(" ")
        ));
    }
    d = with_source_notes(d, ctx, &listed, &open);
    d = with_elsewhere_note(d, ctx, &elsewhere);
    if open.contains(&"syscall-unix") {
        d = d.with_note("`syscall-unix` cannot simply be denied (every program needs system calls): allow a list of `syscall-number`s and deny the rest, as Chromium's common.sb does");
    }
    out.push(d);
}

/// The listed operations of this release that no rule of the profile handles.
fn unhandled(ctx: &Context<'_>, listed: &[Listed]) -> Vec<&'static str> {
    let vocab = vocabulary();
    let mut candidates: Vec<Candidate> = listed
        .iter()
        .flat_map(|l| l.row.operations())
        .filter_map(|name| {
            let id = vocab.op_id(name)?;
            vocab
                .operation(id)
                .exists_in(ctx.model.macos)
                .then_some(Candidate {
                    name,
                    id,
                    handled: false,
                })
        })
        .collect();
    // Any rule naming it or an operation below it counts as handling it: one pass for all.
    for r in &ctx.model.rules {
        if r.names(vocab.default) {
            continue;
        }
        for o in r.operations.iter() {
            for c in candidates.iter_mut() {
                c.handled |= vocab.covers(o.id, c.id) || vocab.covers(c.id, o.id);
            }
        }
    }
    candidates.retain(|c| !c.handled);
    candidates.iter().map(|c| c.name).collect()
}

/// The notes on where `open` comes from: a recorded source, or Chromium's unverified comment.
fn with_source_notes(
    mut d: Diagnostic,
    ctx: &Context<'_>,
    listed: &[Listed],
    open: &[&str],
) -> Diagnostic {
    let source = |name: &str| listed.iter().find(|l| l.row.operations().any(|o| o == name));
    let seen: Vec<&str> = open
        .iter()
        .copied()
        .filter(|n| source(n).is_some_and(|l| l.verified))
        .collect();
    if !seen.is_empty() {
        let mut sources: Vec<&str> = seen
            .iter()
            .filter_map(|n| source(n).map(|l| first_word(l.row.source)))
            .collect();
        sources.dedup();
        d = d.with_note(format!(
            "`{}`: libsandbox allows {} by itself on {} ({})",
            seen.join("`, `"),
            if seen.len() == 1 { "it" } else { "them" },
            ctx.model.macos,
            sources.join("; ")
        ));
    }
    if open.iter().any(|n| !seen.contains(n)) {
        d = d.with_note(format!("unverified: no recorded run shows {} allowed under `(deny default)`; the source is a comment in Chromium's renderer profile (\"crbug.com/799149: These operations are allowed by default\")", if seen.is_empty() { "these" } else { "the others" }));
    }
    d
}

/// The note on operations libsandbox allows by itself on other releases, unverified on this one.
fn with_elsewhere_note(
    d: Diagnostic,
    ctx: &Context<'_>,
    elsewhere: &[&'static ImplicitRule],
) -> Diagnostic {
    let vocab = vocabulary();
    let later: Vec<&str> = elsewhere
        .iter()
        .flat_map(|row| row.operations())
        .filter(|name| {
            vocab.op_id(name).is_some_and(|id| {
                vocab.operation(id).exists_in(ctx.model.macos)
                    && !ctx.model.rules.iter().any(|r| {
                        !r.names(vocab.default)
                            && r.operations.iter().any(|o| vocab.covers(o.id, id) || vocab.covers(id, o.id))
                    })
            })
        })
        .collect();
    if later.is_empty() {
        return d;
    }
    let rows: Vec<&ImplicitRule> = elsewhere
        .iter()
        .copied()
        .filter(|row| row.operations().any(|o| later.contains(&o)))
        .collect();
    let mut releases: Vec<&str> = rows
        .iter()
        .flat_map(|row| row.releases().iter().map(|r| r.as_str()))
        .collect();
    releases.sort();
    releases.dedup();
    let mut sources: Vec<&str> = rows.iter().map(|row| first_word(row.source)).collect();
    sources.dedup();
    d.with_note(format!(
        "libsandbox also allows `{}` by itself on macOS {} ({}); unverified for {}",
        later.join("`, `"),
        releases.join(", "),
        sources.join("; "),
        ctx.model.macos
    ))
}

/// A source's first word: the citation without its comment.
fn first_word(source: &str) -> &str {
    source.split(' ').next().unwrap_or(source)
}
