//! Differential test: the ordering engine against Node 24 on generated programs.
//!
//! Every program the engine answers must print exactly what `node FILE` prints; on racy programs
//! it must abstain; overall it may abstain on at most 5% of the rest. Node runs each program twice,
//! so a program Node itself orders two ways shows up as a generator fault, not an engine error.
//! The full report, with every wrong case, is written to `target/differential-report.md`.
//!
//! Scale up locally with `TICKLENS_DIFF_COUNT=2000 TICKLENS_DIFF_SEED=7 cargo test --test differential`;
//! run some tiers only with `TICKLENS_DIFF_TIERS=12` (tier numbers, comma-separated).

#[path = "differential/mod.rs"]
mod differential;

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use differential::generator::{self, Flavor, Tier};
use differential::harness::{self, Case, Config, Verdict};
use differential::instrument::{self, Tag};
use differential::{node, report};

/// The share of answerable programs the engine may abstain on.
const MAX_ABSTAIN_RATE: f64 = 0.05;
/// The same for each tier of issue 17's new constructs (globals, `typeof`, `this`, ...).
const MAX_TIER_ABSTAIN_RATE: f64 = 0.10;

struct Run {
    cases: Vec<Case>,
    table: String,
    report_path: PathBuf,
}

/// Runs Node and the engine over the corpus once, for all the tests below.
fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let node = node::require_node_24();
        let config = Config::from_env();
        let dir = tempfile::Builder::new()
            .prefix("ticklens-differential-")
            .tempdir()
            .expect("a temp folder for the programs");
        let (cases, wall) = harness::run_all(&config, &node, dir.path());
        let target = node::repo_root().join("target");
        let report_path = target.join("differential-report.md");
        let markdown = report::markdown(&cases, &config, &node.display().to_string(), wall);
        std::fs::create_dir_all(&target).expect("target/ can be created");
        std::fs::write(&report_path, markdown).expect("the report can be written");
        write_failing_programs(&target.join("differential-cases"), &cases);
        let table = report::table(&report::tally(&cases));
        println!(
            "{table}\nreport: {}  ({:.1} s)",
            report_path.display(),
            wall.as_secs_f64()
        );
        Run {
            cases,
            table,
            report_path,
        }
    })
}

/// Wrong and faulty programs as files, to run `ticklens order` or `node` on by hand.
fn write_failing_programs(dir: &std::path::Path, cases: &[Case]) {
    let _ = std::fs::remove_dir_all(dir);
    for case in cases {
        let failing =
            matches!(case.verdict(), Verdict::Wrong(_)) || case.generator_fault().is_some();
        if failing {
            std::fs::create_dir_all(dir).expect("the cases folder can be created");
            let _ = std::fs::write(dir.join(case.program.file_name()), &case.program.source);
        }
    }
}

#[test]
fn generator_is_reproducible_from_its_seed() {
    for tier in Tier::ALL {
        for seed in [0, 1, 42, u64::MAX] {
            let a = generator::generate(tier, seed);
            let b = generator::generate(tier, seed);
            assert_eq!(a.source, b.source, "tier {tier:?} seed {seed}");
            assert_eq!(a.flavor, b.flavor);
        }
        assert_ne!(
            generator::generate(tier, 1).source,
            generator::generate(tier, 2).source
        );
    }
}

