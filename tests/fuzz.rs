//! Every input a fuzz target ever failed on (`tests/fuzz/TARGET/`), replayed through the
//! same property the target checks (`sblint::fuzzing`). See `fuzz/run.sh`.

use std::path::Path;

#[test]
fn fuzz_regressions_stay_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    let mut replayed = 0;
    for (target, property) in sblint::fuzzing::TARGETS {
        let dir = root.join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).unwrap();
            let outcome = std::panic::catch_unwind(|| property(&data));
            assert!(outcome.is_ok(), "{target}: {} fails again", file.display());
            replayed += 1;
        }
    }
    // Every target directory that exists holds at least one input.
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            sblint::fuzzing::TARGETS.iter().any(|(t, _)| *t == name),
            "tests/fuzz/{name} is not a fuzz target"
        );
    }
    // Replaying nothing would pass whatever broke: the inputs must be where this looks.
    assert!(
        replayed > 0,
        "no fuzz inputs found under {}",
        root.display()
    );
}

/// The properties hold on the seeds the fuzzers start from: the test fixtures.
#[test]
fn fuzz_properties_hold_on_the_fixtures() {
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")];
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "sb") {
                let data = std::fs::read(&path).unwrap();
                for (target, property) in sblint::fuzzing::TARGETS {
                    let outcome = std::panic::catch_unwind(|| property(&data));
                    assert!(outcome.is_ok(), "{target} fails on {}", path.display());
                }
                seen += 1;
            }
        }
    }
    assert!(seen > 50, "only {seen} fixtures found");
}

/// Without cargo-fuzz at hand (or to try a property quickly): mutates the target's seeds
/// (`tests/fuzz/TARGET/` and the `.sb` fixtures) at random for a while and runs the
/// property on each input; every failing input is written to `target/fuzz-failures/`.
/// Not coverage-guided: a smoke run, not a substitute for `fuzz/run.sh`.
///
///     SBLINT_FUZZ_TARGET=diff SBLINT_FUZZ_SECONDS=600 \
///         cargo test --features testing --test fuzz -- --ignored --nocapture
#[test]
#[ignore]
fn mutate_for_a_while() {
    let target = std::env::var("SBLINT_FUZZ_TARGET").expect("SBLINT_FUZZ_TARGET");
    let seconds: u64 = std::env::var("SBLINT_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let (_, property) = sblint::fuzzing::TARGETS
        .iter()
        .find(|(t, _)| *t == target)
        .expect("a fuzz target");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    let mut stack = vec![root.join("tests")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "sb")
                || path.starts_with(root.join("tests/fuzz").join(&target))
                || (target == "sbtest" && path.to_string_lossy().ends_with(".sbtest.toml"))
                || (target == "learn" && path.extension().is_some_and(|e| e == "log"))
            {
                seeds.push(std::fs::read(&path).unwrap());
            }
        }
    }
    seeds.retain(|s| s.len() <= 16 * 1024);
    let out = root.join("target/fuzz-failures").join(&target);
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let start = std::time::Instant::now();
    let (mut runs, mut failures) = (0u64, 0u64);
    let quiet = std::env::var_os("SBLINT_FUZZ_VERBOSE").is_none();
    if quiet {
        std::panic::set_hook(Box::new(|_| {}));
    }
    while start.elapsed().as_secs() < seconds {
        let mut input = seeds[next() as usize % seeds.len()].clone();
        for _ in 0..1 + next() % 8 {
            let at = if input.is_empty() {
                0
            } else {
                next() as usize % input.len()
            };
            match next() % 6 {
                0 if !input.is_empty() => input[at] ^= 1 << (next() % 8),
                1 => input.insert(at, next() as u8),
                2 if !input.is_empty() => {
                    let end = (at + 1 + next() as usize % 16).min(input.len());
                    input.drain(at..end);
                }
                3 => {
                    let other = &seeds[next() as usize % seeds.len()];
                    if !other.is_empty() {
                        let from = next() as usize % other.len();
                        let end = (from + 1 + next() as usize % 64).min(other.len());
                        let piece = other[from..end].to_vec();
                        input.splice(at..at, piece);
                    }
                }
                4 => {
                    let special = b"()\"*:/\n\0;#[]";
                    input.insert(at, special[next() as usize % special.len()]);
                }
                _ => {
                    if let Some(&b) = input.get(at) {
                        input.insert(at, b);
                    }
                }
            }
        }
        runs += 1;
        if std::panic::catch_unwind(|| property(&input)).is_err() {
            failures += 1;
            std::fs::create_dir_all(&out).unwrap();
            std::fs::write(out.join(format!("failure-{failures}")), &input).unwrap();
        }
    }
    let _ = std::panic::take_hook();
    println!(
        "{target}: {runs} inputs in {}s from {} seeds, {failures} failing (kept in {})",
        start.elapsed().as_secs(),
        seeds.len(),
        out.display()
    );
}
