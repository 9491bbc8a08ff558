//! The claims of the suspensions no tick after entry describes, checked against Node 24: a
//! `yield`, a `yield await` and a `yield*` in an async generator, and a `for await` loop over an
//! array and over an async generator (`analysis/insights/suspension_text.rs`).
//!
//! Each case is one ES module that ticklens reads (the hover on a keyword) and Node runs with a
//! generation counter in front (/work/shared/measuring-claims.md: a job queued first that
//! re-queues itself with `queueMicrotask`; `mark(what)` records `what@generation`, a
//! synchronous call). The test asserts the hover states the claim, then that Node's log bears it
//! out; a count the hover states (`yield await`'s "1 tick for a plain value") is read from the
//! hover, not written here.

#[path = "differential/node.rs"]
mod node;

use std::time::Duration;

use ticklens::analysis::insights;
use ticklens::engine::{job_counts, ModuleKind};

/// The counter and `mark`, before each case; the log is printed from a timer at the end.
const COUNTER: &str = "let gen = 0;\nconst log = [];\n\
    function tick() { gen++; if (gen < 60) queueMicrotask(tick); }\n\
    function mark(what) { log.push([what, gen]); }\n\
    queueMicrotask(tick);\n";
const PRINT: &str = "setTimeout(() => console.log(JSON.stringify(log)), 20);\n";

/// Node's log of `case`: each mark with its generation, in the order they ran.
fn node_log(name: &str, case: &str) -> Vec<(String, u64)> {
    let node = node::require_node_24();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join(format!("{name}.mjs"));
    std::fs::write(&path, format!("{COUNTER}{case}{PRINT}")).expect("write the case");
    let run = node::run_node(&node, &path, Duration::from_secs(20));
    assert_eq!(
        run.code,
        Some(0),
        "{name}: node {}\n{}",
        run.ending(),
        run.stderr
    );
    let log: Vec<(String, u64)> = serde_json::from_str(run.stdout.trim())
        .unwrap_or_else(|e| panic!("{name}: the log is not JSON ({e}): {}", run.stdout));
    log
}

/// The hover ticklens shows on the `nth` occurrence (from 0) of `keyword` in `case`.
fn hover(case: &str, keyword: &str, nth: usize) -> String {
    let source = format!("{COUNTER}{case}{PRINT}");
    let offset = source
        .match_indices(keyword)
        .nth(nth)
        .map(|(at, _)| at)
        .unwrap_or_else(|| panic!("no {keyword} #{nth} in the case"));
    let tree = ticklens::syntax::parse(&source, None);
    let insights = insights::insights(&source, &tree, ModuleKind::EsModule);
    insights
        .hover(&source, offset)
        .map(|(_, text)| text)
        .unwrap_or_else(|| panic!("no hover on {keyword} #{nth}"))
}

/// Asserts the hover on the `nth` `keyword` of `case` says `says`; then Node's log of `case`.
fn claimed_then_run(
    name: &str,
    case: &str,
    (keyword, nth): (&str, usize),
    says: &str,
) -> Vec<(String, u64)> {
    let text = hover(case, keyword, nth);
    assert!(
        text.contains(says),
        "{name}: the hover does not say {says:?}:\n{text}"
    );
    node_log(name, case)
}

/// The generation of the first mark named `what`, and its place in the log.
fn at(log: &[(String, u64)], what: &str) -> (usize, u64) {
    log.iter()
        .enumerate()
        .find(|(_, (name, _))| name == what)
        .map(|(index, (_, generation))| (index, *generation))
        .unwrap_or_else(|| panic!("no mark {what} in {log:?}"))
}

/// The first number in `text` after `after`.
fn number_after(text: &str, after: &str) -> u64 {
    let rest = &text[text
        .find(after)
        .unwrap_or_else(|| panic!("no {after:?} in {text}"))..];
    let digits: String = rest
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no number after {after:?} in {text}"))
}

#[test]
fn yield_await_settles_the_consumers_next_the_stated_ticks_after_its_await_resumes() {
    let case = "async function* g(x) {\n  mark(\"reached\");\n  yield await x;\n}\n\
        const it = g(7);\n\
        it.next().then(() => mark(\"next settled\"));\n";
    let text = hover(case, "yield", 0);
    let stated = number_after(&text, "awaits it once more");
    let log = node_log("yield_await", case);
    let (_, reached) = at(&log, "reached");
    // A reaction registered before the promise settles runs one generation after it settles.
    let (_, settled) = at(&log, "next settled");
    let inner_resumed = reached + u64::from(job_counts().await_plain_value);
    assert_eq!(settled - 1 - inner_resumed, stated, "{text}\n{log:?}");
}

