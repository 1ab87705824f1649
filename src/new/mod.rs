//! `sblint new`: a starting profile for a kind of program, made of what known-running
//! profiles grant (`grammar/essentials.tsv`, the Codex and agent-safehouse bases in the
//! corpus), each rule with a comment saying why it is there, user paths as `(param …)`,
//! and a test file (`.sbtest.toml`, the format of `sblint test`) asserting its intent.

use std::fmt::Write as _;

use crate::model::essentials::{self, Essential};
use crate::model::quote;
use crate::model::secrets::{self, Access, Match, Secret};

/// The kinds of program a preset is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// Run an untrusted Python package: read the interpreter and its site-packages, write
    /// the project and `$TMPDIR`, network only to a local package index proxy.
    Python,
    /// Run an untrusted npm package or script: as `python`, with npm's cache.
    Node,
    /// An AI agent's command runner: the project writable, `.git/hooks` not, a terminal.
    Shell,
    /// A compiler: read-only sources, write the output directory, no network.
    Build,
}

impl Preset {
    pub const ALL: [Preset; 4] = [Preset::Python, Preset::Node, Preset::Shell, Preset::Build];

    pub fn name(self) -> &'static str {
        match self {
            Preset::Python => "python",
            Preset::Node => "node",
            Preset::Shell => "shell",
            Preset::Build => "build",
        }
    }

    fn purpose(self) -> &'static str {
        match self {
            Preset::Python => "run an untrusted Python package: read the interpreter and its site-packages, write the project and $TMPDIR, network only to a local package index proxy",
            Preset::Node => "run an untrusted Node.js package or script: read the runtime, write the project, $TMPDIR and npm's cache, network only to a local registry proxy",
            Preset::Shell => "an AI agent's command runner: read the system, write the project (but not .git/hooks or .git/config) and $TMPDIR, drive a terminal, no network",
            Preset::Build => "a compiler: read the system and the sources, write only the output directory and $TMPDIR, no network",
        }
    }

    /// The endpoint allowed when none is given: the local proxy the preset is written for.
    fn default_hosts(self) -> &'static [&'static str] {
        match self {
            // devpi's default port (the seed post's case).
            Preset::Python => &["localhost:3141"],
            // Verdaccio's default port.
            Preset::Node => &["localhost:4873"],
            Preset::Shell | Preset::Build => &[],
        }
    }
}

impl std::str::FromStr for Preset {
    type Err = NewError;
    fn from_str(s: &str) -> Result<Preset, NewError> {
        Preset::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| NewError(format!("unknown preset `{s}` (python, node, shell, build)")))
    }
}

/// What the user asked for.
#[derive(Clone, Debug)]
pub struct Options {
    pub preset: Preset,
    /// The project directory: the value the test file and the printed command use. `None`:
    /// the command passes `$(pwd -P)` and the test file an example path.
    pub project: Option<String>,
    /// `HOST:PORT` endpoints to allow (`localhost` or `*` for the host, a number or `*`).
    pub allow_hosts: Vec<String>,
    /// More directories to read.
    pub read: Vec<String>,
    /// More directories to write (for `build`: the output directories; `build` when none).
    pub write: Vec<String>,
    /// The profile's file name, as the test file and the command name it.
    pub file_name: String,
    /// The home and the resolved per-user temporary directory the test file and the
    /// command use (`None`: the command passes `$HOME` and the resolved
    /// `getconf DARWIN_USER_TEMP_DIR`, the test file example paths).
    pub home: Option<String>,
    pub tmpdir: Option<String>,
}

/// A user error: a clear sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NewError(pub String);

/// What `sblint new` writes and prints.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The formatted profile.
    pub profile: String,
    /// The `.sbtest.toml` beside it.
    pub test: String,
    /// The `sandbox-exec` command line that runs a program under it.
    pub command: String,
    /// The parameter values the test file uses.
    pub params: Vec<(String, String)>,
}

/// Example values for the test file when the user gave none: a home, its project, and a
/// per-user temporary directory as `getconf DARWIN_USER_TEMP_DIR` gives it, resolved.
pub const EXAMPLE_HOME: &str = "/Users/me";
pub const EXAMPLE_PROJECT: &str = "/Users/me/project";
pub const EXAMPLE_TMPDIR: &str = "/private/var/folders/zz/zyxvpxvq6csfxvn_n0000000000000/T";

