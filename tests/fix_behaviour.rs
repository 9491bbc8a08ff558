//! Fixes proven under Node 24: each case is a small runnable program holding a
//! rule's pattern. The rule's fix is applied through the library (`analyze_with`, then
//! `Fix::apply`), and both programs run under Node 24.
//!
//! - A fix marked `Safe` or `MarksIntent` keeps behaviour: the two programs print
//!   the same lines and exit with the same code (and, for `Safe`, so does the
//!   program after every safe fix, as `check --fix` writes it).
//! - A `ChangesBehaviour` fix changes exactly what the rule's message promises:
//!   each case pins the output before and after (the `catch` now sees the
//!   rejection, the work now starts together, ...).
//!
//! The programs avoid wall-clock races: work that must take time awaits
//! microtasks (`await null`), so the order is the same on a loaded machine. Only
//! the `fetch` case needs a real server and real timers, with wide margins.
//! Node comes from `TICKLENS_NODE` or `scripts/install-node.sh`; without it the
//! tests fail.

#[path = "differential/node.rs"]
mod node;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use ticklens::config::{Config, RuleLevel};
use ticklens::driver::analyze_with;
use ticklens::findings::{Fix, FixSafety};
use ticklens::ide::fix_all::apply_safe_fixes;
use ticklens::syntax::SourceLanguage;
use ticklens::{rules, syntax};

/// What `node FILE` printed on stdout, line by line, and its exit code.
struct Output {
    lines: &'static [&'static str],
    code: i32,
}

enum Expect {
    /// The fix keeps behaviour: both programs print this and exit so.
    Same(Output),
    /// The fix changes behaviour as the rule says it does.
    Changes { before: Output, after: Output },
}

struct Case {
    rule: &'static str,
    /// The program text where the finding's range starts.
    at: &'static str,
    /// The start of the chosen fix's title.
    fix: &'static str,
    safety: FixSafety,
    program: &'static str,
    expect: Expect,
}

const fn ok(lines: &'static [&'static str]) -> Output {
    Output { lines, code: 0 }
}

/// Node 24 ends the process with code 1 on an unhandled rejection.
const fn crashed(lines: &'static [&'static str]) -> Output {
    Output { lines, code: 1 }
}

/// The one finding of the case's rule at `at`, and its fix titled `fix...`.
fn chosen_fix(case: &Case) -> Fix {
    let tree = syntax::parse(case.program, None);
    assert!(!tree.root_node().has_error(), "the program does not parse");
    let at = case
        .program
        .find(case.at)
        .unwrap_or_else(|| panic!("`{}` is not in the program", case.at));
    // Every rule, those off by default included: a case names the rule it proves.
    let findings = analyze_with(case.program, &tree, rules::ALL).findings;
    let finding = findings
        .iter()
        .find(|f| f.rule == case.rule && f.range.start == at)
        .unwrap_or_else(|| {
            panic!(
                "no {} finding at `{}`; the findings are {:#?}",
                case.rule, case.at, findings
            )
        });
    let fix = finding
        .fixes
        .iter()
        .find(|fix| fix.title.starts_with(case.fix))
        .unwrap_or_else(|| {
            panic!(
                "{} offers no fix `{}...`; it offers {:#?}",
                case.rule, case.fix, finding.fixes
            )
        });
    assert_eq!(
        fix.safety, case.safety,
        "{}: `{}` is declared {:?}, the case expects {:?}",
        case.rule, fix.title, fix.safety, case.safety
    );
    fix.clone()
}

/// Runs `source` under Node 24 as a CommonJS file in `dir`.
fn run(dir: &Path, name: &str, source: &str) -> (String, Option<i32>, String) {
    let node = node::require_node_24();
    let path = dir.join(name);
    std::fs::write(&path, source).expect("write the program");
    let run = node::run_node(&node, &path, Duration::from_secs(30));
    assert!(!run.timed_out, "{name} ran for too long:\n{source}");
    (run.stdout, run.code, run.stderr)
}

fn joined(output: &Output) -> String {
    output
        .lines
        .iter()
        .map(|line| format!("{line}\n"))
        .collect()
}

