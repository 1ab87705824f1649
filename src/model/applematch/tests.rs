use super::*;

fn kinds(text: &str) -> Vec<&'static str> {
    let r = check(text.as_bytes());
    r.error
        .iter()
        .chain(&r.warnings)
        .map(|p| p.construct.id())
        .collect()
}

#[test]
fn every_example_of_the_table_is_its_construct() {
    for row in dialect::rows() {
        if row.construct == "nesting-limit" {
            continue; // its example stands for 65 nested groups: see bounds_hold_on_hostile_input
        }
        let found: Vec<&str> = match parse(row.example.as_bytes()) {
            Err(e) => vec![e.construct.id()],
            Ok(r) => {
                let mut all: Vec<&str> = r.root.walk().iter().map(|n| n.construct.id()).collect();
                all.extend(findings(&r).iter().map(|f| f.construct.id()));
                if let Some(c) = r.root.walk().iter().find_map(|n| match &n.kind {
                    ast::Kind::Class(c) => Some(c.clone()),
                    _ => None,
                }) {
                    for (k, item) in c.items.iter().enumerate() {
                        all.push(classify::class_item(item, k, c.items.len()).id());
                    }
                }
                all
            }
        };
        assert!(
            found.contains(&row.construct.as_str()),
            "{}: example `{}` reads as {found:?}",
            row.construct,
            row.example
        );
    }
}

#[test]
fn apple_profiles_constructs_are_accepted() {
    for r in [
        r"^/System/Library/Frameworks/SystemConfiguration.framework(/|$)",
        r"^/private/var/folders/[^/]+/[^/]+/[^/]+/com\.apple\.bird/mds($|/)",
        r"^(/private)?/var/folders/[^/]+/[^/]+/[^/]+/com\.apple\.cloudd(.[0-9]+)?($|/)",
        r".+[.]app/(.+/)?[.]ds_store$",
        r"/Library/Keychains/~[-A-Za-z0-9_]{16}$",
        r"\.(DVC\!|dvc\!|Dvc\!)$",
        r"/Library/Keychains/login\.keychain-db\.sb-[-\w]*",
    ] {
        let report = check(r.as_bytes());
        assert!(report.error.is_none(), "{r}: {report:?}");
    }
    assert_eq!(kinds(r"/Library/Keychains/\.[\w]*"), ["class-escape"]);
    assert!(kinds(r"^/a(/|$)").is_empty());
}

#[test]
fn anchors_by_place() {
    assert_eq!(kinds("a^b"), ["anchor-start-middle"]);
    assert_eq!(kinds("(?i)^/x"), ["anchor-start-middle", "flag-group"]);
    assert_eq!(kinds("(^a|b)"), ["anchor-start-nested"]);
    assert_eq!(kinds("a$b"), ["anchor-end-middle"]);
    assert_eq!(kinds("(a$)*"), ["anchor-end-middle"]);
    assert!(kinds("^a$").is_empty());
    assert!(kinds("^a($|/)").is_empty());
    assert!(kinds("^a|b$").is_empty());
}

#[test]
fn spans_point_at_the_construct() {
    let r = check(br"^/a/(?:b|c)/\d");
    let spans: Vec<_> = r
        .warnings
        .iter()
        .map(|p| (p.span.start, p.span.end))
        .collect();
    assert_eq!(spans, [(4, 11), (12, 14)]);
    let e = check(b"^/a/[bc").error.unwrap();
    assert_eq!((e.span.start, e.span.end), (4, 5));
    let e = check(b"^/a)").error.unwrap();
    assert_eq!((e.span.start, e.span.end), (3, 4));
}

#[test]
fn the_shortcut_takes_the_common_regexes() {
    assert!(plainly_supported(
        br"^/Users/[^/]+/Library/Caches/gen1/.*\.db$"
    ));
    assert!(plainly_supported(br"^/usr/lib/.*\.dylib$"));
    assert!(!plainly_supported(br"^/usr/(lib"));
    assert!(!plainly_supported(b"[z-a]"));
    assert!(!plainly_supported(b"[a-Z]"));
    assert!(!plainly_supported(b""));
    assert!(!plainly_supported("^/é".as_bytes()));
    assert!(plainly_supported(b"^/a(/|$)"));
    assert!(plainly_supported(b"^/a/(b|c)*/x($|/)"));
    assert!(!plainly_supported(b"^/a(/|$)x"));
    assert!(!plainly_supported(b"^/a(/|$)*"));
    assert!(!plainly_supported(b"^/a(|b)"));
    assert!(!plainly_supported(b"^/a(?:b)"));
}

