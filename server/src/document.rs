//! An open document: its text, its tree-sitter tree and its version, kept in
//! step through incremental edits.
//!
//! Invariant: the tree parses exactly the current text, unless parsing it ran
//! out of its time budget ([`Document::is_parsed`] is then false and the tree is
//! empty). The only way to change a document is [`Document::apply_change`],
//! which edits the text, tells the old tree about the edit and reparses
//! incrementally (confirming an error the incremental parse leaves with a
//! fresh parse, in files up to 64 KB).
//!
//! The tree is most of a document's memory (about 39x the text's size: 93
//! bytes per node), so an idle document can let it go
//! ([`Document::take_tree`]) and keep its text: the next [`Document::tree`]
//! parses the text again, and the next change parses the new text in full
//! instead of incrementally.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use thiserror::Error;
use tree_sitter::{InputEdit, Point, Tree};

use crate::line_index::{Encoding, LineCol, LineIndex};
use crate::syntax::{self, Dialect, Refusal, SourceLanguage};

/// One text change, addressed by line and column as an editor sends it.
#[derive(Clone, Debug)]
pub struct TextChange {
    /// The replaced range; `None` replaces the whole document.
    pub range: Option<(LineCol, LineCol)>,
    pub text: String,
}

/// Why a change could not be applied as sent.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ChangeError {
    #[error("range {start:?}..{end:?} lies outside the document ({lines} lines)")]
    OutOfBounds {
        start: LineCol,
        end: LineCol,
        lines: usize,
    },
    #[error("range start {start:?} comes after its end {end:?}")]
    Reversed { start: LineCol, end: LineCol },
}

pub struct Document {
    /// The text the analysis reads: the document's own text for JavaScript,
    /// its text with the types erased for TypeScript (every offset the same).
    text: String,
    /// A TypeScript document's own text and its TypeScript parse.
    typescript: Option<Box<TypeScriptSource>>,
    /// The tree of `text`; empty after [`Document::take_tree`] until the
    /// next [`Document::tree`] parses the text again.
    tree: OnceLock<Tree>,
    /// How many times [`Document::tree`] was asked for, so an owner can tell
    /// whether the tree was used in a while.
    tree_uses: AtomicU64,
    /// False when parsing the current text ran out of its
    /// [budget](syntax::parse_budget): the tree is then that of an empty text,
    /// and nothing may be reported from it.
    parsed: bool,
    version: i32,
    line_index: LineIndex,
}

/// What a TypeScript document holds besides its erased text.
#[derive(Clone)]
struct TypeScriptSource {
    dialect: Dialect,
    /// The text as the editor has it.
    written: String,
    /// The TypeScript grammar's tree of `written` (kept for incremental
    /// parsing; `None` after [`Document::take_tree`]).
    tree: Option<Tree>,
    /// The first syntax Node refuses to strip.
    refusal: Option<Refusal>,
}

impl TypeScriptSource {
    /// Parses `written` (reusing `old`, already edited) and erases its types;
    /// `None` when parsing ran out of its budget.
    fn parse(dialect: Dialect, written: String, old: Option<&Tree>) -> (Self, Option<String>) {
        let budget = syntax::parse_budget(written.len());
        let Some(mut tree) = dialect.parse_within(&written, old, budget) else {
            let source = TypeScriptSource {
                dialect,
                written,
                tree: None,
                refusal: None,
            };
            return (source, None);
        };
        if old.is_some() && tree.root_node().has_error() && written.len() <= FRESH_CHECK_MAX {
            // As for JavaScript (see `Document::reparse`): an error only the
            // incremental parse has would erase differently from a fresh parse.
            if let Some(fresh) = dialect.parse_within(&written, None, budget) {
                if !fresh.root_node().has_error() {
                    tree = fresh;
                }
            }
        }
        let erasure = syntax::typescript::erase_as_node(&written, dialect, &tree);
        let source = TypeScriptSource {
            dialect,
            written,
            tree: Some(tree),
            refusal: erasure.refusal,
        };
        (source, Some(erasure.text))
    }
}

impl Clone for Document {
    fn clone(&self) -> Self {
        Self {
            text: self.text.clone(),
            typescript: self.typescript.clone(),
            tree: self.tree.clone(),
            tree_uses: AtomicU64::new(0),
            parsed: self.parsed,
            version: self.version,
            line_index: self.line_index.clone(),
        }
    }
}

/// Files up to this size get a fresh parse whenever an incremental one leaves
/// an error (see [`Document::replace`]): about 10 ms of parsing at
/// tree-sitter's speed on JavaScript, paid only while the text has an error.
/// Larger files keep the incremental tree until the next edit.
const FRESH_CHECK_MAX: usize = 64 * 1024;

