//! The library API: the calls a profile generator's tests make, and the ones the command
//! line, the WebAssembly build and the Python module expose. Load a [`Profile`] from text
//! or a file with its [`Options`], then ask it: [`Profile::check`] (the lints),
//! [`Profile::decide`] (which rule decides an operation on an argument),
//! [`Profile::never`] / [`Profile::always`] (a question about every argument at once, with
//! a witness when it fails), [`diff`] (what changes between two profiles) and [`format`].
//! Every answer is plain data that serialises to JSON (`serde`); every failure is an
//! [`Error`].
//!
//! ```
//! use sblint::{Options, Profile};
//!
//! let text = r#"
//! (version 1)
//! (deny default)
//! (allow file-read* (subpath (param "PROJECT")))
//! "#;
//! let profile = Profile::from_text(text, &Options::new().param("PROJECT", "/Users/me/proj"))?;
//! assert!(profile.decide("file-read-data", Some("/Users/me/proj/main.py"))?.allowed());
//! assert!(profile.never("file-read*", &["/Users/me/proj/**"])?.holds);
//! # Ok::<(), sblint::Error>(())
//! ```

mod answers;
#[cfg(feature = "native")]
pub(crate) mod audit_text;
#[cfg(feature = "native")]
pub(crate) mod checks;
#[cfg_attr(not(feature = "native"), allow(dead_code))]
pub(crate) mod diff_text;
mod error;
#[cfg(feature = "native")]
pub(crate) mod formatting;
mod options;
#[cfg_attr(not(feature = "native"), allow(dead_code))]
pub(crate) mod set_text;
#[cfg_attr(not(feature = "native"), allow(dead_code))]
pub(crate) mod tests;
mod text;
mod texts;

use std::path::{Path, PathBuf};

pub use answers::{
    Alternative, Change, Condition, Decision, Diff, Dispute, Finding, Implicit, LoadError, RuleAt,
    SetAnswer, Side, Traversal, UnreadImport, Verdict, Witness,
};
pub use error::{Error, SourceError};
pub use options::{Options, PreludeSource};
pub use texts::{check_text, test_text, Claim, TestFailure, TestReport, TestResult};

use crate::diagnostic::Diagnostic;
use crate::lint::{self, CheckOptions};
use crate::model::sets::{self, Answer, Budget, Entry};
use crate::model::sources::SourceMap;
use crate::model::{vocabulary, Issue, Model, ModelOptions, OpId};
use crate::syntax::{parse, LineIndex, SyntaxTree};
use crate::workspace::{inputs, Input, Overrides, Settings};

/// A profile, parsed and evaluated with its options: what libsandbox would see.
///
/// Loading refuses a profile that does not parse ([`Error::Syntax`]) or whose `import`
/// cannot be read ([`Error::Import`]): every answer would be about another profile. What
/// else is wrong with it is a [`Finding`] of [`Profile::check`], and what would make
/// `sandbox-exec` refuse it is in [`Profile::load_errors`].
///
/// ```
/// use sblint::{Options, Profile};
///
/// let profile = Profile::from_text("(version 1)\n(deny default)\n", &Options::new())?;
/// assert_eq!(profile.name(), "<text>");
/// assert!(profile.loads());
/// # Ok::<(), sblint::Error>(())
/// ```
pub struct Profile {
    name: String,
    tree: SyntaxTree,
    options: CheckOptions,
    model: Model,
    /// What would make `sandbox-exec` refuse the profile (SB0xx/SB1xx errors).
    errors: Vec<Diagnostic>,
    /// The same profile evaluated with the rules libsandbox adds by itself, when `model`
    /// lacks them: what decisions are made on ([`Profile::answering`]), built on the first
    /// question.
    answering: std::sync::OnceLock<Box<Profile>>,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile")
            .field("name", &self.name)
            .field("macos", &self.model.macos)
            .field("rules", &self.model.rules.len())
            .finish_non_exhaustive()
    }
}

