//! Hover texts of snippets, with `$0` at the cursor.

use super::*;
use crate::engine::ModuleKind;
use crate::syntax;

fn hover(source_with_cursor: &str) -> String {
    let offset = source_with_cursor.find("$0").expect("cursor marker");
    let source = source_with_cursor.replace("$0", "");
    let tree = syntax::parse(&source, None);
    insights(&source, &tree, ModuleKind::CommonJs)
        .hover(&source, offset)
        .map(|(_, text)| text)
        .unwrap_or_default()
}

/// Asserts that `text` says `part`, and shows the whole text when it does not.
#[track_caller]
fn assert_says(text: &str, part: &str) {
    assert!(text.contains(part), "{text}");
}

/// Asserts that `text` does not say `part`, and shows the whole text when it does.
#[track_caller]
fn assert_silent(text: &str, part: &str) {
    assert!(!text.contains(part), "{text}");
}

/// A hover and what it must and must not say.
struct Case {
    /// The behaviour, as a test name would say it.
    name: &'static str,
    /// The program, with `$0` at the cursor.
    source: &'static str,
    says: &'static [&'static str],
    silent: &'static [&'static str],
}

/// Hovers whose text is checked by parts; every failing case is reported.
const CASES: &[Case] = &[
    // `val` only gets its value when the function resumes: nothing is kept.
    Case {
        name: "await_in_example_resumes_on_tick_1",
        source: "async function example() {\n  console.log('A');\n  const val = $0await Promise.resolve('B');\n  console.log(val);\n}\nexample();\nconsole.log('D');\n",
        says: &["Resumes on microtask tick 1 after `example()` was entered", "Nothing this function holds is kept alive while it waits."],
        silent: &[],
    },
    // Without semicolons the statement has the await's range: the await is still found.
    Case {
        name: "an_await_statement_without_a_semicolon_gets_its_tick",
        source: "async function f() {\n  $0await null\n  console.log(1)\n}\nf()\n",
        says: &["Resumes on microtask tick 1 after `f()` was entered"],
        silent: &[],
    },
    Case {
        name: "a_yield_star_statement_without_a_semicolon_is_a_delegation",
        source: "async function* inner() { yield 1 }\nasync function* outer() {\n  $0yield* inner()\n}\n",
        says: &["Hands each value of `inner()`"],
        silent: &[],
    },
    // The first await binds no result: nothing to say about independence.
    Case {
        name: "second_await_of_x_resumes_on_tick_2",
        source: "async function x() {\n  console.log('x1');\n  await Promise.resolve();\n  console.log('x2');\n  $0await Promise.resolve();\n  console.log('x3');\n}\nasync function y() {\n  console.log('y1');\n  await Promise.resolve();\n  console.log('y2');\n}\nx();\ny();\n",
        says: &["tick 2"],
        silent: &["Promise.all"],
    },
    Case {
        name: "an_unused_result_only_suggests_promise_all_as_a_possibility",
        source: "async function getA() { return 1; }\nasync function getB() { return 2; }\nasync function f() {\n  const a = await getA();\n  const b = $0await getB();\n  return a + b;\n}\nf();\n",
        says: &["Does not use the previous await's result; if the two operations are independent"],
        silent: &[],
    },
    Case {
        name: "a_loop_await_whose_ticks_vary_resumes_one_job_after_its_operand_settles",
        source: "async function step(a) { return a; }\nasync function sendAll(users) {\n  for (const u of users) {\n    $0await step(u);\n  }\n}\nsendAll([1, 2]);\n",
        says: &["Resumes 1 tick after `step(u)` settles (fulfils or rejects)."],
        // The engine saw `step(u)` is an async function's promise: no hedge.
        silent: &["native"],
    },
    Case {
        name: "a_loop_await_without_a_common_count_lists_the_ticks_of_its_iterations",
        source: "async function sendAll(users) {\n  for (const u of users) {\n    $0await (u === 1 ? Promise.resolve(u) : { then(r) { r(u); } });\n  }\n}\nsendAll([1, 2]);\n",
        says: &["Resume tick varies", "tick 1", " 3"],
        silent: &[],
    },
    Case {
        name: "a_then_chain_without_a_rejection_handler_says_so",
        source: "async function noAwait() { return compute(); }\n$0noAwait().then(v => v);\n",
        says: &["**No rejection handler:** `noAwait().then(…)`: if `noAwait()` or the callback fails, nobody handles the rejection."],
        silent: &["first await"],
    },
    // Nothing idle is likely large: one line, no advice.
    Case {
        name: "a_nulled_body_is_released_a_later_read_is_needed_and_the_rest_is_kept",
        source: "async function handle(req) {\n  let body = await readBody(req);\n  const parsed = parseRequest(body);\n  body = null;\n  const saved = $0await db.save(parsed);\n  return [saved, parsed.id];\n}\n",
        says: &["Needed after the await:\n- `parsed` (line 3)", "Also held, though not needed any more: `req` (line 1, parameter).", "No longer kept: the earlier value of `body` (line 2, overwritten on line 4; `parseRequest(body)` may still hold it)."],
        silent: &["set it to `null`"],
    },
    // V8 keeps every local of the suspended frame, read later or not.
    Case {
        name: "a_value_only_passed_to_the_awaited_call_is_still_kept_by_the_frame",
        source: "async function handle(req) {\n  let body = await readBody(req);\n  const parsed = parseRequest(body);\n  body = null;\n  return $0await db.save(parsed);\n}\n",
        says: &["Also held while it waits, though not needed any more: `req` (line 1, \
             parameter), `parsed` (line 3)."],
        silent: &[],
    },
    // `raw` is a `const`: the advice says how to clear it anyway.
    Case {
        name: "a_likely_large_idle_value_gets_the_list_and_the_advice",
        source: "async function upload(req) {\n  const raw = await readBody(req);\n  const n = raw.length;\n  $0await save(n);\n  return n;\n}\n",
        says: &["Held but not needed any more (until reassigned or the function returns):\n\
             - `req` (line 1, parameter)\n\
             - `raw` (line 2) — likely large: a request body from `readBody(…)`", "set it to `null` after its last use (declare a `const` with `let` first), or \
             move that work into a helper function, whose locals are freed when it returns."],
        silent: &[],
    },
    // Clearing `req` before the first await would make `log()` throw.
    Case {
        name: "a_value_a_closure_reads_after_the_await_is_needed",
        source: "async function handle(req) {\n  const id = $0await db.save(1);\n  const log = () => console.log(req.url);\n  await audit(id);\n  log();\n}\n",
        says: &["- `req` (line 1, parameter; read after the await by the closure `log`, line 3)"],
        silent: &["not needed any more"],
    },
    Case {
        name: "the_iterable_of_a_running_loop_is_not_advised_to_be_cleared",
        source: "async function send(users) {\n  for (const user of users) {\n    $0await post(JSON.parse(user));\n  }\n}\n",
        says: &["`user` (line 2, the current element)"],
        silent: &["if the loop ran"],
    },
    // `get` is neither called nor handed over: nothing can read `big`.
    Case {
        name: "a_captured_variable_is_kept_and_says_a_closure_refers_to_it",
        source: "async function f(items) {\n  const big = await load();\n  const get = () => big;\n  await $0save();\n  return 1;\n}\n",
        says: &["`big` (line 2)"],
        silent: &["closure"],
    },
    Case {
        name: "unknown_operand_resumes_one_job_after_it_settles",
        source: "async function load(id) {\n  const user = $0await fetchUser(id);\n  return user.name;\n}\n",
        says: &["Resumes 1 tick after `fetchUser(id)` settles"],
        silent: &[],
    },
    Case {
        name: "function_hover_states_the_contract",
        source: "async function $0run() {\n  console.log(1);\n  await Promise.resolve();\n  throw new Error('x');\n}\nrun().catch(() => {});\n",
        says: &["up to line 3", "pauses at 1 `await`.", "Rejects when: its `throw` runs (line 4). Any other code"],
        silent: &[],
    },
    Case {
        name: "a_result_used_through_an_intermediate_variable_is_a_dependency",
        source: "async function forward(req) {\n  const body = await readBody(req);\n  const parsed = parseRequest(body);\n  return $0await db.save(parsed);\n}\n",
        says: &["Uses the result of the previous await"],
        silent: &[],
    },
    // Its ticks would hold for a call with `undefined` arguments only.
    Case {
        name: "an_await_in_a_function_the_file_never_calls_says_what_would_decide_its_tick",
        source: "async function neverCalled(x) {\n  const y = $0await x;\n  return y;\n}\n",
        says: &["Resumes 1 tick after `x` settles (fulfils or rejects), if it is a native `Promise` (`x` is a parameter): a thenable would resume 1 tick later and a `Promise` subclass 2 ticks later when it settled before the `await` (`await` calls its `then` first), one tick less each when it settles after."],
        silent: &["microtask tick"],
    },
    // `helper` is an async function of the file: its call is a native promise.
    Case {
        name: "an_await_of_an_async_function_of_the_file_needs_no_hedge",
        source: "async function helper(t) {\n  await null;\n  return t;\n}\nasync function useHelper(t) {\n  const v = $0await helper(t);\n  return v;\n}\n",
        says: &["Resumes 1 tick after `helper(t)` settles (fulfils or rejects)."],
        silent: &["native"],
    },
    Case {
        name: "the_head_of_a_function_the_file_never_calls_says_when_it_settles_without_a_tick",
        source: "async function $0neverCalled(x) {\n  const y = await x;\n  return y;\n}\n",
        says: &["Its promise settles when the body returns or throws, once every `await` it reaches has resumed; no tick for it here: this file never calls it."],
        silent: &[],
    },
    Case {
        name: "an_uncalled_functions_first_await_gets_a_tick_after_entry_for_any_caller",
        source: "async function load(db) {\n  await null;\n  $0await Promise.resolve(1);\n  return db.get();\n}\nmodule.exports = { load };\n",
        says: &["Resumes on microtask tick 2 after `load()` was entered, whatever calls it and with any arguments"],
        silent: &["if it is a native"],
    },
    Case {
        name: "an_await_after_a_try_gets_no_tick_after_entry_a_throw_the_entry_did_not_see_would_change",
        source: "async function f(x) {\n  try {\n    x.f();\n  } catch {\n    await null;\n  }\n  $0await null;\n}\nmodule.exports = { f };\n",
        says: &["Resumes 1 tick after this `await` is reached"],
        silent: &["microtask tick 1 after"],
    },
    Case {
        name: "an_await_in_a_loop_whose_symbolic_entry_stopped_gets_no_tick_after_entry",
        source: "async function minify(gen) {\n  let yielded;\n  let val;\n  do {\n    val = gen.next($0await yielded);\n    yielded = val.value;\n  } while (!val.done);\n}\nmodule.exports = { minify };\n",
        says: &["Resumes 1 tick after `yielded` settles (fulfils or rejects), if it is a native `Promise`"],
        silent: &["microtask tick 1 after"],
    },
    Case {
        name: "a_yield_of_an_await_awaits_the_settled_value_again_and_waits_for_the_consumer",
        source: "async function* chunks(blob) {\n  $0yield await blob.arrayBuffer();\n}\n",
        says: &["**yield** `await blob.arrayBuffer()` in the async generator `chunks()`", "the `yield` awaits it once more (1 tick for a plain value)", "Resumes during the consumer's next `next()` call, synchronously"],
        silent: &["module"],
    },
    Case {
        name: "the_await_inside_a_yield_has_its_own_hover",
        source: "async function* chunks(blob) {\n  yield $0await blob.arrayBuffer();\n}\n",
        says: &["**await** `blob.arrayBuffer()` in `chunks()`"],
        silent: &["module", "**yield**"],
    },
    Case {
        name: "a_plain_yield_awaits_its_operand_first",
        source: "async function* numbers() {\n  $0yield 1;\n}\n",
        says: &["Awaits the value first, as `await` would", "suspends `numbers()`"],
        silent: &[],
    },
    Case {
        name: "a_delegating_yield_hands_over_each_value",
        source: "async function* all() {\n  $0yield* [1, 2];\n}\n",
        says: &["**yield\\*** `[1, 2]`", "one per `next()` call"],
        silent: &[],
    },
    Case {
        name: "an_async_generator_head_describes_the_iterator_not_a_promise",
        source: "async function* $0numbers(b) {\n  await b;\n  yield 1;\n}\n",
        says: &["**async generator** `numbers()`", "Calling it runs none of its body", "It has 1 `await` and 1 `yield`.", "A `next()` promise rejects when: `b` rejects (line 2)."],
        silent: &["Its promise settles"],
    },
    Case {
        name: "a_for_await_over_an_array_awaits_each_element_in_order",
        source: "async function f(p) {\n  $0for await (const x of [p, 1]) {}\n}\n",
        says: &["**for await** over `[p, 1]` in `f()`", "in array order"],
        silent: &["Resume tick"],
    },
    Case {
        name: "a_for_await_over_an_async_generator_of_the_file_waits_for_its_yields",
        source: "async function* g() {\n  yield 1;\n}\nasync function f() {\n  $0for await (const x of g()) {}\n}\n",
        says: &["Each iteration calls `next()` on the async generator `g()`"],
        silent: &[],
    },
    Case {
        name: "a_for_await_over_a_const_async_generator_waits_for_its_yields",
        source: "const g = async function* () {\n  yield 1;\n};\nasync function f() {\n  $0for await (const x of g()) {}\n}\n",
        says: &["Each iteration calls `next()` on the async generator `g()`"],
        silent: &["if it is a native `Promise`"],
    },
    Case {
        name: "a_for_await_over_an_async_generator_method_of_this_waits_for_its_yields",
        source: "class Rows {\n  async *rows() {\n    yield 1;\n  }\n  async all() {\n    $0for await (const r of this.rows()) {}\n  }\n}\n",
        says: &["Each iteration calls `next()` on the async generator `this.rows()`"],
        silent: &["if it is a native `Promise`"],
    },
    // A write of `.rows` anywhere may replace the method.
    Case {
        name: "a_for_await_over_a_method_the_file_may_replace_is_unknown",
        source: "class Rows {\n  async *rows() {\n    yield 1;\n  }\n  async all() {\n    $0for await (const r of this.rows()) {}\n  }\n}\nRows.prototype.rows = [1];\n",
        says: &["if it is a native `Promise`"],
        silent: &["on the async generator"],
    },
    // `g` is reassigned: the file no longer shows what `g()` returns.
    Case {
        name: "a_for_await_over_an_unknown_iterable_says_what_decides_each_step",
        source: "async function* g() {\n  yield 1;\n}\ng = other;\nasync function f() {\n  $0for await (const x of g()) {}\n}\n",
        says: &[
            "Resumes each iteration 1 tick after the promise `g()`'s `next()` returns settles, \
             if it is a native `Promise` (`g` is reassigned in this file)",
            "if `g()` is a sync iterable (an array) instead, 2 ticks after its next element",
        ],
        silent: &["on the async generator"],
    },
];

