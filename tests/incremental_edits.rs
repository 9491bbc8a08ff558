//! Property tests for incremental edits: random sequences of editor changes,
//! addressed by (line, column) in UTF-16 or UTF-8, applied through
//! `Document::apply_change`, must leave the same text as an independent model
//! and the same tree as a fresh parse.
//!
//! The model is a `Vec<char>` with its own line and column arithmetic, written
//! from the Language Server Protocol's definitions (lines end at `\n`, `\r\n` or
//! a lone `\r`; a column past the line's end means the line's end), so it shares
//! no code with `LineIndex`.
//!
//! Trees are compared three ways:
//! - after every edit, exactly, with a reference: tree-sitter driven directly
//!   by this test, with `InputEdit`s computed from the model. Equal trees (the
//!   S-expression, and every node's kind, byte range and points) mean
//!   `Document` told tree-sitter exactly what changed.
//! - after every edit that leaves valid JavaScript, with a fresh parse of the
//!   text: the same S-expression
//!   and the same kind, byte range and points for every node, except that a
//!   comment may hang on a different parent (see [`ShapeWithoutExtras`]): an
//!   incremental parse does not move a comment it already placed. On text
//!   with syntax errors tree-sitter's error recovery legitimately differs
//!   between the two (it reuses subtrees a fresh parse would not build), so
//!   there the reference comparison is the one that holds.
//! - after undoing the whole sequence, exactly, with a fresh parse of the
//!   starting document.

use proptest::prelude::*;
use proptest::sample::Index;
use ticklens::document::{ChangeError, Document, TextChange};
use ticklens::line_index::{Encoding, LineCol};
use ticklens::syntax;
use tree_sitter::{InputEdit, Node, Point, Tree};

/// Realistic starting documents, written with `\n`; each test case picks one
/// and a line-ending style.
const SOURCES: &[&str] = &[
    r#"async function example() {
  console.log("A");
  const val = await Promise.resolve("B");
  console.log(val);
  console.log("C");
}
example();
console.log("D");
"#,
    r#"export async function fetchSafe(url) {
  try {
    const resp = await fetch(`${url}?q=é&lang=日本`);
    return await resp.json();
  } catch (e) {
    console.error(`failed: ${e.message} 😀`);
    return null;
  }
}
"#,
    r#"function load(url) {
  return new Promise(async (resolve, reject) => {
    const data = await fetch(url).then((r) => r.text());
    resolve(data);
  });
}

const label = `user ${user.name} — ${await load("/me")}`;
"#,
    r#"async function pipeline() {
  const [a, b] = await Promise.all([step1(), step2()]);
  for await (const chunk of stream) {
    process.nextTick(() => queueMicrotask(() => log(chunk)));
  }
  return a + b;
}"#,
    "",
];

/// Pieces that edits insert: code, line endings, and text whose UTF-8 and
/// UTF-16 widths differ (two-byte, three-byte, four-byte / surrogate pairs).
const FRAGMENTS: &[&str] = &[
    "await ",
    "async ",
    "x",
    "const y = 1;",
    "(",
    ")",
    "{",
    "}",
    "`",
    "${",
    "\"",
    "'",
    "// note",
    "/*",
    "*/",
    " ",
    "\n",
    "\r\n",
    "\r",
    "é",
    "日本",
    "😀",
    "𝄞",
    "👩‍👧",
    "new Promise(async (r) => r(await f()));",
];

#[derive(Clone, Copy, Debug)]
enum LineEndings {
    Lf,
    CrLf,
    Cr,
    /// Each line ends differently, in turn.
    Mixed,
}

fn with_line_endings(source: &str, style: LineEndings) -> String {
    let mut out = String::new();
    for (i, line) in source.split('\n').enumerate() {
        if i > 0 {
            out.push_str(match style {
                LineEndings::Lf => "\n",
                LineEndings::CrLf => "\r\n",
                LineEndings::Cr => "\r",
                LineEndings::Mixed => ["\n", "\r\n", "\r"][i % 3],
            });
        }
        out.push_str(line);
    }
    out
}

/// How a generated position is written as a (line, column).
#[derive(Clone, Copy, Debug)]
enum Aim {
    /// The exact column of a character boundary.
    Exact,
    /// A column this far past the end of the line: it means the line's end.
    PastLineEnd(u32),
    /// One unit into a character wider than one unit (half a surrogate pair,
    /// or the middle of a UTF-8 sequence): it means the character's start.
    InsideCharacter,
}

