use tree_sitter::{Node, Tree};

use crate::findings::{Finding, Fix};

mod next_tick_context;
use next_tick_context::{next_tick_context, NextTickContext};

use super::report::one_edit_fix;
use super::tree_walks::has_named_descendant;
use super::{declare_rule, RuleContext};


declare_rule! {
    pub struct PreferQueueMicrotask { code: "prefer-queue-microtask", docs: "prefer_queue_microtask.md",
        summary: "`process.nextTick(fn)` where `queueMicrotask(fn)` would do",
        severity: Hint, fixes: [ChangesBehaviour], triggers: [Property("nextTick")],
        precision: { tuning: "35% (7 of 20 sampled, 2026-11-25)", held_out: 12 of 20, held_out_tests: 0 of 20, held_out_second: 20 of 20,
            typescript: "3 of 9 right on the first corpus (33%; all nine in one package, @mswjs/interceptors, which orders its callbacks against Node's own `nextTick` callbacks), no finding on the other four" },
        queries: [NEXT_TICK_CALLS("next-tick-calls.scm", ["tick.call", "tick.callee", "tick.object",
            "tick.property", "tick.callback"])],
    }
}

fn check(ctx: &RuleContext) -> Vec<Finding> {
    META.report_each(detect(ctx), |(callee, context)| {
        (
            callee.byte_range(),
            message(context),
            vec![fix(callee, context)],
        )
    })
}

/// The `process.nextTick` callees to report, each with where it is called.
fn detect<'a>(ctx: &RuleContext<'a>) -> Vec<(Node<'a>, NextTickContext)> {
    let mut candidates = Vec::new();
    ctx.for_each_complete_capture(
        &NEXT_TICK_CALLS,
        ["tick.callee", "tick.callback"],
        |[callee, callback]| {
            if !matches!(callback.kind(), "spread_element" | "comment")
                && !in_scheduling_shim(ctx, callee)
            {
                candidates.push(callee);
            }
        },
    );
    if candidates.is_empty()
        || ctx.facts().is_bound("process")
        || ctx
            .config
            .node
            .as_ref()
            .is_some_and(|node| node.admits_older_than(FIRST_NODE_WITH_QUEUE_MICROTASK))
        || !orders_against_promises(ctx.source, ctx.tree)
    {
        return Vec::new();
    }
    let module_syntax = ctx.top_level_awaits();
    candidates
        .into_iter()
        .map(|callee| {
            let context = callee
                .parent()
                .map(|call| next_tick_context(ctx.source, call, module_syntax))
                .unwrap_or(NextTickContext::Unknown);
            (callee, context)
        })
        .collect()
}

fn message(context: NextTickContext) -> String {
    wording(context).0.to_owned()
}

fn fix(callee: Node, context: NextTickContext) -> Fix {
    one_edit_fix(
        wording(context).1.to_owned(),
        FIX_SAFETY,
        callee.byte_range(),
        "queueMicrotask",
    )
}

/// The message and the fix title for a call in `context`: each says only
/// what is true there (`tests/next_tick_context.rs` runs every case).
fn wording(context: NextTickContext) -> (&'static str, &'static str) {
    const BEFORE_TITLE: &str =
        "Use `queueMicrotask` (runs after the promise callbacks already queued, not before them)";
    match context {
        NextTickContext::ScriptTopLevel => (
            "use `queueMicrotask` unless this callback must jump the queue: at a CommonJS \
             script's top level, `process.nextTick` runs it before every promise callback queued \
             so far (in an ES module, only after them), while `queueMicrotask` runs it in order \
             with them",
            BEFORE_TITLE,
        ),
        NextTickContext::TimerCallback => (
            "use `queueMicrotask` unless this callback must jump the queue: in a timer \
             callback, `process.nextTick` runs it before every promise callback queued so far, \
             while `queueMicrotask` runs it in order with them",
            BEFORE_TITLE,
        ),
        NextTickContext::EsModuleTopLevel | NextTickContext::Microtask => (
            "use `queueMicrotask` to run this callback in order with promise callbacks: here \
             `process.nextTick` runs it only after the microtask queue empties (after every \
             pending promise callback), which is rarely what was meant",
            "Use `queueMicrotask` (runs in order with promise callbacks, not after all of them)",
        ),
        NextTickContext::Unknown => (
            "use `queueMicrotask` to run this callback in order with promise callbacks: \
             `process.nextTick` callbacks run on Node's own queue, before or after pending \
             promise callbacks depending on where it is called",
            "Use `queueMicrotask` (runs in order with promise callbacks)",
        ),
    }
}

/// Node gained `queueMicrotask` in 11.0.0: code that must run on an older
/// one has nothing to switch to.
const FIRST_NODE_WITH_QUEUE_MICROTASK: u64 = 11;

