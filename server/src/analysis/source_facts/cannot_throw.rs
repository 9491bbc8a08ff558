//! Statements and expressions of a function's own body that cannot throw,
//! for [`cannot_fail`](super::cannot_fail): only what the language
//! guarantees.
//!
//! Everything read comes from the function's own top-level unit (the
//! top-level statement holding it, see `driver/units.rs`): the analysis
//! caches each unit's facts by the unit's text, so an answer that read
//! another part of the file would outlive an edit there. That is why a call
//! of `console.log` or of a module-level `const` collection's `delete` still
//! counts as possibly throwing: whether `console` or the collection's name is
//! bound to something else is decided by other units (a `let console = …`,
//! `M = null`). Fields of `this` are read in the class of the method, and the
//! unit is searched for `Object.freeze`, `seal`, `preventExtensions`,
//! `defineProperty` and `Proxy`; a subclass declared elsewhere with an
//! accessor of the same name, or an instance frozen elsewhere, is not seen,
//! as the file's method lookups do not see subclasses elsewhere.
//!
//! Built-ins are taken as built-ins only when the file's bindings are known
//! ([`Body::bindings`]) and bind the name nowhere (`own_state.rs`); a class's
//! fields and `#` methods are read in the class's own unit (`own_state.rs`),
//! and a closure's reads of the locals around it in the function that
//! declares them (`initialized.rs`).
//!
//! The walk is depth-bounded: past [`MAX_DEPTH`] nested statements or
//! operators the answer is "may throw".

use tree_sitter::Node;

use super::failure_paths::{cannot_throw_to_evaluate, catches_without_rethrowing, returned_value};
use super::promise_kinds::certainly_not_thenable;
use super::{text_of, AsyncFacts};
use crate::syntax::js::{
    for_each_own_node, has_optional_chain, is_async_function, is_function, is_generator_function,
    named_children_but_comments, unwrap_parens,
};

/// How deep [`Body`] follows nested statements and expressions; past it a
/// statement or an expression is taken to possibly throw (a walk per nested
/// block would overflow the stack on deeply nested code).
pub(super) const MAX_DEPTH: usize = 64;

/// The function whose body is asked about.
pub(super) struct Body<'s, 't> {
    pub source: &'s str,
    pub function: Node<'t>,
    /// The file's facts, when they are known: they tell whether a global
    /// (`setTimeout`, `Map`) is the built-in, which no binding of the file
    /// shadows. `None` while the facts are being collected: then no global
    /// is taken for the built-in.
    pub bindings: Option<&'s AsyncFacts>,
}

impl<'s, 't> Body<'s, 't> {
    /// Whether running `statement` cannot throw (a `return` in it hands back
    /// what [`cannot_fail`](super::cannot_fail) checks separately).
    pub fn statement_cannot_throw(&self, statement: Node<'t>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        let depth = depth + 1;
        match statement.kind() {
            "empty_statement"
            | "function_declaration"
            | "break_statement"
            | "continue_statement" => true,
            "lexical_declaration" | "variable_declaration" => {
                let mut cursor = statement.walk();
                let all = statement
                    .named_children(&mut cursor)
                    .filter(|d| d.kind() == "variable_declarator")
                    .all(|declarator| {
                        declarator
                            .child_by_field_id(crate::field!("name"))
                            .is_some_and(|n| n.kind() == "identifier")
                            && declarator
                                .child_by_field_id(crate::field!("value"))
                                .is_none_or(|v| self.expression_cannot_throw(v, depth))
                    });
                all
            }
            "try_statement" => catches_without_rethrowing(statement),
            "return_statement" => {
                returned_value(statement).is_none_or(|v| self.expression_cannot_throw(v, depth))
            }
            "statement_block" => self.block_cannot_throw(statement, depth),
            "else_clause" => named_children_but_comments(statement)
                .into_iter()
                .all(|s| self.statement_cannot_throw(s, depth)),
            "if_statement" => {
                let condition = statement.child_by_field_id(crate::field!("condition"));
                let consequence = statement.child_by_field_id(crate::field!("consequence"));
                let alternative = statement.child_by_field_id(crate::field!("alternative"));
                condition.is_some_and(|c| self.expression_cannot_throw(c, depth))
                    && consequence.is_some_and(|s| self.statement_cannot_throw(s, depth))
                    && alternative.is_none_or(|s| self.statement_cannot_throw(s, depth))
            }
            // `while (true)`: the condition cannot throw.
            "while_statement" => {
                statement
                    .child_by_field_id(crate::field!("condition"))
                    .is_some_and(|c| self.expression_cannot_throw(c, depth))
                    && statement
                        .child_by_field_id(crate::field!("body"))
                        .is_some_and(|b| self.statement_cannot_throw(b, depth))
            }
            // `for (;;)` only: nothing in the parentheses.
            "for_statement" => {
                let body = statement.child_by_field_id(crate::field!("body"));
                let header_is_empty = named_children_but_comments(statement)
                    .into_iter()
                    .all(|child| Some(child) == body || child.kind() == "empty_statement");
                header_is_empty && body.is_some_and(|b| self.statement_cannot_throw(b, depth))
            }
            // `for (const [key, task] of this.tasks)`: see `own_state.rs`.
            "for_in_statement" => self.iteration_cannot_throw(statement, depth),
            "expression_statement" => named_children_but_comments(statement)
                .first()
                .is_some_and(|e| self.effect_cannot_throw(*e, depth)),
            _ => false,
        }
    }

