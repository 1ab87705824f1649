//! `explain` against outcomes observed on real Macs: the post that started the project
//! (`shared/seed/sandboxing-code-on-macos.md`) gives the first rows; the others follow from
//! the facts in `shared/reference/README.md`. Every row is also run against the compiled
//! profile, which must decide the same.

mod common;

use std::collections::HashMap;
use std::path::Path;

use sblint::compile::compile;
use sblint::explain::explain;
use sblint::model::sources::SourceMap;
use sblint::model::{Action, Model, ModelOptions};
use sblint::syntax::parse;

/// (profile, params, operation, argument, decision, deciding line (None: no rule), source)
type Row = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
    &'static str,
    &'static str,
    Option<u32>,
    &'static str,
);

const TABLE: &[Row] = &[
    (
        "seed-port80.sb",
        &[],
        "network-outbound",
        "example.com:80",
        "deny",
        Some(3),
        "seed: curl http://example.com fails",
    ),
    (
        "seed-port80.sb",
        &[],
        "network-outbound",
        "example.com:443",
        "allow",
        Some(2),
        "seed: curl https://example.com succeeds",
    ),
    (
        "seed-deny-writes.sb",
        &[],
        "file-write-create",
        "/Users/me/foo",
        "deny",
        Some(3),
        "seed: touch foo fails",
    ),
    (
        "seed-cwd-writes.sb",
        &[("PWD", "/Users/me/proj")],
        "file-write-create",
        "/Users/me/proj/foo",
        "allow",
        Some(4),
        "seed: touch foo in $PWD succeeds",
    ),
    (
        "seed-cwd-writes.sb",
        &[("PWD", "/Users/me/proj")],
        "file-write-create",
        "/tmp/foo",
        "deny",
        Some(3),
        "seed: touch /tmp/foo fails",
    ),
    (
        "seed-private-tmp.sb",
        &[],
        "file-write-create",
        "/tmp/asdf/foo",
        "allow",
        Some(4),
        "seed: success: /private",
    ),
    (
        "seed-tmp.sb",
        &[],
        "file-write-create",
        "/tmp/asdf/foo",
        "deny",
        Some(3),
        "seed: failure: /tmp",
    ),
    (
        "seed-ls-no-root.sb",
        &[],
        "file-read-data",
        "/",
        "deny",
        Some(3),
        "seed: ls aborts (Abort trap: 6)",
    ),
    (
        "seed-ls-no-root.sb",
        &[],
        "file-read-data",
        "/private/tmp/asdf/x",
        "allow",
        Some(4),
        "seed: the directory itself is readable",
    ),
    (
        "seed-ls-root.sb",
        &[],
        "file-read-data",
        "/",
        "allow",
        Some(4),
        "seed: with (literal \"/\") ls succeeds",
    ),
    (
        "seed-python.sb",
        &[("PYTHON_PREFIX", "/opt/py")],
        "file-read-data",
        "/opt/py/lib/python3.11/os.py",
        "allow",
        Some(4),
        "seed: python runs",
    ),
    (
        "seed-python.sb",
        &[("PYTHON_PREFIX", "/opt/py")],
        "file-read-data",
        "/Users/me/.ssh/id_rsa",
        "deny",
        Some(3),
        "seed: nothing else is readable",
    ),
    (
        "seed-python.sb",
        &[("PYTHON_PREFIX", "/opt/py")],
        "network-outbound",
        "127.0.0.1:3141",
        "allow",
        Some(7),
        "seed: the local devpi is reachable",
    ),
    (
        "seed-python.sb",
        &[("PYTHON_PREFIX", "/opt/py")],
        "network-outbound",
        "localhost:3141",
        "allow",
        Some(7),
        "localhost matches localhost",
    ),
    (
        "wildcard-env.sb",
        &[],
        "file-read-data",
        "/Users/me/project/.env",
        "allow",
        Some(3),
        "reference: specific op first (greywall PR #20)",
    ),
    (
        "wildcard-env.sb",
        &[],
        "file-read-metadata",
        "/Users/me/project/.env",
        "deny",
        Some(4),
        "reference: the wildcard applies to other ops",
    ),
    (
        "alias-sysctl.sb",
        &[],
        "sysctl-read",
        "kern.hostname",
        "deny",
        Some(3),
        "reference: sysctl-write is sysctl*",
    ),
    (
        "alias-sysctl.sb",
        &[],
        "process-exec-interpreter",
        "/bin/ls",
        "deny",
        Some(5),
        "reference: own rules of an op first",
    ),
    (
        "alias-sysctl.sb",
        &[],
        "process-exec",
        "/bin/ls",
        "allow",
        Some(4),
        "reference: process-exec is process-exec*",
    ),
    (
        "regex-require.sb",
        &[],
        "file-read-data",
        "/Users/me/Library/Prefs",
        "allow",
        Some(3),
        "reference: anchored regex",
    ),
    (
        "regex-require.sb",
        &[],
        "file-read-data",
        "/Users/me/Documents/x",
        "deny",
        Some(2),
        "reference: regex does not match",
    ),
    (
        "regex-require.sb",
        &[],
        "file-read-data",
        "/opt/cache/x",
        "allow",
        Some(3),
        "reference: regexes are unanchored",
    ),
    (
        "regex-require.sb",
        &[],
        // Written as the kernel checks it: through `/tmp`, resolving the link needs its
        // metadata, which this profile denies (tests/fidelity.rs).
        "file-write-data",
        "/private/tmp/x",
        "allow",
        Some(4),
        "reference: require-all with require-not",
    ),
    (
        "regex-require.sb",
        &[],
        "file-write-data",
        "/private/tmp/secret",
        "deny",
        Some(2),
        "reference: require-not excludes",
    ),
    (
        "regex-require.sb",
        &[],
        "mach-lookup",
        "com.example.svc",
        "allow",
        Some(8),
        "reference: name prefix",
    ),
    (
        "regex-require.sb",
        &[],
        "mach-lookup",
        "com.apple.windowserver",
        "deny",
        Some(2),
        "reference: other services",
    ),
    (
        "nono-non-capturing.sb",
        &[],
        "file-read-data",
        "/private/tmp/poc/deep/.env",
        "allow",
        Some(5),
        "nolabs-ai/nono#1763: `cat /private/tmp/poc/deep/.env` printed the secret",
    ),
    (
        "nono-capturing.sb",
        &[],
        "file-read-data",
        "/private/tmp/poc/deep/.env",
        "deny",
        Some(5),
        "nolabs-ai/nono#1763/#1764: with `(.*/)?` the read is denied",
    ),
];

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/explain")
            .join(name),
    )
    .unwrap()
}

