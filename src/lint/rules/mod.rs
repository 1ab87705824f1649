//! One file per rule; [`RULES`] is the registry, in code order.

use super::rule::Rule;

pub mod sb001_syntax_error;
pub mod sb002_missing_version;
pub mod sb003_unsupported_version;
pub mod sb004_unknown_function;
pub mod sb005_evaluation_limit;
pub mod sb006_import_failed;
pub mod sb101_unknown_operation;
pub mod sb102_unknown_filter;
pub mod sb103_invalid_filter_argument;
pub mod sb104_invalid_regex;
pub mod sb105_invalid_network_address;
pub mod sb106_relative_path;
pub mod sb107_invalid_modifier;
pub mod sb108_filter_not_applicable;
pub mod sb109_obsolete_operation;
pub mod sb111_unexpanded_shell_variable;
pub mod sb201_unresolved_path;
pub mod sb202_missing_root_literal;
pub mod sb203_trailing_slash;
pub mod sb204_glob_pattern;
pub mod sb205_unanchored_regex;
pub mod sb206_regex_in_plain_string;
pub mod sb301_broad_network;
pub mod sb302_port_deny_list;
pub mod sb303_allow_default_base;
pub mod sb304_sysctl_write;
pub mod sb305_broad_file_write;
pub mod sb306_broad_mach_lookup;
pub mod sb307_unfiltered_process_exec;
pub mod sb308_allowed_by_default;
pub mod sb309_local_endpoint_outbound;
pub mod sb310_writable_code_path;
pub mod sb311_read_all_with_network;
pub mod sb401_shadowed_rule;
pub mod sb402_redundant_rule;
pub mod sb403_unused_define;
pub mod sb404_wildcard_overridden;
pub mod sb901_unused_suppression;

pub static RULES: &[&Rule] = &[
    &sb001_syntax_error::RULE,
    &sb002_missing_version::RULE,
    &sb003_unsupported_version::RULE,
    &sb004_unknown_function::RULE,
    &sb005_evaluation_limit::RULE,
    &sb006_import_failed::RULE,
    &sb101_unknown_operation::RULE,
    &sb102_unknown_filter::RULE,
    &sb103_invalid_filter_argument::RULE,
    &sb104_invalid_regex::RULE,
    &sb105_invalid_network_address::RULE,
    &sb106_relative_path::RULE,
    &sb107_invalid_modifier::RULE,
    &sb108_filter_not_applicable::RULE,
    &sb109_obsolete_operation::RULE,
    &sb111_unexpanded_shell_variable::RULE,
    &sb201_unresolved_path::RULE,
    &sb202_missing_root_literal::RULE,
    &sb203_trailing_slash::RULE,
    &sb204_glob_pattern::RULE,
    &sb205_unanchored_regex::RULE,
    &sb206_regex_in_plain_string::RULE,
    &sb301_broad_network::RULE,
    &sb302_port_deny_list::RULE,
    &sb303_allow_default_base::RULE,
    &sb304_sysctl_write::RULE,
    &sb305_broad_file_write::RULE,
    &sb306_broad_mach_lookup::RULE,
    &sb307_unfiltered_process_exec::RULE,
    &sb308_allowed_by_default::RULE,
    &sb309_local_endpoint_outbound::RULE,
    &sb310_writable_code_path::RULE,
    &sb311_read_all_with_network::RULE,
    &sb401_shadowed_rule::RULE,
    &sb402_redundant_rule::RULE,
    &sb403_unused_define::RULE,
    &sb404_wildcard_overridden::RULE,
    &sb901_unused_suppression::RULE,
];
