//! One file per rule; [`RULES`] is the registry, in code order.

use super::rule::Rule;

pub mod sb001_syntax_error;
pub mod sb002_missing_version;
pub mod sb003_unsupported_version;

pub static RULES: &[&Rule] = &[
    &sb001_syntax_error::RULE,
    &sb002_missing_version::RULE,
    &sb003_unsupported_version::RULE,
];