#[derive(Clone, Debug)]
struct EditPlan {
    start: Index,
    start_aim: Aim,
    /// How many characters after the start the end lies (before adjustment).
    span: usize,
    end_aim: Aim,
    text: String,
    encoding: Encoding,
}

fn aim() -> impl Strategy<Value = Aim> {
    prop_oneof![
        8 => Just(Aim::Exact),
        1 => (1u32..20).prop_map(Aim::PastLineEnd),
        2 => Just(Aim::InsideCharacter),
    ]
}

fn inserted_text() -> impl Strategy<Value = String> {
    prop_oneof![
        // A pure deletion.
        1 => Just(String::new()),
        5 => prop::collection::vec(prop::sample::select(FRAGMENTS), 1..4)
            .prop_map(|parts| parts.concat()),
        1 => "[a-z é日😀\n\r{}()`$]{0,6}",
        // Layout changes, which keep more texts valid for the fresh-parse comparison.
        3 => prop::sample::select(&[" ", "  ", "\t", "\n", "\r\n", "\r", "\n\n"][..])
            .prop_map(str::to_owned),
    ]
}

fn edit_plan() -> impl Strategy<Value = EditPlan> {
    (
        any::<Index>(),
        aim(),
        prop_oneof![3 => 0usize..4, 1 => 0usize..40],
        aim(),
        inserted_text(),
        prop_oneof![Just(Encoding::Utf16), Just(Encoding::Utf8)],
    )
        .prop_map(
            |(start, start_aim, span, end_aim, text, encoding)| EditPlan {
                start,
                start_aim,
                span,
                end_aim,
                text,
                encoding,
            },
        )
}

fn line_endings() -> impl Strategy<Value = LineEndings> {
    prop_oneof![
        Just(LineEndings::Lf),
        Just(LineEndings::CrLf),
        Just(LineEndings::Cr),
        Just(LineEndings::Mixed),
    ]
}

fn starting_text() -> impl Strategy<Value = String> {
    (prop::sample::select(SOURCES), line_endings())
        .prop_map(|(source, style)| with_line_endings(source, style))
}

/// The test's own model of the document: characters and LSP line arithmetic.
struct Model {
    chars: Vec<char>,
}

/// One line of the model: the index of its first character and of the end of
/// its content (where its line ending, if any, starts).
#[derive(Clone, Copy, Debug)]
struct ModelLine {
    start: usize,
    content_end: usize,
}

impl Model {
    fn new(text: &str) -> Self {
        Self {
            chars: text.chars().collect(),
        }
    }

    fn text(&self) -> String {
        self.chars.iter().collect()
    }

    fn lines(&self) -> Vec<ModelLine> {
        let mut lines = Vec::new();
        let mut start = 0;
        let mut i = 0;
        while i < self.chars.len() {
            let ending = match (self.chars[i], self.chars.get(i + 1)) {
                ('\r', Some('\n')) => 2,
                ('\r', _) | ('\n', _) => 1,
                _ => 0,
            };
            if ending > 0 {
                lines.push(ModelLine {
                    start,
                    content_end: i,
                });
                start = i + ending;
                i += ending;
            } else {
                i += 1;
            }
        }
        lines.push(ModelLine {
            start,
            content_end: self.chars.len(),
        });
        lines
    }

    /// No (line, column) names the point between `\r` and `\n`; move it back
    /// before the `\r`.
    fn addressable(&self, index: usize) -> usize {
        if index > 0
            && index < self.chars.len()
            && self.chars[index - 1] == '\r'
            && self.chars[index] == '\n'
        {
            index - 1
        } else {
            index
        }
    }

    fn width(ch: char, encoding: Encoding) -> u32 {
        match encoding {
            Encoding::Utf8 => ch.len_utf8() as u32,
            Encoding::Utf16 => ch.len_utf16() as u32,
        }
    }

    fn line_of(lines: &[ModelLine], index: usize) -> usize {
        lines
            .iter()
            .rposition(|line| line.start <= index)
            .expect("the first line starts at 0")
    }

    fn column(&self, line: ModelLine, index: usize, encoding: Encoding) -> u32 {
        self.chars[line.start..index]
            .iter()
            .map(|&ch| Model::width(ch, encoding))
            .sum()
    }

