//! The incremental target: an arbitrary script of editor changes, in batches,
//! applied to a [`Document`] through `apply_change`, and checked against
//!
//! - a model: the text as a `Vec<char>` with its own line and column
//!   arithmetic, written from the Language Server Protocol's definitions (lines
//!   end at `\n`, `\r\n` or a lone `\r`; a column past a line's end means the
//!   line's end; a column inside a character means its start), sharing no code
//!   with `LineIndex`. It also says which changes must be refused;
//! - a reference tree: tree-sitter driven directly with `InputEdit`s computed
//!   from the model, which the document's tree must equal exactly;
//! - a fresh parse of the text: the same `has_error`, and on error-free text
//!   the same S-expression (comments aside, see [`without_comments`]);
//! - a fresh analysis: `analyze_incremental`, with a cache kept across the
//!   batches as the server keeps one per open document, equals `analyze` on
//!   the same tree; on error-free text that equals `analyze` on the fresh tree.

use std::time::Instant;

use arbitrary::Arbitrary;
use ticklens::analysis::dataflow::{self, Walk};
use ticklens::config::Config;
use ticklens::document::{ChangeError, Document, TextChange};
use ticklens::driver::{self, AnalysisCache};
use ticklens::line_index::{Encoding, LineCol};
use ticklens::{rules, syntax};
use tree_sitter::{InputEdit, Node, Point, Tree};

/// At most this many changes per input, so one input stays fast.
const MAX_CHANGES: usize = 48;

/// Starting documents: the shapes editors hold, with every line-ending style
/// and characters of every UTF-8 and UTF-16 width.
const SAMPLES: &[&str] = &[
    "async function example() {\n  console.log(\"A\");\n  const val = await Promise.resolve(\"B\");\n  console.log(val);\n  console.log(\"C\");\n}\nexample();\nconsole.log(\"D\");\n",
    "export async function fetchSafe(url) {\r\n  try {\r\n    const resp = await fetch(`${url}?q=é&lang=日本`);\r\n    return await resp.json();\r\n  } catch (e) {\r\n    console.error(`failed: ${e.message} 😀`);\r\n    return null;\r\n  }\r\n}\r\n",
    "function load(url) {\r  return new Promise(async (resolve, reject) => {\r    const data = await fetch(url).then((r) => r.text());\r    resolve(data);\r  });\r}\r",
    "async function pipeline() {\n  const [a, b] = await Promise.all([step1(), step2()]);\r\n  for await (const chunk of stream) {\r    process.nextTick(() => queueMicrotask(() => log(chunk)));\n  }\n  return a + b;\n}",
    "for (const id of ids) {\n  // ticklens-ignore-next-line\n  await save(id);\n}\nsetTimeout(() => console.log('T'), 0);\nsetImmediate(() => console.log('I'));\n",
    "",
];

/// Pieces an edit inserts: code, line endings, comments, and characters whose
/// UTF-8 and UTF-16 widths differ.
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
    "function ",
    "=> ",
    "new Promise(async (r) => r(await f()));",
    "return await p;",
    "for (const x of xs) ",
    "// ticklens-ignore-next-line\n",
    "Promise.all([a(), b()])",
    "setTimeout(f, 0);",
];

#[derive(Arbitrary, Debug)]
pub struct Script {
    pub start: Start,
    pub encoding: Units,
    /// Each batch is what one `didChange` notification carries.
    pub batches: Vec<Vec<Change>>,
}

#[derive(Arbitrary, Debug)]
pub enum Start {
    Sample(u8),
    Text(String),
}

#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum Units {
    Utf8,
    Utf16,
}

#[derive(Arbitrary, Debug)]
pub enum Change {
    /// What a well-behaved editor sends: a range from a character index
    /// spanning some characters, each end written exactly, past the end of its
    /// line, or inside a wide character.
    Between {
        start: u16,
        span: u8,
        start_aim: Aim,
        end_aim: Aim,
        text: Insert,
    },
    /// Raw positions, which may be reversed or past the end of the document.
    Raw {
        start: (u8, u16),
        end: (u8, u16),
        text: Insert,
    },
    /// A whole-document replacement (a change without a range).
    Full(Insert),
}

#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum Aim {
    Exact,
    PastLineEnd(u8),
    InsideCharacter,
}

#[derive(Arbitrary, Debug)]
pub enum Insert {
    Fragments(Vec<u8>),
    Text(String),
}

