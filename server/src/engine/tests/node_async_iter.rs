//! The async iterators of Node's built-in modules: `events.on` (`node_async_iter.rs`) and
//! `timers/promises` `setInterval` (`node_interval.rs`), and the `{ signal }` option of the
//! `timers/promises` timers (`node_abort_timers.rs`). Every expected output was printed by
//! Node v24.11.1 running the same program (`node FILE.js` or `node FILE.mjs`); the lines are
//! joined with `|`.

use super::{abstains_mentioning, prints_as, resumes_of, ModuleKind, ResumeTick};

#[test]
fn events_on_resumes_one_job_after_each_emit_and_break_closes_it() {
    prints_as(
        ModuleKind::CommonJs,
        "got 1|p1|p2|p3|p4|got 3|t1|after 0 0|t2|t3",
        r#"// `for await` over `events.on`: each emit resolves the waiting `next()`; `break` awaits `return()`
const { EventEmitter, on } = require("node:events");
const e = new EventEmitter();
async function main() {
  for await (const args of on(e, "x")) {
    console.log("got", args[0]);
    if (args[0] === 3) break;
  }
  console.log("after", e.listenerCount("x"), e.listenerCount("error"));
}
main();
e.emit("x", 1);
Promise.resolve().then(() => console.log("p1")).then(() => console.log("p2")).then(() => console.log("p3")).then(() => console.log("p4"));
setTimeout(() => { e.emit("x", 3); e.emit("x", 4); Promise.resolve().then(() => console.log("t1")).then(() => console.log("t2")).then(() => console.log("t3")); }, 5);
"#,
    );
}

#[test]
fn events_on_queues_events_emitted_before_the_loop_asks() {
    prints_as(
        ModuleKind::CommonJs,
        "listeners 1 1|tick|got 1 a|m1|p1|got 2 b|p2|got 3 c|p3|out 0|p4|p5",
        r#"// events emitted before a `next()` wait in the iterator's queue; each step is a fulfilled promise
const { EventEmitter, on } = require("events");
const e = new EventEmitter();
const it = on(e, "x");
e.emit("x", 1, "a");
e.emit("x", 2, "b");
console.log("listeners", e.listenerCount("x"), e.listenerCount("error"));
(async () => {
  for await (const [n, s] of it) {
    console.log("got", n, s);
    if (n === 3) break;
  }
  console.log("out", e.listenerCount("x"));
})();
process.nextTick(() => { console.log("tick"); e.emit("x", 3, "c"); });
queueMicrotask(() => console.log("m1"));
Promise.resolve().then(() => console.log("p1")).then(() => console.log("p2")).then(() => console.log("p3")).then(() => console.log("p4")).then(() => console.log("p5"));
"#,
    );
}

#[test]
fn events_on_error_rejects_the_waiting_step_and_removes_both_listeners() {
    prints_as(
        ModuleKind::CommonJs,
        "data 1|q1|caught boom 0 0|q2|q3",
        r#"// an `'error'` event rejects the pending `next()` and closes the iterator
const { EventEmitter, on } = require("events");
const e = new EventEmitter();
async function main() {
  try {
    for await (const [v] of on(e, "data")) console.log("data", v);
  } catch (err) {
    console.log("caught", err.message, e.listenerCount("data"), e.listenerCount("error"));
  }
}
main();
setImmediate(() => {
  e.emit("data", 1);
  e.emit("error", new Error("boom"));
  Promise.resolve().then(() => console.log("q1")).then(() => console.log("q2")).then(() => console.log("q3"));
});
"#,
    );
}

#[test]
fn events_on_return_settles_pending_steps_as_done() {
    prints_as(
        ModuleKind::CommonJs,
        "count 0 false|a 7 false|b undefined true|ret undefined true|after true|p1|p2",
        r#"// `return()` removes the listeners and resolves every pending `next()` with `done: true`
const { EventEmitter, on } = require("events");
const e = new EventEmitter();
const it = on(e, "x");
const a = it.next();
const b = it.next();
a.then((r) => console.log("a", r.value[0], r.done));
b.then((r) => console.log("b", r.value, r.done));
e.emit("x", 7);
it.return().then((r) => console.log("ret", r.value, r.done));
console.log("count", e.listenerCount("x"), e.emit("x", 8));
it.next().then((r) => console.log("after", r.done));
Promise.resolve().then(() => console.log("p1")).then(() => console.log("p2"));
"#,
    );
}

#[test]
fn events_on_imported_in_an_es_module_with_top_level_for_await() {
    prints_as(
        ModuleKind::EsModule,
        "v m|v t|c1|end|c2",
        r#"// ES import of `on`, a top-level `for await`, emits from a microtask and a timer
import { EventEmitter, on } from "node:events";
const e = new EventEmitter();
let n = 0;
setTimeout(() => { e.emit("x", "t"); Promise.resolve().then(() => console.log("c1")).then(() => console.log("c2")); }, 1);
queueMicrotask(() => e.emit("x", "m"));
for await (const [v] of on(e, "x")) {
  console.log("v", v);
  if (++n === 2) break;
}
console.log("end");
"#,
    );
}

