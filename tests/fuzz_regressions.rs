//! What fuzzing found, kept as plain tests (see `fuzz/` and `scripts/fuzz.sh`).
//!
//! - Each input a fuzz target failed on, replayed through the public API with
//!   the property that must hold on it.
//! - The seed archive of each target (`fuzz/seeds/<target>.tar`: its corpus,
//!   and the crash inputs `scripts/fuzz.sh pack` folds in once they are
//!   fixed), replayed through that target's own checks (`fuzz/src/analysis.rs`
//!   and `fuzz/src/incremental.rs`, included here), so that `cargo test` on
//!   the stable toolchain keeps every one of them passing without cargo-fuzz.

#[path = "../fuzz/src/analysis.rs"]
mod fuzz_analysis;
#[path = "../fuzz/src/incremental.rs"]
mod fuzz_incremental;
#[path = "../fuzz/src/tokens.rs"]
mod tokens;

use std::path::Path;

use ticklens::config::Config;
use ticklens::document::{Document, TextChange};
use ticklens::driver::{self, AnalysisCache};
use ticklens::ide::fix_all;
use ticklens::line_index::{Encoding, LineCol};
use ticklens::{rules, syntax};
use tree_sitter::{InputEdit, Point, Tree};

/// tree-sitter's point (row, byte column) at the end of `text`; rows end at `\n` only.
fn point_at_end_of(text: &str) -> Point {
    let row = text.bytes().filter(|&b| b == b'\n').count();
    let line_start = text.rfind('\n').map_or(0, |i| i + 1);
    Point::new(row, text.len() - line_start)
}

/// Replaces `range` of `text` and reparses `tree` incrementally, with the
/// `InputEdit` computed here rather than by `Document`.
fn reference_edit(text: &mut String, tree: &mut Tree, range: std::ops::Range<usize>, new: &str) {
    let edit = InputEdit {
        start_byte: range.start,
        old_end_byte: range.end,
        new_end_byte: range.start + new.len(),
        start_position: point_at_end_of(&text[..range.start]),
        old_end_position: point_at_end_of(&text[..range.end]),
        new_end_position: point_at_end_of(&format!("{}{new}", &text[..range.start])),
    };
    text.replace_range(range, new);
    tree.edit(&edit);
    *tree = syntax::parse(text, Some(tree));
}

