//! Runs generated programs under Node 24 and through the engine, and judges each pair.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use ticklens::engine::{self, ModuleKind, OrderOutcome};
use ticklens::syntax::{Dialect, SourceLanguage};

use super::generator::{self, Flavor, Program, Tier};
use super::instrument;
use super::node::{self, NodeRun};

/// How many programs, from which seeds, on how many threads.
#[derive(Clone, Debug)]
pub struct Config {
    pub per_tier: usize,
    pub base_seed: u64,
    pub threads: usize,
    pub node_limit: Duration,
    pub engine_limit: Duration,
    /// The tiers to run (`TICKLENS_DIFF_TIERS`, tier numbers); all when empty.
    pub tiers: Vec<u8>,
    /// One in how many exactly answered programs runs once more, instrumented, to check the
    /// timeline's lanes and ticks (`TICKLENS_DIFF_TICK_EVERY`; 1 checks all).
    pub tick_every: usize,
}

impl Config {
    /// 200 programs per tier from seed 1; `TICKLENS_DIFF_COUNT` (per tier) and `TICKLENS_DIFF_SEED`
    /// change that for a longer local run.
    pub fn from_env() -> Config {
        let number = |name: &str, default: u64| -> u64 {
            match std::env::var(name) {
                Ok(text) => text
                    .trim()
                    .parse()
                    .unwrap_or_else(|_| panic!("{name}={text:?} is not a whole number")),
                Err(_) => default,
            }
        };
        let cores = thread::available_parallelism().map_or(2, |n| n.get());
        Config {
            per_tier: number("TICKLENS_DIFF_COUNT", 200) as usize,
            base_seed: number("TICKLENS_DIFF_SEED", 1),
            // Node mostly waits on timers, so two runs per core keep the cores busy without
            // making callbacks late enough to matter (see timeline.rs).
            threads: (cores * 2).clamp(2, 16),
            node_limit: Duration::from_secs(10),
            engine_limit: Duration::from_secs(5),
            tiers: std::env::var("TICKLENS_DIFF_TIERS")
                .map(|text| {
                    text.split(',')
                        .map(|n| {
                            n.trim()
                                .parse()
                                .expect("TICKLENS_DIFF_TIERS lists tier numbers")
                        })
                        .collect()
                })
                .unwrap_or_default(),
            tick_every: number("TICKLENS_DIFF_TICK_EVERY", 4).max(1) as usize,
        }
    }

    /// The syntax tiers run half as many programs: each is one kind of program, and their Node
    /// runs would otherwise take a third of the test's time.
    pub fn count(&self, tier: Tier) -> usize {
        if tier == Tier::TypeScript {
            // At least 300 TypeScript programs (issue 22), from every other tier but I/O.
            self.per_tier * 3 / 2
        } else if tier.is_syntax_tier() {
            self.per_tier.div_ceil(2)
        } else {
            self.per_tier
        }
    }

    /// Whether `tier` runs (1) or is left out (0).
    pub fn runs(&self, tier: Tier) -> u8 {
        u8::from(self.tiers.is_empty() || self.tiers.contains(&tier.number()))
    }

    pub fn programs(&self) -> Vec<Program> {
        Tier::ALL
            .iter()
            .filter(|&&tier| self.runs(tier) == 1)
            .flat_map(|&tier| {
                (0..self.count(tier) as u64)
                    .map(move |i| generator::generate(tier, self.base_seed + i))
            })
            .collect()
    }
}

/// What the engine said about one program.
#[derive(Clone, Debug)]
pub enum EngineAnswer {
    Lines(Vec<String>),
    Abstained(String),
    Panicked(String),
    TimedOut,
}

/// Quiet reruns of a program whose first two runs disagreed.
pub const RERUNS: usize = 3;

/// One program with Node's runs and the engine's answer.
///
/// Node runs each program twice, in parallel with other programs. If the two disagree on a program
/// not marked racy, it is run `RERUNS` more times one at a time once the rest are done: a timer
/// that ran late under load agrees with itself then ("load-sensitive", listed in the report), while
/// a real race in the generator keeps disagreeing (a generator fault).
#[derive(Clone, Debug)]
pub struct Case {
    pub program: Program,
    pub runs: Vec<NodeRun>,
    pub engine: EngineAnswer,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// The engine printed exactly what Node printed.
    Exact,
    /// The engine answered and was wrong (or answered a racy program, or crashed).
    Wrong(String),
    /// The engine abstained on a program Node orders one way.
    Abstained(String),
    /// The engine abstained on a racy program, as it must.
    RacyAbstained,
    /// Node printed the program in different orders and the engine abstained.
    Unjudged,
}

