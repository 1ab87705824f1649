//! A bounded evaluator for the Scheme that real profiles use.
//!
//! It runs the forms of the preludes and of the file in order, as libsandbox's TinyScheme
//! would, and records every rule `allow`/`deny` makes. What it cannot know (an unset
//! `param`, a branch on it) stays unknown: rules from such branches are marked uncertain,
//! and filters built from unknown strings match nothing the checks rely on. Evaluation is
//! bounded by a step limit and a depth limit, and reports when it stops.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use smallvec::SmallVec;
use std::rc::Rc;
use std::sync::Arc;

use super::rule::{
    Action, FileId, Filter, FilterExpr, FilterValue, Modifier, NamePattern, NetAddr, Origin,
    PathPattern, Port, Rule, RuleOp,
};
use super::value::{Closure, Env, Value};
use super::vocab::{vocabulary, ArgKind, MacOs, ModifierActions, Name, Vocabulary};
use super::{Issue, Model, ModelOptions};
use crate::syntax::string::string_value;
use crate::syntax::{parse, Element, NodeId, NodeKind, Span, SyntaxTree, TokenKind};

mod speculate;

pub use speculate::Speculation;

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

pub fn build(tree: &SyntaxTree, preludes: &[&SyntaxTree], options: &ModelOptions) -> Model {
    build_with(tree, preludes, options, Speculation::Auto)
}

/// [`build`], choosing whether to speculate: tests check both ways give the same model.
#[doc(hidden)]
pub fn build_with(
    tree: &SyntaxTree,
    preludes: &[&SyntaxTree],
    options: &ModelOptions,
    speculation: Speculation,
) -> Model {
    let files: Vec<&SyntaxTree> = std::iter::once(tree)
        .chain(preludes.iter().copied())
        .collect();
    // Most top-level forms make one rule: growing a vector of 100,000 rules by doubling
    // would copy it into fresh memory again and again.
    let forms: usize = files.iter().map(|t| t.items(t.root()).count()).sum();
    let tokens: u64 = files.iter().map(|t| t.tokens().len() as u64).sum();
    let seed = Seed {
        macos: options.macos.unwrap_or(MacOs::NEWEST),
        options,
        trees: files.iter().map(|t| TreeRef::Borrowed(t)).collect(),
        dirs: vec![options.base_dir.clone(); files.len()],
        max_steps: MAX_STEPS + STEPS_PER_TOKEN * tokens,
    };
    let mut eval = Evaluator::new(&seed, forms);
    eval.speculation = speculation;
    for i in 1..=preludes.len() {
        eval.run_file(FileId(i as u16));
    }
    eval.run_file(FileId::MAIN);
    Model {
        macos: eval.macos,
        rules: eval.rules,
        issues: eval.issues,
        complete: !eval.aborted,
        missing_import: eval.missing_import,
        imported: eval.imported,
        unset_params: eval.unset_params,
    }
}

/// What an evaluator starts from; shared by the threads that speculate.
struct Seed<'a> {
    macos: MacOs,
    options: &'a ModelOptions,
    trees: Vec<TreeRef<'a>>,
    dirs: Vec<Option<PathBuf>>,
    max_steps: u64,
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
    speculation: Speculation,
    /// Set while this evaluator speculates: what the forms read from outside.
    spec: Option<RefCell<speculate::Reads>>,
}

impl<'a> Evaluator<'a> {
    fn new(seed: &Seed<'a>, rules: usize) -> Evaluator<'a> {
        Evaluator {
            vocab: vocabulary(),
            macos: seed.macos,
            options: seed.options,
            trees: seed.trees.clone(),
            dirs: seed.dirs.clone(),
            global: Rc::new(Env::default()),
            steps: 0,
            max_steps: seed.max_steps,
            depth: 0,
            rules: Vec::with_capacity(rules),
            issues: Vec::new(),
            uncertain: 0,
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
            speculation: Speculation::Never,
            spec: None,
        }
    }

    fn seed(&self) -> Seed<'a> {
        Seed {
            macos: self.macos,
            options: self.options,
            trees: self.trees.clone(),
            dirs: self.dirs.clone(),
            max_steps: self.max_steps,
        }
    }

    /// While speculating, notes a name resolved outside the environment: the real
    /// evaluation may bind it.
    fn read_outside(&self, name: &str) {
        if let Some(spec) = &self.spec {
            spec.borrow_mut().read(name);
        }
    }

