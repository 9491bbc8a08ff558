//! What the hovers say about the suspensions no tick describes (`for await`
//! loops, `yield`s and async generators), checked against Node 24: each case
//! is a program whose output shows the behaviour a sentence of the hover
//! states, and the hover at the program's `/*$0*/` must state it. Node comes
//! from `TICKLENS_NODE` or `scripts/install-node.sh`; without it the test fails.

#[path = "differential/node.rs"]
mod node;

use std::time::Duration;

use ticklens::analysis::insights;
use ticklens::engine::ModuleKind;
use ticklens::syntax;

/// A program, the output Node 24 gives it, and what the hover at `/*$0*/` says.
struct Case {
    name: &'static str,
    program: &'static str,
    node_prints: &'static str,
    says: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "the_hedge_on_an_unknown_operand_counts_thenables_and_subclasses_settled_before_and_after",
        // `wait` is called through a value the engine cannot follow, so its
        // await gets the hedge of a parameter nothing decides.
        program: r#"class Sub extends Promise {}
let tick = 0;
function count(n) { if (n > 0) queueMicrotask(() => { tick++; count(n - 1); }); }
async function wait(x) {
  /*$0*/await x;
  return tick;
}
function make(kind) {
  let resolve;
  if (kind === "native") return [new Promise((r) => (resolve = r)), () => resolve(1)];
  if (kind === "subclass") return [new Sub((r) => (resolve = r)), () => resolve(1)];
  let done = false, callback = null;
  const thenable = { then(r) { if (done) r(1); else callback = r; } };
  return [thenable, () => { done = true; if (callback) callback(1); }];
}
async function measure(kind, settledFirst) {
  const [value, settle] = make(kind);
  if (settledFirst) settle();
  tick = 0;
  count(10);
  const resumed = [wait][Math.floor(Math.random() * 0.5)](value);
  let settledAt = 0;
  if (!settledFirst) {
    await null;
    settledAt = tick;
    settle();
  }
  return (await resumed) - settledAt;
}
async function main() {
  const out = [];
  for (const settledFirst of [true, false]) {
    const ticks = [];
    for (const kind of ["native", "thenable", "subclass"]) {
      ticks.push(kind + " " + (await measure(kind, settledFirst)));
      // The counter's rounds end before the next measure starts.
      await new Promise((r) => setTimeout(r, 1));
    }
    out.push((settledFirst ? "settled first: " : "settled after: ") + ticks.join(", "));
  }
  console.log(out.join("\n"));
}
main();
"#,
        node_prints: "settled first: native 1, thenable 2, subclass 3\n\
                      settled after: native 1, thenable 1, subclass 2",
        says: &[
            "Resumes 1 tick after `x` settles (fulfils or rejects), if it is a native `Promise`",
            "a thenable would resume 1 tick later and a `Promise` subclass 2 ticks later when it \
             settled before the `await`",
            "one tick less each when it settles after",
        ],
    },
    Case {
        name: "a_yield_awaits_a_thenable_and_waits_for_the_next_call_of_next",
        program: r#"const log = [];
async function* g() {
  log.push("body");
  /*$0*/yield { then(r) { r(5); } };
  log.push("after yield");
}
async function main() {
  const it = g();
  log.push("called");
  const first = await it.next();
  log.push("value " + first.value);
  await null;
  await null;
  log.push("idle");
  await it.next();
  console.log(log.join(","));
}
main();
"#,
        node_prints: "called,body,value 5,idle,after yield",
        says: &[
            "Awaits the value first, as `await` would (a promise or a thenable is unwrapped)",
            "Resumes during the consumer's next `next()` call, synchronously",
        ],
    },
    Case {
        name: "an_async_generator_call_runs_none_of_its_body_and_next_rejects_on_a_rejected_await",
        program: r#"const log = [];
async function* /*$0*/bad() {
  log.push("body");
  await Promise.reject(new Error("x"));
  yield 1;
}
const it = bad();
log.push("called");
it.next().then(
  () => console.log("fulfilled"),
  (e) => console.log(log.join(",") + ",rejected " + e.message),
);
"#,
        node_prints: "called,body,rejected x",
        says: &[
            "Calling it runs none of its body",
            "a `throw` or a rejected `await` rejects it",
            "A `next()` promise rejects when: `Promise.reject(new Error(\"x\"))` rejects",
        ],
    },
    Case {
        name: "a_delegating_yield_over_an_array_of_promises_yields_their_values",
        program: r#"async function* d() {
  /*$0*/yield* [Promise.resolve("p"), "q"];
}
async function main() {
  const values = [];
  for await (const v of d()) values.push(v);
  console.log(values.join(","));
}
main();
"#,
        node_prints: "p,q",
        says: &[
            "an array of promises yields their values",
            "one per `next()` call",
        ],
    },
    Case {
        name: "a_for_await_over_an_array_awaits_each_element_in_array_order",
        program: r#"const out = [];
async function main() {
  const slow = new Promise((r) => setTimeout(() => r("slow"), 20));
  /*$0*/for await (const v of [slow, Promise.resolve("fast"), "plain"]) out.push(v);
  console.log(out.join(","));
}
main();
out.push("sync");
"#,
        node_prints: "sync,slow,fast,plain",
        says: &[
            "a plain value too",
            "in array order, so an element that settles early still waits for the ones before it",
        ],
    },
    Case {
        name: "a_for_await_over_an_async_generator_waits_for_its_awaits_before_each_yield",
        program: r#"async function* late() {
  await new Promise((r) => setTimeout(r, 5));
  yield "late";
}
async function main() {
  /*$0*/for await (const v of late()) console.log(v);
  console.log("done");
}
main();
console.log("first");
"#,
        node_prints: "first\nlate\ndone",
        says: &[
            "Each iteration calls `next()` on the async generator `late()`",
            "after the generator's own awaits before that `yield`",
        ],
    },
    Case {
        name: "a_for_await_over_an_unknown_iterable_states_each_kind_s_ticks",
        program: r#"let tick = 0;
let counting = false;
function count() {
  if (counting) {
    tick++;
    queueMicrotask(count);
  }
}
async function each(items) {
  const seen = [];
  /*$0*/for await (const v of items) seen.push(tick);
  return seen.join(",");
}
function iterator(next) {
  return { [Symbol.asyncIterator]: () => ({ next }) };
}
let step = 0;
const thenable = (value) => ({ then: (r) => r(value) });
const kinds = [
  ["native next()", () => iterator(() => (step++ < 2 ? Promise.resolve({ value: step }) : Promise.resolve({ done: true })))],
  ["thenable next()", () => iterator(() => (step++ < 2 ? thenable({ value: step }) : thenable({ done: true })))],
  ["array of values", () => [1, 2]],
  ["array of settled promises", () => [Promise.resolve(1), Promise.resolve(2)]],
  ["array of thenables", () => [thenable(1), thenable(2)]],
];
function measure(i) {
  if (i === kinds.length) return;
  const [name, make] = kinds[i];
  step = 0;
  tick = 0;
  counting = true;
  queueMicrotask(count);
  each(make()).then((seen) => {
    counting = false;
    console.log(name + ": " + seen);
    setTimeout(() => measure(i + 1), 1);
  });
}
measure(0);
"#,
        node_prints: "native next(): 1,2\nthenable next(): 2,4\narray of values: 2,4\n\
                      array of settled promises: 2,4\narray of thenables: 3,6",
        says: &[
            "Resumes each iteration 1 tick after the promise `items`'s `next()` returns \
             settles, if it is a native `Promise` (`items` is a parameter): a thenable would \
             resume 1 tick later; if `items` is a sync iterable (an array) instead, 2 ticks \
             after its next element settles (a plain value counts as settled when the loop \
             reaches it), a thenable element 1 tick later (a thenable's extra tick is that \
             of one settled when it is awaited; one settling after costs none).",
        ],
    },
];

