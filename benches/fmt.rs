//! Formatter speed on generated profiles (issue #4 asks for the 10 MB figure).
//! Run: `cargo bench --bench fmt`.

mod common;

use divan::counter::BytesCount;
use divan::{black_box, Bencher};
use sblint::fmt::{format_tree, FormatOptions};

fn main() {
    divan::main();
}

#[divan::bench(args = [1 << 20, 10 << 20])]
fn format_generated(bencher: Bencher, size: usize) {
    let text = sblint::generate::generate_profile(size);
    let tree = sblint::syntax::parse(text.as_str());
    let options = FormatOptions::default();
    bencher
        .counter(BytesCount::of_str(&text))
        .bench(|| black_box(format_tree(&tree, &options)));
}

#[divan::bench(args = [1 << 20, 10 << 20])]
fn parse_and_format_generated(bencher: Bencher, size: usize) {
    let text = sblint::generate::generate_profile(size);
    let options = FormatOptions::default();
    bencher
        .counter(BytesCount::of_str(&text))
        .bench(|| black_box(sblint::fmt::format_text(&text, &options)));
}

#[divan::bench]
fn format_corpus(bencher: Bencher) {
    let options = FormatOptions::default();
    common::over_corpus(bencher, |text| {
        let _ = black_box(sblint::fmt::format_text(text, &options));
    });
}
