//! Function boundaries: which nodes start a function, whether it is async,
//! and which function owns a piece of code.
//!
//! An `await`, `yield` or `return` belongs to the innermost function around
//! it, with two exceptions the spec makes:
//! - a computed key (`{ async [k]() {} }`, `class { [k] = v }`) is evaluated
//!   by the code around the member, not by the member (ECMA-262 §15.4.4,
//!   §15.7.14: ClassDefinitionEvaluation evaluates each key in the
//!   surrounding context);
//! - a class field initialiser and a static block are functions of their own
//!   (§15.7.10, §15.7.11), never async: an `await` there is a syntax error
//!   (§15.7.1 early errors), so nothing in them suspends the code around.

use tree_sitter::Node;

/// The node kinds that start a function, each with its own `await`s,
/// `yield`s, `return`s and (but arrows) `this`.
pub const FUNCTION_KINDS: &[&str] = &[
    "function_declaration",
    "function_expression",
    "arrow_function",
    "method_definition",
    "generator_function_declaration",
    "generator_function",
];

/// Whether `node` starts a function of its own.
pub fn is_function(node: Node) -> bool {
    FUNCTION_KINDS.contains(&node.kind())
}

/// Whether `node` is a function declared `async` (an async generator too).
/// The modifier comes before the parameters and the name; a method named
/// `async` (`{ async() {} }`) is not async.
pub fn is_async_function(node: Node) -> bool {
    is_function(node) && has_modifier(node, "async")
}

/// Whether `node` is a generator function (`function*`, `*method()`).
pub fn is_generator_function(node: Node) -> bool {
    matches!(
        node.kind(),
        "generator_function_declaration" | "generator_function"
    ) || (node.kind() == "method_definition" && has_modifier(node, "*"))
}

/// Whether the keyword `word` (`async`, `*`) is one of `function`'s own
/// tokens. A method or parameter *named* `async` is a named node, not the
/// keyword; the body's tokens are not the function's children.
fn has_modifier(function: Node, word: &str) -> bool {
    let mut cursor = function.walk();
    let found = function
        .children(&mut cursor)
        .any(|child| !child.is_named() && child.kind() == word);
    found
}

/// The code that owns a node: where its `await`s would suspend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner<'t> {
    /// A function node (one of [`FUNCTION_KINDS`]).
    Function(Node<'t>),
    /// A class field initialiser or a static block: a synchronous function
    /// of its own, without a node kind in [`FUNCTION_KINDS`].
    ClassInitializer(Node<'t>),
    /// The top level of the script or module.
    TopLevel,
}

/// The code that owns `node` (not `node` itself when it is a function).
pub fn owner(node: Node) -> Owner {
    let mut child = node;
    while let Some(parent) = child.parent() {
        if let Some(owner) = owner_step(child, parent) {
            return owner;
        }
        child = parent;
    }
    Owner::TopLevel
}

/// The path from `root` down to `node` (both included, the root first), found
/// with a cursor that jumps to the child holding it at each level, where
/// [`Node::parent`] costs a descent from the root per step. Empty when `node`
/// is not inside `root`.
pub fn path_from<'t>(root: Node<'t>, node: Node<'t>) -> Vec<Node<'t>> {
    let mut path = vec![root];
    let mut cursor = root.walk();
    let mut current = root;
    while current.id() != node.id() {
        // tree-sitter skips to the first child reaching past the byte, in C:
        // a walk over a wide parent (a file of 10,000 statements) per step
        // would make every lookup linear in the width.
        if cursor
            .goto_first_child_for_byte(node.start_byte())
            .is_none()
        {
            return Vec::new();
        }
        loop {
            let child = cursor.node();
            if child.start_byte() > node.start_byte() {
                return Vec::new();
            }
            if node.end_byte() <= child.end_byte() {
                break;
            }
            if !cursor.goto_next_sibling() {
                return Vec::new();
            }
        }
        current = cursor.node();
        path.push(current);
    }
    path
}

/// [`in_async_context`] for a caller that holds the tree's root (see
/// [`path_from`]).
pub fn in_async_context_under(root: Node, node: Node, module_is_async: bool) -> bool {
    let path = path_from(root, node);
    if path.is_empty() {
        // Zero-width nodes can share a position: the descent took another.
        return in_async_context(node, module_is_async);
    }
    owner_is_async(owner_among(&path), module_is_async)
}

/// [`owner`] of the last node of `path` (the root first, each node the
/// parent of the next), without `Node::parent`, which costs a descent from
/// the root each step: for callers that already hold the path.
pub fn owner_among<'t>(path: &[Node<'t>]) -> Owner<'t> {
    let Some((&node, ancestors)) = path.split_last() else {
        return Owner::TopLevel;
    };
    let mut child = node;
    for &parent in ancestors.iter().rev() {
        if let Some(owner) = owner_step(child, parent) {
            return owner;
        }
        child = parent;
    }
    Owner::TopLevel
}

