//! `sblint run PROFILE -- COMMAND`: what it hands to `sandbox-exec` (the command line, the
//! scrubbed environment, the compiled profile's path), the `log stream` that collects the
//! denials while the command runs, and the report printed at exit. Running it needs macOS;
//! everything here but the spawning is plain data, tested on any system.

pub mod device;
pub mod probe;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::explain::explain;
use crate::learn::{learn, read_log, rules_text, Options};
use crate::model::Model;

/// The environment a sandboxed command keeps; the rest is dropped (the seed post's warning:
/// tokens in the environment are readable by whatever runs in the sandbox).
pub const ENV_ALLOW: &[&str] = &["PATH", "HOME", "TERM", "LANG", "TMPDIR", "USER"];

/// `sandbox-exec` on every macOS that has it.
pub const SANDBOX_EXEC: &str = "/usr/bin/sandbox-exec";
/// `log` on macOS.
pub const LOG: &str = "/usr/bin/log";

/// A program, its arguments and, when `env` is `Some`, its whole environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    pub program: PathBuf,
    pub args: Vec<String>,
    /// `None`: inherit the environment; `Some`: exactly these variables.
    pub env: Option<BTreeMap<String, String>>,
}

/// The variables of `vars` named in [`ENV_ALLOW`] or `extra` (`--env NAME`), the rest
/// dropped.
pub fn scrub_env(
    vars: impl IntoIterator<Item = (String, String)>,
    extra: &[String],
) -> BTreeMap<String, String> {
    vars.into_iter()
        .filter(|(k, _)| ENV_ALLOW.contains(&k.as_str()) || extra.iter().any(|e| e == k))
        .collect()
}

/// `sandbox-exec -f COMPILED COMMAND ARGS...` with the scrubbed environment. The profile
/// is the compiled one: its params are already substituted, so no `-D` is passed.
pub fn sandbox_exec(
    compiled: &Path,
    command: &[String],
    env: BTreeMap<String, String>,
) -> Invocation {
    let mut args = vec!["-f".to_string(), compiled.display().to_string()];
    args.extend(command.iter().cloned());
    Invocation {
        program: PathBuf::from(SANDBOX_EXEC),
        args,
        env: Some(env),
    }
}

/// `log stream` of the sandbox's messages as ndjson, started before the command so that
/// no denial is missed; [`denials_of`] keeps the command's own.
pub fn log_stream() -> Invocation {
    Invocation {
        program: PathBuf::from(LOG),
        args: vec![
            "stream".into(),
            "--style".into(),
            "ndjson".into(),
            "--predicate".into(),
            "sender == \"Sandbox\" OR eventMessage BEGINSWITH \"Sandbox:\"".into(),
        ],
        env: None,
    }
}

/// The log lines about process `pid` (`NAME(PID) deny…`). The command's children have
/// other pids: their denials are not attributed (a limit of filtering by pid).
pub fn denials_of(log: &str, pid: u32) -> String {
    let needle = format!("({pid})");
    read_log(log)
        .into_iter()
        .filter(|l| l.text.contains(&needle))
        .map(|l| l.text + "\n")
        .collect()
}

/// What `run` prints at exit: each denial with the rule that denied it, then the rules
/// `learn` would propose.
pub fn report(model: &Model, log: &str, rule_line: &dyn Fn(usize) -> usize) -> String {
    let learned = learn(log, Some(model), &Options::default());
    if learned.findings.is_empty() {
        return "sblint run: no sandbox denial was logged for the command\n".into();
    }
    let mut out = format!(
        "sblint run: {} denial{} while the command ran:\n",
        learned.findings.len(),
        if learned.findings.len() == 1 { "" } else { "s" }
    );
    for f in &learned.findings {
        let what = match &f.argument {
            Some(a) => format!("{} {a}", f.operation),
            None => f.operation.clone(),
        };
        let by = match explain(model, &f.operation, f.argument.as_deref(), Path::new("/")) {
            Ok(e) => match e.decision.rule {
                Some(i) => format!("denied by the rule at line {}", rule_line(i)),
                None => "no rule decides it (libsandbox's own default)".into(),
            },
            Err(e) => format!("sblint cannot explain it: {e}"),
        };
        out.push_str(&format!("  {what} ({}): {by}\n", f.processes.join(", ")));
    }
    if !learned.rules.is_empty() {
        out.push_str("rules that would allow them (`sblint learn` proposes the same):\n");
        out.push_str(&rules_text(&learned));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_keeps_only_the_allow_list_and_the_named_extras() {
        let vars = [
            ("PATH", "/usr/bin"),
            ("HOME", "/Users/me"),
            ("AWS_SECRET_ACCESS_KEY", "x"),
            ("GITHUB_TOKEN", "y"),
            ("LANG", "C"),
            ("EDITOR", "vi"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let env = scrub_env(vars, &["EDITOR".into()]);
        assert_eq!(
            env.keys().map(String::as_str).collect::<Vec<_>>(),
            ["EDITOR", "HOME", "LANG", "PATH"]
        );
    }

    #[test]
    fn the_command_line_handed_to_sandbox_exec() {
        let env = scrub_env([("PATH".to_string(), "/bin".to_string())], &[]);
        let inv = sandbox_exec(
            Path::new("/tmp/p.sb"),
            &["python3".into(), "-c".into(), "print(1)".into()],
            env,
        );
        assert_eq!(inv.program, Path::new("/usr/bin/sandbox-exec"));
        assert_eq!(inv.args, ["-f", "/tmp/p.sb", "python3", "-c", "print(1)"]);
        assert_eq!(inv.env.unwrap().len(), 1);
        let log = log_stream();
        assert_eq!(log.args[..3], ["stream", "--style", "ndjson"]);
    }

    #[test]
    fn the_report_names_the_denying_rule_and_the_proposal() {
        let tree = crate::syntax::parse("(version 1)\n(deny default)\n(allow process-exec)\n");
        let model = Model::new(&tree, &[], &crate::model::ModelOptions::default());
        let log =
            "{\"eventMessage\":\"Sandbox: gh(77) deny(1) mach-lookup com.apple.trustd.agent\"}\n\
                   {\"eventMessage\":\"Sandbox: other(5) deny(1) mach-lookup x\"}\n";
        let mine = denials_of(log, 77);
        assert_eq!(mine.lines().count(), 1);
        let r = report(&model, &mine, &|i| i + 1);
        assert!(
            r.contains("mach-lookup com.apple.trustd.agent (gh): denied by the rule at line 1"),
            "{r}"
        );
        assert!(
            r.contains("(global-name \"com.apple.trustd.agent\")"),
            "{r}"
        );
        assert!(report(&model, "", &|i| i).contains("no sandbox denial"));
    }
}
