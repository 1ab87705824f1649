//! Values of the bounded evaluator.

use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;
use std::rc::Rc;

use super::rule::{FileId, FilterExpr, Modifier, Origin};
use super::vocab::{Name, OpId};
use crate::syntax::Element;

#[derive(Clone, Debug)]
pub enum Value {
    /// What evaluation cannot know.
    Unknown,
    /// A string whose text is unknown (an unset `param`, a `string-append` of one).
    UnknownStr,
    Bool(bool),
    Int(i64),
    /// The text, and the string token it was written as (for diagnostics).
    Str(Rc<str>, Option<Origin>),
    Sym(Rc<str>),
    Char(char),
    List(Rc<Vec<Value>>),
    Closure(Rc<Closure>),
    Builtin(&'static str),
    Macro,
    Operation(OpId, Name),
    /// A filter constructor such as `subpath`, with the name as written.
    FilterFn(Name),
    Filter(Rc<FilterExpr>),
    Modifier(Rc<Modifier>),
    /// A named constant: `REGULAR-FILE`, `SIGKILL`, `same-sandbox` …
    Constant(Rc<str>),
}

impl Value {
    pub fn truthy(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::Unknown | Value::UnknownStr => None,
            _ => Some(true),
        }
    }

    pub fn is_stringish(&self) -> bool {
        matches!(self, Value::Str(..) | Value::UnknownStr)
    }

    pub fn nil() -> Value {
        Value::List(Rc::new(Vec::new()))
    }
}

#[derive(Debug)]
pub struct Closure {
    pub name: Option<Rc<str>>,
    pub params: Vec<Rc<str>>,
    pub rest: Option<Rc<str>>,
    pub body: Vec<Element>,
    pub file: FileId,
    pub env: Rc<Env>,
}

#[derive(Debug, Default)]
pub struct Env {
    pub vars: RefCell<HashMap<Rc<str>, Value>>,
    pub parent: Option<Rc<Env>>,
}

impl Env {
    pub fn child(parent: &Rc<Env>) -> Rc<Env> {
        Rc::new(Env {
            vars: RefCell::new(HashMap::default()),
            parent: Some(parent.clone()),
        })
    }

    pub fn lookup(&self, name: &str) -> Option<Value> {
        if let Some(v) = self.vars.borrow().get(name) {
            return Some(v.clone());
        }
        let mut env = self.parent.clone();
        while let Some(e) = env {
            if let Some(v) = e.vars.borrow().get(name) {
                return Some(v.clone());
            }
            env = e.parent.clone();
        }
        None
    }

    pub fn define(&self, name: Rc<str>, value: Value) {
        self.vars.borrow_mut().insert(name, value);
    }

    /// `set!`: the nearest binding, or a new global one.
    pub fn set(self: &Rc<Env>, name: Rc<str>, value: Value) {
        let mut env = Some(self.clone());
        while let Some(e) = env {
            if e.vars.borrow().contains_key(&name) {
                e.define(name, value);
                return;
            }
            env = e.parent.clone();
        }
        self.define(name, value);
    }
}
