//! `sblint explain PROFILE --log LOG`: each denial of a log explained against the
//! profile, then the narrowest rules that would allow them, grouped by operation, as SBPL
//! ready to paste (audit2allow for SBPL).

use std::path::Path;

use super::Profile;
use crate::model::Action;

/// The report of the denials in `log` (the text of `log show`/`log stream`) for `loaded`;
/// relative paths are taken from `cwd`.
pub(crate) fn audit(loaded: &Profile, log: &str, cwd: &Path) -> String {
    let audit = crate::learn::audit(loaded.model(), log, cwd);
    let mut out = String::new();
    for (denial, outcome) in &audit.denials {
        let what = format!(
            "{} {}",
            denial.operation,
            denial.argument.as_deref().unwrap_or("")
        );
        match outcome {
            Err(e) => out.push_str(&format!("; {} ({}): {e}\n", what.trim(), denial.process)),
            Ok(e) => {
                let by = match e.decision.rule {
                    Some(i) => {
                        let at = loaded.sources().line_col(loaded.model().rules[i].origin);
                        format!("line {}", at.line)
                    }
                    None => "no rule".into(),
                };
                let note = if e.action == Action::Allow {
                    " (this profile allows it: the denial came from another profile)"
                } else {
                    ""
                };
                out.push_str(&format!(
                    "; {} ({}): {} by {by}{note}\n",
                    what.trim(),
                    denial.process,
                    e.action.as_str()
                ));
            }
        }
    }
    if audit.proposals.is_empty() {
        out.push_str("; nothing to allow\n");
        return out;
    }
    let mut rules = String::new();
    for p in &audit.proposals {
        rules.push_str(&format!(
            "; denied to {}\n(allow {}{})\n",
            p.processes.join(", "),
            p.operation,
            p.filters
                .iter()
                .map(|f| format!(" {f}"))
                .collect::<String>()
        ));
    }
    let formatted =
        crate::fmt::format_text(&rules, &crate::fmt::FormatOptions::default()).unwrap_or(rules);
    out.push_str("\n; Narrowest rules that would allow these (append them to the profile):\n");
    out.push_str(&formatted);
    out
}
