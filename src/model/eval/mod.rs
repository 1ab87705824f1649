//! A bounded evaluator for the Scheme that real profiles use.
//!
//! It runs the forms of the preludes and of the file in order, as libsandbox's TinyScheme
//! would, and records every rule `allow`/`deny` makes. What it cannot know (an unset
//! `param`, a branch on it) stays unknown: rules from such branches are marked uncertain,
//! and filters built from unknown strings match nothing the checks rely on. Evaluation is
//! bounded by a step limit and a depth limit, and reports when it stops.

use std::cell::RefCell;
use std::path::PathBuf;

use rustc_hash::FxHashMap;
use std::rc::Rc;
use std::sync::Arc;

use super::implicit::{self, ImplicitRule};
use super::rule::{FileId, FilterExpr, Modifier, Origin, Rule};
use super::value::{Closure, Env, Value};
use super::vocab::{vocabulary, MacOs, Vocabulary};
use super::{Issue, Model, ModelOptions, UnreadImport};
use crate::syntax::{Element, Span, SyntaxTree};

mod builtins;
mod imports;
mod interp;
mod lower;

const MAX_DEPTH: usize = 200;
const MAX_STEPS: u64 = 5_000_000;
/// Steps allowed per token of the files read, on top of [`MAX_STEPS`]: a profile of a
/// million rules is evaluated to the end, a runaway recursion still stops.
const STEPS_PER_TOKEN: u64 = 20;
const MAX_IMPORT_BYTES: u64 = 16 << 20;

#[derive(Clone)]
enum TreeRef<'a> {
    Borrowed(&'a SyntaxTree),
    Owned(Arc<SyntaxTree>),
}

impl TreeRef<'_> {
    fn get(&self) -> &SyntaxTree {
        match self {
            TreeRef::Borrowed(t) => t,
            TreeRef::Owned(t) => t,
        }
    }
}

/// Where a call is being evaluated: filter positions suggest filter names.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    Statement,
    Filter,
}

/// What kind of name was not found: what "did you mean" looks among.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unknown {
    Variable,
    Function,
    Filter,
}

pub fn build(tree: &SyntaxTree, preludes: &[&SyntaxTree], options: &ModelOptions) -> Model {
    let files: Vec<&SyntaxTree> = std::iter::once(tree)
        .chain(preludes.iter().copied())
        .collect();
    // Most top-level forms make one rule: growing a vector of 100,000 rules by doubling
    // would copy it into fresh memory again and again.
    let forms: usize = files.iter().map(|t| t.items(t.root()).count()).sum();
    let tokens: u64 = files.iter().map(|t| t.tokens().len() as u64).sum();
    let trees = files.iter().map(|t| TreeRef::Borrowed(t)).collect();
    let max_steps = MAX_STEPS + STEPS_PER_TOKEN * tokens;
    let mut eval = Evaluator::new(options, trees, max_steps, forms);
    if options.implicit {
        eval.run_implicit(implicit::Position::Before);
    }
    for i in 1..=preludes.len() {
        eval.run_file(FileId(i as u16));
    }
    eval.run_file(FileId::MAIN);
    if options.implicit && !eval.aborted {
        eval.run_implicit(implicit::Position::After);
    }
    Model {
        macos: eval.macos,
        rules: eval.rules,
        issues: eval.issues,
        complete: !eval.aborted,
        missing_import: eval.missing_import,
        imported: eval.imported,
        unset_params: eval.unset_params,
        implicit: eval.implicit,
        unread_imports: eval.unread_imports,
    }
}

struct Evaluator<'a> {
    vocab: &'static Vocabulary,
    macos: MacOs,
    options: &'a ModelOptions,
    trees: Vec<TreeRef<'a>>,
    /// Directory of each file, for `import`.
    dirs: Vec<Option<PathBuf>>,
    global: Rc<Env>,
    steps: u64,
    /// The step budget: [`MAX_STEPS`] plus [`STEPS_PER_TOKEN`] per token of the files.
    max_steps: u64,
    depth: usize,
    rules: Vec<Rule>,
    issues: Vec<Issue>,
    /// Inside branches whose condition is unknown.
    uncertain: usize,
    /// After an unknown operand of `and`/`or`: what follows may never be evaluated.
    guarded: usize,
    filter_context: Vec<FilterExpr>,
    modifier_context: Vec<Modifier>,
    site: Option<Span>,
    aborted: bool,
    importing: Vec<PathBuf>,
    missing_import: bool,
    /// Closures being called, with the uncertainty depth at their call.
    active: Vec<(*const Closure, usize)>,
    /// Files read by `import`, kept so that findings and `compile` can cite them.
    imported: Vec<(FileId, String, Arc<SyntaxTree>)>,
    /// `param` names evaluated without a value.
    unset_params: Vec<String>,
    /// What each name the profile does not define means (memoised vocabulary lookups).
    builtins: RefCell<FxHashMap<Box<str>, Option<Value>>>,
    /// The implicit rules injected: index into `rules`, row, verified on this macOS.
    implicit: Vec<(usize, &'static ImplicitRule, bool)>,
    /// Imports of the checked file that could not be read.
    unread_imports: Vec<UnreadImport>,
}

