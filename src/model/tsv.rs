//! The shape every table in `grammar/` shares: tab-separated rows, with `#` comments and
//! blank lines skipped. Each table's loader reads its own columns from these rows.

/// A malformed row: the table is part of the program, so this is a bug a test catches.
#[derive(Debug, PartialEq, Eq)]
pub struct TableError {
    pub line: usize,
    pub message: String,
}

/// Each data row of `text`: its 1-based line and its columns.
pub fn rows(text: &'static str) -> impl Iterator<Item = (usize, Vec<&'static str>)> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.starts_with('#') && !line.trim().is_empty())
        .map(|(n, line)| (n + 1, line.split('\t').collect()))
}
