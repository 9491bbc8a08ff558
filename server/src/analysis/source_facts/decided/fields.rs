//! Objects held in fields and in reassigned names, for
//! [`super::PromiseDeclarations`]: `this.client.connect()` where every value
//! the file gives the field `client` is `new C(…)` of one class (or `null`
//! or `undefined`, on which the call throws before anything is awaited), and
//! `client.connect()` with `let client = null; … client = new C(…)`.
//!
//! A field counts when every write of a property of its name anywhere in the
//! file is a plain assignment to `this.<name>` in the class itself, no class
//! field of another class declares it, no accessor of the class (or of a
//! parent class in this file) has its name, and the class never hands its
//! properties to `Object.assign`, `Object.defineProperty` or `Reflect.set`.
//! As for methods, writes in other files (a subclass elsewhere assigning the
//! field) are not seen.

use tree_sitter::Node;

use super::classes::{in_static_member, Parent};
use super::{Decision, PromiseDeclarations, MAX_DEPTH};
use crate::syntax::js::{enclosing_class_of_this, has_optional_chain, unwrap_parens};

/// What a class body may write its own properties with, unseen (its text
/// without whitespace).
const HIDDEN_WRITERS: &[&str] = &[
    "Object.assign(this",
    "defineProperty(this",
    "defineProperties(this",
    "Reflect.set(this",
];

/// Whether `text` (without whitespace) calls `writer` (which ends in
/// `this`) with `this` itself as its argument, not `this.s` or `this[k]`.
fn hands_this_to(text: &str, writer: &str) -> bool {
    text.match_indices(writer).any(|(at, _)| {
        matches!(
            text[at + writer.len()..].chars().next(),
            Some(',' | ')') | None
        )
    })
}

impl<'t> PromiseDeclarations<'t> {
    /// `this.field.method(…)`, with `member` the `this.field`.
    pub(super) fn field_method(
        &self,
        member: Node<'t>,
        method: &str,
        depth: u32,
    ) -> Option<Decision> {
        let object = unwrap_parens(member.child_by_field_id(crate::field!("object"))?);
        let property = member.child_by_field_id(crate::field!("property"))?;
        if object.kind() != "this"
            || has_optional_chain(member)
            || !matches!(
                property.kind(),
                "property_identifier" | "private_property_identifier"
            )
            || in_static_member(object)
        {
            return None;
        }
        self.this_field_method(object, self.text(property), method, depth)
    }

    /// `this.field.method(…)`, with `this` the node read (or destructured:
    /// `const { field } = this`).
    pub(super) fn this_field_method(
        &self,
        this: Node<'t>,
        field: &str,
        method: &str,
        depth: u32,
    ) -> Option<Decision> {
        let class = enclosing_class_of_this(this)?;
        let values = self.field_values(class, field)?;
        let (shown, line, inner) = self.instance_of_every(&values, method, depth)?;
        Some(Decision::new(format!(
            "every value this file gives `this.{field}` is `{shown}` (line {line}), `null` or \
             `undefined`: {}",
            inner.why
        )))
    }

