//! The command line: one of the two doors into sblint (the other is the language server).
//! clap lives here; what both doors share is in [`crate::workspace`].

pub mod args;
mod check;
mod compile;
mod diff;
pub mod error;
mod evaluate;
mod explain;
mod fmt;
pub mod learn;
pub mod new;
mod output;
mod parse;
mod rule;
pub mod run;
mod sets;
mod test;

use clap::error::ErrorKind;
use clap::Parser;

use args::{Cli, Command};

/// Exit status: 0 nothing to report, 1 findings, 2 usage, I/O or internal error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    Clean = 0,
    Findings = 1,
    Error = 2,
}

/// The other door, `sblint lsp`: the binary (`src/main.rs`) passes `crate::lsp::run` in,
/// so that the command line does not import the language server.
pub type LanguageServer =
    fn(crate::workspace::Overrides) -> Result<(), Box<dyn std::error::Error + Sync + Send>>;

/// Runs sblint with the process arguments and returns the exit status.
pub fn main(language_server: LanguageServer) -> ExitStatus {
    error::install_handler();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return clap_error(err),
    };
    match &cli.command {
        Some(Command::Check(args)) => check::run(args),
        Some(Command::Parse(args)) => parse::run(args),
        Some(Command::Fmt(args)) => fmt::run(args),
        Some(Command::Explain(args)) if !args.outside.is_empty() || !args.within.is_empty() => {
            sets::explain(args)
        }
        Some(Command::Explain(args)) => explain::run(args),
        Some(Command::Compile(args)) => compile::run(args),
        Some(Command::Test(args)) => test::run(args),
        Some(Command::Diff(args)) => diff::run(args),
        Some(Command::Lsp(args)) => match args
            .model
            .overrides(&[], &[], &[])
            .map_err(|err| err.to_string())
            .and_then(|overrides| language_server(overrides).map_err(|err| err.to_string()))
        {
            Ok(()) => ExitStatus::Clean,
            Err(err) => {
                error::report_all(vec![error::AppError::Usage(format!(
                    "language server: {err}"
                ))]);
                ExitStatus::Error
            }
        },
        Some(Command::Completions(args)) => completions(args),
        Some(Command::Man(args)) => man(args),
        Some(Command::Rule(args)) => rule::run(args),
        Some(Command::New(args)) => new::run(args),
        Some(Command::Learn(args)) => learn::run(args),
        Some(Command::Run(args)) => run::run(args),
        Some(Command::Probe(args)) => run::probe(args),
        None => check::run(&cli.check),
    }
}

/// Help and version go to stdout as clap prints them; a usage error is one line on stderr.
fn clap_error(err: clap::Error) -> ExitStatus {
    match err.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.print();
            ExitStatus::Clean
        }
        _ => {
            let text = err.to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            let first = first.strip_prefix("error: ").unwrap_or(first);
            error::report_all(vec![error::AppError::Usage(format!(
                "{first} (see `sblint --help`)"
            ))]);
            ExitStatus::Error
        }
    }
}

fn completions(args: &args::CompletionsArgs) -> ExitStatus {
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "sblint", &mut out);
    finish(output::print(&String::from_utf8_lossy(&out)))
}

fn man(args: &args::ManArgs) -> ExitStatus {
    let command = <Cli as clap::CommandFactory>::command();
    if let Some(dir) = &args.dir {
        let written =
            clap_mangen::generate_to(command, dir).map_err(|source| error::AppError::Write {
                path: dir.clone(),
                source,
            });
        return finish(written);
    }
    let mut out = Vec::new();
    if let Err(err) = clap_mangen::Man::new(command).render(&mut out) {
        return finish(Err(error::AppError::Output(err)));
    }
    finish(output::print(&String::from_utf8_lossy(&out)))
}

fn finish(result: Result<(), error::AppError>) -> ExitStatus {
    match result {
        Ok(()) => ExitStatus::Clean,
        Err(err) => {
            error::report_all(vec![err]);
            ExitStatus::Error
        }
    }
}
