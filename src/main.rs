fn main() {
    let status = sblint::cli::main();
    std::process::exit(status as i32);
}