/// One endpoint, as SBPL can name it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Endpoint {
    /// `localhost` or `*`.
    host: &'static str,
    /// A number or `*`.
    port: String,
}

impl Endpoint {
    fn text(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

fn endpoint(text: &str) -> Result<Endpoint, NewError> {
    let crate::model::argument::Endpoint { host, port, .. } =
        crate::model::argument::Endpoint::parse(text).ok_or_else(|| {
            NewError(format!(
                "`--allow-host {text}`: expected HOST:PORT, e.g. localhost:3141"
            ))
        })?;
    let host = match host {
        "localhost" | "127.0.0.1" | "::1" => "localhost",
        "*" => "*",
        _ => {
            return Err(NewError(format!(
                "`--allow-host {text}`: a profile can name only `localhost` or `*` as the host \
                 (any other host makes the whole profile fail to load: zeroclaw-labs/zeroclaw#4764); \
                 run a local proxy and allow `localhost:PORT`, or allow `*:{port}`"
            )))
        }
    };
    if port != "*" && port.parse::<u16>().is_err() {
        return Err(NewError(format!(
            "`--allow-host {text}`: `{port}` is not a port number or `*`"
        )));
    }
    Ok(Endpoint {
        host,
        port: port.to_string(),
    })
}

/// The profile's text, built as (comment, rule) sections and formatted once at the end.
struct Profile {
    text: String,
}

impl Profile {
    fn section(&mut self, title: &str) {
        let _ = write!(self.text, "\n;; {title}\n");
    }

    /// A rule with the comment saying why it is there.
    fn rule(&mut self, why: &str, rule: &str) {
        for line in wrap(why, 86) {
            let _ = writeln!(self.text, "; {line}");
        }
        let _ = writeln!(self.text, "{rule}");
    }

    /// An essential row: why (the symptom without it, where it was reported) and where
    /// the grant comes from.
    fn essential(&mut self, id: &str) {
        let row = row(id);
        let from = match row.grant_from {
            Some(f) => format!("; as in corpus {f}"),
            None => String::new(),
        };
        let why = format!(
            "Needed by {}; without it: {} ({}{from}).",
            row.needed_by,
            row.symptom,
            row.sources.join(", ")
        );
        self.rule(&why, row.grant);
    }
}

/// The file rows of `grammar/secrets.tsv` under the home, each with its path after `~`.
fn home_secrets() -> impl Iterator<Item = (&'static Secret, &'static str)> {
    secrets::table()
        .iter()
        .filter(|s| s.access == Access::File && s.matching != Match::Name)
        .filter_map(|s| s.path.strip_prefix('~').map(|rest| (s, rest)))
}

fn row(id: &str) -> &'static Essential {
    essentials::table()
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("grammar/essentials.tsv has no row `{id}`"))
}

/// Splits `text` into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A user directory as the profile writes it: `(param "NAME")`.
fn param(name: &str) -> String {
    format!("(param {})", quote(name))
}

/// `(string-append (param "NAME") "/rest")`.
fn under(name: &str, rest: &str) -> String {
    format!("(string-append {} {})", param(name), quote(rest))
}

