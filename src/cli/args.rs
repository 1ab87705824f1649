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
    after_help = "Exit status: 0 nothing to report, 1 findings, 2 usage or I/O error or an \
                  unknown rule code."
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
    /// Run policy tests (`*.sbtest.toml`): what a profile must allow, deny, never or always allow
    Test(TestArgs),
    /// Which decisions change between two profiles, each with a witness (exit 1 if any)
    Diff(DiffArgs),
    /// Show the documentation of a rule, or list all rules
    Rule(RuleArgs),
    /// Write a starting profile for a kind of program, and a test file asserting its intent
    New(NewArgs),
    /// Propose the narrowest rules for the sandbox denials of a log (audit2allow for SBPL)
    Learn(LearnArgs),
    /// Run a command under the profile with sandbox-exec and report its denials (macOS)
    Run(RunArgs),
    /// Perform one operation and print what the system answered (for `test --on-device`)
    #[command(hide = true)]
    Probe(ProbeArgs),
    /// Run the language server on stdin/stdout
    Lsp(LspArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write one per subcommand with `--dir`
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `sblint.1` and a page per subcommand (`sblint-check.1` …) into this directory
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
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
    /// Files or directories; `-` reads stdin and writes stdout. Directories are walked for
    /// *.sb and *.sbpl (any case), skipping hidden files and directories and what
    /// .gitignore, .ignore and .git/info/exclude exclude
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
#[command(mut_arg("preludes", |a| a.help("A file read before each checked file: its definitions are visible, its findings are not reported (repeatable)")))]
pub struct CheckArgs {
    /// Files or directories; `-` reads stdin. Directories are walked for *.sb and *.sbpl
    /// (any case), skipping hidden files and directories and what .gitignore, .ignore and
    /// .git/info/exclude exclude
    pub paths: Vec<PathBuf>,

    /// Output format
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,

    /// The name to show for the profile read from stdin
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,

    /// Run only these rules: codes, code prefixes or names, comma-separated
    /// (`SB2,unresolved-path`), or `ALL`
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,

    /// Run these rules too, on top of `--select` or the config's `select`
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub extend_select: Vec<String>,

    /// Do not run these rules (codes, prefixes or names, comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,

    #[command(flatten)]
    pub load: LoadArgs,

    /// Apply the safe fixes in place (never to a file with syntax errors); with `-`, the
    /// profile goes to stdout and the report to stderr
    #[arg(long)]
    pub fix: bool,

    /// Apply or show the unsafe fixes too (those that change what the profile allows)
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Show the fixes as a unified diff; write nothing; exit 1 only when there is a diff
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,

    /// List each fix applied (with `--fix`), or the findings a fix would remove
    #[arg(long)]
    pub show_fixes: bool,

    /// Print how many findings each rule reported instead of the findings
    #[arg(long)]
    pub statistics: bool,

    /// Write the report to this file instead of stdout
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,

    /// Print the findings and nothing else (no summary, no warnings)
    #[arg(short, long)]
    pub quiet: bool,

    /// Exit 0 even when there are findings (errors reading or configuring still exit 2)
    #[arg(long)]
    pub exit_zero: bool,

    /// When to colour the output (auto: on a terminal, unless NO_COLOR is set; FORCE_COLOR
    /// forces it)
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,

    #[command(flatten)]
    pub exclude: ExcludeArgs,
}

/// `--color`
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

impl ColorArg {
    /// Whether to colour output going to a terminal (`terminal`) or not.
    pub fn enabled(self, terminal: bool) -> bool {
        let forced = match self {
            ColorArg::Always => Some(true),
            ColorArg::Never => Some(false),
            ColorArg::Auto => None,
        };
        crate::render::color_enabled(forced, terminal)
    }
}

/// `--format`: the renderers' formats, as clap spells them (the renderers know no clap).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// Source excerpts with labels and notes (codespan-reporting).
    Human,
    /// One line per finding: `path:line:col: severity[CODE]: message`.
    Concise,
    /// A JSON array of findings (documented in docs/src/output-formats.md).
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
    /// what could not be walked is added to `errors`, and a warning for each directory
    /// without a profile is printed unless `quiet`. `Err` when the excludes are bad.
    pub fn collect(
        &self,
        paths: &[PathBuf],
        config: Option<PathBuf>,
        errors: &mut Vec<AppError>,
        quiet: bool,
    ) -> Result<Vec<Input>, AppError> {
        let mut exclusions = Exclusions::new(&self.globs, config, self.force_exclude)?;
        let mut walk_errors = Vec::new();
        let mut empty = Vec::new();
        let files = inputs::collect(paths, &mut exclusions, &mut walk_errors, &mut empty);
        errors.extend(walk_errors.into_iter().map(AppError::from));
        if !quiet {
            for dir in empty {
                super::error::warn(&format!(
                    "no profiles found under `{}` (*.sb and *.sbpl; hidden and ignored files are skipped)",
                    dir.display(),
                ));
            }
        }
        Ok(files)
    }
}

