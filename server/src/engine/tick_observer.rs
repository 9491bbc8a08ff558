//! The tick observer: while the engine runs a program, it records when each
//! `await` of each async activation resumes and when its promise settles,
//! in ticks (`function_ticks.rs` summarises them per function).
//!
//! A *tick* is causal job depth. The synchronous run of a macrotask (the
//! main script, a timer or immediate callback, a nextTick callback) is depth
//! 0; a microtask job queued while something at depth d runs has depth d+1.
//! An await "resumes at tick N" when the job that resumes it is N levels
//! deeper than the job that entered the function. When the chain passes
//! through something the engine cannot see into (a timer, unknown code), the
//! count restarts from the moment that operand settled.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use super::bytecode::FuncId;
use super::scheduler::PhaseKind;
use super::value::ObjId;

/// Where a tick count starts.
#[derive(Debug, Clone)]
struct Anchor {
    /// `None`: the function's entry; `Some(text)`: the settling of that operand.
    operand: Option<Arc<str>>,
    native_assumed: bool,
    depth: u32,
    phase: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub(crate) enum Observed {
    AfterEntry(u32),
    AfterSettle {
        jobs: u32,
        /// The operand's text, shared by every observation of its await.
        operand: Arc<str>,
        native_assumed: bool,
    },
}

/// Collects what a run shows about async activations.
#[derive(Debug, Default)]
pub(crate) struct Observer {
    anchors: BTreeMap<usize, Anchor>,
    awaited: BTreeMap<usize, Awaited>,
    pub resumes: BTreeMap<(FuncId, usize, usize), Vec<Observed>>,
    /// Per await site, for each resumption: the jobs from the later of the
    /// awaited operand's settling and the start of the await, when both are
    /// in the resumption's phase and the operand is a native promise (or a
    /// plain value) the run could see. The count measuring-claims.md defines
    /// for "resumes k jobs after X settles".
    pub jobs_after_settle: BTreeMap<(FuncId, usize, usize), Vec<Option<u32>>>,
    /// Per await site, for each resumption: what started its phase, when
    /// that is a later phase than the activation's entry (`None` when it
    /// resumed in the entry's phase).
    pub later_phases: BTreeMap<(FuncId, usize, usize), Vec<Option<PhaseKind>>>,
    /// Each activation's entry phase (anchors move; this does not).
    entry_phases: BTreeMap<usize, usize>,
    /// Each activation's (function, outer promise, entry depth, entry phase).
    pub outer_promises: Vec<(FuncId, ObjId, u32, usize)>,
    pub entered_funcs: Vec<FuncId>,
    activation_funcs: BTreeMap<usize, FuncId>,
    /// Source text of await operands, by await range start.
    pub operand_text: BTreeMap<usize, Arc<str>>,
    /// Operands the facts run treated as unknown code.
    pub opaque_promises: BTreeMap<ObjId, String>,
    /// Per await site, (times its operand was a thenable that is not a native
    /// promise, times it was anything else).
    pub operand_kinds: BTreeMap<(FuncId, usize, usize), (u32, u32)>,
    /// The path the run follows now (`machine/branches.rs`), and how many
    /// decisions it has taken so far.
    pub path: u32,
    pub decisions: usize,
    /// Per await site, each resumption's (path, decisions taken before it, observation).
    pub by_path: BTreeMap<(FuncId, usize, usize), Vec<PathObserved>>,
    /// The path of each activation in `outer_promises`.
    pub outer_paths: Vec<u32>,
    /// The segments of the run that followed more than one path (the
    /// program's run, symbolic entries), for `joined_paths.rs`.
    pub segments: Vec<Vec<super::machine::branches::PathRecord>>,
    /// Open state marks (`machine/state_marks.rs`), innermost last.
    marks: Vec<ObserverMark>,
}

/// What a state mark needs to bring the observer's per-activation records
/// back: the activations at the mark (later ones are dropped), and the
/// records of earlier ones as they were before a write since the mark.
#[derive(Debug, Default)]
struct ObserverMark {
    activations: usize,
    saved: Vec<(usize, Option<Anchor>, Option<Awaited>)>,
}

/// One resumption, with the path that made it and the decisions that path
/// had taken before it (a subtree left unexplored shares those before its own).
pub(crate) type PathObserved = (u32, usize, Observed);

/// When a promise settled: (macrotask phase, job depth).
pub(crate) type SettledAt = Option<(usize, u32)>;

/// What an activation is suspended on.
#[derive(Debug, Clone)]
struct Awaited {
    promise: ObjId,
    span: Range<usize>,
    /// (phase, depth) at which the await started.
    started: (usize, u32),
    /// The operand is the awaited native promise itself. Otherwise it was a
    /// thenable adopted through its `then` (the awaited wrapper's settling is
    /// not the operand's) or a plain value, which does not settle.
    operand_is_promise: bool,
}

impl Observer {
    pub fn entered(
        &mut self,
        activation: usize,
        func: FuncId,
        outer: ObjId,
        depth: u32,
        phase: usize,
    ) {
        self.outer_promises.push((func, outer, depth, phase));
        self.outer_paths.push(self.path);
        self.anchors.insert(
            activation,
            Anchor {
                operand: None,
                native_assumed: false,
                depth,
                phase,
            },
        );
        self.activation_funcs.insert(activation, func);
        self.entry_phases.insert(activation, phase);
        self.entered_funcs.push(func);
    }

