//! How many promise jobs the common await and wrapper shapes cost, as the
//! engine's own promise model (`promise.rs`, `promise_subclass.rs`) answers.
//!
//! Rules and insights state counts in prose ("resumes one job later", "one
//! or two jobs earlier"). They take the numbers from here, so a change to the
//! promise model changes every message with it and no count lives twice.
//! Each number comes from running a tiny closed program through the engine
//! and reading when its `probe` function's only `await` resumed, counted
//! from the probe's entry. The awaited promise `p` is settled before the
//! probe is entered, so "after entry" is also "after `p` settles".

use std::sync::OnceLock;

use super::tick_observer::{Observed, Observer};
use super::ModuleKind;
use crate::syntax;

/// Jobs from the moment an `await` starts (or its operand settles, if
/// later) to the job that resumes it, and what wrappers add.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobCounts {
    /// `await null`, or any value that is not a thenable (ECMA-262 Await:
    /// `PromiseResolve` wraps it in a settled promise, one reaction job).
    pub await_plain_value: u32,
    /// `await p` with `p` a settled native `Promise` (V8's fast path: no
    /// wrapper, one reaction job).
    pub await_native_promise: u32,
    /// `await { then(r) { r() } }`: a NewPromiseResolveThenableJob calls
    /// `then`, and the `resolve` it calls queues the reaction.
    pub await_thenable: u32,
    /// `await new Sub(...)` with `class Sub extends Promise {}`: its
    /// `constructor` is not `%Promise%`, so `PromiseResolve` treats it as a
    /// thenable, and its `then` adds a reaction of its own.
    pub await_promise_subclass: u32,
    /// The awaiter of `async () => { return p }`, `p` settled and native:
    /// returning a promise resolves the outer promise with a thenable.
    pub awaiter_of_return_promise: u32,
    /// The awaiter of `async () => { return await p }`.
    pub awaiter_of_return_await: u32,
    /// `new Promise((resolve) => resolve(p))` settles this many jobs after `p`.
    pub wrapper_resolve_settles_after: u32,
    /// `new Promise((resolve, reject) => p.then(resolve, reject))` settles
    /// this many jobs after `p`.
    pub wrapper_then_settles_after: u32,
}

impl JobCounts {
    /// Extra jobs `return p` costs the awaiter over `return await p`.
    pub fn return_promise_extra_jobs(&self) -> u32 {
        self.awaiter_of_return_promise
            .saturating_sub(self.awaiter_of_return_await)
    }
}

const PLAIN_VALUE: &str = "async function probe() { await null; }\nprobe();";
const NATIVE_PROMISE: &str =
    "const p = Promise.resolve();\nasync function probe() { await p; }\nprobe();";
const THENABLE: &str =
    "async function probe() { await { then(resolve) { resolve(); } }; }\nprobe();";
const PROMISE_SUBCLASS: &str = "class Sub extends Promise {}\n\
     async function probe() { await new Sub((resolve) => resolve()); }\nprobe();";
const RETURN_PROMISE: &str = "const p = Promise.resolve();\n\
     const inner = async () => { return p; };\n\
     async function probe() { await inner(); }\nprobe();";
const RETURN_AWAIT: &str = "const p = Promise.resolve();\n\
     const inner = async () => { return await p; };\n\
     async function probe() { await inner(); }\nprobe();";
const WRAPPER_RESOLVE: &str = "const p = Promise.resolve();\n\
     async function probe() { await new Promise((resolve) => resolve(p)); }\nprobe();";
const WRAPPER_THEN: &str = "const p = Promise.resolve();\n\
     async function probe() { await new Promise((resolve, reject) => p.then(resolve, reject)); }\n\
     probe();";

/// The probe programs by name, for tests that run them under Node.
pub const PROBES: [(&str, &str); 8] = [
    ("await_plain_value", PLAIN_VALUE),
    ("await_native_promise", NATIVE_PROMISE),
    ("await_thenable", THENABLE),
    ("await_promise_subclass", PROMISE_SUBCLASS),
    ("awaiter_of_return_promise", RETURN_PROMISE),
    ("awaiter_of_return_await", RETURN_AWAIT),
    ("wrapper_resolve", WRAPPER_RESOLVE),
    ("wrapper_then", WRAPPER_THEN),
];

/// The counts, measured once per process on the engine's promise model.
pub fn job_counts() -> &'static JobCounts {
    static COUNTS: OnceLock<JobCounts> = OnceLock::new();
    COUNTS.get_or_init(|| {
        // The programs are constants, so a failure is an engine bug, which
        // the unit tests below catch before any user sees it.
        let measure = |program| {
            probe_resume_jobs(program)
                .unwrap_or_else(|| panic!("the engine cannot run its own probe:\n{program}"))
        };
        let await_native_promise = measure(NATIVE_PROMISE);
        JobCounts {
            await_plain_value: measure(PLAIN_VALUE),
            await_native_promise,
            await_thenable: measure(THENABLE),
            await_promise_subclass: measure(PROMISE_SUBCLASS),
            awaiter_of_return_promise: measure(RETURN_PROMISE),
            awaiter_of_return_await: measure(RETURN_AWAIT),
            // The probe's own await of the wrapper costs what an await of a
            // native promise costs; the rest is the wrapper's.
            wrapper_resolve_settles_after: measure(WRAPPER_RESOLVE)
                .saturating_sub(await_native_promise),
            wrapper_then_settles_after: measure(WRAPPER_THEN).saturating_sub(await_native_promise),
        }
    })
}

/// Runs `program` (CommonJS) and returns how many jobs after its entry the
/// only `await` of the function named `probe` resumed, if the run finished
/// and every resumption agrees. Reads the observer directly, not
/// `function_facts`, whose fallbacks for unseen awaits use these counts.
pub fn probe_resume_jobs(program: &str) -> Option<u32> {
    let tree = syntax::parse(program, None);
    let mut machine = super::prepare(program, &tree, ModuleKind::CommonJs).ok()?;
    let probe = machine
        .funcs
        .iter()
        .position(|code| &*code.name == "probe" && code.awaits.len() == 1)?;
    machine.observer = Some(Observer::default());
    machine.run_program().ok()?;
    let observer = machine.observer.take()?;
    let mut observed = observer
        .resumes
        .iter()
        .filter(|((func, ..), _)| *func == probe)
        .flat_map(|(_, seen)| seen.iter());
    let first = observed.next()?;
    if observed.any(|o| o != first) {
        return None;
    }
    match first {
        Observed::AfterEntry(jobs) if *jobs != u32::MAX => Some(*jobs),
        _ => None,
    }
}

/// `one`, `two`, `three` … for counts in prose, digits from ten on.
pub fn count_word(n: u32) -> String {
    const WORDS: [&str; 10] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    WORDS
        .get(n as usize)
        .map_or_else(|| n.to_string(), |w| (*w).to_owned())
}

#[cfg(test)]
#[path = "job_counts_tests.rs"]
mod tests;
