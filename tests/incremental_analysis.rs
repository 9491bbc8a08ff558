//! The incremental analysis equals a fresh one, whatever the edits.
//!
//! `analyze_incremental` re-examines only the top-level units an edit touched
//! and reuses the findings of the others. These tests start from real documents
//! (every JavaScript example and fixture in the repository and the examples of
//! the rules' docs, joined into one file so units see each other's facts), make
//! random edits through `Document::apply_change`, and after every edit compare
//! the incremental findings — ranges, messages, fixes — with a fresh analysis
//! of the same text.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::sample::Index;
use ticklens::config::Config;
use ticklens::document::{Document, TextChange};
use ticklens::driver::{analyze, analyze_incremental, analyze_within, AnalysisCache};
use ticklens::line_index::Encoding;
use ticklens::rules;

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

/// The corpus joined into one large document, so that units see each other.
fn joined() -> String {
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
enum Step {
    Insert(Index, usize),
    Delete(Index, usize),
}

fn step() -> impl Strategy<Value = Step> {
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

fn change(doc: &Document, range: std::ops::Range<usize>, text: &str) -> TextChange {
    TextChange {
        range: Some((
            doc.position(range.start, Encoding::Utf16),
            doc.position(range.end, Encoding::Utf16),
        )),
        text: text.to_owned(),
    }
}

fn check_equal(doc: &Document, cache: &mut AnalysisCache, context: &str) {
    let config = Config::default();
    let incremental = analyze_incremental(doc.text(), doc.tree(), rules::ALL, &config, cache);
    let fresh = analyze(doc.text(), doc.tree());
    if incremental.findings != fresh.findings {
        let only_incremental: Vec<_> = incremental
            .findings
            .iter()
            .filter(|f| !fresh.findings.contains(f))
            .collect();
        let only_fresh: Vec<_> = fresh
            .findings
            .iter()
            .filter(|f| !incremental.findings.contains(f))
            .collect();
        let count = |findings: &[ticklens::findings::Finding], f: &ticklens::findings::Finding| {
            findings.iter().filter(|g| *g == f).count()
        };
        let first_difference: Vec<_> = incremental
            .findings
            .iter()
            .filter(|f| count(&incremental.findings, f) != count(&fresh.findings, f))
            .map(|f| {
                (
                    f,
                    count(&incremental.findings, f),
                    count(&fresh.findings, f),
                )
            })
            .collect();
        panic!(
            "incremental and fresh analyses differ after {context}\n\
             only incremental: {only_incremental:#?}\nonly fresh: {only_fresh:#?}\n\
             counts: {} incremental, {} fresh; first difference in order: {first_difference:#?}",
            incremental.findings.len(),
            fresh.findings.len()
        );
    }
}

fn run(source: String, steps: &[Step]) {
    let mut doc = Document::new(source, 1);
    let mut cache = AnalysisCache::default();
    check_equal(&doc, &mut cache, "opening");
    for (n, step) in steps.iter().enumerate() {
        let text = doc.text();
        let edit = match step {
            Step::Insert(at, what) => {
                let at = boundary(text, at.index(text.len() + 1));
                change(&doc, at..at, TYPED[*what])
            }
            Step::Delete(at, len) => {
                let start = boundary(text, at.index(text.len() + 1));
                let end = boundary(text, (start + len).min(text.len()));
                change(&doc, start..end, "")
            }
        };
        doc.apply_change(&edit, Encoding::Utf16)
            .expect("the range came from the document");
        check_equal(&doc, &mut cache, &format!("step {n}: {step:?}"));
    }
}

/// 64 cases in `cargo test`; `PROPTEST_CASES=5000` for a longer search.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(64)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn incremental_analysis_of_one_joined_document_equals_a_fresh_one(
        steps in prop::collection::vec(step(), 1..25)
    ) {
        run(joined(), &steps);
    }

    #[test]
    fn incremental_analysis_of_each_example_equals_a_fresh_one(
        pick in any::<Index>(),
        steps in prop::collection::vec(step(), 1..15)
    ) {
        let documents = corpus();
        run(documents[pick.index(documents.len())].clone(), &steps);
    }
}

#[test]
fn an_edit_inside_one_function_examines_that_function_only() {
    let source = "async function save(x) { await db.put(x); }\n\
                  async function load(id) { return db.get(id); }\n\
                  async function main() { save(1); const v = await load(2); }\n";
    let mut doc = Document::new(source.to_owned(), 1);
    let mut cache = AnalysisCache::default();
    let config = Config::default();
    let first = analyze_incremental(doc.text(), doc.tree(), rules::ALL, &config, &mut cache);
    assert_eq!(cache.last_examined, 3);
    assert_eq!(first.findings.len(), 1, "{:#?}", first.findings);

    // Inside `load`'s body: the facts stay the same, so only `load` is examined.
    let at = source.find("db.get").expect("in the source");
    doc.apply_change(&change(&doc, at..at, "await "), Encoding::Utf16)
        .expect("edit");
    let second = analyze_incremental(doc.text(), doc.tree(), rules::ALL, &config, &mut cache);
    assert_eq!(cache.last_examined, 1);
    assert_eq!(second.findings, analyze(doc.text(), doc.tree()).findings);

    // Making `save` synchronous changes the facts: `save` itself and `main`,
    // which asked about `save`, are examined again (`load` never mentions
    // it), and the floating `save(1)` in `main` is no longer reported.
    let at = doc
        .text()
        .find("async function save")
        .expect("in the source");
    doc.apply_change(&change(&doc, at..at + "async ".len(), ""), Encoding::Utf16)
        .expect("edit");
    let third = analyze_incremental(doc.text(), doc.tree(), rules::ALL, &config, &mut cache);
    assert_eq!(cache.last_examined, 2);
    assert!(third.findings.iter().all(|f| f.rule != "floating-promise"));
    assert_eq!(third.findings, analyze(doc.text(), doc.tree()).findings);
}

#[test]
fn an_analysis_out_of_time_is_partial_and_the_next_pass_goes_on() {
    let source = "async function a() { save(); }\nasync function save() {}\n\
                  async function b() { save(); }\nasync function c() { save(); }\n";
    let doc = Document::new(source.to_owned(), 1);
    let config = Config::default();
    let mut cache = AnalysisCache::default();
    let expired = Some(std::time::Instant::now());
    let mut passes = Vec::new();
    loop {
        let pass = analyze_within(
            doc.text(),
            doc.tree(),
            rules::ALL,
            &config,
            &mut cache,
            expired,
            None,
        );
        passes.push((cache.last_examined, pass.skipped_units));
        if !pass.is_partial() {
            assert_eq!(pass.findings, analyze(doc.text(), doc.tree()).findings);
            break;
        }
        assert!(passes.len() < 10, "no progress: {passes:?}");
    }
    // Each pass examines one unit before it notices the deadline.
    assert_eq!(passes, vec![(1, 3), (1, 2), (1, 1), (1, 0)]);
}
