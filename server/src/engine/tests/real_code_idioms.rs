//! Idioms of real packages the census stopped on (docs/insight-coverage.md):
//! index keys in object literals (mquery), an assigned `toString` (mongoose),
//! `for...in` over `EventEmitter.prototype` (mongoose), built-in parent
//! classes, host prototypes (axios), destructuring an unknown (undici), and the
//! built-ins issue 20 lists (`structuredClone`, `AbortController`, `fetch`).
//! Every expected output was produced by Node v24.11.1 running the program.

use super::{
    abstains, abstains_mentioning, entry, facts_and_order, prints, ModuleKind, OrderOutcome,
    ResumeTick,
};
use crate::syntax;

/// The resume ticks of `name`'s awaits in a facts run, and the order run's
/// abstention reason (the facts run goes on where the order run stops).
fn facts_past(source: &str, name: &str) -> (Vec<ResumeTick>, String) {
    let tree = syntax::parse(source, None);
    let (facts, order) = facts_and_order(source, &tree, ModuleKind::CommonJs);
    let function = facts.iter().find(|f| f.name == name).expect(name);
    let resumes = function.awaits.iter().map(|a| a.resume.clone()).collect();
    let reason = match order {
        OrderOutcome::Abstained(abstention) => abstention.reason,
        OrderOutcome::Determined(lines) => panic!("expected an abstention, got {lines:?}"),
    };
    (resumes, reason)
}

#[test]
fn index_keys_in_literals_and_writes_are_read_back_and_hide_the_key_order() {
    prints(
        r#"
const sort = { 1: 1, '-1': -1, asc: 1, 2.5: "x", 10: 10 };
console.log(sort[1], sort['1'], sort['-1'], sort.asc, sort["2.5"], sort[10]);
console.log(1 in sort, 3 in sort, '10' in sort);
const table = {};
table[1003] = "near";
table["7"] = "seven";
console.log(table[1003], table[7], 7 in table, 8 in table);
"#,
        "
1 1 -1 1 x 10
true false true
near seven true false
",
    );
    // V8 lists index keys first, in ascending order: not modelled.
    let listed = abstains("const o = { b: 1, 2: 2, 1: 1 };\nconsole.log(Object.keys(o));\n");
    assert!(listed.reason.contains("Object.keys"), "{}", listed.reason);
    let printed = abstains("const o = { b: 1, 2: 2 };\nconsole.log(o);\n");
    assert!(!printed.reason.is_empty());
}

#[test]
fn an_assigned_to_string_is_an_own_member_and_conversions_that_would_call_it_abstain() {
    prints(
        r#"
function Query(op) { this.op = op; }
Query.prototype.toString = function toString() { return "Query:" + this.op; };
const q = new Query("find");
console.log(q.toString());
const o = { n: 2 };
o.valueOf = function () { return this.n; };
console.log(typeof o.valueOf, o.n);
"#,
        "
Query:find
function 2
",
    );
    // Node prints 6 and 8: OrdinaryToPrimitive calls the program's `valueOf`.
    let sources = [
        "class A { valueOf() { return 5; } }\nconsole.log(new A() + 1);\n",
        "const o = { valueOf() { return 7; } };\nconsole.log(o + 1);\n",
        "function Q() {}\nQ.prototype.toString = () => \"q\";\nconsole.log(`${new Q()}`);\n",
    ];
    for source in sources {
        abstains_mentioning(source, "custom");
    }
}

#[test]
fn for_in_over_the_emitter_prototype_visits_nodes_keys_then_the_programs() {
    prints(
        r#"
const EventEmitter = require("events");
function Model() {}
EventEmitter.prototype.extra = 1;
const keys = [];
for (const i in EventEmitter.prototype) {
  keys.push(i);
  if (i === "on" || i === "extra") Model[i] = EventEmitter.prototype[i];
}
console.log(keys.length, keys[5], keys[17], keys[18]);
console.log(Model.on === EventEmitter.prototype.on, Model.extra);
"#,
        "
19 emit eventNames extra
true 1
",
    );
}

