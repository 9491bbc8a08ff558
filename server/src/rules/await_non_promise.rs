use tree_sitter::Node;

use crate::analysis::source_facts::certainly_not_thenable;
use crate::engine::{count_word, job_counts};
use crate::findings::{Finding, Fix};
use crate::syntax::js::unwrap_parens;
use crate::syntax::queries::AWAITS;
use crate::syntax::js::named_children_but_comments;

use super::report::{one_edit_fix, short_code};
use super::{declare_rule, RuleContext};

declare_rule! {
    pub struct AwaitNonPromise { code: "await-non-promise", docs: "await_non_promise.md",
        summary: "`await` of a value that is certainly not a promise: one tick and nothing else",
        severity: Warning, fixes: [ChangesBehaviour], triggers: [Word("await")],
        precision: { tuning: "no figure (no findings when the corpus was sampled, 2026-11-25)", held_out: 0 of 0, held_out_tests: 0 of 0, held_out_second: 0 of 0 },
    }
}

fn check(ctx: &RuleContext) -> Vec<Finding> {
    META.report_each(detect(ctx), |found| {
        (
            found.keyword.byte_range(),
            message(ctx, &found),
            fixes(ctx, &found),
        )
    })
}

/// An `await` of a value that is certainly not a thenable.
struct PlainAwait<'t> {
    /// The whole `await` expression, what the fix replaces.
    node: Node<'t>,
    keyword: Node<'t>,
    operand: Node<'t>,
    /// The operand without parentheses.
    value: Node<'t>,
}

fn detect<'a>(ctx: &RuleContext<'a>) -> Vec<PlainAwait<'a>> {
    let flagged = |node, keyword, operand| {
        let value = unwrap_parens(operand);
        (!is_tick_idiom(ctx, value) && certainly_not_thenable(ctx.source, value)).then_some(
            PlainAwait {
                node,
                keyword,
                operand,
                value,
            },
        )
    };
    let mut found = Vec::new();
    ctx.for_each_complete_capture(
        &AWAITS,
        ["await", "await.keyword", "await.operand"],
        |[await_node, keyword, operand]| {
            // Outside async code `await (x)` calls a function named `await`.
            if ctx.await_at(await_node).is_some() {
                found.extend(flagged(await_node, keyword, operand));
            }
        },
    );
    // The awaits tree-sitter misparses as calls of a function `await`
    // (see `syntax::awaits`). A longer chain (`await (x).y`) has no
    // operand node: its operand is a call or a property read, which
    // may hold a promise, so it is never flagged.
    for awaited in ctx.awaits().into_iter().filter(|a| a.misparsed) {
        if let Some(operand) = awaited.operand {
            found.extend(flagged(awaited.node, awaited.keyword, operand));
        }
    }
    found
}

/// `one tick`, `two ticks`: `n` microtask ticks in prose.
fn ticks_phrase(n: u32) -> String {
    match n {
        1 => "one tick".to_owned(),
        n => format!("{} ticks", count_word(n)),
    }
}

/// `await null`, `await undefined`, `await void 0`: written to yield a tick.
fn is_tick_idiom(ctx: &RuleContext, value: Node) -> bool {
    match value.kind() {
        "null" | "undefined" => true,
        "identifier" => ctx.text(value) == "undefined",
        "unary_expression" => value
            .child_by_field_id(crate::field!("operator"))
            .is_some_and(|op| ctx.text(op) == "void"),
        _ => false,
    }
}

/// The ticks the `await` costs, as the engine counts an await of a value
/// that is not a thenable.
fn ticks() -> String {
    ticks_phrase(job_counts().await_plain_value)
}

fn message(ctx: &RuleContext, found: &PlainAwait) -> String {
    let ticks = ticks();
    if found.value.kind() == "array" {
        format!(
            "an array literal is not a promise: `await` resumes {ticks} later with the same array \
             and does not wait for the promises inside it (`Promise.all` does)"
        )
    } else {
        format!(
            "{shown} is not a promise: this `await` only delays the rest of the function by \
             {ticks_long}",
            shown = short_code(ctx.text(found.value), 30, "this value"),
            ticks_long = ticks.replacen(' ', " microtask ", 1)
        )
    }
}