impl Profile {
    /// Loads a profile from its text (named `<text>` in findings and errors).
    ///
    /// ```
    /// use sblint::{Options, Profile};
    ///
    /// let profile = Profile::from_text("(version 1)\n(allow default)\n", &Options::new())?;
    /// assert!(profile.decide("mach-lookup", Some("com.apple.cfprefsd.daemon"))?.allowed());
    /// # Ok::<(), sblint::Error>(())
    /// ```
    pub fn from_text(text: impl Into<String>, options: &Options) -> Result<Profile, Error> {
        Profile::named("<text>", text, options)
    }

    /// Loads a profile from its text under a name (a file name, for messages); `import`s
    /// are searched in the import paths only.
    ///
    /// ```
    /// use sblint::{Options, Profile};
    ///
    /// let profile = Profile::named("generated.sb", "(version 1)\n", &Options::new())?;
    /// assert_eq!(profile.name(), "generated.sb");
    /// # Ok::<(), sblint::Error>(())
    /// ```
    pub fn named(
        name: impl Into<String>,
        text: impl Into<String>,
        options: &Options,
    ) -> Result<Profile, Error> {
        let name = name.into();
        let profile = Profile::build(name, text.into(), options.resolve(None)?);
        profile.evaluable(false)?;
        Ok(profile)
    }

    /// Loads the profile in a file; its `import`s are searched in its directory, then the
    /// import paths.
    ///
    /// ```
    /// use sblint::{Options, Profile};
    ///
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/untrusted-python.sb");
    /// let profile = Profile::from_file(path, &Options::new().param("PROJECT", "/Users/me/proj"))?;
    /// assert!(profile.check().iter().all(|f| f.severity != sblint::Severity::Error));
    /// # Ok::<(), sblint::Error>(())
    /// ```
    pub fn from_file(path: impl AsRef<Path>, options: &Options) -> Result<Profile, Error> {
        let path = path.as_ref();
        let bytes = inputs::read(&Input::File(path.to_path_buf()))?;
        let name = path.display().to_string();
        let text = lint::decode(bytes).map_err(|e| Error::NotUtf8 {
            name: name.clone(),
            message: e.diagnostic.message,
        })?;
        let base_dir = Some(path.parent().map(Path::to_path_buf).unwrap_or_default());
        let profile = Profile::build(name, text, options.resolve(base_dir)?);
        profile.evaluable(false)?;
        Ok(profile)
    }

    /// The profile a door names (a file or stdin), with the door's overrides over
    /// `sblint.toml`, refused when it does not parse or an import fails (the command
    /// line's `explain`, `compile`, `test`, `diff`, `run`).
    #[cfg_attr(not(feature = "native"), allow(dead_code))] // the command line's
    ///
    /// With `explain`, the model has the rules libsandbox adds by itself, and an import
    /// that cannot be read (Apple's `/System/Library/Sandbox/Profiles/bsd.sb` off a Mac) is
    /// no error: the answer is what the rules it can read decide, marked conditional on it.
    pub(crate) fn load_input(
        input: &Input,
        overrides: Overrides,
        explain: bool,
    ) -> Result<Profile, Error> {
        let name = inputs::display_name(input, None);
        let bytes = inputs::read(input)?;
        let text = lint::decode(bytes).map_err(|e| Error::NotUtf8 {
            name: name.clone(),
            message: e.diagnostic.message,
        })?;
        let tree = parse(text);
        if let Some(error) = tree.errors().first() {
            let message = format!("{} (run `sblint check {name}`)", error.message);
            return Err(Error::Syntax(Box::new(SourceError::at(
                &name,
                tree.text(),
                error.span.range(),
                message,
                "here",
            ))));
        }
        let mut settings = Settings::new(overrides)?;
        let mut options = settings.options_for(input)?;
        options.model.implicit = explain;
        let profile = Profile::evaluate(name, tree, options);
        profile.evaluable(explain)?;
        Ok(profile)
    }

    /// [`Profile::load_input`] of a path a door names (`-` for stdin).
    #[cfg_attr(not(feature = "native"), allow(dead_code))] // the command line's
    pub(crate) fn load_path(
        path: &Path,
        overrides: Overrides,
        explain: bool,
    ) -> Result<Profile, Error> {
        let input = if path.as_os_str() == "-" {
            Input::Stdin
        } else {
            Input::File(path.to_path_buf())
        };
        Profile::load_input(&input, overrides, explain)
    }

