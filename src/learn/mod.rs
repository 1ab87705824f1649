//! `sblint learn`: audit2allow for Seatbelt. Reads sandbox denials from the system log
//! (`log stream`/`log show` output, syslog or `--style ndjson`/`json`), proposes the
//! narrowest rules that allow them, grouped by operation, each with the log lines it
//! answers; keeps secrets denied; and merges the proposals into a profile where
//! precedence lets them take effect. `sblint explain --log` is the same reading.

use std::collections::BTreeMap;
use std::path::Path;

use crate::explain::{explain, ExplainError, Explanation};
use crate::model::argument::{
    arg_kind, decided_on_local_end, normalize, parse as parse_argument, Arg, ArgumentKind, Endpoint,
};
use crate::model::essentials;
use crate::model::{paths, quote, vocabulary, Action, Model};

/// One denial from the system log: `Sandbox: bash(31281) deny(1) file-read-metadata /path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    pub process: String,
    pub operation: String,
    pub argument: Option<String>,
}

/// A denial and where it was read: its 1-based line in the log, and the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub denial: Denial,
    pub line: usize,
    pub text: String,
}

/// The message of a log line: the `eventMessage` of an ndjson/json record, else the line.
fn messages(log: &str) -> Vec<(usize, String)> {
    let trimmed = log.trim_start();
    // `log show --style json`: one array of records over many lines.
    if trimmed.starts_with('[') {
        if let Ok(serde_json::Value::Array(records)) = serde_json::from_str(trimmed) {
            return records
                .iter()
                .enumerate()
                .filter_map(|(i, r)| Some((i + 1, r.get("eventMessage")?.as_str()?.to_string())))
                .collect();
        }
    }
    log.lines()
        .enumerate()
        .map(|(i, line)| {
            let l = line.trim();
            let message = if l.starts_with('{') {
                serde_json::from_str::<serde_json::Value>(l)
                    .ok()
                    .and_then(|v| v.get("eventMessage")?.as_str().map(str::to_string))
                    .unwrap_or_else(|| line.to_string())
            } else {
                line.to_string()
            };
            (i + 1, message)
        })
        .collect()
}

/// Reads a denial from a log line: `Sandbox: NAME(PID) deny(N) OP [ARG]`, with or without
/// the `kernel: (Sandbox)` or `System Policy:` prefixes, `deny` without a count (before
/// macOS 10.12), `Sandbox: N duplicate report for NAME deny(1) …`, and a line that starts
/// with `NAME(PID) deny …` (crash reports); `None` for any other line.
pub fn parse_denial(line: &str) -> Option<Denial> {
    let (at, count_len) = find_deny(line)?;
    let before = &line[..at];
    let process = process_name(before)?;
    let rest = line[at + count_len..].trim_start();
    let (operation, argument) = match rest.split_once(char::is_whitespace) {
        Some((op, arg)) => (op, Some(arg.trim().to_string()).filter(|a| !a.is_empty())),
        None => (rest.trim(), None),
    };
    if operation.is_empty()
        || !operation
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'*')
    {
        return None;
    }
    Some(Denial {
        process,
        operation: operation.to_string(),
        argument,
    })
}

/// Where ` deny(N) ` or ` deny ` starts, and the length of that word.
fn find_deny(line: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(i) = line[from..].find(" deny") {
        let at = from + i;
        let rest = &line[at + " deny".len()..];
        if let Some(r) = rest.strip_prefix('(') {
            if let Some(close) = r.find(')') {
                if close > 0 && r[..close].bytes().all(|b| b.is_ascii_digit()) {
                    return Some((at, " deny(".len() + close + 1));
                }
            }
        } else if rest.starts_with(' ') {
            return Some((at, " deny".len()));
        }
        from = at + 1;
    }
    None
}

/// The process of the text before ` deny`: `… Sandbox: bash(31281)` → `bash`,
/// `Sandbox: 1 duplicate report for com.apple.WebKit` → `com.apple.WebKit`,
/// `XChat Azure(54849)` at the start of the line → `XChat Azure`.
fn process_name(before: &str) -> Option<String> {
    let marker = ["Sandbox: ", "System Policy: ", "SandboxViolation: "]
        .iter()
        .filter_map(|m| before.rfind(m).map(|i| i + m.len()))
        .max();
    let name_part = match marker {
        Some(i) => &before[i..],
        // No prefix: only a line that is `NAME(PID)` from its start.
        None if before.ends_with(')') => before,
        None => return None,
    };
    let name_part = name_part.trim();
    if let Some(rest) = name_part.strip_prefix(|c: char| c.is_ascii_digit()) {
        let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
        for word in [" duplicate report for ", " duplicate reports for "] {
            if let Some(name) = rest.strip_prefix(word) {
                return Some(name.trim().to_string());
            }
        }
    }
    match name_part.rfind('(') {
        Some(open) if name_part.ends_with(')') => {
            let pid = &name_part[open + 1..name_part.len() - 1];
            pid.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| name_part[..open].trim().to_string())
                .filter(|n| !n.is_empty())
        }
        _ => {
            let last = name_part.rsplit(char::is_whitespace).next()?;
            Some(last.trim_end_matches(':').to_string()).filter(|n| !n.is_empty())
        }
    }
}

