//! The language server as a client sees it: JSON-RPC over the binary's stdin/stdout.

use std::time::Duration;

use serde_json::{json, Value};

#[path = "support/lsp_client.rs"]
mod lsp_client;
use lsp_client::Client;

const URI: &str = "file:///tmp/sblint-lsp-test/profile.sb";
const TEXT: &str = "(version 1)\n(deny default)\n(define (helper) (allow file-read* (literal \"/\")))\n(allow file-write* (subpath \"/tmp/caf\u{e9}/x\"))\n(helper)\n";

#[test]
fn initialize_diagnose_hover_format_act_complete_define_and_shut_down() {
    let mut client = Client::start(
        &assert_cmd::cargo::cargo_bin("sblint"),
        Duration::from_secs(20),
    );
    let init = client.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": {} }),
    );
    let caps = &init["result"]["capabilities"];
    assert_eq!(caps["documentFormattingProvider"], true);
    assert_eq!(caps["hoverProvider"], true);
    client.notify("initialized", json!({}));

    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "sbpl", "version": 1, "text": TEXT } }),
    );
    let published = client.notification("textDocument/publishDiagnostics");
    let diagnostics = published["params"]["diagnostics"].as_array().unwrap();
    let sb201 = diagnostics
        .iter()
        .find(|d| d["code"] == "SB201")
        .expect("SB201 is published");
    // `"/tmp/café/x"` starts at UTF-16 column 28 of line 3 (0-based).
    assert_eq!(
        sb201["range"]["start"],
        json!({ "line": 3, "character": 28 })
    );
    assert_eq!(sb201["range"]["end"], json!({ "line": 3, "character": 41 }));

    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 3, "character": 10 } }),
    );
    let text = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("**file-write***: operation") && text.contains("Falls back to"),
        "{text}"
    );

    let hover_diag = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 3, "character": 30 } }),
    );
    assert!(hover_diag["result"]["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("SB201 unresolved-path"));

    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": URI },
            "range": { "start": { "line": 3, "character": 30 }, "end": { "line": 3, "character": 30 } },
            "context": { "diagnostics": [] }
        }),
    );
    let action = &actions["result"][0];
    assert!(action["title"].as_str().unwrap().contains("SB201"));
    let edit = &action["edit"]["changes"][URI][0];
    assert_eq!(edit["newText"], "\"/private/tmp/caf\u{e9}/x\"");

    let completion = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 1, "character": 6 } }),
    );
    let labels: Vec<&str> = completion["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"file-read-data") && labels.contains(&"subpath"),
        "{labels:?}"
    );

    let definition = client.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 4, "character": 3 } }),
    );
    assert_eq!(
        definition["result"]["range"]["start"],
        json!({ "line": 2, "character": 9 })
    );

    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 2 }, "contentChanges": [{ "text": "(version 1)(deny   default)\n(allow file-read*" }] }),
    );
    let half_typed = client.notification("textDocument/publishDiagnostics");
    assert!(half_typed["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == "SB001"));
    let formatting = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": URI }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(
        formatting["result"],
        json!(null),
        "a document with syntax errors is not formatted"
    );

    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 3 }, "contentChanges": [{ "text": "(version 1)(deny   default)\n" }] }),
    );
    let formatting = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": URI }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(
        formatting["result"][0]["newText"],
        "(version 1)\n(deny default)\n"
    );

    let unknown = client.request("workspace/symbol", json!({ "query": "" }));
    assert!(unknown["error"].is_object(), "every request is answered");

    let shutdown = client.request("shutdown", json!(null));
    assert!(shutdown.get("error").is_none());
    client.notify("exit", json!(null));
    let status = client.child.wait().unwrap();
    assert!(status.success());
}

/// The server in this process (`sblint::lsp::serve` over an in-memory connection): what a
/// re-check publishes, without a process per case.
struct Memory {
    client: lsp_server::Connection,
    thread: Option<std::thread::JoinHandle<()>>,
    version: i64,
}

