//! The spawning half of `sblint run` and `sblint test --on-device` (macOS): the compiled
//! profile written where `sandbox-exec` reads it, the command run under it while
//! `log stream` collects the denials and its descendants are listed, and one probe run
//! under a profile. The doors print what comes back.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

use super::probe::Outcome;
use super::{log_stream, process_listing, sandbox_exec, scrub_env, Invocation, ProcessTree};

/// Why a command could not be run.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// Writing the profile, or waiting on a process.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A program that would not start.
    #[error("cannot {what}: {source}")]
    Start {
        /// `start \`log stream\``, `run sandbox-exec`.
        what: &'static str,
        source: std::io::Error,
    },
}

/// The process an invocation describes, not yet started.
pub fn command(inv: &Invocation) -> Command {
    let mut p = Command::new(&inv.program);
    p.args(&inv.args);
    if let Some(env) = &inv.env {
        p.env_clear().envs(env);
    }
    p
}

/// A profile's text in a temporary file (removed when dropped), for `sandbox-exec -f`.
pub fn write_profile(prefix: &str, text: &str) -> std::io::Result<tempfile::NamedTempFile> {
    let mut file = tempfile::Builder::new()
        .prefix(prefix)
        .suffix(".sb")
        .tempfile()?;
    file.write_all(text.as_bytes())?;
    Ok(file)
}

/// What a sandboxed command left: its exit status, the log collected while it ran (and
/// what `log` said on stderr), and the processes it started.
pub struct Observed {
    pub status: ExitStatus,
    pub log: String,
    pub log_errors: String,
    pub tree: ProcessTree,
}

impl Observed {
    /// The command's own exit code (128 + the signal that ended it).
    pub fn code(&self) -> i32 {
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            if let Some(signal) = self.status.signal() {
                return 128 + signal;
            }
        }
        self.status.code().unwrap_or(1)
    }
}

/// Runs `command` under the compiled profile at `profile` with the scrubbed environment
/// (plus the variables `env` names), collecting the sandbox's log meanwhile.
pub fn observe(
    profile: &Path,
    command_line: &[String],
    env: &[String],
) -> Result<Observed, SessionError> {
    // The log first, so that no denial is missed.
    let mut log = command(&log_stream())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| SessionError::Start {
            what: "start `log stream`",
            source,
        })?;
    let stdout = log.stdout.take();
    let log_errors = log.stderr.take().map(|err| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = { err }.read_to_string(&mut text);
            text
        })
    });
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(out) = stdout {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                text.push_str(&line);
                text.push('\n');
            }
        }
        text
    });
    // `log stream` takes a moment to attach (unverified how long: half a second here).
    std::thread::sleep(Duration::from_millis(500));
    let inv = sandbox_exec(profile, command_line, scrub_env(std::env::vars(), env));
    let mut child = command(&inv)
        .spawn()
        .map_err(|source| SessionError::Start {
            what: "run sandbox-exec",
            source,
        })?;
    // The command's descendants, listed every 0.1 s while it runs: their denials are the
    // command's too. A process that lives less than that may be missed.
    let mut tree = ProcessTree::new(child.id());
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if let Ok(listing) = command(&process_listing()).stderr(Stdio::null()).output() {
            tree.observe(&String::from_utf8_lossy(&listing.stdout));
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    std::thread::sleep(Duration::from_millis(500));
    let _ = log.kill();
    let _ = log.wait();
    Ok(Observed {
        status,
        log: reader.join().unwrap_or_default(),
        log_errors: log_errors.and_then(|t| t.join().ok()).unwrap_or_default(),
        tree,
    })
}

/// `sblint probe PROBE ARGUMENT` (the binary `exe`) run under the profile at `profile`:
/// what the kernel answered.
pub fn probe_under(profile: &Path, exe: &str, probe: &str, argument: &str) -> Outcome {
    let command_line = [
        exe.to_string(),
        "probe".to_string(),
        probe.to_string(),
        argument.to_string(),
    ];
    let inv = sandbox_exec(profile, &command_line, scrub_env(std::env::vars(), &[]));
    match command(&inv).output() {
        Ok(o) if !o.stdout.is_empty() => {
            super::device::parse_outcome(&String::from_utf8_lossy(&o.stdout))
        }
        Ok(o) => Outcome::Other(format!(
            "the probe did not start: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Outcome::Other(format!("cannot run sandbox-exec: {e}")),
    }
}

/// One probe run on the device, and how its outcome compares with sblint's decision.
pub struct Probed {
    pub check: super::device::Check,
    pub outcome: Outcome,
    pub agreement: super::device::Agreement,
}

/// Runs every probe [`plan`](super::device::plan) gives a test file under its `compiled`
/// profile (its params baked in), plus two rules that let the probe binary `exe` itself
/// start.
pub fn run_probes(
    compiled: &str,
    exe: &str,
    file: &crate::sbtest::TestFile,
    model: &crate::model::Model,
    failures: &[Option<&crate::sbtest::Failure>],
) -> std::io::Result<Vec<Probed>> {
    // The probe is sblint itself: it must be able to start under the profile. Literals
    // of its own path, so no probed argument is affected.
    let literal = crate::syntax::string::quote(exe);
    let text = format!(
        "{compiled}\n; sblint test --on-device: let the probe start\n(allow process-exec (literal {literal}))\n(allow file-read* (literal {literal}))\n"
    );
    let temp = write_profile("sblint-device-", &text)?;
    Ok(super::device::plan(file, model, failures)
        .into_iter()
        .map(|check| {
            let outcome = probe_under(temp.path(), exe, check.probe.name(), &check.argument);
            let agreement = super::device::compare(check.expected, &outcome);
            Probed {
                check,
                outcome,
                agreement,
            }
        })
        .collect())
}
