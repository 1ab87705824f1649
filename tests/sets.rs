//! Decision sets (`sblint::model::sets`): set membership equals the point decision on
//! random profiles, and the classic cases.

mod common;

use common::random::{model, rule};

use proptest::prelude::*;
use sblint::compile::compile;
use sblint::fmt::{format_text, FormatOptions};
use sblint::model::precedence::{decide, Arg};
use sblint::model::sets::{always, argument, diff, never, parse_entry, Answer, Budget, Entry};
use sblint::model::sources::SourceMap;
use sblint::model::{vocabulary, Action, Model, ModelOptions};
use sblint::syntax::parse;

fn op(name: &str) -> sblint::model::OpId {
    vocabulary().op_id(name).unwrap()
}

/// The arguments the property test asks about, by operation.
fn points(op: &str) -> Vec<&'static str> {
    match op {
        "mach-lookup" => vec!["com.x", "com.x.y", "com.", "com.xy", "org.z", "org.zz", "a"],
        "network-outbound" => vec![
            "127.0.0.1:80",
            "127.0.0.1:81",
            "93.184.215.14:80",
            "[::1]:443",
        ],
        _ => vec![
            "/", "/a", "/a/b", "/ab", "/a/b/c", "/c", "/a.b", "/a/1", "/a/x", "/x", "/ax/y", "/b",
            "/a/bb", "/cb",
        ],
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn membership_is_the_point_decision(
        rules in prop::collection::vec(rule(), 1..10),
        leaf in prop::sample::select(vec!["file-read-data", "file-write-create", "mach-lookup", "network-outbound"]),
    ) {
        let model = model(&rules);
        let id = op(leaf);
        let budget = Budget::default();
        let mut any_allowed = None;
        for point in points(leaf) {
            let entry = parse_entry(id, point).unwrap();
            let arg = sblint::model::sets::argument(id, Some(point));
            let d = decide(&model.rules, id, &arg);
            let may_allow = d.may_be(Action::Allow);
            match never(&model.rules, id, Some(std::slice::from_ref(&entry)), &[], &budget) {
                Answer::Fails(w) => {
                    prop_assert!(may_allow, "{point}: {rules:#?}");
                    prop_assert_eq!(w.argument.as_deref(), Some(point));
                    prop_assert_eq!(&w.decision, &d);
                }
                Answer::Holds => prop_assert!(!may_allow, "{point}: {d:?} {rules:#?}"),
                Answer::TooComplex { .. } => prop_assert!(false, "too complex"),
            }
            let surely = d.outcome() == Action::Allow && !d.conditional();
            match always(&model.rules, id, std::slice::from_ref(&entry), &budget) {
                Answer::Fails(w) => {
                    prop_assert!(!surely, "{point}: {rules:#?}");
                    prop_assert_eq!(&w.decision, &d);
                }
                Answer::Holds => prop_assert!(surely, "{point}: {rules:#?}"),
                Answer::TooComplex { .. } => prop_assert!(false, "too complex"),
            }
            if may_allow && any_allowed.is_none() {
                any_allowed = Some(point);
            }
        }
        // Over every argument: a point that may be allowed means the set is not empty.
        match never(&model.rules, id, None, &[], &budget) {
            Answer::Fails(w) => {
                let arg = sblint::model::sets::argument(id, w.argument.as_deref());
                prop_assert_eq!(&decide(&model.rules, id, &arg), &w.decision);
                prop_assert!(w.decision.may_be(Action::Allow));
            }
            Answer::Holds => prop_assert!(any_allowed.is_none(), "{any_allowed:?} {rules:#?}"),
            Answer::TooComplex { .. } => prop_assert!(false, "too complex"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    /// A profile, its `sblint compile` output and its `sblint fmt` output decide alike
    /// everywhere; a profile changed by one rule differs only with confirmed witnesses.
    #[test]
    fn diff_of_a_profile_with_itself_compiled_and_formatted_is_empty(
        rules in prop::collection::vec(rule(), 1..8),
        extra in rule(),
    ) {
        let text = format!("(version 1)\n{}\n", rules.join("\n"));
        let tree = parse(text.clone());
        let original = Model::new(&tree, &[], &ModelOptions::default());
        let budget = Budget::default();
        let all = vocabulary().default;
        let same = diff(&original.rules, &original.rules, all, &budget).unwrap();
        prop_assert!(same.is_empty(), "{same:#?}");
        let sources = SourceMap::new(("p.sb", &tree), &[], &original);
        if let Ok(flat) = compile(&original, &sources) {
            let compiled = model_of(&flat);
            let changes = diff(&original.rules, &compiled.rules, all, &budget).unwrap();
            prop_assert!(changes.is_empty(), "{flat}\n{changes:#?}");
        }
        let formatted = format_text(&text, &FormatOptions::default()).unwrap();
        let changes = diff(&original.rules, &model_of(&formatted).rules, all, &budget).unwrap();
        prop_assert!(changes.is_empty(), "{formatted}\n{changes:#?}");
        // One more rule: every change it makes is confirmed by the point decision.
        let changed = model_of(&format!("{text}{extra}\n"));
        for c in diff(&original.rules, &changed.rules, all, &budget).unwrap() {
            let arg = argument(c.operation, c.witness.as_deref());
            prop_assert_eq!(&decide(&original.rules, c.operation, &arg), &c.old);
            prop_assert_eq!(&decide(&changed.rules, c.operation, &arg), &c.new);
            prop_assert!(c.old.outcome() != c.new.outcome() || c.conditional);
        }
    }
}

fn model_of(text: &str) -> Model {
    Model::new(&parse(text.to_string()), &[], &ModelOptions::default())
}

/// No corpus profile is past the budget: every leaf operation of every profile and
/// fragment (with its prelude) is explored to the end, and 20 `never` assertions built
/// from its own rules are answered.
#[test]
fn no_corpus_profile_is_too_complex() {
    let Some(dir) = common::corpus_dir() else {
        assert!(std::env::var_os("CI").is_none(), "the corpus is missing");
        return;
    };
    let budget = Budget::default();
    let mut checked = 0;
    for entry in common::corpus_entries(&dir) {
        if !matches!(entry.role.as_str(), "profile" | "fragment") {
            continue;
        }
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
        let tree = parse(read(&entry.file));
        if !tree.errors().is_empty() {
            continue;
        }
        let prelude = entry.prelude.as_deref().map(|p| parse(read(p)));
        let preludes: Vec<_> = prelude.iter().collect();
        let options = ModelOptions {
            base_dir: Some(dir.join(&entry.file).parent().unwrap().to_path_buf()),
            ..ModelOptions::default()
        };
        let model = Model::new(&tree, &preludes, &options);
        let changes = diff(&model.rules, &model.rules, vocabulary().default, &budget)
            .unwrap_or_else(|e| {
                panic!("{}: too complex ({} decided)", entry.file, e.decided.len())
            });
        assert!(changes.is_empty(), "{}", entry.file);
        let mut asked = 0;
        'rules: for rule in &model.rules {
            for leaf in rule.filter.iter().flat_map(|f| f.leaves()) {
                let text = match &leaf.value {
                    sblint::model::FilterValue::Path(sblint::model::PathPattern::Subpath(p)) => {
                        format!("{p}/**")
                    }
                    sblint::model::FilterValue::Path(sblint::model::PathPattern::Literal(p)) => {
                        p.to_string()
                    }
                    _ => continue,
                };
                let op = rule.operations[0].id;
                let Ok(e) = parse_entry(op, &text) else {
                    continue;
                };
                let answer = never(&model.rules, op, None, &[e], &budget);
                assert!(
                    !matches!(answer, Answer::TooComplex { .. }),
                    "{}: never {text}",
                    entry.file
                );
                asked += 1;
                if asked == 20 {
                    break 'rules;
                }
            }
        }
        checked += 1;
    }
    assert!(checked >= 50, "{checked}");
}

#[test]
fn entries_say_what_is_accepted() {
    let write = op("file-write*");
    assert_eq!(
        parse_entry(write, "/tmp/x/**"),
        Ok(Entry::Tree("/private/tmp/x".into()))
    );
    assert_eq!(
        parse_entry(write, "/a/../b/./c"),
        Ok(Entry::Path("/b/c".into()))
    );
    assert_eq!(parse_entry(write, "/**"), Ok(Entry::Tree("/".into())));
    let err = parse_entry(write, "build/**").unwrap_err().to_string();
    assert!(err.contains("absolute"), "{err}");
    let err = parse_entry(write, "/a/*").unwrap_err().to_string();
    assert!(err.contains("/**"), "{err}");
    let net = op("network-outbound");
    assert_eq!(
        parse_entry(net, "localhost:*"),
        Ok(Entry::Endpoint {
            host: Some("localhost".into()),
            port: None
        })
    );
    assert_eq!(
        parse_entry(net, "*:443"),
        Ok(Entry::Endpoint {
            host: None,
            port: Some(443)
        })
    );
    assert_eq!(
        parse_entry(net, "[::1]:80"),
        Ok(Entry::Endpoint {
            host: Some("::1".into()),
            port: Some(80)
        })
    );
    assert_eq!(
        parse_entry(net, "/var/run/docker.sock"),
        Ok(Entry::Socket("/private/var/run/docker.sock".into()))
    );
    assert!(parse_entry(net, "docker.sock")
        .unwrap_err()
        .to_string()
        .contains("unix socket's absolute path"));
    let mach = op("mach-lookup");
    assert_eq!(
        parse_entry(mach, "com.apple.*"),
        Ok(Entry::NamePrefix("com.apple.".into()))
    );
    assert!(parse_entry(op("process-fork"), "x")
        .unwrap_err()
        .to_string()
        .contains("no argument"));
}

/// A budget too small is "too complex", with what was decided; never a hang.
#[test]
fn past_the_budget_the_answer_is_too_complex() {
    let m = profile(
        "(version 1)\n(deny default)\n(allow file-read* (regex #\"^/a/[a-z]+/b[0-9]*/c\"))\n(allow file-read-data (subpath \"/usr\"))\n",
    );
    let tiny = Budget {
        states: 5,
        dfa_states: 20_000,
    };
    match never(&m.rules, op("file-read*"), None, &[], &tiny) {
        Answer::TooComplex { decided } => {
            assert!(decided.len() < sblint::model::sets::leaves(op("file-read*")).len())
        }
        other => panic!("{other:?}"),
    }
    let tiny_dfa = Budget {
        states: 200_000,
        dfa_states: 2,
    };
    assert!(matches!(
        never(
            &m.rules,
            op("file-read-data"),
            None,
            &[Entry::Tree("/usr".into())],
            &tiny_dfa
        ),
        Answer::TooComplex { .. }
    ));
    let err = diff(&m.rules, &m.rules, op("file-read*"), &tiny).unwrap_err();
    assert!(err.changes.is_empty());
}

#[test]
fn network_sets_are_decided_on_every_kind_of_endpoint() {
    let m = profile(
        "(version 1)\n(deny default)\n(allow network-outbound (remote tcp \"localhost:*\"))\n(allow network-outbound (remote tcp4 \"*:443\"))\n",
    );
    let out = op("network-outbound");
    let local = [parse_entry(out, "localhost:*").unwrap()];
    match never(&m.rules, out, None, &local, &Budget::default()) {
        Answer::Fails(w) => assert_eq!(w.argument.as_deref(), Some("93.184.215.14:443")),
        other => panic!("{other:?}"),
    }
    let both = [local[0].clone(), parse_entry(out, "*:443").unwrap()];
    assert_eq!(
        never(&m.rules, out, None, &both, &Budget::default()),
        Answer::Holds
    );
    // IPv6 on 443 is not allowed by `tcp4`: always fails there.
    match always(
        &m.rules,
        out,
        &[parse_entry(out, "*:443").unwrap()],
        &Budget::default(),
    ) {
        Answer::Fails(w) => assert_eq!(w.argument.as_deref(), Some("[2606:2800:21f:cb07::1]:443")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_run_time_filter_makes_the_answer_conditional() {
    let m = profile(
        "(version 1)\n(deny default)\n(allow file-write* (require-all (subpath \"/Users/me\") (process-path \"/usr/bin/git\")))\n(allow mach-lookup (signing-identifier \"com.x\"))\n",
    );
    let write = op("file-write-data");
    match never(&m.rules, write, None, &[], &Budget::default()) {
        Answer::Fails(w) => {
            assert_eq!(w.argument.as_deref(), Some("/Users/me"));
            assert!(w.conditional);
            assert_eq!(w.decision.outcome(), Action::Deny);
            assert_eq!(w.decision.conditions[0].filter, "process-path");
        }
        other => panic!("{other:?}"),
    }
    match never(&m.rules, op("mach-lookup"), None, &[], &Budget::default()) {
        Answer::Fails(w) => {
            assert!(w.conditional);
            assert_eq!(w.decision.conditions[0].filter, "signing-identifier");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn regexes_with_unverified_constructs_are_conditional_where_their_bounds_differ() {
    // `\d` is unverified: `/a/1` may or may not match; `/b` surely does not.
    let m = profile("(version 1)\n(deny default)\n(allow file-read-data (regex #\"^/a/\\d$\"))\n");
    let read = op("file-read-data");
    match never(&m.rules, read, None, &[], &Budget::default()) {
        Answer::Fails(w) => {
            assert!(w.conditional, "{w:?}");
            assert_eq!(w.decision.conditions[0].filter, "regex");
            assert!(w.argument.as_deref().unwrap().starts_with("/a/"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        never(
            &m.rules,
            read,
            None,
            &[Entry::Tree("/a".into())],
            &Budget::default()
        ),
        Answer::Holds
    );
}

#[test]
fn witnesses_are_paths_explain_takes_back_unchanged() {
    // Only `/tmp/x` as written would match; the kernel never checks it.
    let m = profile("(version 1)\n(deny default)\n(allow file-read-data (literal \"/tmp/x\") (literal \"/a/\") (literal \"/a//b\") (literal \"/a/./b\"))\n");
    assert_eq!(
        never(
            &m.rules,
            op("file-read-data"),
            None,
            &[],
            &Budget::default()
        ),
        Answer::Holds
    );
    let m = profile("(version 1)\n(deny default)\n(allow file-read-data (prefix \"/\"))\n");
    match never(
        &m.rules,
        op("file-read-data"),
        None,
        &[],
        &Budget::default(),
    ) {
        Answer::Fails(w) => assert_eq!(w.argument.as_deref(), Some("/")),
        other => panic!("{other:?}"),
    }
    let m = profile("(version 1)\n(deny default)\n(allow file-read-data (prefix \"/\"))\n");
    match never(
        &m.rules,
        op("file-read-data"),
        None,
        &[Entry::Path("/".into())],
        &Budget::default(),
    ) {
        Answer::Fails(w) => assert_eq!(w.argument.as_deref(), Some("/a")),
        other => panic!("{other:?}"),
    }
}

fn profile(text: &str) -> Model {
    Model::new(&parse(text.to_string()), &[], &ModelOptions::default())
}

#[test]
fn a_project_sandbox_never_writes_outside_the_project() {
    let m = profile(
        "(version 1)\n(deny default)\n(allow file-write* (subpath \"/Users/me/proj\") (literal \"/dev/null\"))\n",
    );
    let write = op("file-write*");
    let except: Vec<Entry> = ["/Users/me/proj/**", "/dev/null"]
        .iter()
        .map(|e| parse_entry(write, e).unwrap())
        .collect();
    assert_eq!(
        never(&m.rules, write, None, &except, &Budget::default()),
        Answer::Holds
    );
    let narrower = [parse_entry(write, "/Users/me/proj/src/**").unwrap()];
    match never(&m.rules, write, None, &narrower, &Budget::default()) {
        Answer::Fails(w) => {
            assert_eq!(w.argument.as_deref(), Some("/dev/null"));
            assert_eq!(w.decision.rule, Some(1));
        }
        other => panic!("{other:?}"),
    }
}

/// A port neither profile names is one of the endpoints compared.
#[test]
fn diff_compares_a_port_neither_profile_names() {
    let old =
        profile("(version 1)\n(allow network*)\n(deny network-outbound (remote ip \"*:443\"))\n");
    let new =
        profile("(version 1)\n(deny network*)\n(allow network-outbound (remote ip \"*:80\"))\n");
    let out = op("network-outbound");
    let changes = diff(&old.rules, &new.rules, out, &Budget::default()).unwrap();
    let witnesses: Vec<_> = changes.iter().filter_map(|c| c.witness.clone()).collect();
    assert!(
        changes.iter().any(|c| {
            let w = c.witness.as_deref().unwrap();
            !w.ends_with(":80") && !w.ends_with(":443")
        }),
        "{witnesses:?}"
    );
    for c in &changes {
        let arg = argument(c.operation, c.witness.as_deref());
        assert_eq!(decide(&old.rules, out, &arg), c.old);
        assert_eq!(decide(&new.rules, out, &arg), c.new);
    }
}

fn regex_text() -> impl Strategy<Value = String> {
    let atom = prop::sample::select(vec![
        "a", "b", "/", "\\.", ".", "[ab]", "[^/]", "(a|b)", "(/|$)", "(ab)*", "\\d", "(?:a)",
    ]);
    let quant = prop::sample::select(vec!["", "", "*", "+", "?"]);
    (
        prop::bool::ANY,
        prop::collection::vec((atom, quant), 1..6),
        prop::bool::ANY,
    )
        .prop_map(|(start, parts, end)| {
            let body: String = parts
                .into_iter()
                .map(|(a, q)| {
                    if a.ends_with(')') || a.len() == 1 || a.starts_with('[') {
                        format!("{a}{q}")
                    } else {
                        a.to_string()
                    }
                })
                .collect();
            format!(
                "{}{body}{}",
                if start { "^" } else { "" },
                if end { "$" } else { "" }
            )
        })
}

fn path_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec!["a", "b", "ab", ".a", "a.b", "1", "bb"]),
        0..4,
    )
    .prop_map(|parts| format!("/{}", parts.join("/")))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// The lazily determinised regex automata accept exactly what the point matcher
    /// matches, with the unverified part conditional.
    #[test]
    fn regex_automata_agree_with_the_matcher(pattern in regex_text(), text in path_text()) {
        let m = profile(&format!(
            "(version 1)\n(deny default)\n(allow file-read-data (regex #\"{pattern}\"))\n"
        ));
        prop_assume!(!m.rules.is_empty());
        let read = op("file-read-data");
        let point = decide(&m.rules, read, &Arg::Path(text.clone()));
        let answer = never(&m.rules, read, Some(&[Entry::Path(text.clone())]), &[], &Budget::default());
        match answer {
            Answer::Fails(w) => {
                prop_assert!(point.may_be(Action::Allow), "{pattern} {text}");
                prop_assert_eq!(&w.decision, &point);
            }
            Answer::Holds => prop_assert!(!point.may_be(Action::Allow), "{pattern} {text} {point:?}"),
            Answer::TooComplex { .. } => prop_assert!(false),
        }
        // Over every path: a shortest witness, confirmed, whenever this one is allowed.
        match never(&m.rules, read, None, &[], &Budget::default()) {
            Answer::Fails(w) => {
                let arg = argument(read, w.argument.as_deref());
                prop_assert_eq!(&decide(&m.rules, read, &arg), &w.decision);
                prop_assert!(w.argument.as_ref().unwrap().len() <= text.len() || !point.may_be(Action::Allow));
            }
            Answer::Holds => prop_assert!(!point.may_be(Action::Allow)),
            Answer::TooComplex { .. } => prop_assert!(false),
        }
    }
}

/// Conditional on different kinds of run-time value is a (conditional) change; on the same
/// kind it is not.
#[test]
fn diff_of_conditional_decisions_compares_what_they_depend_on() {
    let entitled = profile(
        "(version 1)\n(deny default)\n(allow file-read-data (require-all (subpath \"/a\") (require-entitlement \"x\")))\n",
    );
    let by_path = profile(
        "(version 1)\n(deny default)\n(allow file-read-data (require-all (subpath \"/a\") (process-path \"/bin/x\")))\n",
    );
    let read = op("file-read-data");
    let changes = diff(&entitled.rules, &by_path.rules, read, &Budget::default()).unwrap();
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(changes[0].witness.as_deref(), Some("/a"));
    assert!(changes[0].conditional);
    assert!(
        diff(&entitled.rules, &entitled.rules, read, &Budget::default())
            .unwrap()
            .is_empty()
    );
}

/// `within` / `except` follow the argument `grammar/operations.tsv` gives an operation:
/// `nvram-get` takes a name (simbple's nvram category; Apple's securityd.sb writes
/// `(nvram-variable …)`), `system-privilege` none (simbple gives it only `privilege-id`
/// constants), `network-bind` an endpoint.
#[test]
fn entries_follow_the_operation_table() {
    let v = vocabulary();
    let id = |name: &str| v.op_id(name).unwrap();
    assert_eq!(
        parse_entry(id("nvram-get"), "boot-args"),
        Ok(Entry::Name("boot-args".into()))
    );
    assert!(parse_entry(id("system-privilege"), "x").is_err());
    assert!(matches!(
        parse_entry(id("network-bind"), "localhost:8080"),
        Ok(Entry::Endpoint { .. })
    ));
}
