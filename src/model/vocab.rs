//! The vocabulary, loaded from the tables in `grammar/`: operations with their wildcard
//! hierarchy and macOS versions, filters with their argument kinds, modifiers, aliases, the
//! availability of names per version, and every name libsandbox's Scheme defines before a
//! profile runs (`grammar/builtins.tsv`). Nothing here names an operation or filter by hand
//! but `default`, the root of the hierarchy. (Elsewhere, `explain` still tells what an
//! operation's argument is by the prefix of its name.)

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::fmt;
use std::sync::OnceLock;

const OPERATIONS: &str = include_str!("../../grammar/operations.tsv");
const ADDITIONS: &str = include_str!("../../grammar/additions.tsv");
const FILTERS: &str = include_str!("../../grammar/filters.tsv");
const ALIASES: &str = include_str!("../../grammar/aliases.tsv");
const MODIFIERS: &str = include_str!("../../grammar/modifiers.tsv");
const BUILTINS: &str = include_str!("../../grammar/builtins.tsv");
const AVAILABILITY: &str = include_str!("../../grammar/availability.tsv");

/// A macOS release (`14`, `10.15`), the unit the vocabulary tables are kept in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Release {
    V10_12,
    V10_13,
    V10_14,
    V10_15,
    V11,
    V12,
    V13,
    V14,
    V15,
    V26,
}

impl Release {
    pub const ALL: [Release; 10] = [
        Release::V10_12,
        Release::V10_13,
        Release::V10_14,
        Release::V10_15,
        Release::V11,
        Release::V12,
        Release::V13,
        Release::V14,
        Release::V15,
        Release::V26,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Release::V10_12 => "10.12",
            Release::V10_13 => "10.13",
            Release::V10_14 => "10.14",
            Release::V10_15 => "10.15",
            Release::V11 => "11",
            Release::V12 => "12",
            Release::V13 => "13",
            Release::V14 => "14",
            Release::V15 => "15",
            Release::V26 => "26",
        }
    }

    /// The marketing name, as `--macos` accepts it.
    pub fn name(self) -> &'static str {
        match self {
            Release::V10_12 => "sierra",
            Release::V10_13 => "high-sierra",
            Release::V10_14 => "mojave",
            Release::V10_15 => "catalina",
            Release::V11 => "big-sur",
            Release::V12 => "monterey",
            Release::V13 => "ventura",
            Release::V14 => "sonoma",
            Release::V15 => "sequoia",
            Release::V26 => "tahoe",
        }
    }

    /// The releases whose operation names a complete table lists (simbple for 10.12-10.15,
    /// libsandbox's `_operation_names` of 14.4.1 harvested by SANDBOX_LORE).
    pub fn has_operation_table(self) -> bool {
        matches!(
            self,
            Release::V10_12 | Release::V10_13 | Release::V10_14 | Release::V10_15 | Release::V14
        )
    }

    /// The releases whose filter names a complete table lists (simbple for 10.15,
    /// SANDBOX_LORE for 14.4.1). Releases before the oldest are taken to have its filters:
    /// no table says otherwise, and an info on every filter would drown the findings.
    pub fn has_filter_table(self) -> bool {
        matches!(self, Release::V10_15 | Release::V14)
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A macOS version as `--macos` names it: a release, and the minor and patch version where
/// they were given (`14.2`, `13.7.8`). A bare release (`14`, `sonoma`) means its newest
/// minor the evidence knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MacOs {
    pub release: Release,
    /// (minor, patch) within the release: `14.4.1` is (4, 1), `10.15.7` is (7, 0).
    pub point: Option<(u8, u8)>,
}

impl MacOs {
    pub const V10_12: MacOs = MacOs::release(Release::V10_12);
    pub const V10_13: MacOs = MacOs::release(Release::V10_13);
    pub const V10_14: MacOs = MacOs::release(Release::V10_14);
    pub const V10_15: MacOs = MacOs::release(Release::V10_15);
    pub const V11: MacOs = MacOs::release(Release::V11);
    pub const V12: MacOs = MacOs::release(Release::V12);
    pub const V13: MacOs = MacOs::release(Release::V13);
    pub const V14: MacOs = MacOs::release(Release::V14);
    pub const V15: MacOs = MacOs::release(Release::V15);
    pub const V26: MacOs = MacOs::release(Release::V26);
    pub const ALL: [MacOs; 10] = [
        MacOs::V10_12,
        MacOs::V10_13,
        MacOs::V10_14,
        MacOs::V10_15,
        MacOs::V11,
        MacOs::V12,
        MacOs::V13,
        MacOs::V14,
        MacOs::V15,
        MacOs::V26,
    ];
    /// The default: the newest version with complete tables of operations and filters
    /// (SANDBOX_LORE's harvest of macOS 14.4.1). 15 and 26 are known only by evidence.
    pub const NEWEST: MacOs = MacOs {
        release: Release::V14,
        point: Some((4, 1)),
    };
    /// What `--macos` and the `macos` key accept, for help and error messages.
    pub const ACCEPTED: &'static str = "10.12-10.15, 11, 12, 13, 14, 15 or 26, with a minor \
        version (`14.2`, `13.7.8`), or a name (catalina, big-sur, monterey, ventura, sonoma, \
        sequoia, tahoe)";