/// Every denial of a log, in order, with its line.
pub fn read_log(log: &str) -> Vec<Logged> {
    messages(log)
        .into_iter()
        .filter_map(|(line, text)| {
            parse_denial(&text).map(|denial| Logged {
                denial,
                line,
                text: text.trim().to_string(),
            })
        })
        .collect()
}

// --- `explain --log`: each denial explained, the narrowest rule per operation. ---

/// A log's denials, each explained once, and what would allow the denied ones.
#[derive(Debug)]
pub struct Audit {
    /// In the log's order, repeats left out.
    pub denials: Vec<(Denial, Result<Explanation, ExplainError>)>,
    /// One per operation the profile denies, in the order first denied.
    pub proposals: Vec<Proposal>,
}

/// The narrowest `allow` rule for the denials of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub operation: String,
    /// SBPL filters, one per denied argument that has one ([`narrowest_filter`]).
    pub filters: Vec<String>,
    /// The processes that were denied, each once.
    pub processes: Vec<String>,
}

/// Explains each denial of a log (lines that are not denials are skipped) against the
/// model, and proposes, per operation the profile denies, the narrowest rule that would
/// allow what was denied (audit2allow for SBPL).
pub fn audit(model: &Model, log: &str, cwd: &Path) -> Audit {
    let mut denials = Vec::new();
    let mut proposals: Vec<Proposal> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for logged in read_log(log) {
        let denial = logged.denial;
        if !seen.insert((denial.operation.clone(), denial.argument.clone())) {
            continue;
        }
        let outcome = explain(model, &denial.operation, denial.argument.as_deref(), cwd);
        // A relative path: no rule names it (the denial is still explained, against `cwd`).
        let answerable = unanswerable(&denial.operation, denial.argument.as_deref()).is_none();
        if answerable && outcome.as_ref().is_ok_and(|e| e.action == Action::Deny) {
            let filter = denial
                .argument
                .as_deref()
                .and_then(|a| narrowest_filter(&denial.operation, a));
            match proposals
                .iter_mut()
                .find(|p| p.operation == denial.operation)
            {
                Some(p) => {
                    p.filters.extend(filter);
                    if !p.processes.contains(&denial.process) {
                        p.processes.push(denial.process.clone());
                    }
                }
                None => proposals.push(Proposal {
                    operation: denial.operation.clone(),
                    filters: filter.into_iter().collect(),
                    processes: vec![denial.process.clone()],
                }),
            }
        }
        denials.push((denial, outcome));
    }
    Audit { denials, proposals }
}

fn is_path_operation(op: &str) -> bool {
    arg_kind(op) == ArgumentKind::Path
}

/// Whether `argument` is a path to `operation`: a file or `process-exec` path, or a unix
/// socket's path for a network operation.
fn takes_path(operation: &str, argument: &str) -> bool {
    is_path_operation(operation) || (operation.starts_with("network") && argument.starts_with('/'))
}

/// The path a denial names, as the model checks it: read by the one argument parser
/// ([`parse_argument`]: `//` and a trailing `/` dropped, `.` and `..` resolved, `/tmp/x`
/// → `/private/tmp/x`), so a proposed `literal` is the path `explain` asks about. `None`
/// for a path that is not absolute: the log does not say what it is relative to.
fn checked_path(operation: &str, argument: &str) -> Option<String> {
    if !argument.starts_with('/') {
        return None;
    }
    match parse_argument(operation, argument, Path::new("/")) {
        Ok(Arg::Path(path) | Arg::Socket(path)) => Some(path),
        _ => None,
    }
}

/// Why no rule can be proposed for a denial's argument, when none can: a path that is not
/// absolute names nothing sblint can know (the process's working directory is not in the
/// log), and a literal of it as written matches nothing the kernel checks.
pub fn unanswerable(operation: &str, argument: Option<&str>) -> Option<&'static str> {
    let arg = argument?;
    (takes_path(operation, arg) && checked_path(operation, arg).is_none())
        .then_some("a path that is not absolute: the log does not say what it is relative to")
}

/// The narrowest filter that matches a denial's argument, as SBPL: a `literal` for a path,
/// `(remote unix-socket (path-literal …))` for a unix-socket connect, `(local ip …)` for
/// bind and inbound (the machine's own end), `(remote ip …)` for other connects, the name
/// filter for names. Paths as the model checks them ([`checked_path`]); `None` for a path
/// that is not absolute ([`unanswerable`]).
pub fn narrowest_filter(operation: &str, argument: &str) -> Option<String> {
    if is_path_operation(operation) {
        let path = checked_path(operation, argument)?;
        return Some(format!("(literal {})", quote(&path)));
    }
    if operation.starts_with("network") {
        if argument.starts_with('/') {
            let path = checked_path(operation, argument)?;
            return Some(format!(
                "(remote unix-socket (path-literal {}))",
                quote(&path)
            ));
        }
        let Endpoint { host, port, .. } = Endpoint::parse(argument)?;
        let loopback = host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        let local_end = decided_on_local_end(operation);
        // A server bound to 0.0.0.0 or :: is matched by `*` only (bazelbuild/bazel#30865).
        let host = if loopback { "localhost" } else { "*" };
        let port = if port.parse::<u16>().is_ok() {
            port
        } else {
            "*"
        };
        let end = if local_end { "local" } else { "remote" };
        return Some(format!("({end} ip {})", quote(&format!("{host}:{port}"))));
    }
    let name_filter = [
        ("mach-", "global-name"),
        ("sysctl", "sysctl-name"),
        ("ipc-posix", "ipc-posix-name"),
        ("user-preference", "preference-domain"),
        ("iokit-open", "iokit-registry-entry-class"),
    ]
    .iter()
    .find(|(prefix, _)| operation.starts_with(prefix))?
    .1;
    Some(format!("({name_filter} {})", quote(argument)))
}

