//! `switch` (§14.12): the cases' tests run in source order with `===`
//! (§14.12.4 CaseClauseIsSelected), the cases after `default` before it; the
//! matched case's body falls through into the next ones until a `break`.

use tree_sitter::Node;

use super::bytecode::{BinOp, DeclKind, Op};
use super::compile::{fields, Compiler, FnBuilder};
use crate::syntax::js::named_children_but_comments;
use crate::syntax::KindName;

impl<'s> Compiler<'s> {
    pub(crate) fn switch_statement(&mut self, b: &mut FnBuilder, node: Node) {
        let Some([value, body]) = fields(node, [crate::field!("value"), crate::field!("body")])
        else {
            return b.abstain("a malformed `switch`");
        };
        self.expression(b, value);
        // The case block is one scope for every clause's declarations (§14.12.4).
        b.emit(Op::PushScope);
        b.scopes += 1;
        let discriminant = self.hidden_name("switch");
        b.emit(Op::Declare(discriminant.clone(), DeclKind::Const));
        let clauses = named_children_but_comments(body);
        let bodies: Vec<Vec<Node>> = clauses
            .iter()
            .map(|clause| {
                let test = clause.child_by_field_id(crate::field!("value"));
                named_children_but_comments(*clause)
                    .into_iter()
                    .filter(|child| Some(child.id()) != test.map(|t| t.id()))
                    .collect()
            })
            .collect();
        let all: Vec<Node> = bodies.iter().flatten().copied().collect();
        self.hoist_declarations(b, &all);
        let mut to_body: Vec<Option<usize>> = vec![None; clauses.len()];
        for (index, clause) in clauses.iter().enumerate() {
            if clause.kind_name() != "switch_case" {
                continue;
            }
            let Some(test) = clause.child_by_field_id(crate::field!("value")) else {
                return b.abstain("a `case` without a value");
            };
            let span = b.at(*clause);
            b.emit(Op::Load(discriminant.clone()));
            self.expression(b, test);
            b.emit(Op::Binary(BinOp::StrictEq));
            let next_test = b.emit(Op::JumpIfFalse(0));
            to_body[index] = Some(b.emit(Op::Jump(0)));
            b.patch(next_test);
            b.restore(span);
        }
        let to_default = b.emit(Op::Jump(0));
        let mut has_default = false;
        self.open_target(b, false, true);
        for (index, clause) in clauses.iter().enumerate() {
            if let Some(jump) = to_body[index] {
                b.patch(jump);
            }
            if clause.kind_name() == "switch_default" {
                has_default = true;
                b.patch(to_default);
            }
            for statement in &bodies[index] {
                self.statement(b, *statement);
            }
        }
        if !has_default {
            b.patch(to_default);
        }
        let end = b.here();
        self.close_target(b, end);
        b.scopes -= 1;
        b.emit(Op::PopScope);
    }
}
