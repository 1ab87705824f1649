//! The properties the fuzz targets (`fuzz/`) check, one function per target. Each takes
//! arbitrary bytes and panics when a property fails; `tests/fuzz.rs` replays every input
//! ever kept under `tests/fuzz/TARGET/` through the same function, so a crash found once
//! stays fixed.

use std::path::Path;

use crate::compile::compile;
use crate::diagnostic::Severity;
use crate::explain::{explain, parse_argument};
use crate::fmt::{format_text, FormatOptions};
use crate::learn::{narrowest_filter, parse_denial};
use crate::lint::{check_bytes, check_text, CheckOptions};
use crate::model::sources::SourceMap;
use crate::model::{vocabulary, FilterValue, Model, ModelOptions, PathPattern};
use crate::syntax::{parse, SyntaxTree, TokenKind};

/// A property: panics when it fails on the input.
pub type Property = fn(&[u8]);

/// The targets, as `fuzz/fuzz_targets/NAME.rs` and `tests/fuzz/NAME/` name them.
pub const TARGETS: &[(&str, Property)] = &[
    ("parse", parse_prints_back),
    ("check", check_never_panics),
    ("fmt", fmt_keeps_tokens),
    ("explain", explain_never_panics),
    ("compile", compile_round_trips),
    ("regex", regex_round_trips),
    ("sbtest", sbtest_never_panics),
    ("learn", learn_allows_what_it_proposes),
    ("diff", diff_witnesses_hold),
    ("lsp", lsp_survives_edits),
];

/// Any bytes read as an AppleMatch regex: no panic; a tree prints back to text that
/// re-parses to the same tree; the under-approximating automaton never accepts what the
/// over-approximating one rejects.
pub fn regex_round_trips(data: &[u8]) {
    use crate::model::applematch::{check, parse, print::print, Matcher, Verdict};
    let report = check(data);
    let Ok(tree) = parse(data) else {
        return;
    };
    let printed = print(&tree.root);
    let again = parse(&printed).expect("a printed tree parses");
    assert!(
        again.root == tree.root,
        "the printed tree re-parses differently"
    );
    assert_eq!(check(&printed).error.is_some(), report.error.is_some());
    if let Some(m) = Matcher::from_tree(&tree) {
        for text in [data, &printed[..], b"", b"/private/tmp/x"] {
            let over = m.over().is_match(text);
            let under = m.under().is_match(text);
            assert!(over || !under, "the under-approximation accepts more");
            let v = m.verdict(text);
            assert_eq!(v == Verdict::NoMatch, !over);
        }
    }
}

/// Parsing never fails, and printing the tree gives the input back.
pub fn parse_prints_back(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let tree = parse(text);
        assert_eq!(tree.print(), text, "the tree does not print back its input");
    }
}

/// Checking any bytes gives diagnostics, never a panic; the step limits bound the time.
pub fn check_never_panics(data: &[u8]) {
    let report = check_bytes("fuzz.sb", data.to_vec(), &CheckOptions::default());
    for d in &report.diagnostics {
        let end = d.primary.span.end as usize;
        assert!(end <= report.text.len(), "{} points past the end", d.code);
    }
}

/// The tokens formatting must keep: all but whitespace and newlines (tests/fmt.rs too).
pub fn significant(tree: &SyntaxTree) -> Vec<(TokenKind, &str)> {
    tree.tokens()
        .iter()
        .filter(|t| !matches!(t.kind, TokenKind::Whitespace | TokenKind::Newline))
        .map(|t| (t.kind, &tree.text()[t.span.range()]))
        .collect()
}

