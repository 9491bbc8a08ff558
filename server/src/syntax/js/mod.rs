//! JavaScript syntax questions, answered in one place: which nodes start a
//! function, whether it is async, which function owns a piece of code, what a
//! call calls, which names a pattern binds. Code elsewhere asks here instead
//! of listing node kinds itself (a tidy check holds it to that), so that two
//! analyses cannot disagree about which function an `await` belongs to.
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

mod calls;
mod patterns;

use crate::syntax::KindName;
use tree_sitter::Node;

pub use calls::{
    callee, compiled_target, first_argument, has_optional_chain, is_pause, member_parts,
    method_call, only_argument, receiver, through_compiled_call,
};
pub use patterns::{parameter_pattern, pattern_identifiers, pattern_names};

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
    FUNCTION_KINDS.contains(&node.kind_name())
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
        node.kind_name(),
        "generator_function_declaration" | "generator_function"
    ) || (node.kind_name() == "method_definition" && has_modifier(node, "*"))
}

/// Whether the keyword `word` (`async`, `*`) is one of `function`'s own
/// tokens. A method or parameter *named* `async` is a named node, not the
/// keyword; the body's tokens are not the function's children.
fn has_modifier(function: Node, word: &str) -> bool {
    let mut cursor = function.walk();
    let found = function
        .children(&mut cursor)
        .any(|child| !child.is_named() && child.kind_name() == word);
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
    match parent.kind_name() {
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
    enclosing_function_with(node, ClassFields::Stop)
}

/// What [`enclosing_function_with`] does at a class field initialiser or a
/// static block, which is a function of its own without a function node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClassFields {
    /// The initialiser owns the code: no function encloses it (where its
    /// `await`s would suspend, the question [`owner`] answers).
    Stop,
    /// Look through it to the function around the class (the code that
    /// creates the class, for a question about what runs where).
    PassThrough,
}

/// The innermost function around `node` (not `node` itself), with class
/// field initialisers and static blocks treated as `class_fields` says.
pub fn enclosing_function_with(node: Node, class_fields: ClassFields) -> Option<Node> {
    let mut child = node;
    while let Some(parent) = child.parent() {
        match owner_step(child, parent) {
            Some(Owner::Function(function)) => return Some(function),
            Some(Owner::ClassInitializer(_)) if class_fields == ClassFields::Stop => return None,
            _ => {}
        }
        child = parent;
    }
    None
}

/// Whether `child` is the computed name (`[key]`) of `member` (a method or
/// a field), which the code around the member evaluates.
fn is_computed_key_of(child: Node, member: Node) -> bool {
    child.kind_name() == "computed_property_name"
        && matches!(member.kind_name(), "method_definition" | "field_definition")
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

/// Whether `await` is an operator in code `owner` owns.
pub fn owner_is_async(owner: Owner, module_is_async: bool) -> bool {
    match owner {
        Owner::Function(function) => is_async_function(function),
        Owner::ClassInitializer(_) => false,
        Owner::TopLevel => module_is_async,
    }
}

/// `node` without the parentheses around it.
pub fn unwrap_parens(mut node: Node) -> Node {
    while node.kind_name() == "parenthesized_expression" {
        match node.named_child(0) {
            Some(inner) if inner.kind_name() != "comment" => node = inner,
            _ => break,
        }
    }
    node
}

/// Whether `node` is a `for await (… of …)` loop.
pub fn is_for_await(node: Node) -> bool {
    if node.kind_name() != "for_in_statement" {
        return false;
    }
    let left = node.child_by_field_id(crate::field!("left"));
    let mut cursor = node.walk();
    let found = node
        .children(&mut cursor)
        .take_while(|child| Some(*child) != left)
        .any(|child| child.kind_name() == "await");
    found
}

/// An `async` method that is not a getter, setter or generator.
pub fn is_plain_async_method(method: Node) -> bool {
    let mut cursor = method.walk();
    let mut is_async = false;
    for child in method.children(&mut cursor) {
        match child.kind_name() {
            "async" => is_async = true,
            "get" | "set" | "*" => return false,
            _ => {}
        }
    }
    is_async
}

/// True when `await` is allowed at `node` because an async function encloses it.
/// Module top level is not counted: the file may be a script.
pub fn in_async_function(node: Node) -> bool {
    enclosing_function(node).is_some_and(is_async_function)
}

/// Calls `each` on every descendant of `root` that belongs to the same
/// function: nested functions are not entered (their `await`s and `return`s
/// are their own).
pub fn for_each_own_node<'t>(root: Node<'t>, mut each: impl FnMut(Node<'t>)) {
    find_own_node(root, |node| {
        each(node);
        false
    });
}

/// The first descendant of `root` that belongs to the same function (in the
/// order of [`for_each_own_node`]) for which `found` holds; the walk stops
/// there.
pub fn find_own_node<'t>(
    root: Node<'t>,
    mut found: impl FnMut(Node<'t>) -> bool,
) -> Option<Node<'t>> {
    let mut stack = Vec::new();
    // One cursor for the walk: a cursor per node cost an allocation each.
    let mut cursor = root.walk();
    stack.extend(root.named_children(&mut cursor));
    while let Some(node) = stack.pop() {
        if found(node) {
            return Some(node);
        }
        if is_function(node) || matches!(node.kind_name(), "class_declaration" | "class") {
            continue;
        }
        stack.extend(node.named_children(&mut cursor));
    }
    None
}

