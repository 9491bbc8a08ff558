use tree_sitter::Node;

use crate::findings::{Finding, Fix, FixSafety};
use crate::syntax::awaits::awaits_itself;
use crate::syntax::js::{
    enclosing_function, for_each_own_node, in_async_function, pattern_names, unwrap_parens,
    uses_own_this_or_arguments,
};
use crate::syntax;
use crate::syntax::js::named_children_but_comments;

use super::executors::executor_params;
use super::report::{keyword_and_space, one_edit_fix};
use super::tree_walks::has_named_descendant;
use super::{declare_rule, RuleContext};


declare_rule! {
    pub struct AsyncPromiseExecutor { code: "async-promise-executor", docs: "async_promise_executor.md",
        summary: "an async function passed as a Promise executor",
        severity: Warning, default: off, fixes: [Safe, ChangesBehaviour], triggers: [Modifier("async")],
        precision: { tuning: "100% (4 of 4 findings, 2026-11-25)", held_out: 10 of 10, held_out_tests: 0 of 0, held_out_second: 3 of 12,
            typescript: "0 of 1 right (the fifth corpus, the only one with a finding)" },
        queries: [PROMISE_EXECUTORS("promise-executors.scm", ["promise.new", "promise.constructor",
            "executor", "executor.async_keyword"])],
    }
}

fn check(ctx: &RuleContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    ctx.for_each_complete_capture(
        &PROMISE_EXECUTORS,
        ["promise.new", "executor", "executor.async_keyword"],
        |[new, executor, keyword]| {
            let fixes = fixes(ctx, new, executor, keyword).into_iter().collect();
            let awaits = awaits_itself(ctx.source, executor) || names_await(ctx.source, executor);
            findings.push(META.finding(keyword.byte_range(), message(awaits), fixes));
        },
    );
    findings
}

/// Every async executor is a finding: the query holds the whole detection.
/// The message speaks of awaits only when the executor has one.
fn message(awaits: bool) -> String {
    let throw = match awaits {
        true => "any `throw` in an async executor (before or after an `await`)",
        false => "this executor never awaits, and any `throw` in it",
    };
    format!(
        "make this executor synchronous: {throw} rejects the executor's own promise \
         instead of the new Promise, which may then never settle, and nobody handles \
         that rejection, so Node 24 ends the process (exit code 1)"
    )
}

fn fixes(ctx: &RuleContext, new: Node, executor: Node, keyword: Node) -> Option<Fix> {
    if !awaits_itself(ctx.source, executor) && !names_await(ctx.source, executor) {
        return Some(one_edit_fix(
            "Remove `async` from the executor (it never awaits)".to_owned(),
            FixSafety::Safe,
            keyword_and_space(ctx.source, keyword),
            "",
        ));
    }
    inline_fix(ctx, new, executor)
}

/// Whether the executor's own code has an identifier `await`. tree-sitter's
/// JavaScript grammar does not track async context and parses
/// `await (url).then(f)` as a call of a function named `await`; in an async
/// executor that can only be the keyword, and dropping `async` would turn it
/// into a call of an undefined `await`. Found by the `incremental_sync` fuzz
/// target (see `tests/fuzz_regressions.rs`).
fn names_await(source: &str, executor: Node) -> bool {
    let Some(body) = executor.child_by_field_id(crate::field!("body")) else {
        return false;
    };
    let mut found = false;
    for_each_own_node(body, |node| {
        found |= node.kind() == "identifier" && &source[node.byte_range()] == "await";
    });
    found
}

