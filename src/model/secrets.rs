//! Secrets: `grammar/secrets.tsv`, the credential and personal-data paths agent and build
//! sandboxes deny, each with what it holds and where the deny lists come from, and how a
//! profile decides them: which rule lets a program read, write or connect to each.
//!
//! Every answer is a point decision of the one precedence model at a witness path, so
//! `sblint explain OPERATION WITNESS` gives the same rule back. Homes are every
//! `/Users/NAME` the profile's rules spell (a `--param` home is spelled once its value is
//! given) and `/Users/me` for rules that match any home.

use std::sync::OnceLock;

use super::paths;
use super::precedence::{decide, Arg};
use super::rule::{FilterValue, PathPattern};
use super::sets::points::Points;
use super::{vocabulary, Action, OpId, Rule};

const TABLE: &str = include_str!("../../grammar/secrets.tsv");

/// Homes tried (with `/Users/me`).
pub const MAX_HOMES: usize = 4;
/// Folders a name row (`.env`) is tried in.
pub const MAX_FOLDERS: usize = 24;

/// How a row's path matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Match {
    /// Exactly the path.
    Literal,
    /// The path and everything under it.
    Subpath,
    /// A file of that name in any folder.
    Name,
}

/// How a program reaches it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// File operations.
    File,
    /// `network-outbound` to a unix socket.
    Socket,
}

/// How much exposing it weighs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weight {
    /// Keys, tokens, keychains, cloud and registry credentials: a warning.
    Credential,
    /// History, mail, messages: an info.
    Personal,
    /// A project's own files (`.env`): a warning only where the profile denies some.
    Project,
}

/// One row of `grammar/secrets.tsv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    pub id: &'static str,
    /// As written: `~/.ssh`, `/private/var/run/docker.sock`, `.env`.
    pub path: &'static str,
    pub matching: Match,
    /// The witness tried, written like `path`.
    pub example: &'static str,
    pub access: Access,
    pub holds: &'static str,
    pub weight: Weight,
    pub sources: Vec<&'static str>,
}

use super::tsv;
pub use super::tsv::TableError;

fn parse(text: &'static str) -> Result<Vec<Secret>, TableError> {
    let mut rows = Vec::new();
    for (line, cols) in tsv::rows(text) {
        let err = |message: String| TableError { line, message };
        let [id, path, matching, example, access, holds, weight, source] = cols[..] else {
            return Err(err(format!("{} columns, expected 8", cols.len())));
        };
        let matching = match matching {
            "literal" => Match::Literal,
            "subpath" => Match::Subpath,
            "name" => Match::Name,
            m => return Err(err(format!("match `{m}` is not literal, subpath or name"))),
        };
        let access = match access {
            "file" => Access::File,
            "socket" => Access::Socket,
            a => return Err(err(format!("access `{a}` is not file or socket"))),
        };
        let weight = match weight {
            "credential" => Weight::Credential,
            "personal" => Weight::Personal,
            "project" => Weight::Project,
            w => {
                return Err(err(format!(
                    "weight `{w}` is not credential, personal or project"
                )))
            }
        };
        let absolute = |p: &str| p.starts_with("~/") || p.starts_with('/');
        if (matching == Match::Name) == absolute(path) {
            return Err(err(format!(
                "path `{path}`: a name has no `/`, a path starts with `~/` or `/`"
            )));
        }
        let inside = match matching {
            Match::Literal => example == path,
            Match::Subpath => paths::under(example, path),
            Match::Name => example == path,
        };
        if !inside {
            return Err(err(format!("example `{example}` is not in `{path}`")));
        }
        let sources: Vec<&'static str> = source.split("; ").map(str::trim).collect();
        let cited = |s: &str| {
            s.starts_with("https://")
                || (s.contains('/') && (s.contains('#') || s.contains('@') || s.contains(':')))
        };
        if source.trim().is_empty() || !sources.iter().all(|s| cited(s)) {
            return Err(err(format!(
                "source `{source}` is not owner/repo#N, owner/repo:path:line, file:line or a URL"
            )));
        }
        rows.push(Secret {
            id,
            path,
            matching,
            example,
            access,
            holds,
            weight,
            sources,
        });
    }
    Ok(rows)
}

