//! Every rule has `tests/rules/<CODE>/trigger.sb`, which must report it (snapshot of the
//! rendered diagnostics), and `clean.sb`, which must not (either may be another fixture's
//! text: [`SAME_AS`]). The examples in each rule's documentation are checked the same way,
//! so the docs cannot drift from the code. Each rule is its own test.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sblint::diagnostic::FileReport;
use sblint::lint::{CheckOptions, RuleId, RuleMeta, RULES};

/// Fixtures that are byte for byte another fixture, read from there (and shown under
/// their own name, so the snapshots do not change): one copy of each text in the tree.
const SAME_AS: &[(&str, &str)] = &[
    ("SB002/trigger.sb", "../fixes/missing-version.sb"),
    ("SB202/trigger.sb", "../explain/seed-ls-no-root.sb"),
    ("SB202/clean.sb", "../explain/seed-ls-root.sb"),
    ("SB303/trigger.sb", "../explain/seed-deny-writes.sb"),
    ("SB303/clean.sb", "SB308/trigger.sb"),
];

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules")
}

/// `tests/rules/<CODE>/<file>` checked and shown as `<file>`.
fn check(code: &str, file: &str) -> FileReport {
    let logical = format!("{code}/{file}");
    let path = match SAME_AS.iter().find(|(name, _)| *name == logical) {
        Some((_, actual)) => rules_dir().join(actual),
        None => rules_dir().join(&logical),
    };
    let mut report = common::check_fixture(&path, &CheckOptions::default());
    report.path = file.to_string();
    report
}

/// `trigger.sb` reports the rule (snapshot of what users see) and `clean.sb` does not;
/// the examples of its documentation behave as documented.
fn rule_behaves_as_its_fixtures_and_docs_say(id: RuleId) {
    let code = id.code();
    let mut report = check(code, "trigger.sb");
    report.diagnostics.retain(|d| d.code == code);
    assert!(
        !report.diagnostics.is_empty(),
        "{code}: trigger.sb reports nothing"
    );
    common::with_snapshots("rules", || {
        insta::assert_snapshot!(code, common::human(&report));
    });
    let clean = check(code, "clean.sb");
    let found: Vec<_> = clean
        .diagnostics
        .iter()
        .filter(|d| d.code == code)
        .collect();
    assert!(found.is_empty(), "{code}: clean.sb reports {found:#?}");
    docs_behave_as_documented(id.meta());
}

/// One test per rule, so that one failing rule does not hide the others.
macro_rules! rule_tests {
    ($($test:ident => $id:ident,)*) => {
        $(
            #[test]
            fn $test() {
                rule_behaves_as_its_fixtures_and_docs_say(RuleId::$id);
            }
        )*

        const TESTED: &[RuleId] = &[$(RuleId::$id),*];
    };
}

rule_tests! {
    sb001_syntax_error => SyntaxError,
    sb002_missing_version => MissingVersion,
    sb003_unsupported_version => UnsupportedVersion,
    sb004_unknown_function => UnknownFunction,
    sb005_evaluation_limit => EvaluationLimit,
    sb006_import_failed => ImportFailed,
    sb101_unknown_operation => UnknownOperation,
    sb102_unknown_filter => UnknownFilter,
    sb103_invalid_filter_argument => InvalidFilterArgument,
    sb104_invalid_regex => InvalidRegex,
    sb105_invalid_network_address => InvalidNetworkAddress,
    sb106_relative_path => RelativePath,
    sb107_invalid_modifier => InvalidModifier,
    sb108_filter_not_applicable => FilterNotApplicable,
    sb109_obsolete_operation => ObsoleteOperation,
    sb111_unexpanded_shell_variable => UnexpandedShellVariable,
    sb112_regex_dialect => RegexDialect,
    sb201_unresolved_path => UnresolvedPath,
    sb202_missing_root_literal => MissingRootLiteral,
    sb203_trailing_slash => TrailingSlash,
    sb204_glob_pattern => GlobPattern,
    sb205_unanchored_regex => UnanchoredRegex,
    sb206_regex_in_plain_string => RegexInPlainString,
    sb207_unescaped_dot => UnescapedDot,
    sb208_prefix_regex_boundary => PrefixRegexBoundary,
    sb209_one_byte_class => OneByteClass,
    sb210_symlink_traversal_denied => SymlinkTraversalDenied,
    sb211_split_regex => SplitRegex,
    sb212_ored_attribute_filter => OredAttributeFilter,
    sb301_broad_network => BroadNetwork,
    sb302_port_deny_list => PortDenyList,
    sb303_allow_default_base => AllowDefaultBase,
    sb304_sysctl_write => SysctlWrite,
    sb305_broad_file_write => BroadFileWrite,
    sb306_broad_mach_lookup => BroadMachLookup,
    sb307_unfiltered_process_exec => UnfilteredProcessExec,
    sb308_allowed_by_default => AllowedByDefault,
    sb309_local_endpoint_outbound => LocalEndpointOutbound,
    sb310_writable_code_path => WritableCodePath,
    sb311_read_all_with_network => ReadAllWithNetwork,
    sb312_socket_reachable_by_network => SocketReachableByNetwork,
    sb401_shadowed_rule => ShadowedRule,
    sb402_redundant_rule => RedundantRule,
    sb403_unused_define => UnusedDefine,
    sb404_wildcard_overridden => WildcardOverridden,
    sb501_needs_dyld_cache => NeedsDyldCache,
    sb502_needs_trustd => NeedsTrustd,
    sb503_needs_root_domain_iokit => NeedsRootDomainIokit,
    sb504_needs_tty => NeedsTty,
    sb505_needs_runtime_sysctl => NeedsRuntimeSysctl,
    sb506_needs_dns_configuration => NeedsDnsConfiguration,
    sb507_needs_process_fork => NeedsProcessFork,
    sb901_unused_suppression => UnusedSuppression,
}

