//! Random edits of the repository's JavaScript examples, for the tests that
//! compare an incremental computation with a fresh one
//! (`incremental_analysis.rs`, `incremental_insights.rs`).

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::sample::Index;
use ticklens::document::{Document, TextChange};
use ticklens::line_index::Encoding;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The `js` code blocks of a Markdown file.
fn js_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_start()) {
            (None, fence) if fence.starts_with("```js") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

/// Every JavaScript example of the repository, one document each.
fn corpus() -> Vec<String> {
    let mut paths = Vec::new();
    for dir in [
        "examples",
        "tests/fixtures",
        "editors/fixtures",
        "docs/rules",
    ] {
        files_under(&repo().join(dir), &mut paths);
    }
    paths.sort();
    let mut documents = Vec::new();
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        match path.extension().and_then(|e| e.to_str()) {
            Some("js" | "mjs" | "cjs" | "jsx") => documents.push(text),
            Some("md") => documents.extend(js_blocks(&text)),
            _ => {}
        }
    }
    assert!(documents.len() > 30, "found {} documents", documents.len());
    documents
}

/// Every JavaScript example of the repository, one document each.
#[allow(dead_code)] // `incremental_insights.rs` reads them all; `incremental_analysis.rs` does not.
pub fn documents() -> Vec<String> {
    corpus()
}

/// The corpus joined into one large document, so that units see each other.
pub fn joined() -> String {
    corpus().join("\n")
}

const TYPED: &[&str] = &[
    "a",
    " ",
    "\n",
    ";",
    "}",
    "{",
    "(",
    ")",
    "async ",
    "await ",
    "await x;",
    "return ",
    "Promise.all([f(), g()]);",
    "save(x);\n",
    "async function save() {}\n",
    "let n = 0;\n",
    ".then(f)",
    "new Promise(async (r) => r(await f()));\n",
    "const BATCH_SIZE = 3;\n",
    "class Repo { async find() {} }\n",
    "// ticklens-ignore-next-line\n",
];

#[derive(Clone, Debug)]
pub enum Step {
    Insert(Index, usize),
    Delete(Index, usize),
}

pub fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (any::<Index>(), 0..TYPED.len()).prop_map(|(at, what)| Step::Insert(at, what)),
        1 => (any::<Index>(), 1usize..40).prop_map(|(at, len)| Step::Delete(at, len)),
    ]
}

fn boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

pub fn change(doc: &Document, range: std::ops::Range<usize>, text: &str) -> TextChange {
    TextChange {
        range: Some((
            doc.position(range.start, Encoding::Utf16),
            doc.position(range.end, Encoding::Utf16),
        )),
        text: text.to_owned(),
    }
}

/// Applies `step` to `doc`.
fn apply(doc: &mut Document, step: &Step) {
    let text = doc.text();
    let edit = match step {
        Step::Insert(at, what) => {
            let at = boundary(text, at.index(text.len() + 1));
            change(doc, at..at, TYPED[*what])
        }
        Step::Delete(at, len) => {
            let start = boundary(text, at.index(text.len() + 1));
            let end = boundary(text, (start + len).min(text.len()));
            change(doc, start..end, "")
        }
    };
    doc.apply_change(&edit, Encoding::Utf16)
        .expect("the range came from the document");
}

/// 64 cases in `cargo test`; `PROPTEST_CASES=5000` for a longer search.
pub fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(64)
}

/// The example `pick` chooses.
pub fn example(pick: Index) -> String {
    let mut documents = corpus();
    let at = pick.index(documents.len());
    documents.swap_remove(at)
}

/// Opens `source` and makes each of `steps`, calling `check` with the
/// document and what was done after the opening and after each step.
pub fn edit_and_check(source: String, steps: &[Step], mut check: impl FnMut(&Document, &str)) {
    let mut doc = Document::new(source, 1);
    check(&doc, "opening");
    for (n, step) in steps.iter().enumerate() {
        apply(&mut doc, step);
        check(&doc, &format!("step {n}: {step:?}"));
    }
}
