//! The paths of a facts run, joined: what each site's claim is when the run
//! followed both arms of branches on unknown conditions (`machine/branches.rs`).
//!
//! The program's own run is one segment: its first path runs on the facts
//! run's machine, each further path on a fresh machine of the same code
//! (a replay of the recorded decisions), whose observations are absorbed.
//! Each symbolic entry is a segment too (`symbolic_entries.rs`). For a site
//! (an await, a function's settling), per segment:
//! - every path that reached it saw the same ticks: the paths agree, and
//!   the usual summary over all observations stands;
//! - paths saw different ticks: a conditional claim, the set of ticks and
//!   the conditions that decide them (where the differing paths first
//!   decided differently), never a single tick;
//! - a path that stopped (or a subtree the budget left) did not reach it:
//!   no claim, as that path could have reached it later with another tick.
//!   A path that ran to its end without reaching it is fine.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::bytecode::FuncId;
use super::function_ticks::ResumeTick;
use super::machine::branches::{explore, Budget, PathRecord, PathRun};
use super::machine::{Halt, Machine};
use super::promise::PromiseState;
use super::scheduler::PhaseKind;
use super::tick_observer::{Observed, Observer, PathObserved};
use super::{Abstention, OrderOutcome};

/// Steps the paths after each segment's first may take, in one facts run,
/// beyond the first paths' (which every facts run takes anyway).
pub(super) const EXTRA_STEPS: u64 = 300_000;
/// Decisions count for a settling: never one an unexplored subtree shares.
const AFTER_EVERY_DECISION: usize = usize::MAX;

/// How one activation's promise settled, seen by the machine that ran it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(super) struct SettleSeen {
    pub func: FuncId,
    pub seen: PathObserved,
    /// `None`: still pending; `Some(None)`: in the entry's phase;
    /// `Some(Some(kind))`: in a later phase started by `kind`.
    pub phase: Option<Option<PhaseKind>>,
}

/// What the program's own run left, over every path it explored.
pub(super) struct ProgramRun {
    /// How its first path ended (`None`: it ran to its end).
    pub outcome: Option<Halt>,
    /// The order outcome: the first path's (an order run stops at the first unknown).
    pub order: OrderOutcome,
    /// Settlings seen by the paths that ran on other machines.
    pub settles: Vec<SettleSeen>,
    /// Functions those paths entered, and how often.
    pub entries: BTreeMap<FuncId, usize>,
    /// Where its first path went inexact (`machine/branches.rs`): what it
    /// did from there is not claimed.
    pub inexact: Option<Abstention>,
    /// The functions its paths after the first called (each ran on a
    /// machine of its own; the first path's are in `Machine::ran`).
    pub called: Vec<FuncId>,
}

