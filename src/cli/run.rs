//! `sblint run PROFILE [--param K=V]... [--env NAME]... -- COMMAND ARGS...` (macOS), and the
//! hidden `sblint probe OP ARG`.

use std::io::{BufRead, BufReader};
use std::process::{Command as Process, Stdio};

use super::args::{ProbeArgs, RunArgs};
use super::error::AppError;
use super::evaluate::load;
use super::ExitStatus;
use crate::diagnostic::Severity;
use crate::run::probe::{self, Op};
use crate::run::{
    denials_of, log_refusal, log_stream, process_listing, report, sandbox_exec, scrub_env,
    Invocation, ProcessTree,
};

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
    let loaded = load(&args.profile, &args.load)?;
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
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| AppError::Usage(format!("cannot start `log stream`: {e}")))?;
    let stdout = log.stdout.take();
    let log_errors = log.stderr.take().map(|err| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut { err }, &mut text);
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
    // The command's descendants, listed every 0.1 s while it runs: their denials are the
    // command's too. A process that lives less than that may be missed.
    let mut tree = ProcessTree::new(child.id());
    let status = loop {
        if let Some(status) = child.try_wait().map_err(AppError::Output)? {
            break status;
        }
        if let Ok(listing) = spawn(&process_listing())
            .map_err(AppError::Output)?
            .stderr(Stdio::null())
            .output()
        {
            tree.observe(&String::from_utf8_lossy(&listing.stdout));
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    std::thread::sleep(std::time::Duration::from_millis(500));
    let _ = log.kill();
    let _ = log.wait();
    let text = reader.join().unwrap_or_default();
    let errors = log_errors.and_then(|t| t.join().ok()).unwrap_or_default();
    if let Some(why) = log_refusal(&errors) {
        eprintln!("sblint run: {why}");
    }
    let mine = denials_of(&text, &tree);
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