#[test]
fn timers_promises_set_interval_yields_each_tick_and_break_clears_it() {
    prints_as(
        ModuleKind::CommonJs,
        "tick|x 0|b1|b2|b3|t|c1|c2|c3|c4|x 1|b1|b2|b3|x 2|b1|b2|done|b3",
        r#"// `setInterval` of timers/promises: the loop body runs in the timer's phase; `break` takes two jobs
const { setInterval } = require("timers/promises");
async function main() {
  let n = 0;
  for await (const v of setInterval(10, "x")) {
    console.log(v, n);
    Promise.resolve().then(() => console.log("b1")).then(() => console.log("b2")).then(() => console.log("b3"));
    if (++n === 3) break;
  }
  console.log("done");
}
main();
setTimeout(() => { console.log("t"); Promise.resolve().then(() => console.log("c1")).then(() => console.log("c2")).then(() => console.log("c3")).then(() => console.log("c4")); }, 10);
process.nextTick(() => console.log("tick"));
"#,
    );
}

#[test]
fn timers_promises_set_interval_requests_queue_like_an_async_generator() {
    prints_as(
        ModuleKind::EsModule,
        "p1|p2|p3|a v false|b v false|ret r true|c undefined true",
        r#"// manual `next()`/`return(v)` requests queue; a request after the end settles at once
import { setInterval } from "node:timers/promises";
const it = setInterval(5, "v");
it.next().then((r) => console.log("a", r.value, r.done));
it.next().then((r) => console.log("b", r.value, r.done));
it.return("r").then((r) => console.log("ret", r.value, r.done));
it.next().then((r) => console.log("c", r.value, r.done));
Promise.resolve().then(() => console.log("p1")).then(() => console.log("p2")).then(() => console.log("p3"));
"#,
    );
}

#[test]
fn timers_promises_set_interval_return_before_the_start_never_arms_the_timer() {
    prints_as(
        ModuleKind::CommonJs,
        "p1|ret early true|next undefined true|p2|p3|imm",
        r#"// `return(v)` before the first `next()` settles one job after PromiseResolve(v); no timer runs
const { setInterval } = require("timers/promises");
const it = setInterval(20, "x");
it.return("early").then((r) => console.log("ret", r.value, r.done));
it.next().then((r) => console.log("next", r.value, r.done));
Promise.resolve().then(() => console.log("p1")).then(() => console.log("p2")).then(() => console.log("p3"));
setImmediate(() => console.log("imm"));
"#,
    );
}

#[test]
fn timers_promises_set_interval_return_awaits_its_value_at_the_yield() {
    prints_as(
        ModuleKind::CommonJs,
        "first x false|p1|p2|ret z true|p3|p4",
        r#"// `return(promise)` at a `yield` awaits the promise, then settles the request
const { setInterval } = require("timers/promises");
async function main() {
  const it = setInterval(10, "x");
  const first = await it.next();
  console.log("first", first.value, first.done);
  Promise.resolve().then(() => console.log("p1")).then(() => console.log("p2")).then(() => console.log("p3")).then(() => console.log("p4"));
  const r = await it.return(Promise.resolve("z"));
  console.log("ret", r.value, r.done);
}
main();
"#,
    );
}

#[test]
fn timers_promises_set_interval_inside_yield_star_style_wrapper() {
    prints_as(
        ModuleKind::CommonJs,
        "got y|m1|m2|m3|m4|m5|got y|m1|m2|m3|end|m4|m5",
        r#"// an async generator re-yielding the interval's values, left by `return` inside `for await`
const { setInterval: every } = require("node:timers/promises");
async function* take(it, k) { for await (const v of it) { yield v; if (--k === 0) return; } }
async function main() {
  for await (const v of take(every(5, "y"), 2)) {
    console.log("got", v);
    Promise.resolve().then(() => console.log("m1")).then(() => console.log("m2")).then(() => console.log("m3")).then(() => console.log("m4")).then(() => console.log("m5"));
  }
  console.log("end");
}
main();
"#,
    );
}

#[test]
fn options_of_events_on_set_interval_and_once_abstain_in_an_order_run() {
    let emitter = "const { EventEmitter, on, once } = require(\"events\");\n\
        const e = new EventEmitter();\n";
    abstains_mentioning(
        &format!("{emitter}const it = on(e, \"x\", {{ close: [\"end\"] }});\n"),
        "`events.on` options",
    );
    abstains_mentioning(
        &format!("{emitter}once(e, \"x\", {{ signal: AbortSignal.timeout(5) }});\n"),
        "`events.once` options",
    );
    abstains_mentioning(
        "const { setInterval } = require(\"timers/promises\");\n\
         setInterval(5, 1, { ref: false });\n",
        "`setInterval` options",
    );
    abstains_mentioning(
        "const { setTimeout } = require(\"timers/promises\");\n\
         setTimeout(5, 1, { signal: new AbortController().signal, ref: false });\n",
        "timer options",
    );
}