    pub fn block_cannot_throw(&self, block: Node<'t>, depth: usize) -> bool {
        named_children_but_comments(block)
            .into_iter()
            .all(|s| self.statement_cannot_throw(s, depth))
    }

    /// A statement's expression: a field of `this` set to a value that
    /// cannot throw, an `await` of a chain that [catches
    /// everything](Self::chain_cannot_reject), or a call that
    /// [cannot throw](Self::call_cannot_throw). Any other call may throw
    /// (see the module docs for `console.log` and module-level collections).
    fn effect_cannot_throw(&self, expr: Node<'t>, depth: usize) -> bool {
        let expr = unwrap_parens(expr);
        match expr.kind() {
            "await_expression" => named_children_but_comments(expr)
                .first()
                .is_some_and(|awaited| self.chain_cannot_reject(*awaited)),
            "call_expression" => self.call_cannot_throw(expr, depth),
            "assignment_expression" => {
                expr.child_by_field_id(crate::field!("left"))
                    .is_some_and(|left| self.own_field(left))
                    && expr
                        .child_by_field_id(crate::field!("right"))
                        .is_some_and(|right| self.expression_cannot_throw(right, depth))
            }
            _ => false,
        }
    }

    /// `start().then(f).finally(g).catch(h)`: a chain whose last link is a
    /// `.catch(h)` that cannot fail ([`handler_cannot_fail`]), whose other
    /// links are `.then` and `.finally` of functions or constants (what they
    /// throw, `h` catches), and whose start cannot throw before it hands
    /// back its promise ([`Self::call_cannot_throw_synchronously`]).
    fn chain_cannot_reject(&self, expr: Node<'t>) -> bool {
        let source = self.source;
        let Some((receiver, "catch", arguments)) = chain_link(source, expr) else {
            return false;
        };
        let [handler] = arguments.as_slice() else {
            return false;
        };
        if !handler_cannot_fail(source, *handler) {
            return false;
        }
        let mut current = receiver;
        while let Some((inner, method, arguments)) = chain_link(source, current) {
            let fine = matches!(
                (method, arguments.len()),
                ("then", 1 | 2) | ("finally", 1) | ("catch", 1)
            ) && arguments
                .iter()
                .all(|a| cannot_throw_to_evaluate(source, *a));
            if !fine {
                return false;
            }
            current = inner;
        }
        self.call_cannot_throw_synchronously(current)
    }

