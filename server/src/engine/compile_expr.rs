//! Expressions to bytecode. See `compile.rs` for statements.

use std::rc::Rc;

use tree_sitter::Node;

use super::bytecode::{BinOp, Op, UnOp};
use super::compile::{named_children, Compiler, FnBuilder};
use super::compile_chain::in_optional_chain;
use super::compile_pattern::BindMode;
use super::value::Value;
use crate::syntax::{self, awaits};

impl<'s> Compiler<'s> {
    /// `await (x)(y)`, `await (x).y`, ...: tree-sitter made a call (or
    /// member, subscript) of a name `await` of it (see `syntax::awaits`). In
    /// an async function that is `await` applied to the whole chain after
    /// the keyword, so the chain is read again without the keyword (a parse
    /// of just those bytes, at their own offsets) and compiled as the
    /// operand.
    fn misparsed_await(&mut self, b: &mut FnBuilder, node: Node, keyword: Node) {
        let operand_bytes = tree_sitter::Range {
            start_byte: keyword.end_byte(),
            end_byte: node.end_byte(),
            start_point: keyword.end_position(),
            end_point: node.end_position(),
        };
        let mut parser = syntax::parser();
        let reread = parser
            .set_included_ranges(&[operand_bytes])
            .ok()
            .and_then(|()| parser.parse(self.src, None));
        let Some(tree) = reread else {
            return b.abstain("an `await` the engine could not read");
        };
        let root = tree.root_node();
        let operand = (root.named_child_count() == 1 && !root.has_error())
            .then(|| root.named_child(0))
            .flatten()
            .filter(|statement| statement.kind() == "expression_statement")
            .and_then(|statement| statement.named_child(0))
            .filter(|operand| operand.end_byte() == node.end_byte());
        let Some(operand) = operand else {
            return b.abstain("an `await` the engine could not read");
        };
        self.expression(b, operand);
        b.awaits.push(node.byte_range());
        b.emit(Op::Await);
    }

    pub fn expression(&mut self, b: &mut FnBuilder, node: Node) {
        self.expression_named(b, node, None);
    }

    /// `name` is the binding an anonymous function is assigned to (its `.name`).
    pub fn expression_named(&mut self, b: &mut FnBuilder, node: Node, name: Option<&str>) {
        let span = b.at(node);
        self.expression_inner(b, node, name);
        b.restore(span);
    }