    /// Writes the (addressable) character index `index` as a position with the
    /// given aim, returning the position and the index the position means.
    fn aim_at(&self, index: usize, aim: Aim, encoding: Encoding) -> (LineCol, usize) {
        let lines = self.lines();
        let line_number = Model::line_of(&lines, index);
        let line = lines[line_number];
        let exact = |index: usize| {
            (
                LineCol {
                    line: line_number as u32,
                    col: self.column(line, index, encoding),
                },
                index,
            )
        };
        match aim {
            Aim::Exact => exact(index),
            Aim::PastLineEnd(extra) => {
                let (mut pos, _) = exact(line.content_end);
                pos.col += extra;
                (pos, line.content_end)
            }
            Aim::InsideCharacter => {
                let wide =
                    index < line.content_end && Model::width(self.chars[index], encoding) > 1;
                let (mut pos, meant) = exact(index);
                if wide {
                    pos.col += 1;
                }
                (pos, meant)
            }
        }
    }

    /// Turns a plan into the change an editor would send and the character
    /// range that change must replace.
    fn change_for(&self, plan: &EditPlan) -> (TextChange, std::ops::Range<usize>) {
        let len = self.chars.len();
        let start_index = self.addressable(plan.start.index(len + 1));
        let (start, start_meant) = self.aim_at(start_index, plan.start_aim, plan.encoding);
        let end_index = self.addressable((start_meant + plan.span).min(len));
        let (end, end_meant) = self.aim_at(end_index, plan.end_aim, plan.encoding);
        // Aiming past a line's end can put a start after an end that means the
        // same character; positions are sent in order, as editors do.
        let (start, end) = if start <= end {
            (start, end)
        } else {
            (end, start)
        };
        let range = start_meant.min(end_meant)..start_meant.max(end_meant);
        let change = TextChange {
            range: Some((start, end)),
            text: plan.text.clone(),
        };
        (change, range)
    }

    fn apply(&mut self, range: std::ops::Range<usize>, text: &str) {
        self.chars.splice(range, text.chars());
    }

    /// The position of character `index` written exactly.
    fn position(&self, index: usize, encoding: Encoding) -> LineCol {
        self.aim_at(self.addressable(index), Aim::Exact, encoding).0
    }
}

/// Every node in document order, with what identifies it in the tree.
#[derive(Debug, PartialEq)]
struct NodeShape {
    kind: &'static str,
    byte_range: std::ops::Range<usize>,
    start: Point,
    end: Point,
    is_error: bool,
    is_missing: bool,
}

fn node_shapes(tree: &Tree) -> Vec<NodeShape> {
    fn visit(node: Node, out: &mut Vec<NodeShape>) {
        out.push(NodeShape {
            kind: node.kind(),
            byte_range: node.byte_range(),
            start: node.start_position(),
            end: node.end_position(),
            is_error: node.is_error(),
            is_missing: node.is_missing(),
        });
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            visit(child, out);
        }
    }
    let mut out = Vec::new();
    visit(tree.root_node(), &mut out);
    out
}

/// Asserts two trees are the same: same S-expression, and the same kind, byte
/// range and points for every node, named or not.
fn assert_same_tree(got: &Tree, want: &Tree, what: &str, text: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        got.root_node().to_sexp(),
        want.root_node().to_sexp(),
        "S-expressions differ from {} for {:?}",
        what,
        text
    );
    let got = node_shapes(got);
    let want = node_shapes(want);
    prop_assert_eq!(got.len(), want.len());
    for (got, want) in got.iter().zip(&want) {
        prop_assert_eq!(got, want, "node differs from {} in {:?}", what, text);
    }
    Ok(())
}

/// A tree with its extras (comments) set apart: every other node with its
/// range trimmed to the non-extra text it covers, and the extras in order.
///
/// tree-sitter may hang a comment on a different parent after an incremental
/// parse than after a fresh one: `const a = b // note⏎` puts the comment inside
/// the declaration when parsed fresh, and beside it when the comment was typed
/// into an existing tree (reproduced with tree-sitter alone, by the reference
/// parse below). Both trees are correct; this is the shape they share.
#[derive(Debug, PartialEq)]
struct ShapeWithoutExtras {
    nodes: Vec<NodeShape>,
    extras: Vec<NodeShape>,
}

