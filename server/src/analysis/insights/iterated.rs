//! What a `for await` loop iterates over, as far as the file shows it: an
//! array literal, a call of an async generator the file declares, or unknown
//! (see [`Iterated`]).

use std::ops::Range;

use tree_sitter::Node;

use crate::analysis::dataflow;
use crate::syntax::js;

use super::build::enclosing_node_with_range;
use super::Iterated;

/// What the `for await` loop whose iterable is at `iterable` (in
/// `function`) iterates over: an array literal, a call of an async
/// generator the file declares (by name, never assigned; a declaration or a
/// `const` holding an async generator function; or `this.m()` with `m` an
/// async generator method of the class), or unknown.
pub(super) fn iterated(source: &str, function: Node, iterable: &Range<usize>) -> Iterated {
    let Some(node) = iterable_node(function, iterable) else {
        return Iterated::Unknown;
    };
    if node.kind() == "array" {
        return Iterated::Array;
    }
    let callee = (node.kind() == "call_expression")
        .then(|| node.child_by_field_id(crate::field!("function")))
        .flatten();
    let mut root = function;
    while let Some(parent) = root.parent() {
        root = parent;
    }
    if let Some(method) = callee.and_then(|c| this_async_generator_method(source, root, c)) {
        return Iterated::AsyncGenerator(format!("this.{method}"));
    }
    let Some(callee) = callee.filter(|callee| callee.kind() == "identifier") else {
        return Iterated::Unknown;
    };
    let name = &source[callee.byte_range()];
    let (mut generators, mut others) = (0, 0);
    dataflow::preorder(root, |n| {
        let names_it = |id: Option<Node>| id.is_some_and(|id| &source[id.byte_range()] == name);
        let declares = (n.kind().ends_with("declaration") || n.kind() == "variable_declarator")
            && names_it(n.child_by_field_id(crate::field!("name")))
            || n.kind() == "identifier"
                && n.parent().is_some_and(|p| p.kind() == "formal_parameters")
                && names_it(Some(n));
        let assigns = n.kind() == "assignment_expression"
            && names_it(n.child_by_field_id(crate::field!("left")));
        // `async function* g()`, or `const g = async function* () {}`.
        let async_generator = |f: Node| js::is_async_function(f) && js::is_generator_function(f);
        let value = n
            .child_by_field_id(crate::field!("value"))
            .map(js::unwrap_parens);
        if declares && (async_generator(n) || value.is_some_and(async_generator)) {
            generators += 1;
        } else if declares || assigns {
            others += 1;
        }
        dataflow::Walk::Enter
    });
    if generators == 1 && others == 0 {
        Iterated::AsyncGenerator(name.to_owned())
    } else {
        Iterated::Unknown
    }
}

/// The iterable of a `for await` loop of `function`, at `iterable`.
pub(super) fn iterable_node<'t>(function: Node<'t>, iterable: &Range<usize>) -> Option<Node<'t>> {
    let node = function.descendant_for_byte_range(iterable.start, iterable.end)?;
    Some(js::unwrap_parens(enclosing_node_with_range(node, iterable)))
}

/// The name of the async generator method `callee` (`this.m`) calls: a
/// non-static method `async *m()` of the class around a non-static `this`,
/// when nothing else in the file is named `m` (no other method, field or
/// property of that name, no write of `.m`), so no same-file subclass or
/// assignment replaces it. Subclasses in other files are not seen, as the
/// decided promise kinds do not see them either.
fn this_async_generator_method<'t>(source: &'t str, root: Node, callee: Node) -> Option<&'t str> {
    let object = callee.child_by_field_id(crate::field!("object"))?;
    let property = callee.child_by_field_id(crate::field!("property"))?;
    if callee.kind() != "member_expression"
        || object.kind() != "this"
        || property.kind() != "property_identifier"
    {
        return None;
    }
    let class = js::enclosing_class_of_this(object)?;
    let mut user = object.parent()?;
    while user.kind() != "method_definition" {
        user = user.parent()?;
    }
    let name = &source[property.byte_range()];
    let is_static = |member: Node| {
        let mut cursor = member.walk();
        let found = member.children(&mut cursor).any(|c| c.kind() == "static");
        found
    };
    if is_static(user) {
        return None;
    }
    let (mut methods, mut others) = (Vec::new(), 0);
    dataflow::preorder(root, |n| {
        let key = match n.kind() {
            "method_definition" | "field_definition" => n
                .child_by_field_id(crate::field!("name"))
                .or_else(|| n.child_by_field_id(crate::field!("property"))),
            "pair" => n.child_by_field_id(crate::field!("key")),
            "member_expression"
                if n.parent().is_some_and(|p| {
                    p.kind().contains("assignment")
                        && p.child_by_field_id(crate::field!("left")) == Some(n)
                }) =>
            {
                n.child_by_field_id(crate::field!("property"))
            }
            _ => None,
        };
        if key.is_some_and(|k| &source[k.byte_range()] == name) {
            if n.kind() == "method_definition" {
                methods.push(n);
            } else {
                others += 1;
            }
        }
        dataflow::Walk::Enter
    });
    let [method] = methods[..] else {
        return None;
    };
    let owner = method.parent()?.parent()?;
    (others == 0
        && owner == class
        && !is_static(method)
        && js::is_async_function(method)
        && js::is_generator_function(method))
    .then_some(name)
}
