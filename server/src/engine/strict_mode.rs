//! Which code is strict (ECMA-262 §11.2.2), for `this` in plain calls: a sloppy function
//! called without a receiver sees `globalThis`, a strict one `undefined`.
//!
//! Strict: ES modules, class bodies, and code under a `"use strict"` directive of the script or
//! of an enclosing function. Strictness is lexical, so the compiler passes it down (a class
//! compiles all its parts strict).

use crate::syntax::KindName;
use tree_sitter::Node;

/// Whether a function (or the script, for the root) compiled inside code of strictness
/// `enclosing` is strict.
pub(crate) fn is_strict(node: Node, src: &str, enclosing: bool) -> bool {
    if enclosing {
        return true;
    }
    let body = if node.kind_name() == "program" {
        Some(node)
    } else {
        node.child_by_field_id(crate::field!("body"))
            .filter(|body| body.kind_name() == "statement_block")
    };
    body.is_some_and(|body| has_use_strict(body, src))
}

/// The directive prologue (§11.2.1): the leading string-literal statements of a body. A
/// directive counts only when written exactly `'use strict'` or `"use strict"` (no escapes).
fn has_use_strict(body: Node, src: &str) -> bool {
    let mut cursor = body.walk();
    for statement in body.named_children(&mut cursor) {
        match statement.kind_name() {
            "comment" | "hash_bang_line" => continue,
            "expression_statement" => {
                let Some(string) = statement
                    .named_child(0)
                    .filter(|e| e.kind_name() == "string")
                else {
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
