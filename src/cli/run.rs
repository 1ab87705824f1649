//! `sblint run PROFILE [--param K=V]... [--env NAME]... -- COMMAND ARGS...` (macOS), and the
//! hidden `sblint probe OP ARG`.

use super::args::{ProbeArgs, RunArgs};
use super::error::AppError;
use super::evaluate::load;
use super::ExitStatus;
use crate::diagnostic::Severity;
use crate::run::probe::{self, Op};
use crate::run::session::{self, SessionError};
use crate::run::{denials_of, log_refusal, report};

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
    let compiled = session::write_profile("sblint-run-", &flat).map_err(AppError::Output)?;
    let observed =
        session::observe(compiled.path(), &args.command, &args.env).map_err(|e| match e {
            SessionError::Io(e) => AppError::Output(e),
            start => AppError::Usage(start.to_string()),
        })?;
    if let Some(why) = log_refusal(&observed.log_errors) {
        eprintln!("sblint run: {why}");
    }
    let mine = denials_of(&observed.log, &observed.tree);
    let rule_line = |i: usize| sources.line_col(loaded.model().rules[i].origin).line as usize;
    eprint!("{}", report(loaded.model(), &mine, &rule_line));
    Ok(observed.code())
}
