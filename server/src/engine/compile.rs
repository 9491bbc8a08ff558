//! Compiles the tree-sitter-javascript syntax tree to [`bytecode`](super::bytecode).
//!
//! Statements live here, expressions in `compile_expr.rs`. Anything outside the
//! modelled fragment compiles to `Op::Abstain`, so the engine abstains only if
//! that code actually runs. The caller checks the tree's depth first, which
//! bounds this module's recursion.

use std::ops::Range;
use std::rc::Rc;

use tree_sitter::Node;

use super::bytecode::{DeclKind, FuncId, FunctionCode, HandlerKind, Op};
use super::compile_class::MemberContext;
use super::compile_loops::BreakTarget;
use super::compile_pattern::{pattern_names, BindMode};
use super::value::Value;

/// Compiles every function of a program; `funcs[0]` is the top level.
pub(crate) struct Compiler<'s> {
    pub src: &'s str,
    pub funcs: Vec<Option<FunctionCode>>,
    /// The function node each compiled function came from, for facts.
    hidden_counter: usize,
    /// What `this` and `super` mean in each function being compiled, innermost last.
    pub(crate) member_contexts: Vec<MemberContext>,
    /// The context the next non-arrow function compiles in (set for class members).
    pub(crate) next_member: Option<MemberContext>,
    /// The private names (`#x`) in scope, innermost class last, with their unique keys.
    pub(crate) private_names: Vec<Vec<(String, String)>>,
    pub(crate) private_counter: usize,
    /// The code being compiled is strict (`strict_mode.rs`).
    pub(crate) strict: bool,
}

/// The function being compiled.
pub(crate) struct FnBuilder {
    pub code: Vec<Op>,
    pub spans: Vec<Range<usize>>,
    pub awaits: Vec<Range<usize>>,
    pub is_async: bool,
    pub is_generator: bool,
    span: Range<usize>,
    /// The statements `break`/`continue` may leave, innermost last.
    pub(crate) loops: Vec<BreakTarget>,
    /// Labels written before the statement about to be compiled.
    pub(crate) pending_labels: Vec<Rc<str>>,
    pub(crate) handlers: usize,
    pub(crate) scopes: usize,
}

impl FnBuilder {
    pub(crate) fn new(is_async: bool) -> Self {
        FnBuilder {
            code: Vec::new(),
            spans: Vec::new(),
            awaits: Vec::new(),
            is_async,
            is_generator: false,
            span: 0..0,
            loops: Vec::new(),
            pending_labels: Vec::new(),
            handlers: 0,
            // A frame starts with its function scope.
            scopes: 1,
        }
    }

    pub fn emit(&mut self, op: Op) -> usize {
        self.code.push(op);
        self.spans.push(self.span.clone());
        self.code.len() - 1
    }

    pub fn at(&mut self, node: Node) -> Range<usize> {
        std::mem::replace(&mut self.span, node.byte_range())
    }

    pub fn restore(&mut self, span: Range<usize>) {
        self.span = span;
    }

    pub fn here(&self) -> usize {
        self.code.len()
    }

    /// Points the jump at `at` to the current position.
    pub fn patch(&mut self, at: usize) {
        let target = self.code.len();
        self.patch_to(at, target);
    }

    pub fn patch_to(&mut self, at: usize, target: usize) {
        match &mut self.code[at] {
            Op::Jump(t)
            | Op::JumpIfFalse(t)
            | Op::JumpIfTrue(t)
            | Op::JumpIfTrueKeep(t)
            | Op::JumpIfFalseKeep(t)
            | Op::JumpIfNotNullishKeep(t)
            | Op::PushHandler(_, t)
            | Op::IterNext(_, t)
            | Op::YieldDelegate(_, t)
            | Op::SkipIfNullish { target: t, .. }
            | Op::Exit { target: t, .. } => *t = target,
            _ => {}
        }
    }

