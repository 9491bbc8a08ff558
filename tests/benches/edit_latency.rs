//! How long one keystroke costs on a large file: a single-character edit
//! through `Document::apply_change` (text edit, incremental reparse, line
//! index), then `analysis::analyze` over the new tree. A fresh parse of the
//! same text is measured for comparison.
//!
//! Run: `cargo bench -p ticklens --bench edit_latency`
//!
//! The file is generated (10,000 lines of async functions with awaits,
//! try/catch, then-chains and some async Promise executors); the 200 edit
//! positions and characters come from a fixed seed, so runs are comparable.
//! Each edit is undone (untimed) before the next, so every sample edits the
//! same realistic file.

use std::hint::black_box;
use std::time::{Duration, Instant};

use ticklens::analysis::insights;
use ticklens::config::Config;
use ticklens::document::{Document, TextChange};
use ticklens::driver::{analyze, analyze_incremental, analyze_with, AnalysisCache};
use ticklens::line_index::{Encoding, LineCol};
use ticklens::rules;
use ticklens::syntax;

#[path = "support/large_file.rs"]
mod large_file;

use large_file::{generate_file, LINES};

const SAMPLES: usize = 200;
const WARM_UP: usize = 10;
const SEED: u64 = 0x71c1_e25e;

/// SplitMix64: a small, seedable generator, enough for picking positions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The character typed: mostly letters, some spaces and punctuation that
/// opens or closes syntax.
fn typed_char(rng: &mut Rng) -> char {
    const PUNCTUATION: &[char] = &['(', ')', ';', '.', '{', '"', ','];
    match rng.below(100) {
        0..=69 => (b'a' + rng.below(26) as u8) as char,
        70..=84 => ' ',
        _ => PUNCTUATION[rng.below(PUNCTUATION.len())],
    }
}

fn insert_at(pos: LineCol, ch: char) -> TextChange {
    TextChange {
        range: Some((pos, pos)),
        text: ch.to_string(),
    }
}

fn delete_after(pos: LineCol, ch: char) -> TextChange {
    let end = LineCol {
        line: pos.line,
        col: pos.col + ch.len_utf16() as u32,
    };
    TextChange {
        range: Some((pos, end)),
        text: String::new(),
    }
}

#[derive(Default)]
struct Samples {
    edit_and_analysis: Vec<Duration>,
    edit_only: Vec<Duration>,
    analysis_only: Vec<Duration>,
    full_analysis: Vec<Duration>,
    fresh_parse: Vec<Duration>,
    examined: Vec<usize>,
    /// With `TICKLENS_BENCH_VERBOSE` set: each edit's total time and what it was.
    described: Vec<(Duration, String)>,
}

