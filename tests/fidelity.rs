//! Regression fixtures for the model's fidelity to what real Macs do: each case is a
//! finding that was false on a profile that loads (or a decision that was wrong), with the
//! evidence in `shared/reference/README.md`, "Observed on real Macs".

use sblint::diagnostic::Severity;
use sblint::lint::{check_text, CheckOptions};

fn findings(text: &str) -> Vec<(String, Severity, String)> {
    check_text("p.sb", text.to_string(), &CheckOptions::default())
        .diagnostics
        .into_iter()
        .map(|d| (d.code.to_string(), d.severity, d.message))
        .collect()
}

#[test]
fn the_root_read_is_unsure_when_an_import_could_not_be_read() {
    // gemini-cli's base profile imports Apple's system.sb, which grants the data read of
    // `/` (luizribeiro/lab lockin/docs/macos-seatbelt-baseline.md, macOS 26.3).
    let with_import = "(version 1)\n(deny default)\n(import \"system.sb\")\n(allow file-read* (subpath \"/usr\"))\n";
    let found: Vec<_> = findings(with_import)
        .into_iter()
        .filter(|(code, _, _)| code == "SB202")
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, Severity::Info, "{found:?}");
    let without = "(version 1)\n(deny default)\n(allow file-read* (subpath \"/usr\"))\n";
    assert!(findings(without)
        .iter()
        .any(|(code, severity, _)| code == "SB202" && *severity == Severity::Warning));
}

#[test]
fn homebrews_filtered_allows_before_an_unfiltered_deny_take_effect() {
    // corpus/homebrew: filtered allows, then `(deny file-write*)`, then `(allow default)`;
    // every sandboxed build writes its build directory (microsoft/mxc#754 measured why).
    let profile = "(version 1)\n(allow file-write* (subpath \"/private/tmp/build\") (literal \"/dev/null\"))\n(deny file-write*)\n(allow default)\n";
    let found = findings(profile);
    assert!(
        !found
            .iter()
            .any(|(code, _, _)| code == "SB401" || code == "SB402"),
        "{found:?}"
    );
}

fn explain(profile: &str, op: &str, path: &str) -> sblint::explain::Explanation {
    let model = sblint::model::Model::new(
        &sblint::syntax::parse(profile.to_string()),
        &[],
        &sblint::model::ModelOptions::default(),
    );
    sblint::explain::explain(&model, op, Some(path), std::path::Path::new("/")).unwrap()
}

#[test]
fn a_path_through_a_symlinked_root_needs_the_links_metadata() {
    use sblint::model::Action;
    // Protonk/SANDBOX_LORE book/experiments/vfs-canonicalization (macOS 14.4.1): with both
    // spellings allowed, reading /var/tmp/canon was EPERM and /private/var/tmp/canon worked.
    let both = "(version 1)\n(deny default)\n(allow file-read* (literal \"/private/var/tmp/canon\") (literal \"/var/tmp/canon\"))\n";
    let e = explain(both, "file-read-data", "/var/tmp/canon");
    assert_eq!(e.action, Action::Deny);
    let t = e.traversal.expect("a traversal of /var");
    assert_eq!((t.link, t.action), ("/var", Action::Deny));
    assert_eq!(
        explain(both, "file-read-data", "/private/var/tmp/canon").action,
        Action::Allow
    );
    // The same profile with the metadata of the link allowed reads through it (the /tmp run).
    let with_link = "(version 1)\n(deny default)\n(allow file-read-metadata (literal \"/tmp\"))\n(allow file-read* (literal \"/private/tmp/foo\"))\n";
    let e = explain(with_link, "file-read-data", "/tmp/foo");
    assert_eq!(e.action, Action::Allow);
    assert_eq!(e.traversal.map(|t| t.action), Some(Action::Allow));
    // The link itself is not traversed.
    assert!(explain(with_link, "file-read-metadata", "/tmp")
        .traversal
        .is_none());
}

fn explain_net(profile: &str, op: &str, arg: &str) -> sblint::model::Action {
    let model = sblint::model::Model::new(
        &sblint::syntax::parse(profile.to_string()),
        &[],
        &sblint::model::ModelOptions::default(),
    );
    sblint::explain::explain(&model, op, Some(arg), std::path::Path::new("/"))
        .unwrap()
        .action
}

