//! Engine tests. Every expected output below was produced by Node v24.11.1
//! running the same program (`node FILE`, or `FILE.mjs` for ES modules).

use super::*;
use crate::syntax;

mod abort_timeout;
mod async_generators;
mod branch_budget;
mod branches;
mod builtins;
mod classes;
mod control;
mod descriptors;
mod facts_run_unknowns;
mod generators;
mod globals;
mod independent_entries;
mod legacy_accessors;
mod node_async_iter;
mod node_io;
mod node_modules;
mod open_values;
mod operators;
mod real_code_idioms;
mod timers;

/// The facts run's facts of a CommonJS `source`, checking that following
/// unknowns (and both arms of a branch on one) never changes the order
/// run's answer.
pub(crate) fn facts_of(source: &str) -> Vec<AsyncFunctionFacts> {
    let tree = syntax::parse(source, None);
    let (facts, order) = facts_and_order(source, &tree, ModuleKind::CommonJs);
    assert_eq!(
        order,
        predict_order(source, &tree, ModuleKind::CommonJs),
        "{source}"
    );
    facts
}

/// The facts of the async function `name` of `source`.
pub(crate) fn function_facts(source: &str, name: &str) -> AsyncFunctionFacts {
    facts_of(source)
        .into_iter()
        .find(|f| f.name == name)
        .expect(name)
}

/// When each await of the async function `name` of `source` resumes.
pub(crate) fn resumes_of(source: &str, name: &str) -> Vec<ResumeTick> {
    let function = function_facts(source, name);
    function.awaits.into_iter().map(|a| a.resume).collect()
}

/// `jobs` ticks after the function was entered.
/// Asserts that none of `ticks` claims a tick after entry.
pub(crate) fn assert_no_tick_after_entry(ticks: &[ResumeTick]) {
    assert!(
        ticks
            .iter()
            .all(|tick| !matches!(tick, ResumeTick::AfterEntry { .. })),
        "{ticks:?}"
    );
}

pub(crate) fn entry(jobs: u32) -> ResumeTick {
    ResumeTick::AfterEntry { jobs }
}

pub(crate) fn run(source: &str, module: ModuleKind) -> OrderOutcome {
    let tree = syntax::parse(source, None);
    predict_order(source, &tree, module)
}

pub(crate) fn lines(source: &str, module: ModuleKind) -> Vec<String> {
    match run(source, module) {
        OrderOutcome::Determined(lines) => lines.into_iter().map(|l| l.text).collect(),
        OrderOutcome::Abstained(a) => panic!("abstained: {} at {:?}", a.reason, a.range),
    }
}

pub(crate) fn cjs(source: &str) -> Vec<String> {
    lines(source, ModuleKind::CommonJs)
}

/// Asserts that the engine predicts `stdout` for `source` run as a CommonJS
/// file: Node's output as it prints it, one line a line (the string's first
/// and last newline only lay it out).
pub(crate) fn prints(source: &str, stdout: &str) {
    let stdout = stdout.strip_prefix('\n').unwrap_or(stdout);
    let expected: Vec<&str> = stdout
        .strip_suffix('\n')
        .unwrap_or(stdout)
        .split('\n')
        .collect();
    assert_eq!(cjs(source), expected);
}

/// Asserts the engine predicts `expected` (lines joined with `|`) for
/// `source` run as `module`.
pub(crate) fn prints_as(module: ModuleKind, expected: &str, source: &str) {
    assert_eq!(lines(source, module).join("|"), expected);
}

pub(crate) fn abstains(source: &str) -> Abstention {
    match run(source, ModuleKind::CommonJs) {
        OrderOutcome::Abstained(abstention) => abstention,
        OrderOutcome::Determined(lines) => panic!("expected an abstention, got {lines:?}"),
    }
}

/// Asserts that the engine abstains on `source` for a reason naming `word`.
pub(crate) fn abstains_mentioning(source: &str, word: &str) {
    let abstention = abstains(source);
    assert!(abstention.reason.contains(word), "{abstention:?}");
}

#[test]
fn seed_await_returns_control_to_caller() {
    // The program of examples/ordering.js, which the README runs.
    let source = include_str!("../../../../examples/ordering.js");
    assert_eq!(cjs(source), ["A", "D", "B", "C"]);
}

#[test]
fn seed_body_without_await_runs_synchronously() {
    let source = r#"
async function noAwait() { console.log("sync"); return "done"; }
noAwait();
console.log("after");"#;
    assert_eq!(cjs(source), ["sync", "after"]);
}

