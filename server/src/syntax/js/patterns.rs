//! The names a binding pattern binds: declarations, parameter lists and
//! `catch` clauses.

use crate::syntax::KindName;
use tree_sitter::Node;

/// The identifier nodes a binding pattern declares (or assigns, on the left
/// of `=`), in source order: `a`, `{ a, b: c }`, `[a, ...rest]`, `{ a = 1 }`,
/// and a parameter list's names. Defaults are expressions, not bindings.
pub fn pattern_identifiers(pattern: Node) -> Vec<Node> {
    let mut found = Vec::new();
    let mut stack = vec![pattern];
    while let Some(node) = stack.pop() {
        match node.kind_name() {
            "identifier" | "shorthand_property_identifier_pattern" => found.push(node),
            "object_pattern" | "array_pattern" | "rest_pattern" | "formal_parameters" => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                stack.extend(children.into_iter().rev());
            }
            "pair_pattern" => stack.extend(node.child_by_field_id(crate::field!("value"))),
            "assignment_pattern" | "object_assignment_pattern" => {
                stack.extend(node.child_by_field_id(crate::field!("left")))
            }
            _ => {}
        }
    }
    found
}

/// The names [`pattern_identifiers`] finds, as text.
pub fn pattern_names(source: &str, pattern: Node) -> Vec<String> {
    pattern_identifiers(pattern)
        .into_iter()
        .map(|name| source[name.byte_range()].to_owned())
        .collect()
}

/// The pattern a parameter list or a `catch` clause binds its names with:
/// the list itself, or the caught value's pattern (`None` for `catch {}` and
/// any other node).
pub fn parameter_pattern(node: Node) -> Option<Node> {
    match node.kind_name() {
        "formal_parameters" => Some(node),
        "catch_clause" => node.child_by_field_id(crate::field!("parameter")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    use super::super::tests::first;

    /// The names a parameter list or a `catch` clause binds, in source order.
    #[test]
    fn pattern_identifiers_are_the_bound_names_in_source_order() {
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "function f(a, { b, c: d, e = x }, [g, ...h], i = y) {}",
                "formal_parameters",
                &["a", "b", "d", "e", "g", "h", "i"],
            ),
            (
                "try {} catch ({ message, cause: [first = m] }) {}",
                "catch_clause",
                &["message", "first"],
            ),
            ("try {} catch {}", "catch_clause", &[]),
        ];
        for (source, owner, bound) in cases {
            let tree = syntax::parse(source, None);
            let names = parameter_pattern(first(&tree, owner))
                .map(|pattern| pattern_names(source, pattern))
                .unwrap_or_default();
            assert_eq!(names, *bound, "{source}");
        }
    }
}