/// Formatting keeps every token and comment, and a second pass changes nothing; a file with
/// syntax errors is refused.
pub fn fmt_keeps_tokens(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let width = 20 + data.first().map_or(0, |b| *b as usize % 100);
    let options = FormatOptions { line_width: width };
    match format_text(text, &options) {
        Err(tree) => assert!(tree.has_errors(), "refused a file without syntax errors"),
        Ok(formatted) => {
            let before = parse(text);
            let after = parse(formatted.as_str());
            assert!(!after.has_errors(), "the output has syntax errors");
            assert_eq!(significant(&after), significant(&before), "tokens changed");
            let again = format_text(&formatted, &options).expect("the output parses");
            assert_eq!(again, formatted, "formatting is not idempotent");
        }
    }
}

/// The first byte picks an operation, the first line is the argument, the rest is the
/// profile: no pair panics, whatever the profile or argument.
pub fn explain_never_panics(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let (argument, profile) = text.split_once('\n').unwrap_or((&text, ""));
    let names: Vec<&str> = vocabulary().operation_names().collect();
    let op = names[pick as usize % names.len()];
    let tree = parse(profile);
    let model = Model::new(&tree, &[], &ModelOptions::default());
    let cwd = Path::new("/Users/fuzz");
    let _ = explain(&model, op, Some(argument), cwd);
    let _ = explain(&model, op, None, cwd);
    let _ = explain(&model, argument, None, cwd);
    let _ = parse_argument(op, Some(argument), cwd);
    if let Some(denial) = parse_denial(argument) {
        let _ = narrowest_filter(&denial.operation, denial.argument.as_deref().unwrap_or(""));
    }
    let _ = narrowest_filter(op, argument);
    let _ = crate::learn::learn(argument, Some(&model), &crate::learn::Options::default());
}

/// What a compiled profile is asked about: each rule's operations on a path it names.
fn probes(model: &Model) -> Vec<(String, String)> {
    let vocab = vocabulary();
    let mut out = Vec::new();
    for rule in model.rules.iter().take(32) {
        let Some(op) = rule.operations.first() else {
            continue;
        };
        let name = vocab.operation(op.id).name.clone();
        let leaves = rule.filter.as_ref().map(|f| f.positive_leaves());
        for leaf in leaves.into_iter().flatten().take(4) {
            if let FilterValue::Path(
                PathPattern::Literal(p) | PathPattern::Subpath(p) | PathPattern::Prefix(p),
            ) = &leaf.value
            {
                if p.starts_with('/') {
                    out.push((name.clone(), p.to_string()));
                    out.push((name.clone(), format!("{}/x", p.trim_end_matches('/'))));
                }
            }
        }
    }
    out
}

/// A compiled profile parses, checks without errors, and decides every probe as the
/// original does.
pub fn compile_round_trips(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let tree = parse(text);
    if tree.has_errors() {
        return;
    }
    let model = Model::new(&tree, &[], &ModelOptions::default());
    let sources = SourceMap::new(("fuzz.sb", &tree), &[], &model);
    let Ok(flat) = compile(&model, &sources) else {
        return;
    };
    let formatted = format_text(&flat, &FormatOptions::default())
        .unwrap_or_else(|_| panic!("the compiled profile does not parse:\n{flat}"));
    let original_errors = check_text("fuzz.sb", text.to_string(), &CheckOptions::default())
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if original_errors == 0 {
        let report = check_text("compiled.sb", formatted.clone(), &CheckOptions::default());
        let errors: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| format!("{}: {}", d.code, d.message))
            .collect();
        assert!(errors.is_empty(), "{errors:?} in:\n{formatted}");
    }
    let compiled_tree = parse(formatted.as_str());
    let compiled = Model::new(&compiled_tree, &[], &ModelOptions::default());
    let cwd = Path::new("/");
    for (op, path) in probes(&model) {
        let arg = Some(path.as_str());
        let (Ok(before), Ok(after)) = (
            explain(&model, &op, arg, cwd),
            explain(&compiled, &op, arg, cwd),
        ) else {
            continue;
        };
        assert_eq!(
            (before.action, before.default),
            (after.action, after.default),
            "{op} {path} decided differently after compiling:\n{formatted}"
        );
    }
}

