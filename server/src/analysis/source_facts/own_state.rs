//! The calls a body can make that cannot throw, on state its class owns or
//! on built-ins, for [`Body`]: the shapes of a class that batches work
//! behind a microtask or a timer (`Promise.resolve().then(() => { … })`).
//!
//! - **A collection the class owns.** `this.tasks` where the class creates a
//!   `Map` or a `Set` in the field's initializer (`tasks = new Map()`), or in
//!   its constructor before anything else runs, and its unit writes the field
//!   nowhere else. Then `clear()`, `has(k)`, `get(k)`, `delete(k)`, `.size`
//!   and iterating it (`for (const [k, v] of this.tasks)`, `.keys()`,
//!   `.values()`, `.entries()`) run no code of the program: the collection
//!   compares keys by SameValueZero. `set` and `add` are not among them: on a
//!   collection of 2^24 entries V8 throws a `RangeError` there.
//! - **Timers.** `setTimeout(f, ms)` and `setInterval(f, ms)` with a function
//!   written there and a delay that is a number literal within the 32-bit
//!   range (a larger one makes Node emit a warning, which runs listeners),
//!   and `clearTimeout(t)` / `clearInterval(t)` of a literal or of a field
//!   the unit only ever sets to literals and to such timers (Node reads
//!   properties of an object it is handed). `performance.now()` and
//!   `Date.now()` read a clock.
//! - **`#` methods.** `this.#update(a)` of a method the class declares once,
//!   neither async, a generator, static nor an accessor, with plain
//!   parameters, whose own body cannot throw either: a `#` name cannot be
//!   overridden by a subclass nor hidden by an own property, so the call
//!   reaches that body. A method without `#`, TypeScript's `private` one
//!   included (a type checker's rule, which type stripping erases and `as
//!   any` defeats), may be another class's method at run time, and calling
//!   it may throw.
//!
//! A global is the built-in only when the file binds its name nowhere
//! ([`Body::bindings`]; with no facts at hand, no global is), and a field is
//! read in the class's own unit: a write to it from another unit, or an
//! accessor a subclass elsewhere declares, is not seen (as for the fields of
//! `cannot_throw.rs`).

use tree_sitter::Node;

use super::cannot_throw::{has_word, only_member, top_level_of, Body, MAX_DEPTH};
use super::text_of;
use crate::syntax::js::{
    has_optional_chain, is_async_function, is_function, is_generator_function, member_parts,
    named_children_but_comments, unwrap_parens,
};

/// How much nesting a call of a `#` method counts for: a chain of such
/// calls is followed a few levels deep, and a recursive one is given up
/// (recursion may overflow the stack, a `RangeError`).
const PRIVATE_CALL_DEPTH: usize = 16;

/// Methods of a `Map` or `Set` that run no code of the program and throw
/// nothing, with how many arguments each reads.
const QUIET_COLLECTION_METHODS: &[(&str, usize)] =
    &[("clear", 0), ("has", 1), ("get", 1), ("delete", 1)];

/// The largest delay Node takes as it is (`TIMEOUT_MAX`, 2^31 - 1 ms).
const TIMEOUT_MAX: f64 = 2_147_483_647.0;

/// What a field the class owns holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Collection {
    Map,
    Set,
}

