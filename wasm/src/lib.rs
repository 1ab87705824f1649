//! sblint's engine as WebAssembly: one C-ABI entry point taking a JSON request and
//! returning a JSON response, for the small JavaScript loader in `packaging/npm`.
//!
//! Request: `{"op": "check" | "explain" | "test" | "diff" | "format" | "version", ...}`.
//! Response: `{"ok": VALUE}` or `{"error": {"kind", "message", "line"?, "column"?}}`.
//! Everything comes in as text: the profile, its preludes, the assertions. Nothing here
//! reads a file, starts a thread or a process.
//!
//! The answers are the library's; this file only turns requests into calls and results
//! into the JSON the command line prints (`--format json`).

use std::path::Path;
use std::sync::Arc;

use serde_json::{json, Value};

use sblint::diagnostic::FileReport;
use sblint::explain::{explain, Explanation};
use sblint::lint::{self, CheckOptions, Prelude};
use sblint::model::sources::SourceMap;
use sblint::model::{vocabulary, Action, Issue, MacOs, Model, ModelOptions, OpId};
use sblint::syntax::{parse, LineIndex, SyntaxTree};

mod abi;

/// An error the caller sees as a typed exception: `kind` is one of `request` (the request
/// itself is malformed), `syntax` (the profile does not parse), `import`, `usage` (an
/// unknown operation, a bad argument, a bad option), `assertions` (the test file).
#[derive(Debug)]
pub struct Failure {
    kind: &'static str,
    message: String,
    at: Option<(u32, u32)>,
}

impl Failure {
    fn new(kind: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: message.into(),
            at: None,
        }
    }

    fn at(mut self, text: &str, offset: u32) -> Failure {
        let lc = LineIndex::new(text).line_col(text, offset);
        self.at = Some((lc.line, lc.col));
        self
    }

    fn to_json(&self) -> Value {
        let mut v = json!({ "kind": self.kind, "message": self.message });
        if let Some((line, column)) = self.at {
            v["line"] = json!(line);
            v["column"] = json!(column);
        }
        v
    }
}

/// Answers one request (a JSON text) with a response (a JSON text). Never panics on any
/// input the engine does not panic on.
pub fn respond(request: &[u8]) -> String {
    let answer = serde_json::from_slice::<Value>(request)
        .map_err(|e| Failure::new("request", format!("the request is not JSON: {e}")))
        .and_then(|r| dispatch(&r));
    match answer {
        Ok(v) => json!({ "ok": v }).to_string(),
        Err(f) => json!({ "error": f.to_json() }).to_string(),
    }
}

fn dispatch(r: &Value) -> Result<Value, Failure> {
    let op = r.get("op").and_then(Value::as_str).unwrap_or_default();
    let options = Options::read(r.get("options"))?;
    match op {
        "version" => Ok(json!(env!("CARGO_PKG_VERSION"))),
        "check" => check(text(r, "text")?, &options),
        "explain" => {
            let operation = text(r, "operation")?;
            let argument = r.get("argument").and_then(Value::as_str);
            explain_json(text(r, "text")?, operation, argument, &options)
        }
        "test" => test(text(r, "text")?, r.get("assertions"), &options),
        "diff" => diff(text(r, "old")?, text(r, "new")?, &options),
        "format" => format(text(r, "text")?),
        other => Err(Failure::new(
            "request",
            format!("unknown request `{other}` (check, explain, test, diff, format, version)"),
        )),
    }
}

fn text<'a>(r: &'a Value, key: &str) -> Result<&'a str, Failure> {
    r.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| Failure::new("request", format!("`{key}` must be a string")))
}

/// The options every request may carry: what `sblint.toml` and the flags give natively.
struct Options {
    /// The name the profile is reported under (`path` in the JSON).
    path: String,
    macos: Option<MacOs>,
    params: Vec<(String, String)>,
    preludes: Vec<Arc<Prelude>>,
    /// Texts of the files `(import "NAME")` names, by name.
    imports: std::collections::HashMap<String, String>,
    select: Vec<String>,
    ignore: Vec<String>,
}