/// Runs the program on `machine` (its first path) and replays its other
/// paths on fresh machines, absorbing their observations into `machine`'s
/// observer and recording the segment there.
pub(super) fn run_program_paths<'s>(
    machine: &mut Machine<'s>,
    source: &'s str,
    budget: &mut Budget,
) -> ProgramRun {
    let mut first: Option<(Option<Halt>, OrderOutcome)> = None;
    let mut inexact = None;
    let mut settles = Vec::new();
    let mut entries: BTreeMap<FuncId, usize> = BTreeMap::new();
    let mut absorbed: Vec<Observer> = Vec::new();
    let mut called: Vec<FuncId> = Vec::new();
    let module = machine.module;
    let funcs = machine.funcs.clone();
    let records = explore(budget, |id, replay| {
        let main = first.is_none();
        let mut fresh;
        let run: &mut Machine<'s> = if main {
            &mut *machine
        } else {
            fresh = Machine::new(source, module, funcs.clone());
            fresh.open = true;
            let mut observer = Observer::default();
            if let Some(main) = &machine.observer {
                observer.operand_text = main.operand_text.clone();
            }
            fresh.observer = Some(observer);
            &mut fresh
        };
        run.paths.start(replay);
        if let Some(observer) = &mut run.observer {
            observer.path = id;
            observer.decisions = 0;
        }
        let mut halt = run.run_program().err();
        if main {
            // The order run would have stopped at the first unknown.
            let order = match run.first_unknown.take() {
                Some(abstention) => OrderOutcome::Abstained(abstention),
                None => super::outcome_of_run(run, halt.as_ref()),
            };
            if halt.is_none() {
                halt = run.settle_unknowns().err();
            }
            inexact = run.end_inexact_path();
            let complete =
                !matches!(halt, Some(Halt::Abstain(_))) && !run.paths.diverged && inexact.is_none();
            first = Some((halt, order));
            return finish_path(run, complete);
        }
        if halt.is_none() {
            halt = run.settle_unknowns().err();
        }
        let exact = run.end_inexact_path().is_none();
        let complete = !matches!(halt, Some(Halt::Abstain(_))) && !run.paths.diverged && exact;
        called.extend_from_slice(&run.ran.called);
        if let Some(observer) = run.observer.take() {
            settles.extend(settle_observations(run, &observer));
            for &(func, ..) in &observer.outer_promises {
                *entries.entry(func).or_default() += 1;
            }
            absorbed.push(observer);
        }
        run.observer = Some(Observer::default());
        finish_path(run, complete)
    });
    if let Some(observer) = &mut machine.observer {
        for other in absorbed {
            observer.absorb(other);
        }
        if records.len() > 1 {
            observer.segments.push(records);
        }
    }
    let (outcome, order) = first.unwrap_or((
        None,
        OrderOutcome::Abstained(Abstention {
            reason: "internal: the program's run did not run".to_owned(),
            range: None,
        }),
    ));
    ProgramRun {
        outcome,
        order,
        settles,
        entries,
        inexact,
        called,
    }
}

/// The decisions a path took and what it cost, once it ended (and its
/// inexact part, if it had one: such a path is not complete).
pub(super) fn finish_path(machine: &mut Machine, complete: bool) -> PathRun {
    let exact = machine.end_inexact_path().is_none();
    PathRun {
        decisions: std::mem::take(&mut machine.paths.taken),
        complete: complete && exact,
        steps: machine.steps,
    }
}

/// Where a run went inexact, for the awaits and settlings it leaves unclaimed.
pub(super) fn describe_inexact(source: &str, at: &Abstention) -> String {
    let line = at.range.as_ref().map_or(1, |range| {
        source[..range.start.min(source.len())]
            .matches('\n')
            .count()
            + 1
    });
    format!(
        "the engine followed one path only from line {line} ({})",
        at.reason
    )
}

/// How each activation the observer saw enter settled, on `machine`.
pub(super) fn settle_observations(machine: &Machine, observer: &Observer) -> Vec<SettleSeen> {
    let paths = observer.outer_paths.iter();
    observer
        .outer_promises
        .iter()
        .zip(paths)
        .map(|(&(func, outer, depth, phase), &path)| {
            let unclaimed = machine.paths.unclaimed_settles.contains(&outer);
            let settled = machine
                .promise_data(outer)
                .filter(|_| !unclaimed)
                .and_then(|data| match data.state {
                    PromiseState::Pending => None,
                    _ => data.settled_at,
                });
            let observed = match settled {
                Some((p, d)) if p == phase && d >= depth => Observed::AfterEntry(d - depth),
                _ => Observed::AfterEntry(u32::MAX),
            };
            SettleSeen {
                func,
                seen: (path, AFTER_EVERY_DECISION, observed),
                phase: settled.map(|(p, _)| (p != phase).then(|| machine.kind_of_phase(p))),
            }
        })
        .collect()
}

/// The segments of a run, indexed by the paths whose observations their
/// records read. A segment none of whose records reads a path that observed
/// a site has nothing to say of it (the join skips it), so a site's join
/// looks at the few segments of the paths that saw it, in the run's order,
/// instead of at every segment of the run: with a thousand symbolic
/// entries, the joins of every await cost as much as the rest of the facts.
pub(super) struct Segments<'r> {
    all: &'r [Vec<PathRecord>],
    /// Path id -> the indices of the segments with a record that reads it.
    of_path: HashMap<u32, Vec<usize>>,
}

