//! `sblint lsp` takes the options `check` takes (`--import-path`, `--macos`, `--param`,
//! `--config`): the VS Code extension passes its settings this way. Driven over JSON-RPC.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

/// Starts `sblint lsp ARGS`, opens `text` as `dir/profile.sb` and returns the codes of the
/// diagnostics it publishes.
fn codes_published(args: &[&str], dir: &std::path::Path, text: &str) -> Vec<String> {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("sblint"))
        .arg("lsp")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Value>();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        loop {
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                match line.trim_end() {
                    "" => break,
                    l => {
                        if let Some(n) = l.strip_prefix("Content-Length: ") {
                            length = n.parse().unwrap();
                        }
                    }
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                return;
            }
        }
    });
    let mut send = |message: Value| {
        let body = message.to_string();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    };
    let uri = format!("file://{}/profile.sb", dir.display());
    send(json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "processId": null, "rootUri": null, "capabilities": {} } }));
    send(json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }));
    send(
        json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": { "uri": uri, "languageId": "sbpl", "version": 1, "text": text } } }),
    );
    let published = loop {
        let message = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("diagnostics in time");
        if message["method"] == "textDocument/publishDiagnostics" {
            break message;
        }
    };
    send(json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": null }));
    send(json!({ "jsonrpc": "2.0", "method": "exit", "params": null }));
    let _ = child.wait();
    published["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn import_paths_given_to_the_server_resolve_imports() {
    let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("lsp-options");
    let _ = std::fs::remove_dir_all(&root);
    let (profiles, vendor) = (root.join("profiles"), root.join("vendor"));
    std::fs::create_dir_all(&profiles).unwrap();
    std::fs::create_dir_all(&vendor).unwrap();
    std::fs::write(vendor.join("base.sb"), "(allow file-read-metadata)\n").unwrap();
    let text = "(version 1)\n(allow default)\n(import \"base.sb\")\n";

    let without = codes_published(&[], &profiles, text);
    assert!(without.contains(&"SB006".to_owned()), "{without:?}");
    let vendor = vendor.to_string_lossy();
    let with = codes_published(&["--import-path", &vendor], &profiles, text);
    assert!(!with.contains(&"SB006".to_owned()), "{with:?}");
}

#[test]
fn a_bad_option_stops_the_server_with_a_usage_error() {
    let out = Command::new(assert_cmd::cargo::cargo_bin("sblint"))
        .args(["lsp", "--macos", "9"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown macOS version `9`"), "{stderr}");
}
