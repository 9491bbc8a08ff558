//! Reads of a local that cannot throw, for [`Body`]: a name whose binding is
//! certainly initialised when the read runs. Reading a `let`, `const` or
//! `class` binding before its declaration has run throws a `ReferenceError`
//! (the temporal dead zone, ECMA-262 §9.1.1.1.6 GetBindingValue); once it has
//! run, reading it cannot throw.
//!
//! The read is taken when its binding is, going out from the read within its
//! unit:
//! - a plain parameter of a function around it (or of the function itself);
//! - a `const`, `let` or `var` declaring the plain name, written as a
//!   statement of a block around the read and ending before it: the block
//!   runs its statements in order, so by the time the statement holding the
//!   read runs (a closure in it is created, or runs later) the declaration
//!   has run;
//! - a name a `for … of` / `for … in` statement declares (`const x`,
//!   `const [key, value]`), read in its body;
//!
//! and when that is the only binding of the name in the function that holds
//! it (nested functions included): a nearer one of another kind (a `catch`
//! parameter, a destructuring) would be the one read. A hoisted function
//! declaration between the read and the binding is refused: it may be called
//! before the declaration runs.

use tree_sitter::Node;

use super::cannot_throw::{top_level_of, Body};
use super::text_of;
use crate::syntax::js::{
    enclosing_function_with, is_function, named_children_but_comments, pattern_identifiers,
    ClassFields,
};

impl<'t> Body<'_, 't> {
    /// Whether reading the identifier `read` cannot throw: its binding is
    /// certainly initialised (see the module docs).
    pub(super) fn is_initialized_local(&self, read: Node<'t>) -> bool {
        let source = self.source;
        let name = text_of(source, read);
        let unit = top_level_of(self.function);
        let mut child = read;
        while let Some(parent) = child.parent() {
            if parent.kind() == "program" {
                return false;
            }
            let binds_here = match parent.kind() {
                "statement_block" => named_children_but_comments(parent)
                    .into_iter()
                    .take_while(|statement| statement.id() != child.id())
                    .any(|statement| declares(source, statement, name)),
                "for_in_statement" => {
                    parent
                        .child_by_field_id(crate::field!("body"))
                        .is_some_and(|body| body.id() == child.id())
                        && parent
                            .child_by_field_id(crate::field!("kind"))
                            .is_some_and(|k| matches!(text_of(source, k), "const" | "let" | "var"))
                        && parent
                            .child_by_field_id(crate::field!("left"))
                            .is_some_and(|left| {
                                pattern_identifiers(left)
                                    .iter()
                                    .any(|bound| text_of(source, *bound) == name)
                            })
                }
                _ if is_function(parent) => has_plain_parameter(source, parent, name),
                _ => false,
            };
            if binds_here {
                let scope = holding_function(parent).unwrap_or(unit);
                return binding_count(source, scope, name) == 1;
            }
            if matches!(
                parent.kind(),
                "function_declaration" | "generator_function_declaration"
            ) {
                return false;
            }
            if parent.id() == unit.id() {
                return false;
            }
            child = parent;
        }
        false
    }
}

/// A `const`, `let` or `var` statement with a declarator of the plain `name`.
fn declares(source: &str, statement: Node, name: &str) -> bool {
    matches!(
        statement.kind(),
        "lexical_declaration" | "variable_declaration"
    ) && named_children_but_comments(statement)
        .iter()
        .any(|declarator| {
            declarator.kind() == "variable_declarator"
                && declarator
                    .child_by_field_id(crate::field!("name"))
                    .is_some_and(|n| n.kind() == "identifier" && text_of(source, n) == name)
        })
}

/// Whether `function` has a parameter that is the plain `name`.
fn has_plain_parameter(source: &str, function: Node, name: &str) -> bool {
    if let Some(single) = function.child_by_field_id(crate::field!("parameter")) {
        return single.kind() == "identifier" && text_of(source, single) == name;
    }
    function
        .child_by_field_id(crate::field!("parameters"))
        .is_some_and(|params| {
            named_children_but_comments(params)
                .iter()
                .any(|p| p.kind() == "identifier" && text_of(source, *p) == name)
        })
}

/// The function `node` is (a parameter list's owner) or lies in.
fn holding_function(node: Node) -> Option<Node> {
    if is_function(node) {
        return Some(node);
    }
    enclosing_function_with(node, ClassFields::PassThrough)
}

/// How many times `name` is bound in `scope`, nested functions included:
/// declarators, parameters, patterns, `catch` parameters, `for` heads, and
/// the names of function and class declarations and expressions.
fn binding_count(source: &str, scope: Node, name: &str) -> usize {
    let mut count = 0;
    let mut stack = vec![scope];
    let mut cursor = scope.walk();
    while let Some(node) = stack.pop() {
        stack.extend(node.named_children(&mut cursor));
        let named = matches!(
            node.kind(),
            "identifier" | "shorthand_property_identifier_pattern"
        ) && text_of(source, node) == name;
        if !named {
            continue;
        }
        let Some(parent) = node.parent() else {
            continue;
        };
        let field_is = |field| {
            parent
                .child_by_field_id(field)
                .is_some_and(|n| n.id() == node.id())
        };
        let binds = node.kind() == "shorthand_property_identifier_pattern"
            || parent.kind().ends_with("pattern")
            || matches!(parent.kind(), "formal_parameters" | "catch_clause")
            || (parent.kind() == "variable_declarator" && field_is(crate::field!("name")))
            || (parent.kind() == "for_in_statement" && field_is(crate::field!("left")))
            || (parent.kind() == "arrow_function" && field_is(crate::field!("parameter")))
            || ((is_function(parent) || matches!(parent.kind(), "class_declaration" | "class"))
                && field_is(crate::field!("name")));
        count += usize::from(binds);
    }
    count
}