impl Memory {
    fn start() -> Memory {
        use lsp_server::{Connection, Message, Request, RequestId};
        let (server, client) = Connection::memory();
        let thread = std::thread::spawn(move || sblint::lsp::serve(server).unwrap());
        let id = RequestId::from(1);
        let init = Request::new(
            id.clone(),
            "initialize".into(),
            json!({ "capabilities": {} }),
        );
        client.sender.send(Message::Request(init)).unwrap();
        loop {
            match client.receiver.recv_timeout(Duration::from_secs(20)) {
                Ok(Message::Response(r)) if r.id == id => break,
                Ok(_) => {}
                Err(e) => panic!("no answer to initialize: {e}"),
            }
        }
        let mut memory = Memory {
            client,
            thread: Some(thread),
            version: 0,
        };
        memory.notify("initialized", json!({}));
        memory
    }

    fn notify(&mut self, method: &str, params: Value) {
        let message = lsp_server::Notification::new(method.to_string(), params);
        self.client
            .sender
            .send(lsp_server::Message::Notification(message))
            .unwrap();
    }

    fn published(&mut self) -> Value {
        loop {
            match self.client.receiver.recv_timeout(Duration::from_secs(30)) {
                Ok(lsp_server::Message::Notification(n))
                    if n.method == "textDocument/publishDiagnostics" =>
                {
                    assert_eq!(n.params["uri"], URI);
                    return n.params["diagnostics"].clone();
                }
                Ok(_) => {}
                Err(e) => panic!("no diagnostics published: {e}"),
            }
        }
    }

    /// Opens the document; its diagnostics.
    fn open(&mut self, text: &str) -> Value {
        self.version = 1;
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": URI, "languageId": "sbpl", "version": 1, "text": text } }),
        );
        self.published()
    }

    /// Replaces the document's text (the full sync the server advertises); its diagnostics.
    fn change(&mut self, text: &str) -> Value {
        self.version += 1;
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": URI, "version": self.version },
                "contentChanges": [{ "text": text }],
            }),
        );
        self.published()
    }
}

impl Drop for Memory {
    fn drop(&mut self) {
        use lsp_server::{Message, Request, RequestId};
        let shutdown = Request::new(RequestId::from(2), "shutdown".into(), json!(null));
        let _ = self.client.sender.send(Message::Request(shutdown));
        let _ = self
            .client
            .sender
            .send(Message::Notification(lsp_server::Notification::new(
                "exit".into(),
                json!(null),
            )));
        if let Some(thread) = self.thread.take() {
            if !std::thread::panicking() {
                thread.join().unwrap();
            }
        }
    }
}

/// What a server that never saw the document publishes for `text`.
fn fresh(text: &str) -> Value {
    Memory::start().open(text)
}

/// `(code, first line)` of each diagnostic.
fn findings(diagnostics: &Value) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = diagnostics
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

const TWO_OPERATIONS: &str = "(version 1)\n(deny default)\n\
    (allow file-read* (subpath \"/usr\"))\n\
    (allow file-read* (subpath \"/usr/lib\"))\n\
    (allow mach-lookup (global-name \"com.apple.a\"))\n\
    (allow mach-lookup (global-name \"com.apple.a\"))\n";

/// An edit to one operation's rules changes that operation's findings and no other; undone,
/// the findings come back; each answer is what a fresh server says about the same text.
#[test]
fn an_edit_to_one_operations_rules_updates_exactly_its_findings() {
    let mut server = Memory::start();
    let before = server.open(TWO_OPERATIONS);
    let redundant_read = ("SB402".to_string(), 3);
    let redundant_lookup = ("SB402".to_string(), 5);
    assert!(findings(&before).contains(&redundant_read), "{before:#}");
    assert!(findings(&before).contains(&redundant_lookup), "{before:#}");

    // `/usr/lib` → `/opt/lib`: the read rule is no longer inside `/usr`.
    let edited = TWO_OPERATIONS.replace("/usr/lib", "/opt/lib");
    let after = server.change(&edited);
    let mut expected = findings(&before);
    expected.retain(|f| *f != redundant_read);
    assert_eq!(findings(&after), expected);
    // Every other diagnostic is unchanged, message and ranges included.
    let others = |d: &Value| {
        let mut v: Vec<Value> = d
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| !(d["code"] == "SB402" && d["range"]["start"]["line"] == 3))
            .cloned()
            .collect();
        v.sort_by_key(|d| d.to_string());
        v
    };
    assert_eq!(others(&before), others(&after));
    assert_eq!(after, fresh(&edited));

    // The lookup's duplicate made different: only its finding goes.
    let both = edited.replacen("com.apple.a", "com.apple.b", 1);
    let after_both = server.change(&both);
    let mut expected = findings(&after);
    expected.retain(|f| *f != redundant_lookup);
    assert_eq!(findings(&after_both), expected);
    assert_eq!(after_both, fresh(&both));

    // Back to the start: the same answer as when it was opened.
    assert_eq!(server.change(TWO_OPERATIONS), before);
}