/// (median, p99) by the nearest-rank method.
fn median_and_p99(samples: &mut [Duration]) -> (Duration, Duration) {
    samples.sort();
    let rank = |p: f64| ((p * samples.len() as f64).ceil() as usize).max(1) - 1;
    (samples[rank(0.5)], samples[rank(0.99)])
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// The median time of `runs` runs of `work`.
fn median_of(runs: usize, mut work: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .collect();
    median_and_p99(&mut times).0
}

/// Where the analysis time goes on the unedited file: the setup every run
/// pays (no rules), then each rule alone on top of it, slowest first.
fn analysis_breakdown(doc: &Document) {
    const RUNS: usize = 5;
    let setup = median_of(RUNS, || {
        black_box(analyze_with(doc.text(), doc.tree(), &[]));
    });
    let mut per_rule: Vec<(&str, Duration)> = rules::ALL
        .iter()
        .map(|rule| {
            let alone = median_of(RUNS, || {
                black_box(analyze_with(doc.text(), doc.tree(), &[*rule]));
            });
            (rule.meta().code, alone.saturating_sub(setup))
        })
        .collect();
    per_rule.sort_by_key(|&(_, time)| std::cmp::Reverse(time));
    println!("analysis breakdown (median of {RUNS}, unedited file):");
    println!("  {:<46} {:>10}", "shared setup (no rules)", ms(setup));
    for (code, time) in per_rule.iter().take(5) {
        println!("  {:<46} {:>10}", format!("+ {code}"), ms(*time));
    }
    let rest: Duration = per_rule.iter().skip(5).map(|(_, t)| *t).sum();
    println!(
        "  {:<46} {:>10}",
        format!(
            "+ the other {} rules together",
            per_rule.len().saturating_sub(5)
        ),
        ms(rest)
    );
}

/// The allocators of the `ticklens` binary (see `syntax::allocate_with_mimalloc`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // SAFETY: nothing has allocated through tree-sitter yet.
    unsafe { ticklens::syntax::allocate_with_mimalloc() };
    // As the language server runs: with transparent huge pages on, the first
    // touch of each 2 MB of mimalloc's arena zeroes all of it, which put the
    // first hover's p99 at 94-103 ms instead of 47-52 ms (docs/performance.md).
    ticklens::lsp::disable_huge_pages();
    let text = generate_file();
    let mut doc = Document::new(text.clone(), 1);
    assert_eq!(
        doc.line_index().line_count(),
        LINES + 1,
        "10,000 lines and a final newline"
    );
    let config = Config::default();
    let mut cache = AnalysisCache::default();
    let findings = analyze_incremental(doc.text(), doc.tree(), rules::ALL, &config, &mut cache)
        .findings
        .len();
    let units = cache.last_examined;
    let bodies = function_bodies(&doc);
    for (title, inside_bodies) in [
        ("anywhere in the file", false),
        ("inside a function body", true),
    ] {
        let samples = edit_samples(&mut doc, &mut cache, &config, &bodies, inside_bodies);
        assert_eq!(doc.text(), text, "every edit was undone");
        report(title, units, findings, text.len(), samples);
    }
    insights_latency(&doc);
    hover_after_edit(&mut doc, &bodies);
    analysis_breakdown(&doc);
}

/// The byte ranges strictly inside the braces of each top-level function's body.
fn function_bodies(doc: &Document) -> Vec<std::ops::Range<usize>> {
    let root = doc.tree().root_node();
    let mut cursor = root.walk();
    root.named_children(&mut cursor)
        .filter_map(|node| {
            let node = match node.kind() {
                "export_statement" => node.child_by_field_name("declaration")?,
                _ => node,
            };
            let body = node.child_by_field_name("body")?;
            (node.kind() == "function_declaration" && body.end_byte() > body.start_byte() + 2)
                .then(|| body.start_byte() + 1..body.end_byte() - 1)
        })
        .collect()
}

/// Times `SAMPLES` single-character edits (after `WARM_UP` untimed ones) at
/// seeded positions: anywhere, or inside a function body. The comparisons
/// (a whole analysis without a cache, a fresh parse) are timed afterwards on
/// the same edits, so that they do not evict the edit path's caches.
fn edit_samples(
    doc: &mut Document,
    cache: &mut AnalysisCache,
    config: &Config,
    bodies: &[std::ops::Range<usize>],
    inside_bodies: bool,
) -> Samples {
    let mut rng = Rng(SEED);
    let mut samples = Samples::default();
    let verbose = std::env::var_os("TICKLENS_BENCH_VERBOSE").is_some();
    let mut edits = Vec::new();
    for i in 0..WARM_UP + SAMPLES {
        let mut offset = if inside_bodies {
            let body = &bodies[rng.below(bodies.len())];
            body.start + rng.below(body.len())
        } else {
            rng.below(doc.text().len())
        };
        while !doc.text().is_char_boundary(offset) {
            offset -= 1;
        }
        let pos = doc.position(offset, Encoding::Utf16);
        let ch = typed_char(&mut rng);

        // What the server does on a keystroke: apply the change, then analyse
        // with the document's cache (only the units the edit touched).
        let started = Instant::now();
        doc.apply_change(&insert_at(pos, ch), Encoding::Utf16)
            .expect("the position came from the document");
        let edited = started.elapsed();
        let analysis = black_box(analyze_incremental(
            doc.text(),
            doc.tree(),
            rules::ALL,
            config,
            cache,
        ));
        let total = started.elapsed();
        let examined = cache.last_examined;
        drop(analysis);
        let described = verbose.then(|| {
            let line = doc.text()[..offset].matches('\n').count();
            let text = doc.text().lines().nth(line).unwrap_or_default();
            format!(
                "{ch:?} on line {}, {examined} units examined: {}",
                line + 1,
                text.trim()
            )
        });

        // Undo, untimed, so the next sample edits the original file.
        doc.apply_change(&delete_after(pos, ch), Encoding::Utf16)
            .expect("undo");
        analyze_incremental(doc.text(), doc.tree(), rules::ALL, config, cache);
        if i >= WARM_UP {
            samples.edit_and_analysis.push(total);
            samples.edit_only.push(edited);
            samples.analysis_only.push(total - edited);
            samples.examined.push(examined);
            samples.described.extend(described.map(|d| (total, d)));
            edits.push((pos, ch));
        }
    }
    // For comparison, on the same edited texts: the whole analysis without a
    // cache, and a fresh parse.
    for (pos, ch) in edits {
        doc.apply_change(&insert_at(pos, ch), Encoding::Utf16)
            .expect("the same edit again");
        let started = Instant::now();
        black_box(analyze(doc.text(), doc.tree()));
        samples.full_analysis.push(started.elapsed());
        let started = Instant::now();
        black_box(syntax::parse(doc.text(), None));
        samples.fresh_parse.push(started.elapsed());
        doc.apply_change(&delete_after(pos, ch), Encoding::Utf16)
            .expect("undo");
    }
    analyze_incremental(doc.text(), doc.tree(), rules::ALL, config, cache);
    samples
}