impl Case {
    /// Node's stdout, which the engine must reproduce: what the first two runs agree on, or else
    /// what every quiet rerun agrees on. `None` when Node keeps disagreeing with itself.
    pub fn expected(&self) -> Option<&str> {
        let agree = |runs: &[NodeRun]| runs.windows(2).all(|w| w[0].stdout == w[1].stdout);
        if self.program.racy.is_some() || agree(&self.runs[..2]) {
            Some(&self.runs[0].stdout)
        } else if self.runs.len() > 2 && agree(&self.runs[2..]) {
            Some(&self.runs[2].stdout)
        } else {
            None
        }
    }

    /// Node's first output, for display when there is no agreed one.
    pub fn first_output(&self) -> &str {
        &self.runs[0].stdout
    }

    pub fn node_agrees_with_itself(&self) -> bool {
        self.expected().is_some()
    }

    /// The first two runs disagreed, and the quiet reruns settled the order.
    pub fn load_sensitive(&self) -> bool {
        self.program.racy.is_none()
            && self.runs[0].stdout != self.runs[1].stdout
            && self.expected().is_some()
    }

    pub fn verdict(&self) -> Verdict {
        let lines = match &self.engine {
            EngineAnswer::Abstained(reason) if self.program.racy.is_some() => {
                let _ = reason;
                return Verdict::RacyAbstained;
            }
            EngineAnswer::Abstained(_) if !self.node_agrees_with_itself() => {
                return Verdict::Unjudged
            }
            EngineAnswer::Abstained(reason) => return Verdict::Abstained(reason.clone()),
            EngineAnswer::Panicked(message) => {
                return Verdict::Wrong(format!("the engine panicked: {message}"))
            }
            EngineAnswer::TimedOut => {
                return Verdict::Wrong("the engine did not answer within its time limit".to_owned())
            }
            EngineAnswer::Lines(lines) => lines,
        };
        if let Some(why) = &self.program.racy {
            return Verdict::Wrong(format!("answered a racy program ({why})"));
        }
        let Some(expected) = self.expected() else {
            // Node itself printed more than one order: an answer claims what Node does not fix.
            return Verdict::Wrong(
                "answered a program Node printed in different orders (see generator faults)"
                    .to_owned(),
            );
        };
        if joined(lines) == expected {
            Verdict::Exact
        } else {
            Verdict::Wrong(first_difference(expected, &joined(lines)))
        }
    }

    /// Why Node's runs show a fault in the generated program rather than in the engine.
    pub fn generator_fault(&self) -> Option<String> {
        for run in &self.runs {
            if run.timed_out {
                return Some(format!("Node was {}", run.ending()));
            }
            if let Some(error) = ["SyntaxError", "ReferenceError", "TypeError", "RangeError"]
                .iter()
                .find(|e| run.stderr.contains(*e))
            {
                return Some(format!("Node reported a {error}"));
            }
            let expected_code = if self.program.unhandled_rejection {
                1
            } else {
                0
            };
            if run.code != Some(expected_code) {
                return Some(format!(
                    "Node ended with {}, expected exit {expected_code}",
                    run.ending()
                ));
            }
            if !self.program.unhandled_rejection && !run.stderr.trim().is_empty() {
                return Some("Node wrote to stderr".to_owned());
            }
        }
        if !self.node_agrees_with_itself() {
            return Some(format!(
                "Node printed different orders, also in {RERUNS} quiet reruns"
            ));
        }
        None
    }
}