/// The owner when `parent` is where it is decided, one step up from `child`.
fn owner_step<'t>(child: Node<'t>, parent: Node<'t>) -> Option<Owner<'t>> {
    if is_function(parent) && !is_computed_key_of(child, parent) {
        return Some(Owner::Function(parent));
    }
    match parent.kind() {
        "field_definition" if !is_computed_key_of(child, parent) => {
            Some(Owner::ClassInitializer(parent))
        }
        "class_static_block" => Some(Owner::ClassInitializer(parent)),
        _ => None,
    }
}

/// The innermost function that owns `node` (not `node` itself); `None` at
/// the top level and in class field initialisers and static blocks.
pub fn enclosing_function(node: Node) -> Option<Node> {
    match owner(node) {
        Owner::Function(function) => Some(function),
        Owner::ClassInitializer(_) | Owner::TopLevel => None,
    }
}

/// Whether `child` is the computed name (`[key]`) of `member` (a method or
/// a field), which the code around the member evaluates.
fn is_computed_key_of(child: Node, member: Node) -> bool {
    child.kind() == "computed_property_name"
        && matches!(member.kind(), "method_definition" | "field_definition")
}

/// Whether `await` is an operator where `node` is: inside an async function
/// (or async arrow, method, generator), or at the top level of an ES module
/// (`module_is_async`; ECMA-262 §16.2.1.1 allows `await` there).
pub fn in_async_context(node: Node, module_is_async: bool) -> bool {
    owner_is_async(owner(node), module_is_async)
}

/// [`in_async_context`] for the last node of `path` (see [`owner_among`]).
pub fn in_async_context_among(path: &[Node], module_is_async: bool) -> bool {
    owner_is_async(owner_among(path), module_is_async)
}

fn owner_is_async(owner: Owner, module_is_async: bool) -> bool {
    match owner {
        Owner::Function(function) => is_async_function(function),
        Owner::ClassInitializer(_) => false,
        Owner::TopLevel => module_is_async,
    }
}

/// `node` without the parentheses around it.
pub fn unwrap_parens(mut node: Node) -> Node {
    while node.kind() == "parenthesized_expression" {
        match node.named_child(0) {
            Some(inner) if inner.kind() != "comment" => node = inner,
            _ => break,
        }
    }
    node
}

/// Whether `node` is a `for await (… of …)` loop.
pub fn is_for_await(node: Node) -> bool {
    if node.kind() != "for_in_statement" {
        return false;
    }
    let left = node.child_by_field_id(crate::field!("left"));
    let mut cursor = node.walk();
    let found = node
        .children(&mut cursor)
        .take_while(|child| Some(*child) != left)
        .any(|child| child.kind() == "await");
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    /// Every node's path from the root ends at it and agrees with the owner
    /// found by climbing parents.
    #[test]
    fn the_path_from_the_root_finds_the_same_owner_as_climbing() {
        let source = "async function f() { { const g = () => { await(x); }; await (y).z(); } }\n\
                      class C { field = await_(1); static { h(); } }";
        let tree = syntax::parse(source, None);
        let root = tree.root_node();
        let mut stack = vec![root];
        let mut checked = 0;
        while let Some(node) = stack.pop() {
            let path = path_from(root, node);
            assert_eq!(path.last().map(|n| n.id()), Some(node.id()));
            assert_eq!(path[0].id(), root.id());
            assert_eq!(
                owner_among(&path),
                owner(node),
                "{}",
                &source[node.byte_range()]
            );
            checked += 1;
            let mut cursor = node.walk();
            stack.extend(node.children(&mut cursor));
        }
        assert!(checked > 40);
    }
}