    fn tree(&self, file: FileId) -> TreeRef<'a> {
        self.trees[file.0 as usize].clone()
    }

    fn issue(&mut self, file: FileId, issue: Issue) {
        if file == FileId::MAIN {
            self.issues.push(issue);
        } else if let (Issue::Import { message, .. }, Some(site)) = (&issue, self.site) {
            // A failed import inside an imported file surfaces where the chain started.
            self.issues.push(Issue::Import {
                span: site,
                message: format!("in an imported file: {message}"),
            });
        }
    }

    fn run_file(&mut self, file: FileId) {
        let tree = self.tree(file);
        let tree = tree.get();
        let forms: Vec<Element> = tree.items(tree.root()).collect();
        let speculate = match self.speculation {
            Speculation::Always => true,
            Speculation::Never => false,
            Speculation::Auto => forms.len() >= speculate::MIN_FORMS,
        };
        if speculate {
            self.run_speculating(file, &forms);
        } else {
            self.run_forms(file, &forms);
        }
        if file == FileId::MAIN {
            self.site = None;
        }
    }

    /// Evaluates top-level forms in order.
    fn run_forms(&mut self, file: FileId, forms: &[Element]) {
        let tree = self.tree(file);
        let tree = tree.get();
        let global = self.global.clone();
        for &form in forms {
            if file == FileId::MAIN {
                self.site = Some(tree.span(form));
            }
            self.eval(file, form, &global, Position::Statement);
            if self.aborted {
                break;
            }
        }
    }

    fn origin(&self, file: FileId, span: Span) -> Origin {
        Origin { file, span }
    }

    fn eval(&mut self, file: FileId, element: Element, env: &Rc<Env>, pos: Position) -> Value {
        if self.aborted {
            return Value::Unknown;
        }
        self.steps += 1;
        let tree_ref = self.tree(file);
        let tree = tree_ref.get();
        if self.steps > self.max_steps || self.depth > MAX_DEPTH {
            self.aborted = true;
            let what = if self.steps > self.max_steps {
                let max = self.max_steps;
                format!("evaluation stopped after {max} steps (a recursive definition?)")
            } else {
                format!("evaluation stopped: expressions nest deeper than {MAX_DEPTH} calls")
            };
            let span = self.site.unwrap_or(tree.span(element));
            self.issues.push(Issue::EvaluationLimit {
                span,
                message: what,
            });
            return Value::Unknown;
        }
        match element {
            Element::Token(t) => {
                let text = tree.token_text(t);
                match tree.token(t).kind {
                    TokenKind::Symbol => self.eval_symbol(text, env).unwrap_or(Value::Unknown),
                    TokenKind::String | TokenKind::RawString => Value::Str(
                        string_value(text).into(),
                        Some(self.origin(file, tree.token(t).span)),
                    ),
                    TokenKind::Number => parse_number(text).map_or(Value::Unknown, Value::Int),
                    TokenKind::Boolean => Value::Bool(text.starts_with("#t")),
                    TokenKind::Char => text[2..].chars().next().map_or(Value::Unknown, Value::Char),
                    _ => Value::Unknown,
                }
            }
            Element::Node(n) => match tree.node(n).kind {
                NodeKind::Quote => self.eval_quote(file, n, env),
                NodeKind::List => {
                    self.depth += 1;
                    let value = self.eval_list(file, n, env, pos);
                    self.depth -= 1;
                    value
                }
                NodeKind::Vector | NodeKind::Root => Value::Unknown,
            },
        }
    }

    /// Names the profile did not define: SBPL and Scheme built-ins, operations, filters,
    /// named constants.
    fn builtin(&self, name: &str) -> Option<Value> {
        if let Some(known) = self.builtins.borrow().get(name) {
            return known.clone();
        }
        let value = self.lookup_builtin(name);
        self.builtins
            .borrow_mut()
            .insert(name.into(), value.clone());
        value
    }

    fn lookup_builtin(&self, name: &str) -> Option<Value> {
        let vocab = self.vocab;
        if let Some(id) = vocab.resolve_operation(name) {
            return Some(Value::Operation(id, Name::of(name)?));
        }
        if vocab.resolve_filter(name).is_some()
            || matches!(vocab.aliases.get(name), Some((_, k)) if k == "filter-function")
        {
            return Some(Value::FilterFn(Name::of(name)?));
        }
        if let Some(f) = vocab.function_name(name) {
            return Some(Value::Builtin(f));
        }
        if vocab.is_no_op_alias(name) {
            return Some(Value::Unknown);
        }
        if is_named_constant(vocab, name) {
            return Some(Value::Constant(name.into()));
        }
        None
    }

    fn eval_symbol(&self, name: &str, env: &Rc<Env>) -> Option<Value> {
        env.lookup(name).or_else(|| {
            self.read_outside(name);
            self.builtin(name)
        })
    }

    fn eval_quote(&mut self, file: FileId, node: NodeId, env: &Rc<Env>) -> Value {
        let tree_ref = self.tree(file);
        let tree = tree_ref.get();
        let prefix = tree.children(node).next();
        let datum = tree.items(node).next();
        let Some(datum) = datum else {
            return Value::Unknown;
        };
        match prefix.map(|p| tree.span(p)).map(|s| tree.source(s)) {
            Some("'") => datum_value(tree, datum),
            Some("`") => self.quasi(file, datum, env),
            _ => Value::Unknown,
        }
    }

    fn quasi(&mut self, file: FileId, datum: Element, env: &Rc<Env>) -> Value {
        let tree_ref = self.tree(file);
        let tree = tree_ref.get();
        match datum {
            Element::Node(n) if tree.node(n).kind == NodeKind::Quote => {
                let prefix = tree.children(n).next().map(|p| tree.source(tree.span(p)));
                match (prefix, tree.items(n).next()) {
                    (Some(","), Some(inner)) => self.eval(file, inner, env, Position::Statement),
                    _ => Value::Unknown,
                }
            }
            Element::Node(n) if tree.node(n).kind == NodeKind::List => {
                let mut items = Vec::new();
                for item in tree.items(n).collect::<Vec<_>>() {
                    if let Element::Node(q) = item {
                        if tree.node(q).kind == NodeKind::Quote
                            && tree.children(q).next().map(|p| tree.source(tree.span(p)))
                                == Some(",@")
                        {
                            if let Some(inner) = tree.items(q).next() {
                                match self.eval(file, inner, env, Position::Statement) {
                                    Value::List(xs) => items.extend(xs.iter().cloned()),
                                    _ => return Value::Unknown,
                                }
                                continue;
                            }
                        }
                    }
                    items.push(self.quasi(file, item, env));
                }
                Value::List(Rc::new(items))
            }
            other => datum_value(tree, other),
        }
    }

    fn eval_list(&mut self, file: FileId, node: NodeId, env: &Rc<Env>, pos: Position) -> Value {
        let tree_ref = self.tree(file);
        let tree = tree_ref.get();
        // Most lists are short: their items stay on the stack.
        let items: SmallVec<[Element; 8]> = tree.items(node).collect();
        let Some(&head) = items.first() else {
            return Value::nil();
        };
        let args = &items[1..];
        // A symbol head is resolved once: a local binding, else a special form, else a
        // global or builtin.
        let resolved = match head {
            Element::Token(t) if tree.token(t).kind == TokenKind::Symbol => {
                let name = tree.token_text(t);
                let local = env.lookup(name);
                if local.is_none() {
                    self.read_outside(name);
                    if let Some(v) = self.special_form(file, node, name, args, env) {
                        return v;
                    }
                }
                match local.or_else(|| self.builtin(name)) {
                    Some(function) => {
                        self.steps += 1;
                        Some(function)
                    }
                    None => {
                        self.unknown_call(file, tree.token(t).span, name, pos);
                        // Evaluate the arguments anyway: rules inside still count.
                        for &arg in args {
                            self.eval(file, arg, env, Position::Statement);
                        }
                        return Value::Unknown;
                    }
                }
            }
            _ => None,
        };
        let function = match resolved {
            Some(function) => function,
            None => self.eval(file, head, env, Position::Statement),
        };
        let arg_pos = match &function {
            Value::Builtin(name)
                if matches!(
                    &**name,
                    "allow" | "deny" | "require-all" | "require-any" | "require-not"
                ) =>
            {
                Position::Filter
            }
            _ => Position::Statement,
        };
        if let Value::Builtin(name) = &function {
            if matches!(&**name, "allow" | "deny") {
                return self.rule(file, node, name, args, env);
            }
        }
        let mut values = Vec::with_capacity(args.len());
        for &arg in args {
            let v = match (arg, &function) {
                // A bare name a filter does not know, such as `(vnode-type REGULAR_FILE)`:
                // kept as a symbol so the filter can say what it expected.
                (Element::Token(t), Value::FilterFn(_))
                    if tree.token(t).kind == TokenKind::Symbol && !self.missing_import =>
                {
                    let name = tree.token_text(t);
                    self.steps += 1;
                    self.eval_symbol(name, env)
                        .unwrap_or_else(|| Value::Sym(name.into()))
                }
                _ => self.eval(file, arg, env, arg_pos),
            };
            values.push((v, tree.span(arg)));
        }
        self.apply(file, node, function, values)
    }

    fn unknown_call(&mut self, file: FileId, span: Span, name: &str, pos: Position) {
        if self.missing_import {
            return;
        }
        // The suggestion depends on what the profile defined: the real evaluation says it.
        if self.refuse_speculation() {
            return;
        }
        let issue = match pos {
            Position::Filter => Issue::UnknownFilter {
                span,
                name: name.to_string(),
                suggestion: self.vocab.suggest(name, self.vocab.filter_names()),
            },
            Position::Statement => Issue::UnknownFunction {
                span,
                name: name.to_string(),
                suggestion: self.vocab.suggest(
                    name,
                    self.vocab.functions.iter().map(String::as_str).chain(
                        self.global
                            .vars
                            .borrow()
                            .keys()
                            .map(|k| &**k)
                            .collect::<Vec<_>>(),
                    ),
                ),
            },
        };
        self.issue(file, issue);
    }

    fn apply(
        &mut self,
        file: FileId,
        node: NodeId,
        function: Value,
        args: Vec<(Value, Span)>,
    ) -> Value {
        if let Value::Builtin(name @ ("allow" | "deny")) = function {
            // `allow` passed around as a value: `(apply allow ops)`, `(op file-read* f)`.
            let action = if name == "allow" {
                Action::Allow
            } else {
                Action::Deny
            };
            let origin = self.origin(file, self.tree(file).get().node(node).span);
            self.record_rule(file, action, origin, args);
            return Value::Unknown;
        }
        match function {
            Value::Closure(c) => self.call_closure(&c, args.into_iter().map(|(v, _)| v).collect()),
            Value::Builtin(name) => self.call_builtin(file, node, name, args),
            Value::FilterFn(name) => self.make_filter(file, node, name, args),
            Value::Operation(..) | Value::Unknown | Value::Macro => Value::Unknown,
            _ => Value::Unknown,
        }
    }

    fn call_closure(&mut self, closure: &Closure, args: Vec<Value>) -> Value {
        // Recursion under an unknown condition (a loop up to an unset `param`) would never
        // end: the first pass has recorded its rules, as uncertain; stop there.
        let id = closure as *const Closure;
        if self
            .active
            .iter()
            .any(|&(c, level)| c == id && self.uncertain > level)
        {
            return Value::Unknown;
        }
        self.active.push((id, self.uncertain));
        let result = self.run_closure(closure, args);
        self.active.pop();
        result
    }

    fn run_closure(&mut self, closure: &Closure, args: Vec<Value>) -> Value {
        let env = Env::child(&closure.env);
        let mut args = args.into_iter();
        for p in &closure.params {
            env.define(p.clone(), args.next().unwrap_or(Value::Unknown));
        }
        if let Some(rest) = &closure.rest {
            env.define(rest.clone(), Value::List(Rc::new(args.collect())));
        }
        self.depth += 1;
        let mut result = Value::Unknown;
        for &form in &closure.body {
            result = self.eval(closure.file, form, &env, Position::Statement);
        }
        self.depth -= 1;
        result
    }

    /// `define`, `lambda`, `let`, `if` … Returns `None` when `name` is not a special form.
    fn special_form(
        &mut self,
        file: FileId,
        node: NodeId,
        name: &str,
        args: &[Element],
        env: &Rc<Env>,
    ) -> Option<Value> {
        let tree_ref = self.tree(file);
        let tree = tree_ref.get();
        let value = match name {
            "quote" => args
                .first()
                .map_or(Value::Unknown, |d| datum_value(tree, *d)),
            "quasiquote" => args
                .first()
                .map_or(Value::Unknown, |d| self.quasi(file, *d, env)),
            "define" | "define-macro" | "macro" => {
                let Some(&target) = args.first() else {
                    return Some(Value::Unknown);
                };
                match target {
                    Element::Token(t) => {
                        let value = match args.get(1) {
                            Some(&v) if name == "define" => {
                                self.eval(file, v, env, Position::Statement)
                            }
                            _ => Value::Macro,
                        };
                        env.define(tree.token_text(t).into(), value);
                    }
                    Element::Node(sig) if tree.node(sig).kind == NodeKind::List => {
                        let parts: Vec<Element> = tree.items(sig).collect();
                        let Some(Element::Token(fname)) = parts.first() else {
                            return Some(Value::Unknown);
                        };
                        let fname: Rc<str> = tree.token_text(*fname).into();
                        let value = if name == "define" {
                            let (params, rest) = parameters(tree, &parts[1..]);
                            Value::Closure(Rc::new(Closure {
                                name: Some(fname.clone()),
                                params,
                                rest,
                                body: args[1..].to_vec(),
                                file,
                                env: env.clone(),
                            }))
                        } else {
                            Value::Macro
                        };
                        env.define(fname, value);
                    }
                    _ => {}
                }
                Value::Unknown
            }
            "lambda" | "named-lambda" => {
                let (sig, body) = match (name, args.first()) {
                    ("lambda", Some(&sig)) => (sig, &args[1..]),
                    ("named-lambda", Some(&Element::Node(sig))) => {
                        let parts: Vec<Element> = tree.items(sig).collect();
                        return Some(self.lambda_value(
                            file,
                            tree,
                            &parts[1.min(parts.len())..],
                            &args[1..],
                            env,
                        ));
                    }
                    _ => return Some(Value::Unknown),
                };
                match sig {
                    Element::Node(n) if tree.node(n).kind == NodeKind::List => {
                        let parts: Vec<Element> = tree.items(n).collect();
                        self.lambda_value(file, tree, &parts, body, env)
                    }
                    Element::Token(t) => Value::Closure(Rc::new(Closure {
                        name: None,
                        params: Vec::new(),
                        rest: Some(tree.token_text(t).into()),
                        body: body.to_vec(),
                        file,
                        env: env.clone(),
                    })),
                    _ => Value::Unknown,
                }
            }
            "let" | "let*" | "letrec" | "letrec*" => self.eval_let(file, name, args, env),
            "if" => {
                let test = match args.first() {
                    Some(&c) => self.eval(file, c, env, Position::Statement),
                    None => return Some(Value::Unknown),
                };
                match test.truthy() {
                    Some(true) => args.get(1).map_or(Value::Unknown, |&e| {
                        self.eval(file, e, env, Position::Statement)
                    }),
                    Some(false) => args.get(2).map_or(Value::Unknown, |&e| {
                        self.eval(file, e, env, Position::Statement)
                    }),
                    None => {
                        self.uncertain += 1;
                        for &e in args.iter().skip(1).take(2) {
                            self.eval(file, e, env, Position::Statement);
                        }
                        self.uncertain -= 1;
                        Value::Unknown
                    }
                }
            }
            "when" | "unless" => {
                let test = match args.first() {
                    Some(&c) => self.eval(file, c, env, Position::Statement),
                    None => return Some(Value::Unknown),
                };
                let run = test.truthy().map(|t| t == (name == "when"));
                match run {
                    Some(false) => Value::Unknown,
                    Some(true) => self.body(file, &args[1..], env),
                    None => {
                        self.uncertain += 1;
                        self.body(file, &args[1..], env);
                        self.uncertain -= 1;
                        Value::Unknown
                    }
                }
            }
            "cond" => {
                let mut unknown = 0;
                let mut result = Value::Unknown;
                for &clause in args {
                    let Element::Node(c) = clause else { continue };
                    let parts: Vec<Element> = tree.items(c).collect();
                    let Some(&test) = parts.first() else { continue };
                    let is_else = matches!(test, Element::Token(t) if tree.token_text(t) == "else");
                    let truth = if is_else {
                        Some(true)
                    } else {
                        self.eval(file, test, env, Position::Statement).truthy()
                    };
                    match truth {
                        Some(false) => continue,
                        Some(true) => {
                            result = self.body(file, &parts[1..], env);
                            break;
                        }
                        None => {
                            unknown += 1;
                            self.uncertain += 1;
                            self.body(file, &parts[1..], env);
                        }
                    }
                }
                self.uncertain -= unknown;
                if unknown > 0 {
                    Value::Unknown
                } else {
                    result
                }
            }
            "case" => {
                // The key is rarely known statically; run every clause as uncertain.
                self.uncertain += 1;
                for &clause in args.iter().skip(1) {
                    if let Element::Node(c) = clause {
                        let parts: Vec<Element> = tree.items(c).collect();
                        self.body(file, parts.get(1..).unwrap_or(&[]), env);
                    }
                }
                self.uncertain -= 1;
                Value::Unknown
            }
            "begin" => self.body(file, args, env),
            "and" | "or" => {
                let mut last = Value::Bool(name == "and");
                for &a in args {
                    let v = self.eval(file, a, env, Position::Statement);
                    match (name, v.truthy()) {
                        ("and", Some(false)) | ("or", Some(true)) => return Some(v),
                        (_, None) => last = Value::Unknown,
                        _ => {
                            if !matches!(last, Value::Unknown) {
                                last = v;
                            }
                        }
                    }
                }
                last
            }
            "set!" => {
                if let (Some(Element::Token(t)), Some(&v)) = (args.first(), args.get(1)) {
                    let value = self.eval(file, v, env, Position::Statement);
                    env.set(tree.token_text(*t).into(), value);
                }
                Value::Unknown
            }
            "with" => self.modifier(file, node, args, env),
            "with-filter" => {
                let filter = match args.first() {
                    Some(&f) => self.eval(file, f, env, Position::Filter),
                    None => return Some(Value::Unknown),
                };
                let expr = match filter {
                    Value::Filter(f) => (*f).clone(),
                    _ => FilterExpr::Unknown(self.origin(file, tree.node(node).span)),
                };
                self.filter_context.push(expr);
                self.body(file, &args[1..], env);
                self.filter_context.pop();
                Value::Unknown
            }
            "with-modifier" => {
                let modifier = match args.first() {
                    Some(&m) => self.eval(file, m, env, Position::Statement),
                    None => return Some(Value::Unknown),
                };
                let pushed = if let Value::Modifier(m) = modifier {
                    self.modifier_context.push((*m).clone());
                    true
                } else {
                    false
                };
                self.body(file, &args[1..], env);
                if pushed {
                    self.modifier_context.pop();
                }
                Value::Unknown
            }
            "import" => {
                let path = args
                    .first()
                    .map(|&a| (self.eval(file, a, env, Position::Statement), tree.span(a)));
                if let Some((Value::Str(p, _), span)) = path {
                    self.import(file, &p, span);
                }
                Value::Unknown
            }
            "version" | "debug" | "trace" => Value::Unknown,
            _ => return None,
        };
        Some(value)
    }

    fn lambda_value(
        &mut self,
        file: FileId,
        tree: &SyntaxTree,
        params: &[Element],
        body: &[Element],
        env: &Rc<Env>,
    ) -> Value {
        let (params, rest) = parameters(tree, params);
        Value::Closure(Rc::new(Closure {
            name: None,
            params,
            rest,
            body: body.to_vec(),
            file,
            env: env.clone(),
        }))
    }

    fn body(&mut self, file: FileId, forms: &[Element], env: &Rc<Env>) -> Value {
        let mut result = Value::Unknown;
        for &f in forms {
            result = self.eval(file, f, env, Position::Statement);
        }
        result
    }

    fn eval_let(&mut self, file: FileId, kind: &str, args: &[Element], env: &Rc<Env>) -> Value {
        let tree_ref = self.tree(file);
        let tree = tree_ref.get();
        // Named let: (let loop ((i 0)) body) defines `loop` as a procedure.
        let (name, bindings, body) = match args {
            [Element::Token(t), Element::Node(b), body @ ..]
                if tree.token(*t).kind == TokenKind::Symbol =>
            {
                (Some(tree.token_text(*t)), *b, body)
            }
            [Element::Node(b), body @ ..] => (None, *b, body),
            _ => return Value::Unknown,
        };
        let inner = Env::child(env);
        let mut names = Vec::new();
        let mut values = Vec::new();
        for binding in tree.items(bindings).collect::<Vec<_>>() {
            let Element::Node(b) = binding else { continue };
            let parts: Vec<Element> = tree.items(b).collect();
            let Some(Element::Token(var)) = parts.first() else {
                continue;
            };
            let scope = if kind == "let" { env } else { &inner };
            let value = parts.get(1).map_or(Value::Unknown, |&e| {
                self.eval(file, e, scope, Position::Statement)
            });
            let var: Rc<str> = tree.token_text(*var).into();
            if kind != "let" {
                inner.define(var.clone(), value.clone());
            }
            names.push(var);
            values.push(value);
        }
        if let Some(name) = name {
            let closure = Rc::new(Closure {
                name: Some(name.into()),
                params: names.clone(),
                rest: None,
                body: body.to_vec(),
                file,
                env: inner.clone(),
            });
            inner.define(name.into(), Value::Closure(closure.clone()));
            return self.call_closure(&closure, values);
        }
        for (n, v) in names.into_iter().zip(values) {
            inner.define(n, v);
        }
        self.body(file, body, &inner)
    }

    fn modifier(&mut self, file: FileId, node: NodeId, args: &[Element], env: &Rc<Env>) -> Value {
        let tree_ref = self.tree(file);
        let tree = tree_ref.get();
        let origin = self.origin(file, tree.node(node).span);
        let Some(&Element::Token(name_token)) = args.first() else {
            self.issue(
                file,
                Issue::InvalidModifier {
                    span: origin.span,
                    message: "`with` needs a modifier name".into(),
                    label: "no modifier here".into(),
                },
            );
            return Value::Unknown;
        };
        let written = tree.token_text(name_token);
        let Some(def) = self.vocab.modifier(written) else {
            let suggestion = self.vocab.suggest(
                written,
                self.vocab.modifiers.iter().map(|m| m.name.as_str()),
            );
            self.issue(
                file,
                Issue::InvalidModifier {
                    span: tree.token(name_token).span,
                    message: format!("unknown modifier `{written}`"),
                    label: match suggestion {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "not a modifier".into(),
                    },
                },
            );
            return Value::Unknown;
        };
        // Each argument as SBPL text: `SIGKILL`, `"a message"`, `9`.
        let mut values = Vec::new();
        for &a in &args[1..] {
            let v = match a {
                // Signal names and the like are written bare.
                Element::Token(t) if tree.token(t).kind == TokenKind::Symbol => {
                    Value::Sym(tree.token_text(t).into())
                }
                _ => self.eval(file, a, env, Position::Statement),
            };
            values.push(match v {
                Value::Str(s, _) => quote(&s),
                Value::Sym(s) | Value::Constant(s) => s.to_string(),
                Value::Int(i) => i.to_string(),
                _ => "?".to_string(),
            });
        }
        Value::Modifier(Rc::new(Modifier {
            name: def.name.as_str(),
            args: values,
            origin: Origin {
                file,
                span: origin.span,
            },
        }))
    }

    fn import(&mut self, file: FileId, name: &str, span: Span) {
        // Reading files, numbering them: only the real evaluation does that.
        if self.refuse_speculation() {
            return;
        }
        let mut candidates = Vec::new();
        if Path::new(name).is_absolute() {
            candidates.push(PathBuf::from(name));
        } else {
            if let Some(dir) = &self.dirs[file.0 as usize] {
                candidates.push(dir.join(name));
            }
            candidates.extend(self.options.import_paths.iter().map(|d| d.join(name)));
        }
        let Some(path) = candidates.into_iter().find(|p| p.exists()) else {
            self.missing_import = true;
            self.issue(
                file,
                Issue::Import {
                    span,
                    message: format!(
                        "cannot find `{name}` to import: names it defines are not checked"
                    ),
                },
            );
            return;
        };
        let canonical = std::fs::canonicalize(&path).unwrap_or(path.clone());
        if self.importing.contains(&canonical) {
            self.issue(
                file,
                Issue::Import {
                    span,
                    message: format!(
                        "`{name}` imports itself (an import cycle); not followed again"
                    ),
                },
            );
            return;
        }
        let meta = std::fs::metadata(&canonical);
        let readable = match &meta {
            Ok(m) if !m.is_file() => Err("it is not a regular file".to_string()),
            Ok(m) if m.len() > MAX_IMPORT_BYTES => {
                Err(format!("it is larger than {} MiB", MAX_IMPORT_BYTES >> 20))
            }
            Ok(_) => std::fs::read(&canonical).map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        let text = match readable.map(String::from_utf8) {
            Ok(Ok(text)) => text,
            Ok(Err(_)) => {
                self.issue(
                    file,
                    Issue::Import {
                        span,
                        message: format!("cannot import `{name}`: it is not UTF-8"),
                    },
                );
                return;
            }
            Err(why) => {
                self.issue(
                    file,
                    Issue::Import {
                        span,
                        message: format!("cannot import `{name}`: {why}"),
                    },
                );
                return;
            }
        };
        let id = FileId(self.trees.len() as u16);
        let tree = Arc::new(parse(text));
        self.imported.push((id, name.to_string(), tree.clone()));
        self.trees.push(TreeRef::Owned(tree));
        self.dirs.push(canonical.parent().map(Path::to_path_buf));
        self.importing.push(canonical);
        let site = self.site;
        let tree = self.tree(id);
        let forms: Vec<Element> = tree.get().items(tree.get().root()).collect();
        let global = self.global.clone();
        for form in forms {
            self.eval(id, form, &global, Position::Statement);
        }
        self.site = site;
        self.importing.pop();
    }

    fn call_builtin(
        &mut self,
        file: FileId,
        node: NodeId,
        name: &str,
        args: Vec<(Value, Span)>,
    ) -> Value {
        let origin = self.origin(file, self.tree(file).get().node(node).span);
        let vals: Vec<&Value> = args.iter().map(|(v, _)| v).collect();
        match name {
            "param" | "getenv" => match vals.first() {
                Some(Value::Str(key, _)) => match self.options.params.get(&**key) {
                    Some(v) => Value::Str(v.as_str().into(), None),
                    None => {
                        if !self.unset_params.iter().any(|p| **p == **key) {
                            self.unset_params.push(key.to_string());
                        }
                        Value::UnknownStr
                    }
                },
                _ => Value::UnknownStr,
            },
            "string-append" => {
                let mut out = String::new();
                for v in &vals {
                    match v {
                        Value::Str(s, _) => out.push_str(s),
                        _ => return Value::UnknownStr,
                    }
                }
                let origin = match vals.as_slice() {
                    [Value::Str(_, o)] => *o,
                    _ => None,
                };
                Value::Str(out.into(), origin)
            }
            "regex-quote" => match vals.first() {
                Some(Value::Str(s, o)) => Value::Str(regex_quote(s).into(), *o),
                _ => Value::UnknownStr,
            },
            "string-prefix?" | "string-suffix?" | "string=?" => match (vals.first(), vals.get(1)) {
                (Some(Value::Str(a, _)), Some(Value::Str(b, _))) => Value::Bool(match name {
                    "string-prefix?" => b.starts_with(&**a),
                    "string-suffix?" => b.ends_with(&**a),
                    _ => a == b,
                }),
                _ => Value::Unknown,
            },
            "string?" => match vals.first() {
                Some(Value::Str(..)) => Value::Bool(true),
                Some(Value::UnknownStr | Value::Unknown) | None => Value::Unknown,
                Some(_) => Value::Bool(false),
            },
            "not" => match vals.first().and_then(|v| v.truthy()) {
                Some(b) => Value::Bool(!b),
                None => Value::Unknown,
            },
            "defined?" => match vals.first() {
                Some(Value::Sym(s)) => Value::Bool(self.is_defined(s)),
                _ => Value::Unknown,
            },
            "list" => Value::List(Rc::new(vals.into_iter().cloned().collect())),
            "cons" => match (vals.first(), vals.get(1)) {
                (Some(a), Some(Value::List(xs))) => {
                    let mut v = vec![(*a).clone()];
                    v.extend(xs.iter().cloned());
                    Value::List(Rc::new(v))
                }
                _ => Value::Unknown,
            },
            "append" => {
                let mut out = Vec::new();
                for v in vals {
                    match v {
                        Value::List(xs) => out.extend(xs.iter().cloned()),
                        _ => return Value::Unknown,
                    }
                }
                Value::List(Rc::new(out))
            }
            "car" => match vals.first() {
                Some(Value::List(xs)) if !xs.is_empty() => xs[0].clone(),
                _ => Value::Unknown,
            },
            "cdr" => match vals.first() {
                Some(Value::List(xs)) if !xs.is_empty() => Value::List(Rc::new(xs[1..].to_vec())),
                _ => Value::Unknown,
            },
            "null?" => match vals.first() {
                Some(Value::List(xs)) => Value::Bool(xs.is_empty()),
                _ => Value::Unknown,
            },
            "apply" => {
                let mut args = args.into_iter();
                let Some((function, _)) = args.next() else {
                    return Value::Unknown;
                };
                let mut flat: Vec<(Value, Span)> = Vec::new();
                let rest: Vec<(Value, Span)> = args.collect();
                let n = rest.len();
                for (i, (v, s)) in rest.into_iter().enumerate() {
                    if i + 1 == n {
                        match v {
                            Value::List(xs) => flat.extend(xs.iter().map(|x| (x.clone(), s))),
                            _ => return Value::Unknown,
                        }
                    } else {
                        flat.push((v, s));
                    }
                }
                self.apply(file, node, function, flat)
            }
            "map" | "for-each" => {
                let mut args = args.into_iter();
                let Some((function, _)) = args.next() else {
                    return Value::Unknown;
                };
                let Some((Value::List(xs), span)) = args.next() else {
                    return Value::Unknown;
                };
                let mut out = Vec::new();
                for x in xs.iter() {
                    out.push(self.apply(file, node, function.clone(), vec![(x.clone(), span)]));
                }
                if name == "map" {
                    Value::List(Rc::new(out))
                } else {
                    Value::Unknown
                }
            }
            "require-all" | "require-any" | "require-not" => self.combine(file, name, origin, args),
            "path-ancestors" => {
                let mut alternatives = Vec::new();
                for (v, span) in &args {
                    let Value::Str(path, o) = v else {
                        return Value::Filter(Rc::new(FilterExpr::Unknown(origin)));
                    };
                    let arg = o.unwrap_or(Origin { file, span: *span });
                    let mut prefix = String::new();
                    alternatives.push(self.path_leaf(
                        origin,
                        arg,
                        Name::of("literal").expect("an alias of path"),
                        PathPattern::Literal("/".into()),
                    ));
                    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
                    for part in parts.iter().take(parts.len().saturating_sub(1)) {
                        prefix.push('/');
                        prefix.push_str(part);
                        alternatives.push(self.path_leaf(
                            origin,
                            arg,
                            Name::of("literal").expect("an alias of path"),
                            PathPattern::Literal(prefix.as_str().into()),
                        ));
                    }
                }
                Value::Filter(Rc::new(FilterExpr::Any(alternatives)))
            }
            "+" | "-" | "*" => {
                let mut ints = Vec::new();
                for v in &vals {
                    match v {
                        Value::Int(i) => ints.push(*i),
                        _ => return Value::Unknown,
                    }
                }
                let r = match (name, ints.as_slice()) {
                    ("-", [a]) => a.checked_neg(),
                    ("-", [a, rest @ ..]) => rest.iter().try_fold(*a, |acc, x| acc.checked_sub(*x)),
                    ("+", xs) => xs.iter().try_fold(0i64, |acc, x| acc.checked_add(*x)),
                    ("*", xs) => xs.iter().try_fold(1i64, |acc, x| acc.checked_mul(*x)),
                    _ => None,
                };
                r.map_or(Value::Unknown, Value::Int)
            }
            "=" | "<" | ">" | "<=" | ">=" => match (vals.first(), vals.get(1)) {
                (Some(Value::Int(a)), Some(Value::Int(b))) => Value::Bool(match name {
                    "=" => a == b,
                    "<" => a < b,
                    ">" => a > b,
                    "<=" => a <= b,
                    _ => a >= b,
                }),
                _ => Value::Unknown,
            },
            "string->number" => match vals.first() {
                Some(Value::Str(s, _)) => parse_number(s).map_or(Value::Bool(false), Value::Int),
                _ => Value::Unknown,
            },
            "number->string" => match vals.first() {
                Some(Value::Int(i)) => Value::Str(i.to_string().into(), None),
                _ => Value::UnknownStr,
            },
            "eq?" | "equal?" | "eqv?" => match (vals.first(), vals.get(1)) {
                (Some(Value::Sym(a)), Some(Value::Sym(b))) => Value::Bool(a == b),
                (Some(Value::Str(a, _)), Some(Value::Str(b, _))) => Value::Bool(a == b),
                (Some(Value::Int(a)), Some(Value::Int(b))) => Value::Bool(a == b),
                _ => Value::Unknown,
            },
            _ => Value::Unknown,
        }
    }

    fn is_defined(&self, name: &str) -> bool {
        self.read_outside(name);
        if self.global.lookup(name).is_some() {
            return true;
        }
        match self.vocab.resolve_operation(name) {
            Some(id) => self.vocab.operation(id).exists_in(self.macos),
            None => self.builtin(name).is_some(),
        }
    }

    /// `(allow OP... FILTER... (with MODIFIER)...)`
    fn rule(
        &mut self,
        file: FileId,
        node: NodeId,
        name: &str,
        args: &[Element],
        env: &Rc<Env>,
    ) -> Value {
        let tree_ref = self.tree(file);
        let tree = tree_ref.get();
        let action = if name == "allow" {
            Action::Allow
        } else {
            Action::Deny
        };
        let origin = self.origin(file, tree.node(node).span);
        let mut values = Vec::with_capacity(args.len());
        let mut leading = true;
        for &arg in args {
            // A symbol is resolved here (the step `eval` would count); an unknown bare
            // symbol among the operations is a misspelt operation.
            let symbol = match arg {
                Element::Token(t) if tree.token(t).kind == TokenKind::Symbol => {
                    let text = tree.token_text(t);
                    let Some(v) = self.eval_symbol(text, env) else {
                        if leading && !self.missing_import {
                            let suggestion = self.vocab.suggest(text, self.vocab.operation_names());
                            self.issue(
                                file,
                                Issue::UnknownOperation {
                                    span: tree.token(t).span,
                                    name: text.to_string(),
                                    suggestion,
                                    note: None,
                                },
                            );
                        }
                        values.push((Value::Unknown, tree.span(arg)));
                        continue;
                    };
                    self.steps += 1;
                    Some(v)
                }
                _ => None,
            };
            let v = match symbol {
                Some(v) => v,
                None => self.eval(file, arg, env, Position::Filter),
            };
            if !matches!(v, Value::Operation(..)) {
                leading = false;
            }
            values.push((v, tree.span(arg)));
        }
        self.record_rule(file, action, origin, values);
        Value::Unknown
    }

    fn record_rule(
        &mut self,
        file: FileId,
        action: Action,
        origin: Origin,
        args: Vec<(Value, Span)>,
    ) {
        let mut operations: SmallVec<[RuleOp; 2]> = SmallVec::new();
        let mut filters: SmallVec<[FilterExpr; 2]> = SmallVec::new();
        let mut modifiers: Vec<Modifier> = self.modifier_context.clone();
        for (value, span) in args {
            let arg_origin = self.origin(file, span);
            match value {
                Value::Operation(id, written) => {
                    let op = self.vocab.operation(id);
                    if !op.exists_in(self.macos) {
                        let versions = op.versions();
                        let newer = versions.iter().all(|v| *v > self.macos);
                        let issue = if newer {
                            Issue::UnknownOperation {
                                span,
                                name: written.to_string(),
                                suggestion: None,
                                note: Some(format!(
                                    "`{written}` exists from macOS {} on; this check targets {}",
                                    versions[0].as_str(),
                                    self.macos
                                )),
                            }
                        } else {
                            Issue::ObsoleteOperation {
                                span,
                                name: written.to_string(),
                                versions,
                            }
                        };
                        self.issue(file, issue);
                    }
                    operations.push(RuleOp {
                        written,
                        id,
                        origin: arg_origin,
                    });
                }
                Value::Filter(f) => filters.push(Rc::unwrap_or_clone(f)),
                Value::Modifier(m) => modifiers.push(Rc::unwrap_or_clone(m)),
                Value::Str(..) | Value::UnknownStr => {
                    self.issue(
                        file,
                        Issue::InvalidFilterArgument {
                            span,
                            message:
                                "a bare string is not a filter: libsandbox refuses the profile"
                                    .into(),
                            label: "wrap this in `(literal ...)`, `(subpath ...)` or `(regex ...)`"
                                .into(),
                        },
                    );
                    filters.push(FilterExpr::Unknown(arg_origin));
                }
                _ => filters.push(FilterExpr::Unknown(arg_origin)),
            }
        }
        for m in &modifiers {
            let bad = match (self.vocab.modifier(m.name).map(|d| d.actions), action) {
                (Some(ModifierActions::Allow), Action::Deny) => Some("allow"),
                (Some(ModifierActions::Deny), Action::Allow) => Some("deny"),
                _ => None,
            };
            if let Some(only) = bad {
                self.issue(
                    file,
                    Issue::InvalidModifier {
                        span: m.origin.span,
                        message: format!("`{}` is only valid on `{only}` rules", m.name),
                        label: format!("this rule is a `{}`", action.as_str()),
                    },
                );
            }
        }
        // A model holds every rule of the file: no spare capacity.
        let mut filter = match filters.len() {
            0 => None,
            1 => filters.pop(),
            _ => {
                let mut filters = filters.into_vec();
                filters.shrink_to_fit();
                Some(FilterExpr::Any(filters))
            }
        };
        if !self.filter_context.is_empty() {
            let mut all = self.filter_context.clone();
            if let Some(f) = filter {
                all.push(f);
            }
            filter = Some(FilterExpr::All(all));
        }
        self.rules.push(Rule {
            action,
            operations: operations.into_vec().into_boxed_slice(),
            filter,
            modifiers: modifiers.into_boxed_slice(),
            origin,
            site: self.site,
            certain: self.uncertain == 0,
        });
    }

    fn combine(
        &mut self,
        file: FileId,
        name: &str,
        origin: Origin,
        args: Vec<(Value, Span)>,
    ) -> Value {
        let mut parts = Vec::new();
        for (v, span) in args {
            match v {
                Value::Filter(f) => parts.push((*f).clone()),
                Value::Str(..) | Value::UnknownStr => {
                    self.issue(
                        file,
                        Issue::InvalidFilterArgument {
                            span,
                            message: format!("`{name}` takes filters, not strings"),
                            label: "wrap this in `(literal ...)`, `(subpath ...)` or `(regex ...)`"
                                .into(),
                        },
                    );
                    parts.push(FilterExpr::Unknown(Origin { file, span }));
                }
                _ => parts.push(FilterExpr::Unknown(Origin { file, span })),
            }
        }
        let expr = match name {
            "require-all" => FilterExpr::All(parts),
            "require-any" => FilterExpr::Any(parts),
            _ => match parts.len() {
                1 => FilterExpr::Not(Box::new(parts.pop().expect("one"))),
                _ => {
                    self.issue(
                        file,
                        Issue::InvalidFilterArgument {
                            span: origin.span,
                            message: "`require-not` takes exactly one filter".into(),
                            label: format!("{} given", parts.len()),
                        },
                    );
                    FilterExpr::Unknown(origin)
                }
            },
        };
        Value::Filter(Rc::new(expr))
    }

    fn path_leaf(
        &self,
        origin: Origin,
        arg: Origin,
        written: Name,
        pattern: PathPattern,
    ) -> FilterExpr {
        let name = match pattern {
            PathPattern::Literal(_) => "path",
            PathPattern::Subpath(_) => "subpath",
            PathPattern::Prefix(_) => "path-prefix",
            PathPattern::Regex(_) => "path-regex",
        };
        FilterExpr::Leaf(Filter {
            name: Name::of(name).expect("path filters are in the vocabulary"),
            written,
            value: FilterValue::Path(pattern),
            origin,
            arg,
        })
    }

    /// A filter call: checks its arguments against the filter's argument kind.
    fn make_filter(
        &mut self,
        file: FileId,
        node: NodeId,
        written: Name,
        args: Vec<(Value, Span)>,
    ) -> Value {
        let origin = self.origin(file, self.tree(file).get().node(node).span);
        let unknown = |origin| Value::Filter(Rc::new(FilterExpr::Unknown(origin)));
        let Some((def, name)) = self.vocab.filter_of(written) else {
            // A no-argument helper such as `(tty)`: kept as written.
            return Value::Filter(Rc::new(FilterExpr::Leaf(Filter {
                name: written,
                written,
                value: FilterValue::Atom("".into()),
                origin,
                arg: origin,
            })));
        };
        let kind = def.arg;
        let category = def.category.as_str();
        let leaf = |value: FilterValue, arg: Origin| {
            FilterExpr::Leaf(Filter {
                name,
                written,
                value,
                origin,
                arg,
            })
        };
        let arg_origin = |o: Option<Origin>, span: Span| o.unwrap_or(Origin { file, span });
        if kind == ArgKind::Network {
            return self.network_filter(file, &written, origin, &args, leaf);
        }
        if args.is_empty() {
            if matches!(kind, ArgKind::Unknown) {
                return unknown(origin);
            }
            self.issue(
                file,
                Issue::InvalidFilterArgument {
                    span: origin.span,
                    message: format!("`{written}` needs an argument"),
                    label: "no argument".into(),
                },
            );
            return unknown(origin);
        }
        let mut alternatives: SmallVec<[FilterExpr; 1]> = SmallVec::new();
        for (value, span) in args {
            let expr = match (kind, value) {
                (_, Value::Unknown | Value::UnknownStr) => {
                    FilterExpr::Unknown(Origin { file, span })
                }
                (ArgKind::Path | ArgKind::PathSubpath | ArgKind::PathPrefix, Value::Str(s, o)) => {
                    let pattern = match kind {
                        ArgKind::Path => PathPattern::Literal(s.as_ref().into()),
                        ArgKind::PathSubpath => PathPattern::Subpath(s.as_ref().into()),
                        _ => PathPattern::Prefix(s.as_ref().into()),
                    };
                    leaf(FilterValue::Path(pattern), arg_origin(o, span))
                }
                (ArgKind::Regex, Value::Str(s, o)) => {
                    let at = arg_origin(o, span);
                    if let Err(message) = super::regex::check(&s) {
                        self.issue(
                            file,
                            Issue::InvalidRegex {
                                span: at.span,
                                message,
                            },
                        );
                    }
                    if category == "path" {
                        leaf(FilterValue::Path(PathPattern::Regex(s.as_ref().into())), at)
                    } else {
                        leaf(FilterValue::Name(NamePattern::Regex(s.as_ref().into())), at)
                    }
                }
                (ArgKind::Name, Value::Str(s, o)) => leaf(
                    FilterValue::Name(NamePattern::Exact(s.as_ref().into())),
                    arg_origin(o, span),
                ),
                (ArgKind::NamePrefix, Value::Str(s, o)) => leaf(
                    FilterValue::Name(NamePattern::Prefix(s.as_ref().into())),
                    arg_origin(o, span),
                ),
                (ArgKind::String | ArgKind::Unknown, Value::Str(s, o)) => {
                    leaf(FilterValue::Other(s.as_ref().into()), arg_origin(o, span))
                }
                (ArgKind::Constant | ArgKind::Bitfield, Value::Int(i)) => leaf(
                    FilterValue::Atom(i.to_string().into()),
                    Origin { file, span },
                ),
                (ArgKind::Boolean, Value::Bool(b)) => leaf(
                    FilterValue::Atom(if b { "#t" } else { "#f" }.into()),
                    Origin { file, span },
                ),
                (ArgKind::Constant, Value::Constant(c) | Value::Sym(c)) => {
                    if def.named_values_complete && !def.named_values.iter().any(|v| **v == *c) {
                        let suggestion = self
                            .vocab
                            .suggest(&c, def.named_values.iter().map(String::as_str));
                        self.issue(
                            file,
                            Issue::InvalidFilterArgument {
                                span,
                                message: format!("`{c}` is not a value of `{written}`"),
                                label: match suggestion {
                                    Some(s) => format!("did you mean `{s}`?"),
                                    None => {
                                        format!("expected one of: {}", def.named_values.join(", "))
                                    }
                                },
                            },
                        );
                    }
                    leaf(FilterValue::Atom(c.as_ref().into()), Origin { file, span })
                }
                (ArgKind::Unknown, _) => FilterExpr::Unknown(Origin { file, span }),
                (_, Value::Filter(_)) => {
                    self.issue(
                        file,
                        Issue::InvalidFilterArgument {
                            span,
                            message: format!("`{written}` takes a value, not another filter"),
                            label: "a filter here".into(),
                        },
                    );
                    FilterExpr::Unknown(Origin { file, span })
                }
                (kind, other) => {
                    let expected = match kind {
                        ArgKind::Path | ArgKind::PathSubpath | ArgKind::PathPrefix => {
                            "a path string"
                        }
                        ArgKind::Regex => "a regex string (#\"...\")",
                        ArgKind::Name | ArgKind::NamePrefix | ArgKind::String => "a string",
                        ArgKind::Constant => "a number or a named constant",
                        ArgKind::Bitfield => "a number such as #o644",
                        ArgKind::Boolean => "#t or #f",
                        _ => "another argument",
                    };
                    if matches!(other, Value::Closure(_) | Value::List(_) | Value::Macro) {
                        FilterExpr::Unknown(Origin { file, span })
                    } else {
                        self.issue(
                            file,
                            Issue::InvalidFilterArgument {
                                span,
                                message: format!("`{written}` expects {expected}"),
                                label: format!("{} here", describe(&other)),
                            },
                        );
                        FilterExpr::Unknown(Origin { file, span })
                    }
                }
            };
            alternatives.push(expr);
        }
        let expr = if alternatives.len() == 1 {
            alternatives.pop().expect("one")
        } else {
            FilterExpr::Any(alternatives.into_vec())
        };
        Value::Filter(Rc::new(expr))
    }

    fn network_filter(
        &mut self,
        file: FileId,
        written: &str,
        origin: Origin,
        args: &[(Value, Span)],
        leaf: impl Fn(FilterValue, Origin) -> FilterExpr,
    ) -> Value {
        let local = matches!(written, "local" | "from");
        let mut protocol = "ip".to_string();
        let mut address = None;
        for (value, span) in args {
            match value {
                Value::Constant(c) | Value::Sym(c) => protocol = c.to_string(),
                Value::Str(s, o) => {
                    address = Some((s.to_string(), o.unwrap_or(Origin { file, span: *span })))
                }
                Value::Filter(_) => return Value::Filter(Rc::new(FilterExpr::Unknown(origin))),
                _ => return Value::Filter(Rc::new(FilterExpr::Unknown(origin))),
            }
        }
        const PROTOCOLS: &[&str] = &[
            "ip",
            "ip4",
            "ip6",
            "tcp",
            "tcp4",
            "tcp6",
            "udp",
            "udp4",
            "udp6",
            "unix",
            "unix-socket",
        ];
        if !PROTOCOLS.contains(&protocol.as_str()) {
            self.issue(
                file,
                Issue::InvalidNetworkAddress {
                    span: origin.span,
                    message: format!(
                        "unknown protocol `{protocol}`: the whole profile fails to load"
                    ),
                    label: "expected ip, ip4, ip6, tcp, tcp4, tcp6, udp, udp4 or udp6".into(),
                },
            );
            return Value::Filter(Rc::new(FilterExpr::Unknown(origin)));
        }
        let Some((address, at)) = address else {
            // `(remote unix)`, `(local udp)`: any address of that kind.
            return Value::Filter(Rc::new(leaf(
                FilterValue::Network(Box::new(NetAddr {
                    local,
                    protocol,
                    host: "*".into(),
                    port: Port::Any,
                })),
                origin,
            )));
        };
        match parse_address(&address) {
            Ok((host, port)) => Value::Filter(Rc::new(leaf(
                FilterValue::Network(Box::new(NetAddr {
                    local,
                    protocol,
                    host,
                    port,
                })),
                at,
            ))),
            Err((message, label)) => {
                self.issue(
                    file,
                    Issue::InvalidNetworkAddress {
                        span: at.span,
                        message,
                        label,
                    },
                );
                Value::Filter(Rc::new(FilterExpr::Unknown(at)))
            }
        }
    }
}