// --- `sblint learn` ---

/// What `learn` does with one distinct denial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Proposed: allowed by the rule of its group.
    Proposed,
    /// A secret: kept denied unless `--allow-secrets`.
    Secret(&'static str),
    /// The profile given already allows it: the denial came from another profile.
    AlreadyAllowed,
    /// Not an operation sblint knows, under any name.
    UnknownOperation,
    /// No rule can name what was denied, and why ([`unanswerable`]).
    Unanswerable(&'static str),
}

/// One distinct denial (operation and argument), the lines that logged it, and its fate.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The operation as sblint knows it (a known alias mapped: `process-exec` stays as
    /// written when the vocabulary has it).
    pub operation: String,
    /// As logged, when the log used another name.
    pub logged_as: Option<String>,
    pub argument: Option<String>,
    pub processes: Vec<String>,
    pub lines: Vec<usize>,
    pub verdict: Verdict,
    /// The row of `grammar/essentials.tsv` this is, when it is one.
    pub essential: Option<&'static essentials::Essential>,
}

/// One proposed `allow` rule: an operation and its filters, each with the findings
/// (indices into [`Learned::findings`]) it answers.
#[derive(Debug, Clone)]
pub struct Rule {
    pub operation: String,
    /// `(literal …)`, `(subpath …)`, …; empty for an operation without argument.
    pub filters: Vec<(String, Vec<usize>)>,
    /// For an operation without argument, the findings it answers.
    pub answers: Vec<usize>,
}

impl Rule {
    /// The rule as SBPL, on one line.
    pub fn text(&self) -> String {
        let filters: String = self.filters.iter().map(|(f, _)| format!(" {f}")).collect();
        format!("(allow {}{filters})", self.operation)
    }
}

/// What `learn` read and proposes.
#[derive(Debug, Clone)]
pub struct Learned {
    /// Lines that were denials.
    pub denial_lines: usize,
    pub findings: Vec<Finding>,
    /// Grouped by operation, in the order each was first denied.
    pub rules: Vec<Rule>,
}

/// How to learn.
#[derive(Debug, Clone)]
pub struct Options {
    /// Propose a `subpath` when this many denied paths of one operation share a directory
    /// (0 never).
    pub generalize: usize,
    /// Propose access to secrets too.
    pub allow_secrets: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            generalize: 3,
            allow_secrets: false,
        }
    }
}

/// Paths that hold credentials: (what, matcher on the resolved path).
const SECRET_PATHS: &[(&str, &str)] = &[
    ("SSH keys", "/.ssh/"),
    ("AWS credentials", "/.aws/"),
    ("GnuPG keys", "/.gnupg/"),
    ("keychains", "/Library/Keychains/"),
    ("Docker credentials", "/.docker/config.json"),
    ("Kubernetes credentials", "/.kube/"),
    ("GitHub CLI token", "/.config/gh/"),
    ("netrc credentials", "/.netrc"),
    ("git credentials", "/.git-credentials"),
    ("npm token", "/.npmrc"),
    ("PyPI token", "/.pypirc"),
    (
        "browser profile",
        "/Library/Application Support/Google/Chrome/",
    ),
    ("browser profile", "/Library/Application Support/Firefox/"),
    ("browser profile", "/Library/Safari/"),
    ("browser cookies", "/Library/Cookies/"),
];

/// Mach services that hand out keychain items (nolabs-ai/nono#620).
const SECRET_SERVICES: &[&str] = &[
    "com.apple.SecurityServer",
    "com.apple.security.keychaind",
    "com.apple.secd",
    "com.apple.security.agent",
];

/// Why a denial touches a secret, if it does.
pub fn secret(operation: &str, argument: Option<&str>) -> Option<&'static str> {
    let arg = argument?;
    if takes_path(operation, arg) {
        let path = checked_path(operation, arg).unwrap_or_else(|| paths::resolve(arg));
        let name = path.rsplit('/').next().unwrap_or("");
        if name == ".env" || name.starts_with(".env.") {
            return Some(".env file");
        }
        // An ssh-agent socket: SSH keys by proxy (eugene1g/agent-safehouse#36, #138).
        if operation.starts_with("network")
            && (path.contains("/.ssh/")
                || path.contains("com.apple.launchd.") && path.ends_with("/Listeners"))
        {
            return Some("ssh-agent socket");
        }
        let dir = format!("{path}/");
        return SECRET_PATHS
            .iter()
            .find(|(_, m)| dir.contains(m) || path.ends_with(m.trim_end_matches('/')))
            .map(|(what, _)| *what);
    }
    if operation.starts_with("mach-") && SECRET_SERVICES.contains(&arg) {
        return Some("keychain service");
    }
    None
}

