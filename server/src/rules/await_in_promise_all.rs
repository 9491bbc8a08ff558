use tree_sitter::Node;

use crate::findings::{Edit, Finding, Fix};
use crate::syntax::awaits::AwaitExpr;
use crate::syntax::js::named_children_but_comments;

use super::report::{brief_call, shorten};
use super::{declare_rule, RuleContext};


declare_rule! {
    // Dropping the inner `await`s starts the operations together, which is what
    // the code asks for, but it is a change: they now overlap.
    pub struct AwaitInPromiseAll { code: "await-in-promise-all", docs: "await_in_promise_all.md",
        summary: "`await` inside the array passed to `Promise.all` serialises the work",
        severity: Warning, default: off, fixes: [ChangesBehaviour], triggers: [Word("await")],
        precision: { tuning: "no figure (no findings when the corpus was sampled, 2026-11-25)", held_out: 0 of 0, held_out_tests: 0 of 0, held_out_second: 0 of 2 },
        queries: [PROMISE_COMBINATORS("promise-combinators.scm", ["combinator", "combinator.object",
            "combinator.method", "combinator.array"])],
    }
}

fn check(ctx: &RuleContext) -> Vec<Finding> {
    META.report_each(detect(ctx), |found| {
        (
            found.awaited[0].1.keyword.byte_range(),
            message(ctx, &found),
            vec![fix(&found)],
        )
    })
}

/// `Promise.all([...])` (or another combinator) over elements some of which
/// are awaited in place.
struct AwaitedElements<'a> {
    /// `all`, `race`, ...
    method: &'a str,
    elements: Vec<Node<'a>>,
    /// The awaited elements with their positions, at least one.
    awaited: Vec<(usize, AwaitExpr<'a>)>,
}

fn detect<'a>(ctx: &RuleContext<'a>) -> Vec<AwaitedElements<'a>> {
    let mut found = Vec::new();
    ctx.for_each_complete_capture(
        &PROMISE_COMBINATORS,
        ["combinator.method", "combinator.array"],
        |[method, array]| found.extend(awaited_elements(ctx, ctx.text(method), array)),
    );
    found
}

fn awaited_elements<'a>(
    ctx: &RuleContext<'a>,
    method: &'a str,
    array: Node<'a>,
) -> Option<AwaitedElements<'a>> {
    let elements = named_children_but_comments(array);
    if elements.len() < 2 {
        return None;
    }
    // Either form of `await`: `await (await fetch(u)).json()` too.
    let awaited: Vec<(usize, AwaitExpr)> = elements
        .iter()
        .enumerate()
        .filter_map(|(index, element)| ctx.await_at(*element).map(|a| (index, a)))
        .collect();
    (!awaited.is_empty()).then_some(AwaitedElements {
        method,
        elements,
        awaited,
    })
}

fn message(ctx: &RuleContext, found: &AwaitedElements) -> String {
    let method = found.method;
    let (first_index, first) = found.awaited[0];
    let operand_text = brief_operand(ctx, &first);
    let started_later = found
        .elements
        .iter()
        .enumerate()
        .skip(first_index + 1)
        .find(|(_, element)| contains_call(**element))
        .map(|(index, element)| {
            let text = match ctx.await_at(*element) {
                Some(inner) => brief_operand(ctx, &inner),
                None => brief(ctx, *element),
            };
            (index, text)
        });
    match started_later {
        // By position: both elements often call the same function.
        Some((later_index, later)) => format!(
            "drop the `await` inside `Promise.{method}([...])`: the {} element, `{later}`, \
             starts only after the {}, `{operand_text}`, settles, and `Promise.{method}` only \
             sees finished values",
            ordinal(later_index),
            ordinal(first_index),
        ),
        None => format!(
            "`await` inside `Promise.{method}([...])` waits for `{operand_text}` before \
             `Promise.{method}` is called: meanwhile a rejection of an earlier element has no \
             handler and is reported as unhandled"
        ),
    }
}

fn fix(found: &AwaitedElements) -> Fix {
    let edits = found
        .awaited
        .iter()
        .map(|(_, element)| Edit {
            range: element.keyword.start_byte()..element.operand_range().start,
            text: String::new(),
        })
        .collect();
    Fix {
        title: format!(
            "Remove the `await`s inside `Promise.{}`: start them together",
            found.method
        ),
        safety: FIX_SAFETY,
        edits,
    }
}

fn contains_call(node: Node) -> bool {
    let mut found = false;
    crate::analysis::dataflow::preorder(node, |n| {
        if crate::syntax::js::is_function(n) {
            return crate::analysis::dataflow::Walk::Skip;
        }
        found |= matches!(n.kind(), "call_expression" | "new_expression");
        crate::analysis::dataflow::Walk::Enter
    });
    found
}

