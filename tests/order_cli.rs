//! `ticklens order FILE`, run as a user runs it: the built binary, its stdout, stderr and exit code.
//!
//! Exit codes: 0 with the predicted lines, 3 when the engine abstains (nothing on stdout, the
//! reason on stderr), 2 when the file cannot be read.

#[path = "differential/node.rs"]
mod node;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

fn ticklens(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ticklens"))
        .args(args)
        .output()
        .expect("the ticklens binary runs")
}

fn write(dir: &Path, name: &str, source: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, source).expect("the program can be written");
    path
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const EXAMPLE: &str = r#"async function example() {
  console.log("A");
  const val = await Promise.resolve("B");
  console.log(val);
  console.log("C");
}
example();
console.log("D");
"#;

const NEXT_TICK: &str = r#"async function run() {
  await Promise.resolve();
  console.log("await");
}
run();
process.nextTick(() => console.log("nextTick"));
"#;

#[test]
fn order_prints_the_predicted_lines_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "example.js", EXAMPLE);
    let out = ticklens(&["order", file.to_str().unwrap()]);
    assert_eq!(
        (text(&out.stdout).as_str(), out.status.code()),
        ("A\nD\nB\nC\n", Some(0)),
        "stderr: {}",
        text(&out.stderr)
    );
}

#[test]
fn order_module_flag_orders_next_tick_as_node_does() {
    let node = node::require_node_24();
    let dir = tempfile::tempdir().unwrap();
    let plain = write(dir.path(), "next-tick.js", NEXT_TICK);
    for (flag, extension) in [("cjs", "cjs"), ("esm", "mjs")] {
        let copy = write(dir.path(), &format!("next-tick.{extension}"), NEXT_TICK);
        let oracle = node::run_node(&node, &copy, Duration::from_secs(10));
        assert_eq!(oracle.code, Some(0), "node: {}", oracle.stderr);
        let out = ticklens(&["order", "--module", flag, plain.to_str().unwrap()]);
        assert_eq!(
            (text(&out.stdout), out.status.code()),
            (oracle.stdout.clone(), Some(0)),
            "`order --module {flag}` vs node on .{extension}; stderr: {}",
            text(&out.stderr)
        );
    }
    let cjs = ticklens(&["order", "--module", "cjs", plain.to_str().unwrap()]);
    let esm = ticklens(&["order", "--module", "esm", plain.to_str().unwrap()]);
    assert_ne!(
        cjs.stdout, esm.stdout,
        "the module system changes this program's order"
    );
}

fn assert_abstains(name: &str, source: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), name, source);
    let out = ticklens(&["order", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "stderr: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "", "nothing on stdout when abstaining");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("cannot predict") && stderr.trim().len() > "cannot predict".len() + 20,
        "a reason on stderr: {stderr:?}"
    );
}

#[test]
fn order_abstains_on_an_endless_loop_with_exit_3() {
    assert_abstains(
        "spin.js",
        "console.log(\"before\");\nwhile (true) {}\nconsole.log(\"never\");\n",
    );
}

#[test]
fn order_abstains_on_unbounded_recursion_with_exit_3() {
    assert_abstains(
        "recurse.js",
        "function down(n) {\n  return down(n + 1);\n}\nconsole.log(\"before\");\ndown(0);\n",
    );
}

#[test]
fn order_on_a_missing_file_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.js");
    let out = ticklens(&["order", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stdout), "");
    assert!(
        text(&out.stderr).contains("nope.js"),
        "stderr names the file"
    );
}

#[test]
fn order_explain_prints_a_cause_for_each_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "example.js", EXAMPLE);
    let out = ticklens(&["order", "--explain", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "one line per printed line: {stdout}");
    for (line, want) in lines.iter().zip(["A", "D", "B", "C"]) {
        let (printed, cause) = line
            .split_once("<-")
            .unwrap_or_else(|| panic!("no cause in {line:?}"));
        assert_eq!(printed.trim(), want);
        assert!(!cause.trim().is_empty(), "an empty cause in {line:?}");
    }
    // The sync lines and the resumed ones have different causes.
    let cause = |i: usize| lines[i].split_once("<-").unwrap().1.trim().to_owned();
    assert_ne!(
        cause(0),
        cause(2),
        "A runs in the script, B after the await"
    );
}

/// Issue 20's two examples: programs using built-in modules whose order Node fully determines.
const BUILTIN_EXAMPLES: [(&str, &str, &str); 2] = [
    (
        "emitter.cjs",
        r#"const { EventEmitter } = require("node:events");
const e = new EventEmitter(); e.on("x", () => console.log("x"));
async function main() { console.log("1"); await null; e.emit("x"); console.log("2"); }
main(); console.log("3");
"#,
        "1\n3\nx\n2\n",
    ),
    (
        "sleep.mjs",
        r#"import { setTimeout as sleep } from "node:timers/promises";
async function main() { console.log("1"); await sleep(0); console.log("2"); }
main(); Promise.resolve().then(() => console.log("3"));
"#,
        "1\n3\n2\n",
    ),
];

#[test]
fn order_answers_the_issue_examples_with_built_in_modules_as_node_prints() {
    let node = node::require_node_24();
    let dir = tempfile::tempdir().unwrap();
    for (name, source, expected) in BUILTIN_EXAMPLES {
        let file = write(dir.path(), name, source);
        let oracle = node::run_node(&node, &file, Duration::from_secs(10));
        assert_eq!(
            (oracle.stdout.as_str(), oracle.code),
            (expected, Some(0)),
            "node on {name}: {}",
            oracle.stderr
        );
        let out = ticklens(&["order", file.to_str().unwrap()]);
        assert_eq!(
            (text(&out.stdout).as_str(), out.status.code()),
            (expected, Some(0)),
            "`order {name}`; stderr: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn order_abstains_naming_a_module_it_cannot_see() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "uses-lib.js",
        "const lib = require(\"./lib\");\nconsole.log(\"loaded\");\n",
    );
    let out = ticklens(&["order", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "stderr: {}", text(&out.stderr));
    assert!(text(&out.stderr).contains("./lib"), "{}", text(&out.stderr));
}
