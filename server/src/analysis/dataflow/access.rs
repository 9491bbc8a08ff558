//! How code uses names: the names a piece of code mentions or assigns, and
//! whether one use reads or writes. (The identifiers a pattern declares are
//! a syntax question: `syntax::js::pattern_identifiers`.)

use std::collections::HashSet;

use tree_sitter::Node;

use super::walk::{preorder, preorder_with_ancestors, Walk};

/// Every name `node` mentions as a variable, in nested functions too.
/// Over-approximates reads (shadowing is ignored), which is the safe side for
/// "does B depend on A" questions.
pub fn names_mentioned(node: Node, source: &str) -> HashSet<String> {
    let mut names = HashSet::new();
    preorder(node, |n| {
        if is_reference_kind(n.kind()) {
            names.insert(source[n.byte_range()].to_owned());
        }
        Walk::Enter
    });
    names
}

/// Every name `node` assigns to (`=`, `+=`, `++`, destructuring assignment),
/// in nested functions too.
pub fn names_assigned(node: Node, source: &str) -> HashSet<String> {
    let mut names = HashSet::new();
    preorder_with_ancestors(node, |n, ancestors| {
        if is_reference_kind(n.kind()) && access_among(n, ancestors) != Access::Read {
            names.insert(source[n.byte_range()].to_owned());
        }
        Walk::Enter
    });
    names
}

pub(super) fn is_reference_kind(kind: &str) -> bool {
    matches!(
        kind,
        "identifier" | "shorthand_property_identifier" | "shorthand_property_identifier_pattern"
    )
}

/// How an identifier is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    /// `x += 1`, `x++`: reads the old value, then writes.
    ReadWrite,
}

/// How the identifier `node` is used where it stands.
pub fn access(node: Node) -> Access {
    let mut child = node;
    while let Some(parent) = child.parent() {
        match access_step(parent, child) {
            Some(access) => return access,
            None => child = parent,
        }
    }
    Access::Read
}

/// [`access`] for a node whose ancestors up to some walk's root (root first,
/// parent last) are known; past that root it asks the tree.
pub(super) fn access_among(node: Node, ancestors: &[Node]) -> Access {
    let mut child = node;
    for &parent in ancestors.iter().rev() {
        match access_step(parent, child) {
            Some(access) => return access,
            None => child = parent,
        }
    }
    access(child)
}

/// What `parent` makes of its `child` for [`access`]; `None` to look further up.
fn access_step(parent: Node, child: Node) -> Option<Access> {
    let is_field = |field: &str| parent.child_by_field_name(field) == Some(child);
    Some(match parent.kind() {
        "parenthesized_expression" | "array_pattern" | "object_pattern" | "rest_pattern" => {
            return None
        }
        "pair_pattern" if is_field("value") => return None,
        "assignment_pattern" | "object_assignment_pattern" if is_field("left") => return None,
        "assignment_expression" if is_field("left") => Access::Write,
        "augmented_assignment_expression" if is_field("left") => Access::ReadWrite,
        "update_expression" => Access::ReadWrite,
        "for_in_statement" if is_field("left") => Access::Write,
        _ => Access::Read,
    })
}
