//! Fields read without writing `this.x`, for [`super::PromiseDeclarations`]:
//! a name destructured from `this` (`const { client } = this; await
//! client.connect()` is `this.client.connect()`), and a property of the
//! object literal a field is given (`this.s = { files: db.collection(…) }`,
//! then `this.s.files.deleteOne()`), which the reasons follow to what
//! leaves the operand open.

use tree_sitter::Node;

use super::classes::in_static_member;
use super::{Decision, PromiseDeclarations, MAX_DEPTH};
use crate::syntax::js::{enclosing_class_of_this, has_optional_chain, unwrap_parens};

/// Whether the declarator `binding` binds one name (`const x = …`), not a
/// pattern.
pub(super) fn declares_one_name(binding: Node) -> bool {
    binding
        .child_by_field_id(crate::field!("name"))
        .is_some_and(|n| n.kind() == "identifier")
}

impl<'t> PromiseDeclarations<'t> {
    /// For `name` bound by `binding`, a `const { field } = this` or
    /// `const { field: name } = this` (no default value) in a class's
    /// instance code: that `this` and the field.
    pub(super) fn destructured_this_field(
        &self,
        binding: Node<'t>,
        name: &str,
    ) -> Option<(Node<'t>, &'t str)> {
        let pattern = binding.child_by_field_id(crate::field!("name"))?;
        let this = unwrap_parens(binding.child_by_field_id(crate::field!("value"))?);
        if binding.kind() != "variable_declarator"
            || pattern.kind() != "object_pattern"
            || this.kind() != "this"
            || in_static_member(this)
        {
            return None;
        }
        enclosing_class_of_this(this)?;
        Some((this, self.key_binding(pattern, name)?))
    }

    /// The property that the object pattern `pattern` binds to `name`:
    /// `field` for `{ field }` and `{ field: name }` (no default value, a
    /// plain key), else `None`.
    pub(super) fn key_binding(&self, pattern: Node<'t>, name: &str) -> Option<&'t str> {
        let mut cursor = pattern.walk();
        let key = pattern
            .named_children(&mut cursor)
            .find_map(|entry| match entry.kind() {
                "shorthand_property_identifier_pattern" if self.text(entry) == name => {
                    Some(self.text(entry))
                }
                "pair_pattern" => {
                    let key = entry.child_by_field_id(crate::field!("key"))?;
                    let value = entry.child_by_field_id(crate::field!("value"))?;
                    (key.kind() == "property_identifier"
                        && value.kind() == "identifier"
                        && self.text(value) == name)
                        .then(|| self.text(key))
                }
                _ => None,
            });
        key
    }

    /// `name.method(…)` with `name` destructured from `this`: the field's.
    pub(super) fn destructured_field_method(
        &self,
        binding: Node<'t>,
        name: &str,
        method: &str,
        depth: u32,
    ) -> Option<Decision> {
        let (this, field) = self.destructured_this_field(binding, name)?;
        let inner = self.this_field_method(this, field, method, depth)?;
        Some(Decision::new(format!(
            "`{name}` is `this.{field}` (destructured, line {}): {}",
            self.line(binding),
            inner.why
        )))
    }

    /// For `this.f.p` (`member`, with `object` the `this.f`): the value `p`
    /// has in the object literal that is the only value the file gives the
    /// field `f` (no spread in it, and no write of a property `p` anywhere
    /// in the file), and the literal.
    fn literal_field(&self, member: Node<'t>, object: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
        let this = unwrap_parens(object.child_by_field_id(crate::field!("object"))?);
        let field = object.child_by_field_id(crate::field!("property"))?;
        let property = member.child_by_field_id(crate::field!("property"))?;
        if member.kind() != "member_expression"
            || object.kind() != "member_expression"
            || this.kind() != "this"
            || has_optional_chain(object)
            || property.kind() != "property_identifier"
            || in_static_member(this)
            || self.assigned_members.contains(self.text(property))
        {
            return None;
        }
        let class = enclosing_class_of_this(this)?;
        let values = self.field_values(class, self.text(field))?;
        let [literal] = values.as_slice() else {
            return None;
        };
        let literal = unwrap_parens(*literal);
        if literal.kind() != "object" {
            return None;
        }
        let mut cursor = literal.walk();
        let mut found = None;
        for entry in literal.named_children(&mut cursor) {
            match entry.kind() {
                "spread_element" => return None,
                "pair" => {
                    let key = entry.child_by_field_id(crate::field!("key"))?;
                    if key.kind() == "computed_property_name" {
                        return None;
                    }
                    let key = self.text(key).trim_matches(|c| c == '\'' || c == '"');
                    if key == self.text(property) {
                        found = entry.child_by_field_id(crate::field!("value"));
                    }
                }
                "shorthand_property_identifier" if self.text(entry) == self.text(property) => {
                    found = Some(entry);
                }
                _ => {}
            }
        }
        Some((found?, literal))
    }

    /// Why `this.f.p` is undecided when `p` is a property of the object
    /// literal the field `f` holds: what that property's value is.
    pub(super) fn literal_field_reason(
        &self,
        member: Node<'t>,
        object: Node<'t>,
        hops: u32,
    ) -> Option<String> {
        if hops >= MAX_DEPTH {
            return None;
        }
        let (value, literal) = self.literal_field(member, object)?;
        // A shorthand `{ db }` reads the name `db` where the literal is.
        let inner = match value.kind() {
            "shorthand_property_identifier" => self.name_reason(value, hops + 1, false),
            _ => self.reason(value, hops + 1),
        };
        Some(format!(
            "`{}` is `{}` in the object `{}` is set to (line {}), and {inner}",
            self.short(member),
            self.short(value),
            self.short(object),
            self.line(literal),
        ))
    }
}