    /// `this.start(a, b)` in a method of a class that extends nothing and
    /// declares `start` once, as an `async` method, and whose unit assigns
    /// no `.start` (an own property would hide the method); the arguments
    /// [cannot throw](Self::expression_cannot_throw). An async function
    /// throws nothing at the call: whatever its parameters or body throw
    /// rejects its promise.
    fn call_cannot_throw_synchronously(&self, call: Node<'t>) -> bool {
        let source = self.source;
        let call = unwrap_parens(call);
        if call.kind() != "call_expression" {
            return false;
        }
        let (Some(callee), Some(arguments)) = (
            call.child_by_field_id(crate::field!("function")),
            call.child_by_field_id(crate::field!("arguments")),
        ) else {
            return false;
        };
        if arguments.kind() != "arguments"
            || !named_children_but_comments(arguments)
                .iter()
                .all(|a| self.expression_cannot_throw(*a, 0))
        {
            return false;
        }
        let callee = unwrap_parens(callee);
        if has_optional_chain(callee) {
            return false;
        }
        let Some((class, name)) = self.own_member(callee) else {
            return false;
        };
        let Some(method) = only_member(source, class, name) else {
            return false;
        };
        let assigned = {
            let whole = &source[top_level_of(self.function).byte_range()];
            whole.contains(&format!(".{name} =")) || whole.contains(&format!(".{name}="))
        };
        method.kind() == "method_definition"
            && is_async_function(method)
            && !is_generator_function(method)
            && !has_word(source, method, "static")
            && !has_word(source, method, "get")
            && !has_word(source, method, "set")
            && !assigned
    }

    /// Whether evaluating `expr` (a condition, an argument, a value) cannot
    /// throw: constants, the function's parameters, the locals around it that
    /// are certainly initialised (`initialized.rs`), its own fields
    /// (`this.x`), the size of a collection the class owns, the calls that
    /// [cannot throw](Self::call_cannot_throw), and `!`, `typeof`, `===`,
    /// `!==`, `&&`, `||` and `??` of those (strict equality converts nothing,
    /// so runs no `valueOf`).
    pub fn expression_cannot_throw(&self, expr: Node<'t>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        let depth = depth + 1;
        let expr = unwrap_parens(expr);
        match expr.kind() {
            "identifier" => {
                cannot_throw_to_evaluate(self.source, expr)
                    || self.is_plain_parameter(text_of(self.source, expr))
                    || self.is_initialized_local(expr)
            }
            "member_expression" => self.own_field(expr) || self.is_own_collection_size(expr),
            "call_expression" => self.call_cannot_throw(expr, depth),
            "unary_expression" => {
                let operator = expr
                    .child_by_field_id(crate::field!("operator"))
                    .map(|o| text_of(self.source, o));
                matches!(operator, Some("!" | "typeof" | "void"))
                    && expr
                        .child_by_field_id(crate::field!("argument"))
                        .is_some_and(|a| self.expression_cannot_throw(a, depth))
            }
            "binary_expression" => {
                let operator = expr
                    .child_by_field_id(crate::field!("operator"))
                    .map(|o| text_of(self.source, o));
                matches!(operator, Some("===" | "!==" | "&&" | "||" | "??"))
                    && [
                        expr.child_by_field_id(crate::field!("left")),
                        expr.child_by_field_id(crate::field!("right")),
                    ]
                    .into_iter()
                    .all(|side| side.is_some_and(|e| self.expression_cannot_throw(e, depth)))
            }
            _ => cannot_throw_to_evaluate(self.source, expr),
        }
    }

    /// `this.name` in a method of a class that declares no accessor `name`
    /// and extends nothing: a data property of an object, so reading or
    /// writing it cannot throw (unless the method's unit freezes, seals or
    /// redefines properties, or builds proxies, when it is not taken).
    pub(super) fn own_field(&self, expr: Node<'t>) -> bool {
        let source = self.source;
        let Some((class, name)) = self.own_member(unwrap_parens(expr)) else {
            return false;
        };
        let accessor = class
            .child_by_field_id(crate::field!("body"))
            .is_some_and(|body| {
                named_children_but_comments(body).iter().any(|member| {
                    member.kind() == "method_definition"
                        && member
                            .child_by_field_id(crate::field!("name"))
                            .is_some_and(|n| text_of(source, n) == name)
                        && (has_word(source, *member, "get") || has_word(source, *member, "set"))
                })
            });
        !accessor
    }

