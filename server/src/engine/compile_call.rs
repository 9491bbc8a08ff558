//! Calls to bytecode: arguments (with spreads), method calls with their
//! receiver, and `new`.

use std::rc::Rc;

use tree_sitter::Node;

use super::bytecode::Op;
use super::compile::{fields, Compiler, FnBuilder};
use super::compile_chain::in_optional_chain;
use crate::syntax::js::named_children_but_comments;
use crate::syntax::KindName;

impl Compiler<'_> {
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
        if args.kind_name() == "template_string" {
            b.abstain("tagged templates are not modelled");
            return None;
        }
        let list = named_children_but_comments(args);
        if list.iter().any(|a| a.kind_name() == "spread_element") {
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

    pub(crate) fn call(&mut self, b: &mut FnBuilder, node: Node) {
        if in_optional_chain(self.src, node) {
            return self.optional_chain(b, node);
        }
        let Some(callee) = node.child_by_field_id(crate::field!("function")) else {
            return b.abstain("a malformed call");
        };
        let args = node.child_by_field_id(crate::field!("arguments"));
        let with_this = match callee.kind_name() {
            "member_expression" => {
                let Some([object, property]) =
                    fields(callee, [crate::field!("object"), crate::field!("property")])
                else {
                    return b.abstain("a malformed method call");
                };
                if object.kind_name() == "super" {
                    self.this(b);
                    b.emit(Op::Dup);
                    if !self.super_home(b) {
                        return;
                    }
                    b.emit(Op::GetSuper(Rc::from(self.text(property))));
                    return self.call_with_arguments(b, args, true);
                }
                self.expression(b, object);
                let span = b.at(callee);
                b.emit(Op::GetMethod(Rc::from(self.property_name(property))));
                b.restore(span);
                true
            }
            "subscript_expression" => {
                if self
                    .reference(b, callee, "a malformed method call")
                    .is_none()
                {
                    return;
                }
                b.emit(Op::GetIndexMethod);
                true
            }
            "import" => return self.dynamic_import(b, args),
            "super" => return self.super_call(b, args),
            _ => {
                self.expression(b, callee);
                false
            }
        };
        self.call_with_arguments(b, args, with_this);
    }

    /// Pushes the arguments and calls the callee below them (and below it
    /// the receiver, `with_this`).
    pub(crate) fn call_with_arguments(
        &mut self,
        b: &mut FnBuilder,
        args: Option<Node>,
        with_this: bool,
    ) {
        let Some((argc, spread)) = self.arguments(b, args) else {
            return;
        };
        if spread {
            b.emit(Op::CallSpread { with_this });
        } else {
            b.emit(Op::Call { argc, with_this });
        }
    }

    pub(crate) fn new_expression(&mut self, b: &mut FnBuilder, node: Node) {
        let Some(constructor) = node.child_by_field_id(crate::field!("constructor")) else {
            return b.abstain("a malformed `new`");
        };
        self.expression(b, constructor);
        match self.arguments(b, node.child_by_field_id(crate::field!("arguments"))) {
            Some((argc, false)) => {
                b.emit(Op::New { argc });
            }
            Some((_, true)) => {
                b.emit(Op::NewSpread);
            }
            None => {}
        }
    }
}
