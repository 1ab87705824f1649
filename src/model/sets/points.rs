//! Point decisions at many paths at once: which rules can match each path, found once per
//! profile, so that each decision reads only those rules (the secrets' lints ask about a
//! hundred paths of every profile).
//!
//! [`decide`] reads every rule: a generated profile of 110,000 rules asked about the
//! secrets' paths made about ten million rule evaluations, and each of its 14,000 regexes
//! ran against every path (and was compiled again each time, past the regex cache). Here a
//! path leaf is indexed by what it needs (a literal by its text, a subpath or a prefix by
//! its start, found by binary search among the sorted paths) and each distinct regex runs
//! once over all the paths as a trie, dying where it parts from them. A rule none of whose
//! leaves can match a path evaluates to "no" there (its filter evaluated with those leaves
//! "no" and every other leaf "unknown" is "no", and the three-valued evaluation is
//! monotone), and [`decide_among`] counts a rule left out as not matching: the decision
//! is the one [`decide`] makes.

use rustc_hash::FxHashMap as HashMap;

use crate::model::applematch::nfa::{Nfa, State, StateId};
use crate::model::applematch::Matcher;
use crate::model::precedence::{self, decide, decide_among, matches, Arg, Decision, Truth};
use crate::model::regex;
use crate::model::rule::{Filter, FilterValue, PathPattern, Rule};
use crate::model::vocab::{vocabulary, OpId};

/// The rules that can match each of a set of paths, on a set of operations.
pub struct Points<'r> {
    rules: &'r [Rule],
    ops: Vec<OpId>,
    /// Sorted, distinct.
    paths: Vec<String>,
    /// Rules that can match every path (unfiltered, or a filter that does not depend on
    /// the path alone), ascending.
    always: Vec<usize>,
    /// Per path, the other rules that can match it, ascending.
    candidates: Vec<Vec<usize>>,
}

impl<'r> Points<'r> {
    /// The index for deciding `ops` at `paths` (other operations and arguments are decided
    /// by reading every rule).
    pub fn new<'p>(
        rules: &'r [Rule],
        ops: &[OpId],
        paths: impl IntoIterator<Item = &'p str>,
    ) -> Points<'r> {
        let mut sorted: Vec<String> = paths.into_iter().map(str::to_string).collect();
        sorted.sort_unstable();
        sorted.dedup();
        let paths = Paths::new(sorted);
        let levels: Vec<OpId> = ops
            .iter()
            .flat_map(|&op| vocabulary().chain(op).iter().copied())
            .collect();
        let mut always: Vec<usize> = Vec::new();
        let mut found: Vec<Vec<usize>> = vec![Vec::new(); paths.texts.len()];
        let mut regexes: HashMap<&str, Vec<u32>> = HashMap::default();
        let mut walk = Walk::default();
        for (i, rule) in rules.iter().enumerate() {
            if !levels.iter().any(|&l| rule.names(l)) {
                continue;
            }
            let Some(filter) = &rule.filter else {
                always.push(i);
                continue;
            };
            let base = precedence::eval(filter, |leaf| match path_leaf(leaf) {
                Some(_) => Truth::No,
                None => Truth::Unknown,
            });
            if base != Truth::No {
                always.push(i);
                continue;
            }
            for pattern in filter.leaves().filter_map(path_leaf) {
                let hits: &[u32] = match pattern {
                    PathPattern::Regex(r) => regexes
                        .entry(r)
                        .or_insert_with(|| paths.regex_hits(r, &mut walk)),
                    other => &paths.plain_hits(other),
                };
                for &k in hits {
                    let list = &mut found[k as usize];
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
        }
        Points {
            rules,
            ops: ops.to_vec(),
            paths: paths.texts,
            always,
            candidates: found,
        }
    }

    /// `decide(rules, op, arg)`, reading only the rules that can match.
    pub fn decide(&self, op: OpId, arg: &Arg) -> Decision {
        let slot = match arg {
            Arg::Path(p) if self.ops.contains(&op) => self.paths.binary_search(p).ok(),
            _ => None,
        };
        let Some(k) = slot else {
            return decide(self.rules, op, arg);
        };
        let rules = self.rules;
        let candidates = descending(&self.always, &self.candidates[k]);
        decide_among(rules, op, candidates, |i| {
            matches(rules[i].filter.as_ref(), arg)
        })
    }
}

