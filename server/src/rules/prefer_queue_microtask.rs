use tree_sitter::Node;

use crate::findings::{Finding, Fix};

mod next_tick_context;
use next_tick_context::{next_tick_context, NextTickContext};

use super::report::one_edit_fix;
use super::tree_walks::has_named_descendant;
use super::{declare_rule, RuleContext};


declare_rule! {
    pub struct PreferQueueMicrotask { code: "prefer-queue-microtask", docs: "prefer_queue_microtask.md",
        summary: "`process.nextTick(fn)` where `queueMicrotask(fn)` would do",
        severity: Hint, default: off, fixes: [ChangesBehaviour], triggers: [Property("nextTick")],
        precision: { tuning: "35% (7 of 20 sampled, 2026-11-25)" },
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
    if candidates.is_empty() || ctx.facts().is_bound("process") {
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

    #[test]
    fn single_callback_next_ticks_are_flagged_on_the_callee() {
        assert_invalid(
            &PreferQueueMicrotask,
            &[
                (
                    "process.nextTick(() => emitter.emit('ready'));",
                    "process.nextTick",
                ),
                ("process.nextTick(flush);", "process.nextTick"),
                (
                    "function f() {\n  process.nextTick(function () { cb(null); });\n}",
                    "process.nextTick",
                ),
                // A condition that is not feature detection.
                (
                    "if (typeof cb === 'function') process.nextTick(cb);",
                    "process.nextTick",
                ),
            ],
        );
    }

    fn message(source: &str) -> String {
        let findings = findings_in(&PreferQueueMicrotask, source);
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
        let source = "process.nextTick(() => cb());";
        let findings = findings_in(&PreferQueueMicrotask, source);
        let fix = &findings[0].fixes[0];
        assert_eq!(fix.apply(source), "queueMicrotask(() => cb());");
        assert_eq!(fix.safety, FixSafety::ChangesBehaviour);
    }
}
