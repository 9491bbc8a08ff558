//! Prototype methods for [`super::PromiseDeclarations`]: `this.m()` in a
//! plain function the file makes a method of a constructor function's
//! prototype (`X.prototype.m = function () {…}`, `X.prototype = {…}`,
//! `Object.assign(X.prototype, {…})`), as `this.m()` in a class method
//! reads the class: `this` is taken to be an instance (the method called on
//! one, as `x.m()`), and `m` is found on `X.prototype` or on the prototype of
//! a constructor `X` inherits from (`util.inherits(X, Y)`,
//! `Object.setPrototypeOf(X.prototype, Y.prototype)`,
//! `X.prototype = Object.create(Y.prototype)`).
//!
//! Only what the file's top-level statements do to prototypes is read, in
//! their order; a name is decided only when every write of a property of
//! that name in the file is such a definition of a decided function (so no
//! constructor, subclass or instance replaces it with something else), and
//! nothing the table cannot read (a computed key on a prototype, a computed
//! `this[k] = …` in a plain function, `Object.defineProperty`, a prototype
//! object that is not a literal) may define it.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use tree_sitter::Node;

use super::classes::{member_function, Own};
use super::{Decision, PromiseDeclarations, MAX_DEPTH};
use crate::syntax::js::{enclosing_class_of_this, is_function, unwrap_parens};

/// What the file's top-level statements do to constructors' prototypes.
/// (Names and byte ranges, no `Node`: it is kept in a cell, which would make
/// the declarations invariant in `'t`.)
#[derive(Default)]
pub(super) struct PrototypeTable {
    /// Every method definition, in source order.
    definitions: Vec<Definition>,
    /// `X.prototype = …` (reset, by constructor name and statement start).
    resets: Vec<(String, usize)>,
    /// `X` inherits from `Y`: (X, Y, statement start).
    parents: Vec<(String, String, usize)>,
    /// Property names that something the table cannot read may define on a
    /// prototype or an object.
    unread_names: Vec<String>,
    /// Whether something may define any name (a computed key on a
    /// prototype, a prototype object that is not a literal).
    unread_any: bool,
}

struct Definition {
    constructor: String,
    name: String,
    /// The member (`method_definition`, `pair`) or the assignment.
    at: Range<usize>,
    /// The assignment's left side (`X.prototype.m`), for an assignment.
    left: Option<Range<usize>>,
    /// The function value, when it is one.
    function: Option<Range<usize>>,
    /// Where its statement starts.
    order: usize,
}

/// `X.prototype` with `X` a plain name: `X`.
fn prototype_of<'t>(node: Node<'t>, source: &'t str) -> Option<&'t str> {
    let node = unwrap_parens(node);
    if node.kind() != "member_expression" {
        return None;
    }
    let object = node.child_by_field_id(crate::field!("object"))?;
    let property = node.child_by_field_id(crate::field!("property"))?;
    (object.kind() == "identifier" && &source[property.byte_range()] == "prototype")
        .then(|| &source[object.byte_range()])
}

/// The callee text of a call (`Object.assign`, `util.inherits`).
fn callee_text<'t>(call: Node<'t>, source: &'t str) -> Option<&'t str> {
    (call.kind() == "call_expression")
        .then(|| call.child_by_field_id(crate::field!("function")))
        .flatten()
        .map(|f| &source[f.byte_range()])
}

fn arguments(call: Node) -> Vec<Node> {
    let Some(list) = call.child_by_field_id(crate::field!("arguments")) else {
        return Vec::new();
    };
    let mut cursor = list.walk();
    let all: Vec<Node> = list.named_children(&mut cursor).collect();
    all.into_iter()
        .filter(|n| n.kind() != "comment")
        .map(unwrap_parens)
        .collect()
}

impl PrototypeTable {
    /// Reads the statements of `program` (and every prototype-shaped write
    /// or definition elsewhere, as unread).
    pub(super) fn read<'t>(
        program: Node<'t>,
        source: &str,
        is_symbol: &dyn Fn(Node<'t>) -> bool,
    ) -> Self {
        let mut table = Self::default();
        let mut cursor = program.walk();
        let mut read = HashSet::new();
        for statement in program.named_children(&mut cursor) {
            if statement.kind() != "expression_statement" {
                continue;
            }
            let Some(expr) = statement.named_child(0).map(unwrap_parens) else {
                continue;
            };
            if table.read_statement(expr, statement.start_byte(), source, is_symbol) {
                read.insert(expr.id());
            }
        }
        table.read_elsewhere(program, source, &read, is_symbol);
        table
    }