/// Applies the case's fix and checks the programs before and after under Node 24.
fn prove(case: &Case) {
    let fix = chosen_fix(case);
    let fixed = fix.apply(case.program);
    assert!(
        !syntax::parse(&fixed, None).root_node().has_error(),
        "{}: `{}` gives a program that does not parse:\n{fixed}",
        case.rule,
        fix.title
    );
    let dir = tempfile::Builder::new()
        .prefix("ticklens-fix-behaviour-")
        .tempdir()
        .expect("a scratch folder");
    let (before, before_code, before_err) = run(dir.path(), "before.cjs", case.program);
    let (after, after_code, after_err) = run(dir.path(), "after.cjs", &fixed);
    let context = format!(
        "{}: `{}`\n--- before (stderr: {before_err})\n{}\n--- after (stderr: {after_err})\n{fixed}",
        case.rule, fix.title, case.program
    );
    match &case.expect {
        Expect::Same(expected) => {
            assert_eq!(
                (before.as_str(), before_code),
                (joined(expected).as_str(), Some(expected.code)),
                "the program before the fix does not print what the case says\n{context}"
            );
            assert_eq!(
                (after.as_str(), after_code),
                (before.as_str(), before_code),
                "the fix changed what the program prints or its exit code\n{context}"
            );
            if case.safety == FixSafety::Safe {
                // The case's rule may be off by default: switch it on.
                let config = Config {
                    rules: [(case.rule.to_owned(), RuleLevel::On)].into(),
                    ..Config::default()
                };
                let (all_fixed, applied) = apply_safe_fixes(
                    case.program,
                    SourceLanguage::JavaScript,
                    rules::ALL,
                    &config,
                );
                assert!(applied >= 1, "fix-all applied nothing\n{context}");
                let (out, code, err) = run(dir.path(), "all-fixed.cjs", &all_fixed);
                assert_eq!(
                    (out.as_str(), code),
                    (before.as_str(), before_code),
                    "every safe fix together changed behaviour (stderr: {err}):\n{all_fixed}"
                );
            }
        }
        Expect::Changes {
            before: want_before,
            after: want_after,
        } => {
            assert_eq!(
                (before.as_str(), before_code),
                (joined(want_before).as_str(), Some(want_before.code)),
                "the program before the fix does not print what the case says\n{context}"
            );
            assert_eq!(
                (after.as_str(), after_code),
                (joined(want_after).as_str(), Some(want_after.code)),
                "the fixed program does not print what the rule promises\n{context}"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Safe fixes: behaviour is kept.

const EXECUTOR_DROP_ASYNC: Case = Case {
    rule: "async-promise-executor",
    at: "async (resolve, reject)",
    fix: "Remove `async`",
    safety: FixSafety::Safe,
    program: r#"function settle(value) {
  return new Promise(async (resolve, reject) => {
    if (value instanceof Error) reject(value);
    else if (value === undefined) setTimeout(() => resolve("late"), 5);
    else resolve(value);
  });
}
async function main() {
  const p1 = settle("now").then((v) => console.log("p1", v));
  Promise.resolve().then(() => console.log("other 1")).then(() => console.log("other 2"));
  const p2 = settle(new Error("nope")).catch((e) => console.log("p2 rejected", e.message));
  const p3 = settle(undefined).then((v) => console.log("p3", v));
  await Promise.all([p1, p2, p3]);
  console.log("done");
}
main();
"#,
    expect: Expect::Same(ok(&[
        "p1 now",
        "other 1",
        "p2 rejected nope",
        "other 2",
        "p3 late",
        "done",
    ])),
};

#[test]
fn async_promise_executor_drop_async_keeps_values_rejections_and_order() {
    prove(&EXECUTOR_DROP_ASYNC);
}

/// The one difference the rule's docs name: a throw inside the executor used to
/// reject the executor's own, unobserved promise (Node exits on it); without
/// `async` it rejects the new promise, whose handler now runs.
const EXECUTOR_DROP_ASYNC_THROW: Case = Case {
    rule: "async-promise-executor",
    at: "async (resolve)",
    fix: "Remove `async`",
    safety: FixSafety::Safe,
    program: r#"function parse(text) {
  return new Promise(async (resolve) => {
    resolve(JSON.parse(text));
  });
}
parse("{").then(
  (v) => console.log("parsed", v),
  (e) => console.log("rejected", e.name),
);
setTimeout(() => console.log("timer"), 5);
"#,
    expect: Expect::Changes {
        before: crashed(&[]),
        after: ok(&["rejected SyntaxError", "timer"]),
    },
};

#[test]
fn async_promise_executor_drop_async_lets_a_throw_reject_the_new_promise() {
    prove(&EXECUTOR_DROP_ASYNC_THROW);
}

const WRAPPER_SAFE: Case = Case {
    rule: "promise-constructor-wrap",
    at: "new Promise((resolve, reject) => get(id)",
    fix: "Use `get(id)` directly",
    safety: FixSafety::ChangesBehaviour,
    program: r#"async function get(id) {
  if (id < 0) throw new Error("bad id " + id);
  return { id };
}
function load(id) {
  return new Promise((resolve, reject) => get(id).then(resolve, reject));
}
async function main() {
  console.log("user", (await load(1)).id);
  try {
    await load(-1);
  } catch (e) {
    console.log("caught", e.message);
  }
  const all = await Promise.all([load(2), load(3)]);
  console.log("all", all.map((u) => u.id).join(","));
}
main();
"#,
    expect: Expect::Same(ok(&["user 1", "caught bad id -1", "all 2,3"])),
};

#[test]
fn promise_constructor_wrap_fix_keeps_values_and_rejections() {
    prove(&WRAPPER_SAFE);
}

/// What the rule's message says ("the wrapper settles the same way, one or two
/// jobs later"), seen from outside: without the wrapper the promise settles
/// before promise jobs it used to follow. A program that orders its output by
/// such jobs prints in a different order after the fix, which is why it is
/// marked as changing behaviour.
const WRAPPER_SAFE_TIMING: Case = Case {
    rule: "promise-constructor-wrap",
    at: "new Promise((resolve, reject) => get(id)",
    fix: "Use `get(id)` directly",
    safety: FixSafety::ChangesBehaviour,
    program: r#"async function get(id) {
  return { id };
}
function load(id) {
  return new Promise((resolve, reject) => get(id).then(resolve, reject));
}
load(1).then((user) => console.log("loaded", user.id));
Promise.resolve()
  .then(() => console.log("job 1"))
  .then(() => console.log("job 2"))
  .then(() => console.log("job 3"));
"#,
    expect: Expect::Changes {
        before: ok(&["job 1", "loaded 1", "job 2", "job 3"]),
        after: ok(&["loaded 1", "job 1", "job 2", "job 3"]),
    },
};