#[test]
fn facts_go_past_built_in_parents_host_prototypes_and_destructured_unknowns() {
    for (source, stop) in [
        (
            "class Resources extends Map { get(k) { return super.get(k); } }\n\
             const r = new Resources();\n\
             async function main() { await null; await null; }\nmain();\n",
            "`extends` of a built-in",
        ),
        (
            "const TypedArray = Object.getPrototypeOf(Uint8Array);\n\
             async function main() { await null; await null; }\nmain();\n",
            "the prototype of a host function",
        ),
        (
            "const { toString } = Object.prototype;\n\
             const kindOf = (thing) => toString.call(thing);\n\
             async function main() { await null; await null; }\nmain();\n",
            "`Object.prototype.toString`",
        ),
        (
            "const [major, ...rest] = process.versions.node.split('.').map(Number);\n\
             async function main() { await null; await null; }\nmain();\n",
            "`.versions`",
        ),
    ] {
        let (resumes, reason) = facts_past(source, "main");
        assert_eq!(resumes, vec![entry(1), entry(2)], "{source}");
        assert!(reason.contains(stop), "{source}: {reason}");
    }
}

#[test]
fn structured_clone_copies_plain_data_keeping_shared_and_circular_references() {
    prints(
        r#"
const shared = { n: 1 };
const data = { a: [1, "two", null, undefined, true], b: shared, c: shared, d: { deep: [shared] } };
data.self = data;
const copy = structuredClone(data);
console.log(copy !== data, copy.b !== shared, copy.b === copy.c, copy.d.deep[0] === copy.b, copy.self === copy);
console.log(copy.a, copy.b, Object.keys(copy));
class P { #secret = 1; constructor() { this.x = 2; } get y() { return 3; } }
const p = structuredClone(new P());
console.log(p, p instanceof P, p.y);
console.log(structuredClone(5), structuredClone("s"), structuredClone(null));
"#,
        "
true true true true true
[ 1, 'two', null, undefined, true ] { n: 1 } [ 'a', 'b', 'c', 'd', 'self' ]
{ x: 2 } false undefined
5 s null
",
    );
    // Node throws a DataCloneError for a function; a Map's clone is not modelled.
    for source in [
        "structuredClone(() => 1);\n",
        "structuredClone(new Map());\n",
    ] {
        assert!(
            abstains(source).reason.contains("structuredClone"),
            "{source}"
        );
    }
}

#[test]
fn abort_runs_the_abort_listeners_synchronously_in_registration_order() {
    prints(
        r#"
const controller = new AbortController();
const { signal } = controller;
function first() { console.log("first", this === signal, signal.aborted, signal.reason); }
function late() { console.log("late"); }
signal.addEventListener("abort", first);
signal.addEventListener("abort", first);
signal.addEventListener("abort", () => { console.log("second"); signal.addEventListener("abort", late); }, { once: true });
signal.addEventListener("abort", late);
signal.addEventListener("other", late);
const gone = () => console.log("gone");
signal.addEventListener("abort", gone);
signal.removeEventListener("abort", gone);
console.log("before", signal.aborted);
Promise.resolve().then(() => console.log("job"));
controller.abort("stop");
console.log("after", signal.aborted, signal.reason);
controller.abort("again");
console.log(signal.reason);
try { signal.throwIfAborted(); } catch (e) { console.log("threw", e); }
const c2 = new AbortController();
c2.signal.throwIfAborted();
console.log("not aborted", c2.signal.aborted, c2.signal.reason);
"#,
        "
before false
first true true stop
second
late
after true stop
stop
threw stop
not aborted false undefined
job
",
    );
    // `signal.aborted` is a getter in Node: the write is ignored (a TypeError in strict code).
    let write = abstains("const c = new AbortController();\nc.signal.aborted = true;\n");
    assert!(write.reason.contains("frozen"), "{}", write.reason);
    // An async listener's promise gets a `then` from Node's dispatch: not modelled.
    let listener = abstains(
        "const c = new AbortController();\n\
         c.signal.addEventListener(\"abort\", async () => {});\nc.abort();\n",
    );
    assert!(
        listener.reason.contains("returns an object"),
        "{}",
        listener.reason
    );
}

#[test]
fn fetch_and_stream_promises_are_native_promises_settling_after_io() {
    let after = |jobs, operand: &str| ResumeTick::AfterSettle {
        jobs,
        operand: operand.to_owned(),
        if_native_promise: false,
    };
    let cases = [
        (
            "async function main(url) { const res = await fetch(url, { method: \"GET\" }); await null; }\n\
             main(\"https://example.com\");\n",
            "fetch(url, { method: \"GET\" })",
            "`fetch` at line 1",
        ),
        (
            "const { pipeline } = require(\"node:stream/promises\");\n\
             async function main(a, b) { await pipeline(a, b); await null; }\nmain(1, 2);\n",
            "pipeline(a, b)",
            "`stream/promises.pipeline` at line 2",
        ),
    ];
    for (source, operand, stop) in cases {
        let (resumes, reason) = facts_past(source, "main");
        assert_eq!(
            resumes,
            vec![after(1, operand), after(2, operand)],
            "{source}"
        );
        assert!(reason.contains(stop), "{source}: {reason}");
    }
}

#[test]
fn split_of_non_ascii_text_where_utf16_code_units_are_characters() {
    prints(
        r#"
console.log("héllo".split(""), "é-ü-ö".split("-"), "é-ü".split("-", 1), "a😀b".split("😀"));
"#,
        "
[ 'h', 'é', 'l', 'l', 'o' ] [ 'é', 'ü', 'ö' ] [ 'é' ] [ 'a', 'b' ]
",
    );
    // Node splits the emoji into its two surrogate halves.
    abstains_mentioning("console.log(\"a😀\".split(\"\"));\n", "non-ASCII");
}

#[test]
fn define_getter_defines_an_accessor_as_mongoose_uses_it() {
    prints(
        r#"
function Mongoose() { this.connections = ["c0", "c1"]; }
Mongoose.prototype.__defineGetter__("connection", function () { return this.connections[0]; });
const m = new Mongoose();
console.log(m.connection, m.__defineGetter__ === Mongoose.prototype.__defineGetter__);
const o = { a: 1 };
console.log(o.__defineGetter__("b", () => 2), o.b);
m.__defineGetter__("first", () => "own");
console.log(m.first);
"#,
        "
c0 true
undefined 2
own
",
    );
}

#[test]
fn object_prototype_is_one_opaque_object_that_no_write_reaches() {
    prints(
        "console.log(Object.prototype === Object.prototype, typeof Object.prototype);\n",
        "true object\n",
    );
    abstains_mentioning("Object.prototype.tag = 1;\n", "Object.prototype.tag");
}

/// three.js reads `Math.tan` at module level: the facts run goes on with an
/// unknown number (V8 computes it to its own last bit), the order run stops.
#[test]
fn an_unmodelled_math_function_is_an_unknown_number_in_a_facts_run() {
    let source = r#"
const half = Math.tan(0.5) * 2;
async function later() {
  await null;
  await null;
}
later();
"#;
    let (resumes, reason) = facts_past(source, "later");
    assert_eq!(resumes, vec![entry(1), entry(2)]);
    assert!(reason.contains("`.tan`"), "{reason}");
    abstains_mentioning("console.log(Math.cbrt(27));", ".cbrt");
}

/// A facts run of `source` (a module whose code loses track of `list`, then
/// calls `later()`) goes on: `later()` is called, its first await resumes on
/// tick 1 and nothing is claimed about iterating `list`; the order run stops,
/// saying `reason`.
fn goes_on_with_an_unknown_array(source: &str, reason: &str) {
    let tree = syntax::parse(source, None);
    let (facts, order) = facts_and_order(source, &tree, ModuleKind::CommonJs);
    let later = facts.iter().find(|f| f.name == "later").expect("later");
    assert!(later.called_by_program, "{later:?}");
    assert_eq!(later.awaits[0].resume, entry(1));
    assert!(
        !matches!(later.awaits[1].resume, ResumeTick::AfterEntry { .. }),
        "{later:?}"
    );
    let OrderOutcome::Abstained(abstention) = order else {
        panic!("expected an abstention, got {order:?}");
    };
    assert!(abstention.reason.contains(reason), "{}", abstention.reason);
}

const LATER_ITERATES_LIST: &str = r#"
async function later() {
  await null;
  for (const item of list) {
    await item;
  }
}
later();
"#;

/// three.js writes past the end of an array at module level: the facts run
/// goes on with the array as an unknown (its items, length and iteration are
/// no longer known), the order run stops.
#[test]
fn a_write_past_the_end_of_an_array_makes_it_an_unknown_in_a_facts_run() {
    let source = format!("const list = [1];\nlist[5] = 6;\n{LATER_ITERATES_LIST}");
    goes_on_with_an_unknown_array(&source, "holes");
    abstains_mentioning("const a = []; a[2] = 1; console.log(a.length);", "holes");
}

/// `[...params]` of a value the engine cannot see (three.js's node
/// functions): in a facts run the new array is an unknown and the run goes
/// on; the order run stops.
#[test]
fn spreading_an_unknown_into_an_array_makes_an_unknown_array_in_a_facts_run() {
    let source = format!("const list = [0, ...process.argv];\n{LATER_ITERATES_LIST}");
    goes_on_with_an_unknown_array(&source, "`.argv`");
}
