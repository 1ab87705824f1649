//! What programs need under `(deny default)`: `grammar/essentials.tsv`, one row per access
//! real programs were seen to fail without, with the symptom and the thread that reported
//! it, and how a model decides each row.

use std::path::Path;
use std::sync::OnceLock;

use super::argument;
use super::precedence::{decide, Arg, Decision};
use super::{vocabulary, Action, Model, OpId};

const TABLE: &str = include_str!("../../grammar/essentials.tsv");

/// One row of `grammar/essentials.tsv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Essential {
    pub id: &'static str,
    pub operation: &'static str,
    /// The argument as `sblint explain` takes it; `None` for operations without one.
    pub argument: Option<&'static str>,
    /// The lint code that reports it, `None` when no lint does.
    pub rule: Option<&'static str>,
    pub needed_by: &'static str,
    pub symptom: &'static str,
    pub macos: &'static str,
    /// Issue and PR threads, `owner/repo#N`.
    pub sources: Vec<&'static str>,
    /// The rule that grants it, as a profile known to run writes it.
    pub grant: &'static str,
    /// That profile, relative to the shared corpus; `None` when it was written from the
    /// thread.
    pub grant_from: Option<&'static str>,
}

use super::tsv;
pub use super::tsv::TableError;

fn parse(text: &'static str) -> Result<Vec<Essential>, TableError> {
    let mut rows = Vec::new();
    for (line, cols) in tsv::rows(text) {
        let err = |message: String| TableError { line, message };
        let [id, operation, argument, rule, needed_by, symptom, macos, source, grant, grant_from] =
            cols[..]
        else {
            return Err(err(format!("{} columns, expected 10", cols.len())));
        };
        let sources: Vec<&'static str> = source.split("; ").map(str::trim).collect();
        if sources.iter().any(|s| !s.contains('#') || !s.contains('/')) {
            return Err(err(format!("source `{source}` is not owner/repo#N")));
        }
        if vocabulary().op_id(operation).is_none() {
            return Err(err(format!("unknown operation `{operation}`")));
        }
        let dash = |s: &'static str| (s != "-").then_some(s);
        rows.push(Essential {
            id,
            operation,
            argument: dash(argument),
            rule: dash(rule),
            needed_by,
            symptom,
            macos,
            sources,
            grant,
            grant_from: dash(grant_from),
        });
    }
    Ok(rows)
}

/// Every row, in the table's order.
pub fn table() -> &'static [Essential] {
    static ROWS: OnceLock<Vec<Essential>> = OnceLock::new();
    ROWS.get_or_init(|| parse(TABLE).expect("grammar/essentials.tsv is well formed"))
}

/// The rows a lint reports.
pub fn for_rule(code: &str) -> impl Iterator<Item = &'static Essential> + '_ {
    table().iter().filter(move |e| e.rule == Some(code))
}

/// The argument of `operation` as the precedence model matches it: paths resolved
/// (`/tmp/x` → `/private/tmp/x`), `HOST:PORT` for network operations, names otherwise.
pub fn argument(operation: &str, text: Option<&str>) -> Arg {
    let Some(text) = text else {
        return Arg::None;
    };
    // A network text that is not `HOST:PORT` is asked about as a name.
    argument::parse(operation, text, Path::new("/")).unwrap_or_else(|_| Arg::Name(text.to_string()))
}

/// How the model decides `operation` on `argument`.
pub fn decision(model: &Model, operation: &str, argument: Option<&str>) -> Option<Decision> {
    let vocab = vocabulary();
    let op: OpId = vocab
        .op_id(operation)
        .or_else(|| vocab.resolve_operation(operation))?;
    Some(decide(
        &model.rules,
        op,
        &self::argument(operation, argument),
    ))
}

/// True when the model certainly allows `operation` on `argument`, whatever run-time values
/// do; an operation no rule decides is allowed (libsandbox's own default).
pub fn allows(model: &Model, operation: &str, argument: Option<&str>) -> bool {
    decision(model, operation, argument).is_some_and(|d| {
        d.action.is_none() && d.undecided.is_empty() || d.certainly(Action::Allow, &model.rules)
    })
}