impl Insert {
    fn text(&self) -> String {
        match self {
            Insert::Fragments(picks) => picks
                .iter()
                .map(|&i| FRAGMENTS[i as usize % FRAGMENTS.len()])
                .collect(),
            Insert::Text(text) => text.clone(),
        }
    }
}

/// Runs `script` and panics on the first disagreement.
pub fn run(script: &Script) {
    let initial = match &script.start {
        // One more than the samples: all of them in one file, many top-level units.
        Start::Sample(i) => match SAMPLES.get(*i as usize % (SAMPLES.len() + 1)) {
            Some(sample) => (*sample).to_owned(),
            None => SAMPLES.join("\n"),
        },
        Start::Text(text) => text.clone(),
    };
    let encoding = match script.encoding {
        Units::Utf8 => Encoding::Utf8,
        Units::Utf16 => Encoding::Utf16,
    };
    let mut session = Session::new(&initial);
    let mut budget = MAX_CHANGES;
    for (batch_number, batch) in script.batches.iter().enumerate() {
        if budget == 0 {
            break;
        }
        for change in batch.iter().take(budget) {
            budget -= 1;
            session.send(change, encoding);
        }
        session.check_against_fresh_parse(batch_number % 2 == 1);
    }
}

/// One document edited three ways: through `Document`, on the model, and
/// through tree-sitter directly.
struct Session {
    doc: Document,
    model: Model,
    reference_tree: Tree,
    /// What the server keeps between analyses of one document.
    cache: AnalysisCache,
}

impl Session {
    fn new(initial: &str) -> Self {
        Self {
            doc: Document::new(initial.to_owned(), 1),
            model: Model::new(initial),
            reference_tree: syntax::parse(initial, None),
            cache: AnalysisCache::default(),
        }
    }

    fn send(&mut self, change: &Change, encoding: Encoding) {
        let (range, text) = match change {
            Change::Full(text) => {
                let text = text.text();
                let sent = TextChange {
                    range: None,
                    text: text.clone(),
                };
                self.doc
                    .apply_change(&sent, encoding)
                    .expect("a full change always applies");
                self.model = Model::new(&text);
                self.reference_tree = syntax::parse(&text, None);
                assert_eq!(self.doc.text(), text);
                self.check_against_reference();
                return;
            }
            Change::Between {
                start,
                span,
                start_aim,
                end_aim,
                text,
            } => {
                let len = self.model.chars.len();
                let start = self.model.addressable(*start as usize % (len + 1));
                let end = self.model.addressable((start + *span as usize).min(len));
                let start = self.model.write(start, *start_aim, encoding);
                let end = self.model.write(end, *end_aim, encoding);
                // Aiming past a line's end can swap the two; editors send ranges in order.
                ((start.min(end), start.max(end)), text.text())
            }
            Change::Raw { start, end, text } => {
                let at = |(line, col): (u8, u16)| LineCol {
                    line: line as u32,
                    col: col as u32,
                };
                ((at(*start), at(*end)), text.text())
            }
        };
        let sent = TextChange {
            range: Some(range),
            text: text.clone(),
        };
        let before = self.doc.text().to_owned();
        let outcome = self.doc.apply_change(&sent, encoding);
        match self.model.resolve(range, encoding) {
            Err(expected) => {
                assert_eq!(
                    outcome.map_err(|e| std::mem::discriminant(&e)),
                    Err(std::mem::discriminant(&expected)),
                    "{sent:?} on {before:?}: the model refuses it with {expected:?}"
                );
                assert_eq!(self.doc.text(), before, "a refused change altered the text");
            }
            Ok(chars) => {
                assert_eq!(outcome, Ok(()), "{sent:?} on {before:?}");
                let byte_of = |index: usize| -> usize {
                    self.model.chars[..index].iter().map(|c| c.len_utf8()).sum()
                };
                let (start_byte, old_end_byte) = (byte_of(chars.start), byte_of(chars.end));
                self.model.chars.splice(chars, text.chars());
                assert_eq!(
                    self.doc.text(),
                    self.model.text(),
                    "{sent:?} on {before:?} ({encoding:?})"
                );
                let new_end_byte = start_byte + text.len();
                let edit = InputEdit {
                    start_byte,
                    old_end_byte,
                    new_end_byte,
                    start_position: point_at_end_of(&before[..start_byte]),
                    old_end_position: point_at_end_of(&before[..old_end_byte]),
                    new_end_position: point_at_end_of(&self.doc.text()[..new_end_byte]),
                };
                self.reference_tree.edit(&edit);
                self.reference_tree = syntax::parse(self.doc.text(), Some(&self.reference_tree));
                self.check_against_reference();
            }
        }
    }

