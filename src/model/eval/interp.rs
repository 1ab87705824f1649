//! The interpreter core: evaluation of expressions, special forms, closures and `let`.

use std::rc::Rc;

use smallvec::SmallVec;

use super::{Evaluator, Position, Unknown, MAX_DEPTH};
use crate::model::rule::{Action, FileId, FilterExpr};
use crate::model::value::{Closure, Env, Value};
use crate::model::Issue;
use crate::syntax::string::string_value;
use crate::syntax::{Element, NodeId, NodeKind, Span, SyntaxTree, TokenKind};

/// Where the arguments of a call to `function` are evaluated: filter positions inside
/// rules and filter combinators, statements elsewhere.
#[inline]
fn argument_position(function: &Value) -> Position {
    match function {
        Value::Builtin(name)
            if matches!(
                &**name,
                "allow" | "deny" | "require-all" | "require-any" | "require-not"
            ) =>
        {
            Position::Filter
        }
        _ => Position::Statement,
    }
}

impl<'a> Evaluator<'a> {
    pub(super) fn eval(
        &mut self,
        file: FileId,
        element: Element,
        env: &Rc<Env>,
        pos: Position,
    ) -> Value {
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
                    TokenKind::Symbol => match self.eval_symbol(text, env) {
                        Some(value) => value,
                        None => {
                            self.unbound(file, tree.token(t).span, text);
                            Value::Unknown
                        }
                    },
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

    pub(super) fn eval_symbol(&self, name: &str, env: &Rc<Env>) -> Option<Value> {
        env.lookup(name).or_else(|| self.builtin(name))
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

    /// A list form: a special form, a rule, or a call of what its head names.
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
                        // Evaluate the arguments anyway: rules inside still count. What
                        // the unknown form (a macro, often) binds is not known here.
                        self.guarded += 1;
                        for &arg in args {
                            self.eval(file, arg, env, Position::Statement);
                        }
                        self.guarded -= 1;
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
        if let Value::Builtin(name) = &function {
            if matches!(&**name, "allow" | "deny") {
                return self.rule(file, node, name, args, env);
            }
        }
        let values = self.eval_arguments(file, tree, args, &function, env);
        self.apply(file, node, function, values)
    }

    /// The values of a call's arguments with their spans, in order, for `function` to apply.
    #[inline]
    fn eval_arguments(
        &mut self,
        file: FileId,
        tree: &SyntaxTree,
        args: &[Element],
        function: &Value,
        env: &Rc<Env>,
    ) -> Vec<(Value, Span)> {
        let arg_pos = argument_position(function);
        // A macro's arguments are code it rewrites, not values: evaluated for the rules
        // inside them, but the names they bind are not known here.
        let macro_call = matches!(function, Value::Macro);
        self.guarded += usize::from(macro_call);
        let mut values = Vec::with_capacity(args.len());
        for &arg in args {
            let v = match (arg, function) {
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
        self.guarded -= usize::from(macro_call);
        values
    }

    /// A reference to `name`, which nothing defines: TinyScheme's "unbound variable".
    /// Only where the reference is certainly evaluated: a branch on an unknown value may
    /// never run (Chromium's gpu.sb names a variable only after `(>= os-version 1400)`).
    pub(super) fn unbound(&mut self, file: FileId, span: Span, name: &str) {
        if self.missing_import || self.uncertain > 0 || self.guarded > 0 {
            return;
        }
        let suggestion = self.suggest(Unknown::Variable, name);
        let issue = Issue::UnboundVariable {
            span,
            name: name.to_string(),
            suggestion,
        };
        self.issue(file, issue);
    }

    fn unknown_call(&mut self, file: FileId, span: Span, name: &str, pos: Position) {
        if self.missing_import {
            return;
        }
        let issue = match pos {
            Position::Filter => Issue::UnknownFilter {
                span,
                name: name.to_string(),
                suggestion: self.suggest(Unknown::Filter, name),
                note: None,
            },
            Position::Statement => Issue::UnknownFunction {
                span,
                name: name.to_string(),
                suggestion: self.suggest(Unknown::Function, name),
            },
        };
        self.issue(file, issue);
    }

    /// The closest known name of this kind ("did you mean"): among the vocabulary's
    /// functions or filters (remembered per name) and the globals defined so far.
    fn suggest(&self, kind: Unknown, name: &str) -> Option<String> {
        use crate::model::suggest::{closest_in_fixed, closest_scored};
        let vocab = self.vocab;
        let fixed = match kind {
            Unknown::Variable => None,
            Unknown::Function => closest_in_fixed("functions", name, || {
                vocab.functions.iter().map(String::as_str)
            }),
            Unknown::Filter => closest_in_fixed("filters", name, || vocab.filter_names()),
        };
        let globals = match kind {
            Unknown::Filter => None,
            Unknown::Variable | Unknown::Function => {
                let vars = self.global.vars.borrow();
                closest_scored(name, vars.keys().map(|k| &**k)).map(|(d, c)| (d, c.to_string()))
            }
        };
        [fixed, globals].into_iter().flatten().min().map(|(_, c)| c)
    }

    pub(super) fn apply(
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
            "define" | "define-macro" | "macro" => self.define_form(file, name, args, env),
            "lambda" | "named-lambda" => self.lambda_form(file, name, args, env),
            "let" | "let*" | "letrec" | "letrec*" => self.eval_let(file, name, args, env),
            "if" => self.if_form(file, args, env),
            "when" | "unless" => self.when_form(file, name, args, env),
            "cond" => self.cond_form(file, args, env),
            "case" => self.case_form(file, args, env),
            "begin" => self.body(file, args, env),
            "and" | "or" => self.and_or_form(file, name, args, env),
            "set!" => {
                if let (Some(Element::Token(t)), Some(&v)) = (args.first(), args.get(1)) {
                    let value = self.eval(file, v, env, Position::Statement);
                    env.set(tree.token_text(*t).into(), value);
                }
                Value::Unknown
            }
            "with" => self.modifier(file, node, args, env),
            "with-filter" => self.with_filter_form(file, node, args, env),
            "with-modifier" => self.with_modifier_form(file, args, env),
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

    /// `define`, `define-macro`, `macro`: a variable, a procedure or a macro (not run).
    fn define_form(&mut self, file: FileId, name: &str, args: &[Element], env: &Rc<Env>) -> Value {
        let tree_ref = self.tree(file);
        let tree = tree_ref.get();

        let Some(&target) = args.first() else {
            return Value::Unknown;
        };
        match target {
            Element::Token(t) => {
                let value = match args.get(1) {
                    Some(&v) if name == "define" => self.eval(file, v, env, Position::Statement),
                    _ => Value::Macro,
                };
                env.define(tree.token_text(t).into(), value);
            }
            Element::Node(sig) if tree.node(sig).kind == NodeKind::List => {
                let parts: Vec<Element> = tree.items(sig).collect();
                let Some(Element::Token(fname)) = parts.first() else {
                    return Value::Unknown;
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

    /// `lambda`, `named-lambda`: a procedure.
    fn lambda_form(&mut self, file: FileId, name: &str, args: &[Element], env: &Rc<Env>) -> Value {
        let tree_ref = self.tree(file);
        let tree = tree_ref.get();

        let (sig, body) = match (name, args.first()) {
            ("lambda", Some(&sig)) => (sig, &args[1..]),
            ("named-lambda", Some(&Element::Node(sig))) => {
                let parts: Vec<Element> = tree.items(sig).collect();
                return self.lambda_value(
                    file,
                    tree,
                    &parts[1.min(parts.len())..],
                    &args[1..],
                    env,
                );
            }
            _ => return Value::Unknown,
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

    /// `if`: the branch the test picks; both, as uncertain, when the test is unknown.
    fn if_form(&mut self, file: FileId, args: &[Element], env: &Rc<Env>) -> Value {
        let test = match args.first() {
            Some(&c) => self.eval(file, c, env, Position::Statement),
            None => return Value::Unknown,
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

    /// `when`, `unless`: the body when the test says so; as uncertain when it is unknown.
    fn when_form(&mut self, file: FileId, name: &str, args: &[Element], env: &Rc<Env>) -> Value {
        let test = match args.first() {
            Some(&c) => self.eval(file, c, env, Position::Statement),
            None => return Value::Unknown,
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

    /// `cond`: the first clause whose test holds; clauses after an unknown test run as uncertain.
    fn cond_form(&mut self, file: FileId, args: &[Element], env: &Rc<Env>) -> Value {
        let tree_ref = self.tree(file);
        let tree = tree_ref.get();

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

    /// `case`: the key is rarely known statically; every clause runs as uncertain.
    fn case_form(&mut self, file: FileId, args: &[Element], env: &Rc<Env>) -> Value {
        let tree_ref = self.tree(file);
        let tree = tree_ref.get();

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

    /// `and`, `or`: the value that decides; what follows an unknown test is guarded.
    fn and_or_form(&mut self, file: FileId, name: &str, args: &[Element], env: &Rc<Env>) -> Value {
        let mut last = Value::Bool(name == "and");
        let guarded = self.guarded;
        for &a in args {
            let v = self.eval(file, a, env, Position::Statement);
            match (name, v.truthy()) {
                ("and", Some(false)) | ("or", Some(true)) => {
                    self.guarded = guarded;
                    return v;
                }
                (_, None) => {
                    // What follows an unknown test may never be evaluated.
                    self.guarded = guarded + 1;
                    last = Value::Unknown
                }
                _ => {
                    if !matches!(last, Value::Unknown) {
                        last = v;
                    }
                }
            }
        }
        self.guarded = guarded;
        last
    }

    /// `with-filter`: the body's rules get the filter too.
    fn with_filter_form(
        &mut self,
        file: FileId,
        node: NodeId,
        args: &[Element],
        env: &Rc<Env>,
    ) -> Value {
        let tree_ref = self.tree(file);
        let tree = tree_ref.get();

        let filter = match args.first() {
            Some(&f) => self.eval(file, f, env, Position::Filter),
            None => return Value::Unknown,
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

    /// `with-modifier`: the body's rules get the modifier too.
    fn with_modifier_form(&mut self, file: FileId, args: &[Element], env: &Rc<Env>) -> Value {
        let modifier = match args.first() {
            Some(&m) => self.eval(file, m, env, Position::Statement),
            None => return Value::Unknown,
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
}

pub(super) fn describe(value: &Value) -> &'static str {
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

pub(super) fn parse_number(text: &str) -> Option<i64> {
    let (radix, digits) = match text.get(..2) {
        Some("#x" | "#X") => (16, &text[2..]),
        Some("#o") => (8, &text[2..]),
        Some("#b") => (2, &text[2..]),
        Some("#d" | "#e") => (10, &text[2..]),
        _ => (10, text),
    };
    i64::from_str_radix(digits.trim_start_matches('+'), radix).ok()
}
