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
//!
//! What is read of an imported file is its [`Index`], built from one parse
//! (which is not kept): its text, its top-level declarations by name, its
//! re-exports and the type names each declaration writes. A
//! [`DeclarationFiles`] keeps each file's index for a run over files that do
//! not change while it lasts (`check`), so a file a hundred others import is
//! read and parsed once, not a hundred times.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

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

/// An imported file, read once per importing file: where it is (as
/// resolved), how the importing file names it, and its index.
struct Imported {
    path: PathBuf,
    specifier: String,
    index: Arc<Index>,
}

/// What is read of an imported TypeScript file, from one parse of it.
#[derive(Debug, PartialEq, Eq)]
pub struct Index {
    text: String,
    /// The top-level declarations that can be imported or name a type
    /// (an interface, a type alias, a class, a function, a `const`), in the
    /// file's order.
    declarations: Vec<Declaration>,
    /// The declarations of each name, in the file's order.
    by_name: HashMap<String, Vec<usize>>,
    /// Its `export … from` and local `export { … }` statements, in order.
    reexports: Vec<Reexport>,
}

/// A top-level declaration of an imported file.
#[derive(Debug, PartialEq, Eq)]
struct Declaration {
    /// Its byte range (the declaration inside `export`) and first line (1-based).
    range: std::ops::Range<usize>,
    line: usize,
    /// Whether it is `export`ed where it is declared.
    exported: bool,
    /// An interface, a type alias or a class: a type its file's declarations may name.
    is_type: bool,
    /// The type names written in it, and its text with function bodies
    /// emptied (see [`read_declaration`]).
    type_names: Vec<String>,
    signature: String,
}

/// One name an `export` statement without a declaration re-exports.
#[derive(Debug, PartialEq, Eq)]
enum Reexport {
    /// `export * from 'source'` (not `export * as ns from`).
    Star(String),
    /// `export { name }` (`source` `None`) or `export { name } from 'source'`,
    /// not renamed.
    Named {
        name: String,
        source: Option<String>,
    },
}

impl Index {
    /// The index of the file whose text is `text` and parse `root`.
    pub fn of(text: String, root: Node) -> Self {
        let mut declarations = Vec::new();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut reexports = Vec::new();
        let mut cursor = root.walk();
        for statement in root.named_children(&mut cursor) {
            let exported = statement.kind() == "export_statement";
            let declaration = if exported {
                statement.child_by_field_name("declaration")
            } else {
                Some(statement)
            };
            let Some(declaration) = declaration else {
                reexported(&text, statement, &mut reexports);
                continue;
            };
            // `export declare function f(): T;` declares inside the ambient declaration.
            let named = if declaration.kind() == "ambient_declaration" {
                declaration.named_child(0)
            } else {
                Some(declaration)
            };
            let Some(named) = named else { continue };
            let (names, is_type) = declared_names(&text, named);
            if names.is_empty() {
                continue;
            }
            let (written, signature) = read_declaration(&text, declaration);
            for name in names {
                let at = by_name.entry(name).or_default();
                if at.last() != Some(&declarations.len()) {
                    at.push(declarations.len());
                }
            }
            declarations.push(Declaration {
                range: declaration.byte_range(),
                line: declaration.start_position().row + 1,
                exported,
                is_type,
                type_names: written,
                signature,
            });
        }
        Self {
            text,
            declarations,
            by_name,
            reexports,
        }
    }

    /// The top-level declarations of `name`, only those `export`ed when
    /// `exported` (each overload of a function; a `const` declaration holding it).
    fn declarations_named(&self, name: &str, exported: bool) -> Vec<&Declaration> {
        self.by_name
            .get(name)
            .into_iter()
            .flatten()
            .map(|&at| &self.declarations[at])
            .filter(|d| d.exported || !exported)
            .collect()
    }

    /// The top-level interfaces, type aliases and classes named `name`,
    /// exported or not.
    fn top_level_types(&self, name: &str) -> Vec<&Declaration> {
        self.by_name
            .get(name)
            .into_iter()
            .flatten()
            .map(|&at| &self.declarations[at])
            .filter(|d| d.is_type)
            .collect()
    }