    pub const fn release(release: Release) -> MacOs {
        MacOs {
            release,
            point: None,
        }
    }

    /// The release as written in the tables (`14`, `10.15`).
    pub fn as_str(self) -> &'static str {
        self.release.as_str()
    }

    /// `10.15`, `catalina`, `14`, `14.4.1`, `sonoma`, `26`, `tahoe`.
    pub fn parse(text: &str) -> Option<MacOs> {
        let t = text.trim().to_ascii_lowercase();
        let t = t
            .strip_prefix("macos")
            .map_or(t.as_str(), |r| r.trim_start_matches([' ', '-']));
        if let Some(release) = Release::ALL.into_iter().find(|r| {
            r.name() == t || r.name().replace('-', "_") == t || r.name().replace('-', " ") == t
        }) {
            return Some(MacOs::release(release));
        }
        let parts: Vec<&str> = t.split('.').collect();
        if parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 3)
        {
            return None;
        }
        let numbers: Vec<u16> = parts
            .iter()
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        let (release, rest) = match numbers.as_slice() {
            [10, minor, rest @ ..] => (
                Release::ALL
                    .into_iter()
                    .find(|r| r.as_str() == format!("10.{minor}"))?,
                rest,
            ),
            [major, rest @ ..] => (
                Release::ALL
                    .into_iter()
                    .find(|r| !r.as_str().contains('.') && r.as_str() == major.to_string())?,
                rest,
            ),
            [] => return None,
        };
        let small = |n: u16| u8::try_from(n).ok();
        let point = match rest {
            [] => None,
            [minor] => Some((small(*minor)?, 0)),
            [minor, patch] => Some((small(*minor)?, small(*patch)?)),
            _ => return None,
        };
        Some(MacOs { release, point })
    }
}

impl fmt::Display for MacOs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "macOS {}", self.release.as_str())?;
        match self.point {
            Some((minor, 0)) => write!(f, ".{minor}"),
            Some((minor, patch)) => write!(f, ".{minor}.{patch}"),
            None => Ok(()),
        }
    }
}

/// Whether a name exists on a macOS version, as far as the tables and the evidence say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Availability {
    /// In that release's complete table, or seen accepted there.
    Present,
    /// Not in that release's complete table, or seen refused there.
    Absent,
    /// No table of that release lists it and nothing was seen: "not verified for macOS N".
    Unverified,
}

/// Where a name was seen: releases whose complete table lists it, versions where it was
/// accepted, and versions where it was refused.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    /// Releases whose complete table lists the name (bits of [`Release`]).
    tables: u16,
    /// Versions where the name was seen accepted.
    accepted: Vec<MacOs>,
    /// Versions where it was refused: that minor and the earlier ones of the release.
    refused: Vec<MacOs>,
    /// Where the evidence comes from.
    pub source: Option<String>,
}

impl Evidence {
    /// What is known of the name on `target`. `tabled` tells which releases have a complete
    /// table of names of this kind.
    pub fn on(&self, target: MacOs, tabled: impl Fn(Release) -> bool) -> Availability {
        let refused = self.refused.iter().any(|r| {
            r.release == target.release
                && match (target.point, r.point) {
                    (Some(t), Some(r)) => t <= r,
                    (Some(_), None) => true,
                    // A bare release means its newest minor: a refusal at an earlier one
                    // does not decide it.
                    (None, _) => false,
                }
        });
        if refused {
            return Availability::Absent;
        }
        if self.tables & target.release.bit() != 0
            || self.accepted.iter().any(|a| a.release == target.release)
        {
            return Availability::Present;
        }
        if tabled(target.release) {
            return Availability::Absent;
        }
        // Between two releases with tables that both have it (11-13 between 10.15 and 14,
        // by table or by evidence): a name known on both is taken to be in those between.
        let before = Release::ALL
            .into_iter()
            .filter(|r| *r < target.release && tabled(*r))
            .max();
        let after = Release::ALL
            .into_iter()
            .filter(|r| *r > target.release && tabled(*r))
            .min();
        let known =
            |r: Release| self.tables & r.bit() != 0 || self.accepted.iter().any(|a| a.release == r);
        match (before, after) {
            (Some(b), Some(a)) if known(b) && known(a) => Availability::Present,
            _ => Availability::Unverified,
        }
    }

