//! The declarations a TypeScript file imports from workspace TypeScript
//! files: by name (`import type { UserRepo } from './repo.ts'`, `import {
//! load } from './api.ts'`, a `.d.ts` beside them) or as members of a
//! namespace import (`import * as api from './api.ts'`, only the members the
//! file names as `api.load`): an interface, a type alias, a class, a function
//! (its signatures) or a `const` the other file exports at its top level
//! under that name. Specifiers resolve as `workspace::resolve_source` reads
//! them (Node 24's resolution, then the TypeScript compiler's: `./repo.js`
//! and `./repo` name `./repo.ts`), through `export { X } from` and `export *
//! from` (see [`find_exported`]); a renamed import or export is not followed.
//!
//! The types those declarations name are read in their own file: the
//! other file's top-level interfaces, type aliases and classes of those
//! names come along (as the other file's, which a name written in this file
//! does not see), and so on while new names appear (at most every top-level
//! declaration of the file, once).
//!
//! Each declaration's text is appended after the file's text, so that one
//! parse holds both and every offset of the file stays what it was; the
//! appended part only declares, and where each piece came from is kept for
//! the hover's "at src/repo.ts:12" and for which names see it.

use std::path::{Path, PathBuf};

use tree_sitter::{Node, Tree};

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
    /// Which imported file it came from (a number per file, from 1).
    pub file: usize,
    /// Whether the file imports it by name (its name is bound in the file).
    pub by_name: bool,
    /// The namespace imports (`api` of `import * as api`) it is a member of.
    pub namespaces: Vec<String>,
}

/// The file's text with the declarations it imports appended, the names
/// they bind in the file, and where each came from.
pub struct WithImports {
    pub text: String,
    pub names: Vec<String>,
    pub appended: Vec<Appended>,
}

/// An imported file, read once.
struct Imported {
    path: PathBuf,
    specifier: String,
    text: String,
    tree: Tree,
}

/// A declaration to append: the file (index into the imported files) and
/// its byte range there.
struct Piece {
    file: usize,
    range: std::ops::Range<usize>,
    line: usize,
    by_name: bool,
    namespaces: Vec<String>,
}

/// The imported declarations of the TypeScript file at `path`, whose text
/// is `source` and TypeScript parse `root`; `None` when it imports none.
pub fn with_imported_declarations(
    path: &Path,
    source: &str,
    root: Node,
    fs: &impl FileSystem,
) -> Option<WithImports> {
    let mut files: Vec<Imported> = Vec::new();
    let mut pieces: Vec<Piece> = Vec::new();
    let mut names_bound: Vec<String> = Vec::new();
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
        let namespace = namespace_name(source, statement);
        if names.is_empty() && namespace.is_none() {
            continue;
        }
        let Resolution::File(target) = resolve_source(specifier, path, RequireOrImport::Import, fs)
        else {
            continue;
        };
        let Some(index) = read_once(&mut files, &target, specifier, fs) else {
            continue;
        };
        for name in names {
            let found = find_exported(&mut files, index, name, path, fs, &mut Vec::new());
            if !found.is_empty() && !names_bound.iter().any(|n| n == name) {
                names_bound.push(name.to_owned());
            }
            for declaration in found {
                add_piece(&mut pieces, declaration, true, None);
            }
        }
        if let Some(namespace) = namespace {
            for member in namespace_members(source, root, namespace) {
                for declaration in
                    find_exported(&mut files, index, &member, path, fs, &mut Vec::new())
                {
                    add_piece(&mut pieces, declaration, false, Some(namespace));
                }
            }
        }
    }
    if pieces.is_empty() {
        return None;
    }
    add_named_types(&files, &mut pieces);
    let mut combined = WithImports {
        text: source.to_owned(),
        names: names_bound,
        appended: Vec::new(),
    };
    for piece in pieces {
        let file = &files[piece.file];
        combined.text.push('\n');
        combined.appended.push(Appended {
            start: combined.text.len(),
            specifier: file.specifier.clone(),
            line: piece.line,
            row: combined.text.matches('\n').count(),
            file: piece.file + 1,
            by_name: piece.by_name,
            namespaces: piece.namespaces,
        });
        combined.text.push_str(&file.text[piece.range]);
    }
    Some(combined)
}