    fn expression_inner(&mut self, b: &mut FnBuilder, node: Node, name: Option<&str>) {
        if b.is_async {
            if let Some(keyword) = awaits::misparsed_keyword(self.src, node) {
                return self.misparsed_await(b, node, keyword);
            }
        }
        match node.kind() {
            "parenthesized_expression" => match node.named_child(0) {
                Some(inner) => self.expression_named(b, inner, name),
                None => b.abstain("empty parentheses"),
            },
            "number" => match parse_number(self.text(node)) {
                Some(n) => {
                    b.emit(Op::Push(Value::Number(n)));
                }
                None => b.abstain("this numeric literal is not modelled"),
            },
            "string" => match decode_string(self, node) {
                Some(text) => {
                    b.emit(Op::Push(Value::str(&text)));
                }
                None => b.abstain("this string escape is not modelled"),
            },
            "template_string" => self.template(b, node),
            "true" => {
                b.emit(Op::Push(Value::Bool(true)));
            }
            "false" => {
                b.emit(Op::Push(Value::Bool(false)));
            }
            "null" => {
                b.emit(Op::Push(Value::Null));
            }
            // A name like any other: a program may declare its own `undefined` (it is only a
            // non-writable property of the global object, §19.1.4).
            "undefined" => {
                b.emit(Op::Load(Rc::from("undefined")));
            }
            "identifier" => {
                b.emit(Op::Load(Rc::from(self.text(node))));
            }
            "this" => self.this(b),
            "arrow_function" | "function_expression" | "function" | "generator_function" => {
                let id = self.compile_function(node, name);
                b.emit(Op::Closure(id));
            }
            "call_expression" => self.call(b, node),
            "new_expression" => self.new_expression(b, node),
            "member_expression" => {
                if in_optional_chain(node) {
                    return self.optional_chain(b, node);
                }
                let (Some(object), Some(property)) = (
                    node.child_by_field_id(crate::field!("object")),
                    node.child_by_field_id(crate::field!("property")),
                ) else {
                    return b.abstain("a malformed member access");
                };
                if object.kind() == "super" {
                    return self.super_property(b, self.text(property));
                }
                self.expression(b, object);
                b.emit(Op::GetProp(Rc::from(self.property_name(property))));
            }
            "subscript_expression" => {
                if in_optional_chain(node) {
                    return self.optional_chain(b, node);
                }
                let (Some(object), Some(index)) = (
                    node.child_by_field_id(crate::field!("object")),
                    node.child_by_field_id(crate::field!("index")),
                ) else {
                    return b.abstain("a malformed subscript");
                };
                self.expression(b, object);
                self.expression(b, index);
                b.emit(Op::GetIndex);
            }
            "await_expression" => {
                if !b.is_async {
                    return b.abstain("`await` outside an async function");
                }
                match node.named_child(0) {
                    Some(operand) => self.expression(b, operand),
                    None => {
                        b.emit(Op::Push(Value::Undefined));
                    }
                }
                b.awaits.push(node.byte_range());
                b.emit(Op::Await);
            }
            "yield_expression" => self.yield_expression(b, node),
            "assignment_expression" => self.assignment(b, node),
            "augmented_assignment_expression" => self.augmented_assignment(b, node),
            "update_expression" => self.update(b, node),
            "binary_expression" => self.binary(b, node),
            "unary_expression" => self.unary(b, node),
            "ternary_expression" => {
                let parts = (
                    node.child_by_field_id(crate::field!("condition")),
                    node.child_by_field_id(crate::field!("consequence")),
                    node.child_by_field_id(crate::field!("alternative")),
                );
                let (Some(condition), Some(yes), Some(no)) = parts else {
                    return b.abstain("a malformed conditional expression");
                };
                self.expression(b, condition);
                let to_no = b.emit(Op::JumpIfFalse(0));
                self.expression(b, yes);
                let to_end = b.emit(Op::Jump(0));
                b.patch(to_no);
                self.expression(b, no);
                b.patch(to_end);
            }
            "sequence_expression" => {
                let parts = named_children(node);
                for (i, part) in parts.iter().enumerate() {
                    self.expression(b, *part);
                    if i + 1 < parts.len() {
                        b.emit(Op::Pop);
                    }
                }
            }
            "array" => self.array(b, node),
            "object" => self.object(b, node),
            "class" => self.class(b, node, name),
            other => b.abstain(format!("`{other}` is not modelled")),
        }
    }

    fn template(&mut self, b: &mut FnBuilder, node: Node) {
        let mut parts = 0;
        let mut pending = String::new();
        for child in named_children(node) {
            match child.kind() {
                "string_fragment" => pending.push_str(self.text(child)),
                "escape_sequence" => match decode_escape(self.text(child)) {
                    Some(text) => pending.push_str(&text),
                    None => return b.abstain("this template escape is not modelled"),
                },
                "template_substitution" => {
                    b.emit(Op::Push(Value::str(&std::mem::take(&mut pending))));
                    match child.named_child(0) {
                        Some(inner) => self.expression(b, inner),
                        None => return b.abstain("an empty template substitution"),
                    }
                    parts += 2;
                }
                _ => return b.abstain("this template literal is not modelled"),
            }
        }
        b.emit(Op::Push(Value::str(&pending)));
        b.emit(Op::Concat(parts + 1));
    }

    /// Pushes the arguments; `Some(true)` when they contain a spread (then a
    /// single array was pushed instead).
    pub(crate) fn arguments(
        &mut self,
        b: &mut FnBuilder,
        args: Option<Node>,
    ) -> Option<(usize, bool)> {
        let Some(args) = args else {
            return Some((0, false));
        };
        if args.kind() == "template_string" {
            b.abstain("tagged templates are not modelled");
            return None;
        }
        let list = named_children(args);
        if list.iter().any(|a| a.kind() == "spread_element") {
            b.emit(Op::Array(0));
            for arg in list {
                self.array_element(b, arg);
            }
            return Some((1, true));
        }
        for arg in &list {
            self.expression(b, *arg);
        }
        Some((list.len(), false))
    }