fn shape_without_extras(tree: &Tree) -> ShapeWithoutExtras {
    /// Pushes `node`'s shape and returns the byte and point span of its non-extra text.
    fn visit(
        node: Node,
        out: &mut ShapeWithoutExtras,
    ) -> Option<(std::ops::Range<usize>, Point, Point)> {
        let shape = NodeShape {
            kind: node.kind(),
            byte_range: node.byte_range(),
            start: node.start_position(),
            end: node.end_position(),
            is_error: node.is_error(),
            is_missing: node.is_missing(),
        };
        if node.is_extra() {
            out.extras.push(shape);
            return None;
        }
        let at = out.nodes.len();
        out.nodes.push(shape);
        if node.child_count() == 0 {
            return Some((
                node.byte_range(),
                node.start_position(),
                node.end_position(),
            ));
        }
        let mut span: Option<(std::ops::Range<usize>, Point, Point)> = None;
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if let Some((range, start, end)) = visit(child, out) {
                span = Some(match span {
                    None => (range, start, end),
                    Some((first, first_start, _)) => (first.start..range.end, first_start, end),
                });
            }
        }
        if let Some((range, start, end)) = &span {
            let shape = &mut out.nodes[at];
            shape.byte_range = range.clone();
            shape.start = *start;
            shape.end = *end;
        }
        span
    }
    let mut out = ShapeWithoutExtras {
        nodes: Vec::new(),
        extras: Vec::new(),
    };
    visit(tree.root_node(), &mut out);
    out
}

/// Asserts two trees are the same except for where comments hang: the same
/// S-expression without the comments, the same kind and trimmed range for
/// every other node, and the same comments at the same places.
fn assert_same_tree_but_comment_parents(
    got: &Tree,
    want: &Tree,
    what: &str,
    text: &str,
) -> Result<(), TestCaseError> {
    let without_comments = |tree: &Tree| tree.root_node().to_sexp().replace(" (comment)", "");
    prop_assert_eq!(
        without_comments(got),
        without_comments(want),
        "S-expressions (without comments) differ from {} for {:?}",
        what,
        text
    );
    let got = shape_without_extras(got);
    let want = shape_without_extras(want);
    prop_assert_eq!(
        &got.extras,
        &want.extras,
        "comments differ from {} in {:?}",
        what,
        text
    );
    prop_assert_eq!(got.nodes.len(), want.nodes.len());
    for (got, want) in got.nodes.iter().zip(&want.nodes) {
        prop_assert_eq!(got, want, "node differs from {} in {:?}", what, text);
    }
    Ok(())
}

/// tree-sitter's point (row, byte column) at the end of `text`. Rows are
/// counted at `\n` only, as tree-sitter's lexer counts them.
fn point_at_end_of(text: &str) -> Point {
    let row = text.bytes().filter(|&b| b == b'\n').count();
    let line_start = text.rfind('\n').map_or(0, |i| i + 1);
    Point::new(row, text.len() - line_start)
}

/// One document edited three ways: through `Document`, on the model, and
/// through tree-sitter directly.
struct Session {
    doc: Document,
    model: Model,
    reference_text: String,
    reference_tree: Tree,
    /// How many edits left a text with, and without, a syntax error.
    texts_with_errors: usize,
    texts_without_errors: usize,
}

impl Session {
    fn new(initial: &str) -> Self {
        Self {
            doc: Document::new(initial.to_owned(), 1),
            model: Model::new(initial),
            reference_text: initial.to_owned(),
            reference_tree: syntax::parse(initial, None),
            texts_with_errors: 0,
            texts_without_errors: 0,
        }
    }

