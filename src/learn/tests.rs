use std::path::Path;

use super::*;
use crate::explain::explain;
use crate::model::{Action, Model};

#[test]
fn an_audit_explains_each_denial_once_and_groups_proposals_by_operation() {
    let tree = crate::syntax::parse(
        "(version 1)\n(deny default)\n(allow file-read* (subpath \"/usr\"))\n",
    );
    let model = Model::new(&tree, &[], &crate::model::ModelOptions::default());
    let log = "Sandbox: ls(1) deny(1) file-read-data /etc/hosts\n\
               not a denial\n\
               Sandbox: ls(1) deny(1) file-read-data /etc/hosts\n\
               Sandbox: cat(2) deny(1) file-read-data /private/etc/passwd\n\
               Sandbox: cat(2) deny(1) file-read-data /usr/lib/x\n\
               Sandbox: cat(2) deny(1) no-such-operation\n";
    let audit = audit(&model, log, Path::new("/"));
    let explained: Vec<_> = audit
        .denials
        .iter()
        .map(|(d, e)| (d.process.as_str(), e.as_ref().map(|e| e.action).ok()))
        .collect();
    assert_eq!(
        explained,
        [
            ("ls", Some(Action::Deny)),
            ("cat", Some(Action::Deny)),
            ("cat", Some(Action::Allow)),
            ("cat", None),
        ]
    );
    assert_eq!(
        audit.proposals,
        [Proposal {
            operation: "file-read-data".into(),
            filters: vec![
                "(literal \"/private/etc/hosts\")".into(),
                "(literal \"/private/etc/passwd\")".into()
            ],
            processes: vec!["ls".into(), "cat".into()],
        }]
    );
}

#[test]
fn denial_lines_with_and_without_prefixes() {
    let d = parse_denial("Sandbox: bash(31281) deny(1) file-read-metadata /System/Library/dyld/x")
        .unwrap();
    assert_eq!(
        (d.process.as_str(), d.operation.as_str()),
        ("bash", "file-read-metadata")
    );
    assert_eq!(d.argument.as_deref(), Some("/System/Library/dyld/x"));
    let k = parse_denial("2024-01-01 10:00:00 kernel: (Sandbox) Sandbox: python3(42) deny(1) network-outbound 1.2.3.4:443").unwrap();
    assert_eq!(
        (k.process.as_str(), k.argument.as_deref()),
        ("python3", Some("1.2.3.4:443"))
    );
    let s = parse_denial("System Policy: curl(7) deny(1) mach-lookup com.apple.x").unwrap();
    assert_eq!(s.operation, "mach-lookup");
    assert!(parse_denial("nothing to see").is_none());
    assert!(parse_denial("we deny everything here").is_none());
    let old =
        parse_denial("Sandbox: appleeventsd(84) deny file-read-metadata /etc/localtime").unwrap();
    assert_eq!(old.argument.as_deref(), Some("/etc/localtime"));
    let dup = parse_denial(
        "Sandbox: 1 duplicate report for com.apple.WebKit deny(1) file-read-data /private/etc/hosts",
    )
    .unwrap();
    assert_eq!(dup.process, "com.apple.WebKit");
    let spaced = parse_denial("XChat Azure(54849) deny file-read-data /Volumes/x y/q.txt").unwrap();
    assert_eq!(
        (spaced.process.as_str(), spaced.argument.as_deref()),
        ("XChat Azure", Some("/Volumes/x y/q.txt"))
    );
    assert_eq!(
        narrowest_filter("network-outbound", "127.0.0.1:3141").as_deref(),
        Some("(remote ip \"localhost:3141\")")
    );
    assert_eq!(
        narrowest_filter("file-read-data", "/tmp/x").as_deref(),
        Some("(literal \"/private/tmp/x\")")
    );
    assert_eq!(
        narrowest_filter("network-bind", "0.0.0.0:8080").as_deref(),
        Some("(local ip \"*:8080\")")
    );
    assert_eq!(
        narrowest_filter("network-outbound", "/private/var/run/mDNSResponder").as_deref(),
        Some("(remote unix-socket (path-literal \"/private/var/run/mDNSResponder\"))")
    );
    // The filter comes from grammar/operations.tsv (name-filter): Apple's securityd.sb
    // writes `(allow nvram-get (nvram-variable …))`; simbple gives mach-priv-host-port
    // no name filter, so no rule narrower than the operation is written.
    assert_eq!(
        narrowest_filter("nvram-get", "boot-args").as_deref(),
        Some("(nvram-variable \"boot-args\")")
    );
    assert_eq!(
        narrowest_filter("mach-lookup", "com.apple.trustd.agent").as_deref(),
        Some("(global-name \"com.apple.trustd.agent\")")
    );
    assert_eq!(narrowest_filter("mach-priv-host-port", "x"), None);
}