#[test]
fn promise_constructor_wrap_fix_settles_jobs_earlier_than_the_wrapper() {
    prove(&WRAPPER_SAFE_TIMING);
}

const RETAINED_NULL: Case = Case {
    rule: "large-retained-across-await",
    at: "body = await readBody(req)",
    fix: "Set `body = null`",
    safety: FixSafety::Safe,
    program: r#"async function readBody(req) {
  await null;
  return JSON.stringify({ user: req, items: [1, 2, 3] });
}
async function save(value) {
  for (let i = 0; i < value.user.length; i++) await null;
  console.log("saved", value.user);
  return value.items.length;
}
async function handle(req) {
  let body = await readBody(req);
  const parsed = JSON.parse(body);
  const count = await save(parsed);
  console.log("handled", req, count, typeof parsed);
  return count;
}
Promise.all([handle("ann"), handle("bo")]).then((counts) => console.log("counts", counts.join(",")));
"#,
    expect: Expect::Same(ok(&[
        "saved bo",
        "saved ann",
        "handled bo 3 object",
        "handled ann 3 object",
        "counts 3,3",
    ])),
};

#[test]
fn large_retained_across_await_null_fix_keeps_behaviour() {
    prove(&RETAINED_NULL);
}

// ---------------------------------------------------------------------------
// MarksIntent: `void` keeps behaviour, including an unhandled rejection.