/// True when a rule of the model allows `operation` on `argument`, though a rule whose
/// value is only known at run time (an unset `param`) may say otherwise: what the profile
/// means to allow, for the checks that read its intent. Neither libsandbox's own default
/// (no rule decides) nor an `(allow default)` rule is intent: `(allow default)` with
/// `(deny file-write*)` does not mean to open pseudo-terminals.
pub fn means_to_allow(model: &Model, operation: &str, argument: Option<&str>) -> bool {
    decision(model, operation, argument).is_some_and(|d| {
        d.action == Some(Action::Allow) && d.level.is_some_and(|l| l != vocabulary().default)
    })
}

/// The rule (an index into the model's rules) that certainly denies the row, when one does.
/// `None` when the row is allowed, may be allowed at run time, or the model is incomplete
/// or has an import sblint could not read (which may grant it).
pub fn denied_by(model: &Model, row: &Essential) -> Option<usize> {
    if !model.complete || model.missing_import {
        return None;
    }
    let d = decision(model, row.operation, row.argument)?;
    if !d.certainly(Action::Deny, &model.rules) {
        return None;
    }
    d.rule
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_parses_names_a_known_operation_and_has_a_source() {
        let rows = table();
        assert!(rows.len() >= 15, "{} rows", rows.len());
        let mut ids: Vec<_> = rows.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), rows.len(), "ids are unique");
        for r in rows {
            assert!(!r.sources.is_empty() && !r.symptom.is_empty(), "{}", r.id);
        }
    }

    #[test]
    fn malformed_rows_are_errors_with_their_line() {
        let e = parse("# c\nx\tfile-read-data\t/\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse("x\tno-such-op\t-\t-\tn\ts\tm\ta/b#1\t(allow x)\t-\n").unwrap_err();
        assert!(e.message.contains("unknown operation"), "{e:?}");
        let e = parse("x\tprocess-fork\t-\t-\tn\ts\tm\tsomewhere\t(allow x)\t-\n").unwrap_err();
        assert!(e.message.contains("owner/repo#N"), "{e:?}");
    }

    #[test]
    fn rows_are_decided_against_the_profile() {
        let tree = crate::syntax::parse(
            "(version 1)\n(deny default)\n(allow mach-lookup (global-name \"com.apple.trustd.agent\"))\n",
        );
        let model = Model::new(&tree, &[], &crate::model::ModelOptions::default());
        let row = |id| table().iter().find(|r| r.id == id).unwrap();
        assert_eq!(denied_by(&model, row("trustd")), None);
        assert_eq!(denied_by(&model, row("process-fork")), Some(0));
        assert!(allows(
            &model,
            "mach-lookup",
            Some("com.apple.trustd.agent")
        ));
        assert!(!allows(&model, "process-fork", None));
        assert!(means_to_allow(
            &model,
            "mach-lookup",
            Some("com.apple.trustd.agent")
        ));
        assert!(!means_to_allow(&model, "process-fork", None));
        // With no rule deciding, libsandbox allows it, but the profile shows no intent.
        let bare = Model::new(
            &crate::syntax::parse("(version 1)\n"),
            &[],
            &crate::model::ModelOptions::default(),
        );
        assert!(allows(&bare, "process-fork", None));
        assert!(!means_to_allow(&bare, "process-fork", None));
    }

    #[test]
    fn each_grant_allows_its_row_under_deny_default() {
        for row in table() {
            let text = format!("(version 1)\n(deny default)\n{}\n", row.grant);
            let tree = crate::syntax::parse(text);
            let model = Model::new(&tree, &[], &crate::model::ModelOptions::default());
            assert!(model.issues.is_empty(), "{}: {:?}", row.id, model.issues);
            // A `target` filter is decided at run time: the grant may allow, no more.
            let by_target = row.operation == "signal"
                && decision(&model, row.operation, row.argument)
                    .is_some_and(|d| d.may_be(Action::Allow));
            assert!(
                allows(&model, row.operation, row.argument) || by_target,
                "{}: `{}` does not allow {} {:?}",
                row.id,
                row.grant,
                row.operation,
                row.argument
            );
        }
    }
}
