//! Expressions to bytecode. See `compile.rs` for statements.

use std::rc::Rc;

use tree_sitter::Node;

use super::bytecode::{BinOp, Op, UnOp};
use super::compile::{fields, Compiler, FnBuilder};
use super::compile_chain::in_optional_chain;
use super::compile_literal::{decode_escape, decode_string, parse_number};
use super::value::Value;
use crate::syntax::js::named_children_but_comments;
use crate::syntax::KindName;
use crate::syntax::{self, awaits, js};

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
            .filter(|statement| statement.kind_name() == "expression_statement")
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
        match node.kind_name() {
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
            _ if js::is_function(node) => {
                let id = self.compile_function(node, name);
                b.emit(Op::Closure(id));
            }
            "call_expression" => self.call(b, node),
            "new_expression" => self.new_expression(b, node),
            "member_expression" => {
                if in_optional_chain(self.src, node) {
                    return self.optional_chain(b, node);
                }
                let Some([object, property]) =
                    fields(node, [crate::field!("object"), crate::field!("property")])
                else {
                    return b.abstain("a malformed member access");
                };
                if object.kind_name() == "super" {
                    return self.super_property(b, self.text(property));
                }
                self.expression(b, object);
                b.emit(Op::GetProp(Rc::from(self.property_name(property))));
            }
            "subscript_expression" => {
                if in_optional_chain(self.src, node) {
                    return self.optional_chain(b, node);
                }
                if self.reference(b, node, "a malformed subscript").is_some() {
                    b.emit(Op::GetIndex);
                }
            }
            "await_expression" => {
                if !b.is_async {
                    return b.abstain("`await` outside an async function");
                }
                self.operand_or_undefined(b, node);
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
                let Some([condition, yes, no]) = fields(
                    node,
                    [
                        crate::field!("condition"),
                        crate::field!("consequence"),
                        crate::field!("alternative"),
                    ],
                ) else {
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
                let parts = named_children_but_comments(node);
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
            "regex" => {
                let literal = super::builtins_regex::REGEX_LITERAL_BINDING;
                b.emit(Op::Load(Rc::from(literal)));
                b.emit(Op::Push(Value::str(self.text(node))));
                b.emit(Op::Call {
                    argc: 1,
                    with_this: false,
                });
            }
            other => b.abstain(format!("`{other}` is not modelled")),
        }
    }

    /// The operand of `await` or `yield`; `undefined` when there is none.
    pub(crate) fn operand_or_undefined(&mut self, b: &mut FnBuilder, node: Node) {
        match node.named_child(0) {
            Some(operand) => self.expression(b, operand),
            None => {
                b.emit(Op::Push(Value::Undefined));
            }
        }
    }

    fn template(&mut self, b: &mut FnBuilder, node: Node) {
        let mut parts = 0;
        let mut pending = String::new();
        for child in named_children_but_comments(node) {
            match child.kind_name() {
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

    fn binary(&mut self, b: &mut FnBuilder, node: Node) {
        let Some([left, operator, right]) = binary_parts(node) else {
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
            "===" => BinOp::StrictEq,
            "!==" => BinOp::StrictNe,
            "==" => BinOp::LooseEq,
            "!=" => BinOp::LooseNe,
            "<" => BinOp::Lt,
            ">" => BinOp::Gt,
            "<=" => BinOp::Le,
            ">=" => BinOp::Ge,
            "instanceof" => BinOp::InstanceOf,
            "in" => BinOp::In,
            other => match arithmetic_op(other) {
                Some(op) => op,
                None => return b.abstain(format!("the `{other}` operator is not modelled")),
            },
        };
        self.expression(b, left);
        self.expression(b, right);
        b.emit(Op::Binary(op));
    }

    fn unary(&mut self, b: &mut FnBuilder, node: Node) {
        let Some([argument, operator]) =
            fields(node, [crate::field!("argument"), crate::field!("operator")])
        else {
            return b.abstain("a malformed unary expression");
        };
        let op = match self.text(operator) {
            "!" => UnOp::Not,
            "-" => UnOp::Neg,
            "+" => UnOp::Plus,
            "void" => UnOp::Void,
            "~" => UnOp::BitNot,
            "typeof" => {
                if argument.kind_name() == "identifier" {
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
}

/// The `left`, `operator` and `right` of a binary expression or a compound
/// assignment; `None` in a malformed tree.
pub(crate) fn binary_parts(node: Node) -> Option<[Node; 3]> {
    let ids = [
        crate::field!("left"),
        crate::field!("operator"),
        crate::field!("right"),
    ];
    fields(node, ids)
}

/// The arithmetic operators, which compound assignment (`+=` ...) shares.
pub(crate) fn arithmetic_op(operator: &str) -> Option<BinOp> {
    Some(match operator {
        "+" => BinOp::Add,
        "-" => BinOp::Sub,
        "*" => BinOp::Mul,
        "/" => BinOp::Div,
        "%" => BinOp::Rem,
        "**" => BinOp::Exp,
        "&" => BinOp::BitAnd,
        "|" => BinOp::BitOr,
        "^" => BinOp::BitXor,
        "<<" => BinOp::Shl,
        ">>" => BinOp::Shr,
        ">>>" => BinOp::UShr,
        _ => return None,
    })
}
