//! Names the profile does not define: SBPL and Scheme built-ins (from `grammar/builtins.tsv`),
//! operations, filters and named constants, and the procedures the evaluator runs itself.

use std::rc::Rc;

use super::interp::parse_number;
use super::Evaluator;
use crate::model::rule::{FileId, FilterExpr, Origin, PathPattern};
use crate::model::value::Value;
use crate::model::vocab::{Availability, Name, Vocabulary};
use crate::syntax::{NodeId, Span};

impl<'a> Evaluator<'a> {
    /// Names the profile did not define: SBPL and Scheme built-ins, operations, filters,
    /// named constants.
    pub(super) fn builtin(&self, name: &str) -> Option<Value> {
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
        if is_named_constant(vocab, name) {
            return Some(Value::Constant(name.into()));
        }
        // A variable libsandbox binds to a symbol: `unix-socket` is `unix`, which is `'unix`
        // (grammar/aliases.tsv), so `(remote unix-socket (path-literal …))` is understood.
        let mut alias = name;
        for _ in 0..4 {
            match vocab.aliases.get(alias) {
                Some((target, kind)) if kind == "name" => match target.strip_prefix('\'') {
                    Some(symbol) => return Some(Value::Constant(symbol.into())),
                    None => alias = target,
                },
                _ => break,
            }
        }
        if vocab.is_builtin_value(name) {
            return Some(Value::Unknown);
        }
        if let Some(f) = vocab.function_name(name) {
            return Some(Value::Builtin(f));
        }
        if vocab.is_no_op_alias(name) {
            return Some(Value::Unknown);
        }
        None
    }

    /// A call of a built-in: SBPL's values first, then the families the evaluator runs
    /// itself (parameters, strings, higher-order calls, filter combinators, path
    /// ancestors), then the Scheme procedures.
    pub(super) fn call_builtin(
        &mut self,
        file: FileId,
        node: NodeId,
        name: &str,
        args: Vec<(Value, Span)>,
    ) -> Value {
        let origin = self.origin(file, self.tree(file).get().node(node).span);
        let vals: Vec<&Value> = args.iter().map(|(v, _)| v).collect();
        if let Some(value) = sbpl_value(name, &vals) {
            return value;
        }
        match name {
            "param" | "getenv" => self.param(vals.first().copied()),
            "string-append" => string_append(&vals),
            "defined?" => match vals.first() {
                Some(Value::Sym(s)) => Value::Bool(self.is_defined(s)),
                _ => Value::Unknown,
            },
            "apply" => self.apply_builtin(file, node, args),
            "map" | "for-each" => self.map_builtin(file, node, name == "map", args),
            "require-all" | "require-any" | "require-not" => self.combine(file, name, origin, args),
            "path-ancestors" => self.path_ancestors(file, origin, &args),
            _ => self.scheme_builtin(file, node, name, args),
        }
    }

    /// `(param "NAME")` and `(getenv "NAME")`: the value given, else an unknown string
    /// (the name kept, for SB004 and the conditions).
    fn param(&mut self, key: Option<&Value>) -> Value {
        match key {
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
        }
    }