    /// The releases where the name is known to exist, oldest first.
    pub fn releases(&self) -> Vec<Release> {
        Release::ALL
            .into_iter()
            .filter(|r| self.tables & r.bit() != 0 || self.accepted.iter().any(|a| a.release == *r))
            .collect()
    }

    /// `14.4.1,15,26`, `-13.7.8`, `12..26` (see `grammar/evidence.tsv`).
    fn add(&mut self, token: &str) {
        let token = token.trim();
        let (refused, token) = match token.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, token),
        };
        let versions: Vec<MacOs> = match token.split_once("..") {
            Some((a, b)) => match (MacOs::parse(a), MacOs::parse(b)) {
                (Some(a), Some(b)) => Release::ALL
                    .into_iter()
                    .filter(|r| *r >= a.release && *r <= b.release)
                    .map(MacOs::release)
                    .collect(),
                _ => Vec::new(),
            },
            None => MacOs::parse(token).into_iter().collect(),
        };
        if refused {
            self.refused.extend(versions);
        } else {
            self.accepted.extend(versions);
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OpId(pub u16);

#[derive(Debug)]
pub struct Operation {
    pub name: String,
    /// The operation whose rules decide when this one has none (`default` for the root).
    pub parent: OpId,
    /// Where the tables and the evidence (`grammar/availability.tsv`) have seen it.
    pub evidence: Evidence,
    /// Filter categories it consults; `None` when the tables do not say.
    pub categories: Option<Vec<String>>,
    pub extra_modifiers: Vec<String>,
    pub is_wildcard: bool,
    /// True when `parent` is the wildcard its name falls in, not the tables' parent: the
    /// tables give it `default` (simbple's 10.15 hierarchy marks `file-write-setugid` and
    /// the other TERMINAL_NODE leaves so). Whether a rule on that wildcard reaches it is
    /// unverified (shared/reference/README.md, "Leaves that fall back to `default`"):
    /// a finding or decision that rests on it says so.
    pub inferred_parent: bool,
}

impl Operation {
    /// Whether `macos` has it, as far as the tables and the evidence know.
    pub fn availability(&self, macos: MacOs) -> Availability {
        self.evidence.on(macos, Release::has_operation_table)
    }

    /// False only where it is known to be missing: an unverified name is not reported as
    /// missing.
    pub fn exists_in(&self, macos: MacOs) -> bool {
        self.availability(macos) != Availability::Absent
    }

    /// The releases where it is known to exist, oldest first.
    pub fn versions(&self) -> Vec<MacOs> {
        self.evidence
            .releases()
            .into_iter()
            .map(MacOs::release)
            .collect()
    }
}

/// What a filter's argument must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// An exact path (`literal`, `path`).
    Path,
    PathSubpath,
    PathPrefix,
    /// A regex (`regex`, `*-regex`).
    Regex,
    /// An exact name (`global-name`, `sysctl-name` …).
    Name,
    NamePrefix,
    /// `[PROTO] "HOST:PORT"`
    Network,
    /// An integer or one of the named constants.
    Constant,
    Bitfield,
    Boolean,
    /// An exact string (`extension`).
    String,
    Unknown,
}

#[derive(Debug)]
pub struct FilterDef {
    pub name: String,
    /// Where the tables and the evidence (`grammar/availability.tsv`) have seen it.
    pub evidence: Evidence,
    pub arg: ArgKind,
    pub category: String,
    /// Named constants; `complete` when the table lists all of them.
    pub named_values: Vec<String>,
    pub named_values_complete: bool,
}