/// Makes the profile and its test file.
pub fn generate(options: &Options) -> Result<Generated, NewError> {
    let preset = options.preset;
    let mut endpoints = Vec::new();
    let hosts: Vec<String> = if options.allow_hosts.is_empty() {
        preset
            .default_hosts()
            .iter()
            .map(|s| s.to_string())
            .collect()
    } else {
        options.allow_hosts.clone()
    };
    for h in &hosts {
        let e = endpoint(h)?;
        if !endpoints.contains(&e) {
            endpoints.push(e);
        }
    }
    let internet = endpoints.iter().any(|e| e.host == "*");
    let mut writes = options.write.clone();
    if preset == Preset::Build && writes.is_empty() {
        writes.push("build".into());
    }
    for dir in options
        .read
        .iter()
        .chain(&writes)
        .chain(&options.project)
        .chain(&options.home)
        .chain(&options.tmpdir)
    {
        if dir.is_empty() || dir.contains('"') || dir.contains('\n') {
            return Err(NewError(format!("`{dir}` is not a directory name")));
        }
    }

    // Parameter values for the test file, and the command's `-D` arguments.
    let project_value = options
        .project
        .clone()
        .unwrap_or_else(|| EXAMPLE_PROJECT.to_string());
    let absolute = |dir: &str| -> String {
        if dir.starts_with('/') {
            dir.trim_end_matches('/').to_string()
        } else {
            format!(
                "{}/{}",
                project_value.trim_end_matches('/'),
                dir.trim_end_matches('/')
            )
        }
    };
    let in_command = |dir: &str| -> String {
        if dir.starts_with('/') || options.project.is_some() {
            absolute(dir)
        } else {
            format!("$(pwd -P)/{}", dir.trim_end_matches('/'))
        }
    };
    let mut params: Vec<(String, String)> = vec![
        ("PROJECT".into(), project_value.clone()),
        (
            "TMPDIR".into(),
            options
                .tmpdir
                .clone()
                .unwrap_or_else(|| EXAMPLE_TMPDIR.into()),
        ),
        (
            "HOME".into(),
            options.home.clone().unwrap_or_else(|| EXAMPLE_HOME.into()),
        ),
    ];
    let mut command_params: Vec<(String, String)> = vec![
        (
            "PROJECT".into(),
            options
                .project
                .clone()
                .unwrap_or_else(|| "$(pwd -P)".into()),
        ),
        (
            "TMPDIR".into(),
            options
                .tmpdir
                .clone()
                .unwrap_or_else(|| "$(cd \"$(getconf DARWIN_USER_TEMP_DIR)\" && pwd -P)".into()),
        ),
        (
            "HOME".into(),
            options.home.clone().unwrap_or_else(|| "$HOME".into()),
        ),
    ];
    // Directories inside the project are covered by its rule (a second rule would change
    // nothing, SB402): the project is always readable, and writable but for `build`.
    let inside = |dir: &str| crate::model::paths::under(&absolute(dir), &project_value);
    let mut covered: Vec<String> = Vec::new();
    let mut read_dirs: Vec<String> = Vec::new();
    for d in &options.read {
        if inside(d) {
            covered.push(format!("--read {d}"));
        } else {
            read_dirs.push(d.clone());
        }
    }
    let mut kept_writes: Vec<String> = Vec::new();
    for d in writes {
        if preset != Preset::Build && inside(&d) {
            covered.push(format!("--write {d}"));
        } else {
            kept_writes.push(d);
        }
    }
    let writes = kept_writes;
    let reads: Vec<String> = (0..read_dirs.len()).map(|i| format!("READ_{i}")).collect();
    let write_params: Vec<String> = (0..writes.len()).map(|i| format!("WRITE_{i}")).collect();
    for (name, dir) in reads.iter().zip(&read_dirs) {
        params.push((name.clone(), absolute(dir)));
        command_params.push((name.clone(), in_command(dir)));
    }
    for (name, dir) in write_params.iter().zip(&writes) {
        params.push((name.clone(), absolute(dir)));
        command_params.push((name.clone(), in_command(dir)));
    }

    let command = format!(
        "sandbox-exec {} -f {} {}",
        command_params
            .iter()
            .map(|(k, v)| format!("-D {k}=\"{v}\""))
            .collect::<Vec<_>>()
            .join(" "),
        options.file_name,
        match preset {
            Preset::Python => "python3 -m your_package",
            Preset::Node => "node your_script.js",
            Preset::Shell => "/bin/zsh -c 'your command'",
            Preset::Build => "make",
        }
    );

    let mut p = Profile {
        text: String::new(),
    };
    let header = format!(
        "Generated by `sblint new --preset {}`: {}.",
        preset.name(),
        preset.purpose()
    );
    for line in wrap(&header, 86) {
        let _ = writeln!(p.text, ";; {line}");
    }
    p.text
        .push_str(";; Paths come in as parameters (never spliced into strings). Run it with:\n");
    let _ = writeln!(p.text, ";;   {command}");
    p.text.push_str(
        ";; TMPDIR is resolved (`pwd -P`): `getconf` gives /var/folders/..., which the kernel checks\n\
         ;; as /private/var/folders/..., so a rule on the unresolved path never matches\n\
         ;; (apache/maka#4233). Check it with `sblint check`, test it with `sblint test`.\n",
    );
    p.text.push_str("(version 1)\n");
    p.rule(
        "Deny everything not allowed below; the allows are based on profiles known to run (corpus openai-codex/seatbelt_base_policy.sbpl and restricted_read_only_platform_defaults.sbpl, agent-safehouse/10-system-runtime.sb).",
        "(deny default)",
    );

    p.section("What every program needs (grammar/essentials.tsv)");
    p.essential("root-read");
    p.essential("dyld-cache");
    p.essential("process-fork");
    p.essential("opendirectoryd-libinfo");
    p.essential("opendirectoryd-membership");
    p.rule(
        "Language runtimes read many hw.*, kern.* and machdep.* sysctls at start, and every allow-list has missed some (openai/codex#31264, #46656, #7099, #11210); reading is allowed but for the argument and environment of other processes, which can hold secrets (eugene1g/agent-safehouse#150).",
        "(allow sysctl-read)",
    );
    p.rule(
        "kern.procargs2 returns another process's argv and environment.",
        "(deny sysctl-read (sysctl-name-prefix \"kern.procargs\"))",
    );
    p.rule(
        "Signals and process information only within this sandbox (as in corpus openai-codex/seatbelt_base_policy.sbpl).",
        "(allow signal (target same-sandbox))",
    );
    p.rule("", "(allow process-info* (target same-sandbox))");
    p.rule(
        "User and group names (getpwuid) and preferences, as in corpus openai-codex/seatbelt_base_policy.sbpl.",
        "(allow mach-lookup (global-name \"com.apple.system.opendirectoryd.libinfo\") (global-name \"com.apple.cfprefsd.daemon\") (global-name \"com.apple.cfprefsd.agent\"))",
    );
    p.rule("", "(allow user-preference-read)");
    p.rule(
        "",
        "(allow ipc-posix-shm-read* (ipc-posix-name-prefix \"apple.cfprefs.\"))",
    );

    p.section("The system, read-only");
    p.rule(
        "Libraries, tools and their data (as in corpus openai-codex/restricted_read_only_platform_defaults.sbpl).",
        "(allow file-read* (subpath \"/usr\") (subpath \"/bin\") (subpath \"/sbin\") (subpath \"/Library/Apple\") (subpath \"/Library/Frameworks\") (subpath \"/Library/Preferences\") (subpath \"/private/etc\") (subpath \"/private/var/db/timezone\") (subpath \"/opt/homebrew\"))",
    );
    if matches!(preset, Preset::Build | Preset::Shell) {
        p.rule(
            "Compilers and SDKs of the Command Line Tools and Xcode.",
            "(allow file-read* (subpath \"/Library/Developer/CommandLineTools\") (subpath \"/Applications/Xcode.app\"))",
        );
    }
    p.rule(
        "/tmp, /var and /etc are symlinks into /private: opening a path through them needs the link's metadata (observed on macOS 14.4.1, Protonk/SANDBOX_LORE vfs-canonicalization).",
        "(allow file-read-metadata (literal \"/tmp\") (literal \"/var\") (literal \"/etc\"))",
    );
    p.rule(
        "Programs stat every directory above the ones they use (getcwd, realpath), as Codex allows with path-ancestors.",
        &format!(
            "(allow file-read-metadata (path-ancestors {}) (path-ancestors {}))",
            param("PROJECT"),
            param("TMPDIR")
        ),
    );
    p.rule(
        "Devices every program opens (as in corpus openai-codex/restricted_read_only_platform_defaults.sbpl).",
        "(allow file-read* (literal \"/dev/random\") (literal \"/dev/urandom\") (literal \"/dev/dtracehelper\"))",
    );
    p.rule(
        "",
        "(allow file-read* file-write-data (literal \"/dev/null\") (literal \"/dev/zero\"))",
    );
    p.rule(
        "Standard input and output through /dev/fd.",
        "(allow file-read-data file-write-data (subpath \"/dev/fd\"))",
    );

    p.section("Programs it may run");
    let exec_roots = match preset {
        Preset::Python => "(subpath \"/usr/bin\") (subpath \"/bin\") (subpath \"/opt/homebrew\") (subpath \"/usr/local/bin\") (subpath \"/Library/Frameworks/Python.framework\") (subpath \"/Library/Developer/CommandLineTools\")",
        Preset::Node => "(subpath \"/usr/bin\") (subpath \"/bin\") (subpath \"/opt/homebrew\") (subpath \"/usr/local/bin\")",
        Preset::Shell | Preset::Build => "(subpath \"/usr/bin\") (subpath \"/bin\") (subpath \"/usr/sbin\") (subpath \"/sbin\") (subpath \"/usr/libexec\") (subpath \"/opt/homebrew\") (subpath \"/usr/local/bin\") (subpath \"/Library/Developer/CommandLineTools\") (subpath \"/Applications/Xcode.app\")",
    };
    p.rule(
        "The system's and the package managers' programs; a virtual environment's or node_modules' programs are in the project.",
        &format!("(allow process-exec {exec_roots} (subpath {}))", param("PROJECT")),
    );

    p.section("The project and the temporary directory");
    match preset {
        Preset::Build => {
            p.rule(
                "The sources, read-only.",
                &format!("(allow file-read* (subpath {}))", param("PROJECT")),
            );
        }
        _ => {
            p.rule(
                "The project, read and write.",
                &format!(
                    "(allow file-read* file-write* (subpath {}))",
                    param("PROJECT")
                ),
            );
        }
    }
    p.rule(
        "The per-user temporary directory ($TMPDIR), resolved.",
        &format!(
            "(allow file-read* file-write* (subpath {}))",
            param("TMPDIR")
        ),
    );
    if preset == Preset::Shell {
        p.rule(
            "Tools that write /tmp directly (as Codex allows).",
            "(allow file-read* file-write* (subpath \"/private/tmp\"))",
        );
    }
    for name in &reads {
        p.rule(
            "A directory given with --read.",
            &format!("(allow file-read* (subpath {}))", param(name)),
        );
    }
    for name in &write_params {
        let why = if preset == Preset::Build && options.write.is_empty() {
            "The output directory (`build` in the project; --write sets others)."
        } else {
            "A directory given with --write."
        };
        p.rule(
            why,
            &format!("(allow file-read* file-write* (subpath {}))", param(name)),
        );
    }
    match preset {
        Preset::Python => p.rule(
            "The user's site-packages (pip install --user).",
            &format!(
                "(allow file-read* (subpath {}))",
                under("HOME", "/Library/Python")
            ),
        ),
        Preset::Node => p.rule(
            "npm's cache.",
            &format!(
                "(allow file-read* file-write* (subpath {}))",
                under("HOME", "/.npm")
            ),
        ),
        Preset::Shell => p.rule(
            "git's configuration, read-only.",
            &format!(
                "(allow file-read* (literal {}) (subpath {}))",
                under("HOME", "/.gitconfig"),
                under("HOME", "/.config/git")
            ),
        ),
        Preset::Build => {}
    }

    for c in &covered {
        p.rule(
            &format!("{c}: inside the project, already covered by its rule."),
            "",
        );
    }
    if preset == Preset::Shell {
        p.section("A terminal");
        p.rule(
            "Opening pseudo-terminals (as in corpus openai-codex/seatbelt_base_policy.sbpl).",
            "(allow pseudo-tty)",
        );
        p.essential("ptmx-write");
        p.rule(
            "The terminal the command runs in (as in corpus openai-codex/restricted_read_only_platform_defaults.sbpl).",
            "(allow file-read* file-write* (literal \"/dev/tty\") (regex #\"^/dev/ttys[0-9]+$\"))",
        );
        p.essential("tty-ioctl");
        p.essential("sysmond");
    }

    p.section("Network");
    if endpoints.is_empty() {
        p.rule("No network: nothing allows it.", "");
    }
    for e in &endpoints {
        let why = if e.host == "localhost" {
            "Outbound to this machine only: `remote` is the other end (`local` would match every connection, anthropic-experimental/sandbox-runtime#131)."
        } else {
            "Outbound to any host on this port."
        };
        p.rule(
            why,
            &format!("(allow network-outbound (remote tcp {}))", quote(&e.text())),
        );
    }
    if internet {
        p.essential("trustd");
        p.essential("dns-configuration");
        p.essential("configd");
        p.essential("mdns-socket");
    }

    p.section("Secrets stay denied (after the allows above, so that they win)");
    let filters: Vec<String> = home_secrets()
        .map(|(s, rest)| {
            let kind = if s.matching == Match::Subpath {
                "subpath"
            } else {
                "literal"
            };
            format!("({kind} {})", under("HOME", rest))
        })
        .collect();
    p.rule(
        "The credentials and personal data of grammar/secrets.tsv (SSH and cloud keys, GnuPG, registry and git tokens, keychains, password managers, browser cookies, shell history), and .env files in every folder of a home (projects live there): never read or written.",
        &format!(
            "(deny file-read* file-write* {} (regex #\"^/Users/.+/\\.env$\"))",
            filters.join(" "),
        ),
    );
    if preset == Preset::Shell {
        p.rule(
            "Git hooks run outside the sandbox later: .git/hooks and .git/config (core.hooksPath) stay read-only (openai/codex#37081).",
            &format!(
                "(deny file-write* (subpath {}) (literal {}))",
                under("PROJECT", "/.git/hooks"),
                under("PROJECT", "/.git/config")
            ),
        );
    }

    let profile = crate::fmt::format_text(&p.text, &crate::fmt::FormatOptions::default())
        .map_err(|_| NewError("internal error: the generated profile does not parse".into()))?;
    let test = test_file(options, &params, &endpoints, &writes, &write_params);
    Ok(Generated {
        profile,
        test,
        command,
        params,
    })
}