/// Every row, in the table's order.
pub fn table() -> &'static [Secret] {
    static ROWS: OnceLock<Vec<Secret>> = OnceLock::new();
    ROWS.get_or_init(|| parse(TABLE).expect("grammar/secrets.tsv is well formed"))
}

/// The row with this id.
pub fn row(id: &str) -> Option<&'static Secret> {
    table().iter().find(|s| s.id == id)
}

fn expand(text: &str, home: &str) -> String {
    match text.strip_prefix('~') {
        Some(rest) => paths::resolve(&format!("{home}{rest}")),
        None => paths::resolve(text),
    }
}

impl Secret {
    /// The row's path for a user whose home is `home` (`None` for a name row).
    pub fn at(&self, home: &str) -> Option<String> {
        (self.matching != Match::Name).then(|| expand(self.path, home))
    }

    /// The witness for `home`; a name row's witness is in `dir`.
    pub fn example_at(&self, home: &str, dir: &str) -> String {
        match self.matching {
            Match::Name => format!("{}/{}", dir.trim_end_matches('/'), self.example),
            _ => expand(self.example, home),
        }
    }

    /// True when `path` (resolved) is in the row, for `home`.
    pub fn contains(&self, home: &str, path: &str) -> bool {
        match self.matching {
            Match::Literal => self.at(home).is_some_and(|p| p == path),
            Match::Subpath => self.at(home).is_some_and(|p| paths::under(path, &p)),
            Match::Name => path.rsplit('/').next() == Some(self.path),
        }
    }

    /// True when a rule's path pattern names this row: its text lies inside it, or a regex
    /// spells its file or folder name. That is intent, not an accident of a broader rule.
    fn named_by(&self, home: &str, pattern: &PathPattern) -> bool {
        let tail = match self.matching {
            Match::Name => self.path,
            _ => self.path.rsplit('/').next().unwrap_or(self.path),
        };
        match pattern {
            PathPattern::Regex(r) => r.replace("\\.", ".").contains(tail),
            p => {
                let text = paths::resolve(p.text());
                self.contains(home, &text)
                    || (self.matching != Match::Name
                        && self.at(home).is_some_and(|s| paths::under(&s, &text))
                        && text.len() > home.len()
                        && text.ends_with(tail))
            }
        }
    }
}

/// The homes to try: every `/Users/NAME` the rules' paths spell (not `/Users/Shared`; a
/// template's `%username%` or `{{USER}}` is a name too: it is filled with one), then `/Users/me` for rules that match any home. At most four: each home costs a point decision
/// per row (the per-profile decision table of issue 22 §0 would lift the bound).
pub fn homes(rules: &[Rule]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for pattern in rules.iter().flat_map(path_patterns) {
        let text = pattern.text().replace("\\.", ".");
        let mut rest = text.as_str();
        while let Some(at) = rest.find("/Users/") {
            let after = &rest[at + "/Users/".len()..];
            let name: String = after
                .chars()
                .take_while(|c| {
                    c.is_ascii_alphanumeric()
                        || matches!(c, '.' | '_' | '-' | '%' | '{' | '}' | '$')
                })
                .collect();
            if !name.is_empty() && name != "Shared" && out.len() < MAX_HOMES - 1 {
                let home = format!("/Users/{name}");
                if !out.contains(&home) {
                    out.push(home);
                }
            }
            rest = after;
        }
    }
    if !out.iter().any(|h| h == "/Users/me") {
        out.push("/Users/me".into());
    }
    out
}

fn path_patterns(rule: &Rule) -> impl Iterator<Item = &PathPattern> {
    rule.filter
        .iter()
        .flat_map(|f| f.positive_leaves())
        .filter_map(|leaf| match &leaf.value {
            FilterValue::Path(p) => Some(p),
            FilterValue::Network(a) => a.socket.as_ref().map(|s| &s.1),
            _ => None,
        })
}