#[test]
fn matching() {
    let m = |r: &str, t: &str| Matcher::new(r.as_bytes()).unwrap().verdict(t.as_bytes());
    assert_eq!(m("^/a/[^/]+$", "/a/b"), Verdict::Match);
    assert_eq!(m("^/a/[^/]+$", "/a/b/c"), Verdict::NoMatch);
    assert_eq!(m("b", "abc"), Verdict::Match, "unanchored");
    assert_eq!(m("^b", "abc"), Verdict::NoMatch);
    assert_eq!(m("c$", "abc"), Verdict::Match);
    assert_eq!(m("b$", "abc"), Verdict::NoMatch);
    assert_eq!(m("^/a(/|$)", "/a"), Verdict::Match);
    assert_eq!(m("^/a(/|$)", "/a/x"), Verdict::Match);
    assert_eq!(m("^/a(/|$)", "/ab"), Verdict::NoMatch);
    assert_eq!(m("^(a|b)*c+d?$", "ababccc"), Verdict::Match);
    assert_eq!(m("^(a|b)*c+d?$", "abab"), Verdict::NoMatch);
    assert_eq!(m(r"^a\.b$", "a.b"), Verdict::Match);
    assert_eq!(m(r"^a\.b$", "axb"), Verdict::NoMatch);
    assert_eq!(m("^a.b$", "axb"), Verdict::Match);
    assert_eq!(m("^x{3}$", "xxx"), Verdict::Match);
    assert_eq!(m("^x{3}$", "xx"), Verdict::NoMatch);
    assert_eq!(m("^x{0}$", ""), Verdict::Match);
    // `(?:…)` never matches; a way around the group still may (the model's reading).
    assert_eq!(m("^/a/(?:b)$", "/a/b"), Verdict::NoMatch);
    // Unverified: only the known parts decide.
    assert_eq!(m(r"^/a/\w$", "/a/b"), Verdict::Unverified);
    assert_eq!(m(r"^/a/\w$", "/b/b"), Verdict::NoMatch);
    assert_eq!(m("(?i)abc", "ABC"), Verdict::Unverified);
    assert_eq!(m("^/a/[\\w]$", "/a/b"), Verdict::Unverified);
    assert_eq!(m("^/a/[^\\w]$", "/a/b"), Verdict::Unverified);
    assert!(Matcher::new(b"a^b").is_none(), "refused");
    // `\.` in a class holds `.` in either reading; whether it holds `\` is unknown.
    assert_eq!(m(r"^ls\.[a-f0-9\.]+$", "ls.a.b"), Verdict::Match);
    assert_eq!(m(r"^ls\.[a-f0-9\.]+$", "ls.a\\b"), Verdict::Unverified);
    assert_eq!(m(r"^/dev/tty[^\.]", "/dev/tty."), Verdict::NoMatch);
    assert_eq!(m(r"^/dev/tty[^\.]", "/dev/ttys0"), Verdict::Match);
    assert_eq!(m(r"^/dev/tty[^\.]", "/dev/tty\\"), Verdict::Unverified);
}