/// Lines as `node` prints them: each ends with a newline.
pub fn joined(lines: &[String]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// Where two outputs part, as `line N: node "..." vs engine "..."`.
pub fn first_difference(node: &str, engine: &str) -> String {
    let node_lines: Vec<&str> = node.lines().collect();
    let engine_lines: Vec<&str> = engine.lines().collect();
    let at = node_lines
        .iter()
        .zip(&engine_lines)
        .position(|(a, b)| a != b)
        .unwrap_or(node_lines.len().min(engine_lines.len()));
    let show = |lines: &[&str]| {
        lines
            .get(at)
            .map_or("(no more lines)".to_owned(), |l| format!("{l:?}"))
    };
    format!(
        "line {}: node {} vs engine {} ({} vs {} lines)",
        at + 1,
        show(&node_lines),
        show(&engine_lines),
        node_lines.len(),
        engine_lines.len()
    )
}

pub fn module_kind(flavor: Flavor) -> ModuleKind {
    match flavor {
        Flavor::CommonJs => ModuleKind::CommonJs,
        Flavor::EsModule => ModuleKind::EsModule,
    }
}

/// How `ticklens order` reads `program`: TypeScript with its types erased.
fn language(program: &Program) -> SourceLanguage {
    match program.tier {
        Tier::TypeScript => SourceLanguage::TypeScript(Dialect::TypeScript),
        _ => SourceLanguage::JavaScript,
    }
}

/// The timeline `ticklens order --timeline` draws for `program`.
pub fn engine_timeline(program: &Program) -> engine::Timeline {
    let prepared = ticklens::syntax::prepare(&program.source, language(program));
    engine::timeline(
        prepared.text(&program.source),
        &prepared.tree,
        module_kind(program.flavor),
    )
}

/// The engine's answer for `program`, on a thread of its own so that a hang or panic is a
/// verdict rather than a stuck test.
pub fn ask_engine(program: &Program, limit: Duration) -> EngineAnswer {
    let source = program.source.clone();
    let module = module_kind(program.flavor);
    let language = language(program);
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let answer = std::panic::catch_unwind(|| {
            let prepared = ticklens::syntax::prepare(&source, language);
            if let Some(error) = ticklens::driver::first_reason(&source, &prepared) {
                return OrderOutcome::Abstained(engine::Abstention {
                    reason: error.message,
                    range: Some(error.range),
                });
            }
            engine::predict_order(prepared.text(&source), &prepared.tree, module)
        });
        let _ = tx.send(answer);
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(OrderOutcome::Determined(lines))) => {
            EngineAnswer::Lines(lines.into_iter().map(|l| l.text).collect())
        }
        Ok(Ok(OrderOutcome::Abstained(abstention))) => EngineAnswer::Abstained(abstention.reason),
        Ok(Err(payload)) => EngineAnswer::Panicked(panic_message(payload.as_ref())),
        Err(mpsc::RecvTimeoutError::Timeout) => EngineAnswer::TimedOut,
        Err(mpsc::RecvTimeoutError::Disconnected) => EngineAnswer::Panicked("no answer".into()),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// Writes every program into `dir`, runs each twice under `node` and once through the engine,
/// on `config.threads` threads. Returns the cases in program order and the wall time taken.
pub fn run_all(config: &Config, node: &Path, dir: &Path) -> (Vec<Case>, Duration) {
    let started = Instant::now();
    let programs = config.programs();
    let mut cases = on_threads(config.threads, &programs, |program| {
        let path = dir.join(program.file_name());
        std::fs::write(&path, &program.source)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        let runs = vec![
            node::run_node(node, &path, config.node_limit),
            node::run_node(node, &path, config.node_limit),
        ];
        let engine = ask_engine(program, config.engine_limit);
        Case {
            program: program.clone(),
            runs,
            engine,
        }
    });
    for case in cases.iter_mut().filter(|c| !c.node_agrees_with_itself()) {
        let path = dir.join(case.program.file_name());
        for _ in 0..RERUNS {
            case.runs
                .push(node::run_node(node, &path, config.node_limit));
        }
    }
    (cases, started.elapsed())
}

/// Runs each of `programs` once more under `node`, instrumented (`instrument.rs`), on
/// `config.threads` threads: the runs, in the order given. `dir` must be a folder of its own,
/// since each program is written there under its own name.
pub fn run_instrumented(
    config: &Config,
    node: &Path,
    dir: &Path,
    programs: &[&Program],
) -> Vec<NodeRun> {
    let preload = dir.join(instrument::PRELOAD_NAME);
    std::fs::write(&preload, instrument::PRELOAD).expect("the preload can be written");
    let options = ["--require".as_ref(), preload.as_os_str()];
    on_threads(config.threads, programs, |program| {
        // Under its own name: I/O programs read their own file.
        let path = dir.join(program.file_name());
        std::fs::write(&path, instrument::instrumented(&program.source))
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        node::run_node_with(node, &options, &path, config.node_limit)
    })
}

/// `work` of each of `items`, on `threads` threads taking the next item as each is free: the
/// results in the order of `items`.
fn on_threads<I: Sync, T: Send>(
    threads: usize,
    items: &[I],
    work: impl Fn(&I) -> T + Sync,
) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<T>>> = Mutex::new(items.iter().map(|_| None).collect());
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else {
                    break;
                };
                let result = work(item);
                results.lock().expect("no worker panics holding the lock")[i] = Some(result);
            });
        }
    });
    results
        .into_inner()
        .expect("no worker panicked")
        .into_iter()
        .map(|result| result.expect("every item was worked on"))
        .collect()
}
