//! The rules libsandbox adds to every profile by itself: `grammar/implicit.tsv`, one row per
//! rule with the macOS versions it was seen on and its source. The evaluator injects the
//! rows that may hold on the selected macOS as rules of a file of their own (before the
//! profile for the version-1 preamble, after it for policy.scm's implicit policy), so the
//! one precedence model decides with them; a row that no source settles for that macOS is
//! injected as an uncertain rule, and a decision resting on it is conditional.

use std::sync::OnceLock;

use super::vocab::{MacOs, Release};

const TABLE: &str = include_str!("../../grammar/implicit.tsv");

/// Where libsandbox evaluates the rule relative to the profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// The version-1 preamble: a later rule of the profile overrides it.
    Before,
    /// The implicit policy run at finalize, after the profile's rules.
    After,
}

/// Whether a row holds on a macOS version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// A source shows the rule on that release.
    Present,
    /// Apple's own file for that release lacks it.
    Absent,
    /// Nothing settles it: the rule may or may not be there.
    Unverified,
}

/// One row of `grammar/implicit.tsv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImplicitRule {
    pub id: &'static str,
    pub position: Position,
    /// The rule as SBPL text: `(allow file-link)`.
    pub rule: &'static str,
    /// Releases where a source shows it, and where Apple's file lacks it.
    present: Vec<Release>,
    absent: Vec<Release>,
    pub source: &'static str,
}

impl ImplicitRule {
    /// What is known of the rule on `macos`.
    pub fn status(&self, macos: MacOs) -> Status {
        if self.absent.contains(&macos.release) {
            Status::Absent
        } else if self.present.contains(&macos.release) {
            Status::Present
        } else {
            Status::Unverified
        }
    }

    /// The releases where a source shows the rule, oldest first.
    pub fn releases(&self) -> &[Release] {
        &self.present
    }

    /// The operations the rule names (the words after the action, before any filter).
    pub fn operations(&self) -> impl Iterator<Item = &'static str> {
        self.rule
            .trim_start_matches('(')
            .split_whitespace()
            .skip(1)
            .take_while(|w| !w.starts_with('('))
            .map(|w| w.trim_end_matches(')'))
    }

    /// True for a rule without a filter that allows: what `(deny default)` leaves open.
    pub fn unfiltered_allow(&self) -> bool {
        self.rule.starts_with("(allow ") && !self.rule[1..].contains('(')
    }
}

use super::tsv;
pub use super::tsv::TableError;

fn releases(token: &str) -> Option<Vec<Release>> {
    match token.split_once("..") {
        Some((a, b)) => {
            let (a, b) = (MacOs::parse(a)?.release, MacOs::parse(b)?.release);
            Some(
                Release::ALL
                    .into_iter()
                    .filter(|r| *r >= a && *r <= b)
                    .collect(),
            )
        }
        None => Some(vec![MacOs::parse(token)?.release]),
    }
}

fn parse(text: &'static str) -> Result<Vec<ImplicitRule>, TableError> {
    let mut rows = Vec::new();
    for (line, cols) in tsv::rows(text) {
        let err = |message: String| TableError { line, message };
        let [id, position, rule, macos, source] = cols[..] else {
            return Err(err(format!("{} columns, expected 5", cols.len())));
        };
        let position = match position {
            "before" => Position::Before,
            "after" => Position::After,
            other => return Err(err(format!("position `{other}` is not before/after"))),
        };
        if source.trim().is_empty() {
            return Err(err("no source".into()));
        }
        let (mut present, mut absent) = (Vec::new(), Vec::new());
        if macos != "unverified" {
            for token in macos.split(',') {
                let (list, token) = match token.strip_prefix('-') {
                    Some(rest) => (&mut absent, rest),
                    None => (&mut present, token),
                };
                list.extend(
                    releases(token)
                        .ok_or_else(|| err(format!("macOS `{token}` does not parse")))?,
                );
            }
        }
        present.sort();
        rows.push(ImplicitRule {
            id,
            position,
            rule,
            present,
            absent,
            source,
        });
    }
    Ok(rows)
}

/// Every row of `grammar/implicit.tsv`.
pub fn rules() -> &'static [ImplicitRule] {
    static RULES: OnceLock<Vec<ImplicitRule>> = OnceLock::new();
    RULES.get_or_init(|| parse(TABLE).expect("grammar/implicit.tsv is well formed"))
}

/// The rows that may hold on `macos` (present or unverified) at `position`, with whether a
/// source shows them there.
pub fn layer(macos: MacOs, position: Position) -> Vec<(&'static ImplicitRule, bool)> {
    rules()
        .iter()
        .filter(|r| r.position == position)
        .filter_map(|r| match r.status(macos) {
            Status::Absent => None,
            s => Some((r, s == Status::Present)),
        })
        .collect()
}

/// The name the injected rules' file is shown under.
pub const FILE_NAME: &str = "<libsandbox implicit rules>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_every_operation_is_known() {
        let vocab = super::super::vocabulary();
        for row in rules() {
            let ops: Vec<_> = row.operations().collect();
            assert!(!ops.is_empty(), "{}", row.id);
            for op in ops {
                assert!(vocab.op_id(op).is_some(), "{}: `{op}`", row.id);
            }
        }
    }

    #[test]
    fn the_preamble_is_seen_on_26_absent_on_10_15_and_unverified_between() {
        let link = rules().iter().find(|r| r.id == "sbpl1-file-link").unwrap();
        assert_eq!(link.status(MacOs::V26), Status::Present);
        assert_eq!(link.status(MacOs::V10_15), Status::Absent);
        assert_eq!(link.status(MacOs::V14), Status::Unverified);
        assert!(link.unfiltered_allow());
        let signal = rules()
            .iter()
            .find(|r| r.id == "policy-signal-self")
            .unwrap();
        assert!(!signal.unfiltered_allow());
        assert_eq!(signal.operations().collect::<Vec<_>>(), vec!["signal"]);
    }

    #[test]
    fn a_bad_row_is_an_error_with_its_line() {
        let e = parse("x\tsideways\t(allow a)\t26\tsrc\n").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(parse("x\tbefore\t(allow a)\t26\n").is_err());
        assert!(parse("x\tbefore\t(allow a)\tbanana\tsrc\n").is_err());
    }
}