/// `return new Promise(async (resolve) => { const d = await f(); resolve(d); });`
/// → `const d = await f(); return d;`, inside an async function.
fn inline_fix(ctx: &RuleContext, new: Node, executor: Node) -> Option<Fix> {
    let statement = new.parent().filter(|p| p.kind() == "return_statement")?;
    if !in_async_function(statement) || uses_own_this_or_arguments(ctx.source, executor) {
        return None;
    }
    let (resolve, reject) = executor_params(ctx, executor)?;
    // Anywhere inside, nested functions included: a callback may settle it.
    let mentions_executor_functions = |node: Node| {
        has_named_descendant(node, |n| {
            n.kind() == "identifier" && {
                let name = ctx.text(n);
                name == resolve || Some(name) == reject
            }
        })
    };
    let body = executor.child_by_field_id(crate::field!("body"))?;
    let (work, last): (Vec<Node>, Node) = if body.kind() == "statement_block" {
        let mut statements = named_children_but_comments(body);
        let last = statements.pop()?;
        (
            statements,
            last.named_child(0)
                .filter(|_| last.kind() == "expression_statement")?,
        )
    } else {
        (Vec::new(), body)
    };
    // The last step is `resolve(value)` or `resolve()`.
    let last = unwrap_parens(last);
    let callee = last.child_by_field_id(crate::field!("function"))?;
    if last.kind() != "call_expression" || ctx.text(callee) != resolve {
        return None;
    }
    let args = last.child_by_field_id(crate::field!("arguments"))?;
    let value = match args.named_child_count() {
        0 => None,
        1 => Some(args.named_child(0)?),
        _ => return None,
    };
    if value.is_some_and(|v| v.kind() == "spread_element" || mentions_executor_functions(v)) {
        return None;
    }
    // The work before it never settles the promise itself, returns early, or
    // declares a name the enclosing function also uses.
    let mut early_return = false;
    for statement in &work {
        if statement.kind() == "return_statement" {
            early_return = true;
        }
        for_each_own_node(*statement, |n| {
            early_return |= n.kind() == "return_statement"
        });
        if mentions_executor_functions(*statement) {
            return None;
        }
    }
    if early_return || declares_names_used_outside(ctx, &work, executor, statement) {
        return None;
    }
    let indent = syntax::line_indent(ctx.source, statement);
    let mut text = String::new();
    if let (Some(first), Some(last_work)) = (work.first(), work.last()) {
        let inner_indent = syntax::line_indent(ctx.source, *first);
        for (i, line) in ctx.source[first.start_byte()..last_work.end_byte()]
            .split('\n')
            .enumerate()
        {
            if i > 0 {
                text.push('\n');
                text.push_str(indent);
                text.push_str(line.strip_prefix(inner_indent).unwrap_or(line.trim_start()));
            } else {
                text.push_str(line);
            }
        }
        text.push('\n');
        text.push_str(indent);
    }
    match value {
        Some(value) => {
            text.push_str("return ");
            text.push_str(ctx.text(value));
            text.push(';');
        }
        None => text.push_str("return;"),
    }
    Some(one_edit_fix(
        "Do the work directly and return the value, without `new Promise`".to_owned(),
        FixSafety::ChangesBehaviour,
        statement.byte_range(),
        text,
    ))
}


