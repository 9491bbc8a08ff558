//! Uses of names: every reference in a function (closures included) with the
//! binding it resolves to, how it reads or writes it, and the function's own
//! awaits and loops.

use std::collections::HashSet;

use tree_sitter::Node;

use super::access::{access_among, is_reference_kind, Access};
use super::scopes::{is_block, Resolver};
use super::walk::{ancestor, preorder_with_ancestors, Walk};
use super::{AwaitPoint, Binding, Kill, LoopInfo, Reference, Resolution};
use crate::syntax::awaits;
use crate::syntax::js::{is_async_function, is_function, pattern_identifiers};

/// Step 3 of [`super::FunctionFlow::new`]: references, awaits and loops.
pub(super) struct Uses<'t> {
    pub(super) references: Vec<Reference>,
    pub(super) awaits: Vec<AwaitPoint>,
    pub(super) loops: Vec<LoopInfo>,
    /// Values assigned to a binding by `x = value` in the function's own code.
    pub(super) assigned_values: Vec<(usize, Node<'t>)>,
}

impl<'t> Uses<'t> {
    /// Walks `root`, records every use of a name, and marks each binding's
    /// reads, writes, kills and capture.
    pub(super) fn collect(
        source: &str,
        root: Node<'t>,
        names: &Resolver,
        decl_sites: &HashSet<usize>,
        bindings: &mut [Binding],
    ) -> Uses<'t> {
        let mut uses = Uses {
            references: Vec::new(),
            awaits: Vec::new(),
            loops: Vec::new(),
            assigned_values: Vec::new(),
        };
        let mut function_depth: Vec<Node> = Vec::new();
        let root_is_async = is_function(root) && is_async_function(root);
        preorder_with_ancestors(root, |node, ancestors| {
            while function_depth
                .last()
                .is_some_and(|f| f.end_byte() <= node.start_byte() && *f != node)
            {
                function_depth.pop();
            }
            if node != root && is_function(node) {
                function_depth.push(node);
            }
            let in_closure = !function_depth.is_empty();
            // Awaits as JavaScript reads them (`await (x).y` too), from the
            // syntax layer; this is `root`'s own code, so `await` is an
            // operator here exactly when `root` is an async function.
            if !in_closure {
                if let Some(awaited) = awaits::await_expression_in(source, node, root_is_async) {
                    uses.awaits.push(AwaitPoint {
                        range: awaited.range(),
                        keyword: awaited.keyword.byte_range(),
                        operand: awaited.operand_range(),
                    });
                }
            }
            match node.kind() {
                kind if is_reference_kind(kind) && !decl_sites.contains(&node.id()) => {
                    uses.reference(source, names, bindings, node, ancestors, in_closure);
                }
                "for_in_statement" | "for_statement" | "while_statement" | "do_statement"
                    if !in_closure =>
                {
                    uses.loops.push(loop_info(source, names, node));
                }
                _ => {}
            }
            Walk::Enter
        });
        uses
    }

    /// Records the reference `node`, and what it does to a local binding.
    fn reference(
        &mut self,
        source: &str,
        names: &Resolver,
        bindings: &mut [Binding],
        node: Node<'t>,
        ancestors: &[Node<'t>],
        in_closure: bool,
    ) {
        let range = node.byte_range();
        let name = &source[range.clone()];
        let access = access_among(node, ancestors);
        let resolution = match names.resolve(name, &range) {
            None => Resolution::Outer,
            Some(index) => match names.local_index.get(&index) {
                Some(&local) => Resolution::Local(local),
                None => Resolution::Nested,
            },
        };
        if let Resolution::Local(local) = resolution {
            let binding = &mut bindings[local];
            if in_closure {
                binding.captured = true;
            } else {
                if access != Access::Write {
                    binding.reads.push(range.clone());
                }
                if access != Access::Read {
                    binding.writes.push(range.clone());
                }
                if let Some(kill) = plain_assignment_statement(node, ancestors) {
                    binding.kills.push(kill);
                }
                if access == Access::Write {
                    if let Some(value) = ancestor(node, ancestors, 1)
                        .filter(|p| p.kind() == "assignment_expression")
                        .and_then(|p| p.child_by_field_id(crate::field!("right")))
                    {
                        self.assigned_values.push((local, value));
                    }
                }
            }
        }
        self.references.push(Reference {
            range,
            access,
            resolution,
            in_closure,
        });
    }
}

/// The loop `node` of the function's own code: what runs once, and the
/// bindings its head assigns afresh.
fn loop_info(source: &str, names: &Resolver, node: Node) -> LoopInfo {
    let once = match node.kind() {
        "for_in_statement" => node.child_by_field_id(crate::field!("right")),
        "for_statement" => node.child_by_field_id(crate::field!("initializer")),
        _ => None,
    };
    let head_binds = node
        .child_by_field_id(crate::field!("left"))
        .filter(|_| node.kind() == "for_in_statement")
        .map(|left| {
            pattern_identifiers(left)
                .into_iter()
                .filter_map(|ident| {
                    let range = ident.byte_range();
                    names.resolve_local(&source[range.clone()], &range)
                })
                .collect()
        })
        .unwrap_or_default();
    LoopInfo {
        range: node.byte_range(),
        once: once.map(|o| o.byte_range()),
        head_binds,
    }
}

/// `x = ...;` as a whole statement directly in a block: it overwrites `x`
/// whatever happened before. `ancestors` are the identifier's, as for [`ancestor`].
fn plain_assignment_statement(ident: Node, ancestors: &[Node]) -> Option<Kill> {
    let assignment = ancestor(ident, ancestors, 1)?;
    if assignment.kind() != "assignment_expression"
        || assignment.child_by_field_id(crate::field!("left")) != Some(ident)
    {
        return None;
    }
    let statement = ancestor(ident, ancestors, 2)?;
    let block = ancestor(ident, ancestors, 3)?;
    (statement.kind() == "expression_statement" && is_block(block.kind())).then(|| Kill {
        stmt: statement.byte_range(),
        block: block.byte_range(),
    })
}