/// Folders where a name row (`.env`) is tried: the homes, and the folders under a home
/// that the profile's allow rules grant (a literal's parent, a subpath or prefix, a regex's
/// literal start), at most [`MAX_FOLDERS`]. Projects live in homes, outside `~/Library`: a `.env` under
/// `/usr/lib` or `~/Library/Preferences` is no project's.
fn folders(rules: &[Rule], homes: &[String]) -> Vec<String> {
    let mut out: Vec<String> = homes.to_vec();
    for rule in rules.iter().filter(|r| r.action == Action::Allow) {
        for pattern in path_patterns(rule) {
            let dir = match pattern {
                PathPattern::Literal(l) => l.rsplit_once('/').map(|(d, _)| d.to_string()),
                PathPattern::Subpath(s) => Some(s.trim_end_matches('/').to_string()),
                PathPattern::Prefix(p) => p.rsplit_once('/').map(|(d, _)| d.to_string()),
                PathPattern::Regex(r) => super::regex::literal_prefix(r)
                    .and_then(|p| p.rsplit_once('/').map(|(d, _)| d.to_string())),
            };
            let in_project = |d: &String| {
                d.strip_prefix("/Users/").is_some_and(|rest| {
                    let mut parts = rest.split('/');
                    parts.next() != Some("Shared") && parts.next() != Some("Library")
                })
            };
            let Some(dir) = dir.filter(in_project) else {
                continue;
            };
            let dir = paths::resolve(&dir);
            if out.len() >= MAX_FOLDERS {
                return out;
            }
            if !out.contains(&dir) {
                out.push(dir);
            }
        }
    }
    out
}

/// The operations through which a row is exposed.
fn operations(secret: &Secret) -> &'static [&'static str] {
    match secret.access {
        Access::File => &["file-read-data", "file-write-data"],
        Access::Socket => &["network-outbound"],
    }
}

/// One secret a rule lets a program reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposure {
    /// The deciding rule, an index into the rules.
    pub rule: usize,
    pub secret: &'static Secret,
    /// `file-read-data`, `file-write-data` or `network-outbound`.
    pub operation: &'static str,
    /// The argument, as `sblint explain` takes it.
    pub witness: String,
    /// True when the deciding rule names the secret itself (intent).
    pub named: bool,
}

/// The (secret, witness) pairs tried: each home row at each home, each name row in each
/// folder the profile grants.
fn candidates(rules: &[Rule], access: Access) -> Vec<(&'static Secret, String, String)> {
    let homes = homes(rules);
    let folders = folders(rules, &homes);
    let mut out = Vec::new();
    for secret in table().iter().filter(|s| s.access == access) {
        if secret.matching == Match::Name {
            for dir in &folders {
                out.push((secret, homes[0].clone(), secret.example_at(&homes[0], dir)));
            }
        } else {
            for home in &homes {
                let w = secret.example_at(home, home);
                if !out.iter().any(|(s, _, x)| *s == secret && *x == w) {
                    out.push((secret, home.clone(), w));
                }
            }
        }
    }
    out
}

fn decide_at(
    rules: &[Rule],
    operation: &str,
    witness: &str,
) -> Option<super::precedence::Decision> {
    let (op, arg) = point(operation, witness)?;
    Some(decide(rules, op, &arg))
}

/// The operation and the argument `explain` makes of a witness: a path, or a unix socket
/// for a network operation.
fn point(operation: &str, witness: &str) -> Option<(OpId, Arg)> {
    let op = vocabulary().op_id(operation)?;
    let arg = super::argument::parse(operation, witness, std::path::Path::new("/"))
        .unwrap_or_else(|_| Arg::Path(witness.to_string()));
    Some((op, arg))
}

/// Each (operation, witness) as a point, and the index that decides them reading only the
/// rules that can match (a profile of 100,000 rules is asked about a hundred witnesses).
fn points<'r>(
    rules: &'r [Rule],
    asked: impl Iterator<Item = (&'static str, String)>,
) -> (Vec<Option<(OpId, Arg)>>, Points<'r>) {
    let asked: Vec<Option<(OpId, Arg)>> = asked.map(|(o, w)| point(o, &w)).collect();
    let mut ops: Vec<OpId> = asked.iter().flatten().map(|(op, _)| *op).collect();
    ops.sort_unstable_by_key(|o| o.0);
    ops.dedup();
    let paths = asked.iter().flatten().filter_map(|(_, arg)| match arg {
        Arg::Path(p) => Some(p.as_str()),
        _ => None,
    });
    let index = Points::new(rules, &ops, paths);
    (asked, index)
}