#[test]
fn bounds_hold_on_hostile_input() {
    let deep = "(".repeat(10_000) + &")".repeat(10_000);
    assert_eq!(
        parse(deep.as_bytes()).unwrap_err().construct,
        Construct::NestingLimit
    );
    assert!(
        check(deep.as_bytes()).error.is_none(),
        "a limit of sblint is no error"
    );
    let stacked = "a".to_string() + &"*".repeat(10_000);
    assert_eq!(
        parse(stacked.as_bytes()).unwrap_err().construct,
        Construct::NestingLimit
    );
    // Unrolling past the state budget gives no automaton, hence no claim.
    assert!(Matcher::new(b"(((a{100}){100}){100})").is_none());
    let long = "a".repeat(100_000);
    assert!(Matcher::new(long.as_bytes()).is_some());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]
    /// The shortcut never passes what the full check would report.
    #[test]
    fn plainly_supported_regexes_have_nothing_to_report(text in proptest::collection::vec(
        proptest::sample::select(b"^$.*+?()[]{}|\\az09AZ/_-:!".to_vec()), 0..14)) {
        if plainly_supported(&text) {
            let full = {
                let regex = parse(&text);
                proptest::prop_assert!(regex.is_ok(), "{:?}: {:?}", String::from_utf8_lossy(&text), regex);
                findings(&regex.unwrap())
            };
            proptest::prop_assert!(full.is_empty(), "{:?}: {:?}", String::from_utf8_lossy(&text), full);
        }
    }

    /// Every string the parser accepts prints back to a string that re-parses to the
    /// same tree.
    #[test]
    fn print_reparse(text in proptest::collection::vec(
        proptest::sample::select(b"ab/.^$*+?|()[]{}-:\\,0123dwi\xc3".to_vec()), 0..24)) {
        if let Ok(tree) = parse(&text) {
            let printed = print::print(&tree.root);
            let again = parse(&printed);
            proptest::prop_assert!(again.is_ok(), "{:?} printed {:?}: {:?}",
                String::from_utf8_lossy(&text), String::from_utf8_lossy(&printed), again);
            let again = again.unwrap();
            proptest::prop_assert_eq!(&again.root, &tree.root);
            proptest::prop_assert_eq!(findings(&again).len(), findings(&tree).len());
        }
    }

    /// Matching agrees with a plain backtracking reading of the same tree on the
    /// constructs whose meaning is known.
    #[test]
    fn matcher_agrees_with_a_reference(
        text in proptest::collection::vec(proptest::sample::select(b"ab/.^$*+?|()[]-".to_vec()), 0..10),
        input in proptest::collection::vec(proptest::sample::select(b"ab/.".to_vec()), 0..8),
    ) {
        if let Ok(tree) = parse(&text) {
            if let Some(m) = Matcher::from_tree(&tree) {
                if m.is_exact() {
                    let expected = (0..=input.len()).any(|s| reference(&tree.root, &input, s, &mut |_| true));
                    let got = m.verdict(&input) == Verdict::Match;
                    proptest::prop_assert_eq!(got, expected, "{:?} on {:?}",
                        String::from_utf8_lossy(&text), String::from_utf8_lossy(&input));
                }
            }
        }
    }
}

/// A backtracking matcher by continuation, for small inputs only: whether `node` matches
/// at `at` and `k` accepts where it ends.
fn reference(node: &Node, text: &[u8], at: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    use ast::{ClassItem, GroupKind, Kind, RepeatOp};
    match &node.kind {
        Kind::Empty => k(at),
        Kind::Literal { byte, .. } => text.get(at) == Some(byte) && k(at + 1),
        Kind::Any => at < text.len() && k(at + 1),
        Kind::Start => at == 0 && k(at),
        Kind::End => at == text.len() && k(at),
        Kind::Class(c) => {
            let Some(&b) = text.get(at) else { return false };
            let inside = c.items.iter().any(|i| match *i {
                ClassItem::Byte(x) => x == b,
                ClassItem::Range(lo, hi) => lo <= b && b <= hi,
                _ => false,
            });
            inside != c.negated && k(at + 1)
        }
        Kind::Group {
            kind: GroupKind::Capture,
            body,
        } => reference(body, text, at, k),
        Kind::Group { .. } => false,
        Kind::Concat(xs) => concat(xs, text, at, k),
        Kind::Alt(xs) => xs.iter().any(|x| reference(x, text, at, k)),
        Kind::Repeat {
            item: Some(item),
            op,
        } => {
            let (min, max) = match *op {
                RepeatOp::Star => (0, None),
                RepeatOp::Plus => (1, None),
                RepeatOp::Question => (0, Some(1)),
                RepeatOp::Exact(n) => (n, Some(n)),
                RepeatOp::AtLeast(n) => (n, None),
                RepeatOp::Range(n, m) => (n, Some(m)),
            };
            repeat(item, min, max, text, at, k, usize::MAX)
        }
        _ => false,
    }
}

fn concat(xs: &[Node], text: &[u8], at: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    match xs.split_first() {
        None => k(at),
        Some((x, rest)) => reference(x, text, at, &mut |next| concat(rest, text, next, k)),
    }
}

fn repeat(
    item: &Node,
    min: u32,
    max: Option<u32>,
    text: &[u8],
    at: usize,
    k: &mut dyn FnMut(usize) -> bool,
    last: usize,
) -> bool {
    if min == 0 && k(at) {
        return true;
    }
    if max == Some(0) || (min == 0 && last == at) {
        return false; // no progress: stop an empty loop
    }
    reference(item, text, at, &mut |next| {
        repeat(
            item,
            min.saturating_sub(1),
            max.map(|m| m - 1),
            text,
            next,
            k,
            at,
        )
    })
}