    fn build(name: String, text: String, options: CheckOptions) -> Profile {
        Profile::evaluate(name, parse(text), options)
    }

    fn evaluate(name: String, tree: SyntaxTree, options: CheckOptions) -> Profile {
        let preludes: Vec<&SyntaxTree> = options.preludes.iter().map(|p| &p.tree).collect();
        let model = Model::new(&tree, &preludes, &options.model);
        let errors = lint::load_errors(&tree, &options.preludes, &model);
        Profile {
            name,
            tree,
            options,
            model,
            errors,
            answering: std::sync::OnceLock::new(),
        }
    }

    /// The profile decisions are made on (`decide`, `explain`, `never`, `always`,
    /// `sblint test`, as `sblint explain`): this one with the rules libsandbox adds by itself
    /// (`grammar/implicit.tsv`), which a Mac decides with. The checks and `compile` keep
    /// to the profile's own rules ([`Profile::model`]).
    pub(crate) fn answering(&self) -> &Profile {
        if self.options.model.implicit {
            return self;
        }
        self.answering.get_or_init(|| {
            let options = CheckOptions {
                preludes: self.options.preludes.clone(),
                model: ModelOptions {
                    implicit: true,
                    ..self.options.model.clone()
                },
                selection: self.options.selection.clone(),
            };
            Box::new(Profile::evaluate(
                self.name.clone(),
                self.tree.clone(),
                options,
            ))
        })
    }

    /// `Err` when the questions cannot be answered: a syntax error, an import not read
    /// (with `unread_ok`, only one that was read but is broken).
    fn evaluable(&self, unread_ok: bool) -> Result<(), Error> {
        if let Some(error) = self.tree.errors().first() {
            return Err(Error::Syntax(Box::new(SourceError::at(
                &self.name,
                self.tree.text(),
                error.span.range(),
                error.message.clone(),
                "here",
            ))));
        }
        // Without the imported rules the answer would be about another profile.
        let unread = |span: crate::syntax::Span| {
            unread_ok && self.model.unread_imports.iter().any(|u| u.span == span)
        };
        if let Some((span, message)) = self.model.issues.iter().find_map(|issue| match issue {
            Issue::Import { span, message, .. } if !unread(*span) => Some((*span, message)),
            _ => None,
        }) {
            return Err(Error::Import(Box::new(SourceError::at(
                &self.name,
                self.tree.text(),
                span.range(),
                message.clone(),
                "this import",
            ))));
        }
        Ok(())
    }

    /// The name given, or the file's path.
    ///
    /// ```
    /// # use sblint::{Options, Profile};
    /// assert_eq!(Profile::named("p.sb", "(version 1)", &Options::new())?.name(), "p.sb");
    /// # Ok::<(), sblint::Error>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The profile's text.
    ///
    /// ```
    /// # use sblint::{Options, Profile};
    /// assert_eq!(Profile::from_text("(version 1)", &Options::new())?.text(), "(version 1)");
    /// # Ok::<(), sblint::Error>(())
    /// ```
    pub fn text(&self) -> &str {
        self.tree.text()
    }

    /// The macOS version whose vocabulary applies (`macOS 14.4.1` unless the options say).
    ///
    /// ```
    /// # use sblint::{Options, Profile};
    /// let profile = Profile::from_text("(version 1)", &Options::new().macos("sonoma"))?;
    /// assert_eq!(profile.macos(), "macOS 14");
    /// # Ok::<(), sblint::Error>(())
    /// ```
    pub fn macos(&self) -> String {
        self.model.macos.to_string()
    }

    /// Every finding of every rule, in the order of the text.
    ///
    /// ```
    /// use sblint::{Options, Profile};
    ///
    /// let profile = Profile::from_text("(version 1)\n(deny default)\n(allow file-read* (subpath \"/tmp\"))\n", &Options::new())?;
    /// let findings = profile.check();
    /// assert!(findings.iter().any(|f| f.code == "SB201"), "{findings:#?}");
    /// # Ok::<(), sblint::Error>(())
    /// ```
    pub fn check(&self) -> Vec<Finding> {
        let diagnostics = lint::check_model(
            &self.tree,
            &self.options.preludes,
            &self.model,
            &self.options.selection,
        );
        let report = crate::diagnostic::FileReport::new(
            self.name.clone(),
            self.tree.text().to_string(),
            diagnostics,
        );
        report
            .diagnostics
            .iter()
            .map(|d| Finding::new(&report, d))
            .collect()
    }