#[test]
fn generator_covers_every_construct_of_its_tier() {
    let corpus = |tier| -> Vec<generator::Program> {
        (1..=200)
            .map(|seed| generator::generate(tier, seed))
            .collect()
    };
    let must_cover = |tier: Tier, constructs: &[&str]| {
        let programs = corpus(tier);
        for construct in constructs {
            assert!(
                programs.iter().any(|p| p.source.contains(construct)),
                "no tier {} program uses `{construct}`",
                tier.number()
            );
        }
        programs
    };
    let one = must_cover(
        Tier::One,
        &[
            "async function",
            "= async () =>",
            "await Promise.resolve(",
            "instanceof Promise",
        ],
    );
    assert!(one.iter().any(|p| p.flavor == Flavor::EsModule));
    assert!(one.iter().any(|p| p.flavor == Flavor::CommonJs));
    for p in &one {
        for later in ["setTimeout", ".then(", "process.nextTick", "Promise.all"] {
            assert!(
                !p.source.contains(later),
                "tier 1 uses {later}:\n{}",
                p.source
            );
        }
    }
    let two = must_cover(
        Tier::Two,
        &[
            ".then(",
            ".catch(",
            "then(resolve)",
            "then(resolve, reject)",
            "return await ",
            "Promise.all(",
            "Promise.allSettled(",
            "Promise.race(",
            "Promise.any(",
            "Promise.reject(",
            "try {",
            "process.nextTick(",
            "queueMicrotask(",
        ],
    );
    assert!(two.iter().any(|p| p.unhandled_rejection));
    let three = must_cover(
        Tier::Three,
        &[
            "setTimeout(",
            "setImmediate(",
            "setInterval(",
            "clearInterval(",
            "for (let ",
            "for (const ",
            "while (",
            ".forEach(async",
            ".map(async",
            ".finally(",
            "} finally {",
            "sleep(",
        ],
    );
    assert!(three.iter().any(|p| p.racy.is_some()));
    must_cover(
        Tier::Control,
        &[
            "switch (",
            "default:",
            "for (const k in ",
            "for await (const x of [",
            "continue outer;",
            "break outer;",
            "break block;",
            "...rest } = await",
            "[p, q] = [q, p];",
            "catch ({ code })",
            "[first, ...more] = []",
            "?.run?.()",
            "} finally {",
        ],
    );
    must_cover(
        Tier::Generators,
        &[
            "function* ",
            "yield* ",
            "g.return(5)",
            "g.throw(",
            "[...",
            "break;",
        ],
    );
    let eight = must_cover(
        Tier::AsyncGenerators,
        &[
            "async function* ",
            "async *items(",
            "_it.next(",
            "_it.return(",
            "_it.throw(",
            "yield* ",
            "for await (const x of ",
            "break;",
            "return \"left\";",
            "throw new Error(",
            "} finally {",
            "process.nextTick(",
            "queueMicrotask(",
            "setTimeout(",
        ],
    );
    assert!(
        eight.iter().any(|p| p.flavor == Flavor::EsModule
            && p.source.lines().any(|l| l.starts_with("for await "))),
        "no ES module runs `for await` at top level"
    );
    must_cover(
        Tier::Classes,
        &[
            "extends Promise",
            "super(executor)",
            "super.then(",
            "super.speak()",
            "static async fetch",
            "get label()",
            "describe = () =>",
            "then(resolve) {",
            "new Later(",
            "Later.resolve(",
            "new Lazy(",
            "Promise.any(",
            "top got",
        ],
    );
    must_cover(
        Tier::Builtins,
        &[
            "Array.from(",
            ".sort()",
            ".sort((a, b) => { calls++",
            "new Map(",
            "m.forEach((v, k)",
            "for (const [k, v] of m)",
            "new Set(",
            "[...s]",
            "JSON.parse(",
            ".split(",
            ".replaceAll(",
            ".padStart(",
            ".toFixed(",
            "parseInt(",
            ".toString(16)",
            "Object.assign(",
            "Object.freeze(",
            "Object.fromEntries(",
            "{ ...o",
            "new Array(",
            ".fill(0)",
            ".flat()",
            ".splice(",
            "setTimeout(",
        ],
    );
    must_cover(
        Tier::NodeModules,
        &[
            "require(\"node:events\")",
            "require(\"events\")",
            "import { EventEmitter, once, on } from \"node:events\"",
            "import EventEmitter, { once, on } from \"events\"",
            "import * as events from",
            "import * as tp from",
            "require(\"timers/promises\")",
            "await import(\"",
            "extends EventEmitter",
            "bus.once(\"",
            "bus.off(\"",
            "bus.addListener(\"",
            "await once(bus, \"ready\")",
            "await pause(",
            "await sleep(",
            "other.emit(\"error\"",
            "bus.listenerCount(\"error\")",
            "await doubleP(",
            "await refuseP()",
            "import { promisify } from \"node:util\"",
            "= on(bus, \"t",
            "of every(60, ",
            "process.nextTick(() => bus.emit(\"t",
            "{ signal: c",
        ],
    );
    let io = must_cover(
        Tier::Io,
        &[
            "require(\"fs/promises\")",
            "require(\"node:fs\")",
            "= fs.promises",
            "import { promises as fsp } from",
            "import * as fsp from \"node:fs/promises\"",
            "await fsp.readFile(FILE)",
            "fs.stat(FILE, (err, v)",
            "await fsp.access(f)",
            "checked(FILE, (err, v)",
            "await lookup(\"localhost\")",
            "setImmediate(() => console.log(\"main.",
            "fsp.stat(FILE).then(",
        ],
    );
    assert!(io.iter().any(|p| p.racy.is_some()) && io.iter().any(|p| p.racy.is_none()));
    assert!(
        three
            .iter()
            .any(|p| p.flavor == Flavor::EsModule
                && p.source.lines().any(|l| l.starts_with("await "))),
        "no ES module awaits at top level"
    );
    let four = must_cover(
        Tier::Globals,
        &[
            "typeof globalThis",
            "typeof require",
            "? queueMicrotask :",
            "return typeof this;",
            "\"use strict\"; return typeof this",
            "let undefined =",
            "function (NaN, Infinity)",
            "queueMicrotask(function tick",
            "require(\"node:timers/promises\")",
            "require(\"util\").promisify(setTimeout)",
            "require(\"node:process\")",
            "require(\"timers\").setTimeout",
        ],
    );
    assert!(four.iter().any(|p| p.source.starts_with("\"use strict\";")));
    assert!(four.iter().any(|p| p.flavor == Flavor::EsModule));
    let typed = must_cover(
        Tier::TypeScript,
        &[
            "interface Labelled",
            "function tsLabel<T>(value: T): T",
            "async function",
            "): Promise<any> {",
            ": any = ",
            " as any)",
            "!.",
            "tsLabel<any>(",
            "class ",
            "async (",
        ],
    );
    assert!(typed.iter().any(|p| p.file_name().ends_with(".mts")));
    assert!(typed.iter().any(|p| p.file_name().ends_with(".cts")));
    // A typed method of a class: `async name(param: any): Promise<any> {`.
    assert!(typed
        .iter()
        .any(|p| p.source.contains("class ") && p.source.contains(": any): Promise<any> {")));
}

