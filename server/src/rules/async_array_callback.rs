use std::ops::Range;

use tree_sitter::Node;

use crate::analysis::declared_types::VoidCallback;
use crate::analysis::source_facts::AsyncFacts;
use crate::findings::{Edit, Finding, Fix};
use crate::syntax::awaits::awaits_itself;
use crate::syntax::js::{for_each_own_node, in_async_function, is_for_await, unwrap_parens};
use crate::syntax::{await_lookup, awaits};
use crate::syntax;

use super::{declare_rule, RuleContext};


declare_rule! {
    pub struct AsyncArrayCallback { code: "async-array-callback", docs: "async_array_callback.md",
        summary: "an async callback whose promise an array method ignores or misreads",
        severity: Warning, fixes: [ChangesBehaviour], triggers: [Modifier("async")],
        reads: [DeclaredVoidCallbacks],
        precision: { tuning: "no figure (no findings when the corpus was sampled, 2026-11-25)", held_out: 0 of 0, held_out_tests: 0 of 0, held_out_second: 0 of 0,
            typescript: "2 of 2 right (one finding each on the fourth and fifth corpora; no other corpus has one)" },
        queries: [ARRAY_CALLBACKS("array-callbacks.scm", ["array.call", "array.receiver",
            "array.method", "callback", "callback.async_keyword"])],
    }
}

struct Match<'t> {
    /// The whole `items.forEach(async ...)` call, what a fix replaces.
    call: Node<'t>,
    /// The array, `items`.
    receiver: Node<'t>,
    /// `forEach`, `filter`, `reduce`, ...: the message depends on it.
    method: Node<'t>,
    callback: Node<'t>,
    /// The callback's `async`.
    highlight: Range<usize>,
}

fn check(ctx: &RuleContext) -> Vec<Finding> {
    let mut findings = META.report_each(detect(ctx), |m| {
        let method = ctx.text(m.method);
        let fixes = if method == "forEach" {
            for_each_fixes(ctx, ctx.facts(), &m)
        } else {
            Vec::new()
        };
        (m.highlight.clone(), message(method), fixes)
    });
    let void_callbacks = declared_void_callbacks(ctx)
        .filter(|v| !findings.iter().any(|f| f.range == v.async_keyword))
        .collect::<Vec<_>>();
    findings.extend(META.report_each(void_callbacks, |v| {
        (v.async_keyword.clone(), void_callback_message(&v), Vec::new())
    }));
    findings
}

/// The async functions of the scope passed where the file's TypeScript
/// declares a parameter whose type is a function returning `void`.
fn declared_void_callbacks<'c>(ctx: &'c RuleContext) -> impl Iterator<Item = VoidCallback> + 'c {
    let scope: Vec<Range<usize>> = ctx.scope().iter().map(|n| n.byte_range()).collect();
    ctx.facts()
        .void_callbacks()
        .iter()
        .filter(move |v| {
            scope
                .iter()
                .any(|s| s.start <= v.argument.start && v.argument.end <= s.end)
        })
        .cloned()
}

/// What a declared `void` callback type says of an async function passed there.
fn void_callback_message(v: &VoidCallback) -> String {
    format!(
        "`{}` expects `{}` for `{}` ({}): its declared type says the promise this async \
         function returns is not used, so unless `{}` handles it anyway, nothing waits for it \
         and a rejection of it is unhandled, which ends the process under Node 24 (exit code 1)",
        v.callee,
        v.type_text,
        v.parameter,
        v.place(),
        v.callee
    )
}

/// The async callbacks an array method ignores or misreads.
fn detect<'a>(ctx: &RuleContext<'a>) -> Vec<Match<'a>> {
    ctx.filter_map_complete_captures(
        &ARRAY_CALLBACKS,
        [
            "array.call",
            "array.receiver",
            "array.method",
            "callback",
            "callback.async_keyword",
        ],
        |[call, receiver, method, callback, keyword]| {
            let m = Match {
                call,
                receiver,
                method,
                callback,
                highlight: keyword.byte_range(),
            };
            let method = ctx.text(m.method);
            if consumed_as_promise(ctx, m.call) {
                return None;
            }
            if method.starts_with("reduce") && awaits_accumulator(ctx.source, m.callback) {
                return None;
            }
            Some(m)
        },
    )
}

