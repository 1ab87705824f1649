//! The vocabulary, loaded from the tables in `grammar/`: operations with their wildcard
//! hierarchy, macOS versions, the argument each is asked about and (network) the end a
//! rule is decided on, filters with their argument kinds, modifiers, aliases, the
//! availability of names per version, and every name libsandbox's Scheme defines before a
//! profile runs (`grammar/builtins.tsv`). Nothing here names an operation or filter by hand
//! but `default`, the root of the hierarchy, and no reader tells an operation's argument
//! by the prefix of its name (`tests/layers.rs` checks it).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::fmt;
use std::sync::OnceLock;

mod load;
mod versions;

pub use versions::{Availability, Evidence, MacOs, Release};

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
    /// What it is asked about (`argument` in `grammar/operations.tsv`).
    pub argument: ArgumentKind,
    /// The end of a connection its rules are decided on (`decided-on`); `None` when it
    /// does not take a network address.
    pub end: Option<End>,
    /// The filter that names its argument exactly, for a rule `learn` writes
    /// (`global-name` for `mach-lookup`); `None` when the table gives none.
    pub name_filter: Option<String>,
    /// Where the three facts above come from, or why they are unverified.
    pub argument_source: String,
}

/// What an operation is checked against (`argument` in `grammar/operations.tsv`): what
/// `explain` parses its argument as, and what the set analysis enumerates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArgumentKind {
    /// A path (file operations, `process-exec*`).
    Path,
    /// `HOST:PORT`, or a unix socket's path.
    Network,
    /// A service, sysctl, preference domain … name.
    Name,
    /// Nothing a filter of the tables names.
    None,
}

impl ArgumentKind {
    /// The table's word for it; `None` for a word it does not have.
    pub fn from_table(word: &str) -> Option<ArgumentKind> {
        Some(match word {
            "path" => ArgumentKind::Path,
            "network" => ArgumentKind::Network,
            "name" => ArgumentKind::Name,
            "none" => ArgumentKind::None,
            _ => return None,
        })
    }
}

/// The end of a connection a network rule is decided on (`decided-on`): the machine's own
/// (`local`: bind, inbound) or the peer's (`remote`: outbound).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum End {
    Local,
    Remote,
}

impl End {
    /// The table's word for it; `None` for `-` or a word it does not have.
    pub fn from_table(word: &str) -> Option<End> {
        match word {
            "local" => Some(End::Local),
            "remote" => Some(End::Remote),
            _ => None,
        }
    }
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

impl Vocabulary {
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

    /// The operation a name means for what it is asked about: the operation or its alias
    /// ([`Vocabulary::resolve_operation`]); for a name the tables lack (a newer macOS's
    /// operation in a denial log), the wildcard its name falls in, the longest (`file-foo`
    /// → `file*`), as the loader infers a parent (unverified).
    pub fn operation_named(&self, name: &str) -> Option<&Operation> {
        if let Some(id) = self.resolve_operation(name) {
            return Some(self.operation(id));
        }
        self.operations
            .iter()
            .filter(|o| o.is_wildcard && o.name != "default")
            .filter(|o| name.starts_with(o.name.trim_end_matches('*')))
            .max_by_key(|o| o.name.len())
    }

    /// What operation `name` is asked about ([`ArgumentKind::None`] for a name nothing in
    /// the tables covers).
    pub fn argument_of(&self, name: &str) -> ArgumentKind {
        self.operation_named(name)
            .map_or(ArgumentKind::None, |o| o.argument)
    }

    /// Whether operation `name` is decided on the machine's own end of a connection.
    pub fn decided_on_local_end(&self, name: &str) -> bool {
        self.operation_named(name)
            .is_some_and(|o| o.end == Some(End::Local))
    }

    /// The filter that names operation `name`'s argument exactly, if the table gives one.
    pub fn name_filter_of(&self, name: &str) -> Option<&str> {
        self.operation_named(name)?.name_filter.as_deref()
    }

    /// The operation `name` (or its alias) means on `macos`: `None` when the tables know it
    /// only on other versions, or not at all.
    pub fn operation_on(&self, name: &str, macos: MacOs) -> Option<OpId> {
        self.op_id(name)
            .or_else(|| self.resolve_operation(name))
            .filter(|id| self.operation(*id).exists_in(macos) || self.op_id(name).is_none())
    }

    /// The closest other operation name, for "did you mean" (never `name` itself: an
    /// operation asked about on a macOS without it is not a typo).
    pub fn suggest_operation(&self, name: &str) -> Option<String> {
        self.suggest(name, self.operation_names().filter(|n| *n != name))
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
    fn an_operation_missing_on_a_version_is_not_its_own_suggestion() {
        let v = vocabulary();
        let old = MacOs::parse("10.15").unwrap();
        assert_eq!(v.operation_on("consume-extension", old), None);
        assert_ne!(
            v.suggest_operation("consume-extension").as_deref(),
            Some("consume-extension")
        );
        assert_eq!(
            v.suggest_operation("file-raed-data").as_deref(),
            Some("file-read-data")
        );
        assert_eq!(
            v.operation_on("process-exec", old),
            v.op_id("process-exec*")
        );
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
}
