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

/// The synthetic profile (`target/release/examples/generate SIZE` writes the same one).
/// Goal (issue 22 §0): time linear in the size, 10 MiB under 1 s on one core with peak
/// memory at most 10x the input (`benches/tinyscheme/run.sh` reports the peak of the
/// binary). SB313's secrets and SB402's witnesses once made it superlinear.
#[divan::bench(args = [1 << 20, 4 << 20, 10 << 20], sample_count = 10)]
fn check_generated(bencher: Bencher, size: usize) {
    let text = sblint::generate::generate_profile(size);
    let options = CheckOptions::default();
    bencher
        .counter(BytesCount::of_str(&text))
        .with_inputs(|| text.clone())
        .bench_values(|text| black_box(check_text("bench.sb", text, &options)));
}

/// The shape Nix and Bazel emit: N `subpath` rules with M duplicates (issue 22 §0: the exact
/// SB401/SB402 checks once grew with candidates × rules; the goal for 4,000 + 400 is under
/// 200 ms). `target/release/examples/generate rules N M` writes the same profile.
#[divan::bench(args = [(1_000, 100), (2_000, 200), (4_000, 400), (8_000, 800)], sample_count = 5)]
fn check_generated_rules(bencher: Bencher, (rules, duplicates): (usize, usize)) {
    let text = sblint::generate::generate_rules(rules, duplicates);
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
