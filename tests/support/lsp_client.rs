//! A JSON-RPC client of `sblint lsp` over the binary's stdin/stdout, as an editor drives
//! it: shared by `tests/lsp.rs` and `benches/lsp.rs` (each includes this file with
//! `#[path]`; it is not a test target of its own).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

pub struct Client {
    pub child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
    /// How long to wait for any one message before failing.
    patience: Duration,
}

impl Client {
    /// Starts `binary lsp`; every wait for a message fails after `patience`.
    pub fn start(binary: &Path, patience: Duration) -> Client {
        let mut child = Command::new(binary)
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("`sblint lsp` starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            // Ends at the end of the output or at a malformed message: the waiting side
            // then fails, saying what it waited for.
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            next_id: 1,
            patience,
        }
    }

    pub fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its response (messages in between are dropped).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self.next(method);
            if message["id"] == json!(id) {
                return message;
            }
        }
    }

    /// Waits for the next notification of `method` (other messages are dropped).
    pub fn notification(&mut self, method: &str) -> Value {
        loop {
            let message = self.next(method);
            if message["method"] == method {
                return message;
            }
        }
    }

    /// The server's user and system CPU time so far, where `/proc` tells it (Linux).
    #[allow(dead_code)]
    pub fn cpu_seconds(&self) -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).ok()?;
        // The fields after the command name (which may hold spaces) in parentheses.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks: f64 =
            fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
        // USER_HZ is 100 on every Linux platform Rust supports.
        Some(ticks / 100.0)
    }

    fn next(&mut self, waiting_for: &str) -> Value {
        match self.messages.recv_timeout(self.patience) {
            Ok(message) => message,
            Err(e) => panic!(
                "no message from the server while waiting for `{waiting_for}` ({e}; patience {:?})",
                self.patience
            ),
        }
    }
}

/// One `Content-Length`-framed message; `None` at the end of the output or on a malformed one.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = Some(n.parse().ok()?);
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}
