//! Node 24's globals, as the engine sees them. The engine embeds
//! server/src/engine/data/node-globals.txt (recorded by scripts/record-node-globals.sh); this test
//! re-records it under Node 24 and checks, for every global of both module kinds, that `typeof`
//! of it in a program is what Node prints. (Abstaining would be allowed; every recorded name has
//! a known `typeof`, so the engine answers all of them and the test asserts that too.)

#[path = "differential/node.rs"]
mod node;

use std::process::Command;
use std::time::Duration;

use ticklens::engine::{self, ModuleKind, OrderOutcome};

fn recorded_file() -> String {
    let path = node::repo_root().join("server/src/engine/data/node-globals.txt");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `(name, typeof)` of each recorded global of one kind (`cjs` or `esm`).
fn recorded_globals(kind: &str) -> Vec<(String, String)> {
    recorded_file()
        .lines()
        .filter_map(|line| {
            let mut words = line.split(' ');
            words.next().filter(|&k| k == kind)?;
            Some((words.next()?.to_owned(), words.next()?.to_owned()))
        })
        .collect()
}

fn predict(source: &str, module: ModuleKind) -> Option<Vec<String>> {
    let tree = ticklens::syntax::parse(source, None);
    match engine::predict_order(source, &tree, module) {
        OrderOutcome::Determined(lines) => Some(lines.into_iter().map(|l| l.text).collect()),
        OrderOutcome::Abstained(_) => None,
    }
}

fn typeof_line(name: &str) -> String {
    format!("console.log({name:?}, typeof {name});\n")
}

#[test]
fn recorded_globals_are_what_node_24_defines() {
    let node = node::require_node_24();
    let script = node::repo_root().join("scripts/record-node-globals.mjs");
    let output = Command::new(&node)
        .arg(&script)
        .env_remove("NODE_OPTIONS")
        .output()
        .expect("node runs the recording script");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        recorded_file(),
        "server/src/engine/data/node-globals.txt is out of date: run scripts/record-node-globals.sh"
    );
    // Both kinds hold the usual names, so an empty or truncated record cannot pass.
    for kind in ["cjs", "esm"] {
        let names: Vec<String> = recorded_globals(kind).into_iter().map(|g| g.0).collect();
        for name in ["globalThis", "fetch", "setTimeout", "Promise", "Buffer"] {
            assert!(names.iter().any(|n| n == name), "{kind} lacks {name}");
        }
    }
}

#[test]
fn typeof_of_every_node_global_is_what_node_prints() {
    let node = node::require_node_24();
    let dir = tempfile::tempdir().expect("a temp folder");
    for (kind, module, extension) in [
        ("cjs", ModuleKind::CommonJs, "cjs"),
        ("esm", ModuleKind::EsModule, "mjs"),
    ] {
        let globals = recorded_globals(kind);
        // Node's `typeof` of a global does not depend on the code around it: one run gives all.
        let source: String = globals.iter().map(|(name, _)| typeof_line(name)).collect();
        let script = dir.path().join(format!("globals.{extension}"));
        std::fs::write(&script, &source).expect("the program can be written");
        let run = node::run_node(&node, &script, Duration::from_secs(20));
        let node_lines: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(node_lines.len(), globals.len(), "{kind}: {}", run.stderr);
        let mut answered = 0;
        for ((name, _), node_line) in globals.iter().zip(&node_lines) {
            if let Some(engine) = predict(&typeof_line(name), module) {
                assert_eq!(engine, [*node_line], "{kind}: typeof {name}");
                answered += 1;
            }
        }
        assert_eq!(
            answered,
            globals.len(),
            "{kind}: the engine abstained on some"
        );
    }
}
