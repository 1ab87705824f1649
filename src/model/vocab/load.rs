//! Reading the tables of `grammar/` into the [`Vocabulary`]: each table's columns are named
//! once, in its row type, and each step of building the vocabulary is one function.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::{
    ArgKind, ArgumentKind, End, Evidence, FilterDef, ModifierActions, ModifierDef, Name, OpId,
    Operation, Vocabulary,
};

const OPERATIONS: &str = include_str!("../../../grammar/operations.tsv");
const ADDITIONS: &str = include_str!("../../../grammar/additions.tsv");
const FILTERS: &str = include_str!("../../../grammar/filters.tsv");
const ALIASES: &str = include_str!("../../../grammar/aliases.tsv");
const MODIFIERS: &str = include_str!("../../../grammar/modifiers.tsv");
const BUILTINS: &str = include_str!("../../../grammar/builtins.tsv");
const AVAILABILITY: &str = include_str!("../../../grammar/availability.tsv");

/// A table's rows, split at tabs; blank lines and `#` comments left out.
fn table(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').collect())
}

/// A row of `operations.tsv` or `additions.tsv`: name, parent, versions,
/// filter-categories, extra-modifiers, node, source, argument, decided-on, name-filter,
/// argument-source.
struct OperationRow<'t> {
    name: &'t str,
    parent: &'t str,
    versions: &'t str,
    /// `None` when the table does not say (`?` or nothing).
    categories: Option<Vec<String>>,
    extra_modifiers: Vec<String>,
    /// `None` for a word the table should not have (the tests reject it); read as
    /// [`ArgumentKind::None`].
    argument: Option<ArgumentKind>,
    end: Option<End>,
    name_filter: Option<&'t str>,
    argument_source: &'t str,
}

impl<'t> OperationRow<'t> {
    fn read(row: &[&'t str]) -> Self {
        OperationRow {
            name: row[0],
            parent: row[1],
            versions: row[2],
            categories: match row.get(3).copied() {
                None | Some("?") | Some("") => None,
                Some(c) => Some(c.split(',').map(str::to_string).collect()),
            },
            extra_modifiers: match row.get(4).copied() {
                None | Some("-") | Some("") => Vec::new(),
                Some(m) => m.split(',').map(str::to_string).collect(),
            },
            argument: row.get(7).copied().and_then(ArgumentKind::from_table),
            end: row.get(8).copied().and_then(End::from_table),
            name_filter: row.get(9).copied().filter(|f| !matches!(*f, "-" | "")),
            argument_source: row.get(10).copied().unwrap_or(""),
        }
    }
}

/// A row of `filters.tsv`: name, argument, category, versions, named-values (a trailing
/// `...` means the list is partial; `-` none).
struct FilterRow<'t> {
    name: &'t str,
    arg: ArgKind,
    category: &'t str,
    versions: &'t str,
    values: &'t str,
}

impl<'t> FilterRow<'t> {
    fn read(row: &[&'t str]) -> Self {
        FilterRow {
            name: row[0],
            arg: match row[1] {
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
            },
            category: row[2],
            versions: row.get(3).copied().unwrap_or(""),
            values: row.get(4).copied().unwrap_or("-"),
        }
    }

    fn def(&self) -> FilterDef {
        let complete = !self.values.ends_with("...");
        let named_values = if self.values == "-" {
            Vec::new()
        } else {
            self.values
                .split(',')
                .filter(|v| *v != "..." && !v.is_empty())
                .map(str::to_string)
                .collect()
        };
        FilterDef {
            evidence: Evidence::tabled(self.versions),
            name: self.name.to_string(),
            arg: self.arg,
            category: self.category.to_string(),
            named_values_complete: complete && self.values != "-",
            named_values,
        }
    }
}

/// A row of `modifiers.tsv`: name, actions, arguments, note.
fn modifier(row: &[&str]) -> ModifierDef {
    ModifierDef {
        name: row[0].to_string(),
        actions: match row[1] {
            "allow" => ModifierActions::Allow,
            "deny" => ModifierActions::Deny,
            _ => ModifierActions::Any,
        },
        arguments: row.get(2).and_then(|a| a.parse().ok()).unwrap_or(0),
    }
}

/// A row of `builtins.tsv`: name, kind (`constant`, `variable`, a function's kind …), ….
struct BuiltinRow<'t> {
    name: &'t str,
    kind: Option<&'t str>,
}

impl<'t> BuiltinRow<'t> {
    fn read(row: &[&'t str]) -> Self {
        BuiltinRow {
            name: row[0],
            kind: row.get(1).copied(),
        }
    }

    /// `SIGKILL`, `PRIV_ADJTIME`: a named constant. Other defined values (`*params*`,
    /// `*features*`, `call/cc`) are values evaluation cannot know.
    fn is_named(&self) -> bool {
        self.name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    }
}

/// A row of `availability.tsv`: name, kind (`operation`, `filter`, `constant`), evidence,
/// source.
struct AvailabilityRow<'t> {
    name: &'t str,
    kind: &'t str,
    tokens: &'t str,
    source: Option<&'t str>,
}

