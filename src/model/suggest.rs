//! "Did you mean": the one measure of how close a misspelt name is to a known one, for
//! operations, filters, named values, globals and rule codes alike.

/// The candidate closest to `name`, when it is close enough to be a typo: at most a third
/// of the longer name's length in edits (at least one), counting a swap of two adjacent
/// letters as one edit and ignoring case. Ties go to the candidate that sorts first, so
/// the answer does not depend on the candidates' order.
///
/// A misspelt name is compared with every known one (a thousand globals for an unbound
/// variable), so each candidate is first bounded below by how many characters the two
/// names do not share (a count no edit lowers by more than one): one too far on that count
/// alone is dropped without the full distance. The answer is the same.
pub fn closest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    closest_scored(name, candidates).map(|(_, c)| c)
}

/// [`closest`] with its distance: the best of two lists is the smaller of their bests.
pub fn closest_scored<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<(usize, &'c str)> {
    let lower = name.to_lowercase();
    let counts = Counts::of(lower.chars());
    candidates
        .into_iter()
        .filter_map(|c| {
            let most = (name.len().max(c.len()) / 3).max(1);
            // An ASCII name lowers byte by byte: no copy until it comes close.
            let bound = if c.is_ascii() {
                // No edit changes the length by more than one.
                if c.len().abs_diff(counts.length) > most {
                    return None;
                }
                counts.unshared(c.bytes().map(|b| b.to_ascii_lowercase() as char))
            } else {
                counts.unshared(c.to_lowercase().chars())
            };
            if bound > most {
                return None;
            }
            let c_lower = c.to_lowercase();
            let d = strsim::damerau_levenshtein(&lower, &c_lower);
            (d <= most).then_some((d, c))
        })
        .min()
}

/// [`closest_scored`] among a list that never changes while the process runs (the
/// vocabulary's functions, its filters), named by `list`: remembered per name, so that a
/// profile calling an undefined helper, checked again on every edit, compares it with the
/// list once.
pub fn closest_in_fixed<'c, I: Iterator<Item = &'c str>>(
    list: &'static str,
    name: &str,
    candidates: impl FnOnce() -> I,
) -> Option<(usize, String)> {
    type Memo = std::sync::Mutex<std::collections::HashMap<(&'static str, Box<str>), Found>>;
    type Found = Option<(usize, String)>;
    static MEMO: std::sync::OnceLock<Memo> = std::sync::OnceLock::new();
    let memo = MEMO.get_or_init(Default::default);
    if let Some(found) = memo
        .lock()
        .ok()
        .and_then(|m| m.get(&(list, name.into())).cloned())
    {
        return found;
    }
    let found = closest_scored(name, candidates()).map(|(d, c)| (d, c.to_string()));
    if let Ok(mut m) = memo.lock() {
        // Names come from the checked files: bounded all the same.
        if m.len() >= 4096 {
            m.clear();
        }
        m.insert((list, name.into()), found.clone());
    }
    found
}

/// How often each character occurs in a name: ASCII by code, the rest together (a lower
/// bound stays a lower bound when characters are merged).
#[derive(Clone)]
struct Counts {
    counts: [u32; 129],
    length: usize,
}

fn slot(c: char) -> usize {
    if c.is_ascii() {
        c as usize
    } else {
        128
    }
}

impl Counts {
    fn of(name: impl Iterator<Item = char>) -> Counts {
        let mut counts = [0u32; 129];
        let mut length = 0;
        for c in name {
            counts[slot(c)] += 1;
            length += 1;
        }
        Counts { counts, length }
    }

    /// The larger of the characters of one name not matched in the other, each way: an
    /// insertion, deletion or substitution changes it by at most one and a swap not at
    /// all, so it never exceeds the Damerau-Levenshtein distance.
    fn unshared(&self, other: impl Iterator<Item = char>) -> usize {
        let mut left = self.counts;
        let (mut shared, mut length) = (0, 0);
        for c in other {
            let n = &mut left[slot(c)];
            if *n > 0 {
                *n -= 1;
                shared += 1;
            }
            length += 1;
        }
        (self.length - shared).max(length - shared)
    }
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

    proptest::proptest! {
        /// The bound that skips the full distance never exceeds it, so `closest` answers
        /// as it did without it.
        #[test]
        fn the_shared_characters_bound_never_exceeds_the_distance(
            a in "[abAB\\-éÉİ]{0,12}",
            b in "[abAB\\-éÉİ]{0,12}",
        ) {
            let (la, lb) = (a.to_lowercase(), b.to_lowercase());
            let bound = super::Counts::of(la.chars()).unshared(lb.chars());
            proptest::prop_assert!(bound <= strsim::damerau_levenshtein(&la, &lb));
        }

        /// `closest` answers as the plain distance over every candidate does.
        #[test]
        fn closest_answers_as_the_full_distance_does(
            name in "[abcAB\\-é]{0,8}",
            candidates in proptest::collection::vec("[abcAB\\-é]{0,8}", 0..12),
        ) {
            let lower = name.to_lowercase();
            let plain = candidates
                .iter()
                .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c.as_str()))
                .filter(|(d, c)| *d <= (name.len().max(c.len()) / 3).max(1))
                .min()
                .map(|(_, c)| c);
            proptest::prop_assert_eq!(closest(&name, candidates.iter().map(String::as_str)), plain);
        }

        /// The best of two lists, each found apart (the vocabulary's and the globals), is
        /// the best of both together.
        #[test]
        fn the_best_of_two_lists_is_the_smaller_of_their_bests(
            name in "[abcAB\\-]{0,8}",
            first in proptest::collection::vec("[abcAB\\-]{0,8}", 0..8),
            second in proptest::collection::vec("[abcAB\\-]{0,8}", 0..8),
        ) {
            let both = closest(&name, first.iter().chain(&second).map(String::as_str));
            let apart = [
                super::closest_scored(&name, first.iter().map(String::as_str)),
                super::closest_scored(&name, second.iter().map(String::as_str)),
            ]
            .into_iter()
            .flatten()
            .min()
            .map(|(_, c)| c);
            proptest::prop_assert_eq!(both, apart);
        }
    }
}
