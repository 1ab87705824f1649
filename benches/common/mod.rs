//! What the benches share.

use divan::counter::BytesCount;
use divan::Bencher;

/// Benches `run` over every file of the shared corpus, counting its bytes.
pub fn over_corpus(bencher: Bencher, run: impl Fn(&str) + Sync) {
    let texts = sblint::generate::corpus_texts();
    let total: usize = texts.iter().map(String::len).sum();
    bencher.counter(BytesCount::new(total)).bench(|| {
        for text in &texts {
            run(text);
        }
    });
}
