//! Dependence between awaits: whether an await's operand reads the result of
//! the await before it (directly or through names assigned from it), and
//! when suggesting `Promise.all` could make sense.

use std::collections::HashSet;

use tree_sitter::Node;

use crate::analysis::dataflow;
use crate::syntax::js;

/// The names an await's result is bound to (`const [a, b] = await ...`, `x = await ...`),
/// also through the expression around it (`const body = (await res).body`,
/// `const n = 1 + await count()`): whatever is computed from the result carries it.
fn result_names(source: &str, await_node: Node) -> Vec<String> {
    let mut current = await_node;
    while let Some(parent) = current.parent() {
        match parent.kind() {
            "variable_declarator" => {
                return parent
                    .child_by_field_id(crate::field!("name"))
                    .map(|p| js::pattern_names(source, p))
                    .unwrap_or_default();
            }
            "assignment_expression" | "augmented_assignment_expression" => {
                let left = parent.child_by_field_id(crate::field!("left"));
                if left.is_some_and(|l| l.id() == current.id()) {
                    return Vec::new();
                }
                return left.map(|l| assigned_names(source, l)).unwrap_or_default();
            }
            // A statement, or a function that only closes over the value: the result
            // reaches no binding of this function.
            kind if kind.ends_with("statement")
                || kind == "statement_block"
                || js::is_function(parent) =>
            {
                return Vec::new()
            }
            _ => current = parent,
        }
    }
    Vec::new()
}

/// What to say about `current` and the await before it in `function`:
/// `Some(true)` when its operand reads the previous result, directly or
/// through names assigned from it in between; `Some(false)` only when
/// suggesting `Promise.all` could make sense; `None` otherwise.
pub(super) fn dependence(
    source: &str,
    function: Node,
    previous: Node,
    current: Node,
    operand: Option<Node>,
) -> Option<bool> {
    // `await (await fetch(u)).json()`: the inner await runs first, and the
    // outer one's operand is computed from its result.
    if previous.start_byte() <= current.start_byte() && current.end_byte() <= previous.end_byte() {
        return None;
    }
    if current.start_byte() <= previous.start_byte() && previous.end_byte() <= current.end_byte() {
        return Some(true);
    }
    let mut tainted: HashSet<String> = result_names(source, previous).into_iter().collect();
    if tainted.is_empty() {
        // Nothing flows from it, but it may still have to finish first (a lock).
        return None;
    }
    // A misparsed `await (x).y` chain has no operand node: the whole chain
    // (with the `await` name, which no binding of the function can taint)
    // is read for names, and nothing is said about independence.
    let reads = operand.unwrap_or(current);
    // Assignments between the two awaits: (names assigned, names read).
    let mut flows: Vec<(Vec<String>, HashSet<String>)> = Vec::new();
    let between = previous.end_byte()..current.start_byte();
    dataflow::preorder(function, |node| {
        if node.end_byte() <= between.start || node.start_byte() >= between.end {
            return dataflow::Walk::Skip;
        }
        let fully_between = node.start_byte() >= between.start && node.end_byte() <= between.end;
        let (targets, value) = match node.kind() {
            "variable_declarator" => (
                node.child_by_field_id(crate::field!("name")),
                node.child_by_field_id(crate::field!("value")),
            ),
            "assignment_expression" | "augmented_assignment_expression" => (
                node.child_by_field_id(crate::field!("left")),
                node.child_by_field_id(crate::field!("right")),
            ),
            // `list.push(value)`: the receiver now holds the value.
            "call_expression" => (
                node.child_by_field_id(crate::field!("function"))
                    .filter(|f| f.kind() == "member_expression")
                    .and_then(|f| f.child_by_field_id(crate::field!("object"))),
                node.child_by_field_id(crate::field!("arguments")),
            ),
            _ => (None, None),
        };
        if let (Some(targets), Some(value), true) = (targets, value, fully_between) {
            flows.push((
                assigned_names(source, targets),
                dataflow::names_mentioned(value, source),
            ));
        }
        dataflow::Walk::Enter
    });
    // Until nothing changes: an assignment in a loop can feed an earlier one.
    let mut changed = true;
    while changed {
        changed = false;
        for (targets, reads) in &flows {
            if reads.iter().any(|r| tainted.contains(r)) {
                for target in targets {
                    changed |= tainted.insert(target.clone());
                }
            }
        }
    }
    if dataflow::names_mentioned(reads, source)
        .iter()
        .any(|n| tainted.contains(n))
    {
        return Some(true);
    }
    let operand = operand?;
    if !starts_work(operand) || try_region(previous, function) != try_region(current, function) {
        return None;
    }
    Some(false)
}

/// The names an assignment target binds or changes: identifiers of a
/// pattern, or the root object of `a.b.c` / `a[i]`.
fn assigned_names(source: &str, target: Node) -> Vec<String> {
    let mut root = target;
    while matches!(root.kind(), "member_expression" | "subscript_expression") {
        match root.child_by_field_id(crate::field!("object")) {
            Some(object) => root = object,
            None => break,
        }
    }
    if root.kind() == "identifier" {
        return vec![source[root.byte_range()].to_owned()];
    }
    js::pattern_names(source, root)
}

/// Whether evaluating `operand` calls something (and so may start work that
/// could run alongside other work); `await p` or `await null` starts nothing.
fn starts_work(operand: Node) -> bool {
    let mut calls = false;
    dataflow::preorder(operand, |node| {
        if node != operand && js::is_function(node) {
            return dataflow::Walk::Skip;
        }
        if matches!(node.kind(), "call_expression" | "new_expression") {
            calls = true;
        }
        dataflow::Walk::Enter
    });
    calls
}

/// The innermost `try` block, `catch` clause or `finally` clause of
/// `function` that holds `node`, by node id.
fn try_region(node: Node, function: Node) -> Option<usize> {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if parent.id() == function.id() {
            return None;
        }
        let is_region = match parent.kind() {
            "catch_clause" | "finally_clause" => true,
            "try_statement" => parent
                .child_by_field_id(crate::field!("body"))
                .is_some_and(|b| b.id() == current.id()),
            _ => false,
        };
        if is_region {
            return Some(if parent.kind() == "try_statement" {
                current.id()
            } else {
                parent.id()
            });
        }
        current = parent;
    }
    None
}