/// The `.sbtest.toml` beside the profile (the format of `sblint test`, issue #13).
fn test_file(
    options: &Options,
    params: &[(String, String)],
    endpoints: &[Endpoint],
    writes: &[String],
    write_params: &[String],
) -> String {
    let preset = options.preset;
    let value = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let q = |s: &str| toml_string(s);
    let project = value("PROJECT");
    let tmp = value("TMPDIR");
    let home = value("HOME");
    let mut t = String::new();
    let _ = writeln!(
        t,
        "# Generated by `sblint new --preset {}`: what {} must and must not do.",
        preset.name(),
        options.file_name
    );
    t.push_str("# Run it with `sblint test`.\n");
    let _ = writeln!(t, "profile = {}", q(&options.file_name));
    let _ = writeln!(
        t,
        "params = {{ {} }}",
        params
            .iter()
            .map(|(k, v)| format!("{k} = {}", q(v)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut point = |kind: &str, op: &str, arg: &str, why: &str| {
        let _ = write!(
            t,
            "\n# {why}\n[[{kind}]]\noperation = {}\nargument = {}\n",
            q(op),
            q(arg)
        );
    };
    point(
        "allow",
        "file-read-data",
        "/",
        "Programs start: `/` is readable.",
    );
    point(
        "allow",
        "file-read-data",
        "/usr/lib/libSystem.B.dylib",
        "The system libraries are readable.",
    );
    point(
        "allow",
        "file-read-data",
        &format!("{project}/src/main.txt"),
        "The project is readable.",
    );
    let out_dir = write_params
        .first()
        .map(|w| value(w))
        .unwrap_or_else(|| project.clone());
    if preset == Preset::Build {
        point(
            "deny",
            "file-write-create",
            &format!("{project}/src/main.c"),
            "The sources are read-only.",
        );
        point(
            "allow",
            "file-write-create",
            &format!("{out_dir}/main.o"),
            "The output directory is writable.",
        );
    } else {
        point(
            "allow",
            "file-write-create",
            &format!("{project}/out.txt"),
            "The project is writable.",
        );
    }
    point(
        "allow",
        "file-write-create",
        &format!("{tmp}/scratch"),
        "$TMPDIR is writable.",
    );
    point(
        "deny",
        "file-write-create",
        &format!("{home}/Documents/x"),
        "Nothing else in the home is writable.",
    );
    point(
        "deny",
        "file-read-data",
        &format!("{home}/.ssh/id_ed25519"),
        "SSH keys are not readable.",
    );
    point(
        "deny",
        "file-read-data",
        &format!("{project}/.env"),
        "The project's .env is not readable.",
    );
    if preset == Preset::Shell {
        point(
            "deny",
            "file-write-create",
            &format!("{project}/.git/hooks/pre-commit"),
            "Git hooks are not writable.",
        );
        point(
            "allow",
            "file-ioctl",
            "/dev/ttys003",
            "The terminal can be set to raw mode.",
        );
    }
    for e in endpoints {
        let host = if e.host == "*" {
            "93.184.215.14"
        } else {
            "127.0.0.1"
        };
        let port = if e.port == "*" {
            "443"
        } else {
            e.port.as_str()
        };
        point(
            "allow",
            "network-outbound",
            &format!("{host}:{port}"),
            "An allowed endpoint.",
        );
    }
    if !endpoints.iter().any(|e| e.host == "*") {
        point(
            "deny",
            "network-outbound",
            "93.184.215.14:443",
            "No other host is reachable.",
        );
    }

    // Set assertions.
    let list = |items: &[String]| {
        format!(
            "[{}]",
            items.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
        )
    };
    let mut except: Vec<String> = Vec::new();
    if preset != Preset::Build {
        except.push(format!("{project}/**"));
    }
    except.push(format!("{tmp}/**"));
    if preset == Preset::Shell {
        except.push("/private/tmp/**".into());
        // The terminal: /dev/tty, /dev/ptmx and every /dev/ttysNNN.
        except.push("/dev/**".into());
    }
    for w in write_params {
        except.push(format!("{}/**", value(w)));
    }
    if preset == Preset::Node {
        except.push(format!("{home}/.npm/**"));
    }
    except.extend(["/dev/null".into(), "/dev/zero".into(), "/dev/fd/**".into()]);
    let _ = writes;
    let _ = write!(
        t,
        "\n# Never writes outside the write roots.\n[[never]]\noperation = \"file-write*\"\nexcept = {}\n",
        list(&except)
    );
    let mut secrets: Vec<String> = home_secrets()
        .map(|(s, rest)| match s.matching {
            Match::Subpath => format!("{home}{rest}/**"),
            _ => format!("{home}{rest}"),
        })
        .collect();
    secrets.push(format!("{project}/.env"));
    let _ = write!(
        t,
        "\n# Never reads the user's secrets.\n[[never]]\noperation = \"file-read*\"\nwithin = {}\n",
        list(&secrets)
    );
    let mut allowed: Vec<String> = endpoints.iter().map(Endpoint::text).collect();
    // With the internet allowed, name resolution's socket is too (mdns-socket); no other
    // unix socket (ssh-agent, gpg-agent, Docker: grammar/secrets.tsv) is reachable.
    let internet = endpoints.iter().any(|e| e.host != "localhost");
    if internet {
        if let Some(dns) = row("mdns-socket").argument {
            allowed.push(dns.to_string());
        }
    }
    let what = if internet {
        "the allowed endpoints and the DNS socket"
    } else {
        "the allowed endpoints (no unix socket)"
    };
    let _ = write!(
        t,
        "\n# Never connects anywhere but {what}.\n[[never]]\noperation = \"network-outbound\"\nexcept = {}\n",
        list(&allowed)
    );
    let _ = write!(
        t,
        "\n# The system libraries are always readable.\n[[always]]\noperation = \"file-read*\"\nwithin = [\"/usr/lib/**\"]\n"
    );
    t
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(preset: Preset) -> Options {
        Options {
            preset,
            project: None,
            allow_hosts: Vec::new(),
            read: Vec::new(),
            write: Vec::new(),
            file_name: format!("{}.sb", preset.name()),
            home: None,
            tmpdir: None,
        }
    }

    #[test]
    fn hosts_other_than_localhost_and_star_are_refused_with_a_reason() {
        let mut o = options(Preset::Python);
        o.allow_hosts = vec!["pypi.org:443".into()];
        let e = generate(&o).unwrap_err();
        assert!(e.0.contains("only `localhost` or `*`"), "{e}");
        o.allow_hosts = vec!["localhost:x".into()];
        assert!(generate(&o).unwrap_err().0.contains("not a port"));
        o.allow_hosts = Vec::new();
        o.project = Some("/Users/a/\"p".into());
        assert!(generate(&o).unwrap_err().0.contains("not a directory name"));
        o.project = None;
        o.allow_hosts = vec!["127.0.0.1:8080".into()];
        let g = generate(&o).unwrap();
        assert!(
            g.profile.contains("(remote tcp \"localhost:8080\")"),
            "{}",
            g.profile
        );
    }

    #[test]
    fn the_command_passes_every_parameter_and_resolves_tmpdir() {
        let mut o = options(Preset::Build);
        o.project = Some("/Users/a/p".into());
        let g = generate(&o).unwrap();
        assert!(g.command.starts_with("sandbox-exec -D PROJECT=\"/Users/a/p\" -D TMPDIR=\"$(cd \"$(getconf DARWIN_USER_TEMP_DIR)\" && pwd -P)\" -D HOME=\"$HOME\" -D WRITE_0=\"/Users/a/p/build\" -f build.sb"), "{}", g.command);
        assert!(
            g.test.contains("WRITE_0 = \"/Users/a/p/build\""),
            "{}",
            g.test
        );
    }

    #[test]
    fn wrap_keeps_words_whole() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
    }
}
