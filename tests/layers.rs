//! The layering `src/lib.rs` describes, checked on the sources: each module uses only the
//! layers below it, so that nothing imports a door (the CLI, the language server) and the
//! renderers know neither the rules' registry nor clap.

use std::collections::BTreeSet;
use std::path::Path;

/// Each top-level module and the modules it may use (`crate::NAME`).
const ALLOWED: &[(&str, &[&str])] = &[
    ("syntax", &[]),
    ("model", &["syntax"]),
    ("diagnostic", &["syntax"]),
    ("fmt", &["syntax"]),
    ("lint", &["syntax", "model", "diagnostic"]),
    ("explain", &["syntax", "model"]),
    ("compile", &["syntax", "model"]),
    ("sbtest", &["syntax", "model", "explain"]),
    ("new", &["syntax", "model", "fmt"]),
    ("learn", &["syntax", "model", "explain", "fmt"]),
    ("run", &["syntax", "model", "explain", "learn", "sbtest"]),
    ("render", &["diagnostic", "syntax"]),
    (
        "workspace",
        &["syntax", "model", "diagnostic", "lint", "fmt"],
    ),
    // The library API: the calls a generator's tests, the WebAssembly build and the
    // Python module make; above the readers of the model, below the doors.
    (
        "api",
        &[
            "syntax",
            "model",
            "diagnostic",
            "lint",
            "fmt",
            "explain",
            "compile",
            "sbtest",
            "render",
            "workspace",
        ],
    ),
    (
        "lsp",
        &[
            "syntax",
            "model",
            "diagnostic",
            "lint",
            "fmt",
            "explain",
            "workspace",
        ],
    ),
    (
        "cli",
        &[
            "syntax",
            "model",
            "diagnostic",
            "lint",
            "fmt",
            "explain",
            "compile",
            "sbtest",
            "render",
            "workspace",
            "lsp",
            "new",
            "learn",
            "run",
            "api",
        ],
    ),
];

const MODULES: &[&str] = &[
    "syntax",
    "model",
    "diagnostic",
    "fmt",
    "lint",
    "explain",
    "compile",
    "sbtest",
    "new",
    "learn",
    "run",
    "render",
    "workspace",
    "api",
    "lsp",
    "cli",
];

fn sources(path: &Path, out: &mut Vec<String>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            sources(&entry.unwrap().path(), out);
        }
    } else if path.is_file() && path.extension().is_some_and(|e| e == "rs") {
        out.push(std::fs::read_to_string(path).unwrap());
    }
}

/// The `crate::NAME` paths a module's code (comments left out) names.
fn used(module: &str) -> BTreeSet<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut texts = Vec::new();
    sources(&src.join(module), &mut texts);
    sources(&src.join(format!("{module}.rs")), &mut texts);
    assert!(!texts.is_empty(), "src/{module} has no sources");
    let mut found = BTreeSet::new();
    for text in &texts {
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or("");
            for (at, _) in code.match_indices("crate::") {
                let rest = &code[at + "crate::".len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if MODULES.contains(&name.as_str()) && name != module {
                    found.insert(name);
                }
            }
        }
    }
    found
}

#[test]
fn each_module_uses_only_the_layers_below_it() {
    let mut wrong = Vec::new();
    for (module, allowed) in ALLOWED {
        for name in used(module) {
            if !allowed.contains(&name.as_str()) {
                wrong.push(format!("src/{module} uses crate::{name}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn clap_stays_in_the_command_line() {
    for module in MODULES.iter().filter(|m| **m != "cli") {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut texts = Vec::new();
        sources(&src.join(module), &mut texts);
        sources(&src.join(format!("{module}.rs")), &mut texts);
        for text in texts {
            let code: String = text
                .lines()
                .map(|l| l.split("//").next().unwrap_or(""))
                .collect();
            assert!(!code.contains("clap::"), "src/{module} uses clap");
        }
    }
}
