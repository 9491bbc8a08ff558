//! ticklens's suspension points, compared with a real JavaScript parser.
//!
//! tree-sitter's grammar does not know which contexts are async, so ticklens
//! reads awaits through its own syntax layer (`syntax::awaits`). acorn, a
//! parser that follows the spec's grammar parameters, says where the awaits,
//! `for await` loops and `yield`s of each function are
//! (`tests/suspension/acorn-points.mjs`, run under Node 24); the two readings
//! must agree on every function of every file.
//!
//! `cargo test` compares the fixtures in `tests/fixtures/suspension/`, one per
//! construct that can hold an await. `scripts/suspension-oracle.sh` runs the
//! ignored test below on the whole npm corpus.
//!
//! acorn comes from `TICKLENS_ACORN` (what `scripts/install-acorn.sh` prints,
//! set by `scripts/test.sh`), or else from running that script: without it
//! the tests fail.

#[path = "differential/node.rs"]
mod node;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use ticklens::syntax;
use ticklens::syntax::awaits::{suspension_points, SuspensionKind};

/// A function as both sides name it: its end byte and how many functions
/// enclose it (nested arrows can end at the same byte). The top level is
/// `(-1, 0)`.
type FunctionKey = (i64, u32);
/// `(what, byte offset)` of each suspension point, in source order.
type Points = Vec<(String, u64)>;

fn acorn_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("TICKLENS_ACORN").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let script = node::repo_root().join("scripts/install-acorn.sh");
    let output = Command::new("bash")
        .arg(&script)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(
        output.status.success(),
        "acorn is the oracle of these tests and could not be had: {} failed:\n{}\n\
         Set TICKLENS_ACORN to the folder scripts/install-acorn.sh prints.",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    PathBuf::from(
        stdout
            .lines()
            .last()
            .expect("install-acorn.sh prints a path")
            .trim(),
    )
}

/// acorn's reading of each file, one JSON value per file, in order.
fn acorn_points(files: &[PathBuf]) -> Vec<serde_json::Value> {
    let node = node::require_node_24();
    let script = node::repo_root().join("tests/suspension/acorn-points.mjs");
    let acorn = acorn_dir();
    assert!(
        acorn.join("node_modules/acorn/package.json").is_file(),
        "no acorn in {} (TICKLENS_ACORN)",
        acorn.display()
    );
    let mut results = Vec::with_capacity(files.len());
    // Many files per Node process, few enough to stay under argument limits.
    for batch in files.chunks(500) {
        let output = Command::new(&node)
            .arg(&script)
            .arg(&acorn)
            .args(batch)
            .env_remove("NODE_OPTIONS")
            .output()
            .expect("running acorn-points.mjs under Node 24");
        assert!(
            output.status.success(),
            "acorn-points.mjs failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            results.push(serde_json::from_str(line).expect("one JSON value per line"));
        }
    }
    assert_eq!(results.len(), files.len(), "one answer per file");
    results
}

/// ticklens's reading of `source`: the suspension points per function, with
/// functions keyed as acorn's side keys them.
/// Also counts the awaits tree-sitter parsed as something else (a call,
/// member or subscript of a name `await`), into `misparsed`.
fn ticklens_points(
    source: &str,
    is_module: bool,
    misparsed: &mut usize,
) -> Option<BTreeMap<FunctionKey, Points>> {
    let tree = syntax::parse(source, None);
    if tree.root_node().has_error() {
        return None;
    }
    // The nesting depth of every function, by its byte range.
    let mut depth_of = BTreeMap::new();
    let mut stack = vec![(tree.root_node(), 0u32)];
    while let Some((node, depth)) = stack.pop() {
        let depth = if syntax::js::is_function(node) {
            depth_of.insert((node.start_byte(), node.end_byte()), depth + 1);
            depth + 1
        } else {
            depth
        };
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor).map(|child| (child, depth)));
    }
    let mut points = BTreeMap::new();
    for function in suspension_points(source, &tree, is_module) {
        let key = match &function.function {
            None => (-1, 0),
            Some(range) => (range.end as i64, depth_of[&(range.start, range.end)]),
        };
        let root = tree.root_node();
        *misparsed += function
            .points
            .iter()
            .filter(|p| p.kind == SuspensionKind::Await)
            .filter(|p| {
                root.descendant_for_byte_range(p.range.start, p.range.end)
                    .is_some_and(|n| n.kind() != "await_expression")
            })
            .count();
        let list: Points = function
            .points
            .iter()
            .map(|p| (p.kind.word().to_owned(), p.range.start as u64))
            .collect();
        points.insert(key, list);
    }
    Some(points)
}

