//! The types a TypeScript file declares, read as facts without a type
//! checker: which awaited (or dropped) expressions are promises because a
//! declaration says so (a function, method or member declared to return
//! `Promise<T>`, a binding annotated `Promise<T>`), and which async callbacks
//! are passed where the parameter's declared type is a function returning
//! `void`.
//!
//! Read from the written text's TypeScript tree, whose byte offsets are those
//! of the erased JavaScript the rest of the analysis reads (type stripping
//! keeps every position, `syntax::typescript`): a fact is keyed by the byte
//! range of the expression it is about.
//!
//! What a declaration proves, and what it does not:
//! - `Promise<T>` says the value is a promise: TypeScript accepts an instance
//!   of a `Promise` subclass there, which `await` resumes after 2 more jobs
//!   than a native promise (`engine::promise_subclass`), so the hover keeps
//!   that case and drops only the thenable one.
//! - `PromiseLike<T>`, a type parameter, `any`, `unknown`, a union, and a
//!   type name this file does not declare prove nothing: the hedge stays.
//! - A name counts only when every binding of it in the file is declared
//!   (names are resolved without scopes, as in `source_facts`), and nothing
//!   binds `Promise` itself.
//! - What the file declares is read, and what it imports from workspace
//!   TypeScript files (`imported`); a name imported from a package, renamed,
//!   or re-exported under another name is a name this file does not declare.
//! - A receiver's type is what a declaration gives it: an annotation, `this`
//!   in a class, `new C(…)` (exactly a `C`), the declared return type of the
//!   call that built it (a type name that is not a type parameter, or `this`),
//!   an annotated property. Overriding does not undo it: TypeScript checks that
//!   a subclass's method returns what the base declares, so a receiver that is
//!   a subclass instance still returns a `Promise<T>` (native or a subclass).
//!   An optional call or member (`a?.b()`, `later?: Promise<T>`) decides
//!   nothing: it may give `undefined`.

mod imported;
mod resolve;
#[cfg(test)]
mod tests;
mod void_callees;

use std::collections::{BTreeMap, HashMap};

use std::ops::Range;
pub use void_callees::may_have_void_callbacks;

use tree_sitter::{Node, Tree};

pub use imported::DeclarationFiles;
pub use resolve::promise_type_text;

/// The `type_text` of a call of an `async` function or method declared
/// without a return type (TypeScript infers a `Promise` for it).
const ASYNC: &str = "async";

/// Why an expression is a promise: the declaration that says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclaredPromise {
    /// What is declared, as written: `repo.save`, `load`, `p`.
    pub subject: String,
    /// The declared type, as written: `Promise<User>`; `async` for an
    /// `async` function or method declared without one.
    pub type_text: String,
    /// The declaration's name when it is a member of a type: `UserRepo.save`.
    pub declared_as: Option<String>,
    /// The declaration's line (1-based).
    pub line: usize,
    /// The imported file it is in (`./repo.ts`), or `None` for this file.
    pub file: Option<String>,
}

/// "at line 3", or "at ./repo.ts:3" for an imported declaration.
fn at_place(line: usize, file: &Option<String>) -> String {
    match file {
        Some(file) => format!("at {file}:{line}"),
        None => format!("at line {line}"),
    }
}

impl DeclaredPromise {
    /// A sentence fragment naming the declaration: "`repo.save` is declared
    /// to return `Promise<void>` by `UserRepo.save` at line 3".
    pub fn why(&self) -> String {
        let place = at_place(self.line, &self.file);
        let at = match &self.declared_as {
            Some(member) => format!("by `{member}` {place}"),
            None => place,
        };
        if self.type_text == ASYNC {
            format!(
                "`{}` is declared `async` {at}",
                self.subject.trim_end_matches("()")
            )
        } else if self.subject.ends_with("()") {
            format!(
                "`{}` is declared to return `{}` {at}",
                self.subject.trim_end_matches("()"),
                self.type_text
            )
        } else {
            format!("`{}` is declared `{}` {at}", self.subject, self.type_text)
        }
    }
}