impl Options {
    fn read(v: Option<&Value>) -> Result<Options, Failure> {
        let empty = serde_json::Map::new();
        let o = match v {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(o)) => o,
            Some(_) => return Err(Failure::new("usage", "`options` must be an object")),
        };
        for key in o.keys() {
            if ![
                "path", "macos", "params", "preludes", "imports", "select", "ignore",
            ]
            .contains(&key.as_str())
            {
                return Err(Failure::new(
                    "usage",
                    format!(
                        "unknown option `{key}` (path, macos, params, preludes, select, ignore)"
                    ),
                ));
            }
        }
        let path = match o.get("path") {
            None | Some(Value::Null) => "profile.sb".to_string(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err(Failure::new("usage", "`path` must be a string")),
        };
        let macos = match o.get("macos") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.is_empty() => None,
            Some(Value::String(s)) => Some(MacOs::parse(s).ok_or_else(|| {
                Failure::new("usage", format!("`macos`: `{s}` is not a macOS version sblint knows (as `14`, `14.4`, `15.1`)"))
            })?),
            Some(_) => return Err(Failure::new("usage", "`macos` must be a string")),
        };
        let mut params = Vec::new();
        match o.get("params") {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    let v = v.as_str().ok_or_else(|| {
                        Failure::new("usage", format!("param `{k}` must be a string"))
                    })?;
                    params.push((k.clone(), v.to_string()));
                }
            }
            Some(_) => {
                return Err(Failure::new(
                    "usage",
                    "`params` must be an object of strings",
                ))
            }
        }
        let mut preludes = Vec::new();
        match o.get("preludes") {
            None | Some(Value::Null) => {}
            Some(Value::Array(list)) => {
                for p in list {
                    let (Some(name), Some(text)) = (
                        p.get("name").and_then(Value::as_str),
                        p.get("text").and_then(Value::as_str),
                    ) else {
                        return Err(Failure::new(
                            "usage",
                            "each prelude is `{ name: string, text: string }`",
                        ));
                    };
                    preludes.push(lint::load_prelude(name, text.as_bytes().to_vec()));
                }
            }
            Some(_) => {
                return Err(Failure::new(
                    "usage",
                    "`preludes` must be an array of `{ name, text }`",
                ))
            }
        }
        let mut imports = std::collections::HashMap::new();
        match o.get("imports") {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    let v = v.as_str().ok_or_else(|| {
                        Failure::new("usage", format!("import `{k}` must be a string"))
                    })?;
                    imports.insert(k.clone(), v.to_string());
                }
            }
            Some(_) => {
                return Err(Failure::new(
                    "usage",
                    "`imports` must be an object of texts by name",
                ))
            }
        }
        let selectors = |key: &str| -> Result<Vec<String>, Failure> {
            let list: Vec<String> = match o.get(key) {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|s| s.as_str().map(str::to_string))
                    .collect::<Option<_>>()
                    .ok_or_else(|| {
                        Failure::new("usage", format!("`{key}` must be an array of strings"))
                    })?,
                Some(_) => {
                    return Err(Failure::new(
                        "usage",
                        format!("`{key}` must be an array of strings"),
                    ))
                }
            };
            lint::resolve_selectors(&list)
                .map_err(|m| Failure::new("usage", format!("`{key}`: {m}")))
        };
        Ok(Options {
            path,
            macos,
            params,
            preludes,
            imports,
            select: selectors("select")?,
            ignore: selectors("ignore")?,
        })
    }

    fn model(&self) -> ModelOptions {
        ModelOptions {
            macos: self.macos,
            params: self.params.iter().cloned().collect(),
            imports: self.imports.clone(),
            ..ModelOptions::default()
        }
    }

    fn check_options(&self) -> CheckOptions {
        CheckOptions {
            preludes: self.preludes.clone(),
            model: self.model(),
            selection: lint::Selection {
                select: self.select.clone(),
                ignore: self.ignore.clone(),
                ..Default::default()
            },
        }
    }
}

