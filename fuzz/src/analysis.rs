//! The analysis target's checks. Only `ticklens` and `tree_sitter` are used
//! here, so `tests/fuzz_regressions.rs` includes this file (and `tokens.rs`)
//! to replay crashes and the committed corpus under `cargo test` on stable.

use std::ops::Range;
use std::time::Duration;

use ticklens::analysis::dataflow::{self, Walk};
use ticklens::analysis::insights;
use ticklens::config::Config;
use ticklens::driver;
use ticklens::engine::{self, ModuleKind};
use ticklens::ide::{self, fix_all};
use ticklens::line_index::{Encoding, LineIndex};
use ticklens::{rules, syntax};
use tree_sitter::Tree;

/// The text a fuzz input stands for: a leading NUL byte selects the
/// structure-aware mode (each following byte picks a JavaScript token, see
/// `tokens.rs`); any other input is read as (lossy) UTF-8.
pub fn source_of(data: &[u8]) -> String {
    match data.split_first() {
        Some((0, rest)) => crate::tokens::splice(rest),
        _ => String::from_utf8_lossy(data).into_owned(),
    }
}

/// The module kind an input is analysed as. Both kinds run the engine
/// differently (an ES module body runs inside microtask processing); the
/// length's parity picks one, so a mutation that adds a byte tries the other.
pub fn module_of(data: &[u8]) -> ModuleKind {
    if data.len().is_multiple_of(2) {
        ModuleKind::CommonJs
    } else {
        ModuleKind::EsModule
    }
}

/// How long a TypeScript parse may take here before it is given up.
const PARSE_BUDGET: Duration = Duration::from_secs(2);

/// Runs the whole analysis on `source` as the server and `check` do, and
/// checks what it returns.
pub fn whole_analysis(source: &str, module: ModuleKind) {
    let tree = syntax::parse(source, None);
    let index = LineIndex::new(source);

    // Diagnostics: every range and every fix edit must address the text.
    let found = driver::analyze(source, &tree);
    for finding in &found.findings {
        assert_addresses(source, &finding.range, finding.rule);
        convert_like_the_server(source, &index, &finding.range);
        for fix in &finding.fixes {
            for edit in &fix.edits {
                assert_addresses(source, &edit.range, finding.rule);
            }
        }
    }
    let again = driver::analyze(source, &tree);
    assert_eq!(found, again, "analysis is not deterministic");

    // `source.fixAll.ticklens` and `check --fix`.
    let (fixed, _) = fix_all::apply_safe_fixes(
        source,
        syntax::SourceLanguage::JavaScript,
        rules::ALL,
        &Config::default(),
    );
    let _ = syntax::parse(&fixed, None);

    // The same bytes read as TypeScript: the erasure keeps every offset and
    // line, and the erased text is analysed like any other.
    // tree-sitter's error recovery can take minutes on a few hundred bytes of
    // TypeScript (see `syntax::prepare_within`); the product gives such a parse
    // up, and so does this check, sooner than the product would.
    for dialect in [syntax::Dialect::TypeScript, syntax::Dialect::Tsx] {
        let language = syntax::SourceLanguage::TypeScript(dialect);
        let Some(prepared) = syntax::prepare_within(source, language, PARSE_BUDGET) else {
            continue;
        };
        let erased = prepared.text(source);
        assert_eq!(erased.len(), source.len(), "the erasure changed the length");
        assert_eq!(
            erased.matches('\n').count(),
            source.matches('\n').count(),
            "the erasure changed the lines"
        );
        let _ = driver::first_reason(source, &prepared);
        let _ = driver::analyze(erased, &prepared.tree);
    }

    // Insights: hovers, inlay hints and code lens read only these.
    let facts = insights::insights(source, &tree, module);
    let _ = facts.order_title();
    for function in &facts.functions {
        assert_addresses(source, &function.range, "function range");
        assert_addresses(source, &function.head, "function head");
        let _ = function.settle_title();
        let _ = insights::function_hover(source, function);
        let _ = facts.hover(source, function.head.start);
        for at in &function.awaits {
            assert_addresses(source, &at.range, "await range");
            convert_like_the_server(source, &index, &at.range);
            let _ = insights::short_tick(&at.resume);
            let _ = insights::describe_resume(&at.resume, &function.call_label());
            let _ = insights::await_hover(source, function, at);
            let _ = facts.hover(source, at.range.start);
            let _ = facts.hover(source, at.range.end);
            if let Some(retention) = &at.retention {
                for var in &retention.retained {
                    assert_addresses(source, &var.decl_range, "retained variable");
                }
                for var in &retention.released {
                    assert_addresses(source, &var.decl_range, "released variable");
                }
            }
        }
    }
    for dropped in &facts.dropped {
        assert_addresses(source, &dropped.range, "dropped call");
        let _ = insights::dropped_hover(dropped);
    }

    // The fallback hover, at every `await` and async function the tree holds.
    for offset in hover_offsets(&tree) {
        if let Some(info) = ide::hover(source, &tree, None, offset) {
            assert_addresses(source, &info.range, "hover");
        }
    }

    // `ticklens order` and the order code lens: the same answer every time.
    let order = engine::predict_order(source, &tree, module);
    assert_eq!(order, facts.order, "predict_order is not deterministic");
}

/// A range the LSP layer converts must lie inside the text, in order, on
/// character boundaries: anything else would be shown at the wrong place.
fn assert_addresses(source: &str, range: &Range<usize>, what: &str) {
    assert!(
        range.start <= range.end && range.end <= source.len(),
        "{what}: range {range:?} outside a text of {} bytes",
        source.len()
    );
    assert!(
        source.is_char_boundary(range.start) && source.is_char_boundary(range.end),
        "{what}: range {range:?} splits a character"
    );
}

/// The server turns byte offsets into (line, column) and back; both encodings
/// must round-trip every character boundary a range names.
fn convert_like_the_server(source: &str, index: &LineIndex, range: &Range<usize>) {
    for offset in [range.start, range.end] {
        // The `\n` of a `\r\n` is inside a line ending: no position names it.
        if source[..offset].ends_with('\r') && source[offset..].starts_with('\n') {
            continue;
        }
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            let pos = index.position(source, offset, encoding);
            assert_eq!(
                index.offset(source, pos, encoding),
                Some(offset),
                "offset {offset} does not round-trip through {pos:?} ({encoding:?})"
            );
        }
    }
}

/// The start of every `await` expression and async function, found without
/// recursion (inputs may nest deeply).
fn hover_offsets(tree: &Tree) -> Vec<usize> {
    let mut offsets = Vec::new();
    dataflow::preorder(tree.root_node(), |node| {
        if node.kind() == "await_expression" || node.kind().contains("function") {
            offsets.push(node.start_byte());
        }
        Walk::Enter
    });
    offsets
}