fn report(title: &str, units: usize, findings: usize, bytes: usize, mut samples: Samples) {
    println!(
        "edit latency, {title}: {LINES}-line file ({} KiB, {units} top-level units, \
         {findings} findings), {SAMPLES} single-character edits at seeded random positions",
        bytes / 1024
    );
    println!("{:<52} {:>10} {:>10}", "", "median", "p99");
    let rows: [(&str, &mut Vec<Duration>); 5] = [
        (
            "edit + incremental reparse + incremental analysis",
            &mut samples.edit_and_analysis,
        ),
        (
            "  of which apply_change (edit + reparse)",
            &mut samples.edit_only,
        ),
        (
            "  of which analysis (changed units)",
            &mut samples.analysis_only,
        ),
        (
            "whole analysis, no cache (comparison)",
            &mut samples.full_analysis,
        ),
        ("fresh parse (comparison)", &mut samples.fresh_parse),
    ];
    for (label, durations) in rows {
        let (median, p99) = median_and_p99(durations);
        println!("{label:<52} {:>10} {:>10}", ms(median), ms(p99));
    }
    samples.examined.sort_unstable();
    let all_units = samples.examined.iter().filter(|&&n| n > 1).count();
    println!(
        "units examined per edit: median {}, max {}; {all_units} of {} edits examined more than one unit",
        samples.examined[samples.examined.len() / 2],
        samples.examined.last().copied().unwrap_or(0),
        samples.examined.len()
    );
    samples
        .described
        .sort_by_key(|(total, _)| std::cmp::Reverse(*total));
    for (total, described) in samples.described.iter().take(5) {
        println!("  slowest: {} for {described}", ms(*total));
    }
}

