//! `sblint new`: for every preset and option combination, the profile passes `sblint check`
//! with no warning (with and without its parameters), and every point assertion of its
//! `.sbtest.toml` holds by `sblint explain`. The set assertions are checked on their edges
//! here (each `within` root of a `never` is denied); `sblint test` checks them whole.

mod common;

use std::collections::HashMap;
use std::path::Path;

use sblint::diagnostic::Severity;
use sblint::lint::{check_text, CheckOptions};
use sblint::model::{Action, Model, ModelOptions};
use sblint::new::{generate, Options, Preset};

fn combinations() -> Vec<Options> {
    let mut all = Vec::new();
    for preset in Preset::ALL {
        let base = Options {
            preset,
            project: None,
            allow_hosts: Vec::new(),
            read: Vec::new(),
            write: Vec::new(),
            file_name: format!("{}.sb", preset.name()),
            home: None,
            tmpdir: None,
        };
        all.push(base.clone());
        all.push(Options {
            project: Some("/Users/dev/src/app".into()),
            ..base.clone()
        });
        all.push(Options {
            allow_hosts: vec!["localhost:8080".into(), "127.0.0.1:5432".into()],
            ..base.clone()
        });
        all.push(Options {
            allow_hosts: vec!["*:443".into()],
            project: Some("/Users/dev/app".into()),
            ..base.clone()
        });
        all.push(Options {
            home: Some("/Users/runner".into()),
            tmpdir: Some("/private/var/folders/ab/cd/T".into()),
            project: Some("/Users/runner/work/app".into()),
            ..base.clone()
        });
        all.push(Options {
            read: vec!["/opt/data".into(), "vendor".into()],
            write: vec!["out".into(), "/Users/me/cache".into()],
            ..base.clone()
        });
    }
    all
}

