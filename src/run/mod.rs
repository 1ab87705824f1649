//! `sblint run PROFILE -- COMMAND`: what it hands to `sandbox-exec` (the command line, the
//! scrubbed environment, the compiled profile's path), the `log stream` that collects the
//! denials while the command runs, and the report printed at exit. Running it needs macOS;
//! everything here but the spawning is plain data, tested on any system.

pub mod device;
pub mod probe;
pub mod session;

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

/// The command's process and every descendant seen so far. Denials are attributed to
/// the processes of this tree (openai/codex#27745 follows descendant pids the same way):
/// the kernel logs a denial with the pid of the process denied, a child's or a
/// grandchild's as well as the command's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessTree {
    pids: std::collections::BTreeSet<u32>,
}

impl ProcessTree {
    /// A tree of the command's own process.
    pub fn new(root: u32) -> ProcessTree {
        ProcessTree {
            pids: [root].into(),
        }
    }

    /// Takes in one listing of the running processes as `ps -ax -o pid=,ppid=` prints it
    /// (each line a pid and its parent's pid): every process whose parent is in the tree
    /// joins it, however deep. A pid once seen stays: the process may have exited before
    /// its denials are read.
    pub fn observe(&mut self, listing: &str) {
        let pairs: Vec<(u32, u32)> = listing
            .lines()
            .filter_map(|line| {
                let mut it = line.split_whitespace().map(str::parse::<u32>);
                Some((it.next()?.ok()?, it.next()?.ok()?))
            })
            .collect();
        // Parents can be listed after their children: repeat until nothing joins.
        loop {
            let before = self.pids.len();
            for &(pid, ppid) in &pairs {
                if self.pids.contains(&ppid) {
                    self.pids.insert(pid);
                }
            }
            if self.pids.len() == before {
                break;
            }
        }
    }

    /// The pids of the tree.
    pub fn pids(&self) -> impl Iterator<Item = u32> + '_ {
        self.pids.iter().copied()
    }
}

/// `ps -ax -o pid=,ppid=`: the listing [`ProcessTree::observe`] reads, taken while the
/// command runs.
pub fn process_listing() -> Invocation {
    Invocation {
        program: PathBuf::from("/bin/ps"),
        args: vec!["-ax".into(), "-o".into(), "pid=,ppid=".into()],
        env: None,
    }
}

/// The log lines about the processes of `tree` (`NAME(PID) deny…`).
pub fn denials_of(log: &str, tree: &ProcessTree) -> String {
    let needles: Vec<String> = tree.pids().map(|pid| format!("({pid}) deny")).collect();
    read_log(log)
        .into_iter()
        .filter(|l| needles.iter().any(|n| l.text.contains(n.as_str())))
        .map(|l| l.text + "\n")
        .collect()
}

/// What to say when `log stream` stopped at once with `stderr`: `log` refuses to run in a
/// sandbox ("log: Cannot run while sandboxed", measured by yonatangross/orchestkit#3631),
/// which is where sblint runs when an agent's own sandbox started it.
pub fn log_refusal(stderr: &str) -> Option<String> {
    let stderr = stderr.trim();
    if stderr.is_empty() {
        return None;
    }
    if stderr.contains("Cannot run while sandboxed") {
        return Some(
            "`log stream` refused to run (\"Cannot run while sandboxed\"): sblint itself runs inside a sandbox, so the denials cannot be read; run `sblint run` outside it, or capture the log outside and read it with `sblint learn`".into(),
        );
    }
    Some(format!(
        "`log stream` stopped: {}",
        stderr.lines().next().unwrap_or(stderr)
    ))
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
    fn denials_of_children_and_grandchildren_are_the_commands_too() {
        let mut tree = ProcessTree::new(100);
        // A grandchild listed before its parent, an unrelated process, a pid that only
        // shares digits with the command's.
        tree.observe("  300   200\n  200   100\n  999     1\n 1100     1\n");
        assert_eq!(tree.pids().collect::<Vec<_>>(), [100, 200, 300]);
        // The child exits; its pid stays in the tree.
        tree.observe("  300     1\n");
        assert_eq!(tree.pids().count(), 3);
        let log = "Sandbox: sh(100) deny(1) file-read-data /a\n\
                   Sandbox: python3(300) deny(1) file-read-data /b\n\
                   Sandbox: other(999) deny(1) file-read-data /c\n\
                   Sandbox: other(1100) deny(1) file-read-data /d\n";
        let mine = denials_of(log, &tree);
        assert_eq!(mine.lines().count(), 2, "{mine}");
        assert!(mine.contains("/b"), "{mine}");
        assert_eq!(process_listing().args, ["-ax", "-o", "pid=,ppid="]);
    }

    #[test]
    fn a_log_stream_refused_in_a_sandbox_is_said_plainly() {
        let why = log_refusal("log: Cannot run while sandboxed\n").unwrap();
        assert!(why.contains("sblint itself runs inside a sandbox"), "{why}");
        assert!(log_refusal("").is_none());
        assert_eq!(
            log_refusal("log: some other failure\nmore").unwrap(),
            "`log stream` stopped: log: some other failure"
        );
    }

    #[test]
    fn the_report_names_the_denying_rule_and_the_proposal() {
        let tree = crate::syntax::parse("(version 1)\n(deny default)\n(allow process-exec)\n");
        let model = Model::new(&tree, &[], &crate::model::ModelOptions::default());
        let log =
            "{\"eventMessage\":\"Sandbox: gh(77) deny(1) mach-lookup com.apple.trustd.agent\"}\n\
                   {\"eventMessage\":\"Sandbox: other(5) deny(1) mach-lookup x\"}\n";
        let mine = denials_of(log, &ProcessTree::new(77));
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
