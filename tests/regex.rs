//! Apple's regex dialect: `tests/regex/ok.txt` holds regexes that load (some with
//! warnings), `err.txt` regexes the dialect refuses, one a line. The snapshots show what a
//! user sees for each: the error or warnings with a caret under the construct.

mod common;

use std::fmt::Write;
use std::path::Path;

use sblint::model::applematch::{check, findings, parse, print::print, Problem};

fn lines(name: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/regex")
        .join(name);
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn show(out: &mut String, regex: &str, p: &Problem) {
    let start = regex[..p.span.start].chars().count();
    let width = regex[p.span.start..p.span.end.max(p.span.start)]
        .chars()
        .count()
        .max(1);
    let _ = writeln!(
        out,
        "    {}{} {} [{}]: {}",
        " ".repeat(start),
        "^".repeat(width),
        p.status.as_str(),
        p.construct.id(),
        p.message
    );
}

fn render(name: &str, expect_error: bool) -> String {
    let mut out = String::new();
    for regex in lines(name) {
        let report = check(regex.as_bytes());
        assert_eq!(
            report.error.is_some(),
            expect_error,
            "{name}: `{regex}`: {report:?}"
        );
        let _ = writeln!(out, "`{regex}`");
        if let Some(e) = &report.error {
            show(&mut out, &regex, e);
        }
        for w in &report.warnings {
            show(&mut out, &regex, w);
        }
        if report.error.is_none() && report.warnings.is_empty() {
            let _ = writeln!(out, "    supported");
        }
        // Every accepted regex prints back to itself (these have no `{0n}`).
        if let Ok(tree) = parse(regex.as_bytes()) {
            assert_eq!(print(&tree.root), regex.as_bytes(), "{regex}");
            if sblint::model::applematch::plainly_supported(regex.as_bytes()) {
                assert!(findings(&tree).is_empty(), "the shortcut passed `{regex}`");
            }
        }
    }
    out
}

#[test]
fn accepted_regexes() {
    let text = render("ok.txt", false);
    common::with_snapshots("regex", || insta::assert_snapshot!("ok", text));
}

#[test]
fn refused_regexes() {
    let text = render("err.txt", true);
    common::with_snapshots("regex", || insta::assert_snapshot!("err", text));
}

/// The shortcut agrees with the full parse on every regex of the shared corpus.
#[test]
fn the_shortcut_agrees_on_the_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let Ok(_) = std::fs::metadata(&root) else {
        return;
    };
    let mut stack = vec![root];
    let (mut seen, mut short) = (0, 0);
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for raw in text.split("#\"").skip(1) {
                let Some(end) = raw.find('"') else { continue };
                let regex = &raw[..end];
                seen += 1;
                if sblint::model::applematch::plainly_supported(regex.as_bytes()) {
                    short += 1;
                    let tree = parse(regex.as_bytes()).unwrap();
                    assert!(findings(&tree).is_empty(), "the shortcut passed `{regex}`");
                }
            }
        }
    }
    assert!(
        seen > 100 && short * 2 > seen,
        "{short} of {seen} regexes take the shortcut"
    );
}

proptest::proptest! {
    /// Any bytes: no panic, and the fuzz target's properties hold.
    #[test]
    fn any_bytes(data in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
        sblint::fuzzing::regex_round_trips(&data);
    }
}

/// `explain` does not guess where a regex's match is unverified: it names the rule and
/// says why the decision may differ.
#[test]
fn explain_says_a_match_is_unverified() {
    let out = assert_cmd::Command::cargo_bin("sblint")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "explain",
            "tests/regex/unverified.sb",
            "file-read-data",
            "/private/tmp/build-12/x",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("is unverified"), "{text}");
    common::with_snapshots("regex", || {
        insta::assert_snapshot!("explain_unverified", text)
    });
    // Where the known part of the regex already fails, the answer is certain.
    let out = assert_cmd::Command::cargo_bin("sblint")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "explain",
            "tests/regex/unverified.sb",
            "file-read-data",
            "/private/tmp/other/x",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!text.contains("could be"), "{text}");
}