#[test]
fn a_local_filter_on_an_outbound_rule_matches_every_connection() {
    use sblint::model::Action;
    // anthropic-experimental/sandbox-runtime#131, #225; NixOS/nix#10078: the local end
    // of an outbound connection is the machine's own address and an ephemeral port.
    for filter in [
        "(local ip \"*:*\")",
        "(local ip \"localhost:*\")",
        "(local tcp \"*:*\")",
    ] {
        let profile = format!("(version 1)\n(deny default)\n(allow network-outbound {filter})\n");
        assert_eq!(
            explain_net(&profile, "network-outbound", "93.184.215.14:443"),
            Action::Allow,
            "{filter}"
        );
    }
    // A fixed local port may or may not be the ephemeral one: not an allow for sure.
    let fixed = "(version 1)\n(deny default)\n(allow network-outbound (local ip \"*:5000\"))\n";
    assert_eq!(
        explain_net(fixed, "network-outbound", "93.184.215.14:443"),
        Action::Deny
    );
}

#[test]
fn bind_is_decided_on_the_local_end() {
    use sblint::model::Action;
    // bazelbuild/bazel#30865: a server bound to 0.0.0.0 needs `*`, `localhost` is not enough.
    let profile =
        "(version 1)\n(deny default)\n(allow network-bind (local ip \"localhost:8080\"))\n";
    assert_eq!(
        explain_net(profile, "network-bind", "127.0.0.1:8080"),
        Action::Allow
    );
    assert_eq!(
        explain_net(profile, "network-bind", "0.0.0.0:8080"),
        Action::Deny
    );
    let any = "(version 1)\n(deny default)\n(allow network-bind (local ip \"*:8080\"))\n";
    assert_eq!(
        explain_net(any, "network-bind", "0.0.0.0:8080"),
        Action::Allow
    );
}

#[test]
fn socket_filters_match_an_ordinary_tcp_connect() {
    use sblint::model::Action;
    // sandbox-boostrap runtime-adversarial flow_divert_require_all_tcp, macOS 14.4.1.
    let profile = "(version 1)\n(deny default)\n(allow network-outbound (require-all (socket-domain AF_INET) (socket-type SOCK_STREAM) (socket-protocol IPPROTO_TCP)))\n";
    assert_eq!(
        explain_net(profile, "network-outbound", "127.0.0.1:80"),
        Action::Allow
    );
    let udp = "(version 1)\n(deny default)\n(allow network-outbound (remote udp \"*:*\"))\n";
    assert_eq!(
        explain_net(udp, "network-outbound", "127.0.0.1:53"),
        Action::Deny
    );
}

fn findings_with(text: &str, params: &[(&str, &str)]) -> Vec<sblint::diagnostic::Diagnostic> {
    let mut options = CheckOptions::default();
    for (name, value) in params {
        options
            .model
            .params
            .insert(name.to_string(), value.to_string());
    }
    check_text("p.sb", text.to_string(), &options).diagnostics
}

#[test]
fn a_param_value_through_a_symlinked_root_is_checked_like_a_literal() {
    // `$TMPDIR` is under /var/folders; a value given with --param becomes the path the
    // rule names, and the kernel checks /private/var/folders/… (SB201's own evidence).
    let profile = "(version 1)\n(deny default)\n(allow file-read-data (literal \"/\"))\n(allow file-write* (subpath (param \"TMPDIR\")))\n";
    let found = findings_with(profile, &[("TMPDIR", "/var/folders/ab/T")]);
    let sb201: Vec<_> = found.iter().filter(|d| d.code == "SB201").collect();
    assert_eq!(sb201.len(), 1, "{found:#?}");
    assert!(sb201[0].message.contains("/private/var/folders/ab/T"));
    assert!(
        sb201[0].notes.iter().any(|n| n.contains("pwd -P")),
        "{:?}",
        sb201[0].notes
    );
    // A value that needs no resolving is not reported.
    let found = findings_with(profile, &[("TMPDIR", "/private/var/folders/ab/T")]);
    assert!(!found.iter().any(|d| d.code == "SB201"), "{found:#?}");
}