/// The profile the `sbtest` and `learn` targets use when the input brings none.
const FUZZ_PROFILE: &str = "(version 1)\n(deny default)\n(import \"system.sb\")\n\
(allow file-read* (subpath \"/usr\") (literal \"/etc/hosts\"))\n\
(allow file-write* (subpath \"/private/tmp\") (regex #\"^/Users/[^/]+/project/\"))\n\
(deny file-write* (literal \"/private/tmp/secret\"))\n\
(allow network-outbound (remote tcp \"localhost:8080\") (remote ip \"*:443\"))\n\
(allow mach-lookup (global-name-prefix \"com.apple.\"))\n\
(allow sysctl-read)\n";

/// A model of `text`, as `check` would build it without options.
fn model_of(text: &str) -> Model {
    Model::new(&parse(text), &[], &ModelOptions::default())
}

/// `data` split at its first NUL byte: the text before, and the text after when there is
/// one.
fn split_at_nul(data: &[u8]) -> (String, Option<String>) {
    match data.iter().position(|b| *b == 0) {
        Some(at) => (
            String::from_utf8_lossy(&data[..at]).into_owned(),
            Some(String::from_utf8_lossy(&data[at + 1..]).into_owned()),
        ),
        None => (String::from_utf8_lossy(data).into_owned(), None),
    }
}

/// A test file (`*.sbtest.toml`; after a NUL byte, its profile, else [`FUZZ_PROFILE`]):
/// reading it never panics and every problem points inside the file; running it answers
/// every assertion once, and every witness of a failed set assertion is decided by the
/// profile as the failure says.
pub fn sbtest_never_panics(data: &[u8]) {
    use crate::model::precedence::decide;
    use crate::model::sets;
    let (toml, profile) = split_at_nul(data);
    let file = match crate::sbtest::parse(Path::new("/fuzz/t.sbtest.toml"), &toml) {
        Ok(file) => file,
        Err(problems) => {
            assert!(!problems.is_empty(), "a refused test file says why");
            for p in problems {
                assert!(
                    p.span.start <= p.span.end && p.span.end <= toml.len(),
                    "problem `{}` at {:?} is outside the file ({} bytes)",
                    p.message,
                    p.span,
                    toml.len()
                );
            }
            return;
        }
    };
    let model = model_of(profile.as_deref().unwrap_or(FUZZ_PROFILE));
    let outcomes = crate::sbtest::run(&file, &model);
    assert_eq!(
        outcomes.len(),
        file.assertions.len(),
        "an assertion unanswered"
    );
    let vocab = vocabulary();
    for outcome in &outcomes {
        let set = matches!(
            outcome.assertion.kind,
            crate::sbtest::Kind::Never | crate::sbtest::Kind::Always
        );
        let Some(f) = outcome.failure.as_ref().filter(|f| set && !f.too_complex) else {
            continue;
        };
        assert!(!outcome.passed);
        let op = vocab
            .op_id(&f.witness_operation)
            .expect("a witness names a known operation");
        let arg = sets::argument(op, f.witness.as_deref());
        let decision = decide(&model.rules, op, &arg);
        assert_eq!(
            decision.rule, f.rule,
            "{} {:?}: the witness is decided by another rule",
            f.witness_operation, f.witness
        );
    }
}