    /// One top-level expression; whether the table read it.
    fn read_statement<'t>(
        &mut self,
        expr: Node<'t>,
        order: usize,
        source: &str,
        is_symbol: &dyn Fn(Node<'t>) -> bool,
    ) -> bool {
        let text = |n: Node| &source[n.byte_range()];
        match expr.kind() {
            "assignment_expression" => {
                let (Some(left), Some(right)) = (
                    expr.child_by_field_id(crate::field!("left")),
                    expr.child_by_field_id(crate::field!("right")),
                ) else {
                    return false;
                };
                let right = unwrap_parens(right);
                // `X.prototype = {…}` / `X.prototype = Object.create(Y.prototype)`.
                if let Some(constructor) = prototype_of(left, source) {
                    if right.kind() == "object" {
                        self.resets.push((constructor.to_owned(), order));
                        return self.read_object(constructor, right, order, source);
                    }
                    self.resets.push((constructor.to_owned(), order));
                    if callee_text(right, source) == Some("Object.create") {
                        if let [parent] = arguments(right)[..] {
                            if let Some(parent) = prototype_of(parent, source) {
                                self.parents.push((
                                    constructor.to_owned(),
                                    parent.to_owned(),
                                    order,
                                ));
                            }
                        }
                    }
                    // Any other value (`new Base()`): a prototype whose
                    // own definitions after this statement are read, and
                    // whose other names are unknown (no parent recorded).
                    return true;
                }
                // `X.prototype[Symbol.iterator] = …` defines no named method.
                if left.kind() == "subscript_expression" {
                    let object = left.child_by_field_id(crate::field!("object"));
                    let index = left.child_by_field_id(crate::field!("index"));
                    return object.is_some_and(|o| prototype_of(o, source).is_some())
                        && index.is_some_and(is_symbol);
                }
                // `X.prototype.m = …` / `X.prototype.__proto__ = Y.prototype`.
                if left.kind() != "member_expression" {
                    return false;
                }
                let (Some(object), Some(property)) = (
                    left.child_by_field_id(crate::field!("object")),
                    left.child_by_field_id(crate::field!("property")),
                ) else {
                    return false;
                };
                let Some(constructor) = prototype_of(object, source) else {
                    return false;
                };
                let name = text(property);
                if name == "__proto__" {
                    let Some(parent) = prototype_of(right, source) else {
                        return false;
                    };
                    self.parents
                        .push((constructor.to_owned(), parent.to_owned(), order));
                    return true;
                }
                self.definitions.push(Definition {
                    constructor: constructor.to_owned(),
                    name: name.to_owned(),
                    at: expr.byte_range(),
                    left: Some(left.byte_range()),
                    function: is_function(right).then(|| right.byte_range()),
                    order,
                });
                true
            }
            "call_expression" => {
                let args = arguments(expr);
                match callee_text(expr, source) {
                    Some("Object.assign") => {
                        let Some((&target, members)) = args.split_first() else {
                            return false;
                        };
                        let Some(constructor) = prototype_of(target, source) else {
                            return false;
                        };
                        let mut all = true;
                        for &members in members {
                            if members.kind() != "object" {
                                self.unread_any = true;
                                all = false;
                            } else {
                                all &= self.read_object(constructor, members, order, source);
                            }
                        }
                        all
                    }
                    Some("util.inherits") => match args[..] {
                        [child, parent]
                            if child.kind() == "identifier" && parent.kind() == "identifier" =>
                        {
                            self.parents.push((
                                text(child).to_owned(),
                                text(parent).to_owned(),
                                order,
                            ));
                            true
                        }
                        _ => false,
                    },
                    Some("Object.setPrototypeOf") => match args[..] {
                        [child, parent] => {
                            match (prototype_of(child, source), prototype_of(parent, source)) {
                                (Some(child), Some(parent)) => {
                                    self.parents
                                        .push((child.to_owned(), parent.to_owned(), order));
                                    true
                                }
                                _ => false,
                            }
                        }
                        _ => false,
                    },
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// The members of an object literal that become `constructor`'s
    /// prototype's; false (and every name unread) when one is computed or
    /// spread.
    fn read_object(&mut self, constructor: &str, object: Node, order: usize, source: &str) -> bool {
        let mut cursor = object.walk();
        for member in object.named_children(&mut cursor) {
            let (key, function) = match member.kind() {
                "method_definition" => (
                    member.child_by_field_id(crate::field!("name")),
                    member_function(member),
                ),
                "pair" => {
                    let value = member.child_by_field_id(crate::field!("value"));
                    (
                        member.child_by_field_id(crate::field!("key")),
                        value.map(unwrap_parens).filter(|v| is_function(*v)),
                    )
                }
                "comment" => continue,
                _ => (None, None),
            };
            let Some(key) =
                key.filter(|k| matches!(k.kind(), "property_identifier" | "string" | "number"))
            else {
                self.unread_any = true;
                return false;
            };
            self.definitions.push(Definition {
                constructor: constructor.to_owned(),
                name: unquoted(&source[key.byte_range()]).to_owned(),
                at: member.byte_range(),
                left: None,
                function: function.map(|f| f.byte_range()),
                order,
            });
        }
        true
    }

    /// Prototype-shaped code outside the statements read: a computed write
    /// on a prototype, an object literal given to `Object.assign`,
    /// `Object.defineProperties` or a prototype, `Object.defineProperty`.
    fn read_elsewhere<'t>(
        &mut self,
        program: Node<'t>,
        source: &str,
        read: &HashSet<usize>,
        is_symbol: &dyn Fn(Node<'t>) -> bool,
    ) {
        let mut stack = vec![program];
        while let Some(node) = stack.pop() {
            if read.contains(&node.id()) {
                // Its nested functions may still define prototypes.
                let mut cursor = node.walk();
                stack.extend(node.named_children(&mut cursor));
                continue;
            }
            match node.kind() {
                "assignment_expression" => {
                    if let Some(left) = node.child_by_field_id(crate::field!("left")) {
                        let left = unwrap_parens(left);
                        let object = left.child_by_field_id(crate::field!("object"));
                        let index = left.child_by_field_id(crate::field!("index"));
                        if prototype_of(left, source).is_some()
                            || (left.kind() == "subscript_expression"
                                && object.is_some_and(|o| prototype_of(o, source).is_some())
                                && !index.is_some_and(is_symbol))
                        {
                            self.unread_any = true;
                        }
                    }
                }
                "call_expression" => match callee_text(node, source) {
                    Some("Object.assign" | "Object.defineProperties" | "Object.create") => {
                        let args = arguments(node);
                        // Onto an instance or a prototype, an object that
                        // is not a literal may define any name.
                        let target_may_be_instance = args.first().is_some_and(|&target| {
                            target.kind() == "this" || prototype_of(target, source).is_some()
                        });
                        for &arg in args.iter().skip(1) {
                            if arg.kind() == "object" {
                                self.unread_object(arg, source);
                            } else if target_may_be_instance {
                                self.unread_any = true;
                            }
                        }
                    }
                    Some("Object.defineProperty" | "Reflect.defineProperty") => {
                        match arguments(node).get(1) {
                            Some(key) if key.kind() == "string" => self
                                .unread_names
                                .push(unquoted(&source[key.byte_range()]).to_owned()),
                            _ => self.unread_any = true,
                        }
                    }
                    _ => {}
                },
                _ => {}
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
        }
    }

    /// Every name an object literal the table does not read defines.
    fn unread_object(&mut self, object: Node, source: &str) {
        let mut cursor = object.walk();
        for member in object.named_children(&mut cursor) {
            let key = match member.kind() {
                "method_definition" => member.child_by_field_id(crate::field!("name")),
                "pair" => member.child_by_field_id(crate::field!("key")),
                "shorthand_property_identifier" => Some(member),
                "comment" => continue,
                _ => None,
            };
            match key.filter(|k| {
                matches!(
                    k.kind(),
                    "property_identifier" | "string" | "shorthand_property_identifier"
                )
            }) {
                Some(key) => self
                    .unread_names
                    .push(unquoted(&source[key.byte_range()]).to_owned()),
                None => self.unread_any = true,
            }
        }
    }
}

fn unquoted(key: &str) -> &str {
    key.trim_matches(|c| c == '\'' || c == '"')
}

/// The node of kind `kind` spanning exactly `range` in `program`.
fn node_at<'t>(
    program: Node<'t>,
    range: &Range<usize>,
    kind: fn(Node) -> bool,
) -> Option<Node<'t>> {
    let mut node = program.descendant_for_byte_range(range.start, range.end)?;
    while !(kind(node) && node.byte_range() == *range) {
        node = node.parent()?;
        if node.start_byte() != range.start {
            return None;
        }
    }
    Some(node)
}

/// The function whose `this` a `this` node reads (arrows see the `this`
/// around them).
fn this_function(this: Node) -> Option<Node> {
    let mut current = this.parent();
    while let Some(node) = current {
        if is_function(node) && node.kind() != "arrow_function" {
            return Some(node);
        }
        current = node.parent();
    }
    None
}

fn program_of(node: Node) -> Node {
    let mut current = node;
    while let Some(parent) = current.parent() {
        current = parent;
    }
    current
}

impl<'t> PromiseDeclarations<'t> {
    /// `this.method(…)` with `this` the node read (or bound to a name
    /// there) in a plain function that the file makes a method of a
    /// constructor function's prototype.
    pub(super) fn prototype_this_method(
        &self,
        this: Node<'t>,
        method: &str,
        depth: u32,
    ) -> Option<Decision> {
        if method.starts_with('#') || enclosing_class_of_this(this).is_some() {
            return None;
        }
        let function = this_function(this)?;
        let program = program_of(function);
        let table = self
            .prototypes
            .get_or_init(|| PrototypeTable::read(program, self.source, &|key| self.is_symbol(key)));
        let owner = table
            .definitions
            .iter()
            .find(|d| d.function.as_ref() == Some(&function.byte_range()))?;
        let constructor = self.constructor_binding(&owner.constructor, program)?;
        self.prototype_method(table, constructor, program, method, depth)
    }

    /// The binding of the constructor function `name` at the top level of
    /// `program`: a function declaration, or a name bound once to a
    /// function expression.
    fn constructor_binding(&self, name: &str, program: Node<'t>) -> Option<Node<'t>> {
        let binding = self.binding_at(name, program)?;
        match binding.kind() {
            "function_declaration" => Some(binding),
            "variable_declarator" => {
                let value = unwrap_parens(binding.child_by_field_id(crate::field!("value"))?);
                (value.kind() == "function_expression").then_some(binding)
            }
            _ => None,
        }
    }

    /// `method` on an instance of `constructor`: its prototype's, or an
    /// ancestor's, when every definition of that name in the file is
    /// decided.
    fn prototype_method(
        &self,
        table: &PrototypeTable,
        constructor: Node<'t>,
        program: Node<'t>,
        method: &str,
        depth: u32,
    ) -> Option<Decision> {
        if table.unread_any
            || table.unread_names.iter().any(|n| n == method)
            || self
                .computed_this_writes
                .iter()
                .any(|&this| enclosing_class_of_this(this).is_none())
        {
            return None;
        }
        // Every write of a property of that name is a definition the table
        // read (so no constructor, instance or other object sets it).
        for &write in self.member_writes.get(method).into_iter().flatten() {
            let range = write.byte_range();
            table
                .definitions
                .iter()
                .find(|d| d.left.as_ref() == Some(&range))?;
        }
        // ... of a decided function, every one.
        let mut decisions = HashMap::new();
        for (index, definition) in table.definitions.iter().enumerate() {
            if definition.name != method {
                continue;
            }
            let function = node_at(program, definition.function.as_ref()?, is_function)?;
            let why = self.function_returns(function, depth + 1)?;
            decisions.insert(index, (why, definition));
        }
        // A class extending a constructor may declare the name itself.
        for (&parent, classes) in &self.subclasses {
            if table.definitions.iter().any(|d| d.constructor == parent) {
                for &class in classes {
                    if let Own::Undecided = self.own_method(class, method, depth + 1) {
                        return None;
                    }
                }
            }
        }
        // Up the chain from `constructor`.
        let mut current = constructor;
        for _ in 0..=MAX_DEPTH {
            let name = self.text(current.child_by_field_id(crate::field!("name"))?);
            let reset = table
                .resets
                .iter()
                .filter(|(c, _)| c == name)
                .map(|&(_, at)| at)
                .max()
                .unwrap_or(0);
            let own = decisions
                .iter()
                .filter(|(_, (_, d))| d.constructor == name && d.order >= reset)
                .max_by_key(|(&index, _)| index);
            if let Some((_, (why, definition))) = own {
                let line = self.source[..definition.at.start].matches('\n').count() + 1;
                return Some(Decision::new(format!(
                    "`{name}.prototype.{method}` {} (line {line})",
                    why.replace("is an async function", "is an async method"),
                )));
            }
            let parents: Vec<&str> = table
                .parents
                .iter()
                .filter(|(c, _, at)| c == name && *at >= reset)
                .map(|(_, p, _)| p.as_str())
                .collect();
            let [parent] = parents[..] else {
                return None;
            };
            current = self.constructor_binding(parent, program)?;
        }
        None
    }
}
