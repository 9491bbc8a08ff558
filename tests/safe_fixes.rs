//! Every fix marked safe keeps the code JavaScript that Node 24 parses, and
//! removes the finding it fixes: applied one at a time to every flagged docs
//! example (`docs/rules/*.md`, blocks tagged `js expect_diagnostic`) and to
//! every script under `tests/fixtures/` and `examples/`, each result read by
//! `node --check` with the module kind the original parses as.
//!
//! Node 24 comes from `TICKLENS_NODE` (`scripts/install-node.sh`); without it
//! the test fails rather than skips. `scripts/safe-fixes.sh` does the same
//! through `ticklens check --fix` on the npm corpora.

use std::path::{Path, PathBuf};
use std::process::Command;

use ticklens::driver::analyze_with;
use ticklens::findings::FixSafety;
use ticklens::rules::doc_examples;
use ticklens::syntax;

/// One piece of code to fix: where it comes from and its text.
struct Source {
    name: String,
    text: String,
    /// The extension its kind implies, when it has one (`mjs`, `cjs`).
    extension: Option<&'static str>,
}

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn node() -> PathBuf {
    let node = std::env::var_os("TICKLENS_NODE").map(PathBuf::from).expect(
        "TICKLENS_NODE must name Node 24's binary (scripts/install-node.sh prints its path)",
    );
    assert!(
        node.exists(),
        "TICKLENS_NODE={} does not exist",
        node.display()
    );
    node
}

fn sources() -> Vec<Source> {
    let mut sources = Vec::new();
    let docs = repository().join("docs/rules");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&docs)
        .expect("docs/rules is readable")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    for page in pages {
        let markdown = std::fs::read_to_string(&page).unwrap();
        let flagged = doc_examples(&markdown)
            .into_iter()
            .filter_map(|(flagged, code)| flagged.then_some(code));
        for (n, text) in flagged.enumerate() {
            sources.push(Source {
                name: format!("{} example {}", page.display(), n + 1),
                text,
                extension: None,
            });
        }
    }
    for folder in ["tests/fixtures", "examples"] {
        scripts_under(&repository().join(folder), &mut sources);
    }
    sources
}

fn scripts_under(dir: &Path, sources: &mut Vec<Source>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.map(|entry| entry.unwrap().path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            scripts_under(&path, sources);
            continue;
        }
        let extension = match path.extension().and_then(|e| e.to_str()) {
            Some("js") => None,
            Some("mjs") => Some("mjs"),
            Some("cjs") => Some("cjs"),
            _ => continue,
        };
        // Fixtures of unreadable input (not UTF-8) have nothing to fix.
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        sources.push(Source {
            name: path.display().to_string(),
            text,
            extension,
        });
    }
}

/// `node --check` on `text` written as `file.<extension>`: `None` when it
/// parses, else Node's complaint.
fn node_check(node: &Path, dir: &Path, text: &str, extension: &str) -> Option<String> {
    let file = dir.join(format!("checked.{extension}"));
    std::fs::write(&file, text).unwrap();
    let output = Command::new(node)
        .arg("--check")
        .arg(&file)
        .output()
        .expect("node runs");
    (!output.status.success()).then(|| String::from_utf8_lossy(&output.stderr).into_owned())
}

/// The kind (`cjs` or `mjs`) the original parses as, trying its own first.
fn kind_that_parses(node: &Path, dir: &Path, source: &Source) -> Option<&'static str> {
    let own;
    let kinds: &[&'static str] = match source.extension {
        Some(extension) => {
            own = [extension];
            &own
        }
        None => &["cjs", "mjs"],
    };
    kinds
        .iter()
        .copied()
        .find(|kind| node_check(node, dir, &source.text, kind).is_none())
}

fn findings_of(text: &str, rule: &str) -> usize {
    let tree = syntax::parse(text, None);
    analyze_with(text, &tree, ticklens::rules::ALL)
        .findings
        .iter()
        .filter(|finding| finding.rule == rule)
        .count()
}

#[test]
fn every_safe_fix_leaves_code_node_parses_without_the_fixed_finding() {
    let node = node();
    let dir = tempfile::tempdir().unwrap();
    let mut applied = 0;
    let mut problems = Vec::new();
    for source in sources() {
        let tree = syntax::parse(&source.text, None);
        // Every rule, those off by default too: each one's safe fixes are exercised.
        let findings = analyze_with(&source.text, &tree, ticklens::rules::ALL).findings;
        let safe: Vec<_> = findings
            .iter()
            .flat_map(|finding| finding.fixes.iter().map(move |fix| (finding, fix)))
            .filter(|(_, fix)| fix.safety == FixSafety::Safe)
            .collect();
        if safe.is_empty() {
            continue;
        }
        let Some(kind) = kind_that_parses(&node, dir.path(), &source) else {
            problems.push(format!("{}: Node does not parse the original", source.name));
            continue;
        };
        for (finding, fix) in safe {
            applied += 1;
            let fixed = fix.apply(&source.text);
            if let Some(error) = node_check(&node, dir.path(), &fixed, kind) {
                problems.push(format!(
                    "{}: `{}` ({}) gives a syntax error:\n{error}\n{fixed}",
                    source.name, fix.title, finding.rule
                ));
                continue;
            }
            let (before, after) = (
                findings_of(&source.text, finding.rule),
                findings_of(&fixed, finding.rule),
            );
            if after >= before {
                problems.push(format!(
                    "{}: `{}` leaves {after} {} findings of {before}:\n{fixed}",
                    source.name, fix.title, finding.rule
                ));
            }
        }
    }
    eprintln!("{applied} safe fixes applied and checked");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    // The docs show a safe fix of async-promise-executor and of
    // large-retained-across-await: the test checks something.
    assert!(applied >= 2, "only {applied} safe fixes were applied");
}
