//! `sblint run PROFILE [--param K=V]... [--env NAME]... -- COMMAND ARGS...` (macOS), and the
//! hidden `sblint probe OP ARG`.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command as Process, Stdio};

use clap::Args;

use super::args::ModelArgs;
use super::error::AppError;
use super::evaluate::load;
use super::ExitStatus;
use crate::diagnostic::Severity;
use crate::run::probe::{self, Op};
use crate::run::{denials_of, log_stream, report, sandbox_exec, scrub_env, Invocation};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The profile
    pub profile: PathBuf,
    /// Keep this environment variable too (repeatable; the others but PATH, HOME, TERM,
    /// LANG, TMPDIR, USER are dropped)
    #[arg(long = "env", value_name = "NAME")]
    pub env: Vec<String>,
    /// A file read before the profile (repeatable)
    #[arg(long = "prelude", value_name = "FILE")]
    pub preludes: Vec<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
    /// The command and its arguments, after `--`
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// read, write, create, stat, connect, exec, sysctl or mach-lookup
    pub op: String,
    /// A path, HOST:PORT, a unix socket path, or a name
    pub arg: String,
}

/// `sblint probe OP ARG`: prints the outcome and exits with its code.
pub fn probe(args: &ProbeArgs) -> Result<ExitStatus, AppError> {
    let Some(op) = Op::from_name(&args.op) else {
        return Err(AppError::Usage(format!(
            "unknown probe `{}` (read, write, create, stat, connect, exec, sysctl, mach-lookup)",
            args.op
        )));
    };
    let outcome = probe::run(op, &args.arg);
    println!("{}", outcome.text());
    std::process::exit(outcome.code());
}

pub fn run(args: &RunArgs) -> Result<ExitStatus, AppError> {
    if !cfg!(target_os = "macos") {
        return Err(AppError::Usage(
            "sblint run needs macOS (sandbox-exec); here, `sblint check` and `sblint explain` answer statically".into(),
        ));
    }
    // The command's own exit status, not one of sblint's.
    std::process::exit(run_on_mac(args)?)
}

fn spawn(inv: &Invocation) -> std::io::Result<Process> {
    let mut p = Process::new(&inv.program);
    p.args(&inv.args);
    if let Some(env) = &inv.env {
        p.env_clear().envs(env);
    }
    Ok(p)
}

fn run_on_mac(args: &RunArgs) -> Result<i32, AppError> {
    let loaded = load(&args.profile, &args.preludes, &args.model)?;
    // Refuse a profile with errors: sandbox-exec would refuse it, or worse, load another.
    // The same load, options and rule selection as every other command.
    let errors: Vec<String> = loaded
        .check()
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{}: {}", f.code, f.message))
        .collect();
    if let Some(first) = errors.first() {
        return Err(AppError::Usage(format!(
            "`{}` has {} error{} (run `sblint check`): {first}",
            loaded.name(),
            errors.len(),
            if errors.len() == 1 { "" } else { "s" }
        )));
    }
    let sources = loaded.sources();
    let flat = crate::compile::compile(loaded.model(), &sources)
        .map_err(|e| AppError::Usage(format!("cannot compile `{}`: {e}", loaded.name())))?;
    let mut compiled = tempfile::Builder::new()
        .prefix("sblint-run-")
        .suffix(".sb")
        .tempfile()
        .map_err(AppError::Output)?;
    std::io::Write::write_all(&mut compiled, flat.as_bytes()).map_err(AppError::Output)?;

    // The log first, so that no denial is missed.
    let mut log = spawn(&log_stream())
        .map_err(AppError::Output)?
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| AppError::Usage(format!("cannot start `log stream`: {e}")))?;
    let stdout = log.stdout.take();
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
    std::thread::sleep(std::time::Duration::from_millis(500));
    let inv = sandbox_exec(
        compiled.path(),
        &args.command,
        scrub_env(std::env::vars(), &args.env),
    );
    let mut child = spawn(&inv)
        .map_err(AppError::Output)?
        .spawn()
        .map_err(|e| AppError::Usage(format!("cannot run sandbox-exec: {e}")))?;
    let pid = child.id();
    let status = child.wait().map_err(AppError::Output)?;
    std::thread::sleep(std::time::Duration::from_millis(500));
    let _ = log.kill();
    let _ = log.wait();
    let text = reader.join().unwrap_or_default();
    let mine = denials_of(&text, pid);
    let rule_line = |i: usize| sources.line_col(loaded.model().rules[i].origin).line as usize;
    eprint!("{}", report(loaded.model(), &mine, &rule_line));
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return Ok(128 + signal);
        }
    }
    Ok(status.code().unwrap_or(1))
}
