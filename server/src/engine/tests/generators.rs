//! Engine tests for generators. Every expected output was produced by Node
//! v24.11.1 running the same program as a CommonJS file.

use super::{abstains_mentioning, cjs};

#[test]
fn generators_resume_yield_delegate_close_and_interleave_with_awaits() {
    let source = r#"
function* count(n) {
  try {
    for (let i = 0; i < n; i++) {
      const got = yield i;
      if (got !== undefined) console.log("got", got);
    }
    return "done";
  } finally {
    console.log(`cleanup ${n}`);
  }
}
const g = count(3);
console.log(g.next(), g.next("a"), g.next());
console.log(g.next(), g.next());
for (const x of count(2)) console.log("of", x);
for (const x of count(5)) { if (x === 1) break; console.log("brk", x); }
const h = count(4);
h.next();
console.log(h.return(42), h.next());
const t = count(4);
t.next();
try { t.throw(new Error("boom")); } catch (e) { console.log("caught", e.message); }
console.log(t.next());
function* inner() { const r = yield 1; console.log("inner got", r); yield 2; return "inner-ret"; }
function* outer() { const v = yield* inner(); console.log("delegate value", v); yield* [7, 8]; }
const o = outer();
console.log(o.next(), o.next("x"), o.next(), o.next(), o.next(), o.next());
console.log([...count(2)]);
const spread = [...count(2), ...count(1)];
console.log(spread);
function* lazy() { console.log("started"); yield 1; }
const l = lazy(); console.log("created"); l.next();
const s = count(1); console.log(s.return(5), s.next());
async function run() { for (const x of count(2)) { await null; console.log("async of", x); } }
run(); console.log("sync end");
const obj = { *items() { yield "m"; } };
for (const m of obj.items()) console.log(m);
console.log(typeof g, typeof count);
"#;
    assert_eq!(
        cjs(source),
        [
            "got a",
            "{ value: 0, done: false } { value: 1, done: false } { value: 2, done: false }",
            "cleanup 3",
            "{ value: 'done', done: true } { value: undefined, done: true }",
            "of 0",
            "of 1",
            "cleanup 2",
            "brk 0",
            "cleanup 5",
            "cleanup 4",
            "{ value: 42, done: true } { value: undefined, done: true }",
            "cleanup 4",
            "caught boom",
            "{ value: undefined, done: true }",
            "inner got x",
            "delegate value inner-ret",
            "{ value: 1, done: false } { value: 2, done: false } { value: 7, done: false } { value: 8, done: false } { value: undefined, done: true } { value: undefined, done: true }",
            "cleanup 2",
            "[ 0, 1 ]",
            "cleanup 2",
            "cleanup 1",
            "[ 0, 1, 0 ]",
            "created",
            "started",
            "{ value: 5, done: true } { value: undefined, done: true }",
            "sync end",
            "m",
            "object function",
            "async of 0",
            "async of 1",
            "cleanup 2"
        ]
    );
}

#[test]
fn return_on_a_generator_inside_yield_star_abstains() {
    abstains_mentioning("function* a() { yield 1; }\nfunction* b() { yield* a(); }\nconst g = b();\ng.next();\ng.return(1);", "yield*");
}