const FLOATING_VOID: Case = Case {
    rule: "floating-promise",
    at: "save(x);",
    fix: "Mark",
    safety: FixSafety::MarksIntent,
    program: r#"async function save(x) {
  await null;
  console.log("saved", x);
}
function handler(x) {
  save(x);
  console.log("handler returns");
}
handler(1);
Promise.resolve().then(() => console.log("tick"));
"#,
    expect: Expect::Same(ok(&["handler returns", "saved 1", "tick"])),
};

#[test]
fn floating_promise_void_keeps_behaviour() {
    prove(&FLOATING_VOID);
}

const FLOATING_VOID_REJECTS: Case = Case {
    rule: "floating-promise",
    at: "fail();",
    fix: "Mark",
    safety: FixSafety::MarksIntent,
    program: r#"async function fail() {
  await null;
  throw new Error("lost");
}
function handler() {
  fail();
  console.log("handler returns");
}
handler();
setTimeout(() => console.log("timer"), 5);
"#,
    expect: Expect::Same(crashed(&["handler returns"])),
};

#[test]
fn floating_promise_void_still_crashes_on_a_rejection() {
    prove(&FLOATING_VOID_REJECTS);
}

// ---------------------------------------------------------------------------
// ChangesBehaviour: the change the rule promises.

const RETURN_AWAIT_CATCH: Case = Case {
    rule: "return-without-await-in-try",
    at: "return fetchUser(id)",
    fix: "Use `return await`",
    safety: FixSafety::ChangesBehaviour,
    program: r#"async function fetchUser(id) {
  await null;
  throw new Error("no user " + id);
}
async function load(id) {
  try {
    return fetchUser(id);
  } catch (err) {
    console.log("catch saw", err.message);
    return null;
  }
}
load(1).then(
  (user) => console.log("load resolved", user),
  (err) => console.log("caller got", err.message),
);
"#,
    expect: Expect::Changes {
        before: ok(&["caller got no user 1"]),
        after: ok(&["catch saw no user 1", "load resolved null"]),
    },
};

#[test]
fn return_await_lets_the_catch_see_the_rejection() {
    prove(&RETURN_AWAIT_CATCH);
}

const RETURN_AWAIT_FINALLY: Case = Case {
    rule: "return-without-await-in-try",
    at: "return work()",
    fix: "Use `return await`",
    safety: FixSafety::ChangesBehaviour,
    program: r#"async function work() {
  await null;
  console.log("work settles");
  return 1;
}
async function withLock() {
  console.log("lock taken");
  try {
    return work();
  } finally {
    console.log("lock released");
  }
}
withLock().then((v) => console.log("result", v));
"#,
    expect: Expect::Changes {
        before: ok(&["lock taken", "lock released", "work settles", "result 1"]),
        after: ok(&["lock taken", "work settles", "lock released", "result 1"]),
    },
};

#[test]
fn return_await_runs_finally_after_the_promise_settles() {
    prove(&RETURN_AWAIT_FINALLY);
}

/// A program that starts with `task(name, ticks)`: it logs its start, takes
/// `ticks` microtasks, and logs its end.
macro_rules! with_task {
    ($rest:literal) => {
        concat!(
            r#"async function task(name, ticks) {
  console.log("start", name);
  for (let i = 0; i < ticks; i++) await null;
  console.log("end", name);
  return name;
}
"#,
            $rest
        )
    };
}

const SEQUENTIAL: Case = Case {
    rule: "sequential-awaits",
    at: "await task(\"b\"",
    fix: "Start them together",
    safety: FixSafety::ChangesBehaviour,
    program: with_task!(
        r#"async function both() {
  const a = await task("a", 3);
  const b = await task("b", 1);
  console.log("got", a, b);
}
both();
"#
    ),
    expect: Expect::Changes {
        before: ok(&["start a", "end a", "start b", "end b", "got a b"]),
        after: ok(&["start a", "start b", "end b", "end a", "got a b"]),
    },
};

#[test]
fn sequential_awaits_fix_starts_both_together() {
    prove(&SEQUENTIAL);
}