fn model(text: &str, params: &[(&str, &str)]) -> (sblint::syntax::SyntaxTree, Model) {
    let tree = parse(text);
    assert!(!tree.has_errors());
    let options = ModelOptions {
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<HashMap<_, _>>(),
        ..Default::default()
    };
    let model = Model::new(&tree, &[], &options);
    (tree, model)
}

#[test]
fn decisions_match_real_macs() {
    let cwd = Path::new("/Users/me");
    let mut failures = Vec::new();
    for &(file, params, op, arg, expected, line, source) in TABLE {
        let text = fixture(file);
        let (tree, model) = model(&text, params);
        let e = explain(&model, op, Some(arg), cwd).unwrap();
        let got_line = e.decision.rule.map(|i| {
            let rule = &model.rules[i];
            tree.text()[..rule.origin.span.start as usize]
                .matches('\n')
                .count() as u32
                + 1
        });
        if e.action.as_str() != expected || got_line != line {
            failures.push(format!("{file} {op} {arg}: got {} (line {got_line:?}), want {expected} (line {line:?}) [{source}]", e.action.as_str()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn an_unset_param_shows_both_outcomes() {
    let (_, model) = model(&fixture("seed-cwd-writes.sb"), &[]);
    let e = explain(
        &model,
        "file-write-create",
        Some("/Users/me/proj/foo"),
        Path::new("/"),
    )
    .unwrap();
    assert_eq!(e.action, Action::Deny);
    assert_eq!(e.alternatives.len(), 1);
    assert_eq!(e.alternatives[0].0, Action::Allow);
}

#[test]
fn compiled_profiles_decide_the_same() {
    let cwd = Path::new("/Users/me");
    for &(file, params, op, arg, _, _, _) in TABLE {
        let text = fixture(file);
        let (tree, original) = model(&text, params);
        let sources = SourceMap::new((file, &tree), &[], &original);
        let flat = compile(&original, &sources).unwrap_or_else(|e| panic!("{file}: {e}"));
        let (_, compiled) = model(&flat, &[]);
        assert!(
            compiled.unset_params.is_empty(),
            "{file}: the compiled profile still uses params"
        );
        let before = explain(&original, op, Some(arg), cwd).unwrap().action;
        let after = explain(&compiled, op, Some(arg), cwd).unwrap().action;
        assert_eq!(before, after, "{file} {op} {arg}:\n{flat}");
    }
}

#[test]
fn compiled_generated_profiles_decide_the_same() {
    let text = sblint::generate::generate_profile(64 << 10);
    let params = [("HOME", "/Users/bench")];
    let (tree, original) = model(&text, &params);
    let sources = SourceMap::new(("generated.sb", &tree), &[], &original);
    let flat = compile(&original, &sources).unwrap();
    let (_, compiled) = model(&flat, &[]);
    assert_eq!(compiled.rules.len(), original.rules.len());
    let probes: Vec<(&str, String)> = (0..200)
        .flat_map(|i| {
            vec![
                ("file-read-data", format!("/usr/share/gen{i}/x")),
                (
                    "file-read-data",
                    format!("/Users/u/Library/Caches/gen{i}/a.db"),
                ),
                ("file-write-data", format!("/private/var/gen{i}/ok")),
                ("file-write-data", format!("/Users/bench/Library/Gen{i}/f")),
                ("mach-lookup", format!("com.example.gen{i}.x")),
                ("sysctl-read", format!("hw.gen{i}")),
                ("network-outbound", format!("localhost:{}", 1024 + i)),
            ]
        })
        .collect();
    for (op, arg) in probes {
        let before = explain(&original, op, Some(&arg), Path::new("/")).unwrap();
        let after = explain(&compiled, op, Some(&arg), Path::new("/")).unwrap();
        assert_eq!(before.action, after.action, "{op} {arg}");
        assert_eq!(before.default, after.default, "{op} {arg}");
    }
}
