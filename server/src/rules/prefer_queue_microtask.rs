//! `prefer-queue-microtask`: `process.nextTick(fn)` where the standard
//! `queueMicrotask(fn)` would do.
//!
//! Node keeps its own `nextTick` queue and drains it before the promise jobs
//! at each checkpoint, so a `nextTick` callback jumps ahead of every pending
//! `then` and `await` continuation. Code rarely needs that priority; when it
//! does not, `queueMicrotask` is the web-standard equivalent that runs in
//! order with promise jobs, which makes the order easier to predict (and works
//! outside Node).
//!
//! Bad:
//! ```js
//! process.nextTick(() => emitter.emit("ready"));
//! ```
//!
//! Good:
//! ```js
//! queueMicrotask(() => emitter.emit("ready"));
//! ```
//!
//! Fix (changes behaviour: the callback now runs after the promise jobs
//! already queued instead of before them): `queueMicrotask(fn)`.
//!
//! Not flagged: calls with extra arguments (`process.nextTick(fn, a, b)`, the
//! Node-internal style that relies on `nextTick`'s argument passing), spread
//! arguments, files that bind their own `process`, and calls in a branch of a
//! conditional that tests `typeof` of a scheduling global
//! (`typeof setImmediate === 'function' ? setImmediate : (fn) =>
//! process.nextTick(fn)`): that is a shim for runtimes that lack the global,
//! and those lack `queueMicrotask` too.

use tree_sitter::Node;

use crate::analysis::{Edit, Finding, Fix, FixSafety, Severity};
use crate::query_file;

use super::{Rule, RuleContext, RuleMeta, Trigger};

pub struct PreferQueueMicrotask;

query_file!(
    NEXT_TICK_CALLS,
    "next-tick-calls.scm",
    [
        "tick.call",
        "tick.callee",
        "tick.object",
        "tick.property",
        "tick.callback"
    ]
);

static META: RuleMeta = RuleMeta {
    code: "prefer-queue-microtask",
    default_severity: Severity::Hint,
    summary: "`process.nextTick(fn)` where `queueMicrotask(fn)` would do",
    triggers: &[Trigger::Property("nextTick")],
    queries: &[&NEXT_TICK_CALLS],
};

impl Rule for PreferQueueMicrotask {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext) -> Vec<Finding> {
        let callee_i = NEXT_TICK_CALLS.capture("tick.callee");
        let callback_i = NEXT_TICK_CALLS.capture("tick.callback");
        let mut candidates = Vec::new();
        ctx.for_each_match(&NEXT_TICK_CALLS, |captures| {
            let get = |i| captures.iter().find(|c| c.index == i).map(|c| c.node);
            if let (Some(callee), Some(callback)) = (get(callee_i), get(callback_i)) {
                if !matches!(callback.kind(), "spread_element" | "comment")
                    && !in_scheduling_shim(ctx, callee)
                {
                    candidates.push(callee.byte_range());
                }
            }
        });
        if candidates.is_empty() || ctx.facts().is_bound("process") {
            return Vec::new();
        }
        candidates
            .into_iter()
            .map(|callee| Finding {
                rule: META.code,
                severity: META.default_severity,
                message: "use `queueMicrotask` unless this callback must run before every pending \
                          promise job: `process.nextTick` makes it jump ahead of them, while \
                          `queueMicrotask` is the standard equivalent and runs in order with them"
                    .to_owned(),
                range: callee.clone(),
                fixes: vec![Fix {
                    title: "Use `queueMicrotask` (runs after the promise jobs already queued)"
                        .to_owned(),
                    safety: FixSafety::ChangesBehaviour,
                    edits: vec![Edit {
                        range: callee,
                        text: "queueMicrotask".to_owned(),
                    }],
                }],
            })
            .collect()
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
    let mut stack = vec![condition];
    while let Some(node) = stack.pop() {
        if node.kind() == "unary_expression"
            && node
                .child_by_field_id(crate::field!("operator"))
                .is_some_and(|op| ctx.text(op) == "typeof")
            && node
                .child_by_field_id(crate::field!("argument"))
                .is_some_and(|arg| SCHEDULING_GLOBALS.contains(&ctx.text(arg)))
        {
            return true;
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze_with;
    use crate::rules::testing::{assert_invalid, assert_valid};
    use crate::syntax;

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

    #[test]
    fn the_fix_uses_queue_microtask() {
        let source = "process.nextTick(() => cb());";
        let tree = syntax::parse(source, None);
        let findings = analyze_with(source, &tree, &[&PreferQueueMicrotask]).findings;
        let fix = &findings[0].fixes[0];
        assert_eq!(fix.apply(source), "queueMicrotask(() => cb());");
        assert_eq!(fix.safety, FixSafety::ChangesBehaviour);
    }
}
