//! What to show when the user points at a piece of async code.
//!
//! The texts here are plain Markdown built from the analysis; the LSP layer only
//! wraps them. Facts about *when* code runs come from the ordering engine.

use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::dataflow;

/// A hover: the range it describes and its Markdown text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoverInfo {
    pub range: Range<usize>,
    pub markdown: String,
}

/// The hover for byte `offset`, if the cursor is on something ticklens explains.
pub fn hover_at(source: &str, tree: &Tree, offset: usize) -> Option<HoverInfo> {
    let root = tree.root_node();
    let node = root.descendant_for_byte_range(offset, offset)?;
    // The node and its ancestors from one descent: climbing with
    // `Node::parent` costs O(depth) a step, too much in deeply nested code.
    let mut chain = dataflow::ancestors_of(root, node);
    chain.push(node);
    for (at, &n) in chain.iter().enumerate().rev() {
        match n.kind() {
            "await_expression" => return Some(await_hover(source, n, &chain[..at])),
            "function_declaration"
            | "function_expression"
            | "arrow_function"
            | "method_definition"
                if is_async(n) =>
            {
                // Only the head of the function (name, `async`, parameters) shows the contract.
                let head_end = n
                    .child_by_field_id(crate::field!("body"))
                    .map_or(n.end_byte(), |body| body.start_byte());
                if offset < head_end {
                    return Some(async_function_hover(source, n));
                }
                return None;
            }
            _ => {}
        }
    }
    None
}

fn is_async(function: Node) -> bool {
    let mut cursor = function.walk();
    let found = function.children(&mut cursor).any(|c| c.kind() == "async");
    found
}

/// How the hover names the function around a node whose ancestors (root
/// first) are `ancestors`.
fn enclosing_function_name(source: &str, ancestors: &[Node]) -> String {
    for n in ancestors.iter().rev() {
        if matches!(
            n.kind(),
            "function_declaration" | "function_expression" | "arrow_function" | "method_definition"
        ) {
            return n
                .child_by_field_id(crate::field!("name"))
                .map(|name| format!("`{}()`", &source[name.byte_range()]))
                .unwrap_or_else(|| "this function".to_owned());
        }
    }
    "the module".to_owned()
}

fn await_hover(source: &str, await_node: Node, ancestors: &[Node]) -> HoverInfo {
    let operand = await_node
        .named_child(0)
        .map(|o| &source[o.byte_range()])
        .unwrap_or("");
    let owner = enclosing_function_name(source, ancestors);
    HoverInfo {
        range: await_node.byte_range(),
        markdown: format!(
            "**await** `{operand}`\n\nSuspends {owner} until the operand settles; the code after \
             it runs later, as a promise job."
        ),
    }
}

fn async_function_hover(source: &str, function: Node) -> HoverInfo {
    let name = function
        .child_by_field_id(crate::field!("name"))
        .map(|n| format!("`{}`", &source[n.byte_range()]))
        .unwrap_or_else(|| "this function".to_owned());
    HoverInfo {
        range: function.byte_range(),
        markdown: format!(
            "**async function** {name}\n\nReturns a promise every time; its body runs \
             synchronously up to the first `await`."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    fn hover(source_with_cursor: &str) -> Option<HoverInfo> {
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
    fn async_keyword_shows_the_contract_but_body_does_not() {
        assert!(hover("$0async function f() { g(); }")
            .unwrap()
            .markdown
            .contains("`f`"));
        assert_eq!(hover("async function f() { $0g(); }"), None);
        assert_eq!(hover("function f() { $0g(); }"), None);
    }
}