const AWAIT_IN_PROMISE_ALL: Case = Case {
    rule: "await-in-promise-all",
    at: "await task(\"a\"",
    fix: "Remove the `await`s",
    safety: FixSafety::ChangesBehaviour,
    program: with_task!(
        r#"async function pair() {
  const [a, b] = await Promise.all([await task("a", 1), await task("b", 1)]);
  console.log("got", a, b);
}
pair();
"#
    ),
    expect: Expect::Changes {
        before: ok(&["start a", "end a", "start b", "end b", "got a b"]),
        after: ok(&["start a", "start b", "end a", "end b", "got a b"]),
    },
};

#[test]
fn await_in_promise_all_fix_starts_the_elements_together() {
    prove(&AWAIT_IN_PROMISE_ALL);
}

const AWAIT_IN_LOOP: Case = Case {
    rule: "await-in-loop",
    at: "await task(user",
    fix: "Run the iterations together",
    safety: FixSafety::ChangesBehaviour,
    program: with_task!(
        r#"async function notify(users) {
  for (const user of users) {
    await task(user, 1);
  }
  console.log("all sent");
}
notify(["ann", "bob"]);
"#
    ),
    expect: Expect::Changes {
        before: ok(&["start ann", "end ann", "start bob", "end bob", "all sent"]),
        after: ok(&["start ann", "start bob", "end ann", "end bob", "all sent"]),
    },
};

#[test]
fn await_in_loop_fix_overlaps_the_iterations() {
    prove(&AWAIT_IN_LOOP);
}

const ARRAY_CALLBACK_PROMISE_ALL: Case = Case {
    rule: "async-array-callback",
    at: "async (user)",
    fix: "Wait for every callback",
    safety: FixSafety::ChangesBehaviour,
    program: with_task!(
        r#"async function saveAll(users) {
  users.forEach(async (user) => {
    await task(user, 1);
  });
  console.log("saveAll returns");
}
saveAll(["ann", "bob"]).then(() => console.log("caller continues"));
"#
    ),
    expect: Expect::Changes {
        before: ok(&[
            "start ann",
            "start bob",
            "saveAll returns",
            "end ann",
            "end bob",
            "caller continues",
        ]),
        after: ok(&[
            "start ann",
            "start bob",
            "end ann",
            "end bob",
            "saveAll returns",
            "caller continues",
        ]),
    },
};

#[test]
fn async_array_callback_promise_all_fix_waits_for_every_callback() {
    prove(&ARRAY_CALLBACK_PROMISE_ALL);
}

const ARRAY_CALLBACK_FOR_OF: Case = Case {
    rule: "async-array-callback",
    at: "async (user)",
    fix: "Run the callbacks one after another",
    safety: FixSafety::ChangesBehaviour,
    program: ARRAY_CALLBACK_PROMISE_ALL.program,
    expect: Expect::Changes {
        before: ok(&[
            "start ann",
            "start bob",
            "saveAll returns",
            "end ann",
            "end bob",
            "caller continues",
        ]),
        after: ok(&[
            "start ann",
            "end ann",
            "start bob",
            "end bob",
            "saveAll returns",
            "caller continues",
        ]),
    },
};

#[test]
fn async_array_callback_for_of_fix_runs_the_callbacks_in_turn() {
    prove(&ARRAY_CALLBACK_FOR_OF);
}

const FLOATING_AWAIT: Case = Case {
    rule: "floating-promise",
    at: "save(x);",
    fix: "Await",
    safety: FixSafety::ChangesBehaviour,
    program: r#"async function save(x) {
  await null;
  console.log("saved", x);
}
async function handler(x) {
  save(x);
  console.log("handler done");
}
handler(1).then(() => console.log("handler settled"));
"#,
    expect: Expect::Changes {
        before: ok(&["handler done", "saved 1", "handler settled"]),
        after: ok(&["saved 1", "handler done", "handler settled"]),
    },
};

#[test]
fn floating_promise_await_fix_waits_for_the_work() {
    prove(&FLOATING_AWAIT);
}