/// The words of promise code (as identifiers, property names or keywords).
const PROMISE_WORDS: &[&str] = &[
    "await",
    "async",
    "then",
    "catch",
    "finally",
    "Promise",
    "queueMicrotask",
];

/// Whether the file `tree` of `source` holds promise code a `nextTick`
/// callback could run before or after: an `await` (or `for await`), an
/// `async` function, a `then`/`catch`/`finally` property (a call, or a
/// thenable's own method), `Promise` or `queueMicrotask`. Without any, the
/// file's callbacks are ordered only among themselves, which `nextTick` and
/// `queueMicrotask` do alike. The whole file, not one unit: the driver keys
/// its reuse of a unit's findings on this answer.
pub fn orders_against_promises(source: &str, tree: &Tree) -> bool {
    if !PROMISE_WORDS.iter().any(|word| source.contains(word)) {
        return false;
    }
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        let found = match node.kind() {
            // Keywords: `async function`, `async () =>`, `await x`, `for await`.
            "async" | "await" => !node.is_named(),
            "identifier" | "type_identifier" => matches!(
                &source[node.byte_range()],
                "Promise" | "queueMicrotask" | "await"
            ),
            "property_identifier" => {
                matches!(&source[node.byte_range()], "then" | "catch" | "finally")
            }
            _ => false,
        };
        if found {
            return true;
        }
        if cursor.goto_first_child() || cursor.goto_next_sibling() {
            continue;
        }
        loop {
            if !cursor.goto_parent() {
                return false;
            }
            if cursor.goto_next_sibling() {
                break;
            }
        }
    }
}

/// Globals whose `typeof` test marks code written for runtimes without them.
const SCHEDULING_GLOBALS: &[&str] = &["setImmediate", "queueMicrotask", "Promise"];

/// True when `node` lies in a branch of a `?:` or `if` whose condition tests
/// `typeof` of a scheduling global: feature detection for old runtimes.
fn in_scheduling_shim(ctx: &RuleContext, node: Node) -> bool {
    let mut child = node;
    while let Some(parent) = child.parent() {
        let condition = match parent.kind() {
            "ternary_expression" | "if_statement" => {
                parent.child_by_field_id(crate::field!("condition"))
            }
            _ => None,
        };
        if let Some(condition) = condition.filter(|c| c.id() != child.id()) {
            if tests_typeof_of_scheduling_global(ctx, condition) {
                return true;
            }
        }
        child = parent;
    }
    false
}

