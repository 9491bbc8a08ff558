//! Calls that the language or Node's built-in modules decide, for
//! [`super::PromiseDeclarations`]: `import(…)`, `f.call(…)` and `f.apply(…)`
//! of an async function, the functions of a built-in module's `promises`
//! namespace (`dns.promises.lookup(…)`), and calls of the function
//! `util.promisify(f)` returns.

use tree_sitter::Node;

use super::{Decision, PromiseDeclarations};
use crate::analysis::modules::imports::builtin_value;
use crate::analysis::modules::ExportedValue;
use crate::syntax::js::{is_function, unwrap_parens};
use crate::workspace::builtins::builtin;

/// Built-in modules whose `promises` member is the built-in module named
/// second (Node 24: `require('dns').promises === require('dns/promises')`).
const PROMISES_NAMESPACES: &[(&str, &str)] = &[
    ("dns", "dns/promises"),
    ("fs", "fs/promises"),
    ("stream", "stream/promises"),
    ("timers", "timers/promises"),
];

impl<'t> PromiseDeclarations<'t> {
    /// The specifier of a module-level `require('x')` or `import … from 'x'`
    /// that `binding` is (the `x`), if it is one.
    pub(super) fn specifier_of(&self, binding: Node<'t>) -> Option<&'t str> {
        if !self.is_import_binding(binding) {
            return None;
        }
        let string = match binding.kind() {
            "variable_declarator" => {
                let mut value = unwrap_parens(binding.child_by_field_id(crate::field!("value"))?);
                // `require('x').member`: the module is still `x`.
                while value.kind() == "member_expression" {
                    value = unwrap_parens(value.child_by_field_id(crate::field!("object"))?);
                }
                let callee = value.child_by_field_id(crate::field!("function"))?;
                if value.kind() != "call_expression" || self.text(callee) != "require" {
                    return None;
                }
                value
                    .child_by_field_id(crate::field!("arguments"))?
                    .named_child(0)?
            }
            _ => {
                let mut statement = binding;
                while statement.kind() != "import_statement" {
                    statement = statement.parent()?;
                }
                statement.child_by_field_id(crate::field!("source"))?
            }
        };
        (string.kind() == "string")
            .then(|| self.text(string).trim_matches(|c| c == '\'' || c == '"'))
    }

    /// The built-in module (without `node:`) the name `object` is bound to
    /// as a whole (`const dns = require('node:dns')`, `import * as dns`).
    fn builtin_namespace(&self, object: Node<'t>) -> Option<&'t str> {
        let binding = self.binding_at(self.text(object), object)?;
        let whole = match binding.kind() {
            "variable_declarator" => {
                binding
                    .child_by_field_id(crate::field!("name"))
                    .is_some_and(|n| n.kind() == "identifier")
                    && binding
                        .child_by_field_id(crate::field!("value"))
                        .is_some_and(|v| unwrap_parens(v).kind() == "call_expression")
            }
            "namespace_import" | "import_clause" => true,
            _ => false,
        };
        if !whole {
            return None;
        }
        builtin(self.specifier_of(binding)?).ok().flatten()
    }

    /// For `ns.property` (`member`) with `ns` a name bound to a built-in
    /// module as a whole and `property` never written: `ns` and the module.
    fn builtin_member(&self, member: Node<'t>, property: &str) -> Option<(&'t str, &'t str)> {
        let object = member.child_by_field_id(crate::field!("object"))?;
        let name = member.child_by_field_id(crate::field!("property"))?;
        if object.kind() != "identifier"
            || self.text(name) != property
            || self.member_may_be_replaced(self.text(object), property)
        {
            return None;
        }
        Some((self.text(object), self.builtin_namespace(object)?))
    }

    /// `ns.promises.method(…)` with `ns` a built-in module whose `promises`
    /// namespace returns a native promise from `method`.
    pub(super) fn builtin_promises_call(
        &self,
        namespace: Node<'t>,
        method: &str,
    ) -> Option<Decision> {
        let (object, module) = self.builtin_member(namespace, "promises")?;
        let (_, promises) = PROMISES_NAMESPACES.iter().find(|(m, _)| *m == module)?;
        let Some(ExportedValue::PromiseFunction { why, .. }) =
            builtin_value(promises, Some(method))
        else {
            return None;
        };
        Some(Decision::new(format!("`{object}.promises.{method}` {why}")))
    }

    /// `f.call(…)` or `f.apply(…)`: a call of `f` with another `this`. Only
    /// an async `f` is taken (what it returns does not depend on `this`);
    /// a function that returns `this.m()` may return anything then.
    pub(super) fn call_or_apply(
        &self,
        method: &str,
        function: Node<'t>,
        depth: u32,
    ) -> Option<Decision> {
        let receiver = match function.kind() {
            "identifier" => self.text(function),
            "member_expression" => "this",
            _ => return None,
        };
        if self.member_may_be_replaced(receiver, method) {
            return None;
        }
        let inner = self.call_of(function, depth + 1)?;
        let is_async = inner.why.contains(" is an async function")
            || inner.why.contains(" is an async method");
        is_async.then(|| Decision::new(format!("`.{method}` calls it: {}", inner.why)))
    }

    /// Whether `call` is `util.promisify(f)` (`promisify(f)`,
    /// `(0, util_1.promisify)(f)`) returning a function whose calls return
    /// native promises: Node's does, unless `f` has a
    /// `util.promisify.custom` function, which it returns instead. `f`
    /// counts when it can have none, or when it is Node's own (a built-in
    /// module's function, the global `setTimeout` or `setImmediate`: those
    /// with a custom one, such as `fs.exists` and `child_process.exec`,
    /// return native promises from it in Node 24), as long as the file
    /// never names `promisify.custom`.
    pub(super) fn is_promisified(&self, call: Node<'t>) -> bool {
        self.promisify_original(call)
            .is_some_and(|original| self.has_no_custom_promisify(original))
    }

    /// The `f` of `util.promisify(f)`.
    pub(super) fn promisify_original(&self, call: Node<'t>) -> Option<Node<'t>> {
        let call = unwrap_parens(call);
        if call.kind() != "call_expression" {
            return None;
        }
        let callee = last_of_sequence(unwrap_parens(
            call.child_by_field_id(crate::field!("function"))?,
        ))?;
        let util = match callee.kind() {
            "member_expression" => self.builtin_member(callee, "promisify")?.1,
            "identifier" if self.text(callee) == "promisify" => {
                let binding = self.binding_at("promisify", callee)?;
                if !self.binds_export_as_is(binding, "promisify") {
                    return None;
                }
                builtin(self.specifier_of(binding)?).ok().flatten()?
            }
            _ => return None,
        };
        let arguments = call.child_by_field_id(crate::field!("arguments"))?;
        if util != "util" || arguments.kind() != "arguments" || arguments.named_child_count() != 1 {
            return None;
        }
        let original = unwrap_parens(arguments.named_child(0)?);
        (original.kind() != "spread_element").then_some(original)
    }

    /// Whether `binding` binds the export `name` under its own name:
    /// `import { name }`, `const { name } = require(…)`,
    /// `const name = require(…).name`.
    fn binds_export_as_is(&self, binding: Node<'t>, name: &str) -> bool {
        match binding.kind() {
            "import_specifier" => {
                binding
                    .child_by_field_id(crate::field!("name"))
                    .is_some_and(|n| self.text(n) == name)
                    && binding.child_by_field_id(crate::field!("alias")).is_none()
            }
            "variable_declarator" => {
                let pattern = binding.child_by_field_id(crate::field!("name"));
                let value = binding
                    .child_by_field_id(crate::field!("value"))
                    .map(unwrap_parens);
                match (pattern, value) {
                    (Some(p), _) if p.kind() == "object_pattern" => {
                        let mut cursor = p.walk();
                        let found = p.named_children(&mut cursor).any(|c| {
                            c.kind() == "shorthand_property_identifier_pattern"
                                && self.text(c) == name
                        });
                        found
                    }
                    (Some(_), Some(v)) if v.kind() == "member_expression" => v
                        .child_by_field_id(crate::field!("property"))
                        .is_some_and(|p| self.text(p) == name),
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// Whether `function` certainly has no `util.promisify.custom` property
    /// but one that returns a native promise.
    fn has_no_custom_promisify(&self, function: Node<'t>) -> bool {
        if is_function(function) {
            return true;
        }
        if function.kind() == "call_expression" {
            let bound = function
                .child_by_field_id(crate::field!("function"))
                .filter(|f| f.kind() == "member_expression")
                .and_then(|f| f.child_by_field_id(crate::field!("property")));
            return bound.is_some_and(|p| self.text(p) == "bind");
        }
        if self.source.contains("promisify.custom") {
            return false;
        }
        if function.kind() == "member_expression" {
            // `fs.stat`: a built-in module's function, never replaced here.
            let property = function.child_by_field_id(crate::field!("property"));
            return property.is_some_and(|p| self.builtin_member(function, self.text(p)).is_some());
        }
        if function.kind() != "identifier" {
            return false;
        }
        let name = self.text(function);
        let Some(binding) = self.binding_at(name, function) else {
            return matches!(name, "setTimeout" | "setImmediate")
                && !self.bindings.contains_key(name)
                && !self.writes.contains_key(name);
        };
        match binding.kind() {
            "function_declaration" => true,
            "variable_declarator" if self.is_builtin_property(binding) => true,
            "import_specifier" => self
                .specifier_of(binding)
                .is_some_and(|s| builtin(s).ok().flatten().is_some()),
            "variable_declarator" => binding
                .child_by_field_id(crate::field!("value"))
                .is_some_and(|v| is_function(unwrap_parens(v))),
            _ => false,
        }
    }

    /// Whether `binding` binds a property of a built-in module:
    /// `const { stat } = require('fs')`, `const stat = require('fs').stat`.
    fn is_builtin_property(&self, binding: Node<'t>) -> bool {
        let pattern = binding.child_by_field_id(crate::field!("name"));
        let value = binding
            .child_by_field_id(crate::field!("value"))
            .map(unwrap_parens);
        let takes_property = match (pattern, value) {
            (Some(p), _) if p.kind() == "object_pattern" => true,
            (Some(_), Some(v)) => v.kind() == "member_expression",
            _ => false,
        };
        takes_property
            && self
                .specifier_of(binding)
                .is_some_and(|s| builtin(s).ok().flatten().is_some())
    }
}

/// The value of a comma expression (`(0, f)`: `f`), or `node` itself.
pub(super) fn last_of_sequence(node: Node) -> Option<Node> {
    match node.kind() {
        "sequence_expression" => Some(unwrap_parens(
            node.named_child(node.named_child_count().checked_sub(1)?)?,
        )),
        _ => Some(node),
    }
}
