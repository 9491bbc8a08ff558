//! Assignments to bytecode: `=`, compound and logical assignment, and
//! `++`/`--`, to a name, a property or an index.

use std::rc::Rc;

use tree_sitter::Node;

use super::bytecode::{BinOp, Op};
use super::compile::{fields, Compiler, FnBuilder};
use super::compile_expr::{arithmetic_op, binary_parts};
use super::compile_pattern::BindMode;
use super::value::Value;
use crate::syntax::KindName;

impl Compiler<'_> {
    pub(crate) fn assignment(&mut self, b: &mut FnBuilder, node: Node) {
        let Some([left, right]) = fields(node, [crate::field!("left"), crate::field!("right")])
        else {
            return b.abstain("a malformed assignment");
        };
        match left.kind_name() {
            "identifier" => {
                let name = self.text(left);
                self.expression_named(b, right, Some(name));
                b.emit(Op::Dup);
                b.emit(Op::Store(Rc::from(name)));
            }
            "member_expression" | "subscript_expression" => {
                let Some(key) = self.reference(b, left, "a malformed assignment target") else {
                    return;
                };
                self.expression(b, right);
                b.emit(key.set());
            }
            "parenthesized_expression" => match left.named_child(0) {
                Some(inner) if inner.kind_name() == "identifier" => {
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

    pub(crate) fn augmented_assignment(&mut self, b: &mut FnBuilder, node: Node) {
        let Some([left, operator, right]) = binary_parts(node) else {
            return b.abstain("a malformed compound assignment");
        };
        let operator = self.text(operator);
        if matches!(operator, "&&=" | "||=" | "??=") {
            return self.logical_assignment(b, left, operator, right);
        }
        let Some(op) = operator.strip_suffix('=').and_then(arithmetic_op) else {
            return b.abstain(format!("`{operator}` is not modelled"));
        };
        match left.kind_name() {
            "identifier" => {
                let name: Rc<str> = Rc::from(self.text(left));
                b.emit(Op::Load(name.clone()));
                self.expression(b, right);
                b.emit(Op::Binary(op));
                b.emit(Op::Dup);
                b.emit(Op::Store(name));
            }
            "member_expression" | "subscript_expression" => {
                let Some(key) = self.reference(b, left, "a malformed assignment target") else {
                    return;
                };
                // Keep the object (and index) for the write after the read.
                let (keep, get) = match &key {
                    Key::Name(name) => (Op::Dup, Op::GetProp(name.clone())),
                    Key::Index => (Op::Dup2, Op::GetIndex),
                };
                b.emit(keep);
                b.emit(get);
                self.expression(b, right);
                b.emit(Op::Binary(op));
                b.emit(key.set());
            }
            _ => b.abstain("this assignment target is not modelled"),
        }
    }

    fn logical_assignment(&mut self, b: &mut FnBuilder, left: Node, op: &str, right: Node) {
        if left.kind_name() != "identifier" {
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

    pub(crate) fn update(&mut self, b: &mut FnBuilder, node: Node) {
        let Some([argument, operator]) =
            fields(node, [crate::field!("argument"), crate::field!("operator")])
        else {
            return b.abstain("a malformed update expression");
        };
        let delta = if self.text(operator) == "++" {
            1.0
        } else {
            -1.0
        };
        let prefix = operator.start_byte() < argument.start_byte();
        match argument.kind_name() {
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
            "member_expression" | "subscript_expression" => {
                match self.reference(b, argument, "a malformed update target") {
                    Some(Key::Name(name)) => b.emit(Op::UpdateProp {
                        name,
                        delta,
                        prefix,
                    }),
                    Some(Key::Index) => b.emit(Op::UpdateIndex { delta, prefix }),
                    None => return,
                };
            }
            _ => b.abstain("this update target is not modelled"),
        }
    }

    /// Compiles the object of `object.name` or `object[index]` (and the
    /// index), which a read, a method call, an assignment or an update then
    /// goes through; `None` once it has abstained with `malformed`.
    pub(crate) fn reference(
        &mut self,
        b: &mut FnBuilder,
        target: Node,
        malformed: &str,
    ) -> Option<Key> {
        let key_field = match target.kind_name() {
            "subscript_expression" => crate::field!("index"),
            _ => crate::field!("property"),
        };
        let Some([object, key]) = fields(target, [crate::field!("object"), key_field]) else {
            b.abstain(malformed);
            return None;
        };
        self.expression(b, object);
        if target.kind_name() == "subscript_expression" {
            self.expression(b, key);
            return Some(Key::Index);
        }
        Some(Key::Name(Rc::from(self.property_name(key))))
    }
}

/// How a [`Compiler::reference`] is written: by name, or by the index on the stack.
pub(crate) enum Key {
    Name(Rc<str>),
    Index,
}

impl Key {
    fn set(self) -> Op {
        match self {
            Key::Name(name) => Op::SetProp(name),
            Key::Index => Op::SetIndex,
        }
    }
}