const FLOATING_CATCH: Case = Case {
    rule: "floating-promise",
    at: "fail();",
    fix: "Handle a rejection",
    safety: FixSafety::ChangesBehaviour,
    program: r#"async function fail() {
  await null;
  throw new Error("boom");
}
function start() {
  fail();
  console.log("started");
}
start();
setTimeout(() => console.log("still running"), 5);
"#,
    expect: Expect::Changes {
        before: crashed(&["started"]),
        after: ok(&["started", "still running"]),
    },
};

#[test]
fn floating_promise_catch_fix_observes_the_failure() {
    prove(&FLOATING_CATCH);
}

const EXECUTOR_INLINE: Case = Case {
    rule: "async-promise-executor",
    at: "async (resolve)",
    fix: "Do the work directly",
    safety: FixSafety::ChangesBehaviour,
    program: r#"async function step(fail) {
  await null;
  if (fail) throw new Error("step failed");
  return 1;
}
async function run(fail) {
  return new Promise(async (resolve) => {
    const v = await step(fail);
    resolve(v);
  });
}
run(false).then((v) => console.log("ok", v));
run(true).then(
  (v) => console.log("ok", v),
  (e) => console.log("run rejected:", e.message),
);
setTimeout(() => console.log("timer"), 5);
"#,
    expect: Expect::Changes {
        // The executor's own promise rejects, unobserved; `run(true)` never settles.
        before: crashed(&["ok 1"]),
        after: ok(&["ok 1", "run rejected: step failed", "timer"]),
    },
};

#[test]
fn async_promise_executor_inline_fix_rejects_instead_of_hanging() {
    prove(&EXECUTOR_INLINE);
}

const NEEDLESS_ASYNC: Case = Case {
    rule: "needless-async",
    at: "async (item)",
    fix: "Remove `async`",
    safety: FixSafety::ChangesBehaviour,
    program: r#"function transform(item) {
  console.log("transform", item);
  if (item === 2) throw new Error("bad item " + item);
  return item * 10;
}
async function run(items) {
  try {
    const out = await Promise.all(items.map(async (item) => transform(item)));
    console.log("out", out);
  } catch (e) {
    console.log("caught", e.message);
  }
}
run([1, 2, 3]);
"#,
    expect: Expect::Changes {
        before: ok(&[
            "transform 1",
            "transform 2",
            "transform 3",
            "caught bad item 2",
        ]),
        after: ok(&["transform 1", "transform 2", "caught bad item 2"]),
    },
};

#[test]
fn needless_async_fix_stops_map_at_a_throwing_item() {
    prove(&NEEDLESS_ASYNC);
}

const NEEDLESS_ASYNC_SYNC_MAP: Case = Case {
    rule: "needless-async",
    at: "async (item)",
    fix: "Map synchronously",
    safety: FixSafety::ChangesBehaviour,
    program: r#"async function plusOne(items) {
  const out = await Promise.all(items.map(async (item) => item + 1));
  console.log("out", out.join(","));
}
Promise.resolve().then(() => console.log("job 1")).then(() => console.log("job 2"));
plusOne([1, 2]);
"#,
    expect: Expect::Changes {
        before: ok(&["job 1", "job 2", "out 2,3"]),
        after: ok(&["out 2,3", "job 1", "job 2"]),
    },
};

#[test]
fn needless_async_sync_map_fix_gives_the_same_values_without_waiting() {
    prove(&NEEDLESS_ASYNC_SYNC_MAP);
}

const QUEUE_MICROTASK: Case = Case {
    rule: "prefer-queue-microtask",
    at: "process.nextTick",
    fix: "Use `queueMicrotask`",
    safety: FixSafety::ChangesBehaviour,
    program: r#"function later(fn) {
  process.nextTick(() => fn());
}
Promise.resolve().then(() => console.log("promise job"));
later(() => console.log("callback"));
"#,
    expect: Expect::Changes {
        before: ok(&["callback", "promise job"]),
        after: ok(&["promise job", "callback"]),
    },
};

#[test]
fn prefer_queue_microtask_fix_runs_after_queued_promise_jobs() {
    prove(&QUEUE_MICROTASK);
}