impl FilterDef {
    /// Whether `macos` has it, as far as the tables and the evidence know.
    pub fn availability(&self, macos: MacOs) -> Availability {
        let oldest = Release::ALL.into_iter().find(|r| r.has_filter_table());
        match oldest {
            Some(oldest) if macos.release < oldest => {
                match self
                    .evidence
                    .on(MacOs::release(oldest), Release::has_filter_table)
                {
                    Availability::Present => Availability::Present,
                    _ => Availability::Unverified,
                }
            }
            _ => self.evidence.on(macos, Release::has_filter_table),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModifierActions {
    Allow,
    Deny,
    Any,
}

#[derive(Debug)]
pub struct ModifierDef {
    pub name: String,
    pub actions: ModifierActions,
    pub arguments: usize,
}

#[derive(Debug)]
pub struct Vocabulary {
    pub operations: Vec<Operation>,
    op_index: HashMap<String, OpId>,
    pub filters: Vec<FilterDef>,
    filter_index: HashMap<String, usize>,
    /// `literal` → `path`, `sysctl-write` → `sysctl*` …
    pub aliases: HashMap<String, (String, String)>,
    pub modifiers: Vec<ModifierDef>,
    pub functions: HashSet<String>,
    /// Constants the Scheme defines before the profile runs (`SIGKILL`, `PRIV_ADJTIME` …).
    builtin_constants: HashSet<String>,
    /// Values the Scheme defines whose value evaluation cannot know (`*params*`).
    builtin_values: HashSet<String>,
    /// Every named constant any filter accepts (`REGULAR-FILE`, `same-sandbox` …).
    named_constants: HashSet<String>,
    /// Named constants whose availability differs between versions (`TIOCSTI`).
    constant_evidence: HashMap<String, Evidence>,
    pub default: OpId,
    /// Per operation: itself, its parent, …, `default`.
    chains: Vec<Vec<OpId>>,
    /// Per operation: every operation a rule naming it applies to, itself included.
    descendants: Vec<Vec<OpId>>,
    /// Every name a filter or operation can be written as, for [`Name`].
    names: Vec<String>,
    name_index: HashMap<String, Name>,
    /// Per name, the category of the filter it names (or `other`).
    name_categories: Vec<String>,
    /// Per name, a bit for its category; per operation, the bits of the categories it
    /// consults (`None` when the tables do not say): [`Vocabulary::consults`] without
    /// comparing strings, for checks that ask it of every leaf.
    name_category_bits: Vec<u64>,
    consulted_bits: Vec<Option<u64>>,
    /// Per name, the filter it resolves to and that filter's own name (see
    /// [`Vocabulary::filter_of`]).
    name_filters: Vec<Option<(u32, Name)>>,
}

/// A filter or operation name of the vocabulary in two bytes: filters keep their name as
/// libsandbox knows it and as it was written, and a model holds hundreds of thousands.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(u16);

impl Name {
    /// The name, if the vocabulary has it.
    pub fn of(name: &str) -> Option<Name> {
        vocabulary().name_index.get(name).copied()
    }

    pub fn as_str(self) -> &'static str {
        &vocabulary().names[self.0 as usize]
    }

    /// The category of the filter of this name (`path`, `name`, `network` …), or `other`.
    pub fn category(self) -> &'static str {
        &vocabulary().name_categories[self.0 as usize]
    }
}

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The one vocabulary, loaded on first use.
pub fn vocabulary() -> &'static Vocabulary {
    static VOCABULARY: OnceLock<Vocabulary> = OnceLock::new();
    VOCABULARY.get_or_init(Vocabulary::load)
}

fn table(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').collect())
}

