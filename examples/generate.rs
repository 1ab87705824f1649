//! `generate SIZE`: the synthetic profile of at least SIZE bytes;
//! `generate rules N M`: N `subpath` rules with M duplicates (the Nix/Bazel shape).
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize| -> usize { args[i].parse().unwrap() };
    if args.first().map(String::as_str) == Some("rules") {
        print!("{}", sblint::generate::generate_rules(num(1), num(2)));
    } else {
        print!("{}", sblint::generate::generate_profile(num(0)));
    }
}
