//! Engine tests for async generators and `for await` over iterables. Every
//! expected output was produced by Node v24.11.1 running the same program as
//! a CommonJS file.

use super::{abstains_mentioning, prints};

/// Asserts what Node prints for `source` followed by a chain of `jobs`
/// promise jobs, each printing its number (`job 3` runs in the third
/// microtask generation), so the output shows in which job each line ran.
fn prints_after_jobs(source: &str, jobs: usize, stdout: &str) {
    let chain = format!(
        "let p = Promise.resolve();\nfor (let i = 1; i <= {jobs}; i++) p = p.then(() => console.log(\"job\", i));\n"
    );
    prints(&format!("{source}{chain}"), stdout);
}

#[test]
fn request_queue_yield_awaits_and_return_settle_in_order_with_jobs() {
    let source = r#"
async function* numbers(n) {
  try {
    for (let i = 0; i < n; i++) {
      console.log("yielding", i);
      const sent = yield i;
      if (sent !== undefined) console.log("sent", sent);
    }
    return "end";
  } finally {
    console.log("finally", n);
  }
}
const it = numbers(2);
it.next().then((r) => console.log("r1", r.value, r.done));
it.next("a").then((r) => console.log("r2", r.value, r.done));
it.next().then((r) => console.log("r3", r.value, r.done));
it.next().then((r) => console.log("r4", r.value, r.done));
let p = Promise.resolve();
for (let i = 1; i <= 6; i++) p = p.then(() => console.log("job", i));
process.nextTick(() => console.log("tick"));
queueMicrotask(() => console.log("micro"));
console.log("sync end");
"#;
    prints(
        source,
        "
yielding 0
sync end
tick
sent a
yielding 1
job 1
micro
r1 0 false
job 2
r2 1 false
finally 2
job 3
r3 end true
r4 undefined true
job 4
job 5
job 6
",
    );
}

#[test]
fn return_and_throw_requests_before_at_and_after_yields() {
    let source = r#"
async function* g() {
  try {
    yield Promise.resolve("one");
    await null;
    console.log("after await");
    yield "two";
  } finally {
    console.log("cleanup");
  }
}
const a = g();
a.next().then((r) => console.log("a1", r.value));
a.return("early").then((r) => console.log("a-ret", r.value, r.done));
a.next().then((r) => console.log("a-after", r.value, r.done));
const b = g();
b.return(Promise.resolve("unstarted")).then((r) => console.log("b-ret", r.value, r.done));
const c = g();
c.next().then(() => c.throw(new Error("boom"))).catch((e) => console.log("c-caught", e.message));
async function* bad() { await null; throw new Error("inside"); }
bad().next().catch((e) => console.log("bad", e.message));
const d = g();
d.throw(new Error("before start")).catch((e) => console.log("d", e.message));
d.next().then((r) => console.log("d-next", r.done));
"#;
    prints_after_jobs(
        source,
        7,
        "
d before start
d-next true
job 1
a1 one
cleanup
b-ret unstarted true
cleanup
bad inside
job 2
a-ret early true
a-after undefined true
job 3
job 4
c-caught boom
job 5
job 6
job 7
",
    );
}

#[test]
fn yield_star_over_async_sync_and_array_and_methods_in_classes_and_objects() {
    let source = r#"
async function* inner() { yield 1; await null; yield 2; return "inner done"; }
function* syncInner() { yield "s1"; yield "s2"; return "sync done"; }
async function* outer() {
  const r = yield* inner();
  console.log("delegated", r);
  const s = yield* syncInner();
  console.log("sync delegated", s);
  yield* ["x", "y"];
}
async function main() {
  for await (const v of outer()) console.log("got", v);
  console.log("main done");
}
main();
class Feed {
  constructor(items) { this.items = items; }
  async *entries() { for (const item of this.items) { await null; yield item.toUpperCase(); } }
}
const obj = { async *pairs() { yield [1, 2]; yield [3, 4]; } };
(async () => {
  for await (const e of new Feed(["a", "b"]).entries()) console.log("feed", e);
  for await (const [x, y] of obj.pairs()) { console.log("pair", x + y); break; }
  console.log("iife done");
})();
setTimeout(() => console.log("timeout"), 0);
"#;
    prints_after_jobs(
        source,
        12,
        "
job 1
job 2
got 1
feed A
job 3
job 4
job 5
feed B
job 6
got 2
job 7
job 8
delegated inner done
pair 3
job 9
job 10
iife done
job 11
got s1
job 12
got s2
sync delegated sync done
got x
got y
main done
timeout
",
    );
}

