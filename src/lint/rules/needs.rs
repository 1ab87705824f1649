//! What the "needs" rules (SB5xx) share: the rows of `grammar/essentials.tsv` a profile
//! certainly denies, reported at the rule that denies them, each with its symptom and the
//! threads that reported it, and a fix that appends the grants known-running profiles use.

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::lint::facts::append_form;
use crate::lint::rule::{Context, RuleMeta};
use crate::model::essentials::{self, Essential};

/// The rows of `meta.code` that the profile certainly denies, with the denying rule.
pub fn denied(ctx: &Context<'_>, meta: &RuleMeta) -> Vec<(&'static Essential, usize)> {
    essentials::for_rule(meta.code)
        .filter_map(|row| essentials::denied_by(ctx.model, row).map(|i| (row, i)))
        .collect()
}

/// True when the profile lets programs run `/bin/sh`: it means to run commands, which
/// fork and load the system libraries.
pub fn runs_shell(ctx: &Context<'_>) -> bool {
    essentials::means_to_allow(ctx.model, "process-exec", Some("/bin/sh"))
}

/// True when outbound connections to a host on the internet are allowed (checked on the
/// HTTPS and HTTP ports of an address outside this machine).
pub fn reaches_internet(ctx: &Context<'_>) -> bool {
    ["93.184.215.14:443", "93.184.215.14:80"]
        .iter()
        .any(|a| essentials::means_to_allow(ctx.model, "network-outbound", Some(a)))
}

fn what(row: &Essential) -> String {
    match row.argument {
        Some(a) => format!("`{} {a}`", row.operation),
        None => format!("`{}`", row.operation),
    }
}

/// [`report`] at info severity of every row of `meta`'s that the profile denies.
pub fn report_denied(ctx: &Context<'_>, meta: &RuleMeta, intent: &str, out: &mut Vec<Diagnostic>) {
    let rows = denied(ctx, meta);
    report(ctx, meta, Severity::Info, intent, &rows, out);
}

/// One diagnostic for `rows` (all denied), at the rule that denies the first, saying why
/// the profile needs them (`intent`) and what users see without them.
pub fn report(
    ctx: &Context<'_>,
    meta: &RuleMeta,
    severity: Severity,
    intent: &str,
    rows: &[(&'static Essential, usize)],
    out: &mut Vec<Diagnostic>,
) {
    let Some(&(first, denier)) = rows.first() else {
        return;
    };
    let Some(span) = ctx.model.rules[denier].main_span() else {
        return;
    };
    let message = if rows.len() == 1 {
        format!("{intent}, but {} is denied: {}", what(first), first.symptom)
    } else {
        let names: Vec<String> = rows.iter().map(|(r, _)| what(r)).collect();
        format!("{intent}, but {} are denied", names.join(", "))
    };
    let mut d = ctx.report(meta, span, message, format!("denies {}", what(first)));
    d.severity = severity;
    for (row, _) in rows {
        d = d.with_note(format!(
            "{} is needed by {}; without it: {} (reported in {}; macOS: {})",
            what(row),
            row.needed_by,
            row.symptom,
            row.sources.join(", "),
            row.macos
        ));
    }
    let grants: Vec<&str> = rows.iter().map(|(r, _)| r.grant).collect();
    out.push(d.with_fix(Fix {
        message: "allow what programs need".into(),
        applicability: Applicability::Unsafe,
        edits: vec![append_form(ctx, &grants.join("\n"))],
    }));
}
