//! What rejects an async function's promise: its `throw`s, awaits and
//! returned calls that no `try` of its own code handles.

use tree_sitter::Node;

use crate::analysis::dataflow;
use crate::analysis::source_facts::{self, AsyncFacts};
use crate::syntax::{awaits, js};

use super::hover_text::shorten;
use super::Rejection;

/// `throw` statements and awaits of the function (not of nested functions) that
/// no enclosing `try` with a `catch` handles.
pub(super) fn rejections(source: &str, facts: &AsyncFacts, function: Node) -> Vec<Rejection> {
    let mut found = Vec::new();
    let Some(body) = function.child_by_field_id(crate::field!("body")) else {
        return found;
    };
    let function_is_async = js::is_async_function(function);
    dataflow::preorder(body, |node| {
        if node != body && js::is_function(node) {
            return dataflow::Walk::Skip;
        }
        let caught = || source_facts::inside_try_block(node, function);
        if node.kind() == "throw_statement" && !caught() {
            found.push(Rejection {
                range: node.byte_range(),
                what: "its `throw` runs".to_owned(),
            });
        }
        // `await null` and `await Promise.resolve()` cannot reject: only an
        // operand that may be a thenable, and may reject, can. (Inside the
        // function's own code the module's kind does not matter.)
        if let Some(awaited) = awaits::await_expression_in(source, node, function_is_async) {
            let cannot_reject = awaited.operand.is_some_and(|o| {
                source_facts::certainly_not_thenable(source, o) || facts.cannot_reject(source, o)
            });
            if !cannot_reject && !caught() {
                let operand = &source[awaited.operand_range()];
                found.push(Rejection {
                    range: node.byte_range(),
                    what: format!("`{}` rejects", shorten(operand, 40)),
                });
            }
        }
        // `return p()` in an async function adopts the promise after the
        // function has left every `try`: its rejection rejects the call,
        // caught or not.
        if function_is_async && node.kind() == "return_statement" {
            let returned = node
                .named_child(0)
                .filter(|value| value.kind() != "comment");
            if let Some(value) = returned.map(js::unwrap_parens) {
                // Only a call or `new` can produce a promise here: a local
                // holds no rejecting thenable after an `await` (the result of
                // one is never a thenable), and other values are not read.
                let may_reject = matches!(value.kind(), "call_expression" | "new_expression")
                    && awaits::await_shape(source, value).is_none()
                    && !source_facts::certainly_not_thenable(source, value)
                    && !facts.cannot_reject(source, value);
                if may_reject {
                    found.push(Rejection {
                        range: node.byte_range(),
                        what: format!(
                            "the returned `{}` rejects",
                            shorten(&source[value.byte_range()], 40)
                        ),
                    });
                }
            }
        }
        dataflow::Walk::Enter
    });
    found
}
