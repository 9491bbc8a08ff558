//! Objects a method of the class returns, for [`super::PromiseDeclarations`]:
//! `this.aggregate(…).next()` and `const cursor = this.aggregate(…); await
//! cursor.next()` where `aggregate` (a plain method of the enclosing class
//! or a same-file class it extends) returns `new C(…)` of one constructor on
//! every path, directly or through a `const` of its own holding it. The
//! method called on the result is then `C`'s, decided as on `new C(…)`
//! itself (a class of this file, or an imported one through its summary).
//!
//! As for `this.m()`, the class's own declaration of the method is trusted:
//! a same-file subclass that declares it leaves the call undecided, a
//! subclass in another file is not seen.

use tree_sitter::Node;

use super::classes::{in_static_member, member_function, Own, Parent};
use super::{is_plain_call, Decision, PromiseDeclarations, MAX_DEPTH};
use crate::syntax::js::{
    enclosing_class_of_this, for_each_own_node, is_async_function, is_generator_function,
    last_but_comments, unwrap_parens,
};

impl<'t> PromiseDeclarations<'t> {
    /// `call.method(…)` with `call` a call of `this.maker(…)` whose every
    /// return is `new C(…)` of one `C`: `C.method`'s decision.
    pub(super) fn returned_instance_method(
        &self,
        call: Node<'t>,
        method: &str,
        depth: u32,
    ) -> Option<Decision> {
        if depth > MAX_DEPTH {
            return None;
        }
        let (maker, new) = self.returned_instance(call)?;
        let inner = self.instance_method(new, method, depth + 1)?;
        let constructor = new.child_by_field_id(crate::field!("constructor"))?;
        Some(Decision::new(format!(
            "`this.{maker}` returns `new {}(…)` on every path (line {}): {}",
            self.text(constructor),
            self.line(new),
            inner.why
        )))
    }

    /// For a call of `this.maker(…)` (a plain method of the enclosing class
    /// whose every `return` gives `new C(…)` of one `C`): the method's name
    /// and the first such `new`.
    fn returned_instance(&self, call: Node<'t>) -> Option<(&'t str, Node<'t>)> {
        let call = unwrap_parens(call);
        if !is_plain_call(call) {
            return None;
        }
        let callee = unwrap_parens(call.child_by_field_id(crate::field!("function"))?);
        let this = unwrap_parens(callee.child_by_field_id(crate::field!("object"))?);
        let property = callee.child_by_field_id(crate::field!("property"))?;
        if callee.kind() != "member_expression"
            || this.kind() != "this"
            || !matches!(
                property.kind(),
                "property_identifier" | "private_property_identifier"
            )
            || in_static_member(this)
        {
            return None;
        }
        let maker = self.text(property);
        let class = enclosing_class_of_this(this)?;
        if self.this_member_may_be_replaced(class, maker) || self.overridden_below(class, maker) {
            return None;
        }
        let function = self.instance_method_function(class, maker)?;
        Some((maker, self.every_return_new(function)?))
    }

    /// The function of the instance method `name` that `this.name` reaches
    /// from `class` (its own, or a same-file parent's); `None` for an
    /// accessor, a computed member that may be it, or an imported parent.
    fn instance_method_function(&self, class: Node<'t>, name: &str) -> Option<Node<'t>> {
        let mut current = class;
        for _ in 0..=MAX_DEPTH {
            let body = current.child_by_field_id(crate::field!("body"))?;
            let mut cursor = body.walk();
            let mut found = None;
            for member in body.named_children(&mut cursor) {
                if !matches!(member.kind(), "method_definition" | "field_definition")
                    || super::classes::is_static(member)
                {
                    continue;
                }
                let key = member
                    .child_by_field_id(crate::field!("name"))
                    .or_else(|| member.child_by_field_id(crate::field!("property")))?;
                if key.kind() == "computed_property_name" {
                    return None;
                }
                if self.text(key) == name {
                    // The last one wins, as in JavaScript.
                    found = Some(member);
                }
            }
            if let Some(member) = found {
                return member_function(member);
            }
            match self.parent_class(current)? {
                Parent::Local(parent) => current = parent,
                Parent::Imported(_) => return None,
            }
        }
        None
    }

    /// Whether a same-file class extending `class` (at any depth) declares
    /// an instance member `name` (or a computed one that may be it).
    fn overridden_below(&self, class: Node<'t>, name: &str) -> bool {
        let mut pending = vec![class];
        let mut seen = 0;
        while let Some(class) = pending.pop() {
            seen += 1;
            if seen > 64 {
                return true;
            }
            let Some(class_name) = class.child_by_field_id(crate::field!("name")) else {
                continue;
            };
            for &subclass in self
                .subclasses
                .get(self.text(class_name))
                .into_iter()
                .flatten()
            {
                if !matches!(self.own_method(subclass, name, 0), Own::Absent) {
                    return true;
                }
                pending.push(subclass);
            }
        }
        false
    }

    /// When every path of `function` (neither async nor a generator) ends
    /// in a `return` of `new C(…)` of one constructor `C` (written there or
    /// held by a `const` of the function never assigned), the first such
    /// `new`.
    fn every_return_new(&self, function: Node<'t>) -> Option<Node<'t>> {
        if is_async_function(function) || is_generator_function(function) {
            return None;
        }
        let body = function.child_by_field_id(crate::field!("body"))?;
        if body.kind() != "statement_block" {
            return self.new_returned(body, function);
        }
        let last = last_but_comments(body)?;
        if last.kind() != "return_statement" {
            return None;
        }
        let mut news: Vec<Option<Node<'t>>> = Vec::new();
        for_each_own_node(body, |node| {
            if node.kind() == "return_statement" {
                news.push(
                    node.named_child(0)
                        .and_then(|value| self.new_returned(value, function)),
                );
            }
        });
        let news: Vec<Node<'t>> = news.into_iter().collect::<Option<_>>()?;
        let first = *news.first()?;
        let constructor = |new: Node<'t>| {
            new.child_by_field_id(crate::field!("constructor"))
                .map(|c| self.text(c))
        };
        news.iter()
            .all(|&new| constructor(new) == constructor(first))
            .then_some(first)
    }

    /// The `new C(…)` that `value`, returned by `function`, is: itself, or
    /// the value of a `const` declared in `function` and never assigned.
    fn new_returned(&self, value: Node<'t>, function: Node<'t>) -> Option<Node<'t>> {
        let value = unwrap_parens(value);
        match value.kind() {
            "new_expression" => Some(value),
            "identifier" => {
                let binding = self.binding_at(self.text(value), value)?;
                let declaration = binding.parent()?;
                let held = unwrap_parens(binding.child_by_field_id(crate::field!("value"))?);
                let within = function.byte_range();
                let declared_here = binding.kind() == "variable_declarator"
                    && declaration.kind() == "lexical_declaration"
                    && binding
                        .child_by_field_id(crate::field!("name"))
                        .is_some_and(|n| n.kind() == "identifier")
                    && within.contains(&binding.start_byte());
                (declared_here && held.kind() == "new_expression").then_some(held)
            }
            _ => None,
        }
    }
}