    fn call(&mut self, b: &mut FnBuilder, node: Node) {
        if in_optional_chain(node) {
            return self.optional_chain(b, node);
        }
        let Some(callee) = node.child_by_field_id(crate::field!("function")) else {
            return b.abstain("a malformed call");
        };
        let args = node.child_by_field_id(crate::field!("arguments"));
        let with_this = match callee.kind() {
            "member_expression" => {
                let (Some(object), Some(property)) = (
                    callee.child_by_field_id(crate::field!("object")),
                    callee.child_by_field_id(crate::field!("property")),
                ) else {
                    return b.abstain("a malformed method call");
                };
                if object.kind() == "super" {
                    self.this(b);
                    b.emit(Op::Dup);
                    if !self.super_home(b) {
                        return;
                    }
                    b.emit(Op::GetSuper(Rc::from(self.text(property))));
                    let Some((argc, spread)) = self.arguments(b, args) else {
                        return;
                    };
                    if spread {
                        b.emit(Op::CallSpread { with_this: true });
                    } else {
                        b.emit(Op::Call {
                            argc,
                            with_this: true,
                        });
                    }
                    return;
                }
                self.expression(b, object);
                let span = b.at(callee);
                b.emit(Op::GetMethod(Rc::from(self.property_name(property))));
                b.restore(span);
                true
            }
            "subscript_expression" => {
                let (Some(object), Some(index)) = (
                    callee.child_by_field_id(crate::field!("object")),
                    callee.child_by_field_id(crate::field!("index")),
                ) else {
                    return b.abstain("a malformed method call");
                };
                self.expression(b, object);
                self.expression(b, index);
                b.emit(Op::GetIndexMethod);
                true
            }
            "import" => return b.abstain("dynamic `import()` is not modelled"),
            "super" => return self.super_call(b, args),
            _ => {
                self.expression(b, callee);
                false
            }
        };
        let Some((argc, spread)) = self.arguments(b, args) else {
            return;
        };
        if spread {
            b.emit(Op::CallSpread { with_this });
        } else {
            b.emit(Op::Call { argc, with_this });
        }
    }

    fn new_expression(&mut self, b: &mut FnBuilder, node: Node) {
        let Some(constructor) = node.child_by_field_id(crate::field!("constructor")) else {
            return b.abstain("a malformed `new`");
        };
        self.expression(b, constructor);
        match self.arguments(b, node.child_by_field_id(crate::field!("arguments"))) {
            Some((argc, false)) => {
                b.emit(Op::New { argc });
            }
            Some((_, true)) => b.abstain("`new` with spread arguments is not modelled"),
            None => {}
        }
    }

    fn assignment(&mut self, b: &mut FnBuilder, node: Node) {
        let (Some(left), Some(right)) = (
            node.child_by_field_id(crate::field!("left")),
            node.child_by_field_id(crate::field!("right")),
        ) else {
            return b.abstain("a malformed assignment");
        };
        match left.kind() {
            "identifier" => {
                let name = self.text(left);
                self.expression_named(b, right, Some(name));
                b.emit(Op::Dup);
                b.emit(Op::Store(Rc::from(name)));
            }
            "member_expression" => {
                let (Some(object), Some(property)) = (
                    left.child_by_field_id(crate::field!("object")),
                    left.child_by_field_id(crate::field!("property")),
                ) else {
                    return b.abstain("a malformed assignment target");
                };
                self.expression(b, object);
                self.expression(b, right);
                b.emit(Op::SetProp(Rc::from(self.property_name(property))));
            }
            "subscript_expression" => {
                let (Some(object), Some(index)) = (
                    left.child_by_field_id(crate::field!("object")),
                    left.child_by_field_id(crate::field!("index")),
                ) else {
                    return b.abstain("a malformed assignment target");
                };
                self.expression(b, object);
                self.expression(b, index);
                self.expression(b, right);
                b.emit(Op::SetIndex);
            }
            "parenthesized_expression" => match left.named_child(0) {
                Some(inner) if inner.kind() == "identifier" => {
                    self.expression(b, right);
                    b.emit(Op::Dup);
                    b.emit(Op::Store(Rc::from(self.text(inner))));
                }
                _ => b.abstain("this assignment target is not modelled"),
            },
            "object_pattern" | "array_pattern" => {
                self.expression(b, right);
                b.emit(Op::Dup);
                self.bind_pattern(b, left, BindMode::Assign);
            }
            _ => b.abstain("this assignment target is not modelled"),
        }
    }

