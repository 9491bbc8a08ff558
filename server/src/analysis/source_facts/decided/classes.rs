//! Classes for [`super::PromiseDeclarations`]: which method a call on
//! `this`, `super` or an instance reaches (in this file's class chain, or an
//! imported workspace class), whether a same-file subclass overrides it, and
//! the class members' shapes.

use tree_sitter::Node;

use super::{Decision, PromiseDeclarations, MAX_DEPTH};
use crate::analysis::modules::ExportedValue;
use crate::syntax::js::{enclosing_class_of_this, is_function, unwrap_parens};

use std::collections::{BTreeSet, HashSet};

impl<'t> PromiseDeclarations<'t> {
    /// `new C(...).method(...)`, with `C` a class of this file or of an
    /// imported workspace file (`C` or `ns.C`).
    pub(super) fn instance_method(
        &self,
        new: Node<'t>,
        method: &str,
        depth: u32,
    ) -> Option<Decision> {
        let constructor = unwrap_parens(new.child_by_field_id(crate::field!("constructor"))?);
        // A class of this file: `class_method` asks which writes reach its
        // instances.
        if constructor.kind() == "identifier" {
            if let Some(class) = self.class_named(constructor) {
                return self.class_method(class, method, depth, false);
            }
        }
        if !method.starts_with('#') && self.imported_instance_member_may_be_replaced(method) {
            return None;
        }
        match constructor.kind() {
            "identifier" => {
                let name = self.text(constructor);
                self.imported_at(constructor)?;
                let class = ImportedClass {
                    local: name,
                    member: None,
                };
                self.imported_method(class, method)
            }
            "member_expression" => {
                let object = constructor.child_by_field_id(crate::field!("object"))?;
                let property = constructor.child_by_field_id(crate::field!("property"))?;
                if object.kind() != "identifier"
                    || self.member_may_be_replaced(self.text(object), self.text(property))
                {
                    return None;
                }
                self.imported_at(object)?;
                let class = ImportedClass {
                    local: self.text(object),
                    member: Some(self.text(property)),
                };
                self.imported_method(class, method)
            }
            _ => None,
        }
    }

    /// Whether a write of this file may replace `method` on an instance of a
    /// class of another file: a write of a property of that name, or a
    /// computed `this[k] = …` in a plain function (whose `this` may be
    /// anything). One in a class of this file writes that class's
    /// instances (as [`Self::computed_this_write_reaches`] takes it), not
    /// those `new` makes of the imported class.
    fn imported_instance_member_may_be_replaced(&self, method: &str) -> bool {
        self.assigned_members.contains(method)
            || self
                .computed_this_writes
                .iter()
                .any(|&this| enclosing_class_of_this(this).is_none())
    }