/// An async function passed where the parameter's declared type is a
/// function returning `void`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VoidCallback {
    /// The async function passed.
    pub argument: Range<usize>,
    /// Its `async` keyword.
    pub async_keyword: Range<usize>,
    /// The callee, as written: `onDone`, `bus.subscribe`.
    pub callee: String,
    /// The parameter's name.
    pub parameter: String,
    /// The parameter's declared type, as written: `() => void`.
    pub type_text: String,
    /// The parameter's line (1-based).
    pub line: usize,
    /// The imported file it is in, or `None` for this file.
    pub file: Option<String>,
}

impl VoidCallback {
    /// Where the parameter is declared: `line 3`, `./bus.ts:3`.
    pub fn place(&self) -> String {
        match &self.file {
            Some(file) => format!("{file}:{}", self.line),
            None => format!("line {}", self.line),
        }
    }
}

/// What a TypeScript file's declared types decide (empty for JavaScript).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeclaredTypes {
    /// Awaited operands and dropped expressions that are promises, by byte range.
    promises: HashMap<(usize, usize), DeclaredPromise>,
    /// The callees (`load`, `repo.save`) whose every call in the file is
    /// declared to return a promise, for the rules' name-keyed facts.
    callees: BTreeMap<String, DeclaredPromise>,
    void_callbacks: Vec<VoidCallback>,
}

impl DeclaredTypes {
    /// What a document's TypeScript declares (nothing for JavaScript, or
    /// for a TypeScript text whose parse was given up), with what it
    /// imports from workspace files when its `path` is known.
    pub fn of_document(doc: &crate::document::Document, path: Option<&std::path::Path>) -> Self {
        match (doc.typescript(), path) {
            (Some((written, tree, _)), Some(path)) => {
                Self::of_file(path, written, tree, &crate::workspace::DiskFs)
            }
            (Some((written, tree, _)), None) => Self::of(written, tree),
            (None, _) => Self::default(),
        }
    }

    /// What the TypeScript file at `path` (its text `source`, its parse
    /// `tree`) declares, with the declarations it imports by name from
    /// workspace TypeScript files, read through `fs` (see `imported`).
    pub fn of_file(
        path: &std::path::Path,
        source: &str,
        tree: &Tree,
        fs: &impl crate::workspace::FileSystem,
    ) -> Self {
        Self::of_file_with(path, source, tree, fs, &DeclarationFiles::default())
    }

    /// [`Self::of_file`], the imported files read through `files` (which
    /// may keep what it read for the next file).
    pub fn of_file_with(
        path: &std::path::Path,
        source: &str,
        tree: &Tree,
        fs: &impl crate::workspace::FileSystem,
        files: &DeclarationFiles,
    ) -> Self {
        let Some(with) =
            imported::with_imported_declarations(path, source, tree.root_node(), fs, files)
        else {
            return Self::of(source, tree);
        };
        if !imports_may_decide(source, &with.text[source.len()..]) {
            return Self::of(source, tree);
        }
        let dialect = crate::syntax::SourceLanguage::of_path(path)
            .and_then(|l| l.dialect())
            .unwrap_or(crate::syntax::Dialect::TypeScript);
        let combined = parse_appended(dialect, source, tree, &with.text);
        resolve::Declarations::with_imports(&with.text, &combined, source.len(), &with).decide_all()
    }

    /// [`Self::of_file_with`] for a reader of [`Self::void_callbacks`]
    /// only: nothing without reading a declaration when the file passes no
    /// async function literal as an argument (most files), which is the
    /// only way it has one.
    pub fn void_callbacks_of_file_with(
        path: &std::path::Path,
        source: &str,
        tree: &Tree,
        fs: &impl crate::workspace::FileSystem,
        files: &DeclarationFiles,
    ) -> Self {
        if !passes_an_async_function(source, tree) {
            return Self::default();
        }
        Self::of_file_with(path, source, tree, fs, files)
    }