    fn augmented_assignment(&mut self, b: &mut FnBuilder, node: Node) {
        let parts = (
            node.child_by_field_id(crate::field!("left")),
            node.child_by_field_id(crate::field!("operator")),
            node.child_by_field_id(crate::field!("right")),
        );
        let (Some(left), Some(operator), Some(right)) = parts else {
            return b.abstain("a malformed compound assignment");
        };
        let op = match self.text(operator) {
            "+=" => BinOp::Add,
            "-=" => BinOp::Sub,
            "*=" => BinOp::Mul,
            "/=" => BinOp::Div,
            "%=" => BinOp::Rem,
            "**=" => BinOp::Exp,
            "&&=" | "||=" | "??=" => {
                return self.logical_assignment(b, left, self.text(operator), right)
            }
            other => return b.abstain(format!("`{other}` is not modelled")),
        };
        match left.kind() {
            "identifier" => {
                let name: Rc<str> = Rc::from(self.text(left));
                b.emit(Op::Load(name.clone()));
                self.expression(b, right);
                b.emit(Op::Binary(op));
                b.emit(Op::Dup);
                b.emit(Op::Store(name));
            }
            "member_expression" => {
                let (Some(object), Some(property)) = (
                    left.child_by_field_id(crate::field!("object")),
                    left.child_by_field_id(crate::field!("property")),
                ) else {
                    return b.abstain("a malformed assignment target");
                };
                let property: Rc<str> = Rc::from(self.property_name(property));
                self.expression(b, object);
                b.emit(Op::Dup);
                b.emit(Op::GetProp(property.clone()));
                self.expression(b, right);
                b.emit(Op::Binary(op));
                b.emit(Op::SetProp(property));
            }
            "subscript_expression" => {
                let (Some(object), Some(index)) = (
                    left.child_by_field_id(crate::field!("object")),
                    left.child_by_field_id(crate::field!("index")),
                ) else {
                    return b.abstain("a malformed assignment target");
                };
                self.expression(b, object);
                self.expression(b, index);
                b.emit(Op::Dup2);
                b.emit(Op::GetIndex);
                self.expression(b, right);
                b.emit(Op::Binary(op));
                b.emit(Op::SetIndex);
            }
            _ => b.abstain("this assignment target is not modelled"),
        }
    }

    fn logical_assignment(&mut self, b: &mut FnBuilder, left: Node, op: &str, right: Node) {
        if left.kind() != "identifier" {
            return b.abstain("logical assignment to a property is not modelled");
        }
        let name: Rc<str> = Rc::from(self.text(left));
        b.emit(Op::Load(name.clone()));
        let skip = match op {
            "&&=" => b.emit(Op::JumpIfFalseKeep(0)),
            "||=" => b.emit(Op::JumpIfTrueKeep(0)),
            _ => b.emit(Op::JumpIfNotNullishKeep(0)),
        };
        self.expression(b, right);
        b.emit(Op::Dup);
        b.emit(Op::Store(name));
        b.patch(skip);
    }

    fn update(&mut self, b: &mut FnBuilder, node: Node) {
        let (Some(argument), Some(operator)) = (
            node.child_by_field_id(crate::field!("argument")),
            node.child_by_field_id(crate::field!("operator")),
        ) else {
            return b.abstain("a malformed update expression");
        };
        let delta = if self.text(operator) == "++" {
            1.0
        } else {
            -1.0
        };
        let prefix = operator.start_byte() < argument.start_byte();
        match argument.kind() {
            "identifier" => {
                let name: Rc<str> = Rc::from(self.text(argument));
                b.emit(Op::Load(name.clone()));
                b.emit(Op::ToNumber);
                if prefix {
                    b.emit(Op::Push(Value::Number(delta)));
                    b.emit(Op::Binary(BinOp::Add));
                    b.emit(Op::Dup);
                    b.emit(Op::Store(name));
                } else {
                    b.emit(Op::Dup);
                    b.emit(Op::Push(Value::Number(delta)));
                    b.emit(Op::Binary(BinOp::Add));
                    b.emit(Op::Store(name));
                }
            }
            "member_expression" => {
                let (Some(object), Some(property)) = (
                    argument.child_by_field_id(crate::field!("object")),
                    argument.child_by_field_id(crate::field!("property")),
                ) else {
                    return b.abstain("a malformed update target");
                };
                self.expression(b, object);
                b.emit(Op::UpdateProp {
                    name: Rc::from(self.property_name(property)),
                    delta,
                    prefix,
                });
            }
            "subscript_expression" => {
                let (Some(object), Some(index)) = (
                    argument.child_by_field_id(crate::field!("object")),
                    argument.child_by_field_id(crate::field!("index")),
                ) else {
                    return b.abstain("a malformed update target");
                };
                self.expression(b, object);
                self.expression(b, index);
                b.emit(Op::UpdateIndex { delta, prefix });
            }
            _ => b.abstain("this update target is not modelled"),
        }
    }