/// The rule lines random edits pick from: operations with and without arguments, paths
/// that overlap, later allows that re-open denies, a filter on an unset param, a define.
const LINES: &[&str] = &[
    "(allow file-read* (subpath \"/usr\"))",
    "(allow file-read* (subpath \"/usr/lib\"))",
    "(deny file-read* (subpath \"/usr/lib/secret\"))",
    "(allow file-read-data (literal \"/usr/lib/secret/x\"))",
    "(deny file-write* (regex #\"\\.env$\"))",
    "(allow file-write* (subpath \"/private/tmp\"))",
    "(allow file-write-data (subpath (param \"HOME\")))",
    "(allow mach-lookup (global-name \"com.apple.a\"))",
    "(allow mach-lookup (global-name-prefix \"com.apple.\"))",
    "(deny mach-lookup (global-name \"com.apple.b\"))",
    "(allow network-outbound (remote tcp \"*:443\"))",
    "(deny network-outbound (remote ip \"localhost:*\"))",
    "(allow process-fork)",
    "(deny process-fork)",
    "(allow sysctl-read)",
    "(define (helper) (allow file-read* (literal \"/etc/hosts\")))",
    "(helper)",
    "(allow file-read-metadata)",
];

#[derive(Clone, Debug)]
enum Edit {
    /// Line `at` (modulo the lines) becomes `LINES[line]`.
    Replace {
        at: usize,
        line: usize,
    },
    Insert {
        at: usize,
        line: usize,
    },
    Delete {
        at: usize,
    },
    /// One character of the text (at a char boundary, modulo its length) becomes `c`.
    Char {
        at: usize,
        c: char,
    },
}

fn edit_strategy() -> impl proptest::strategy::Strategy<Value = Edit> {
    use proptest::prelude::*;
    prop_oneof![
        (any::<usize>(), 0..LINES.len()).prop_map(|(at, line)| Edit::Replace { at, line }),
        (any::<usize>(), 0..LINES.len()).prop_map(|(at, line)| Edit::Insert { at, line }),
        any::<usize>().prop_map(|at| Edit::Delete { at }),
        (
            any::<usize>(),
            proptest::sample::select(vec!['a', 'b', '/', '"', '(', ')', ' ', '*'])
        )
            .prop_map(|(at, c)| Edit::Char { at, c }),
    ]
}

fn apply(lines: &mut Vec<String>, edit: &Edit) {
    match *edit {
        Edit::Replace { at, line } if !lines.is_empty() => {
            let at = at % lines.len();
            lines[at] = LINES[line].to_string();
        }
        Edit::Insert { at, line } => lines.insert(at % (lines.len() + 1), LINES[line].to_string()),
        Edit::Delete { at } if !lines.is_empty() => {
            lines.remove(at % lines.len());
        }
        Edit::Char { at, c } => {
            let text = lines.join("\n");
            if text.is_empty() {
                return;
            }
            let mut at = at % text.len();
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let end = at + text[at..].chars().next().map_or(0, char::len_utf8);
            let mut text = text;
            text.replace_range(at..end, &c.to_string());
            *lines = text.split('\n').map(str::to_string).collect();
        }
        _ => {}
    }
}

fn render(lines: &[String]) -> String {
    format!("(version 1)\n(deny default)\n{}\n", lines.join("\n"))
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config { cases: 24, ..Default::default() })]

    /// After every edit of a random sequence, the server publishes what a server that
    /// never saw the earlier texts publishes for the same text: nothing stale survives.
    #[test]
    fn after_any_edits_the_diagnostics_are_those_of_a_fresh_check(
        start in proptest::collection::vec(0..LINES.len(), 0..10),
        edits in proptest::collection::vec(edit_strategy(), 1..10),
    ) {
        let mut lines: Vec<String> = start.iter().map(|&i| LINES[i].to_string()).collect();
        let mut server = Memory::start();
        server.open(&render(&lines));
        for edit in &edits {
            apply(&mut lines, edit);
            let text = render(&lines);
            let published = server.change(&text);
            proptest::prop_assert_eq!(&published, &fresh(&text), "after {:?}:\n{}", edit, text);
        }
    }
}
