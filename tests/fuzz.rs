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
