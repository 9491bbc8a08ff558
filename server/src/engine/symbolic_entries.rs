//! Every function from its own entry: after the program's own run, a facts
//! run enters each async function the program did not call, or handed to
//! code the engine cannot see, with unknown arguments and `this`
//! (`machine/unknowns.rs`). What that entry shows holds for any caller, so
//! `function_ticks.rs` merges it with the program's own calls (a tick only
//! when all agree). A function only the file calls keeps the facts of those
//! calls: its callers are all in the run. Functions a symbolic entry creates
//! (callbacks, nested functions) get their own entry in turn, from the state
//! the path that created them left; an async generator is driven with
//! `next()`. A caller may come at any time, so the variables the program can
//! still reassign (`let`, `var`) hold unknowns at the entries, except those
//! holding functions.
//!
//! Entries are independent: each path of each entry starts from the state
//! the program's run left (`machine/state_marks.rs` rolls the machine back),
//! so what an entry observes depends on the program's run and on the code
//! the entry runs, never on which entries ran before it. A later version of
//! the document reuses what an entry observed when those are unchanged
//! (`entry_cache.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use tree_sitter::Tree;

use super::bytecode::FuncId;
use super::entry_cache::{UnitLimits, UnitOutput, UnitRecord, Units};
use super::joined_paths::{finish_path, settle_observations, SettleSeen};
use super::machine::branches::{explore_with, Budget};
use super::machine::{Completion, Halt, Machine, Run, StateMark};
use super::scheduler::PhaseKind;
use super::tick_observer::Observer;
use super::value::{ObjKind, Value};
use crate::syntax::KindName;

/// `next()` calls that drive an async generator from its symbolic entry.
const GENERATOR_STEPS: usize = 4;
/// Functions entered symbolically, at most, in one run.
const MAX_ENTRIES: usize = 2_000;

/// What the symbolic entries saw.
#[derive(Default)]
pub(super) struct EntriesRun {
    /// Where each entry's run stopped, for the functions whose run stopped early.
    pub stops: BTreeMap<FuncId, Halt>,
    /// How each entered activation's promise settled, read before the
    /// machine was rolled back.
    pub settles: Vec<SettleSeen>,
    /// Activations each function had in the entries.
    pub counts: BTreeMap<FuncId, usize>,
}

/// Enters each async function (and each function that may create one) from
/// a symbolic entry, until no closure is left unentered. The machine ends
/// in the state the program's run left (its mutable bindings forgotten).
pub(super) fn run_symbolic_entries(
    machine: &mut Machine,
    source: &str,
    tree: &Tree,
    budget: &mut Budget,
    units: &mut Units,
) -> EntriesRun {
    mark_exports_escaped(machine);
    forget_mutable_state(machine);
    let nested = nested_async_functions(machine);
    let mut worth = worth_entering(machine, &nested);
    if let Some(observer) = machine.observer.as_ref() {
        for &(func, ..) in &observer.outer_promises {
            worth[func] = machine.escaped.contains(&func);
        }
    }
    skip_sync_functions_the_program_ran(machine, &nested, &mut worth);
    let mut entering = Entering {
        source,
        tree,
        worth,
        entered: BTreeSet::new(),
        count: 0,
        run: EntriesRun::default(),
        looked: None,
    };
    let mark = machine.mark_state();
    let closures = entering.new_closures(machine, 0);
    entering.enter_units(machine, &closures, &mark, budget, units);
    machine.roll_back_state(&mark);
    machine.unmark_state();
    entering.run
}

/// The entries' shared bookkeeping.
struct Entering<'a> {
    source: &'a str,
    tree: &'a Tree,
    /// Per function: worth a symbolic entry.
    worth: Vec<bool>,
    entered: BTreeSet<FuncId>,
    count: usize,
    run: EntriesRun,
    /// While a top-level entry runs: each closure its paths created, with
    /// whether it was worth entering and entered by that look.
    looked: Option<Vec<(FuncId, bool, bool)>>,
}