    /// An await at `span` suspends on `promise`; `thenable` when its operand
    /// was a thenable other than a native promise (adopted through its `then`).
    pub fn awaited(
        &mut self,
        activation: usize,
        span: Range<usize>,
        promise: ObjId,
        thenable: bool,
        operand_is_promise: bool,
        started: (usize, u32),
    ) {
        if let Some(&func) = self.activation_funcs.get(&activation) {
            let kinds = self
                .operand_kinds
                .entry((func, span.start, span.end))
                .or_default();
            if thenable {
                kinds.0 += 1;
            } else {
                kinds.1 += 1;
            }
        }
        self.save(activation);
        self.awaited.insert(
            activation,
            Awaited {
                promise,
                span,
                started,
                operand_is_promise,
            },
        );
    }

    pub fn awaited_promise(&self, activation: usize) -> Option<ObjId> {
        self.awaited.get(&activation).map(|a| a.promise)
    }

    /// Jobs from the later of the operand's settling and the await's start
    /// to this resumption, if both lie in the resumption's phase. `None` when
    /// the operand is not a native promise, and for code the run could not see.
    fn count_after_settle(
        &self,
        activation: usize,
        depth: u32,
        phase: usize,
        settled: SettledAt,
    ) -> Option<u32> {
        let awaited = self.awaited.get(&activation)?;
        if !awaited.operand_is_promise || self.opaque_promises.contains_key(&awaited.promise) {
            return None;
        }
        // Phases only grow, so (phase, depth) orders moments within a run.
        let (from_phase, from_depth) = settled?.max(awaited.started);
        (from_phase == phase && depth >= from_depth).then(|| depth - from_depth)
    }

    fn observe(
        &mut self,
        activation: usize,
        depth: u32,
        phase: usize,
        settled: SettledAt,
    ) -> Option<Observed> {
        let anchor = self.anchors.get(&activation)?.clone();
        if anchor.phase == phase && depth >= anchor.depth {
            let jobs = depth - anchor.depth;
            return Some(match anchor.operand {
                None => Observed::AfterEntry(jobs),
                Some(operand) => Observed::AfterSettle {
                    jobs,
                    operand,
                    native_assumed: anchor.native_assumed,
                },
            });
        }
        // Crossed a macrotask: count from the awaited operand's settling.
        let Awaited { promise, span, .. } = self.awaited.get(&activation)?.clone();
        let (settle_phase, settle_depth) = settled?;
        if settle_phase != phase || depth < settle_depth {
            return None;
        }
        let operand = self
            .operand_text
            .get(&span.start)
            .cloned()
            .unwrap_or_default();
        let native_assumed = self.opaque_promises.contains_key(&promise);
        self.save(activation);
        self.anchors.insert(
            activation,
            Anchor {
                operand: Some(operand.clone()),
                native_assumed,
                depth: settle_depth,
                phase,
            },
        );
        Some(Observed::AfterSettle {
            jobs: depth - settle_depth,
            operand,
            native_assumed,
        })
    }