#[test]
fn seed_code_after_await_runs_as_microtask() {
    let source = r#"
console.log("1");
async function run() { console.log("2"); await Promise.resolve(); console.log("3"); }
run();
console.log("4");"#;
    assert_eq!(cjs(source), ["1", "2", "4", "3"]);
}

#[test]
fn seed_continuations_interleave_fifo() {
    let source = r#"
async function a() { console.log("a1"); await Promise.resolve(); console.log("a2"); }
async function b() { console.log("b1"); await Promise.resolve(); console.log("b2"); }
a(); b();"#;
    assert_eq!(cjs(source), ["a1", "b1", "a2", "b2"]);
}

#[test]
fn seed_extra_await_goes_to_back_of_queue() {
    let source = r#"
async function x() { console.log("x1"); await Promise.resolve(); console.log("x2"); await Promise.resolve(); console.log("x3"); }
async function y() { console.log("y1"); await Promise.resolve(); console.log("y2"); }
x(); y();"#;
    assert_eq!(cjs(source), ["x1", "y1", "x2", "y2", "x3"]);
}

const NEXT_TICK_VS_AWAIT: &str = r#"
async function run() { await Promise.resolve(); console.log("await"); }
run();
process.nextTick(() => console.log("nextTick"));"#;

#[test]
fn commonjs_drains_next_tick_before_promise_jobs() {
    assert_eq!(cjs(NEXT_TICK_VS_AWAIT), ["nextTick", "await"]);
}

#[test]
fn esm_top_level_runs_promise_jobs_before_next_tick() {
    assert_eq!(
        lines(NEXT_TICK_VS_AWAIT, ModuleKind::EsModule),
        ["await", "nextTick"]
    );
}

#[test]
fn seed_fire_and_forget_continues_before_saved() {
    let source = r#"
const db = { insert(data) { return new Promise(r => setTimeout(() => r(data), 10)); } };
async function save(data) { await db.insert(data); console.log("saved"); }
save({ x: 1 });
console.log("continuing");"#;
    assert_eq!(cjs(source), ["continuing", "saved"]);
}

#[test]
fn seed_async_throw_rejects_outer_promise() {
    let source = r#"
async function boom() { throw new Error("broken"); }
boom().catch(e => console.log(e.message));
async function getNumber() { return 42; }
console.log(getNumber() instanceof Promise);"#;
    assert_eq!(cjs(source), ["true", "broken"]);
}

#[test]
fn return_promise_settles_one_job_after_return_await() {
    let source = r#"
const p = Promise.resolve();
async function a() { return p }
async function b() { return await p }
a().then(() => console.log("a"));
b().then(() => console.log("b"));"#;
    assert_eq!(cjs(source), ["b", "a"]);
}

#[test]
fn await_on_thenable_resumes_after_two_jobs() {
    let source = r#"
let p = Promise.resolve();
for (let i = 1; i <= 3; i++) { p = p.then(() => console.log("job " + i)); }
const thenable = { then(resolve) { console.log("then called"); resolve(1); } };
(async () => { await thenable; console.log("thenable resumed"); })();
(async () => { await 1; console.log("value resumed"); })();"#;
    assert_eq!(
        cjs(source),
        [
            "job 1",
            "then called",
            "value resumed",
            "job 2",
            "thenable resumed",
            "job 3"
        ]
    );
}

#[test]
fn combinators_finally_and_adoption_job_depths() {
    // The tick ladder `t1..t4` marks job depths 1..4 (Node 24 measured).
    let source = r#"
const log = [];
let q = Promise.resolve();
for (let i = 1; i <= 4; i++) { q = q.then(() => log.push("t" + i)); }
const p = Promise.resolve();
Promise.all([]).then(() => log.push("all-empty"));
Promise.all([1, p]).then(() => log.push("all"));
Promise.race([p]).then(() => log.push("race"));
Promise.allSettled([p]).then(() => log.push("allSettled"));
Promise.any([p]).then(() => log.push("any"));
p.finally(() => {}).then(() => log.push("finally"));
new Promise(r => r(p)).then(() => log.push("resolve-with-promise"));
p.then(() => p).then(() => log.push("then-returns-promise"));
Promise.reject(1).catch(() => log.push("catch"));
setTimeout(() => console.log(log.join(" ")), 5);"#;
    assert_eq!(
        cjs(source),
        ["t1 all-empty catch t2 all race allSettled any t3 resolve-with-promise t4 finally then-returns-promise"]
    );
}

#[test]
fn unhandled_rejection_crashes_after_microtasks_drain() {
    let source = r#"
Promise.reject(new Error("x"));
Promise.resolve().then(() => console.log("a")).then(() => console.log("b"));
process.nextTick(() => console.log("tick"));
setTimeout(() => console.log("timer"), 1);"#;
    assert_eq!(cjs(source), ["tick", "a", "b"]);
}

