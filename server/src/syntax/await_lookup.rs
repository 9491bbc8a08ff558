//! Finding awaits as Node reads them, for code that starts from the tree's
//! other nodes: the awaits inside a subtree, the await around an operand, and
//! whether a file's top level may await at all.
//!
//! tree-sitter's `await_expression` nodes are only some of the awaits (see
//! [`super::awaits`]): a misparsed `await (x)(y)` is a call, member or
//! subscript chain over an identifier `await`. No node kind marks them, so
//! they are found from the text: each `await` word of the subtree, read
//! through [`await_expression`] from the top of the chain it heads.

use memchr::memmem;
use tree_sitter::{Node, Tree};

use super::awaits::{await_expression, await_shape, head_of, is_chain_link, AwaitExpr};
use super::js::{in_async_context, is_function, only_argument};
use crate::syntax::KindName;

/// The misparsed awaits (`await (x)(y)`, `await (x).y`, `await [a]`) inside
/// `within` (itself included), in source order. `module_is_async` as for
/// [`await_expression`].
pub fn misparsed_awaits_in<'t>(
    source: &str,
    within: Node<'t>,
    module_is_async: bool,
) -> Vec<AwaitExpr<'t>> {
    let range = within.byte_range();
    let Some(text) = source.get(range.clone()) else {
        return Vec::new();
    };
    let bytes = source.as_bytes();
    let mut found = Vec::new();
    for offset in memmem::find_iter(text.as_bytes(), b"await") {
        let start = range.start + offset;
        let end = start + "await".len();
        let touches = |at: Option<&u8>| {
            at.is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$'))
        };
        if touches(start.checked_sub(1).and_then(|at| bytes.get(at))) || touches(bytes.get(end)) {
            continue;
        }
        let Some(word) = within.descendant_for_byte_range(start, end) else {
            continue;
        };
        if word.kind_name() != "identifier" || word.byte_range() != (start..end) {
            continue;
        }
        let top = chain_top(word);
        if top == word {
            continue;
        }
        found.extend(
            await_expression(source, top, module_is_async)
                .filter(|awaited| awaited.keyword == word && within_node(within, awaited.node)),
        );
    }
    found
}

/// Whether `within` holds an await of either form. `module_is_async` as for
/// [`await_expression`]; a tree-sitter `await_expression` counts wherever it is.
pub fn contains_await(source: &str, within: Node, module_is_async: bool) -> bool {
    let mut stack = vec![within];
    while let Some(node) = stack.pop() {
        if node.kind_name() == "await_expression" {
            return true;
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    !misparsed_awaits_in(source, within, module_is_async).is_empty()
}

/// The await whose whole operand is `operand` (parentheses around it
/// aside): the `await` of `await Promise.all(xs)`, and of the misparsed
/// `await (Promise.all(xs))`, a call of `await` with one argument.
pub fn await_of_operand<'t>(
    source: &str,
    operand: Node<'t>,
    module_is_async: bool,
) -> Option<AwaitExpr<'t>> {
    let mut node = operand;
    loop {
        let parent = node.parent()?;
        match parent.kind_name() {
            "parenthesized_expression" => node = parent,
            "await_expression" => return await_shape(source, parent),
            "arguments" => {
                let call = misparsed_await_call_around(source, node, module_is_async)?;
                return await_expression(source, call, module_is_async);
            }
            _ => return None,
        }
    }
}

/// When `node` is the one argument of a misparsed `await (node)` in an
/// async context, the call node tree-sitter made of it. JavaScript reads the
/// call as the start of the await's operand: in `await (node).y` the operand
/// is `(node).y`, and `node` is read by it (the call is then no chain's top).
pub fn misparsed_await_call_around<'t>(
    source: &str,
    node: Node<'t>,
    module_is_async: bool,
) -> Option<Node<'t>> {
    let arguments = node.parent().filter(|p| p.kind_name() == "arguments")?;
    let call = arguments.parent()?;
    let callee = call.child_by_field_id(crate::field!("function"))?;
    let is_await =
        callee.kind_name() == "identifier" && source.get(callee.byte_range()) == Some("await");
    let only = only_argument(arguments) == Some(node);
    (is_await && only && in_async_context(call, module_is_async)).then_some(call)
}