    fn binary(&mut self, b: &mut FnBuilder, node: Node) {
        let parts = (
            node.child_by_field_id(crate::field!("left")),
            node.child_by_field_id(crate::field!("operator")),
            node.child_by_field_id(crate::field!("right")),
        );
        let (Some(left), Some(operator), Some(right)) = parts else {
            return b.abstain("a malformed binary expression");
        };
        let operator = self.text(operator);
        let short_circuit = match operator {
            "&&" => Some(Op::JumpIfFalseKeep(0)),
            "||" => Some(Op::JumpIfTrueKeep(0)),
            "??" => Some(Op::JumpIfNotNullishKeep(0)),
            _ => None,
        };
        if let Some(jump) = short_circuit {
            self.expression(b, left);
            let at = b.emit(jump);
            self.expression(b, right);
            b.patch(at);
            return;
        }
        let op = match operator {
            "+" => BinOp::Add,
            "-" => BinOp::Sub,
            "*" => BinOp::Mul,
            "/" => BinOp::Div,
            "%" => BinOp::Rem,
            "**" => BinOp::Exp,
            "===" => BinOp::StrictEq,
            "!==" => BinOp::StrictNe,
            "==" => BinOp::LooseEq,
            "!=" => BinOp::LooseNe,
            "<" => BinOp::Lt,
            ">" => BinOp::Gt,
            "<=" => BinOp::Le,
            ">=" => BinOp::Ge,
            "instanceof" => BinOp::InstanceOf,
            other => return b.abstain(format!("the `{other}` operator is not modelled")),
        };
        self.expression(b, left);
        self.expression(b, right);
        b.emit(Op::Binary(op));
    }

    fn unary(&mut self, b: &mut FnBuilder, node: Node) {
        let (Some(argument), Some(operator)) = (
            node.child_by_field_id(crate::field!("argument")),
            node.child_by_field_id(crate::field!("operator")),
        ) else {
            return b.abstain("a malformed unary expression");
        };
        let op = match self.text(operator) {
            "!" => UnOp::Not,
            "-" => UnOp::Neg,
            "+" => UnOp::Plus,
            "void" => UnOp::Void,
            "typeof" => {
                if argument.kind() == "identifier" {
                    b.emit(Op::TypeofName(Rc::from(self.text(argument))));
                    return;
                }
                UnOp::Typeof
            }
            other => return b.abstain(format!("the `{other}` operator is not modelled")),
        };
        self.expression(b, argument);
        b.emit(Op::Unary(op));
    }

    fn array_element(&mut self, b: &mut FnBuilder, element: Node) {
        if element.kind() == "spread_element" {
            match element.named_child(0) {
                Some(inner) => self.expression(b, inner),
                None => return b.abstain("an empty spread"),
            }
            b.emit(Op::ArraySpread);
        } else {
            self.expression(b, element);
            b.emit(Op::ArrayPush);
        }
    }

    fn array(&mut self, b: &mut FnBuilder, node: Node) {
        let elements = named_children(node);
        // A hole (`[1, , 2]`) shows as two adjacent commas.
        let text = self.text(node);
        if text.replace(char::is_whitespace, "").contains(",,")
            || text.replace(char::is_whitespace, "").starts_with("[,")
        {
            return b.abstain("array holes are not modelled");
        }
        if elements.iter().any(|e| e.kind() == "spread_element") {
            b.emit(Op::Array(0));
            for element in elements {
                self.array_element(b, element);
            }
            return;
        }
        for element in &elements {
            self.expression(b, *element);
        }
        b.emit(Op::Array(elements.len()));
    }