#[test]
fn generated_programs_run_cleanly_and_deterministically_under_node_24() {
    let run = run();
    let faults: Vec<String> = run
        .cases
        .iter()
        .filter_map(|c| {
            c.generator_fault()
                .map(|f| format!("{}: {f}", c.program.file_name()))
        })
        .collect();
    assert!(
        faults.is_empty(),
        "{} generated programs are faulty under Node 24 (details in {}):\n{}",
        faults.len(),
        run.report_path.display(),
        faults.join("\n")
    );
    // The programs say enough for an ordering to be wrong in.
    for tier in Tier::ALL {
        let mut lines: Vec<usize> = run
            .cases
            .iter()
            .filter(|c| c.program.tier == tier)
            .map(|c| c.first_output().lines().count())
            .collect();
        lines.sort_unstable();
        if lines.is_empty() {
            continue; // a tier left out by TICKLENS_DIFF_TIERS
        }
        let median = lines[lines.len() / 2];
        assert!(
            median >= 4,
            "tier {} programs print a median of {median} lines",
            tier.number()
        );
    }
    // Node's runs stay short enough for the whole test to fit its budget.
    let slow: Vec<_> = run
        .cases
        .iter()
        .filter(|c| c.runs[0].elapsed > Duration::from_secs(3))
        .map(|c| c.program.file_name())
        .collect();
    assert!(slow.is_empty(), "programs running over 3 s: {slow:?}");
}