/// The hover the editor shows at the case's marker.
fn hover_at_marker(case: &Case) -> String {
    let offset = case.program.find("/*$0*/").expect("a /*$0*/ marker");
    let source = case.program.replacen("/*$0*/", "", 1);
    let tree = syntax::parse(&source, None);
    let insights = insights::insights(&source, &tree, ModuleKind::CommonJs);
    ticklens::ide::hover(&source, &tree, Some(&insights), offset)
        .map(|hover| hover.markdown)
        .unwrap_or_default()
}

#[test]
fn every_suspension_hover_states_what_node_24_does() {
    let node = node::require_node_24();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut failures = Vec::new();
    for case in CASES {
        let path = dir.path().join(format!("{}.js", case.name));
        std::fs::write(&path, case.program.replacen("/*$0*/", "", 1)).expect("write the program");
        let run = node::run_node(&node, &path, Duration::from_secs(10));
        if run.stdout.trim() != case.node_prints {
            failures.push(format!(
                "{}: Node printed {:?} ({}), the case says {:?}\n{}",
                case.name,
                run.stdout,
                run.ending(),
                case.node_prints,
                run.stderr
            ));
        }
        let hover = hover_at_marker(case);
        for part in case.says {
            if !hover.contains(part) {
                failures.push(format!(
                    "{}: the hover does not say {part:?}:\n{hover}",
                    case.name
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
