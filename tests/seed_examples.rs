//! Each example in the seed text on async/await that states what it prints, checked twice: Node 24
//! must print the stated lines (so the text and the oracle agree), and the engine must predict
//! the same lines.
//!
//! Names such as `db` that the text leaves to the application are defined here, with a timer
//! where the text implies real asynchronous work.

#[path = "differential/node.rs"]
mod node;

use std::path::Path;
use std::time::Duration;

use ticklens::engine::{self, OrderOutcome};

/// Asserts that `node FILE` and the engine both print `expected` for `source` saved as `file`.
fn prints(file: &str, source: &str, expected: &[&str]) {
    let node = node::require_node_24();
    let dir = tempfile::tempdir().expect("a temp folder");
    let path = dir.path().join(file);
    std::fs::write(&path, source).expect("the example can be written");
    let want: String = expected.iter().map(|l| format!("{l}\n")).collect();

    let run = node::run_node(&node, &path, Duration::from_secs(10));
    assert_eq!(
        (run.stdout.as_str(), run.code),
        (want.as_str(), Some(0)),
        "Node 24 does not print what the text says for {file}; stderr:\n{}",
        run.stderr
    );

    let tree = ticklens::syntax::parse(source, None);
    let module = engine::detect_module_kind(&path, source, &tree);
    match engine::predict_order(source, &tree, module) {
        OrderOutcome::Determined(lines) => {
            let got: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
            assert_eq!(got, expected, "the engine's order for {file} ({module:?})");
        }
        OrderOutcome::Abstained(abstention) => panic!(
            "the engine abstained on {file} ({module:?}), which Node prints as {expected:?}: {}",
            abstention.reason
        ),
    }
    assert!(Path::new(&path).exists());
}

#[test]
fn get_number_returns_a_promise() {
    prints(
        "get-number.js",
        r#"async function getNumber() {
  return 42;
}
const result = getNumber();
console.log(result instanceof Promise);
"#,
        &["true"],
    );
}

#[test]
fn throw_in_async_function_rejects_its_promise() {
    prints(
        "boom.js",
        r#"async function boom() {
  throw new Error("broken");
}
boom().catch(e => console.log(e.message));
"#,
        &["broken"],
    );
}

#[test]
fn example_prints_a_d_b_c() {
    prints(
        "example.js",
        r#"async function example() {
  console.log("A");
  const val = await Promise.resolve("B");
  console.log(val);
  console.log("C");
}
example();
console.log("D");
"#,
        &["A", "D", "B", "C"],
    );
}

#[test]
fn no_await_prints_sync_then_after() {
    prints(
        "no-await.js",
        r#"async function noAwait() {
  console.log("sync");
  return "done";
}
noAwait();
console.log("after");
"#,
        &["sync", "after"],
    );
}

#[test]
fn then_on_a_no_await_function_still_runs_later() {
    // "A .then() attached to the returned promise still runs later as a microtask."
    prints(
        "no-await-then.js",
        r#"async function noAwait() {
  console.log("sync");
  return "done";
}
noAwait().then((v) => console.log(v));
console.log("after");
"#,
        &["sync", "after", "done"],
    );
}

#[test]
fn await_of_a_plain_value_resumes_with_it() {
    prints(
        "wait-value.js",
        r#"async function waitValue() {
  const n = await 42;
  console.log(n);
}
waitValue();
"#,
        &["42"],
    );
}

#[test]
fn code_after_await_prints_1_2_4_3() {
    prints(
        "run.js",
        r#"console.log("1");
async function run() {
  console.log("2");
  await Promise.resolve();
  console.log("3");
}
run();
console.log("4");
"#,
        &["1", "2", "4", "3"],
    );
}

#[test]
fn two_functions_interleave_a1_b1_a2_b2() {
    prints(
        "a-b.js",
        r#"async function a() {
  console.log("a1");
  await Promise.resolve();
  console.log("a2");
}
async function b() {
  console.log("b1");
  await Promise.resolve();
  console.log("b2");
}
a();
b();
"#,
        &["a1", "b1", "a2", "b2"],
    );
}

#[test]
fn extra_awaits_add_turns_x1_y1_x2_y2_x3() {
    prints(
        "x-y.js",
        r#"async function x() {
  console.log("x1");
  await Promise.resolve();
  console.log("x2");
  await Promise.resolve();
  console.log("x3");
}
async function y() {
  console.log("y1");
  await Promise.resolve();
  console.log("y2");
}
x();
y();
"#,
        &["x1", "y1", "x2", "y2", "x3"],
    );
}

const NEXT_TICK_EXAMPLE: &str = r#"async function run() {
  await Promise.resolve();
  console.log("await");
}
run();
process.nextTick(() => console.log("nextTick"));
"#;

#[test]
fn commonjs_prints_next_tick_before_await() {
    prints("next-tick.cjs", NEXT_TICK_EXAMPLE, &["nextTick", "await"]);
}

#[test]
fn es_module_prints_await_before_next_tick() {
    prints("next-tick.mjs", NEXT_TICK_EXAMPLE, &["await", "nextTick"]);
}

#[test]
fn fire_and_forget_prints_continuing_before_saved() {
    prints(
        "save.js",
        r#"const db = {
  insert(data) {
    return new Promise((resolve) => setTimeout(() => resolve(data), 10));
  },
};
const myData = { id: 1 };
async function save(data) {
  await db.insert(data);
  console.log("saved");
}
save(myData);
console.log("continuing");
"#,
        &["continuing", "saved"],
    );
}

#[test]
fn for_each_ignores_async_callbacks_so_done_prints_first() {
    prints(
        "for-each.js",
        r#"const urls = ["a", "b"];
async function fetch(url) {
  return { text: async () => "page " + url };
}
urls.forEach(async (url) => {
  const res = await fetch(url);
  console.log(await res.text());
});
console.log("done");
"#,
        &["done", "page a", "page b"],
    );
}
