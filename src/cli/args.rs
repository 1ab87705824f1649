//! The command line, as clap derives it. `sblint PATHS` is `sblint check PATHS`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use super::error::{AppError, SourceError};
use crate::model::MacOs;
use crate::render::Format;
use crate::workspace::{inputs, Exclusions, Input, Overrides};

#[derive(Debug, Parser)]
#[command(
    name = "sblint",
    version,
    about = "Lint Apple sandbox profiles (SBPL) before you run them",
    args_conflicts_with_subcommands = true,
    after_help = "Exit status: 0 nothing to report, 1 findings, 2 usage or I/O error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check profiles for syntax errors and pitfalls (the default command)
    Check(CheckArgs),
    /// Print the syntax tree of a profile
    Parse(ParseArgs),
    /// Rewrite profiles in the canonical layout
    Fmt(FmtArgs),
    /// Which rule decides an operation on a path, host:port or name (the trace Apple removed)
    Explain(ExplainArgs),
    /// Emit a flat, parameter-free profile with the same meaning
    Compile(CompileArgs),
    /// Show the documentation of a rule, or list all rules
    Rule(RuleArgs),
    /// Write a starting profile for a kind of program, and a test file asserting its intent
    New(super::new::NewArgs),
    /// Propose the narrowest rules for the sandbox denials of a log (audit2allow for SBPL)
    Learn(super::learn::LearnArgs),
    /// Run a command under the profile with sandbox-exec and report its denials (macOS)
    Run(super::run::RunArgs),
    /// Perform one operation and print what the system answered (for `test --on-device`)
    #[command(hide = true)]
    Probe(super::run::ProbeArgs),
    /// Run the language server on stdin/stdout
    Lsp(LspArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Print the man page (roff)
    Man,
}

#[derive(Debug, Args)]
pub struct LspArgs {
    /// Options for every document, as `sblint check` takes them
    #[command(flatten)]
    pub model: ModelArgs,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Files or directories (walked for *.sb and *.sbpl); `-` reads stdin and writes stdout
    pub paths: Vec<PathBuf>,

    /// Write nothing; list the files that would change and exit 1 if any would
    #[arg(long)]
    pub check: bool,

    /// Write nothing; print a unified diff of what would change and exit 1 if anything would
    #[arg(long)]
    pub diff: bool,

    /// Line width (default: `line-width` from sblint.toml, else 100)
    #[arg(long, value_name = "N")]
    pub line_width: Option<usize>,

    /// Use this sblint.toml instead of the nearest one above each file
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The name to show for the profile read from stdin
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,

    #[command(flatten)]
    pub exclude: ExcludeArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories (walked for *.sb and *.sbpl, honouring .gitignore); `-` reads stdin
    pub paths: Vec<PathBuf>,

    /// Output format
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,

    /// A file read before each checked file: its definitions are visible, its findings are not
    /// reported (repeatable)
    #[arg(long = "prelude", value_name = "FILE")]
    pub preludes: Vec<PathBuf>,

    /// The name to show for the profile read from stdin
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,

    /// Run only these rules (codes or prefixes, comma-separated: `SB2,SB401`)
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Vec<String>,

    /// Do not run these rules (codes or prefixes, comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,

    #[command(flatten)]
    pub model: ModelArgs,

    /// Apply safe fixes in place (never to a file with syntax errors)
    #[arg(long)]
    pub fix: bool,

    /// Show the safe fixes as a unified diff; write nothing
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,

    #[command(flatten)]
    pub exclude: ExcludeArgs,
}

/// `--format`: the renderers' formats, as clap spells them (the renderers know no clap).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// Source excerpts with labels and notes (codespan-reporting).
    Human,
    /// One line per finding: `path:line:col: severity[CODE]: message`.
    Concise,
    /// A JSON array of findings (documented in the README).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions annotations.
    Github,
}

impl From<FormatArg> for Format {
    fn from(format: FormatArg) -> Format {
        match format {
            FormatArg::Human => Format::Human,
            FormatArg::Concise => Format::Concise,
            FormatArg::Json => Format::Json,
            FormatArg::Sarif => Format::Sarif,
            FormatArg::Github => Format::Github,
        }
    }
}

#[derive(Debug, Args, Default, Clone)]
pub struct ExcludeArgs {
    /// Skip profiles matching this glob when walking directories (repeatable; adds to
    /// `exclude` in sblint.toml)
    #[arg(long = "exclude", value_name = "GLOB")]
    pub globs: Vec<String>,

    /// Apply the excludes to files named on the command line too (for pre-commit)
    #[arg(long)]
    pub force_exclude: bool,
}

