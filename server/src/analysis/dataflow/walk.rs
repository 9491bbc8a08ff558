//! Walks over a syntax tree without recursion, and the ancestor lookups they
//! make cheap: deeply nested input cannot overflow the stack, and no climb
//! through `Node::parent` costs O(depth) per step.

use std::ops::Range;

use tree_sitter::Node;

/// What a visitor tells [`preorder`] after seeing a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Walk {
    /// Visit the node's children.
    Enter,
    /// Do not visit the node's children.
    Skip,
}

/// Visits `root` and its descendants in document order, without recursion.
pub fn preorder<'t>(root: Node<'t>, mut visit: impl FnMut(Node<'t>) -> Walk) {
    preorder_with_ancestors(root, |node, _| visit(node));
}

/// Like [`preorder`], and also hands the visitor the node's ancestors, from
/// `root` (first) to its parent (last); empty for `root` itself.
///
/// tree-sitter finds a node's parent by descending from the root again, so a
/// climb through `Node::parent` costs O(depth) per step and O(depth²) in all;
/// in a file nested 50,000 levels deep that is billions of steps. The cursor
/// knows the path it took; this keeps it.
pub fn preorder_with_ancestors<'t>(
    root: Node<'t>,
    mut visit: impl FnMut(Node<'t>, &[Node<'t>]) -> Walk,
) {
    let mut cursor = root.walk();
    let mut ancestors: Vec<Node<'t>> = Vec::new();
    loop {
        let node = cursor.node();
        let enter = visit(node, &ancestors) == Walk::Enter;
        if enter && cursor.goto_first_child() {
            ancestors.push(node);
            continue;
        }
        loop {
            if cursor.node() == root {
                return;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            ancestors.pop();
        }
    }
}

/// The ancestors of `node` below `root`, `root` first and `node`'s parent
/// last, found by one descent from `root` (O(depth)); climbing with
/// `Node::parent` would cost O(depth²). Empty when `node` is `root`.
pub fn ancestors_of<'t>(root: Node<'t>, node: Node<'t>) -> Vec<Node<'t>> {
    let mut ancestors = Vec::new();
    let mut at = root;
    while at != node {
        ancestors.push(at);
        match at.child_with_descendant(node) {
            Some(next) => at = next,
            None => break,
        }
    }
    ancestors
}

/// Whether `inner` lies within `outer`.
pub fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

pub(super) fn ancestor_with_range<'t>(node: Node<'t>, range: &Range<usize>) -> Node<'t> {
    let mut at = node;
    while at.byte_range() != *range {
        match at.parent() {
            Some(parent) if contains(&parent.byte_range(), range) => at = parent,
            _ => break,
        }
    }
    at
}

/// The `n`th ancestor of `node` (1: its parent), taken from `ancestors` (a
/// walk's root first, `node`'s parent last), and from the tree above the
/// walk's root.
pub(super) fn ancestor<'t>(node: Node<'t>, ancestors: &[Node<'t>], n: usize) -> Option<Node<'t>> {
    match ancestors.len().checked_sub(n) {
        Some(at) => Some(ancestors[at]),
        None => {
            let mut at = ancestors.first().copied().unwrap_or(node);
            for _ in 0..n - ancestors.len() {
                at = at.parent()?;
            }
            Some(at)
        }
    }
}
