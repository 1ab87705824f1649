//! One file per rule; [`RULES`] is the registry, in code order, and [`RuleId`] names each
//! rule as a type (a rule's code and name are written once, in its file).

use super::rule::Rule;

/// Where the code is published (Cargo.toml's `repository`).
const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// Where the documentation site (the book in `docs/`) is published: each rule has a page
/// there, `rules/CODE.html`, generated from its `DOC` (`tests/docs.rs`).
pub const DOCS_URL: &str = "https://sblint.github.io/sblint";

mod needs;
use crate::diagnostic::Diagnostic;

/// Declares the rule modules, the registry and the identity enum from one list, so the
/// three cannot disagree.
macro_rules! registry {
    ($($id:ident => $module:ident,)*) => {
        $(pub mod $module;)*

        /// The registry, in code order.
        pub static RULES: &[&Rule] = &[$(&$module::RULE),*];

        /// A rule, by identity: compare and match on this instead of code strings.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RuleId {
            $($id,)*
        }

        impl RuleId {
            /// Every rule, in code order (as [`RULES`]).
            pub const ALL: &'static [RuleId] = &[$(RuleId::$id),*];

            pub fn rule(self) -> &'static Rule {
                match self {
                    $(RuleId::$id => &$module::RULE,)*
                }
            }

            /// The file that holds the rule, as `sb001_syntax_error`.
            pub fn module(self) -> &'static str {
                match self {
                    $(RuleId::$id => stringify!($module),)*
                }
            }
        }
    };
}

registry! {
    SyntaxError => sb001_syntax_error,
    MissingVersion => sb002_missing_version,
    UnsupportedVersion => sb003_unsupported_version,
    UnknownFunction => sb004_unknown_function,
    EvaluationLimit => sb005_evaluation_limit,
    ImportFailed => sb006_import_failed,
    UnknownOperation => sb101_unknown_operation,
    UnknownFilter => sb102_unknown_filter,
    InvalidFilterArgument => sb103_invalid_filter_argument,
    InvalidRegex => sb104_invalid_regex,
    InvalidNetworkAddress => sb105_invalid_network_address,
    RelativePath => sb106_relative_path,
    InvalidModifier => sb107_invalid_modifier,
    FilterNotApplicable => sb108_filter_not_applicable,
    ObsoleteOperation => sb109_obsolete_operation,
    UnexpandedShellVariable => sb111_unexpanded_shell_variable,
    RegexDialect => sb112_regex_dialect,
    UnresolvedPath => sb201_unresolved_path,
    MissingRootLiteral => sb202_missing_root_literal,
    TrailingSlash => sb203_trailing_slash,
    GlobPattern => sb204_glob_pattern,
    UnanchoredRegex => sb205_unanchored_regex,
    RegexInPlainString => sb206_regex_in_plain_string,
    UnescapedDot => sb207_unescaped_dot,
    PrefixRegexBoundary => sb208_prefix_regex_boundary,
    OneByteClass => sb209_one_byte_class,
    SymlinkTraversalDenied => sb210_symlink_traversal_denied,
    SplitRegex => sb211_split_regex,
    OredAttributeFilter => sb212_ored_attribute_filter,
    BroadNetwork => sb301_broad_network,
    PortDenyList => sb302_port_deny_list,
    AllowDefaultBase => sb303_allow_default_base,
    SysctlWrite => sb304_sysctl_write,
    BroadFileWrite => sb305_broad_file_write,
    BroadMachLookup => sb306_broad_mach_lookup,
    UnfilteredProcessExec => sb307_unfiltered_process_exec,
    AllowedByDefault => sb308_allowed_by_default,
    LocalEndpointOutbound => sb309_local_endpoint_outbound,
    WritableCodePath => sb310_writable_code_path,
    ReadAllWithNetwork => sb311_read_all_with_network,
    SocketReachableByNetwork => sb312_socket_reachable_by_network,
    ShadowedRule => sb401_shadowed_rule,
    RedundantRule => sb402_redundant_rule,
    UnusedDefine => sb403_unused_define,
    WildcardOverridden => sb404_wildcard_overridden,
    DenyReopened => sb405_deny_reopened,
    NeedsDyldCache => sb501_needs_dyld_cache,
    NeedsTrustd => sb502_needs_trustd,
    NeedsRootDomainIokit => sb503_needs_root_domain_iokit,
    NeedsTty => sb504_needs_tty,
    NeedsRuntimeSysctl => sb505_needs_runtime_sysctl,
    NeedsDnsConfiguration => sb506_needs_dns_configuration,
    NeedsProcessFork => sb507_needs_process_fork,
    UnusedSuppression => sb901_unused_suppression,
}

