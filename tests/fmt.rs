//! The formatter: fixtures (snapshots of the formatted output), the corpus, generated
//! profiles, and pathological inputs. Everywhere: tokens and comments are kept, and a
//! second pass changes nothing.

mod common;

use proptest::prelude::*;
use sblint::fmt::{format_text, FormatOptions};
use sblint::fuzzing::significant;
use sblint::syntax::{parse, TokenKind};

/// Formats, and checks the invariants every formatting must hold.
fn format_checked(text: &str, options: &FormatOptions) -> String {
    let formatted = format_text(text, options).expect("input parses");
    let (before, after) = (parse(text), parse(formatted.as_str()));
    assert_eq!(
        significant(&after),
        significant(&before),
        "formatting changed tokens"
    );
    let again = format_text(&formatted, options).expect("output parses");
    assert_eq!(again, formatted, "formatting is not idempotent");
    for line in formatted.lines() {
        assert_eq!(line, line.trim_end(), "trailing whitespace");
    }
    if !formatted.is_empty() {
        assert!(formatted.ends_with('\n') && !formatted.ends_with("\n\n"));
    }
    assert!(!formatted.contains("\n\n\n"), "more than one blank line");
    formatted
}

#[test]
fn fixtures() {
    common::with_snapshots("fmt", || {
        insta::glob!("fmt/*.sb", |path| {
            let text = std::fs::read_to_string(path).unwrap();
            let width = text
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("; line-width: "))
                .map_or(100, |w| w.trim().parse().unwrap());
            let formatted = format_checked(&text, &FormatOptions { line_width: width });
            insta::assert_snapshot!(formatted);
        });
    });
}

#[test]
fn corpus_keeps_tokens_and_is_stable() {
    let Some(dir) = common::corpus_dir() else {
        return;
    };
    let mut formatted_files = 0;
    let mut largest = (0usize, String::new());
    for entry in common::corpus_entries(&dir) {
        let text = std::fs::read_to_string(dir.join(&entry.file)).unwrap();
        if parse(text.as_str()).has_errors() {
            continue;
        }
        let formatted = format_checked(&text, &FormatOptions::default());
        let changed = similar::TextDiff::from_lines(&text, &formatted)
            .iter_all_changes()
            .filter(|c| c.tag() != similar::ChangeTag::Equal)
            .count();
        if changed > largest.0 {
            largest = (changed, entry.file.clone());
        }
        formatted_files += 1;
    }
    eprintln!(
        "formatted {formatted_files} corpus files; largest diff: {} changed lines in {}",
        largest.0, largest.1
    );
    assert!(formatted_files > 80);
}

#[test]
fn deep_nesting_formats_without_overflow() {
    let depth = 100_000;
    let text = format!(
        "(version 1)\n{}x{}\n",
        "(a ".repeat(depth),
        ")".repeat(depth)
    );
    let formatted = format_checked(&text, &FormatOptions::default());
    assert!(
        formatted.lines().count() > 10,
        "the outer forms are broken over lines"
    );
    assert!(
        formatted.len() < 2 * text.len(),
        "output stays linear: {} bytes from {}",
        formatted.len(),
        text.len()
    );
}

#[test]
fn a_file_with_syntax_errors_is_refused() {
    assert!(format_text("(allow file-read*\n", &FormatOptions::default()).is_err());
}

/// A datum printed with random whitespace and comments between its tokens.
fn ugly_profile() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        Just("file-read*".to_string()),
        Just("allow".to_string()),
        Just("deny".to_string()),
        Just("define".to_string()),
        Just("require-all".to_string()),
        Just("\"/private/tmp\"".to_string()),
        Just("#\"^/usr/.*$\"".to_string()),
        Just("42".to_string()),
        Just("#t".to_string()),
        "[a-z][a-z0-9-]{0,12}\\*?",
        "\"[a-z/ ]{0,30}\"",
    ];
    let datum = atom.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8)
                .prop_map(|items| format!("({})", items.join(" "))),
            inner.prop_map(|d| format!("'{d}")),
        ]
    });
    let gap = prop_oneof![
        Just(" ".to_string()),
        Just("\n".to_string()),
        Just("\n\n\n".to_string()),
        Just("   \t ".to_string()),
        Just(" ; note\n".to_string()),
        Just("\n;; own line\n".to_string()),
        Just(" #| block |# ".to_string()),
    ];
    (
        prop::collection::vec(datum, 1..12),
        prop::collection::vec(gap, 64),
    )
        .prop_map(|(forms, gaps)| {
            // Re-space every token boundary with the generated gaps.
            let text = forms.join("\n");
            let tree = parse(text.as_str());
            let mut out = String::new();
            for (i, token) in tree.tokens().iter().enumerate() {
                let piece = &text[token.span.range()];
                if matches!(token.kind, TokenKind::Whitespace | TokenKind::Newline) {
                    out.push_str(&gaps[i % gaps.len()]);
                } else {
                    out.push_str(piece);
                }
            }
            out
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn generated_profiles_keep_tokens_and_are_stable(text in ugly_profile(), width in 20usize..120) {
        prop_assume!(!parse(text.as_str()).has_errors());
        format_checked(&text, &FormatOptions { line_width: width });
    }
}