    /// True when nothing sblint knows makes `sandbox-exec` refuse the profile.
    ///
    /// ```
    /// # use sblint::{Options, Profile};
    /// let profile = Profile::from_text("(version 1)\n(allow file-read* (subpath HOME))\n", &Options::new())?;
    /// assert!(!profile.loads());
    /// assert_eq!(profile.load_errors()[0].code, "SB004");
    /// # Ok::<(), sblint::Error>(())
    /// ```
    pub fn loads(&self) -> bool {
        self.errors.is_empty()
    }

    /// Why `sandbox-exec` would refuse the profile (the errors of SB0xx and SB1xx).
    ///
    /// ```
    /// # use sblint::{Options, Profile};
    /// let profile = Profile::from_text("(version 1)\n(deny default)\n", &Options::new())?;
    /// assert!(profile.load_errors().is_empty());
    /// # Ok::<(), sblint::Error>(())
    /// ```
    pub fn load_errors(&self) -> Vec<LoadError> {
        let index = LineIndex::new(self.tree.text());
        self.errors
            .iter()
            .map(|d| {
                let at = index.line_col(self.tree.text(), d.primary.span.start);
                LoadError {
                    line: at.line,
                    column: at.col,
                    code: d.code,
                    message: d.message.clone(),
                }
            })
            .collect()
    }

    /// Which rule decides `operation` on `argument` (a path, `HOST:PORT`, or a name such
    /// as a Mach service; `None` for operations without one), with what could change it
    /// at run time. Paths are taken as written and resolved as the kernel does
    /// (`/tmp/x` is checked as `/private/tmp/x`).
    ///
    /// ```
    /// use sblint::{Options, Profile, Verdict};
    ///
    /// let profile = Profile::from_text(
    ///     "(version 1)\n(deny default)\n(allow network-outbound (remote tcp \"*:443\"))\n",
    ///     &Options::new(),
    /// )?;
    /// let decision = profile.decide("network-outbound", Some("example.com:443"))?;
    /// assert_eq!(decision.verdict, Verdict::Allow);
    /// assert_eq!(decision.line, Some(3));
    /// assert!(!profile.decide("network-outbound", Some("example.com:80"))?.allowed());
    /// # Ok::<(), sblint::Error>(())
    /// ```
    pub fn decide(&self, operation: &str, argument: Option<&str>) -> Result<Decision, Error> {
        let profile = self.answering();
        let explanation = profile.explanation(operation, argument)?;
        Ok(profile.decision(&explanation))
    }

    /// Which rule decides `operation` on `argument`, in words, as `sblint explain` prints
    /// it: the outcome, the deciding rule drawn in its file with the rules it overrides,
    /// what could change it at run time; first, why `sandbox-exec` would refuse the
    /// profile, if it would.
    ///
    /// ```
    /// use sblint::{Options, Profile};
    ///
    /// let profile = Profile::named(
    ///     "p.sb",
    ///     "(version 1)\n(deny default)\n(allow file-read* (subpath \"/usr\"))\n",
    ///     &Options::new(),
    /// )?;
    /// let text = profile.explain("file-read-data", Some("/usr/lib/libz.dylib"))?;
    /// assert!(text.starts_with("allow: file-read-data /usr/lib/libz.dylib\n"), "{text}");
    /// assert!(text.contains("this rule decides"), "{text}");
    /// # Ok::<(), sblint::Error>(())
    /// ```
    pub fn explain(&self, operation: &str, argument: Option<&str>) -> Result<String, Error> {
        let profile = self.answering();
        let explanation = profile.explanation(operation, argument)?;
        Ok(profile.explanation_text(&explanation, false, true))
    }