/// `incremental_sync`, crash-b993639d: two edits (a broken string literal typed
/// at the top of a file, then `fetch` deleted from `await fetch(url).then(...)`)
/// left a text whose incremental tree and fresh tree disagree: under error
/// recovery tree-sitter reads `await (url).then(...)` as an `await`
/// expression in one and as a call of a function named `await` in the other,
/// and the `async-promise-executor` findings differed with it (see the next
/// test). The disagreement is tree-sitter's, not `Document`'s: the document's
/// tree is exactly tree-sitter's own incremental parse, both trees flag the
/// error, and the server's cached analysis equals a fresh analysis of the same
/// tree.
#[test]
fn edits_that_leave_a_syntax_error_keep_the_tree_of_tree_sitters_own_incremental_parse() {
    let initial = concat!(
        "async function example() {\n  console.log(\"A\");\n",
        "  const val = await Promise.resolve(\"B\");\n  console.log(val);\n",
        "  console.log(\"C\");\n}\nexample();\nconsole.log(\"D\");\n\n",
        "export async function fetchSafe(url) {\r\n  try {\r\n",
        "    const resp = await fetch(`${url}?q=é&lang=日本`);\r\n",
        "    return await resp.json();\r\n  } catch (e) {\r\n",
        "    console.error(`failed: ${e.message} 😀`);\r\n    return null;\r\n  }\r\n}\r\n\n",
        "function load(url) {\r  return new Promise(async (resolve, reject) => {\r",
        "    const data = await fetch(url).then((r) => r.text());\r    resolve(data);\r  });\r}\r\n",
        "async function pipeline() {\n  const [a, b] = await Promise.all([step1(), step2()]);\r\n",
        "  for await (const chunk of stream) {\r",
        "    process.nextTick(() => queueMicrotask(() => log(chunk)));\n  }\n  return a + b;\n}\n",
        "for (const id of ids) {\n  // ticklens-ignore-next-line\n  await save(id);\n}\n",
        "setTimeout(() => console.log('T'), 0);\nsetImmediate(() => console.log('I'));\n\n",
    );
    let mut doc = Document::new(initial.to_owned(), 1);
    let mut reference_text = initial.to_owned();
    let mut reference_tree = syntax::parse(initial, None);
    let mut cache = AnalysisCache::default();

    // From the end of line 0 to the end of line 17, both written past their line's end.
    let at = |line, col| LineCol { line, col };
    let typed = TextChange {
        range: Some((at(0, 2816), at(17, 27137))),
        text: "\r\n\"".to_owned(),
    };
    doc.apply_change(&typed, Encoding::Utf16)
        .expect("the range lies in the document");
    let end_of_line_17 = initial
        .find("\r\n\nfunction load")
        .expect("line 17 ends here");
    reference_edit(
        &mut reference_text,
        &mut reference_tree,
        "async function example() {".len()..end_of_line_17,
        "\r\n\"",
    );
    assert_eq!(doc.text(), reference_text);
    driver::analyze_incremental(
        doc.text(),
        doc.tree(),
        rules::ALL,
        &Config::default(),
        &mut cache,
    );

    let fetch = doc
        .text()
        .find("fetch(url)")
        .expect("the executor calls fetch");
    let range = (
        doc.position(fetch, Encoding::Utf16),
        doc.position(fetch + "fetch".len(), Encoding::Utf16),
    );
    let deleted = TextChange {
        range: Some(range),
        text: String::new(),
    };
    doc.apply_change(&deleted, Encoding::Utf16)
        .expect("the range lies in the document");
    reference_edit(
        &mut reference_text,
        &mut reference_tree,
        fetch..fetch + "fetch".len(),
        "",
    );

    assert_eq!(doc.text(), reference_text);
    assert!(doc
        .text()
        .contains("const data = await (url).then((r) => r.text());"));
    assert_eq!(
        doc.tree().root_node().to_sexp(),
        reference_tree.root_node().to_sexp()
    );
    let fresh = syntax::parse(doc.text(), None);
    assert!(doc.tree().root_node().has_error());
    assert!(fresh.root_node().has_error());
    let incremental = driver::analyze_incremental(
        doc.text(),
        doc.tree(),
        rules::ALL,
        &Config::default(),
        &mut cache,
    );
    assert_eq!(incremental, driver::analyze(doc.text(), doc.tree()));
}

/// `incremental_sync`, crash-53e4c5bc: the same deletion in valid JavaScript.
/// tree-sitter-javascript does not track async context, so
/// `await (url).then(...)` is also a call of a function named `await`; a fresh
/// parse reads it so, an incremental parse after the edit keeps the `await`.
/// On the fresh reading `async-promise-executor` offered "Remove `async` from
/// the executor (it never awaits)" as a safe fix, which `check --fix` applied,
/// turning the await into a call of an undefined `await`. Whichever way the
/// text is read, the executor awaits and no safe fix removes its `async`.
#[test]
fn an_executor_awaiting_a_parenthesized_operand_keeps_its_async_whichever_way_it_is_parsed() {
    let before = "function load(url) {\n  return new Promise(async (resolve, reject) => {\n    \
                  const data = await fetch(url).then((r) => r.text());\n    resolve(data);\n  });\n}\n";
    let mut doc = Document::new(before.to_owned(), 1);
    let fetch = before.find("fetch").expect("the executor calls fetch");
    let range = (
        doc.position(fetch, Encoding::Utf16),
        doc.position(fetch + "fetch".len(), Encoding::Utf16),
    );
    doc.apply_change(
        &TextChange {
            range: Some(range),
            text: String::new(),
        },
        Encoding::Utf16,
    )
    .expect("the range lies in the document");
    let fresh = syntax::parse(doc.text(), None);
    assert!(!fresh.root_node().has_error(), "{}", doc.text());
    for (tree, which) in [(doc.tree(), "edited"), (&fresh, "fresh")] {
        let executor_fixes: Vec<_> = driver::analyze(doc.text(), tree)
            .findings
            .into_iter()
            .filter(|f| f.rule == "async-promise-executor")
            .flat_map(|f| f.fixes)
            .filter(|fix| fix.safety == ticklens::findings::FixSafety::Safe)
            .collect();
        assert!(
            executor_fixes.is_empty(),
            "{which} tree: {executor_fixes:?}"
        );
    }
    let (fixed, _) = fix_all::apply_safe_fixes(
        doc.text(),
        ticklens::syntax::SourceLanguage::JavaScript,
        rules::ALL,
        &Config::default(),
    );
    assert!(
        fixed.contains("new Promise(async (resolve, reject)"),
        "{fixed}"
    );
}