    /// Sends `change`, which must replace the model's characters `range` with
    /// its text, and checks the outcome.
    fn edit(
        &mut self,
        change: &TextChange,
        range: std::ops::Range<usize>,
        encoding: Encoding,
    ) -> Result<(), TestCaseError> {
        let byte_of = |index: usize| -> usize {
            self.model.chars[..index].iter().map(|c| c.len_utf8()).sum()
        };
        let (start_byte, old_end_byte) = (byte_of(range.start), byte_of(range.end));
        let inserted_end = range.start + change.text.chars().count();
        self.model.apply(range, &change.text);

        let applied = self.doc.apply_change(change, encoding);
        prop_assert_eq!(applied, Ok(()), "change {:?}", change);
        prop_assert_eq!(
            self.doc.text(),
            self.model.text(),
            "after change {:?}",
            change
        );

        // The position just after the inserted text, as the document reports it.
        let inserted_end_byte = start_byte + change.text.len();
        prop_assert_eq!(
            self.doc.position(inserted_end_byte, encoding),
            self.model.position(inserted_end, encoding),
            "position of byte {} in {:?}",
            inserted_end_byte,
            self.doc.text()
        );

        let old = &self.reference_text;
        let input_edit = InputEdit {
            start_byte,
            old_end_byte,
            new_end_byte: inserted_end_byte,
            start_position: point_at_end_of(&old[..start_byte]),
            old_end_position: point_at_end_of(&old[..old_end_byte]),
            new_end_position: point_at_end_of(&(old[..start_byte].to_owned() + &change.text)),
        };
        self.reference_text
            .replace_range(start_byte..old_end_byte, &change.text);
        self.reference_tree.edit(&input_edit);
        self.reference_tree = syntax::parse(&self.reference_text, Some(&self.reference_tree));
        // The document confirms an error its incremental parse leaves with a
        // fresh parse (document.rs): where the reference kept an error a fresh
        // parse does not have, the document holds the fresh tree.
        let reference_fresh = syntax::parse(&self.reference_text, None);
        if self.reference_tree.root_node().has_error() && !reference_fresh.root_node().has_error() {
            self.reference_tree = reference_fresh;
        }
        assert_same_tree(
            self.doc.tree(),
            &self.reference_tree,
            "the reference incremental parse",
            self.doc.text(),
        )?;

        // On text with syntax errors, an incremental parse may recover from
        // them differently than a fresh parse (tree-sitter keeps reusable
        // subtrees a fresh parse would not build); only the reference above
        // speaks for those texts. So may it on text where the grammar reads
        // `await (x)` as a call of `await` (tree-sitter-javascript's issue
        // #303): the grammar has both readings there, and which one a parse
        // keeps depends on the subtrees it reuses; the analysis reads both
        // as one `await` (`syntax::awaits`).
        let fresh = syntax::parse(self.doc.text(), None);
        if fresh.root_node().has_error() || calls_await(&fresh, self.doc.text()) {
            self.texts_with_errors += 1;
        } else {
            self.texts_without_errors += 1;
            assert_same_tree_but_comment_parents(
                self.doc.tree(),
                &fresh,
                "a fresh parse",
                self.doc.text(),
            )?;
        }
        Ok(())
    }
}

/// Whether `tree` (of `text`) holds a call of a function named `await`.
fn calls_await(tree: &Tree, text: &str) -> bool {
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        if node.kind() == "call_expression"
            && node
                .child_by_field_name("function")
                .is_some_and(|f| f.kind() == "identifier" && &text[f.byte_range()] == "await")
        {
            return true;
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return false;
            }
        }
    }
}

/// What an applied edit replaced, so it can be undone.
struct Applied {
    start: usize,
    inserted_len: usize,
    removed: String,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_edit_sequences_match_the_model_and_a_fresh_parse(
        initial in starting_text(),
        plans in prop::collection::vec(edit_plan(), 3..12),
    ) {
        let mut session = Session::new(&initial);
        prop_assert!(
            !session.doc.tree().root_node().has_error(),
            "starting documents are valid JavaScript: {:?}", initial
        );
        let mut applied = Vec::new();
        for plan in &plans {
            let (change, range) = session.model.change_for(plan);
            applied.push(Applied {
                start: range.start,
                inserted_len: plan.text.chars().count(),
                removed: session.model.chars[range.clone()].iter().collect(),
            });
            session.edit(&change, range, plan.encoding)?;
        }

        // Undo in reverse order, as an editor's undo stack sends the changes.
        for (undo, plan) in applied.iter().rev().zip(plans.iter().rev()) {
            let model = &session.model;
            let (mut start, mut end) = (undo.start, undo.start + undo.inserted_len);
            let mut text = undo.removed.clone();
            // An edit can leave `\r` and `\n` side by side at either end of what
            // it inserted; no position names the point between them, so the
            // undo covers the whole pair and writes back its half.
            if model.addressable(start) != start {
                start -= 1;
                text.insert(0, '\r');
            }
            if model.addressable(end) != end {
                end += 1;
                text.push('\n');
            }
            let change = TextChange {
                range: Some((
                    model.position(start, plan.encoding),
                    model.position(end, plan.encoding),
                )),
                text,
            };
            session.edit(&change, start..end, plan.encoding)?;
        }
        prop_assert_eq!(session.doc.text(), initial.as_str());
        let fresh = syntax::parse(&initial, None);
        assert_same_tree(session.doc.tree(), &fresh, "a fresh parse after undo", &initial)?;
    }