    /// An explanation in words; with `load_errors`, why `sandbox-exec` would refuse the
    /// profile first.
    pub(crate) fn explanation_text(
        &self,
        e: &crate::explain::Explanation,
        color: bool,
        load_errors: bool,
    ) -> String {
        let mut out = String::new();
        if load_errors {
            // What `sandbox-exec` would do first: refuse the profile.
            for line in self.load_error_lines() {
                out.push_str(&format!("fails to load: {line}\n"));
            }
            if !out.is_empty() {
                out.push_str("  (`sandbox-exec` refuses this profile; the answer below is what it would decide if it loaded)\n");
            }
        }
        out.push_str(&text::to_human(self, &self.sources(), e, color));
        out
    }

    /// The point decision, as the model has it (the command line renders it).
    pub(crate) fn explanation(
        &self,
        operation: &str,
        argument: Option<&str>,
    ) -> Result<crate::explain::Explanation, Error> {
        // Relative arguments are taken from `/` where there is no working directory (a
        // browser).
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
        Ok(crate::explain::explain(
            &self.model,
            operation,
            argument,
            &cwd,
        )?)
    }

    /// `never`: no argument of `operation` (a leaf or a wildcard such as `file-write*`:
    /// every leaf it covers) outside the `except` entries is allowed. Entries: `/PATH`
    /// (exactly it), `/PATH/**` (it and everything under it), `HOST:PORT` (`*` for either
    /// part), `name`, `prefix*`. When it fails, the witness is the shortest argument that
    /// is allowed.
    ///
    /// ```
    /// use sblint::{Options, Profile};
    ///
    /// let profile = Profile::from_text(
    ///     "(version 1)\n(deny default)\n(allow file-write* (subpath \"/private/tmp\") (literal \"/dev/null\"))\n",
    ///     &Options::new(),
    /// )?;
    /// assert!(profile.never("file-write*", &["/tmp/**", "/dev/null"])?.holds);
    /// let answer = profile.never("file-write*", &["/dev/null"])?;
    /// assert!(!answer.holds);
    /// assert_eq!(answer.witness.unwrap().argument.as_deref(), Some("/private/tmp"));
    /// # Ok::<(), sblint::Error>(())
    /// ```
    pub fn never(&self, operation: &str, except: &[impl AsRef<str>]) -> Result<SetAnswer, Error> {
        self.never_within(operation, None::<&[&str]>, except)
    }

    /// `never` restricted to `within`: no argument inside `within` (everything when
    /// `None`) and outside `except` is allowed.
    ///
    /// ```
    /// use sblint::{Options, Profile};
    ///
    /// let profile = Profile::from_text(
    ///     "(version 1)\n(deny default)\n(allow file-read* (subpath \"/Users/me\"))\n",
    ///     &Options::new(),
    /// )?;
    /// let ssh = profile.never_within("file-read*", Some(&["/Users/me/.ssh/**"]), &[] as &[&str])?;
    /// assert!(!ssh.holds);
    /// # Ok::<(), sblint::Error>(())
    /// ```
    pub fn never_within(
        &self,
        operation: &str,
        within: Option<&[impl AsRef<str>]>,
        except: &[impl AsRef<str>],
    ) -> Result<SetAnswer, Error> {
        let op = self.operation(operation)?;
        let within = match within {
            Some(list) => Some(self.entries(op, list)?),
            None => None,
        };
        let except = self.entries(op, except)?;
        let budget = Budget::default();
        let profile = self.answering();
        let answer = sets::never(
            &profile.model.rules,
            op,
            within.as_deref(),
            &except,
            &budget,
        );
        profile.set_answer(operation, answer)
    }

    /// `always`: every argument of `operation` inside the `within` entries (as for
    /// [`never`](Profile::never)) is allowed, whatever happens at run time. When it fails,
    /// the witness is the shortest argument that is not surely allowed.
    ///
    /// ```
    /// use sblint::{Options, Profile};
    ///
    /// let profile = Profile::from_text(
    ///     "(version 1)\n(deny default)\n(allow mach-lookup (global-name-prefix \"com.apple.\"))\n",
    ///     &Options::new(),
    /// )?;
    /// assert!(profile.always("mach-lookup", &["com.apple.*"])?.holds);
    /// assert!(!profile.always("mach-lookup", &["org.example.agent"])?.holds);
    /// # Ok::<(), sblint::Error>(())
    /// ```
    pub fn always(&self, operation: &str, within: &[impl AsRef<str>]) -> Result<SetAnswer, Error> {
        let op = self.operation(operation)?;
        let within = self.entries(op, within)?;
        let profile = self.answering();
        let answer = sets::always(&profile.model.rules, op, &within, &Budget::default());
        profile.set_answer(operation, answer)
    }