fn message(method: &str) -> String {
    let truthy = "reads each async callback's promise as a boolean, and a promise is always truthy";
    match method {
        "forEach" => "`forEach` does not wait for async callbacks: the loop returns before any \
                      callback finishes, and a failing callback becomes an unhandled rejection, \
                      which ends the process under Node 24 (exit code 1)"
            .to_owned(),
        "filter" => format!("`filter` {truthy}: every element is kept"),
        "some" => format!("`some` {truthy}: it returns true for any non-empty array"),
        "every" => format!("`every` {truthy}: it returns true for every array"),
        "find" => format!("`find` {truthy}: it returns the first element"),
        "findLast" => format!("`findLast` {truthy}: it returns the last element"),
        "findIndex" => format!("`findIndex` {truthy}: it returns 0 for any non-empty array"),
        "findLastIndex" => {
            format!("`findLastIndex` {truthy}: it returns the last index for any non-empty array")
        }
        "sort" | "toSorted" => format!(
            "`{method}` reads the async comparator's promise as a number (NaN, taken as \"equal\"): \
             the array keeps its original order"
        ),
        _ => format!(
            "this async reducer returns a promise, so from the second step on `{method}` passes a \
             promise as the accumulator: `await` the accumulator first thing in the reducer (the \
             steps then run one after another), or use a `for...of` loop"
        ),
    }
}

/// True when the call's result is awaited or chained as a promise or an
/// async iterable: then the receiver is not an array (Node streams and async
/// iterator helpers have these methods and do await callbacks).
fn consumed_as_promise(ctx: &RuleContext, call: Node) -> bool {
    let source = ctx.source;
    let mut node = call;
    while let Some(parent) = node.parent() {
        match parent.kind() {
            "parenthesized_expression" => node = parent,
            // Outside async code `await (x)` calls a function named `await`.
            "await_expression" => return ctx.await_at(parent).is_some(),
            // `await (xs.map(f))` and `await (xs.map(f)).then(g)`, which
            // tree-sitter reads as calls of a function `await` (see
            // `syntax::awaits`): the call is awaited, or read by the chain.
            "arguments" => {
                let Some(around) =
                    await_lookup::misparsed_await_call_around(source, node, ctx.top_level_awaits())
                else {
                    return false;
                };
                if ctx.await_at(around).is_some() {
                    return true;
                }
                node = around;
            }
            "for_in_statement" => return is_for_await(parent),
            "member_expression" => {
                let Some(property) = parent.child_by_field_id(crate::field!("property")) else {
                    return false;
                };
                if matches!(&source[property.byte_range()], "then" | "toArray" | "catch") {
                    return true;
                }
                match parent.parent() {
                    Some(grand) if grand.kind() == "call_expression" => node = grand,
                    _ => return false,
                }
            }
            _ => return false,
        }
    }
    false
}

/// `async (accP, x) => { const acc = await accP; ... }`: the known-good shape.
fn awaits_accumulator(source: &str, callback: Node) -> bool {
    let Some(params) = callback.child_by_field_id(crate::field!("parameters")) else {
        return false;
    };
    let Some(first) = params.named_child(0) else {
        return false;
    };
    if first.kind() != "identifier" {
        return false;
    }
    let name = &source[first.byte_range()];
    let Some(body) = callback.child_by_field_id(crate::field!("body")) else {
        return false;
    };
    let mut found = false;
    // The callback is async: each of its own nodes is in async code.
    let mut check = |node: Node| {
        if let Some(operand) =
            awaits::await_expression_in(source, node, true).and_then(|a| a.operand)
        {
            let operand = unwrap_parens(operand);
            found |= operand.kind() == "identifier" && &source[operand.byte_range()] == name;
        }
    };
    check(body);
    for_each_own_node(body, check);
    found
}

