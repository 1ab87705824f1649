//! Random small profiles for the property tests (tests/precedence.rs, tests/sets.rs): rules
//! on a few operations with path, name, network and run-time filters, combined with
//! `require-*`.

use proptest::prelude::*;
use sblint::model::{Model, ModelOptions};
use sblint::syntax::parse;

pub const OPERATIONS: &[&str] = &[
    "file-read*",
    "file-read-data",
    "file-write*",
    "file*",
    "mach-lookup",
    "network-outbound",
];

pub const PATHS: &[&str] = &["/a", "/a/", "/a/b", "/ab", "/a/b/c", "/", "/c", "/a.b"];

pub fn filter() -> impl Strategy<Value = String> {
    let path = prop::sample::select(PATHS.to_vec());
    let name = prop::sample::select(vec!["com.x", "com.x.y", "com.", "org.z"]);
    let host = prop::sample::select(vec!["*:*", "*:80", "localhost:*", "localhost:80"]);
    prop_oneof![
        path.clone().prop_map(|p| format!("(literal \"{p}\")")),
        path.clone().prop_map(|p| format!("(subpath \"{p}\")")),
        path.clone().prop_map(|p| format!("(prefix \"{p}\")")),
        path.clone().prop_map(|p| format!("(regex #\"^{p}\")")),
        path.prop_map(|p| format!("(regex #\"^{p}$\")")),
        Just("(regex #\"b$\")".to_string()),
        Just("(regex #\"^/a/[^/]+$\")".to_string()),
        Just("(regex #\"^/a/\\d$\")".to_string()),
        Just("(regex #\"x(/|$)\")".to_string()),
        name.clone().prop_map(|n| format!("(global-name \"{n}\")")),
        name.clone()
            .prop_map(|n| format!("(global-name-prefix \"{n}\")")),
        name.prop_map(|n| format!("(global-name-regex #\"^{n}\")")),
        host.clone().prop_map(|h| format!("(remote ip \"{h}\")")),
        host.prop_map(|h| format!("(remote tcp \"{h}\")")),
        Just("(vnode-type DIRECTORY)".to_string()),
        Just("(entitlement \"com.apple.x\")".to_string()),
    ]
}

pub fn rule() -> impl Strategy<Value = String> {
    (
        prop::bool::ANY,
        prop::sample::select(OPERATIONS.to_vec()),
        prop::collection::vec(filter(), 0..3),
        prop::sample::select(vec!["", "require-all", "require-any", "require-not"]),
    )
        .prop_map(|(allow, op, filters, combine)| {
            let action = if allow { "allow" } else { "deny" };
            let body = match (combine, filters.is_empty()) {
                ("", _) | (_, true) => filters.join(" "),
                ("require-not", false) => format!("(require-not {})", filters[0]),
                (c, false) => format!("({c} {})", filters.join(" ")),
            };
            format!("({action} {op} {body})")
        })
}

pub fn model(rules: &[String]) -> Model {
    let text = format!("(version 1)\n{}\n", rules.join("\n"));
    Model::new(&parse(text), &[], &ModelOptions::default())
}
