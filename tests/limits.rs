//! Bad input gets a clear error or a clean result: never a panic, a hang or a stack overflow.

use sblint::lint::{self, CheckOptions};
use sblint::syntax::{parse, SyntaxErrorKind};

fn check(bytes: Vec<u8>) -> sblint::diagnostic::FileReport {
    lint::check_bytes("input.sb", bytes, &CheckOptions::default())
}

#[test]
fn deeply_nested_open_parens_are_reported_without_overflow() {
    let text = "(".repeat(300_000);
    let tree = parse(text.clone());
    assert_eq!(tree.print(), text);
    assert!(tree
        .errors()
        .iter()
        .all(|e| e.kind == SyntaxErrorKind::UnclosedList));
    assert!(tree.more_errors() > 0, "the error count is capped");
    let report = check(text.into_bytes());
    assert!(report
        .diagnostics
        .iter()
        .any(|d| d.message.contains("more syntax errors")));
}

#[test]
fn deeply_nested_balanced_parens_parse_cleanly() {
    let text = format!(
        "(version 1)\n{}{}\n",
        "(".repeat(300_000),
        ")".repeat(300_000)
    );
    let tree = parse(text.clone());
    assert!(tree.errors().is_empty());
    assert_eq!(tree.print(), text);
    // Evaluating it hits the nesting limit: reported, not a stack overflow.
    let report = check(text.into_bytes());
    let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["SB005"], "{:?}", report.diagnostics);
}

#[test]
fn a_recursive_define_stops_at_the_step_limit() {
    let text =
        "(version 1)\n(define (f n) (f n))\n(f 1)\n(define (g n) (g (+ n 1)) (g n))\n(g 0)\n";
    let report = check(text.as_bytes().to_vec());
    let limits: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "SB005")
        .collect();
    assert_eq!(limits.len(), 1, "{:?}", report.diagnostics);
}

#[test]
fn an_import_cycle_and_special_files_are_refused() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("import-cycle");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.sb"), "(import \"b.sb\")\n").unwrap();
    std::fs::write(dir.join("b.sb"), "(import \"a.sb\")\n").unwrap();
    let text =
        "(version 1)\n(import \"a.sb\")\n(import \"/dev/zero\")\n(import \"/\")\n(deny default)\n";
    let options = CheckOptions {
        model: sblint::model::ModelOptions {
            base_dir: Some(dir.clone()),
            ..Default::default()
        },
        ..Default::default()
    };
    let report = lint::check_text("main.sb", text.to_string(), &options);
    let messages: Vec<&str> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "SB006")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(messages[0].contains("import cycle"), "{messages:?}");
    assert!(
        messages[1..]
            .iter()
            .all(|m| m.contains("not a regular file")),
        "{messages:?}"
    );
}

#[test]
fn imports_given_as_text_are_evaluated_and_their_cycles_refused() {
    // The WebAssembly build reads no files: imports come as texts, by name.
    let imports = [
        ("a.sb", "(define (home p) (subpath p))\n(import \"b.sb\")\n"),
        ("b.sb", "(import \"a.sb\")\n"),
    ];
    let options = CheckOptions {
        model: sblint::model::ModelOptions {
            imports: imports
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        },
        ..Default::default()
    };
    let text =
        "(version 1)\n(import \"a.sb\")\n(deny default)\n(allow file-read* (home \"/Users\"))\n";
    let report = lint::check_text("main.sb", text.to_string(), &options);
    let found: Vec<(&str, &str)> = report
        .diagnostics
        .iter()
        .filter(|d| d.code.starts_with("SB0"))
        .map(|d| (d.code, d.message.as_str()))
        .collect();
    // `home` is defined by the imported text (no SB004); the cycle back to a.sb is refused.
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "SB006");
    assert!(found[0].1.contains("import cycle"), "{found:?}");
}

#[test]
fn deep_nesting_on_separate_lines_stays_bounded() {
    // Every `(` starts a line: recovery rewinds at most a bounded number of times.
    let text = "(\n".repeat(300_000);
    let tree = parse(text.clone());
    assert_eq!(tree.print(), text);
    assert!(tree.has_errors());
}

