//! The documentation site (`docs/`, an mdBook): one page per rule generated from the
//! registry, the rules' index and the book's table of contents likewise, every fix's
//! safety said on its rule's page, and every link inside the book and the README resolves.
//!
//! `SBLINT_BLESS=1 cargo test --test docs` writes the generated parts; without it the test
//! fails on the first one that differs, naming it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sblint::lint::RuleId;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn bless() -> bool {
    std::env::var_os("SBLINT_BLESS").is_some_and(|v| v == "1")
}

/// Compares `path` with `expected`, or writes it when blessing. Returns what differs.
fn generated(path: &Path, expected: &str) -> Option<String> {
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    if actual == expected {
        return None;
    }
    if bless() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, expected).unwrap();
        return None;
    }
    Some(format!(
        "{} differs from what the registry generates (SBLINT_BLESS=1 cargo test --test docs writes it)",
        path.strip_prefix(root()).unwrap_or(path).display()
    ))
}

/// `text` with the lines between `<!-- generated: NAME …-->` and `<!-- end generated -->`
/// replaced by `body`.
fn with_region(text: &str, name: &str, body: &str) -> String {
    let start = format!("<!-- generated: {name}");
    let begin = text
        .find(&start)
        .unwrap_or_else(|| panic!("no `{start}` marker"));
    let open_end = begin + text[begin..].find('\n').unwrap() + 1;
    let close = open_end
        + text[open_end..]
            .find("<!-- end generated -->")
            .expect("no end marker");
    format!("{}{}{}", &text[..open_end], body, &text[close..])
}

#[test]
fn each_rule_has_its_page_and_the_index_and_contents_list_them() {
    let rules = root().join("docs/src/rules");
    let mut problems = Vec::new();
    let mut pages = BTreeSet::new();
    for id in RuleId::ALL {
        let code = id.code();
        pages.insert(format!("{code}.md"));
        problems.extend(generated(&rules.join(format!("{code}.md")), &id.page()));
    }
    // A page whose rule is gone is stale.
    for entry in std::fs::read_dir(&rules).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name != "index.md" && !pages.contains(&name) {
            problems.push(format!("docs/src/rules/{name} has no rule"));
        }
    }
    let table: String = RuleId::ALL
        .iter()
        .map(|id| {
            let m = id.meta();
            format!(
                "| [{}]({}.md) | {} | {} | {} |\n",
                m.code,
                m.code,
                m.name,
                m.severity.as_str(),
                m.summary
            )
        })
        .collect();
    let index = rules.join("index.md");
    let text = std::fs::read_to_string(&index).unwrap();
    let body = format!("| code | name | severity | what it reports |\n|---|---|---|---|\n{table}");
    problems.extend(generated(&index, &with_region(&text, "rules", &body)));
    let summary = root().join("docs/src/SUMMARY.md");
    let text = std::fs::read_to_string(&summary).unwrap();
    let body: String = RuleId::ALL
        .iter()
        .map(|id| {
            format!(
                "  - [{} {}](rules/{}.md)\n",
                id.code(),
                id.name(),
                id.code()
            )
        })
        .collect();
    problems.extend(generated(&summary, &with_region(&text, "rules", &body)));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A rule whose code offers a fix says so on its page, with the fix's safety.
#[test]
fn every_fix_and_its_safety_is_on_its_rules_page() {
    for id in RuleId::ALL {
        let source = root().join(format!("src/lint/rules/{}.rs", id.module()));
        let code = std::fs::read_to_string(&source).unwrap();
        let offers = ["Applicability::Safe", "Applicability::Unsafe"]
            .iter()
            .any(|a| code.contains(a));
        if !offers {
            continue;
        }
        let page = id.page();
        let fix = page
            .split("\n## Fix\n")
            .nth(1)
            .unwrap_or_else(|| panic!("{}: a fix but no `## Fix` section", id.code()));
        assert!(
            fix.contains("safe") || fix.contains("unsafe"),
            "{}: the `## Fix` section does not say whether the fix is safe",
            id.code()
        );
    }
}

/// Every relative link in the book and the README names a file that exists (the book's
/// pages link to each other; a link out of the book goes to the repository by URL).
#[test]
fn internal_links_resolve() {
    let mut files = vec![root().join("README.md")];
    let mut stack = vec![root().join("docs/src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let mut in_fence = false;
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("```") {
                in_fence = !in_fence;
            }
            if in_fence {
                continue;
            }
            for target in links(line) {
                if target.contains("://")
                    || target.starts_with("mailto:")
                    || target.starts_with('#')
                {
                    continue;
                }
                let path = target.split('#').next().unwrap();
                checked += 1;
                let resolved = file.parent().unwrap().join(path);
                // Inside the book only its own sources exist once it is built.
                let in_book = file.starts_with(root().join("docs/src"));
                let ok = resolved.exists()
                    && (!in_book || resolved.starts_with(root().join("docs/src")));
                if !ok {
                    broken.push(format!(
                        "{}:{}: `{target}`",
                        file.strip_prefix(root()).unwrap().display(),
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(
        checked > 50,
        "only {checked} links found: is the book where this looks?"
    );
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// The targets of the Markdown links `[text](target)` on one line.
fn links(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("](") {
        let after = &rest[i + 2..];
        match after.find(')') {
            Some(end) => {
                let target = after[..end].trim();
                if !target.is_empty() && !target.contains(' ') {
                    out.push(target);
                }
                rest = &after[end..];
            }
            None => break,
        }
    }
    out
}

#[test]
fn the_book_is_listed_whole_in_its_contents() {
    let summary = std::fs::read_to_string(root().join("docs/src/SUMMARY.md")).unwrap();
    let listed: BTreeSet<&str> = links_of(&summary);
    for entry in std::fs::read_dir(root().join("docs/src")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") && name != "SUMMARY.md" {
            assert!(
                listed.contains(name.as_str()),
                "SUMMARY.md does not list {name}"
            );
        }
    }
}

fn links_of(text: &str) -> BTreeSet<&str> {
    text.lines().flat_map(links).collect()
}
