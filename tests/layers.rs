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
            "learn",
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

/// A source file's module path below `src/` (`model/precedence/cover.rs` →
/// `["model", "precedence", "cover"]`; a `mod.rs` is its folder).
fn module_path(file: &Path, src: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

fn files(path: &Path, out: &mut Vec<std::path::PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            files(&entry.unwrap().path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_path_buf());
    }
}

/// A file's code without comments, string literals and its `#[cfg(test)]` tail.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    let mut out = String::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut in_string = false;
        let mut escaped = false;
        for c in code.chars() {
            if in_string {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_string = false;
                }
                continue;
            }
            if c == '"' {
                in_string = true;
            } else {
                out.push(c);
            }
        }
        out.push('\n');
    }
    out
}

/// The full paths a `use` tree names (`a::{b, c::d}` → `a::b`, `a::c::d`).
fn expand_use(tree: &str) -> Vec<String> {
    let tree: String = tree.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or(&tree);
        return vec![path.to_string()];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .flat_map(|p| {
            expand_use(p)
                .into_iter()
                .map(|q| format!("{prefix}{q}"))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The paths (`crate::…`, `super::…`, `self::…`) a file's code names, made absolute.
fn named_paths(code: &str, here: &[String]) -> Vec<Vec<String>> {
    let mut raw = Vec::new();
    // `use` trees, which may span lines and group with braces.
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().last();
        rest = &rest[at + 4..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let end = rest.find(';').unwrap_or(rest.len());
        raw.extend(expand_use(&rest[..end]));
    }
    // Paths written inline in the code.
    let bytes = code.as_bytes();
    for start in ["crate::", "super::", "self::"] {
        for (at, _) in code.match_indices(start) {
            if at > 0
                && (bytes[at - 1].is_ascii_alphanumeric()
                    || bytes[at - 1] == b'_'
                    || bytes[at - 1] == b':')
            {
                continue;
            }
            let path: String = code[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            raw.push(path);
        }
    }
    let mut out = Vec::new();
    for path in raw {
        let mut segments = path.split("::").filter(|s| !s.is_empty());
        let mut abs: Vec<String> = match segments.next() {
            Some("crate") => Vec::new(),
            Some("super") => here[..here.len().saturating_sub(1)].to_vec(),
            Some("self") => here.to_vec(),
            _ => continue,
        };
        for s in segments {
            if s == "super" {
                abs.pop();
            } else {
                abs.push(s.to_string());
            }
        }
        out.push(abs);
    }
    out
}

/// Inside each top-level module, its child modules (a file or a folder below it) and which
/// of them each one uses, whether by path or through a name its parent re-exports
/// (`pub use child::Name`); the parent itself (its `mod.rs`) is left out: it only
/// gathers and re-exports.
fn child_graph(layer: &str) -> std::collections::BTreeMap<String, BTreeSet<String>> {
    use std::collections::BTreeMap;
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut list = Vec::new();
    files(&src.join(layer), &mut list);
    // What the layer's root re-exports: name → the child it comes from.
    let mut reexports: BTreeMap<String, String> = BTreeMap::new();
    let root = src.join(layer).join("mod.rs");
    if let Ok(text) = std::fs::read_to_string(&root) {
        let here = vec![layer.to_string()];
        let code = code_of(&text);
        for stmt in code.split(';') {
            let stmt = stmt.trim();
            let Some(tree) = stmt
                .strip_prefix("pub use ")
                .or_else(|| stmt.strip_prefix("pub(crate) use "))
            else {
                continue;
            };
            for path in expand_use(tree) {
                let absolute = if path.starts_with("crate::") || path.starts_with("super::") {
                    named_paths(&format!("use {path};"), &here).pop()
                } else {
                    Some(
                        here.iter()
                            .cloned()
                            .chain(path.split("::").map(str::to_string))
                            .collect(),
                    )
                };
                if let Some(abs) = absolute {
                    if abs.len() >= 3 && abs[0] == layer {
                        let name = path.rsplit("::").next().unwrap().to_string();
                        reexports.insert(name, abs[1].clone());
                    }
                }
            }
        }
    }
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in list {
        let here = module_path(&file, &src);
        if here.len() < 2 {
            continue;
        }
        let child = here[1].clone();
        let code = code_of(&std::fs::read_to_string(&file).unwrap());
        let entry = graph.entry(child.clone()).or_default();
        for path in named_paths(&code, &here) {
            if path.len() < 2 || path[0] != layer {
                continue;
            }
            let target = if path[1].chars().next().is_some_and(|c| c.is_uppercase())
                || !src.join(layer).join(&path[1]).exists()
                    && !src.join(layer).join(format!("{}.rs", path[1])).exists()
            {
                match reexports.get(&path[1]) {
                    Some(from) => from.clone(),
                    None => continue,
                }
            } else {
                path[1].clone()
            };
            if target != child {
                entry.insert(target);
            }
        }
    }
    graph
}

/// The loops in a graph: each strongly connected set of more than one node, sorted.
fn loops(graph: &std::collections::BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let nodes: Vec<&String> = graph.keys().collect();
    let reach = |from: &String| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(n) = stack.pop() {
            for next in graph.get(&n).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let reached: Vec<BTreeSet<String>> = nodes.iter().map(|n| reach(n)).collect();
    let mut out: Vec<Vec<String>> = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        let set: Vec<String> = nodes
            .iter()
            .enumerate()
            .filter(|(j, m)| reached[i].contains(**m) && reached[*j].contains(*n))
            .map(|(_, m)| (*m).clone())
            .collect();
        if set.len() > 1 && !out.contains(&set) {
            out.push(set);
        }
    }
    out
}

#[test]
fn no_module_loops_inside_a_layer() {
    let mut found = Vec::new();
    for layer in MODULES {
        let graph = child_graph(layer);
        for cycle in loops(&graph) {
            let edges: Vec<String> = cycle
                .iter()
                .flat_map(|a| {
                    graph[a]
                        .iter()
                        .filter(|b| cycle.contains(b))
                        .map(move |b| format!("{a} → {b}"))
                })
                .collect();
            found.push(format!(
                "src/{layer}: {} ({})",
                cycle.join(", "),
                edges.join("; ")
            ));
        }
    }
    assert!(
        found.is_empty(),
        "loops inside a layer:\n{}",
        found.join("\n")
    );
}

/// The loop finder finds a loop where there is one (and none where there is none).
#[test]
fn the_loop_finder_sees_a_loop() {
    use std::collections::BTreeMap;
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.insert("a".into(), ["b".to_string()].into());
    graph.insert("b".into(), ["c".to_string()].into());
    graph.insert("c".into(), BTreeSet::new());
    assert!(loops(&graph).is_empty());
    graph.get_mut("c").unwrap().insert("a".into());
    assert_eq!(
        loops(&graph),
        vec![vec!["a".to_string(), "b".into(), "c".into()]]
    );
    assert_eq!(
        expand_use("crate::model::{sets::{Found, ask}, regex}"),
        vec![
            "crate::model::sets::Found",
            "crate::model::sets::ask",
            "crate::model::regex"
        ]
    );
    let here = vec!["cli".to_string(), "explain".to_string()];
    assert_eq!(
        named_paths("super::sets::explain(args)", &here),
        vec![vec!["cli".to_string(), "sets".into(), "explain".into()]]
    );
}

/// What an operation is asked about (a path, `HOST:PORT`, a name) and the end a network
/// rule is decided on live in `grammar/operations.tsv` (`argument`, `decided-on`), read
/// through `model::vocab`: no source file tells them again by the operation's name, as
/// `starts_with("file")`, `starts_with("network-bind")` or `starts_with("mach-")` once did
/// in four places that disagreed with each other and with simbple's tables. The check is
/// narrow: a `starts_with` / `strip_prefix` whose string begins with the stem of one of the
/// table's wildcards (`file*` → `file`, `mach*` → `mach`), in code outside tests.
#[test]
fn no_reader_tells_an_operation_s_argument_by_its_name() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let table = std::fs::read_to_string(root.join("grammar/operations.tsv")).unwrap();
    let stems: Vec<String> = table
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split('\t').next())
        .filter_map(|name| name.strip_suffix('*'))
        .map(|stem| stem.trim_end_matches('-').to_string())
        .collect();
    assert!(
        stems.iter().any(|s| s == "file"),
        "no wildcards read: {stems:?}"
    );
    let mut list = Vec::new();
    files(&root.join("src"), &mut list);
    let mut wrong = Vec::new();
    for file in list {
        let text = std::fs::read_to_string(&file).unwrap();
        let text = text.split("#[cfg(test)]").next().unwrap_or("");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for call in ["starts_with(\"", "strip_prefix(\""] {
                for (at, _) in code.match_indices(call) {
                    let literal = code[at + call.len()..].split('"').next().unwrap_or("");
                    let by_name = stems.iter().any(|stem| {
                        literal.strip_prefix(stem.as_str()).is_some_and(|rest| {
                            rest.is_empty() || rest.starts_with('-') || rest.starts_with('*')
                        })
                    });
                    if by_name {
                        wrong.push(format!(
                            "{}:{}: {}",
                            file.strip_prefix(root).unwrap().display(),
                            n + 1,
                            code.trim()
                        ));
                    }
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "ask the vocabulary (`arg_kind`, `decided_on_local_end`, `name_filter_of`) instead of \
         the operation's name:\n{}",
        wrong.join("\n")
    );
}
