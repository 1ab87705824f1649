//! Names the profile does not define: SBPL and Scheme built-ins (from `grammar/functions.txt`),
//! operations, filters and named constants, and the procedures the evaluator runs itself.

use std::rc::Rc;

use super::interp::parse_number;
use super::Evaluator;
use crate::model::rule::{FileId, FilterExpr, Origin, PathPattern};
use crate::model::value::Value;
use crate::model::vocab::{Name, Vocabulary};
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

    pub(super) fn call_builtin(
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
        if self.global.lookup(name).is_some() {
            return true;
        }
        match self.vocab.resolve_operation(name) {
            Some(id) => self.vocab.operation(id).exists_in(self.macos),
            None => self.builtin(name).is_some(),
        }
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
        || vocab
            .filters
            .iter()
            .any(|f| f.named_values.iter().any(|v| v == name))
}
