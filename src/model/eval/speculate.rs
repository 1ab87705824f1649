//! Top-level rules evaluated ahead, on all cores.
//!
//! A long profile is mostly top-level `(allow ...)` and `(deny ...)` forms that call only
//! built-ins. What such a form means depends on the rest of the profile only through the
//! names it reads from outside its own bindings, so it can be evaluated ahead, on any
//! thread, in an empty environment, noting those names. The in-order evaluation then takes
//! what was found for a form (its rules, issues, unset params and step count) unless, by
//! then, the profile binds one of the names it read (a `define` of `subpath`, a helper such
//! as `home-subpath`), an import went missing, or the step budget would run out; in those
//! cases it evaluates the form itself. Forms that need more (an import, a call of a name
//! nothing defines, whose suggestion lists the profile's definitions) are refused while
//! speculating. Either way the model is the one in-order evaluation gives: tests build
//! every fixture and corpus profile both ways and compare.
//!
//! Speculation runs a window ahead of the in-order evaluation, so on two cores one
//! speculates while the other takes, and the forms speculation refused (helper calls)
//! are evaluated meanwhile.

use std::cell::RefCell;
use std::rc::Rc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::{Evaluator, Position, Seed};
use crate::model::rule::{FileId, Rule};
use crate::model::value::Env;
use crate::model::Issue;
use crate::syntax::{Element, NodeKind, SyntaxTree, TokenKind};

/// Whether runs of top-level rules are evaluated ahead, on all cores.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Speculation {
    /// For files long enough to gain from it ([`MIN_FORMS`] top-level forms).
    #[default]
    Auto,
    Always,
    Never,
}

/// Files with fewer top-level forms are evaluated in order only: for them, starting
/// threads would cost more than it saves.
pub const MIN_FORMS: usize = 2048;
/// Forms one task speculates on.
const CHUNK: usize = 512;
/// Forms speculated ahead of the in-order evaluation.
const WINDOW: usize = 16 * CHUNK;

/// The names one task's forms read from outside their own bindings: a table of up to 64
/// names, and for the form under way a mask of those it read.
#[derive(Default)]
pub struct Reads {
    names: Vec<Box<str>>,
    ids: FxHashMap<Box<str>, u8>,
    mask: u64,
    /// The form cannot be taken as found (it read more names than the table holds, or did
    /// what only the in-order evaluation may do).
    refused: bool,
}

impl Reads {
    pub fn read(&mut self, name: &str) {
        let id = match self.ids.get(name) {
            Some(&id) => id,
            None if self.names.len() < 64 => {
                let id = self.names.len() as u8;
                self.names.push(name.into());
                self.ids.insert(name.into(), id);
                id
            }
            None => {
                self.refused = true;
                return;
            }
        };
        self.mask |= 1 << id;
    }
}

/// What speculation found for one form.
struct Found {
    taken: bool,
    rules: u32,
    issues: u32,
    params: u32,
    steps: u64,
    /// Bits of [`Chunk::names`].
    reads: u64,
}

const REFUSED: Found = Found {
    taken: false,
    rules: 0,
    issues: 0,
    params: 0,
    steps: 0,
    reads: 0,
};

/// What speculation found for the forms of one task, in order.
struct Chunk {
    found: Vec<Found>,
    rules: Vec<Rule>,
    issues: Vec<Issue>,
    params: Vec<String>,
    names: Vec<Box<str>>,
}

/// `(allow ...)` or `(deny ...)`: the forms worth speculating on.
fn is_rule_form(tree: &SyntaxTree, form: Element) -> bool {
    let Element::Node(node) = form else {
        return false;
    };
    if tree.node(node).kind != NodeKind::List {
        return false;
    }
    matches!(tree.items(node).next(), Some(Element::Token(t))
        if tree.token(t).kind == TokenKind::Symbol
            && matches!(tree.token_text(t), "allow" | "deny"))
}

fn speculate(seed: &Seed<'_>, file: FileId, forms: &[Element]) -> Vec<Chunk> {
    forms
        .par_chunks(CHUNK)
        .map(|forms| speculate_chunk(seed, file, forms))
        .collect()
}

