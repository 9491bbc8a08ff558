//! The module specifiers a file names (`queries/imports.scm`): `require("x")`,
//! static `import`, `export ... from` and `import("x")`, each with a string
//! literal. A computed specifier (`require(name)`, a template) names no file
//! we can know, so it is not listed. Whether `require` is Node's own (and not a
//! local of the same name) is for the caller to decide.

use std::ops::Range;

use tree_sitter::{QueryCursor, StreamingIterator, Tree};

use super::resolve::RequireOrImport;

crate::query_file!(
    IMPORTS,
    "imports.scm",
    ["import.require", "import.dynamic", "import.static"]
);

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
    let query = IMPORTS.query();
    let require = IMPORTS.capture("import.require");
    let dynamic = IMPORTS.capture("import.dynamic");
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(query, tree.root_node(), source.as_bytes());
    let mut sites = Vec::new();
    while let Some(found) = matches.next() {
        for capture in found.captures {
            let kind = if capture.index == require {
                RequireOrImport::Require
            } else if capture.index == dynamic || capture.index == IMPORTS.capture("import.static")
            {
                RequireOrImport::Import
            } else {
                continue;
            };
            let range = capture.node.byte_range();
            if let Some(specifier) = literal_value(&source[range.clone()]) {
                sites.push(ImportSite {
                    specifier,
                    kind,
                    range,
                });
            }
        }
    }
    sites.sort_by_key(|site| site.range.start);
    sites
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