/// The union of two ascending lists of distinct rules, descending.
fn descending<'a>(a: &'a [usize], b: &'a [usize]) -> impl Iterator<Item = usize> + 'a {
    let (mut a, mut b) = (a.iter().rev().peekable(), b.iter().rev().peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(&&x), Some(&&y)) if x == y => {
            b.next();
            a.next().copied()
        }
        (Some(&&x), Some(&&y)) if x < y => b.next().copied(),
        (Some(_), _) => a.next().copied(),
        (None, _) => b.next().copied(),
    })
}

/// The path pattern of a leaf whose truth at a path depends on the path
/// ([`precedence::leaf_matches`]); every other leaf is unknown at a path.
fn path_leaf(leaf: &Filter) -> Option<&PathPattern> {
    match &leaf.value {
        FilterValue::Path(p) if !precedence::on_process(leaf) => Some(p),
        _ => None,
    }
}

/// The paths asked about, sorted, with what walking them as a trie needs.
struct Paths {
    texts: Vec<String>,
    /// `lcp[k]`: the length of the common start of paths `k - 1` and `k` (0 for the first).
    lcp: Vec<usize>,
}

impl Paths {
    fn new(texts: Vec<String>) -> Paths {
        let lcp = (0..texts.len())
            .map(|k| match k {
                0 => 0,
                _ => common(&texts[k - 1], &texts[k]),
            })
            .collect();
        Paths { texts, lcp }
    }

    /// The paths starting with `start`: a range of the sorted paths.
    fn starting(&self, start: &str) -> std::ops::Range<usize> {
        let from = self.texts.partition_point(|t| t.as_str() < start);
        let to = from + self.texts[from..].partition_point(|t| t.starts_with(start));
        from..to
    }

    /// The paths a literal, subpath or prefix may match (at least every path it matches or
    /// may match: a subpath `/x/` may match `/x`).
    fn plain_hits(&self, pattern: &PathPattern) -> Vec<u32> {
        let range = match pattern {
            PathPattern::Literal(l) => match self.texts.binary_search_by(|t| t.as_str().cmp(l)) {
                Ok(k) => k..k + 1,
                Err(_) => 0..0,
            },
            PathPattern::Subpath(s) => match s.trim_end_matches('/') {
                "" => self.starting("/"),
                dir => self.starting(dir),
            },
            PathPattern::Prefix(p) => self.starting(p),
            PathPattern::Regex(_) => 0..self.texts.len(),
        };
        range.map(|k| k as u32).collect()
    }

    /// The paths a regex may match: where [`precedence::regex_truth`] is not "no" (its
    /// literal start, then the automaton accepting at least what libsandbox could match).
    fn regex_hits(&self, pattern: &str, walk: &mut Walk) -> Vec<u32> {
        let range = match regex::literal_prefix(pattern) {
            Some(start) => self.starting(start),
            None => 0..self.texts.len(),
        };
        if range.is_empty() {
            return Vec::new();
        }
        // Compiled here, not through the regex cache: each regex runs once, and thousands
        // of them would only push out what the point decisions ask again.
        match Matcher::new(pattern.as_bytes()) {
            Some(m) => walk.run(m.over(), self, range),
            // Refused or past the bounds: unknown wherever its literal start matches.
            None => range.map(|k| k as u32).collect(),
        }
    }
}

fn common(a: &str, b: &str) -> usize {
    a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count()
}

/// The simulation of [`Nfa::is_match`] over sorted paths sharing their starts: the state
/// set after each byte of a path is kept and reused by the next path with the same start.
#[derive(Default)]
struct Walk {
    /// `sets[d]`: the states at position `d` (before its byte), `End` states unexpanded.
    sets: Vec<Vec<StateId>>,
    /// `matched[d]`: `Match` was reached at a position up to `d`.
    matched: Vec<bool>,
    /// Per state, the stamp of the set it was last added to.
    mark: Vec<u32>,
    stamp: u32,
    stack: Vec<StateId>,
}

