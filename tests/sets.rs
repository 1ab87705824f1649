//! Decision sets (`sblint::model::sets`): set membership equals the point decision on
//! random profiles, and the classic cases.

use proptest::prelude::*;
use sblint::model::precedence::decide;
use sblint::model::sets::{always, never, parse_entry, Answer, Budget, Entry};
use sblint::model::{vocabulary, Action, Model, ModelOptions};
use sblint::syntax::parse;

const OPERATIONS: &[&str] = &[
    "file-read*",
    "file-read-data",
    "file-write*",
    "file*",
    "mach-lookup",
    "network-outbound",
];

const PATHS: &[&str] = &["/a", "/a/", "/a/b", "/ab", "/a/b/c", "/", "/c", "/a.b"];

fn filter() -> impl Strategy<Value = String> {
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

fn rule() -> impl Strategy<Value = String> {
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

fn model(rules: &[String]) -> Model {
    let text = format!("(version 1)\n{}\n", rules.join("\n"));
    Model::new(&parse(text), &[], &ModelOptions::default())
}

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
