//! Parsing speed. Goal (issue #2): 200 MB/s or more on one core, linear in size.
//! Run: `cargo bench --bench parse`.

mod common;

use divan::counter::BytesCount;
use divan::{black_box, Bencher};

fn main() {
    divan::main();
}

#[divan::bench(args = [1 << 20, 10 << 20])]
fn parse_generated(bencher: Bencher, size: usize) {
    let text = sblint::generate::generate_profile(size);
    bencher
        .counter(BytesCount::of_str(&text))
        .with_inputs(|| text.clone())
        .bench_values(|text| black_box(sblint::syntax::parse(text)));
}

#[divan::bench(args = [1 << 20, 10 << 20])]
fn lex_generated(bencher: Bencher, size: usize) {
    let text = sblint::generate::generate_profile(size);
    bencher
        .counter(BytesCount::of_str(&text))
        .bench(|| black_box(sblint::syntax::lexer::lex(black_box(&text))));
}

#[divan::bench]
fn parse_corpus(bencher: Bencher) {
    common::over_corpus(bencher, |text| {
        black_box(sblint::syntax::parse(text));
    });
}
