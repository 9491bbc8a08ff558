//! The declarations a TypeScript file imports by name from workspace
//! TypeScript files (`import type { UserRepo } from './repo.ts'`, `import {
//! load } from './api.ts'`, a `.d.ts` beside them): an interface, a type alias,
//! a class or a function (its signatures) the other file exports at its top
//! level under that name. Specifiers resolve as `workspace::resolve_source`
//! reads them (Node 24's resolution, then the TypeScript compiler's:
//! `./repo.js` and `./repo` name `./repo.ts`); a renamed import, a
//! re-export and a declaration that names other types of its own file are
//! not followed (a member whose type is one of those decides nothing).
//!
//! Each declaration's text is appended after the file's own text, so that one
//! parse holds both and every offset of the file stays what it was; the
//! appended part only declares, and where each piece came from is kept for
//! the hover's "at src/repo.ts:12".

use std::path::Path;

use tree_sitter::Node;

use crate::syntax::SourceLanguage;
use crate::workspace::{resolve_source, FileSystem, RequireOrImport, Resolution};

/// A declaration appended after the file's text.
#[derive(Clone, Debug)]
pub struct Appended {
    /// Where it starts in the combined text.
    pub start: usize,
    /// The file it came from, as the import wrote it (`./repo.ts`).
    pub specifier: String,
    /// Its first line in that file (1-based).
    pub line: usize,
    /// Its first row in the combined text (0-based).
    pub row: usize,
}

/// The file's text with the declarations it imports appended, the names
/// they declare, and where each came from.
pub struct WithImports {
    pub text: String,
    pub names: Vec<String>,
    pub appended: Vec<Appended>,
}

/// The imported declarations of the TypeScript file at `path`, whose text
/// is `source` and TypeScript parse `root`; `None` when it imports none.
pub fn with_imported_declarations(
    path: &Path,
    source: &str,
    root: Node,
    fs: &impl FileSystem,
) -> Option<WithImports> {
    let mut combined = WithImports {
        text: source.to_owned(),
        names: Vec::new(),
        appended: Vec::new(),
    };
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        if statement.kind() != "import_statement" {
            continue;
        }
        let Some(specifier) = statement
            .child_by_field_name("source")
            .and_then(|s| s.named_child(0))
            .map(|s| &source[s.byte_range()])
        else {
            continue;
        };
        if !specifier.starts_with('.') {
            continue;
        }
        let names = imported_names(source, statement);
        if names.is_empty() {
            continue;
        }
        let Resolution::File(target) = resolve_source(specifier, path, RequireOrImport::Import, fs)
        else {
            continue;
        };
        let Some(dialect) = SourceLanguage::of_path(&target).and_then(|l| l.dialect()) else {
            continue;
        };
        let Some(text) = fs.read(&target) else {
            continue;
        };
        let tree = dialect.parse(&text, None);
        for name in names {
            for declaration in exported_declarations(&text, tree.root_node(), name) {
                combined.text.push('\n');
                combined.appended.push(Appended {
                    start: combined.text.len(),
                    specifier: specifier.to_owned(),
                    line: declaration.start_position().row + 1,
                    row: combined.text.matches('\n').count(),
                });
                combined.text.push_str(&text[declaration.byte_range()]);
                if !combined.names.iter().any(|n| n == name) {
                    combined.names.push(name.to_owned());
                }
            }
        }
    }
    (!combined.appended.is_empty()).then_some(combined)
}

/// The names an import binds as written (`{ A, type B }`), not renamed.
fn imported_names<'s>(source: &'s str, statement: Node) -> Vec<&'s str> {
    let mut names = Vec::new();
    let mut cursor = statement.walk();
    for clause in statement.named_children(&mut cursor) {
        if clause.kind() != "import_clause" {
            continue;
        }
        let mut cursor = clause.walk();
        for part in clause.named_children(&mut cursor) {
            if part.kind() != "named_imports" {
                continue;
            }
            let mut cursor = part.walk();
            for specifier in part.named_children(&mut cursor) {
                if specifier.kind() != "import_specifier"
                    || specifier.child_by_field_name("alias").is_some()
                {
                    continue;
                }
                if let Some(name) = specifier.child_by_field_name("name") {
                    names.push(&source[name.byte_range()]);
                }
            }
        }
    }
    names
}

/// The top-level declarations `export`ed as `name` in the file whose text is
/// `text` (each overload of a function).
fn exported_declarations<'t>(text: &str, root: Node<'t>, name: &str) -> Vec<Node<'t>> {
    let mut found = Vec::new();
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        if statement.kind() != "export_statement" {
            continue;
        }
        let Some(declaration) = statement.child_by_field_name("declaration") else {
            continue;
        };
        // `export declare function f(): T;` declares inside the ambient declaration.
        let named = if declaration.kind() == "ambient_declaration" {
            declaration.named_child(0)
        } else {
            Some(declaration)
        };
        let Some(named) = named else { continue };
        let declares = matches!(
            named.kind(),
            "interface_declaration"
                | "type_alias_declaration"
                | "class_declaration"
                | "abstract_class_declaration"
                | "function_declaration"
                | "function_signature"
        ) && named
            .child_by_field_name("name")
            .is_some_and(|n| &text[n.byte_range()] == name);
        if declares {
            found.push(declaration);
        }
    }
    found
}