/// `"HOST:PORT"`: HOST is `*` or `localhost`, PORT is `*` or 0–65535.
fn parse_address(text: &str) -> Result<(String, Port), (String, String)> {
    let Some((host, port)) = text.rsplit_once(':') else {
        return Err((
            format!("`{text}` is not `HOST:PORT`: the whole profile fails to load"),
            "write `\"*:443\"` or `\"localhost:8080\"`".into(),
        ));
    };
    if host != "*" && host != "localhost" {
        return Err((
            format!("host `{host}` is not allowed: only `*` and `localhost` parse, and the whole profile fails to load"),
            if host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback()) {
                "write `localhost` for the loopback address".into()
            } else {
                "SBPL cannot filter by host; use `*` (any host) or `localhost`".into()
            },
        ));
    }
    let port = if port == "*" {
        Port::Any
    } else {
        match port.parse::<u32>() {
            Ok(p) if p <= 65535 => Port::Number(p as u16),
            _ => {
                return Err((
                    format!("port `{port}` is not `*` or a number from 0 to 65535: the whole profile fails to load"),
                    "not a port".into(),
                ))
            }
        }
    };
    Ok((host.to_string(), port))
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Str(..) | Value::UnknownStr => "a string",
        Value::Int(_) => "a number",
        Value::Bool(_) => "a boolean",
        Value::Sym(_) | Value::Constant(_) => "a symbol",
        Value::Operation(..) => "an operation",
        Value::Filter(_) => "a filter",
        Value::Modifier(_) => "a modifier",
        _ => "a value",
    }
}