fn tests_typeof_of_scheduling_global(ctx: &RuleContext, condition: Node) -> bool {
    has_named_descendant(condition, |node| {
        node.kind() == "unary_expression"
            && node
                .child_by_field_id(crate::field!("operator"))
                .is_some_and(|op| ctx.text(op) == "typeof")
            && node
                .child_by_field_id(crate::field!("argument"))
                .is_some_and(|arg| SCHEDULING_GLOBALS.contains(&ctx.text(arg)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::FixSafety;
    use crate::rules::testing::{assert_invalid, assert_valid, findings_in};

    #[test]
    fn other_calls_and_extra_arguments_pass() {
        assert_valid(
            &PreferQueueMicrotask,
            &[
                "queueMicrotask(() => done());",
                "process.nextTick(emitErrorNT, stream, err);",
                "process.nextTick(...args);",
                "process.nextTick();",
                "setImmediate(() => done());",
                "const process = require('./process');\nprocess.nextTick(() => done());",
                "other.nextTick(() => done());",
            ],
        );
    }

    #[test]
    fn shims_for_runtimes_without_scheduling_globals_pass() {
        assert_valid(
            &PreferQueueMicrotask,
            &[
                // finalhandler, on-finished: `setImmediate` or a `nextTick` fallback.
                "var defer = typeof setImmediate === 'function'\n  ? setImmediate\n  : function (fn) { process.nextTick(fn.bind.apply(fn, arguments)) }",
                "if (typeof queueMicrotask !== 'function') {\n  schedule = (fn) => process.nextTick(fn);\n}",
                "const later = typeof Promise === 'undefined' ? (f) => process.nextTick(f) : (f) => Promise.resolve().then(f);",
            ],
        );
    }

    /// A line of promise code, for the cases about something else: the rule
    /// is silent in a file without any.
    const PROMISE_CODE: &str = "\nready.then(start);";

    #[test]
    fn single_callback_next_ticks_are_flagged_on_the_callee() {
        let cases: Vec<String> = [
            "process.nextTick(() => emitter.emit('ready'));",
            "process.nextTick(flush);",
            "function f() {\n  process.nextTick(function () { cb(null); });\n}",
            // A condition that is not feature detection.
            "if (typeof cb === 'function') process.nextTick(cb);",
        ]
        .iter()
        .map(|source| format!("{source}{PROMISE_CODE}"))
        .collect();
        let cases: Vec<(&str, &str)> = cases
            .iter()
            .map(|source| (source.as_str(), "process.nextTick"))
            .collect();
        assert_invalid(&PreferQueueMicrotask, &cases);
    }

    #[test]
    fn callback_only_files_pass() {
        assert_valid(
            &PreferQueueMicrotask,
            &[
                "function later(fn) {\n  process.nextTick(() => fn());\n}",
                // `catch` of a `try`, and the words in comments and strings, are no promise code.
                "try { run(); } catch (e) { process.nextTick(() => cb(e)); }",
                "// then, once Promise-free: await nothing\nprocess.nextTick(cb, 'async');\nprocess.nextTick(() => log('then await Promise'));",
                "stream.on('finish', () => process.nextTick(done));",
            ],
        );
    }

    #[test]
    fn any_promise_code_in_the_file_keeps_the_finding() {
        let next_tick = "function later(fn) { process.nextTick(() => fn()); }\n";
        for promise_code in [
            "async function load() {}",
            "const load = async () => {};",
            "({ async load() {} });",
            "export default await ready;",
            "async function f() { for await (const x of xs) use(x); }",
            "ready.then(start);",
            "ready.catch(report);",
            "ready.finally(close);",
            "class Reply { then(ok) { setImmediate(ok); } }",
            "const p = new Promise(executor);",
            "queueMicrotask(flush);",
        ] {
            let source = format!("{next_tick}{promise_code}");
            assert_eq!(
                findings_in(&PreferQueueMicrotask, &source).len(),
                1,
                "{source}"
            );
            assert!(
                orders_against_promises(&source, &crate::syntax::parse(&source, None)),
                "{source}"
            );
        }
    }

    /// What the rule reports on `source` under `[runtime] node = "{node}"`.
    fn findings_for_node(source: &str, node: Option<&str>) -> usize {
        let config = crate::config::Config {
            rules: [(META.code.to_owned(), crate::config::RuleLevel::On)].into(),
            node: node.map(|range| crate::config::NodeRange::parse(range).unwrap()),
            ..Default::default()
        };
        let tree = crate::syntax::parse(source, None);
        crate::driver::analyze_configured(source, &tree, &[&PreferQueueMicrotask], &config)
            .findings
            .len()
    }

    #[test]
    fn a_target_node_without_queue_microtask_silences_it() {
        let source = format!("process.nextTick(flush);{PROMISE_CODE}");
        for (node, found) in [
            (None, 1),
            (Some(">=18"), 1),
            (Some("^12.20.0 || >=14"), 1),
            (Some(">=11.0.0"), 1),
            (Some(">=8"), 0),
            (Some(">=8.0.0 || ^10"), 0),
            (Some("8 - 12"), 0),
            (Some("^10.24 || >=12"), 0),
            (Some("*"), 0),
        ] {
            assert_eq!(findings_for_node(&source, node), found, "{node:?}");
        }
    }

    fn message(source: &str) -> String {
        let source = format!("{source}{PROMISE_CODE}");
        let findings = findings_in(&PreferQueueMicrotask, &source);
        assert_eq!(findings.len(), 1, "{source}");
        findings[0].message.clone()
    }

    #[test]
    fn the_message_says_what_is_true_where_the_call_is() {
        let before = "before every promise callback queued so far";
        let after = "only after the microtask queue empties";
        for (source, claim) in [
            ("process.nextTick(f);", before),
            ("setTimeout(() => { process.nextTick(f); }, 0);", before),
            ("export {};\nprocess.nextTick(f);", after),
            ("p.then(() => process.nextTick(f));", after),
            (
                "queueMicrotask(function () { process.nextTick(f); });",
                after,
            ),
            (
                "async function g() { await x; process.nextTick(f); }",
                after,
            ),
            (
                "async function g() { const v = await x; use(v); process.nextTick(f); }",
                after,
            ),
        ] {
            assert!(
                message(source).contains(claim),
                "{source}: {}",
                message(source)
            );
        }
        // The caller decides: no claim either way.
        for source in [
            "function g() { process.nextTick(f); }",
            "async function g() { process.nextTick(f); await x; }",
            "async function g() { if (c) await x; process.nextTick(f); }",
            "async function g() { c && (await x); process.nextTick(f); }",
            "emitter.on('data', () => process.nextTick(f));",
        ] {
            let text = message(source);
            assert!(
                !text.contains(before)
                    && !text.contains(after)
                    && text.contains("depending on where it is called"),
                "{source}: {text}"
            );
        }
    }

    #[test]
    fn the_fix_uses_queue_microtask() {
        let source = "process.nextTick(() => cb());\nready.then(start);";
        let findings = findings_in(&PreferQueueMicrotask, source);
        let fix = &findings[0].fixes[0];
        assert_eq!(
            fix.apply(source),
            "queueMicrotask(() => cb());\nready.then(start);"
        );
        assert_eq!(fix.safety, FixSafety::ChangesBehaviour);
    }
}