const WRAPPER_MAY_THROW: Case = Case {
    rule: "promise-constructor-wrap",
    at: "new Promise((resolve) => resolve(fetch",
    fix: "Use `fetch(config.url)` directly",
    safety: FixSafety::ChangesBehaviour,
    program: r#"let config = null;
function load() {
  return new Promise((resolve) => resolve(fetch(config.url)));
}
try {
  load().catch((e) => console.log("rejected:", e.constructor.name));
  console.log("load returned");
} catch (e) {
  console.log("load threw:", e.constructor.name);
}
"#,
    expect: Expect::Changes {
        before: ok(&["load returned", "rejected: TypeError"]),
        after: ok(&["load threw: TypeError"]),
    },
};

#[test]
fn promise_constructor_wrap_unsafe_fix_throws_where_the_wrapper_rejected() {
    prove(&WRAPPER_MAY_THROW);
}

const FAN_OUT: Case = Case {
    rule: "unbounded-fan-out",
    at: "Promise.all(users.map",
    fix: "Process `users` in batches",
    safety: FixSafety::ChangesBehaviour,
    program: r#"let inFlight = 0;
let peak = 0;
async function send(user) {
  inFlight++;
  peak = Math.max(peak, inFlight);
  await null;
  inFlight--;
}
async function sendAll(users) {
  await Promise.all(users.map((user) => send(user)));
}
const users = Array.from({ length: 250 }, (_, i) => i);
sendAll(users).then(() => console.log("peak in flight:", peak));
"#,
    expect: Expect::Changes {
        before: ok(&["peak in flight: 250"]),
        after: ok(&["peak in flight: 100"]),
    },
};

#[test]
fn unbounded_fan_out_fix_caps_operations_in_flight() {
    prove(&FAN_OUT);
}

const AWAIT_LITERAL: Case = Case {
    rule: "await-non-promise",
    at: "await 3",
    fix: "Remove the `await`",
    safety: FixSafety::ChangesBehaviour,
    program: r#"async function retries() {
  const n = await 3;
  console.log("retries", n);
}
Promise.resolve().then(() => console.log("job queued first"));
retries();
"#,
    expect: Expect::Changes {
        before: ok(&["job queued first", "retries 3"]),
        after: ok(&["retries 3", "job queued first"]),
    },
};

#[test]
fn await_non_promise_fix_removes_one_tick() {
    prove(&AWAIT_LITERAL);
}

const AWAIT_ARRAY: Case = Case {
    rule: "await-non-promise",
    at: "await [",
    fix: "Wait for the elements",
    safety: FixSafety::ChangesBehaviour,
    program: r#"async function loadA() {
  return "a";
}
async function loadB() {
  return "b";
}
async function both() {
  const [a, b] = await [loadA(), loadB()];
  console.log(a, b);
}
both();
"#,
    expect: Expect::Changes {
        before: ok(&["Promise { 'a' } Promise { 'b' }"]),
        after: ok(&["a b"]),
    },
};

#[test]
fn await_non_promise_array_fix_waits_for_the_elements() {
    prove(&AWAIT_ARRAY);
}

const STALE_READ: Case = Case {
    rule: "stale-read-across-await",
    at: "total += await",
    fix: "Await into",
    safety: FixSafety::ChangesBehaviour,
    program: r#"let total = 0;
async function size(file) {
  await null;
  return file.length;
}
async function add(file) {
  total += await size(file);
}
Promise.all(["aa", "bbbb"].map(add)).then(() => console.log("total", total));
"#,
    expect: Expect::Changes {
        // Both calls read `total` as 0 before awaiting: one update is lost.
        before: ok(&["total 4"]),
        after: ok(&["total 6"]),
    },
};

#[test]
fn stale_read_across_await_fix_keeps_every_update() {
    prove(&STALE_READ);
}

/// A local server answers after 1.5 s; the client gives up after 200 ms. The
/// first `fetch` of a process loads Node's HTTP client, which can take longer
/// than the timeout on a busy machine, so a first request warms it up.
const TIMEOUT_RACE: Case = Case {
    rule: "timeout-without-abort",
    at: "Promise.race",
    fix: "Abort the request",
    safety: FixSafety::ChangesBehaviour,
    program: r#"const http = require("node:http");

const server = http.createServer((req, res) => {
  if (req.url === "/warm") {
    res.end("ok");
    return;
  }
  res.on("close", () => {
    console.log(res.writableFinished ? "server: response sent" : "server: request aborted");
  });
  setTimeout(() => res.end("late"), 1500);
});

async function get(url) {
  return await Promise.race([
    fetch(url),
    new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 200)),
  ]);
}