/// The index of the file at `target` in `files`, read and parsed the first
/// time it is asked for.
fn read_once(
    files: &mut Vec<Imported>,
    target: &Path,
    specifier: &str,
    fs: &impl FileSystem,
) -> Option<usize> {
    if let Some(index) = files.iter().position(|f| f.path == target) {
        return Some(index);
    }
    let dialect = SourceLanguage::of_path(target).and_then(|l| l.dialect())?;
    let text = fs.read(target)?;
    let tree = dialect.parse(&text, None);
    files.push(Imported {
        path: target.to_owned(),
        specifier: specifier.to_owned(),
        text,
        tree,
    });
    Some(files.len() - 1)
}

/// How many files one name is looked for in, through re-exports, at most.
const MAX_FILES_PER_NAME: usize = 64;

/// A declaration found in an imported file: the file, its byte range
/// there, its first line.
type Found = (usize, std::ops::Range<usize>, usize);

/// Records `found` as a piece to append (once), seen by name or as a
/// member of `namespace`.
fn add_piece(pieces: &mut Vec<Piece>, found: Found, by_name: bool, namespace: Option<&str>) {
    let (file, range, line) = found;
    let at = match pieces
        .iter()
        .position(|p| p.file == file && p.range == range)
    {
        Some(at) => at,
        None => {
            pieces.push(Piece {
                file,
                range,
                line,
                by_name: false,
                namespaces: Vec::new(),
            });
            pieces.len() - 1
        }
    };
    pieces[at].by_name |= by_name;
    if let Some(namespace) = namespace {
        if !pieces[at].namespaces.iter().any(|n| n == namespace) {
            pieces[at].namespaces.push(namespace.to_owned());
        }
    }
}

/// The declarations the imported file `index` exports as `name`: its own
/// (`export interface X`, `export { X }` of a top-level `X`), or,
/// when it has none, those of the workspace file an `export { name } from`
/// or an `export * from` names (one file: a name two `export *` give is
/// ambiguous); each file once per name, in at most [`MAX_FILES_PER_NAME`].
fn find_exported(
    files: &mut Vec<Imported>,
    index: usize,
    name: &str,
    importer: &Path,
    fs: &impl FileSystem,
    visited: &mut Vec<(usize, String)>,
) -> Vec<Found> {
    // Each file is asked for a name once (diamonds and cycles end).
    if visited.len() >= MAX_FILES_PER_NAME || visited.iter().any(|(f, n)| *f == index && n == name)
    {
        return Vec::new();
    }
    visited.push((index, name.to_owned()));
    let (found, onward) = {
        let file = &files[index];
        let root = file.tree.root_node();
        let mut found: Vec<Found> = exported_declarations(&file.text, root, name)
            .into_iter()
            .map(|d| (index, d.byte_range(), d.start_position().row + 1))
            .collect();
        let (local, onward) = reexports(&file.text, root, name);
        if found.is_empty() {
            if let Some(local) = local {
                found = declarations_named(&file.text, root, &local, false)
                    .into_iter()
                    .map(|d| (index, d.byte_range(), d.start_position().row + 1))
                    .collect();
            }
        }
        (found, onward)
    };
    if !found.is_empty() {
        return found;
    }
    let from = files[index].path.clone();
    let mut result: Vec<Found> = Vec::new();
    for (specifier, original) in onward {
        if !specifier.starts_with('.') {
            continue;
        }
        let Resolution::File(target) =
            resolve_source(&specifier, &from, RequireOrImport::Import, fs)
        else {
            continue;
        };
        let shown = relative_path(importer, &target);
        let Some(next) = read_once(files, &target, &shown, fs) else {
            continue;
        };
        let more = find_exported(files, next, &original, importer, fs, visited);
        if !more.is_empty() {
            if result
                .first()
                .is_some_and(|r| more.iter().any(|m| m.0 != r.0))
            {
                // Two files export it: ambiguous.
                return Vec::new();
            }
            result.extend(more);
        }
    }
    result
}