/// "first", "second", ... for a zero-based element index.
fn ordinal(index: usize) -> String {
    const WORDS: [&str; 10] = [
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
        "tenth",
    ];
    WORDS
        .get(index)
        .map_or_else(|| format!("{}th", index + 1), |word| (*word).to_owned())
}

/// [`brief`] of an await's operand, which a misparsed chain
/// (`await (x).y()`) has no node for.
fn brief_operand(ctx: &RuleContext, awaited: &AwaitExpr) -> String {
    match (awaited.operand, awaited.operand_callee()) {
        (Some(operand), _) => brief(ctx, operand),
        (None, Some(callee)) => shorten(&ctx.source[callee], "(..)"),
        (None, None) => shorten(&ctx.source[awaited.operand_range()], ""),
    }
}

/// `callee(..)` or the expression text, shortened for messages.
fn brief(ctx: &RuleContext, node: Node) -> String {
    match node.kind() {
        // A call always has a callee node; the text stands in for none.
        "call_expression" => {
            brief_call(ctx.source, node).unwrap_or_else(|| shorten(ctx.text(node), ""))
        }
        _ => shorten(ctx.text(node), ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::FixSafety;
    use crate::rules::testing::{assert_invalid, assert_valid, first_message};

    const RULE: AwaitInPromiseAll = AwaitInPromiseAll;

    #[test]
    fn combinators_of_promises_pass() {
        assert_valid(
            &RULE,
            &[
                "await Promise.all([a(), b()]);",
                "await Promise.all(items.map(async (x) => await f(x)));",
                // The await inside a callback belongs to the callback.
                "await Promise.all([(async () => await a())(), b()]);",
                // One element: nothing to overlap.
                "await Promise.all([await a()]);",
                "await Promise.allSettled([a(), b().then(async (x) => await c(x))]);",
                // Not the global Promise.
                "await MyPromise.all([await a(), await b()]);",
                "await Promise.resolve([await a(), await b()]);",
            ],
        );
    }

    #[test]
    fn awaits_inside_the_array_are_flagged_on_the_first_await() {
        assert_invalid(
            &RULE,
            &[
                ("await Promise.all([await a(), await b()]);", "await"),
                ("const [u, p] = await Promise.all([\n  await getUser(id),\n  getPosts(id),\n]);", "await"),
                ("await Promise.allSettled([a(), await b()]);", "await"),
                ("await Promise.race([await a(), b()]);", "await"),
                ("await Promise.any([await a(), await b()]);", "await"),
            ],
        );
    }

    #[test]
    fn messages_name_the_serialised_calls() {
        let source = "await Promise.all([await getUser(id), await getPosts(id)]);";
        assert_eq!(
            first_message(&RULE, source),
            "drop the `await` inside `Promise.all([...])`: the second element, `getPosts(..)`, \
             starts only after the first, `getUser(..)`, settles, and `Promise.all` only sees \
             finished values"
        );
    }

    /// tree-sitter reads `await (x).y()` as a call of a function `await`
    /// (tree-sitter-javascript #303); in an async function it is an await.
    #[test]
    fn misparsed_awaits_inside_the_array_are_flagged_and_fixed() {
        let source =
            "async function f(u, v) { return Promise.all([await (await fetch(u)).json(), load(v)]); }";
        assert_invalid(&RULE, &[(source, "await")]);
        let message = first_message(&RULE, source);
        assert!(message.contains("the second element, `load(..)`, starts only after the first, `(await fetch(u)).json(..)`, settles"), "{message}");
        crate::rules::testing::assert_first_fix(
            &RULE,
            FixSafety::ChangesBehaviour,
            &[
                (
                    source,
                    "async function f(u, v) { return Promise.all([(await fetch(u)).json(), load(v)]); }",
                ),
                (
                    "async function f() { await Promise.all([await (a)(1), await (b).c()]); }",
                    "async function f() { await Promise.all([(a)(1), (b).c()]); }",
                ),
            ],
        );
        // Outside async code `await` is a name: these are calls of it.
        assert_valid(
            &RULE,
            &["function f() { Promise.all([await (a)(1), await (b).c()]); }"],
        );
    }

    #[test]
    fn the_fix_drops_every_inner_await() {
        let cases = [
            (
                "await Promise.all([await a(), await b()]);",
                "await Promise.all([a(), b()]);",
            ),
            (
                "const [u, p] = await Promise.all([\n  await getUser(id),\n  getPosts(id),\n]);",
                "const [u, p] = await Promise.all([\n  getUser(id),\n  getPosts(id),\n]);",
            ),
            (
                "await Promise.race([a(), await   b()]);",
                "await Promise.race([a(), b()]);",
            ),
        ];
        crate::rules::testing::assert_first_fix(&RULE, FixSafety::ChangesBehaviour, &cases);
    }
}
