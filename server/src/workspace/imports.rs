//! The module specifiers a file names: `require("x")`, static `import`,
//! `export ... from` and `import("x")`, each with a string literal. A computed
//! specifier (`require(name)`, a template) names no file we can know, so it is
//! not listed. Whether `require` is Node's own (and not a local of the same
//! name) is for the caller to decide.
//!
//! The tree is walked once with a cursor, entering only the nodes whose text
//! holds `require`, `import` or `export` (every site does: its callee or its
//! keyword), found first by a scan of the text. Each node is visited at most
//! once, so a wide node (a minified bundle's thousands of statements) costs
//! one step per child, never a rescan per site; the nodes without those words
//! (most of a file) are not visited at all. A query (`(call_expression
//! function: (identifier) ...)`) took time quadratic in the nesting depth on a
//! long left-nested `.then` chain: its cursor keeps a match in progress for
//! every enclosing call (60 s on 50,000 links, tests/pathological.rs).

use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::resolve::RequireOrImport;

/// One specifier in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportSite {
    pub specifier: String,
    pub kind: RequireOrImport,
    /// The byte range of the string literal, quotes included.
    pub range: Range<usize>,
}

/// Every specifier `source` names with a literal, in source order.
pub fn imports(source: &str, tree: &Tree) -> Vec<ImportSite> {
    import_sites(source, tree)
        .into_iter()
        .map(|(site, _)| site)
        .collect()
}

/// [`imports`], each site with its string literal's node.
pub fn import_sites<'t>(source: &str, tree: &'t Tree) -> Vec<(ImportSite, Node<'t>)> {
    let words = keyword_offsets(source);
    let mut sites = Vec::new();
    if words.is_empty() {
        return sites;
    }
    // Whether some word starts inside `node`: only such a node can be or
    // hold a site.
    let holds_word = |node: Node| {
        let range = node.byte_range();
        let first = words.partition_point(|&at| at < range.start);
        words.get(first).is_some_and(|&at| at < range.end)
    };
    let mut cursor = tree.walk();
    'walk: loop {
        let node = cursor.node();
        let enter = holds_word(node);
        if enter {
            if let Some((kind, literal)) = import_site(source, node) {
                let range = literal.byte_range();
                if let Some(specifier) = literal_value(&source[range.clone()]) {
                    let site = ImportSite {
                        specifier,
                        kind,
                        range,
                    };
                    sites.push((site, literal));
                }
            }
        }
        if enter && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    sites.sort_by_key(|(site, _)| site.range.start);
    sites
}

/// Where `require`, `import` or `export` starts in `source`, in order (as
/// parts of longer words too: the walk only needs a superset).
fn keyword_offsets(source: &str) -> Vec<usize> {
    let bytes = source.as_bytes();
    let mut offsets: Vec<usize> = memchr::memchr2_iter(b'r', b'x', bytes)
        .filter_map(|at| match bytes[at] {
            b'r' if bytes[at..].starts_with(b"require") => Some(at),
            b'x' if at >= 1 && bytes[at - 1..].starts_with(b"export") => Some(at - 1),
            b'r' if at >= 4 && bytes[at - 4..].starts_with(b"import") => Some(at - 4),
            _ => None,
        })
        .collect();
    offsets.sort_unstable();
    offsets
}

/// The loader and string literal of `node` when it names a module:
/// `require("x")` or `import("x")` (the literal as first argument),
/// `import ... from "x"`, `import "x"` or `export ... from "x"`.
fn import_site<'t>(source: &str, node: Node<'t>) -> Option<(RequireOrImport, Node<'t>)> {
    match node.kind() {
        "call_expression" => {
            let callee = node.child_by_field_id(crate::field!("function"))?;
            let kind = match callee.kind() {
                "identifier" if &source[callee.byte_range()] == "require" => {
                    RequireOrImport::Require
                }
                "import" => RequireOrImport::Import,
                _ => return None,
            };
            let arguments = node.child_by_field_id(crate::field!("arguments"))?;
            let first = arguments.named_child(0)?;
            (first.kind() == "string").then_some((kind, first))
        }
        "import_statement" | "export_statement" => {
            let literal = node.child_by_field_id(crate::field!("source"))?;
            (literal.kind() == "string").then_some((RequireOrImport::Import, literal))
        }
        _ => None,
    }
}

/// The value of a string literal without escapes; `None` for one with escapes
/// (rare in specifiers, and not worth decoding to guess at).
fn literal_value(literal: &str) -> Option<String> {
    let inner = literal.get(1..literal.len().checked_sub(1)?)?;
    (!inner.contains('\\')).then(|| inner.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    fn sites(source: &str) -> Vec<(String, RequireOrImport)> {
        let tree = syntax::parse(source, None);
        imports(source, &tree)
            .into_iter()
            .map(|site| (site.specifier, site.kind))
            .collect()
    }

    #[test]
    fn every_literal_specifier_is_listed_with_its_loader() {
        let source = r#"
import a from "./a.js";
import "side-effect";
export { b } from './b.mjs';
export * from "pkg";
const fs = require("node:fs");
async function f() { return import("./lazy.js"); }
const computed = require(name);
const escaped = require("./we\u0069rd");
"#;
        use RequireOrImport::{Import, Require};
        assert_eq!(
            sites(source),
            [
                ("./a.js".to_owned(), Import),
                ("side-effect".to_owned(), Import),
                ("./b.mjs".to_owned(), Import),
                ("pkg".to_owned(), Import),
                ("node:fs".to_owned(), Require),
                ("./lazy.js".to_owned(), Import),
            ]
        );
    }

    #[test]
    fn a_method_named_require_is_not_a_require() {
        assert!(sites("obj.require('x'); requireX('y');").is_empty());
    }
}