    /// The declaration whose byte range is `range`.
    fn declaration_at(&self, range: &std::ops::Range<usize>) -> Option<&Declaration> {
        let at = self
            .declarations
            .binary_search_by_key(&range.start, |d| d.range.start)
            .ok()?;
        Some(&self.declarations[at]).filter(|d| d.range == *range)
    }

    /// What the file re-exports as `name`, not renamed: the top-level name a
    /// local `export { name }` names, and the `(specifier, name there)` of
    /// each `export { name } from '…'` and `export * from '…'`.
    #[allow(clippy::type_complexity)]
    fn reexports(&self, name: &str) -> (Option<String>, Vec<(String, String)>) {
        let mut local = None;
        let mut onward = Vec::new();
        for reexport in &self.reexports {
            match reexport {
                Reexport::Star(source) => onward.push((source.clone(), name.to_owned())),
                Reexport::Named { name: named, .. } if named != name => {}
                Reexport::Named {
                    name: named,
                    source: Some(source),
                } => onward.push((source.clone(), named.clone())),
                Reexport::Named {
                    name: named,
                    source: None,
                } => local = Some(named.clone()),
            }
        }
        (local, onward)
    }
}

/// The names the top-level declaration `named` declares, and whether it is
/// a type (an interface, a type alias or a class); none when it is not one
/// an import can read (only a `const`, never `let`: the other file may
/// assign it).
fn declared_names(text: &str, named: Node) -> (Vec<String>, bool) {
    match named.kind() {
        "interface_declaration"
        | "type_alias_declaration"
        | "class_declaration"
        | "abstract_class_declaration" => (
            named
                .child_by_field_name("name")
                .map(|n| text[n.byte_range()].to_owned())
                .into_iter()
                .collect(),
            true,
        ),
        "function_declaration" | "function_signature" => (
            named
                .child_by_field_name("name")
                .map(|n| text[n.byte_range()].to_owned())
                .into_iter()
                .collect(),
            false,
        ),
        "lexical_declaration"
            if named
                .child_by_field_name("kind")
                .is_some_and(|k| &text[k.byte_range()] == "const") =>
        {
            let mut cursor = named.walk();
            let names = named
                .named_children(&mut cursor)
                .filter(|d| d.kind() == "variable_declarator")
                .filter_map(|d| d.child_by_field_name("name"))
                .filter(|n| n.kind() == "identifier")
                .map(|n| text[n.byte_range()].to_owned())
                .collect();
            (names, false)
        }
        _ => (Vec::new(), false),
    }
}

/// Adds what the `export` statement `statement`, which has no declaration,
/// re-exports: `export * from '…'` (not `export * as ns from`), and each
/// name of `export { … }` and `export { … } from '…'` not renamed.
fn reexported(text: &str, statement: Node, found: &mut Vec<Reexport>) {
    if statement.kind() != "export_statement" {
        return;
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
        let mut cursor = statement.walk();
        let star = statement.children(&mut cursor).any(|c| c.kind() == "*")
            && !statement
                .named_children(&mut statement.walk())
                .any(|c| c.kind() == "namespace_export");
        if let (true, Some(source)) = (star, source) {
            found.push(Reexport::Star(source));
        }
        return;
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
        if text[exported.byte_range()] != text[original.byte_range()] {
            continue;
        }
        found.push(Reexport::Named {
            name: text[original.byte_range()].to_owned(),
            source: source.clone(),
        });
    }
}

/// The index of each imported file, built once while this lives (`None`
/// for a file that is not TypeScript or cannot be read).
/// [`DeclarationFiles::default`] keeps nothing: every importing file reads
/// the files it imports again, as an editor must once a file can change.
#[derive(Default)]
pub struct DeclarationFiles {
    kept: Option<Mutex<HashMap<PathBuf, Arc<IndexCell>>>>,
}

/// One file's index, built once (`None`: not TypeScript, or unreadable).
type IndexCell = OnceLock<Option<Arc<Index>>>;

impl DeclarationFiles {
    /// One that keeps each file's index once built: for a run over files
    /// that do not change while it lasts.
    pub fn kept() -> Self {
        Self {
            kept: Some(Mutex::default()),
        }
    }