fn fixes(ctx: &RuleContext, found: &PlainAwait) -> Vec<Fix> {
    let (operand, value) = (found.operand, found.value);
    // Removing `await` must not turn an object literal into a block.
    let operand_text = ctx.text(operand);
    let bare = if value.kind() == "object" && operand.kind() != "parenthesized_expression" {
        format!("({operand_text})")
    } else {
        operand_text.to_owned()
    };
    let remove = one_edit_fix(
        format!("Remove the `await` ({} less)", ticks()),
        FIX_SAFETY,
        found.node.byte_range(),
        bare,
    );
    let mut fixes = Vec::new();
    if value.kind() == "array" && !elements_are_all_literals(ctx, value) {
        fixes.push(one_edit_fix(
            "Wait for the elements with `Promise.all`".to_owned(),
            FIX_SAFETY,
            operand.byte_range(),
            format!("Promise.all({operand_text})"),
        ));
    }
    fixes.push(remove);
    fixes
}

fn elements_are_all_literals(ctx: &RuleContext, array: Node) -> bool {
    named_children_but_comments(array)
        .into_iter()
        .all(|e| certainly_not_thenable(ctx.source, e) && e.kind() != "array")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::fix_outputs::assert_fix_outputs;
    use crate::rules::testing::{assert_invalid, assert_valid};

    #[test]
    fn values_that_may_be_promises_and_tick_idioms_pass() {
        assert_valid(
            &AwaitNonPromise,
            &[
                "async function f(x) { await x; }",
                "async function f() { await load(); }",
                "async function f(a, b) { await (a || b); }",
                "async function f(a) { await `${a}`; }",
                "async function f() { await { then(r) { r(1); } }; }",
                "async function f(o) { await { ...o }; }",
                "async function f() { await { [key]: 1 }; }",
                // Yielding one tick on purpose.
                "async function f() { await null; }",
                "async function f() { await undefined; }",
                "async function f() { await void 0; }",
                "async function f() { await Promise.resolve(); }",
            ],
        );
    }

    #[test]
    fn literals_arrays_and_arithmetic_are_flagged_on_the_keyword() {
        assert_invalid(
            &AwaitNonPromise,
            &[
                ("async function f() { const n = await 42; }", "await"),
                ("async function f() { await 'done'; }", "await"),
                ("async function f() { return await true; }", "await"),
                ("async function f() { await `plain`; }", "await"),
                (
                    "async function f() { const [a, b] = await [g(), h()]; }",
                    "await",
                ),
                ("async function f() { const o = await { a: 1 }; }", "await"),
                ("async function f(a) { const n = await (a + 1); }", "await"),
                ("async function f(a) { if (await !a) {} }", "await"),
                ("async function f(a) { await typeof a; }", "await"),
            ],
        );
    }

    /// tree-sitter reads some awaits as calls of a function `await`
    /// (tree-sitter-javascript #303); in async code they are awaits.
    #[test]
    fn misparsed_awaits_are_read_as_awaits() {
        // A chain's operand is a call or a property read: it may hold a promise.
        assert_valid(
            &AwaitNonPromise,
            &[
                "async function f(u) { await (await fetch(u)).json(); }",
                "async function f(x) { await (x).y; await (x)(1); }",
            ],
        );
        assert_valid(&AwaitNonPromise, &["function f() { await (42); }"]);
    }

    #[test]
    fn fixes_remove_the_await_or_use_promise_all() {
        assert_fix_outputs(
            &AwaitNonPromise,
            &[
                ("async function f() { const n = await 42; }", &["async function f() { const n = 42; }"]),
                ("async function f() { const [a, b] = await [g(), h()]; }", &["async function f() { const [a, b] = await Promise.all([g(), h()]); }", "async function f() { const [a, b] = [g(), h()]; }"]),
                ("async function f() { await { a: 1 }; }", &["async function f() { ({ a: 1 }); }"]),
                ("const f = async () => await { a: 1 };", &["const f = async () => ({ a: 1 });"]),
                ("async function f() { await [1, 2]; }", &["async function f() { [1, 2]; }"]),
            ],
        );
    }
}