/// A denial log (lossy UTF-8): `learn` never panics, with or without a profile; the rules
/// it proposes parse; merged into a profile that denies everything, they allow every
/// denial they were proposed for (none stays denied), and the merged profile parses.
pub fn learn_allows_what_it_proposes(data: &[u8]) {
    use crate::learn::{learn, merge, rules_text, Options, Verdict};
    let log = String::from_utf8_lossy(data);
    let generalize = data.first().map_or(3, |b| usize::from(*b % 5));
    let options = Options {
        generalize,
        allow_secrets: data.last().is_some_and(|b| b % 2 == 1),
    };
    let with_profile = model_of(FUZZ_PROFILE);
    let _ = learn(&log, Some(&with_profile), &options);
    let learned = learn(&log, None, &options);
    let rules = rules_text(&learned);
    let tree = parse(rules.as_str());
    assert!(
        !tree.has_errors(),
        "the proposed rules do not parse:\n{rules}"
    );
    let base = "(version 1)\n(deny default)\n";
    let model = model_of(base);
    let merged = merge(base, &model, &learned, "; learned\n", &|t: &str| {
        model_of(t)
    });
    let merged_tree = parse(merged.text.as_str());
    assert!(
        !merged_tree.has_errors(),
        "the merged profile does not parse:\n{}",
        merged.text
    );
    for crate::learn::StillDenied { finding, why } in &merged.still_denied {
        let f = &learned.findings[*finding];
        assert!(
            f.verdict != Verdict::Proposed,
            "{} {:?} proposed but still denied ({why}):\n{}",
            f.operation,
            f.argument,
            merged.text
        );
    }
}

/// Two profiles (the input split at its first NUL; without one, the first half of the
/// lines against the whole): `diff` answers within a small budget or says it stopped, and
/// every change it reports is confirmed by the point decision of both profiles at its
/// witness.
pub fn diff_witnesses_hold(data: &[u8]) {
    use crate::model::precedence::decide;
    use crate::model::sets::{argument, diff, Budget};
    let (first, second) = split_at_nul(data);
    let (old, new) = match second {
        Some(new) => (first, new),
        None => {
            let lines: Vec<&str> = first.lines().collect();
            (lines[..lines.len() / 2].join("\n"), first.clone())
        }
    };
    let (old, new) = (model_of(&old), model_of(&new));
    let budget = Budget {
        states: 20_000,
        dfa_states: 2_000,
    };
    let all = vocabulary().default;
    let changes = match diff(&old.rules, &new.rules, all, &budget) {
        Ok(changes) => changes,
        Err(stopped) => stopped.changes,
    };
    for c in changes {
        let arg = argument(c.operation, c.witness.as_deref());
        let name = &vocabulary().operation(c.operation).name;
        assert_eq!(
            decide(&old.rules, c.operation, &arg),
            c.old,
            "{name} {:?}: the old profile decides the witness otherwise",
            c.witness
        );
        assert_eq!(
            decide(&new.rules, c.operation, &arg),
            c.new,
            "{name} {:?}: the new profile decides the witness otherwise",
            c.witness
        );
        assert!(
            c.old.outcome() != c.new.outcome() || c.conditional,
            "{name} {:?}: a change that changes nothing",
            c.witness
        );
    }
}

/// The language server under random edits: the input's NUL-separated chunks are the text
/// opened and then edits (two bytes pick where, one how much to delete, the rest is
/// inserted), each followed by hover, completion, definition, code actions and formatting
/// at a place the edit picks. The server never panics, answers every request, publishes
/// diagnostics after every change, each inside the document, and shuts down cleanly.
pub fn lsp_survives_edits(data: &[u8]) {
    use serde_json::{json, Value};

    let (server, connection) = lsp_server::Connection::memory();
    let thread = std::thread::spawn(move || crate::lsp::serve(server).map_err(|e| e.to_string()));
    let mut client = LspClient {
        connection,
        next_id: 0,
    };
    client.request("initialize", json!({ "capabilities": {} }));
    client.notify("initialized", json!({}));
    let uri = "file:///fuzz/profile.sb";
    let mut chunks = data.split(|b| *b == 0);
    let mut text = String::from_utf8_lossy(chunks.next().unwrap_or(&[])).into_owned();
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "sbpl", "version": 1, "text": text } }),
    );
    client.published(uri, &text);
    for (version, chunk) in chunks.take(16).enumerate() {
        let Some(at) = apply_edit(&mut text, chunk) else {
            continue;
        };
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version + 2 },
                "contentChanges": [{ "text": text }],
            }),
        );
        client.published(uri, &text);
        ask_everything_at(&mut client, uri, lsp_position(&text, at));
    }
    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    drop(client);
    let outcome = thread.join().expect("the language server panicked");
    assert!(outcome.is_ok(), "the language server failed: {outcome:?}");
}