#[test]
fn for_await_closes_async_and_sync_generators_on_break_return_and_throw() {
    let source = r#"
async function* g(label) {
  try { yield label + 1; yield label + 2; } finally { console.log(label, "closed"); }
}
function* s() { try { yield 1; yield 2; } finally { console.log("sync closed"); } }
async function loopBreak() { for await (const x of g("b")) { console.log("b", x); break; } console.log("after break"); }
async function loopReturn() { for await (const x of g("r")) { console.log("r", x); return "ret"; } }
async function loopThrow() {
  try { for await (const x of g("t")) { console.log("t", x); throw new Error("thrown"); } }
  catch (e) { console.log("caught", e.message); }
}
async function loopSync() { for await (const x of s()) { console.log("s", x); if (x === 1) break; } console.log("after sync"); }
async function loopPromises() { for await (const x of [Promise.resolve("p"), "q", { then(r) { r("th"); } }]) console.log("arr", x); console.log("after arr"); }
async function full() { for await (const x of g("f")) console.log("f", x); console.log("after full"); }
loopBreak(); loopReturn().then((v) => console.log("returned", v)); loopThrow(); loopSync(); loopPromises(); full();
"#;
    prints_after_jobs(
        source,
        10,
        "
job 1
b b1
r r1
t t1
s 1
sync closed
arr p
f f1
job 2
b closed
r closed
t closed
job 3
after break
caught thrown
after sync
arr q
f f2
f closed
job 4
returned ret
after full
job 5
job 6
arr th
job 7
job 8
after arr
job 9
job 10
",
    );
}

#[test]
fn return_reaching_yield_star_awaits_then_closes_the_inner_iterator() {
    let source = r#"
async function* inner(tag) {
  try { yield tag + 1; yield tag + 2; return tag + " inner ret"; } finally { console.log(tag, "inner cleanup"); }
}
function* syncInner() { try { yield "s1"; yield "s2"; } finally { console.log("sync inner cleanup"); } }
async function* viaAsync() { try { const r = yield* inner("a"); console.log("got", r); } finally { console.log("viaAsync cleanup"); } }
async function* viaArray() { try { yield* ["x", Promise.resolve("y")]; } finally { console.log("viaArray cleanup"); } }
async function* viaSync() { try { yield* syncInner(); } finally { console.log("viaSync cleanup"); } }
async function drain(label, it, stopAfter) {
  let n = 0;
  for await (const v of it) { console.log(label, v); if (++n === stopAfter) break; }
  console.log(label, "done");
}
drain("A", viaAsync(), 1);
drain("B", viaArray(), 1);
drain("C", viaSync(), 1);
drain("D", viaAsync(), 5);
const e = viaAsync();
e.next().then((r) => { console.log("e1", r.value); return e.return(Promise.resolve("R")); }).then((r) => console.log("e ret", r.value, r.done));
"#;
    prints_after_jobs(
        source,
        10,
        "
job 1
job 2
A a1
B x
C s1
D a1
e1 a1
job 3
sync inner cleanup
job 4
a inner cleanup
viaArray cleanup
a inner cleanup
job 5
viaAsync cleanup
B done
viaSync cleanup
D a2
viaAsync cleanup
job 6
A done
C done
a inner cleanup
job 7
got a inner ret
viaAsync cleanup
e ret R true
job 8
D done
job 9
job 10
",
    );
}

#[test]
fn throw_on_an_async_generator_inside_yield_star_abstains() {
    abstains_mentioning("async function* a() { yield 1; }\nasync function* b() { yield* a(); }\nconst g = b();\ng.next().then(() => g.throw(new Error(\"x\")));", "yield*");
}

#[test]
fn for_await_over_a_string_abstains() {
    abstains_mentioning(
        "(async () => { for await (const c of \"ab\") console.log(c); })();",
        "for await",
    );
}