/// Receivers whose `forEach` is not the array one: `Map` passes (value, key)
/// and iterates entries; sets, maps and DOM lists have no `map`.
fn may_not_be_array(ctx: &RuleContext, facts: &AsyncFacts, receiver: Node) -> bool {
    let text = ctx.text(receiver);
    let last = text.rsplit('.').next().unwrap_or(text).to_ascii_lowercase();
    if ["map", "set", "cache", "nodes", "children", "list"]
        .iter()
        .any(|suffix| last.ends_with(suffix))
        || text.contains("querySelectorAll")
        || text.contains("getElementsBy")
    {
        return true;
    }
    receiver.kind() == "identifier"
        && facts
            .constructed_from(text)
            .is_some_and(|class| class != "Array")
}

fn for_each_fixes(ctx: &RuleContext, facts: &AsyncFacts, m: &Match) -> Vec<Fix> {
    let Some(statement) = m.call.parent() else {
        return Vec::new();
    };
    if statement.kind() != "expression_statement" || may_not_be_array(ctx, facts, m.receiver) {
        return Vec::new();
    }
    // A `thisArg` would need `.map(fn, thisArg)`; leave such calls alone.
    let argument_count = m
        .call
        .child_by_field_id(crate::field!("arguments"))
        .map_or(0, |a| a.named_child_count());
    if argument_count != 1 {
        return Vec::new();
    }
    let mut fixes = Vec::new();
    let in_async = in_async_function(statement);
    if in_async {
        let start = m.call.start_byte();
        let end = m.call.end_byte();
        fixes.push(Fix {
            title: "Wait for every callback with `await Promise.all(arr.map(...))`".to_owned(),
            safety: FIX_SAFETY,
            edits: vec![
                Edit {
                    range: start..start,
                    text: "await Promise.all(".to_owned(),
                },
                Edit {
                    range: m.method.byte_range(),
                    text: "map".to_owned(),
                },
                Edit {
                    range: end..end,
                    text: ")".to_owned(),
                },
            ],
        });
    }
    if let Some(fix) = for_of_fix(ctx, statement, m, in_async) {
        fixes.push(fix);
    }
    fixes
}

/// `arr.forEach(async (x) => { ... })` → `for (const x of arr) { ... }`.
fn for_of_fix(ctx: &RuleContext, statement: Node, m: &Match, in_async: bool) -> Option<Fix> {
    let callback = m.callback;
    let param = match callback.child_by_field_id(crate::field!("parameter")) {
        Some(single) => single,
        None => {
            let params = callback.child_by_field_id(crate::field!("parameters"))?;
            if params.named_child_count() != 1 {
                return None;
            }
            params.named_child(0)?
        }
    };
    if !matches!(
        param.kind(),
        "identifier" | "object_pattern" | "array_pattern"
    ) {
        return None;
    }
    if crate::syntax::js::uses_own_this_or_arguments(ctx.source, callback) {
        return None;
    }
    if awaits_itself(ctx.source, callback) && !in_async {
        return None;
    }
    let body = callback.child_by_field_id(crate::field!("body"))?;
    let indent = syntax::line_indent(ctx.source, statement);
    let head = format!(
        "for (const {} of {}) ",
        ctx.text(param),
        ctx.text(m.receiver)
    );
    let loop_body = if body.kind() == "statement_block" {
        block_with_continue(ctx, body)?
    } else {
        let awaited = if in_async { "await " } else { "" };
        format!("{{\n{indent}  {awaited}{};\n{indent}}}", ctx.text(body))
    };
    Some(Fix {
        title: "Run the callbacks one after another in a `for...of` loop".to_owned(),
        safety: FIX_SAFETY,
        edits: vec![Edit {
            range: statement.byte_range(),
            text: format!("{head}{loop_body}"),
        }],
    })
}

/// The callback's block with each `return;` turned into `continue;`, or
/// `None` when a `return` carries a value or sits in a nested loop (where
/// `continue` would mean something else).
fn block_with_continue(ctx: &RuleContext, body: Node) -> Option<String> {
    let mut returns = Vec::new();
    let mut ok = true;
    for_each_own_node(body, |node| {
        if node.kind() == "return_statement" {
            let has_value = node.named_child_count() > 0;
            if has_value || inside_nested_loop(node, body) {
                ok = false;
            }
            returns.push(node.byte_range());
        }
    });
    if !ok {
        return None;
    }
    let mut text = ctx.text(body).to_owned();
    let base = body.start_byte();
    for range in returns.iter().rev() {
        let original = &ctx.source[range.clone()];
        let replacement = if original.trim_end().ends_with(';') {
            "continue;"
        } else {
            "continue"
        };
        text.replace_range(range.start - base..range.end - base, replacement);
    }
    Some(text)
}

