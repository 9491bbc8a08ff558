//! The public per-function facts API (see `facts.rs` for what a tick is).
//!
//! Facts come from running the program with an observer: every activation
//! reports when each of its awaits resumed and when its outer promise
//! settled. Async functions the program never calls are then called once
//! each, with `undefined` arguments, after the program's own run. Awaits a
//! run never resumes are `Unknown`, except an await directly on a call to a
//! name the program does not define, which resumes one job after that call's
//! promise settles if it is a native promise (V8's await fast path).

use std::collections::{BTreeSet, HashSet};
use std::ops::Range;

use tree_sitter::Tree;

use super::facts::{Observed, Observer};
use super::machine::Machine;
use super::promise::PromiseState;
use super::value::{ObjKind, Value};
use super::ModuleKind;

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
    /// Not known; `reason` says why (varies between calls, never reached, ...).
    Unknown { reason: String },
}

/// When the function's outer promise settles (same shape as a resume tick).
pub type SettleTick = ResumeTick;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwaitFacts {
    /// Byte range of the `await_expression`.
    pub range: Range<usize>,
    pub resume: ResumeTick,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsyncFunctionFacts {
    /// Byte range of the function node.
    pub range: Range<usize>,
    pub name: String,
    pub awaits: Vec<AwaitFacts>,
    pub settles: SettleTick,
}

/// Facts for every async function in the program, in source order.
pub fn function_facts(source: &str, tree: &Tree, module: ModuleKind) -> Vec<AsyncFunctionFacts> {
    let Ok(mut machine) = super::prepare(source, tree, module) else {
        return Vec::new();
    };
    let mut observer = Observer::default();
    for code in &machine.funcs {
        for span in &code.awaits {
            let text = source.get(span.clone()).unwrap_or_default();
            let operand = text.trim_start_matches("await").trim().to_owned();
            observer.operand_text.insert(span.start, operand);
        }
    }
    machine.observer = Some(observer);
    let program_outcome = machine.run_program().err();
    run_uncalled_functions(&mut machine);
    let Some(observer) = machine.observer.take() else {
        return Vec::new();
    };
    let stop_reason = program_outcome.map(|halt| halt.to_string());
    // Collected on first need, once for all the awaits the run did not reach.
    let declared = std::cell::OnceCell::new();
    let mut facts = Vec::new();
    for (func, code) in machine.funcs.iter().enumerate() {
        if func == 0 || !code.is_async {
            continue;
        }
        let awaits = code
            .awaits
            .iter()
            .map(|span| {
                let observed = observer
                    .resumes
                    .get(&(func, span.start, span.end))
                    .cloned()
                    .unwrap_or_default();
                let resume = match summarize(&observed) {
                    Some(tick) => tick,
                    None => {
                        let declared = declared.get_or_init(|| declared_names(source, tree));
                        unseen_await(source, tree, declared, span, stop_reason.as_deref())
                    }
                };
                AwaitFacts {
                    range: span.clone(),
                    resume,
                }
            })
            .collect();
        facts.push(AsyncFunctionFacts {
            range: code.range.clone(),
            name: code.name.to_string(),
            awaits,
            settles: settle_tick(&machine, &observer, func),
        });
    }
    facts.sort_by_key(|f| f.range.start);
    facts
}

/// Calls each async closure the run created but never called, one by one.
fn run_uncalled_functions(machine: &mut Machine) {
    let Some(observer) = machine.observer.as_ref() else {
        return;
    };
    let entered: BTreeSet<usize> = observer.outer_promises.iter().map(|o| o.0).collect();
    let mut seen = BTreeSet::new();
    let closures: Vec<(usize, usize)> = machine
        .heap
        .iter()
        .enumerate()
        .filter_map(|(id, object)| match object.kind {
            ObjKind::Closure { func, .. } => Some((func, id)),
            _ => None,
        })
        .filter(|(func, _)| machine.funcs[*func].is_async && !entered.contains(func))
        .filter(|(func, _)| seen.insert(*func))
        .collect();
    for (_, closure) in closures {
        machine.unhandled.clear();
        machine.microtasks.clear();
        machine.ticks.clear();
        machine.steps = 0;
        let _ = machine
            .call(&Value::Object(closure), Value::Undefined, Vec::new())
            .and_then(|_| machine.run_after_isolated_call());
    }
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
            operand: operand.clone(),
            if_native_promise: *native_assumed,
        }),
    }
}