/// A subtree that holds credentials when a rule opens all of it: a home directory, an
/// ancestor of one, or a directory inside a home that one of [`SECRET_PATHS`] lies in
/// (`~/Library` holds the keychains). What it holds, if anything.
pub fn subtree_secret(dir: &str) -> Option<&'static str> {
    let dir = paths::resolve(dir);
    let dir = dir.trim_end_matches('/');
    if dir.is_empty() || dir == "/Users" {
        return Some("every user's SSH keys, credentials and keychains");
    }
    let rest = dir.strip_prefix("/Users/")?;
    let within = rest.split_once('/').map_or("", |(_, w)| w);
    if within.is_empty() {
        return Some("the home's SSH keys, credentials and keychains");
    }
    let inside = format!("/{within}/");
    SECRET_PATHS
        .iter()
        .find(|(_, m)| m.starts_with(&inside) || inside.starts_with(m))
        .map(|(what, _)| *what)
}

/// What a proposed filter opens beyond the denials it answers, when that is more than a
/// reader of the proposal would guess: a `remote ip` with host `*` opens the port on every
/// host (SBPL names no host but `*` and `localhost`: the seed post, and libsandbox refuses
/// others, SB105), and a generalised `subpath` may take in a subtree that holds secrets.
pub fn filter_risk(filter: &str, answers: &[usize], findings: &[Finding]) -> Option<String> {
    if let Some(address) = filter
        .strip_prefix("(remote ip \"*:")
        .and_then(|rest| rest.strip_suffix("\")"))
    {
        let mut hosts: Vec<&str> = answers
            .iter()
            .filter_map(|&i| findings[i].argument.as_deref())
            .collect();
        hosts.dedup();
        let port = if address == "*" {
            "every port".to_string()
        } else {
            format!("port {address}")
        };
        return Some(format!(
            "opens {port} on every host, not only {}: SBPL cannot name a host (only `*` or `localhost`); to reach one host, run a proxy on localhost and allow `(remote ip \"localhost:PROXY_PORT\")` instead",
            hosts.join(", ")
        ));
    }
    let dir = filter
        .strip_prefix("(subpath \"")
        .and_then(|rest| rest.strip_suffix("\")"))?;
    let what = subtree_secret(dir)?;
    Some(format!(
        "generalises {} denied path{} to all of `{dir}`, which holds {what}: `--generalize 0` keeps one literal per path",
        answers.len(),
        if answers.len() == 1 { "" } else { "s" }
    ))
}

/// The operation as sblint knows it: the name itself, or what it is known as.
fn known_operation(name: &str) -> Option<String> {
    let vocab = vocabulary();
    if vocab.op_id(name).is_some() {
        return Some(name.to_string());
    }
    vocab
        .resolve_operation(name)
        .map(|id| vocab.operation(id).name.to_string())
}

/// Reads the denials of `log` and proposes rules. With `model`, denials the profile
/// already allows are reported as such and not proposed.
pub fn learn(log: &str, model: Option<&Model>, options: &Options) -> Learned {
    let logged = read_log(log);
    let mut findings: Vec<Finding> = Vec::new();
    // (operation, argument) → its finding: a log of many thousand lines stays linear.
    let mut index: std::collections::HashMap<(String, Option<String>), usize> =
        std::collections::HashMap::new();
    for l in &logged {
        let d = &l.denial;
        let operation = known_operation(&d.operation);
        let key_op = operation.clone().unwrap_or_else(|| d.operation.clone());
        let key = (key_op.clone(), d.argument.clone());
        if let Some(f) = index.get(&key).map(|&i| &mut findings[i]) {
            f.lines.push(l.line);
            if !f.processes.contains(&d.process) {
                f.processes.push(d.process.clone());
            }
            continue;
        }
        let verdict = match &operation {
            None => Verdict::UnknownOperation,
            Some(op) => match (
                secret(op, d.argument.as_deref()),
                unanswerable(op, d.argument.as_deref()),
            ) {
                (Some(what), _) if !options.allow_secrets => Verdict::Secret(what),
                (_, Some(why)) => Verdict::Unanswerable(why),
                _ => {
                    let allowed = model.is_some_and(|m| {
                        explain(m, op, d.argument.as_deref(), Path::new("/"))
                            .is_ok_and(|e| e.action == Action::Allow && e.alternatives.is_empty())
                    });
                    if allowed {
                        Verdict::AlreadyAllowed
                    } else {
                        Verdict::Proposed
                    }
                }
            },
        };
        let essential = essentials::table().iter().find(|e| {
            Some(e.operation) == operation.as_deref() && e.argument == d.argument.as_deref()
        });
        index.insert(key, findings.len());
        findings.push(Finding {
            logged_as: operation
                .as_ref()
                .filter(|o| **o != d.operation)
                .map(|_| d.operation.clone()),
            operation: key_op,
            argument: d.argument.clone(),
            processes: vec![d.process.clone()],
            lines: vec![l.line],
            verdict,
            essential,
        });
    }
    let rules = propose(&findings, options);
    Learned {
        denial_lines: logged.len(),
        findings,
        rules,
    }
}

