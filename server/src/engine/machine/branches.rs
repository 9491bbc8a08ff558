//! Branches on unknown conditions: a facts run explores both arms.
//!
//! An order run stops at a branch on a value the engine cannot see (the
//! printed order may depend on it). A facts run that explores paths
//! (`Paths::exploring`) takes a *decision* there instead: the next one of
//! its replay vector, or the default arm (truthy, not nullish), recorded
//! with the condition's source text. [`explore`] drives one segment of a
//! facts run (the program's own run, or one symbolic entry) depth first
//! over those decisions: each further path replays a recorded prefix with
//! its last new decision flipped, until every path ran or the budget
//! ([`MAX_PATHS`] a segment, a step budget for the whole facts run) is
//! spent. Each path's observations carry its id (`tick_observer.rs`), and
//! `function_ticks.rs` joins them: a tick is definite only when every path
//! agrees. The same unknown decides the same way within a path, so
//! `if (x) …; if (x) …` takes two paths, not four.
//!
//! A path past its budget of recorded decisions ([`MAX_BRANCHES_PER_PATH`])
//! goes on *inexact*: it takes the default arms without recording them, so
//! no other path ever explores their alternatives. What it observes from
//! there is not claimed (its observer is parked, and it counts as a path
//! that stopped: the join leaves unclaimed every site it did not reach
//! before), but the closures it creates exist, so the symbolic entries
//! enter them: a module that branches on unknowns hundreds of times before
//! its classes exist (three.js's builds) still gets facts for their
//! methods. The bindings it wrote past its budget may hold what an
//! unrecorded arm chose: at the entries they hold unknowns, except
//! functions and classes ([`Machine::end_inexact_path`]).

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::{Machine, Run, Step};
use crate::engine::bytecode::Op;
use crate::engine::promise::PromiseState;
use crate::engine::tick_observer::Observer;
use crate::engine::value::{ObjId, ObjKind, Value};
use crate::engine::Abstention;

/// Paths one segment (the program's run, one symbolic entry) explores, at most.
pub(crate) const MAX_PATHS: usize = 8;
/// Branches on unknowns one path records (loops included); past them it
/// goes on inexact.
const MAX_BRANCHES_PER_PATH: usize = 64;
/// Branches an inexact path takes unrecorded before it stops: a loop on an
/// unknown condition would otherwise spin until the step limit.
const MAX_UNRECORDED_BRANCHES: usize = 4_096;

/// One branch on an unknown, as a path took it.
#[derive(Clone, Debug)]
pub(crate) struct Decision {
    /// Where the branch is (the start of its op's span): a replay checks it.
    pub at: usize,
    /// The condition's source text.
    pub origin: Rc<str>,
    /// The arm taken: the condition was truthy (or, for `??` and `?.`, not nullish).
    pub taken: bool,
}

/// The decisions of the path a facts run follows now.
#[derive(Debug, Default)]
pub(crate) struct Paths {
    /// Branches on unknowns take decisions; otherwise they stop the run.
    pub exploring: bool,
    replay: Vec<(usize, bool)>,
    pub taken: Vec<Decision>,
    /// What this path decided of each unknown (truthy, nullish).
    truthy: HashMap<ObjId, bool>,
    nullish: HashMap<ObjId, bool>,
    branches: usize,
    /// The replay met a branch other than the recorded one: the path is
    /// not the one its prefix named (the machine's state changed under it).
    pub diverged: bool,
    /// Set once the path passed its budget of recorded decisions.
    inexact: Option<Inexact>,
    /// The promises of activations still pending when a path went inexact:
    /// when they settle may depend on arms it did not record, so their
    /// settling is not claimed (`joined_paths.rs`). Kept across paths.
    pub unclaimed_settles: std::collections::BTreeSet<ObjId>,
}

/// A path past its budget of recorded decisions.
#[derive(Debug)]
struct Inexact {
    /// Where it passed the budget.
    at: Abstention,
    /// The run's observer, parked until the path ends.
    observer: Option<Observer>,
    /// Each scope's bindings when it passed the budget.
    bindings: Vec<Vec<Option<Value>>>,
    /// The branches it met (where each is).
    met: HashSet<usize>,
}

impl Paths {
    /// A new path that replays `replay` (positions and arms), then takes defaults.
    pub fn start(&mut self, replay: Vec<(usize, bool)>) {
        *self = Paths {
            exploring: true,
            replay,
            unclaimed_settles: std::mem::take(&mut self.unclaimed_settles),
            ..Paths::default()
        };
    }
}

