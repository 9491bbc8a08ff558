//! Per-function tick facts, the public API: when each `await` resumes and
//! when each async function's promise settles (see `tick_observer.rs`, which
//! records them during a run, for what a tick is).
//!
//! Facts come from running the program with an observer, as a facts run
//! (`machine/unknowns.rs`: what the engine cannot see becomes an unknown
//! value and the run goes on): every activation reports when each of its
//! awaits resumed and when its outer promise settled. Every async function
//! is then entered once more from a symbolic entry, with unknown arguments
//! and `this` (`symbolic_entries.rs`), and those observations merge with the
//! program's calls: a tick only when all agree. A function the program never
//! calls has only its symbolic entry (`called_by_program` is false), and its
//! settle tick is not claimed. Awaits no run resumes are `Unknown`, saying
//! where the run stopped, except an await directly on a call (or `new`),
//! which resumes as many jobs after that promise settles as `await` on a
//! native promise costs (`job_counts().await_native_promise`, V8's await
//! fast path), if it is one.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use tree_sitter::Tree;

use super::bytecode::FuncId;
use super::entry_cache::EntryCache;
use super::joined_paths::{join_site, Segments, SettleSeen};
use super::machine::branches::Budget;
use super::machine::Halt;
use super::scheduler::PhaseKind;
use super::tick_observer::{Observed, Observer, PathObserved};
use super::{Abstention, ModuleKind, OrderOutcome};
use crate::syntax::KindName;

/// When one `await` resumes, or when a function's promise settles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResumeTick {
    /// `jobs` microtask jobs after the function was entered.
    AfterEntry { jobs: u32 },
    /// `jobs` jobs after `operand` (source text) settles. With
    /// `if_native_promise` the operand is code the engine cannot see, and the
    /// count holds if it evaluates to a native promise.
    AfterSettle {
        jobs: u32,
        operand: String,
        if_native_promise: bool,
    },
    /// On one of `ticks` (microtask jobs after entry), depending on how the
    /// branches on the unknown conditions `decided_by` (source text) go:
    /// every explored path agrees with one of them (`joined_paths.rs`).
    Conditional {
        ticks: Vec<u32>,
        decided_by: Vec<String>,
    },
    /// Not known; `reason` says why (varies between calls, never reached, ...).
    Unknown { reason: String },
}

/// When the function's outer promise settles (same shape as a resume tick).
pub type SettleTick = ResumeTick;

/// A phase later than the one in which the call was entered, by what started
/// it. A resumption there has no tick number after entry: the microtask
/// queue emptied in between, and Node (or libuv) started something new.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaterPhase {
    /// nextTick callbacks Node runs once the microtask queue is empty, and
    /// the jobs they queue: every microtask queued before has run.
    NextTick,
    /// A `setTimeout`/`setInterval` callback (libuv's timers phase), and
    /// the jobs it queues.
    Timer,
    /// A `setImmediate` callback (libuv's check phase), and the jobs it queues.
    Immediate,
}

impl LaterPhase {
    /// Whether a resumption seen in this phase from a symbolic entry is in
    /// it for every caller: a timer or an immediate always starts a later
    /// phase, a nextTick only for a caller inside a job (the CommonJS main
    /// script runs its nextTicks before its first drain).
    pub fn holds_for_any_caller(self) -> bool {
        matches!(self, LaterPhase::Timer | LaterPhase::Immediate)
    }

    fn of(kind: PhaseKind) -> Option<Self> {
        match kind {
            PhaseKind::NextTick => Some(LaterPhase::NextTick),
            PhaseKind::Timer => Some(LaterPhase::Timer),
            PhaseKind::Immediate => Some(LaterPhase::Immediate),
            // Facts runs schedule no I/O completions (`node_io.rs`).
            PhaseKind::Main
            | PhaseKind::IsolatedCall
            | PhaseKind::UnknownSettles
            | PhaseKind::Io => None,
        }
    }
}