impl Walk {
    /// The paths of `range` that `nfa` matches (some part of them).
    fn run(&mut self, nfa: &Nfa, paths: &Paths, range: std::ops::Range<usize>) -> Vec<u32> {
        self.mark.clear();
        self.mark.resize(nfa.states.len(), 0);
        self.stamp = 0;
        let mut hits = Vec::new();
        // How many positions of `sets` hold for the current path.
        let mut valid = 0usize;
        for k in range.clone() {
            let text = paths.texts[k].as_bytes();
            if k > range.start {
                valid = valid.min(paths.lcp[k] + 1);
            }
            if valid == 0 {
                self.begin(nfa);
                valid = 1;
            }
            let mut d = valid - 1;
            while d < text.len() && !self.matched[d] && self.live(nfa, d) {
                self.step(nfa, d, text[d]);
                d += 1;
            }
            valid = d + 1;
            let hit = self.matched[d] || (d == text.len() && self.ends(nfa, d));
            if hit {
                hits.push(k as u32);
            }
        }
        hits
    }

    fn next_stamp(&mut self) -> u32 {
        self.stamp += 1;
        self.stamp
    }

    /// Position 0: the start's closure.
    fn begin(&mut self, nfa: &Nfa) {
        let stamp = self.next_stamp();
        let mut set = self.take(0);
        let matched = self.close(nfa, nfa.start, true, false, stamp, &mut set);
        self.put(0, set, matched);
    }

    /// Position `d + 1` from position `d` and its byte.
    fn step(&mut self, nfa: &Nfa, d: usize, byte: u8) {
        let stamp = self.next_stamp();
        let mut set = self.take(d + 1);
        let mut matched = false;
        for n in 0..self.sets[d].len() {
            let s = self.sets[d][n];
            if let State::Bytes { set: bytes, next } = nfa.states[s as usize] {
                if bytes.contains(byte) {
                    matched |= self.close(nfa, next, false, false, stamp, &mut set);
                }
            }
        }
        // Unanchored: a match may start anywhere.
        matched |= self.close(nfa, nfa.start, false, false, stamp, &mut set);
        self.put(d + 1, set, matched);
    }

    /// The buffer of position `d`, emptied.
    fn take(&mut self, d: usize) -> Vec<StateId> {
        let mut set = self.sets.get_mut(d).map(std::mem::take).unwrap_or_default();
        set.clear();
        set
    }

    fn put(&mut self, d: usize, set: Vec<StateId>, matched: bool) {
        if self.sets.len() <= d {
            self.sets.resize_with(d + 1, Vec::new);
            self.matched.resize(d + 1, false);
        }
        let before = d.checked_sub(1).is_some_and(|p| self.matched[p]);
        self.sets[d] = set;
        self.matched[d] = matched || before;
    }

    /// True when a byte can still lead somewhere from position `d`.
    fn live(&self, nfa: &Nfa, d: usize) -> bool {
        self.sets[d]
            .iter()
            .any(|&s| matches!(nfa.states[s as usize], State::Bytes { .. } | State::End(_)))
    }

    /// True when the path ending at position `d` matches there: an `End` state of the set
    /// leads to `Match` once the text ends.
    fn ends(&mut self, nfa: &Nfa, d: usize) -> bool {
        let stamp = self.next_stamp();
        let mut scratch = Vec::new();
        for n in 0..self.sets[d].len() {
            if let State::End(to) = nfa.states[self.sets[d][n] as usize] {
                if self.close(nfa, to, d == 0, true, stamp, &mut scratch) {
                    return true;
                }
            }
        }
        false
    }

