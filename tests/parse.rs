//! Parser fixtures: `parse/ok/*.sb` must parse cleanly (snapshot of the tree),
//! `parse/err/*.sb` must report SB001 (snapshot of the rendered diagnostics).
//! Both must print back byte for byte. `parse/cap/` holds the file for the error cap.

mod common;

use std::path::Path;

use sblint::lint::CheckOptions;
use sblint::syntax::{dump_tree, parse, MAX_SYNTAX_ERRORS};

#[test]
fn ok_fixtures_parse_without_errors() {
    common::with_snapshots("parse/ok", || {
        insta::glob!("parse/ok/*.sb", |path| {
            let text = std::fs::read_to_string(path).unwrap();
            let tree = parse(text.clone());
            assert!(
                tree.errors().is_empty(),
                "{}: {:?}",
                path.display(),
                tree.errors()
            );
            assert_eq!(tree.print(), text, "{} does not print back", path.display());
            insta::assert_snapshot!(dump_tree(&tree));
        });
    });
}

#[test]
fn err_fixtures_report_syntax_errors() {
    common::with_snapshots("parse/err", || {
        insta::glob!("parse/err/*.sb", |path| {
            let bytes = std::fs::read(path).unwrap();
            let text = String::from_utf8(bytes).unwrap();
            let tree = parse(text.clone());
            assert!(tree.has_errors(), "{} parsed cleanly", path.display());
            assert_eq!(tree.print(), text, "{} does not print back", path.display());
            let mut report = common::check_fixture(path, &CheckOptions::default());
            report.diagnostics.retain(|d| d.code == "SB001");
            assert!(!report.diagnostics.is_empty());
            insta::assert_snapshot!(common::human(&report));
        });
    });
}

/// 130 bad tokens: the first `MAX_SYNTAX_ERRORS` are reported, each where it is, then one
/// finding says how many more there are. The snapshot shows the end of the list: the last
/// error shown and the cap's message.
#[test]
fn syntax_errors_are_capped_with_a_count_of_the_rest() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parse/cap/too-many-errors.sb");
    let text = std::fs::read_to_string(&path).unwrap();
    let tree = parse(text.clone());
    assert_eq!(tree.print(), text);
    assert_eq!(tree.errors().len(), MAX_SYNTAX_ERRORS);
    assert_eq!(tree.more_errors(), 30);
    let mut report = common::check_fixture(&path, &CheckOptions::default());
    report.diagnostics.retain(|d| d.code == "SB001");
    assert_eq!(report.diagnostics.len(), MAX_SYNTAX_ERRORS + 1);
    for (i, d) in report.diagnostics[..MAX_SYNTAX_ERRORS].iter().enumerate() {
        assert_eq!(d.message, format!("bad `#` token `#q{i}`"));
        assert_eq!(report.line_col(d.primary.span.start).line as usize, i + 2);
    }
    report.diagnostics.drain(..MAX_SYNTAX_ERRORS - 1);
    common::with_snapshots("parse", || {
        insta::assert_snapshot!("too_many_errors", common::human(&report));
    });
}
