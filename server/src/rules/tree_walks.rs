//! Walks over a subtree that several rules make: a search of every named
//! descendant (the named children that are not comments are a syntax
//! question: `syntax::js::named_children_but_comments`).

use tree_sitter::Node;

/// The first node under `root` (itself included) that satisfies `wanted`,
/// depth first, the last child explored first.
pub fn find_named_descendant<'t>(
    root: Node<'t>,
    mut wanted: impl FnMut(Node<'t>) -> bool,
) -> Option<Node<'t>> {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if wanted(node) {
            return Some(node);
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    None
}

/// Whether some node under `root` (itself included) satisfies `wanted`.
pub fn has_named_descendant<'t>(root: Node<'t>, wanted: impl FnMut(Node<'t>) -> bool) -> bool {
    find_named_descendant(root, wanted).is_some()
}