impl Machine<'_> {
    /// A jump op (`JumpIf*`) on an unknown condition with origin `origin`:
    /// while exploring, the path's decision picks the arm; otherwise the
    /// run stops there.
    pub(super) fn branch_on_unknown(&mut self, op: &Op, origin: &str) -> Run<Option<Step>> {
        let reason = format!("a branch on `{origin}`, which the engine cannot see");
        if !self.paths.exploring {
            return self.abstain(reason);
        }
        // The order run would stop here.
        self.see_past(reason)?;
        let value = self.pop();
        let nullish_test = matches!(op, Op::JumpIfNotNullishKeep(_));
        // The arm that jumps, and whether the jump keeps the value.
        let (target, jump_arm, keep) = match op {
            Op::JumpIfFalse(target) => (*target, false, false),
            Op::JumpIfTrue(target) => (*target, true, false),
            Op::JumpIfTrueKeep(target) => (*target, true, true),
            Op::JumpIfFalseKeep(target) => (*target, false, true),
            Op::JumpIfNotNullishKeep(target) => (*target, true, true),
            _ => return self.abstain("internal: not a conditional jump"),
        };
        // The arm that leaves a loop: a jump forward, or no jump back.
        let leaving = if target > self.frame().pc {
            jump_arm
        } else {
            !jump_arm
        };
        let arm = self.decide(value.as_object(), nullish_test, origin, leaving)?;
        if arm == jump_arm {
            if keep {
                self.push(value);
            }
            self.frame().pc = target;
        }
        Ok(Some(Step::Continue))
    }

    /// Whether an unknown iterator (`control_ops.rs`) from `origin` has
    /// another item: a decision of the path, each step a new one. By
    /// default it has none, so the first path runs the loop no turn and
    /// each further path one turn more.
    pub(crate) fn another_unknown_item(&mut self, origin: &str) -> Run<bool> {
        if !self.paths.exploring {
            return self.abstain(format!("iterating `{origin}`, which the engine cannot see"));
        }
        Ok(!self.decide(None, false, origin, true)?)
    }

    /// The arm this path takes on `unknown`: truthy (for `nullish_test`,
    /// not nullish), or `leaving` where an inexact path comes back to a
    /// branch (a loop). What the path decided of it before still holds.
    fn decide(
        &mut self,
        unknown: Option<ObjId>,
        nullish_test: bool,
        origin: &str,
        leaving: bool,
    ) -> Run<bool> {
        if let Some(known) = unknown.and_then(|id| self.decided(id, nullish_test)) {
            return Ok(known);
        }
        self.paths.branches += 1;
        if self.paths.branches > MAX_BRANCHES_PER_PATH {
            return self.decide_unrecorded(unknown, nullish_test, leaving);
        }
        let at = self.current_span().start;
        let index = self.paths.taken.len();
        let taken = match self.paths.replay.get(index) {
            _ if self.paths.diverged => true,
            Some(&(recorded, arm)) if recorded == at => arm,
            Some(_) => {
                self.paths.diverged = true;
                true
            }
            None => true,
        };
        if let Some(id) = unknown {
            if nullish_test {
                self.paths.nullish.insert(id, !taken);
            } else {
                self.paths.truthy.insert(id, taken);
            }
        }
        self.paths.taken.push(Decision {
            at,
            origin: Rc::from(origin),
            taken,
        });
        if let Some(observer) = &mut self.observer {
            observer.decisions = self.paths.taken.len();
        }
        Ok(taken)
    }

    /// Past the budget: the default arm, unrecorded (the path goes inexact
    /// at the first such branch), remembered for the same unknown; at a
    /// branch the inexact part met before, the arm that leaves the loop, so
    /// a loop on an unknown condition does not spin to the step limit.
    fn decide_unrecorded(
        &mut self,
        unknown: Option<ObjId>,
        nullish_test: bool,
        leaving: bool,
    ) -> Run<bool> {
        if self.paths.branches > MAX_BRANCHES_PER_PATH + MAX_UNRECORDED_BRANCHES {
            return self.abstain("too many branches on values the engine cannot see");
        }
        if self.paths.inexact.is_none() {
            let at = Abstention {
                reason: format!(
                    "more than {MAX_BRANCHES_PER_PATH} branches on values it cannot see"
                ),
                range: Some(self.current_span()),
            };
            let bindings = self
                .scopes
                .iter()
                .map(|scope| scope.vars.iter().map(|b| b.value.clone()).collect())
                .collect();
            let observer = self.observer.take();
            let outers = observer.iter().flat_map(|o| &o.outer_promises);
            for &(_, outer, ..) in outers {
                let pending = self
                    .promise_data(outer)
                    .is_some_and(|data| matches!(data.state, PromiseState::Pending));
                if pending {
                    self.paths.unclaimed_settles.insert(outer);
                }
            }
            self.paths.inexact = Some(Inexact {
                at,
                observer,
                bindings,
                met: HashSet::new(),
            });
        }
        let at = self.current_span().start;
        let again = self
            .paths
            .inexact
            .as_mut()
            .is_some_and(|inexact| !inexact.met.insert(at));
        let arm = !again || leaving;
        if let Some(id) = unknown {
            if nullish_test {
                self.paths.nullish.insert(id, !arm);
            } else {
                self.paths.truthy.insert(id, arm);
            }
        }
        Ok(arm)
    }

    /// Ends the path's inexact part, if it had one, and says where it
    /// began: the observer is back, and every binding written since holds
    /// an unknown named by the variable, unless it holds a function or a
    /// class (which the entries enter, as `symbolic_entries.rs` keeps them
    /// in `let` and `var`).
    pub(crate) fn end_inexact_path(&mut self) -> Option<Abstention> {
        let inexact = self.paths.inexact.take()?;
        if inexact.observer.is_some() {
            self.observer = inexact.observer;
        }
        for scope in 0..self.scopes.len() {
            for slot in 0..self.scopes[scope].vars.len() {
                let binding = &self.scopes[scope].vars[slot];
                let Some(now) = &binding.value else {
                    continue;
                };
                let before = inexact.bindings.get(scope).and_then(|vars| vars.get(slot));
                if before.is_some_and(|before| before.as_ref() == Some(now)) {
                    continue;
                }
                let function = now.as_object().is_some_and(|id| {
                    matches!(
                        self.heap[id].kind,
                        ObjKind::Closure { .. } | ObjKind::Class(_) | ObjKind::Native(_)
                    )
                });
                if !function {
                    let name = binding.name.clone();
                    let unknown = self.new_unknown(&name, false);
                    self.scopes[scope].vars[slot].value = Some(unknown);
                }
            }
        }
        Some(inexact.at)
    }

    /// What this path already decided of `id` (a truthy value is not
    /// nullish; a nullish one is falsy).
    fn decided(&self, id: ObjId, nullish_test: bool) -> Option<bool> {
        let truthy = self.paths.truthy.get(&id).copied();
        let nullish = self.paths.nullish.get(&id).copied();
        match (nullish_test, truthy, nullish) {
            (true, _, Some(nullish)) => Some(!nullish),
            (true, Some(true), _) => Some(true),
            (false, Some(truthy), _) => Some(truthy),
            (false, _, Some(true)) => Some(false),
            _ => None,
        }
    }
}