/// The tree of `text`, or of an empty text when parsing gives up.
fn parse_or_give_up(text: &str, old: Option<&Tree>) -> (Tree, bool) {
    match syntax::parse_within(text, old, syntax::parse_budget(text.len())) {
        Some(tree) => (tree, true),
        None => (syntax::parse("", None), false),
    }
}

impl Document {
    /// A JavaScript document.
    pub fn new(text: String, version: i32) -> Self {
        Self::in_language(text, version, SourceLanguage::JavaScript)
    }

    /// A document in `language`: TypeScript is parsed, erased, and its erased
    /// text parsed as JavaScript.
    pub fn in_language(text: String, version: i32, language: SourceLanguage) -> Self {
        let line_index = LineIndex::new(&text);
        let (text, typescript, erased) = match language.dialect() {
            None => (text, None, true),
            Some(dialect) => {
                let (source, erased) = TypeScriptSource::parse(dialect, text, None);
                let parsed = erased.is_some();
                (erased.unwrap_or_default(), Some(Box::new(source)), parsed)
            }
        };
        let (tree, parsed) = match erased {
            true => parse_or_give_up(&text, None),
            false => (syntax::parse("", None), false),
        };
        Self {
            text,
            typescript,
            tree: OnceLock::from(tree),
            tree_uses: AtomicU64::new(0),
            parsed,
            version,
            line_index,
        }
    }

    /// Whether the tree parses the current text; false after tree-sitter ran
    /// out of its time budget on it (the invariant then holds again at the
    /// first text that parses in time).
    pub fn is_parsed(&self) -> bool {
        self.parsed
    }

    /// The text the analysis reads: for TypeScript, the text with its types
    /// erased (byte for byte as long, on the same lines).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text as the editor has it (for JavaScript, [`Document::text`]).
    pub fn written(&self) -> &str {
        match &self.typescript {
            Some(source) => &source.written,
            None => &self.text,
        }
    }

    /// The document's language.
    pub fn language(&self) -> SourceLanguage {
        match &self.typescript {
            Some(source) => SourceLanguage::TypeScript(source.dialect),
            None => SourceLanguage::JavaScript,
        }
    }

    /// A TypeScript document's text as written, its TypeScript parse and the
    /// first syntax Node refuses to strip (what stops Node before it erases
    /// the types: `driver::refused`); `None` for JavaScript and for a text
    /// not parsed in time.
    pub fn typescript(&self) -> Option<(&str, &Tree, Option<&Refusal>)> {
        let source = self.typescript.as_ref()?;
        let tree = source.tree.as_ref()?;
        Some((&source.written, tree, source.refusal.as_ref()))
    }

    /// The tree of the text, parsed again (in full) when it was dropped.
    pub fn tree(&self) -> &Tree {
        self.tree_uses.fetch_add(1, Ordering::Relaxed);
        self.tree.get_or_init(|| {
            // The text parsed within its budget before (or it is not
            // parsed, and the tree is that of an empty text), so no budget.
            syntax::parse(if self.parsed { &self.text } else { "" }, None)
        })
    }

    /// Whether the tree is held (not dropped, or parsed again since).
    pub fn has_tree(&self) -> bool {
        self.tree.get().is_some()
    }

    /// How many times the tree was asked for so far: unchanged between two
    /// looks means it was not used in between.
    pub fn tree_uses(&self) -> u64 {
        self.tree_uses.load(Ordering::Relaxed)
    }

    /// Takes the tree out, for the caller to drop where freeing its nodes
    /// costs nothing (its memory is freed once no other holder of it is
    /// left); the text, its line starts and its version stay. `None` when
    /// there is no tree to take.
    pub fn take_tree(&mut self) -> Option<Tree> {
        if let Some(source) = &mut self.typescript {
            // Dropped with the other: the next change parses in full.
            source.tree = None;
        }
        self.tree.take()
    }

    pub fn version(&self) -> i32 {
        self.version
    }

    pub fn line_index(&self) -> &LineIndex {
        &self.line_index
    }

    /// The byte offset of an editor position (columns past a line's end are clamped).
    pub fn offset(&self, pos: LineCol, encoding: Encoding) -> Option<usize> {
        self.line_index.offset(self.written(), pos, encoding)
    }

    /// The editor position of a byte offset.
    pub fn position(&self, offset: usize, encoding: Encoding) -> LineCol {
        self.line_index.position(self.written(), offset, encoding)
    }

    /// Applies one change. A range that does not fit the document is refused and
    /// the document is left untouched, so the caller can ask for a full resync.
    pub fn apply_change(
        &mut self,
        change: &TextChange,
        encoding: Encoding,
    ) -> Result<(), ChangeError> {
        let Some((start, end)) = change.range else {
            *self = Document::in_language(change.text.clone(), self.version, self.language());
            return Ok(());
        };
        if start > end {
            return Err(ChangeError::Reversed { start, end });
        }
        let out_of_bounds = || ChangeError::OutOfBounds {
            start,
            end,
            lines: self.line_index.line_count(),
        };
        let start_byte = self.offset(start, encoding).ok_or_else(out_of_bounds)?;
        let end_byte = self.offset(end, encoding).ok_or_else(out_of_bounds)?;
        self.replace(start_byte..end_byte, &change.text);
        Ok(())
    }