/// `sblint check --format json`: the same array of findings.
fn check(text: &str, options: &Options) -> Result<Value, Failure> {
    let report: FileReport =
        lint::check_text(&options.path, text.to_string(), &options.check_options());
    let mut out = Vec::new();
    sblint::render::render(
        &mut out,
        std::slice::from_ref(&report),
        sblint::render::Format::Json,
        false,
        &[],
    )
    .map_err(|e| Failure::new("internal", e.to_string()))?;
    serde_json::from_slice(&out).map_err(|e| Failure::new("internal", e.to_string()))
}

/// A profile parsed and evaluated, as `explain`, `test` and `diff` need it.
struct Loaded {
    name: String,
    tree: SyntaxTree,
    preludes: Vec<Arc<Prelude>>,
    model: Model,
    errors: Vec<sblint::diagnostic::Diagnostic>,
}

impl Loaded {
    fn sources(&self) -> SourceMap<'_> {
        let preludes: Vec<(&str, &SyntaxTree)> = self
            .preludes
            .iter()
            .map(|p| (p.path.as_str(), &p.tree))
            .collect();
        SourceMap::new((self.name.as_str(), &self.tree), &preludes, &self.model)
    }

    /// Why `sandbox-exec` would refuse the profile, as JSON.
    fn load_errors(&self) -> Vec<Value> {
        let text = self.tree.text();
        let index = LineIndex::new(text);
        self.errors
            .iter()
            .map(|d| {
                let at = index.line_col(text, d.primary.span.start);
                json!({ "line": at.line, "column": at.col, "code": d.code, "message": d.message })
            })
            .collect()
    }
}

/// Parses and evaluates as `sblint explain` does: a syntax error, or an import that
/// fails, is an error (without the imported rules the answer would be about another
/// profile).
fn load(name: &str, text: &str, options: &Options, model: ModelOptions) -> Result<Loaded, Failure> {
    let tree = parse(text.to_string());
    if let Some(error) = tree.errors().first() {
        return Err(
            Failure::new("syntax", format!("`{name}`: {}", error.message))
                .at(tree.text(), error.span.start),
        );
    }
    let trees: Vec<&SyntaxTree> = options.preludes.iter().map(|p| &p.tree).collect();
    let model = Model::new(&tree, &trees, &model);
    if let Some((span, message)) = model.issues.iter().find_map(|issue| match issue {
        Issue::Import { span, message, .. } => Some((*span, message)),
        _ => None,
    }) {
        return Err(
            Failure::new("import", format!("`{name}`: {message}")).at(tree.text(), span.start)
        );
    }
    let errors = lint::load_errors(&tree, &options.preludes, &model);
    Ok(Loaded {
        name: name.to_string(),
        tree,
        preludes: options.preludes.clone(),
        model,
        errors,
    })
}

/// Relative arguments are taken from `/`: the browser has no working directory.
const CWD: &str = "/";

/// `sblint explain --format json`, with the deciding rule's text and span for highlighting.
fn explain_json(
    text: &str,
    operation: &str,
    argument: Option<&str>,
    options: &Options,
) -> Result<Value, Failure> {
    // With libsandbox's own rules (grammar/implicit.tsv), as `sblint explain` decides.
    let model = ModelOptions {
        implicit: true,
        ..options.model()
    };
    let loaded = load(&options.path, text, options, model)?;
    let e = explain(&loaded.model, operation, argument, Path::new(CWD))
        .map_err(|e| Failure::new("usage", e.to_string()))?;
    Ok(explanation(&loaded, &e))
}