impl Vocabulary {
    fn load() -> Vocabulary {
        let mut rows: Vec<Vec<&str>> = table(OPERATIONS).collect();
        rows.extend(table(ADDITIONS));
        let mut op_index = HashMap::default();
        for (i, row) in rows.iter().enumerate() {
            op_index.entry(row[0].to_string()).or_insert(OpId(i as u16));
        }
        let default = op_index["default"];
        let mut operations = Vec::new();
        for row in &rows {
            let name = row[0].to_string();
            let tables = row[2]
                .split(',')
                .filter_map(MacOs::parse)
                .fold(0u16, |bits, v| bits | v.release.bit());
            let categories = match row.get(3).copied() {
                None | Some("?") | Some("") => None,
                Some(c) => Some(c.split(',').map(str::to_string).collect()),
            };
            let extra_modifiers = match row.get(4).copied() {
                None | Some("-") | Some("") => Vec::new(),
                Some(m) => m.split(',').map(str::to_string).collect(),
            };
            operations.push(Operation {
                is_wildcard: name.ends_with('*') || name == "default",
                parent: op_index.get(row[1]).copied().unwrap_or(default),
                name,
                evidence: Evidence {
                    tables,
                    ..Evidence::default()
                },
                categories,
                extra_modifiers,
                inferred_parent: false,
            });
        }
        // A leaf whose table parent is `default` still sits under the wildcard its name
        // falls in: `(deny file*)` covers `file-link` (the reference marks this unverified;
        // it is what profile authors expect).
        let wildcards: Vec<(String, OpId)> = operations
            .iter()
            .enumerate()
            .filter(|(_, o)| o.name.ends_with('*'))
            .map(|(i, o)| (o.name.trim_end_matches('*').to_string(), OpId(i as u16)))
            .collect();
        for (i, operation) in operations.iter_mut().enumerate() {
            if operation.parent != default || operation.name == "default" {
                continue;
            }
            let name = &operation.name;
            let best = wildcards
                .iter()
                .filter(|(stem, id)| {
                    id.0 as usize != i && name.starts_with(stem.as_str()) && name.len() > stem.len()
                })
                .max_by_key(|(stem, _)| stem.len());
            if let Some((_, id)) = best {
                operation.parent = *id;
                operation.inferred_parent = true;
            }
        }

        let mut filters = Vec::new();
        let mut filter_index = HashMap::default();
        for row in table(FILTERS) {
            let arg = match row[1] {
                "path" => ArgKind::Path,
                "path-subpath" => ArgKind::PathSubpath,
                "path-prefix" => ArgKind::PathPrefix,
                "regex" => ArgKind::Regex,
                "name" => ArgKind::Name,
                "name-prefix" => ArgKind::NamePrefix,
                "network" => ArgKind::Network,
                "constant" => ArgKind::Constant,
                "bitfield" => ArgKind::Bitfield,
                "boolean" => ArgKind::Boolean,
                "string" => ArgKind::String,
                _ => ArgKind::Unknown,
            };
            let values = row.get(4).copied().unwrap_or("-");
            let complete = !values.ends_with("...");
            let named_values = if values == "-" {
                Vec::new()
            } else {
                values
                    .split(',')
                    .filter(|v| *v != "..." && !v.is_empty())
                    .map(str::to_string)
                    .collect()
            };
            filter_index.insert(row[0].to_string(), filters.len());
            let tables = row
                .get(3)
                .copied()
                .unwrap_or("")
                .split(',')
                .filter_map(MacOs::parse)
                .fold(0u16, |bits, v| bits | v.release.bit());
            filters.push(FilterDef {
                evidence: Evidence {
                    tables,
                    ..Evidence::default()
                },
                name: row[0].to_string(),
                arg,
                category: row[2].to_string(),
                named_values_complete: complete && values != "-",
                named_values,
            });
        }
        let aliases: HashMap<String, (String, String)> = table(ALIASES)
            .map(|r| (r[0].to_string(), (r[1].to_string(), r[2].to_string())))
            .collect();
        let modifiers = table(MODIFIERS)
            .map(|r| ModifierDef {
                name: r[0].to_string(),
                actions: match r[1] {
                    "allow" => ModifierActions::Allow,
                    "deny" => ModifierActions::Deny,
                    _ => ModifierActions::Any,
                },
                arguments: r.get(2).and_then(|a| a.parse().ok()).unwrap_or(0),
            })
            .collect();
        let functions = table(BUILTINS).map(|r| r[0].to_string()).collect();
        // `SIGKILL`, `PRIV_ADJTIME`: named constants. Other defined values (`*params*`,
        // `*features*`, `call/cc`) are values evaluation cannot know.
        let is_named = |n: &str| {
            n.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        };
        let builtin_constants = table(BUILTINS)
            .filter(|r| r.get(1) == Some(&"constant") && is_named(r[0]))
            .map(|r| r[0].to_string())
            .collect();
        let builtin_values = table(BUILTINS)
            .filter(|r| matches!(r.get(1), Some(&"constant" | &"variable")) && !is_named(r[0]))
            .map(|r| r[0].to_string())
            .collect();
        let mut constant_evidence: HashMap<String, Evidence> = HashMap::default();
        for row in table(AVAILABILITY) {
            let (name, kind, tokens) = (row[0], row[1], row.get(2).copied().unwrap_or(""));
            let evidence = match kind {
                "operation" => match op_index.get(name) {
                    Some(id) => &mut operations[id.0 as usize].evidence,
                    None => continue,
                },
                "constant" => constant_evidence.entry(name.to_string()).or_default(),
                "filter" => match filter_index.get(name) {
                    Some(&i) => &mut filters[i].evidence,
                    None => continue,
                },
                _ => continue,
            };
            for token in tokens.split(',') {
                evidence.add(token);
            }
            evidence.source = row.get(3).map(|s| s.to_string());
        }
        let named_constants = filters
            .iter()
            .flat_map(|f: &FilterDef| f.named_values.iter().cloned())
            .collect();
        let chains: Vec<Vec<OpId>> = (0..operations.len())
            .map(|i| {
                let mut chain = vec![OpId(i as u16)];
                let mut current = OpId(i as u16);
                while current != default && chain.len() < 16 {
                    current = operations[current.0 as usize].parent;
                    chain.push(current);
                }
                chain
            })
            .collect();
        let descendants = (0..operations.len())
            .map(|w| {
                let w = OpId(w as u16);
                (0..operations.len())
                    .map(|i| OpId(i as u16))
                    .filter(|op| w == default || chains[op.0 as usize].contains(&w))
                    .collect()
            })
            .collect();
        let mut names: Vec<String> = Vec::new();
        let mut name_index = HashMap::default();
        let every = operations
            .iter()
            .map(|o| o.name.as_str())
            .chain(filters.iter().map(|f: &FilterDef| f.name.as_str()))
            .chain(aliases.keys().map(String::as_str));
        for name in every {
            if !name_index.contains_key(name) {
                name_index.insert(name.to_string(), Name(names.len() as u16));
                names.push(name.to_string());
            }
        }
        let name_categories: Vec<String> = names
            .iter()
            .map(|n| {
                let index = filter_index.get(n.as_str());
                index.map_or("other".to_string(), |&i| filters[i].category.clone())
            })
            .collect();
        let mut category_bit: HashMap<String, u64> = HashMap::default();
        let mut bit_of = |category: &str| -> u64 {
            let next = 1u64 << category_bit.len().min(63);
            *category_bit.entry(category.to_string()).or_insert(next)
        };
        let name_category_bits = name_categories.iter().map(|c| bit_of(c)).collect();
        let consulted_bits = operations
            .iter()
            .map(|o: &Operation| {
                o.categories
                    .as_ref()
                    .map(|cats| cats.iter().fold(0, |bits, c| bits | bit_of(c)))
            })
            .collect();
        // One bit each: the tables have a few dozen categories at most.
        assert!(
            category_bit.len() < 64,
            "too many filter categories for a u64"
        );
        let mut vocab = Vocabulary {
            names,
            name_index,
            name_categories,
            name_category_bits,
            consulted_bits,
            name_filters: Vec::new(),
            operations,
            op_index,
            filters,
            filter_index,
            aliases,
            modifiers,
            functions,
            builtin_constants,
            builtin_values,
            named_constants,
            constant_evidence,
            default,
            chains,
            descendants,
        };
        vocab.name_filters = vocab
            .names
            .iter()
            .map(|n| {
                let def = vocab.resolve_filter(n)?;
                let index = vocab.filter_index[def.name.as_str()];
                Some((index as u32, vocab.name_index[def.name.as_str()]))
            })
            .collect();
        vocab
    }