#[test]
fn ndjson_and_json_records_are_read_by_their_event_message() {
    let nd = "{\"eventMessage\":\"Sandbox: node(5) deny(1) mach-lookup com.apple.trustd.agent\",\"processImagePath\":\"/usr/local/bin/node\"}\n{\"eventMessage\":\"other\"}\n";
    let l = read_log(nd);
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].line, 1);
    let json =
        "[{\"eventMessage\":\"x\"},\n{\"eventMessage\":\"Sandbox: node(5) deny(1) process-fork\"}]";
    let l = read_log(json);
    assert_eq!((l.len(), l[0].line), (1, 2));
    assert_eq!(l[0].denial.argument, None);
}

#[test]
fn secrets_are_kept_denied_and_paths_generalize_past_the_threshold() {
    let log = "Sandbox: a(1) deny(1) file-read-data /Users/me/.ssh/id_rsa\n\
               Sandbox: a(1) deny(1) file-read-data /Users/me/p/.env\n\
               Sandbox: a(1) deny(1) file-read-data /Users/me/p/lib/a.py\n\
               Sandbox: a(1) deny(1) file-read-data /Users/me/p/lib/b.py\n\
               Sandbox: b(2) deny(1) file-read-data /Users/me/p/lib/c.py\n\
               Sandbox: b(2) deny(1) mach-lookup com.apple.secd\n";
    let l = learn(log, None, &Options::default());
    let verdicts: Vec<_> = l.findings.iter().map(|f| f.verdict.clone()).collect();
    assert_eq!(verdicts[0], Verdict::Secret("SSH keys"));
    assert_eq!(verdicts[1], Verdict::Secret(".env file"));
    assert_eq!(verdicts[5], Verdict::Secret("keychain service"));
    assert_eq!(l.rules.len(), 1);
    assert_eq!(
        l.rules[0].text(),
        "(allow file-read-data (subpath \"/Users/me/p/lib\"))"
    );
    let narrow = learn(
        log,
        None,
        &Options {
            generalize: 4,
            ..Options::default()
        },
    );
    assert_eq!(narrow.rules[0].filters.len(), 3);
    let all = learn(
        log,
        None,
        &Options {
            allow_secrets: true,
            ..Options::default()
        },
    );
    assert!(all.findings.iter().all(|f| f.verdict == Verdict::Proposed));
}

#[test]
fn a_proposal_that_opens_every_host_or_a_subtree_of_secrets_says_so() {
    let log = "Sandbox: curl(9) deny(1) network-outbound 151.101.0.223:443\n";
    let l = learn(log, None, &Options::default());
    let text = rules_text(&l);
    assert!(text.contains("(remote ip \"*:443\")"), "{text}");
    assert!(
        text.contains("; risk: opens port 443 on every host, not only 151.101.0.223:443: SBPL cannot name a host"),
        "{text}"
    );
    assert!(text.contains("localhost:PROXY_PORT"), "{text}");
    // A loopback connection is named exactly: no risk.
    let l = learn(
        "Sandbox: a(1) deny(1) network-outbound 127.0.0.1:8080\n",
        None,
        &Options::default(),
    );
    assert!(!rules_text(&l).contains("risk"), "{}", rules_text(&l));

    // Three denied files directly in the home generalise to the home: its keys too.
    let log: String = ["a", "b", "c"]
        .iter()
        .map(|f| format!("Sandbox: p(1) deny(1) file-read-data /Users/me/{f}.txt\n"))
        .collect();
    let text = rules_text(&learn(&log, None, &Options::default()));
    assert!(text.contains("(subpath \"/Users/me\")"), "{text}");
    assert!(
        text.contains("; risk: generalises 3 denied paths to all of `/Users/me`, which holds the home's SSH keys"),
        "{text}"
    );
    // A project directory holds none: no risk.
    let log: String = ["a", "b", "c"]
        .iter()
        .map(|f| format!("Sandbox: p(1) deny(1) file-read-data /Users/me/p/{f}\n"))
        .collect();
    assert!(!rules_text(&learn(&log, None, &Options::default())).contains("risk"));
    assert_eq!(subtree_secret("/Users/me/Library"), Some("keychains"));
    assert_eq!(
        subtree_secret("/Users/me/Library/Application Support"),
        Some("browser profile")
    );
    assert_eq!(subtree_secret("/Users/me/.ssh/keys"), Some("SSH keys"));
    assert_eq!(subtree_secret("/opt/homebrew"), None);
}

