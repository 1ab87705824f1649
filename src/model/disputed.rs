//! Facts that recordings on real Macs disagree on (`grammar/disputed.tsv`): a decision that
//! rests on one is conditional, and says which recordings disagree.

use std::sync::OnceLock;

use super::rule::Rule;
use super::vocab::vocabulary;

const TABLE: &str = include_str!("../../grammar/disputed.tsv");

/// One row of `grammar/disputed.tsv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dispute {
    pub id: &'static str,
    /// The operation (or wildcard) the fact is about.
    pub operation: &'static str,
    /// The filter, as libsandbox names it (`local` for `(local ip ...)`).
    pub filter: &'static str,
    /// What is in dispute, in words.
    pub question: &'static str,
    /// One side, with its recordings.
    pub one: &'static str,
    /// The other side, with its recordings.
    pub other: &'static str,
}

impl Dispute {
    /// Whether `rule`, deciding operation `op`, rests on the disputed fact: `op` is the
    /// row's operation or below it, and a positive leaf of the rule's filter is the row's
    /// filter.
    pub fn concerns(&self, rule: &Rule, op: super::OpId) -> bool {
        let vocab = vocabulary();
        let Some(row_op) = vocab.op_id(self.operation) else {
            return false;
        };
        (row_op == op || vocab.covers(row_op, op))
            && rule
                .filter
                .as_ref()
                .is_some_and(|f| f.positive_leaves().any(|leaf| leaf.name == self.filter))
    }
}

fn parse(text: &'static str) -> Result<Vec<Dispute>, String> {
    let mut rows = Vec::new();
    for (line, cols) in super::tsv::rows(text) {
        let [id, operation, filter, question, one, other] = cols[..] else {
            return Err(format!("line {}: {} columns, expected 6", line, cols.len()));
        };
        if [one, other].iter().any(|side| !side.contains('#')) {
            return Err(format!(
                "line {}: each side names its recordings (owner/repo#N)",
                line
            ));
        }
        rows.push(Dispute {
            id,
            operation,
            filter,
            question,
            one,
            other,
        });
    }
    Ok(rows)
}

/// Every row of `grammar/disputed.tsv`.
pub fn disputes() -> &'static [Dispute] {
    static ROWS: OnceLock<Vec<Dispute>> = OnceLock::new();
    ROWS.get_or_init(|| parse(TABLE).expect("grammar/disputed.tsv is well formed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_names_known_operations() {
        assert!(!disputes().is_empty());
        for d in disputes() {
            assert!(vocabulary().op_id(d.operation).is_some(), "{}", d.id);
        }
        assert!(parse("a\tb\tc\td\tno source\tx#1\n").is_err());
    }
}
