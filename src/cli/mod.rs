//! The command line: one of the two doors into sblint (the other is the language server).
//! clap lives here; what both doors share is in [`crate::workspace`].

mod args;
mod check;
mod compile;
mod diff;
mod error;
mod evaluate;
mod explain;
mod fmt;
mod learn;
mod new;
mod output;
mod parse;
mod rule;
mod run;
mod sets;
mod test;

use clap::error::ErrorKind;
use clap::Parser;

use args::{Cli, Command};
use error::{AppError, Reader};
use output::Output;

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

/// Runs sblint with the process arguments and returns the exit status. Each command
/// writes its answer to the output it is given and returns its status, or the error that
/// stopped it; the error is reported here, once.
pub fn main(language_server: LanguageServer) -> ExitStatus {
    error::install_handler();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return clap_error(err),
    };
    let mut out = Output::stdout();
    match dispatch(&cli, &mut out, language_server) {
        Ok(status) => status,
        Err(err) => {
            if let Some(json) = error::report(err, reader(&cli)) {
                let _ = out.print(&json);
            }
            ExitStatus::Error
        }
    }
}

fn dispatch(
    cli: &Cli,
    out: &mut Output,
    language_server: LanguageServer,
) -> Result<ExitStatus, AppError> {
    match &cli.command {
        Some(Command::Check(args)) => check::run(args, out),
        Some(Command::Parse(args)) => parse::run(args, out),
        Some(Command::Fmt(args)) => fmt::run(args, out),
        Some(Command::Explain(args)) if !args.outside.is_empty() || !args.within.is_empty() => {
            sets::explain(args, out)
        }
        Some(Command::Explain(args)) => explain::run(args, out),
        Some(Command::Compile(args)) => compile::run(args, out),
        Some(Command::Test(args)) => test::run(args, out),
        Some(Command::Diff(args)) => diff::run(args, out),
        Some(Command::Lsp(args)) => lsp(args, language_server),
        Some(Command::Completions(args)) => completions(args, out),
        Some(Command::Man(args)) => man(args, out),
        Some(Command::Rule(args)) => rule::run(args, out),
        Some(Command::New(args)) => new::run(args, out),
        Some(Command::Learn(args)) => learn::run(args, out),
        Some(Command::Run(args)) => run::run(args),
        Some(Command::Probe(args)) => run::probe(args),
        None => check::run(&cli.check, out),
    }
}

/// Who reads the output, by the command's format.
fn reader(cli: &Cli) -> Reader {
    use args::{Emit, ExplainFormat, TestFormat};
    let json = |yes: bool| if yes { Reader::Json } else { Reader::People };
    match &cli.command {
        Some(Command::Check(args)) => check_reader(args.format),
        None => check_reader(cli.check.format),
        Some(Command::Explain(args)) => json(args.format == ExplainFormat::Json),
        Some(Command::Diff(args)) => json(args.format == ExplainFormat::Json),
        Some(Command::Learn(args)) => json(args.format == ExplainFormat::Json),
        Some(Command::Compile(args)) => json(args.emit == Emit::Json),
        Some(Command::Test(args)) => match args.format {
            TestFormat::Human => Reader::People,
            TestFormat::Json => Reader::Json,
            TestFormat::Junit => Reader::Programs,
        },
        _ => Reader::People,
    }
}

fn check_reader(format: args::FormatArg) -> Reader {
    match format {
        args::FormatArg::Human => Reader::People,
        args::FormatArg::Json => Reader::Json,
        _ => Reader::Programs,
    }
}

fn lsp(args: &args::LspArgs, language_server: LanguageServer) -> Result<ExitStatus, AppError> {
    let failed = |err: String| AppError::Usage(format!("language server: {err}"));
    let overrides = args
        .model
        .overrides(&[], &[], &[])
        .map_err(|err| failed(err.to_string()))?;
    language_server(overrides).map_err(|err| failed(err.to_string()))?;
    Ok(ExitStatus::Clean)
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
            let usage = AppError::Usage(format!("{first} (see `sblint --help`)"));
            error::report(usage, Reader::Programs);
            ExitStatus::Error
        }
    }
}

fn completions(args: &args::CompletionsArgs, out: &mut Output) -> Result<ExitStatus, AppError> {
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut text = Vec::new();
    clap_complete::generate(args.shell, &mut command, "sblint", &mut text);
    out.print(&String::from_utf8_lossy(&text))?;
    Ok(ExitStatus::Clean)
}

fn man(args: &args::ManArgs, out: &mut Output) -> Result<ExitStatus, AppError> {
    let command = <Cli as clap::CommandFactory>::command();
    if let Some(dir) = &args.dir {
        clap_mangen::generate_to(command, dir).map_err(|source| AppError::Write {
            path: dir.clone(),
            source,
        })?;
        return Ok(ExitStatus::Clean);
    }
    let mut text = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut text)
        .map_err(AppError::Output)?;
    out.print(&String::from_utf8_lossy(&text))?;
    Ok(ExitStatus::Clean)
}