    /// `this.name` or `this.#name` (`expr`, a member expression) read in a
    /// method of its own class ([`Self::own_class`]): the class and `name`.
    pub(super) fn own_member(&self, expr: Node<'t>) -> Option<(Node<'t>, &'s str)> {
        if expr.kind() != "member_expression" || has_optional_chain(expr) {
            return None;
        }
        let object = expr.child_by_field_id(crate::field!("object"))?;
        let property = expr
            .child_by_field_id(crate::field!("property"))
            .filter(|p| {
                matches!(
                    p.kind(),
                    "property_identifier" | "private_property_identifier"
                )
            })?;
        let class = self.own_class(object)?;
        Some((class, text_of(self.source, property)))
    }

    /// The class of `object` when it is the `this` of a method (not static)
    /// of the class: the `this` of the function asked about when it is such
    /// a method, or of the method around it when the function is an arrow
    /// (a `then` callback written in a method). The class extends nothing,
    /// and its unit freezes, seals or redefines no properties, builds no
    /// proxies and assigns no fields through `Object.assign(this, …)`:
    /// reading a data property of `this`, or a method of that class, runs no
    /// code.
    pub(super) fn own_class(&self, object: Node<'t>) -> Option<Node<'t>> {
        let source = self.source;
        if object.kind() != "this" {
            return None;
        }
        // `this` of an arrow is the `this` around it.
        let mut current = object.parent();
        let method = loop {
            let node = current?;
            if node.kind() == "method_definition" {
                break node;
            }
            if is_function(node) && node.kind() != "arrow_function" {
                return None;
            }
            current = node.parent();
        };
        // The `this` is the function's own, or that of the method around it.
        let function = self.function;
        let holds_function = method.id() == function.id()
            || (function.kind() == "arrow_function"
                && method.start_byte() <= function.start_byte()
                && function.end_byte() <= method.end_byte());
        if !holds_function || has_word(source, method, "static") {
            return None;
        }
        let class = method.parent().and_then(|body| body.parent())?;
        if !matches!(class.kind(), "class_declaration" | "class") {
            return None;
        }
        let extends = named_children_but_comments(class)
            .iter()
            .any(|c| c.kind() == "class_heritage");
        let whole = &source[top_level_of(method).byte_range()];
        let redefines = [
            "freeze",
            "seal",
            "preventExtensions",
            "defineProperty",
            "Proxy",
            "assign(this",
        ]
        .iter()
        .any(|word| whole.contains(word));
        (!extends && !redefines).then_some(class)
    }

    /// A parameter of the function bound by a plain name, that nothing in
    /// its body declares again.
    fn is_plain_parameter(&self, name: &str) -> bool {
        let source = self.source;
        let function = self.function;
        let parameter = match function.child_by_field_id(crate::field!("parameter")) {
            Some(single) => single.kind() == "identifier" && text_of(source, single) == name,
            None => function
                .child_by_field_id(crate::field!("parameters"))
                .is_some_and(|params| {
                    named_children_but_comments(params)
                        .iter()
                        .any(|p| p.kind() == "identifier" && text_of(source, *p) == name)
                }),
        };
        if !parameter {
            return false;
        }
        let Some(body) = function.child_by_field_id(crate::field!("body")) else {
            return false;
        };
        let mut redeclared = false;
        for_each_own_node(body, |node| {
            let binds = matches!(
                node.kind(),
                "identifier" | "shorthand_property_identifier_pattern"
            ) && text_of(source, node) == name
                && node.parent().is_some_and(|p| {
                    p.kind().ends_with("pattern")
                        || matches!(
                            p.kind(),
                            "catch_clause" | "function_declaration" | "class_declaration"
                        )
                        || (p.kind() == "variable_declarator"
                            && p.child_by_field_id(crate::field!("name"))
                                .is_some_and(|n| n.id() == node.id()))
                });
            redeclared |= binds;
        });
        !redeclared
    }
}

/// `receiver.method(arguments)` without optional chaining.
fn chain_link<'t>(source: &str, expr: Node<'t>) -> Option<(Node<'t>, &'static str, Vec<Node<'t>>)> {
    let expr = unwrap_parens(expr);
    if expr.kind() != "call_expression" {
        return None;
    }
    let callee = unwrap_parens(expr.child_by_field_id(crate::field!("function"))?);
    let arguments = expr.child_by_field_id(crate::field!("arguments"))?;
    if callee.kind() != "member_expression"
        || arguments.kind() != "arguments"
        || has_optional_chain(callee)
    {
        return None;
    }
    let receiver = callee.child_by_field_id(crate::field!("object"))?;
    let method = match text_of(source, callee.child_by_field_id(crate::field!("property"))?) {
        "then" => "then",
        "catch" => "catch",
        "finally" => "finally",
        _ => return None,
    };
    Some((receiver, method, named_children_but_comments(arguments)))
}