impl<'a> Evaluator<'a> {
    fn new(
        options: &'a ModelOptions,
        trees: Vec<TreeRef<'a>>,
        max_steps: u64,
        rules: usize,
    ) -> Evaluator<'a> {
        Evaluator {
            vocab: vocabulary(),
            macos: options.macos.unwrap_or(MacOs::NEWEST),
            options,
            dirs: vec![options.base_dir.clone(); trees.len()],
            trees,
            global: Rc::new(Env::default()),
            steps: 0,
            max_steps,
            depth: 0,
            rules: Vec::with_capacity(rules),
            issues: Vec::new(),
            uncertain: 0,
            guarded: 0,
            filter_context: Vec::new(),
            modifier_context: Vec::new(),
            site: None,
            aborted: false,
            importing: Vec::new(),
            missing_import: false,
            active: Vec::new(),
            builtins: RefCell::default(),
            imported: Vec::new(),
            unset_params: Vec::new(),
            implicit: Vec::new(),
            unread_imports: Vec::new(),
        }
    }

    fn tree(&self, file: FileId) -> TreeRef<'a> {
        self.trees[file.0 as usize].clone()
    }

    fn issue(&mut self, file: FileId, issue: Issue) {
        if file == FileId::MAIN {
            self.issues.push(issue);
        } else if let (Issue::Import { message, apple, .. }, Some(site)) = (&issue, self.site) {
            // A failed import inside an imported file surfaces where the chain started.
            self.issues.push(Issue::Import {
                span: site,
                message: format!("in an imported file: {message}"),
                apple: *apple,
            });
        }
    }

    fn run_file(&mut self, file: FileId) {
        let tree = self.tree(file);
        let tree = tree.get();
        let forms: Vec<Element> = tree.items(tree.root()).collect();
        self.run_forms(file, &forms);
        if file == FileId::MAIN {
            self.site = None;
        }
    }

    /// Evaluates top-level forms in order.
    fn run_forms(&mut self, file: FileId, forms: &[Element]) {
        let tree = self.tree(file);
        let tree = tree.get();
        let global = self.global.clone();
        let mut after_atom = false;
        for &form in forms {
            // Plain text or a script is a run of bare words: libsandbox stops at the
            // first, and one finding says so (the rest would repeat it word by word).
            let atom = matches!(form, Element::Token(_));
            if atom && after_atom {
                continue;
            }
            after_atom = atom;
            if file == FileId::MAIN {
                self.site = Some(tree.span(form));
            }
            self.eval(file, form, &global, Position::Statement);
            if self.aborted {
                break;
            }
        }
    }

    /// Evaluates the rules of `grammar/implicit.tsv` at `position` that may hold on this
    /// macOS, as a file of their own; a row no source shows here makes uncertain rules.
    fn run_implicit(&mut self, position: implicit::Position) {
        let vocab = self.vocab;
        let macos = self.macos;
        let rows: Vec<(&'static ImplicitRule, bool)> = implicit::layer(macos, position)
            .into_iter()
            .filter(|(row, _)| {
                row.operations().all(|op| {
                    vocab
                        .op_id(op)
                        .is_some_and(|id| vocab.operation(id).exists_in(macos))
                })
            })
            .collect();
        if rows.is_empty() {
            return;
        }
        let text: String = rows
            .iter()
            .map(|(row, _)| format!("{}\n", row.rule))
            .collect();
        let id = FileId(self.trees.len() as u16);
        let tree = Arc::new(crate::syntax::parse(text));
        self.imported
            .push((id, implicit::FILE_NAME.to_string(), tree.clone()));
        self.trees.push(TreeRef::Owned(tree));
        self.dirs.push(None);
        let tree = self.tree(id);
        let forms: Vec<Element> = tree.get().items(tree.get().root()).collect();
        let global = self.global.clone();
        let site = self.site.take();
        for (form, (row, verified)) in forms.into_iter().zip(rows) {
            let start = self.rules.len();
            self.uncertain += usize::from(!verified);
            self.eval(id, form, &global, Position::Statement);
            self.uncertain -= usize::from(!verified);
            self.implicit
                .extend((start..self.rules.len()).map(|i| (i, row, verified)));
        }
        self.site = site;
    }

    fn origin(&self, file: FileId, span: Span) -> Origin {
        Origin { file, span }
    }
}
