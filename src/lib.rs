//! sblint: a linter, formatter and explainer for Apple's Sandbox Profile Language (SBPL).
//!
//! Data flows one way; each layer imports only the ones above it:
//!
//! - [`syntax`]: text → tokens → a lossless tree (every byte kept, errors as nodes).
//! - [`model`]: the tree, its preludes and imports evaluated into rules as libsandbox sees
//!   them, with the one precedence model; what evaluation finds wrong is a
//!   [`model::Issue`], by kind, with no lint codes.
//! - Readers of the model: [`lint`] (the rules, mapping issues to codes, producing
//!   [`diagnostic`]s), [`explain`] (which rule decides), [`compile`] (a flat profile) and
//!   [`sbtest`] (policy tests as files).
//!   [`fmt`] needs only the tree.
//! - Writers of profiles: [`new`] (a starting profile and its test file from a preset, on
//!   the model and `fmt`), [`learn`] (the narrowest rules for a log's denials, on the model,
//!   `explain` and `fmt`) and [`run`] (a command under `sandbox-exec`, its denials read
//!   back through `learn` and `sbtest`).
//! - [`render`]: diagnostics → the output formats; it knows diagnostics, not the rules'
//!   registry (SARIF's rule metadata is passed in).
//! - [`workspace`]: which files, how they are read, and each file's options from the
//!   door's overrides and `sblint.toml`; shared by both doors.
//! - The doors: [`cli`] (clap) and [`lsp`] (the language server). Nothing imports a door,
//!   not even the other door: the binary hands `sblint lsp` to [`lsp::run`] by passing it
//!   to [`cli::main`].
//!
//! `tests/layers.rs` checks this order, and that no two modules inside a layer (the files
//! and folders of `model`, of `cli` …) import each other, directly or round a loop.
//!
//! Above the readers, [`Profile`] and its companions are the library API, the calls a
//! profile generator's tests make (`src/api`); the modules named here are the layers
//! under it, hidden from the documentation: they change without notice.
//!
//! `generate` and `fuzzing` are test support, compiled only with the `testing` feature
//! (which the tests, benches and fuzz targets turn on). The doors and `run` (and walking
//! directories) need the default `native` feature; without it the library is the engine
//! alone, texts in and answers out, as the WebAssembly build (`wasm/`) uses it.

#![forbid(unsafe_code)]

mod api;

pub use api::{
    check_text, diff, format, test_text, Alternative, Change, Claim, Condition, Decision, Diff,
    Dispute, Error, Finding, Implicit, LoadError, Options, PreludeSource, Profile, RuleAt,
    SetAnswer, Side, SourceError, TestFailure, TestReport, TestResult, Traversal, UnreadImport,
    Verdict, Witness,
};
pub use diagnostic::Severity;

// The layers below are not the API: they change without notice. They stay reachable,
// hidden, for the tests, benches and fuzz targets that exercise them directly, the
// WebAssembly build (`wasm/`), and the `sblint` binary (`cli`).
#[cfg(feature = "native")]
#[doc(hidden)]
pub mod cli;
#[doc(hidden)]
pub mod compile;
#[doc(hidden)]
pub mod diagnostic;
#[doc(hidden)]
pub mod explain;
#[doc(hidden)]
pub mod fmt;
#[cfg(feature = "testing")]
#[doc(hidden)]
pub mod fuzzing;
#[cfg(feature = "testing")]
#[doc(hidden)]
pub mod generate;
#[doc(hidden)]
pub mod learn;
#[doc(hidden)]
pub mod lint;
#[cfg(feature = "native")]
#[doc(hidden)]
pub mod lsp;
#[doc(hidden)]
pub mod model;
#[doc(hidden)]
pub mod new;
#[doc(hidden)]
pub mod render;
#[cfg(feature = "native")]
#[doc(hidden)]
pub mod run;
#[doc(hidden)]
pub mod sbtest;
#[doc(hidden)]
pub mod syntax;
#[doc(hidden)]
pub mod workspace;
