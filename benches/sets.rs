//! Decision sets: `sblint diff` of the two largest corpus profiles (with their preludes),
//! 100 `never` assertions against the largest, the automata sizes, and the peak memory.
//! Run: `cargo bench --bench sets`. Goals (issue #13): each diff under 20 ms, the 100
//! assertions under 100 ms, peak memory under 50 MiB.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use divan::{black_box, Bencher};
use sblint::model::sets::{self, Budget, Entry};
use sblint::model::{vocabulary, Model, ModelOptions, OpId, Rule};
use sblint::syntax::parse;

/// The system allocator, counting the bytes in use and their peak.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// The peak over the whole run (never reset).
static EVER: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
            EVER.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

struct Profile {
    name: String,
    size: usize,
    rules: Vec<Rule>,
}

/// Every corpus profile and fragment that parses, with its prelude, largest first.
fn profiles() -> Vec<Profile> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let Ok(index) = std::fs::read_to_string(dir.join("SOURCES.tsv")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for line in index.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() < 3 || !matches!(fields[1], "profile" | "fragment") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(dir.join(fields[0])) else {
            continue;
        };
        let prelude = (!fields[2].is_empty())
            .then(|| std::fs::read_to_string(dir.join(fields[2])).ok())
            .flatten();
        let size = text.len() + prelude.as_ref().map_or(0, String::len);
        let tree = parse(text);
        if !tree.errors().is_empty() {
            continue;
        }
        let prelude = prelude.map(parse);
        let preludes: Vec<_> = prelude.iter().collect();
        let options = ModelOptions {
            base_dir: dir.join(fields[0]).parent().map(Path::to_path_buf),
            ..ModelOptions::default()
        };
        let model = Model::new(&tree, &preludes, &options);
        out.push(Profile {
            name: fields[0].to_string(),
            size,
            rules: model.rules,
        });
    }
    out.sort_by_key(|p| std::cmp::Reverse(p.size));
    out
}

fn all_leaves() -> Vec<OpId> {
    sets::leaves(vocabulary().default)
}

/// 100 set assertions about the profile: for each of its path and name rules' texts,
/// "nothing outside it is allowed" (`never … except`) and "everything inside it is
/// allowed" (`always … within`) on the rule's operation, and a few over everything.
fn assertions(profile: &Profile) -> Vec<(bool, OpId, Vec<Entry>)> {
    let mut out = Vec::new();
    let vocab = vocabulary();
    'rules: for rule in &profile.rules {
        let Some(filter) = &rule.filter else { continue };
        for leaf in filter.leaves() {
            let text = match &leaf.value {
                sblint::model::FilterValue::Path(sblint::model::PathPattern::Subpath(p)) => {
                    format!("{p}/**")
                }
                sblint::model::FilterValue::Path(sblint::model::PathPattern::Literal(p)) => {
                    p.to_string()
                }
                sblint::model::FilterValue::Name(sblint::model::NamePattern::Exact(n)) => {
                    n.to_string()
                }
                _ => continue,
            };
            let op = rule.operations[0].id;
            if let Ok(entry) = sets::parse_entry(op, &text) {
                out.push((false, op, vec![entry.clone()]));
                out.push((true, op, vec![entry]));
                if out.len() >= 95 {
                    break 'rules;
                }
            }
        }
    }
    for name in [
        "file-write*",
        "file-read*",
        "mach-lookup",
        "network-outbound",
        "sysctl-read",
    ] {
        out.push((false, vocab.op_id(name).unwrap(), Vec::new()));
    }
    out.truncate(100);
    out
}