    /// Replaces a byte range (on character boundaries) and reparses incrementally.
    pub fn replace(&mut self, range: Range<usize>, new_text: &str) {
        let start_position = self.point(range.start);
        let old_end_position = self.point(range.end);
        let new_end_byte = range.start + new_text.len();
        let edit = InputEdit {
            start_byte: range.start,
            old_end_byte: range.end,
            new_end_byte,
            start_position,
            old_end_position,
            new_end_position: point_after(start_position, new_text),
        };
        let Some(source) = self.typescript.take() else {
            self.text.replace_range(range, new_text);
            self.reparse(&edit);
            self.line_index = LineIndex::new(&self.text);
            return;
        };
        // TypeScript: the written text takes the edit and is parsed again
        // (incrementally) and erased; the erased text changed where the new
        // erasure differs from the old one, which may reach past the edit.
        let TypeScriptSource {
            dialect,
            mut written,
            mut tree,
            ..
        } = *source;
        written.replace_range(range, new_text);
        if let Some(tree) = &mut tree {
            tree.edit(&edit);
        }
        let (source, erased) = TypeScriptSource::parse(dialect, written, tree.as_ref());
        self.typescript = Some(Box::new(source));
        match erased {
            Some(erased) => {
                let edit = changed_between(&self.text, &erased);
                self.text = erased;
                self.reparse(&edit);
            }
            None => {
                self.text.clear();
                (self.tree, self.parsed) = (OnceLock::from(syntax::parse("", None)), false);
            }
        }
        self.line_index = LineIndex::new(self.written());
    }

    /// Parses `self.text` again after `edit` changed it.
    fn reparse(&mut self, edit: &InputEdit) {
        // A dropped tree has nothing to reuse: the new text is parsed in full.
        let old = match self.tree.get_mut() {
            Some(tree) if self.parsed => {
                tree.edit(edit);
                Some(&*tree)
            }
            _ => None,
        };
        let (tree, parsed) = parse_or_give_up(&self.text, old);
        let has_error = tree.root_node().has_error();
        (self.tree, self.parsed) = (OnceLock::from(tree), parsed);
        if self.parsed && has_error && self.text.len() <= FRESH_CHECK_MAX {
            // An incremental parse can keep an error a fresh parse of the same
            // text does not have: a subtree lexed before the edit is reused
            // although the edit changed how its bytes lex (closing a template
            // literal opened by an earlier edit). Reporting that stale error
            // would put a syntax error on valid code, so confirm it.
            let (fresh, parsed) = parse_or_give_up(&self.text, None);
            if parsed && !fresh.root_node().has_error() {
                self.tree = OnceLock::from(fresh);
            }
        }
    }

    pub fn set_version(&mut self, version: i32) {
        self.version = version;
    }

    /// tree-sitter's point: a row and a byte column. Tree-sitter counts rows by
    /// `\n` only, whatever the editor's line endings.
    fn point(&self, offset: usize) -> Point {
        point_after(Point::new(0, 0), &self.written()[..offset])
    }
}

/// The edit that turns `old` into `new`: everything between their common
/// prefix and their common suffix (on character boundaries).
fn changed_between(old: &str, new: &str) -> InputEdit {
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let mut prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let most = a.len().min(b.len()) - prefix;
    let mut suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(most)
        .take_while(|(x, y)| x == y)
        .count();
    while !old.is_char_boundary(a.len() - suffix) || !new.is_char_boundary(b.len() - suffix) {
        suffix -= 1;
    }
    let start_position = point_after(Point::new(0, 0), &old[..prefix]);
    InputEdit {
        start_byte: prefix,
        old_end_byte: a.len() - suffix,
        new_end_byte: b.len() - suffix,
        start_position,
        old_end_position: point_after(start_position, &old[prefix..a.len() - suffix]),
        new_end_position: point_after(start_position, &new[prefix..b.len() - suffix]),
    }
}

