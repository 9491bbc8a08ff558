//! Compiles the tree-sitter-javascript syntax tree to [`bytecode`](super::bytecode).
//!
//! This file holds the compiler's state, the bytecode builder and functions
//! (parameters, hoisting); statements are compiled in `compile_statements.rs`,
//! expressions in `compile_expr.rs` and the `compile_*.rs` beside it. Anything outside the
//! modelled fragment compiles to `Op::Abstain`, so the engine abstains only if
//! that code actually runs. The caller checks the tree's depth first, which
//! bounds this module's recursion.

use std::ops::Range;
use std::rc::Rc;
use std::sync::OnceLock;

use tree_sitter::Node;

use super::bytecode::{DeclKind, FuncId, FunctionCode, Op};
use super::compile_class::MemberContext;
use super::compile_loops::BreakTarget;
use super::compile_pattern::{pattern_names, BindMode};
use super::value::Value;
use crate::syntax::js;
use crate::syntax::KindName;

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
        let children: Vec<Node> = js::named_children_but_comments(root);
        self.hoist_vars(&mut b, root);
        self.hoist_imports(&mut b, &children);
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
        let is_arrow = function.is_some_and(|f| f.kind_name() == "arrow_function");
        // Only a function expression's name is bound inside it; a declaration's name belongs
        // to the enclosing scope.
        let own_name = function
            .filter(|f| matches!(f.kind_name(), "function_expression" | "function"))
            .and_then(|f| f.child_by_field_id(crate::field!("name")))
            .map(|n| Rc::from(self.text(n)));
        let body = function
            .and_then(|f| f.child_by_field_id(crate::field!("body")))
            .map(|body| body.byte_range());
        self.funcs[id] = Some(FunctionCode {
            name,
            body,
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
        let is_arrow = node.kind_name() == "arrow_function";
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
        let is_async = has_token(node, crate::token!("async"));
        let is_arrow = node.kind_name() == "arrow_function";
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
        if has_token(node, crate::token!("*")) || node.kind_name().contains("generator") {
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
            for (index, param) in js::named_children_but_comments(params)
                .into_iter()
                .enumerate()
            {
                let span = b.at(param);
                self.parameter(&mut b, param, index);
                b.restore(span);
            }
        }
        match node.child_by_field_id(crate::field!("body")) {
            Some(body) if body.kind_name() == "statement_block" => {
                self.hoist_vars(&mut b, body);
                let statements = js::named_children_but_comments(body);
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
                node.kind_name(),
                "function_declaration" | "function_expression" | "function"
            );
        if let Some(Some(code)) = self.funcs.get_mut(id) {
            code.constructible = constructible || context.is_constructor;
        }
        id
    }

    /// Falling off the end returns `undefined`, or `this` in a derived
    /// constructor (§10.2.2 step 10-12, where `this` must be bound).
    pub(crate) fn implicit_return(&mut self, b: &mut FnBuilder) {
        if self.member_contexts.last().is_some_and(|c| c.super_call) {
            b.emit(Op::Load(Rc::from(THIS_BINDING)));
        } else {
            b.emit(Op::Push(Value::Undefined));
        }
        b.emit(Op::Return);
    }

    fn parameter(&mut self, b: &mut FnBuilder, param: Node, index: usize) {
        match param.kind_name() {
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
        // Most bodies declare no `var` (nor can spell one without the word:
        // a keyword cannot be escaped, §12.7.2): their statements need no walk.
        if memchr::memmem::find(self.text(body).as_bytes(), b"var").is_none() {
            return;
        }
        static KINDS: OnceLock<HoistKinds> = OnceLock::new();
        let kinds = KINDS.get_or_init(HoistKinds::new);
        let mut names: Vec<&'s str> = Vec::new();
        let mut stack = vec![body];
        let mut cursor = body.walk();
        while let Some(node) = stack.pop() {
            cursor.reset(node);
            let mut more = cursor.goto_first_child();
            while more {
                let child = cursor.node();
                more = cursor.goto_next_sibling();
                let kind = child.kind_id();
                if kind == kinds.variable_declaration {
                    for decl in js::named_children_but_comments(child) {
                        if let Some(name) = decl.child_by_field_id(crate::field!("name")) {
                            pattern_names(self.src, name, &mut names);
                        }
                    }
                } else if kind == kinds.for_in_statement {
                    if child
                        .child_by_field_id(crate::field!("kind"))
                        .is_some_and(|k| self.text(k) == "var")
                    {
                        if let Some(left) = child.child_by_field_id(crate::field!("left")) {
                            pattern_names(self.src, left, &mut names);
                        }
                    }
                    stack.push(child);
                } else if kinds.holds_statements(kind) && child.is_named() {
                    // Only statements hold a `var` of this function: not
                    // expressions, nor the functions and class bodies in them.
                    stack.push(child);
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
}

/// The kind ids [`Compiler::hoist_vars`] reads.
struct HoistKinds {
    variable_declaration: u16,
    for_in_statement: u16,
    /// Per kind id: one of [`HOLDS_STATEMENTS`].
    holding_statements: Vec<bool>,
}

impl HoistKinds {
    fn new() -> HoistKinds {
        let ids: Vec<u16> = HOLDS_STATEMENTS
            .iter()
            .map(|kind| crate::syntax::kind_id(kind))
            .collect();
        let mut holding_statements =
            vec![false; usize::from(ids.iter().max().copied().unwrap_or(0)) + 1];
        for &id in &ids {
            holding_statements[usize::from(id)] = true;
        }
        let kinds = HoistKinds {
            variable_declaration: crate::syntax::kind_id("variable_declaration"),
            for_in_statement: crate::syntax::kind_id("for_in_statement"),
            holding_statements,
        };
        let read = [kinds.variable_declaration, kinds.for_in_statement];
        assert!(
            !read.iter().chain(&ids).any(|&id| id == 0),
            "every kind hoist_vars reads is one of the grammar's"
        );
        kinds
    }

    fn holds_statements(&self, kind: u16) -> bool {
        self.holding_statements
            .get(usize::from(kind))
            .copied()
            .unwrap_or(false)
    }
}

/// The nodes whose children may be statements of the same function: where
/// [`Compiler::hoist_vars`] looks for `var` declarations.
const HOLDS_STATEMENTS: &[&str] = &[
    "statement_block",
    "if_statement",
    "else_clause",
    "for_statement",
    "while_statement",
    "do_statement",
    "try_statement",
    "catch_clause",
    "finally_clause",
    "switch_statement",
    "switch_body",
    "switch_case",
    "switch_default",
    "labeled_statement",
    "with_statement",
    "export_statement",
];

/// The hidden binding that holds `this` in a derived constructor.
pub(crate) const THIS_BINDING: &str = "%this";

/// The children of `node` in the fields `ids` (each from `crate::field!`),
/// or `None` when one is missing, as in a malformed tree.
pub(crate) fn fields<'t, const N: usize>(node: Node<'t>, ids: [u16; N]) -> Option<[Node<'t>; N]> {
    let mut children = [node; N];
    for (child, id) in children.iter_mut().zip(ids) {
        *child = node.child_by_field_id(id)?;
    }
    Some(children)
}

/// Whether `node` has the anonymous child token whose id is `token`
/// (`crate::token!("async")`) among its modifiers: the tokens before its
/// first named child other than a comment or a decorator. `async`,
/// `static`, `get`, `set` and `*` all come before a function's or a
/// member's name, parameters and body, and `yield*`'s star before its
/// operand; stopping there spares the walk of every child (the compile asks
/// this of every function).
pub(crate) fn has_token(node: Node, token: u16) -> bool {
    for index in 0..node.child_count() {
        let Some(child) = node.child(index) else {
            break;
        };
        if !child.is_named() {
            if child.kind_id() == token {
                return true;
            }
        } else if !matches!(child.kind_name(), "comment" | "html_comment" | "decorator") {
            return false;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::has_token;
    use crate::analysis::dataflow::{preorder, Walk};
    use crate::syntax::{js, KindName};

    /// Every function, member and `yield` of a text with comments and
    /// decorators among the modifiers: the modifiers found are the tokens
    /// a scan of all the children finds.
    #[test]
    fn modifiers_are_the_tokens_before_the_first_named_child() {
        let text = "async function* a() { yield* b; yield c; }\n\
                    const o = { get x() { return 1; }, set x(v) {}, async *m() {}, async() {} };\n\
                    class K { @dec static async /* c */ *s() {} static f = 1; static { } get g() {} }\n\
                    const f = async /* c */ (x) => x, g = async x => x, h = function* () {};\n";
        let tree = crate::syntax::parse(text, None);
        let tokens =
            ["async", "static", "get", "set", "*"].map(|t| (t, crate::syntax::token_id(t)));
        let mut checked = 0;
        preorder(tree.root_node(), |node| {
            let asked = js::is_function(node)
                || matches!(
                    node.kind_name(),
                    "field_definition" | "class_static_block" | "yield_expression"
                );
            if !asked {
                return Walk::Enter;
            }
            let mut cursor = node.walk();
            for (name, token) in tokens {
                let scanned = node
                    .children(&mut cursor)
                    .any(|child| child.kind_id() == token && !child.is_named());
                assert_eq!(
                    has_token(node, token),
                    scanned,
                    "`{name}` in `{}`",
                    &text[node.byte_range()]
                );
                checked += usize::from(scanned);
            }
            Walk::Enter
        });
        assert!(checked >= 12, "the text has modifiers to find: {checked}");
    }
}
