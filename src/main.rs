// Parsing and evaluation make many small allocations; mimalloc is markedly faster at that
// than the system allocator (measured: `benches/tinyscheme/run.sh`, docs/src/performance.md). Version 2,
// without transparent huge pages: on a 10 MiB profile that peaks at about 100 MiB, where
// version 3 took 105 MiB and huge pages 125 MiB, for the same time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // The two doors meet only here: `sblint lsp` hands over to the language server.
    let status = sblint::cli::main(sblint::lsp::run);
    std::process::exit(status as i32);
}