impl Entering<'_> {
    /// The closures on the heap from object `from` on whose functions are
    /// worth entering and not entered yet (one closure a function), now
    /// counted as entered.
    fn new_closures(&mut self, machine: &Machine, from: usize) -> Vec<(FuncId, usize)> {
        let mut found = Vec::new();
        for (id, object) in machine.heap.iter().enumerate().skip(from) {
            let ObjKind::Closure { func, .. } = object.kind else {
                continue;
            };
            let worth = self.worth[func];
            let entering = worth && self.entered.insert(func);
            if let Some(looked) = &mut self.looked {
                looked.push((func, worth, entering));
            }
            if entering {
                found.push((func, id));
            }
        }
        found
    }

    /// Enters each closure the program's run left, each of its paths from
    /// `mark`, or takes what its entry observed in the previous version
    /// when nothing it depended on changed (`entry_cache.rs`).
    fn enter_units(
        &mut self,
        machine: &mut Machine,
        closures: &[(FuncId, usize)],
        mark: &StateMark,
        budget: &mut Budget,
        units: &mut Units,
    ) {
        for &(func, closure) in closures {
            self.count += 1;
            if self.count > MAX_ENTRIES {
                return;
            }
            let first_id = budget.last_id() + 1;
            if let Some(record) = units.lookup(func, first_id) {
                if self.take_limits(&record, budget) {
                    if units.merges(&record) {
                        self.merge(machine, record.output());
                    }
                    units.reused += 1;
                    units.keep(record);
                    continue;
                }
            }
            units.run += 1;
            let before = std::mem::take(&mut self.run);
            let observed = take_observed(machine);
            machine.ran.start();
            let (steps, count) = (budget.steps_left, self.count);
            self.looked = Some(Vec::new());
            self.enter_one(machine, func, closure, mark, budget);
            let limits = UnitLimits {
                closures: self.looked.take().unwrap_or_default(),
                from_empty_budget: steps == 0,
                steps: steps - budget.steps_left,
                emptied_budget: steps > 0 && budget.steps_left == 0,
                first_id,
                ids: budget.last_id() + 1 - first_id,
                entries: self.count - count,
            };
            let run = std::mem::replace(&mut self.run, before);
            let output = UnitOutput {
                stops: run.stops,
                settles: run.settles,
                counts: run.counts,
                observed: take_observed(machine),
            };
            if let Some(observer) = machine.observer.as_mut() {
                *observer = merged_observed(std::mem::take(observer), observed);
            }
            if self.count <= MAX_ENTRIES {
                let ran = machine.ran.called.clone();
                let ran = ran.into_iter().map(|f| (f, units.key(f))).collect();
                if let Some(record) = UnitRecord::new(func, ran, limits, &output) {
                    units.keep(record);
                }
            }
            self.merge(machine, output);
        }
    }

    /// Whether a recorded entry would run as it did with the limits left
    /// now (the budget, the entries' cap, the closures entered so far); if
    /// so, takes from them what it took.
    fn take_limits(&mut self, record: &UnitRecord, budget: &mut Budget) -> bool {
        if self.count + record.entries > MAX_ENTRIES {
            return false;
        }
        let budget_fits = match budget.steps_left {
            0 => record.from_empty_budget,
            left => !record.from_empty_budget && !record.emptied_budget && left > record.steps,
        };
        if !budget_fits {
            return false;
        }
        let mut entering = BTreeSet::new();
        for &(func, worth, entered) in &record.closures {
            if self.worth.get(func) != Some(&worth) {
                return false;
            }
            let now = worth && !self.entered.contains(&func) && entering.insert(func);
            if now != entered {
                return false;
            }
        }
        self.entered.extend(entering);
        self.count += record.entries;
        budget.steps_left -= record.steps;
        budget.take_ids(record.ids);
        true
    }

    /// Adds what one top-level entry observed to the run's records.
    fn merge(&mut self, machine: &mut Machine, output: UnitOutput) {
        self.run.stops.extend(output.stops);
        self.run.settles.extend(output.settles);
        for (func, count) in output.counts {
            *self.run.counts.entry(func).or_default() += count;
        }
        if let Some(observer) = machine.observer.as_mut() {
            let mut observed = output.observed;
            observer.segments.append(&mut observed.segments);
            observer.absorb(observed);
        }
    }

    /// One top-level entry: the closure's paths from `mark`, where it stopped.
    fn enter_one(
        &mut self,
        machine: &mut Machine,
        func: FuncId,
        closure: usize,
        mark: &StateMark,
        budget: &mut Budget,
    ) {
        let params = parameter_names(self.source, self.tree, &machine.funcs[func].range);
        if let Some(halt) = self.enter_each_path(machine, closure, &params, mark, budget) {
            self.run.stops.insert(func, halt);
        }
    }

    /// Enters each closure, each of its paths from `mark`.
    fn enter_all(
        &mut self,
        machine: &mut Machine,
        closures: &[(FuncId, usize)],
        mark: &StateMark,
        budget: &mut Budget,
    ) {
        for &(func, closure) in closures {
            self.count += 1;
            if self.count > MAX_ENTRIES {
                return;
            }
            let params = parameter_names(self.source, self.tree, &machine.funcs[func].range);
            if let Some(halt) = self.enter_each_path(machine, closure, &params, mark, budget) {
                self.run.stops.insert(func, halt);
            }
        }
    }

    /// One symbolic entry per path through its branches on unknown
    /// conditions (`machine/branches.rs`), recorded as a segment when there
    /// are several, each path from `mark`; where the first path that
    /// stopped stopped.
    fn enter_each_path(
        &mut self,
        machine: &mut Machine,
        closure: usize,
        params: &[String],
        mark: &StateMark,
        budget: &mut Budget,
    ) -> Option<Halt> {
        let mut stop = None;
        let records = explore_with(budget, |budget, id, replay| {
            machine.roll_back_state(mark);
            machine.paths.start(replay);
            let outer_start = machine.observer.as_mut().map_or(0, |observer| {
                observer.path = id;
                observer.decisions = 0;
                observer.outer_promises.len()
            });
            let halt = enter(machine, closure, params).err();
            let complete = !matches!(halt, Some(Halt::Abstain(_))) && !machine.paths.diverged;
            if stop.is_none() {
                stop = halt;
            }
            let path = finish_path(machine, complete);
            self.settles_since(machine, outer_start);
            self.enter_created(machine, mark.heap, budget);
            path
        });
        if let (Some(observer), true) = (&mut machine.observer, records.len() > 1) {
            observer.segments.push(records);
        }
        stop
    }

    /// How the activations entered since the observer had `start` of them
    /// settled, read now, before the machine is rolled back; the observer
    /// forgets them (later entries make their promises' ids again).
    fn settles_since(&mut self, machine: &mut Machine, start: usize) {
        let Some(observer) = machine.observer.as_mut() else {
            return;
        };
        let mut seen = Observer::default();
        seen.outer_promises = observer.outer_promises.split_off(start);
        seen.outer_paths = observer.outer_paths.split_off(start);
        for &(func, ..) in &seen.outer_promises {
            *self.run.counts.entry(func).or_default() += 1;
        }
        self.run.settles.extend(settle_observations(machine, &seen));
    }

    /// Enters the closures a path created (heap objects from `from` on),
    /// from the state that path left, then returns to that state.
    fn enter_created(&mut self, machine: &mut Machine, from: usize, budget: &mut Budget) {
        let created = self.new_closures(machine, from);
        if created.is_empty() {
            return;
        }
        let mark = machine.mark_state();
        self.enter_all(machine, &created, &mark, budget);
        machine.roll_back_state(&mark);
        machine.unmark_state();
    }
}

