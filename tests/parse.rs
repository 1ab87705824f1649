//! Parser fixtures: `parse/ok/*.sb` must parse cleanly (snapshot of the tree),
//! `parse/err/*.sb` must report SB001 (snapshot of the rendered diagnostics).
//! Both must print back byte for byte.

mod common;

use sblint::lint::CheckOptions;
use sblint::syntax::{dump_tree, parse};

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