fn parameters(tree: &SyntaxTree, parts: &[Element]) -> (Vec<Rc<str>>, Option<Rc<str>>) {
    let mut params = Vec::new();
    let mut rest = None;
    let mut after_dot = false;
    for &p in parts {
        let Element::Token(t) = p else { continue };
        match tree.token(t).kind {
            TokenKind::Dot => after_dot = true,
            _ if after_dot => rest = Some(tree.token_text(t).into()),
            _ => params.push(tree.token_text(t).into()),
        }
    }
    (params, rest)
}

/// A quoted datum as a value.
fn datum_value(tree: &SyntaxTree, element: Element) -> Value {
    match element {
        Element::Token(t) => {
            let text = tree.token_text(t);
            match tree.token(t).kind {
                TokenKind::Symbol => Value::Sym(text.into()),
                TokenKind::String | TokenKind::RawString => {
                    Value::Str(string_value(text).into(), None)
                }
                TokenKind::Number => parse_number(text).map_or(Value::Unknown, Value::Int),
                TokenKind::Boolean => Value::Bool(text.starts_with("#t")),
                _ => Value::Unknown,
            }
        }
        Element::Node(n) if tree.node(n).kind == NodeKind::List => {
            let items: Vec<Element> = tree.items(n).collect();
            if items
                .iter()
                .any(|e| matches!(e, Element::Token(t) if tree.token(*t).kind == TokenKind::Dot))
            {
                return Value::Unknown;
            }
            Value::List(Rc::new(
                items.into_iter().map(|e| datum_value(tree, e)).collect(),
            ))
        }
        _ => Value::Unknown,
    }
}

pub fn parse_number(text: &str) -> Option<i64> {
    let (radix, digits) = match text.get(..2) {
        Some("#x" | "#X") => (16, &text[2..]),
        Some("#o") => (8, &text[2..]),
        Some("#b") => (2, &text[2..]),
        Some("#d" | "#e") => (10, &text[2..]),
        _ => (10, text),
    };
    i64::from_str_radix(digits.trim_start_matches('+'), radix).ok()
}

/// A string as a `"..."` token that reads back as the same text.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// What libsandbox's `regex-quote` escapes: `^.[$()|*+?{\`.
pub fn regex_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if "^.[$()|*+?{\\".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn is_named_constant(vocab: &Vocabulary, name: &str) -> bool {
    static PREFIXES: &[&str] = &[
        "SIG", "AF_", "SOCK_", "PRIV_", "SYS_", "CSR_", "HOST_", "PERSONA_", "FSIOC", "kUSB",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p))
        || vocab
            .filters
            .iter()
            .any(|f| f.named_values.iter().any(|v| v == name))
}
