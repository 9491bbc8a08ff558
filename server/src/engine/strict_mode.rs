//! Which code is strict (ECMA-262 §11.2.2), for `this` in plain calls: a sloppy function
//! called without a receiver sees `globalThis`, a strict one `undefined`.
//!
//! Strict: ES modules, class bodies, and code under a `"use strict"` directive of the script or
//! of an enclosing function. Strictness is lexical, so the compiler passes it down.

use tree_sitter::Node;

/// Whether a function (or the script, for the root) compiled inside code of strictness
/// `enclosing` is strict.
pub(crate) fn is_strict(node: Node, src: &str, enclosing: bool) -> bool {
    if enclosing || in_class(node) {
        return true;
    }
    let body = if node.kind() == "program" {
        Some(node)
    } else {
        node.child_by_field_id(crate::field!("body"))
            .filter(|body| body.kind() == "statement_block")
    };
    body.is_some_and(|body| has_use_strict(body, src))
}

/// All parts of a class are strict (§11.2.2): methods, field initialisers, `extends`.
fn in_class(node: Node) -> bool {
    let mut current = node.parent();
    while let Some(ancestor) = current {
        if matches!(ancestor.kind(), "class_body" | "class_heritage") {
            return true;
        }
        current = ancestor.parent();
    }
    false
}

/// The directive prologue (§11.2.1): the leading string-literal statements of a body. A
/// directive counts only when written exactly `'use strict'` or `"use strict"` (no escapes).
fn has_use_strict(body: Node, src: &str) -> bool {
    let mut cursor = body.walk();
    for statement in body.named_children(&mut cursor) {
        match statement.kind() {
            "comment" | "hash_bang_line" => continue,
            "expression_statement" => {
                let Some(string) = statement.named_child(0).filter(|e| e.kind() == "string") else {
                    return false;
                };
                let text = &src[string.byte_range()];
                if text == "'use strict'" || text == "\"use strict\"" {
                    return true;
                }
            }
            _ => return false,
        }
    }
    false
}
