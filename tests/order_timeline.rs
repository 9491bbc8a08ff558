//! `ticklens order FILE --timeline`, as a user runs it, checked against Node 24.
//!
//! Each program's drawing is a snapshot (tests/snapshots/order_timeline__*.snap), and every claim
//! in it is measured: the lines its steps print, in order, are Node 24's stdout, and each printed
//! line's lane is the async resource Node runs it in, read with `async_hooks` by a preload that
//! tags each `console.log` (`before`/`after` of the innermost resource; synchronous code only,
//! so the instrumented run prints what the plain one does, which the test also checks). A
//! partly-answered program's determined lines are the start of Node's stdout, and the rest of
//! Node's lines are printed by what the timeline says waits.

#[path = "differential/node.rs"]
mod node;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// Tags each `console.log` with the innermost async resource running it, on stderr.
const LANES_PRELOAD: &str = r#"const hooks = require("async_hooks");
const { writeSync } = require("fs");
const types = new Map();
const running = [];
hooks.createHook({
  init(id, type) { types.set(id, type); },
  before(id) { running.push(id); },
  after() { running.pop(); },
}).enable();
const log = console.log;
console.log = function (...args) {
  const id = running[running.length - 1];
  const type = id === undefined || id === globalThis.__mainAsyncId ? "main" : types.get(id);
  writeSync(2, "lane:" + type + "\n");
  return log.apply(this, args);
};
"#;

/// Prepended to an ES module in the instrumented copy: Node evaluates the module body inside
/// a promise job of its loader, which is the main lane, not a microtask of the program's.
const ESM_MAIN_MARK: &str = "import { executionAsyncId as __eid } from \"node:async_hooks\"; \
globalThis.__mainAsyncId = __eid();\n";

/// The lane Node's async resource type stands for.
fn lane_of_resource(resource: &str) -> &str {
    match resource {
        "main" => "main",
        "TickObject" => "nextTick",
        "PROMISE" | "Microtask" => "microtask",
        "Timeout" => "timers",
        "Immediate" => "check",
        "FSREQCALLBACK" | "FSREQPROMISE" | "GETADDRINFOREQWRAP" => "io",
        other => panic!("an async resource the test does not map: {other}"),
    }
}

struct Measured {
    stdout: Vec<String>,
    lanes: Vec<String>,
}

/// Runs `name` with Node 24 in `dir`, plainly and instrumented.
fn run_node(dir: &Path, name: &str, source: &str) -> Measured {
    let node = node::require_node_24();
    let path = dir.join(name);
    let plain = node::run_node(&node, &path, Duration::from_secs(10));
    assert!(!plain.timed_out, "{name} ran too long");
    let preload = dir.join("lanes-preload.cjs");
    std::fs::write(&preload, LANES_PRELOAD).unwrap();
    let instrumented_name = format!("instrumented-{name}");
    let instrumented = if name.ends_with(".mjs") {
        format!("{ESM_MAIN_MARK}{source}")
    } else {
        source.to_owned()
    };
    std::fs::write(dir.join(&instrumented_name), instrumented).unwrap();
    let run = Command::new(&node)
        .arg("--require")
        .arg(&preload)
        .arg(&instrumented_name)
        .current_dir(dir)
        .env_remove("NODE_OPTIONS")
        .stdin(Stdio::null())
        .output()
        .expect("Node runs");
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    assert_eq!(
        stdout, plain.stdout,
        "the instrumented run of {name} prints what the plain one does"
    );
    let lanes = String::from_utf8_lossy(&run.stderr)
        .lines()
        .filter_map(|line| line.strip_prefix("lane:"))
        .map(|resource| lane_of_resource(resource).to_owned())
        .collect();
    Measured {
        stdout: plain.stdout.lines().map(str::to_owned).collect(),
        lanes,
    }
}

/// `ticklens order NAME --timeline` (and `--format json`) in `dir`.
fn timeline(dir: &Path, name: &str) -> (String, Value, Option<i32>) {
    let run = |json: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ticklens"));
        command.args(["order", name, "--timeline"]).current_dir(dir);
        if json {
            command.args(["--format", "json"]);
        }
        command.output().expect("the ticklens binary runs")
    };
    let text = run(false);
    let json = run(true);
    assert_eq!(text.status.code(), json.status.code());
    let value = serde_json::from_slice(&json.stdout).expect("the JSON parses");
    (
        String::from_utf8_lossy(&text.stdout).into_owned(),
        value,
        text.status.code(),
    )
}