/// Groups the proposed findings by operation; paths of one operation that share a
/// directory become one `subpath` when there are `generalize` of them or more.
fn propose(findings: &[Finding], options: &Options) -> Vec<Rule> {
    let mut rules: Vec<Rule> = Vec::new();
    // (rule, filter) → the filter's place in the rule.
    let mut filters: std::collections::HashMap<(usize, String), usize> =
        std::collections::HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        if f.verdict != Verdict::Proposed {
            continue;
        }
        let at = match rules.iter().position(|r| r.operation == f.operation) {
            Some(at) => at,
            None => {
                rules.push(Rule {
                    operation: f.operation.clone(),
                    filters: Vec::new(),
                    answers: Vec::new(),
                });
                rules.len() - 1
            }
        };
        let rule = &mut rules[at];
        match f
            .argument
            .as_deref()
            .and_then(|a| narrowest_filter(&f.operation, a))
        {
            Some(filter) => match filters.get(&(at, filter.clone())) {
                Some(&k) => rule.filters[k].1.push(i),
                None => {
                    filters.insert((at, filter.clone()), rule.filters.len());
                    rule.filters.push((filter, vec![i]));
                }
            },
            None => rule.answers.push(i),
        }
        // A path written through /tmp, /var or /etc is reached by resolving the link,
        // which needs the link's own metadata (observed on macOS 14.4.1: SANDBOX_LORE
        // vfs-canonicalization).
        let link = f
            .argument
            .as_deref()
            .filter(|_| is_path_operation(&f.operation))
            .and_then(|a| paths::traversed_link(&normalize(a, Path::new("/"))));
        if let Some(link) = link {
            let filter = format!("(literal {})", quote(link));
            let at = match rules
                .iter()
                .position(|r| r.operation == "file-read-metadata")
            {
                Some(at) => at,
                None => {
                    rules.push(Rule {
                        operation: "file-read-metadata".into(),
                        filters: Vec::new(),
                        answers: Vec::new(),
                    });
                    rules.len() - 1
                }
            };
            let rule = &mut rules[at];
            match filters.get(&(at, filter.clone())) {
                Some(&k) => {
                    if !rule.filters[k].1.contains(&i) {
                        rule.filters[k].1.push(i);
                    }
                }
                None => {
                    filters.insert((at, filter.clone()), rule.filters.len());
                    rule.filters.push((filter, vec![i]));
                }
            }
        }
    }
    if options.generalize > 0 {
        for rule in &mut rules {
            if !is_path_operation(&rule.operation) {
                continue;
            }
            generalize(rule, findings, options.generalize);
        }
    }
    rules
}

/// Replaces the `literal`s of one directory by its `subpath` when there are `n` or more.
fn generalize(rule: &mut Rule, findings: &[Finding], n: usize) {
    let mut by_dir: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (k, (filter, answers)) in rule.filters.iter().enumerate() {
        if !filter.starts_with("(literal ") {
            continue;
        }
        let Some(path) = answers
            .first()
            .and_then(|&i| findings[i].argument.as_deref())
            .and_then(|a| checked_path(&rule.operation, a))
        else {
            continue;
        };
        let Some((dir, _)) = path.rsplit_once('/') else {
            continue;
        };
        // Never generalize to `/` or a top-level directory.
        if dir.matches('/').count() < 2 {
            continue;
        }
        by_dir.entry(dir.to_string()).or_default().push(k);
    }
    let mut replaced: std::collections::HashSet<usize> = std::collections::HashSet::new();
    let mut added: Vec<(String, Vec<usize>)> = Vec::new();
    for (dir, ks) in by_dir {
        if ks.len() < n {
            continue;
        }
        let answers: Vec<usize> = ks.iter().flat_map(|&k| rule.filters[k].1.clone()).collect();
        replaced.extend(&ks);
        added.push((format!("(subpath {})", quote(&dir)), answers));
    }
    if replaced.is_empty() {
        return;
    }
    let mut kept: Vec<(String, Vec<usize>)> = rule
        .filters
        .iter()
        .enumerate()
        .filter(|(k, _)| !replaced.contains(k))
        .map(|(_, f)| f.clone())
        .collect();
    kept.extend(added);
    rule.filters = kept;
}

/// The proposed rules as SBPL, each filter with a comment naming the log lines it answers,
/// formatted.
pub fn rules_text(learned: &Learned) -> String {
    let mut out = String::new();
    for rule in &learned.rules {
        let lines_of = |answers: &[usize]| -> String {
            let mut lines: Vec<usize> = answers
                .iter()
                .flat_map(|&i| learned.findings[i].lines.clone())
                .collect();
            lines.sort_unstable();
            lines.dedup();
            let procs: Vec<String> = {
                let mut p: Vec<String> = answers
                    .iter()
                    .flat_map(|&i| learned.findings[i].processes.clone())
                    .collect();
                p.sort();
                p.dedup();
                p
            };
            // A long log: the first few lines, and how many in all.
            let mut shown: Vec<String> = lines.iter().take(8).map(usize::to_string).collect();
            if lines.len() > 8 {
                shown.push(format!("… ({} lines)", lines.len()));
            }
            let mut who: Vec<String> = procs.iter().take(4).cloned().collect();
            if procs.len() > 4 {
                who.push(format!("… ({} processes)", procs.len()));
            }
            format!(
                "log line{} {} ({})",
                if lines.len() == 1 { "" } else { "s" },
                shown.join(", "),
                who.join(", ")
            )
        };
        let essential_note = |answers: &[usize]| -> String {
            answers
                .iter()
                .find_map(|&i| learned.findings[i].essential)
                .map(|e| format!("; needed by {} ({})", e.needed_by, e.sources[0]))
                .unwrap_or_default()
        };
        if rule.filters.is_empty() {
            out.push_str(&format!(
                "; {}{}\n(allow {})\n",
                lines_of(&rule.answers),
                essential_note(&rule.answers),
                rule.operation
            ));
            continue;
        }
        out.push_str(&format!("(allow {}\n", rule.operation));
        for (filter, answers) in &rule.filters {
            let link = paths::PRIVATE_LINKS
                .iter()
                .any(|l| *filter == format!("(literal {})", quote(l)));
            let note = if link {
                "; the link is resolved on the way, which needs its metadata".to_string()
            } else {
                essential_note(answers)
            };
            if let Some(risk) = filter_risk(filter, answers, &learned.findings) {
                out.push_str(&format!("  ; risk: {risk}\n"));
            }
            out.push_str(&format!("  ; {}{note}\n  {filter}\n", lines_of(answers)));
        }
        out.push_str(")\n");
    }
    crate::fmt::format_text(&out, &crate::fmt::FormatOptions::default()).unwrap_or(out)
}

