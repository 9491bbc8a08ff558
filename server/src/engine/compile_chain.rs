//! Optional chains (§13.3.9): `a?.b`, `a?.[k]`, `f?.()` and `a.b?.()`. When
//! the value left of a `?.` is `null` or `undefined`, the whole chain (every
//! member access and call after it, up to the chain's end) is skipped and
//! evaluates to `undefined`. A parenthesised part ends a chain.

use tree_sitter::Node;

use super::bytecode::Op;
use super::compile::{fields, Compiler, FnBuilder};
use super::value::Value;
use crate::syntax::KindName;

/// Whether `node` has its own `?.`.
fn has_own_optional(node: Node) -> bool {
    node.child_by_field_id(crate::field!("optional_chain"))
        .is_some()
}

/// Whether a `?.` occurs in the chain that ends at `node`: on it, or on the
/// objects and callees it is built on (not inside parentheses or arguments).
/// `source` is the text `node` is in: a chain whose text holds no `?.` has
/// none, found without walking its links.
pub(crate) fn in_optional_chain(source: &str, node: Node) -> bool {
    let text = source.as_bytes().get(node.byte_range()).unwrap_or_default();
    if memchr::memmem::find(text, b"?.").is_none() {
        return false;
    }
    let mut link = Some(node);
    while let Some(node) = link {
        if !matches!(
            node.kind_name(),
            "member_expression" | "subscript_expression" | "call_expression"
        ) {
            return false;
        }
        if has_own_optional(node) {
            return true;
        }
        link = node
            .child_by_field_id(crate::field!("object"))
            .or_else(|| node.child_by_field_id(crate::field!("function")));
    }
    false
}

impl<'s> Compiler<'s> {
    /// The whole chain ending at `node`, which holds a `?.`.
    pub(crate) fn optional_chain(&mut self, b: &mut FnBuilder, node: Node) {
        let mut skips = Vec::new();
        self.chain_link(b, node, &mut skips);
        let end = b.emit(Op::Jump(0));
        for skip in skips {
            b.patch(skip);
        }
        b.emit(Op::Push(Value::Undefined));
        b.patch(end);
    }

    /// Leaves the value of `node` on the stack, or jumps to one of `skips`
    /// with nothing of the chain left on the stack.
    fn chain_link(&mut self, b: &mut FnBuilder, node: Node, skips: &mut Vec<usize>) {
        let span = b.at(node);
        match node.kind_name() {
            "member_expression" => {
                let Some(object) = node.child_by_field_id(crate::field!("object")) else {
                    return b.abstain("a malformed member access");
                };
                let Some(name) = self.public_property(b, node, "a malformed member access") else {
                    return;
                };
                self.chain_link(b, object, skips);
                if has_own_optional(node) {
                    skips.push(b.emit(Op::SkipIfNullish { target: 0, drop: 1 }));
                }
                b.emit(Op::GetProp(name));
            }
            "subscript_expression" => {
                let Some([object, index]) =
                    fields(node, [crate::field!("object"), crate::field!("index")])
                else {
                    return b.abstain("a malformed subscript");
                };
                self.chain_link(b, object, skips);
                if has_own_optional(node) {
                    skips.push(b.emit(Op::SkipIfNullish { target: 0, drop: 1 }));
                }
                self.expression(b, index);
                b.emit(Op::GetIndex);
            }
            "call_expression" => self.chain_call(b, node, skips),
            _ => self.expression(b, node),
        }
        b.restore(span);
    }

    fn chain_call(&mut self, b: &mut FnBuilder, node: Node, skips: &mut Vec<usize>) {
        let Some(callee) = node.child_by_field_id(crate::field!("function")) else {
            return b.abstain("a malformed call");
        };
        let method = matches!(
            callee.kind_name(),
            "member_expression" | "subscript_expression"
        );
        if method {
            // `a?.b()` and `a.b?.()`: the receiver is the object of the callee.
            let Some(object) = callee.child_by_field_id(crate::field!("object")) else {
                return b.abstain("a malformed method call");
            };
            self.chain_link(b, object, skips);
            if has_own_optional(callee) {
                skips.push(b.emit(Op::SkipIfNullish { target: 0, drop: 1 }));
            }
            if callee.kind_name() == "member_expression" {
                let Some(name) = self.public_property(b, callee, "a malformed method call") else {
                    return;
                };
                b.emit(Op::GetMethod(name));
            } else {
                let Some(index) = callee.child_by_field_id(crate::field!("index")) else {
                    return b.abstain("a malformed method call");
                };
                self.expression(b, index);
                b.emit(Op::GetIndexMethod);
            }
        } else {
            self.chain_link(b, callee, skips);
        }
        if has_own_optional(node) {
            let drop = if method { 2 } else { 1 };
            skips.push(b.emit(Op::SkipIfNullish { target: 0, drop }));
        }
        let args = node.child_by_field_id(crate::field!("arguments"));
        self.call_with_arguments(b, args, method);
    }
}