/// The point reached after `text` is written starting at `start`.
fn point_after(start: Point, text: &str) -> Point {
    match text.rfind('\n') {
        Some(last) => Point::new(
            start.row + memchr::memchr_iter(b'\n', text.as_bytes()).count(),
            text.len() - last - 1,
        ),
        None => Point::new(start.row, start.column + text.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(start: (u32, u32), end: (u32, u32), text: &str) -> TextChange {
        TextChange {
            range: Some((
                LineCol {
                    line: start.0,
                    col: start.1,
                },
                LineCol {
                    line: end.0,
                    col: end.1,
                },
            )),
            text: text.to_owned(),
        }
    }

    /// A document of `text` after the UTF-16 change of `start..end` to `new`.
    fn changed(text: &str, start: (u32, u32), end: (u32, u32), new: &str) -> Document {
        let mut doc = Document::new(text.into(), 1);
        doc.apply_change(&change(start, end, new), Encoding::Utf16)
            .unwrap();
        doc
    }

    /// Asserts that `doc`'s tree is the one a fresh parse of its text gives,
    /// and returns that fresh tree.
    fn assert_the_tree_of_a_fresh_parse(doc: &Document) -> tree_sitter::Tree {
        let fresh = syntax::parse(doc.text(), None);
        assert_eq!(
            doc.tree().root_node().to_sexp(),
            fresh.root_node().to_sexp()
        );
        fresh
    }

    /// Found by tests/incremental_edits.rs: opening a template literal and then
    /// closing it leaves tree-sitter's incremental tree with an error that a
    /// fresh parse of the same (valid) text does not have.
    #[test]
    fn an_error_only_the_incremental_parse_has_is_not_kept() {
        let text =
            "async function p() {\n  const [a, b] = await Promise.all([step1(), step2()]);\n}\n";
        let mut doc = Document::new(text.into(), 1);
        let at = text.find("= ").unwrap() + 1;
        doc.replace(at..at, "`new Promise(async (r) => r(await f()));");
        let tail = doc.text().find("tep1(), step2()])").unwrap();
        doc.replace(tail..tail + "tep1(), step2()])".len(), "`");
        let fresh = assert_the_tree_of_a_fresh_parse(&doc);
        assert!(!fresh.root_node().has_error(), "{}", doc.text());
    }

    #[test]
    fn incremental_change_matches_a_fresh_parse() {
        let doc = changed(
            "async function f() {\n  await g();\n}\n",
            (1, 8),
            (1, 9),
            "h",
        );
        assert_eq!(doc.text(), "async function f() {\n  await h();\n}\n");
        assert_the_tree_of_a_fresh_parse(&doc);
    }

    #[test]
    fn a_dropped_tree_is_parsed_again_when_asked_for() {
        let text = "async function f() {\n  await g();\n}\nf();\n";
        let mut doc = Document::new(text.into(), 1);
        let kept = doc.tree().root_node().to_sexp();
        let uses = doc.tree_uses();
        assert!(doc.take_tree().is_some());
        assert!(!doc.has_tree());
        assert!(doc.take_tree().is_none(), "nothing left to take");
        assert_eq!(doc.tree().root_node().to_sexp(), kept);
        assert!(doc.has_tree());
        assert_eq!(doc.tree_uses(), uses + 1);
    }

    #[test]
    fn a_change_to_a_document_without_its_tree_parses_the_new_text() {
        let text = "async function f() {\n  await g();\n}\n";
        let mut kept = Document::new(text.into(), 1);
        let mut dropped = kept.clone();
        assert!(dropped.take_tree().is_some());
        let edit = change((1, 8), (1, 9), "h");
        kept.apply_change(&edit, Encoding::Utf16).unwrap();
        dropped.apply_change(&edit, Encoding::Utf16).unwrap();
        assert!(dropped.has_tree());
        assert_eq!(dropped.text(), kept.text());
        assert_eq!(
            dropped.tree().root_node().to_sexp(),
            kept.tree().root_node().to_sexp()
        );
        assert_the_tree_of_a_fresh_parse(&dropped);
    }

    #[test]
    fn utf16_ranges_address_characters_after_emoji() {
        // `x` is at UTF-16 column 15 (the emoji counts two units), byte 17.
        let doc = changed("const s = '😀';x", (0, 15), (0, 16), "y");
        assert_eq!(doc.text(), "const s = '😀';y");
    }

    #[test]
    fn out_of_range_change_is_refused_and_leaves_the_text_alone() {
        let mut doc = Document::new("a\nb".into(), 1);
        let err = doc.apply_change(&change((5, 0), (5, 1), "z"), Encoding::Utf16);
        assert!(matches!(err, Err(ChangeError::OutOfBounds { .. })));
        assert_eq!(doc.text(), "a\nb");
        let err = doc.apply_change(&change((1, 0), (0, 0), "z"), Encoding::Utf16);
        assert!(matches!(err, Err(ChangeError::Reversed { .. })));
    }

    #[test]
    fn full_change_replaces_everything() {
        let mut doc = Document::new("old".into(), 1);
        doc.apply_change(
            &TextChange {
                range: None,
                text: "new".into(),
            },
            Encoding::Utf8,
        )
        .unwrap();
        assert_eq!(doc.text(), "new");
    }
}