    /// The flat, parameter-free profile with the same meaning (`sblint compile`), not yet
    /// formatted.
    ///
    /// ```
    /// # use sblint::{Options, Profile};
    /// let profile = Profile::from_text(
    ///     "(version 1)\n(deny default)\n(allow file-read* (subpath (param \"P\")))\n",
    ///     &Options::new().param("P", "/opt/x"),
    /// )?;
    /// assert!(profile.compile()?.contains("(subpath \"/opt/x\")"));
    /// # Ok::<(), sblint::Error>(())
    /// ```
    pub fn compile(&self) -> Result<String, Error> {
        self.loadable()?;
        crate::compile::compile(&self.model, &self.sources()).map_err(|e| Error::Compile {
            name: self.name.clone(),
            reason: e.to_string(),
        })
    }

    /// The rules as JSON (`sblint compile --emit json`).
    #[cfg_attr(not(feature = "native"), allow(dead_code))] // the command line's
    pub(crate) fn compile_json(&self) -> Result<serde_json::Value, Error> {
        self.loadable()?;
        crate::compile::compile_json(&self.model, &self.sources()).map_err(|e| Error::Compile {
            name: self.name.clone(),
            reason: e.to_string(),
        })
    }

    /// `Err` when `sandbox-exec` would refuse the profile: a flat copy would hide why.
    fn loadable(&self) -> Result<(), Error> {
        if self.errors.is_empty() {
            return Ok(());
        }
        Err(Error::Compile {
            name: self.name.clone(),
            reason: format!(
                "the profile fails to load: {}",
                self.load_error_lines().join("; ")
            ),
        })
    }

    /// "`p.sb`:3:28: SB004 unbound variable `HOME` …", one per load error.
    pub(crate) fn load_error_lines(&self) -> Vec<String> {
        self.load_errors()
            .iter()
            .map(|e| {
                format!(
                    "`{}`:{}:{}: {} {}",
                    self.name, e.line, e.column, e.code, e.message
                )
            })
            .collect()
    }

    /// The operation as a rule would name it: a leaf, a wildcard (`file-write*`), an
    /// alias; one that exists on the profile's macOS.
    pub(crate) fn operation(&self, name: &str) -> Result<OpId, Error> {
        let vocab = vocabulary();
        vocab
            .operation_on(name, self.model.macos)
            .ok_or_else(|| Error::UnknownOperation {
                name: name.to_string(),
                suggestion: vocab.suggest_operation(name),
            })
    }

    /// The entries of a set question, parsed for `op`.
    pub(crate) fn entries(&self, op: OpId, texts: &[impl AsRef<str>]) -> Result<Vec<Entry>, Error> {
        texts
            .iter()
            .map(|t| {
                sets::parse_entry(op, t.as_ref()).map_err(|e| Error::Entry {
                    message: e.to_string(),
                })
            })
            .collect()
    }

    fn set_answer(&self, operation: &str, answer: Answer) -> Result<SetAnswer, Error> {
        match answer {
            Answer::Holds => Ok(SetAnswer {
                holds: true,
                witness: None,
            }),
            Answer::TooComplex { decided } => Err(Error::TooComplex {
                operation: operation.to_string(),
                decided: decided.len(),
            }),
            Answer::Fails(w) => Ok(SetAnswer {
                holds: false,
                witness: Some(self.witness(&w)?),
            }),
        }
    }

    /// A failed set question's witness, with the point decision there.
    pub(crate) fn witness(&self, w: &sets::Witness) -> Result<Witness, Error> {
        let leaf = &vocabulary().operation(w.operation).name;
        let explanation = self.explanation(leaf, w.argument.as_deref())?;
        let sources = self.sources();
        Ok(Witness {
            operation: leaf.clone(),
            argument: w.argument.clone(),
            conditional: w.conditional,
            line: w
                .decision
                .rule
                .map(|i| sources.line_col(self.model.rules[i].origin).line),
            conditions: answers::conditions(&sources, &w.decision),
            decision: self.decision(&explanation),
        })
    }

