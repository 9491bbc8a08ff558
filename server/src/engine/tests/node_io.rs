//! Node's I/O modules and when their completions run (`node_io.rs`, `util.callbackify` in
//! `node_util.rs`). Every expected output was printed by Node v24.11.1 running the same program
//! as `FILE.cjs` or `FILE.mjs` in a folder holding it (`node FILE`, three runs agreeing); the
//! lines are joined with `|`.

use super::{abstains_mentioning, prints_as};
use super::{explain_order, ModuleKind, OrderOutcome};

#[test]
fn awaited_read_resumes_after_every_queued_job_and_its_immediate_runs_before_timers() {
    prints_as(
        ModuleKind::CommonJs,
        "1|5|3|4|2 object|p|n|i|t",
        r#"// t1.cjs: the read's continuation runs in a microtask of the poll phase, so its
// promise job runs before its nextTick; an immediate queued there beats a 0 ms timer.
const fsp = require("node:fs/promises");
async function main() { console.log("1"); const d = await fsp.readFile("t1.cjs"); console.log("2", typeof d);
  setTimeout(() => console.log("t"), 0); setImmediate(() => console.log("i")); process.nextTick(() => console.log("n")); Promise.resolve().then(() => console.log("p")); }
main(); process.nextTick(() => console.log("3")); Promise.resolve().then(() => console.log("4")); console.log("5");
"#,
    );
}

#[test]
fn sequential_io_in_a_module_with_callbackify_after_it() {
    prints_as(
        ModuleKind::EsModule,
        "a|b|c object|d object|q|cb null 8",
        r#"// t3.mjs: each await waits for one completion; the callbackified callback runs in a
// nextTick after the promise settles, after the microtask queued beside the call.
import { readFile, writeFile, unlink } from "node:fs/promises";
import { lookup } from "node:dns/promises";
import util from "node:util";
const cb = util.callbackify(async (x) => { await null; return x * 2; });
console.log("a");
await writeFile("t3.tmp", "hello");
console.log("b");
const buf = await readFile("t3.tmp");
console.log("c", typeof buf);
await unlink("t3.tmp");
const addr = await lookup("localhost");
console.log("d", typeof addr);
cb(4, (err, v) => console.log("cb", err, v));
queueMicrotask(() => console.log("q"));
"#,
    );
}

#[test]
fn callbackify_calls_back_in_a_next_tick_after_the_microtask_queue_drains() {
    prints_as(
        ModuleKind::CommonJs,
        "n|p1|p2|p3|p4|cbE x|cb null 5",
        r#"// b.cjs
const util = require("util");
const f = util.callbackify(async (x) => { await null; return x; });
f(5, (e, v) => console.log("cb", e, v));
Promise.resolve().then(() => console.log("p1")).then(() => console.log("p2")).then(() => console.log("p3")).then(() => console.log("p4"));
process.nextTick(() => console.log("n"));
const g = util.callbackify(async () => { throw new Error("x"); });
g((e) => console.log("cbE", e.message));
"#,
    );
}

#[test]
fn callback_io_runs_its_next_tick_before_its_promise_job() {
    prints_as(
        ModuleKind::CommonJs,
        "main true|cb null object|n|p|i",
        r#"// t4.cjs: the callback is a macrotask: its nextTick runs before its promise job.
const fs = require("fs");
fs.stat("t4.cjs", (err, st) => { console.log("cb", err, typeof st);
  setImmediate(() => console.log("i"));
  Promise.resolve().then(() => console.log("p")); process.nextTick(() => console.log("n")); });
console.log("main", fs.promises === require("fs/promises"));
"#,
    );
}

#[test]
fn io_racing_a_timer_abstains_naming_the_call_and_the_timer() {
    abstains_mentioning(
        r#"const fs = require("fs");
fs.readFile("x", () => console.log("read"));
setTimeout(() => console.log("t"), 100);
"#,
        "`fs.readFile` at line 2 completes before the timer from line 3",
    );
}

#[test]
fn two_reads_race_and_an_immediate_races_a_read() {
    abstains_mentioning(
        r#"const fsp = require("fs/promises");
fsp.readFile("a").then(() => console.log("a"));
fsp.readFile("b").then(() => console.log("b"));
"#,
        "both wait on I/O",
    );
    abstains_mentioning(
        r#"const fsp = require("fs/promises");
fsp.stat("a").then(() => console.log("a"));
setImmediate(() => console.log("i"));
"#,
        "setImmediate callback from line 3",
    );
}

#[test]
fn reading_the_contents_or_passing_options_abstains() {
    abstains_mentioning(
        r#"require("fs").promises.readFile("a").then((b) => console.log(b.length));"#,
        "Buffer of",
    );
    abstains_mentioning(
        r#"require("fs").promises.readFile("a", "utf8").then(console.log);"#,
        "no options",
    );
}

#[test]
fn explain_gives_the_lines_before_a_race_and_what_waits() {
    // t2.cjs: Node printed `main true|cb null object|n|p|i` and then `t` and `access null`
    // in an order that depends on the disk.
    let source = r#"const fs = require("fs");
fs.stat("t2.cjs", (err, st) => { console.log("cb", err, typeof st); setTimeout(() => console.log("t"), 0); setImmediate(() => console.log("i"));
  Promise.resolve().then(() => console.log("p")); process.nextTick(() => console.log("n"));
  fs.access("t2.cjs", (e) => console.log("access", e)); });
console.log("main", fs.promises === require("fs/promises"));
"#;
    let tree = crate::syntax::parse(source, None);
    let explained = explain_order(source, &tree, ModuleKind::CommonJs);
    assert!(matches!(explained.outcome, OrderOutcome::Abstained(_)));
    let determined: Vec<&str> = explained.determined.iter().map(|l| &*l.text).collect();
    assert_eq!(determined, ["main true", "cb null object", "n", "p", "i"]);
    assert_eq!(
        explained.waiting,
        ["I/O: `fs.access` at line 4", "setTimeout at line 2"]
    );
    assert_eq!(explained.assumptions, ["`fs.stat` at line 2"]);
}

#[test]
fn hovers_count_from_an_io_promise_settling_without_a_hedge() {
    let source = "const fsp = require(\"fs/promises\");\n\
        async function load(p) { const b = await fsp.readFile(p); await null; return b; }\n\
        load(\"x\");\n";
    let tree = crate::syntax::parse(source, None);
    let (facts, order) = crate::engine::facts_and_order(source, &tree, ModuleKind::CommonJs);
    // The facts run does not follow completions, so its order outcome stops at the call.
    assert!(
        matches!(&order, OrderOutcome::Abstained(a) if a.reason.contains("does I/O")),
        "{order:?}"
    );
    let load = facts
        .iter()
        .find(|f| f.name == "load")
        .expect("load's facts");
    let resumes: Vec<_> = load.awaits.iter().map(|a| a.resume.clone()).collect();
    let after = |jobs| crate::engine::ResumeTick::AfterSettle {
        jobs,
        operand: "fsp.readFile(p)".to_owned(),
        if_native_promise: false,
    };
    assert_eq!(resumes, [after(1), after(2)]);
}
