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