#[test]
fn each_hover_says_what_its_case_lists() {
    let mut failures = Vec::new();
    for case in CASES {
        let text = hover(case.source);
        let missing = case.says.iter().filter(|part| !text.contains(*part));
        let unwanted = case.silent.iter().filter(|part| text.contains(*part));
        for part in missing {
            failures.push(format!("{}: does not say {part:?}", case.name));
        }
        for part in unwanted {
            failures.push(format!("{}: says {part:?}", case.name));
        }
        if failures.last().is_some_and(|f| f.starts_with(case.name)) {
            failures.push(format!("{}: the hover was:\n{text}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What the hover says about the await at `$0` and the one before it.
fn dependence_at(source_with_cursor: &str) -> Option<bool> {
    let offset = source_with_cursor.find("$0").expect("cursor marker");
    let source = source_with_cursor.replace("$0", "");
    let tree = syntax::parse(&source, None);
    let insights = insights(&source, &tree, ModuleKind::CommonJs);
    let function = insights.function_at(offset).expect("an async function");
    let at = function
        .awaits
        .iter()
        .filter(|a| a.range.contains(&offset))
        .min_by_key(|a| a.range.len())
        .expect("an await at the cursor");
    at.depends_on_previous
}

#[test]
fn uses_the_previous_result_only_where_the_operand_reads_it() {
    let uses = [
        "async function h() { const a = await f(); $0await g(a.x); }",
        "async function h() { const a = await f(); const b = a + 1; $0await g(b); }",
        "async function h() { const { data } = await f(); $0await g(data); }",
        "async function h() { const [, second] = await f(); $0await g(second); }",
        "async function h() { const { a: { b = 1 } } = await f(); $0await g(b); }",
        "async function h() { const body = (await f()).body; $0await g(body); }",
        "async function h() { let n = 0; n += await f(); $0await g(n); }",
        "async function h() { const a = await f(); const list = []; list.push(a); $0await g(list); }",
        "async function h(xs) { for (const x of xs) { const a = await f(x); $0await g(a); } }",
        "async function h() { const a = await f(); $0await (a).save(); }",
        "async function h() { const a = await f(); $0await g(`${a}`); }",
        "async function h(u) { const res = await fetch(u); $0await res.json(); }",
    ];
    let independent = [
        "async function h() { const a = await f(); log(a); $0await g(); }",
        "async function h() { const a = await f(); const b = 2; $0await g(b); }",
        "async function h(xs) { for (const x of xs) { const a = await f(x); $0await g(x); } }",
        "async function h() { const { data } = await f(); $0await g(other.data); }",
    ];
    // Nothing bound (a lock): nothing said.
    let silent = ["async function h() { await lock(); $0await g(); }"];
    let expected: [(&[&str], Option<bool>); 3] = [
        (&uses, Some(true)),
        (&independent, Some(false)),
        (&silent, None),
    ];
    for (sources, says) in expected {
        for source in sources {
            assert_eq!(dependence_at(source), says, "{source}");
        }
    }
}

#[test]
fn an_await_inside_the_previous_ones_operand_says_nothing_and_the_outer_one_uses_it() {
    let source = "async function h(u) { const data = await (await fetch(u)).json(); return data; }";
    let outer = source.replacen("await (", "$0await (", 1);
    assert_eq!(dependence_at(&outer), Some(true), "{outer}");
    let inner = source.replacen("(await fetch", "($0await fetch", 1);
    assert_eq!(dependence_at(&inner), None, "{inner}");
}

#[test]
fn awaits_after_a_lock_or_in_finally_say_nothing_about_independence() {
    let source = "async function withLock(resource, fn) {\n  await resource.lock();\n  try {\n    return await fn();\n  } finally {\n    await resource.unlock();\n  }\n}\n";
    for marker in ["return $0await fn()", "$0await resource.unlock()"] {
        let text = hover(&source.replacen(&marker.replace("$0", ""), marker, 1));
        assert_silent(&text, "Promise.all");
        assert_silent(&text, "Independent");
    }
}

#[test]
fn dropped_promises_without_awaits_do_not_run_until_an_await() {
    let source = "async function sync() { return compute(); }\n$0sync();\nnew Promise(r => r(compute()));\nPromise.all([sync()]);\n";
    let text = hover(source);
    assert_says(&text, "`sync()` runs to completion now");
    let text = hover(
        &source
            .replace("$0", "")
            .replace("new Promise", "$0new Promise"),
    );
    assert_says(&text, "its executor has already run");
    let text = hover(
        &source
            .replace("$0", "")
            .replace("Promise.all", "$0Promise.all"),
    );
    assert_says(&text, "if any input rejects, nobody handles it");
}

#[test]
fn dropped_call_hover_says_nobody_observes_it() {
    let text = hover("async function save(d) { await d; }\n$0save(1);\n");
    assert_says(&text, "nobody observes its completion or its failure");
    assert_says(
        &text,
        "If it rejects, Node 24 exits with an unhandled-rejection error",
    );
    // `Promise.allSettled` never rejects.
    let text = hover("$0Promise.allSettled([1]);\n");
    assert_silent(&text, "If it rejects");
}

/// `function_at` (an index by start) finds, at every offset, the function a
/// test of every function finds: the shortest that holds it. `line` is the
/// line the function starts on, and `line_of` counts as the whole text does.
#[test]
fn the_function_at_each_offset_is_the_innermost_and_its_lines_count_from_the_top() {
    let source = "async function a() {\n  await 1;\n  const f = async () => {\n    await 2;\n    \
                  const g = async function () { await 3; };\n  };\n  await f();\n}\n\
                  const h = async () => await 4;\nasync function b() {\n  await 5;\n}\n";
    let tree = syntax::parse(source, None);
    let found = insights(source, &tree, ModuleKind::CommonJs);
    assert_eq!(found.functions.len(), 5);
    let line_of = |offset: usize| source[..offset].matches('\n').count() + 1;
    for offset in 0..=source.len() {
        let tested = found
            .functions
            .iter()
            .filter(|f| f.range.contains(&offset))
            .min_by_key(|f| f.range.len());
        assert_eq!(
            found.function_at(offset).map(|f| f.range.clone()),
            tested.map(|f| f.range.clone()),
            "at byte {offset}"
        );
        for function in &found.functions {
            assert_eq!(function.line, line_of(function.range.start));
            assert_eq!(function.line_of(source, offset), line_of(offset));
        }
    }
}
