//! sblint's engine as WebAssembly: one C-ABI entry point taking a JSON request and
//! returning a JSON response, for the small JavaScript loader in `packaging/npm`.
//!
//! Request: `{"op": "check" | "explain" | "test" | "diff" | "format" | "version", ...}`.
//! Response: `{"ok": VALUE}` or `{"error": {"kind", "message", "line"?, "column"?}}`.
//! Everything comes in as text: the profile, its preludes, the assertions. Nothing here
//! reads a file, starts a thread or a process.
//!
//! This file is a JSON adapter and nothing more: each request is one call of the library
//! API the Rust and command-line users call ([`sblint::Profile`], [`sblint::check_text`],
//! [`sblint::test_text`], [`sblint::diff`], [`sblint::format`]), and each answer is that
//! call's result serialised, the JSON `sblint … --format json` prints.

use serde_json::{json, Value};

use sblint::{Error, Options, Profile};

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

    fn to_json(&self) -> Value {
        let mut v = json!({ "kind": self.kind, "message": self.message });
        if let Some((line, column)) = self.at {
            v["line"] = json!(line);
            v["column"] = json!(column);
        }
        v
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        let kind = match error.kind().as_str() {
            "sblint::syntax" => "syntax",
            "sblint::import" => "import",
            "sblint::assertions" => "assertions",
            _ => "usage",
        };
        Failure {
            kind,
            message: error.to_string(),
            at: error.source_error().map(|e| e.line_col()),
        }
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
    let (path, options) = options(r.get("options"))?;
    let answer = match op {
        "version" => json!(env!("CARGO_PKG_VERSION")),
        "check" => sblint::check_text(&path, text(r, "text")?, &options)?,
        "explain" => {
            let operation = text(r, "operation")?;
            let argument = r.get("argument").and_then(Value::as_str);
            let profile = Profile::named(path, text(r, "text")?, &options)?;
            serialised(serde_json::to_value(profile.decide(operation, argument)?))?
        }
        "test" => {
            let assertions = assertions(r.get("assertions"))?;
            let report = sblint::test_text(&path, text(r, "text")?, &assertions, &options)?;
            serialised(serde_json::to_value(report))?
        }
        "diff" => {
            let old = Profile::named("old.sb", text(r, "old")?, &options)?;
            let new = Profile::named("new.sb", text(r, "new")?, &options)?;
            serialised(serde_json::to_value(sblint::diff(&old, &new)?))?
        }
        "format" => json!(sblint::format(text(r, "text")?)?),
        other => {
            return Err(Failure::new(
                "request",
                format!("unknown request `{other}` (check, explain, test, diff, format, version)"),
            ))
        }
    };
    Ok(answer)
}

fn serialised(value: serde_json::Result<Value>) -> Result<Value, Failure> {
    value.map_err(|e| Failure::new("internal", e.to_string()))
}

fn text<'a>(r: &'a Value, key: &str) -> Result<&'a str, Failure> {
    r.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| Failure::new("request", format!("`{key}` must be a string")))
}

/// The options every request may carry: the library's [`Options`] (`params`,
/// `preludes`, `imports`, `macos`, `select`, `ignore`), and `path`, the name the profile
/// is reported under (default `profile.sb`). An empty `macos` is none.
fn options(v: Option<&Value>) -> Result<(String, Options), Failure> {
    let mut o = match v {
        None | Some(Value::Null) => serde_json::Map::new(),
        Some(Value::Object(o)) => o.clone(),
        Some(_) => return Err(Failure::new("usage", "`options` must be an object")),
    };
    let path = match o.remove("path") {
        None | Some(Value::Null) => "profile.sb".to_string(),
        Some(Value::String(s)) => s,
        Some(_) => return Err(Failure::new("usage", "`path` must be a string")),
    };
    // A key given as null, or an empty `macos`, is a key not given.
    o.retain(|key, v| !(v.is_null() || key == "macos" && v == ""));
    let options = serde_json::from_value(Value::Object(o))
        .map_err(|e| Failure::new("usage", format!("`options`: {e}")))?;
    Ok((path, options))
}

/// The assertions as a test file's TOML: given so, or as the same object (its `profile`
/// key, if any, left out).
fn assertions(v: Option<&Value>) -> Result<String, Failure> {
    match v {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Object(o)) => {
            let mut o = o.clone();
            o.remove("profile");
            toml::to_string(&o)
                .map_err(|e| Failure::new("assertions", format!("the assertions: {e}")))
        }
        _ => Err(Failure::new(
            "request",
            "`assertions` must be TOML text or an object",
        )),
    }
}