impl ExcludeArgs {
    /// The inputs `paths` name, directories walked with these excludes and the config's;
    /// what could not be walked is added to `errors`. `Err` when the excludes are bad.
    pub fn collect(
        &self,
        paths: &[PathBuf],
        config: Option<PathBuf>,
        errors: &mut Vec<AppError>,
    ) -> Result<Vec<Input>, AppError> {
        let mut exclusions = Exclusions::new(&self.globs, config, self.force_exclude)?;
        let mut walk_errors = Vec::new();
        let files = inputs::collect(paths, &mut exclusions, &mut walk_errors);
        errors.extend(walk_errors.into_iter().map(AppError::from));
        Ok(files)
    }
}

/// Options every command that evaluates a profile shares.
#[derive(Debug, Args, Default, Clone)]
pub struct ModelArgs {
    /// A value for `(param "NAME")` (repeatable)
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,

    /// A directory searched by `import` after the profile's own (repeatable)
    #[arg(long = "import-path", value_name = "DIR")]
    pub import_paths: Vec<PathBuf>,

    /// The macOS version whose vocabulary applies: 10.12-10.15, 11-15 or 26, a minor version
    /// (14.2, 13.7.8) or a name (sonoma, tahoe); default 14.4.1, the newest with complete tables
    #[arg(long, value_name = "VERSION", value_parser = parse_macos)]
    pub macos: Option<MacOs>,

    /// Use this sblint.toml instead of the nearest one above each file
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl ModelArgs {
    /// What these flags, with the command's preludes and rule selection, set over
    /// `sblint.toml`; a `--param` without `=` is an error that shows it.
    pub fn overrides(
        &self,
        preludes: &[PathBuf],
        select: &[String],
        ignore: &[String],
    ) -> Result<Overrides, AppError> {
        let params = self
            .params
            .iter()
            .map(|text| parse_param(text))
            .collect::<Result<_, _>>()?;
        Ok(Overrides {
            params,
            import_paths: self.import_paths.clone(),
            macos: self.macos,
            config: self.config.clone(),
            preludes: preludes.to_vec(),
            select: select.to_vec(),
            ignore: ignore.to_vec(),
        })
    }
}

fn parse_param(text: &str) -> Result<(String, String), AppError> {
    let Some((name, value)) = text.split_once('=') else {
        let flag = "--param ";
        return Err(SourceError {
            location: "`--param`".into(),
            message: format!("`{text}` is not NAME=VALUE"),
            text: miette::NamedSource::new("command line", format!("{flag}{text}")),
            span: (flag.len(), text.len()).into(),
            label: "no `=` in it".into(),
            help: Some("write `--param NAME=VALUE`".into()),
        }
        .into());
    };
    Ok((name.to_string(), value.to_string()))
}

fn parse_macos(text: &str) -> Result<MacOs, String> {
    MacOs::parse(text)
        .ok_or_else(|| format!("unknown macOS version `{text}`: use {}", MacOs::ACCEPTED))
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The profile
    pub profile: PathBuf,
    /// The operation, e.g. `file-read-data`, `network-outbound`, `mach-lookup`
    #[arg(required_unless_present = "log")]
    pub operation: Option<String>,
    /// What its filters consult: a path, `HOST:PORT`, or a name (service, sysctl …)
    pub argument: Option<String>,

    /// Output format: human or json
    #[arg(long, value_enum, default_value_t = ExplainFormat::Human)]
    pub format: ExplainFormat,

    /// Read sandbox denial lines (`log stream` output; `-` for stdin), explain each, and
    /// propose the narrowest rules that would allow them (see also `sblint learn`)
    #[arg(long, value_name = "FILE", conflicts_with = "operation")]
    pub log: Option<PathBuf>,

    /// A file read before the profile (repeatable)
    #[arg(long = "prelude", value_name = "FILE")]
    pub preludes: Vec<PathBuf>,

    #[command(flatten)]
    pub model: ModelArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct CompileArgs {
    /// The profile
    pub profile: PathBuf,

    /// What to emit: a profile (sbpl) or the rules as JSON
    #[arg(long, value_enum, default_value_t = Emit::Sbpl)]
    pub emit: Emit,

    /// Write here (atomically) instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// A file read before the profile and inlined into the output (repeatable)
    #[arg(long = "prelude", value_name = "FILE")]
    pub preludes: Vec<PathBuf>,

    #[command(flatten)]
    pub model: ModelArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Emit {
    Sbpl,
    Json,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Print the syntax tree (the default)
    #[arg(long)]
    pub tree: bool,

    /// The profile to parse; `-` reads stdin
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// A rule code (`SB201`) or name (`unresolved-path`); without it, list every rule
    pub code: Option<String>,
}