/// acorn's points per function, functions without any left out.
fn oracle_points(answer: &serde_json::Value) -> BTreeMap<FunctionKey, Points> {
    let mut points = BTreeMap::new();
    for function in answer["functions"].as_array().expect("functions") {
        let list: Points = function["points"]
            .as_array()
            .expect("points")
            .iter()
            .map(|p| {
                (
                    p[0].as_str().expect("kind").to_owned(),
                    p[1].as_u64().expect("offset"),
                )
            })
            .collect();
        if !list.is_empty() {
            let key = (
                function["end"].as_i64().expect("end"),
                function["depth"].as_u64().expect("depth") as u32,
            );
            points.insert(key, list);
        }
    }
    points
}

/// What comparing a set of files found.
#[derive(Default, Debug)]
struct Comparison {
    files: usize,
    /// Files acorn rejects (JSX, Flow, syntax errors) or tree-sitter parses with errors.
    unparsed: usize,
    functions: usize,
    awaits: usize,
    /// Awaits tree-sitter parsed as a call (member, subscript) of `await`.
    misparsed_awaits: usize,
    for_awaits: usize,
    yields: usize,
    disagreements: Vec<String>,
}

fn compare(files: &[PathBuf]) -> Comparison {
    let answers = acorn_points(files);
    let mut out = Comparison::default();
    for (file, answer) in files.iter().zip(&answers) {
        let Some(source_type) = answer["sourceType"].as_str() else {
            out.unparsed += 1;
            continue;
        };
        let source = std::fs::read_to_string(file).expect("readable file");
        let Some(ours) =
            ticklens_points(&source, source_type == "module", &mut out.misparsed_awaits)
        else {
            out.unparsed += 1;
            continue;
        };
        out.files += 1;
        out.functions += answer["functions"].as_array().map_or(0, Vec::len);
        let theirs = oracle_points(answer);
        for points in theirs.values() {
            for (kind, _) in points {
                match kind.as_str() {
                    "await" => out.awaits += 1,
                    "for await" => out.for_awaits += 1,
                    _ => out.yields += 1,
                }
            }
        }
        for key in theirs.keys().chain(ours.keys()) {
            let (a, t) = (theirs.get(key), ours.get(key));
            if a != t
                && !out
                    .disagreements
                    .iter()
                    .any(|d| d.starts_with(&describe(file, key)))
            {
                out.disagreements.push(format!(
                    "{}: acorn {a:?}, ticklens {t:?}",
                    describe(file, key)
                ));
            }
        }
    }
    out
}

fn describe(file: &Path, (end, depth): &FunctionKey) -> String {
    format!(
        "{} function ending at byte {end} (depth {depth})",
        file.display()
    )
}

fn fixture_files() -> Vec<PathBuf> {
    let dir = node::repo_root().join("tests/fixtures/suspension");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("js" | "mjs")))
        .collect();
    files.sort();
    files
}

#[test]
fn suspension_points_agree_with_acorn_on_every_construct() {
    let files = fixture_files();
    assert!(files.len() >= 9, "the fixtures are missing: {files:?}");
    let comparison = compare(&files);
    assert_eq!(comparison.unparsed, 0, "every fixture parses in both");
    assert!(
        comparison.disagreements.is_empty(),
        "ticklens and acorn disagree:\n{}",
        comparison.disagreements.join("\n")
    );
    // The comparison compared something: every fixture holds awaits.
    assert!(comparison.awaits >= 40, "{comparison:?}");
    assert!(
        comparison.for_awaits >= 2 && comparison.yields >= 2,
        "{comparison:?}"
    );
}

/// The same comparison on every file of the npm corpus (`scripts/corpus.sh`):
/// run by `scripts/suspension-oracle.sh`, which sets `TICKLENS_CORPUS`.
#[test]
#[ignore = "minutes on the whole corpus: run scripts/suspension-oracle.sh"]
fn suspension_points_agree_with_acorn_on_the_npm_corpus() {
    let root = std::env::var_os("TICKLENS_CORPUS").expect("TICKLENS_CORPUS: the corpus folder");
    let mut files = Vec::new();
    let mut stack = vec![PathBuf::from(root).join("files")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("corpus folder") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("js" | "mjs" | "cjs")
            ) {
                files.push(path);
            }
        }
    }
    files.sort();
    let comparison = compare(&files);
    println!(
        "suspension oracle: {} files compared ({} not parsed by one side), {} functions, \
         {} awaits ({} of them parsed by tree-sitter as calls of `await`), {} for await, \
         {} yields, {} disagreements",
        comparison.files,
        comparison.unparsed,
        comparison.functions,
        comparison.awaits,
        comparison.misparsed_awaits,
        comparison.for_awaits,
        comparison.yields,
        comparison.disagreements.len()
    );
    for line in comparison.disagreements.iter().take(50) {
        println!("  {line}");
    }
    assert!(comparison.disagreements.is_empty());
}