#[test]
fn the_suggestion_for_a_path_with_dotdot_has_no_dotdot() {
    // SANDBOX_LORE runtime-adversarial path_edges: `..` is resolved before matching.
    let found = findings_with(
        "(version 1)\n(deny default)\n(allow file-read* (literal \"/tmp/okdir/../blocked.txt\"))\n",
        &[],
    );
    let d = found.iter().find(|d| d.code == "SB201").expect("SB201");
    let fix = d.fix.as_ref().expect("a fix");
    assert_eq!(fix.edits[0].content, "\"/private/tmp/blocked.txt\"");
    assert!(!d.message.ends_with("..`"), "{}", d.message);
}

#[test]
fn sb202_says_when_an_unknown_param_decides() {
    let profile = "(version 1)\n(deny default)\n(allow file-read* (subpath (param \"ROOT\")))\n(allow file-read* (subpath \"/usr\"))\n";
    let found: Vec<_> = findings_with(profile, &[])
        .into_iter()
        .filter(|d| d.code == "SB202")
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].severity, Severity::Info);
    assert!(
        found[0].notes.iter().any(|n| n.contains("`ROOT`")),
        "{found:#?}"
    );
    // With the value known, the rule decides: a warning again.
    let found: Vec<_> = findings_with(profile, &[("ROOT", "/opt/x")])
        .into_iter()
        .filter(|d| d.code == "SB202")
        .collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, Severity::Warning);
}

#[test]
fn a_fragment_that_a_profile_beside_it_imports_gets_its_version_there() {
    // Apple's /usr/share/sandbox: com.apple.atsd.internal.sb has no `(version 1)` and
    // imports com.apple.atsd.support.sb, which has none either (knightsc/sandbox_profiles).
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("support.sb", "(allow file-read* (subpath \"/usr\"))\n");
    write(
        "main.sb",
        "(version 1)\n(deny default)\n(import \"support.sb\")\n",
    );
    write("loose.sb", "(allow file-read* (subpath \"/opt\"))\n");
    let sb002 = |name: &str, import_dir: bool| {
        let mut options = CheckOptions::default();
        options.model.base_dir = Some(dir.path().to_path_buf());
        if import_dir {
            options.model.import_paths.push(dir.path().to_path_buf());
        }
        let path = dir.path().join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        check_text(path.to_str().unwrap(), text, &options)
            .diagnostics
            .into_iter()
            .filter(|d| d.code == "SB002")
            .map(|d| d.severity)
            .collect::<Vec<_>>()
    };
    assert_eq!(sb002("support.sb", false), vec![]);
    // Nothing imports it: in an import directory it is a library file (info) …
    assert_eq!(sb002("loose.sb", true), vec![Severity::Info]);
    // … and anywhere else a profile that sandbox-exec refuses.
    assert_eq!(sb002("loose.sb", false), vec![Severity::Error]);
}

/// `(remote unix-socket (path-literal …))` names a unix socket by its path (Apple's own
/// profiles and `sblint learn` write it; `unix-socket` is libsandbox's alias of `unix`). It
/// never matches a TCP connection, two sockets are not one rule twice, and `compile` writes
/// it back instead of refusing the profile.
#[test]
fn a_unix_socket_filter_is_a_socket_path_not_an_unknown() {
    use sblint::model::Action;
    let profile = "(version 1)\n(deny default)\n\
        (allow network-outbound (remote unix-socket (path-literal \"/private/var/run/mDNSResponder\")))\n\
        (allow network-outbound (remote unix-socket (path-literal \"/private/tmp/agent.sock\")))\n";
    let e = explain(profile, "network-outbound", "127.0.0.1:80");
    assert_eq!(e.action, Action::Deny);
    assert!(!e.decision.conditional(), "{:?}", e.decision.conditions);
    let found = findings(profile);
    assert!(
        !found
            .iter()
            .any(|(code, _, _)| matches!(code.as_str(), "SB301" | "SB311" | "SB401" | "SB402")),
        "{found:?}"
    );
    let tree = sblint::syntax::parse(profile.to_string());
    let model = sblint::model::Model::new(&tree, &[], &sblint::model::ModelOptions::default());
    let sources = sblint::model::sources::SourceMap::new(("p.sb", &tree), &[], &model);
    let flat = sblint::compile::compile(&model, &sources).expect("compiles");
    assert!(
        flat.contains("(remote unix (path-literal \"/private/var/run/mDNSResponder\"))"),
        "{flat}"
    );
    assert!(
        flat.contains("(path-literal \"/private/tmp/agent.sock\")"),
        "{flat}"
    );
}

