//! Statements to bytecode: statement lists with their hoisted declarations,
//! blocks, declarations, `export`, `if` and `try`. Loops are in
//! `compile_loops.rs`, `switch` in `compile_switch.rs`.

use std::rc::Rc;

use tree_sitter::Node;

use super::bytecode::{DeclKind, HandlerKind, Op};
use super::compile::{Compiler, FnBuilder};
use super::compile_pattern::{pattern_names, BindMode};
use super::value::Value;
use crate::syntax::js::named_children_but_comments;
use crate::syntax::KindName;

impl Compiler<'_> {
    /// A statement list: hoists its function declarations and `let`/`const`.
    pub fn statements(&mut self, b: &mut FnBuilder, statements: &[Node]) {
        self.hoist_declarations(b, statements);
        for statement in statements {
            self.statement(b, *statement);
        }
    }

    /// Function declarations of a block are created at its entry, and its
    /// `let`/`const` names exist (uninitialised) from there (§14.2.2, §8.2).
    pub(crate) fn hoist_declarations(&mut self, b: &mut FnBuilder, statements: &[Node]) {
        for statement in statements {
            let statement = &exported_declaration(*statement).unwrap_or(*statement);
            match statement.kind_name() {
                "function_declaration" | "generator_function_declaration" => {
                    let span = b.at(*statement);
                    let id = self.compile_function(*statement, None);
                    b.emit(Op::Closure(id));
                    let name = statement
                        .child_by_field_id(crate::field!("name"))
                        .map(|n| self.text(n))
                        .unwrap_or_default();
                    b.emit(Op::Declare(Rc::from(name), DeclKind::Var));
                    b.restore(span);
                }
                "class_declaration" => {
                    if let Some(name) = statement.child_by_field_id(crate::field!("name")) {
                        b.emit(Op::Declare(
                            Rc::from(self.text(name)),
                            DeclKind::Uninitialised,
                        ));
                    }
                }
                "lexical_declaration" => {
                    let mut names = Vec::new();
                    for decl in named_children_but_comments(*statement) {
                        if let Some(name) = decl.child_by_field_id(crate::field!("name")) {
                            pattern_names(self.src, name, &mut names);
                        }
                    }
                    for name in names {
                        b.emit(Op::Declare(Rc::from(name), DeclKind::Uninitialised));
                    }
                }
                _ => {}
            }
        }
    }

    pub(crate) fn block(&mut self, b: &mut FnBuilder, node: Node) {
        if node.kind_name() == "statement_block" {
            b.emit(Op::PushScope);
            b.scopes += 1;
            let statements = named_children_but_comments(node);
            self.statements(b, &statements);
            b.scopes -= 1;
            b.emit(Op::PopScope);
        } else {
            self.statement(b, node);
        }
    }

    pub(crate) fn statement(&mut self, b: &mut FnBuilder, node: Node) {
        let span = b.at(node);
        match node.kind_name() {
            "expression_statement" => {
                if let Some(expression) = node.named_child(0) {
                    self.expression(b, expression);
                    b.emit(Op::Pop);
                }
            }
            "lexical_declaration" | "variable_declaration" => self.declaration(b, node),
            "function_declaration"
            | "generator_function_declaration"
            | "empty_statement"
            | "comment" => {}
            "statement_block" => self.block(b, node),
            "return_statement" => match node.named_child(0) {
                Some(_) if self.member_contexts.last().is_some_and(|c| c.super_call) => {
                    b.abstain("`return value` in a derived constructor is not modelled")
                }
                Some(value) if value.kind_name() != "comment" => {
                    self.expression(b, value);
                    if b.is_generator && b.is_async {
                        // §15.1.1: `return v` in an async generator awaits `v`.
                        b.emit(Op::Await);
                    }
                    b.emit(Op::Return);
                }
                _ => self.implicit_return(b),
            },
            "throw_statement" => {
                if let Some(value) = node.named_child(0) {
                    self.expression(b, value);
                }
                b.emit(Op::Throw);
            }
            "if_statement" => self.if_statement(b, node),
            "while_statement" => self.while_statement(b, node),
            "do_statement" => self.do_statement(b, node),
            "for_statement" => self.for_statement(b, node),
            "for_in_statement" => self.for_in_of_statement(b, node),
            "break_statement" | "continue_statement" => self.break_continue(b, node),
            "labeled_statement" => self.labeled_statement(b, node),
            "switch_statement" => self.switch_statement(b, node),
            "try_statement" => self.try_statement(b, node),
            "class_declaration" => {
                self.class(b, node, None);
                let name = node
                    .child_by_field_id(crate::field!("name"))
                    .map(|n| self.text(n))
                    .unwrap_or_default();
                b.emit(Op::Declare(Rc::from(name), DeclKind::Let));
            }
            "export_statement" => self.export_statement(b, node),
            // Bound before the body runs (`compile_module.rs`).
            "import_statement" => {}
            // `#!/usr/bin/env node`: Node skips it (§B.1.1 Hashbang Comments).
            "hash_bang_line" => {}
            other => b.abstain(format!("`{other}` is not modelled")),
        }
        b.restore(span);
    }

    /// `export` binds what it declares in this module like the declaration
    /// alone would; `export default value` evaluates the value. Re-exports
    /// (`export ... from`) load their module before the body (`compile_module.rs`).
    fn export_statement(&mut self, b: &mut FnBuilder, node: Node) {
        if node.child_by_field_id(crate::field!("source")).is_some() {
            return;
        }
        if let Some(declaration) = node.child_by_field_id(crate::field!("declaration")) {
            return self.statement(b, declaration);
        }
        if let Some(value) = node.child_by_field_id(crate::field!("value")) {
            self.expression(b, value);
            b.emit(Op::Pop);
        }
    }

    pub(crate) fn declaration(&mut self, b: &mut FnBuilder, node: Node) {
        let keyword = node.child(0).map(|k| self.text(k)).unwrap_or("var");
        let kind = match keyword {
            "const" => DeclKind::Const,
            "let" => DeclKind::Let,
            "var" => DeclKind::Var,
            _ => return b.abstain("`using` declarations are not modelled"),
        };
        for decl in named_children_but_comments(node) {
            if decl.kind_name() != "variable_declarator" {
                continue;
            }
            let Some(name) = decl.child_by_field_id(crate::field!("name")) else {
                continue;
            };
            let value = decl.child_by_field_id(crate::field!("value"));
            if name.kind_name() != "identifier" {
                match value {
                    Some(value) => {
                        self.expression(b, value);
                        self.bind_pattern(b, name, BindMode::Declare(kind));
                    }
                    None => b.abstain("destructuring without a value"),
                }
                continue;
            }
            match value {
                Some(value) => {
                    let fn_name = self.text(name);
                    self.expression_named(b, value, Some(fn_name));
                }
                None if kind == DeclKind::Var => continue,
                None => {
                    b.emit(Op::Push(Value::Undefined));
                }
            }
            let name = Rc::from(self.text(name));
            if kind == DeclKind::Var {
                b.emit(Op::Store(name));
            } else {
                b.emit(Op::Declare(name, kind));
            }
        }
    }

    fn if_statement(&mut self, b: &mut FnBuilder, node: Node) {
        let Some(condition) = node.child_by_field_id(crate::field!("condition")) else {
            return b.abstain("an `if` without a condition");
        };
        self.expression(b, condition);
        let to_else = b.emit(Op::JumpIfFalse(0));
        if let Some(consequence) = node.child_by_field_id(crate::field!("consequence")) {
            self.block(b, consequence);
        }
        match node.child_by_field_id(crate::field!("alternative")) {
            Some(alternative) => {
                let to_end = b.emit(Op::Jump(0));
                b.patch(to_else);
                if let Some(body) = alternative.named_child(0) {
                    self.block(b, body);
                }
                b.patch(to_end);
            }
            None => b.patch(to_else),
        }
    }

    /// `try { A } catch (e) { B } finally { C }`: a Finally handler outside a
    /// Catch handler; leaving A or B by any completion runs C first.
    fn try_statement(&mut self, b: &mut FnBuilder, node: Node) {
        let body = node.child_by_field_id(crate::field!("body"));
        let handler = node.child_by_field_id(crate::field!("handler"));
        let finalizer = node.child_by_field_id(crate::field!("finalizer"));
        let finally_at = finalizer.map(|_| {
            b.handlers += 1;
            b.emit(Op::PushHandler(HandlerKind::Finally, 0))
        });
        if let Some(handler) = handler {
            let catch_at = b.emit(Op::PushHandler(HandlerKind::Catch, 0));
            b.handlers += 1;
            if let Some(body) = body {
                self.block(b, body);
            }
            b.handlers -= 1;
            b.emit(Op::PopHandler);
            let over_catch = b.emit(Op::Jump(0));
            b.patch(catch_at);
            // The VM pushes the exception before jumping here.
            b.emit(Op::PushScope);
            b.scopes += 1;
            match handler.child_by_field_id(crate::field!("parameter")) {
                Some(param) => self.bind_pattern(b, param, BindMode::Declare(DeclKind::Let)),
                None => {
                    b.emit(Op::Pop);
                }
            }
            if let Some(catch_body) = handler.child_by_field_id(crate::field!("body")) {
                self.block(b, catch_body);
            }
            b.scopes -= 1;
            b.emit(Op::PopScope);
            b.patch(over_catch);
        } else if let Some(body) = body {
            self.block(b, body);
        }
        if let (Some(finally_at), Some(finalizer)) = (finally_at, finalizer) {
            b.handlers -= 1;
            b.emit(Op::PopHandler);
            b.emit(Op::NormalCompletion);
            b.patch(finally_at);
            if let Some(finally_body) = finalizer.child_by_field_id(crate::field!("body")) {
                self.block(b, finally_body);
            }
            b.emit(Op::EndFinally);
        }
    }
}

/// The declaration an `export` statement wraps (`export async function f`,
/// `export const x = ...`), if any.
fn exported_declaration(node: Node) -> Option<Node> {
    (node.kind_name() == "export_statement")
        .then(|| node.child_by_field_id(crate::field!("declaration")))
        .flatten()
}