/// Every secret of `access` that some rule certainly lets the program reach, with the
/// deciding rule and a witness; one entry per (rule, secret, operation), the first
/// witness found. Decisions no rule makes (libsandbox's own default) are not exposures.
pub fn exposures(rules: &[Rule], access: Access) -> Vec<Exposure> {
    let mut out: Vec<Exposure> = Vec::new();
    let tried = candidates(rules, access);
    let asked = tried
        .iter()
        .flat_map(|(s, _, w)| operations(s).iter().map(|&o| (o, w.clone())));
    let (asked, index) = points(rules, asked);
    let mut asked = asked.into_iter();
    for (secret, home, witness) in tried {
        for &operation in operations(secret) {
            let Some((op, arg)) = asked.next().flatten() else {
                continue;
            };
            let d = index.decide(op, &arg);
            if !d.certainly(Action::Allow, rules) {
                continue;
            }
            let Some(i) = d.rule else { continue };
            if out
                .iter()
                .any(|e| e.rule == i && e.secret == secret && e.operation == operation)
            {
                continue;
            }
            let named = path_patterns(&rules[i]).any(|p| secret.named_by(&home, p));
            out.push(Exposure {
                rule: i,
                secret,
                operation,
                witness: witness.clone(),
                named,
            });
        }
    }
    out
}

/// True when a rule with a filter certainly denies reading or connecting to some secret:
/// the profile means to protect secrets.
pub fn protects_some(rules: &[Rule]) -> bool {
    [Access::File, Access::Socket].into_iter().any(|access| {
        let tried = candidates(rules, access);
        let (asked, index) = points(
            rules,
            tried.into_iter().map(|(s, _, w)| (operations(s)[0], w)),
        );
        asked.into_iter().flatten().any(|(op, arg)| {
            let d = index.decide(op, &arg);
            d.certainly(Action::Deny, rules) && d.rule.is_some_and(|i| rules[i].filter.is_some())
        })
    })
}

/// True when some deny rule's path names a file of a name row's name (`.env`): the profile
/// means to protect such files.
pub fn protects_name(rules: &[Rule], secret: &Secret) -> bool {
    secret.matching == Match::Name
        && rules
            .iter()
            .filter(|r| r.action == Action::Deny)
            .flat_map(path_patterns)
            .any(|p| secret.named_by("/Users/me", p))
}

/// A credential the rules let a program read, with its witness: the first of the table.
pub fn readable_credential(rules: &[Rule]) -> Option<(&'static Secret, String)> {
    let homes = homes(rules);
    table()
        .iter()
        .filter(|s| s.access == Access::File && s.weight == Weight::Credential)
        .filter(|s| s.matching != Match::Name)
        .find_map(|s| {
            homes.iter().find_map(|h| {
                let w = s.example_at(h, h);
                decide_at(rules, "file-read-data", &w)
                    .filter(|d| {
                        d.action.is_none() && d.undecided.is_empty()
                            || d.certainly(Action::Allow, rules)
                    })
                    .map(|_| (s, w))
            })
        })
}

/// The secret rows of `access` that lie under `dir` for some home the rules spell, each
/// with its witness: the sockets inside a denied folder.
pub fn inside(rules: &[Rule], dir: &str, access: Access) -> Vec<(&'static Secret, String)> {
    inside_homes(&homes(rules), dir, access)
}