/// One tick if every observation agrees; `Unknown` if they differ.
fn summarize(observed: &[Observed]) -> Option<ResumeTick> {
    let first = observed.first()?;
    if observed.iter().any(|o| o != first) {
        return Some(ResumeTick::Unknown {
            reason: "varies between calls".to_owned(),
        });
    }
    Some(to_tick(first).unwrap_or(ResumeTick::Unknown {
        reason: "resumes after a timer or other macrotask".to_owned(),
    }))
}

/// An await no run resumed: on a call to unknown code, V8's fast path says
/// one job after that promise settles; otherwise unknown.
fn unseen_await(
    source: &str,
    tree: &Tree,
    declared: &HashSet<&str>,
    span: &Range<usize>,
    stop: Option<&str>,
) -> ResumeTick {
    let node = tree
        .root_node()
        .descendant_for_byte_range(span.start, span.end)
        .filter(|n| n.kind() == "await_expression");
    let operand = node.and_then(|n| n.named_child(0));
    if let Some(call) = operand.filter(|o| o.kind() == "call_expression") {
        let callee = call.child_by_field_name("function");
        let root_name = callee.map(|mut c| {
            while let Some(object) = c.child_by_field_name("object") {
                c = object;
            }
            c
        });
        if let Some(name) = root_name.filter(|n| n.kind() == "identifier") {
            let name = &source[name.byte_range()];
            if !GLOBALS.contains(&name) && !declared.contains(name) {
                return ResumeTick::AfterSettle {
                    jobs: 1,
                    operand: source[call.byte_range()].to_owned(),
                    if_native_promise: true,
                };
            }
        }
    }
    ResumeTick::Unknown {
        reason: match stop {
            Some(reason) => format!("not reached before the engine stopped: {reason}"),
            None => "never resumed in the modelled run".to_owned(),
        },
    }
}

/// Whether `name` is declared anywhere in the program (a rough, safe check).
/// Globals that are certainly defined (and not async functions of the program).
const GLOBALS: &[&str] = &[
    "Promise",
    "console",
    "process",
    "setTimeout",
    "setImmediate",
    "setInterval",
    "queueMicrotask",
    "Math",
    "Object",
    "Array",
    "String",
    "Number",
    "Boolean",
    "Error",
];

/// Every name the file declares: variables, functions, classes and parameters.
fn declared_names<'s>(source: &'s str, tree: &Tree) -> HashSet<&'s str> {
    let mut names = HashSet::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if matches!(
            node.kind(),
            "variable_declarator" | "function_declaration" | "class_declaration"
        ) {
            if let Some(name) = node.child_by_field_name("name") {
                names.insert(&source[name.byte_range()]);
            }
        }
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            let is_param = child.kind() == "identifier"
                && (matches!(node.kind(), "formal_parameters" | "arrow_function")
                    || node.kind().ends_with("pattern"));
            if is_param {
                names.insert(&source[child.byte_range()]);
            }
            stack.push(child);
        }
    }
    names
}

fn settle_tick(machine: &Machine, observer: &Observer, func: usize) -> SettleTick {
    let mut ticks = Vec::new();
    for &(f, outer, depth, instant) in &observer.outer_promises {
        if f != func {
            continue;
        }
        let settled = machine
            .promise_data(outer)
            .and_then(|data| match data.state {
                PromiseState::Pending => None,
                _ => data.settled_at,
            });
        ticks.push(match settled {
            Some((i, d)) if i == instant && d >= depth => Observed::AfterEntry(d - depth),
            _ => Observed::AfterEntry(u32::MAX),
        });
    }
    if ticks.is_empty() {
        return ResumeTick::Unknown {
            reason: "never called in the modelled run".to_owned(),
        };
    }
    if ticks.contains(&Observed::AfterEntry(u32::MAX)) && ticks.len() == 1 {
        return ResumeTick::Unknown {
            reason: "settles after a timer, unknown code, or never".to_owned(),
        };
    }
    summarize(&ticks).unwrap_or(ResumeTick::Unknown {
        reason: "not observed".to_owned(),
    })
}
