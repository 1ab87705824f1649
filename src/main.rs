// Parsing and evaluation make many small allocations; mimalloc is markedly faster at that
// than the system allocator (measured: `benches/tinyscheme/run.sh`, README).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let status = sblint::cli::main();
    std::process::exit(status as i32);
}