/// The inputs of `fuzz/seeds/<target>.tar`, by name: a plain ustar archive
/// (`scripts/fuzz.sh pack` writes it), read here without an archive crate.
fn seed_inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../fuzz/seeds/{target}.tar"));
    let archive = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut inputs = Vec::new();
    let mut at = 0;
    while let Some(header) = archive.get(at..at + 512) {
        if header.iter().all(|&b| b == 0) {
            break;
        }
        let field = |range: std::ops::Range<usize>| {
            let bytes = &header[range];
            let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
            String::from_utf8_lossy(&bytes[..end]).trim().to_owned()
        };
        let name = field(0..100);
        let size = usize::from_str_radix(&field(124..136), 8)
            .unwrap_or_else(|e| panic!("{}: the size of {name}: {e}", path.display()));
        let data = archive
            .get(at + 512..at + 512 + size)
            .unwrap_or_else(|| panic!("{}: {name} is cut short", path.display()));
        if matches!(header[156], b'0' | 0) {
            inputs.push((name, data.to_vec()));
        }
        at += 512 + size.div_ceil(512) * 512;
    }
    assert!(
        inputs.len() > 100,
        "{} holds {} inputs",
        path.display(),
        inputs.len()
    );
    inputs
}

/// Every input of the `analysis` seeds passes the `analysis` target's checks:
/// no panic, every range on the text's character boundaries, deterministic
/// findings and order.
#[test]
fn the_analysis_corpus_passes_the_fuzz_targets_checks() {
    for (name, data) in seed_inputs("analysis") {
        let source = fuzz_analysis::source_of(&data);
        let outcome = driver::contain_panic(|| {
            fuzz_analysis::whole_analysis(&source, fuzz_analysis::module_of(&data))
        });
        if let Err(panic) = outcome {
            panic!("fuzz/seeds/analysis.tar: {name}: {}", panic.message);
        }
    }
}

/// Every input of the `incremental_sync` seeds passes that target's checks:
/// the document keeps the model's text and the reference tree, and its
/// incremental analysis equals a fresh one. Each input is read as libFuzzer
/// hands it to the target (`arbitrary_take_rest`); the ones that make no
/// script are skipped there too.
#[test]
fn the_incremental_sync_corpus_passes_the_fuzz_targets_checks() {
    use arbitrary::{Arbitrary, Unstructured};
    let mut scripts = 0;
    for (name, data) in seed_inputs("incremental_sync") {
        let Ok(script) = fuzz_incremental::Script::arbitrary_take_rest(Unstructured::new(&data))
        else {
            continue;
        };
        scripts += 1;
        if let Err(panic) = driver::contain_panic(|| fuzz_incremental::run(&script)) {
            panic!("fuzz/seeds/incremental_sync.tar: {name}: {}", panic.message);
        }
    }
    assert!(scripts > 100, "only {scripts} inputs make a script");
}
