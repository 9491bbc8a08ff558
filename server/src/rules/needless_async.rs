use tree_sitter::Node;

use crate::analysis::source_facts::certainly_not_thenable;
use crate::findings::{Finding, Fix};
use crate::syntax::await_lookup;
use crate::syntax::awaits::awaits_itself;
use crate::syntax::js::{for_each_own_node, unwrap_parens};

use super::report::{keyword_and_space, one_edit_fix};
use super::{declare_rule, RuleContext};


declare_rule! {
    pub struct NeedlessAsync { code: "needless-async", docs: "needless_async.md",
        summary: "an async callback that never awaits, mapped inside `Promise.all`",
        severity: Hint, fixes: [ChangesBehaviour], triggers: [Modifier("async")],
        precision: { tuning: "no figure (no findings when the corpus was sampled, 2026-11-25)", held_out: 2 of 2, held_out_tests: 1 of 1, held_out_second: 3 of 3 },
        queries: [NEEDLESS_ASYNC_CALLBACKS("needless-async-callbacks.scm", ["all.call",
            "all.promise", "all.method", "map.call", "map.method", "callback",
            "callback.async_keyword"])],
    }
}

fn check(ctx: &RuleContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    ctx.for_each_complete_capture(
        &NEEDLESS_ASYNC_CALLBACKS,
        ["all.call", "map.call", "callback", "callback.async_keyword"],
        |[all, map, callback, keyword]| {
            // The query finds the shape; a callback that awaits needs its `async`.
            if !awaits_itself(ctx.source, callback) {
                let fixes = fixes(ctx, all, map, callback, keyword);
                findings.push(META.finding(keyword.byte_range(), message(), fixes));
            }
        },
    );
    findings
}

fn message() -> String {
    "this async callback never awaits: `async` only wraps each result in one more \
     promise, and `Promise.all` accepts plain values as well as promises"
        .to_owned()
}

fn fixes(ctx: &RuleContext, all: Node, map: Node, callback: Node, keyword: Node) -> Vec<Fix> {
    let keyword_and_space = keyword_and_space(ctx.source, keyword);
    let mut fixes = vec![one_edit_fix(
        "Remove `async` (a throw in the callback then stops `map` at that item)".to_owned(),
        FIX_SAFETY,
        keyword_and_space.clone(),
        "",
    )];
    // `await (Promise.all(...))` too, which tree-sitter reads as a call of a
    // function `await` (see `syntax::awaits`).
    if let Some(awaited) = await_lookup::await_of_operand(ctx.source, all, ctx.top_level_awaits()) {
        if returns_only_plain_values(ctx, callback) {
            let mut text = ctx.text(map).to_owned();
            let base = map.start_byte();
            text.replace_range(
                keyword_and_space.start - base..keyword_and_space.end - base,
                "",
            );
            fixes.push(one_edit_fix(
                "Map synchronously, without `await Promise.all`".to_owned(),
                FIX_SAFETY,
                awaited.range(),
                text,
            ));
        }
    }
    fixes
}

/// Every value the callback returns is certainly not a thenable.
fn returns_only_plain_values(ctx: &RuleContext, callback: Node) -> bool {
    let Some(body) = callback.child_by_field_id(crate::field!("body")) else {
        return false;
    };
    if body.kind() != "statement_block" {
        return certainly_not_thenable(ctx.source, unwrap_parens(body));
    }
    let mut plain = true;
    for_each_own_node(body, |node| {
        if node.kind() == "return_statement" {
            if let Some(value) = node.named_child(0) {
                plain &= certainly_not_thenable(ctx.source, value);
            }
        }
    });
    plain
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::fix_outputs::fix_outputs;
    use crate::rules::testing::{assert_invalid, assert_valid};

    #[test]
    fn callbacks_that_await_or_other_consumers_pass() {
        assert_valid(
            &NeedlessAsync,
            &[
                "await Promise.all(items.map(async (item) => await load(item)));",
                "await Promise.all(items.map(async (item) => { for await (const x of item) {} }));",
                "await Promise.all(items.map((item) => transform(item)));",
                // A sync throw would escape allSettled instead of settling.
                "await Promise.allSettled(items.map(async (item) => transform(item)));",
                // Not consumed by Promise.all: the promise may be the point.
                "const ps = items.map(async (item) => transform(item));",
                "const f = async (x) => g(x);",
                // An inner function's await does not count, but the outer one does.
                "await Promise.all(xs.map(async (x) => { const y = await f(x); return () => y; }));",
            ],
        );
    }

    #[test]
    fn async_callbacks_without_await_are_flagged_on_the_keyword() {
        assert_invalid(
            &NeedlessAsync,
            &[
                (
                    "const out = await Promise.all(items.map(async (item) => transformSyncPart(item)));",
                    "async",
                ),
                (
                    "function f(xs) { return Promise.all(xs.map(async function (x) { return x * 2; })); }",
                    "async",
                ),
                (
                    "await Promise.all(xs.map(async (x) => { const g = async () => await x; return g; }));",
                    "async",
                ),
            ],
        );
    }

    /// tree-sitter reads `await (x).y` as a call of a function `await`
    /// (tree-sitter-javascript #303); in async code it is an await.
    #[test]
    fn misparsed_awaits_count_in_the_callback_and_around_promise_all() {
        assert_valid(
            &NeedlessAsync,
            &["await Promise.all(items.map(async (item) => await (cache).get(item)));"],
        );
        assert_eq!(
            fix_outputs(
                &NeedlessAsync,
                "async function f(xs) { return await (Promise.all(xs.map(async (x) => x * 2))); }"
            ),
            [
                "async function f(xs) { return await (Promise.all(xs.map((x) => x * 2))); }",
                "async function f(xs) { return xs.map((x) => x * 2); }"
            ]
        );
    }

    /// `await (0, lib_1.f)(x)` is what TypeScript and Babel emit for an
    /// imported `f`: the callback awaits, and removing `async` would make
    /// that `await` a syntax error.
    #[test]
    fn compiled_calls_awaited_in_the_callback_count() {
        for source in [
            "await Promise.all(xs.map(async (x) => { await (0, lib_1.f)(x); }));",
            "await Promise.all(xs.map(async (x) => await (0, lib_1.f)(x)));",
            "async function g(xs) { return Promise.all(xs.map(async (x) => { const y = await (0, h)(x); return y; })); }",
        ] {
            assert_valid(&NeedlessAsync, &[source]);
        }
    }

    #[test]
    fn fixes_drop_async_and_map_synchronously_when_values_are_plain() {
        assert_eq!(
            fix_outputs(&NeedlessAsync, "const out = await Promise.all(items.map(async (item) => transformSyncPart(item)));"),
            ["const out = await Promise.all(items.map((item) => transformSyncPart(item)));"]
        );
        assert_eq!(
            fix_outputs(
                &NeedlessAsync,
                "const out = await Promise.all(xs.map(async (x) => ({ id: x.id, n: x.n + 1 })));"
            ),
            [
                "const out = await Promise.all(xs.map((x) => ({ id: x.id, n: x.n + 1 })));",
                "const out = xs.map((x) => ({ id: x.id, n: x.n + 1 }));"
            ]
        );
        assert_eq!(
            fix_outputs(&NeedlessAsync, "const out = await Promise.all(xs.map(async function (x) { if (!x) return 0; return x * 2; }));")[1],
            "const out = xs.map(function (x) { if (!x) return 0; return x * 2; });"
        );
    }
}
