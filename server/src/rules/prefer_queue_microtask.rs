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
//! arguments, and files that bind their own `process`.

use crate::analysis::{Edit, Finding, Fix, FixSafety, Severity};
use crate::query_file;

use super::{Rule, RuleContext, RuleMeta};

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
    triggers: &["nextTick"],
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
                if !matches!(callback.kind(), "spread_element" | "comment") {
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
                message:
                    "`process.nextTick` makes this callback jump ahead of every pending promise \
                          job; unless that priority is needed, `queueMicrotask` is the standard \
                          equivalent and runs in order with promise jobs"
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