#[test]
fn engine_matches_node_24_on_generated_programs() {
    let run = run();
    let tallies = report::tally(&run.cases);
    let total = &tallies[&None];
    let wrong: Vec<String> = run
        .cases
        .iter()
        .filter_map(|c| match c.verdict() {
            Verdict::Wrong(why) => Some(format!("{}: {why}", c.program.file_name())),
            _ => None,
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "the engine answered {} programs wrongly (programs, Node and engine output in {}):\n{}\n\n{}",
        wrong.len(),
        run.report_path.display(),
        wrong.iter().take(20).cloned().collect::<Vec<_>>().join("\n"),
        run.table
    );
    // Every answered program was one Node orders the same way twice, so the comparison meant
    // something.
    let unstable: Vec<_> = run
        .cases
        .iter()
        .filter(|c| {
            matches!(c.engine, harness::EngineAnswer::Lines(_)) && !c.node_agrees_with_itself()
        })
        .map(|c| c.program.file_name())
        .collect();
    assert!(
        unstable.is_empty(),
        "answered programs Node ordered two ways: {unstable:?}"
    );
    for tier in [
        Tier::Globals,
        Tier::Classes,
        Tier::Control,
        Tier::Generators,
        Tier::AsyncGenerators,
        Tier::Builtins,
        Tier::NodeModules,
        Tier::Io,
    ] {
        let Some(tally) = tallies.get(&Some(tier)) else {
            continue; // left out by TICKLENS_DIFF_TIERS
        };
        assert!(
            tally.answerable() > 0 && tally.abstain_rate() <= MAX_TIER_ABSTAIN_RATE,
            "tier {} abstained on {} of {} answerable programs (at most {:.0}% allowed); \
             reasons in {}:\n{}",
            tier.number(),
            tally.abstained,
            tally.answerable(),
            100.0 * MAX_TIER_ABSTAIN_RATE,
            run.report_path.display(),
            run.table
        );
    }
    // TypeScript run by type stripping: the erased programs must fare as well as the others.
    let typescript = match tallies.get(&Some(Tier::TypeScript)) {
        Some(tally) => tally,
        None => &tallies[&None],
    };
    let programs = |tier| run.cases.iter().filter(|c| c.program.tier == tier).count();
    let config = Config::from_env();
    assert_eq!(
        programs(Tier::TypeScript),
        config.count(Tier::TypeScript) * usize::from(config.runs(Tier::TypeScript))
    );
    assert!(
        typescript.abstain_rate() <= MAX_ABSTAIN_RATE,
        "the TypeScript tier abstained on {} of {} answerable programs (at most {:.0}% allowed); \
         reasons in {}:\n{}",
        typescript.abstained,
        typescript.answerable(),
        100.0 * MAX_ABSTAIN_RATE,
        run.report_path.display(),
        run.table
    );
    assert!(
        total.abstain_rate() <= MAX_ABSTAIN_RATE,
        "the engine abstained on {} of {} answerable programs ({:.1}%, at most {:.0}% allowed); \
         reasons in {}:\n{}",
        total.abstained,
        total.answerable(),
        100.0 * total.abstain_rate(),
        100.0 * MAX_ABSTAIN_RATE,
        run.report_path.display(),
        run.table
    );
}

/// Programs racing I/O: where the engine abstains, the lines `explain_order` calls determined
/// are the first lines of every Node run, three more runs included.
#[test]
fn io_races_determine_only_what_every_node_run_prints_first() {
    let run = run();
    let node = node::require_node_24();
    let dir = tempfile::Builder::new()
        .prefix("ticklens-io-races-")
        .tempdir()
        .expect("a temp folder for the programs");
    let (mut racy, mut with_part, mut lines) = (0, 0, 0);
    for case in run.cases.iter().filter(|c| c.program.tier == Tier::Io) {
        let source = &case.program.source;
        let tree = ticklens::syntax::parse(source, None);
        let module = harness::module_kind(case.program.flavor);
        let explained = ticklens::engine::explain_order(source, &tree, module);
        if case.program.racy.is_some() {
            racy += 1;
            assert!(
                !explained.waiting.is_empty(),
                "{}: no race found",
                case.program.file_name()
            );
        }
        if explained.waiting.is_empty() {
            continue;
        }
        with_part += usize::from(!explained.determined.is_empty());
        lines += explained.determined.len();
        let determined: String = explained
            .determined
            .iter()
            .map(|l| format!("{}\n", l.text))
            .collect();
        let path = dir.path().join(case.program.file_name());
        std::fs::write(&path, source).expect("the program can be written");
        let more = (0..3).map(|_| node::run_node(&node, &path, Duration::from_secs(10)));
        for stdout in case.runs.iter().cloned().chain(more).map(|r| r.stdout) {
            assert!(
                stdout.starts_with(&determined),
                "{}: the determined part\n{determined}is not how Node began:\n{stdout}",
                case.program.file_name()
            );
        }
    }
    println!("I/O races: {racy} racy programs, {with_part} with a determined part ({lines} lines)");
    if Config::from_env().runs(Tier::Io) == 1 {
        assert!(racy > 0 && with_part > 0);
    }
}

/// Programs the engine does not answer whole: the lines their timeline draws (what ran before
/// the operation it stopped at, or before a module it cannot see) are the first lines Node
/// printed in each run.
#[test]
fn stopped_timelines_draw_only_what_node_prints_first() {
    let run = run();
    let (mut stopped, mut drawn_lines) = (0, 0);
    for case in &run.cases {
        let timeline = harness::engine_timeline(&case.program);
        if timeline.stopped.is_none() {
            continue;
        }
        stopped += 1;
        let drawn: String = timeline
            .steps
            .iter()
            .flat_map(|step| &step.printed)
            .map(|line| format!("{}\n", line.text))
            .collect();
        drawn_lines += drawn.lines().count();
        for node_run in &case.runs {
            assert!(
                node_run.stdout.starts_with(&drawn),
                "{}: the timeline draws\n{drawn}which is not how Node began:\n{}",
                case.program.file_name(),
                node_run.stdout
            );
        }
    }
    println!("stopped timelines: {stopped} programs, {drawn_lines} lines drawn");
}

/// Exactly answered programs, one in `TICKLENS_DIFF_TICK_EVERY` (4) of each tier, run once more
/// under Node 24 with the instrument of `differential/instrument.rs`: each line the timeline
/// draws is printed in the lane it is drawn in and at the microtask tick it is drawn at (the
/// job generation in its phase; 0 for a step that starts one).
#[test]
fn timelines_draw_node_24s_lanes_and_ticks() {
    let run = run();
    let config = Config::from_env();
    let mut sampled = Vec::new();
    for tier in Tier::ALL {
        let exact = run
            .cases
            .iter()
            .filter(|c| c.program.tier == tier && c.verdict() == Verdict::Exact);
        sampled.extend(exact.step_by(config.tick_every));
    }
    let node = node::require_node_24();
    let dir = tempfile::Builder::new()
        .prefix("ticklens-ticks-")
        .tempdir()
        .expect("a temp folder for the programs");
    let programs: Vec<_> = sampled.iter().map(|c| &c.program).collect();
    let mut runs = harness::run_instrumented(&config, &node, dir.path(), &programs);
    // A timer that ran late under load prints another order: such a program runs again alone,
    // as the plain runs' load-sensitive ones do (`harness::RERUNS`).
    let quiet = Config {
        threads: 1,
        ..config.clone()
    };
    for (i, case) in sampled.iter().enumerate() {
        for _ in 0..harness::RERUNS {
            if Some(runs[i].stdout.as_str()) == case.expected() {
                break;
            }
            runs[i] =
                harness::run_instrumented(&quiet, &node, dir.path(), &[&case.program]).remove(0);
        }
    }
    let (mut lines, mut in_jobs) = (0, 0);
    let mut wrong = Vec::new();
    for (case, node_run) in sampled.iter().zip(&runs) {
        let name = case.program.file_name();
        if Some(node_run.stdout.as_str()) != case.expected() {
            wrong.push(format!(
                "{name}: the instrumented run printed\n{}instead of\n{}",
                node_run.stdout,
                case.first_output()
            ));
            continue;
        }
        let timeline = harness::engine_timeline(&case.program);
        let drawn: Vec<Tag> = timeline
            .steps
            .iter()
            .flat_map(|step| {
                step.printed.iter().map(|_| Tag {
                    lane: step.lane.name().to_owned(),
                    generation: Some(step.tick.unwrap_or(0)),
                })
            })
            .collect();
        let measured = instrument::tags(&node_run.stderr);
        if drawn != measured {
            let at = drawn.iter().zip(&measured).position(|(d, m)| d != m);
            wrong.push(format!(
                "{name}: line {at:?} drawn as {:?}, Node 24 ran it as {:?}",
                at.and_then(|i| drawn.get(i)),
                at.and_then(|i| measured.get(i))
            ));
            continue;
        }
        lines += drawn.len();
        in_jobs += drawn.iter().filter(|t| t.generation != Some(0)).count();
    }
    println!(
        "lanes and ticks: {} programs, {lines} lines ({in_jobs} in microtasks) as Node 24 ran them",
        sampled.len()
    );
    assert!(
        wrong.is_empty(),
        "{} of {} programs:\n{}",
        wrong.len(),
        sampled.len(),
        wrong.join("\n")
    );
    assert!(sampled.len() * config.tick_every >= run.cases.len() / 2);
}