/// Takes the observer's records of what ran (not its per-activation state,
/// which the run goes on using): an entry's are then its own.
fn take_observed(machine: &mut Machine) -> Observer {
    let mut taken = Observer::default();
    if let Some(observer) = machine.observer.as_mut() {
        taken.resumes = std::mem::take(&mut observer.resumes);
        taken.jobs_after_settle = std::mem::take(&mut observer.jobs_after_settle);
        taken.later_phases = std::mem::take(&mut observer.later_phases);
        taken.operand_kinds = std::mem::take(&mut observer.operand_kinds);
        taken.by_path = std::mem::take(&mut observer.by_path);
        taken.segments = std::mem::take(&mut observer.segments);
    }
    taken
}

/// `observer` with the records `taken` from it before put back (they came
/// first; `observer` holds none of them now).
fn merged_observed(mut observer: Observer, mut taken: Observer) -> Observer {
    observer.resumes = std::mem::take(&mut taken.resumes);
    observer.jobs_after_settle = std::mem::take(&mut taken.jobs_after_settle);
    observer.later_phases = std::mem::take(&mut taken.later_phases);
    observer.operand_kinds = std::mem::take(&mut taken.operand_kinds);
    observer.by_path = std::mem::take(&mut taken.by_path);
    observer.segments = std::mem::take(&mut taken.segments);
    observer
}

/// A CommonJS module's exports (`module.exports`, itself or its members)
/// are called by other modules with anything: they escape.
fn mark_exports_escaped(machine: &mut Machine) {
    let global = machine.global;
    let Some((scope, slot)) = machine.lookup(global, "module") else {
        return;
    };
    let Some(Value::Object(module)) = machine.scopes[scope].vars[slot].value.clone() else {
        return;
    };
    let Some(Value::Object(exports)) = machine.heap[module].get_own("exports").cloned() else {
        return;
    };
    let members = machine.heap[exports].props.iter().map(|(_, value)| value);
    let funcs: Vec<FuncId> = std::iter::once(&Value::Object(exports))
        .chain(members)
        .filter_map(|value| match &machine.heap[value.as_object()?].kind {
            ObjKind::Closure { func, .. } => Some(*func),
            _ => None,
        })
        .collect();
    machine.escaped.extend(funcs);
}

/// Every `let` and `var` binding whose value is not a function becomes an
/// unknown named by the variable: the program's run shows one moment of
/// them, a caller may find another.
fn forget_mutable_state(machine: &mut Machine) {
    for scope in 0..machine.scopes.len() {
        for slot in 0..machine.scopes[scope].vars.len() {
            let binding = &machine.scopes[scope].vars[slot];
            let keep = match &binding.value {
                None => true,
                Some(Value::Object(id)) => matches!(
                    machine.heap[*id].kind,
                    ObjKind::Closure { .. } | ObjKind::Class(_) | ObjKind::Native(_)
                ),
                Some(_) => false,
            };
            if binding.mutable && !keep {
                let name = binding.name.clone();
                let unknown = machine.new_unknown(&name, false);
                machine.scopes[scope].vars[slot].value = Some(unknown);
            }
        }
    }
}

