//! `ticklens order FILE --timeline`, as a user runs it, checked against Node 24.
//!
//! Each program's drawing is a snapshot (tests/snapshots/order_timeline__*.snap), and every claim
//! in it is measured: the lines its steps print, in order, are Node 24's stdout, and each printed
//! line's lane and microtask tick are the async resource Node runs it in and its job generation
//! in that phase, read by a preload that tags each `console.log` (differential/instrument.rs;
//! synchronous code only, so the instrumented run prints what the plain one does, which the test
//! also checks, and calibrated on known answers). A partly-answered program's determined lines
//! are the start of Node's stdout, and the rest of Node's lines are printed by what the timeline
//! says waits.

#[path = "differential/node.rs"]
mod node;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

#[path = "differential/instrument.rs"]
mod instrument;

use instrument::Tag;

struct Measured {
    stdout: Vec<String>,
    /// Where and when Node ran each printed line.
    tags: Vec<Tag>,
}

/// Runs `name` with Node 24 in `dir`, plainly and instrumented.
fn run_node(dir: &Path, name: &str, source: &str) -> Measured {
    let node = node::require_node_24();
    let path = dir.join(name);
    let plain = node::run_node(&node, &path, Duration::from_secs(10));
    assert!(!plain.timed_out, "{name} ran too long");
    let preload = dir.join(instrument::PRELOAD_NAME);
    std::fs::write(&preload, instrument::PRELOAD).unwrap();
    let instrumented_path = dir.join(format!("instrumented-{name}"));
    std::fs::write(&instrumented_path, instrument::instrumented(source)).unwrap();
    let run = node::run_node_with(
        &node,
        &["--require".as_ref(), preload.as_os_str()],
        &instrumented_path,
        Duration::from_secs(10),
    );
    assert_eq!(
        run.stdout, plain.stdout,
        "the instrumented run of {name} prints what the plain one does"
    );
    let tags = instrument::tags(&run.stderr);
    assert_eq!(tags.len(), plain.stdout.lines().count(), "{}", run.stderr);
    Measured {
        stdout: plain.stdout.lines().map(str::to_owned).collect(),
        tags,
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

/// The printed lines of the timeline's steps, each tagged with its step's lane and generation
/// (its microtask tick; 0 for a step that starts a phase).
fn printed_with_tags(value: &Value) -> Vec<(String, Tag)> {
    let mut printed = Vec::new();
    for step in value["steps"].as_array().unwrap() {
        for line in step["printed"].as_array().unwrap() {
            let tag = Tag {
                lane: step["lane"].as_str().unwrap().to_owned(),
                generation: Some(step["tick"].as_u64().map_or(0, |tick| tick as u32)),
            };
            printed.push((line["text"].as_str().unwrap().to_owned(), tag));
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

/// The instrument's generations on Node 24's known answers (measuring-claims): `await null`
/// resumes at 1, a thenable at 2, a `Promise` subclass at 3, the awaiter of `return p` at 3 and
/// of `return await p` at 2; a job queued by a job one more; a timer's callback starts a phase.
#[test]
fn the_instrument_counts_known_generations() {
    let source = r#"class Sub extends Promise {}
const p = Promise.resolve();
async function returns() { return p; }
async function returnsAwaited() { return await p; }
(async () => { await null; console.log("null"); })();
(async () => { await { then(r) { r(); } }; console.log("thenable"); })();
(async () => { await Sub.resolve(); console.log("subclass"); })();
(async () => { await returns(); console.log("return p"); })();
(async () => { await returnsAwaited(); console.log("return await p"); })();
Promise.resolve().then(() => Promise.resolve().then(() => console.log("job of a job")));
setTimeout(() => {
  console.log("timer");
  queueMicrotask(() => console.log("job of the timer"));
}, 0);
process.nextTick(() => console.log("tick"));
console.log("sync");
"#;
    for name in ["calibration.cjs", "calibration.mjs"] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(name), source).unwrap();
        let measured = run_node(dir.path(), name, source);
        let at = |text: &str| {
            let i = measured
                .stdout
                .iter()
                .position(|line| line == text)
                .unwrap();
            let tag = &measured.tags[i];
            (tag.lane.as_str(), tag.generation)
        };
        assert_eq!(at("sync"), ("main", Some(0)), "{name}");
        assert_eq!(at("tick"), ("nextTick", Some(0)), "{name}");
        assert_eq!(at("null"), ("microtask", Some(1)), "{name}");
        assert_eq!(at("thenable"), ("microtask", Some(2)), "{name}");
        assert_eq!(at("subclass"), ("microtask", Some(3)), "{name}");
        assert_eq!(at("return p"), ("microtask", Some(3)), "{name}");
        assert_eq!(at("return await p"), ("microtask", Some(2)), "{name}");
        assert_eq!(at("job of a job"), ("microtask", Some(2)), "{name}");
        assert_eq!(at("timer"), ("timers", Some(0)), "{name}");
        assert_eq!(at("job of the timer"), ("microtask", Some(1)), "{name}");
    }
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
    let (lines, tags): (Vec<String>, Vec<Tag>) = printed_with_tags(&value).into_iter().unzip();
    assert_eq!(
        lines, measured.stdout,
        "the timeline's lines are Node 24's stdout"
    );
    assert_eq!(
        tags, measured.tags,
        "each line's lane and microtask tick are Node 24's"
    );
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

/// Each modelled promise-returning I/O function, awaited alone: its awaiter resumes at the tick
/// Node's own jobs inside it put it at (3 for most, 10 and 11 for the file-handle ones).
#[test]
fn each_awaited_io_function_resumes_at_node_24s_tick() {
    answered(
        "io_promise_ticks",
        "io-ticks.mjs",
        r#"import { promises as fs } from "node:fs";
import { promises as dns } from "node:dns";
async function main() {
  await fs.writeFile("out.txt", "x");
  console.log("writeFile");
  await fs.appendFile("out.txt", "y");
  console.log("appendFile");
  await fs.readFile("out.txt");
  console.log("readFile");
  await fs.stat("out.txt");
  console.log("stat");
  await fs.lstat("out.txt");
  console.log("lstat");
  await fs.access("out.txt");
  console.log("access");
  await fs.copyFile("out.txt", "copy.txt");
  console.log("copyFile");
  await fs.rename("copy.txt", "moved.txt");
  console.log("rename");
  await fs.unlink("moved.txt");
  console.log("unlink");
  await fs.mkdir("folder");
  console.log("mkdir");
  await fs.rmdir("folder");
  console.log("rmdir");
  await dns.lookup("localhost");
  console.log("lookup");
}
main();
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
    let printed = printed_with_tags(&value);
    let (lines, tags): (Vec<String>, Vec<Tag>) = printed.into_iter().unzip();
    assert_eq!(
        lines,
        measured.stdout[..lines.len()],
        "the determined part comes first"
    );
    assert_eq!(tags, measured.tags[..tags.len()]);
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
    let (lines, tags): (Vec<String>, Vec<Tag>) = printed_with_tags(&value).into_iter().unzip();
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
    assert_eq!(
        tags,
        measured.tags[..tags.len()],
        "in Node 24's lanes and ticks"
    );
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