    /// What the TypeScript text `source` (whose TypeScript parse is `tree`)
    /// declares.
    pub fn of(source: &str, tree: &Tree) -> Self {
        resolve::Declarations::new(source, tree).decide_all()
    }

    /// The declaration that makes the expression at `range` a promise.
    pub fn promise_at(&self, range: &Range<usize>) -> Option<&DeclaredPromise> {
        self.promises.get(&(range.start, range.end))
    }

    /// The callees whose every call in the file is declared to return a
    /// promise: `load` or `repo.save` (the receiver a plain name).
    pub fn promise_callees(&self) -> &BTreeMap<String, DeclaredPromise> {
        &self.callees
    }

    /// The async callbacks passed where a `void`-returning function is declared.
    pub fn void_callbacks(&self) -> &[VoidCallback] {
        &self.void_callbacks
    }

    /// What the rules read of these (the callees and the void callbacks),
    /// as text, for a cache key.
    pub fn rules_fingerprint(&self) -> String {
        format!("{:?}{:?}", self.callees, self.void_callbacks)
    }

    pub fn is_empty(&self) -> bool {
        self.promises.is_empty() && self.callees.is_empty() && self.void_callbacks.is_empty()
    }
}

/// Whether `source` (parsed as `tree`) passes an async function or arrow
/// as an argument, as [`resolve::Declarations`] finds the calls a void
/// callback is looked for in: found from each `async` in the text, not by
/// walking the tree.
fn passes_an_async_function(source: &str, tree: &Tree) -> bool {
    memchr::memmem::find_iter(source.as_bytes(), ASYNC.as_bytes()).any(|at| {
        let Some(keyword) = tree
            .root_node()
            .descendant_for_byte_range(at, at + ASYNC.len())
        else {
            return false;
        };
        let function = keyword.parent();
        function.is_some_and(|f| {
            matches!(f.kind(), "arrow_function" | "function_expression")
                && f.parent().is_some_and(|p| p.kind() == "arguments")
                && keyword.kind() == ASYNC
        })
    })
}

/// Whether `imported`, the declarations a file imports (with the types they
/// name), can decide anything about the file's own text `source`: a promise
/// is declared by a `Promise` type (or `PromiseLike`, or a shadowing
/// `Promise`) or an `async` declaration, and a void callback needs an `async`
/// function in the file and a `void` in the declaration taking it. Without
/// any of those, the file decides what it would with no imports, and the
/// combined text need not be parsed (in a code base typed with its own
/// effect types, most files).
fn imports_may_decide(source: &str, imported: &str) -> bool {
    imported.contains("Promise")
        || imported.contains(ASYNC)
        || (source.contains(ASYNC) && imported.contains("void"))
}

/// The parse of `combined`, `source` (whose parse is `tree`) with text
/// appended: the file's own part is parsed already, so its parse, told of the
/// text added at its end, leaves tree-sitter only the appended part (and what
/// touches it) to read, for the same tree a fresh parse makes.
fn parse_appended(
    dialect: crate::syntax::Dialect,
    source: &str,
    tree: &Tree,
    combined: &str,
) -> Tree {
    let old = (*tree.language() == dialect.grammar()).then(|| {
        let mut old = tree.clone();
        old.edit(&tree_sitter::InputEdit {
            start_byte: source.len(),
            old_end_byte: source.len(),
            new_end_byte: combined.len(),
            start_position: end_point(source),
            old_end_position: end_point(source),
            new_end_position: end_point(combined),
        });
        old
    });
    dialect.parse(combined, old.as_ref())
}

/// Where `text` ends, as tree-sitter counts rows and (byte) columns.
fn end_point(text: &str) -> tree_sitter::Point {
    let bytes = text.as_bytes();
    let row = memchr::memchr_iter(b'\n', bytes).count();
    let line_start = memchr::memrchr(b'\n', bytes).map_or(0, |at| at + 1);
    tree_sitter::Point::new(row, text.len() - line_start)
}

/// The byte range of `node` as a key.
fn key(node: Node) -> (usize, usize) {
    (node.start_byte(), node.end_byte())
}
