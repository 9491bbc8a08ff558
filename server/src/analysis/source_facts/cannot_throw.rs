//! Statements and expressions of a function's own body that cannot throw,
//! for [`cannot_fail`](super::cannot_fail): only what the language
//! guarantees, and a few built-ins whose calls never throw.

use tree_sitter::Node;

use super::failure_paths::{cannot_throw_to_evaluate, catches_without_rethrowing, returned_value};
use super::text_of;
use crate::syntax::js::{
    for_each_own_node, is_function, named_children_but_comments, unwrap_parens,
};

/// Built-in collections whose `get`/`has`/`delete`/`clear` never throw. Their
/// writes can: `WeakMap#set` and `WeakSet#add` on a key that is not an
/// object, `Map#set` and `Set#add` past their maximum size (a `Set` of
/// 8,388,608 entries under Node 24: `RangeError`).
const COLLECTIONS: &[&str] = &["Map", "Set", "WeakMap", "WeakSet"];
const LOOKUPS: &[&str] = &["get", "has", "delete", "clear"];
const CONSOLE_METHODS: &[&str] = &["log", "info", "warn", "error", "debug"];

/// The function whose body is asked about.
pub(super) struct Body<'s, 't> {
    pub source: &'s str,
    pub function: Node<'t>,
}