#[test]
fn a_fifty_megabyte_string_is_one_token() {
    let text = format!("(version 1)\n(define s \"{}\")\n", "a".repeat(50 << 20));
    let tree = parse(text);
    assert!(tree.errors().is_empty());
    let unterminated = format!("(version 1)\n(define s \"{}", "a".repeat(50 << 20));
    let tree = parse(unterminated);
    assert!(tree
        .errors()
        .iter()
        .any(|e| e.kind == SyntaxErrorKind::UnterminatedString));
}

#[test]
fn random_bytes_give_a_diagnostic() {
    // A fixed xorshift stream: the same "random" megabyte every run.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let bytes: Vec<u8> = (0..1 << 20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let report = check(bytes);
    assert_eq!(report.diagnostics.len(), 1);
    assert!(report.diagnostics[0].message.contains("not valid UTF-8"));
}

#[test]
fn random_ascii_text_parses_with_capped_errors() {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let text: String = (0..1 << 20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (b' ' + (state % 95) as u8) as char
        })
        .collect();
    let tree = parse(text.clone());
    assert_eq!(tree.print(), text);
    assert!(tree.errors().len() <= sblint::syntax::MAX_SYNTAX_ERRORS);
}

#[test]
fn invalid_utf8_is_reported_at_its_byte_offset() {
    let mut bytes = b"(version 1)\n(deny default)\n(allow file-read* (literal \"/caf".to_vec();
    let offset = bytes.len();
    bytes.extend_from_slice(&[0xE9, b'"', b')', b'\n']);
    let report = check(bytes);
    assert_eq!(report.diagnostics.len(), 1);
    let d = &report.diagnostics[0];
    assert_eq!(d.code, "SB001");
    assert_eq!(d.primary.span.start as usize, offset);
    assert!(
        d.message.contains(&format!("offset {offset}")),
        "{}",
        d.message
    );
    let at = report.line_col(d.primary.span.start);
    // `(allow file-read* (literal "/caf` is 32 characters: the bad byte is the 33rd.
    assert_eq!((at.line, at.col), (3, 33));
}

#[test]
fn an_empty_file_is_clean() {
    assert!(check(Vec::new()).diagnostics.is_empty());
    assert!(check(b"  \n; only a comment\n".to_vec())
        .diagnostics
        .is_empty());
}

#[test]
fn a_million_rules_are_evaluated_into_a_million_rules() {
    let mut text = String::from("(version 1)\n(deny default)\n");
    for i in 0..1_000_000 {
        text.push_str(&format!("(allow file-read* (literal \"/x/{i}\"))\n"));
    }
    let tree = parse(text);
    assert!(!tree.has_errors());
    let model = sblint::model::Model::new(&tree, &[], &Default::default());
    assert!(model.complete, "a million rules are within the step limit");
    assert_eq!(model.rules.len(), 1_000_001);
    assert!(model.issues.is_empty(), "{:?}", &model.issues[..1]);
}

#[test]
fn ten_thousand_defines_calling_each_other_stay_bounded() {
    let mut text = String::from("(version 1)\n(define (f0 p) p)\n");
    for i in 1..10_000 {
        text.push_str(&format!("(define (f{i} p) (f{} p))\n", i - 1));
    }
    // 40 calls deep: evaluated; 10,000 deep: stopped at the nesting limit, reported once.
    text.push_str("(allow file-read* (literal (f40 \"/shallow\")))\n");
    text.push_str("(allow file-read* (literal (f9999 \"/deep\")))\n");
    let tree = parse(text.clone());
    let model = sblint::model::Model::new(&tree, &[], &Default::default());
    let shallow = model.rules.iter().any(|r| {
        r.filter.as_ref().is_some_and(|f| {
            f.leaves()
                .any(|l| matches!(&l.value, sblint::model::FilterValue::Path(p) if p.text() == "/shallow"))
        })
    });
    assert!(shallow, "the shallow call is evaluated");
    let report = check(text.into_bytes());
    let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes.iter().filter(|c| **c == "SB005").count(),
        1,
        "{codes:?}"
    );
}
