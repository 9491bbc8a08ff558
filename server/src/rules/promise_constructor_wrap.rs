use std::ops::Range;

use tree_sitter::Node;

use crate::analysis::source_facts::AsyncFacts;
use crate::engine::{count_word, job_counts};
use crate::findings::{Finding, Fix};
use crate::syntax::js::{is_async_function, method_call, unwrap_parens};
use crate::syntax::js::named_children_but_comments;

use super::executors::executor_params;
use super::report::{one_edit_fix, short_code};
use super::tree_walks::has_named_descendant;
use super::{declare_rule, RuleContext};


declare_rule! {
    pub struct PromiseConstructorWrap { code: "promise-constructor-wrap", docs: "promise_constructor_wrap.md",
        summary: "`new Promise(...)` wrapping a promise that already exists",
        severity: Warning, fixes: [ChangesBehaviour], triggers: [Constructed("Promise")],
        reads: [ImportedSummaries, DeclaredPromises],
        precision: { tuning: "no figure (no findings when the corpus was sampled, 2026-11-25)", held_out: 0 of 0, held_out_tests: 0 of 0, held_out_second: 0 of 0 },
        queries: [PROMISE_WRAPPERS("promise-wrappers.scm", ["wrap.new", "wrap.constructor",
            "wrap.executor"])],
    }
}

fn check(ctx: &RuleContext) -> Vec<Finding> {
    META.report_each(detect(ctx), |wrap| {
        (
            wrap.highlight.clone(),
            message(ctx, wrap.wrapped),
            vec![fix(ctx, wrap.new, wrap.wrapped)],
        )
    })
}

/// A `new Promise` whose executor only forwards `wrapped`.
struct Wrap<'t> {
    /// The whole `new Promise(...)`, what the fix replaces.
    new: Node<'t>,
    /// The promise the executor only forwards.
    wrapped: Node<'t>,
    /// `new Promise`, from `new` to the constructor's name.
    highlight: Range<usize>,
}

fn detect<'a>(ctx: &RuleContext<'a>) -> Vec<Wrap<'a>> {
    ctx.filter_map_complete_captures(
        &PROMISE_WRAPPERS,
        ["wrap.new", "wrap.constructor", "wrap.executor"],
        |[new, constructor, executor]| {
            // An async executor is `async-promise-executor`'s; a local
            // `Promise` is not the global one.
            if is_async_function(executor) || ctx.facts().is_bound("Promise") {
                return None;
            }
            let wrapped = wrapped_promise(ctx, ctx.facts(), executor)?;
            Some(Wrap {
                new,
                wrapped,
                highlight: new.start_byte()..constructor.end_byte(),
            })
        },
    )
}

/// The promise the executor only forwards, if it has one of the known shapes.
fn wrapped_promise<'t>(
    ctx: &RuleContext,
    facts: &AsyncFacts,
    executor: Node<'t>,
) -> Option<Node<'t>> {
    let (resolve, reject) = executor_params(ctx, executor)?;
    let body = executor.child_by_field_id(crate::field!("body"))?;
    let expr = if body.kind() == "statement_block" {
        match named_children_but_comments(body).as_slice() {
            [only] if matches!(only.kind(), "expression_statement" | "return_statement") => {
                only.named_child(0)?
            }
            _ => return None,
        }
    } else {
        body
    };
    let expr = unwrap_parens(expr);
    let is_name = |node: Node, name: Option<&str>| {
        let node = unwrap_parens(node);
        node.kind() == "identifier" && Some(ctx.text(node)) == name
    };
    let args = |call: Node<'t>| -> Vec<Node<'t>> {
        call.child_by_field_id(crate::field!("arguments"))
            .map(named_children_but_comments)
            .unwrap_or_default()
    };
    let wrapped = match method_call(ctx.source, expr) {
        // p.then(resolve, reject)
        Some((receiver, "then", 2)) => {
            let a = args(expr);
            (is_name(a[0], Some(resolve)) && is_name(a[1], reject)).then_some(receiver)?
        }
        // p.then(resolve).catch(reject)
        Some((receiver, "catch", 1)) => {
            let (inner, method, count) = method_call(ctx.source, receiver)?;
            let then_args = args(receiver);
            (method == "then"
                && count == 1
                && is_name(then_args[0], Some(resolve))
                && is_name(args(expr)[0], reject))
            .then_some(inner)?
        }
        // resolve(p), with p certainly a promise
        _ if expr.kind() == "call_expression" => {
            let callee = expr.child_by_field_id(crate::field!("function"))?;
            let a = args(expr);
            if !is_name(callee, Some(resolve)) || a.len() != 1 {
                return None;
            }
            facts
                .is_certainly_promise(ctx.source, a[0])
                .then_some(unwrap_parens(a[0]))?
        }
        _ => return None,
    };
    // The wrapped expression must not use the executor's own functions.
    let mentions_params = has_named_descendant(wrapped, |n| {
        n.kind() == "identifier" && (ctx.text(n) == resolve || Some(ctx.text(n)) == reject)
    });
    (!mentions_params).then_some(wrapped)
}


/// `one or two jobs`: what the wrapper costs through `p.then(resolve,
/// reject)` and through `resolve(p)`, as the engine's promise model counts.
fn wrapper_delay() -> String {
    let counts = job_counts();
    let (then, resolve) = (
        counts.wrapper_then_settles_after,
        counts.wrapper_resolve_settles_after,
    );
    let jobs = |n: u32| if n == 1 { "job" } else { "jobs" };
    match then == resolve {
        true => format!("{} {}", count_word(then), jobs(then)),
        false => format!(
            "{} or {} {}",
            count_word(then.min(resolve)),
            count_word(then.max(resolve)),
            jobs(then.max(resolve))
        ),
    }
}

