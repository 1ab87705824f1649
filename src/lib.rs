//! sblint: a linter, formatter and explainer for Apple's Sandbox Profile Language (SBPL).
//!
//! Data flows one way: [`syntax`] (lexer, lossless tree) → [`lint`] → [`render`];
//! the CLI is the only door.

#![forbid(unsafe_code)]

pub mod cli;
pub mod compile;
pub mod config;
pub mod diagnostic;
pub mod explain;
pub mod fmt;
#[doc(hidden)]
pub mod fuzzing;
#[doc(hidden)]
pub mod generate;
pub mod lint;
pub mod lsp;
pub mod model;
pub mod render;
pub mod syntax;