/// [`inside`] for homes already found (finding them reads every rule: a caller asking
/// about many folders finds them once).
pub fn inside_homes(homes: &[String], dir: &str, access: Access) -> Vec<(&'static Secret, String)> {
    let mut out = Vec::new();
    for home in homes {
        for s in table().iter().filter(|s| s.access == access) {
            let Some(at) = s.at(home) else { continue };
            if paths::under(&at, dir) {
                let w = s.example_at(home, home);
                if !out.iter().any(|(_, x)| *x == w) {
                    out.push((s, w));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Model, ModelOptions};

    fn rules(text: &str) -> Vec<Rule> {
        let tree = crate::syntax::parse(text);
        Model::new(&tree, &[], &ModelOptions::default()).rules
    }

    #[test]
    fn every_row_parses_and_has_a_source() {
        let rows = table();
        assert!(rows.len() >= 25, "{} rows", rows.len());
        let mut ids: Vec<_> = rows.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), rows.len(), "ids are unique");
        assert!(rows
            .iter()
            .all(|r| !r.sources.is_empty() && !r.holds.is_empty()));
    }

    #[test]
    fn malformed_rows_are_errors_with_their_line() {
        let e = parse("# c\nx\t~/.a\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse("x\t~/.a\tsome\t~/.a\tfile\th\tcredential\ta/b#1\n").unwrap_err();
        assert!(e.message.contains("match"), "{e:?}");
        let e = parse("x\t~/.a\tsubpath\t~/.b/c\tfile\th\tcredential\ta/b#1\n").unwrap_err();
        assert!(e.message.contains("is not in"), "{e:?}");
        let e = parse("x\t~/.a\tliteral\t~/.a\tfile\th\tcredential\tsomewhere\n").unwrap_err();
        assert!(e.message.contains("source"), "{e:?}");
        let e = parse("x\t.env\tsubpath\t.env\tfile\th\tproject\ta/b#1\n").unwrap_err();
        assert!(e.message.contains("name"), "{e:?}");
    }

    #[test]
    fn rows_match_any_home() {
        let ssh = row("ssh").unwrap();
        assert!(ssh.contains("/Users/alice", "/Users/alice/.ssh/id_rsa"));
        assert!(!ssh.contains("/Users/alice", "/Users/bob/.ssh/id_rsa"));
        assert_eq!(
            ssh.example_at("/Users/bob", "/"),
            "/Users/bob/.ssh/id_ed25519"
        );
        let env = row("dotenv").unwrap();
        assert!(env.contains("/Users/me", "/any/where/.env"));
        assert!(!env.contains("/Users/me", "/any/where/.envrc"));
        let homes = homes(&rules(
            "(version 1)\n(allow file-read* (subpath \"/Users/alice/src\") (regex #\"^/Users/bob\\.x/\") (subpath \"/Users/Shared\"))\n",
        ));
        assert_eq!(homes, ["/Users/alice", "/Users/bob.x", "/Users/me"]);
    }

    #[test]
    fn an_unfiltered_data_read_under_deny_default_exposes_every_home_secret() {
        // avalan-ai/avalan#1060
        let r = rules("(version 1)\n(deny default)\n(allow file-read-data)\n");
        let found = exposures(&r, Access::File);
        assert!(found.iter().all(|e| e.rule == 1 && !e.named));
        let ssh = found.iter().find(|e| e.secret.id == "ssh").unwrap();
        assert_eq!(ssh.operation, "file-read-data");
        assert_eq!(ssh.witness, "/Users/me/.ssh/id_ed25519");
        assert!(!found.iter().any(|e| e.operation == "file-write-data"));
    }

    #[test]
    fn a_rule_naming_the_secret_is_intent_and_a_deny_is_protection() {
        let r = rules(
            "(version 1)\n(deny default)\n(allow file-read* (literal \"/Users/me/.pypirc\") (subpath \"/Users/me/src\"))\n(deny file-read* (regex #\"/\\.env$\"))\n",
        );
        let found = exposures(&r, Access::File);
        let pypirc = found.iter().find(|e| e.secret.id == "pypirc").unwrap();
        assert!(pypirc.named);
        assert!(!found.iter().any(|e| e.secret.id == "dotenv"), "{found:?}");
        assert!(protects_name(&r, row("dotenv").unwrap()));
        assert!(protects_some(&r));
        assert!(!protects_some(&rules(
            "(version 1)\n(allow default)\n(deny file-write*)\n"
        )));
    }

    #[test]
    fn env_files_are_tried_in_the_folders_the_profile_grants() {
        // navikt/cplt#55: a later allow re-opens the `.env` deny.
        let r = rules(
            "(version 1)\n(deny default)\n(deny file-read* (regex #\"/\\.env$\"))\n(allow file-read* (subpath \"/Users/me/Repos\"))\n",
        );
        let found = exposures(&r, Access::File);
        let env = found.iter().find(|e| e.secret.id == "dotenv").unwrap();
        assert_eq!(env.witness, "/Users/me/Repos/.env");
        assert_eq!(env.rule, 2);
    }

    #[test]
    fn a_readable_credential_is_found_under_allow_default() {
        let r =
            rules("(version 1)\n(allow default)\n(deny file-read* (subpath \"/Users/me/.ssh\"))\n");
        let (s, w) = readable_credential(&r).unwrap();
        assert_eq!(
            (s.id, w.as_str()),
            ("gnupg", "/Users/me/.gnupg/private-keys-v1.d/0.key")
        );
    }
}