server.listen(0, "127.0.0.1", async () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  await (await fetch(`${base}/warm`)).text();
  try {
    const res = await get(`${base}/slow`);
    console.log("status", res.status);
  } catch (err) {
    console.log("client:", err.name);
  }
  setTimeout(() => {
    server.closeAllConnections();
    server.close();
  }, 1800);
});
"#,
    expect: Expect::Changes {
        // The race gives up, but the request runs to its end.
        before: ok(&["client: Error", "server: response sent"]),
        // The request is aborted, with a `TimeoutError`.
        after: ok(&["client: TimeoutError", "server: request aborted"]),
    },
};

#[test]
fn timeout_without_abort_fix_aborts_the_request() {
    prove(&TIMEOUT_RACE);
}

// ---------------------------------------------------------------------------
// Coverage.

const ALL_CASES: &[&Case] = &[
    &EXECUTOR_DROP_ASYNC,
    &EXECUTOR_DROP_ASYNC_THROW,
    &WRAPPER_SAFE,
    &WRAPPER_SAFE_TIMING,
    &RETAINED_NULL,
    &FLOATING_VOID,
    &FLOATING_VOID_REJECTS,
    &RETURN_AWAIT_CATCH,
    &RETURN_AWAIT_FINALLY,
    &SEQUENTIAL,
    &AWAIT_IN_PROMISE_ALL,
    &AWAIT_IN_LOOP,
    &ARRAY_CALLBACK_PROMISE_ALL,
    &ARRAY_CALLBACK_FOR_OF,
    &FLOATING_AWAIT,
    &FLOATING_CATCH,
    &EXECUTOR_INLINE,
    &NEEDLESS_ASYNC,
    &NEEDLESS_ASYNC_SYNC_MAP,
    &QUEUE_MICROTASK,
    &WRAPPER_MAY_THROW,
    &FAN_OUT,
    &AWAIT_LITERAL,
    &AWAIT_ARRAY,
    &STALE_READ,
    &TIMEOUT_RACE,
];

#[test]
fn every_rule_has_a_fix_proven_under_node() {
    let covered: BTreeSet<&str> = ALL_CASES.iter().map(|case| case.rule).collect();
    let missing: Vec<&str> = rules::ALL
        .iter()
        .map(|rule| rule.meta().code)
        .filter(|code| !covered.contains(code))
        .collect();
    assert_eq!(missing, Vec::<&str>::new(), "rules without a case");
}

/// Every fix that claims to keep behaviour, offered anywhere in these programs or
/// in the fix fixtures, has a case that runs it and compares the outputs.
#[test]
fn every_behaviour_keeping_fix_offered_has_a_same_output_case() {
    let proven: BTreeSet<(&str, String)> = ALL_CASES
        .iter()
        .filter(|case| matches!(case.expect, Expect::Same(_)))
        .map(|case| (case.rule, format!("{:?}", case.safety)))
        .collect();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/fixes");
    let mut sources: Vec<String> = ALL_CASES.iter().map(|c| c.program.to_owned()).collect();
    for entry in std::fs::read_dir(&fixtures).expect("tests/fixtures/fixes") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|e| e == "js") {
            sources.push(std::fs::read_to_string(&path).expect("a fixture"));
        }
    }
    let mut unproven = BTreeSet::new();
    for source in &sources {
        let tree = syntax::parse(source, None);
        for finding in analyze_with(source, &tree, rules::ALL).findings {
            for fix in finding.fixes {
                if fix.safety == FixSafety::ChangesBehaviour {
                    continue;
                }
                let key = (finding.rule, format!("{:?}", fix.safety));
                if !proven.contains(&key) {
                    unproven.insert((key, fix.title));
                }
            }
        }
    }
    assert_eq!(
        unproven,
        BTreeSet::new(),
        "fixes without a same-output case"
    );
}