/// How the file `importer` would name `target`: `./x.ts`, `../lib/x.ts`.
fn relative_path(importer: &Path, target: &Path) -> String {
    let from: Vec<_> = importer
        .parent()
        .map(|p| p.components().collect())
        .unwrap_or_default();
    let to: Vec<_> = target.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = Vec::new();
    if common == from.len() {
        parts.push(".".to_owned());
    }
    parts.extend(std::iter::repeat_n("..".to_owned(), from.len() - common));
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// What the file whose text is `text` re-exports as `name`, not renamed: the
/// top-level name a local `export { name }` names, and the `(specifier, name
/// there)` of each `export { name } from '…'` and `export * from '…'`.
#[allow(clippy::type_complexity)]
fn reexports(text: &str, root: Node, name: &str) -> (Option<String>, Vec<(String, String)>) {
    let mut local = None;
    let mut onward = Vec::new();
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        if statement.kind() != "export_statement"
            || statement.child_by_field_name("declaration").is_some()
        {
            continue;
        }
        let source = statement
            .child_by_field_name("source")
            .and_then(|s| s.named_child(0))
            .map(|s| text[s.byte_range()].to_owned());
        let mut cursor = statement.walk();
        let clause = statement
            .named_children(&mut cursor)
            .find(|c| c.kind() == "export_clause");
        let Some(clause) = clause else {
            // `export * from '…'` (not `export * as ns from`).
            let mut cursor = statement.walk();
            let star = statement.children(&mut cursor).any(|c| c.kind() == "*")
                && !statement
                    .named_children(&mut statement.walk())
                    .any(|c| c.kind() == "namespace_export");
            if let (true, Some(source)) = (star, source) {
                onward.push((source, name.to_owned()));
            }
            continue;
        };
        let mut cursor = clause.walk();
        for specifier in clause.named_children(&mut cursor) {
            if specifier.kind() != "export_specifier" {
                continue;
            }
            let Some(original) = specifier.child_by_field_name("name") else {
                continue;
            };
            // A renamed export is not followed: the declaration has another name.
            let exported = specifier.child_by_field_name("alias").unwrap_or(original);
            if &text[exported.byte_range()] != name || &text[original.byte_range()] != name {
                continue;
            }
            let original = text[original.byte_range()].to_owned();
            match &source {
                Some(source) => onward.push((source.clone(), original)),
                None => local = Some(original),
            }
        }
    }
    (local, onward)
}

/// Adds, for each imported file, its top-level interfaces, type aliases and
/// classes named by the pieces taken from it (and by those, and so on):
/// the types its declarations name, read in their own file.
fn add_named_types(files: &[Imported], pieces: &mut Vec<Piece>) {
    let mut next = 0;
    while next < pieces.len() {
        let file = &files[pieces[next].file];
        let index = pieces[next].file;
        let root = file.tree.root_node();
        let Some(piece_node) =
            root.descendant_for_byte_range(pieces[next].range.start, pieces[next].range.end)
        else {
            next += 1;
            continue;
        };
        let mut named = Vec::new();
        type_names(&file.text, piece_node, &mut named);
        for name in named {
            for declaration in top_level_types(&file.text, root, &name) {
                let range = declaration.byte_range();
                if !pieces.iter().any(|p| p.file == index && p.range == range) {
                    pieces.push(Piece {
                        file: index,
                        range,
                        line: declaration.start_position().row + 1,
                        by_name: false,
                        namespaces: Vec::new(),
                    });
                }
            }
        }
        next += 1;
    }
}