    pub fn is_named_constant(&self, name: &str) -> bool {
        self.named_constants.contains(name) || self.builtin_constants.contains(name)
    }

    /// A named constant whose availability the evidence records (`TIOCSTI`): what it says of
    /// `macos`, with the evidence. Constants have no complete table: what is not recorded is
    /// not verified.
    pub fn constant_availability(
        &self,
        name: &str,
        macos: MacOs,
    ) -> Option<(Availability, &Evidence)> {
        let evidence = self.constant_evidence.get(name)?;
        Some((evidence.on(macos, |_| false), evidence))
    }

    /// A value (not a procedure) the Scheme defines before the profile runs, whose value
    /// cannot be known statically (`*params*`, `*features*`).
    pub fn is_builtin_value(&self, name: &str) -> bool {
        self.builtin_values.contains(name)
    }

    /// The name as the vocabulary stores it, for `&'static` use.
    pub fn function_name(&self, name: &str) -> Option<&str> {
        self.functions.get(name).map(String::as_str)
    }

    pub fn operation(&self, id: OpId) -> &Operation {
        &self.operations[id.0 as usize]
    }

    /// Whether `op` consults filters of the category of `filter`; `None` when the tables
    /// do not say.
    pub fn consults(&self, op: OpId, filter: Name) -> Option<bool> {
        let bits = self.consulted_bits[op.0 as usize]?;
        Some(bits & self.name_category_bits[filter.0 as usize] != 0)
    }