/// The printed lines of the timeline's steps, each with its step's lane.
fn printed_with_lanes(value: &Value) -> Vec<(String, String)> {
    let mut printed = Vec::new();
    for step in value["steps"].as_array().unwrap() {
        for line in step["printed"].as_array().unwrap() {
            printed.push((
                line["text"].as_str().unwrap().to_owned(),
                step["lane"].as_str().unwrap().to_owned(),
            ));
        }
    }
    printed
}

fn validate(value: &Value) {
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/schemas/timeline-v1.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::draft7::new(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "schema violations: {errors:#?}");
}

/// Snapshots the drawing of a program the engine answers whole, and checks its lines and lanes
/// against Node 24.
fn answered(snapshot: &str, name: &str, source: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), source).unwrap();
    let (text, value, code) = timeline(dir.path(), name);
    assert_eq!(code, Some(0), "{text}");
    validate(&value);
    assert_eq!(value["complete"], true);
    let measured = run_node(dir.path(), name, source);
    let (lines, lanes): (Vec<String>, Vec<String>) = printed_with_lanes(&value).into_iter().unzip();
    assert_eq!(
        lines, measured.stdout,
        "the timeline's lines are Node 24's stdout"
    );
    assert_eq!(lanes, measured.lanes, "each line's lane is Node 24's");
    insta::assert_snapshot!(snapshot, text);
}

const SEED_EXAMPLE: &str = r#"async function example() {
  console.log("A");
  const val = await Promise.resolve("B");
  console.log(val);
  console.log("C");
}
example();
console.log("D");
"#;

#[test]
fn the_seed_example_draws_its_await_as_a_microtask_after_the_script() {
    answered("commonjs_seed_example", "ordering.js", SEED_EXAMPLE);
}

#[test]
fn an_es_module_runs_its_jobs_before_the_next_tick_queue() {
    answered(
        "es_module",
        "module.mjs",
        r#"console.log("start");
process.nextTick(() => console.log("tick"));
Promise.resolve().then(() => console.log("then"));
queueMicrotask(() => console.log("queued"));
await null;
console.log("after await");
"#,
    );
}

#[test]
fn next_ticks_run_before_the_promise_jobs_of_a_script() {
    answered(
        "next_tick",
        "next-tick.cjs",
        r#"async function run() {
  await Promise.resolve();
  console.log("await");
}
run();
Promise.resolve().then(() => {
  console.log("then");
  process.nextTick(() => console.log("tick from a job"));
});
process.nextTick(() => console.log("nextTick"));
"#,
    );
}

#[test]
fn timers_fire_in_due_order_each_with_its_own_drain() {
    answered(
        "timers",
        "timers.js",
        r#"setTimeout(() => {
  console.log("timeout 100");
}, 100);
setTimeout(() => {
  console.log("timeout 0");
  Promise.resolve().then(() => console.log("job in timer"));
  process.nextTick(() => console.log("tick in timer"));
}, 0);
console.log("sync");
"#,
    );
}

#[test]
fn immediates_run_in_the_check_phase() {
    answered(
        "set_immediate",
        "immediate.js",
        r#"setImmediate(() => {
  console.log("immediate 1");
  Promise.resolve().then(() => console.log("job"));
});
setImmediate(() => console.log("immediate 2"));
process.nextTick(() => console.log("tick"));
console.log("sync");
"#,
    );
}

#[test]
fn an_fs_callback_runs_in_the_poll_phase_before_its_immediate() {
    answered(
        "io_callback",
        "io.js",
        r#"const fs = require("fs");
fs.readFile("io.js", (err, data) => {
  console.log("read");
  setTimeout(() => console.log("timeout"), 0);
  setImmediate(() => console.log("immediate"));
});
console.log("sync");
"#,
    );
}

#[test]
fn an_awaited_fs_promise_resumes_in_a_microtask_after_the_poll_phase() {
    answered(
        "io_promise",
        "stat.mjs",
        r#"import { promises as fs } from "node:fs";
async function size() {
  console.log("stat starts");
  await fs.stat("stat.mjs");
  console.log("stat done");
}
size();
console.log("sync");
"#,
    );
}

