//! The vocabulary, loaded from the tables in `grammar/`: operations with their wildcard
//! hierarchy and macOS versions, filters with their argument kinds, modifiers, aliases, and
//! the functions a profile may call. Nothing here names an operation or filter by hand but
//! `default`, the root of the hierarchy. (Elsewhere, `explain` still tells what an
//! operation's argument is by the prefix of its name.)

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::fmt;
use std::sync::OnceLock;

const OPERATIONS: &str = include_str!("../../grammar/operations.tsv");
const ADDITIONS: &str = include_str!("../../grammar/additions.tsv");
const FILTERS: &str = include_str!("../../grammar/filters.tsv");
const ALIASES: &str = include_str!("../../grammar/aliases.tsv");
const MODIFIERS: &str = include_str!("../../grammar/modifiers.tsv");
const FUNCTIONS: &str = include_str!("../../grammar/functions.txt");

/// A macOS release with its own vocabulary table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MacOs {
    V10_12,
    V10_13,
    V10_14,
    V10_15,
    V14,
}

impl MacOs {
    pub const ALL: [MacOs; 5] = [
        MacOs::V10_12,
        MacOs::V10_13,
        MacOs::V10_14,
        MacOs::V10_15,
        MacOs::V14,
    ];
    pub const NEWEST: MacOs = MacOs::V14;

    pub fn as_str(self) -> &'static str {
        match self {
            MacOs::V10_12 => "10.12",
            MacOs::V10_13 => "10.13",
            MacOs::V10_14 => "10.14",
            MacOs::V10_15 => "10.15",
            MacOs::V14 => "14",
        }
    }

    /// `10.15`, `catalina`, `14`, `14.4.1`, `sonoma`.
    pub fn parse(text: &str) -> Option<MacOs> {
        let t = text.trim().to_ascii_lowercase();
        let found = match t.as_str() {
            "10.12" | "sierra" => MacOs::V10_12,
            "10.13" | "high-sierra" | "high_sierra" => MacOs::V10_13,
            "10.14" | "mojave" => MacOs::V10_14,
            "10.15" | "catalina" => MacOs::V10_15,
            "14" | "sonoma" => MacOs::V14,
            _ if t.starts_with("14.") => MacOs::V14,
            _ if t.starts_with("10.12.") => MacOs::V10_12,
            _ if t.starts_with("10.13.") => MacOs::V10_13,
            _ if t.starts_with("10.14.") => MacOs::V10_14,
            _ if t.starts_with("10.15.") => MacOs::V10_15,
            _ => return None,
        };
        Some(found)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for MacOs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "macOS {}", self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OpId(pub u16);

#[derive(Debug)]
pub struct Operation {
    pub name: String,
    /// The operation whose rules decide when this one has none (`default` for the root).
    pub parent: OpId,
    versions: u8,
    /// Filter categories it consults; `None` when the tables do not say.
    pub categories: Option<Vec<String>>,
    pub extra_modifiers: Vec<String>,
    pub is_wildcard: bool,
}

impl Operation {
    pub fn exists_in(&self, macos: MacOs) -> bool {
        self.versions & macos.bit() != 0
    }

    pub fn versions(&self) -> Vec<MacOs> {
        MacOs::ALL
            .into_iter()
            .filter(|v| self.exists_in(*v))
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
    pub arg: ArgKind,
    pub category: String,
    /// Named constants; `complete` when the table lists all of them.
    pub named_values: Vec<String>,
    pub named_values_complete: bool,
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
    /// Every named constant any filter accepts (`REGULAR-FILE`, `same-sandbox` …).
    named_constants: HashSet<String>,
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
            let versions = row[2]
                .split(',')
                .filter_map(MacOs::parse)
                .fold(0u8, |bits, v| bits | v.bit());
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
                versions,
                categories,
                extra_modifiers,
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
            filters.push(FilterDef {
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
        let functions = FUNCTIONS
            .lines()
            .filter(|l| !l.starts_with('#'))
            .flat_map(str::split_whitespace)
            .map(str::to_string)
            .collect();
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
            named_constants,
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
        self.named_constants.contains(name)
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

    /// The closest known names, for "did you mean".
    pub fn suggest<'a>(
        &self,
        name: &str,
        candidates: impl Iterator<Item = &'a str>,
    ) -> Option<String> {
        candidates
            .map(|c| (strsim::levenshtein(name, c), c))
            .filter(|(d, c)| *d <= (name.len().max(c.len()) / 3).max(1))
            .min()
            .map(|(_, c)| c.to_string())
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
        assert!(!v
            .operation(v.op_id("iokit-open").unwrap())
            .exists_in(MacOs::V14));
        assert_eq!(
            v.suggest("file-reed-data", v.operation_names()).as_deref(),
            Some("file-read-data")
        );
    }
}