fn main() {
    let profiles = profiles();
    if profiles.len() >= 2 {
        let budget = Budget::default();
        let (a, b) = (&profiles[0], &profiles[1]);
        eprintln!(
            "largest: {} ({} bytes, {} rules), {} ({} bytes, {} rules)",
            a.name,
            a.size,
            a.rules.len(),
            b.name,
            b.size,
            b.rules.len()
        );
        // Automata sizes, per leaf operation with rules of its own or its parents.
        let mut total = (0, 0, 0);
        let mut largest = (0, 0, 0, String::new());
        for op in all_leaves() {
            let sets::Sizes {
                components: comps,
                states,
                dfa_states: dfa,
            } = sets::sizes(&a.rules, op, &budget);
            total = (total.0 + comps, total.1 + states, total.2 + dfa);
            if states > largest.1 {
                largest = (comps, states, dfa, vocabulary().operation(op).name.clone());
            }
        }
        eprintln!(
            "automata of {} over every leaf operation: {} components, {} product states, {} regex DFA states; largest: {} ({} components, {} product states, {} DFA states)",
            a.name, total.0, total.1, total.2, largest.3, largest.0, largest.1, largest.2
        );
        let before = CURRENT.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        let changes = sets::diff_leaves(&a.rules, &b.rules, &all_leaves(), &budget);
        let diff_peak = PEAK.load(Ordering::Relaxed) - before;
        eprintln!(
            "diff: {} changes; peak {:.1} MiB above the loaded models",
            changes.as_ref().map_or(0, Vec::len),
            diff_peak as f64 / (1 << 20) as f64
        );
        let before = CURRENT.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        let list = assertions(a);
        let failing = list
            .iter()
            .filter(|a| matches!(ask(&profiles[0], a, &budget), sets::Answer::Fails(_)))
            .count();
        eprintln!(
            "{} set assertions (never/always): {failing} fail (with a witness); peak {:.1} MiB",
            list.len(),
            (PEAK.load(Ordering::Relaxed) - before) as f64 / (1 << 20) as f64
        );
        // Every corpus profile against itself: the slowest, and the most product states.
        let mut slowest = (std::time::Duration::ZERO, String::new());
        for p in &profiles {
            let start = std::time::Instant::now();
            let result = sets::diff_leaves(&p.rules, &p.rules, &all_leaves(), &budget);
            let took = start.elapsed();
            assert!(result.is_ok_and(|c| c.is_empty()), "{}", p.name);
            if took > slowest.0 {
                slowest = (took, p.name.clone());
            }
        }
        eprintln!(
            "diff of each of the {} corpus profiles with itself: slowest {} ({:.1} ms)",
            profiles.len(),
            slowest.1,
            slowest.0.as_secs_f64() * 1000.0
        );
        if let Some(p) = profiles.iter().find(|p| p.name == slowest.1) {
            let mut keys = std::collections::HashSet::new();
            for op in all_leaves() {
                let sets::Sizes {
                    components: comps,
                    states,
                    dfa_states: dfa,
                } = sets::sizes(&p.rules, op, &budget);
                if states > 1 && keys.insert((comps, states, dfa)) {
                    eprintln!(
                        "  {}: {comps} components, {states} product states, {dfa} DFA states",
                        vocabulary().operation(op).name
                    );
                }
            }
        }
        eprintln!(
            "heap peak of the whole run so far (every corpus model loaded, the diff, the assertions): {:.1} MiB",
            EVER.load(Ordering::Relaxed) as f64 / (1 << 20) as f64
        );
    }
    divan::main();
}

#[divan::bench(sample_count = 20)]
fn diff_two_largest(bencher: Bencher) {
    let profiles = profiles();
    let leaves = all_leaves();
    let budget = Budget::default();
    bencher.bench(|| {
        black_box(sets::diff_leaves(
            &profiles[0].rules,
            &profiles[1].rules,
            &leaves,
            &budget,
        ))
    });
}

#[divan::bench(sample_count = 20)]
fn diff_largest_with_itself(bencher: Bencher) {
    let profiles = profiles();
    let leaves = all_leaves();
    let budget = Budget::default();
    bencher.bench(|| {
        black_box(sets::diff_leaves(
            &profiles[0].rules,
            &profiles[0].rules,
            &leaves,
            &budget,
        ))
    });
}

fn ask(
    profile: &Profile,
    (always, op, entries): &(bool, OpId, Vec<Entry>),
    budget: &Budget,
) -> sets::Answer {
    if *always {
        sets::always(&profile.rules, *op, entries, budget)
    } else {
        sets::never(&profile.rules, *op, None, entries, budget)
    }
}

#[divan::bench(sample_count = 20)]
fn set_assertions_100(bencher: Bencher) {
    let profiles = profiles();
    let list = assertions(&profiles[0]);
    let budget = Budget::default();
    bencher.bench(|| {
        for a in &list {
            black_box(ask(&profiles[0], a, &budget));
        }
    });
}
