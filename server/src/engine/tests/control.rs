//! Engine tests for `switch`, labels, `for...in`, destructuring and optional
//! chains. Every expected output was produced by Node v24.11.1 running the
//! same program as a CommonJS file.

use super::{abstains_mentioning, cjs};

#[test]
fn switch_tests_cases_in_order_with_strict_equality_and_falls_through() {
    let source = r#"
async function pick(x) {
  switch (x) {
    case 1:
      console.log("one");
    case 2: {
      console.log("two");
      await null;
      break;
    }
    default:
      console.log("default");
    case "3":
      console.log("three-string");
      break;
    case 4:
      console.log("four");
  }
  console.log("end", x);
}
pick(1); pick(2); pick(3); pick("3"); pick(4);
let calls = [];
function t(v) { calls.push(v); return v; }
switch (5) { case t(1): break; default: console.log("d"); case t(5): console.log("five"); case t(6): console.log("six"); }
console.log(calls.join(","));
switch (NaN) { case NaN: console.log("nan"); break; default: console.log("no nan"); }
for (let i = 0; i < 3; i++) { switch (i) { case 1: continue; } console.log("i", i); }
"#;
    assert_eq!(
        cjs(source),
        [
            "one",
            "two",
            "two",
            "default",
            "three-string",
            "end 3",
            "three-string",
            "end 3",
            "four",
            "end 4",
            "five",
            "six",
            "1,5",
            "no nan",
            "i 0",
            "i 2",
            "end 1",
            "end 2"
        ]
    );
}

#[test]
fn labelled_break_and_continue_leave_loops_and_blocks_through_finally() {
    let source = r#"
outer: for (let i = 0; i < 3; i++) {
  inner: for (let j = 0; j < 3; j++) {
    if (j === 1) continue outer;
    if (i === 2) break outer;
    console.log(i, j);
  }
}
block: {
  console.log("in block");
  if (true) break block;
  console.log("never");
}
async function f() {
  a: b: while (true) {
    try {
      await null;
      break a;
    } finally {
      console.log("finally");
    }
  }
  console.log("after loop");
}
f(); console.log("sync end");
"#;
    assert_eq!(
        cjs(source),
        [
            "0 0",
            "1 0",
            "in block",
            "sync end",
            "finally",
            "after loop"
        ]
    );
}

#[test]
fn for_in_visits_own_keys_in_order_and_skips_removed_indices() {
    let source = r#"
const o = { b: 1, a: 2, z: 3 };
for (const k in o) console.log(k, o[k]);
for (const i in [10, 20]) console.log(typeof i, i);
for (const c in "hi") console.log(c);
for (const k in null) console.log("never");
const arr = [1, 2, 3];
for (const i in arr) { console.log(i); arr.pop(); }
const p = { x: 1 };
for (const k in p) { p.y = 2; console.log(k); }
var key;
for (key in { m: 1, n: 2 }) {}
console.log(key);
async function g() { for (const k in { q: 1, r: 2 }) { await null; console.log(k); } }
g(); console.log("sync");
"#;
    assert_eq!(
        cjs(source),
        [
            "b 1", "a 2", "z 3", "string 0", "string 1", "0", "1", "0", "1", "x", "n", "sync", "q",
            "r"
        ]
    );
}

#[test]
fn destructuring_nests_with_defaults_and_rest_everywhere() {
    let source = r#"
const { a, b: { c = 5, d } = {}, ...rest } = { a: 1, b: { d: 4 }, e: 6, f: 7 };
console.log(a, c, d, rest);
const [x, , y = 9, ...zs] = [1, 2, undefined, 4, 5];
console.log(x, y, zs);
const [h, i] = "hi";
console.log(h, i);
function f({ p, q = 2 } = {}, [r, s] = [3, 4], ...more) { return [p, q, r, s, more]; }
console.log(f(), f({ p: 1 }, [7], 8, 9));
let m = 1, n = 2;
[m, n] = [n, m];
console.log(m, n);
const obj = {};
({ u: obj.u, v: obj["v"] } = { u: 1, v: 2 });
console.log(obj);
for (const [k, v] of [["a", 1], ["b", 2]]) console.log(k, v);
for (const { name, age = 0 } of [{ name: "x" }, { name: "y", age: 3 }]) console.log(name, age);
try { throw { code: 7, msg: "boom" }; } catch ({ code, msg }) { console.log(code, msg); }
const { fn = () => {} } = {};
console.log(fn);
async function g({ delay }) { await null; console.log("delay", delay); }
g({ delay: 3 }); console.log("sync");
let a2, b2;
const res = ([a2, b2] = [1, 2]);
console.log(res, a2, b2);
var [va, vb] = [1, 2]; console.log(va, vb);
"#;
    assert_eq!(
        cjs(source),
        [
            "1 5 4 { e: 6, f: 7 }",
            "1 9 [ 4, 5 ]",
            "h i",
            "[ undefined, 2, 3, 4, [] ] [ 1, 2, 7, undefined, [ 8, 9 ] ]",
            "2 1",
            "{ u: 1, v: 2 }",
            "a 1",
            "b 2",
            "x 0",
            "y 3",
            "7 boom",
            "[Function: fn]",
            "sync",
            "[ 1, 2 ] 1 2",
            "1 2",
            "delay 3"
        ]
    );
}

