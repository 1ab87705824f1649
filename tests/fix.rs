//! Fix fixtures: `fixes/*.sb` get their safe fixes applied (as `--fix` does); the snapshot
//! shows the fixed file, which must parse and re-lint without any safe fix left.

mod common;

use sblint::diagnostic::Applicability;
use sblint::lint::{self, CheckOptions};

#[test]
fn safe_fixes_converge_and_relint_clean() {
    common::with_snapshots("fixes", || {
        insta::glob!("fixes/*.sb", |path| {
            let options = CheckOptions::default();
            let report = common::check_fixture(path, &options);
            let fixable: Vec<&str> = report
                .diagnostics
                .iter()
                .filter(|d| {
                    d.fix
                        .as_ref()
                        .is_some_and(|f| f.applicability == Applicability::Safe)
                })
                .map(|d| d.code)
                .collect();
            assert!(!fixable.is_empty(), "{}: nothing to fix", path.display());
            let original = report.text.clone();
            // Fixes rewrite strings and add forms; they never split or merge strings.
            let strings = |text: &str| {
                sblint::syntax::parse(text)
                    .tokens()
                    .iter()
                    .filter(|t| {
                        matches!(
                            t.kind,
                            sblint::syntax::TokenKind::String
                                | sblint::syntax::TokenKind::RawString
                        )
                    })
                    .count()
            };
            let fixed = lint::fix::apply_safe_fixes(report, &options);
            assert_ne!(fixed.text, original);
            // A fix may add a form with its own string (SB210's `(literal "/tmp")`);
            // merging two strings would lose one, splitting one would break the parse
            // checked below.
            assert!(
                strings(&fixed.text) >= strings(&original),
                "a fix merged strings"
            );
            let again = lint::check_text("fixed.sb", fixed.text.clone(), &options);
            assert!(
                again.diagnostics.iter().all(|d| d.code != "SB001"),
                "a fix broke the syntax"
            );
            let left: Vec<_> = again
                .diagnostics
                .iter()
                .filter(|d| fixable.contains(&d.code))
                .map(|d| (d.code, d.message.clone()))
                .collect();
            assert!(
                left.is_empty(),
                "{}: still reported after fixing: {left:?}",
                path.display()
            );
            insta::assert_snapshot!(fixed.text);
        });
    });
}