    pub fn abstain(&mut self, what: impl Into<String>) {
        let reason: String = what.into();
        self.emit(Op::Abstain(Rc::from(reason.as_str())));
    }
}

impl<'s> Compiler<'s> {
    pub fn new(src: &'s str) -> Self {
        Compiler {
            src,
            funcs: Vec::new(),
            hidden_counter: 0,
            member_contexts: Vec::new(),
            next_member: None,
            private_names: Vec::new(),
            private_counter: 0,
            strict: false,
        }
    }

    pub fn text(&self, node: Node) -> &'s str {
        &self.src[node.byte_range()]
    }

    /// A binding name no program can spell, for the compiler's own state
    /// (an iterator, a `switch` value).
    pub(crate) fn hidden_name(&mut self, what: &str) -> Rc<str> {
        self.hidden_counter += 1;
        Rc::from(format!("%{what}{}", self.hidden_counter).as_str())
    }

    /// Compiles the program as function 0. ES modules compile as an async body
    /// so top-level `await` suspends like any other await.
    pub fn compile_program(&mut self, root: Node, is_module: bool) -> FuncId {
        let id = self.reserve();
        let mut b = FnBuilder::new(is_module);
        self.strict = super::strict_mode::is_strict(root, self.src, is_module);
        let outer = b.at(root);
        let children: Vec<Node> = named_children(root);
        self.hoist_vars(&mut b, root);
        self.statements(&mut b, &children);
        b.emit(Op::Push(Value::Undefined));
        b.emit(Op::Return);
        b.restore(outer);
        self.finish(id, b, Rc::from("top level"), None, root.byte_range());
        id
    }

    pub(crate) fn reserve(&mut self) -> FuncId {
        self.funcs.push(None);
        self.funcs.len() - 1
    }

    pub(crate) fn finish(
        &mut self,
        id: FuncId,
        b: FnBuilder,
        name: Rc<str>,
        function: Option<Node>,
        range: Range<usize>,
    ) {
        let is_arrow = function.is_some_and(|f| f.kind() == "arrow_function");
        // Only a function expression's name is bound inside it; a declaration's name belongs
        // to the enclosing scope.
        let own_name = function
            .filter(|f| matches!(f.kind(), "function_expression" | "function"))
            .and_then(|f| f.child_by_field_id(crate::field!("name")))
            .map(|n| Rc::from(self.text(n)));
        self.funcs[id] = Some(FunctionCode {
            name,
            is_async: b.is_async,
            is_arrow,
            is_generator: b.is_generator,
            is_strict: self.strict,
            own_name,
            constructible: false,
            range,
            code: b.code,
            spans: b.spans,
            awaits: b.awaits,
        });
    }

    /// Compiles a function-like node (declaration, expression, arrow, method).
    pub fn compile_function(&mut self, node: Node, name: Option<&str>) -> FuncId {
        let is_arrow = node.kind() == "arrow_function";
        let context = if is_arrow {
            self.member_contexts
                .last()
                .copied()
                .unwrap_or_default()
                .in_arrow()
        } else {
            self.next_member.take().unwrap_or_default()
        };
        self.member_contexts.push(context);
        let id = self.compile_function_in(node, name, context);
        self.member_contexts.pop();
        id
    }

    fn compile_function_in(
        &mut self,
        node: Node,
        name: Option<&str>,
        context: MemberContext,
    ) -> FuncId {
        let id = self.reserve();
        let is_async = has_token(node, "async");
        let is_arrow = node.kind() == "arrow_function";
        let mut b = FnBuilder::new(is_async);
        let enclosing_strict = self.strict;
        self.strict = super::strict_mode::is_strict(node, self.src, enclosing_strict);
        let outer = b.at(node);
        let name: Rc<str> = node
            .child_by_field_id(crate::field!("name"))
            .map(|n| self.text(n))
            .or(name)
            .map(Rc::from)
            .unwrap_or_else(|| Rc::from(""));
        if has_token(node, "*") || node.kind().contains("generator") {
            b.is_generator = true;
        }
        if context.super_call {
            // A derived constructor has no `this` until `super()` returns (§10.2.1.1).
            b.emit(Op::Declare(Rc::from(THIS_BINDING), DeclKind::Uninitialised));
        }
        if let Some(param) = node.child_by_field_id(crate::field!("parameter")) {
            b.emit(Op::LoadArg(0));
            b.emit(Op::Declare(Rc::from(self.text(param)), DeclKind::Let));
        } else if let Some(params) = node.child_by_field_id(crate::field!("parameters")) {
            for (index, param) in named_children(params).into_iter().enumerate() {
                let span = b.at(param);
                self.parameter(&mut b, param, index);
                b.restore(span);
            }
        }
        match node.child_by_field_id(crate::field!("body")) {
            Some(body) if body.kind() == "statement_block" => {
                self.hoist_vars(&mut b, body);
                let statements = named_children(body);
                self.statements(&mut b, &statements);
                self.implicit_return(&mut b);
            }
            Some(expression) => {
                self.expression(&mut b, expression);
                b.emit(Op::Return);
            }
            None => b.abstain("a function without a body"),
        }
        b.restore(outer);
        self.finish(id, b, name, Some(node), node.byte_range());
        self.strict = enclosing_strict;
        let constructible = !is_arrow
            && !is_async
            && matches!(
                node.kind(),
                "function_declaration" | "function_expression" | "function"
            );
        if let Some(Some(code)) = self.funcs.get_mut(id) {
            code.constructible = constructible || context.is_constructor;
        }
        id
    }

    /// Falling off the end returns `undefined`, or `this` in a derived
    /// constructor (§10.2.2 step 10-12, where `this` must be bound).
    fn implicit_return(&mut self, b: &mut FnBuilder) {
        if self.member_contexts.last().is_some_and(|c| c.super_call) {
            b.emit(Op::Load(Rc::from(THIS_BINDING)));
        } else {
            b.emit(Op::Push(Value::Undefined));
        }
        b.emit(Op::Return);
    }

    fn parameter(&mut self, b: &mut FnBuilder, param: Node, index: usize) {
        match param.kind() {
            "identifier" => {
                b.emit(Op::LoadArg(index));
                b.emit(Op::Declare(Rc::from(self.text(param)), DeclKind::Let));
            }
            "assignment_pattern" => {
                let Some([left, right]) =
                    fields(param, [crate::field!("left"), crate::field!("right")])
                else {
                    return b.abstain("a malformed default parameter");
                };
                b.emit(Op::LoadArg(index));
                b.emit(Op::Dup);
                b.emit(Op::Push(Value::Undefined));
                b.emit(Op::Binary(super::bytecode::BinOp::StrictNe));
                let skip = b.emit(Op::JumpIfFalse(0));
                let done = b.emit(Op::Jump(0));
                b.patch(skip);
                b.emit(Op::Pop);
                self.expression(b, right);
                b.patch(done);
                self.bind_pattern(b, left, BindMode::Declare(DeclKind::Let));
            }
            "rest_pattern" => match param.named_child(0) {
                Some(target) => {
                    b.emit(Op::LoadRestArgs(index));
                    self.bind_pattern(b, target, BindMode::Declare(DeclKind::Let));
                }
                None => b.abstain("an empty rest parameter"),
            },
            "object_pattern" | "array_pattern" => {
                b.emit(Op::LoadArg(index));
                self.bind_pattern(b, param, BindMode::Declare(DeclKind::Let));
            }
            "comment" => {}
            other => b.abstain(format!("`{other}` parameters are not modelled")),
        }
    }

    /// `var` declarations are function-scoped (§14.3.2): declare them
    /// `undefined` at entry. Function declarations are hoisted per block.
    fn hoist_vars(&mut self, b: &mut FnBuilder, body: Node) {
        let mut names: Vec<&'s str> = Vec::new();
        let mut stack = vec![body];
        while let Some(node) = stack.pop() {
            for child in named_children(node) {
                match child.kind() {
                    "variable_declaration" => {
                        for decl in named_children(child) {
                            if let Some(name) = decl.child_by_field_id(crate::field!("name")) {
                                pattern_names(self.src, name, &mut names);
                            }
                        }
                    }
                    "for_in_statement" => {
                        if child
                            .child_by_field_id(crate::field!("kind"))
                            .is_some_and(|k| self.text(k) == "var")
                        {
                            if let Some(left) = child.child_by_field_id(crate::field!("left")) {
                                pattern_names(self.src, left, &mut names);
                            }
                        }
                        stack.push(child);
                    }
                    kind if is_function_kind(kind) || kind == "class_declaration" => {}
                    _ => stack.push(child),
                }
            }
        }
        names.sort_unstable();
        names.dedup();
        for name in names {
            b.emit(Op::Push(Value::Undefined));
            b.emit(Op::Declare(Rc::from(name), DeclKind::Var));
        }
    }

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
            match statement.kind() {
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
                    for decl in named_children(*statement) {
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
        if node.kind() == "statement_block" {
            b.emit(Op::PushScope);
            b.scopes += 1;
            let statements = named_children(node);
            self.statements(b, &statements);
            b.scopes -= 1;
            b.emit(Op::PopScope);
        } else {
            self.statement(b, node);
        }
    }

    pub(crate) fn statement(&mut self, b: &mut FnBuilder, node: Node) {
        let span = b.at(node);
        match node.kind() {
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
                Some(value) if value.kind() != "comment" => {
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
            "import_statement" => b.abstain("importing another module is not modelled"),
            other => b.abstain(format!("`{other}` is not modelled")),
        }
        b.restore(span);
    }

    /// `export` binds what it declares in this module like the declaration
    /// alone would; `export default value` evaluates the value. Re-exports
    /// (`export ... from`) run another module first, which is not modelled.
    fn export_statement(&mut self, b: &mut FnBuilder, node: Node) {
        if node.child_by_field_id(crate::field!("source")).is_some() {
            return b.abstain("re-exporting another module is not modelled");
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
        for decl in named_children(node) {
            if decl.kind() != "variable_declarator" {
                continue;
            }
            let Some(name) = decl.child_by_field_id(crate::field!("name")) else {
                continue;
            };
            let value = decl.child_by_field_id(crate::field!("value"));
            if name.kind() != "identifier" {
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

/// The hidden binding that holds `this` in a derived constructor.
pub(crate) const THIS_BINDING: &str = "%this";

pub(crate) fn named_children(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|child| child.kind() != "comment")
        .collect()
}

/// The children of `node` in the fields `ids` (each from `crate::field!`),
/// or `None` when one is missing, as in a malformed tree.
pub(crate) fn fields<'t, const N: usize>(node: Node<'t>, ids: [u16; N]) -> Option<[Node<'t>; N]> {
    let mut children = [node; N];
    for (child, id) in children.iter_mut().zip(ids) {
        *child = node.child_by_field_id(id)?;
    }
    Some(children)
}

/// Whether `node` has an anonymous child token spelled `token` (e.g. `async`).
pub(crate) fn has_token(node: Node, token: &str) -> bool {
    let mut cursor = node.walk();
    let found = node
        .children(&mut cursor)
        .any(|child| !child.is_named() && child.kind() == token);
    found
}

/// The declaration an `export` statement wraps (`export async function f`,
/// `export const x = ...`), if any.
fn exported_declaration(node: Node) -> Option<Node> {
    (node.kind() == "export_statement")
        .then(|| node.child_by_field_id(crate::field!("declaration")))
        .flatten()
}

pub(crate) fn is_function_kind(kind: &str) -> bool {
    matches!(
        kind,
        "function_declaration"
            | "function_expression"
            | "function"
            | "arrow_function"
            | "method_definition"
            | "generator_function"
            | "generator_function_declaration"
    )
}
