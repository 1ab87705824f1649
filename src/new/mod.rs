//! `sblint new`: a starting profile for a kind of program, made of what known-running
//! profiles grant (`grammar/essentials.tsv`, the Codex and agent-safehouse bases in the
//! corpus), each rule with a comment saying why it is there, user paths as `(param …)`,
//! and a test file (`.sbtest.toml`, the format of `sblint test`) asserting its intent.

mod endpoints;
mod params;
mod profile;
mod test_file;

use profile::Plan;

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
    pub params: Vec<Param>,
}

/// A parameter of the profile (`(param "NAME")`) and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub value: String,
}

impl Param {
    fn new(name: &str, value: &str) -> Param {
        Param {
            name: name.to_string(),
            value: value.to_string(),
        }
    }
}

/// Example values for the test file when the user gave none: a home, its project, and a
/// per-user temporary directory as `getconf DARWIN_USER_TEMP_DIR` gives it, resolved.
pub const EXAMPLE_HOME: &str = "/Users/me";
pub const EXAMPLE_PROJECT: &str = "/Users/me/project";
pub const EXAMPLE_TMPDIR: &str = "/private/var/folders/zz/zyxvpxvq6csfxvn_n0000000000000/T";

/// Makes the profile and its test file: the endpoints and the parameters first (each
/// refused with a reason), then the profile's rules and the test file's assertions.
pub fn generate(options: &Options) -> Result<Generated, NewError> {
    let endpoints = endpoints::endpoints(options)?;
    params::check_directories(options)?;
    let params = params::parameters(options);
    let command = params::command(options, &params);
    let profile = profile::render(&Plan {
        options,
        params: &params,
        endpoints: &endpoints,
        command: &command,
    })?;
    let test = test_file::test_file(options, &params.values, &endpoints, &params.writes);
    Ok(Generated {
        profile,
        test,
        command,
        params: params.values,
    })
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
        assert_eq!(profile::wrap("aa bb cc", 5), ["aa bb", "cc"]);
    }
}