#[test]
fn the_require_all_fix_for_an_ored_attribute_reads_as_its_author_meant() {
    // openai-codex restricted_read_only_platform_defaults.sbpl:139.
    let text = "(version 1)\n(deny default)\n(allow file-read-metadata (literal \"/System/Volumes\") (vnode-type DIRECTORY))\n";
    let found = findings_with(text, &[]);
    let d = found.iter().find(|d| d.code == "SB212").expect("SB212");
    let fix = d.fix.as_ref().expect("a fix");
    assert_eq!(fix.applicability, sblint::diagnostic::Applicability::Unsafe);
    let mut edits = fix.edits.clone();
    edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
    let mut fixed = text.to_string();
    for e in edits {
        fixed.replace_range(e.span.start as usize..e.span.end as usize, &e.content);
    }
    assert_eq!(
        fixed,
        "(version 1)\n(deny default)\n(allow file-read-metadata (require-all (literal \"/System/Volumes\") (vnode-type DIRECTORY)))\n"
    );
    assert!(!findings_with(&fixed, &[]).iter().any(|d| d.code == "SB212"));
}

fn explain_on(profile: &str, macos: &str, op: &str, arg: &str) -> sblint::explain::Explanation {
    let options = sblint::model::ModelOptions {
        macos: sblint::model::MacOs::parse(macos),
        implicit: true,
        ..sblint::model::ModelOptions::default()
    };
    let model =
        sblint::model::Model::new(&sblint::syntax::parse(profile.to_string()), &[], &options);
    sblint::explain::explain(&model, op, Some(arg), std::path::Path::new("/")).unwrap()
}

#[test]
fn the_version_1_preamble_allows_file_link_on_26_only() {
    use sblint::model::Action;
    // blacktop/ipsw#1258 (Darwin 25.5.0): `(version 1)(deny default)` compiles differently
    // with `(deny file-link)`; sbpl1.scm opens with `(allow file-link)`. knightsc's
    // sbpl1.scm of 10.15.2 has no such rule.
    let deny_default = "(version 1)\n(deny default)\n";
    let e = explain_on(deny_default, "26", "file-link", "/private/tmp/x");
    assert_eq!(e.action, Action::Allow);
    let (row, verified) = e.implicit.expect("an implicit rule decides");
    assert_eq!((row.id, verified), ("sbpl1-file-link", true));
    assert!(!e.conditional());
    // The profile's own deny comes after the preamble and overrides it.
    let denied = "(version 1)\n(deny default)\n(deny file-link)\n";
    let e = explain_on(denied, "26", "file-link", "/private/tmp/x");
    assert_eq!(e.action, Action::Deny);
    assert!(e.implicit.is_none());
    // 10.15: Apple's sbpl1.scm has no such rule: denied, certainly.
    let e = explain_on(deny_default, "10.15", "file-link", "/private/tmp/x");
    assert_eq!(e.action, Action::Deny);
    assert!(!e.conditional(), "{:?}", e.decision.conditions);
    // 14: nothing settles it: denied, conditional on the unverified implicit rule.
    let e = explain_on(deny_default, "14", "file-link", "/private/tmp/x");
    assert_eq!(e.action, Action::Deny);
    assert!(e.conditional());
    let (_, rule) = e.alternatives[0];
    assert_eq!(e.alternatives[0].0, Action::Allow);
    // The model says which implicit rule that is, and that it is unverified here.
    let options = sblint::model::ModelOptions {
        macos: sblint::model::MacOs::parse("14"),
        implicit: true,
        ..sblint::model::ModelOptions::default()
    };
    let model = sblint::model::Model::new(
        &sblint::syntax::parse(deny_default.to_string()),
        &[],
        &options,
    );
    let (row, verified) = model.implicit_rule(rule).expect("an implicit rule");
    assert_eq!((row.id, verified), ("sbpl1-file-link", false));
    // Without the layer the model is the profile's text alone.
    let plain = sblint::model::Model::new(
        &sblint::syntax::parse(deny_default.to_string()),
        &[],
        &sblint::model::ModelOptions::default(),
    );
    assert!(plain.implicit.is_empty());
}

