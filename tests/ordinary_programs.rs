//! Ordinary-looking closed programs (`tests/fixtures/ordinary/`): classes, `Map`/`Set`,
//! destructuring, `switch`, optional chaining, fetch-shaped helpers, written as people write
//! them and not tuned to the engine. Every order the engine claims for one of them is what
//! Node 24 prints, and most of their awaits get a definite claim (a tick after the call's
//! entry, or a count of jobs after a named operand settles).

#[path = "differential/node.rs"]
mod node;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use ticklens::engine::{self, ModuleKind, OrderOutcome, ResumeTick};
use ticklens::syntax::awaits::{self, SuspensionKind};

/// The share of awaits that must get a definite claim. Raised as the engine learns more;
/// the goal is 0.9.
const MIN_DEFINITE_SHARE: f64 = 0.9;

fn programs() -> Vec<PathBuf> {
    let dir = node::repo_root().join("tests/fixtures/ordinary");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "js"))
        .collect();
    files.sort();
    files
}

/// Byte offsets of every `await` expression and `for await` loop, as the
/// syntax layer reads them (the hovers' reading, misparsed `await (x)(y)` too).
fn suspension_points(tree: &tree_sitter::Tree, source: &str, module: ModuleKind) -> Vec<usize> {
    awaits::suspension_points(source, tree, module == ModuleKind::EsModule)
        .into_iter()
        .flat_map(|function| function.points)
        .filter(|point| point.kind != SuspensionKind::Yield)
        .map(|point| point.range.start)
        .collect()
}

fn is_definite(tick: &ResumeTick) -> bool {
    match tick {
        ResumeTick::AfterEntry { .. } => true,
        ResumeTick::AfterSettle {
            if_native_promise, ..
        } => !if_native_promise,
        ResumeTick::Conditional { .. } | ResumeTick::Unknown { .. } => false,
    }
}

#[test]
fn ordinary_programs_get_true_orders_and_definite_ticks() {
    let node = node::require_node_24();
    let files = programs();
    assert!(files.len() >= 30, "only {} ordinary programs", files.len());
    let (mut awaits, mut definite, mut claimed) = (0usize, 0usize, 0usize);
    let mut report = String::new();
    for path in &files {
        let source = std::fs::read_to_string(path).expect("a readable program");
        let tree = ticklens::syntax::parse(&source, None);
        let module = engine::detect_module_kind(path, &source, &tree);
        let (facts, order) = engine::facts_and_order(&source, &tree, module);
        let points = suspension_points(&tree, &source, module);
        let sure = points
            .iter()
            .filter(|&&start| {
                facts
                    .iter()
                    .flat_map(|f| &f.awaits)
                    .any(|a| a.range.start == start && is_definite(&a.resume))
            })
            .count();
        awaits += points.len();
        definite += sure;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let verdict = match order {
            OrderOutcome::Determined(lines) => {
                let predicted: String = lines.iter().map(|l| format!("{}\n", l.text)).collect();
                let run = node::run_node(&node, path, Duration::from_secs(10));
                assert_eq!(
                    run.stdout, predicted,
                    "{name}: Node 24's stdout differs from the claimed order; stderr:\n{}",
                    run.stderr
                );
                claimed += 1;
                "order as Node prints".to_owned()
            }
            OrderOutcome::Abstained(why) => format!("abstains: {}", why.reason),
        };
        let _ = writeln!(
            report,
            "{name}: {sure}/{} awaits definite; {verdict}",
            points.len()
        );
    }
    let share = definite as f64 / awaits.max(1) as f64;
    eprintln!(
        "{report}\n{definite} of {awaits} awaits definite ({:.0}%), {claimed} of {} orders claimed",
        share * 100.0,
        files.len()
    );
    assert!(
        share >= MIN_DEFINITE_SHARE,
        "only {:.0}% of the awaits got a definite claim",
        share * 100.0
    );
}