impl<'t> Body<'_, 't> {
    /// Whether the call `call` cannot throw: a method of a collection the
    /// class owns, a timer, a clock, or a `#` method whose body cannot throw
    /// (see the module docs). Every argument must not throw either.
    pub(super) fn call_cannot_throw(&self, call: Node<'t>, depth: usize) -> bool {
        let source = self.source;
        let (Some(callee), Some(arguments)) = (
            call.child_by_field_id(crate::field!("function"))
                .map(unwrap_parens),
            call.child_by_field_id(crate::field!("arguments")),
        ) else {
            return false;
        };
        if arguments.kind() != "arguments" || has_optional_chain(callee) {
            return false;
        }
        let arguments = named_children_but_comments(arguments);
        let quiet_arguments = |from: usize| {
            arguments
                .iter()
                .skip(from)
                .all(|a| self.expression_cannot_throw(*a, depth))
        };
        match callee.kind() {
            "identifier" => {
                let name = text_of(source, callee);
                match name {
                    "clearTimeout" | "clearInterval" => {
                        self.is_builtin(name)
                            && arguments.len() <= 1
                            && arguments.iter().all(|a| self.is_timer_or_literal(*a))
                    }
                    "setTimeout" | "setInterval" => {
                        self.is_builtin(name)
                            && arguments
                                .first()
                                .is_some_and(|f| is_function(unwrap_parens(*f)))
                            && arguments
                                .get(1)
                                .is_none_or(|delay| is_delay_literal(source, *delay))
                            && quiet_arguments(2)
                    }
                    _ => false,
                }
            }
            "member_expression" => {
                let Some((object, property)) = member_parts(callee) else {
                    return false;
                };
                let method = text_of(source, property);
                if property.kind() == "private_property_identifier" {
                    return quiet_arguments(0) && self.private_method_cannot_throw(callee, depth);
                }
                if object.kind() == "identifier" {
                    let global = text_of(source, object);
                    return matches!((global, method), ("performance" | "Date", "now"))
                        && arguments.is_empty()
                        && self.is_builtin(global);
                }
                self.owned_collection(object).is_some()
                    && QUIET_COLLECTION_METHODS
                        .iter()
                        .any(|&(quiet, count)| quiet == method && arguments.len() <= count)
                    && quiet_arguments(0)
            }
            _ => false,
        }
    }

    /// `for (const x of c)` over a collection the class owns (`c` is
    /// `this.tasks` or its `keys()`, `values()` or `entries()`), binding a
    /// name or, for the entries of a `Map`, `[key, value]`; its body cannot
    /// throw. The iterators are the built-ins': they run no code of the
    /// program, and destructuring an entry reads an array.
    pub(super) fn iteration_cannot_throw(&self, statement: Node<'t>, depth: usize) -> bool {
        let source = self.source;
        let field = |name| statement.child_by_field_id(name);
        let declared = field(crate::field!("kind"))
            .is_some_and(|kind| matches!(text_of(source, kind), "const" | "let" | "var"));
        let mut cursor = statement.walk();
        let awaits = statement
            .children(&mut cursor)
            .any(|c| !c.is_named() && text_of(source, c) == "await");
        let of = field(crate::field!("operator")).is_some_and(|o| text_of(source, o) == "of");
        let (Some(left), Some(right), Some(body)) = (
            field(crate::field!("left")),
            field(crate::field!("right")).map(unwrap_parens),
            field(crate::field!("body")),
        ) else {
            return false;
        };
        if !declared || awaits || !of {
            return false;
        }
        // Whether each value is an entry, `[key, value]`.
        let entries = match right.kind() {
            "call_expression" => match quiet_iterator_call(source, right) {
                Some((object, method)) if self.owned_collection(object).is_some() => {
                    method == "entries"
                }
                _ => return false,
            },
            _ => match self.owned_collection(right) {
                Some(collection) => collection == Collection::Map,
                None => return false,
            },
        };
        let binding_reads_nothing = match left.kind() {
            "identifier" => true,
            "array_pattern" => {
                entries
                    && named_children_but_comments(left)
                        .iter()
                        .all(|element| element.kind() == "identifier")
            }
            _ => false,
        };
        binding_reads_nothing && self.statement_cannot_throw(body, depth)
    }

    /// `this.tasks.size` of a collection the class owns.
    pub(super) fn is_own_collection_size(&self, expr: Node<'t>) -> bool {
        expr.child_by_field_id(crate::field!("property"))
            .is_some_and(|p| text_of(self.source, p) == "size")
            && !has_optional_chain(expr)
            && expr
                .child_by_field_id(crate::field!("object"))
                .is_some_and(|object| self.owned_collection(unwrap_parens(object)).is_some())
    }

    /// Whether `name`, a global, is the built-in: the file's facts are known
    /// and bind `name` nowhere.
    fn is_builtin(&self, name: &str) -> bool {
        self.bindings.is_some_and(|facts| {
            facts.note_name(name);
            !(facts.async_names.contains(name)
                || facts.other_names.contains(name)
                || facts.module_names.contains(name))
        })
    }

    /// The collection `expr` (`this.tasks`) certainly holds: the class
    /// creates it once, in the field's initializer or first thing in its
    /// constructor, and its unit writes the field nowhere else.
    fn owned_collection(&self, expr: Node<'t>) -> Option<Collection> {
        let expr = unwrap_parens(expr);
        let (class, name) = self.own_member(expr)?;
        if !self.own_field(expr) {
            return None;
        }
        let definitions = field_definitions(self.source, class, name)?;
        let writes = field_writes(self.source, top_level_of(class), name)?;
        let created = |value: Node<'t>| self.created_collection(value);
        match (definitions.as_slice(), writes.as_slice()) {
            ([definition], []) => definition
                .child_by_field_id(crate::field!("value"))
                .and_then(created),
            (definitions, [(statement, value)]) => {
                let undefined_until_then = definitions
                    .iter()
                    .all(|d| d.child_by_field_id(crate::field!("value")).is_none());
                (undefined_until_then
                    && definitions.len() <= 1
                    && self.initializers_call_nothing(class)
                    && self.first_in_constructor(class, *statement))
                .then(|| created(*value))
                .flatten()
            }
            _ => None,
        }
    }

    /// `new Map(…)` or `new Set(…)` of the built-ins.
    fn created_collection(&self, value: Node<'t>) -> Option<Collection> {
        let value = unwrap_parens(value);
        if value.kind() != "new_expression" {
            return None;
        }
        let constructor = value.child_by_field_id(crate::field!("constructor"))?;
        let collection = match (constructor.kind(), text_of(self.source, constructor)) {
            ("identifier", "Map") => Collection::Map,
            ("identifier", "Set") => Collection::Set,
            _ => return None,
        };
        self.is_builtin(text_of(self.source, constructor))
            .then_some(collection)
    }

    /// Whether every field initializer of `class` is a literal, a function or
    /// a new collection: none runs a method before the constructor's body.
    fn initializers_call_nothing(&self, class: Node<'t>) -> bool {
        class
            .child_by_field_id(crate::field!("body"))
            .map(named_children_but_comments)
            .unwrap_or_default()
            .iter()
            .filter(|member| member.kind() == "field_definition")
            .filter_map(|field| field.child_by_field_id(crate::field!("value")))
            .all(|value| {
                super::failure_paths::cannot_throw_to_evaluate(self.source, value)
                    || self.created_collection(value).is_some()
            })
    }

    /// Whether `statement` is a statement of the constructor of `class` that
    /// only field assignments of literals or new collections come before:
    /// no method can run before it.
    fn first_in_constructor(&self, class: Node<'t>, statement: Node<'t>) -> bool {
        let source = self.source;
        let Some(body) = statement.parent().filter(|b| b.kind() == "statement_block") else {
            return false;
        };
        let in_constructor = body.parent().is_some_and(|method| {
            method.kind() == "method_definition"
                && method.parent().and_then(|b| b.parent()).map(|c| c.id()) == Some(class.id())
                && method
                    .child_by_field_id(crate::field!("name"))
                    .is_some_and(|n| text_of(source, n) == "constructor")
        });
        in_constructor
            && named_children_but_comments(body)
                .into_iter()
                .take_while(|s| s.id() != statement.id())
                .all(|earlier| {
                    field_assignment(earlier).is_some_and(|(_, value)| {
                        super::failure_paths::cannot_throw_to_evaluate(source, value)
                            || self.created_collection(value).is_some()
                    })
                })
    }

    /// A literal (`null`, a number), or `this.timer` of a field that the
    /// class's unit only ever sets to literals and to the timers of
    /// `setTimeout` and `setInterval` (`clearTimeout` reads properties of any
    /// object it is handed).
    fn is_timer_or_literal(&self, expr: Node<'t>) -> bool {
        let source = self.source;
        let expr = unwrap_parens(expr);
        let literal = |value: Node| {
            matches!(unwrap_parens(value).kind(), "null" | "undefined" | "number")
                || text_of(source, unwrap_parens(value)) == "undefined"
        };
        if literal(expr) {
            return true;
        }
        let Some((class, name)) = self.own_member(expr) else {
            return false;
        };
        if !self.own_field(expr) {
            return false;
        }
        let timer = |value: Node| {
            let value = unwrap_parens(value);
            literal(value)
                || (value.kind() == "call_expression"
                    && value
                        .child_by_field_id(crate::field!("function"))
                        .is_some_and(|callee| {
                            let callee_text = text_of(source, callee);
                            callee.kind() == "identifier"
                                && matches!(callee_text, "setTimeout" | "setInterval")
                                && self.is_builtin(callee_text)
                        }))
        };
        let (Some(definitions), Some(writes)) = (
            field_definitions(source, class, name),
            field_writes(source, top_level_of(class), name),
        ) else {
            return false;
        };
        definitions.iter().all(|d| {
            d.child_by_field_id(crate::field!("value"))
                .is_none_or(timer)
        }) && writes.iter().all(|(_, value)| timer(*value))
    }

    /// `this.#update(…)` (`callee`): a method the class declares once, not
    /// async, a generator, static or an accessor, of plain parameters, whose
    /// body cannot throw.
    fn private_method_cannot_throw(&self, callee: Node<'t>, depth: usize) -> bool {
        let source = self.source;
        let depth = depth + PRIVATE_CALL_DEPTH;
        if depth > MAX_DEPTH {
            return false;
        }
        let Some((class, name)) = self.own_member(callee) else {
            return false;
        };
        let Some(method) = only_member(source, class, name) else {
            return false;
        };
        let plain_parameters = method
            .child_by_field_id(crate::field!("parameters"))
            .is_some_and(|params| {
                named_children_but_comments(params)
                    .iter()
                    .all(|p| p.kind() == "identifier")
            });
        let quiet_kind = method.kind() == "method_definition"
            && !is_async_function(method)
            && !is_generator_function(method)
            && !["static", "get", "set"]
                .iter()
                .any(|word| has_word(source, method, word));
        let Some(body) = method.child_by_field_id(crate::field!("body")) else {
            return false;
        };
        quiet_kind
            && plain_parameters
            && Body {
                source,
                function: method,
                bindings: self.bindings,
            }
            .block_cannot_throw(body, depth)
    }
}