#[test]
fn a_long_log_groups_by_directory_and_its_comments_stay_short() {
    let log: String = (0..20_000)
        .map(|i| {
            format!(
                "Sandbox: p{}({i}) deny(1) file-read-data /Users/me/d{}/f{i}\n",
                i % 9,
                i % 7
            )
        })
        .collect();
    let l = learn(&log, None, &Options::default());
    assert_eq!(l.findings.len(), 20_000);
    assert_eq!(l.rules[0].filters.len(), 7, "one subpath per directory");
    let text = rules_text(&l);
    assert!(text.lines().all(|line| line.len() < 200), "{text}");
}

#[test]
fn merging_puts_the_rules_after_the_denial_they_must_override() {
    let text = "(version 1)\n(deny default)\n(deny file-read* (subpath \"/Users/me/p\"))\n(allow file-read* (subpath \"/usr\"))\n(deny file-read* (subpath \"/Users/me/p/secret\"))\n";
    let options = crate::model::ModelOptions::default();
    let rebuild = |t: &str| Model::new(&crate::syntax::parse(t), &[], &options);
    let model = rebuild(text);
    let log = "Sandbox: a(1) deny(1) file-read-data /Users/me/p/x\n";
    let l = learn(log, Some(&model), &Options::default());
    let m = merge(text, &model, &l, "; learned\n", &rebuild);
    assert_eq!(m.after_line, 3, "{}", m.text);
    assert!(m.still_denied.is_empty(), "{:?}", m.still_denied);
    // The later deny stays in force.
    let merged = rebuild(&m.text);
    let e = explain(
        &merged,
        "file-read-data",
        Some("/Users/me/p/secret/k"),
        Path::new("/"),
    )
    .unwrap();
    assert_eq!(e.action, Action::Deny);
    let diff = unified_diff("p.sb", text, &m.text);
    assert!(diff.contains("+(allow file-read-data"), "{diff}");
}

#[test]
fn a_links_literal_is_never_generalised_into_the_directory_it_leads_to() {
    let log = "Sandbox: t(1) deny(1) file-read-metadata /etc/localtime\n";
    let l = learn(
        log,
        None,
        &Options {
            generalize: 1,
            ..Options::default()
        },
    );
    assert_eq!(
        l.rules[0].text(),
        "(allow file-read-metadata (literal \"/etc\") (subpath \"/private/etc\"))"
    );
    let options = crate::model::ModelOptions::default();
    let rebuild = |t: &str| Model::new(&crate::syntax::parse(t), &[], &options);
    let base = "(version 1)\n(deny default)\n";
    let m = merge(base, &rebuild(base), &l, "", &rebuild);
    assert!(
        m.still_denied.is_empty(),
        "{:?}\n{}",
        m.still_denied,
        m.text
    );
}

#[test]
fn a_denial_without_the_argument_its_operation_is_filtered_by_is_not_proposed() {
    let log = "Sandbox: t(1) deny(1) mach-lookup com.apple.x\n\
               Sandbox: t(1) deny(1) mach-lookup\n\
               Sandbox: t(1) deny(1) network-outbound nowhere\n\
               Sandbox: t(1) deny(1) process-fork\n";
    let l = learn(log, None, &Options::default());
    let verdicts: Vec<_> = l.findings.iter().map(|f| &f.verdict).collect();
    assert_eq!(verdicts[0], &Verdict::Proposed);
    assert!(
        matches!(verdicts[1], Verdict::Unanswerable(why) if why.contains("no argument")),
        "{verdicts:?}"
    );
    assert!(
        matches!(verdicts[2], Verdict::Unanswerable(why) if why.contains("HOST:PORT")),
        "{verdicts:?}"
    );
    // An operation without argument is proposed without filter.
    assert_eq!(verdicts[3], &Verdict::Proposed);
    let rules: Vec<String> = l.rules.iter().map(Rule::text).collect();
    assert_eq!(
        rules,
        [
            "(allow mach-lookup (global-name \"com.apple.x\"))",
            "(allow process-fork)"
        ]
    );
}

#[test]
fn an_audit_explains_a_denial_no_rule_can_name_but_proposes_nothing_for_it() {
    let tree = crate::syntax::parse("(version 1)\n(deny default)\n");
    let model = Model::new(&tree, &[], &crate::model::ModelOptions::default());
    let log = "Sandbox: a(1) deny(1) file-read-data notes.txt\n\
               Sandbox: a(1) deny(1) mach-lookup\n\
               Sandbox: a(1) deny(1) file-read-data /etc/hosts\n";
    let audit = audit(&model, log, Path::new("/Users/me"));
    assert_eq!(audit.denials.len(), 3);
    assert!(audit.denials.iter().all(|(_, e)| e.is_ok()));
    assert_eq!(
        audit.proposals,
        [Proposal {
            operation: "file-read-data".into(),
            filters: vec!["(literal \"/private/etc/hosts\")".into()],
            processes: vec!["a".into()],
        }]
    );
}
