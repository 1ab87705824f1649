//! "Did you mean": the one measure of how close a misspelt name is to a known one, for
//! operations, filters, named values, globals and rule codes alike.

/// The candidate closest to `name`, when it is close enough to be a typo: at most a third
/// of the longer name's length in edits (at least one), counting a swap of two adjacent
/// letters as one edit and ignoring case. Ties go to the candidate that sorts first, so
/// the answer does not depend on the candidates' order.
pub fn closest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let lower = name.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (name.len().max(c.len()) / 3).max(1))
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn typos_swaps_and_case_are_close_strangers_are_not() {
        let names = [
            "file-read-data",
            "file-write-data",
            "SB201",
            "unresolved-path",
        ];
        assert_eq!(closest("file-reed-data", names), Some("file-read-data"));
        assert_eq!(closest("file-raed-data", names), Some("file-read-data"));
        assert_eq!(closest("sb201", names), Some("SB201"));
        assert_eq!(closest("SB2O1", names), Some("SB201"));
        assert_eq!(closest("network-outbound", names), None);
        assert_eq!(closest("x", ["y", "z"]), Some("y"));
    }
}
