//! `sblint compile`: a flat, parameter-free profile with the same meaning: `(version 1)`,
//! then the rules in order, definitions expanded, params substituted, imports and preludes
//! inlined, `with-filter`/`with-modifier` distributed, each rule cited as `; from FILE:LINE`.

use serde_json::{json, Value};

use crate::model::quote;
use crate::model::rule::{
    Filter, FilterExpr, FilterValue, NamePattern, NetAddr, PathPattern, Port, Rule,
};
use crate::model::sources::SourceMap;
use crate::model::Model;

/// Why a profile cannot be flattened: each message names what is missing.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", .messages.join("; "))]
pub struct CompileError {
    pub messages: Vec<String>,
}

/// Every rule must be known: no unknown filter, no rule from a branch on an unknown value.
fn check(model: &Model, sources: &SourceMap<'_>) -> Result<(), CompileError> {
    let mut messages = Vec::new();
    if !model.complete {
        messages.push("evaluation stopped at its limit (see `sblint check`, SB005)".to_string());
    }
    let params = if model.unset_params.is_empty() {
        String::new()
    } else {
        format!(
            ": pass {}",
            model
                .unset_params
                .iter()
                .map(|p| format!("--param {p}=..."))
                .collect::<Vec<_>>()
                .join(" ")
        )
    };
    for rule in &model.rules {
        let at = sources.line_col(rule.origin);
        let here = format!("{}:{}:{}", sources.name(rule.origin.file), at.line, at.col);
        if !rule.certain {
            messages.push(format!(
                "{here}: this rule depends on a condition sblint cannot know{params}"
            ));
        } else if rule.filter.as_ref().is_some_and(FilterExpr::has_unknown) {
            messages.push(format!(
                "{here}: a filter of this rule depends on a value sblint cannot know{params}"
            ));
        }
    }
    // A helper called in a loop makes the same rule, and the same message, many times.
    let mut seen = std::collections::HashSet::new();
    messages.retain(|m| seen.insert(m.clone()));
    const SHOWN: usize = 10;
    if messages.len() > SHOWN {
        let more = messages.len() - SHOWN;
        messages.truncate(SHOWN);
        messages.push(format!("and {more} more"));
    }
    if messages.is_empty() {
        Ok(())
    } else {
        Err(CompileError { messages })
    }
}

/// The flat profile as SBPL text (not yet formatted).
pub fn compile(model: &Model, sources: &SourceMap<'_>) -> Result<String, CompileError> {
    check(model, sources)?;
    let mut out = String::from("(version 1)\n");
    for rule in &model.rules {
        let at = sources.line_col(rule.origin);
        out.push_str(&format!(
            "\n; from {}:{}\n",
            sources.name(rule.origin.file),
            at.line
        ));
        out.push_str(&render_rule(rule));
        out.push('\n');
    }
    Ok(out)
}

fn render_rule(rule: &Rule) -> String {
    let mut parts = vec![rule.action.as_str().to_string()];
    parts.extend(rule.operations.iter().map(|o| o.written.to_string()));
    match &rule.filter {
        None => {}
        // Several filters in one rule are OR-ed: keep them side by side.
        Some(FilterExpr::Any(xs)) => parts.extend(xs.iter().map(render_filter)),
        Some(f) => parts.push(render_filter(f)),
    }
    for m in &rule.modifiers {
        let mut words = vec!["with".to_string(), m.name.to_string()];
        words.extend(m.args.iter().cloned());
        parts.push(format!("({})", words.join(" ")));
    }
    format!("({})", parts.join(" "))
}