/// The handler `h` of `.catch(h)` that makes the chain resolve whatever the
/// error: a function written there, not async or a generator, of at most
/// one plain parameter, with no `throw` of its own, handing back nothing
/// that could be a rejected thenable (a block that returns nothing or
/// values that are not thenables, or such an expression: `() => void
/// report(e)`). What it calls is trusted not to throw, as what a `catch`
/// clause calls is ([`catches_without_rethrowing`]).
fn handler_cannot_fail(source: &str, handler: Node) -> bool {
    let handler = unwrap_parens(handler);
    if !matches!(handler.kind(), "arrow_function" | "function_expression")
        || is_async_function(handler)
    {
        return false;
    }
    let plain_parameters = match handler.child_by_field_id(crate::field!("parameter")) {
        Some(single) => single.kind() == "identifier",
        None => handler
            .child_by_field_id(crate::field!("parameters"))
            .is_some_and(|params| {
                let params = named_children_but_comments(params);
                params.len() <= 1 && params.iter().all(|p| p.kind() == "identifier")
            }),
    };
    let Some(body) = handler.child_by_field_id(crate::field!("body")) else {
        return false;
    };
    if !plain_parameters {
        return false;
    }
    if body.kind() != "statement_block" {
        return certainly_not_thenable(source, body);
    }
    let mut fine = true;
    for_each_own_node(body, |node| match node.kind() {
        "throw_statement" => fine = false,
        "return_statement" => {
            fine &= returned_value(node).is_none_or(|v| certainly_not_thenable(source, v));
        }
        _ => {}
    });
    fine
}

/// Whether `node` (a method) has the keyword `word` before its name.
pub(super) fn has_word(source: &str, node: Node, word: &str) -> bool {
    let mut cursor = node.walk();
    let found = node
        .children(&mut cursor)
        .take_while(|c| c.kind() != "property_identifier" && c.kind() != "formal_parameters")
        .any(|c| !c.is_named() && text_of(source, c) == word);
    found
}

/// The top-level statement holding `node`: all of it lies in `node`'s unit.
pub(super) fn top_level_of(node: Node) -> Node {
    let mut top = node;
    while let Some(parent) = top.parent() {
        if parent.parent().is_none() {
            break;
        }
        top = parent;
    }
    top
}

/// The one member of `class` named `name`; `None` when it declares none or
/// several (an overload, a getter beside a setter).
pub(super) fn only_member<'t>(source: &str, class: Node<'t>, name: &str) -> Option<Node<'t>> {
    let mut named = class
        .child_by_field_id(crate::field!("body"))
        .map(named_children_but_comments)
        .unwrap_or_default()
        .into_iter()
        .filter(|member| {
            member
                .child_by_field_id(crate::field!("name"))
                .or_else(|| member.child_by_field_id(crate::field!("property")))
                .is_some_and(|n| text_of(source, n) == name)
        });
    let member = named.next()?;
    named.next().is_none().then_some(member)
}
