//! Lowering: `allow`/`deny` forms, their filters and modifiers, into the model's rules, with
//! the checks of their arguments against the vocabulary.

use std::rc::Rc;

use smallvec::SmallVec;

use super::interp::describe;
use super::{Evaluator, Position};
use crate::model::argument::Endpoint;
use crate::model::rule::{
    Action, FileId, Filter, FilterExpr, FilterValue, Modifier, NamePattern, NetAddr, Origin,
    PathPattern, Port, Rule, RuleOp,
};
use crate::model::value::{Env, Value};
use crate::model::vocab::{ArgKind, Availability, FilterDef, ModifierActions, Name, Release};
use crate::model::Issue;
use crate::syntax::string::quote;
use crate::syntax::{Element, NodeId, Span, TokenKind};

impl<'a> Evaluator<'a> {
    pub(super) fn modifier(
        &mut self,
        file: FileId,
        node: NodeId,
        args: &[Element],
        env: &Rc<Env>,
    ) -> Value {
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

    /// `(allow OP... FILTER... (with MODIFIER)...)`
    pub(super) fn rule(
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
                            let suggestion = self.vocab.suggest_operation(text);
                            self.issue(
                                file,
                                Issue::UnknownOperation {
                                    span: tree.token(t).span,
                                    name: text.to_string(),
                                    suggestion,
                                    note: None,
                                },
                            );
                        } else if !leading {
                            // Among the filters: a variable nothing defines.
                            self.unbound(file, tree.token(t).span, text);
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

    pub(super) fn record_rule(
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
                    self.operation_availability(file, span, id, written);
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
        self.check_modifiers(file, action, &modifiers);
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

    /// Reports an operation the target macOS lacks (obsolete, or newer than it), or whose
    /// presence there is unverified.
    fn operation_availability(
        &mut self,
        file: FileId,
        span: Span,
        id: crate::model::OpId,
        written: Name,
    ) {
        let op = self.vocab.operation(id);
        let mut availability = op.availability(self.macos);
        // sbpl1.scm of 10.15 defines the names it retired as `'no-op`
        // (`mach-per-user-lookup` …): accepted there, unverified after.
        if availability == Availability::Absent && self.vocab.is_no_op_alias(&written) {
            availability = match self.macos.release {
                Release::V10_15 => Availability::Present,
                r if r > Release::V10_15 => Availability::Unverified,
                _ => Availability::Absent,
            };
        }
        match availability {
            Availability::Present => {}
            Availability::Unverified => {
                let issue = Issue::UnverifiedName {
                    span,
                    name: written.to_string(),
                    kind: "operation",
                    macos: self.macos,
                    known: op.versions(),
                };
                self.issue(file, issue);
            }
            Availability::Absent => {
                let versions = op.versions();
                let newer = versions.iter().all(|v| v.release > self.macos.release);
                let issue = if newer {
                    Issue::UnknownOperation {
                        span,
                        name: written.to_string(),
                        suggestion: None,
                        note: Some(format!(
                            "`{written}` exists from macOS {} on; this check targets {}",
                            versions.first().map_or("?", |v| v.as_str()),
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
        }
    }

    /// Reports a modifier on a rule of the action it is not valid on.
    fn check_modifiers(&mut self, file: FileId, action: Action, modifiers: &[Modifier]) {
        for m in modifiers {
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
    }

    pub(super) fn combine(
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

    pub(super) fn path_leaf(
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
    pub(super) fn make_filter(
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
        self.filter_availability(file, node, origin, def, written);
        let call = FilterCall {
            file,
            def,
            name,
            written,
            origin,
        };
        if def.arg == ArgKind::Network {
            return self.network_filter(file, &written, origin, &args, |v, a| call.leaf(v, a));
        }
        if args.is_empty() {
            if matches!(def.arg, ArgKind::Unknown) {
                return unknown(origin);
            }
            // Apple's own profiles call boolean filters with no argument:
            // `(extension-path-ancestor)` in application.sb of macOS 10.15.
            if def.arg == ArgKind::Boolean {
                return Value::Filter(Rc::new(call.leaf(FilterValue::Atom("#t".into()), origin)));
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
        let mut alternatives: SmallVec<[FilterExpr; 1]> = args
            .into_iter()
            .map(|(value, span)| self.filter_argument(&call, value, span))
            .collect();
        let expr = if alternatives.len() == 1 {
            alternatives.pop().expect("one")
        } else {
            FilterExpr::Any(alternatives.into_vec())
        };
        Value::Filter(Rc::new(expr))
    }

    /// Reports a filter the target macOS lacks, or whose presence there is unverified.
    fn filter_availability(
        &mut self,
        file: FileId,
        node: NodeId,
        origin: Origin,
        def: &FilterDef,
        written: Name,
    ) {
        let availability = def.availability(self.macos);
        if availability == Availability::Present {
            return;
        }
        let tree = self.tree(file);
        let head = tree
            .get()
            .items(node)
            .next()
            .map_or(origin.span, |h| tree.get().span(h));
        let known: Vec<crate::model::MacOs> = def
            .evidence
            .releases()
            .into_iter()
            .map(crate::model::MacOs::release)
            .collect();
        let issue = if availability == Availability::Absent {
            Issue::UnknownFilter {
                span: head,
                name: written.to_string(),
                suggestion: None,
                note: Some(format!(
                    "`{written}` is a filter of macOS {}; this check targets {}",
                    known
                        .iter()
                        .map(|v| v.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    self.macos
                )),
            }
        } else {
            Issue::UnverifiedName {
                span: head,
                name: written.to_string(),
                kind: "filter",
                macos: self.macos,
                known,
            }
        };
        self.issue(file, issue);
    }

    /// One argument of a filter call, checked against the filter's argument kind.
    fn filter_argument(&mut self, call: &FilterCall, value: Value, span: Span) -> FilterExpr {
        let file = call.file;
        let kind = call.def.arg;
        let here = Origin { file, span };
        let arg_origin = |o: Option<Origin>| o.unwrap_or(here);
        match (kind, value) {
            (_, Value::Unknown | Value::UnknownStr) => FilterExpr::Unknown(here),
            (ArgKind::Path | ArgKind::PathSubpath | ArgKind::PathPrefix, Value::Str(s, o)) => {
                let pattern = match kind {
                    ArgKind::Path => PathPattern::Literal(s.as_ref().into()),
                    ArgKind::PathSubpath => PathPattern::Subpath(s.as_ref().into()),
                    _ => PathPattern::Prefix(s.as_ref().into()),
                };
                call.leaf(FilterValue::Path(pattern), arg_origin(o))
            }
            (ArgKind::Regex, Value::Str(s, o)) => {
                let at = arg_origin(o);
                if let Err(error) = crate::model::regex::check(&s) {
                    self.issue(
                        file,
                        Issue::InvalidRegex {
                            span: at.span,
                            message: error.to_string(),
                        },
                    );
                }
                if call.def.category == "path" {
                    call.leaf(FilterValue::Path(PathPattern::Regex(s.as_ref().into())), at)
                } else {
                    call.leaf(FilterValue::Name(NamePattern::Regex(s.as_ref().into())), at)
                }
            }
            (ArgKind::Name, Value::Str(s, o)) => call.leaf(
                FilterValue::Name(NamePattern::Exact(s.as_ref().into())),
                arg_origin(o),
            ),
            (ArgKind::NamePrefix, Value::Str(s, o)) => call.leaf(
                FilterValue::Name(NamePattern::Prefix(s.as_ref().into())),
                arg_origin(o),
            ),
            (ArgKind::String | ArgKind::Unknown, Value::Str(s, o)) => {
                call.leaf(FilterValue::Other(s.as_ref().into()), arg_origin(o))
            }
            (ArgKind::Constant | ArgKind::Bitfield, Value::Int(i)) => {
                call.leaf(FilterValue::Atom(i.to_string().into()), here)
            }
            (ArgKind::Boolean, Value::Bool(b)) => {
                call.leaf(FilterValue::Atom(if b { "#t" } else { "#f" }.into()), here)
            }
            (ArgKind::Constant, Value::Constant(c) | Value::Sym(c)) => {
                self.named_constant(call, span, &c);
                call.leaf(FilterValue::Atom(c.as_ref().into()), here)
            }
            (ArgKind::Unknown, _) => FilterExpr::Unknown(here),
            (_, Value::Filter(_)) => {
                self.issue(
                    file,
                    Issue::InvalidFilterArgument {
                        span,
                        message: format!("`{}` takes a value, not another filter", call.written),
                        label: "a filter here".into(),
                    },
                );
                FilterExpr::Unknown(here)
            }
            (kind, other) => self.wrong_argument(call, kind, other, span),
        }
    }

    /// A named constant as a filter's argument: whether the target macOS defines it, and
    /// whether the filter takes it.
    fn named_constant(&mut self, call: &FilterCall, span: Span, c: &str) {
        let file = call.file;
        match self.vocab.constant_availability(c, self.macos) {
            Some((Availability::Absent, evidence)) => self.issue(
                file,
                Issue::InvalidFilterArgument {
                    span,
                    message: format!(
                        "`{c}` is an unbound variable on {}: the profile fails to load",
                        self.macos
                    ),
                    label: match &evidence.source {
                        Some(source) => format!("seen refused: {source}"),
                        None => "not defined there".into(),
                    },
                },
            ),
            Some((Availability::Unverified, evidence)) => self.issue(
                file,
                Issue::UnverifiedName {
                    span,
                    name: c.to_string(),
                    kind: "constant",
                    macos: self.macos,
                    known: evidence
                        .releases()
                        .into_iter()
                        .map(crate::model::MacOs::release)
                        .collect(),
                },
            ),
            _ => {}
        }
        let def = call.def;
        if def.named_values_complete && !def.named_values.iter().any(|v| **v == *c) {
            let suggestion = self
                .vocab
                .suggest(c, def.named_values.iter().map(String::as_str));
            self.issue(
                file,
                Issue::InvalidFilterArgument {
                    span,
                    message: format!("`{c}` is not a value of `{}`", call.written),
                    label: match suggestion {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => {
                            format!("expected one of: {}", def.named_values.join(", "))
                        }
                    },
                },
            );
        }
    }

    /// A value of the wrong kind for the filter: reported, unless it is a name nothing
    /// defines (reported as that) or a value evaluation cannot see into.
    fn wrong_argument(
        &mut self,
        call: &FilterCall,
        kind: ArgKind,
        other: Value,
        span: Span,
    ) -> FilterExpr {
        let file = call.file;
        let expected = match kind {
            ArgKind::Path | ArgKind::PathSubpath | ArgKind::PathPrefix => "a path string",
            ArgKind::Regex => "a regex string (#\"...\")",
            ArgKind::Name | ArgKind::NamePrefix | ArgKind::String => "a string",
            ArgKind::Constant => "a number or a named constant",
            ArgKind::Bitfield => "a number such as #o644",
            ArgKind::Boolean => "#t or #f",
            _ => "another argument",
        };
        let bare = match &other {
            Value::Sym(name) => {
                let tree = self.tree(file);
                tree.get().source(span) == &**name
            }
            _ => false,
        };
        if matches!(other, Value::Closure(_) | Value::List(_) | Value::Macro) {
            // Nothing to say about a value evaluation cannot see into.
        } else if let (true, Value::Sym(name)) = (bare, &other) {
            // `(subpath PROJECT_DIR)`: the problem is the name nothing defines (libsandbox
            // stops there), not the kind of its value.
            self.unbound(file, span, name);
        } else {
            self.issue(
                file,
                Issue::InvalidFilterArgument {
                    span,
                    message: format!("`{}` expects {expected}", call.written),
                    label: format!("{} here", describe(&other)),
                },
            );
        }
        FilterExpr::Unknown(Origin { file, span })
    }

    /// A `local`/`remote` filter: its protocol and `"HOST:PORT"` checked, as a network leaf.
    fn network_filter(
        &mut self,
        file: FileId,
        written: &str,
        origin: Origin,
        args: &[(Value, Span)],
        leaf: impl Fn(FilterValue, Origin) -> FilterExpr,
    ) -> Value {
        let local = matches!(written, "local" | "from");
        let Some(NetworkArgs {
            protocol,
            address,
            socket,
        }) = network_args(file, args)
        else {
            return Value::Filter(Rc::new(FilterExpr::Unknown(origin)));
        };
        if !NETWORK_PROTOCOLS.contains(&protocol.as_str()) {
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
            // `(remote unix)`, `(local udp)`: any address of that kind; with a path filter,
            // the unix socket at those paths.
            return Value::Filter(Rc::new(leaf(
                FilterValue::Network(Box::new(NetAddr {
                    local,
                    protocol,
                    host: "*".into(),
                    port: Port::Any,
                    socket,
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
                    socket: None,
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

/// The protocols a `local`/`remote` filter takes.
const NETWORK_PROTOCOLS: &[&str] = &[
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

/// What a `local`/`remote` filter's arguments say.
struct NetworkArgs {
    /// `ip` unless a protocol is named.
    protocol: String,
    /// The `"HOST:PORT"` string and where it was written.
    address: Option<(String, Origin)>,
    /// A unix socket's path filter as written, and its pattern.
    socket: Option<Box<(Name, PathPattern)>>,
}

/// The arguments of a `local`/`remote` filter by kind; `None` when one is of no kind it takes.
fn network_args(file: FileId, args: &[(Value, Span)]) -> Option<NetworkArgs> {
    let mut protocol = "ip".to_string();
    let mut address = None;
    let mut socket = None;
    for (value, span) in args {
        match value {
            Value::Constant(c) | Value::Sym(c) => protocol = c.to_string(),
            Value::Str(s, o) => {
                address = Some((s.to_string(), o.unwrap_or(Origin { file, span: *span })))
            }
            // `(remote unix-socket (path-literal "/x.sock"))`: a unix socket by its path.
            Value::Filter(f) if protocol.starts_with("unix") && socket.is_none() => match &**f {
                FilterExpr::Leaf(Filter {
                    written,
                    value: FilterValue::Path(p),
                    ..
                }) => socket = Some(Box::new((*written, p.clone()))),
                _ => return None,
            },
            _ => return None,
        }
    }
    Some(NetworkArgs {
        protocol,
        address,
        socket,
    })
}

/// `"HOST:PORT"`: HOST is `*` or `localhost`, PORT is `*` or 0–65535.
fn parse_address(text: &str) -> Result<(String, Port), (String, String)> {
    let Some(end) = Endpoint::parse(text) else {
        return Err((
            format!("`{text}` is not `HOST:PORT`: the whole profile fails to load"),
            "write `\"*:443\"` or `\"localhost:8080\"`".into(),
        ));
    };
    // libsandbox takes the host as written: `[::1]` is not `localhost`.
    let (host, port) = (end.written_host, end.port);
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
    let port = match (port, end.port_number()) {
        ("*", _) => Port::Any,
        (_, Some(p)) => Port::Number(p),
        (_, None) => {
            return Err((
                format!("port `{port}` is not `*` or a number from 0 to 65535: the whole profile fails to load"),
                "not a port".into(),
            ))
        }
    };
    Ok((host.to_string(), port))
}

/// A filter call being lowered: what each of its arguments becomes a leaf of.
struct FilterCall {
    file: FileId,
    def: &'static FilterDef,
    name: Name,
    written: Name,
    origin: Origin,
}

impl FilterCall {
    fn leaf(&self, value: FilterValue, arg: Origin) -> FilterExpr {
        FilterExpr::Leaf(Filter {
            name: self.name,
            written: self.written,
            value,
            origin: self.origin,
            arg,
        })
    }
}