impl<'t> AvailabilityRow<'t> {
    fn read(row: &[&'t str]) -> Self {
        AvailabilityRow {
            name: row[0],
            kind: row[1],
            tokens: row.get(2).copied().unwrap_or(""),
            source: row.get(3).copied(),
        }
    }
}

/// The operations of both tables, in order, and the index of each name (the first row
/// wins).
fn operations() -> (Vec<Operation>, HashMap<String, OpId>, OpId) {
    let rows: Vec<Vec<&str>> = table(OPERATIONS).chain(table(ADDITIONS)).collect();
    let rows: Vec<OperationRow> = rows.iter().map(|r| OperationRow::read(r)).collect();
    let mut op_index = HashMap::default();
    for (i, row) in rows.iter().enumerate() {
        op_index
            .entry(row.name.to_string())
            .or_insert(OpId(i as u16));
    }
    let default = op_index["default"];
    let mut operations: Vec<Operation> = rows
        .into_iter()
        .map(|row| Operation {
            is_wildcard: row.name.ends_with('*') || row.name == "default",
            parent: op_index.get(row.parent).copied().unwrap_or(default),
            name: row.name.to_string(),
            evidence: Evidence::tabled(row.versions),
            categories: row.categories,
            extra_modifiers: row.extra_modifiers,
            inferred_parent: false,
            argument: row.argument.unwrap_or(ArgumentKind::None),
            end: row.end,
            name_filter: row.name_filter.map(str::to_string),
            argument_source: row.argument_source.to_string(),
        })
        .collect();
    infer_parents(&mut operations, default);
    (operations, op_index, default)
}

/// A leaf whose table parent is `default` still sits under the wildcard its name falls in:
/// `(deny file*)` covers `file-link` (the reference marks this unverified; it is what
/// profile authors expect).
fn infer_parents(operations: &mut [Operation], default: OpId) {
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
}

/// The filters and the index of each name.
fn filters() -> (Vec<FilterDef>, HashMap<String, usize>) {
    let mut filters = Vec::new();
    let mut filter_index = HashMap::default();
    for row in table(FILTERS) {
        let row = FilterRow::read(&row);
        filter_index.insert(row.name.to_string(), filters.len());
        filters.push(row.def());
    }
    (filters, filter_index)
}

/// What `grammar/builtins.tsv` defines: the functions, the named constants and the values
/// evaluation cannot know.
struct Builtins {
    functions: HashSet<String>,
    constants: HashSet<String>,
    values: HashSet<String>,
}

fn builtins() -> Builtins {
    let rows: Vec<Vec<&str>> = table(BUILTINS).collect();
    let rows: Vec<BuiltinRow> = rows.iter().map(|r| BuiltinRow::read(r)).collect();
    Builtins {
        functions: rows.iter().map(|r| r.name.to_string()).collect(),
        constants: rows
            .iter()
            .filter(|r| r.kind == Some("constant") && r.is_named())
            .map(|r| r.name.to_string())
            .collect(),
        values: rows
            .iter()
            .filter(|r| matches!(r.kind, Some("constant" | "variable")) && !r.is_named())
            .map(|r| r.name.to_string())
            .collect(),
    }
}

/// Adds `availability.tsv`'s evidence to the operations and filters it names, and returns
/// the constants' evidence.
fn add_evidence(
    operations: &mut [Operation],
    op_index: &HashMap<String, OpId>,
    filters: &mut [FilterDef],
    filter_index: &HashMap<String, usize>,
) -> HashMap<String, Evidence> {
    let mut constant_evidence: HashMap<String, Evidence> = HashMap::default();
    for row in table(AVAILABILITY) {
        let row = AvailabilityRow::read(&row);
        let evidence = match row.kind {
            "operation" => match op_index.get(row.name) {
                Some(id) => &mut operations[id.0 as usize].evidence,
                None => continue,
            },
            "constant" => constant_evidence.entry(row.name.to_string()).or_default(),
            "filter" => match filter_index.get(row.name) {
                Some(&i) => &mut filters[i].evidence,
                None => continue,
            },
            _ => continue,
        };
        for token in row.tokens.split(',') {
            evidence.add(token);
        }
        evidence.source = row.source.map(str::to_string);
    }
    constant_evidence
}

/// Per operation: itself, its parent, …, `default` (the chains); and every operation a rule
/// naming it applies to, itself included (the descendants).
fn hierarchy(operations: &[Operation], default: OpId) -> (Vec<Vec<OpId>>, Vec<Vec<OpId>>) {
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
    (chains, descendants)
}

/// Every name a filter or operation can be written as, with its index, the category of
/// the filter it names, and a bit per category; per operation, the bits of the
/// categories it consults.
struct Names {
    names: Vec<String>,
    index: HashMap<String, Name>,
    categories: Vec<String>,
    category_bits: Vec<u64>,
    consulted_bits: Vec<Option<u64>>,
}

fn names(
    operations: &[Operation],
    filters: &[FilterDef],
    filter_index: &HashMap<String, usize>,
    aliases: &HashMap<String, (String, String)>,
) -> Names {
    let mut names: Vec<String> = Vec::new();
    let mut index = HashMap::default();
    let every = operations
        .iter()
        .map(|o| o.name.as_str())
        .chain(filters.iter().map(|f| f.name.as_str()))
        .chain(aliases.keys().map(String::as_str));
    for name in every {
        if !index.contains_key(name) {
            index.insert(name.to_string(), Name(names.len() as u16));
            names.push(name.to_string());
        }
    }
    let categories: Vec<String> = names
        .iter()
        .map(|n| {
            let at = filter_index.get(n.as_str());
            at.map_or("other".to_string(), |&i| filters[i].category.clone())
        })
        .collect();
    let mut category_bit: HashMap<String, u64> = HashMap::default();
    let mut bit_of = |category: &str| -> u64 {
        let next = 1u64 << category_bit.len().min(63);
        *category_bit.entry(category.to_string()).or_insert(next)
    };
    let category_bits = categories.iter().map(|c| bit_of(c)).collect();
    let consulted_bits = operations
        .iter()
        .map(|o| {
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
    Names {
        names,
        index,
        categories,
        category_bits,
        consulted_bits,
    }
}

impl Vocabulary {
    pub(super) fn load() -> Vocabulary {
        let (mut operations, op_index, default) = operations();
        let (mut filters, filter_index) = filters();
        let aliases: HashMap<String, (String, String)> = table(ALIASES)
            .map(|r| (r[0].to_string(), (r[1].to_string(), r[2].to_string())))
            .collect();
        let modifiers = table(MODIFIERS).map(|r| modifier(&r)).collect();
        let builtins = builtins();
        let constant_evidence =
            add_evidence(&mut operations, &op_index, &mut filters, &filter_index);
        let named_constants = filters
            .iter()
            .flat_map(|f| f.named_values.iter().cloned())
            .collect();
        let (chains, descendants) = hierarchy(&operations, default);
        let names = names(&operations, &filters, &filter_index, &aliases);
        let mut vocab = Vocabulary {
            names: names.names,
            name_index: names.index,
            name_categories: names.categories,
            name_category_bits: names.category_bits,
            consulted_bits: names.consulted_bits,
            name_filters: Vec::new(),
            operations,
            op_index,
            filters,
            filter_index,
            aliases,
            modifiers,
            functions: builtins.functions,
            builtin_constants: builtins.constants,
            builtin_values: builtins.values,
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::vocab::vocabulary;

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

    /// Every operation row says what the operation is asked about, the end a network rule
    /// is decided on (and only for network operations), the filter naming a name argument
    /// (a name filter of the tables, only for name operations), and where that comes from.
    #[test]
    fn every_operation_row_has_an_argument_kind_and_its_source() {
        let v = vocabulary();
        let mut kinds = HashSet::default();
        for row in table(OPERATIONS).chain(table(ADDITIONS)) {
            assert_eq!(row.len(), 11, "{row:?}");
            let kind = ArgumentKind::from_table(row[7])
                .unwrap_or_else(|| panic!("{}: argument `{}`", row[0], row[7]));
            kinds.insert(kind);
            let end = End::from_table(row[8]);
            assert_eq!(
                end.is_some(),
                kind == ArgumentKind::Network,
                "{}: decided-on `{}` for a {kind:?} argument",
                row[0],
                row[8]
            );
            assert!(end.is_some() || row[8] == "-", "{row:?}");
            if row[9] != "-" {
                assert_eq!(kind, ArgumentKind::Name, "{}: a name filter", row[0]);
                let filter = v.filter(row[9]);
                assert!(
                    filter.is_some_and(|f| f.arg == ArgKind::Name),
                    "{}: `{}` is not a name filter of the tables",
                    row[0],
                    row[9]
                );
            }
            let source = row[10];
            assert!(
                [
                    "simbple-10.15",
                    "shared/",
                    "grammar/",
                    "tests/observed",
                    "unverified"
                ]
                .iter()
                .any(|s| source.contains(s)),
                "{}: argument-source `{source}` names no source",
                row[0]
            );
            let op = v.operation_named(row[0]).unwrap();
            assert_eq!((op.argument, op.end), (kind, end), "{}", row[0]);
        }
        assert_eq!(kinds.len(), 4, "{kinds:?}");
    }

    #[test]
    fn names_the_tables_lack_take_what_their_wildcard_takes() {
        let v = vocabulary();
        assert_eq!(v.argument_of("process-exec"), ArgumentKind::Path);
        assert_eq!(v.argument_of("sysctl-write"), ArgumentKind::Name);
        assert_eq!(v.argument_of("file-read-something-new"), ArgumentKind::Path);
        assert_eq!(v.argument_of("no-such-operation"), ArgumentKind::None);
        assert!(v.decided_on_local_end("network-bind"));
        assert!(v.decided_on_local_end("network-inbound"));
        assert!(!v.decided_on_local_end("network-outbound"));
        assert!(!v.decided_on_local_end("file-read-data"));
        assert_eq!(v.name_filter_of("mach-lookup"), Some("global-name"));
        assert_eq!(v.name_filter_of("file-read-data"), None);
    }
}
