//! The proposals: findings grouped into one `allow` rule per operation, paths generalised
//! to their directory past a threshold, and the rules as commented SBPL.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use super::filter::{checked_path, is_path_operation, narrowest_filter};
use super::secrets::filter_risk;
use super::{Filter, Finding, Learned, Options, Rule, Verdict};
use crate::model::argument::normalize;
use crate::model::{paths, quote};

/// Groups the proposed findings by operation; paths of one operation that share a
/// directory become one `subpath` when there are `generalize` of them or more.
pub(super) fn propose(findings: &[Finding], options: &Options) -> Vec<Rule> {
    let mut rules = Rules::default();
    for (i, f) in findings.iter().enumerate() {
        if f.verdict != Verdict::Proposed {
            continue;
        }
        let at = rules.rule(&f.operation);
        let argument = f.argument.as_deref();
        match argument.and_then(|a| narrowest_filter(&f.operation, a)) {
            Some(sbpl) => {
                // A literal of the denied path itself: what generalising groups.
                let path = argument
                    .filter(|_| is_path_operation(&f.operation))
                    .and_then(|a| checked_path(&f.operation, a));
                rules.answer(at, sbpl, path, i);
            }
            None => rules.list[at].answers.push(i),
        }
        // A path written through /tmp, /var or /etc is reached by resolving the link,
        // which needs the link's own metadata (observed on macOS 14.4.1: SANDBOX_LORE
        // vfs-canonicalization).
        let link = argument
            .filter(|_| is_path_operation(&f.operation))
            .and_then(|a| paths::traversed_link(&normalize(a, Path::new("/"))));
        if let Some(link) = link {
            let at = rules.rule("file-read-metadata");
            rules.answer(at, format!("(literal {})", quote(link)), None, i);
        }
    }
    let mut rules = rules.list;
    if options.generalize > 0 {
        for rule in &mut rules {
            if is_path_operation(&rule.operation) {
                generalize(rule, options.generalize);
            }
        }
    }
    rules
}

/// The rules being proposed, one per operation in the order first denied, and where each
/// filter is: a log of many thousand lines stays linear.
#[derive(Default)]
struct Rules {
    list: Vec<Rule>,
    /// (rule, filter) → the filter's place in the rule.
    filters: HashMap<(usize, String), usize>,
}

impl Rules {
    /// The place of the rule for `operation`, added when there is none yet.
    fn rule(&mut self, operation: &str) -> usize {
        if let Some(at) = self.list.iter().position(|r| r.operation == operation) {
            return at;
        }
        self.list.push(Rule {
            operation: operation.to_string(),
            filters: Vec::new(),
            answers: Vec::new(),
        });
        self.list.len() - 1
    }

    /// Finding `i` answered by filter `sbpl` of rule `at` (added when it is new).
    fn answer(&mut self, at: usize, sbpl: String, path: Option<String>, i: usize) {
        let rule = &mut self.list[at];
        match self.filters.get(&(at, sbpl.clone())) {
            Some(&k) => {
                if !rule.filters[k].answers.contains(&i) {
                    rule.filters[k].answers.push(i);
                }
            }
            None => {
                self.filters.insert((at, sbpl.clone()), rule.filters.len());
                rule.filters.push(Filter {
                    sbpl,
                    answers: vec![i],
                    path,
                });
            }
        }
    }
}

/// Replaces the `literal`s of denied paths in one directory by its `subpath` when there
/// are `n` or more (a link's literal stays: its metadata is what is needed).
fn generalize(rule: &mut Rule, n: usize) {
    let mut by_dir: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (k, filter) in rule.filters.iter().enumerate() {
        let Some((dir, _)) = filter.path.as_deref().and_then(|p| p.rsplit_once('/')) else {
            continue;
        };
        // Never generalize to `/` or a top-level directory.
        if dir.matches('/').count() < 2 {
            continue;
        }
        by_dir.entry(dir.to_string()).or_default().push(k);
    }
    let mut replaced: HashSet<usize> = HashSet::new();
    let mut added: Vec<Filter> = Vec::new();
    for (dir, ks) in by_dir {
        if ks.len() < n {
            continue;
        }
        let answers: Vec<usize> = ks
            .iter()
            .flat_map(|&k| rule.filters[k].answers.clone())
            .collect();
        replaced.extend(&ks);
        added.push(Filter {
            sbpl: format!("(subpath {})", quote(&dir)),
            answers,
            path: None,
        });
    }
    if replaced.is_empty() {
        return;
    }
    let mut kept: Vec<Filter> = rule
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
        for Filter {
            sbpl: filter,
            answers,
            ..
        } in &rule.filters
        {
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
