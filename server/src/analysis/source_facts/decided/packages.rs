//! Optional packages behind a function, for [`super::PromiseDeclarations`]:
//! `function getSnappy() { try { const value = require('snappy'); return
//! value; } catch (error) { return { kModuleError }; } }` returns a package
//! (or, when it is not installed, an error object), so an await on what
//! it gives depends on code outside the workspace: the export summary
//! marks such a function (`ExportedValue::PackageFunction`) and the hedge
//! names the package.

use tree_sitter::Node;

use super::calls::last_of_sequence;
use super::PromiseDeclarations;
use crate::analysis::modules::ExportedValue;
use crate::syntax::js::{
    for_each_own_node, is_async_function, is_generator_function, last_but_comments, unwrap_parens,
};
use crate::workspace::builtins::builtin;

impl<'t> PromiseDeclarations<'t> {
    /// The package `function` returns: its body holds one `require` of a
    /// package (neither relative nor built-in), inside a `try`, and every
    /// `return` outside a `catch` gives that call's value (directly or
    /// through the name it is stored in); its last statement returns (or
    /// is a `try` whose body and `catch` end in a `return` or `throw`).
    pub fn returned_package(&self, function: Node<'t>) -> Option<&'t str> {
        if is_async_function(function)
            || is_generator_function(function)
            || self.bindings.contains_key("require")
        {
            return None;
        }
        let body = function.child_by_field_id(crate::field!("body"))?;
        if body.kind() != "statement_block" || !ends_in_return(body) {
            return None;
        }
        let mut requires = Vec::new();
        let mut returns = Vec::new();
        for_each_own_node(body, |node| match node.kind() {
            "call_expression" => requires.extend(self.package_required(node)),
            "return_statement" => returns.push(node),
            _ => {}
        });
        let [(call, package)] = requires.as_slice() else {
            return None;
        };
        if !inside(*call, function, |n| {
            n.kind() == "statement_block" && n.parent().is_some_and(|t| t.kind() == "try_statement")
        }) {
            return None;
        }
        // The name the required value is stored in, if any.
        let parent = call.parent()?;
        let holder = match parent.kind() {
            "variable_declarator" => parent.child_by_field_id(crate::field!("name")),
            "assignment_expression" => parent.child_by_field_id(crate::field!("left")),
            _ => None,
        }
        .filter(|n| n.kind() == "identifier")
        .map(|n| self.text(n));
        let every_return_gives_it = returns.iter().all(|&ret| {
            if inside(ret, function, |n| n.kind() == "catch_clause") {
                return true;
            }
            let Some(value) = ret.named_child(0).map(unwrap_parens) else {
                return false;
            };
            value.id() == call.id()
                || value.kind() == "identifier" && Some(self.text(value)) == holder
        });
        every_return_gives_it.then_some(*package)
    }

    /// `require('pkg')` of a package: the call and the package.
    fn package_required(&self, call: Node<'t>) -> Option<(Node<'t>, &'t str)> {
        let callee = call.child_by_field_id(crate::field!("function"))?;
        let arguments = call.child_by_field_id(crate::field!("arguments"))?;
        let specifier = arguments.named_child(0)?;
        if callee.kind() != "identifier"
            || self.text(callee) != "require"
            || arguments.named_child_count() != 1
            || specifier.kind() != "string"
        {
            return None;
        }
        let package = self.text(specifier).trim_matches(|c| c == '\'' || c == '"');
        let is_package = !package.is_empty()
            && !package.starts_with('.')
            && !package.starts_with('/')
            && builtin(package).ok().flatten().is_none();
        is_package.then_some((call, package))
    }

    /// Why a call of `callee` is undecided when it is a function returning
    /// an optional package (imported, or of this file).
    pub(super) fn package_call_reason(&self, callee: Node<'t>) -> Option<String> {
        let callee = last_of_sequence(unwrap_parens(callee))?;
        let shown = self.short(callee);
        let (package, line, place) = match callee.kind() {
            "identifier" => {
                let binding = self.binding_at(self.text(callee), callee)?;
                match binding.kind() {
                    "function_declaration" => (
                        self.returned_package(binding)?.to_owned(),
                        self.line(binding) as u32,
                        String::new(),
                    ),
                    _ if self.is_import_binding(binding) => {
                        let found = self.imports.get(self.text(callee))?;
                        let ExportedValue::PackageFunction { line, package } = &found.value else {
                            return None;
                        };
                        (package.clone(), *line, format!(" in `{}`", found.specifier))
                    }
                    _ => return None,
                }
            }
            "member_expression" => {
                let object = callee.child_by_field_id(crate::field!("object"))?;
                let property = callee.child_by_field_id(crate::field!("property"))?;
                if object.kind() != "identifier"
                    || self.member_may_be_replaced(self.text(object), self.text(property))
                {
                    return None;
                }
                let binding = self.binding_at(self.text(object), object)?;
                if !self.is_import_binding(binding) {
                    return None;
                }
                let found = self.imports.get(self.text(object))?;
                let Some(ExportedValue::PackageFunction { line, package }) =
                    found.value.member(self.text(property))
                else {
                    return None;
                };
                (package.clone(), *line, format!(" in `{}`", found.specifier))
            }
            _ => return None,
        };
        Some(format!(
            "`{shown}`{place} (line {line}) returns what `require('{package}')` gives (an error \
             object when that fails): it comes from the package `{package}`, outside the workspace"
        ))
    }
}

/// Whether `node` has an ancestor below `function` that `test` accepts.
fn inside(node: Node, function: Node, test: impl Fn(Node) -> bool) -> bool {
    let mut current = node.parent();
    while let Some(n) = current {
        if n.id() == function.id() {
            return false;
        }
        if test(n) {
            return true;
        }
        current = n.parent();
    }
    false
}

/// Whether `block`'s last statement is a `return`, or a `try` (without
/// `finally`) whose body and `catch` both end in a `return` or `throw`.
fn ends_in_return(block: Node) -> bool {
    let Some(statement) = last_but_comments(block) else {
        return false;
    };
    let exits = |block: Option<Node>| {
        block
            .and_then(last_but_comments)
            .is_some_and(|s| matches!(s.kind(), "return_statement" | "throw_statement"))
    };
    match statement.kind() {
        "return_statement" => true,
        "try_statement" => {
            let handler = statement.child_by_field_id(crate::field!("handler"));
            statement
                .child_by_field_id(crate::field!("finalizer"))
                .is_none()
                && exits(statement.child_by_field_id(crate::field!("body")))
                && exits(handler.and_then(|h| h.child_by_field_id(crate::field!("body"))))
        }
        _ => false,
    }
}