#[test]
fn optional_chains_short_circuit_the_whole_chain() {
    let source = r#"
const o = { a: { b: { c: 1 } }, f() { return "f"; }, arr: [1, 2] };
const n = null;
console.log(o?.a?.b?.c, n?.a.b.c, n?.a.b(), o.x?.y.z);
console.log(o.f?.(), o.g?.(), o?.["arr"]?.[1], n?.[0]);
let count = 0;
function inc() { count++; return 1; }
n?.a(inc());
console.log(count);
const u = undefined;
console.log(u?.x ?? "default");
async function h(x) { const v = (await x)?.key; console.log("v", v); }
h({ key: 1 }); h(null); console.log("sync");
console.log(o?.a.b.c, (o?.a).b.c);
"#;
    assert_eq!(
        cjs(source),
        [
            "1 undefined undefined undefined",
            "f undefined 2 undefined",
            "0",
            "default",
            "sync",
            "1 1",
            "v 1",
            "v undefined"
        ]
    );
}

/// Destructuring an unmodelled iterable, or `undefined` (instead of guessing
/// the TypeError's message), abstains for a reason naming what it met.
#[test]
fn destructuring_what_the_engine_does_not_model_abstains() {
    let cases = [
        (
            "const m = { a: 1 };\nconst [x] = m;\nconsole.log(x);",
            "array destructuring",
        ),
        (
            "let u;\ntry { const { a } = u; } catch (e) { console.log(e.message); }",
            "TypeError",
        ),
    ];
    for (source, reason) in cases {
        abstains_mentioning(source, reason);
    }
}

/// `tick - start` is the number of microtask generations since the call
/// (a counter job that re-queues itself, queued first).
#[test]
fn for_await_over_arrays_costs_two_jobs_a_step_and_one_to_close() {
    let source = r#"
let tick = 0;
function counter() { tick++; if (tick < 40) queueMicrotask(counter); }
queueMicrotask(counter);
async function plain(items) {
  const start = tick;
  for await (const x of items) console.log("item", x, "at", tick - start);
  console.log("done at", tick - start);
}
async function early(items) {
  const start = tick;
  for await (const x of items) { console.log("early", x, "at", tick - start); if (x === 2) break; }
  console.log("after break at", tick - start);
}
async function fromReturn(items) {
  const start = tick;
  try {
    for await (const [k, v] of items) { if (k === "b") return v; }
  } finally {
    console.log("finally at", tick - start);
  }
}
async function rejected() {
  const start = tick;
  try {
    for await (const x of [1, Promise.reject(new Error("no")), 3]) console.log("rej item", x, "at", tick - start);
  } catch (e) {
    console.log("caught", e.message, "at", tick - start);
  }
}
async function thrower() {
  const start = tick;
  try {
    for await (const x of [1, 2]) { throw new Error("body " + x); }
  } catch (e) {
    console.log("caught", e.message, "at", tick - start);
  }
}
plain([1, Promise.resolve(2), { then(r) { r(3); } }]);
early([1, 2, 3]);
fromReturn([["a", 1], ["b", 2]]).then((v) => console.log("returned", v, "at", tick));
rejected();
thrower();
"#;
    assert_eq!(
        cjs(source),
        [
            "item 1 at 2",
            "early 1 at 2",
            "rej item 1 at 2",
            "caught body 1 at 3",
            "item 2 at 4",
            "early 2 at 4",
            "caught no at 4",
            "after break at 5",
            "finally at 5",
            "returned 2 at 6",
            "item 3 at 7",
            "done at 9"
        ]
    );
}

#[test]
fn for_await_over_a_map_abstains() {
    abstains_mentioning("const m = new Map([[1, 2]]);\nasync function f() { for await (const x of m) console.log(x); }\nf();", "for await");
}