    /// `(apply f a b '(c d))`: `f` called on `a b c d`.
    fn apply_builtin(&mut self, file: FileId, node: NodeId, args: Vec<(Value, Span)>) -> Value {
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

    /// `(map f list)` (the results) and `(for-each f list)` (for the effects).
    fn map_builtin(
        &mut self,
        file: FileId,
        node: NodeId,
        map: bool,
        args: Vec<(Value, Span)>,
    ) -> Value {
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
        if map {
            Value::List(Rc::new(out))
        } else {
            Value::Unknown
        }
    }

    /// `(path-ancestors "/a/b/c")`: a literal of `/`, `/a` and `/a/b`, for each path given.
    fn path_ancestors(&mut self, file: FileId, origin: Origin, args: &[(Value, Span)]) -> Value {
        let mut alternatives = Vec::new();
        for (v, span) in args {
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

    /// The Scheme procedures of TinyScheme and libsandbox's init.scm and SBPL library that
    /// evaluate statically when their arguments are known (`grammar/builtins.tsv`, evaluation
    /// `static`); anything else is an unknown value, never a finding.
    fn scheme_builtin(
        &mut self,
        file: FileId,
        node: NodeId,
        name: &str,
        args: Vec<(Value, Span)>,
    ) -> Value {
        let vals: Vec<&Value> = args.iter().map(|(v, _)| v).collect();
        if let Some(value) = scheme_value(name, &vals) {
            return value;
        }
        match name {
            // init.scm's `filter` and `partition` (with-filter uses the latter).
            "filter" | "partition" => {
                let mut args = args.into_iter();
                let (Some((predicate, _)), Some((Value::List(xs), span))) =
                    (args.next(), args.next())
                else {
                    return Value::Unknown;
                };
                let (mut yes, mut no) = (Vec::new(), Vec::new());
                for x in xs.iter() {
                    match self
                        .apply(file, node, predicate.clone(), vec![(x.clone(), span)])
                        .truthy()
                    {
                        Some(true) => yes.push(x.clone()),
                        Some(false) => no.push(x.clone()),
                        None => return Value::Unknown,
                    }
                }
                if name == "filter" {
                    Value::List(Rc::new(yes))
                } else {
                    Value::List(Rc::new(vec![
                        Value::List(Rc::new(yes)),
                        Value::List(Rc::new(no)),
                    ]))
                }
            }
            _ => Value::Unknown,
        }
    }

    fn is_defined(&self, name: &str) -> bool {
        if self.global.lookup(name).is_some() {
            return true;
        }
        if let Some(id) = self.vocab.resolve_operation(name) {
            return self.vocab.operation(id).exists_in(self.macos);
        }
        if let Some(def) = self.vocab.resolve_filter(name) {
            return def.availability(self.macos) != Availability::Absent;
        }
        self.builtin(name).is_some()
    }
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
        || vocab.is_named_constant(name)
        || vocab
            .filters
            .iter()
            .any(|f| f.named_values.iter().any(|v| v == name))
}

/// The integers among `vals` from `from` on, when all of them are integers.
fn ints_from(vals: &[&Value], from: usize) -> Option<Vec<i64>> {
    vals.get(from..)?
        .iter()
        .map(|v| match v {
            Value::Int(i) => Some(*i),
            _ => None,
        })
        .collect()
}

/// `equal?` on values whose identity is known; `None` when either is not.
fn same(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Str(x, _), Value::Str(y, _)) => Some(x == y),
        (Value::Sym(x), Value::Sym(y)) | (Value::Constant(x), Value::Constant(y)) => Some(x == y),
        (Value::Int(x), Value::Int(y)) => Some(x == y),
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        (Value::Char(x), Value::Char(y)) => Some(x == y),
        (Value::Unknown | Value::UnknownStr, _) | (_, Value::Unknown | Value::UnknownStr) => None,
        (Value::List(_), _) | (_, Value::List(_)) => None,
        _ => Some(false),
    }
}

/// The built-ins of `call_builtin` whose value depends only on their arguments' values (no
/// evaluator state): strings, lists, numbers and comparisons. `None`: not one of them.
fn sbpl_value(name: &str, vals: &[&Value]) -> Option<Value> {
    Some(match name {
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
        "list" => Value::List(Rc::new(vals.iter().map(|v| (*v).clone()).collect())),
        "cons" => cons(vals),
        "append" => append(vals),
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
        "+" | "-" | "*" => arithmetic(name, vals),
        "=" | "<" | ">" | "<=" | ">=" => compare_ints(name, vals),
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
        _ => return None,
    })
}

/// `(cons a list)`: a new list with `a` in front; unknown when the tail is not a list.
fn cons(vals: &[&Value]) -> Value {
    match (vals.first(), vals.get(1)) {
        (Some(a), Some(Value::List(xs))) => {
            let mut v = vec![(*a).clone()];
            v.extend(xs.iter().cloned());
            Value::List(Rc::new(v))
        }
        _ => Value::Unknown,
    }
}

/// `(append list …)` of known lists; unknown when any part is not a list.
fn append(vals: &[&Value]) -> Value {
    let mut out = Vec::new();
    for v in vals {
        match v {
            Value::List(xs) => out.extend(xs.iter().cloned()),
            _ => return Value::Unknown,
        }
    }
    Value::List(Rc::new(out))
}

/// `+`, `-` and `*` of known integers; unknown on any other argument or on overflow.
fn arithmetic(name: &str, vals: &[&Value]) -> Value {
    let mut ints = Vec::new();
    for v in vals {
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

/// `=`, `<`, `>`, `<=` and `>=` of two known integers.
fn compare_ints(name: &str, vals: &[&Value]) -> Value {
    match (vals.first(), vals.get(1)) {
        (Some(Value::Int(a)), Some(Value::Int(b))) => Value::Bool(match name {
            "=" => a == b,
            "<" => a < b,
            ">" => a > b,
            "<=" => a <= b,
            _ => a >= b,
        }),
        _ => Value::Unknown,
    }
}

/// The Scheme procedures of `scheme_builtin` whose value depends only on their arguments'
/// values: strings and symbols first, then lists and numbers. `None`: not one of them.
fn scheme_value(name: &str, vals: &[&Value]) -> Option<Value> {
    scheme_string_value(name, vals).or_else(|| scheme_list_value(name, vals))
}

/// Strings, characters and symbols.
fn scheme_string_value(name: &str, vals: &[&Value]) -> Option<Value> {
    Some(match name {
        // libsandbox's native `split-string`, as 0xbf00/simbple re-implements it: every
        // part between separators, empty ones included, in order.
        "split-string" => match (vals.first(), vals.get(1)) {
            (Some(Value::Str(s, _)), Some(Value::Str(sep, _))) if !sep.is_empty() => {
                Value::List(Rc::new(
                    s.split(&**sep)
                        .map(|p| Value::Str(p.into(), None))
                        .collect(),
                ))
            }
            _ => Value::Unknown,
        },
        // TinyScheme strings are C strings: lengths and indices count bytes.
        "string-length" => match vals.first() {
            Some(Value::Str(s, _)) => Value::Int(s.len() as i64),
            _ => Value::Unknown,
        },
        "substring" => match (vals.first(), ints_from(vals, 1)) {
            (Some(Value::Str(s, _)), Some(bounds)) => {
                let start = bounds.first().copied().unwrap_or(0);
                let end = bounds.get(1).copied().unwrap_or(s.len() as i64);
                match (usize::try_from(start), usize::try_from(end)) {
                    (Ok(a), Ok(b)) => s
                        .get(a..b)
                        .map_or(Value::Unknown, |t| Value::Str(t.into(), None)),
                    _ => Value::Unknown,
                }
            }
            _ => Value::UnknownStr,
        },
        "string-ref" => match (vals.first(), vals.get(1)) {
            (Some(Value::Str(s, _)), Some(Value::Int(k))) => usize::try_from(*k)
                .ok()
                .and_then(|k| s.as_bytes().get(k))
                .filter(|b| b.is_ascii())
                .map_or(Value::Unknown, |b| Value::Char(*b as char)),
            _ => Value::Unknown,
        },
        "string->list" => match vals.first() {
            Some(Value::Str(s, _)) => Value::List(Rc::new(s.chars().map(Value::Char).collect())),
            _ => Value::Unknown,
        },
        "char->integer" => match vals.first() {
            Some(Value::Char(c)) => Value::Int(*c as i64),
            _ => Value::Unknown,
        },
        "string->symbol" => match vals.first() {
            Some(Value::Str(s, _)) => Value::Sym(s.clone()),
            _ => Value::Unknown,
        },
        "symbol->string" => match vals.first() {
            Some(Value::Sym(s)) => Value::Str(s.clone(), None),
            _ => Value::UnknownStr,
        },
        // sbpl1.scm: (+ n (* 256 (char->integer (car (string->list g))))).
        "_IO" => match (vals.first(), vals.get(1)) {
            (Some(Value::Str(g, _)), Some(Value::Int(n))) => g
                .chars()
                .next()
                .and_then(|c| (c as i64).checked_mul(256))
                .and_then(|v| v.checked_add(*n))
                .map_or(Value::Unknown, Value::Int),
            _ => Value::Unknown,
        },
        _ => return None,
    })
}

/// Lists, numbers and the predicates on them.
fn scheme_list_value(name: &str, vals: &[&Value]) -> Option<Value> {
    Some(match name {
        "length" => list_arg(vals.first()).map_or(Value::Unknown, |xs| Value::Int(xs.len() as i64)),
        "reverse" => list_arg(vals.first()).map_or(Value::Unknown, |xs| {
            Value::List(Rc::new(xs.iter().rev().cloned().collect()))
        }),
        "cadr" | "cddr" | "caddr" | "list-ref" | "last-pair" => list_part(name, vals),
        "list?" | "pair?" | "symbol?" | "number?" | "integer?" | "boolean?" | "procedure?" => {
            type_predicate(name, vals.first())
        }
        "zero?" | "positive?" | "negative?" => match vals.first() {
            Some(Value::Int(i)) => Value::Bool(match name {
                "zero?" => *i == 0,
                "positive?" => *i > 0,
                _ => *i < 0,
            }),
            _ => Value::Unknown,
        },
        "quotient" | "remainder" | "modulo" => integer_division(name, vals),
        "abs" => match ints_from(vals, 0).as_deref() {
            Some([a]) => a.checked_abs().map_or(Value::Unknown, Value::Int),
            _ => Value::Unknown,
        },
        "min" | "max" => match ints_from(vals, 0).as_deref() {
            Some(xs) if !xs.is_empty() => Value::Int(if name == "min" {
                *xs.iter().min().expect("not empty")
            } else {
                *xs.iter().max().expect("not empty")
            }),
            _ => Value::Unknown,
        },
        "member" | "memq" | "assoc" | "assq" => member_or_assoc(name, vals),
        _ => return None,
    })
}

/// The list an argument holds, if it is a list.
#[inline]
fn list_arg(v: Option<&&Value>) -> Option<Rc<Vec<Value>>> {
    match v {
        Some(Value::List(xs)) => Some(xs.clone()),
        _ => None,
    }
}

/// `cadr`, `cddr`, `caddr`, `list-ref` and `last-pair` of a known list.
fn list_part(name: &str, vals: &[&Value]) -> Value {
    let Some(xs) = list_arg(vals.first()) else {
        return Value::Unknown;
    };
    let at = |i: usize| xs.get(i).cloned().unwrap_or(Value::Unknown);
    match name {
        "cadr" => at(1),
        "caddr" => at(2),
        "cddr" if xs.len() >= 2 => Value::List(Rc::new(xs[2..].to_vec())),
        "last-pair" if !xs.is_empty() => Value::List(Rc::new(xs[xs.len() - 1..].to_vec())),
        "list-ref" => match vals.get(1) {
            Some(Value::Int(k)) => usize::try_from(*k).map_or(Value::Unknown, at),
            _ => Value::Unknown,
        },
        _ => Value::Unknown,
    }
}

/// The type predicates `list?`, `pair?`, `symbol?`, `number?`, `integer?`, `boolean?` and
/// `procedure?`; unknown on an unknown value.
fn type_predicate(name: &str, v: Option<&&Value>) -> Value {
    match v {
        None | Some(Value::Unknown | Value::UnknownStr) => Value::Unknown,
        Some(v) => Value::Bool(match name {
            "list?" => matches!(v, Value::List(_)),
            "pair?" => matches!(v, Value::List(xs) if !xs.is_empty()),
            "symbol?" => matches!(v, Value::Sym(_)),
            "number?" | "integer?" => matches!(v, Value::Int(_)),
            "boolean?" => matches!(v, Value::Bool(_)),
            _ => matches!(
                v,
                Value::Closure(_) | Value::Builtin(_) | Value::FilterFn(_)
            ),
        }),
    }
}

/// `quotient`, `remainder` and `modulo` of two known integers, the divisor not zero.
fn integer_division(name: &str, vals: &[&Value]) -> Value {
    match ints_from(vals, 0).as_deref() {
        Some([a, b]) if *b != 0 => match name {
            "quotient" => a.checked_div(*b),
            "remainder" => a.checked_rem(*b),
            _ => a
                .checked_rem_euclid(*b)
                .map(|r| if *b < 0 && r != 0 { r + b } else { r }),
        }
        .map_or(Value::Unknown, Value::Int),
        _ => Value::Unknown,
    }
}

/// `member`, `memq`, `assoc` and `assq`: the tail from the first match (or the matching
/// pair), `#f` when none matches, unknown when an element's identity is not known.
fn member_or_assoc(name: &str, vals: &[&Value]) -> Value {
    let (Some(key), Some(xs)) = (vals.first(), list_arg(vals.get(1))) else {
        return Value::Unknown;
    };
    let assoc = name.starts_with("ass");
    for (i, x) in xs.iter().enumerate() {
        let candidate = match (assoc, x) {
            (true, Value::List(pair)) => match pair.first() {
                Some(k) => k,
                None => continue,
            },
            (true, _) => return Value::Unknown,
            (false, x) => x,
        };
        match same(key, candidate) {
            Some(true) if assoc => return x.clone(),
            Some(true) => return Value::List(Rc::new(xs[i..].to_vec())),
            Some(false) => {}
            None => return Value::Unknown,
        }
    }
    Value::Bool(false)
}

/// `(string-append …)` of known strings (keeping the origin of a single one); unknown
/// when any part is.
fn string_append(vals: &[&Value]) -> Value {
    let mut out = String::new();
    for v in vals {
        match v {
            Value::Str(s, _) => out.push_str(s),
            _ => return Value::UnknownStr,
        }
    }
    let origin = match vals {
        [Value::Str(_, o)] => *o,
        _ => None,
    };
    Value::Str(out.into(), origin)
}

#[cfg(test)]
mod tests {
    use crate::model::rule::{FilterExpr, FilterValue, PathPattern};
    use crate::model::{Issue, ModelOptions};
    use crate::syntax::parse;

    /// The path patterns of each rule of `text`, with `?` for a filter evaluation could not
    /// know, and the issues.
    fn rules(text: &str) -> (Vec<Vec<String>>, Vec<Issue>) {
        fn leaves(f: &FilterExpr, out: &mut Vec<String>) {
            match f {
                FilterExpr::Any(xs) | FilterExpr::All(xs) => xs.iter().for_each(|x| leaves(x, out)),
                FilterExpr::Not(x) => leaves(x, out),
                FilterExpr::Leaf(l) => out.push(match &l.value {
                    FilterValue::Path(PathPattern::Subpath(p)) => format!("subpath {p}"),
                    FilterValue::Path(PathPattern::Literal(p)) => format!("literal {p}"),
                    FilterValue::Atom(a) => format!("{} {a}", l.name),
                    other => format!("{other:?}"),
                }),
                FilterExpr::Unknown(_) => out.push("?".into()),
            }
        }
        let tree = parse(text);
        let model = super::super::build(&tree, &[], &ModelOptions::default());
        let rules = model
            .rules
            .iter()
            .map(|r| {
                let mut out = Vec::new();
                if let Some(f) = &r.filter {
                    leaves(f, &mut out);
                }
                out
            })
            .collect();
        (rules, model.issues)
    }

    #[test]
    fn natives_and_library_procedures_evaluate_statically() {
        let (rules, issues) = rules(
            r#"(version 1)
            (allow file-read* (apply subpath (split-string "/usr/lib:/opt/x" ":")))
            (allow file-ioctl (ioctl-command (_IO "d" 24)))
            (allow file-read* (literal (substring "/usr/libexec" 0 8)))
            (allow file-read* (apply subpath (filter (lambda (p) (positive? (string-length p))) (list "" "/a"))))
            (allow file-read* (if (member "b" (list "a" "b")) (subpath "/yes") (subpath "/no")))
            (allow file-read* (subpath (cadr (reverse (list "/3" "/2" "/1")))))
            (allow file-read-data (extension-path-ancestor))
            (deny system-privilege (privilege-id PRIV_GLOBAL_PROC_INFO))
            (allow file-read* (extension *ios-sandbox-container*))"#,
        );
        assert_eq!(issues, []);
        assert_eq!(
            rules,
            [
                vec!["subpath /usr/lib", "subpath /opt/x"],
                vec!["ioctl-command 25624"],
                vec!["literal /usr/lib"],
                vec!["subpath /a"],
                vec!["subpath /yes"],
                vec!["subpath /2"],
                vec!["extension-path-ancestor #t"],
                vec!["privilege-id PRIV_GLOBAL_PROC_INFO"],
                vec!["?"],
            ]
        );
    }

    #[test]
    fn procedures_whose_value_cannot_be_known_are_unknown_not_errors() {
        let (rules, issues) = rules(
            r#"(version 1)
            (disable-callouts)
            (disable-full-symbolication)
            (allow file-read* (eval (read (open-input-string "(subpath \"/x\")"))))
            (allow file-read* (apply subpath (split-string (param "UNSET") ":")))"#,
        );
        assert_eq!(issues, []);
        assert_eq!(rules, [vec!["?"], vec!["?"]]);
    }
}