/// The profile with the proposed rules inserted where precedence lets them take effect,
/// and what re-evaluating it found.
#[derive(Debug, Clone)]
pub struct Merged {
    pub text: String,
    /// 1-based line of the profile after which the rules were inserted (0: at the start).
    pub after_line: usize,
    /// Findings (indices) the merged profile still denies, with why.
    pub still_denied: Vec<(usize, String)>,
    /// Findings the merged profile cannot be asked about (unix sockets …).
    pub undecided: Vec<usize>,
    /// Secrets (findings kept denied) that the merged profile allows: the proposals undid
    /// nothing, so these were already allowed before.
    pub secrets_allowed: Vec<usize>,
    /// What the merge changes over every leaf operation, by the decision sets (what `sblint
    /// diff` reports), or why that could not be decided.
    pub changes: Result<Vec<crate::model::sets::Change>, String>,
    /// Indices into `changes` that the proposals do not explain: a decision that became
    /// denied, or one on an operation no proposed rule names. Empty when the merged profile
    /// allows the logged denials (and what generalising them covers) and nothing else.
    pub unexpected: Vec<usize>,
}

/// Merges the proposed rules into `text` (evaluated as `model`, built with
/// `rebuild`): after the last rule of the checked file that decides a proposed denial, so
/// that the new allows are the later match (last match wins), and before every denial
/// that comes after it (which they must not undo). `rebuild` evaluates a text with the
/// same options (preludes, params) as `model`; `sblint diff` can compare the result with
/// the original.
pub fn merge(
    text: &str,
    model: &Model,
    learned: &Learned,
    header: &str,
    rebuild: &dyn Fn(&str) -> Model,
) -> Merged {
    let cwd = Path::new("/");
    let mut last_end: Option<usize> = None;
    for rule in &learned.rules {
        let answers = rule
            .filters
            .iter()
            .flat_map(|(_, a)| a.clone())
            .chain(rule.answers.clone());
        for i in answers {
            let f = &learned.findings[i];
            let Ok(e) = explain(model, &f.operation, f.argument.as_deref(), cwd) else {
                continue;
            };
            if let Some(r) = e.decision.rule.map(|r| &model.rules[r]) {
                if r.origin.file == crate::model::FileId::MAIN {
                    let end = r.origin.span.end as usize;
                    last_end = Some(last_end.map_or(end, |e: usize| e.max(end)));
                }
            }
        }
    }
    // Insert after the end of that rule's line; with none, after `(version 1)` or at the end.
    let insert_at = match last_end {
        Some(end) => text[end..].find('\n').map_or(text.len(), |n| end + n + 1),
        None => text.len(),
    };
    let block = format!("{header}{}", rules_text(learned));
    let mut merged = String::with_capacity(text.len() + block.len() + 2);
    merged.push_str(&text[..insert_at]);
    if !merged.is_empty() && !merged.ends_with('\n') {
        merged.push('\n');
    }
    merged.push_str(&block);
    merged.push_str(&text[insert_at..]);
    let after_line = text[..insert_at].matches('\n').count();

    let new_model = rebuild(&merged);
    let mut still_denied = Vec::new();
    let mut undecided = Vec::new();
    let mut secrets_allowed = Vec::new();
    for (i, f) in learned.findings.iter().enumerate() {
        let e = explain(&new_model, &f.operation, f.argument.as_deref(), cwd);
        match (&f.verdict, e) {
            (Verdict::Proposed, Ok(e)) if e.action == Action::Deny => {
                let why = match e.traversal {
                    Some(t) if t.action == Action::Deny => {
                        format!("resolving `{}` needs `file-read-metadata` on it", t.link)
                    }
                    _ => "a rule consulted before the proposed one denies it".into(),
                };
                still_denied.push((i, why));
            }
            (Verdict::Proposed, Err(_)) => undecided.push(i),
            (Verdict::Secret(_), Ok(e)) if e.action == Action::Allow => secrets_allowed.push(i),
            _ => {}
        }
    }
    let vocab = crate::model::vocabulary();
    let every_leaf = crate::model::sets::leaves(vocab.default);
    let changes = crate::model::sets::diff_leaves(
        &model.rules,
        &new_model.rules,
        &every_leaf,
        &crate::model::sets::Budget::default(),
    )
    .map_err(|_| "too complex to compare exactly within the analysis budget".to_string());
    let proposed: Vec<crate::model::vocab::OpId> = learned
        .rules
        .iter()
        .filter_map(|r| vocab.resolve_operation(&r.operation))
        .collect();
    let unexpected = changes
        .as_ref()
        .map(|changes| {
            changes
                .iter()
                .enumerate()
                .filter(|(_, c)| {
                    c.direction != crate::model::sets::Direction::Allowed
                        || !proposed.iter().any(|&p| vocab.covers(p, c.operation))
                })
                .map(|(i, _)| i)
                .collect()
        })
        .unwrap_or_default();
    Merged {
        text: merged,
        after_line,
        still_denied,
        undecided,
        secrets_allowed,
        changes,
        unexpected,
    }
}

