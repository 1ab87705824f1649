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
