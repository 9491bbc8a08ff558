//! The run as steps: each job or callback the scheduler model ran, in order, with its lane, the
//! code it ran and what it printed, and where the run stopped on what it cannot know.
//!
//! The steps are recorded by the same run `order` prints ([`explain_order`]): the machine
//! starts a step wherever it starts a job or callback (`scheduler.rs`, `node_io.rs`), the step
//! takes the range of the first function that step enters or resumes, and `print` adds the
//! printed line to the step that runs. `--explain`'s cause is the step's cause.

use std::ops::Range;
use std::rc::Rc;

use super::machine::Machine;
use super::{explain_order, Abstention, ModuleKind, OrderOutcome};

/// Where a step runs in Node's event loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lane {
    /// The synchronous main script or module body.
    Main,
    /// A `process.nextTick` callback (Node's `processTicksAndRejections`).
    NextTick,
    /// A microtask: a promise reaction (`then` handlers, `await` resumptions), a thenable's
    /// resolution, or a `queueMicrotask` callback.
    Microtask,
    /// A `setTimeout` or `setInterval` callback (libuv's timers phase).
    Timers,
    /// A `setImmediate` callback (libuv's check phase).
    Check,
    /// An I/O completion: a callback or a promise settling (libuv's poll phase).
    Io,
}

impl Lane {
    /// Every lane, in the order a turn of the loop visits them.
    pub const ALL: [Lane; 6] = [
        Lane::Main,
        Lane::NextTick,
        Lane::Microtask,
        Lane::Timers,
        Lane::Io,
        Lane::Check,
    ];

    /// Its name in the JSON output and in editors.
    pub fn name(self) -> &'static str {
        match self {
            Lane::Main => "main",
            Lane::NextTick => "nextTick",
            Lane::Microtask => "microtask",
            Lane::Timers => "timers",
            Lane::Check => "check",
            Lane::Io => "io",
        }
    }

    /// A short title, for people.
    pub fn title(self) -> &'static str {
        match self {
            Lane::Main => "synchronous",
            Lane::NextTick => "nextTick queue",
            Lane::Microtask => "microtasks",
            Lane::Timers => "timers phase",
            Lane::Check => "check phase",
            Lane::Io => "I/O (poll)",
        }
    }
}

/// A line the step printed, with the `console.log` call that printed it.
#[derive(Clone, Debug, PartialEq)]
pub struct StepPrint {
    pub text: String,
    /// The call's byte range.
    pub range: Range<usize>,
}

/// One job or callback the run ran.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub lane: Lane,
    /// For a microtask: its tick, the job generation within its drain (1: queued by the
    /// synchronous part of the phase, 2: queued by a tick-1 job, ...).
    pub tick: Option<u32>,
    /// What started it, as `--explain` says it ("tick 1: await resumes …").
    pub cause: String,
    /// The function the step entered or resumed first (the whole program for the main step);
    /// `None` for a job that runs no code of the file (a built-in's reaction).
    pub range: Option<Range<usize>>,
    pub printed: Vec<StepPrint>,
}

/// The run as steps, and how it ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    /// The steps every run of Node takes, in order: the whole run when the outcome is
    /// determined; otherwise the part before the engine stopped (at an I/O race, at an
    /// operation it does not model) and before the first module it cannot see was loaded.
    pub steps: Vec<Step>,
    /// What the run waits on when it stopped at an I/O race, in no fixed order
    /// ("I/O: `fs.readFile` at line 3", "setTimeout at line 5").
    pub waits: Vec<String>,
    /// Why the run stopped, when it did not run to the end (the waits' race, or an abstention).
    pub stopped: Option<Abstention>,
    /// The I/O calls the answer assumes succeed.
    pub assumptions: Vec<String>,
}

/// The timeline of running `source` as the main module: the same run [`explain_order`] makes.
pub fn timeline(source: &str, tree: &tree_sitter::Tree, module: ModuleKind) -> Timeline {
    let explained = explain_order(source, tree, module);
    let (steps, stopped) = match explained.outcome {
        OrderOutcome::Determined(_) => (explained.steps, None),
        OrderOutcome::Abstained(abstention) => (explained.steps, Some(abstention)),
    };
    Timeline {
        steps,
        waits: explained.waiting,
        stopped,
        assumptions: explained.assumptions,
    }
}

/// A step as the machine records it.
#[derive(Clone, Debug)]
pub(crate) struct Recorded {
    pub lane: Lane,
    pub tick: Option<u32>,
    pub cause: Rc<str>,
    pub range: Option<Range<usize>>,
    pub printed: Vec<StepPrint>,
}

impl Machine<'_> {
    /// A job or callback starts: its cause (read by `print` for `--explain`) and, when the run
    /// records steps, a new step.
    pub(crate) fn begin_step(&mut self, lane: Lane, tick: Option<u32>, cause: Rc<str>) {
        if let Some(steps) = &mut self.timeline {
            steps.push(Recorded {
                lane,
                tick,
                cause: cause.clone(),
                range: None,
                printed: Vec::new(),
            });
        }
        self.cause = cause;
    }

    /// The step that runs enters or resumes the function of `range`: the first one names it.
    pub(crate) fn step_enters(&mut self, range: &Range<usize>) {
        if let Some(step) = self.timeline.as_mut().and_then(|steps| steps.last_mut()) {
            if step.range.is_none() {
                step.range = Some(range.clone());
            }
        }
    }

    /// `print` adds its line to the step that runs.
    pub(crate) fn step_prints(&mut self, text: &str) {
        let range = self.current_span();
        if let Some(step) = self.timeline.as_mut().and_then(|steps| steps.last_mut()) {
            step.printed.push(StepPrint {
                text: text.to_owned(),
                range,
            });
        }
    }

    /// Notes how much has been recorded when the first unseen module loads: its code runs
    /// unseen, so only what ran before it is known to come first.
    pub(crate) fn mark_seen_until(&mut self) {
        if let Some(steps) = &self.timeline {
            let lines = steps.last().map_or(0, |step| step.printed.len());
            self.seen_until = Some((steps.len(), lines));
        }
    }

    /// The recorded steps, as the public shape.
    pub(crate) fn recorded_steps(&self) -> Vec<Step> {
        self.timeline
            .iter()
            .flatten()
            .map(|step| Step {
                lane: step.lane,
                tick: step.tick,
                cause: step.cause.to_string(),
                range: step.range.clone(),
                printed: step.printed.clone(),
            })
            .collect()
    }

    /// The recorded steps every run of Node takes first, in order: all of them, or those
    /// before the first unseen module loaded (the step that loaded it with the lines it
    /// printed before).
    pub(crate) fn determined_steps(&self) -> Vec<Step> {
        let mut steps = self.recorded_steps();
        if let Some((count, lines)) = self.seen_until {
            steps.truncate(count);
            if let Some(last) = steps.last_mut() {
                last.printed.truncate(lines);
            }
        }
        steps
    }
}
