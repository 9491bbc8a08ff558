//! Running instrumented programs under Node 24 for the claim tests (tests/claims.rs,
//! tests/open_programs.rs): one measured run, the calibration's known answers, many programs on
//! worker threads, the insights ticklens shows on a program, and the report. It holds the
//! crates' `measure` and `node` modules.

#![allow(dead_code)] // Each test crate that includes this uses a different part of it.

#[path = "measure.rs"]
pub mod measure;
#[path = "../differential/node.rs"]
pub mod node;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use ticklens::analysis::insights::{self, Insights};
use ticklens::engine::{LaterPhase, ModuleKind};

use measure::{ticks_between, Measured};

/// Runs `path` under `node` and parses what the instrument measured; `Err` when the run wrote
/// no measurement or the instrument saw a mark outside a counted phase.
pub fn measure(node: &Path, path: &Path) -> Result<Measured, String> {
    let run = node::run_node(node, path, Duration::from_secs(20));
    let measured = measure::parse(&run.stderr)
        .map_err(|e| format!("{}: {e} ({}): {}", path.display(), run.ending(), run.stderr))?;
    match measured.errors.first() {
        Some(error) => Err(format!(
            "{}: the instrument failed: {error}",
            path.display()
        )),
        None => Ok(measured),
    }
}

/// Known answers on Node 24 (/work/shared/measuring-claims.md), each await's resumption minus
/// the previous one: `await null` 1, a thenable 2, a `Promise` subclass 3, the awaiter of
/// `return p` 3, of `return await p` 2.
pub const CALIBRATION_STEPS: [u64; 5] = [1, 2, 3, 3, 2];

/// Panics unless the calibration program's first call resumed with [`CALIBRATION_STEPS`].
pub fn assert_calibrated(measured: &Measured, what: &str) {
    let mut previous = measured.calls[0].entered;
    let mut steps = Vec::new();
    for resume in &measured.resumes {
        steps.push(ticks_between(previous, resume.at).unwrap_or(u64::MAX));
        previous = resume.at;
    }
    assert_eq!(
        steps, CALIBRATION_STEPS,
        "calibration failed ({what}): the instrument does not measure Node 24's known job \
         counts (await null 1, thenable 2, Promise subclass 3, `return p` 3, `return await p` 2)"
    );
}

/// What `runtime.js` calls a phase started by `phase`.
pub fn phase_name(phase: LaterPhase) -> &'static str {
    match phase {
        LaterPhase::NextTick => "nextTick",
        LaterPhase::Timer => "timer",
        LaterPhase::Immediate => "immediate",
    }
}

/// The first whole number in `text`.
pub fn first_number(text: &str) -> Option<u64> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let digits: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// Finds Node 24 (failing without it), calibrates the instrument with `calibrate(node, dir)`,
/// then runs `check(node, dir, program)` on every program: the results, and the errors. `dir` is
/// a temporary folder for the programs' files.
pub fn run_all<P: Sync, T: Send>(
    programs: &[P],
    calibrate: impl FnOnce(&Path, &Path),
    check: impl Fn(&Path, &Path, &P) -> Result<T, String> + Sync,
) -> (Vec<T>, Vec<String>) {
    let node = node::require_node_24();
    let dir = tempfile::tempdir().expect("a temporary folder");
    calibrate(&node, dir.path());
    on_workers(programs, |program| check(&node, dir.path(), program))
}

/// `check` on every item, on two to four threads: the results, and the errors.
pub fn on_workers<P: Sync, T: Send>(
    items: &[P],
    check: impl Fn(&P) -> Result<T, String> + Sync,
) -> (Vec<T>, Vec<String>) {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    let failures = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(item) = items.get(next.fetch_add(1, Ordering::Relaxed)) {
                    match check(item) {
                        Ok(result) => results.lock().unwrap().push(result),
                        Err(error) => failures.lock().unwrap().push(error),
                    }
                }
            });
        }
    });
    (
        results.into_inner().unwrap(),
        failures.into_inner().unwrap(),
    )
}

/// Writes a report to `target/<name>` (best effort: a report is no verdict).
pub fn write_report(name: &str, text: &str) {
    let target = node::repo_root().join("target");
    let _ = std::fs::create_dir_all(&target);
    let _ = std::fs::write(target.join(name), text);
}

/// What the hovers, inlay hints and code lenses of `source` show, as plain data.
pub fn insights_of(source: &str, es_module: bool) -> Insights {
    let tree = ticklens::syntax::parse(source, None);
    let module = if es_module {
        ModuleKind::EsModule
    } else {
        ModuleKind::CommonJs
    };
    insights::insights(source, &tree, module)
}

/// `title`, then a line per entry of `counts`: the count, then the key.
pub fn counts_section<K: std::fmt::Display>(title: &str, counts: &BTreeMap<K, usize>) -> String {
    let mut text = format!("\n{title}:\n");
    for (key, n) in counts {
        text.push_str(&format!("  {n:6}  {key}\n"));
    }
    text
}

/// The verdict of a claim test: every run measured, no claim wrong (the first 40 shown), at
/// least `min_claims` checked.
pub fn assert_verdict(failures: &[String], wrong: &[String], claims: usize, min_claims: usize) {
    assert!(failures.is_empty(), "runs failed:\n{}", failures.join("\n"));
    assert!(
        wrong.is_empty(),
        "{} claims are not what Node 24 measures:\n{}",
        wrong.len(),
        wrong
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        claims >= min_claims,
        "only {claims} claims checked (at least {min_claims} expected)"
    );
}
