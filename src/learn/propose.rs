//! The proposals: findings grouped into one `allow` rule per operation, paths generalised
//! to their directory past a threshold, and the rules as commented SBPL.

use std::collections::BTreeMap;
use std::path::Path;

use super::filter::{checked_path, is_path_operation, narrowest_filter};
use super::secrets::filter_risk;
use super::{Finding, Learned, Options, Rule, Verdict};
use crate::model::argument::normalize;
use crate::model::{paths, quote};

/// Groups the proposed findings by operation; paths of one operation that share a
/// directory become one `subpath` when there are `generalize` of them or more.
pub(super) fn propose(findings: &[Finding], options: &Options) -> Vec<Rule> {
    let mut rules: Vec<Rule> = Vec::new();
    // (rule, filter) → the filter's place in the rule.
    let mut filters: std::collections::HashMap<(usize, String), usize> =
        std::collections::HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        if f.verdict != Verdict::Proposed {
            continue;
        }
        let at = match rules.iter().position(|r| r.operation == f.operation) {
            Some(at) => at,
            None => {
                rules.push(Rule {
                    operation: f.operation.clone(),
                    filters: Vec::new(),
                    answers: Vec::new(),
                });
                rules.len() - 1
            }
        };
        let rule = &mut rules[at];
        match f
            .argument
            .as_deref()
            .and_then(|a| narrowest_filter(&f.operation, a))
        {
            Some(filter) => match filters.get(&(at, filter.clone())) {
                Some(&k) => rule.filters[k].1.push(i),
                None => {
                    filters.insert((at, filter.clone()), rule.filters.len());
                    rule.filters.push((filter, vec![i]));
                }
            },
            None => rule.answers.push(i),
        }
        // A path written through /tmp, /var or /etc is reached by resolving the link,
        // which needs the link's own metadata (observed on macOS 14.4.1: SANDBOX_LORE
        // vfs-canonicalization).
        let link = f
            .argument
            .as_deref()
            .filter(|_| is_path_operation(&f.operation))
            .and_then(|a| paths::traversed_link(&normalize(a, Path::new("/"))));
        if let Some(link) = link {
            let filter = format!("(literal {})", quote(link));
            let at = match rules
                .iter()
                .position(|r| r.operation == "file-read-metadata")
            {
                Some(at) => at,
                None => {
                    rules.push(Rule {
                        operation: "file-read-metadata".into(),
                        filters: Vec::new(),
                        answers: Vec::new(),
                    });
                    rules.len() - 1
                }
            };
            let rule = &mut rules[at];
            match filters.get(&(at, filter.clone())) {
                Some(&k) => {
                    if !rule.filters[k].1.contains(&i) {
                        rule.filters[k].1.push(i);
                    }
                }
                None => {
                    filters.insert((at, filter.clone()), rule.filters.len());
                    rule.filters.push((filter, vec![i]));
                }
            }
        }
    }
    if options.generalize > 0 {
        for rule in &mut rules {
            if !is_path_operation(&rule.operation) {
                continue;
            }
            generalize(rule, findings, options.generalize);
        }
    }
    rules
}

/// Replaces the `literal`s of one directory by its `subpath` when there are `n` or more.
fn generalize(rule: &mut Rule, findings: &[Finding], n: usize) {
    let mut by_dir: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (k, (filter, answers)) in rule.filters.iter().enumerate() {
        if !filter.starts_with("(literal ") {
            continue;
        }
        let Some(path) = answers
            .first()
            .and_then(|&i| findings[i].argument.as_deref())
            .and_then(|a| checked_path(&rule.operation, a))
        else {
            continue;
        };
        let Some((dir, _)) = path.rsplit_once('/') else {
            continue;
        };
        // Never generalize to `/` or a top-level directory.
        if dir.matches('/').count() < 2 {
            continue;
        }
        by_dir.entry(dir.to_string()).or_default().push(k);
    }
    let mut replaced: std::collections::HashSet<usize> = std::collections::HashSet::new();
    let mut added: Vec<(String, Vec<usize>)> = Vec::new();
    for (dir, ks) in by_dir {
        if ks.len() < n {
            continue;
        }
        let answers: Vec<usize> = ks.iter().flat_map(|&k| rule.filters[k].1.clone()).collect();
        replaced.extend(&ks);
        added.push((format!("(subpath {})", quote(&dir)), answers));
    }
    if replaced.is_empty() {
        return;
    }
    let mut kept: Vec<(String, Vec<usize>)> = rule
        .filters
        .iter()
        .enumerate()
        .filter(|(k, _)| !replaced.contains(k))
        .map(|(_, f)| f.clone())
        .collect();
    kept.extend(added);
    rule.filters = kept;
}

/// The proposed rules as SBPL, each filter with a comment naming the log lines it answers,
/// formatted.
pub fn rules_text(learned: &Learned) -> String {
    let mut out = String::new();
    for rule in &learned.rules {
        let lines_of = |answers: &[usize]| -> String {
            let mut lines: Vec<usize> = answers
                .iter()
                .flat_map(|&i| learned.findings[i].lines.clone())
                .collect();
            lines.sort_unstable();
            lines.dedup();
            let procs: Vec<String> = {
                let mut p: Vec<String> = answers
                    .iter()
                    .flat_map(|&i| learned.findings[i].processes.clone())
                    .collect();
                p.sort();
                p.dedup();
                p
            };
            // A long log: the first few lines, and how many in all.
            let mut shown: Vec<String> = lines.iter().take(8).map(usize::to_string).collect();
            if lines.len() > 8 {
                shown.push(format!("… ({} lines)", lines.len()));
            }
            let mut who: Vec<String> = procs.iter().take(4).cloned().collect();
            if procs.len() > 4 {
                who.push(format!("… ({} processes)", procs.len()));
            }
            format!(
                "log line{} {} ({})",
                if lines.len() == 1 { "" } else { "s" },
                shown.join(", "),
                who.join(", ")
            )
        };
        let essential_note = |answers: &[usize]| -> String {
            answers
                .iter()
                .find_map(|&i| learned.findings[i].essential)
                .map(|e| format!("; needed by {} ({})", e.needed_by, e.sources[0]))
                .unwrap_or_default()
        };
        if rule.filters.is_empty() {
            out.push_str(&format!(
                "; {}{}\n(allow {})\n",
                lines_of(&rule.answers),
                essential_note(&rule.answers),
                rule.operation
            ));
            continue;
        }
        out.push_str(&format!("(allow {}\n", rule.operation));
        for (filter, answers) in &rule.filters {
            let link = paths::PRIVATE_LINKS
                .iter()
                .any(|l| *filter == format!("(literal {})", quote(l)));
            let note = if link {
                "; the link is resolved on the way, which needs its metadata".to_string()
            } else {
                essential_note(answers)
            };
            if let Some(risk) = filter_risk(filter, answers, &learned.findings) {
                out.push_str(&format!("  ; risk: {risk}\n"));
            }
            out.push_str(&format!("  ; {}{note}\n  {filter}\n", lines_of(answers)));
        }
        out.push_str(")\n");
    }
    crate::fmt::format_text(&out, &crate::fmt::FormatOptions::default()).unwrap_or(out)
}