/// Hover, inlay hints and code lens answer from the insights the server keeps
/// per document version: the cost of computing them once, then of each answer.
fn insights_latency(doc: &Document) {
    let module = ticklens::engine::detect_module_kind(
        std::path::Path::new("big.js"),
        doc.text(),
        doc.tree(),
    );
    let started = Instant::now();
    let insights = black_box(insights::insights(doc.text(), doc.tree(), module));
    let computed = started.elapsed();
    let functions = insights.functions.len();
    let awaits: Vec<usize> = insights
        .functions
        .iter()
        .flat_map(|f| f.awaits.iter().map(|a| a.range.start))
        .collect();

    let mut hovers: Vec<Duration> = awaits
        .iter()
        .map(|&offset| {
            let started = Instant::now();
            let (range, text) = insights
                .hover(doc.text(), offset)
                .expect("every await has a hover");
            black_box((
                doc.position(range.start, Encoding::Utf16),
                doc.position(range.end, Encoding::Utf16),
                text,
            ));
            started.elapsed()
        })
        .collect();
    let mut inlays: Vec<Duration> = (0..50)
        .map(|_| {
            let started = Instant::now();
            let mut hints = Vec::new();
            for function in &insights.functions {
                for at in &function.awaits {
                    if let Some(label) = insights::short_tick(&at.resume) {
                        let tooltip = insights::describe_resume(&at.resume, &function.call_label());
                        hints.push((doc.position(at.range.end, Encoding::Utf16), label, tooltip));
                    }
                }
            }
            for dropped in &insights.dropped {
                hints.push((
                    doc.position(dropped.range.end, Encoding::Utf16),
                    "dropped promise".to_owned(),
                    insights::dropped_hover(dropped),
                ));
            }
            black_box(hints);
            started.elapsed()
        })
        .collect();
    let (hover_median, hover_p99) = median_and_p99(&mut hovers);
    let (inlay_median, inlay_p99) = median_and_p99(&mut inlays);
    println!(
        "insights: {functions} async functions, {} awaits; computed once per version in {}",
        awaits.len(),
        ms(computed)
    );
    let tree = doc.tree();
    let engine_time = median_of(3, || {
        black_box(ticklens::engine::facts_and_order(doc.text(), tree, module));
    });
    let async_facts_time = median_of(3, || {
        black_box(ticklens::analysis::source_facts::AsyncFacts::collect(
            doc.text(),
            tree,
        ));
    });
    let facts = ticklens::analysis::source_facts::AsyncFacts::collect(doc.text(), tree);
    let dropped_time = median_of(3, || {
        black_box(facts.dropped_promises(doc.text(), tree));
    });
    let function_nodes: Vec<_> = insights
        .functions
        .iter()
        .filter_map(|f| {
            let node = tree
                .root_node()
                .descendant_for_byte_range(f.range.start, f.range.end)?;
            let mut node = node;
            while node.byte_range() != f.range {
                node = node.parent()?;
            }
            Some(node)
        })
        .collect();
    let retention_time = median_of(3, || {
        for &node in &function_nodes {
            black_box(ticklens::analysis::retention::retained_at_awaits(
                doc.text(),
                tree,
                node,
            ));
        }
    });
    println!(
        "  of which the engine (one run of the program, then a call of each uncalled async \
         function) {}, async facts {}, dropped promises {}, retention of every async \
         function {}",
        ms(engine_time),
        ms(async_facts_time),
        ms(dropped_time),
        ms(retention_time)
    );
    let imports = ticklens::analysis::modules::ImportedNames::default();
    let mut cache = insights::InsightsCache::default();
    insights::insights_cached(
        (doc.text(), doc.written()),
        tree,
        module,
        &imports,
        &mut cache,
    );
    let all_cached = median_of(3, || {
        black_box(insights::insights_cached(
            (doc.text(), doc.written()),
            tree,
            module,
            &imports,
            &mut cache,
        ));
    });
    println!(
        "  again with every function's retention and rejections from the cache: {}",
        ms(all_cached)
    );
    println!(
        "  hover on each await (from the insights)          {:>10} {:>10}",
        ms(hover_median),
        ms(hover_p99)
    );
    println!(
        "  inlay hints for the whole file (50 runs)         {:>10} {:>10}",
        ms(inlay_median),
        ms(inlay_p99)
    );
}

/// Edits timed for the first hover after them (each recomputes the insights).
const HOVER_SAMPLES: usize = 40;