/// The later phase every observation lies in, if they all lie in one kind
/// of later phase (`None` entries are observations in the entry's phase).
fn common_later_phase(kinds: &[Option<PhaseKind>]) -> Option<LaterPhase> {
    let (first, rest) = kinds.split_first()?;
    if rest.iter().any(|kind| kind != first) {
        return None;
    }
    LaterPhase::of((*first)?)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwaitFacts {
    /// Byte range of the `await_expression`.
    pub range: Range<usize>,
    pub resume: ResumeTick,
    /// Every run that reached it awaited a thenable that is not a native
    /// promise: one job calls its `then`, and its `resolve` queues the rest.
    pub thenable: bool,
    /// Every resumption the run saw came in a later phase than its call's
    /// entry, of this kind (then `resume` is never `AfterEntry`).
    pub later_phase: Option<LaterPhase>,
    /// Every resumption came this many jobs after its own operand, a native
    /// promise the run could see, settled (counted from the later of that
    /// settling and the await's start, as `tests/claims.rs` measures it).
    pub jobs_after_operand: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsyncFunctionFacts {
    /// Byte range of the function node.
    pub range: Range<usize>,
    pub name: String,
    pub awaits: Vec<AwaitFacts>,
    pub settles: SettleTick,
    /// Every call's promise settled in a later phase than the call's entry, of this kind.
    pub settles_in: Option<LaterPhase>,
    /// Whether the program's own run entered the function. When it did not,
    /// the awaits' facts come from its symbolic entry alone (unknown arguments
    /// and `this`, after the program's run).
    pub called_by_program: bool,
    /// The body of an ES module, which awaits at its top level: `range` is
    /// the whole program and `name` is empty.
    pub is_module_body: bool,
    /// Its own symbolic entry stopped before the function returned: an await
    /// in a loop may have been seen in its first iterations only.
    pub entry_stopped: bool,
}

/// Facts for every async function in the program, and for the body of an ES
/// module that awaits at its top level, in source order.
pub fn function_facts(source: &str, tree: &Tree, module: ModuleKind) -> Vec<AsyncFunctionFacts> {
    facts_and_order(source, tree, module).0
}

/// [`function_facts`] and [`super::predict_order`] from one run of the
/// program (the facts observe the run whose output is the prediction).
pub fn facts_and_order(
    source: &str,
    tree: &Tree,
    module: ModuleKind,
) -> (Vec<AsyncFunctionFacts>, OrderOutcome) {
    facts_and_order_cached(source, tree, module, &mut EntryCache::default())
}

/// [`facts_and_order`] for a new version of a document whose previous
/// version's facts were computed with `cache`: the symbolic entries whose
/// program's run, code and limits are unchanged are not run again, their
/// observations are reused (`entry_cache.rs`). The result is the same as
/// without the cache.
pub fn facts_and_order_cached(
    source: &str,
    tree: &Tree,
    module: ModuleKind,
    cache: &mut EntryCache,
) -> (Vec<AsyncFunctionFacts>, OrderOutcome) {
    facts_where(source, tree, module, cache, None)
}

/// [`facts_and_order_cached`]'s facts of the async functions whose range
/// holds `offset` only (the module body's left out): what a hover there
/// reads. Each is the same as the whole computation's; the facts of the
/// other functions, the joins of their awaits above all, are not computed,
/// and a reused symbolic entry that observed none of the functions wanted is
/// not merged into the run's records. The entries' cache is left as the
/// whole computation leaves it.
pub fn facts_at_cached(
    source: &str,
    tree: &Tree,
    module: ModuleKind,
    cache: &mut EntryCache,
    offset: usize,
) -> Vec<AsyncFunctionFacts> {
    let wanted = move |range: &Range<usize>| range.contains(&offset);
    facts_where(source, tree, module, cache, Some(&wanted)).0
}

/// Which functions' facts are wanted, by their range.
type Wanted = dyn Fn(&Range<usize>) -> bool;

/// The facts of the functions whose range is `wanted` (all without it), and the order.
fn facts_where(
    source: &str,
    tree: &Tree,
    module: ModuleKind,
    cache: &mut EntryCache,
    wanted: Option<&Wanted>,
) -> (Vec<AsyncFunctionFacts>, OrderOutcome) {
    // The top level (an ES module's body) is never one of some functions.
    let is_wanted =
        |func: FuncId, range: &Range<usize>| wanted.is_none_or(|wanted| func != 0 && wanted(range));
    let mut machine = match super::prepare(source, tree, module) {
        Ok(machine) => machine,
        Err(abstention) => return (Vec::new(), OrderOutcome::Abstained(abstention)),
    };
    let mut observer = Observer::default();
    for code in &machine.funcs {
        for span in &code.awaits {
            let text = source.get(span.clone()).unwrap_or_default();
            let operand = Arc::from(text.trim_start_matches("await").trim());
            observer.operand_text.insert(span.start, operand);
        }
    }
    machine.observer = Some(observer);
    machine.open = true;
    let mut budget = Budget::new(super::joined_paths::EXTRA_STEPS);
    let program = super::joined_paths::run_program_paths(&mut machine, source, &mut budget);
    let (program_outcome, order) = (program.outcome, program.order);
    // How often the program itself entered each function (before the symbolic entries).
    let mut entries = entry_counts(machine.observer.as_ref());
    add_counts(&mut entries, &program.entries);
    // How the program's own calls settled, read before the entries run
    // (each entry starts from this state, and the machine ends in it).
    let mut settles = machine
        .observer
        .as_ref()
        .map(|observer| super::joined_paths::settle_observations(&machine, observer))
        .unwrap_or_default();
    settles.extend(program.settles);
    // Which functions the program's run called, on any of its paths: the
    // text of the others' bodies cannot change what it leaves.
    let mut called = vec![false; machine.funcs.len()];
    for &func in machine.ran.called.iter().chain(&program.called) {
        called[func] = true;
    }
    let ranges = machine
        .funcs
        .iter()
        .map(|code| (code.range.clone(), code.body.clone()))
        .unzip();
    cache.unpack();
    let (mut units, digest) = cache.units(source, module, ranges, &called);
    if wanted.is_some() {
        // Only some functions' facts: a reused entry that saw none of them
        // is kept for the next version but not merged into this run's records.
        let wanted = machine.funcs.iter().enumerate();
        units.wanted = Some(
            wanted
                .map(|(func, code)| is_wanted(func, &code.range))
                .collect(),
        );
    }
    let symbolic = super::symbolic_entries::run_symbolic_entries(
        &mut machine,
        source,
        tree,
        &mut budget,
        &mut units,
    );
    let kept = units.into_parts();
    cache.keep(kept, digest);
    let entry_stops = symbolic.stops;
    settles.extend(symbolic.settles);
    let Some(observer) = machine.observer.take() else {
        return (Vec::new(), order);
    };
    let mut all_entries = entry_counts(Some(&observer));
    add_counts(&mut all_entries, &program.entries);
    add_counts(&mut all_entries, &symbolic.counts);
    // Where and why the program's run stopped, if it stopped early.
    let inexact = program.inexact.as_ref();
    let stop = program_outcome
        .map(|halt| describe_halt(source, &halt))
        .or_else(|| inexact.map(|at| super::joined_paths::describe_inexact(source, at)));
    let stop_reason = stop.as_ref().map(|stop| format!("not reached: {stop}"));
    let segments = Segments::new(&observer.segments);
    let mut facts = Vec::new();
    for (func, code) in machine.funcs.iter().enumerate() {
        if !code.is_async || (func == 0 && code.awaits.is_empty()) || !is_wanted(func, &code.range)
        {
            continue;
        }
        // Where this function's own entry stopped: once per function, not
        // once per await it left unseen.
        let entry_stop = entry_stops
            .get(&func)
            .map(|halt| format!("not reached: {}", describe_halt(source, halt)));
        let awaits = code
            .awaits
            .iter()
            .map(|span| {
                let observed = observer
                    .resumes
                    .get(&(func, span.start, span.end))
                    .cloned()
                    .unwrap_or_default();
                let calls = all_entries.get(&func).copied().unwrap_or(0);
                let after_settle = observer
                    .jobs_after_settle
                    .get(&(func, span.start, span.end))
                    .map_or(&[][..], Vec::as_slice);
                let by_path = observer
                    .by_path
                    .get(&(func, span.start, span.end))
                    .map_or(&[][..], Vec::as_slice);
                // No observation on any path: nothing to join (and a join
                // looks at every segment of the run).
                let joined = match by_path {
                    [] => None,
                    _ => join_site(&segments, by_path),
                };
                let resume = match (joined.clone(), summarize(&observed, calls)) {
                    (Some(joined), _) => joined,
                    (
                        None,
                        Some(
                            tick @ (ResumeTick::AfterEntry { .. } | ResumeTick::AfterSettle { .. }),
                        ),
                    ) => tick,
                    (None, Some(unknown)) => {
                        let operand = observer.operand_text.get(&span.start);
                        same_jobs_after_settle(after_settle, operand).unwrap_or(unknown)
                    }
                    (None, None) => {
                        let stop = stop_reason.as_deref().or(entry_stop.as_deref());
                        unseen_await(source, tree, span, stop)
                    }
                };
                let (thenable_runs, other_runs) = observer
                    .operand_kinds
                    .get(&(func, span.start, span.end))
                    .copied()
                    .unwrap_or_default();
                let later_phase = observer
                    .later_phases
                    .get(&(func, span.start, span.end))
                    .and_then(|kinds| common_later_phase(kinds));
                // A path that stopped before it leaves nothing to claim.
                let unclaimed = matches!(joined, Some(ResumeTick::Unknown { .. }));
                AwaitFacts {
                    range: span.clone(),
                    resume,
                    thenable: thenable_runs > 0 && other_runs == 0,
                    later_phase: later_phase.filter(|_| !unclaimed),
                    jobs_after_operand: same_count(after_settle).filter(|_| !unclaimed),
                }
            })
            .collect();
        facts.push(AsyncFunctionFacts {
            range: code.range.clone(),
            name: match func {
                0 => String::new(),
                _ => code.name.to_string(),
            },
            awaits,
            // A symbolic entry's settle tick holds for its unknown arguments
            // only: with others, any step that reads them may throw first and
            // reject the promise earlier.
            settles: match (entries.contains_key(&func), &stop) {
                (true, _) => settle_tick(&segments, &settles, func),
                (false, None) => ResumeTick::Unknown {
                    reason: "this file never calls it".to_owned(),
                },
                (false, Some(stop)) => ResumeTick::Unknown {
                    reason: format!("this file does not call it before {stop}"),
                },
            },
            settles_in: entries
                .contains_key(&func)
                .then(|| settle_phase(&segments, &settles, func))
                .flatten(),
            called_by_program: entries.contains_key(&func),
            is_module_body: func == 0,
            entry_stopped: entry_stops.contains_key(&func),
        });
    }
    facts.sort_by_key(|f| f.range.start);
    (facts, order)
}

/// Where and why a run stopped, for the awaits it never reached.
fn describe_halt(source: &str, halt: &Halt) -> String {
    match halt {
        Halt::Abstain(Abstention { reason, range }) => {
            let place = range.as_ref().map_or(String::new(), |range| {
                let before = &source.as_bytes()[..range.start.min(source.len())];
                let line = memchr::memchr_iter(b'\n', before).count() + 1;
                format!(" at line {line}")
            });
            format!("the engine stopped{place} ({reason})")
        }
        Halt::Crash(message) => format!("the process exits first ({message})"),
    }
}

/// Adds `more` entries to `counts`.
fn add_counts(counts: &mut BTreeMap<FuncId, usize>, more: &BTreeMap<FuncId, usize>) {
    for (&func, &count) in more {
        *counts.entry(func).or_default() += count;
    }
}

/// How often each function was entered, so far in the run.
fn entry_counts(observer: Option<&Observer>) -> BTreeMap<FuncId, usize> {
    let mut entries = BTreeMap::new();
    for &(func, ..) in observer.map_or(&[][..], |o| o.outer_promises.as_slice()) {
        *entries.entry(func).or_default() += 1;
    }
    entries
}

/// `tick 1, then 2, then 3`, or `tick 1, then 2, then 3, …` for more than four.
fn tick_list(ticks: &[u32], separator: &str) -> String {
    let mut parts: Vec<String> = ticks.iter().take(4).map(u32::to_string).collect();
    if ticks.len() > 4 {
        parts.push("…".to_owned());
    }
    format!("tick {}", parts.join(separator))
}

fn to_tick(observed: &Observed) -> Option<ResumeTick> {
    match observed {
        Observed::AfterEntry(u32::MAX) => None,
        Observed::AfterEntry(jobs) => Some(ResumeTick::AfterEntry { jobs: *jobs }),
        Observed::AfterSettle {
            jobs,
            operand,
            native_assumed,
        } => Some(ResumeTick::AfterSettle {
            jobs: *jobs,
            operand: operand.to_string(),
            if_native_promise: *native_assumed,
        }),
    }
}

/// One tick if every observation agrees; `Unknown` if they differ, with the
/// ticks seen when they are known. `calls` is how often the program entered
/// the function: with one call, different ticks come from loop iterations.
fn summarize(observed: &[Observed], calls: usize) -> Option<ResumeTick> {
    let first = observed.first()?;
    if observed.iter().any(|o| o != first) {
        let mut ticks: Vec<u32> = Vec::new();
        let mut all_known = true;
        for o in observed {
            match o {
                Observed::AfterEntry(jobs) if *jobs != u32::MAX => {
                    if !ticks.contains(jobs) {
                        ticks.push(*jobs);
                    }
                }
                _ => all_known = false,
            }
        }
        if calls != 1 {
            ticks.sort_unstable();
        }
        let reason = match (all_known, calls) {
            (true, 1) => format!("varies: {} (loop iterations)", tick_list(&ticks, ", then ")),
            (true, _) => format!("varies between calls: {}", tick_list(&ticks, " or ")),
            (false, 1) => "varies between loop iterations".to_owned(),
            (false, _) => match described(observed).as_slice() {
                [] | [_] => "varies between calls".to_owned(),
                several => format!("varies between calls: {}", several.join(", or ")),
            },
        };
        return Some(ResumeTick::Unknown { reason });
    }
    Some(to_tick(first).unwrap_or(ResumeTick::Unknown {
        reason: "resumes after a timer or other macrotask".to_owned(),
    }))
}

/// The distinct observations that have a tick, in words (at most four).
fn described(observed: &[Observed]) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for o in observed {
        let text = match o {
            Observed::AfterEntry(u32::MAX) => continue,
            Observed::AfterEntry(jobs) => format!("tick {jobs}"),
            Observed::AfterSettle { jobs, operand, .. } => {
                let plural = if *jobs == 1 { "" } else { "s" };
                format!(
                    "{} job{plural} after `{operand}` settles",
                    super::count_word(*jobs)
                )
            }
        };
        if !words.contains(&text) && words.len() < 4 {
            words.push(text);
        }
    }
    words
}

/// When the ticks after entry differ between activations (a loop, several
/// calls) or cross a macrotask, every resumption may still have come the same
/// number of jobs after its operand settled (counted from the later of the
/// settling and the await's start): that count is then the claim.
fn same_jobs_after_settle(
    counts: &[Option<u32>],
    operand: Option<&Arc<str>>,
) -> Option<ResumeTick> {
    Some(ResumeTick::AfterSettle {
        jobs: same_count(counts)?,
        operand: operand?.to_string(),
        if_native_promise: false,
    })
}

/// The count every resumption shares, if each has one and all agree.
fn same_count(counts: &[Option<u32>]) -> Option<u32> {
    let (first, rest) = counts.split_first()?;
    let jobs = (*first)?;
    rest.iter()
        .all(|count| *count == Some(jobs))
        .then_some(jobs)
}

/// An await no run resumed: on a call the engine did not run (to unknown
/// code, or not reached), V8's fast path says it resumes as `await` on a
/// settled native promise does (`JobCounts::await_native_promise` jobs after
/// that promise settles) if it is one; otherwise unknown, saying where the
/// engine stopped.
fn unseen_await(source: &str, tree: &Tree, span: &Range<usize>, stop: Option<&str>) -> ResumeTick {
    let node = tree
        .root_node()
        .descendant_for_byte_range(span.start, span.end)
        .filter(|n| n.kind_name() == "await_expression");
    let operand = node.and_then(|n| n.named_child(0));
    // Whatever the call returns, `await` costs what it costs on a native
    // promise once that settles (V8's fast path); a thenable takes longer.
    if let Some(call) =
        operand.filter(|o| matches!(o.kind_name(), "call_expression" | "new_expression"))
    {
        // `job_counts` measures on the observer directly, never through
        // this fallback, so asking it here cannot recurse.
        return ResumeTick::AfterSettle {
            jobs: super::job_counts().await_native_promise,
            operand: source[call.byte_range()].to_owned(),
            if_native_promise: true,
        };
    }
    ResumeTick::Unknown {
        reason: match stop {
            Some(stop) => stop.to_owned(),
            None => "the modelled run never resumed it (not reached, or its operand never settled)"
                .to_owned(),
        },
    }
}

/// The later phase every call's promise of `func` settled in, if all did in
/// one kind (and every path that could have settled it ran).
fn settle_phase(segments: &Segments, settles: &[SettleSeen], func: FuncId) -> Option<LaterPhase> {
    let mine: Vec<&SettleSeen> = settles.iter().filter(|s| s.func == func).collect();
    let seen: Vec<PathObserved> = mine.iter().map(|s| s.seen.clone()).collect();
    if matches!(join_site(segments, &seen), Some(ResumeTick::Unknown { .. })) {
        return None;
    }
    let kinds: Option<Vec<Option<PhaseKind>>> = mine.iter().map(|s| s.phase).collect();
    common_later_phase(&kinds?)
}

/// When `func`'s promise settles, over every call the runs saw (joined over
/// the paths of branches on unknown conditions).
fn settle_tick(segments: &Segments, settles: &[SettleSeen], func: FuncId) -> SettleTick {
    let seen: Vec<PathObserved> = settles
        .iter()
        .filter(|s| s.func == func)
        .map(|s| s.seen.clone())
        .collect();
    let ticks: Vec<Observed> = seen.iter().map(|(_, _, o)| o.clone()).collect();
    if ticks.is_empty() {
        return ResumeTick::Unknown {
            reason: "never called in the modelled run".to_owned(),
        };
    }
    if let Some(joined) = join_site(segments, &seen) {
        return joined;
    }
    if ticks.contains(&Observed::AfterEntry(u32::MAX)) && ticks.len() == 1 {
        return ResumeTick::Unknown {
            reason: "it waits for a timer, I/O, or code ticklens does not model, or never \
                     settles"
                .to_owned(),
        };
    }
    summarize(&ticks, ticks.len()).unwrap_or(ResumeTick::Unknown {
        reason: "not observed".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One fact of every await, function by function in source order.
    fn each_await<T>(source: &str, module: ModuleKind, fact: fn(AwaitFacts) -> T) -> Vec<T> {
        let tree = crate::syntax::parse(source, None);
        let functions = function_facts(source, &tree, module).into_iter();
        functions.flat_map(|f| f.awaits).map(fact).collect()
    }

    /// The program: Node resumes the second await after the chain's five jobs, in the
    /// phase of the nextTick queue, so it has no tick number after entry.
    #[test]
    fn an_await_resolved_by_a_later_nexttick_phase_gets_no_tick_after_entry() {
        let source = "async function main() { await null;\n\
            await new Promise((r) => process.nextTick(r));\n\
            console.log(\"after tick\"); }\n\
            main(); let p = Promise.resolve();\n\
            for (let i = 1; i <= 5; i++) p = p.then(() => console.log(\"chain \" + i));\n";
        let ticks = each_await(source, ModuleKind::CommonJs, |a| a.resume);
        assert_eq!(ticks[0], ResumeTick::AfterEntry { jobs: 1 });
        assert!(
            matches!(&ticks[1], ResumeTick::AfterSettle { jobs: 1, .. }),
            "{:?}",
            ticks[1]
        );
    }

    /// Each later phase is named by what started it; an await in the entry's phase names none.
    #[test]
    fn an_await_resumed_after_the_nexttick_queue_a_timer_or_an_immediate_names_that_phase() {
        let source = "async function main() { await null;\n\
            await new Promise((r) => process.nextTick(r));\n\
            await new Promise((r) => setTimeout(r, 100));\n\
            await new Promise((r) => setImmediate(r)); }\n\
            main();\n";
        assert_eq!(
            each_await(source, ModuleKind::CommonJs, |a| a.later_phase),
            [
                None,
                Some(LaterPhase::NextTick),
                Some(LaterPhase::Timer),
                Some(LaterPhase::Immediate)
            ]
        );
        let tree = crate::syntax::parse(source, None);
        let facts = function_facts(source, &tree, ModuleKind::CommonJs);
        assert_eq!(facts[0].settles_in, Some(LaterPhase::Immediate));
    }

    /// An ES module drains its microtasks before Node runs any nextTick: a later phase.
    #[test]
    fn a_first_nexttick_await_in_an_es_module_resumes_after_the_nexttick_queue() {
        let source = "async function main() {\n\
            await new Promise((r) => process.nextTick(r)); }\n\
            main();\n";
        assert_eq!(
            each_await(source, ModuleKind::CommonJs, |a| a.later_phase),
            [None]
        );
        assert_eq!(
            each_await(source, ModuleKind::EsModule, |a| a.later_phase),
            [Some(LaterPhase::NextTick)]
        );
    }

    /// Before the first drain of the CommonJS main script, nextTick callbacks are still its
    /// synchronous part (Node runs them first): the count goes on.
    #[test]
    fn a_nexttick_before_the_main_scripts_first_drain_keeps_the_count() {
        let source = "async function main() {\n\
            await new Promise((r) => process.nextTick(r));\n\
            await null; }\n\
            main();\n";
        assert_eq!(
            each_await(source, ModuleKind::CommonJs, |a| a.resume),
            [
                ResumeTick::AfterEntry { jobs: 1 },
                ResumeTick::AfterEntry { jobs: 2 }
            ]
        );
        // An ES module drains its jobs before any nextTick: a later phase.
        let esm = each_await(source, ModuleKind::EsModule, |a| a.resume);
        assert!(
            matches!(&esm[0], ResumeTick::AfterSettle { jobs: 1, .. }),
            "{esm:?}"
        );
    }

    /// Ticks count from each call's own entry, also when a `then` callback enters it.
    #[test]
    fn a_call_entered_from_a_then_callback_counts_from_its_entry() {
        let source = "async function main() { await null; await null; }\n\
            Promise.resolve().then(() => main());\n";
        assert_eq!(
            each_await(source, ModuleKind::CommonJs, |a| a.resume),
            [
                ResumeTick::AfterEntry { jobs: 1 },
                ResumeTick::AfterEntry { jobs: 2 }
            ]
        );
    }
    /// A loop's await on a promise that takes longer each iteration: ticks 1, 2, 3 after
    /// entry, but always one job after the promise settles.
    #[test]
    fn a_loop_await_with_varying_ticks_resumes_one_job_after_its_operand_settles() {
        let source = "async function main() {\n\
            for (let i = 0; i < 3; i++) {\n\
            let p = Promise.resolve();\n\
            for (let j = 0; j < i; j++) p = p.then(() => j);\n\
            await p; } }\n\
            main();\n";
        assert_eq!(
            each_await(source, ModuleKind::CommonJs, |a| a.resume),
            [ResumeTick::AfterSettle {
                jobs: 1,
                operand: "p".to_owned(),
                if_native_promise: false,
            }]
        );
    }

    /// A thenable on some iterations: its adopting promise's settling is not the operand's,
    /// so there is no count after settling to agree on.
    #[test]
    fn a_loop_await_on_a_thenable_sometimes_stays_unknown() {
        let source = "async function main() {\n\
            for (let i = 0; i < 2; i++) {\n\
            const x = i === 0 ? Promise.resolve() : { then(r) { r(); } };\n\
            await x; } }\n\
            main();\n";
        let ticks = each_await(source, ModuleKind::CommonJs, |a| a.resume);
        assert!(matches!(&ticks[0], ResumeTick::Unknown { .. }), "{ticks:?}");
    }
}