fn params(test: &toml::Table) -> HashMap<String, String> {
    test["params"]
        .as_table()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn every_preset_and_option_combination_checks_clean_and_holds_its_point_assertions() {
    for options in combinations() {
        let what = format!(
            "{} {:?} {:?} {:?} {:?}",
            options.preset.name(),
            options.project,
            options.allow_hosts,
            options.read,
            options.write
        );
        let g = generate(&options).unwrap_or_else(|e| panic!("{what}: {e}"));
        let test: toml::Table = g.test.parse().unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(test["profile"].as_str(), Some(options.file_name.as_str()));
        let params = params(&test);
        // As a user runs it (no parameters), then with the test file's.
        for with in [HashMap::new(), params.clone()] {
            let check = CheckOptions {
                model: ModelOptions {
                    params: with,
                    ..ModelOptions::default()
                },
                ..CheckOptions::default()
            };
            let report = check_text("new.sb", g.profile.clone(), &check);
            let loud: Vec<_> = report
                .diagnostics
                .iter()
                .filter(|d| matches!(d.severity, Severity::Error | Severity::Warning))
                .map(|d| format!("{} {}", d.code, d.message))
                .collect();
            assert!(loud.is_empty(), "{what}: {loud:#?}\n{}", g.profile);
            // It grants what the programs it is written for need (the SB5xx rules).
            let needs: Vec<_> = report
                .diagnostics
                .iter()
                .filter(|d| d.code.starts_with("SB5"))
                .map(|d| d.message.clone())
                .collect();
            assert!(needs.is_empty(), "{what}: {needs:#?}");
        }
        let tree = sblint::syntax::parse(g.profile.clone());
        let model = Model::new(
            &tree,
            &[],
            &ModelOptions {
                params: params.clone(),
                ..ModelOptions::default()
            },
        );
        assert!(
            model.unset_params.is_empty(),
            "{what}: {:?}",
            model.unset_params
        );
        let mut points = 0;
        for (kind, want) in [("allow", Action::Allow), ("deny", Action::Deny)] {
            for a in test
                .get(kind)
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
            {
                let op = a["operation"].as_str().unwrap();
                let arg = a["argument"].as_str().unwrap();
                let e = sblint::explain::explain(&model, op, Some(arg), Path::new("/"))
                    .unwrap_or_else(|e| panic!("{what}: {op} {arg}: {e}"));
                assert_eq!(e.action, want, "{what}: {kind} {op} {arg}\n{}", g.profile);
                assert!(
                    e.alternatives.is_empty(),
                    "{what}: {op} {arg} is conditional"
                );
                points += 1;
            }
        }
        assert!(points >= 9, "{what}: only {points} point assertions");
        // The edges of the set assertions: each `within` of a `never` is denied at its root.
        for n in test["never"].as_array().unwrap() {
            let op = n["operation"].as_str().unwrap();
            for w in n
                .get("within")
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
            {
                let root = w.as_str().unwrap().trim_end_matches("/**");
                let leaf = if op.starts_with("file-read") {
                    "file-read-data"
                } else {
                    op
                };
                let e = sblint::explain::explain(&model, leaf, Some(root), Path::new("/")).unwrap();
                assert_eq!(e.action, Action::Deny, "{what}: never {op} within {root}");
            }
            assert!(
                n.get("within").is_some() != n.get("except").is_some(),
                "{what}: a never has within or except"
            );
        }
        assert!(test["always"].as_array().is_some_and(|a| !a.is_empty()));
        // And whole, as `sblint test` runs the file: every assertion holds over every argument.
        let file = sblint::sbtest::parse(Path::new("new.sbtest.toml"), &g.test)
            .unwrap_or_else(|e| panic!("{what}: {e:?}"));
        for outcome in sblint::sbtest::run(&file, &model) {
            assert!(
                outcome.passed,
                "{what}: {:?} fails: {:?}\n{}",
                outcome.assertion, outcome.failure, g.profile
            );
        }
    }
}

#[test]
fn the_python_preset_as_users_see_it() {
    let g = generate(&Options {
        preset: Preset::Python,
        project: None,
        allow_hosts: Vec::new(),
        read: Vec::new(),
        write: Vec::new(),
        file_name: "python.sb".into(),
        home: None,
        tmpdir: None,
    })
    .unwrap();
    common::with_snapshots("new", || {
        insta::assert_snapshot!("python.sb", g.profile);
        insta::assert_snapshot!("python.sbtest.toml", g.test);
    });
}

#[test]
fn sblint_new_writes_both_files_prints_the_command_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("agent.sb");
    let run = |extra: &[&str]| {
        let mut cmd = assert_cmd::Command::cargo_bin("sblint").unwrap();
        cmd.args(["new", "--preset", "shell", "--project", "/Users/me/p", "-o"])
            .arg(&out)
            .args(extra);
        cmd.output().unwrap()
    };
    let first = run(&[]);
    assert!(first.status.success(), "{first:?}");
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        stdout.contains("sandbox-exec -D PROJECT=\"/Users/me/p\""),
        "{stdout}"
    );
    assert!(dir.path().join("agent.sbtest.toml").exists());
    let again = run(&[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert!(run(&["--force"]).status.success());
    let bad = assert_cmd::Command::cargo_bin("sblint")
        .unwrap()
        .args([
            "new",
            "--preset",
            "python",
            "--allow-host",
            "pypi.org:443",
            "-o",
        ])
        .arg(dir.path().join("x.sb"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&bad.stderr).lines().count(),
        1,
        "{bad:?}"
    );
}

/// The essentials of a preset are what the SB5xx rules look for: take one grant out and its
/// rule reports the symptom.
#[test]
fn removing_an_essential_grant_brings_its_rule_back() {
    let base = |preset, hosts: &[&str]| Options {
        preset,
        project: None,
        allow_hosts: hosts.iter().map(|h| h.to_string()).collect(),
        read: Vec::new(),
        write: Vec::new(),
        file_name: "p.sb".into(),
        home: None,
        tmpdir: None,
    };
    let cases = [
        (
            base(Preset::Node, &["*:443"]),
            "(allow mach-lookup (global-name \"com.apple.trustd.agent\"))",
            "SB502",
            Severity::Warning,
        ),
        (
            base(Preset::Shell, &[]),
            "(allow process-fork)",
            "SB507",
            Severity::Info,
        ),
        (
            base(Preset::Shell, &[]),
            "(allow file-ioctl (regex #\"^/dev/ttys[0-9]+$\"))",
            "SB504",
            Severity::Info,
        ),
        (
            base(Preset::Python, &[]),
            "(allow process-fork)",
            "SB507",
            Severity::Info,
        ),
    ];
    for (options, grant, code, severity) in cases {
        let g = generate(&options).unwrap();
        assert!(
            g.profile.contains(grant),
            "{code}: the preset lacks {grant}"
        );
        let without = g.profile.replacen(grant, "", 1);
        let report = check_text("p.sb", without, &CheckOptions::default());
        let found: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.code == code)
            .collect();
        assert_eq!(found.len(), 1, "{code}: {:#?}", report.diagnostics);
        assert_eq!(found[0].severity, severity, "{code}");
    }
}

/// The presets' secrets are `grammar/secrets.tsv`'s: every file row under the home is denied
/// in the profile and asserted in the test file; with the internet allowed, the test file
/// says "network only to the endpoints and the DNS socket".
#[test]
fn presets_take_their_secrets_and_sockets_from_the_tables() {
    use sblint::model::secrets::{table, Access, Match};
    for options in combinations() {
        let g = generate(&options).unwrap();
        for s in table() {
            let Some(rest) = s.path.strip_prefix('~') else {
                continue;
            };
            if s.access != Access::File || s.matching == Match::Name {
                continue;
            }
            assert!(g.profile.contains(&format!("\"{rest}\"")), "{}", s.id);
            assert!(g.test.contains(rest), "{}", s.id);
        }
        let internet = options.allow_hosts.iter().any(|h| h.starts_with('*'));
        assert_eq!(
            g.test.contains("\"/private/var/run/mDNSResponder\"]"),
            internet,
            "{}",
            g.test
        );
    }
}