/// What loads one profile: the files read before it (`--prelude`) and the model's options
/// (`--param`, `--import-path`, `--macos`, `--config`), declared once for every command that
/// loads a profile. A command words `--prelude`'s help for itself with `mut_arg`.
#[derive(Debug, Args, Default, Clone)]
pub struct LoadArgs {
    /// A file read before the profile (repeatable)
    #[arg(long = "prelude", value_name = "FILE")]
    pub preludes: Vec<PathBuf>,

    #[command(flatten)]
    pub model: ModelArgs,
}

impl LoadArgs {
    /// [`ModelArgs::overrides`] with these preludes.
    pub fn overrides(&self, select: &[String], ignore: &[String]) -> Result<Overrides, AppError> {
        self.model.overrides(&self.preludes, select, ignore)
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
            extend_select: Vec::new(),
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

    /// Is any argument of OPERATION outside these allowed? `PATH`, `PATH/**`, `HOST:PORT`
    /// (`*` for either part), `name`, `prefix*` (repeatable); prints a witness if so
    /// (exit 1), else exit 0
    #[arg(long, value_name = "ENTRY", conflicts_with_all = ["argument", "log", "within"])]
    pub outside: Vec<String>,

    /// Is every argument of OPERATION inside these surely allowed? Entries as for
    /// `--outside` (repeatable); prints a witness that is not (exit 1), else exit 0
    #[arg(long, value_name = "ENTRY", conflicts_with_all = ["argument", "log"])]
    pub within: Vec<String>,

    /// Exit 0 when the decision is this one, 1 when it is not or the profile fails to load
    /// (for scripts and CI)
    #[arg(long, value_enum, value_name = "DECISION", conflicts_with = "log")]
    pub expect: Option<Expected>,

    #[command(flatten)]
    pub load: LoadArgs,
}

/// `explain --expect`
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Expected {
    Allow,
    Deny,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
#[command(mut_arg("preludes", |a| a.help("A file read before each profile (repeatable)")))]
#[command(
    after_help = "Exit status: 0 equivalent, 1 some decision changes, 2 usage or I/O error (or too complex to decide)."
)]
pub struct DiffArgs {
    /// The profile before
    pub old: PathBuf,
    /// The profile after
    pub new: PathBuf,

    /// Only these operations (a leaf or a wildcard such as `file-write*`); default: all
    #[arg(long, value_name = "OPERATION")]
    pub operation: Option<String>,

    /// Report only newly allowed arguments (the check "this change opens nothing new")
    #[arg(long)]
    pub widen_only: bool,

    /// Output format: human or json
    #[arg(long, value_enum, default_value_t = ExplainFormat::Human)]
    pub format: ExplainFormat,

    /// Preludes and options for both profiles
    #[command(flatten)]
    pub load: LoadArgs,
}

#[derive(Debug, Args)]
#[command(mut_arg("preludes", |a| a.help("A file read before the profile and inlined into the output (repeatable)")))]
pub struct CompileArgs {
    /// The profile
    pub profile: PathBuf,

    /// What to emit: a profile (sbpl) or the rules as JSON
    #[arg(long, value_enum, default_value_t = Emit::Sbpl)]
    pub emit: Emit,