    /// `name.method(…)` with `name` (bound by `binding`, assigned again at
    /// `writes`) a `let` or `var` whose every value is `new C(…)` of one
    /// class, `null` or `undefined`.
    pub(super) fn reassigned_instance_method(
        &self,
        name: &str,
        binding: Node<'t>,
        writes: &[Node<'t>],
        method: &str,
        depth: u32,
    ) -> Option<Decision> {
        let values = self.declarator_values(binding, writes)?;
        let (shown, line, inner) = self.instance_of_every(&values, method, depth)?;
        Some(Decision::new(format!(
            "every value `{name}` is given is `{shown}` (line {line}), `null` or `undefined`: {}",
            inner.why
        )))
    }

    /// The values the file gives the field `field` of instances of `class`
    /// (an absent initial value is `undefined`), or `None` when something
    /// else may write it.
    pub(super) fn field_values(&self, class: Node<'t>, field: &str) -> Option<Vec<Node<'t>>> {
        let class_text: String = self
            .text(class)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if self.computed_this_write_reaches(class)
            || HIDDEN_WRITERS.iter().any(|w| hands_this_to(&class_text, w))
            || self.has_accessor(class, field)
        {
            return None;
        }
        let mut values = Vec::new();
        for &write in self.member_writes.get(field).into_iter().flatten() {
            let object = write
                .child_by_field_id(crate::field!("object"))
                .map(unwrap_parens)?;
            if write.kind() != "member_expression"
                || object.kind() != "this"
                || in_static_member(object)
            {
                return None;
            }
            let owner = enclosing_class_of_this(object)?;
            if owner.id() != class.id() {
                // Another class's `this.field = …` writes its own instances.
                match self.unrelated_classes(owner, class) {
                    true => continue,
                    false => return None,
                }
            }
            values.push(self.assigned_value(write)?);
        }
        for &definition in self.field_definitions.get(field).into_iter().flatten() {
            if super::classes::is_static(definition) {
                continue;
            }
            let owner = definition.parent().and_then(|body| body.parent())?;
            if owner.id() != class.id() {
                match self.unrelated_classes(owner, class) {
                    true => continue,
                    false => return None,
                }
            }
            values.extend(definition.child_by_field_id(crate::field!("value")));
        }
        Some(values)
    }

    /// The value a plain write (`x.f = v`, `x.f ??= v`, `||=`, `&&=`) of
    /// the member `target` gives it.
    fn assigned_value(&self, target: Node<'t>) -> Option<Node<'t>> {
        let assignment = target.parent()?;
        let left = assignment.child_by_field_id(crate::field!("left"))?;
        let right = assignment.child_by_field_id(crate::field!("right"))?;
        if left.id() != target.id() {
            return None;
        }
        let operator = self.source[target.end_byte()..right.start_byte()].trim();
        let plain = match assignment.kind() {
            "assignment_expression" => true,
            "augmented_assignment_expression" => matches!(operator, "??=" | "||=" | "&&="),
            _ => false,
        };
        plain.then_some(right)
    }

    /// Whether `class`, or a parent class of this file, declares an
    /// accessor (or any method) named `field`, which `this.field` would
    /// read or write through.
    fn has_accessor(&self, class: Node<'t>, field: &str) -> bool {
        let mut current = class;
        for _ in 0..=MAX_DEPTH {
            let Some(body) = current.child_by_field_id(crate::field!("body")) else {
                return true;
            };
            let mut cursor = body.walk();
            let found = body.named_children(&mut cursor).any(|member| {
                member.kind() == "method_definition"
                    && member
                        .child_by_field_id(crate::field!("name"))
                        .is_some_and(|n| {
                            n.kind() == "computed_property_name" || self.text(n) == field
                        })
            });
            if found {
                return true;
            }
            match self.parent_class(current) {
                Some(Parent::Local(parent)) => current = parent,
                _ => return false,
            }
        }
        true
    }

    /// When every one of `values` is `null`, `undefined` or `new C(…)` of
    /// one constructor `C` whose `method` is decided, and at least one is
    /// such a `new`: the first `new` shown short, its line, and the method's
    /// decision.
    fn instance_of_every(
        &self,
        values: &[Node<'t>],
        method: &str,
        depth: u32,
    ) -> Option<(String, usize, Decision)> {
        let mut first: Option<(Node<'t>, Decision)> = None;
        for &value in values {
            let value = unwrap_parens(value);
            if self.is_nullish(value) {
                continue;
            }
            if value.kind() != "new_expression" {
                return None;
            }
            let constructor = value.child_by_field_id(crate::field!("constructor"))?;
            match &first {
                Some((new, _)) => {
                    let other = new.child_by_field_id(crate::field!("constructor"))?;
                    if self.text(other) != self.text(constructor) {
                        return None;
                    }
                    self.instance_method(value, method, depth + 1)?;
                }
                None => first = Some((value, self.instance_method(value, method, depth + 1)?)),
            }
        }
        let (new, decision) = first?;
        let constructor = new.child_by_field_id(crate::field!("constructor"))?;
        Some((
            format!("new {}(…)", self.text(constructor)),
            self.line(new),
            decision,
        ))
    }

    /// `null`, `undefined` (not declared in this file) or `void 0`.
    pub(super) fn is_nullish(&self, value: Node<'t>) -> bool {
        match value.kind() {
            "null" | "undefined" => true,
            "identifier" => {
                self.text(value) == "undefined" && !self.bindings.contains_key("undefined")
            }
            "unary_expression" => self.text(value).replace(' ', "") == "void0",
            _ => false,
        }
    }
}

/// Which writes reach a class's instances.
impl<'t> PromiseDeclarations<'t> {
    /// Whether a write may replace the (non-private) member `member` on an
    /// instance of `class`: a write of a property of that name anywhere, or
    /// a computed write through a `this` that may be one of its instances
    /// (see [`Self::computed_this_write_reaches`]).
    pub(super) fn this_member_may_be_replaced(&self, class: Node<'t>, member: &str) -> bool {
        !member.starts_with('#')
            && (self.assigned_members.contains(member) || self.computed_this_write_reaches(class))
    }

    /// Whether some `this[k] = …` of the file may write an instance of
    /// `class`: one in a plain function (whose `this` may be anything), or
    /// in `class`, a class it extends or a class extending it (in this file).
    pub(super) fn computed_this_write_reaches(&self, class: Node<'t>) -> bool {
        self.computed_this_writes
            .iter()
            .any(|&this| match enclosing_class_of_this(this) {
                None => true,
                Some(other) => {
                    other.id() == class.id()
                        || self.extends(class, other)
                        || self.extends(other, class)
                }
            })
    }

    /// Whether neither of two classes of this file extends the other: each
    /// one's chain of parents is known to its end (no parent, or an
    /// imported one) and passes through neither.
    fn unrelated_classes(&self, a: Node<'t>, b: Node<'t>) -> bool {
        let chain_known = |class: Node<'t>| {
            let mut current = class;
            for _ in 0..=MAX_DEPTH {
                let mut cursor = current.walk();
                let heritage = current
                    .named_children(&mut cursor)
                    .any(|c| c.kind() == "class_heritage");
                if !heritage {
                    return true;
                }
                match self.parent_class(current) {
                    Some(Parent::Local(parent)) => current = parent,
                    Some(Parent::Imported(_)) => return true,
                    None => return false,
                }
            }
            false
        };
        matches!(a.kind(), "class" | "class_declaration")
            && matches!(b.kind(), "class" | "class_declaration")
            && chain_known(a)
            && chain_known(b)
            && !self.extends(a, b)
            && !self.extends(b, a)
    }

    /// Whether `class` extends `ancestor` through classes of this file.
    fn extends(&self, class: Node<'t>, ancestor: Node<'t>) -> bool {
        let mut current = class;
        for _ in 0..=MAX_DEPTH {
            match self.parent_class(current) {
                Some(Parent::Local(parent)) if parent.id() == ancestor.id() => return true,
                Some(Parent::Local(parent)) => current = parent,
                _ => return false,
            }
        }
        false
    }
}