    /// Adds `from` and what it reaches without a byte to `set` (as [`Nfa::is_match`]'s
    /// closure: `Start` only at the first position, `End` only at the last); true when
    /// that reaches `Match`.
    fn close(
        &mut self,
        nfa: &Nfa,
        from: StateId,
        first: bool,
        last: bool,
        stamp: u32,
        set: &mut Vec<StateId>,
    ) -> bool {
        self.stack.clear();
        self.stack.push(from);
        while let Some(s) = self.stack.pop() {
            if self.mark[s as usize] == stamp {
                continue;
            }
            self.mark[s as usize] = stamp;
            set.push(s);
            match nfa.states[s as usize] {
                State::Match => return true,
                State::Split(a, b) => {
                    self.stack.push(b);
                    self.stack.push(a);
                }
                State::Start(to) if first => self.stack.push(to),
                State::End(to) if last => self.stack.push(to),
                _ => {}
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Model, ModelOptions};

    fn rules(text: &str) -> Vec<Rule> {
        let tree = crate::syntax::parse(text);
        Model::new(&tree, &[], &ModelOptions::default()).rules
    }

    /// Every path's decision through the index is the one reading every rule.
    #[test]
    fn decides_as_every_rule_does() {
        let profile = r#"(version 1)
(deny default)
(allow file-read* (subpath "/Users/me/Repos"))
(allow file-read-data (regex #"^/Users/[^/]+/\.ssh/"))
(deny file-read* (regex #"/\.env$"))
(allow file-read* (regex #"\.env"))
(allow file-write* (literal "/Users/me/.netrc") (prefix "/Users/me/.aws"))
(deny file-read* (require-not (subpath "/Users/me/Repos/x")))
(allow file-read* (subpath "/Users/me/"))
(allow file-read-data (regex #"^/Users/me$") (regex #"[") (regex #"^/Users/(me|you)/\.git.*$"))
(allow file-read-data (require-all (subpath "/Users") (vnode-type REGULAR-FILE)))
(allow file-read* (regex #"^/private/tmp"))
"#;
        let rules = rules(profile);
        let paths = [
            "/Users/me",
            "/Users/me/.ssh/id_rsa",
            "/Users/me/.ssh",
            "/Users/me/Repos/app/.env",
            "/Users/me/Repos/x",
            "/Users/me/Repos/x/.env",
            "/Users/me/.netrc",
            "/Users/me/.aws/credentials",
            "/Users/me/.gitconfig",
            "/Users/me/.git-credentials",
            "/Users/you/.gitconfig",
            "/Users/mex",
            "/private/tmp/a.env",
            "/Library/Keychains",
        ];
        let ops: Vec<OpId> = ["file-read-data", "file-write-data", "file-read-metadata"]
            .iter()
            .map(|o| vocabulary().op_id(o).unwrap())
            .collect();
        let points = Points::new(&rules, &ops[..2], paths.iter().copied());
        for p in paths {
            let arg = Arg::Path(p.to_string());
            for &op in &ops {
                assert_eq!(
                    points.decide(op, &arg),
                    decide(&rules, op, &arg),
                    "{p} on {}",
                    vocabulary().operation(op).name
                );
            }
        }
    }

    /// The walk over shared starts gives what the automaton gives on each path alone.
    #[test]
    fn merges_descending() {
        let merged: Vec<usize> = descending(&[1, 4, 6], &[2, 4, 7, 9]).collect();
        assert_eq!(merged, [9, 7, 6, 4, 2, 1]);
        assert_eq!(descending(&[], &[3]).collect::<Vec<_>>(), [3]);
        assert_eq!(descending(&[3], &[]).collect::<Vec<_>>(), [3]);
    }

    #[test]
    fn walk_agrees_with_is_match() {
        let regexes = [
            r"^/Users/[^/]+/\.ssh/",
            r"\.env$",
            r"^/a(b|bc)?$",
            r"^/a/.*\.db$",
            r"x*",
            r"^$",
            r"/b/",
            r"^/a/b$|^/a/bc/",
        ];
        let mut texts: Vec<String> = [
            "/a",
            "/a/b",
            "/a/bc",
            "/a/bc/d",
            "/a/b/x.db",
            "/ab",
            "/abc",
            "/abcd",
            "/b/.env",
            "/Users/me/.ssh/id",
            "/Users/me/.sshx",
            "/Users/me",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        texts.sort_unstable();
        let paths = Paths::new(texts);
        let mut walk = Walk::default();
        for r in regexes {
            let m = regex::compiled(r).unwrap();
            let hits = walk.run(m.over(), &paths, 0..paths.texts.len());
            let expected: Vec<u32> = (0..paths.texts.len())
                .filter(|&k| m.over().is_match(paths.texts[k].as_bytes()))
                .map(|k| k as u32)
                .collect();
            assert_eq!(hits, expected, "{r}");
        }
    }
}