fn speculate_chunk(seed: &Seed<'_>, file: FileId, forms: &[Element]) -> Chunk {
    let mut eval = Evaluator::new(seed, forms.len());
    eval.spec = Some(RefCell::new(Reads::default()));
    let tree_ref = eval.tree(file);
    let tree = tree_ref.get();
    let mut found = Vec::with_capacity(forms.len());
    let mut params = Vec::new();
    for &form in forms {
        if !is_rule_form(tree, form) {
            found.push(REFUSED);
            continue;
        }
        let (rules, issues) = (eval.rules.len(), eval.issues.len());
        eval.steps = 0;
        eval.aborted = false;
        if let Some(spec) = &eval.spec {
            let mut spec = spec.borrow_mut();
            spec.mask = 0;
            spec.refused = false;
        }
        eval.site = (file == FileId::MAIN).then(|| tree.span(form));
        let global = eval.global.clone();
        eval.eval(file, form, &global, Position::Statement);
        let (mask, refused) = eval
            .spec
            .as_ref()
            .map(|s| (s.borrow().mask, s.borrow().refused))
            .unwrap_or_default();
        // A form that bound a global name changed what later forms see.
        let bound = global.generation.get() != 0;
        if bound {
            eval.global = Rc::new(Env::default());
        }
        if eval.aborted || refused || bound {
            eval.rules.truncate(rules);
            eval.issues.truncate(issues);
            eval.unset_params.clear();
            found.push(REFUSED);
            continue;
        }
        found.push(Found {
            taken: true,
            rules: (eval.rules.len() - rules) as u32,
            issues: (eval.issues.len() - issues) as u32,
            params: eval.unset_params.len() as u32,
            steps: eval.steps,
            reads: mask,
        });
        params.append(&mut eval.unset_params);
    }
    Chunk {
        found,
        rules: eval.rules,
        issues: eval.issues,
        params,
        names: eval.spec.map(|s| s.into_inner().names).unwrap_or_default(),
    }
}

impl Evaluator<'_> {
    /// While speculating, refuses the form under way and stops it; true when it did.
    pub(super) fn refuse_speculation(&mut self) -> bool {
        let Some(spec) = &self.spec else {
            return false;
        };
        spec.borrow_mut().refused = true;
        self.aborted = true;
        true
    }

    /// Evaluates the top-level `forms` of `file` in order, with speculation a window ahead.
    /// When speculation stops paying (under a quarter of a window's forms taken: a profile
    /// of helper calls), the rest is evaluated in order only.
    pub(super) fn run_speculating(&mut self, file: FileId, forms: &[Element]) {
        let seed = self.seed();
        let windows: Vec<&[Element]> = forms.chunks(WINDOW).collect();
        let mut next = windows.first().map(|w| speculate(&seed, file, w));
        for (k, &window) in windows.iter().enumerate() {
            let Some(current) = next.take() else { break };
            let following = windows.get(k + 1).copied();
            let mut taken = None;
            // The in-order evaluation stays on this thread (its values are not `Send`);
            // the next window is speculated on the others meanwhile.
            rayon::in_place_scope(|s| {
                if let Some(following) = following {
                    let (next, seed) = (&mut next, &seed);
                    s.spawn(move |_| *next = Some(speculate(seed, file, following)));
                }
                taken = self.take_window(file, window, current);
            });
            match taken {
                None => break,
                Some(taken) if taken * 4 < window.len() => {
                    self.run_forms(file, &forms[((k + 1) * WINDOW).min(forms.len())..]);
                    break;
                }
                Some(_) => {}
            }
        }
    }

    /// Goes through one window in order: a form is taken as speculation found it when
    /// that still holds, else evaluated. How many were taken; `None` when evaluation
    /// stopped.
    fn take_window(
        &mut self,
        file: FileId,
        forms: &[Element],
        chunks: Vec<Chunk>,
    ) -> Option<usize> {
        let mut taken = 0;
        let tree_ref = self.tree(file);
        let tree = tree_ref.get();
        let global = self.global.clone();
        for (forms, chunk) in forms.chunks(CHUNK).zip(chunks) {
            let mut rules = chunk.rules.into_iter();
            let mut issues = chunk.issues.into_iter();
            let mut params = chunk.params.into_iter();
            // Which of the chunk's names the profile binds, as of a generation of `global`.
            let mut bound: Option<(u64, u64)> = None;
            for (&form, found) in forms.iter().zip(chunk.found) {
                if file == FileId::MAIN {
                    self.site = Some(tree.span(form));
                }
                let generation = global.generation.get();
                let mask = match bound {
                    Some((g, mask)) if g == generation => mask,
                    _ => {
                        let vars = global.vars.borrow();
                        let mask = chunk
                            .names
                            .iter()
                            .enumerate()
                            .filter(|(_, name)| vars.contains_key(&***name))
                            .fold(0u64, |m, (i, _)| m | 1 << i);
                        bound = Some((generation, mask));
                        mask
                    }
                };
                let rules = rules.by_ref().take(found.rules as usize);
                let issues = issues.by_ref().take(found.issues as usize);
                let params = params.by_ref().take(found.params as usize);
                if found.taken
                    && found.reads & mask == 0
                    && !self.missing_import
                    && self.steps + found.steps <= self.max_steps
                {
                    taken += 1;
                    self.steps += found.steps;
                    self.rules.extend(rules);
                    self.issues.extend(issues);
                    for param in params {
                        if !self.unset_params.contains(&param) {
                            self.unset_params.push(param);
                        }
                    }
                } else {
                    rules.for_each(drop);
                    issues.for_each(drop);
                    params.for_each(drop);
                    self.eval(file, form, &global, Position::Statement);
                }
                if self.aborted {
                    return None;
                }
            }
        }
        Some(taken)
    }
}
