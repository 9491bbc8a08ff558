//! What to show when the user points at a piece of async code.
//!
//! The texts here are plain Markdown built from the analysis; the LSP layer only
//! wraps them. Facts about *when* code runs come from the ordering engine
//! through the document's [`Insights`]; where they say nothing (code the engine
//! did not run, a file it could not analyse), a generic hover read from the
//! syntax alone explains what an `await`, a `for await` loop, a `yield` of an
//! async generator or an `async` function does.

use std::ops::Range;

use tree_sitter::{Node, Tree};

use crate::analysis::insights::{self, Ahead, Insights, Iterated, YieldInsight};
use crate::syntax::{awaits, js};

/// A hover: the range it describes, its Markdown text and where the text came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoverResult {
    pub range: Range<usize>,
    pub markdown: String,
    pub origin: HoverOrigin,
}

/// Which of the two sources a hover's text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HoverOrigin {
    /// The document's insights: ticks, retained values, contracts.
    Insights,
    /// The generic text read from the syntax alone.
    Syntax,
}

/// The hover for byte `offset`: the insights' when they have one (`None` when
/// computing them failed), else the generic one.
pub fn hover(
    source: &str,
    tree: &Tree,
    insights: Option<&Insights>,
    offset: usize,
) -> Option<HoverResult> {
    insights
        .and_then(|insights| insights.hover(source, offset))
        .map(|(range, markdown)| HoverResult {
            range,
            markdown,
            origin: HoverOrigin::Insights,
        })
        .or_else(|| hover_at(source, tree, offset))
}

/// The hover for byte `offset` from what a new version's insights give
/// ahead of the whole ones (`insights::ahead_at`): `Some` where it is the
/// same as [`hover`] with the whole insights (a hover, or none), `None` where
/// the answer needs them (a dropped promise, code of an async function that
/// its insights do not answer). With the insights of the innermost async
/// function holding `offset`, its `await`, `yield` or head; where no part of
/// the insights has a hover, the generic one.
pub fn hover_ahead(
    source: &str,
    tree: &Tree,
    ahead: Option<&Ahead>,
    offset: usize,
) -> Option<Option<HoverResult>> {
    match ahead? {
        Ahead::Function(function) => {
            let (range, markdown) = function.hover(source, offset)?;
            Some(Some(HoverResult {
                range,
                markdown,
                origin: HoverOrigin::Insights,
            }))
        }
        Ahead::Syntax => Some(hover_at(source, tree, offset)),
    }
}

/// The generic hover for byte `offset`, if the cursor is on something ticklens explains.
fn hover_at(source: &str, tree: &Tree, offset: usize) -> Option<HoverResult> {
    let root = tree.root_node();
    let node = root.descendant_for_byte_range(offset, offset)?;
    // The node and its ancestors from one descent: climbing with
    // `Node::parent` costs O(depth) a step, too much in deeply nested code.
    let chain = js::path_from(root, node);
    for (at, &n) in chain.iter().enumerate().rev() {
        // Without the file's module kind, only awaits inside async
        // functions are read here; the insights cover an ES module's top level.
        let awaited = awaits::await_shape(source, n)
            .filter(|_| js::in_async_context_among(&chain[..=at], false));
        if let Some(awaited) = awaited {
            return Some(await_hover(source, &awaited, &chain[..at]));
        }
        if let Some(hover) = loop_or_yield_hover(source, n, &chain[..at], offset) {
            return Some(hover);
        }
        // The contract is that of a function returning a promise: an async
        // generator returns an iterator instead, and gets no hover here.
        if js::is_async_function(n) && !js::is_generator_function(n) {
            // Only the head of the function (name, `async`, parameters) shows the contract.
            let head_end = n
                .child_by_field_id(crate::field!("body"))
                .map_or(n.end_byte(), |body| body.start_byte());
            if offset < head_end {
                return Some(async_function_hover(source, n));
            }
            return None;
        }
    }
    None
}

/// How the hover names the function around a node whose ancestors (root
/// first) are `ancestors`.
fn enclosing_function_name(source: &str, ancestors: &[Node]) -> String {
    for &n in ancestors.iter().rev() {
        if js::is_function(n) {
            return n
                .child_by_field_id(crate::field!("name"))
                .map(|name| format!("`{}()`", &source[name.byte_range()]))
                .unwrap_or_else(|| "this function".to_owned());
        }
    }
    "the module".to_owned()
}

fn await_hover(source: &str, awaited: &awaits::AwaitExpr, ancestors: &[Node]) -> HoverResult {
    let operand = &source[awaited.operand_range()];
    let owner = enclosing_function_name(source, ancestors);
    HoverResult {
        range: awaited.range(),
        markdown: format!(
            "**await** `{operand}`\n\nSuspends {owner} until the operand settles; the code after \
             it runs later, as a promise job."
        ),
        origin: HoverOrigin::Syntax,
    }
}