    pub fn op_id(&self, name: &str) -> Option<OpId> {
        self.op_index.get(name).copied()
    }

    /// An operation name as a rule means it: aliases widen (`sysctl-write` is `sysctl*`,
    /// `process-exec` is `process-exec*`).
    pub fn resolve_operation(&self, name: &str) -> Option<OpId> {
        if let Some((target, kind)) = self.aliases.get(name) {
            if kind == "name" {
                if let Some(id) = self.op_id(target) {
                    return Some(id);
                }
            }
        }
        self.op_id(name)
    }

    /// An operation alias that compiles to nothing (`mach-per-user-lookup` …).
    pub fn is_no_op_alias(&self, name: &str) -> bool {
        self.aliases
            .get(name)
            .is_some_and(|(_, kind)| kind == "no-op")
    }

    /// The fallback chain: the operation, its parent, …, `default`.
    pub fn chain(&self, id: OpId) -> &[OpId] {
        &self.chains[id.0 as usize]
    }

    /// True when a rule naming `wildcard` applies to `op` (the same, or an ancestor).
    pub fn covers(&self, wildcard: OpId, op: OpId) -> bool {
        wildcard == self.default || self.chain(op).contains(&wildcard)
    }

    /// True when a rule on `wildcard` reaches `op` only through a parent inferred from the
    /// name ([`Operation::inferred_parent`]): `file-write*` → `file-write-setugid`.
    pub fn reach_unverified(&self, wildcard: OpId, op: OpId) -> bool {
        if wildcard == self.default || wildcard == op {
            return false;
        }
        let mut at = op;
        while at != wildcard && at != self.default {
            let operation = self.operation(at);
            if operation.inferred_parent {
                return true;
            }
            at = operation.parent;
        }
        false
    }

    /// Every operation a rule naming `id` applies to, `id` included.
    pub fn descendants(&self, id: OpId) -> &[OpId] {
        &self.descendants[id.0 as usize]
    }

    pub fn filter(&self, name: &str) -> Option<&FilterDef> {
        self.filter_index.get(name).map(|&i| &self.filters[i])
    }

    /// [`Vocabulary::resolve_filter`] for a name of the vocabulary, without hashing it,
    /// with the filter's own name: `literal` → (`path`'s definition, `path`).
    pub fn filter_of(&self, written: Name) -> Option<(&FilterDef, Name)> {
        let (index, name) = self.name_filters[written.0 as usize]?;
        Some((&self.filters[index as usize], name))
    }

    /// A filter name as written, with aliases resolved: `literal` → `path`.
    pub fn resolve_filter(&self, name: &str) -> Option<&FilterDef> {
        if let Some((target, kind)) = self.aliases.get(name) {
            if kind == "name" {
                if let Some(def) = self.filter(target) {
                    return Some(def);
                }
            }
        }
        self.filter(name)
    }

    pub fn modifier(&self, name: &str) -> Option<&ModifierDef> {
        let name = match self.aliases.get(name) {
            Some((target, kind)) if kind == "modifier" || kind == "name" => target.as_str(),
            _ => name,
        };
        self.modifiers.iter().find(|m| m.name == name)
    }