/// `object.keys()`, `object.values()` or `object.entries()`: the object and
/// the method.
fn quiet_iterator_call<'t, 's>(source: &'s str, call: Node<'t>) -> Option<(Node<'t>, &'s str)> {
    let callee = unwrap_parens(call.child_by_field_id(crate::field!("function"))?);
    let arguments = call.child_by_field_id(crate::field!("arguments"))?;
    if callee.kind() != "member_expression"
        || has_optional_chain(callee)
        || !named_children_but_comments(arguments).is_empty()
    {
        return None;
    }
    let method = text_of(source, callee.child_by_field_id(crate::field!("property"))?);
    matches!(method, "keys" | "values" | "entries")
        .then(|| callee.child_by_field_id(crate::field!("object")))
        .flatten()
        .map(|object| (unwrap_parens(object), method))
}

/// A number literal delay that Node takes as it is: from 0 to `TIMEOUT_MAX`.
fn is_delay_literal(source: &str, delay: Node) -> bool {
    let delay = unwrap_parens(delay);
    delay.kind() == "number"
        && text_of(source, delay)
            .replace('_', "")
            .parse::<f64>()
            .is_ok_and(|ms| (0.0..=TIMEOUT_MAX).contains(&ms))
}

/// The instance field definitions of `name` in `class`; `None` when one is
/// static, or when a method or an accessor has that name too.
fn field_definitions<'t>(source: &str, class: Node<'t>, name: &str) -> Option<Vec<Node<'t>>> {
    let body = class.child_by_field_id(crate::field!("body"))?;
    let mut definitions = Vec::new();
    for member in named_children_but_comments(body) {
        let (key, field) = match member.kind() {
            "field_definition" => (member.child_by_field_id(crate::field!("property")), true),
            "method_definition" => (member.child_by_field_id(crate::field!("name")), false),
            _ => continue,
        };
        if key.is_none_or(|k| text_of(source, k) != name) {
            continue;
        }
        if !field || has_word(source, member, "static") {
            return None;
        }
        definitions.push(member);
    }
    Some(definitions)
}