    /// Write here (atomically) instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub load: LoadArgs,
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

#[derive(Debug, Args)]
#[command(
    after_help = "A test file names its profile (relative to the file), optional \
`params`, `preludes` and `macos`, and assertions:\n  \
[[allow]] / [[deny]]  operation + argument: the decision `sblint explain` gives\n  \
[[never]]             operation + except (and optional within): nothing outside `except` is allowed\n  \
[[always]]            operation + within: everything inside `within` is allowed\n\
Entries: PATH, PATH/** (it and everything under it), HOST:PORT (`*` for either part), \
NAME, PREFIX*. A wildcard operation (`file-write*`) means every leaf it covers.\n\n\
Exit status: 0 every assertion holds, 1 one fails, 2 a test file or profile cannot be used."
)]
pub struct TestArgs {
    /// Test files, or directories searched for `*.sbtest.toml` (hidden and .gitignore'd
    /// ones skipped); default: the current directory
    pub paths: Vec<PathBuf>,

    /// Output format
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    pub format: TestFormat,

    /// List passing assertions too
    #[arg(short, long)]
    pub verbose: bool,

    /// The profile to test instead of each test file's `profile`: a path, or `-` to read it
    /// from stdin (a generator pipes its output in with one test file)
    #[arg(long, value_name = "PATH")]
    pub profile: Option<PathBuf>,

    /// Also run each point assertion and each failure's witness for real under
    /// `sandbox-exec` (a probe: `sblint probe`) and report where the kernel disagrees with
    /// sblint (macOS only)
    #[arg(long)]
    pub on_device: bool,

    /// Settings under each test file's own (a file's `params` and `macos` win)
    #[command(flatten)]
    pub model: ModelArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFormat {
    Human,
    Json,
    Junit,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The kind of program: python, node, shell (an agent's command runner) or build
    #[arg(long, value_parser = ["python", "node", "shell", "build"])]
    pub preset: String,
    /// The project directory: the value the printed command and the test file use
    /// (default: the command passes `$(pwd -P)`, the test file an example path)
    #[arg(long, value_name = "DIR")]
    pub project: Option<String>,
    /// An endpoint to allow, `localhost:PORT` or `*:PORT` (repeatable; replaces the
    /// preset's local proxy)
    #[arg(long = "allow-host", value_name = "HOST:PORT")]
    pub allow_hosts: Vec<String>,
    /// Another directory to read (repeatable; relative = in the project)
    #[arg(long, value_name = "DIR")]
    pub read: Vec<String>,
    /// Another directory to write (repeatable; relative = in the project)
    #[arg(long, value_name = "DIR")]
    pub write: Vec<String>,
    /// The profile to write; the test file goes beside it as `NAME.sbtest.toml`
    /// (default: `PRESET.sb` in the current directory)
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The home the test file and the command use (default: `$HOME` in the command, an
    /// example in the test file)
    #[arg(long, value_name = "DIR")]
    pub home: Option<String>,
    /// The resolved per-user temporary directory the test file and the command use
    /// (default: the command resolves `getconf DARWIN_USER_TEMP_DIR`, the test file an
    /// example)
    #[arg(long, value_name = "DIR")]
    pub tmpdir: Option<String>,
    /// Replace the files if they exist
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
#[command(mut_arg("preludes", |a| a.help("A file read before the profile of `--into` (repeatable)")))]
pub struct LearnArgs {
    /// The log: `log stream`/`log show` output, syslog or `--style ndjson`/`json`
    /// (`-` or nothing: stdin)
    #[arg(value_name = "LOG")]
    pub log: Option<PathBuf>,
    /// Insert the proposed rules into this profile where they take effect, and print the
    /// result as a unified diff (the file is not changed)
    #[arg(long, value_name = "PROFILE")]
    pub into: Option<PathBuf>,
    /// Propose a `subpath` when this many denied paths of one operation share a
    /// directory (0: never)
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub generalize: usize,
    /// Propose access to secrets too (`~/.ssh`, `~/.aws`, keychains, `.env`, …)
    #[arg(long)]
    pub allow_secrets: bool,
    /// Output format: human or json
    #[arg(long, value_enum, default_value_t = ExplainFormat::Human)]
    pub format: ExplainFormat,
    #[command(flatten)]
    pub load: LoadArgs,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The profile
    pub profile: PathBuf,
    /// Keep this environment variable too (repeatable; the others but PATH, HOME, TERM,
    /// LANG, TMPDIR, USER are dropped)
    #[arg(long = "env", value_name = "NAME")]
    pub env: Vec<String>,
    #[command(flatten)]
    pub load: LoadArgs,
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