    /// The document's tree is exactly what tree-sitter builds when told the
    /// same edits: `Document` computed every `InputEdit` right.
    fn check_against_reference(&self) {
        let text = self.doc.text();
        assert_eq!(
            self.doc.tree().root_node().to_sexp(),
            self.reference_tree.root_node().to_sexp(),
            "the tree differs from the reference incremental parse of {text:?}"
        );
        assert_eq!(
            node_shapes(self.doc.tree()),
            node_shapes(&self.reference_tree),
            "node ranges differ from the reference incremental parse of {text:?}"
        );
    }

    /// After a batch, what the editor sees equals what a fresh open would show.
    ///
    /// Two kinds of text are exempt from the comparison with a fresh parse,
    /// both found by this target (see `tests/fuzz_regressions.rs`); there only
    /// the reference parse above speaks for the tree, and the analysis is
    /// checked against a fresh analysis of the same tree:
    /// - text with syntax errors: an incremental parse may recover from them
    ///   differently, keeping subtrees a fresh parse would not build;
    /// - text where either tree reads `await` as a name: tree-sitter-javascript
    ///   does not track async context, so `await (url).then(f)` is both an
    ///   `await` expression and a call of a function named `await` to it. A
    ///   fresh parse picks the call; an incremental parse keeps the `await`
    ///   an edit did not touch (delete `fetch` from `await fetch(url).then(f)`).
    ///
    /// With `interrupt`, a pass that runs out of time first (as the server's
    /// analysis may) leaves the cache half-filled for the next one.
    fn check_against_fresh_parse(&mut self, interrupt: bool) {
        let text = self.doc.text();
        let fresh = syntax::parse(text, None);
        let (got, want) = (self.doc.tree().root_node(), fresh.root_node());
        assert_eq!(
            got.has_error(),
            want.has_error(),
            "has_error differs from a fresh parse of {text:?}"
        );
        let own = driver::analyze(text, self.doc.tree());
        if interrupt {
            // A pass whose time budget ran out at once: what it reports is
            // part of the full result, and the next pass completes it.
            let partial = driver::analyze_within(
                text,
                self.doc.tree(),
                rules::ALL,
                &Config::default(),
                &mut self.cache,
                Some(Instant::now()),
                None,
            );
            for finding in &partial.findings {
                assert!(
                    own.findings.contains(finding),
                    "a partial analysis reports {finding:?}, which a full one does not, in {text:?}"
                );
            }
        }
        let incremental = driver::analyze_incremental(
            text,
            self.doc.tree(),
            rules::ALL,
            &Config::default(),
            &mut self.cache,
        );
        assert_eq!(
            incremental, own,
            "the incremental analysis differs from a fresh analysis of the same tree of {text:?}"
        );
        if !want.has_error()
            && !reads_await_as_a_name(text, self.doc.tree())
            && !reads_await_as_a_name(text, &fresh)
        {
            assert_eq!(
                without_comments(&got.to_sexp()),
                without_comments(&want.to_sexp()),
                "the tree differs from a fresh parse of {text:?}"
            );
            assert_eq!(
                own,
                driver::analyze(text, &fresh),
                "the analysis of the edited tree differs from a fresh analysis of {text:?}"
            );
        }
    }
}

/// Whether `tree` holds an identifier spelled `await` (see
/// [`Session::check_against_fresh_parse`]).
fn reads_await_as_a_name(text: &str, tree: &Tree) -> bool {
    let mut found = false;
    dataflow::preorder(tree.root_node(), |node| {
        found |= node.kind() == "identifier" && &text[node.byte_range()] == "await";
        if found {
            Walk::Skip
        } else {
            Walk::Enter
        }
    });
    found
}

/// An S-expression without its comments. tree-sitter may hang a comment on a
/// different parent after an incremental parse than after a fresh one
/// (`const a = b // note⏎` keeps the comment inside the declaration when
/// parsed fresh, beside it when the comment is typed into an existing tree);
/// both trees are right, and `tests/incremental_edits.rs` pins the rest of
/// their shape.
fn without_comments(sexp: &str) -> String {
    sexp.replace(" (comment)", "")
}

