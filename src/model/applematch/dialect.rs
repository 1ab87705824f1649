//! The dialect table, `grammar/regex-dialect.tsv`: what each construct does on a Mac and
//! the source that says so. The code holds no such fact itself; it names constructs and
//! reads their status here.

use std::sync::OnceLock;

const TABLE: &str = include_str!("../../../grammar/regex-dialect.tsv");

/// What libsandbox does with a construct.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Loads, and its meaning is known.
    Supported,
    /// The profile fails to load.
    Refused,
    /// Loads, and never matches.
    NeverMatches,
    /// No recorded outcome: sblint warns and never claims a match it cannot prove.
    Unverified,
}

impl Status {
    fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "supported" => Status::Supported,
            "refused" => Status::Refused,
            "accepted-never-matches" => Status::NeverMatches,
            "unverified" => Status::Unverified,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Supported => "supported",
            Status::Refused => "refused",
            Status::NeverMatches => "accepted-never-matches",
            Status::Unverified => "unverified",
        }
    }
}

macro_rules! constructs {
    ($($variant:ident => $id:literal,)*) => {
        /// A construct of the dialect, named as in the table's first column.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Construct { $($variant,)* }

        impl Construct {
            pub const ALL: &'static [Construct] = &[$(Construct::$variant,)*];

            pub fn id(self) -> &'static str {
                match self { $(Construct::$variant => $id,)* }
            }
        }
    };
}

constructs! {
    Literal => "literal",
    LiteralUnusualByte => "literal-unusual-byte",
    Any => "any",
    Star => "star",
    Plus => "plus",
    Question => "question",
    Alternation => "alternation",
    Group => "group",
    Class => "class",
    NegatedClass => "negated-class",
    ClassRange => "class-range",
    ClassDashEdge => "class-dash-edge",
    ClassReversedRange => "class-reversed-range",
    ClassLeadingBracket => "class-leading-bracket",
    ClassEscape => "class-escape",
    PosixClass => "posix-class",
    AnchorStart => "anchor-start",
    AnchorStartMiddle => "anchor-start-middle",
    AnchorStartNested => "anchor-start-nested",
    AnchorEnd => "anchor-end",
    AnchorEndAlternative => "anchor-end-alternative",
    AnchorEndMiddle => "anchor-end-middle",
    RepeatExact => "repeat-exact",
    RepeatRange => "repeat-range",
    RepeatAtLeast => "repeat-at-least",
    BraceLiteral => "brace-literal",
    CloseLiteral => "close-literal",
    EscapePunct => "escape-punct",
    EscapeShorthand => "escape-shorthand",
    EscapeBackreference => "escape-backreference",
    EscapeLetter => "escape-letter",
    EscapeTrailing => "escape-trailing",
    NonCapturingGroup => "non-capturing-group",
    FlagGroup => "flag-group",
    ExtensionGroup => "extension-group",
    QuantifierWithoutItem => "quantifier-without-item",
    StackedQuantifier => "stacked-quantifier",
    Empty => "empty",
    UnclosedGroup => "unclosed-group",
    UnmatchedClose => "unmatched-close",
    UnclosedClass => "unclosed-class",
    NestingLimit => "nesting-limit",
}

/// One row of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub construct: String,
    pub example: String,
    pub status: Status,
    pub meaning: String,
    pub source: String,
}

/// The rows, in table order. A malformed table is a build defect: the test below fails on
/// it, and a row that does not read is left out (its construct then counts as unverified).
pub fn rows() -> &'static [Row] {
    static ROWS: OnceLock<Vec<Row>> = OnceLock::new();
    ROWS.get_or_init(|| {
        TABLE
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let mut f = l.split('\t');
                let construct = f.next()?.to_string();
                let example = f.next()?.to_string();
                let status = Status::parse(f.next()?)?;
                let meaning = f.next()?.to_string();
                let source = f.next()?.to_string();
                f.next().is_none().then_some(Row {
                    construct,
                    example,
                    status,
                    meaning,
                    source,
                })
            })
            .collect()
    })
}

impl Construct {
    /// The construct's row in the table.
    pub fn row(self) -> Option<&'static Row> {
        static BY_CONSTRUCT: OnceLock<Vec<Option<usize>>> = OnceLock::new();
        let index = BY_CONSTRUCT.get_or_init(|| {
            Construct::ALL
                .iter()
                .map(|c| rows().iter().position(|r| r.construct == c.id()))
                .collect()
        });
        // `ALL` lists the variants in declaration order, so a variant's number is its index.
        index
            .get(self as usize)
            .copied()
            .flatten()
            .map(|i| &rows()[i])
    }

    pub fn status(self) -> Status {
        self.row().map_or(Status::Unverified, |r| r.status)
    }

    /// What the construct means, from the table.
    pub fn meaning(self) -> &'static str {
        self.row()
            .map_or("not in the dialect table", |r| r.meaning.as_str())
    }

    pub fn source(self) -> &'static str {
        self.row().map_or("", |r| r.source.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_construct_has_one_row_and_every_row_a_construct() {
        let data_lines = TABLE
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .count();
        assert_eq!(rows().len(), data_lines, "a table row does not read");
        for (i, c) in Construct::ALL.iter().enumerate() {
            assert_eq!(*c as usize, i, "ALL is in declaration order");
            let n = rows().iter().filter(|r| r.construct == c.id()).count();
            assert_eq!(n, 1, "{}: {n} rows", c.id());
        }
        for r in rows() {
            assert!(
                Construct::ALL.iter().any(|c| c.id() == r.construct),
                "row {} names no construct",
                r.construct
            );
            assert!(!r.source.is_empty(), "row {} has no source", r.construct);
        }
    }

    #[test]
    fn the_recorded_facts_are_in_the_table() {
        assert_eq!(Construct::NonCapturingGroup.status(), Status::NeverMatches);
        assert_eq!(Construct::AnchorStartMiddle.status(), Status::Refused);
        assert!(Construct::AnchorStartMiddle.source().contains("orbit#495"));
        assert_eq!(Construct::RepeatExact.status(), Status::Supported);
        assert_eq!(Construct::EscapeBackreference.status(), Status::Unverified);
    }
}