#[test]
fn rejection_handled_within_the_drain_does_not_crash() {
    let source = r#"
const p = Promise.reject(new Error("x"));
Promise.resolve().then(() => console.log("a")).then(() => { console.log("b"); p.catch(e => console.log("late", e.message)); });
setTimeout(() => console.log("timer"), 1);"#;
    assert_eq!(cjs(source), ["a", "b", "late x", "timer"]);
}

#[test]
fn throwing_microtask_crashes_at_once() {
    let source = r#"
queueMicrotask(() => { console.log("m1"); throw new Error("boom"); });
queueMicrotask(() => console.log("m2"));
process.nextTick(() => console.log("t1"));"#;
    assert_eq!(cjs(source), ["t1", "m1"]);
}

#[test]
fn try_catch_finally_across_awaits() {
    let source = r#"
async function inner() { await null; throw new Error("bad"); }
async function outer() {
  try { const v = await inner(); console.log("got", v); }
  catch (e) { console.log("err", e.message); }
  finally { console.log("finally"); }
  return "done";
}
outer().then(v => console.log(v));
[1, 2].forEach(async (x) => { await null; console.log("fe", x); });"#;
    assert_eq!(cjs(source), ["fe 1", "fe 2", "err bad", "finally", "done"]);
}

#[test]
fn esm_top_level_await_and_next_tick() {
    let source = r#"
process.nextTick(() => console.log("tick0"));
await null;
console.log("after tla");
process.nextTick(() => console.log("tick1"));
let p = Promise.resolve();
for (let i = 1; i <= 3; i++) { p = p.then(() => console.log("t" + i)); }
await new Promise(r => setTimeout(r, 5));
console.log("after timer");
process.nextTick(() => console.log("tick2"));
Promise.resolve().then(() => console.log("m2"));"#;
    assert_eq!(
        lines(source, ModuleKind::EsModule),
        [
            "after tla",
            "t1",
            "t2",
            "t3",
            "tick0",
            "tick1",
            "after timer",
            "m2",
            "tick2"
        ]
    );
}

#[test]
fn console_log_formats_like_util_inspect() {
    let source = r#"
console.log({ name: 'x', count: 2, list: ['a', "it's"] });
console.log([undefined, null, true, 1.5, -0]);
console.log({ a: { b: { c: { d: 1 } } } }, [[[[1]]]]);
console.log({ 'a-b': 1, f() {}, g: async () => 1 }, [() => 1]);
console.log(Promise.resolve(1), new Promise(() => {}));
console.log(1 / 3, 2 ** 53, -1e-7, 1e21, 0.1 + 0.2, [1, 2] + '', {} + '', -7 % 3);"#;
    assert_eq!(
        cjs(source),
        [
            "{ name: 'x', count: 2, list: [ 'a', \"it's\" ] }",
            "[ undefined, null, true, 1.5, -0 ]",
            "{ a: { b: { c: [Object] } } } [ [ [ [Array] ] ] ]",
            "{ 'a-b': 1, f: [Function: f], g: [AsyncFunction: g] } [ [Function (anonymous)] ]",
            "Promise { 1 } Promise { <pending> }",
            "0.3333333333333333 9007199254740992 -1e-7 1e+21 0.30000000000000004 1,2 [object Object] -1",
        ]
    );
}

#[test]
fn infinite_loop_abstains() {
    let started = std::time::Instant::now();
    abstains_mentioning("while (true) {}", "step limit");
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}

#[test]
fn unbounded_recursion_abstains() {
    abstains_mentioning("function f(n) { return f(n + 1) }\nf(0);", "depth");
}

#[test]
fn deeply_nested_input_abstains_without_overflow() {
    let source = format!("console.log({}1{});", "(".repeat(5000), ")".repeat(5000));
    abstains_mentioning(&source, "nests too deeply");
}

/// `var` declarations are hoisted from every statement of the function
/// (blocks, loops, `try`, `switch`, labels), not from the functions in it.
/// Expected: what Node 24 prints.
#[test]
fn var_declarations_are_hoisted_from_nested_statements_only() {
    let source = r#"function f(k) {
  console.log(typeof a, typeof b, typeof c, typeof d, typeof e, typeof g, typeof h, typeof i, typeof j, typeof m);
  if (k) { var a = 1; } else var b = 2;
  for (var c = 0; c < 1; c++) { var d = c; }
  for (var e in { x: 1 }) {}
  try { var g = 1; } catch (err) { var h = 2; } finally { var i = 3; }
  switch (k) { case 1: var j = 1; break; default: { var m = 2; } }
  outer: while (false) { var n = 1; }
  const q = () => { var inner = 1; return inner; };
  console.log(a, b, c, d, e, g, h, i, j, m, n, typeof inner, q());
}
f(1);
f(0);
"#;
    assert_eq!(
        cjs(source),
        [
            "undefined undefined undefined undefined undefined undefined undefined undefined undefined undefined",
            "1 undefined 1 0 x 1 undefined 3 1 undefined undefined undefined 1",
            "undefined undefined undefined undefined undefined undefined undefined undefined undefined undefined",
            "undefined 2 1 0 x 1 undefined 3 undefined 2 undefined undefined 1",
        ]
    );
}