#[test]
fn a_yield_resumes_during_the_consumers_next_call_or_at_once_when_it_was_already_called() {
    let case = "async function* g() {\n  yield 1;\n  mark(\"resumed\");\n  yield 2;\n}\n\
        const it = g();\n\
        it.next().then(() => { mark(\"calling\"); it.next(); mark(\"returned\"); });\n";
    let says = "Resumes during the consumer's next `next()` call, synchronously";
    let log = claimed_then_run("yield_during_next", case, ("yield", 0), says);
    let ((calling, g1), (resumed, g2), (returned, g3)) = (
        at(&log, "calling"),
        at(&log, "resumed"),
        at(&log, "returned"),
    );
    assert!(
        calling < resumed && resumed < returned && g1 == g2 && g2 == g3,
        "{log:?}"
    );

    // Asked for twice at once: it resumes on the tick it hands the first value over.
    let case = "async function* g() {\n  yield 1;\n  mark(\"resumed\");\n  yield 2;\n}\n\
        const it = g();\n\
        it.next().then(() => mark(\"first settled\"));\nit.next();\n";
    let says = "or at once, on the tick it hands this value over, when the consumer has already \
         called `next()` again";
    let log = claimed_then_run("yield_queued", case, ("yield", 0), says);
    let (_, resumed) = at(&log, "resumed");
    let (_, settled) = at(&log, "first settled");
    assert_eq!(resumed, settled - 1, "{log:?}");
}

#[test]
fn a_yield_star_resumes_after_the_call_that_finds_the_inner_iterator_done() {
    let case = "async function* g() {\n  yield* [\"a\", \"b\"];\n  mark(\"resumed\");\n}\n\
        const it = g();\n\
        function step(k) { mark(\"call \" + k); const p = it.next(); mark(\"returned \" + k);\n\
          p.then((r) => { if (!r.done) step(k + 1); }); }\n\
        step(1);\n";
    let text = hover(case, "yield", 0);
    assert!(text.contains("(not during that call)"), "{text}");
    // It never resumes inside the call that finds the inner iterator done.
    let says = "Resumes once `[\"a\", \"b\"]` is done";
    let log = claimed_then_run("yield_star", case, ("yield", 0), says);
    let (resumed, generation) = at(&log, "resumed");
    // The call that finds it done is the last one before the resumption; it returned first.
    let last_call = log[..resumed]
        .iter()
        .rposition(|(name, _)| name.starts_with("call "))
        .expect("a call before the resumption");
    let returned = format!("returned {}", &log[last_call].0["call ".len()..]);
    let (returned_at, returned_generation) = at(&log, &returned);
    assert!(
        returned_at < resumed && returned_generation < generation,
        "{log:?}"
    );
}

#[test]
fn a_for_await_over_an_array_resumes_each_iteration_after_its_element_and_the_previous_body() {
    let case = "const late = new Promise((r) =>\n\
          queueMicrotask(() => queueMicrotask(() => { mark(\"late settles\"); r(\"late\"); })));\n\
        (async () => {\n  for await (const x of [late, 1, Promise.resolve(2)]) {\n\
          mark(\"body \" + x);\n  }\n})();\n";
    let says = "Resumes each iteration once its element has settled and the previous iteration's \
         body has finished";
    let log = claimed_then_run("for_await_array", case, ("for await", 0), says);
    let (settles, settle_generation) = at(&log, "late settles");
    let (first, first_generation) = at(&log, "body late");
    assert!(
        settles < first && settle_generation < first_generation,
        "{log:?}"
    );
    let (second, second_generation) = at(&log, "body 1");
    let (third, third_generation) = at(&log, "body 2");
    assert!(
        first < second
            && second < third
            && first_generation < second_generation
            && second_generation < third_generation,
        "{log:?}"
    );
}

#[test]
fn a_for_await_over_an_async_generator_resumes_as_an_await_of_its_next_promise() {
    let case = "async function* items() {\n  yield 1;\n  yield 2;\n}\n\
        (async () => {\n  const it = items();\n  const next = it.next.bind(it);\n\
          it.next = () => { const p = next(); p.then(() => mark(\"next settled\")); return p; };\n\
          for await (const x of it) {\n    mark(\"body \" + x);\n  }\n})();\n\
        (async () => {\n  for await (const x of items()) {\n\
          mark(\"plain body \" + x);\n  }\n})();\n";
    let says = "Resumes each iteration once the native promise `items()`'s `next()` returned \
        settles, as an `await` of it would";
    let log = claimed_then_run("for_await_generator", case, ("for await", 1), says);
    // The wrapped `next` observes the same generator the plain loop drives: a reaction
    // registered first runs one generation after the promise settles, and the loop body's
    // resumption is an await of that promise.
    let (_, reaction) = at(&log, "next settled");
    let (_, body) = at(&log, "body 1");
    let settled = reaction - 1;
    assert_eq!(
        body - settled,
        u64::from(job_counts().await_native_promise),
        "{log:?}"
    );
}