impl RuleId {
    pub fn meta(self) -> &'static super::RuleMeta {
        &self.rule().meta
    }

    /// The stable code shown in every output (`SB001`).
    pub fn code(self) -> &'static str {
        self.meta().code
    }

    /// The stable name shown beside the code (`syntax-error`).
    pub fn name(self) -> &'static str {
        self.meta().name
    }

    /// The rule with this code (any case) or name.
    pub fn from_code(code: &str) -> Option<RuleId> {
        RuleId::ALL
            .iter()
            .copied()
            .find(|id| id.code().eq_ignore_ascii_case(code) || id.name() == code)
    }

    /// What a selector names, as the code prefix [`crate::lint::Selection`] matches: `ALL`,
    /// a code or a prefix of codes (`SB2`, any case), or a rule's name
    /// (`unresolved-path` is `SB201`). `Err` carries the closest code or name, if any.
    pub fn resolve_selector(selector: &str) -> Result<String, Option<&'static str>> {
        let trimmed = selector.trim();
        if trimmed.eq_ignore_ascii_case("ALL") {
            return Ok("ALL".into());
        }
        if let Some(id) = RuleId::from_code(trimmed) {
            return Ok(id.code().into());
        }
        let upper = trimmed.to_ascii_uppercase();
        if upper.len() >= 2
            && upper.starts_with("SB")
            && RuleId::ALL.iter().any(|id| id.code().starts_with(&upper))
        {
            return Ok(upper);
        }
        Err(RuleId::suggest(trimmed))
    }

    /// The code or name closest to `text`, when one is close enough to be a typo.
    pub fn suggest(text: &str) -> Option<&'static str> {
        let candidates = RuleId::ALL.iter().flat_map(|id| [id.code(), id.name()]);
        crate::model::suggest::closest(text, candidates)
    }

    /// "`SB2O1` is not a rule code or name (did you mean `SB201`?)": the one wording of an
    /// unknown selector, for the flags, `sblint.toml` and suppression comments.
    pub fn unknown_selector_message(selector: &str, suggestion: Option<&str>) -> String {
        match suggestion {
            Some(s) => format!("`{selector}` is not a rule code or name: did you mean `{s}`?"),
            None => format!("`{selector}` is not a rule code or name (`sblint rule` lists them)"),
        }
    }

    /// The rule's page on the documentation site: a stable URL for SARIF's `helpUri`, the
    /// language server's hover and `sblint rule`.
    pub fn help_uri(self) -> String {
        format!("{DOCS_URL}/rules/{}.html", self.code())
    }

    /// The file that holds the rule, whose `DOC` is what `sblint rule` prints.
    pub fn source_uri(self) -> String {
        format!("{REPOSITORY}/blob/main/src/lint/rules/{}.rs", self.module())
    }

    /// The rule's page in the book (`docs/src/rules/CODE.md`): the documentation `sblint
    /// rule` prints, under the code, name and severity, with a link to its source.
    pub fn page(self) -> String {
        let m = self.meta();
        format!(
            "# {} {}\n\n*{}*: {}. [Source]({})\n\n{}\n",
            m.code,
            m.name,
            m.severity.as_str(),
            m.summary,
            self.source_uri(),
            self.printed_doc().trim_end()
        )
    }

    /// The documentation as printed (`sblint rule`, SARIF): the examples' fences without
    /// the `expect_diagnostic` tag the doc tests read.
    pub fn printed_doc(self) -> String {
        self.meta()
            .doc
            .replace("```sbpl expect_diagnostic", "```sbpl")
    }

    /// True when this rule reported `diagnostic`.
    pub fn is(self, diagnostic: &Diagnostic) -> bool {
        diagnostic.code == self.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_identity_names_its_own_file_and_the_registry_entry_at_its_place() {
        assert_eq!(RuleId::ALL.len(), RULES.len());
        for (i, id) in RuleId::ALL.iter().enumerate() {
            let meta = id.meta();
            let file = format!(
                "{}_{}",
                meta.code.to_ascii_lowercase(),
                meta.name.replace('-', "_")
            );
            assert_eq!(id.module(), file, "{id:?}");
            assert!(std::ptr::eq(RULES[i], id.rule()), "{id:?}");
            assert_eq!(RuleId::from_code(meta.code), Some(*id));
            assert_eq!(
                RuleId::from_code(&meta.code.to_ascii_lowercase()),
                Some(*id)
            );
            assert_eq!(RuleId::from_code(meta.name), Some(*id));
            // The source URL names the file that holds the rule, and that file exists; the
            // help URL is the rule's page on the site.
            assert!(id
                .help_uri()
                .ends_with(&format!("/rules/{}.html", meta.code)));
            let uri = id.source_uri();
            let file = uri.rsplit_once("/blob/main/").unwrap().1;
            assert!(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join(file)
                    .is_file(),
                "{uri}"
            );
            assert!(!id.printed_doc().contains("expect_diagnostic"), "{id:?}");
        }
        assert_eq!(RuleId::from_code("SB000"), None);
    }

    #[test]
    fn selectors_are_all_codes_prefixes_or_names_and_typos_get_a_suggestion() {
        assert_eq!(RuleId::resolve_selector("all"), Ok("ALL".into()));
        assert_eq!(RuleId::resolve_selector("sb201"), Ok("SB201".into()));
        assert_eq!(
            RuleId::resolve_selector("unresolved-path"),
            Ok("SB201".into())
        );
        assert_eq!(RuleId::resolve_selector("SB2"), Ok("SB2".into()));
        assert_eq!(RuleId::resolve_selector("SB"), Ok("SB".into()));
        assert_eq!(RuleId::resolve_selector("SB2O1"), Err(Some("SB201")));
        assert_eq!(RuleId::resolve_selector("SB8"), Err(None));
        assert_eq!(
            RuleId::resolve_selector("unresolved-paths"),
            Err(Some("unresolved-path"))
        );
        assert_eq!(RuleId::resolve_selector("E501"), Err(None));
    }
}