/// Every node in document order: kind, byte range, points and error flags.
fn node_shapes(tree: &Tree) -> Vec<(&'static str, usize, usize, Point, Point, bool, bool)> {
    let mut out = Vec::new();
    dataflow::preorder(tree.root_node(), |node: Node| {
        out.push((
            node.kind(),
            node.start_byte(),
            node.end_byte(),
            node.start_position(),
            node.end_position(),
            node.is_error(),
            node.is_missing(),
        ));
        Walk::Enter
    });
    out
}

/// tree-sitter's point (row, byte column) at the end of `text`; rows are
/// counted at `\n` only, as tree-sitter's lexer counts them.
fn point_at_end_of(text: &str) -> Point {
    let row = text.bytes().filter(|&b| b == b'\n').count();
    let line_start = text.rfind('\n').map_or(0, |i| i + 1);
    Point::new(row, text.len() - line_start)
}

/// The model's text: characters, and LSP line arithmetic over them.
struct Model {
    chars: Vec<char>,
}

/// A line: the index of its first character and of the end of its content.
#[derive(Clone, Copy)]
struct Line {
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

    fn lines(&self) -> Vec<Line> {
        let mut lines = Vec::new();
        let (mut start, mut i) = (0, 0);
        while i < self.chars.len() {
            let ending = match (self.chars[i], self.chars.get(i + 1)) {
                ('\r', Some('\n')) => 2,
                ('\r', _) | ('\n', _) => 1,
                _ => 0,
            };
            if ending > 0 {
                lines.push(Line {
                    start,
                    content_end: i,
                });
                i += ending;
                start = i;
            } else {
                i += 1;
            }
        }
        lines.push(Line {
            start,
            content_end: self.chars.len(),
        });
        lines
    }

    fn width(ch: char, encoding: Encoding) -> u32 {
        match encoding {
            Encoding::Utf8 => ch.len_utf8() as u32,
            Encoding::Utf16 => ch.len_utf16() as u32,
        }
    }

    /// No position names the point between `\r` and `\n`: move it before the `\r`.
    fn addressable(&self, index: usize) -> usize {
        let splits_crlf = index > 0
            && index < self.chars.len()
            && self.chars[index - 1] == '\r'
            && self.chars[index] == '\n';
        if splits_crlf {
            index - 1
        } else {
            index
        }
    }

    /// Writes character `index` as a position, aimed as asked.
    fn write(&self, index: usize, aim: Aim, encoding: Encoding) -> LineCol {
        let lines = self.lines();
        let number = lines
            .iter()
            .rposition(|line| line.start <= index)
            .expect("the first line starts at 0");
        let line = lines[number];
        let column = |to: usize| -> u32 {
            self.chars[line.start..to]
                .iter()
                .map(|&c| Model::width(c, encoding))
                .sum()
        };
        let col = match aim {
            Aim::Exact => column(index),
            Aim::PastLineEnd(extra) => column(line.content_end) + extra as u32,
            Aim::InsideCharacter => {
                let wide =
                    index < line.content_end && Model::width(self.chars[index], encoding) > 1;
                column(index) + u32::from(wide)
            }
        };
        LineCol {
            line: number as u32,
            col,
        }
    }

    /// The character range a change addressed by `range` replaces, or why the
    /// document must refuse it.
    fn resolve(
        &self,
        (start, end): (LineCol, LineCol),
        encoding: Encoding,
    ) -> Result<std::ops::Range<usize>, ChangeError> {
        if start > end {
            return Err(ChangeError::Reversed { start, end });
        }
        let lines = self.lines();
        let index_of = |pos: LineCol| -> Option<usize> {
            let line = *lines.get(pos.line as usize)?;
            let mut units = 0;
            for i in line.start..line.content_end {
                let width = Model::width(self.chars[i], encoding);
                if units + width > pos.col {
                    return Some(i);
                }
                units += width;
            }
            Some(line.content_end)
        };
        match (index_of(start), index_of(end)) {
            (Some(s), Some(e)) => Ok(s..e),
            _ => Err(ChangeError::OutOfBounds {
                start,
                end,
                lines: lines.len(),
            }),
        }
    }
}