/// What one path's run left: its decisions, whether it ran to its end, the
/// steps it took.
pub(crate) struct PathRun {
    pub decisions: Vec<Decision>,
    pub complete: bool,
    pub steps: u64,
}

/// A path of an explored segment, as the join sees it.
#[derive(Clone, Debug)]
pub(crate) struct PathRecord {
    pub id: u32,
    pub decisions: Vec<Decision>,
    /// The path ran to its end (not stopped, not cut by the budget).
    pub complete: bool,
    /// A subtree the budget left unexplored: it shares the observations
    /// its parent path (`.0`) made before its `.1`-th decision.
    pub shares: Option<(u32, usize)>,
}

/// Steps that paths after a segment's first may take, for a whole facts run.
#[derive(Debug)]
pub(crate) struct Budget {
    pub steps_left: u64,
    next_id: u32,
}

impl Budget {
    pub fn new(steps: u64) -> Self {
        Budget {
            steps_left: steps,
            next_id: 0,
        }
    }

    /// A fresh path id (ids are unique within a facts run).
    pub fn path_id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    /// The last path id given (0 before the first).
    pub fn last_id(&self) -> u32 {
        self.next_id
    }

    /// Gives `count` path ids at once, to records made by an earlier run
    /// (`entry_cache.rs`); the first is `last_id() + 1` before the call.
    pub fn take_ids(&mut self, count: u32) {
        self.next_id += count;
    }
}

/// Runs a segment's paths depth first: `run(id, replay)` runs one path
/// (its first with an empty replay) and says what it decided. Returns every
/// path, the unexplored subtrees among them (incomplete, sharing their
/// parent's prefix). The first path's steps are not charged to the budget.
pub(crate) fn explore(
    budget: &mut Budget,
    mut run: impl FnMut(u32, Vec<(usize, bool)>) -> PathRun,
) -> Vec<PathRecord> {
    explore_with(budget, |_, id, replay| run(id, replay))
}

/// [`explore`], handing the budget to each path's run, which may explore
/// segments of its own (the functions a symbolic entry creates).
pub(crate) fn explore_with(
    budget: &mut Budget,
    mut run: impl FnMut(&mut Budget, u32, Vec<(usize, bool)>) -> PathRun,
) -> Vec<PathRecord> {
    let mut records: Vec<PathRecord> = Vec::new();
    // Subtrees still to run: the parent path, and the decisions that lead there.
    let mut pending: Vec<(u32, Vec<Decision>)> = Vec::new();
    let mut replay = Vec::new();
    loop {
        let id = budget.path_id();
        let forced = replay.len();
        let path = run(budget, id, replay);
        if !records.is_empty() {
            budget.steps_left = budget.steps_left.saturating_sub(path.steps);
        }
        for new in forced..path.decisions.len() {
            let mut alternative: Vec<Decision> = path.decisions[..=new].to_vec();
            alternative[new].taken = !alternative[new].taken;
            pending.push((id, alternative));
        }
        records.push(PathRecord {
            id,
            decisions: path.decisions,
            complete: path.complete,
            shares: None,
        });
        if records.len() >= MAX_PATHS || budget.steps_left == 0 {
            break;
        }
        match pending.pop() {
            Some((_, decisions)) => replay = decisions.iter().map(|d| (d.at, d.taken)).collect(),
            None => break,
        }
    }
    for (parent, decisions) in pending {
        let flipped = decisions.len() - 1;
        records.push(PathRecord {
            id: budget.path_id(),
            decisions,
            complete: false,
            shares: Some((parent, flipped)),
        });
    }
    records
}
