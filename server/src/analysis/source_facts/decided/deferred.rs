//! Deferred objects, for [`super::PromiseDeclarations`]: a function whose
//! every call returns a new object literal with a member holding a native
//! promise (`promiseWithResolvers()` / `createDeferredPromise()`:
//! `const promise = new Promise(…); return { promise, resolve, reject }`),
//! and the awaits on that member: `const { promise } = f(); await promise`,
//! `const d = f(); await d.promise`, with `f` of this file or an imported
//! workspace file (its summary's `ObjectFunction`).

use std::collections::BTreeMap;

use tree_sitter::Node;

use super::calls::last_of_sequence;
use super::{is_plain_call, Decision, PromiseDeclarations, MAX_DEPTH};
use crate::analysis::modules::ExportedValue;
use crate::syntax::js::{
    for_each_own_node, has_optional_chain, is_async_function, is_function, is_generator_function,
    last_but_comments, unwrap_parens,
};

impl<'t> PromiseDeclarations<'t> {
    /// When `function` (neither async nor a generator) has one `return`,
    /// its last statement, of an object literal (no spread, no computed
    /// key): the members of that literal holding native promises, with why.
    pub fn returned_object_promises(&self, function: Node<'t>) -> Option<BTreeMap<String, String>> {
        self.returned_object_promises_at(function, 0)
    }

    /// [`Self::returned_object_promises`], `depth` calls deep.
    fn returned_object_promises_at(
        &self,
        function: Node<'t>,
        depth: u32,
    ) -> Option<BTreeMap<String, String>> {
        if depth > MAX_DEPTH || is_async_function(function) || is_generator_function(function) {
            return None;
        }
        let body = function.child_by_field_id(crate::field!("body"))?;
        if body.kind() != "statement_block" {
            return None;
        }
        let last = last_but_comments(body)?;
        let mut returns = 0;
        for_each_own_node(body, |node| {
            if node.kind() == "return_statement" {
                returns += 1;
            }
        });
        let object = unwrap_parens(last.named_child(0)?);
        if last.kind() != "return_statement" || returns != 1 || object.kind() != "object" {
            return None;
        }
        let mut promises = BTreeMap::new();
        let mut cursor = object.walk();
        for entry in object.named_children(&mut cursor) {
            let (key, decision) = match entry.kind() {
                "spread_element" => return None,
                "pair" => {
                    let key = entry.child_by_field_id(crate::field!("key"))?;
                    if key.kind() == "computed_property_name" {
                        return None;
                    }
                    let value = entry.child_by_field_id(crate::field!("value"))?;
                    let key = self.text(key).trim_matches(|c| c == '\'' || c == '"');
                    (key, self.decide_at(value, depth + 1))
                }
                "shorthand_property_identifier" => {
                    (self.text(entry), self.name_holds(entry, depth + 1))
                }
                _ => continue,
            };
            // The last one wins, as in JavaScript.
            match decision {
                Some(decision) => promises.insert(key.to_owned(), decision.why),
                None => promises.remove(key),
            };
        }
        (!promises.is_empty()).then_some(promises)
    }

    /// Why the member `member` of what `call` returns is a native promise:
    /// `call` calls a function of this file or an imported one whose
    /// returned object holds one there.
    fn called_object_promise(&self, call: Node<'t>, member: &str, depth: u32) -> Option<String> {
        let call = unwrap_parens(call);
        if !is_plain_call(call) {
            return None;
        }
        let callee = last_of_sequence(unwrap_parens(
            call.child_by_field_id(crate::field!("function"))?,
        ))?;
        let imported = |value: &ExportedValue, shown: &str, specifier: &str| match value {
            ExportedValue::ObjectFunction { line, promises } => promises.get(member).map(|why| {
                format!(
                    "`{shown}` in `{specifier}` (line {line}) returns a new object whose \
                     `{member}` is one: {why}"
                )
            }),
            _ => None,
        };
        match callee.kind() {
            "identifier" => {
                let name = self.text(callee);
                let binding = self.binding_at(name, callee)?;
                let function = match binding.kind() {
                    "function_declaration" => binding,
                    "variable_declarator" if !self.is_import_binding(binding) => {
                        let value =
                            unwrap_parens(binding.child_by_field_id(crate::field!("value"))?);
                        (is_function(value) && binding.parent()?.kind() == "lexical_declaration")
                            .then_some(value)?
                    }
                    _ => {
                        if !self.is_import_binding(binding) {
                            return None;
                        }
                        let found = self.imports.get(name)?;
                        return imported(&found.value, name, &found.specifier);
                    }
                };
                let why = self
                    .returned_object_promises_at(function, depth + 1)?
                    .remove(member)?;
                Some(format!(
                    "`{name}` (line {}) returns a new object whose `{member}` is one: {why}",
                    self.line(binding)
                ))
            }
            "member_expression" => {
                let object = callee.child_by_field_id(crate::field!("object"))?;
                let property = callee.child_by_field_id(crate::field!("property"))?;
                if object.kind() != "identifier"
                    || has_optional_chain(callee)
                    || self.member_may_be_replaced(self.text(object), self.text(property))
                {
                    return None;
                }
                let namespace = self.text(object);
                let binding = self.binding_at(namespace, object)?;
                if !self.is_import_binding(binding) {
                    return None;
                }
                let found = self.imports.get(namespace)?;
                let value = found.value.member(self.text(property))?;
                imported(value, self.text(property), &found.specifier)
            }
            _ => None,
        }
    }

    /// `d.promise` with `d` a `const` (or a `let` never assigned) holding
    /// such a call, and no property of that name written anywhere.
    pub(super) fn deferred_member(&self, member: Node<'t>, depth: u32) -> Option<Decision> {
        let object = unwrap_parens(member.child_by_field_id(crate::field!("object"))?);
        let property = member.child_by_field_id(crate::field!("property"))?;
        if member.kind() != "member_expression"
            || has_optional_chain(member)
            || object.kind() != "identifier"
            || property.kind() != "property_identifier"
            || self.assigned_members.contains(self.text(property))
        {
            return None;
        }
        let name = self.text(object);
        let binding = self.binding_at(name, object)?;
        if binding.kind() != "variable_declarator"
            || binding.parent()?.kind() != "lexical_declaration"
            || binding.child_by_field_id(crate::field!("name"))?.kind() != "identifier"
        {
            return None;
        }
        let value = binding.child_by_field_id(crate::field!("value"))?;
        let why = self.called_object_promise(value, self.text(property), depth)?;
        Some(Decision::new(format!(
            "`{name}` holds what a call returns (line {}): {why}",
            self.line(binding)
        )))
    }

    /// `promise` in `const { promise } = f()` (or `{ promise: p }`, no
    /// default value) with `f` such a function.
    pub(super) fn destructured_promise(&self, name: Node<'t>, depth: u32) -> Option<Decision> {
        let text = self.text(name);
        let binding = self.binding_at(text, name)?;
        let pattern = binding.child_by_field_id(crate::field!("name"))?;
        if binding.kind() != "variable_declarator"
            || binding.parent()?.kind() != "lexical_declaration"
            || pattern.kind() != "object_pattern"
        {
            return None;
        }
        let key = self.key_binding(pattern, text)?;
        let value = binding.child_by_field_id(crate::field!("value"))?;
        let why = self.called_object_promise(value, key, depth)?;
        Some(Decision::new(format!(
            "`{text}` is the `{key}` of what a call returns (line {}): {why}",
            self.line(binding)
        )))
    }
}
