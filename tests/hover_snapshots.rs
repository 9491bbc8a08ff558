//! Snapshots of everything the editor shows about *when* code runs, one
//! readable document per fixture in `tests/fixtures/hovers/`: each source line,
//! and under it the hovers at every `await` (keyword and operand), every `for
//! await` and `yield`, every async function head (`async` keyword and name)
//! and every dropped promise, the inlay hint labels and the code lens titles. A person reviews the wording in the
//! `.snap` files before accepting them.
//!
//! The texts come from the calls the LSP handlers make (`insights::insights`,
//! then `ide::hover`, `ide::inlay_hints` and `ide::code_lenses`), so a snapshot
//! shows what an editor shows.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use ticklens::analysis::dataflow;
use ticklens::analysis::insights::{self, Insights};
use ticklens::engine::ModuleKind;
use ticklens::ide::{self, CodeLensKind, HoverOrigin, InlayHintKind};
use ticklens::syntax;
use ticklens::syntax::awaits::{self, SuspensionKind};
use ticklens::syntax::js;
use tree_sitter::{Node, Tree};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/hovers")
}

/// One thing to show under a source line.
struct Note {
    offset: usize,
    /// Notes at the same offset keep this order: lens, hovers, inlay hints.
    rank: u8,
    text: String,
}

/// A 1-based `line:column` (columns in characters) for a byte offset.
fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, source[line_start..offset].chars().count() + 1)
}

fn at(source: &str, offset: usize) -> String {
    let (line, col) = line_col(source, offset);
    format!("{line}:{col}")
}