impl<'t> Body<'_, 't> {
    /// Whether running `statement` cannot throw (a `return` in it hands back
    /// what [`cannot_fail`](super::cannot_fail) checks separately).
    pub fn statement_cannot_throw(&self, statement: Node<'t>) -> bool {
        let source = self.source;
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
                                .is_none_or(|v| cannot_throw_to_evaluate(source, v))
                    });
                all
            }
            "try_statement" => catches_without_rethrowing(statement),
            "return_statement" => {
                returned_value(statement).is_none_or(|v| cannot_throw_to_evaluate(source, v))
            }
            "statement_block" => self.block_cannot_throw(statement),
            "else_clause" => named_children_but_comments(statement)
                .into_iter()
                .all(|s| self.statement_cannot_throw(s)),
            "if_statement" => {
                let condition = statement.child_by_field_id(crate::field!("condition"));
                let consequence = statement.child_by_field_id(crate::field!("consequence"));
                let alternative = statement.child_by_field_id(crate::field!("alternative"));
                condition.is_some_and(|c| self.expression_cannot_throw(c))
                    && consequence.is_some_and(|s| self.statement_cannot_throw(s))
                    && alternative.is_none_or(|s| self.statement_cannot_throw(s))
            }
            // `while (true)`: the condition cannot throw.
            "while_statement" => {
                statement
                    .child_by_field_id(crate::field!("condition"))
                    .is_some_and(|c| self.expression_cannot_throw(c))
                    && statement
                        .child_by_field_id(crate::field!("body"))
                        .is_some_and(|b| self.statement_cannot_throw(b))
            }
            // `for (;;)` only: nothing in the parentheses.
            "for_statement" => {
                let body = statement.child_by_field_id(crate::field!("body"));
                let header_is_empty = named_children_but_comments(statement)
                    .into_iter()
                    .all(|child| Some(child) == body || child.kind() == "empty_statement");
                header_is_empty && body.is_some_and(|b| self.statement_cannot_throw(b))
            }
            "expression_statement" => named_children_but_comments(statement)
                .first()
                .is_some_and(|e| self.effect_cannot_throw(*e)),
            _ => false,
        }
    }

    pub fn block_cannot_throw(&self, block: Node<'t>) -> bool {
        named_children_but_comments(block)
            .into_iter()
            .all(|s| self.statement_cannot_throw(s))
    }

    /// A statement's expression: a call that never throws, or a field of
    /// `this` set to a value that cannot throw.
    fn effect_cannot_throw(&self, expr: Node<'t>) -> bool {
        let expr = unwrap_parens(expr);
        match expr.kind() {
            "assignment_expression" => {
                expr.child_by_field_id(crate::field!("left"))
                    .is_some_and(|left| self.own_field(left))
                    && expr
                        .child_by_field_id(crate::field!("right"))
                        .is_some_and(|right| cannot_throw_to_evaluate(self.source, right))
            }
            "call_expression" => self.call_cannot_throw(expr),
            _ => false,
        }
    }

    /// Whether evaluating `expr` (a condition, an argument) cannot throw:
    /// constants, the function's parameters, its own fields (`this.x`), and
    /// `!`, `typeof`, `===`, `!==`, `&&`, `||` and `??` of those (strict
    /// equality converts nothing, so runs no `valueOf`).
    pub fn expression_cannot_throw(&self, expr: Node<'t>) -> bool {
        let expr = unwrap_parens(expr);
        match expr.kind() {
            "identifier" => {
                cannot_throw_to_evaluate(self.source, expr)
                    || self.is_plain_parameter(text_of(self.source, expr))
            }
            "member_expression" => self.own_field(expr),
            "unary_expression" => {
                let operator = expr
                    .child_by_field_id(crate::field!("operator"))
                    .map(|o| text_of(self.source, o));
                matches!(operator, Some("!" | "typeof" | "void"))
                    && expr
                        .child_by_field_id(crate::field!("argument"))
                        .is_some_and(|a| self.expression_cannot_throw(a))
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
                    .all(|side| side.is_some_and(|e| self.expression_cannot_throw(e)))
            }
            _ => cannot_throw_to_evaluate(self.source, expr),
        }
    }

    /// `console.log(...)` and friends of constants, and the lookups of a collection the module's top level binds
    /// with `const`, with arguments that cannot throw.
    fn call_cannot_throw(&self, call: Node<'t>) -> bool {
        let source = self.source;
        let Some(callee) = call.child_by_field_id(crate::field!("function")) else {
            return false;
        };
        if callee.kind() != "member_expression" {
            return false;
        }
        let (Some(object), Some(property)) = (
            callee.child_by_field_id(crate::field!("object")),
            callee.child_by_field_id(crate::field!("property")),
        ) else {
            return false;
        };
        if object.kind() != "identifier" || property.kind() != "property_identifier" {
            return false;
        }
        let arguments_cannot_throw = call
            .child_by_field_id(crate::field!("arguments"))
            .is_some_and(|args| {
                args.kind() == "arguments"
                    && named_children_but_comments(args)
                        .into_iter()
                        .all(|a| self.expression_cannot_throw(a))
            });
        if !arguments_cannot_throw {
            return false;
        }
        let (object, method) = (text_of(source, object), text_of(source, property));
        let root = root_of(call);
        if object == "console" {
            // Formatting an object runs its `util.inspect.custom`, which may
            // throw: only constants are logged without running anything.
            let constants = call
                .child_by_field_id(crate::field!("arguments"))
                .is_some_and(|args| {
                    named_children_but_comments(args)
                        .into_iter()
                        .all(|a| cannot_throw_to_evaluate(source, a))
                });
            return constants
                && CONSOLE_METHODS.contains(&method)
                && only_read(source, root, "console") == Some(0);
        }
        let Some(collection) = module_collection(source, root, object) else {
            return false;
        };
        LOOKUPS.contains(&method)
            && only_read(source, root, object) == Some(1)
            && only_read(source, root, collection) == Some(0)
    }

    /// `this.name` in a method of a class that declares no accessor `name`
    /// and extends nothing: a data property of an object, so reading or
    /// writing it cannot throw (unless the file freezes, seals or redefines
    /// properties, or builds proxies, when it is not taken).
    fn own_field(&self, expr: Node<'t>) -> bool {
        let source = self.source;
        let expr = unwrap_parens(expr);
        if expr.kind() != "member_expression" {
            return false;
        }
        let (Some(object), Some(property)) = (
            expr.child_by_field_id(crate::field!("object")),
            expr.child_by_field_id(crate::field!("property")),
        ) else {
            return false;
        };
        if object.kind() != "this" || property.kind() != "property_identifier" {
            return false;
        }
        let function = self.function;
        if function.kind() != "method_definition" || has_word(source, function, "static") {
            return false;
        }
        // `this` of an arrow in the method is the method's.
        let mut current = object.parent();
        while let Some(node) = current {
            if node.id() == function.id() {
                break;
            }
            if is_function(node) && node.kind() != "arrow_function" {
                return false;
            }
            current = node.parent();
        }
        let Some(class) = function.parent().and_then(|body| body.parent()) else {
            return false;
        };
        if !matches!(class.kind(), "class_declaration" | "class") {
            return false;
        }
        let extends = named_children_but_comments(class)
            .iter()
            .any(|c| c.kind() == "class_heritage");
        let whole = &source[root_of(function).byte_range()];
        let redefines = [
            "freeze",
            "seal",
            "preventExtensions",
            "defineProperty",
            "Proxy",
        ]
        .iter()
        .any(|word| whole.contains(word));
        let name = text_of(source, property);
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
        !extends && !redefines && !accessor
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

/// Whether `node` (a method) has the keyword `word` before its name.
fn has_word(source: &str, node: Node, word: &str) -> bool {
    let mut cursor = node.walk();
    let found = node
        .children(&mut cursor)
        .take_while(|c| c.kind() != "property_identifier" && c.kind() != "formal_parameters")
        .any(|c| !c.is_named() && text_of(source, c) == word);
    found
}

fn root_of(node: Node) -> Node {
    let mut root = node;
    while let Some(parent) = root.parent() {
        root = parent;
    }
    root
}

/// The built-in collection `name` is bound to by a `const` of the module's
/// top level (`const seen = new WeakMap()`), if so.
fn module_collection<'s>(source: &'s str, root: Node, name: &str) -> Option<&'s str> {
    named_children_but_comments(root)
        .into_iter()
        .find_map(|statement| {
            let is_const = statement.kind() == "lexical_declaration"
                && statement
                    .child(0)
                    .is_some_and(|k| text_of(source, k) == "const");
            if !is_const {
                return None;
            }
            named_children_but_comments(statement)
                .into_iter()
                .find_map(|declarator| {
                    let bound = declarator.child_by_field_id(crate::field!("name"))?;
                    if bound.kind() != "identifier" || text_of(source, bound) != name {
                        return None;
                    }
                    let value =
                        unwrap_parens(declarator.child_by_field_id(crate::field!("value"))?);
                    let class = value.child_by_field_id(crate::field!("constructor"))?;
                    let class = text_of(source, class);
                    (value.kind() == "new_expression" && COLLECTIONS.contains(&class))
                        .then_some(class)
                })
        })
}