    #[test]
    fn changes_outside_the_document_are_refused_and_change_nothing(
        initial in starting_text(),
        plans in prop::collection::vec(edit_plan(), 0..4),
        lines_past_the_end in 0u32..3,
        col in 0u32..10,
        end_too in any::<bool>(),
        encoding in prop_oneof![Just(Encoding::Utf16), Just(Encoding::Utf8)],
    ) {
        let mut doc = Document::new(initial.clone(), 7);
        let mut model = Model::new(&initial);
        for plan in &plans {
            let (change, range) = model.change_for(plan);
            model.apply(range, &plan.text);
            doc.apply_change(&change, plan.encoding).expect("in-range change");
        }
        let line_count = model.lines().len() as u32;
        let outside = LineCol { line: line_count + lines_past_the_end, col };
        let start = if end_too { outside } else { LineCol { line: 0, col: 0 } };
        let before_text = doc.text().to_owned();
        let before_tree = doc.tree().root_node().to_sexp();
        let refused = doc.apply_change(
            &TextChange { range: Some((start, outside)), text: "zz".into() },
            encoding,
        );
        prop_assert!(
            matches!(refused, Err(ChangeError::OutOfBounds { lines, .. }) if lines == line_count as usize),
            "{:?}", refused
        );
        prop_assert_eq!(doc.text(), before_text.as_str());
        prop_assert_eq!(doc.tree().root_node().to_sexp(), before_tree);
        prop_assert_eq!(doc.version(), 7);
    }
}

#[test]
fn a_reversed_range_is_refused_and_changes_nothing() {
    let text = "async function f() {\r\n  await g();\r\n}";
    let mut doc = Document::new(text.into(), 1);
    let refused = doc.apply_change(
        &TextChange {
            range: Some((LineCol { line: 1, col: 4 }, LineCol { line: 1, col: 2 })),
            text: "x".into(),
        },
        Encoding::Utf16,
    );
    assert!(
        matches!(refused, Err(ChangeError::Reversed { .. })),
        "{refused:?}"
    );
    assert_eq!(doc.text(), text);
}

#[test]
fn the_line_after_a_trailing_newline_exists_but_the_next_does_not() {
    // "a\n" has two lines: the empty line after the newline can be edited.
    let mut doc = Document::new("a\n".into(), 1);
    let at = |line| LineCol { line, col: 0 };
    doc.apply_change(
        &TextChange {
            range: Some((at(1), at(1))),
            text: "b".into(),
        },
        Encoding::Utf16,
    )
    .unwrap();
    assert_eq!(doc.text(), "a\nb");
    let refused = doc.apply_change(
        &TextChange {
            range: Some((at(2), at(2))),
            text: "c".into(),
        },
        Encoding::Utf16,
    );
    assert!(
        matches!(refused, Err(ChangeError::OutOfBounds { lines: 2, .. })),
        "{refused:?}"
    );
    assert_eq!(doc.text(), "a\nb");
}

/// The model itself must agree with the protocol's definitions, or the
/// property above would compare two wrong answers.
#[test]
fn the_model_counts_lines_and_columns_as_the_protocol_does() {
    let model = Model::new("a😀b\r\né\rx\n");
    let lines = model.lines();
    assert_eq!(lines.len(), 4);
    let at = |line, col| LineCol { line, col };
    // `a` 1 unit, `😀` 2 UTF-16 units or 4 bytes, `b` 1.
    assert_eq!(model.position(3, Encoding::Utf16), at(0, 4));
    assert_eq!(model.position(3, Encoding::Utf8), at(0, 6));
    // Between `\r` and `\n` is not addressable: it is the end of line 0.
    assert_eq!(model.position(4, Encoding::Utf16), at(0, 4));
    assert_eq!(model.position(5, Encoding::Utf8), at(1, 0));
    assert_eq!(model.position(6, Encoding::Utf8), at(1, 2));
    assert_eq!(model.position(6, Encoding::Utf16), at(1, 1));
    assert_eq!(model.position(7, Encoding::Utf8), at(2, 0));
    assert_eq!(model.position(9, Encoding::Utf8), at(3, 0));
    // Past a line's end means its end; inside the emoji means its start.
    assert_eq!(
        model.aim_at(1, Aim::PastLineEnd(5), Encoding::Utf16),
        (at(0, 9), 3)
    );
    assert_eq!(
        model.aim_at(1, Aim::InsideCharacter, Encoding::Utf16),
        (at(0, 2), 1)
    );
}