/// The first hover after a one-character edit inside a function body, as the
/// server answers it: the edited version has no insights yet, so the hover
/// asks what answers it ahead of them (`insights::ahead_at`, with the cache
/// the server keeps from the previous version: the insights of the edited
/// async function, or nothing where the syntax alone shows the insights have
/// no hover there), and `ide::hover_ahead` answers from that; where it does
/// not answer, the hover waits for the whole insights, computed next with
/// that cache, and the time includes them. The whole insights follow,
/// untimed, as the server computes them in the background. Where the user
/// hovers is read from the previous version: the edited async function's
/// first `await` (its head when it has none), or the edited place itself in
/// a function that is not async. For comparison, each edit is also timed as
/// the server answered before, the whole insights first: from nothing
/// (`insights::insights`) and with a second cache that follows the versions
/// as the server's did (`insights::insights_cached`). The undo's version is
/// computed with both caches, untimed, as the next hover would.
fn hover_after_edit(doc: &mut Document, bodies: &[std::ops::Range<usize>]) {
    let module = ticklens::engine::detect_module_kind(
        std::path::Path::new("big.js"),
        doc.text(),
        doc.tree(),
    );
    let imports = ticklens::analysis::modules::ImportedNames::default();
    let mut cache = insights::InsightsCache::default();
    insights::insights_cached(
        (doc.text(), doc.written()),
        doc.tree(),
        module,
        &imports,
        &mut cache,
    );
    let mut first_cache = insights::InsightsCache::default();
    let mut previous = insights::insights_cached(
        (doc.text(), doc.written()),
        doc.tree(),
        module,
        &imports,
        &mut first_cache,
    );
    let hover = |doc: &Document, insights: &insights::Insights, at: usize| {
        black_box(ticklens::ide::hover(
            doc.text(),
            doc.tree(),
            Some(insights),
            at,
        ))
    };
    let mut rng = Rng(SEED ^ 0x4f7e);
    let mut samples: Vec<HoverSample> = Vec::new();
    let mut computed = Vec::new();
    let mut entries_reused = Vec::new();
    for i in 0..WARM_UP / 2 + HOVER_SAMPLES {
        let body = &bodies[rng.below(bodies.len())];
        let offset = body.start + rng.below(body.len());
        let pos = doc.position(offset, Encoding::Utf16);
        let ch = typed_char(&mut rng);
        // Where the user hovers, as the previous version shows it.
        let function_place = previous
            .function_at(offset)
            .map(|f| f.awaits.first().map_or(f.head.start, |a| a.range.start));
        doc.apply_change(&insert_at(pos, ch), Encoding::Utf16)
            .expect("the position came from the document");
        let at = match function_place {
            Some(place) if place >= offset => place + ch.len_utf8(),
            Some(place) => place,
            None => offset,
        };
        let case = if doc.tree().root_node().has_error() {
            HoverCase::SyntaxError
        } else if function_place.is_none() {
            HoverCase::NotAsync
        } else {
            HoverCase::AsyncFunction
        };
        let started = Instant::now();
        let fresh = insights::insights(doc.text(), doc.tree(), module);
        let expected = hover(doc, &fresh, at);
        let fresh_time = started.elapsed();
        let started = Instant::now();
        let cached = insights::insights_cached(
            (doc.text(), doc.written()),
            doc.tree(),
            module,
            &imports,
            &mut cache,
        );
        hover(doc, &cached, at);
        let cached_time = started.elapsed();
        let functions_computed = cache.last_computed;
        let entries = (cache.entries.last_reused, cache.entries.last_run);
        // The server's path: what answers ahead of the whole insights first.
        let started = Instant::now();
        let ahead = insights::ahead_at(
            (doc.text(), doc.written()),
            doc.tree(),
            module,
            &imports,
            &mut first_cache,
            at,
        );
        let answered = black_box(ticklens::ide::hover_ahead(
            doc.text(),
            doc.tree(),
            ahead.as_ref(),
            at,
        ));
        let ahead_time = started.elapsed();
        let whole = insights::insights_cached(
            (doc.text(), doc.written()),
            doc.tree(),
            module,
            &imports,
            &mut first_cache,
        );
        let answered_by = match (&answered, &ahead) {
            (None, _) | (_, None) => "waited",
            (Some(_), Some(insights::Ahead::Function(_))) => "function",
            (Some(_), Some(insights::Ahead::Syntax)) => "syntax",
        };
        let (first_time, answer) = match answered {
            Some(answer) => (ahead_time, answer),
            None => {
                let answer = hover(doc, &whole, at);
                (started.elapsed(), answer)
            }
        };
        assert_eq!(
            answer, expected,
            "the hover ahead is the whole insights' one"
        );
        if i >= WARM_UP / 2 {
            let line_start = doc.text()[..offset].rfind('\n').map_or(0, |n| n + 1);
            let line_end = doc.text()[offset..]
                .find('\n')
                .map_or(doc.text().len(), |n| offset + n);
            samples.push(HoverSample {
                case,
                answered_by,
                fresh: fresh_time,
                cached: cached_time,
                first: first_time,
                what: format!(
                    "{:?} on line {}: {}",
                    ch,
                    pos.line + 1,
                    doc.text()[line_start..line_end].trim()
                ),
            });
            computed.push(functions_computed);
            entries_reused.push(entries);
        }
        doc.apply_change(&delete_after(pos, ch), Encoding::Utf16)
            .expect("undo");
        insights::insights_cached(
            (doc.text(), doc.written()),
            doc.tree(),
            module,
            &imports,
            &mut cache,
        );
        previous = insights::insights_cached(
            (doc.text(), doc.written()),
            doc.tree(),
            module,
            &imports,
            &mut first_cache,
        );
    }
    let count = |answered_by: &str| {
        samples
            .iter()
            .filter(|s| s.answered_by == answered_by)
            .count()
    };
    println!(
        "first hover after an edit inside a function: answered ahead of the whole insights \
         by the function's insights {}, by the syntax alone {}; {} waited for the whole insights",
        count("function"),
        count("syntax"),
        count("waited")
    );
    let cases = [
        (None, "all edits"),
        (
            Some(HoverCase::AsyncFunction),
            "inside an async function, valid",
        ),
        (Some(HoverCase::SyntaxError), "leaving a syntax error"),
        (
            Some(HoverCase::NotAsync),
            "inside a function that is not async",
        ),
    ];
    for (case, title) in cases {
        let of_case: Vec<&HoverSample> = samples
            .iter()
            .filter(|s| case.is_none_or(|c| s.case == c))
            .collect();
        if of_case.is_empty() {
            continue;
        }
        println!(
            "first hover after an edit inside a function, {title} ({} of {HOVER_SAMPLES} edits):",
            of_case.len()
        );
        for (what, time) in [
            (
                "the server's path (ahead, else the whole insights)",
                (|s: &HoverSample| s.first) as fn(&HoverSample) -> Duration,
            ),
            (
                "the whole insights with the previous version's cache",
                |s: &HoverSample| s.cached,
            ),
            (
                "the whole insights computed from nothing",
                |s: &HoverSample| s.fresh,
            ),
        ] {
            let mut times: Vec<Duration> = of_case.iter().map(|s| time(s)).collect();
            times.sort();
            let rank = |p: f64| times[((p * times.len() as f64).ceil() as usize).max(1) - 1];
            println!(
                "  {what}: median {}, p95 {}, p99 {} (target p99 < 50 ms)",
                ms(rank(0.5)),
                ms(rank(0.95)),
                ms(rank(0.99))
            );
        }
    }
    if std::env::var_os("TICKLENS_BENCH_VERBOSE").is_some() {
        samples.sort_by_key(|s| std::cmp::Reverse(s.first));
        println!("  the server's path / whole with the cache / from nothing:");
        for s in &samples {
            println!(
                "  {} / {} / {} ({:?}, answered by {}) for {}",
                ms(s.first),
                ms(s.cached),
                ms(s.fresh),
                s.case,
                s.answered_by,
                s.what
            );
        }
    }
    computed.sort_unstable();
    println!(
        "  functions whose retention and rejections were computed, per edit: median {}, max {}",
        computed[computed.len() / 2],
        computed[computed.len() - 1]
    );
    // Edits that leave a syntax error run no entries (and keep the cache).
    let mut ran: Vec<(usize, usize)> = entries_reused
        .into_iter()
        .filter(|&(reused, run)| reused + run > 0)
        .collect();
    ran.sort_unstable_by_key(|&(reused, _)| reused);
    if let (Some(least), Some(middle)) = (ran.first(), ran.get(ran.len() / 2)) {
        println!(
            "  symbolic entries reused / run again, of the {} edits that ran the engine: \
             median {} / {}, least reused {} / {}",
            ran.len(),
            middle.0,
            middle.1,
            least.0,
            least.1
        );
    }
}

/// What an edit before a hover did to the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HoverCase {
    /// The file stays valid and the hover is in the edited async function.
    AsyncFunction,
    /// The edit leaves a syntax error: the engine does not run.
    SyntaxError,
    /// The edited function is not async (nor inside one): the hover is at the edit.
    NotAsync,
}

/// One timed first hover after an edit.
struct HoverSample {
    case: HoverCase,
    /// What answered on the server's path: "function", "syntax" or "waited".
    answered_by: &'static str,
    fresh: Duration,
    cached: Duration,
    first: Duration,
    what: String,
}
