//! `sblint check` (every rule) on generated profiles and on the corpus.
//! Run: `cargo bench --bench check`. The side-by-side with TinyScheme is
//! `benches/tinyscheme/run.sh`.

mod common;

use divan::counter::BytesCount;
use divan::{black_box, Bencher};
use sblint::lint::{check_text, CheckOptions};

fn main() {
    divan::main();
}

#[divan::bench(args = [1 << 20, 10 << 20], sample_count = 10)]
fn check_generated(bencher: Bencher, size: usize) {
    let text = sblint::generate::generate_profile(size);
    let options = CheckOptions::default();
    bencher
        .counter(BytesCount::of_str(&text))
        .with_inputs(|| text.clone())
        .bench_values(|text| black_box(check_text("bench.sb", text, &options)));
}

#[divan::bench]
fn check_corpus(bencher: Bencher) {
    let options = CheckOptions::default();
    common::over_corpus(bencher, |text| {
        black_box(check_text("corpus.sb", text.to_string(), &options));
    });
}
