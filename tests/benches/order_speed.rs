//! How long `predict_order` takes on a generated program of about 1,000 lines.
//!
//! `cargo bench -p ticklens --bench order_speed` prints the median and p99 of many calls;
//! `docs/performance.md` ("order on a 1,000-line program") keeps the numbers.

#[path = "../differential/mod.rs"]
mod differential;

use std::hint::black_box;
use std::time::{Duration, Instant};

use differential::generator;
use differential::harness::module_kind;
use ticklens::engine::{self, OrderOutcome};

const SEED: u64 = 1000;
const LINES: usize = 1000;
/// Iterations after warm-up; fewer if they would take longer than `BUDGET`.
const ITERATIONS: usize = 500;
const BUDGET: Duration = Duration::from_secs(20);

/// The allocators of the `ticklens` binary (see `syntax::allocate_with_mimalloc`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // SAFETY: nothing has allocated through tree-sitter yet.
    unsafe { ticklens::syntax::allocate_with_mimalloc() };
    let program = generator::generate_large(SEED, LINES);
    let source = &program.source;
    let module = module_kind(program.flavor);

    let parse_started = Instant::now();
    let tree = ticklens::syntax::parse(source, None);
    let parse_time = parse_started.elapsed();

    let outcome = engine::predict_order(source, &tree, module);
    for _ in 0..10 {
        black_box(engine::predict_order(black_box(source), &tree, module));
    }
    let mut times = Vec::with_capacity(ITERATIONS);
    let started = Instant::now();
    while times.len() < ITERATIONS && started.elapsed() < BUDGET {
        let t = Instant::now();
        black_box(engine::predict_order(black_box(source), &tree, module));
        times.push(t.elapsed());
    }
    times.sort_unstable();
    let pick = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];

    let answer = match &outcome {
        OrderOutcome::Determined(lines) => format!("determined, {} lines printed", lines.len()),
        OrderOutcome::Abstained(a) => format!("abstained: {}", a.reason),
    };
    println!("order_speed: predict_order on a generated tier-3 program");
    println!(
        "  program     {} lines, {} bytes, {:?}, seed {SEED}",
        source.lines().count(),
        source.len(),
        program.flavor
    );
    println!("  outcome     {answer}");
    println!("  parse       {parse_time:?} (once, not in the timings below)");
    println!("  iterations  {}", times.len());
    println!("  min         {:?}", times[0]);
    println!("  median      {:?}", pick(0.5));
    println!("  p99         {:?}", pick(0.99));
    println!("  max         {:?}", times[times.len() - 1]);
}