/// Moving `work` out of the executor would clash with (or shadow) a name of
/// the enclosing function.
fn declares_names_used_outside(
    ctx: &RuleContext,
    work: &[Node],
    executor: Node,
    statement: Node,
) -> bool {
    let mut declared = Vec::new();
    for statement in work {
        match statement.kind() {
            "lexical_declaration" | "variable_declaration" => {
                for declarator in named_children_but_comments(*statement) {
                    if let Some(name) = declarator.child_by_field_id(crate::field!("name")) {
                        declared.extend(pattern_names(ctx.source, name));
                    }
                }
            }
            "function_declaration" | "class_declaration" => {
                if let Some(name) = statement.child_by_field_id(crate::field!("name")) {
                    declared.push(ctx.text(name).to_owned());
                }
            }
            _ => {}
        }
    }
    if declared.is_empty() {
        return false;
    }
    let Some(function) = enclosing_function(statement) else {
        return true;
    };
    let inside = executor.byte_range();
    has_named_descendant(function, |node| {
        node.kind() == "identifier"
            && !inside.contains(&node.start_byte())
            && declared.iter().any(|d| d == ctx.text(node))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::fix_outputs::fix_outputs_and_safety;
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

    #[test]
    fn an_executor_that_never_awaits_loses_its_async() {
        assert_eq!(
            fix_outputs_and_safety(
                &AsyncPromiseExecutor,
                "new Promise(async (resolve) => { resolve(1); });"
            ),
            [(
                "new Promise((resolve) => { resolve(1); });".to_owned(),
                FixSafety::Safe
            )]
        );
        assert_eq!(
            fix_outputs_and_safety(
                &AsyncPromiseExecutor,
                "new Promise(async function (resolve) { setTimeout(resolve, 1); });"
            ),
            [(
                "new Promise(function (resolve) { setTimeout(resolve, 1); });".to_owned(),
                FixSafety::Safe
            )]
        );
        // An await in a nested function is not the executor's.
        assert_eq!(
            fix_outputs_and_safety(&AsyncPromiseExecutor, "new Promise(async (resolve) => { emitter.on('x', async () => resolve(await f())); });")[0].1,
            FixSafety::Safe
        );
    }

    #[test]
    fn the_message_mentions_awaits_only_when_the_executor_awaits() {
        let message = |source: &str| {
            let findings = crate::rules::testing::findings_in(&AsyncPromiseExecutor, source);
            assert_eq!(findings.len(), 1, "{source}");
            findings[0].message.clone()
        };
        let idle = message("new Promise(async (resolve) => { emitter.once('ready', resolve); });");
        assert!(idle.contains("never awaits") && !idle.contains("`await`"), "{idle}");
        let awaiting = message("new Promise(async (resolve) => { resolve(await f()); });");
        assert!(awaiting.contains("before or after an `await`"), "{awaiting}");
    }

    #[test]
    fn compute_then_resolve_is_inlined_under_return_in_async_functions() {
        assert_eq!(
            fix_outputs_and_safety(&AsyncPromiseExecutor, "async function getData(url) {\n  return new Promise(async (resolve) => {\n    const data = await fetch(url);\n    resolve(data);\n  });\n}"),
            [("async function getData(url) {\n  const data = await fetch(url);\n  return data;\n}".to_owned(), FixSafety::ChangesBehaviour)]
        );
        assert_eq!(
            fix_outputs_and_safety(&AsyncPromiseExecutor, "async function g(url) {\n  return new Promise(async (r) => r(await fetch(url)));\n}"),
            [("async function g(url) {\n  return await fetch(url);\n}".to_owned(), FixSafety::ChangesBehaviour)]
        );
        assert_eq!(
            fix_outputs_and_safety(&AsyncPromiseExecutor, "async function g() {\n  return new Promise(async (resolve, reject) => {\n    await step();\n    resolve();\n  });\n}"),
            [("async function g() {\n  await step();\n  return;\n}".to_owned(), FixSafety::ChangesBehaviour)]
        );
    }

    #[test]
    fn other_awaiting_executors_get_no_edit() {
        for source in [
            // Not directly returned, or not in an async function.
            "async function g() { const p = new Promise(async (r) => r(await f())); return p; }",
            "function g() { return new Promise(async (r) => r(await f())); }",
            // reject is used, or resolve is called early, or resolve escapes.
            "async function g() { return new Promise(async (res, rej) => { try { res(await f()); } catch (e) { rej(e); } }); }",
            "async function g() { return new Promise(async (res) => { if (x) { res(1); return; } res(await f()); }); }",
            "async function g() { return new Promise(async (res) => { later(res); await f(); res(); }); }",
            // A declared name clashes with the enclosing function's.
            "async function g(data) { return new Promise(async (res) => { const data = await f(); res(data); }); }",
            // The last step is not resolve.
            "async function g() { return new Promise(async (res) => { await f(); log(); }); }",
            // Parsed as a call of a function named `await`: it still awaits (found by fuzzing).
            "new Promise(async (resolve) => { const d = await (url).then(f); resolve(d); });",
            // The compiled call TypeScript and Babel emit for an imported `f`, misparsed the same way.
            "new Promise(async (resolve) => { const d = await (0, lib_1.f)(url); resolve(d); });",
        ] {
            assert!(fix_outputs_and_safety(&AsyncPromiseExecutor, source).is_empty(), "{source}");
        }
    }
}
