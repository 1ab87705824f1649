//! The language server's re-check, as an editor sees it: the release `sblint lsp` binary
//! driven over stdio with JSON-RPC. It opens the largest profile of the shared corpus, then
//! sends one-character edits inside its rules (full-text `didChange`, the sync the server
//! advertises) and times each from the `didChange` written to its `publishDiagnostics`
//! read. Issue 22 §0's goal: a median under 5 ms. On Linux it also prints the server's
//! CPU time per edit, which waiting for a core on a busy machine does not inflate.
//!
//! Run: `cargo bench --bench lsp` (`SBLINT_LSP_EDITS=N` sets the number of edits, 200 by
//! default; `SBLINT_LSP_BIN=path` drives another build of `sblint`, for a before/after). Skipped, saying so, when `../shared/corpus` is absent.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[path = "../tests/support/lsp_client.rs"]
mod lsp_client;
use lsp_client::Client;

fn main() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let Some(path) = largest_profile(&corpus) else {
        println!(
            "lsp bench skipped: no corpus at {} (the shared test data)",
            corpus.display()
        );
        return;
    };
    let edits: usize = std::env::var("SBLINT_LSP_EDITS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let text = std::fs::read_to_string(&path).expect("the corpus profile reads");
    let path = path.canonicalize().unwrap_or(path);
    let uri = format!(
        "file://{}",
        path.to_string_lossy()
            .replace('%', "%25")
            .replace(' ', "%20")
    );
    let sites = edit_sites(&text);
    assert!(!sites.is_empty(), "no string literal in a rule to edit");

    // Another build to compare with (a "before" figure): `SBLINT_LSP_BIN=path`.
    let binary = std::env::var_os("SBLINT_LSP_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_sblint")),
        PathBuf::from,
    );
    let mut client = Client::start(&binary, Duration::from_secs(60));
    client.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": {} }),
    );
    client.notify("initialized", json!({}));
    let start = Instant::now();
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "sbpl", "version": 1, "text": text } }),
    );
    let opened = published_count(&mut client);
    let open_time = start.elapsed();

    // Edit i flips the last character of literal i (mod the sites) between its original
    // and `#`: each edit changes one rule's argument, as typing in a path does.
    let cpu_before = client.cpu_seconds();
    let mut current = text.clone().into_bytes();
    let mut times = Vec::with_capacity(edits);
    let mut counts = Vec::with_capacity(edits);
    for i in 0..edits {
        let at = sites[i % sites.len()];
        current[at] = if current[at] == b'#' {
            text.as_bytes()[at]
        } else {
            b'#'
        };
        let body = String::from_utf8(current.clone()).expect("ASCII edits keep UTF-8");
        let start = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": i + 2 },
                "contentChanges": [{ "text": body }],
            }),
        );
        let diagnostics = published_count(&mut client);
        times.push(start.elapsed());
        counts.push(diagnostics);
    }
    let cpu = client.cpu_seconds().zip(cpu_before).map(|(a, b)| a - b);
    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    let _ = client.child.wait();

    times.sort();
    let quantile = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "lsp re-check of {} ({} bytes, {} diagnostics on open, {} edit sites)",
        path.display(),
        text.len(),
        opened,
        sites.len(),
    );
    println!("  didOpen → publishDiagnostics: {:.2} ms", ms(open_time));
    println!(
        "  didChange → publishDiagnostics over {} edits: median {:.2} ms, p90 {:.2} ms, min {:.2} ms, max {:.2} ms",
        times.len(),
        ms(quantile(0.5)),
        ms(quantile(0.9)),
        ms(times[0]),
        ms(times[times.len() - 1]),
    );
    if let Some(cpu) = cpu {
        // Wall time counts waiting for a core on a busy machine; this does not.
        println!(
            "  server CPU time per edit (mean over the edits): {:.2} ms",
            cpu * 1e3 / times.len() as f64
        );
    }
    println!(
        "  diagnostics per edit: {}..={}",
        counts.iter().min().unwrap(),
        counts.iter().max().unwrap()
    );
}

/// The largest file (by size) of the corpus's folders.
fn largest_profile(corpus: &Path) -> Option<PathBuf> {
    let mut best: Option<(u64, PathBuf)> = None;
    for entry in std::fs::read_dir(corpus).ok()?.flatten() {
        for file in std::fs::read_dir(entry.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let Ok(meta) = file.metadata() else { continue };
            if meta.is_file() && best.as_ref().is_none_or(|(size, _)| meta.len() > *size) {
                best = Some((meta.len(), file.path()));
            }
        }
    }
    best.map(|(_, path)| path)
}

/// Offsets of the last character of string literals on lines that are neither comments
/// nor preprocessor lines, spread over the file (at most 32).
fn edit_sites(text: &str) -> Vec<usize> {
    let mut sites = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if !(trimmed.starts_with(';') || trimmed.starts_with('#')) {
            let bytes = line.as_bytes();
            let mut open = None;
            for (i, &b) in bytes.iter().enumerate() {
                if b == b';' && open.is_none() {
                    break;
                }
                if b == b'"' {
                    match open {
                        None => open = Some(i),
                        Some(start) => {
                            if i > start + 1 && bytes[i - 1].is_ascii_alphanumeric() {
                                sites.push(offset + i - 1);
                            }
                            open = None;
                        }
                    }
                }
            }
        }
        offset += line.len();
    }
    let step = sites.len().div_ceil(32).max(1);
    sites.into_iter().step_by(step).collect()
}

/// Waits for the next `publishDiagnostics`; how many diagnostics it holds.
fn published_count(client: &mut Client) -> usize {
    let message = client.notification("textDocument/publishDiagnostics");
    message["params"]["diagnostics"]
        .as_array()
        .map_or(0, Vec::len)
}
