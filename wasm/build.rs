// The engine's recursion (parser, evaluator) is bounded for an 8 MiB native stack; give
// WebAssembly the same instead of its 1 MiB default, so depth limits hold before the stack
// ends. (`--stack-first` is rustc's default here: an overflow traps, never corrupts.)
fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg=-zstack-size=8388608");
    }
}
