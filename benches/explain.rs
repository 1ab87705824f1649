//! `sblint explain` and `sblint compile` as the CLI runs them: parse, evaluate, then
//! decide one operation (explain) or flatten and format the whole profile (compile); and
//! `sblint learn` over a long denial log.
//! Run: `cargo bench --bench explain`.

mod common;

use std::collections::HashMap;
use std::path::Path;

use divan::counter::BytesCount;
use divan::{black_box, Bencher};
use sblint::compile::compile;
use sblint::explain::explain;
use sblint::fmt::{format_text, FormatOptions};
use sblint::model::sources::SourceMap;
use sblint::model::{Model, ModelOptions};
use sblint::syntax::parse;

fn main() {
    divan::main();
}

/// The generated profiles read `HOME`: give it, so that compile has every value.
fn options() -> ModelOptions {
    ModelOptions {
        params: HashMap::from([("HOME".to_string(), "/Users/bench".to_string())]),
        ..Default::default()
    }
}

fn explain_one(text: &str, options: &ModelOptions) -> bool {
    let tree = parse(text);
    let model = Model::new(&tree, &[], options);
    let e = explain(
        &model,
        "file-read-data",
        Some("/usr/share/gen8/x"),
        Path::new("/"),
    );
    e.is_ok()
}

fn compile_one(text: &str, options: &ModelOptions) -> Option<String> {
    let tree = parse(text);
    let model = Model::new(&tree, &[], options);
    let sources = SourceMap::new(("bench.sb", &tree), &[], &model);
    let flat = compile(&model, &sources).ok()?;
    format_text(&flat, &FormatOptions::default()).ok()
}

#[divan::bench(args = [1 << 20, 10 << 20], sample_count = 10)]
fn explain_generated(bencher: Bencher, size: usize) {
    let text = sblint::generate::generate_profile(size);
    let options = options();
    bencher
        .counter(BytesCount::of_str(&text))
        .bench(|| black_box(explain_one(&text, &options)));
}

#[divan::bench(args = [1 << 20, 10 << 20], sample_count = 10)]
fn compile_generated(bencher: Bencher, size: usize) {
    let text = sblint::generate::generate_profile(size);
    let options = options();
    assert!(compile_one(&text, &options).is_some());
    bencher
        .counter(BytesCount::of_str(&text))
        .bench(|| black_box(compile_one(&text, &options)));
}

#[divan::bench]
fn explain_corpus(bencher: Bencher) {
    let options = ModelOptions::default();
    common::over_corpus(bencher, |text| {
        black_box(explain_one(text, &options));
    });
}

/// Profiles that need params or imports the corpus lacks are refused quickly: that is
/// part of what `compile` does on them.
#[divan::bench]
fn compile_corpus(bencher: Bencher) {
    let options = ModelOptions::default();
    common::over_corpus(bencher, |text| {
        black_box(compile_one(text, &options));
    });
}

/// `sblint learn` over a denial log of N lines (9 processes, 7 directories): it must stay
/// linear in the log (the unit test that once timed 20,000 lines is here instead).
#[divan::bench(args = [20_000, 200_000], sample_count = 5)]
fn learn_log(bencher: Bencher, lines: usize) {
    let log: String = (0..lines)
        .map(|i| {
            format!(
                "Sandbox: p{}({i}) deny(1) file-read-data /Users/me/d{}/f{i}\n",
                i % 9,
                i % 7
            )
        })
        .collect();
    let options = sblint::learn::Options::default();
    bencher
        .counter(BytesCount::of_str(&log))
        .bench(|| black_box(sblint::learn::learn(&log, None, &options).findings.len()));
}