    fn object(&mut self, b: &mut FnBuilder, node: Node) {
        // Accessors and spreads define members one at a time, in order.
        if named_children(node).into_iter().any(|member| {
            member.kind() == "spread_element"
                || (member.kind() == "method_definition"
                    && (super::compile::has_token(member, "get")
                        || super::compile::has_token(member, "set")))
        }) {
            return self.object_with_accessors(b, node);
        }
        let mut keys: Vec<Rc<str>> = Vec::new();
        for member in named_children(node) {
            match member.kind() {
                "pair" => {
                    let (Some(key), Some(value)) = (
                        member.child_by_field_id(crate::field!("key")),
                        member.child_by_field_id(crate::field!("value")),
                    ) else {
                        return b.abstain("a malformed property");
                    };
                    let Some(key) = self.property_key(key) else {
                        return b.abstain("computed or numeric keys are not modelled");
                    };
                    self.expression_named(b, value, Some(&key));
                    keys.push(Rc::from(key.as_str()));
                }
                "shorthand_property_identifier" => {
                    let name = self.text(member);
                    b.emit(Op::Load(Rc::from(name)));
                    keys.push(Rc::from(name));
                }
                "method_definition" => {
                    let Some(key) = member
                        .child_by_field_id(crate::field!("name"))
                        .and_then(|k| self.property_key(k))
                    else {
                        return b.abstain("computed method names are not modelled");
                    };
                    let id = self.compile_function(member, Some(&key));
                    b.emit(Op::Closure(id));
                    keys.push(Rc::from(key.as_str()));
                }
                _ => return b.abstain("this object literal member is not modelled"),
            }
        }
        let mut seen = keys.clone();
        seen.sort_unstable();
        seen.dedup();
        if seen.len() != keys.len() {
            return b.abstain("duplicate keys in an object literal are not modelled");
        }
        b.emit(Op::Object(keys));
    }

    pub(crate) fn property_key(&self, key: Node) -> Option<String> {
        match key.kind() {
            "property_identifier" | "identifier" => Some(self.text(key).to_owned()),
            "string" => decode_string(self, key).filter(|k| !is_array_index(k)),
            _ => None,
        }
    }
}

/// Integer-like keys are ordered first by V8; the engine keeps insertion order,
/// so it refuses them.
pub(crate) fn is_array_index(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|c| c.is_ascii_digit())
}

/// A string literal used as a property key, unless it is an array index
/// (which V8 orders before the other keys).
pub(crate) fn string_key(compiler: &Compiler, node: Node) -> Option<String> {
    decode_string(compiler, node).filter(|key| !is_array_index(key))
}

fn decode_string(compiler: &Compiler, node: Node) -> Option<String> {
    let mut out = String::new();
    for child in named_children(node) {
        match child.kind() {
            "string_fragment" => out.push_str(compiler.text(child)),
            "escape_sequence" => out.push_str(&decode_escape(compiler.text(child))?),
            _ => return None,
        }
    }
    Some(out)
}

/// Decodes one escape sequence (`\n`, `\x41`, `\u0041`, `\u{1F600}`).
fn decode_escape(text: &str) -> Option<String> {
    let body = text.strip_prefix('\\')?;
    let mut chars = body.chars();
    let first = chars.next()?;
    let simple = match first {
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'v' => Some('\u{b}'),
        '0' if body.len() == 1 => Some('\0'),
        '\\' | '\'' | '"' | '`' | '$' => Some(first),
        _ => None,
    };
    if let Some(c) = simple {
        return Some(c.to_string());
    }
    match first {
        'x' => {
            let code = u32::from_str_radix(&body[1..], 16).ok()?;
            Some(char::from_u32(code)?.to_string())
        }
        'u' => {
            let hex = body[1..].trim_start_matches('{').trim_end_matches('}');
            let code = u32::from_str_radix(hex, 16).ok()?;
            // Lone surrogates cannot be represented in a Rust string.
            Some(char::from_u32(code)?.to_string())
        }
        '\n' | '\r' => Some(String::new()),
        c if c.is_ascii_digit() => None,
        c => Some(c.to_string()),
    }
}

fn parse_number(text: &str) -> Option<f64> {
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    if clean.ends_with('n') {
        return None;
    }
    let lower = clean.to_ascii_lowercase();
    let radix =
        |digits: &str, radix: u32| u64::from_str_radix(digits, radix).ok().map(|n| n as f64);
    if let Some(hex) = lower.strip_prefix("0x") {
        return radix(hex, 16);
    }
    if let Some(oct) = lower.strip_prefix("0o") {
        return radix(oct, 8);
    }
    if let Some(bin) = lower.strip_prefix("0b") {
        return radix(bin, 2);
    }
    if lower.len() > 1 && lower.starts_with('0') && lower.bytes().all(|c| c.is_ascii_digit()) {
        return None; // legacy octal
    }
    lower.parse::<f64>().ok()
}