fn inside_nested_loop(node: Node, body: Node) -> bool {
    let mut current = node.parent();
    while let Some(n) = current {
        if n.id() == body.id() {
            return false;
        }
        if matches!(
            n.kind(),
            "for_statement" | "for_in_statement" | "while_statement" | "do_statement"
        ) {
            return true;
        }
        current = n.parent();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::fix_outputs::fix_outputs_and_safety;
    use crate::findings::FixSafety;
    use crate::rules::testing::{assert_invalid, assert_valid, only_finding_without_fix};

    #[test]
    fn typescript_async_functions_passed_as_declared_void_callbacks_are_flagged() {
        use crate::rules::testing::typescript_findings_in;
        let source = "type Handler = (event: string) => void;\ninterface Emitter { on(name: string, handler: Handler): void; use(f: () => Promise<void>): void }\ndeclare function onDone(callback: () => void): void;\ndeclare function later(callback: () => Promise<void>): void;\ndeclare function either(callback: () => unknown): void;\nfunction wire(events: Emitter) {\n  onDone(async () => {});\n  later(async () => {});\n  either(async () => {});\n  events.on('x', async (e) => {});\n  events.use(async () => {});\n}\n";
        let findings = typescript_findings_in(&AsyncArrayCallback, source);
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(findings.len(), 2, "{messages:?}");
        assert!(messages[0].starts_with("`onDone` expects `() => void` for `callback` (line 3)"));
        assert!(messages[1].starts_with("`events.on` expects `Handler` for `handler` (line 2)"));
    }

    #[test]
    fn sync_callbacks_promise_aware_apis_and_awaited_accumulators_pass() {
        assert_valid(
            &AsyncArrayCallback,
            &[
                "users.forEach((user) => save(user));",
                "await Promise.all(users.map(async (user) => save(user)));",
                "const found = users.find((u) => u.id === id);",
                // Node streams and async iterator helpers await their callbacks.
                "await readable.forEach(async (chunk) => { await write(chunk); });",
                "const rows = await stream.filter(async (r) => check(r)).toArray();",
                "for await (const x of source.filter(async (x) => ok(x))) {}",
                "source.filter(async (x) => ok(x)).then(done);",
                // The async function is not the callback.
                "tasks.forEach((task) => queue.push(async () => task()));",
                "lodash.forEach(items, async (x) => save(x));",
                // The known-good async reducer.
                "const total = await xs.reduce(async (accP, x) => { const acc = await accP; return acc + await f(x); }, Promise.resolve(0));",
                "xs.map(async (x) => f(x));",
            ],
        );
    }

    /// tree-sitter reads `await (x).y` as a call of a function `await`
    /// (tree-sitter-javascript #303); in async code it is an await.
    #[test]
    fn misparsed_awaits_of_the_result_or_the_accumulator_count() {
        assert_valid(
            &AsyncArrayCallback,
            &[
                "async function f(s) { await (s.forEach(async (c) => { await write(c); })); }",
                "async function f(s) { return await (s.filter(async (r) => check(r))).toArray(); }",
                "async function f(xs) { return xs.reduce(async (accP, x) => { const acc = await (accP); return acc + x; }, 0); }",
            ],
        );
        assert_invalid(
            &AsyncArrayCallback,
            &[
                // Outside async code `await (...)` calls a function named `await`.
                (
                    "function f(xs) { await (xs.forEach(async (x) => { await save(x); })); }",
                    "async",
                ),
                (
                    "async function f(xs) { return xs.reduce(async (acc, x) => { await (log)(x); return acc + x; }, 0); }",
                    "async",
                ),
            ],
        );
    }

    #[test]
    fn async_callbacks_are_flagged_on_the_async_keyword() {
        assert_invalid(
            &AsyncArrayCallback,
            &[
                (
                    "users.forEach(async (user) => { await save(user); });",
                    "async",
                ),
                (
                    "const admins = users.filter(async (u) => isAdmin(u));",
                    "async",
                ),
                (
                    "if (xs.some(async function (x) { return await bad(x); })) {}",
                    "async",
                ),
                ("xs.every(async (x) => ok(x));", "async"),
                ("const u = users.find(async (u) => match(u));", "async"),
                ("users.findIndex(async (u) => match(u));", "async"),
                (
                    "xs.sort(async (a, b) => (await rank(a)) - (await rank(b)));",
                    "async",
                ),
                (
                    "const total = xs.reduce(async (acc, x) => acc + await f(x), 0);",
                    "async",
                ),
                (
                    "map.forEach(async (value, key) => { await put(key, value); });",
                    "async",
                ),
            ],
        );
    }

    #[test]
    fn messages_say_what_the_method_does_with_the_promise() {
        for (source, expected) in [
            ("xs.filter(async (x) => ok(x));", "every element is kept"),
            ("xs.sort(async (a, b) => a - b);", "original order"),
            (
                "xs.some(async (x) => ok(x));",
                "true for any non-empty array",
            ),
            (
                "xs.reduce(async (a, x) => a + x, 0);",
                "`await` the accumulator",
            ),
        ] {
            let message = only_finding_without_fix(&AsyncArrayCallback, source).message;
            assert!(message.contains(expected), "{message}");
        }
    }

    #[test]
    fn for_each_fixes_rewrite_to_promise_all_or_for_of() {
        let source = "async function saveAll(users) {\n  users.forEach(async (user) => {\n    if (!user) return;\n    await save(user);\n  });\n}";
        assert_eq!(
            fix_outputs_and_safety(&AsyncArrayCallback, source),
            [
                (
                    "async function saveAll(users) {\n  await Promise.all(users.map(async (user) => {\n    if (!user) return;\n    await save(user);\n  }));\n}".to_owned(),
                    FixSafety::ChangesBehaviour
                ),
                (
                    "async function saveAll(users) {\n  for (const user of users) {\n    if (!user) continue;\n    await save(user);\n  }\n}".to_owned(),
                    FixSafety::ChangesBehaviour
                ),
            ]
        );
        let expression_body =
            "async function f(xs) {\n  xs.forEach(async ({ id }) => save(id));\n}";
        assert_eq!(
            fix_outputs_and_safety(&AsyncArrayCallback, expression_body)[1].0,
            "async function f(xs) {\n  for (const { id } of xs) {\n    await save(id);\n  }\n}"
        );
    }

    #[test]
    fn for_each_fixes_are_withheld_when_they_would_change_meaning() {
        for (source, expected_fixes) in [
            // Outside an async function: no `await Promise.all`, and a body
            // that awaits cannot move into a sync loop.
            ("function f(xs) { xs.forEach(async (x) => { await g(x); }); }", 0),
            // No await in the body: the sequential loop is still valid.
            ("function f(xs) { xs.forEach(async (x) => { g(x); }); }", 1),
            // Index parameter or a returned value: only Promise.all.
            ("async function f(xs) { xs.forEach(async (x, i) => { await g(x, i); }); }", 1),
            ("async function f(xs) { xs.forEach(async (x) => { return await g(x); }); }", 1),
            // `return` inside a nested loop would become a different `continue`.
            ("async function f(xs) { xs.forEach(async (x) => { for (const y of x) { if (y) return; } await g(x); }); }", 1),
            // A thisArg, or a receiver that may be a Map.
            ("async function f(xs) { xs.forEach(async function (x) { await g(x); }, ctx); }", 0),
            ("async function f() { const seen = new Map(); seen.forEach(async (v) => { await g(v); }); }", 0),
            ("async function f(userMap) { userMap.forEach(async (v) => { await g(v); }); }", 0),
            // Not at statement level.
            ("async function f(xs) { const r = xs.forEach(async (x) => { await g(x); }); }", 0),
        ] {
            assert_eq!(fix_outputs_and_safety(&AsyncArrayCallback, source).len(), expected_fixes, "{source}");
        }
    }
}