    pub fn resumed(
        &mut self,
        activation: usize,
        span: Range<usize>,
        depth: u32,
        (phase, kind): (usize, PhaseKind),
        settled: SettledAt,
    ) {
        let Some(&func) = self.activation_funcs.get(&activation) else {
            return;
        };
        let key = (func, span.start, span.end);
        let later = self
            .entry_phases
            .get(&activation)
            .is_some_and(|&entry| entry != phase);
        self.later_phases
            .entry(key)
            .or_default()
            .push(later.then_some(kind));
        let after_settle = self.count_after_settle(activation, depth, phase, settled);
        self.jobs_after_settle
            .entry(key)
            .or_default()
            .push(after_settle);
        // Unknown: an impossible marker, so that it reads as varying.
        let observed = self
            .observe(activation, depth, phase, settled)
            .unwrap_or(Observed::AfterEntry(u32::MAX));
        let by_path = self.by_path.entry(key).or_default();
        by_path.push((self.path, self.decisions, observed.clone()));
        self.resumes.entry(key).or_default().push(observed);
    }

    /// Saves an earlier activation's records before a write, for the
    /// innermost mark's roll-back.
    fn save(&mut self, activation: usize) {
        let Some(mark) = self.marks.last_mut() else {
            return;
        };
        if activation < mark.activations {
            let anchor = self.anchors.get(&activation).cloned();
            let awaited = self.awaited.get(&activation).cloned();
            mark.saved.push((activation, anchor, awaited));
        }
    }

    /// A state mark with `activations` activations on the machine.
    pub fn mark(&mut self, activations: usize) {
        self.marks.push(ObserverMark {
            activations,
            saved: Vec::new(),
        });
    }

    /// Back to the innermost mark: the records of activations made since
    /// are dropped, those of earlier ones restored, and promises made since
    /// (ids from `heap` on) are no longer known as opaque.
    pub fn roll_back(&mut self, heap: usize) {
        let Some(mark) = self.marks.last_mut() else {
            return;
        };
        let activations = mark.activations;
        for (activation, anchor, awaited) in std::mem::take(&mut mark.saved).into_iter().rev() {
            match anchor {
                Some(anchor) => self.anchors.insert(activation, anchor),
                None => self.anchors.remove(&activation),
            };
            match awaited {
                Some(awaited) => self.awaited.insert(activation, awaited),
                None => self.awaited.remove(&activation),
            };
        }
        self.anchors.split_off(&activations);
        self.awaited.split_off(&activations);
        self.activation_funcs.split_off(&activations);
        self.entry_phases.split_off(&activations);
        self.opaque_promises.split_off(&heap);
    }

    /// Closes the innermost mark; what it saved stays for an outer roll-back.
    pub fn unmark(&mut self) {
        if let Some(inner) = self.marks.pop() {
            if let Some(outer) = self.marks.last_mut() {
                outer.saved.extend(inner.saved);
            }
        }
    }

    /// Adds what another machine's run of the same program saw (another
    /// path of the program's own run) to these observations.
    pub fn absorb(&mut self, other: Observer) {
        for (key, observed) in other.resumes {
            self.resumes.entry(key).or_default().extend(observed);
        }
        for (key, observed) in other.by_path {
            self.by_path.entry(key).or_default().extend(observed);
        }
        for (key, counts) in other.jobs_after_settle {
            self.jobs_after_settle
                .entry(key)
                .or_default()
                .extend(counts);
        }
        for (key, kinds) in other.later_phases {
            self.later_phases.entry(key).or_default().extend(kinds);
        }
        for (key, (thenables, others)) in other.operand_kinds {
            let kinds = self.operand_kinds.entry(key).or_default();
            kinds.0 += thenables;
            kinds.1 += others;
        }
    }
}