#[test]
fn a_race_on_io_draws_the_determined_part_then_the_waits() {
    let source = r#"const fs = require("fs");
fs.readFile("race.js", () => console.log("read"));
setTimeout(() => console.log("timeout"), 0);
Promise.resolve().then(() => console.log("job"));
console.log("sync");
"#;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("race.js"), source).unwrap();
    let (text, value, code) = timeline(dir.path(), "race.js");
    assert_eq!(code, Some(3), "{text}");
    validate(&value);
    assert_eq!(value["complete"], false);
    let waits: Vec<&str> = value["waits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(
        waits,
        ["I/O: `fs.readFile` at line 2", "setTimeout at line 3"]
    );
    let measured = run_node(dir.path(), "race.js", source);
    let printed = printed_with_lanes(&value);
    let (lines, lanes): (Vec<String>, Vec<String>) = printed.into_iter().unzip();
    assert_eq!(
        lines,
        measured.stdout[..lines.len()],
        "the determined part comes first"
    );
    assert_eq!(lanes, measured.lanes[..lanes.len()]);
    let mut rest = measured.stdout[lines.len()..].to_vec();
    rest.sort();
    assert_eq!(rest, ["read", "timeout"], "what waits prints the rest");
    insta::assert_snapshot!("partly_answered_io_race", text);
}

/// Runs `files` (the first is the main program) under `ticklens order --timeline`, which must
/// stop, and under Node 24: the lines the timeline draws, with their lanes, are the first lines
/// Node prints, in Node's lanes. Returns the timeline's text and how many lines it drew.
fn stopped_prefix(files: &[(&str, &str)]) -> (String, usize) {
    let dir = tempfile::tempdir().unwrap();
    for (name, source) in files {
        std::fs::write(dir.path().join(name), source).unwrap();
    }
    let (name, source) = files[0];
    let (text, value, code) = timeline(dir.path(), name);
    assert_eq!(code, Some(3), "{text}");
    validate(&value);
    assert_eq!(value["complete"], false, "{text}");
    assert!(value["stopped"]["reason"].as_str().is_some(), "{value}");
    let measured = run_node(dir.path(), name, source);
    let (lines, lanes): (Vec<String>, Vec<String>) = printed_with_lanes(&value).into_iter().unzip();
    assert!(
        lines.len() < measured.stdout.len(),
        "{text}\n{:?}",
        measured.stdout
    );
    assert_eq!(
        lines,
        measured.stdout[..lines.len()],
        "the drawn part of {name} is what Node 24 prints first"
    );
    assert_eq!(lanes, measured.lanes[..lanes.len()], "in Node 24's lanes");
    (text, lines.len())
}

/// A refused connection: `fetch` fails fast, and every program below ends on its own.
const UNREACHABLE: &str = "http://127.0.0.1:9/";

#[test]
fn a_run_stopped_at_an_unmodelled_call_draws_what_ran_before_it() {
    let fetch_in_script = format!(
        "setTimeout(() => console.log(\"timer\"), 0);\n\
         Promise.resolve().then(() => console.log(\"job\"));\n\
         console.log(\"before\");\n\
         fetch(\"{UNREACHABLE}\").then(() => console.log(\"fetched\"), () => console.log(\"failed\"));\n\
         console.log(\"after\");\n"
    );
    assert_eq!(stopped_prefix(&[("script.js", &fetch_in_script)]).1, 1);

    let fetch_after_a_resume = format!(
        "async function main() {{\n  console.log(\"start\");\n  await null;\n  console.log(\"resumed\");\n  \
         await fetch(\"{UNREACHABLE}\").catch(() => {{}});\n  console.log(\"end\");\n}}\n\
         main();\nconsole.log(\"sync\");\n"
    );
    let (text, drawn) = stopped_prefix(&[("resumed.js", &fetch_after_a_resume)]);
    assert_eq!(drawn, 3);
    insta::assert_snapshot!("partly_answered_unmodelled_call", text);

    let fetch_in_a_timer = format!(
        "setTimeout(() => {{\n  console.log(\"t1\");\n  fetch(\"{UNREACHABLE}\").catch(() => {{}});\n  console.log(\"t2\");\n}}, 0);\n\
         console.log(\"main\");\n"
    );
    assert_eq!(stopped_prefix(&[("timer.js", &fetch_in_a_timer)]).1, 2);
}

#[test]
fn a_run_that_loads_an_unseen_module_draws_only_what_ran_before_the_load() {
    let lib =
        "console.log(\"lib loaded\");\nPromise.resolve().then(() => console.log(\"lib job\"));\n\
               process.nextTick(() => console.log(\"lib tick\"));\n";
    let main = "Promise.resolve().then(() => console.log(\"job\"));\nconsole.log(\"A\");\n\
                require(\"./lib\");\nconsole.log(\"B\");\n";
    assert_eq!(stopped_prefix(&[("main.js", main), ("lib.js", lib)]).1, 1);

    let lib = "export const x = 1;\nconsole.log(\"lib loaded\");\n";
    let main = "import { x } from \"./lib.mjs\";\nconsole.log(\"main\", x);\n";
    assert_eq!(stopped_prefix(&[("main.mjs", main), ("lib.mjs", lib)]).1, 0);
}
