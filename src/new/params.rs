//! The user's directories as the profile's parameters: their values for the test file,
//! their values for the `sandbox-exec` command line, and which ones the project's own
//! rule already covers.

use super::{NewError, Options, Param, Preset, EXAMPLE_HOME, EXAMPLE_PROJECT, EXAMPLE_TMPDIR};

/// The parameters of a generated profile.
pub(super) struct Parameters {
    /// Their values in the test file (example paths when the user gave none).
    pub values: Vec<Param>,
    /// Their values on the command line (`$(pwd -P)`, `$HOME` … when the user gave none).
    pub command: Vec<Param>,
    /// The names of the `--read` directories outside the project (`READ_0` …).
    pub reads: Vec<String>,
    /// The names of the write directories kept (`WRITE_0` …).
    pub writes: Vec<String>,
    /// The `--read DIR`/`--write DIR` options inside the project: its rule covers them.
    pub covered: Vec<String>,
}

/// Refuses a directory that cannot be a parameter's value.
pub(super) fn check_directories(options: &Options) -> Result<(), NewError> {
    for dir in options
        .read
        .iter()
        .chain(&options.write)
        .chain(&options.project)
        .chain(&options.home)
        .chain(&options.tmpdir)
    {
        if dir.is_empty() || dir.contains('"') || dir.contains('\n') {
            return Err(NewError(format!("`{dir}` is not a directory name")));
        }
    }
    Ok(())
}

/// The parameters of `options`: `PROJECT`, `TMPDIR`, `HOME`, then one per directory to
/// read or write outside the project (inside it, the project's rule covers it, and a
/// second rule would change nothing, SB402: the project is always readable, and writable
/// but for `build`). `build` writes `build` in the project when no `--write` is given.
pub(super) fn parameters(options: &Options) -> Parameters {
    let project = options
        .project
        .clone()
        .unwrap_or_else(|| EXAMPLE_PROJECT.to_string());
    let mut p = Parameters {
        values: vec![
            Param::new("PROJECT", &project),
            Param::new(
                "TMPDIR",
                options.tmpdir.as_deref().unwrap_or(EXAMPLE_TMPDIR),
            ),
            Param::new("HOME", options.home.as_deref().unwrap_or(EXAMPLE_HOME)),
        ],
        command: vec![
            Param::new("PROJECT", options.project.as_deref().unwrap_or("$(pwd -P)")),
            Param::new(
                "TMPDIR",
                options
                    .tmpdir
                    .as_deref()
                    .unwrap_or("$(cd \"$(getconf DARWIN_USER_TEMP_DIR)\" && pwd -P)"),
            ),
            Param::new("HOME", options.home.as_deref().unwrap_or("$HOME")),
        ],
        reads: Vec::new(),
        writes: Vec::new(),
        covered: Vec::new(),
    };
    let dirs = Directories {
        project: &project,
        given: options.project.is_some(),
    };
    let inside = |dir: &str| crate::model::paths::under(&dirs.absolute(dir), &project);
    let mut read_dirs = Vec::new();
    for d in &options.read {
        if inside(d) {
            p.covered.push(format!("--read {d}"));
        } else {
            read_dirs.push(d.as_str());
        }
    }
    let build_output = ["build".to_string()];
    let writes = if options.preset == Preset::Build && options.write.is_empty() {
        &build_output[..]
    } else {
        &options.write[..]
    };
    let mut write_dirs = Vec::new();
    for d in writes {
        if options.preset != Preset::Build && inside(d) {
            p.covered.push(format!("--write {d}"));
        } else {
            write_dirs.push(d.as_str());
        }
    }
    for (i, dir) in read_dirs.iter().enumerate() {
        let name = dirs.add(&mut p, format!("READ_{i}"), dir);
        p.reads.push(name);
    }
    for (i, dir) in write_dirs.iter().enumerate() {
        let name = dirs.add(&mut p, format!("WRITE_{i}"), dir);
        p.writes.push(name);
    }
    p
}

/// How a directory the user named becomes a parameter's values.
struct Directories<'a> {
    /// The project directory's value in the test file.
    project: &'a str,
    /// The user gave `--project`: the command line uses it too.
    given: bool,
}

impl Directories<'_> {
    /// `dir` against the project, without a trailing `/`.
    fn absolute(&self, dir: &str) -> String {
        if dir.starts_with('/') {
            dir.trim_end_matches('/').to_string()
        } else {
            format!(
                "{}/{}",
                self.project.trim_end_matches('/'),
                dir.trim_end_matches('/')
            )
        }
    }

    /// `dir` on the command line: against `$(pwd -P)` when no project was given.
    fn in_command(&self, dir: &str) -> String {
        if dir.starts_with('/') || self.given {
            self.absolute(dir)
        } else {
            format!("$(pwd -P)/{}", dir.trim_end_matches('/'))
        }
    }

    /// Adds the parameter `name` for `dir` to both lists; its name.
    fn add(&self, p: &mut Parameters, name: String, dir: &str) -> String {
        p.values.push(Param::new(&name, &self.absolute(dir)));
        p.command.push(Param::new(&name, &self.in_command(dir)));
        name
    }
}

/// The `sandbox-exec` command line that runs the preset's program under the profile.
pub(super) fn command(options: &Options, params: &Parameters) -> String {
    format!(
        "sandbox-exec {} -f {} {}",
        params
            .command
            .iter()
            .map(|p| format!("-D {}=\"{}\"", p.name, p.value))
            .collect::<Vec<_>>()
            .join(" "),
        options.file_name,
        match options.preset {
            Preset::Python => "python3 -m your_package",
            Preset::Node => "node your_script.js",
            Preset::Shell => "/bin/zsh -c 'your command'",
            Preset::Build => "make",
        }
    )
}