/// Every write to a field `name` in `unit`, as (statement or expression,
/// value) of `this.name = value`; `None` when any other write may set it:
/// `other.name = …`, `this.name += …`, `this.name++`, a destructuring
/// target, `delete`, or an assignment to a computed member of `this`.
fn field_writes<'t>(source: &str, unit: Node<'t>, name: &str) -> Option<Vec<(Node<'t>, Node<'t>)>> {
    let mut writes = Vec::new();
    let mut stack = vec![unit];
    let mut cursor = unit.walk();
    while let Some(node) = stack.pop() {
        stack.extend(node.named_children(&mut cursor));
        match node.kind() {
            "subscript_expression" => {
                let written = node.parent().is_some_and(|p| {
                    matches!(
                        p.kind(),
                        "assignment_expression" | "augmented_assignment_expression"
                    ) && p
                        .child_by_field_id(crate::field!("left"))
                        .is_some_and(|l| l.id() == node.id())
                });
                let on_this = node
                    .child_by_field_id(crate::field!("object"))
                    .is_some_and(|o| o.kind() == "this");
                if written && on_this {
                    return None;
                }
            }
            "member_expression" => {
                let named = node
                    .child_by_field_id(crate::field!("property"))
                    .is_some_and(|p| text_of(source, p) == name);
                let Some(parent) = node.parent().filter(|_| named) else {
                    continue;
                };
                let is_left = |p: Node| {
                    p.child_by_field_id(crate::field!("left"))
                        .is_some_and(|l| l.id() == node.id())
                };
                match parent.kind() {
                    "assignment_expression" if is_left(parent) => {
                        let on_this = node
                            .child_by_field_id(crate::field!("object"))
                            .is_some_and(|o| o.kind() == "this");
                        let value = parent.child_by_field_id(crate::field!("right"))?;
                        if !on_this {
                            return None;
                        }
                        let statement = parent
                            .parent()
                            .filter(|s| s.kind() == "expression_statement")
                            .unwrap_or(parent);
                        writes.push((statement, value));
                    }
                    "augmented_assignment_expression" if is_left(parent) => return None,
                    "update_expression" => return None,
                    "unary_expression"
                        if parent
                            .child_by_field_id(crate::field!("operator"))
                            .is_some_and(|o| text_of(source, o) == "delete") =>
                    {
                        return None
                    }
                    "for_in_statement" if is_left(parent) => return None,
                    kind if kind.ends_with("pattern") => return None,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    Some(writes)
}

/// `this.name = value` as a statement: the member and the value.
fn field_assignment(statement: Node) -> Option<(Node, Node)> {
    if statement.kind() != "expression_statement" {
        return None;
    }
    let expr = unwrap_parens(*named_children_but_comments(statement).first()?);
    let left = expr.child_by_field_id(crate::field!("left"))?;
    let on_this = left
        .child_by_field_id(crate::field!("object"))
        .is_some_and(|o| o.kind() == "this");
    (expr.kind() == "assignment_expression" && left.kind() == "member_expression" && on_this)
        .then(|| expr.child_by_field_id(crate::field!("right")))
        .flatten()
        .map(|value| (left, value))
}