#[test]
fn sb308_lists_what_the_implicit_layer_leaves_open() {
    let sb308 = |macos: &str| {
        let mut options = CheckOptions::default();
        options.model.macos = sblint::model::MacOs::parse(macos);
        check_text(
            "p.sb",
            "(version 1)\n(deny default)\n(allow file-read* (literal \"/\"))\n".to_string(),
            &options,
        )
        .diagnostics
        .into_iter()
        .find(|d| d.code == "SB308")
        .expect("SB308")
    };
    let d = sb308("26");
    assert!(d.message.contains("`file-link`"), "{}", d.message);
    assert!(d.notes.iter().any(|n| n.contains("blacktop/ipsw#1258")));
    let d = sb308("10.15");
    assert!(!d.message.contains("file-link"), "{}", d.message);
    assert!(!d.notes.iter().any(|n| n.contains("file-link")));
    let d = sb308("14");
    assert!(!d.message.contains("file-link"), "{}", d.message);
    assert!(d
        .notes
        .iter()
        .any(|n| n.contains("`file-link`") && n.contains("unverified for macOS 14")));
}

#[test]
fn explain_answers_when_an_absolute_import_cannot_be_read() {
    // lynaghk/sandboxtron's base imports Apple's bsd.sb by absolute path; off a Mac it
    // cannot be read. `explain` decides from the rest and says what the import could change.
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("p.sb");
    std::fs::write(
        &profile,
        "(version 1)\n(deny default)\n(import \"/nonexistent-sblint/System/Library/Sandbox/Profiles/bsd.sb\")\n(allow file-read-data (literal \"/private/etc/hosts\"))\n(allow file-read* (subpath \"/usr\"))\n",
    )
    .unwrap();
    let run = |op: &str, arg: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_sblint"))
            .args(["explain", "--format", "json"])
            .arg(&profile)
            .args([op, arg])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    // A later filtered rule naming the operation itself: nothing in the import can beat it.
    let v = run("file-read-data", "/private/etc/hosts");
    assert_eq!(v["decision"], "allow");
    assert_eq!(v["conditional"], false, "{v}");
    // A decision at the wildcard or by `default`: a rule in the import could decide instead.
    let v = run("file-read-data", "/usr/bin/true");
    assert_eq!(v["decision"], "allow");
    assert_eq!(v["conditional"], true, "{v}");
    assert!(v["unread_imports"][0]["import"]
        .as_str()
        .unwrap()
        .ends_with("bsd.sb"));
    let v = run("file-write-data", "/private/tmp/x");
    assert_eq!(v["decision"], "deny");
    assert_eq!(v["conditional"], true);
    // `compile` still refuses: its output would be another profile.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sblint"))
        .arg("compile")
        .arg(&profile)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_require_not_inside_a_deny_is_no_error() {
    // Apple's application.sb of 10.15.2 (knightsc/sandbox_profiles) denies with a
    // `require-not` inside: App Store apps load it. anthropics/claude-code#39635 reports
    // `sandbox-exec` aborting on a deny with `require-not` (2026, its text not shown):
    // unverified, so no finding either way.
    let apple = "(version 1)\n(deny default)\n(deny file-write-create (require-all (require-not (vnode-type DIRECTORY)) (subpath \"/Library\")))\n";
    let found = findings(apple);
    assert!(
        !found
            .iter()
            .any(|(_, severity, _)| *severity == Severity::Error),
        "{found:?}"
    );
}