    /// Whether no file was looked up (always, when nothing is kept).
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.kept.as_ref().is_none_or(|kept| {
            kept.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .is_empty()
        })
    }

    /// The index of the file at `target`, read through `fs`.
    fn of(&self, target: &Path, fs: &impl FileSystem) -> Option<Arc<Index>> {
        let read = || {
            let dialect = SourceLanguage::of_path(target).and_then(|l| l.dialect())?;
            let text = fs.read(target)?;
            let tree = dialect.parse(&text, None);
            let root = tree.root_node();
            Some(Arc::new(Index::of(text, root)))
        };
        match self.cell(target) {
            Some(cell) => cell.get_or_init(read).clone(),
            None => read(),
        }
    }

    /// Keeps the index of the TypeScript file at `path`, from its text
    /// `text` (as read from disk) and its parse `root`, for the files that
    /// import it: a run that parses the file anyway spares them a parse.
    pub fn read_from(&self, path: &Path, text: &str, root: Node) {
        if let Some(cell) = self.cell(path) {
            cell.get_or_init(|| Some(Arc::new(Index::of(text.to_owned(), root))));
        }
    }

    /// The cell of the file at `path` (by its absolute path, `.` and `..`
    /// folded, as `check` names each file once), when files are kept.
    fn cell(&self, path: &Path) -> Option<Arc<IndexCell>> {
        let kept = self.kept.as_ref()?;
        let mut key = PathBuf::new();
        for part in std::path::absolute(path).ok()?.components() {
            match part {
                std::path::Component::CurDir => {}
                std::path::Component::ParentDir => {
                    key.pop();
                }
                part => key.push(part),
            }
        }
        let mut kept = kept.lock().unwrap_or_else(PoisonError::into_inner);
        Some(Arc::clone(kept.entry(key).or_default()))
    }
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
/// The imported files are read through `files`.
pub fn with_imported_declarations(
    path: &Path,
    source: &str,
    root: Node,
    fs: &impl FileSystem,
    files_read: &DeclarationFiles,
) -> Option<WithImports> {
    let mut files: Vec<Imported> = Vec::new();
    let mut pieces: Vec<Piece> = Vec::new();
    let mut names_bound: Vec<String> = Vec::new();
    let mut members = None;
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
        let Some(index) = read_once(&mut files, &target, specifier, fs, files_read) else {
            continue;
        };
        for name in names {
            let found = find_exported(
                &mut files,
                index,
                name,
                (path, fs, files_read),
                &mut Vec::new(),
            );
            if !found.is_empty() && !names_bound.iter().any(|n| n == name) {
                names_bound.push(name.to_owned());
            }
            for declaration in found {
                add_piece(&mut pieces, declaration, true, None);
            }
        }
        if let Some(namespace) = namespace {
            let members = members.get_or_insert_with(|| namespace_members(source, root));
            for member in members.get(namespace).into_iter().flatten() {
                for declaration in find_exported(
                    &mut files,
                    index,
                    member,
                    (path, fs, files_read),
                    &mut Vec::new(),
                ) {
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
    // The rows of the combined text so far (its '\n's), counted as it grows.
    let mut rows = newlines(source);
    for piece in pieces {
        let file = &files[piece.file];
        let Some(declaration) = file.index.declaration_at(&piece.range) else {
            continue;
        };
        let text = &declaration.signature;
        combined.text.push('\n');
        rows += 1;
        combined.appended.push(Appended {
            start: combined.text.len(),
            specifier: file.specifier.clone(),
            line: piece.line,
            row: rows,
            file: piece.file + 1,
            by_name: piece.by_name,
            namespaces: piece.namespaces,
        });
        combined.text.push_str(text);
        rows += newlines(text);
    }
    Some(combined)
}

/// The `'\n'`s in `text`.
fn newlines(text: &str) -> usize {
    memchr::memchr_iter(b'\n', text.as_bytes()).count()
}

/// The place in `files` of the file at `target`, its index read through
/// `read` the first time it is asked for.
fn read_once(
    files: &mut Vec<Imported>,
    target: &Path,
    specifier: &str,
    fs: &impl FileSystem,
    read: &DeclarationFiles,
) -> Option<usize> {
    if let Some(index) = files.iter().position(|f| f.path == target) {
        return Some(index);
    }
    let index = read.of(target, fs)?;
    files.push(Imported {
        path: target.to_owned(),
        specifier: specifier.to_owned(),
        index,
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
fn find_exported<F: FileSystem>(
    files: &mut Vec<Imported>,
    index: usize,
    name: &str,
    (importer, fs, read): (&Path, &F, &DeclarationFiles),
    visited: &mut Vec<(usize, String)>,
) -> Vec<Found> {
    // Each file is asked for a name once (diamonds and cycles end).
    if visited.len() >= MAX_FILES_PER_NAME || visited.iter().any(|(f, n)| *f == index && n == name)
    {
        return Vec::new();
    }
    visited.push((index, name.to_owned()));
    let (found, onward) = {
        let file = &files[index].index;
        let found = |name: &str, exported: bool| -> Vec<Found> {
            file.declarations_named(name, exported)
                .into_iter()
                .map(|d| (index, d.range.clone(), d.line))
                .collect()
        };
        let mut exported = found(name, true);
        let (local, onward) = file.reexports(name);
        if exported.is_empty() {
            if let Some(local) = local {
                exported = found(&local, false);
            }
        }
        (exported, onward)
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
        let Some(next) = read_once(files, &target, &shown, fs, read) else {
            continue;
        };
        let more = find_exported(files, next, &original, (importer, fs, read), visited);
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

/// Adds, for each imported file, its top-level interfaces, type aliases and
/// classes named by the pieces taken from it (and by those, and so on):
/// the types its declarations name, read in their own file.
fn add_named_types(files: &[Imported], pieces: &mut Vec<Piece>) {
    let mut next = 0;
    while next < pieces.len() {
        let index = pieces[next].file;
        let file = &files[index].index;
        let Some(piece) = file.declaration_at(&pieces[next].range) else {
            next += 1;
            continue;
        };
        for name in &piece.type_names {
            for declaration in file.top_level_types(name) {
                let range = declaration.range.clone();
                if !pieces.iter().any(|p| p.file == index && p.range == range) {
                    pieces.push(Piece {
                        file: index,
                        range,
                        line: declaration.line,
                        by_name: false,
                        namespaces: Vec::new(),
                    });
                }
            }
        }
        next += 1;
    }
}

/// What is read of the declaration `node`: the type names written in it
/// outside function bodies (`type_identifier`s, and the identifier a class
/// extends), and its text with every function body emptied and every comment
/// blanked. A declared type is read from signatures, never from a body or a
/// comment, so those (most of an implementation file, and of a documented
/// declaration) are neither appended nor parsed again; each keeps its line
/// breaks, so every line after it stays where it was.
fn read_declaration(text: &str, node: Node) -> (Vec<String>, String) {
    let mut found: Vec<String> = Vec::new();
    let mut signature = String::new();
    let mut copied = node.start_byte();
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
        let body = at.kind() == "statement_block" && cursor.field_name() == Some("body");
        if body || at.kind() == "comment" {
            let line_breaks = std::iter::repeat_n('\n', newlines(&text[at.byte_range()]));
            signature.push_str(&text[copied..at.start_byte()]);
            if body {
                signature.push('{');
                signature.extend(line_breaks);
                signature.push('}');
            } else {
                signature.push(' ');
                signature.extend(line_breaks);
            }
            copied = at.end_byte();
        } else if cursor.goto_first_child() {
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
    signature.push_str(&text[copied..node.end_byte()]);
    (found, signature)
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

/// The members the file names of each namespace import: `load` of
/// `api.load(…)` and `Repo` of `api.Repo` in a type, by the namespace's name,
/// in order of first use. One walk of the tree serves every namespace import
/// (a file may have dozens).
fn namespace_members<'s>(source: &'s str, root: Node) -> HashMap<&'s str, Vec<&'s str>> {
    let mut namespaces: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        if statement.kind() == "import_statement" {
            if let Some(namespace) = namespace_name(source, statement) {
                namespaces.entry(namespace).or_default();
            }
        }
    }
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
            if object.kind() == "identifier" {
                if let Some(found) = namespaces.get_mut(&source[object.byte_range()]) {
                    let member = &source[member.byte_range()];
                    if !found.contains(&member) {
                        found.push(member);
                    }
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
    namespaces
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