/// Whether every occurrence of the name `name` in the file only reads it (as
/// the object of a member, a callee, an argument or a constructor) or is
/// a `const` declaration of the top level: how many of those, or `None`
/// when something else binds or assigns it.
fn only_read(source: &str, root: Node, name: &str) -> Option<usize> {
    let mut declarations = 0;
    let mut fine = true;
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if !fine {
            break;
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
        let named = match node.kind() {
            "identifier" | "shorthand_property_identifier_pattern" => text_of(source, node) == name,
            _ => false,
        };
        if !named {
            continue;
        }
        let Some(parent) = node.parent() else {
            continue;
        };
        match parent.kind() {
            "member_expression" | "arguments" | "new_expression" => {
                let is_object = parent
                    .child_by_field_id(crate::field!("object"))
                    .is_some_and(|o| o.id() == node.id());
                let assigned = parent.parent().is_some_and(|g| {
                    g.kind().contains("assignment") || g.kind() == "update_expression"
                });
                fine &= parent.kind() != "member_expression" || is_object && !assigned;
            }
            "variable_declarator"
                if parent
                    .child_by_field_id(crate::field!("name"))
                    .is_some_and(|n| n.id() == node.id())
                    && parent.parent().is_some_and(|d| {
                        d.parent().is_some_and(|p| p.id() == root.id())
                            && d.child(0).is_some_and(|k| text_of(source, k) == "const")
                    }) =>
            {
                declarations += 1;
            }
            _ => fine = false,
        }
    }
    fine.then_some(declarations)
}
