//! `sblint test --on-device`: which probes check a test file's answers on a real Mac, and
//! how a probe's outcome compares with sblint's decision. Planning and comparing are plain
//! data (tested on any system); the door spawns the probes under `sandbox-exec`.

use std::path::Path;

use super::probe::{Op, Outcome};
use crate::explain::explain;
use crate::model::vocab::vocabulary;
use crate::model::{Action, Model};
use crate::sbtest::{Failure, Kind, TestFile};

/// One probe to run under the compiled profile, with the decision sblint gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// The assertion it comes from (an index into the file's assertions).
    pub assertion: usize,
    /// The leaf operation.
    pub operation: String,
    /// As the probe takes it (the path as written, `HOST:PORT`, a name).
    pub argument: String,
    pub probe: Op,
    /// What sblint decides there (not what the assertion claims: the device checks the
    /// model, the assertion was checked statically).
    pub expected: Action,
}

/// How the kernel's answer compares with sblint's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Agreement {
    Agrees,
    /// The kernel decided otherwise: a fact sblint's model gets wrong.
    Disagrees,
    /// The outcome says nothing about the sandbox (the file is missing, permissions, a
    /// refused connection, a probe this system cannot perform).
    Inconclusive,
}

/// The probes for a file's results (`failures`, one per assertion): every point assertion
/// on each leaf a probe can perform, and every failure's witness. Decisions sblint calls
/// conditional are left out: the device answers for one run-time context, the model for
/// all of them.
pub fn plan(file: &TestFile, model: &Model, failures: &[Option<&Failure>]) -> Vec<Check> {
    let vocab = vocabulary();
    let cwd = file.path.parent().unwrap_or(Path::new("."));
    let mut checks = Vec::new();
    for (index, (a, failure)) in file.assertions.iter().zip(failures).enumerate() {
        let mut points: Vec<(String, String)> = Vec::new();
        if matches!(a.kind, Kind::Allow | Kind::Deny) {
            if let Some(arg) = &a.argument {
                for &leaf in vocab.descendants(a.op) {
                    points.push((vocab.operation(leaf).name.clone(), arg.clone()));
                }
            }
        }
        if let Some(f) = failure {
            if let Some(w) = &f.witness {
                points.push((f.witness_operation.clone(), w.clone()));
            }
        }
        for (operation, argument) in points {
            let Some(probe) = Op::for_operation(&operation) else {
                continue;
            };
            let Ok(e) = explain(model, &operation, Some(&argument), cwd) else {
                continue;
            };
            if e.decision.conditional() {
                continue;
            }
            let check = Check {
                assertion: index,
                operation,
                argument,
                probe,
                expected: e.action,
            };
            if !checks.contains(&check) {
                checks.push(check);
            }
        }
    }
    checks
}

/// The kernel's answer (`outcome`) against sblint's decision. `EPERM` is the sandbox's
/// denial; success is an allow; a missing file (`ENOENT`) or `EACCES` (file permissions)
/// says nothing about the sandbox.
pub fn compare(expected: Action, outcome: &Outcome) -> Agreement {
    let observed = match outcome {
        Outcome::Success => Action::Allow,
        Outcome::Eperm => Action::Deny,
        _ => return Agreement::Inconclusive,
    };
    if observed == expected {
        Agreement::Agrees
    } else {
        Agreement::Disagrees
    }
}

/// The probe's answer as it prints it (`Outcome::text`), read back.
pub fn parse_outcome(text: &str) -> Outcome {
    match text.trim() {
        "success" => Outcome::Success,
        "EPERM" => Outcome::Eperm,
        "EACCES" => Outcome::Eacces,
        "ENOENT" => Outcome::Enoent,
        other => match other.strip_prefix("unsupported: ") {
            Some(why) => Outcome::Unsupported(why.to_string()),
            None => Outcome::Other(other.strip_prefix("error: ").unwrap_or(other).to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probe_text_reads_back() {
        for outcome in [
            Outcome::Success,
            Outcome::Eperm,
            Outcome::Eacces,
            Outcome::Enoent,
            Outcome::Other("Connection refused (os error 61)".into()),
            Outcome::Unsupported("needs macOS".into()),
        ] {
            assert_eq!(parse_outcome(&outcome.text()), outcome);
        }
    }

    #[test]
    fn only_eperm_and_success_say_something_about_the_sandbox() {
        assert_eq!(compare(Action::Deny, &Outcome::Eperm), Agreement::Agrees);
        assert_eq!(
            compare(Action::Allow, &Outcome::Eperm),
            Agreement::Disagrees
        );
        assert_eq!(
            compare(Action::Deny, &Outcome::Success),
            Agreement::Disagrees
        );
        assert_eq!(compare(Action::Allow, &Outcome::Success), Agreement::Agrees);
        assert_eq!(
            compare(Action::Deny, &Outcome::Enoent),
            Agreement::Inconclusive
        );
        assert_eq!(
            compare(Action::Deny, &Outcome::Eacces),
            Agreement::Inconclusive
        );
    }

    #[test]
    fn the_plan_probes_each_point_and_witness_with_sblints_decision() {
        let profile = "(version 1)\n(deny default)\n(allow file-read* (subpath \"/usr\"))\n";
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("p.sb"), profile).unwrap();
        let test = "profile = \"p.sb\"\n\
            [[allow]]\noperation = \"file-read*\"\nargument = \"/usr/lib/libz.dylib\"\n\
            [[deny]]\noperation = \"network-outbound\"\nargument = \"127.0.0.1:80\"\n\
            [[never]]\noperation = \"file-read-data\"\nexcept = [\"/usr/lib/**\"]\n";
        let path = dir.path().join("p.sbtest.toml");
        let file = crate::sbtest::parse(&path, test).unwrap();
        let tree = crate::syntax::parse(profile.to_string());
        let model = Model::new(&tree, &[], &Default::default());
        let results = crate::sbtest::run(&file, &model);
        let failures: Vec<Option<&Failure>> = results.iter().map(|r| r.failure.as_ref()).collect();
        let checks = plan(&file, &model, &failures);
        let probes: Vec<(usize, &str, &str, Op, Action)> = checks
            .iter()
            .map(|c| {
                (
                    c.assertion,
                    c.operation.as_str(),
                    c.argument.as_str(),
                    c.probe,
                    c.expected,
                )
            })
            .collect();
        assert_eq!(
            probes,
            vec![
                (
                    0,
                    "file-read-data",
                    "/usr/lib/libz.dylib",
                    Op::Read,
                    Action::Allow
                ),
                (
                    0,
                    "file-read-metadata",
                    "/usr/lib/libz.dylib",
                    Op::Stat,
                    Action::Allow
                ),
                (
                    1,
                    "network-outbound",
                    "127.0.0.1:80",
                    Op::Connect,
                    Action::Deny
                ),
                // The never fails: its witness is probed too, with sblint's decision (allow).
                (2, "file-read-data", "/usr", Op::Read, Action::Allow),
            ]
        );
    }
}