/// A unified diff of `old` and `new`, labelled with `name`.
pub fn unified_diff(name: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_audit_explains_each_denial_once_and_groups_proposals_by_operation() {
        let tree = crate::syntax::parse(
            "(version 1)\n(deny default)\n(allow file-read* (subpath \"/usr\"))\n",
        );
        let model = Model::new(&tree, &[], &crate::model::ModelOptions::default());
        let log = "Sandbox: ls(1) deny(1) file-read-data /etc/hosts\n\
                   not a denial\n\
                   Sandbox: ls(1) deny(1) file-read-data /etc/hosts\n\
                   Sandbox: cat(2) deny(1) file-read-data /private/etc/passwd\n\
                   Sandbox: cat(2) deny(1) file-read-data /usr/lib/x\n\
                   Sandbox: cat(2) deny(1) no-such-operation\n";
        let audit = audit(&model, log, Path::new("/"));
        let explained: Vec<_> = audit
            .denials
            .iter()
            .map(|(d, e)| (d.process.as_str(), e.as_ref().map(|e| e.action).ok()))
            .collect();
        assert_eq!(
            explained,
            [
                ("ls", Some(Action::Deny)),
                ("cat", Some(Action::Deny)),
                ("cat", Some(Action::Allow)),
                ("cat", None),
            ]
        );
        assert_eq!(
            audit.proposals,
            [Proposal {
                operation: "file-read-data".into(),
                filters: vec![
                    "(literal \"/private/etc/hosts\")".into(),
                    "(literal \"/private/etc/passwd\")".into()
                ],
                processes: vec!["ls".into(), "cat".into()],
            }]
        );
    }

    #[test]
    fn denial_lines_with_and_without_prefixes() {
        let d =
            parse_denial("Sandbox: bash(31281) deny(1) file-read-metadata /System/Library/dyld/x")
                .unwrap();
        assert_eq!(
            (d.process.as_str(), d.operation.as_str()),
            ("bash", "file-read-metadata")
        );
        assert_eq!(d.argument.as_deref(), Some("/System/Library/dyld/x"));
        let k = parse_denial("2024-01-01 10:00:00 kernel: (Sandbox) Sandbox: python3(42) deny(1) network-outbound 1.2.3.4:443").unwrap();
        assert_eq!(
            (k.process.as_str(), k.argument.as_deref()),
            ("python3", Some("1.2.3.4:443"))
        );
        let s = parse_denial("System Policy: curl(7) deny(1) mach-lookup com.apple.x").unwrap();
        assert_eq!(s.operation, "mach-lookup");
        assert!(parse_denial("nothing to see").is_none());
        assert!(parse_denial("we deny everything here").is_none());
        let old = parse_denial("Sandbox: appleeventsd(84) deny file-read-metadata /etc/localtime")
            .unwrap();
        assert_eq!(old.argument.as_deref(), Some("/etc/localtime"));
        let dup = parse_denial(
            "Sandbox: 1 duplicate report for com.apple.WebKit deny(1) file-read-data /private/etc/hosts",
        )
        .unwrap();
        assert_eq!(dup.process, "com.apple.WebKit");
        let spaced =
            parse_denial("XChat Azure(54849) deny file-read-data /Volumes/x y/q.txt").unwrap();
        assert_eq!(
            (spaced.process.as_str(), spaced.argument.as_deref()),
            ("XChat Azure", Some("/Volumes/x y/q.txt"))
        );
        assert_eq!(
            narrowest_filter("network-outbound", "127.0.0.1:3141").as_deref(),
            Some("(remote ip \"localhost:3141\")")
        );
        assert_eq!(
            narrowest_filter("file-read-data", "/tmp/x").as_deref(),
            Some("(literal \"/private/tmp/x\")")
        );
        assert_eq!(
            narrowest_filter("network-bind", "0.0.0.0:8080").as_deref(),
            Some("(local ip \"*:8080\")")
        );
        assert_eq!(
            narrowest_filter("network-outbound", "/private/var/run/mDNSResponder").as_deref(),
            Some("(remote unix-socket (path-literal \"/private/var/run/mDNSResponder\"))")
        );
    }

    #[test]
    fn ndjson_and_json_records_are_read_by_their_event_message() {
        let nd = "{\"eventMessage\":\"Sandbox: node(5) deny(1) mach-lookup com.apple.trustd.agent\",\"processImagePath\":\"/usr/local/bin/node\"}\n{\"eventMessage\":\"other\"}\n";
        let l = read_log(nd);
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].line, 1);
        let json = "[{\"eventMessage\":\"x\"},\n{\"eventMessage\":\"Sandbox: node(5) deny(1) process-fork\"}]";
        let l = read_log(json);
        assert_eq!((l.len(), l[0].line), (1, 2));
        assert_eq!(l[0].denial.argument, None);
    }

    #[test]
    fn secrets_are_kept_denied_and_paths_generalize_past_the_threshold() {
        let log = "Sandbox: a(1) deny(1) file-read-data /Users/me/.ssh/id_rsa\n\
                   Sandbox: a(1) deny(1) file-read-data /Users/me/p/.env\n\
                   Sandbox: a(1) deny(1) file-read-data /Users/me/p/lib/a.py\n\
                   Sandbox: a(1) deny(1) file-read-data /Users/me/p/lib/b.py\n\
                   Sandbox: b(2) deny(1) file-read-data /Users/me/p/lib/c.py\n\
                   Sandbox: b(2) deny(1) mach-lookup com.apple.secd\n";
        let l = learn(log, None, &Options::default());
        let verdicts: Vec<_> = l.findings.iter().map(|f| f.verdict.clone()).collect();
        assert_eq!(verdicts[0], Verdict::Secret("SSH keys"));
        assert_eq!(verdicts[1], Verdict::Secret(".env file"));
        assert_eq!(verdicts[5], Verdict::Secret("keychain service"));
        assert_eq!(l.rules.len(), 1);
        assert_eq!(
            l.rules[0].text(),
            "(allow file-read-data (subpath \"/Users/me/p/lib\"))"
        );
        let narrow = learn(
            log,
            None,
            &Options {
                generalize: 4,
                ..Options::default()
            },
        );
        assert_eq!(narrow.rules[0].filters.len(), 3);
        let all = learn(
            log,
            None,
            &Options {
                allow_secrets: true,
                ..Options::default()
            },
        );
        assert!(all.findings.iter().all(|f| f.verdict == Verdict::Proposed));
    }

    #[test]
    fn a_proposal_that_opens_every_host_or_a_subtree_of_secrets_says_so() {
        let log = "Sandbox: curl(9) deny(1) network-outbound 151.101.0.223:443\n";
        let l = learn(log, None, &Options::default());
        let text = rules_text(&l);
        assert!(text.contains("(remote ip \"*:443\")"), "{text}");
        assert!(
            text.contains("; risk: opens port 443 on every host, not only 151.101.0.223:443: SBPL cannot name a host"),
            "{text}"
        );
        assert!(text.contains("localhost:PROXY_PORT"), "{text}");
        // A loopback connection is named exactly: no risk.
        let l = learn(
            "Sandbox: a(1) deny(1) network-outbound 127.0.0.1:8080\n",
            None,
            &Options::default(),
        );
        assert!(!rules_text(&l).contains("risk"), "{}", rules_text(&l));

        // Three denied files directly in the home generalise to the home: its keys too.
        let log: String = ["a", "b", "c"]
            .iter()
            .map(|f| format!("Sandbox: p(1) deny(1) file-read-data /Users/me/{f}.txt\n"))
            .collect();
        let text = rules_text(&learn(&log, None, &Options::default()));
        assert!(text.contains("(subpath \"/Users/me\")"), "{text}");
        assert!(
            text.contains("; risk: generalises 3 denied paths to all of `/Users/me`, which holds the home's SSH keys"),
            "{text}"
        );
        // A project directory holds none: no risk.
        let log: String = ["a", "b", "c"]
            .iter()
            .map(|f| format!("Sandbox: p(1) deny(1) file-read-data /Users/me/p/{f}\n"))
            .collect();
        assert!(!rules_text(&learn(&log, None, &Options::default())).contains("risk"));
        assert_eq!(subtree_secret("/Users/me/Library"), Some("keychains"));
        assert_eq!(
            subtree_secret("/Users/me/Library/Application Support"),
            Some("browser profile")
        );
        assert_eq!(subtree_secret("/Users/me/.ssh/keys"), Some("SSH keys"));
        assert_eq!(subtree_secret("/opt/homebrew"), None);
    }

    #[test]
    fn a_long_log_groups_by_directory_and_its_comments_stay_short() {
        let log: String = (0..20_000)
            .map(|i| {
                format!(
                    "Sandbox: p{}({i}) deny(1) file-read-data /Users/me/d{}/f{i}\n",
                    i % 9,
                    i % 7
                )
            })
            .collect();
        let l = learn(&log, None, &Options::default());
        assert_eq!(l.findings.len(), 20_000);
        assert_eq!(l.rules[0].filters.len(), 7, "one subpath per directory");
        let text = rules_text(&l);
        assert!(text.lines().all(|line| line.len() < 200), "{text}");
    }

    #[test]
    fn merging_puts_the_rules_after_the_denial_they_must_override() {
        let text = "(version 1)\n(deny default)\n(deny file-read* (subpath \"/Users/me/p\"))\n(allow file-read* (subpath \"/usr\"))\n(deny file-read* (subpath \"/Users/me/p/secret\"))\n";
        let options = crate::model::ModelOptions::default();
        let rebuild = |t: &str| Model::new(&crate::syntax::parse(t), &[], &options);
        let model = rebuild(text);
        let log = "Sandbox: a(1) deny(1) file-read-data /Users/me/p/x\n";
        let l = learn(log, Some(&model), &Options::default());
        let m = merge(text, &model, &l, "; learned\n", &rebuild);
        assert_eq!(m.after_line, 3, "{}", m.text);
        assert!(m.still_denied.is_empty(), "{:?}", m.still_denied);
        // The later deny stays in force.
        let merged = rebuild(&m.text);
        let e = explain(
            &merged,
            "file-read-data",
            Some("/Users/me/p/secret/k"),
            Path::new("/"),
        )
        .unwrap();
        assert_eq!(e.action, Action::Deny);
        let diff = unified_diff("p.sb", text, &m.text);
        assert!(diff.contains("+(allow file-read-data"), "{diff}");
    }
}