/// The generic hover on a `for await` loop's head, or on a `yield` of an
/// async generator (whose ancestors, root first, are `ancestors`).
fn loop_or_yield_hover(
    source: &str,
    node: Node,
    ancestors: &[Node],
    offset: usize,
) -> Option<HoverResult> {
    let owner = enclosing_function_name(source, ancestors);
    if js::is_for_await(node) {
        let body = node.child_by_field_id(crate::field!("body"))?;
        let iterable = node.child_by_field_id(crate::field!("right"))?;
        if offset >= body.start_byte() {
            return None;
        }
        let iterable = &source[iterable.byte_range()];
        return Some(HoverResult {
            range: node.start_byte()..body.start_byte(),
            markdown: format!(
                "**for await** over `{}` in {owner}\n\n{}",
                insights::shorten(iterable, 60),
                insights::for_await_text(iterable, &Iterated::Unknown, None)
            ),
            origin: HoverOrigin::Syntax,
        });
    }
    let in_async_generator = || {
        ancestors
            .iter()
            .rev()
            .find(|a| js::is_function(**a))
            .is_some_and(|f| js::is_async_function(*f) && js::is_generator_function(*f))
    };
    if node.kind() != "yield_expression" || !in_async_generator() {
        return None;
    }
    let operand = node.named_child(0).map(js::unwrap_parens);
    let at = YieldInsight {
        range: node.byte_range(),
        operand: operand.map_or(String::new(), |o| source[o.byte_range()].to_owned()),
        kind: insights::yield_kind(source, node),
    };
    Some(HoverResult {
        range: at.range.clone(),
        markdown: insights::yield_text(&owner, &at),
        origin: HoverOrigin::Syntax,
    })
}

fn async_function_hover(source: &str, function: Node) -> HoverResult {
    let name = function
        .child_by_field_id(crate::field!("name"))
        .map(|n| format!("`{}`", &source[n.byte_range()]))
        .unwrap_or_else(|| "this function".to_owned());
    HoverResult {
        range: function.byte_range(),
        markdown: format!(
            "**async function** {name}\n\nReturns a promise every time; its body runs \
             synchronously up to the first `await`."
        ),
        origin: HoverOrigin::Syntax,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    fn hover(source_with_cursor: &str) -> Option<HoverResult> {
        let offset = source_with_cursor.find("$0").expect("cursor marker");
        let source = source_with_cursor.replace("$0", "");
        let tree = syntax::parse(&source, None);
        hover_at(&source, &tree, offset)
    }

    #[test]
    fn await_keyword_names_operand_and_function() {
        let info = hover("async function run() { $0await step(); }").unwrap();
        assert!(info.markdown.contains("`step()`"), "{}", info.markdown);
        assert!(info.markdown.contains("`run()`"), "{}", info.markdown);
    }

    #[test]
    fn a_misparsed_await_chain_is_one_await_of_the_whole_chain() {
        let info =
            hover("async function load(u) { return $0await (await fetch(u)).json(); }").unwrap();
        assert!(
            info.markdown
                .starts_with("**await** `(await fetch(u)).json()`"),
            "{}",
            info.markdown
        );
        // Outside an async function `await` is a name and this is a call.
        assert_eq!(hover("function f() { return $0await (x).y; }"), None);
    }

    #[test]
    fn the_insights_answer_before_the_generic_hover() {
        let source = "async function run() { await 1; }\nrun();\n";
        let tree = syntax::parse(source, None);
        let offset = source.find("await").unwrap();
        let facts =
            crate::analysis::insights::insights(source, &tree, crate::engine::ModuleKind::CommonJs);
        let with_insights = super::hover(source, &tree, Some(&facts), offset).unwrap();
        assert_eq!(with_insights.origin, HoverOrigin::Insights);
        let generic = super::hover(source, &tree, None, offset).unwrap();
        assert_eq!(generic.origin, HoverOrigin::Syntax);
        assert_ne!(with_insights.markdown, generic.markdown);
    }

    #[test]
    fn an_await_in_an_async_generator_names_the_generator_which_gets_no_contract() {
        let info = hover("async function* lines() { $0await open(); }").unwrap();
        assert!(
            info.markdown.contains("Suspends `lines()`"),
            "{}",
            info.markdown
        );
        assert_eq!(hover("async function* $0lines() { yield 1; }"), None);
        assert_eq!(hover("class C { async *$0m() { yield 1; } }"), None);
    }

    /// The generic hover's text at `$0`, which must say each of `parts`.
    #[track_caller]
    fn assert_hover_says(source_with_cursor: &str, parts: &[&str]) {
        let text = hover(source_with_cursor).map(|h| h.markdown);
        let text = text.unwrap_or_default();
        for part in parts {
            assert!(text.contains(part), "{source_with_cursor}: {text}");
        }
    }

    #[test]
    fn an_await_in_an_async_generator_expression_names_the_function_not_the_module() {
        let source =
            "const readBlob = async function* (blob) {\n  yield $0await blob.arrayBuffer();\n};\n";
        assert_hover_says(source, &["Suspends this function"]);
        let on_yield = source.replace("$0", "").replace("yield", "$0yield");
        let heading = "**yield** `await blob.arrayBuffer()` in the async generator this function";
        assert_hover_says(&on_yield, &[heading, "awaits it once more"]);
        // A generator that is not async hands values over synchronously: no hover.
        assert_eq!(hover("function* g() { $0yield 1; }"), None);
    }

    #[test]
    fn a_for_await_head_says_what_decides_each_iteration_and_its_body_does_not() {
        let source = "async function f(s) { $0for await (const x of s) { g(x); } }";
        let says = [
            "**for await** over `s` in `f()`",
            "Resumes each iteration 1 tick after the promise `s`'s `next()` returns settles, if it is a native `Promise`",
            "if `s` is a sync iterable (an array) instead, 2 ticks after its next element settles",
        ];
        assert_hover_says(source, &says);
        assert_eq!(
            hover(&source.replace("$0", "").replace("g(x)", "$0g(x)")),
            None
        );
    }

    #[test]
    fn async_keyword_shows_the_contract_but_body_does_not() {
        assert!(hover("$0async function f() { g(); }")
            .unwrap()
            .markdown
            .contains("`f`"));
        assert_eq!(hover("async function f() { $0g(); }"), None);
        assert_eq!(hover("function f() { $0g(); }"), None);
    }
}