/// True when `function` refers to its own `this` or `arguments` (which an
/// arrow function or a loop body would not see the same way).
pub fn uses_own_this_or_arguments(source: &str, function: Node) -> bool {
    if function.kind_name() == "arrow_function" {
        return false;
    }
    let Some(body) = function.child_by_field_id(crate::field!("body")) else {
        return false;
    };
    let mut found = false;
    let mut stack = vec![body];
    while let Some(node) = stack.pop() {
        match node.kind_name() {
            "this" => found = true,
            "identifier" if text_of(source, node) == "arguments" => found = true,
            // Arrows see the same `this`; other functions have their own.
            k if is_function(node) && k != "arrow_function" => continue,
            _ => {}
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    found
}

/// The class whose instance the `this` at `node` is: the class of the
/// method or field around it, unless a non-arrow function in between rebinds
/// `this`.
pub fn enclosing_class_of_this(node: Node) -> Option<Node> {
    let mut current = node.parent();
    while let Some(n) = current {
        match n.kind_name() {
            "method_definition" | "field_definition" => {
                let class = n.parent()?.parent()?;
                return matches!(class.kind_name(), "class_declaration" | "class").then_some(class);
            }
            // Arrows see the `this` around them; other functions have their own.
            "arrow_function" => current = n.parent(),
            _ if is_function(n) => return None,
            _ => current = n.parent(),
        }
    }
    None
}

/// Whether `node` is a template string without substitutions: a constant,
/// which evaluates without running code.
pub fn is_constant_template(node: Node) -> bool {
    if node.kind_name() != "template_string" {
        return false;
    }
    let mut cursor = node.walk();
    let substituted = node
        .named_children(&mut cursor)
        .any(|c| c.kind_name() == "template_substitution");
    !substituted
}

fn text_of<'s>(source: &'s str, node: Node) -> &'s str {
    &source[node.byte_range()]
}

/// The named children of `node` but comments: a call's arguments, an array's
/// elements, a block's statements.
pub fn named_children_but_comments(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|child| child.kind_name() != "comment")
        .collect()
}

/// The last named child of `node` that is not a comment: a block's last
/// statement.
pub fn last_but_comments(node: Node) -> Option<Node> {
    let mut cursor = node.walk();
    let last = node
        .named_children(&mut cursor)
        .filter(|child| child.kind_name() != "comment")
        .last();
    last
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

    /// The first node of kind `kind` in `tree`, in document order (shared
    /// with the tests of the submodules).
    pub(super) fn first<'t>(tree: &'t tree_sitter::Tree, kind: &str) -> Node<'t> {
        let mut stack = vec![tree.root_node()];
        while let Some(node) = stack.pop() {
            if node.kind_name() == kind {
                return node;
            }
            let mut cursor = node.walk();
            let children: Vec<Node> = node.children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
        panic!("no {kind}")
    }

    /// The expression of each top-level statement of `tree`, in order
    /// (shared with the tests of the submodules).
    pub(super) fn statement_expressions(tree: &tree_sitter::Tree) -> Vec<Node<'_>> {
        named_children_but_comments(tree.root_node())
            .into_iter()
            .filter_map(|statement| statement.named_child(0))
            .collect()
    }

    #[test]
    fn every_function_kind_is_a_named_kind_of_the_grammar() {
        for kind in FUNCTION_KINDS {
            assert_ne!(syntax::kind_id(kind), 0, "{kind}");
        }
    }

    #[test]
    fn a_class_field_stops_the_search_for_the_enclosing_function_only_when_asked_to() {
        let source = "async function outer() { class C { field = g(); } }";
        let tree = syntax::parse(source, None);
        let call = first(&tree, "call_expression");
        assert_eq!(enclosing_function(call), None);
        assert_eq!(enclosing_function_with(call, ClassFields::Stop), None);
        let around = enclosing_function_with(call, ClassFields::PassThrough).expect("outer");
        assert_eq!(around.kind_name(), "function_declaration");
        assert!(is_async_function(around));
    }

    #[test]
    fn a_computed_key_belongs_to_the_code_around_the_method() {
        let source = "async function outer() { return { async [await k()]() {} }; }";
        let tree = syntax::parse(source, None);
        let awaited = first(&tree, "await_expression");
        let function = enclosing_function(awaited).expect("outer");
        assert_eq!(function.kind_name(), "function_declaration");
        assert!(in_async_context(awaited, false));
    }

    #[test]
    fn a_for_await_loop_is_told_from_a_plain_for_of() {
        let source = "async function f() { for await (const x of xs) {} for (const y of ys) {} }";
        let tree = syntax::parse(source, None);
        let loops: Vec<bool> = {
            let mut found = Vec::new();
            let mut stack = vec![tree.root_node()];
            while let Some(node) = stack.pop() {
                if node.kind_name() == "for_in_statement" {
                    found.push((node.start_byte(), is_for_await(node)));
                }
                let mut cursor = node.walk();
                stack.extend(node.children(&mut cursor));
            }
            found.sort();
            found.into_iter().map(|(_, is)| is).collect()
        };
        assert_eq!(loops, [true, false]);
    }

    #[test]
    fn enclosing_async_function_is_found_through_arrows_but_not_class_fields() {
        let source = "async function f() { g(); const h = () => k(); }";
        let tree = syntax::parse(source, None);
        let g = tree
            .root_node()
            .descendant_for_byte_range(21, 22)
            .expect("g");
        assert!(in_async_function(g));
        let k = tree
            .root_node()
            .descendant_for_byte_range(42, 43)
            .expect("k");
        assert!(!in_async_function(k));
    }
}