impl<'r> Segments<'r> {
    pub fn new(all: &'r [Vec<PathRecord>]) -> Self {
        let mut of_path: HashMap<u32, Vec<usize>> = HashMap::new();
        for (index, segment) in all.iter().enumerate() {
            for record in segment {
                let indices = of_path.entry(read_path(record)).or_default();
                if indices.last() != Some(&index) {
                    indices.push(index);
                }
            }
        }
        Segments { all, of_path }
    }

    /// The segments with a record that reads one of `observed`'s paths, in
    /// the run's order.
    fn reading(&self, observed: &[PathObserved]) -> impl Iterator<Item = &'r Vec<PathRecord>> {
        let mut indices: Vec<usize> = observed
            .iter()
            .filter_map(|(path, _, _)| self.of_path.get(path))
            .flatten()
            .copied()
            .collect();
        indices.sort_unstable();
        indices.dedup();
        let all = self.all;
        indices.into_iter().map(move |index| &all[index])
    }
}

/// The path whose observations `record` reads ([`seen_by`]).
fn read_path(record: &PathRecord) -> u32 {
    record.shares.map_or(record.id, |(parent, _)| parent)
}

/// A site's claim when the explored paths decide it: `Some` when paths
/// disagree (a conditional claim, or unknown when the ticks are not all
/// ticks after entry) or when a path that stopped did not reach it;
/// `None` when the paths agree (the usual summary of `observed` stands).
pub(super) fn join_site(segments: &Segments, observed: &[PathObserved]) -> Option<ResumeTick> {
    let mut deciders: Vec<String> = Vec::new();
    for segment in segments.reading(observed) {
        let per_path: Vec<(&PathRecord, BTreeSet<&Observed>)> = segment
            .iter()
            .map(|record| (record, seen_by(record, observed)))
            .collect();
        if per_path.iter().all(|(_, seen)| seen.is_empty()) {
            continue;
        }
        if let Some((record, _)) = per_path
            .iter()
            .find(|(r, seen)| !r.complete && seen.is_empty())
        {
            let origin = record.decisions.last().map_or("", |d| &*d.origin);
            return Some(ResumeTick::Unknown {
                reason: format!(
                    "the engine could not follow every path through the branches on `{origin}`"
                ),
            });
        }
        let reached: Vec<&(&PathRecord, BTreeSet<&Observed>)> = per_path
            .iter()
            .filter(|(_, seen)| !seen.is_empty())
            .collect();
        for (i, (a, seen_a)) in reached.iter().enumerate() {
            for (b, seen_b) in &reached[i + 1..] {
                if seen_a == seen_b {
                    continue;
                }
                let first_difference = a
                    .decisions
                    .iter()
                    .zip(&b.decisions)
                    .find(|(x, y)| x.at != y.at || x.taken != y.taken);
                if let Some((decision, _)) = first_difference {
                    let origin = decision.origin.to_string();
                    if !deciders.contains(&origin) {
                        deciders.push(origin);
                    }
                }
            }
        }
    }
    if deciders.is_empty() {
        return None;
    }
    let mut ticks: Vec<u32> = Vec::new();
    for (_, _, seen) in observed {
        match seen {
            Observed::AfterEntry(jobs) if *jobs != u32::MAX => ticks.push(*jobs),
            _ => {
                return Some(ResumeTick::Unknown {
                    reason: format!("varies with `{}`", deciders.join("` and `")),
                })
            }
        }
    }
    ticks.sort_unstable();
    ticks.dedup();
    Some(ResumeTick::Conditional {
        ticks,
        decided_by: deciders,
    })
}

/// What `record` saw of a site: its own observations, or for a subtree the
/// budget left, those its parent made before the decision it flips.
fn seen_by<'o>(record: &PathRecord, observed: &'o [PathObserved]) -> BTreeSet<&'o Observed> {
    let (path, before) = (
        read_path(record),
        record
            .shares
            .map_or(AFTER_EVERY_DECISION, |(_, before)| before),
    );
    observed
        .iter()
        .filter(|(p, decisions, _)| *p == path && (record.shares.is_none() || *decisions <= before))
        .map(|(_, _, seen)| seen)
        .collect()
}