/// Whether the file reads as an ES module by its syntax alone (Node 24's
/// detection for a `.js` file without a `"type"`): an `import` or `export`
/// statement, or a top-level `await` that a script could not hold. Its top
/// level may then await.
pub fn has_module_syntax(tree: &Tree) -> bool {
    let root = tree.root_node();
    let mut cursor = root.walk();
    let has_import_export = root
        .children(&mut cursor)
        .any(|child| matches!(child.kind_name(), "import_statement" | "export_statement"));
    has_import_export || has_top_level_await(tree)
}

/// Whether an `await` appears outside every function.
fn has_top_level_await(tree: &Tree) -> bool {
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        match node.kind_name() {
            // `await (x)`, `await [x]` and `` await `x` `` parse as CommonJS
            // (a call, subscript or tagged template of a name `await`), so
            // Node 24 runs such a file as CommonJS (checked: `typeof require`
            // is "function", then "await is not defined").
            "await_expression" if !reads_as_a_script(node) => return true,
            "class_body" => continue,
            _ if is_function(node) => continue,
            _ => {}
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    false
}

/// Whether a top-level `await_expression` is also valid script code: its
/// operand starts with `(`, `[` or a template.
fn reads_as_a_script(await_node: Node) -> bool {
    await_node.named_child(0).is_some_and(|operand| {
        matches!(
            operand.kind_name(),
            "parenthesized_expression" | "array" | "template_string"
        )
    })
}

/// The top of the postfix chain `node` is the head of (`node` itself when
/// it heads none).
fn chain_top(node: Node) -> Node {
    let mut top = node;
    while let Some(parent) = top.parent() {
        if !is_chain_link(parent) || head_of(parent) != Some(top) {
            break;
        }
        top = parent;
    }
    top
}

fn within_node(outer: Node, inner: Node) -> bool {
    outer.start_byte() <= inner.start_byte() && inner.end_byte() <= outer.end_byte()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(source: &str, module_is_async: bool) -> Vec<&str> {
        let tree = crate::syntax::parse(source, None);
        misparsed_awaits_in(source, tree.root_node(), module_is_async)
            .iter()
            .map(|a| &source[a.range()])
            .collect()
    }

    #[test]
    fn misparsed_awaits_are_found_from_their_keyword() {
        assert_eq!(
            texts(
                "async function f(u) { const j = await (await fetch(u)).json(); await g(); awaitable(1); }",
                false
            ),
            ["await (await fetch(u)).json()"]
        );
        assert_eq!(
            texts(
                "async function f() { await (x)(1); await (y)[0]; await [a, b]; }",
                false
            ),
            ["await (x)(1)", "await (y)[0]"]
        );
    }

    #[test]
    fn a_call_of_a_function_named_await_is_not_an_await() {
        assert!(texts("function f() { await (x).y; } await (x);", false).is_empty());
        assert_eq!(texts("await (x).y;", true), ["await (x).y"]);
    }

    #[test]
    fn the_await_of_an_operand_is_found_in_either_form() {
        for source in [
            "async function f() { await Promise.all(xs); }",
            "async function f() { await (Promise.all(xs)); }",
        ] {
            let tree = crate::syntax::parse(source, None);
            let at = source.find("Promise.all").unwrap();
            let all = tree
                .root_node()
                .descendant_for_byte_range(at, at + "Promise.all(xs)".len())
                .unwrap();
            assert_eq!(all.kind_name(), "call_expression", "{source}");
            let awaited = await_of_operand(source, all, false).expect(source);
            assert_eq!(&source[awaited.keyword.byte_range()], "await");
        }
        let source = "async function f() { await (p).then(g); }";
        let tree = crate::syntax::parse(source, None);
        let at = source.find('p').unwrap();
        let p = tree
            .root_node()
            .descendant_for_byte_range(at, at + 1)
            .unwrap();
        assert!(await_of_operand(source, p, false).is_none());
    }

    #[test]
    fn the_callee_of_a_misparsed_chain_is_everything_before_its_last_call() {
        let source = "async function f(u) { await (await fetch(u)).json(); }";
        let tree = crate::syntax::parse(source, None);
        let outer = misparsed_awaits_in(source, tree.root_node(), false)[0];
        assert_eq!(
            outer.operand_callee().map(|r| &source[r]),
            Some("(await fetch(u)).json")
        );
    }
}