    /// The closest known name, for "did you mean" ([`super::suggest::closest`]).
    pub fn suggest<'a>(
        &self,
        name: &str,
        candidates: impl Iterator<Item = &'a str>,
    ) -> Option<String> {
        super::suggest::closest(name, candidates).map(str::to_string)
    }

    pub fn operation_names(&self) -> impl Iterator<Item = &str> {
        self.operations.iter().map(|o| o.name.as_str())
    }

    pub fn filter_names(&self) -> impl Iterator<Item = &str> {
        self.filters.iter().map(|f| f.name.as_str()).chain(
            self.aliases
                .iter()
                .filter(|(_, (t, _))| self.filter(t).is_some())
                .map(|(a, _)| a.as_str()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_write_reaches_setugid_only_through_an_inferred_parent() {
        let v = vocabulary();
        let (Some(w), Some(setugid), Some(data)) = (
            v.op_id("file-write*"),
            v.op_id("file-write-setugid"),
            v.op_id("file-write-data"),
        ) else {
            panic!("vocabulary");
        };
        assert!(v.covers(w, setugid));
        assert!(v.reach_unverified(w, setugid));
        assert!(!v.reach_unverified(w, data));
        assert!(!v.reach_unverified(v.default, setugid));
    }

    #[test]
    fn hierarchy_and_aliases_come_from_the_tables() {
        let v = vocabulary();
        let data = v.op_id("file-read-data").unwrap();
        let names: Vec<&str> = v
            .chain(data)
            .iter()
            .map(|id| v.operation(*id).name.as_str())
            .collect();
        assert_eq!(names, ["file-read-data", "file-read*", "file*", "default"]);
        assert_eq!(v.resolve_operation("sysctl-write"), v.op_id("sysctl*"));
        assert_eq!(
            v.resolve_operation("process-exec"),
            v.op_id("process-exec*")
        );
        assert_eq!(v.resolve_filter("literal").unwrap().name, "path");
        let link = v.op_id("file-link").unwrap();
        assert!(v.covers(v.op_id("file*").unwrap(), link));
        let iokit_open = v.operation(v.op_id("iokit-open").unwrap());
        assert_eq!(
            iokit_open.availability(MacOs::NEWEST),
            Availability::Present
        );
        let unsigned = v.operation(v.op_id("load-unsigned-code").unwrap());
        assert_eq!(unsigned.availability(MacOs::V14), Availability::Absent);
        assert_eq!(unsigned.availability(MacOs::V26), Availability::Unverified);
        assert_eq!(
            v.suggest("file-reed-data", v.operation_names()).as_deref(),
            Some("file-read-data")
        );
    }

    #[test]
    fn versions_parse_with_minors_and_names() {
        let p = |t| MacOs::parse(t);
        assert_eq!(p("14"), Some(MacOs::V14));
        assert_eq!(p("sonoma"), Some(MacOs::V14));
        assert_eq!(p("Tahoe"), Some(MacOs::V26));
        assert_eq!(p("big-sur"), Some(MacOs::V11));
        assert_eq!(p("high_sierra"), Some(MacOs::V10_13));
        assert_eq!(
            p("13.7"),
            Some(MacOs {
                release: Release::V13,
                point: Some((7, 0))
            })
        );
        assert_eq!(p("14.4.1"), Some(MacOs::NEWEST));
        assert_eq!(
            p("10.15.7"),
            Some(MacOs {
                release: Release::V10_15,
                point: Some((7, 0))
            })
        );
        assert_eq!(p("macOS 15"), Some(MacOs::V15));
        for bad in [
            "16",
            "27",
            "10.11",
            "14.",
            "14.x",
            "",
            "14.1.2.3",
            "catalina2",
        ] {
            assert_eq!(p(bad), None, "{bad}");
        }
        assert_eq!(p("13.7.8").unwrap().to_string(), "macOS 13.7.8");
        assert_eq!(p("14.2").unwrap().to_string(), "macOS 14.2");
    }

    #[test]
    fn a_refusal_at_a_minor_covers_the_earlier_minors_only() {
        let v = vocabulary();
        let at = |t| {
            v.constant_availability("TIOCSTI", MacOs::parse(t).unwrap())
                .unwrap()
                .0
        };
        assert_eq!(at("13.7.8"), Availability::Absent);
        assert_eq!(at("13.1"), Availability::Absent);
        assert_eq!(at("14.2"), Availability::Absent);
        assert_eq!(at("14.4.1"), Availability::Unverified);
        assert_eq!(at("14"), Availability::Unverified);
        assert_eq!(at("26"), Availability::Present);
        assert_eq!(at("26.5"), Availability::Present);
    }

    #[test]
    fn every_builtin_has_a_kind_an_evaluation_and_a_source() {
        let mut names = HashSet::default();
        for row in table(BUILTINS) {
            assert_eq!(row.len(), 4, "{row:?}");
            assert!(
                ["syntax", "procedure", "macro", "constant", "variable"].contains(&row[1]),
                "{row:?}"
            );
            assert!(
                ["alias", "special", "static", "filter", "no-op", "unknown"].contains(&row[2]),
                "{row:?}"
            );
            assert!(row[3].len() > 10, "{row:?} has no source");
            assert!(names.insert(row[0]), "{} twice", row[0]);
        }
        let v = vocabulary();
        for name in [
            "split-string",
            "disable-callouts",
            "open-input-string",
            "read",
            "_IO",
        ] {
            assert!(v.function_name(name).is_some(), "{name}");
        }
    }
}