/// How long the LSP target's client waits for an answer before saying the server hangs.
const LSP_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// The client end of an in-memory language server, as the LSP target drives it.
struct LspClient {
    connection: lsp_server::Connection,
    /// The id of the last request sent.
    next_id: i32,
}

impl LspClient {
    /// Sends a request and returns its answer's result (`null` when it has none).
    fn request(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        use lsp_server::{Message, Request, RequestId};
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        let message = Request::new(id.clone(), method.to_string(), params);
        self.connection
            .sender
            .send(Message::Request(message))
            .unwrap();
        loop {
            match self.connection.receiver.recv_timeout(LSP_WAIT) {
                Ok(Message::Response(r)) if r.id == id => {
                    return r.result.unwrap_or(serde_json::Value::Null);
                }
                Ok(_) => {}
                Err(e) => panic!("no answer to {method}: {e} (the server stopped or hangs)"),
            }
        }
    }

    /// Sends a notification.
    fn notify(&self, method: &str, params: serde_json::Value) {
        use lsp_server::{Message, Notification};
        let message = Notification::new(method.to_string(), params);
        self.connection
            .sender
            .send(Message::Notification(message))
            .unwrap();
    }

    /// Waits for the diagnostics published for `uri` and checks each lies inside `text`.
    fn published(&self, uri: &str, text: &str) {
        use lsp_server::Message;
        loop {
            match self.connection.receiver.recv_timeout(LSP_WAIT) {
                Ok(Message::Notification(n)) if n.method == "textDocument/publishDiagnostics" => {
                    assert_eq!(n.params["uri"], uri);
                    let lines = text.split('\n').count() as u64;
                    for d in n.params["diagnostics"].as_array().unwrap() {
                        let line = d["range"]["end"]["line"].as_u64().unwrap();
                        assert!(line < lines, "a diagnostic past the last line: {d}");
                    }
                    return;
                }
                Ok(_) => {}
                Err(e) => panic!("no diagnostics published: {e}"),
            }
        }
    }
}

/// Applies one edit chunk of the LSP target to `text` and returns where it took place;
/// `None` for a chunk too short to be an edit.
fn apply_edit(text: &mut String, chunk: &[u8]) -> Option<usize> {
    let [a, b, cut, insert @ ..] = chunk else {
        return None;
    };
    let mut at = (usize::from(*a) << 8 | usize::from(*b)) % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let mut end = (at + usize::from(*cut % 8)).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    text.replace_range(at..end, &String::from_utf8_lossy(insert));
    Some(at)
}

/// The LSP position (line, UTF-16 character) of byte offset `at` in `text`.
fn lsp_position(text: &str, at: usize) -> serde_json::Value {
    let index = crate::syntax::LineIndex::new(text);
    let (line, character) = index.utf16_position(text, at as u32);
    serde_json::json!({ "line": line, "character": character })
}

/// Hover, completion, definition, code actions and formatting at `position` of `uri`.
fn ask_everything_at(client: &mut LspClient, uri: &str, position: serde_json::Value) {
    use serde_json::json;
    let doc = json!({ "uri": uri });
    let at_point = json!({ "textDocument": doc, "position": position });
    client.request("textDocument/hover", at_point.clone());
    client.request("textDocument/completion", at_point.clone());
    client.request("textDocument/definition", at_point);
    client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": doc,
            "range": { "start": position, "end": position },
            "context": { "diagnostics": [] },
        }),
    );
    client.request(
        "textDocument/formatting",
        json!({ "textDocument": doc, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
}