fn render_filter(expr: &FilterExpr) -> String {
    match expr {
        FilterExpr::Any(xs) => format!(
            "(require-any {})",
            xs.iter().map(render_filter).collect::<Vec<_>>().join(" ")
        ),
        FilterExpr::All(xs) => format!(
            "(require-all {})",
            xs.iter().map(render_filter).collect::<Vec<_>>().join(" ")
        ),
        FilterExpr::Not(x) => format!("(require-not {})", render_filter(x)),
        FilterExpr::Leaf(f) => render_leaf(f),
        // `check` refuses profiles with unknown filters before rendering.
        FilterExpr::Unknown(_) => "(require-any)".to_string(),
    }
}

fn regex_token(pattern: &str) -> String {
    if pattern.contains('"') {
        quote(pattern)
    } else {
        format!("#\"{pattern}\"")
    }
}

fn render_leaf(f: &Filter) -> String {
    let arg = match &f.value {
        FilterValue::Path(PathPattern::Regex(r)) | FilterValue::Name(NamePattern::Regex(r)) => {
            regex_token(r)
        }
        FilterValue::Path(p) => quote(p.text()),
        FilterValue::Name(NamePattern::Exact(n) | NamePattern::Prefix(n)) => quote(n),
        FilterValue::Network(n) => network(n),
        FilterValue::Other(s) => quote(s),
        FilterValue::Atom(a) if a.is_empty() => return format!("({})", f.written),
        FilterValue::Atom(a) => a.to_string(),
    };
    format!("({} {arg})", f.written)
}

fn network(n: &NetAddr) -> String {
    let port = match n.port {
        Port::Any => "*".to_string(),
        Port::Number(p) => p.to_string(),
    };
    if n.protocol.starts_with("unix") {
        return match &n.socket {
            Some(socket) => {
                let (written, pattern) = &**socket;
                let arg = match pattern {
                    PathPattern::Regex(r) => regex_token(r),
                    p => quote(p.text()),
                };
                format!("{} ({} {arg})", n.protocol, written.as_str())
            }
            None => n.protocol.clone(),
        };
    }
    format!("{} {}", n.protocol, quote(&format!("{}:{port}", n.host)))
}

/// The rules as JSON: action, operations, filter tree, modifiers, origin.
pub fn compile_json(model: &Model, sources: &SourceMap<'_>) -> Result<Value, CompileError> {
    check(model, sources)?;
    let rules: Vec<Value> = model
        .rules
        .iter()
        .map(|rule| {
            let at = sources.line_col(rule.origin);
            json!({
                "action": rule.action.as_str(),
                "operations": rule.operations.iter().map(|o| o.written.as_str()).collect::<Vec<_>>(),
                "filter": rule.filter.as_ref().map(filter_json),
                "modifiers": rule.modifiers.iter().map(|m| json!({"name": m.name, "arguments": m.args})).collect::<Vec<_>>(),
                "origin": { "file": sources.name(rule.origin.file), "line": at.line, "column": at.col },
            })
        })
        .collect();
    Ok(json!({ "version": 1, "rules": rules }))
}

fn filter_json(expr: &FilterExpr) -> Value {
    match expr {
        FilterExpr::Any(xs) => {
            json!({ "require-any": xs.iter().map(filter_json).collect::<Vec<_>>() })
        }
        FilterExpr::All(xs) => {
            json!({ "require-all": xs.iter().map(filter_json).collect::<Vec<_>>() })
        }
        FilterExpr::Not(x) => json!({ "require-not": filter_json(x) }),
        FilterExpr::Leaf(f) => {
            let value = match &f.value {
                FilterValue::Path(p) => json!(p.text()),
                FilterValue::Name(n) => json!(n.text()),
                FilterValue::Network(n) => json!({
                    "end": if n.local { "local" } else { "remote" },
                    "protocol": n.protocol,
                    "host": n.host,
                    "port": match n.port { Port::Any => json!("*"), Port::Number(p) => json!(p) },
                }),
                FilterValue::Other(s) | FilterValue::Atom(s) => json!(s),
            };
            json!({ "filter": f.written.as_str(), "value": value })
        }
        FilterExpr::Unknown(_) => Value::Null,
    }
}