fn explanation(loaded: &Loaded, e: &Explanation) -> Value {
    let sources = loaded.sources();
    let rules = &loaded.model.rules;
    let decider = e.decision.rule.map(|i| &rules[i]);
    let place = |i: usize| {
        let r = &rules[i];
        let at = sources.line_col(r.origin);
        json!({
            "line": at.line,
            "column": at.col,
            "file": sources.name(r.origin.file),
            "action": r.action.as_str(),
        })
    };
    let (line, column) = match decider {
        Some(r) => {
            let at = sources.line_col(r.origin);
            (json!(at.line), json!(at.col))
        }
        None => (Value::Null, Value::Null),
    };
    let errors = loaded.load_errors();
    json!({
        "loads": errors.is_empty(),
        "errors": errors,
        "decision": e.action.as_str(),
        "operation": e.operation,
        "argument": e.argument,
        "resolved": e.resolved,
        "line": line,
        "column": column,
        "file": decider.map(|r| sources.name(r.origin.file)),
        "rule": decider.map(|r| sources.text(r.origin)),
        "default": e.default,
        "overridden": e.decision.overridden.iter().map(|&i| place(i)).collect::<Vec<_>>(),
        "unverified": e.decision.unverified.iter().map(|&i| place(i)).collect::<Vec<_>>(),
        "alternatives": e.alternatives.iter().map(|&(a, i)| {
            let mut p = place(i);
            p["could_be"] = json!(a.as_str());
            p
        }).collect::<Vec<_>>(),
        "traversal": e.traversal.as_ref().map(|t| {
            let line = t.decision.rule.map(|i| sources.line_col(rules[i].origin).line);
            json!({
                "link": t.link,
                "operation": "file-read-metadata",
                "decision": t.action.as_str(),
                "line": line,
            })
        }),
        "conditional": e.decision.conditional(),
        "conditions": conditions(&sources, &e.decision.conditions),
    })
}

fn conditions(
    sources: &SourceMap<'_>,
    list: &[sblint::model::precedence::Condition],
) -> Vec<Value> {
    list.iter()
        .map(|c| {
            json!({
                "filter": sblint::model::precedence::condition_name(c, sources.text(c.origin)),
                "line": sources.line_col(c.origin).line,
            })
        })
        .collect()
}

/// `sblint test --format json` on one test file whose profile is `text`. The assertions
/// are a test file's TOML (its `profile` key, if any, is ignored) or the same as an object.
fn test(text: &str, assertions: Option<&Value>, options: &Options) -> Result<Value, Failure> {
    let toml_text = match assertions {
        Some(Value::String(s)) => s.clone(),
        Some(v @ Value::Object(_)) => {
            let mut v = v.clone();
            v.as_object_mut().expect("an object").remove("profile");
            toml::to_string(&v)
                .map_err(|e| Failure::new("assertions", format!("the assertions: {e}")))?
        }
        _ => {
            return Err(Failure::new(
                "request",
                "`assertions` must be TOML text or an object",
            ))
        }
    };
    // The test file names its profile; here the profile is the text given. A `profile`
    // line is put in front when there is none (spans are moved back past it).
    let has_profile = toml::from_str::<toml::Table>(&toml_text)
        .map(|t| t.contains_key("profile"))
        .unwrap_or(true);
    let prefix = if has_profile {
        String::new()
    } else {
        format!("profile = {}\n", Value::String(options.path.clone()))
    };
    let full = format!("{prefix}{toml_text}");
    let file_path = Path::new(CWD).join("profile.sbtest.toml");
    let shift = |offset: usize| offset.saturating_sub(prefix.len()) as u32;
    let file = sblint::sbtest::parse(&file_path, &full).map_err(|problems| {
        let p = &problems[0];
        let message = problems
            .iter()
            .map(|p| p.message.clone())
            .collect::<Vec<_>>()
            .join("; ");
        Failure::new("assertions", message).at(&toml_text, shift(p.span.start))
    })?;
    if !file.preludes.is_empty() {
        return Err(Failure::new(
            "usage",
            "`preludes` in the assertions name files, which WebAssembly cannot read: give them as texts in `options.preludes`",
        ));
    }
    let mut model = options.model();
    // With libsandbox's own rules, as `sblint test` decides.
    model.implicit = true;
    model.params.extend(file.params.iter().cloned());
    if file.macos.is_some() {
        model.macos = file.macos;
    }
    let loaded = load(&options.path, text, options, model)?;
    let outcomes = sblint::sbtest::run(&file, &loaded.model);
    let sources = loaded.sources();
    let index = LineIndex::new(&toml_text);
    let results: Vec<Value> = outcomes
        .iter()
        .map(|o| {
            let a = o.assertion;
            let mut v = json!({
                "assertion_line": index.line_col(&toml_text, shift(a.span.start)).line,
                "kind": a.kind.as_str(),
                "operation": a.operation,
                "passed": o.passed,
            });
            match a.kind {
                sblint::sbtest::Kind::Allow | sblint::sbtest::Kind::Deny => {
                    v["argument"] = json!(a.argument);
                }
                sblint::sbtest::Kind::Never | sblint::sbtest::Kind::Always => {
                    v["within"] = json!(a.within);
                    if a.kind == sblint::sbtest::Kind::Never {
                        v["except"] = json!(a.except);
                    }
                }
            }
            if let Some(f) = &o.failure {
                v["witness"] = json!(f.witness);
                v["witness_operation"] = json!(f.witness_operation);
                v["decision"] = json!(f.decision.map(Action::as_str));
                v["line"] = json!(f
                    .rule
                    .map(|i| sources.line_col(loaded.model.rules[i].origin).line));
                v["conditional"] = json!(f.conditional);
                v["conditions"] = json!(conditions(&sources, &f.conditions));
                v["too_complex"] = json!(f.too_complex);
                if let Some(note) = &f.note {
                    v["note"] = json!(note);
                }
            }
            v
        })
        .collect();
    let passed = results
        .iter()
        .filter(|v| v["passed"] == json!(true))
        .count();
    Ok(json!({
        "passed": passed,
        "failed": results.len() - passed,
        "loads": loaded.errors.is_empty(),
        "errors": loaded.load_errors(),
        "results": results,
    }))
}

