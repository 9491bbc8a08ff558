//! The module specifiers a file names: `require("x")`, static `import`,
//! `export ... from` and `import("x")`, each with a string literal. A computed
//! specifier (`require(name)`, a template) names no file we can know, so it is
//! not listed. Whether `require` is Node's own (and not a local of the same
//! name) is for the caller to decide.
//!
//! Every such site starts with the word `require`, `import` or `export`, so
//! only the nodes at those words are looked at (found by a text scan): a
//! walk of the whole tree was 9% of a cold `check` (docs/performance.md). A
//! tree with syntax errors is walked whole with a cursor, as error recovery
//! may leave a site without its keyword. A query (`(call_expression
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
    if tree.root_node().has_error() {
        return imports_by_walk(source, tree);
    }
    // A site's node starts at its keyword: `require` or `import` of a call,
    // `import` or `export` of a statement. The nodes starting there are on
    // the way down to that byte; any other node fails `import_site`.
    // Each descent costs the depth of the tree: past a budget the size of
    // a whole walk (a deeply nested tree with many keywords), walk instead.
    let mut budget = source.len() / 4 + 10_000;
    let mut sites = Vec::new();
    let mut cursor = tree.walk();
    for word in ["require", "import", "export"] {
        for (start, _) in source.match_indices(word) {
            cursor.reset(tree.root_node());
            loop {
                budget = match budget.checked_sub(1) {
                    Some(left) => left,
                    None => return imports_by_walk(source, tree),
                };
                let node = cursor.node();
                if node.start_byte() == start {
                    push_site(source, node, &mut sites);
                }
                if node.start_byte() > start || cursor.goto_first_child_for_byte(start).is_none() {
                    break;
                }
            }
        }
    }
    sites.sort_by_key(|site| site.range.start);
    sites
}

/// [`imports`] by a walk of every node of `tree`.
fn imports_by_walk(source: &str, tree: &Tree) -> Vec<ImportSite> {
    let mut sites = Vec::new();
    let mut cursor = tree.walk();
    'walk: loop {
        push_site(source, cursor.node(), &mut sites);
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    sites.sort_by_key(|site| site.range.start);
    sites
}

/// Adds `node` to `sites` when it names a module with a literal.
fn push_site(source: &str, node: Node, sites: &mut Vec<ImportSite>) {
    if let Some((kind, literal)) = import_site(source, node) {
        let range = literal.byte_range();
        if let Some(specifier) = literal_value(&source[range.clone()]) {
            sites.push(ImportSite {
                specifier,
                kind,
                range,
            });
        }
    }
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
    fn the_keyword_scan_finds_what_a_walk_of_every_node_finds() {
        let sources = [
            "import a, { b as c } from './a.js';\nexport * as ns from \"../ns.mjs\";\n",
            "export { x } from './x'; export const y = 1; export default function () {}\n",
            "const r = require('./r'), s = require(\"./s\").f;\nf(require('./t'));\n",
            "async function g() { await import('./lazy.js'); return import(`./tpl`); }\n",
            "// require('./comment') import x from './comment'\nconst s = \"require('./string')\";\n",
            "xrequire('./a'); requireX('./b'); obj.require('./c'); (require)('./d');\n",
            "const importer = 1; const exported = require('./e'); import './side.js';\n",
            "function f() { if (a) { return () => require(\"./deep/\" ); } }\n",
        ];
        for source in sources {
            let tree = syntax::parse(source, None);
            assert!(!tree.root_node().has_error(), "{source}");
            assert_eq!(
                imports(source, &tree),
                imports_by_walk(source, &tree),
                "{source}"
            );
        }
        // Every literal site of the sources above is found (not only agreed on).
        let all: usize = sources
            .iter()
            .map(|source| imports(source, &syntax::parse(source, None)).len())
            .sum();
        // 2, 1, 3, 1 (a template is not a literal), 0, 0, 2 and 1.
        assert_eq!(all, 10);
    }

    #[test]
    fn a_tree_with_errors_is_walked_whole() {
        let source = "import a from './a.js';\nconst = ;\nrequire('./b');\n";
        let tree = syntax::parse(source, None);
        assert!(tree.root_node().has_error());
        let found: Vec<String> = imports(source, &tree)
            .into_iter()
            .map(|site| site.specifier)
            .collect();
        assert_eq!(found, ["./a.js", "./b"]);
    }

    #[test]
    fn a_method_named_require_is_not_a_require() {
        assert!(sites("obj.require('x'); requireX('y');").is_empty());
    }
}
