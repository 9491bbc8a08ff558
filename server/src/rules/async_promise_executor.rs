//! `async-promise-executor`: an `async` function passed to `new Promise(...)`.
//!
//! The executor of `new Promise(executor)` is expected to call `resolve` or
//! `reject` directly. Marking it `async` makes it return a promise of its own that
//! the constructor ignores: a throw after an `await` rejects that ignored promise,
//! and the promise being constructed can stay pending for ever.
//!
//! Bad:
//! ```js
//! return new Promise(async (resolve) => {
//!   const data = await fetch(url);
//!   resolve(data);
//! });
//! ```
//!
//! Good:
//! ```js
//! return fetch(url);
//! ```

use crate::analysis::{Finding, Severity};
use crate::query_file;

use super::{Rule, RuleContext, RuleMeta};

pub struct AsyncPromiseExecutor;

query_file!(
    PROMISE_EXECUTORS,
    "promise-executors.scm",
    [
        "promise.new",
        "promise.constructor",
        "executor",
        "executor.async_keyword"
    ]
);

static META: RuleMeta = RuleMeta {
    code: "async-promise-executor",
    default_severity: Severity::Warning,
    summary: "an async function passed as a Promise executor",
    queries: &[&PROMISE_EXECUTORS],
};

impl Rule for AsyncPromiseExecutor {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext) -> Vec<Finding> {
        let keyword = PROMISE_EXECUTORS.capture("executor.async_keyword");
        let mut findings = Vec::new();
        ctx.for_each_match(&PROMISE_EXECUTORS, |captures| {
            for capture in captures.iter().filter(|c| c.index == keyword) {
                findings.push(Finding {
                    rule: META.code,
                    severity: META.default_severity,
                    message: "this Promise executor is async: a throw after its first `await` \
                              rejects the executor's own promise, which nobody observes, and the \
                              new Promise may never settle"
                        .to_owned(),
                    range: capture.node.byte_range(),
                    fixes: Vec::new(),
                });
            }
        });
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{assert_invalid, assert_valid};

    #[test]
    fn sync_executors_and_other_constructors_pass() {
        assert_valid(
            &AsyncPromiseExecutor,
            &[
                "new Promise((resolve) => resolve(1));",
                "new Promise(function (resolve, reject) { reject(new Error('x')); });",
                "new Thing(async () => {});",
                "new Promise(resolve => setTimeout(resolve, 10));",
                "const p = Promise.resolve(async () => {});",
                // The async function is not the executor.
                "new Promise((resolve) => resolve(async () => 1));",
            ],
        );
    }

    #[test]
    fn async_executors_are_flagged_on_the_async_keyword() {
        assert_invalid(
            &AsyncPromiseExecutor,
            &[
                ("new Promise(async (resolve) => { resolve(await f()); });", "async"),
                ("new Promise(async function (resolve) { resolve(1); });", "async"),
                ("async function g(url) {\n  return new Promise(async (r) => r(await fetch(url)));\n}", "async"),
            ],
        );
    }
}