/// A facts run goes on past the options it does not model: the iterator or promise is an
/// unknown, and a `for await` over an unknown runs as many turns as each path decides.
#[test]
fn a_facts_run_goes_on_past_unmodelled_options_and_unknown_iterators() {
    let source = "const { EventEmitter, on, once } = require(\"events\");\n\
        const e = new EventEmitter();\n\
        const ready = once(e, \"ready\", { signal: AbortSignal.timeout(5) });\n\
        async function main() { await null; await null; }\n\
        main();\n\
        async function drain(emitter) {\n\
          await null;\n\
          for await (const [v] of on(emitter, \"x\", { close: [\"end\"] })) { console.log(v); }\n\
          await null; }\n\
        module.exports = drain;\n";
    let main = resumes_of(source, "main");
    assert_eq!(
        main,
        [
            ResumeTick::AfterEntry { jobs: 1 },
            ResumeTick::AfterEntry { jobs: 2 }
        ]
    );
    let drain = resumes_of(source, "drain");
    assert_eq!(drain[0], ResumeTick::AfterEntry { jobs: 1 });
    assert!(
        !matches!(drain.last(), Some(ResumeTick::AfterEntry { .. })),
        "{drain:?}"
    );
}

#[test]
fn a_signal_aborted_later_rejects_a_sleep_six_jobs_after_the_abort() {
    prints_as(
        ModuleKind::CommonJs,
        "t1|t2|t3|t4|t5|caught AbortError ABORT_ERR The operation was aborted true|t6|t7|t8|pre AbortError|u1|u2|u3|u4|u5|u6|u7|u8",
        r#"// `{ signal }`: abort() clears the timer and rejects through SafePromisePrototypeFinally; an aborted signal rejects at once
const { setTimeout: sleep } = require("timers/promises");
const c = new AbortController();
const chain = (tag) => { let p = Promise.resolve(); for (let i = 1; i <= 8; i++) p = p.then(() => console.log(tag + i)); };
async function a() {
  try { await sleep(50, "v", { signal: c.signal }); } catch (e) { console.log("caught", e.name, e.code, e.message, e.cause === "why"); }
}
a();
setTimeout(() => { c.abort("why"); chain("t"); }, 5);
async function d() { try { await sleep(5, 1, { signal: c.signal }); } catch (e) { console.log("pre", e.name); } }
setTimeout(() => { d(); chain("u"); }, 20);
"#,
    );
}

#[test]
fn a_signal_aborted_from_a_microtask_rejects_a_pending_immediate() {
    prints_as(
        ModuleKind::CommonJs,
        "m1|m2|m3|m4|m5|caught AbortError ABORT_ERR The operation was aborted false|count after true|m6|m7|m8",
        r#"// `setImmediate(value, { signal })` aborted before the check phase
const { setTimeout: sleep, setImmediate: pause } = require("timers/promises");
const c = new AbortController();
const chain = (tag) => { let p = Promise.resolve(); for (let i = 1; i <= 8; i++) p = p.then(() => console.log(tag + i)); };
async function a() {
  try { await pause("v", { signal: c.signal }); } catch (e) { console.log("caught", e.name, e.code, e.message, e.cause === undefined); }
  console.log("count after", c.signal.aborted);
}
a();
Promise.resolve().then(() => { c.abort(); chain("m"); });
"#,
    );
}

#[test]
fn an_abort_signal_timeout_rejects_a_longer_sleep_and_spares_a_shorter_one() {
    prints_as(
        ModuleKind::EsModule,
        "early|x1|x2|x3|x4|x5|x6|x7|x8|aborted AbortError ABORT_ERR|kept true",
        r#"// `AbortSignal.timeout(30)` as the signal of two sleeps; an abort after the sleep settled changes nothing
import { setTimeout as sleep } from "node:timers/promises";
const signal = AbortSignal.timeout(30);
const chain = (tag) => { let p = Promise.resolve(); for (let i = 1; i <= 8; i++) p = p.then(() => console.log(tag + i)); };
try {
  console.log(await sleep(5, "early", { signal }));
  chain("x");
  await sleep(60, "late", { signal });
} catch (e) {
  console.log("aborted", e.name, e.code);
}
const c = new AbortController();
const v = await sleep(1, "kept", { signal: c.signal });
c.abort();
console.log(v, c.signal.aborted);
"#,
    );
}
