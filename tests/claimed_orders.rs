//! Every order ticklens claims for a file shipped with the project is the
//! order Node 24 prints: the shipped examples, the hover fixtures (whose file
//! lens shows the order) and the editor fixture. A file the engine abstains on
//! claims nothing; at least one file of each folder must be claimed, so the
//! test cannot pass by abstaining everywhere.

#[path = "differential/node.rs"]
mod node;

use std::path::{Path, PathBuf};
use std::time::Duration;

use ticklens::engine::{self, OrderOutcome};

fn scripts_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|path| {
            path.extension()
                .is_some_and(|ext| ["js", "mjs", "cjs"].contains(&&*ext.to_string_lossy()))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_claimed_order_is_what_node_24_prints() {
    let node = node::require_node_24();
    let root = node::repo_root();
    let mut report = Vec::new();
    for folder in [
        "examples",
        "tests/fixtures/hovers",
        "editors/fixtures/project",
    ] {
        let mut claimed = 0;
        for path in scripts_in(&root.join(folder)) {
            let source = std::fs::read_to_string(&path).expect("a readable script");
            let tree = ticklens::syntax::parse(&source, None);
            let module = engine::detect_module_kind(&path, &source, &tree);
            let OrderOutcome::Determined(lines) = engine::predict_order(&source, &tree, module)
            else {
                report.push(format!("{}: abstains", path.display()));
                continue;
            };
            let predicted: String = lines.iter().map(|l| format!("{}\n", l.text)).collect();
            let run = node::run_node(&node, &path, Duration::from_secs(10));
            assert_eq!(
                run.stdout,
                predicted,
                "{}: Node 24's stdout differs from the claimed order; stderr:\n{}",
                path.display(),
                run.stderr
            );
            report.push(format!(
                "{}: {} lines, as Node prints",
                path.display(),
                lines.len()
            ));
            claimed += 1;
        }
        assert!(claimed > 0, "no file of {folder} has a claimed order");
    }
    eprintln!("{}", report.join("\n"));
}