/// `check_tree` steps over subtrees that can hold no error and no node too
/// deep; it answers as a walk of every node does.
#[test]
fn the_syntax_check_answers_as_a_walk_of_every_node() {
    fn every_node(root: tree_sitter::Node) -> Result<(), Abstention> {
        fn visit(node: tree_sitter::Node, depth: usize) -> Result<(), Abstention> {
            if let Some(abstention) = syntax_abstention(node, true, depth) {
                return Err(abstention);
            }
            let mut cursor = node.walk();
            let children: Vec<_> = node.children(&mut cursor).collect();
            children
                .into_iter()
                .try_for_each(|child| visit(child, depth + 1))
        }
        visit(root, 0)
    }
    let big = "async function f(a) { const b = await g(a, [1, 2, { c: 3 }]); return b + 1; }\n";
    let mut sources: Vec<String> = (100..130)
        .map(|n| format!("{big}let x = {}1{};\n{big}", "(".repeat(n), ")".repeat(n)))
        .collect();
    sources.extend((100..130).map(|n| format!("f({}[{}]);", "[".repeat(n), "]".repeat(n))));
    sources.push(format!("{big}{big}let y = (1;\n{big}"));
    sources.push(format!(
        "{big}let y = ({}1{};\nlet z = (;",
        "(".repeat(200),
        ")".repeat(200)
    ));
    sources.push(format!("{big}function g() {{ return 1 +; }}\n{big}"));
    sources.push(big.repeat(50));
    for source in &sources {
        let tree = syntax::parse(source, None);
        let (fast, slow) = (check_tree(tree.root_node()), every_node(tree.root_node()));
        assert_eq!(
            fast.as_ref().map_err(|a| (&a.reason, &a.range)),
            slow.as_ref().map_err(|a| (&a.reason, &a.range)),
            "{source}"
        );
    }
    // Both sides of the limit in each family, and every error case.
    let stops = |family: &[String]| {
        family
            .iter()
            .filter(|s| check_tree(syntax::parse(s, None).root_node()).is_err())
            .count()
    };
    assert!((1..30).contains(&stops(&sources[..30])), "parentheses");
    assert!((1..30).contains(&stops(&sources[30..60])), "arrays");
    assert_eq!(stops(&sources[60..63]), 3, "errors");
    assert_eq!(stops(&sources[63..]), 0, "a long file without either");
}

#[test]
fn unknown_call_abstains_naming_it() {
    let source = "async function a() {}\nfetch('x');";
    let abstention = abstains(source);
    assert!(abstention.reason.contains("`fetch`"), "{abstention:?}");
    // `fetch` exists in Node (an opaque global): the call is what the engine cannot run.
    assert_eq!(
        abstention.range,
        Some(source.find("fetch").unwrap_or(0)..source.len() - 1),
        "the call of the opaque global is the construct responsible"
    );
}

#[test]
fn exported_declarations_bind_and_run_like_plain_ones() {
    let source = r#"
export async function f() { console.log("f1"); await null; console.log("f3"); }
export const g = async () => { console.log("g"); };
export default function h() { console.log("h"); }
f(); g(); h();
console.log("f2");
export { f as ff };"#;
    assert_eq!(
        lines(source, ModuleKind::EsModule),
        ["f1", "g", "h", "f2", "f3"]
    );
}

#[test]
fn imports_and_re_exports_abstain() {
    for source in [
        "import { x } from './x.js';\nconsole.log(1);",
        "export { x } from './x.js';\nconsole.log(1);",
        "export * from './x.js';\nconsole.log(1);",
    ] {
        match run(source, ModuleKind::EsModule) {
            OrderOutcome::Abstained(a) => assert!(a.reason.contains("./x.js"), "{a:?}"),
            OrderOutcome::Determined(lines) => {
                panic!("{source}: expected an abstention, got {lines:?}")
            }
        }
    }
}

#[test]
fn extending_a_builtin_other_than_promise_or_error_abstains() {
    abstains("class E extends Map {}\nnew E();\nconsole.log(1);");
}