/// `sblint diff --format json OLD NEW`, each change with its family (the topmost wildcard
/// below `default`) for grouping.
fn diff(old: &str, new: &str, options: &Options) -> Result<Value, Failure> {
    use sblint::model::sets::{self, Budget, Change};
    let old = load("old.sb", old, options, options.model())?;
    let new = load("new.sb", new, options, options.model())?;
    let vocab = vocabulary();
    let ops: Vec<OpId> = sets::leaves(vocab.default)
        .into_iter()
        .filter(|&op| {
            let o = vocab.operation(op);
            o.exists_in(old.model.macos) || o.exists_in(new.model.macos)
        })
        .collect();
    let (changes, undecided): (Vec<Change>, Vec<OpId>) =
        match sets::diff_leaves(&old.model.rules, &new.model.rules, &ops, &Budget::default()) {
            Ok(found) => (found, Vec::new()),
            Err(partial) => {
                let undecided = ops
                    .iter()
                    .copied()
                    .filter(|op| !partial.decided.contains(op))
                    .collect();
                (partial.changes, undecided)
            }
        };
    let side = |loaded: &Loaded, d: &sblint::model::precedence::Decision| {
        let line = d
            .rule
            .map(|i| loaded.sources().line_col(loaded.model.rules[i].origin).line);
        json!({ "decision": d.outcome().as_str(), "line": line })
    };
    let family = |op: OpId| {
        vocab
            .chain(op)
            .iter()
            .copied()
            .rfind(|&l| l != vocab.default)
            .unwrap_or(op)
    };
    let list: Vec<Value> = changes
        .iter()
        .map(|c| {
            let mut v = json!({
                "operation": vocab.operation(c.operation).name,
                "family": vocab.operation(family(c.operation)).name,
                "change": c.direction.as_str(),
                "conditional": c.conditional,
                "old": side(&old, &c.old),
                "new": side(&new, &c.new),
            });
            if let Some(w) = &c.witness {
                v["witness"] = json!(w);
            }
            v
        })
        .collect();
    let mut value = json!({
        "equivalent": changes.is_empty() && undecided.is_empty(),
        "changes": list,
    });
    if !undecided.is_empty() {
        value["too_complex"] = json!(undecided
            .iter()
            .map(|&op| vocab.operation(op).name.as_str())
            .collect::<Vec<_>>());
    }
    Ok(value)
}

/// `sblint format`: the formatted text; a profile that does not parse is an error.
fn format(text: &str) -> Result<Value, Failure> {
    match sblint::fmt::format_text(text, &sblint::fmt::FormatOptions::default()) {
        Ok(formatted) => Ok(json!(formatted)),
        Err(tree) => {
            let e = &tree.errors()[0];
            Err(Failure::new("syntax", e.message.clone()).at(tree.text(), e.span.start))
        }
    }
}
