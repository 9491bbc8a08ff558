//! Bare tree-sitter parse throughput on a folder of real JavaScript, the time the
//! analysis takes after parsing, and what the rules' trigger words let `check` skip.
//!
//! ```text
//! TICKLENS_CORPUS=$(scripts/corpus.sh)/files cargo bench -p ticklens --bench parse_corpus
//! ```
//!
//! One thread, files in path order, each file read into memory before the clock
//! starts; mimalloc for Rust and tree-sitter, as in the `ticklens` binary. `scripts/bench-check.sh` runs it; `docs/performance.md` ("check on real
//! npm code") keeps the numbers.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use ticklens::cli::check::walk::{collect_files, Filters};
use ticklens::config::Config;
use ticklens::driver::analyze_configured;
use ticklens::rules::{self, RuleContext};

/// Files over this size are skipped by `check` by default; so here.
const MAX_SIZE: usize = 5 * 1024 * 1024;

/// The allocators of the `ticklens` binary (see `syntax::allocate_with_mimalloc`),
/// so that parse and analysis cost here what they cost in `check`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // SAFETY: nothing has allocated through tree-sitter yet.
    unsafe { ticklens::syntax::allocate_with_mimalloc() };
    let Some(folder) = std::env::var_os("TICKLENS_CORPUS") else {
        eprintln!("parse_corpus: set TICKLENS_CORPUS to a folder of JavaScript files");
        eprintln!("  e.g. TICKLENS_CORPUS=$(scripts/corpus.sh)/files");
        return;
    };
    let (paths, errors) = collect_files(&[PathBuf::from(&folder)], &Filters::default());
    for error in errors {
        eprintln!("parse_corpus: {error}");
    }
    let sources: Vec<(PathBuf, String)> = paths
        .into_iter()
        .filter_map(|path| {
            let text = String::from_utf8(std::fs::read(&path).ok()?).ok()?;
            (text.len() <= MAX_SIZE).then_some((path, text))
        })
        .collect();
    let total_bytes: usize = sources.iter().map(|(_, s)| s.len()).sum();

    let scan_started = Instant::now();
    let triggered: Vec<bool> = sources
        .iter()
        .map(|(_, s)| !rules::triggered(black_box(s.as_str()), rules::ALL).is_empty())
        .collect();
    let scan_time = scan_started.elapsed();
    let skipped_files = triggered.iter().filter(|t| !**t).count();
    let skipped_bytes: usize = sources
        .iter()
        .zip(&triggered)
        .filter(|(_, t)| !**t)
        .map(|((_, s), _)| s.len())
        .sum();

    // Parse every file: the floor of this design.
    let mut parser = ticklens::syntax::parser();
    let mut parse_all = Duration::ZERO;
    let mut parse_triggered = Duration::ZERO;
    let mut analysis = Duration::ZERO;
    let mut shared = Duration::ZERO;
    let mut per_rule = vec![Duration::ZERO; rules::ALL.len()];
    let mut with_errors = 0usize;
    let config = Config::default();
    for ((_, source), triggered) in sources.iter().zip(&triggered) {
        let started = Instant::now();
        let tree = parser.parse(source, None).expect("no timeout is set");
        let took = started.elapsed();
        parse_all += took;
        if tree.root_node().has_error() {
            with_errors += 1;
        }
        if !triggered {
            continue;
        }
        parse_triggered += took;
        let started = Instant::now();
        black_box(analyze_configured(source, &tree, rules::ALL, &config));
        analysis += started.elapsed();
        // The breakdown: the shared index and facts, then each rule the text triggers.
        let started = Instant::now();
        let ctx = RuleContext::new(source, &tree, &config);
        black_box(ctx.facts());
        shared += started.elapsed();
        for rule in rules::triggered(source, rules::ALL) {
            let i = rules::ALL
                .iter()
                .position(|r| r.meta().code == rule.meta().code)
                .expect("a registered rule");
            let started = Instant::now();
            black_box(rule.check(&ctx));
            per_rule[i] += started.elapsed();
        }
    }

    let mb = |bytes: usize| bytes as f64 / 1e6;
    let rate = |bytes: usize, time: Duration| mb(bytes) / time.as_secs_f64();
    let triggered_bytes = total_bytes - skipped_bytes;
    println!("parse_corpus: {}", PathBuf::from(&folder).display());
    println!(
        "  corpus          {} files, {:.1} MB ({} parse with errors)",
        sources.len(),
        mb(total_bytes),
        with_errors
    );
    println!(
        "  trigger scan    {:?} ({:.0} MB/s); skips {} files, {:.1} MB ({:.1}% of bytes)",
        scan_time,
        rate(total_bytes, scan_time),
        skipped_files,
        mb(skipped_bytes),
        100.0 * skipped_bytes as f64 / total_bytes.max(1) as f64
    );
    println!(
        "  parse, all      {:?} ({:.1} MB/s, 1 thread)",
        parse_all,
        rate(total_bytes, parse_all)
    );
    println!(
        "  parse, trigger  {:?} ({:.1} MB/s) for the {:.1} MB check parses",
        parse_triggered,
        rate(triggered_bytes, parse_triggered),
        mb(triggered_bytes)
    );
    println!(
        "  analysis        {:?} ({:.1} MB/s) = {:.0}% of the parse time of the same files",
        analysis,
        rate(triggered_bytes, analysis),
        100.0 * analysis.as_secs_f64() / parse_triggered.as_secs_f64().max(1e-9)
    );
    println!(
        "    {:<30} {:>10.1} ms  {:>5.1}% of parse",
        "(shared index and facts)",
        shared.as_secs_f64() * 1e3,
        100.0 * shared.as_secs_f64() / parse_triggered.as_secs_f64().max(1e-9)
    );
    let mut ranked: Vec<(usize, Duration)> = per_rule.into_iter().enumerate().collect();
    ranked.sort_by_key(|entry| std::cmp::Reverse(entry.1));
    for (i, took) in ranked {
        println!(
            "    {:<30} {:>10.1} ms  {:>5.1}% of parse",
            rules::ALL[i].meta().code,
            took.as_secs_f64() * 1e3,
            100.0 * took.as_secs_f64() / parse_triggered.as_secs_f64().max(1e-9)
        );
    }
}