/// The type names (`type_identifier`s, and the identifier a class extends)
/// written in `node`.
fn type_names(text: &str, node: Node, found: &mut Vec<String>) {
    let mut cursor = node.walk();
    'walk: loop {
        let at = cursor.node();
        let name = match at.kind() {
            "type_identifier" => Some(&text[at.byte_range()]),
            "extends_clause" => at
                .child_by_field_name("value")
                .filter(|v| v.kind() == "identifier")
                .map(|v| &text[v.byte_range()]),
            _ => None,
        };
        if let Some(name) = name {
            if !found.iter().any(|n| n == name) {
                found.push(name.to_owned());
            }
        }
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.node() == node {
                break 'walk;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
}

/// The top-level interfaces, type aliases and classes named `name` of a
/// file, exported or not (the `export` statement around one when exported).
fn top_level_types<'t>(text: &str, root: Node<'t>, name: &str) -> Vec<Node<'t>> {
    let mut found = Vec::new();
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        let declaration = match statement.kind() {
            "export_statement" => statement.child_by_field_name("declaration"),
            _ => Some(statement),
        };
        let Some(declaration) = declaration else {
            continue;
        };
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
        ) && named
            .child_by_field_name("name")
            .is_some_and(|n| &text[n.byte_range()] == name);
        if declares {
            found.push(declaration);
        }
    }
    found
}

/// The name a namespace import binds: `api` of `import * as api from …`.
fn namespace_name<'s>(source: &'s str, statement: Node) -> Option<&'s str> {
    let mut cursor = statement.walk();
    let clause = statement
        .named_children(&mut cursor)
        .find(|c| c.kind() == "import_clause")?;
    let mut cursor = clause.walk();
    let namespace = clause
        .named_children(&mut cursor)
        .find(|c| c.kind() == "namespace_import")?;
    let mut cursor = namespace.walk();
    let name = namespace
        .named_children(&mut cursor)
        .find(|c| c.kind() == "identifier")?;
    Some(&source[name.byte_range()])
}

/// The members the file names of the namespace `namespace`: `load` of
/// `api.load(…)` and `Repo` of `api.Repo` in a type.
fn namespace_members(source: &str, root: Node, namespace: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut cursor = root.walk();
    'walk: loop {
        let at = cursor.node();
        let (object, member) = match at.kind() {
            "member_expression" => (
                at.child_by_field_name("object"),
                at.child_by_field_name("property"),
            ),
            "nested_type_identifier" => (
                at.child_by_field_name("module"),
                at.child_by_field_name("name"),
            ),
            _ => (None, None),
        };
        if let (Some(object), Some(member)) = (object, member) {
            if object.kind() == "identifier" && &source[object.byte_range()] == namespace {
                let member = &source[member.byte_range()];
                if !found.iter().any(|m| m == member) {
                    found.push(member.to_owned());
                }
            }
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    found
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
/// `text` (each overload of a function; a `const` declaration holding it).
fn exported_declarations<'t>(text: &str, root: Node<'t>, name: &str) -> Vec<Node<'t>> {
    declarations_named(text, root, name, true)
}

/// The top-level declarations of `name` in the file whose text is `text`,
/// only those `export`ed when `exported`.
fn declarations_named<'t>(text: &str, root: Node<'t>, name: &str, exported: bool) -> Vec<Node<'t>> {
    let mut found = Vec::new();
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        let declaration = match statement.kind() {
            "export_statement" => statement.child_by_field_name("declaration"),
            _ if exported => None,
            _ => Some(statement),
        };
        let Some(declaration) = declaration else {
            continue;
        };
        // `export declare function f(): T;` declares inside the ambient declaration.
        let named = if declaration.kind() == "ambient_declaration" {
            declaration.named_child(0)
        } else {
            Some(declaration)
        };
        let Some(named) = named else { continue };
        let declares = match named.kind() {
            "interface_declaration"
            | "type_alias_declaration"
            | "class_declaration"
            | "abstract_class_declaration"
            | "function_declaration"
            | "function_signature" => named
                .child_by_field_name("name")
                .is_some_and(|n| &text[n.byte_range()] == name),
            // `export const load = (): Promise<T> => …` (never `let`: the
            // other file may assign it).
            "lexical_declaration" => {
                named
                    .child_by_field_name("kind")
                    .is_some_and(|k| &text[k.byte_range()] == "const")
                    && {
                        let mut cursor = named.walk();
                        let found = named.named_children(&mut cursor).any(|d| {
                            d.kind() == "variable_declarator"
                                && d.child_by_field_name("name").is_some_and(|n| {
                                    n.kind() == "identifier" && &text[n.byte_range()] == name
                                })
                        });
                        found
                    }
            }
            _ => false,
        };
        if declares {
            found.push(declaration);
        }
    }
    found
}