    /// Where each rule came from, for citing it.
    pub(crate) fn sources(&self) -> SourceMap<'_> {
        let preludes: Vec<(&str, &SyntaxTree)> = self
            .options
            .preludes
            .iter()
            .map(|p| (p.path.as_str(), &p.tree))
            .collect();
        SourceMap::new((self.name.as_str(), &self.tree), &preludes, &self.model)
    }

    /// Another text evaluated with this profile's preludes and options (a merge's result).
    #[cfg_attr(not(feature = "native"), allow(dead_code))] // the command line's
    pub(crate) fn evaluate_text(&self, text: &str) -> Model {
        let preludes: Vec<&SyntaxTree> = self.options.preludes.iter().map(|p| &p.tree).collect();
        Model::new(&parse(text), &preludes, &self.options.model)
    }

    pub(crate) fn model(&self) -> &Model {
        &self.model
    }

    #[cfg_attr(not(feature = "native"), allow(dead_code))] // the command line's
    pub(crate) fn tree(&self) -> &SyntaxTree {
        &self.tree
    }
}

/// Which decisions change from `old` to `new`, for every leaf operation either profile's
/// macOS has, each change with its shortest witness and the decision in each profile.
///
/// ```
/// use sblint::{Options, Profile};
///
/// let old = Profile::from_text("(version 1)\n(deny default)\n", &Options::new())?;
/// let new = Profile::from_text(
///     "(version 1)\n(deny default)\n(allow network-outbound (remote tcp \"*:22\"))\n",
///     &Options::new(),
/// )?;
/// let diff = sblint::diff(&old, &new)?;
/// assert!(!diff.equivalent);
/// let change = &diff.changes[0];
/// assert_eq!((change.operation.as_str(), change.change.as_str()), ("network-outbound", "allowed"));
/// assert!(change.witness.as_deref().unwrap().ends_with(":22"));
/// assert!(sblint::diff(&old, &old)?.equivalent);
/// # Ok::<(), sblint::Error>(())
/// ```
pub fn diff(old: &Profile, new: &Profile) -> Result<Diff, Error> {
    let (changes, undecided) = diff_changes(old, new, None)?;
    Ok(Diff::new(old, new, &changes, &undecided))
}

/// The changes from `old` to `new` on the leaves of `operation` (all when `None`), and the
/// leaf operations left undecided past the budget.
pub(crate) fn diff_changes(
    old: &Profile,
    new: &Profile,
    operation: Option<&str>,
) -> Result<(Vec<sets::Change>, Vec<OpId>), Error> {
    let vocab = vocabulary();
    let root = match operation {
        Some(name) => new.operation(name)?,
        None => vocab.default,
    };
    let ops: Vec<OpId> = sets::leaves(root)
        .into_iter()
        .filter(|&op| {
            let o = vocab.operation(op);
            o.exists_in(old.model.macos) || o.exists_in(new.model.macos)
        })
        .collect();
    // One call for all of them, so that leaves deciding alike are computed once.
    Ok(
        match sets::diff_leaves(&old.model.rules, &new.model.rules, &ops, &Budget::default()) {
            Ok(found) => (found, Vec::new()),
            Err(partial) => {
                let undecided = ops
                    .iter()
                    .copied()
                    .filter(|op| !partial.decided.contains(op))
                    .collect();
                (partial.changes, undecided)
            }
        },
    )
}

/// The profile in the canonical layout (`sblint fmt`); `Err` when it does not parse.
///
/// ```
/// assert_eq!(
///     sblint::format("(version 1)(allow   file-read*)")?,
///     "(version 1)\n(allow file-read*)\n",
/// );
/// assert!(matches!(sblint::format("(allow"), Err(sblint::Error::Syntax(_))));
/// # Ok::<(), sblint::Error>(())
/// ```
pub fn format(text: &str) -> Result<String, Error> {
    crate::fmt::format_text(text, &crate::fmt::FormatOptions::default()).map_err(|tree| {
        let error = &tree.errors()[0];
        Error::Syntax(Box::new(SourceError::at(
            "<text>",
            tree.text(),
            error.span.range(),
            error.message.clone(),
            "here",
        )))
    })
}
