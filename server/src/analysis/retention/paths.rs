//! Paths through a function's own code, for the retention model: where a
//! binding gets a value, whether that value reaches an `await`, and whether
//! a statement overwrites it on every path in between.

use std::ops::Range;

use tree_sitter::Node;

use super::{Model, Write};
use crate::analysis::dataflow::{contains, for_in_head_of, Binding, BindingKind, Kill};

impl<'t> Model<'_, 't> {
    /// Whether `write` reaches `point` without passing a statement that
    /// overwrites the binding on every path.
    pub(super) fn reaches(&self, index: usize, write: &Write, point: &Range<usize>) -> bool {
        let binding = &self.flow.bindings[index];
        let forward = write.end <= point.start;
        let around_a_loop = !forward
            && write.ident.start >= point.end
            && self
                .flow
                .loops_around(index, &write.ident, point)
                .next()
                .is_some();
        if !forward && !around_a_loop {
            return false;
        }
        !binding
            .kills
            .iter()
            .filter(|kill| !contains(&kill.stmt, &write.ident))
            .any(|kill| self.kill_on_every_path(kill, &write.ident, point))
    }

    /// The statement that overwrites the binding on every path from `write`
    /// to `point`, if one certainly does.
    pub(super) fn certain_kill(
        &self,
        binding: &Binding,
        write: &Write,
        point: &Range<usize>,
    ) -> Option<Kill> {
        binding
            .kills
            .iter()
            .filter(|kill| !contains(&kill.stmt, &write.ident))
            .filter(|kill| kill.stmt.start >= write.end && kill.stmt.end <= point.start)
            .find(|kill| self.kill_on_every_path(kill, &write.ident, point))
            .cloned()
    }

    /// Every path from `from` to `point` runs `kill.stmt`. Climbing from the
    /// kill through bare blocks (`{ ... }` as a statement): either a block
    /// holding `point` is reached, and the kill's statement there comes before
    /// `point` (a block is only ever entered at its start); or the climb stops
    /// at a block that holds `from` before the kill and not `point`, which
    /// control leaves only through its end (no `break`/`continue` between, no
    /// `try` around the kill that a throw would leave for code before `point`).
    pub(super) fn kill_on_every_path(
        &self,
        kill: &Kill,
        from: &Range<usize>,
        point: &Range<usize>,
    ) -> bool {
        if from.end > kill.stmt.start {
            return false;
        }
        let Some(mut at) = self.node_at(&kill.stmt) else {
            return false;
        };
        while let Some(parent) = at.parent() {
            if is_block_kind(parent.kind()) && contains(&parent.byte_range(), point) {
                return at.end_byte() <= point.start && !self.try_around(at, point);
            }
            let bare = parent.kind() == "statement_block"
                && parent.parent().is_some_and(|p| is_block_kind(p.kind()));
            if !bare || parent.id() == self.function.id() {
                break;
            }
            at = parent;
        }
        let outermost = at.parent().map(|p| p.byte_range());
        let no_jump_between = !self
            .jumps
            .iter()
            .any(|jump| jump.start >= from.end && jump.end <= kill.stmt.start);
        let no_try_escape = self.tries.iter().all(|t| {
            let body = t.child_by_field_id(crate::field!("body"));
            !body.is_some_and(|b| contains(&b.byte_range(), &kill.stmt))
                || body.is_some_and(|b| contains(&b.byte_range(), point))
        });
        outermost.is_some_and(|block| contains(&block, from) && !contains(&block, point))
            && no_jump_between
            && no_try_escape
    }

    /// The write happens on every path to `point` (the value it stores may
    /// be overwritten later; [`Model::reaches`] says whether it is).
    pub(super) fn dominates(&self, write: &Write, point: &Range<usize>) -> bool {
        if write.entry {
            return true;
        }
        if write.end > point.start {
            return false;
        }
        let Some(mut at) = self.node_at(&write.ident) else {
            return false;
        };
        while let Some(parent) = at.parent() {
            if parent.id() == self.function.id() {
                return false;
            }
            let straight = match parent.kind() {
                "statement_block" | "program" | "switch_case" | "switch_default"
                    if contains(&parent.byte_range(), point) =>
                {
                    // `at` is a statement of a block that also holds the
                    // await, and comes before it.
                    return at.end_byte() <= point.start && !self.try_around(at, point);
                }
                "statement_block" => parent
                    .parent()
                    .is_some_and(|p| matches!(p.kind(), "statement_block" | "program")),
                "expression_statement"
                | "assignment_expression"
                | "parenthesized_expression"
                | "variable_declarator"
                | "lexical_declaration"
                | "variable_declaration"
                | "object_pattern"
                | "array_pattern"
                | "pair_pattern"
                | "shorthand_property_identifier_pattern" => true,
                "for_statement" => {
                    parent.child_by_field_id(crate::field!("initializer")) == Some(at)
                }
                // A catch parameter holds the thrown value inside its block.
                "catch_clause" => return contains(&parent.byte_range(), point),
                // Inside the loop's body the head binding holds the current
                // element; after the loop, its last one if the loop ran.
                "for_in_statement"
                    if parent.child_by_field_id(crate::field!("left")) == Some(at) =>
                {
                    if parent
                        .child_by_field_id(crate::field!("body"))
                        .is_some_and(|body| contains(&body.byte_range(), point))
                    {
                        return true;
                    }
                    non_empty_array_literal(parent)
                }
                _ => false,
            };
            if !straight {
                return false;
            }
            at = parent;
        }
        false
    }

    /// A `try` whose body holds `stmt` but not `point`: a throw before
    /// `stmt` completes can reach `point` through the `catch`.
    pub(super) fn try_around(&self, stmt: Node, point: &Range<usize>) -> bool {
        self.tries.iter().any(|t| {
            t.child_by_field_id(crate::field!("body")).is_some_and(|b| {
                contains(&b.byte_range(), &stmt.byte_range()) && !contains(&b.byte_range(), point)
            })
        })
    }

    pub(super) fn is_loop_head(&self, write: &Write) -> bool {
        self.node_at(&write.ident)
            .and_then(|ident| {
                let mut at = ident;
                while let Some(parent) = at.parent() {
                    if matches!(parent.kind(), "for_in_statement" | "for_statement") {
                        return Some(true);
                    }
                    if !matches!(
                        parent.kind(),
                        "object_pattern"
                            | "array_pattern"
                            | "pair_pattern"
                            | "variable_declarator"
                            | "lexical_declaration"
                            | "variable_declaration"
                            | "assignment_pattern"
                            | "rest_pattern"
                    ) {
                        return Some(false);
                    }
                    at = parent;
                }
                None
            })
            .unwrap_or(false)
    }

    /// The places binding `index` gets a value in the function's own code.
    pub(super) fn writes_of(&self, index: usize) -> Vec<Write> {
        let binding = &self.flow.bindings[index];
        let mut writes = Vec::new();
        match binding.kind {
            BindingKind::Param => writes.push(Write {
                ident: binding.decl_range.clone(),
                end: binding.decl_end,
                primitive: false,
                entry: true,
            }),
            BindingKind::CatchParam => writes.push(Write {
                ident: binding.decl_range.clone(),
                end: binding.decl_end,
                primitive: false,
                entry: false,
            }),
            _ => {
                let in_loop_head = self
                    .node_at(&binding.decl_range)
                    .and_then(for_in_head_of)
                    .is_some();
                if in_loop_head {
                    writes.push(Write {
                        ident: binding.decl_range.clone(),
                        end: binding.decl_end,
                        primitive: false,
                        entry: false,
                    });
                } else if let Some(init) = &binding.init {
                    writes.push(Write {
                        ident: binding.decl_range.clone(),
                        end: binding.decl_end,
                        primitive: self.is_primitive(init),
                        entry: false,
                    });
                } else if binding.kind != BindingKind::Var {
                    // `let x;` holds `undefined`.
                    writes.push(Write {
                        ident: binding.decl_range.clone(),
                        end: binding.decl_end,
                        primitive: true,
                        entry: false,
                    });
                }
            }
        }
        for write in &binding.writes {
            let Some(ident) = self.node_at(write) else {
                continue;
            };
            let mut at = ident;
            let mut primitive = false;
            while let Some(parent) = at.parent() {
                match parent.kind() {
                    "parenthesized_expression"
                    | "object_pattern"
                    | "array_pattern"
                    | "pair_pattern"
                    | "rest_pattern"
                    | "assignment_pattern"
                    | "object_assignment_pattern" => at = parent,
                    "assignment_expression" => {
                        primitive = parent
                            .child_by_field_id(crate::field!("right"))
                            .is_some_and(|right| self.is_primitive(&right.byte_range()))
                            && parent.child_by_field_id(crate::field!("left")) == Some(at);
                        at = parent;
                        break;
                    }
                    "update_expression" => {
                        primitive = true;
                        at = parent;
                        break;
                    }
                    _ => {
                        at = parent;
                        break;
                    }
                }
            }
            writes.push(Write {
                ident: write.clone(),
                end: at.end_byte(),
                primitive,
                entry: false,
            });
        }
        writes
    }

    pub(super) fn is_primitive(&self, value: &Range<usize>) -> bool {
        let Some(node) = self.node_at(value) else {
            return false;
        };
        match node.kind() {
            "null" | "undefined" | "number" | "true" | "false" | "string" => true,
            "identifier" => &self.source[node.byte_range()] == "undefined",
            "template_string" => node.named_child_count() == 0,
            "unary_expression" => node
                .child_by_field_id(crate::field!("argument"))
                .is_some_and(|a| a.kind() == "number"),
            _ => false,
        }
    }
}

fn is_block_kind(kind: &str) -> bool {
    matches!(
        kind,
        "statement_block" | "program" | "switch_case" | "switch_default" | "class_static_block"
    )
}

/// `for (... of [a, b])`: the loop runs at least once.
fn non_empty_array_literal(for_in: Node) -> bool {
    let of = {
        let mut cursor = for_in.walk();
        let found = for_in.children(&mut cursor).any(|c| c.kind() == "of");
        found
    };
    of && for_in
        .child_by_field_id(crate::field!("right"))
        .is_some_and(|right| {
            right.kind() == "array"
                && right.named_child_count() > 0
                && right
                    .named_child(0)
                    .is_some_and(|c| c.kind() != "spread_element")
        })
}