#[test]
fn every_rule_of_the_registry_has_its_test() {
    assert_eq!(TESTED, RuleId::ALL, "add the new rule to rule_tests!");
}

#[test]
fn no_two_fixtures_are_byte_identical() {
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")];
    let mut seen: HashMap<Vec<u8>, PathBuf> = HashMap::new();
    let mut duplicates = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "sb") {
                let bytes = std::fs::read(&path).unwrap();
                if let Some(first) = seen.insert(bytes, path.clone()) {
                    duplicates.push(format!("{} = {}", first.display(), path.display()));
                }
            }
        }
    }
    assert!(
        duplicates.is_empty(),
        "use SAME_AS instead of a copy:\n{}",
        duplicates.join("\n")
    );
}

/// Code blocks of a rule's doc: (source, expects the rule to fire).
fn doc_examples(doc: &str) -> Vec<(String, bool)> {
    let mut examples = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let mut body = String::new();
        for line in lines.by_ref() {
            if line.starts_with("```") {
                break;
            }
            body.push_str(line);
            body.push('\n');
        }
        let mut words = info.split_whitespace();
        if words.next() == Some("sbpl") {
            examples.push((body, words.any(|w| w == "expect_diagnostic")));
        }
    }
    examples
}

fn docs_behave_as_documented(meta: &RuleMeta) {
    for section in [
        "## What it does",
        "## Why is this a problem on a real Mac?",
        "## Example",
    ] {
        assert!(
            meta.doc.contains(section),
            "{}: doc lacks {section}",
            meta.code
        );
    }
    let examples = doc_examples(meta.doc);
    assert!(
        examples.iter().any(|(_, expect)| *expect) && examples.iter().any(|(_, e)| !*e),
        "{}: the doc needs an example that triggers it and one that does not",
        meta.code
    );
    for (source, expect) in examples {
        let report = sblint::lint::check_text("doc.sb", source.clone(), &CheckOptions::default());
        let fired = report.diagnostics.iter().any(|d| d.code == meta.code);
        assert_eq!(
            fired,
            expect,
            "{}: doc example {}:\n{source}",
            meta.code,
            if expect {
                "does not trigger it"
            } else {
                "triggers it"
            }
        );
    }
}

#[test]
fn codes_and_names_are_unique_and_well_formed() {
    let mut codes: Vec<_> = RULES.iter().map(|r| r.meta.code).collect();
    let mut names: Vec<_> = RULES.iter().map(|r| r.meta.name).collect();
    assert!(
        codes.windows(2).all(|w| w[0] < w[1]),
        "registry is in code order"
    );
    codes.dedup();
    names.sort();
    names.dedup();
    assert_eq!(codes.len(), RULES.len());
    assert_eq!(names.len(), RULES.len());
    for rule in RULES {
        let code = rule.meta.code;
        assert!(code.len() == 5 && code.starts_with("SB"), "{code}");
        assert!(code[2..].bytes().all(|b| b.is_ascii_digit()), "{code}");
    }
}

#[test]
fn the_rules_index_lists_every_rule() {
    let readme = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/src/rules/index.md"),
    )
    .unwrap();
    for rule in RULES {
        let m = &rule.meta;
        let row = format!(
            "| [{}]({}.md) | {} | {} |",
            m.code,
            m.code,
            m.name,
            m.severity.as_str()
        );
        assert!(
            readme.contains(&row),
            "the rules index lacks the row for {}",
            m.code
        );
    }
}