/// What the message and the fix call the wrapped promise.
fn shown(ctx: &RuleContext, wrapped: Node) -> String {
    short_code(ctx.text(wrapped), 40, "the wrapped promise")
}

fn message(ctx: &RuleContext, wrapped: Node) -> String {
    format!(
        "this `new Promise` only forwards {shown}: use it directly (the wrapper settles the same \
         way, {delay} later)",
        shown = shown(ctx, wrapped),
        delay = wrapper_delay(),
    )
}

fn fix(ctx: &RuleContext, new: Node, wrapped: Node) -> Fix {
    let text = ctx.text(wrapped);
    let replacement = if matches!(
        wrapped.kind(),
        "identifier"
            | "call_expression"
            | "member_expression"
            | "subscript_expression"
            | "new_expression"
    ) {
        text.to_owned()
    } else {
        format!("({text})")
    };
    one_edit_fix(
        format!(
            "Use {shown} directly (changes behaviour: it settles {delay} earlier, and \
             a synchronous throw is no longer a rejection)",
            shown = shown(ctx, wrapped),
            delay = wrapper_delay(),
        ),
        FIX_SAFETY,
        new.byte_range(),
        replacement,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::FixSafety;
    use crate::rules::testing::{assert_invalid, assert_valid, findings_in};
    use crate::syntax;

    fn fixed(source: &str) -> (String, FixSafety) {
        let findings = findings_in(&PromiseConstructorWrap, source);
        let fix = &findings[0].fixes[0];
        let out = fix.apply(source);
        assert!(!syntax::parse(&out, None).root_node().has_error(), "{out}");
        (out, fix.safety)
    }

    #[test]
    fn real_executors_pass() {
        assert_valid(
            &PromiseConstructorWrap,
            &[
                "new Promise((resolve) => setTimeout(resolve, 10));",
                "new Promise((resolve, reject) => emitter.once('done', resolve));",
                // resolve with something not known to be a promise.
                "new Promise((resolve) => resolve(compute()));",
                "new Promise((resolve) => resolve(p));",
                // Rejections are dropped, not forwarded: a different bug.
                "new Promise((resolve) => p.then(resolve));",
                "new Promise((resolve, reject) => p.then(resolve, onError));",
                // Extra work in the executor.
                "new Promise((resolve, reject) => { log('x'); p.then(resolve, reject); });",
                "new Promise((resolve, reject) => p.then((v) => resolve(v * 2), reject));",
                // The executor's functions are passed into the wrapped call.
                "new Promise((resolve, reject) => start(resolve).then(resolve, reject));",
                // Async executors belong to async-promise-executor.
                "new Promise(async (resolve, reject) => p.then(resolve, reject));",
            ],
        );
    }

    #[test]
    fn wrappers_are_flagged_on_new_promise() {
        assert_invalid(
            &PromiseConstructorWrap,
            &[
                (
                    "new Promise((resolve, reject) => p.then(resolve, reject));",
                    "new Promise",
                ),
                (
                    "new Promise((ok, fail) => { load().then(ok).catch(fail); });",
                    "new Promise",
                ),
                (
                    "new Promise(function (res, rej) { return p.then(res, rej); });",
                    "new Promise",
                ),
                (
                    "new Promise((resolve) => resolve(fetch(url)));",
                    "new Promise",
                ),
                (
                    "async function f() {}\nnew Promise((r) => { r(f()); });",
                    "new Promise",
                ),
            ],
        );
    }

    #[test]
    fn the_fix_uses_the_promise_directly_and_changes_behaviour() {
        // Every case changes behaviour: the promise settles one or two jobs
        // earlier than the wrapper did, whatever it is.
        let cases: &[(&str, &str, FixSafety)] = &[
            (
                "async function get(id) {}\nconst p = new Promise((res, rej) => get(id).then(res, rej));",
                "async function get(id) {}\nconst p = get(id);",
                FixSafety::ChangesBehaviour,
            ),
            (
                "const p = new Promise((res) => res(fetch(url)));",
                "const p = fetch(url);",
                FixSafety::ChangesBehaviour,
            ),
            // Evaluating `get(id)` throws while `get` or `id` is in its temporal
            // dead zone, or after `get` was reassigned: the wrapper rejected,
            // the fixed code throws.
            (
                "function load() {\n  return new Promise((res, rej) => get(id).then(res, rej));\n}\nload();\nlet id = 1;\nasync function get(i) {}",
                "function load() {\n  return get(id);\n}\nload();\nlet id = 1;\nasync function get(i) {}",
                FixSafety::ChangesBehaviour,
            ),
            // Unknown receiver or arguments that may throw.
            (
                "const p = new Promise((res, rej) => { task.then(res).catch(rej); });",
                "const p = task;",
                FixSafety::ChangesBehaviour,
            ),
            (
                "const p = new Promise((res) => res(fetch(config.url)));",
                "const p = fetch(config.url);",
                FixSafety::ChangesBehaviour,
            ),
            (
                "new Promise((res, rej) => (a || b).then(res, rej)).then(f);",
                "(a || b).then(f);",
                FixSafety::ChangesBehaviour,
            ),
        ];
        for (before, after, safety) in cases {
            assert_eq!(fixed(before), ((*after).to_owned(), *safety), "{before}");
        }
    }

    #[test]
    fn the_fix_title_says_how_behaviour_changes() {
        let source = "const p = new Promise((res) => res(fetch(url)));";
        let findings = findings_in(&PromiseConstructorWrap, source);
        assert_eq!(
            findings[0].fixes[0].title,
            "Use `fetch(url)` directly (changes behaviour: it settles one or two jobs earlier, \
             and a synchronous throw is no longer a rejection)"
        );
    }
}