/// A sync function is worth entering for the async closures only its run
/// creates; when the program's run created every one of them already, and
/// the function did not escape, entering it again would call what only the
/// file calls with unknown arguments and blur their ticks.
fn skip_sync_functions_the_program_ran(
    machine: &Machine,
    nested: &[Vec<FuncId>],
    worth: &mut [bool],
) {
    let created: BTreeSet<FuncId> = machine
        .heap
        .iter()
        .filter_map(|object| match object.kind {
            ObjKind::Closure { func, .. } => Some(func),
            _ => None,
        })
        .collect();
    for (func, code) in machine.funcs.iter().enumerate() {
        if !worth[func] || code.is_async || machine.escaped.contains(&func) {
            continue;
        }
        if nested[func].iter().all(|inner| created.contains(inner)) {
            worth[func] = false;
        }
    }
}

/// Per function: it is async, or its body holds an async function (which
/// only exists once it runs). Never the program's top level.
fn worth_entering(machine: &Machine, nested: &[Vec<FuncId>]) -> Vec<bool> {
    let mut worth: Vec<bool> = machine
        .funcs
        .iter()
        .zip(nested)
        .map(|(code, inner)| code.is_async || !inner.is_empty())
        .collect();
    worth[0] = false;
    worth
}

/// Per function, the async functions written inside its body, at any depth.
/// One sweep over the functions in source order with the stack of those
/// still open: a scan of every function per function took minutes on a
/// bundle of 200,000 functions (tests/pathological.rs).
fn nested_async_functions(machine: &Machine) -> Vec<Vec<FuncId>> {
    let funcs = &machine.funcs;
    let mut order: Vec<FuncId> = (0..funcs.len()).collect();
    order.sort_by_key(|&func| {
        (
            funcs[func].range.start,
            std::cmp::Reverse(funcs[func].range.end),
        )
    });
    let mut nested = vec![Vec::new(); funcs.len()];
    let mut open: Vec<FuncId> = Vec::new();
    for func in order {
        let range = &funcs[func].range;
        while open
            .last()
            .is_some_and(|&outer| funcs[outer].range.end < range.end)
        {
            open.pop();
        }
        if funcs[func].is_async {
            for &outer in &open {
                nested[outer].push(func);
            }
        }
        open.push(func);
    }
    nested
}

/// One symbolic entry: a fresh phase, unknown arguments and `this`, the jobs
/// it queues, then what settles at a time the engine cannot see.
fn enter(machine: &mut Machine, closure: usize, params: &[String]) -> Run<()> {
    machine.unhandled.clear();
    machine.microtasks.clear();
    machine.ticks.clear();
    machine.unknown_settlements.clear();
    machine.steps = 0;
    // Any caller: one in a job as much as the main script's first run.
    machine.start_phase_in_a_job(PhaseKind::IsolatedCall);
    let args = params
        .iter()
        .map(|name| machine.new_unknown(&format!("parameter `{name}`"), false))
        .collect();
    let this = machine.new_unknown("this", false);
    let completion = machine.call(&Value::Object(closure), this, args)?;
    if let Completion::Normal(result) = completion {
        let generator = result
            .as_object()
            .filter(|&id| matches!(machine.heap[id].kind, ObjKind::AsyncGenerator(_)));
        if generator.is_some() {
            let next = machine.get_property(&result, "next")?;
            for _ in 0..GENERATOR_STEPS {
                machine.call(&next, result.clone(), Vec::new())?;
            }
        }
    }
    machine.run_after_isolated_call()?;
    machine.settle_unknowns()
}

/// The names of a function's parameters, as written (a pattern's text for a
/// destructured one). A rest parameter gets no argument.
fn parameter_names(source: &str, tree: &Tree, range: &Range<usize>) -> Vec<String> {
    let Some(function) = tree
        .root_node()
        .descendant_for_byte_range(range.start, range.end)
    else {
        return Vec::new();
    };
    if let Some(single) = function.child_by_field_name("parameter") {
        return vec![source[single.byte_range()].to_owned()];
    }
    let Some(list) = function.child_by_field_name("parameters") else {
        return Vec::new();
    };
    let mut cursor = list.walk();
    list.named_children(&mut cursor)
        .filter(|param| !matches!(param.kind_name(), "comment" | "rest_pattern"))
        .map(|param| {
            let name = param.child_by_field_name("left").unwrap_or(param);
            source[name.byte_range()].to_owned()
        })
        .collect()
}
