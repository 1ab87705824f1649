//! The language server as a client sees it: JSON-RPC over the binary's stdin/stdout.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("sblint"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            next_id: 1,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its response (notifications in between are kept aside).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self
                .messages
                .recv_timeout(Duration::from_secs(20))
                .expect("a response in time");
            if message["id"] == json!(id) {
                return message;
            }
        }
    }

    fn notification(&mut self, method: &str) -> Value {
        loop {
            let message = self
                .messages
                .recv_timeout(Duration::from_secs(20))
                .expect("a notification in time");
            if message["method"] == method {
                return message;
            }
        }
    }
}

const URI: &str = "file:///tmp/sblint-lsp-test/profile.sb";
const TEXT: &str = "(version 1)\n(deny default)\n(define (helper) (allow file-read* (literal \"/\")))\n(allow file-write* (subpath \"/tmp/caf\u{e9}/x\"))\n(helper)\n";

#[test]
fn initialize_diagnose_hover_format_act_complete_define_and_shut_down() {
    let mut client = Client::start();
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