    /// The class of this file the identifier `name` names where it is.
    pub(super) fn class_named(&self, name: Node<'t>) -> Option<Node<'t>> {
        let binding = self.binding_at(self.text(name), name)?;
        match binding.kind() {
            "class_declaration" => Some(binding),
            "variable_declarator" => {
                let value = unwrap_parens(binding.child_by_field_id(crate::field!("value"))?);
                (value.kind() == "class").then_some(value)
            }
            _ => None,
        }
    }

    /// `this.method(…)`, with `this` the node read (or bound to a name
    /// there: `const self = this`): a method of the enclosing class.
    pub(super) fn this_method(&self, this: Node<'t>, method: &str, depth: u32) -> Option<Decision> {
        let Some(class) = enclosing_class_of_this(this) else {
            return self.prototype_this_method(this, method, depth);
        };
        if in_static_member(this) {
            return None;
        }
        self.class_method(class, method, depth, true)
    }

    /// The method `method` of `class` (or of the same-file class it extends).
    /// With `overridable` (a call on `this`), every same-file subclass that
    /// declares `method` must be decided too.
    pub(super) fn class_method(
        &self,
        class: Node<'t>,
        method: &str,
        depth: u32,
        overridable: bool,
    ) -> Option<Decision> {
        if self.this_member_may_be_replaced(class, method) {
            return None;
        }
        let mut current = class;
        let mut hops = 0;
        let decision = loop {
            match self.own_method(current, method, depth) {
                Own::Decided(decision) => break decision,
                Own::Undecided => return None,
                Own::Absent => {
                    hops += 1;
                    if hops > MAX_DEPTH {
                        return None;
                    }
                    match self.parent_class(current)? {
                        Parent::Local(parent) => current = parent,
                        Parent::Imported(lookup) => break self.imported_method(lookup, method)?,
                    }
                }
            }
        };
        if overridable && !method.starts_with('#') && !self.overrides_decided(class, method, depth)
        {
            return None;
        }
        Some(decision)
    }

    /// Whether every same-file subclass of `class` (transitively) that
    /// declares `method` declares a decided one.
    pub(super) fn overrides_decided(&self, class: Node<'t>, method: &str, depth: u32) -> bool {
        let mut pending = vec![class];
        let mut seen = HashSet::new();
        while let Some(class) = pending.pop() {
            if !seen.insert(class.id()) || seen.len() > 64 {
                return seen.len() <= 64;
            }
            let Some(name) = class.child_by_field_id(crate::field!("name")) else {
                continue;
            };
            for &subclass in self.subclasses.get(self.text(name)).into_iter().flatten() {
                if let Own::Undecided = self.own_method(subclass, method, depth) {
                    return false;
                }
                pending.push(subclass);
            }
        }
        true
    }

    /// What `class` itself declares of `method` (not static).
    pub(super) fn own_method(&self, class: Node<'t>, method: &str, depth: u32) -> Own {
        self.own_member(class, method, depth, false)
    }

    /// `Class.name(…)` with `Class` bound to the class declaration
    /// `class`: its own static method `name` (an inherited one is not
    /// followed), `d` calls deep.
    pub(super) fn static_method(&self, class: Node<'t>, name: &str, d: u32) -> Option<Decision> {
        match self.own_member(class, name, d, true) {
            Own::Decided(decision) => Some(decision),
            Own::Undecided | Own::Absent => None,
        }
    }

    /// What `class` itself declares of `method`, among its static members
    /// (`statics`) or its instance members.
    fn own_member(&self, class: Node<'t>, method: &str, depth: u32, statics: bool) -> Own {
        let Some(body) = class.child_by_field_id(crate::field!("body")) else {
            return Own::Undecided;
        };
        let mut cursor = body.walk();
        let mut found = None;
        for member in body.named_children(&mut cursor) {
            if !matches!(member.kind(), "method_definition" | "field_definition")
                || is_static(member) != statics
            {
                continue;
            }
            let name = member
                .child_by_field_id(crate::field!("name"))
                .or_else(|| member.child_by_field_id(crate::field!("property")));
            match name {
                Some(name) if name.kind() == "computed_property_name" => return Own::Undecided,
                Some(name) if self.text(name) == method => found = Some(member),
                _ => {}
            }
        }
        let Some(member) = found else {
            return Own::Absent;
        };
        let Some(function) = member_function(member) else {
            return Own::Undecided;
        };
        let class_name = class
            .child_by_field_id(crate::field!("name"))
            .map_or("the class", |n| self.text(n));
        match self.function_returns(function, depth) {
            Some(why) => Own::Decided(Decision::new(format!(
                "`{class_name}.{method}` {} (line {})",
                why.replace("is an async function", "is an async method"),
                self.line(member)
            ))),
            None => Own::Undecided,
        }
    }

    /// The instance methods `class` itself declares whose calls return native
    /// promises: (name, why, line). A method a file writes a property of the
    /// same name for is left out.
    pub fn own_promise_methods(&self, class: Node<'t>) -> Vec<(String, String, usize)> {
        let mut methods = Vec::new();
        let Some(body) = class.child_by_field_id(crate::field!("body")) else {
            return methods;
        };
        // Whether a computed `this[k] = …` may write the class's instances:
        // the same for every member, so asked once (it climbs the tree from
        // each such write).
        let mut computed_write_reaches = None;
        let mut cursor = body.walk();
        for member in body.named_children(&mut cursor) {
            let name = member
                .child_by_field_id(crate::field!("name"))
                .or_else(|| member.child_by_field_id(crate::field!("property")));
            let Some(name) = name.filter(|n| n.kind() == "property_identifier") else {
                continue;
            };
            if is_static(member) {
                continue;
            }
            let name = self.text(name);
            // `this_member_may_be_replaced`, with the class's part kept.
            if !name.starts_with('#')
                && (self.assigned_members.contains(name)
                    || *computed_write_reaches
                        .get_or_insert_with(|| self.computed_this_write_reaches(class)))
            {
                continue;
            }
            let why = member_function(member).and_then(|f| self.function_returns(f, 0));
            if let Some(why) = why {
                let why = why.replace("is an async function", "is an async method");
                methods.push((name.to_owned(), why, self.line(member)));
            }
        }
        methods
    }
}

impl<'t> PromiseDeclarations<'t> {
    /// The imported class `class` extends (its local name, and its export
    /// name when read through a namespace: `ns.P`), with the names an
    /// instance does not inherit from it: the class's own instance members
    /// and every property name the file writes. `None` when it extends no
    /// imported class, or may hide any name (a computed member not keyed by
    /// a well-known symbol, a computed `this[k] = …` that may write its
    /// instances).
    pub fn imported_parent(
        &self,
        class: Node<'t>,
    ) -> Option<(&'t str, Option<&'t str>, BTreeSet<String>)> {
        let Parent::Imported(parent) = self.parent_class(class)? else {
            return None;
        };
        if self.computed_this_write_reaches(class) {
            return None;
        }
        let body = class.child_by_field_id(crate::field!("body"))?;
        let mut hidden: BTreeSet<String> = self
            .assigned_members
            .iter()
            .map(|&m| m.to_owned())
            .collect();
        let mut cursor = body.walk();
        for member in body.named_children(&mut cursor) {
            if !matches!(member.kind(), "method_definition" | "field_definition")
                || is_static(member)
            {
                continue;
            }
            let name = member
                .child_by_field_id(crate::field!("name"))
                .or_else(|| member.child_by_field_id(crate::field!("property")))?;
            if name.kind() == "computed_property_name" {
                let key = name.named_child(0)?;
                let well_known = key.kind() == "member_expression"
                    && key
                        .child_by_field_id(crate::field!("object"))
                        .is_some_and(|o| self.text(o) == "Symbol")
                    && !self.bindings.contains_key("Symbol");
                if !well_known {
                    return None;
                }
                continue;
            }
            let name = self.text(name).trim_matches(|c| c == '\'' || c == '"');
            hidden.insert(name.to_owned());
        }
        Some((parent.local, parent.member, hidden))
    }
}

/// The class a class extends.
pub(super) enum Parent<'t> {
    /// A class of this file.
    Local(Node<'t>),
    /// A class of an imported workspace file: the local name (or namespace)
    /// it comes through, and its export name when through a namespace.
    Imported(ImportedClass<'t>),
}

#[derive(Clone, Copy)]
pub(super) struct ImportedClass<'t> {
    pub(super) local: &'t str,
    pub(super) member: Option<&'t str>,
}

impl<'t> PromiseDeclarations<'t> {
    /// What `class` extends, when this file or an import shows it.
    pub(super) fn parent_class(&self, class: Node<'t>) -> Option<Parent<'t>> {
        let mut cursor = class.walk();
        let heritage = class
            .named_children(&mut cursor)
            .find(|c| c.kind() == "class_heritage")?;
        let parent = unwrap_parens(heritage.named_child(0)?);
        match parent.kind() {
            "identifier" => {
                let name = self.text(parent);
                if let Some(local) = self.class_named(parent) {
                    return Some(Parent::Local(local));
                }
                self.imported_at(parent)?;
                Some(Parent::Imported(ImportedClass {
                    local: name,
                    member: None,
                }))
            }
            "member_expression" => {
                let object = parent.child_by_field_id(crate::field!("object"))?;
                let property = parent.child_by_field_id(crate::field!("property"))?;
                if object.kind() != "identifier" || property.kind() != "property_identifier" {
                    return None;
                }
                let local = self.text(object);
                if self.assigned_members.contains(self.text(property)) {
                    return None;
                }
                self.imported_at(object)?;
                Some(Parent::Imported(ImportedClass {
                    local,
                    member: Some(self.text(property)),
                }))
            }
            _ => None,
        }
    }

    /// The method `method` of an imported class, when its file declares it
    /// returning a native promise.
    pub(super) fn imported_method(
        &self,
        class: ImportedClass<'t>,
        method: &str,
    ) -> Option<Decision> {
        let imported = self.imports.get(class.local)?;
        let value = match class.member {
            Some(member) => imported.value.member(member)?,
            None => &imported.value,
        };
        let ExportedValue::Class { methods, .. } = value else {
            return None;
        };
        let ExportedValue::PromiseFunction { why, line, .. } = methods.get(method)? else {
            return None;
        };
        let class_name = class.member.unwrap_or(class.local);
        Some(Decision::new(format!(
            "`{class_name}.{method}` {why} in `{}` (line {line})",
            imported.specifier
        )))
    }
}

/// What a class declares of a method.
pub(super) enum Own {
    Decided(Decision),
    Undecided,
    Absent,
}

/// The function a class member declares: a plain method, or a field's
/// function value; `None` for accessors, generators' kin and other fields.
pub(super) fn member_function(member: Node) -> Option<Node> {
    match member.kind() {
        "method_definition" if !is_accessor(member) => Some(member),
        "field_definition" => member
            .child_by_field_id(crate::field!("value"))
            .map(unwrap_parens)
            .filter(|value| is_function(*value)),
        _ => None,
    }
}

/// The name in `class X extends Name`, when it is a plain name.
pub(super) fn superclass_name(class: Node) -> Option<Node> {
    let mut cursor = class.walk();
    let heritage = class
        .named_children(&mut cursor)
        .find(|c| c.kind() == "class_heritage")?;
    let parent = unwrap_parens(heritage.named_child(0)?);
    (parent.kind() == "identifier").then_some(parent)
}

pub(super) fn is_static(member: Node) -> bool {
    let mut cursor = member.walk();
    let found = member.children(&mut cursor).any(|c| c.kind() == "static");
    found
}

pub(super) fn is_accessor(method: Node) -> bool {
    let mut cursor = method.walk();
    let found = method
        .children(&mut cursor)
        .any(|c| matches!(c.kind(), "get" | "set" | "*"));
    found
}

/// Whether `this` at `node` is the class itself (a static method or field).
pub(super) fn in_static_member(node: Node) -> bool {
    let mut current = node.parent();
    while let Some(n) = current {
        if matches!(n.kind(), "method_definition" | "field_definition") {
            return is_static(n);
        }
        current = n.parent();
    }
    false
}