/// Every node of `tree` that `keep` accepts, in document order.
fn all_nodes<'t>(tree: &'t Tree, keep: impl Fn(Node<'t>) -> bool) -> Vec<Node<'t>> {
    let mut found = Vec::new();
    dataflow::preorder(tree.root_node(), |node| {
        if keep(node) {
            found.push(node);
        }
        dataflow::Walk::Enter
    });
    found
}

/// The points a reader hovers: `(offset, what is there)`.
fn hover_points(
    source: &str,
    tree: &Tree,
    insights: &Insights,
    module: ModuleKind,
) -> Vec<(usize, String)> {
    let mut points = Vec::new();
    // Every await as JavaScript reads it (tree-sitter's `await (x)(y)` too)
    // and every `for await`, from the syntax layer the insights use.
    let module_is_async = module == ModuleKind::EsModule;
    for function in awaits::suspension_points(source, tree, module_is_async) {
        for point in function.points {
            match point.kind {
                SuspensionKind::Await => {
                    points.push((point.range.start, "`await`".to_owned()));
                    let text = insights::shorten(&source[point.operand.clone()], 40);
                    points.push((point.operand.start, format!("operand `{text}`")));
                }
                SuspensionKind::ForAwait => {
                    points.push((point.range.start, "`for await`".to_owned()));
                }
                SuspensionKind::Yield => {
                    points.push((point.range.start, "`yield`".to_owned()));
                }
            }
        }
    }
    for node in all_nodes(tree, js::is_async_function) {
        let mut cursor = node.walk();
        let keyword = node.children(&mut cursor).find(|c| c.kind() == "async");
        if let Some(keyword) = keyword {
            points.push((keyword.start_byte(), "`async`".to_owned()));
        }
        if let Some(name) = node.child_by_field_name("name") {
            points.push((
                name.start_byte(),
                format!("name `{}`", &source[name.byte_range()]),
            ));
        }
    }
    for dropped in &insights.dropped {
        let text = insights::shorten(&source[dropped.range.clone()], 40);
        points.push((dropped.range.start, format!("dropped `{text}`")));
    }
    points.sort_by_key(|(offset, _)| *offset);
    points.dedup_by_key(|(offset, _)| *offset);
    points
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.is_empty() {
                "     │".to_owned()
            } else {
                format!("     │   {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The document a reviewer reads for one fixture.
fn render(file_name: &str, source: &str) -> String {
    let module = if file_name.ends_with(".mjs") {
        ModuleKind::EsModule
    } else {
        ModuleKind::CommonJs
    };
    let tree = syntax::parse(source, None);
    let insights = insights::insights(source, &tree, module);
    let lenses = ide::code_lenses(&insights);
    let hints = ide::inlay_hints(&insights, 0..source.len());
    let mut notes: Vec<Note> = Vec::new();

    // Code lens: one per async function whose settle tick is known.
    for function in &insights.functions {
        let lens = lenses
            .iter()
            .find(|lens| lens.kind == CodeLensKind::Settle && lens.target == function.range);
        let text = match lens {
            Some(lens) => format!("├─ lens: {}", lens.title),
            None => format!("├─ lens: none for {}", function.call_label()),
        };
        notes.push(Note {
            offset: function.range.start,
            rank: 0,
            text,
        });
    }

    // Hovers, with the text shown once per range: a second point on the same
    // hover (the operand, the function name) says so instead of repeating it.
    let mut shown: Vec<(std::ops::Range<usize>, String, usize)> = Vec::new();
    for (offset, what) in hover_points(source, &tree, &insights, module) {
        let text = match ide::hover(source, &tree, Some(&insights), offset) {
            None => format!("├─ hover {} on {what}: none", at(source, offset)),
            Some(hover) => {
                let (range, markdown) = (hover.range, hover.markdown);
                let origin = match hover.origin {
                    HoverOrigin::Insights => "",
                    HoverOrigin::Syntax => " [generic fallback]",
                };
                let same = shown
                    .iter()
                    .find(|(r, m, _)| *r == range && *m == markdown)
                    .map(|(_, _, first)| *first);
                match same {
                    Some(first) => format!(
                        "├─ hover {} on {what}: same as {}",
                        at(source, offset),
                        at(source, first)
                    ),
                    None => {
                        shown.push((range.clone(), markdown.clone(), offset));
                        format!(
                            "├─ hover {} on {what}{origin} (highlights {}–{}):\n{}",
                            at(source, offset),
                            at(source, range.start),
                            at(source, range.end),
                            indent(&markdown)
                        )
                    }
                }
            }
        };
        notes.push(Note {
            offset,
            rank: 1,
            text,
        });
    }

    // Inlay hints: after each await its resume tick (or why it has none),
    // after each dropped promise a marker.
    let module_awaits = insights.module_awaits.iter();
    for awaited in insights
        .functions
        .iter()
        .flat_map(|f| f.awaits.iter())
        .chain(module_awaits)
    {
        let hint = hints
            .iter()
            .find(|hint| hint.kind == InlayHintKind::Resume && hint.target == awaited.range);
        let text = match hint {
            Some(hint) => format!("├─ inlay {}: {}", at(source, awaited.range.end), hint.label),
            None => format!(
                "├─ inlay {}: none (resume tick unknown)",
                at(source, awaited.range.end)
            ),
        };
        notes.push(Note {
            offset: awaited.range.end,
            rank: 2,
            text,
        });
    }
    for dropped in hints
        .iter()
        .filter(|hint| hint.kind == InlayHintKind::DroppedPromise)
    {
        notes.push(Note {
            offset: dropped.target.end,
            rank: 2,
            text: format!(
                "├─ inlay {}: dropped-promise marker",
                at(source, dropped.target.end)
            ),
        });
    }

    notes.sort_by_key(|n| (line_col(source, n.offset).0, n.rank, n.offset));
    let mut out = String::new();
    let kind = match module {
        ModuleKind::EsModule => "ES module",
        ModuleKind::CommonJs => "CommonJS",
    };
    let _ = writeln!(out, "{file_name} ({kind})");
    let file_lens = lenses.iter().find(|lens| lens.kind == CodeLensKind::Order);
    let file_lens = file_lens.map_or("none", |lens| lens.title.as_str());
    let _ = writeln!(out, "file lens: {file_lens}");
    let _ = writeln!(out);
    let mut notes = notes.into_iter().peekable();
    for (index, line) in source.lines().enumerate() {
        let _ = writeln!(out, "{:>4} │ {line}", index + 1);
        while let Some(note) = notes.next_if(|n| line_col(source, n.offset).0 == index + 1) {
            let _ = writeln!(out, "     {}", note.text);
        }
    }
    out
}

fn snapshot(file_name: &str) {
    let path = fixtures_dir().join(file_name);
    let source = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let name = file_name.split('.').next().unwrap_or(file_name);
    insta::assert_snapshot!(name, render(file_name, &source));
}

/// One test per fixture, named after what the fixture shows, and the list of
/// fixtures the directory must match.
macro_rules! fixture_tests {
    ($($test:ident => $file:literal,)*) => {
        const FIXTURES: &[&str] = &[$($file),*];
        $(
            #[test]
            fn $test() {
                snapshot($file);
            }
        )*
    };
}

fixture_tests! {
    seed_example_await_resumes_on_tick_1 => "seed_example.js",
    seed_x_second_await_resumes_on_tick_2 => "seed_x_and_y.js",
    seed_continuations_run_fifo_and_nexttick_first_in_commonjs => "seed_ordering.js",
    es_module_runs_the_await_before_nexttick_and_awaits_at_top_level => "esm_top_level.mjs",
    awaits_on_unknown_code_count_jobs_from_the_operand_settling => "unknown_operands.js",
    thenable_awaits_take_the_assimilation_path => "thenables.js",
    consecutive_awaits_are_dependent_or_independent => "consecutive_awaits.js",
    awaits_list_live_captured_and_large_retained_values => "retained.js",
    async_function_heads_state_the_contract => "function_contracts.js",
    dropped_promises_are_fire_and_forget => "dropped.js",
    unknown_ticks_say_why => "unknown_ticks.js",
    class_methods_run_and_count_ticks_from_the_programs_calls => "class_members.js",
    code_the_engine_cannot_run_gets_the_generic_hover => "syntax_error.js",
    every_construct_holds_awaits_and_misparsed_chains_are_awaits => "await_constructs.js",
    an_es_module_top_level_reads_await_chains_as_awaits => "await_constructs_module.mjs",
    awaits_in_a_later_phase_name_the_phase => "later_phases.js",
    every_suspension_kind_has_its_own_hover => "suspension_kinds.js",
    a_module_suspends_at_top_level_awaits_and_for_await_loops => "suspension_kinds_module.mjs",
}

#[test]
fn every_fixture_has_a_snapshot_test() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("tests/fixtures/hovers")
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".js") || name.ends_with(".mjs"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<&str> = FIXTURES.to_vec();
    listed.sort_unstable();
    assert_eq!(
        on_disk, listed,
        "give each fixture a line in fixture_tests!"
    );
}
