//! Node 24's queues and event loop around V8's microtask queue.
//!
//! - Microtasks (V8): `PromiseReaction`, `ResolveThenable` and
//!   `queueMicrotask` jobs, FIFO, drained to empty once started.
//! - The nextTick queue (Node): at every checkpoint Node's
//!   `processTicksAndRejections` runs ALL queued ticks, then drains ALL
//!   microtasks, repeating while either has work; then it reports unhandled
//!   rejections, which crash the process under Node 24's default
//!   `--unhandled-rejections=throw`.
//! - The event loop (libuv): timers phase, poll (I/O completions, whose
//!   turn is unknown: `node_io.rs`), check phase (immediates), with a
//!   checkpoint after every callback.
//!
//! Real elapsed time is unknown, so the loop runs on virtual milliseconds and
//! abstains wherever real time could change the order (see `TIMER_DRIFT_MS`).

use std::collections::VecDeque;
use std::rc::Rc;

use super::machine::{Completion, Halt, Machine, Run};
use super::promise::Reaction;
use super::timeline::Lane;
use super::value::{ObjId, ObjKind, Value};
use super::ModuleKind;

/// How far real time may run ahead of the engine's virtual clock between two
/// moments at which timers are created. Orders that a smaller drift could
/// flip are reported as undetermined.
pub(crate) const TIMER_DRIFT_MS: f64 = 50.0;
/// The same bound for two timers created in one synchronous run with at most
/// [`SAME_RUN_STEPS`] engine steps between them. Measured on Node 24
/// (scripts/measure-timer-drift.sh, 450 fresh processes, half with two extra
/// busy loops on a 2-core machine already at load 3): two adjacent
/// `setTimeout` calls were at most 11.9 ms apart (median 0.06 ms, a
/// preempted process), 1,000 loop iterations between them at most 4.5 ms;
/// 10,000 iterations reached 42 ms, so longer gaps keep `TIMER_DRIFT_MS`.
pub(crate) const SAME_RUN_DRIFT_MS: f64 = 20.0;
/// Engine steps between two timer creations that still count as adjacent
/// (1,000 iterations of the measured loop are about 15,000 steps).
pub(crate) const SAME_RUN_STEPS: u64 = 2_000;
/// Node clamps delays outside [1, 2^31 - 1] to 1 ms.
const TIMEOUT_MAX: f64 = 2_147_483_647.0;
const MACROTASK_LIMIT: usize = 10_000;

#[derive(Debug)]
pub(crate) enum JobKind {
    Reaction {
        reaction: Reaction,
        argument: Value,
    },
    ResolveThenable {
        promise: ObjId,
        thenable: Value,
        then: Value,
    },
    Microtask {
        callback: Value,
    },
    /// One of the jobs Node's own JavaScript runs before a built-in's promise settles (the
    /// awaits inside `fs.promises.readFile`): the last of `after` such jobs fulfils `promise`.
    /// They run none of the program's code, so the timeline draws no step for them.
    Settle {
        promise: ObjId,
        value: Value,
        after: u32,
    },
}

/// One entry of V8's microtask queue.
#[derive(Debug)]
pub(crate) struct Job {
    pub kind: JobKind,
    /// Causal depth: one more than the job (or macrotask, depth 0) that queued it.
    pub depth: u32,
    pub cause: Rc<str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimerKind {
    Timeout,
    Interval,
    Immediate,
}

/// A function with the arguments it is to be called with: a queued
/// `process.nextTick` callback, or a timer's.
#[derive(Debug, Clone)]
pub(crate) struct Callback {
    pub function: Value,
    pub args: Vec<Value>,
}

#[derive(Debug, Clone)]
pub(crate) struct Timer {
    pub kind: TimerKind,
    pub callback: Callback,
    pub delay: f64,
    /// Virtual time at which it expires.
    pub due: f64,
    /// Which macrotask created it (timers created together share a start time).
    pub instant: usize,
    pub seq: usize,
    pub line: usize,
    pub handle: ObjId,
    pub active: bool,
    /// How many times an interval has been re-armed.
    pub rearms: usize,
    /// The machine's step count when the timer was created or re-armed.
    pub created_step: u64,
    /// Unref'd (`AbortSignal.timeout`): it fires while the loop runs, but does not keep it
    /// running.
    pub unref: bool,
}

/// What started a phase (see [`EventLoop::phase`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub(crate) enum PhaseKind {
    /// The main script or module body, and its drain.
    #[default]
    Main,
    /// nextTick callbacks Node ran once the microtask queue was empty
    /// (`processTicksAndRejections`), and the drain after them.
    NextTick,
    /// A `setTimeout` or `setInterval` callback (libuv's timers phase).
    Timer,
    /// A `setImmediate` callback (libuv's check phase).
    Immediate,
    /// An I/O completion: a promise settling or a callback running (libuv's poll phase,
    /// `node_io.rs`).
    Io,
    /// A facts-only call of a function the program never calls.
    IsolatedCall,
    /// Facts only: a promise resolved with a value the engine cannot see
    /// settles (`machine/unknowns.rs`).
    UnknownSettles,
}

/// The event loop's clock and pending callbacks.
#[derive(Debug, Default, Clone)]
pub(crate) struct EventLoop {
    pub timers: Vec<Timer>,
    pub immediates: VecDeque<usize>,
    pub now: f64,
    pub instant: usize,
    /// Which phase runs: one synchronous start (the main script, a timer or
    /// immediate callback, or a batch of nextTick callbacks run after a
    /// microtask drain) and the drain that follows it. Ticks count job
    /// generations within one phase; a later phase is never a tick number.
    pub phase: usize,
    /// What started each phase after the first (phase 0 is [`PhaseKind::Main`]).
    later_phase_kinds: Vec<PhaseKind>,
    /// Whether the microtask queue was drained since the phase began: the
    /// nextTick callbacks that run next start a phase of their own.
    drained: bool,
    pub seq: usize,
    macrotasks: usize,
    /// I/O calls whose completion is still to run, in the order they were started (`node_io.rs`).
    pub io: Vec<super::node_io::PendingIo>,
    /// The completions that ran: the answer assumes each call succeeded.
    pub io_completed: Vec<String>,
    /// Set when the run stops because something races a pending completion.
    pub io_race: Option<super::node_io::IoRace>,
}

impl Machine<'_> {
    /// `setTimeout`/`setInterval`/`setImmediate`: registers and returns the handle.
    pub fn add_timer(&mut self, kind: TimerKind, args: Vec<Value>) -> Run<Value> {
        let mut args = args.into_iter();
        let callback = args.next().unwrap_or(Value::Undefined);
        if !self.is_callable(&callback) {
            return self.abstain("a timer callback that is not a function (a TypeError)");
        }
        let delay = if kind == TimerKind::Immediate {
            0.0
        } else {
            let raw = args.next().unwrap_or(Value::Undefined);
            let delay = self.to_number(&raw)?;
            if !(1.0..=TIMEOUT_MAX).contains(&delay) {
                1.0
            } else if delay.fract() != 0.0 {
                return self.abstain("fractional timer delays are not modelled");
            } else {
                delay
            }
        };
        let handle = self.alloc(ObjKind::TimerHandle(self.event_loop.timers.len()));
        let line = self.line_of(self.current_span().start);
        let event_loop = &mut self.event_loop;
        event_loop.seq += 1;
        event_loop.timers.push(Timer {
            kind,
            callback: Callback {
                function: callback,
                args: args.collect(),
            },
            delay,
            due: event_loop.now + delay,
            instant: event_loop.instant,
            seq: event_loop.seq,
            line,
            handle,
            active: true,
            rearms: 0,
            created_step: self.steps,
            unref: false,
        });
        let index = event_loop.timers.len() - 1;
        if kind == TimerKind::Immediate {
            event_loop.immediates.push_back(index);
        }
        Ok(Value::Object(handle))
    }

    pub fn clear_timer(&mut self, handle: &Value) {
        let Some(id) = handle.as_object() else {
            return;
        };
        if let ObjKind::TimerHandle(index) = self.heap[id].kind {
            if let Some(timer) = self.event_loop.timers.get_mut(index) {
                timer.active = false;
            }
        }
    }

    /// Runs the program: the main module, its checkpoint, then the event loop.
    pub fn run_program(&mut self) -> Run<()> {
        self.begin_step(Lane::Main, None, Rc::from("sync"));
        match self.module {
            ModuleKind::CommonJs => {
                let exports = self.alloc(ObjKind::Plain);
                self.install_commonjs_wrapper(Value::Object(exports));
                if let Completion::Throw(_) = self.run_top_level(Value::Object(exports))? {
                    return Err(Halt::Crash("uncaught exception".into()));
                }
            }
            ModuleKind::EsModule => {
                // Node evaluates an ES module from inside V8's microtask
                // processing, so jobs the body queues run before any nextTick.
                let outcome = self.run_top_level(Value::Undefined)?;
                self.drain_microtasks()?;
                if let Completion::Normal(Value::Object(outer)) = outcome {
                    if matches!(
                        self.promise_data(outer).map(|p| &p.state),
                        Some(super::promise::PromiseState::Rejected(_))
                    ) {
                        return self.abstain_at(
                            "an ES module whose evaluation throws is not modelled",
                            0..0,
                        );
                    }
                    // The module's own promise is the loader's business.
                    self.unhandled.retain(|p| *p != outer);
                }
            }
        }
        self.checkpoint()?;
        self.event_loop()
    }

    /// V8's microtask checkpoint: run jobs until the queue is empty.
    pub fn drain_microtasks(&mut self) -> Run<()> {
        self.event_loop.drained = true;
        while let Some(job) = self.microtasks.pop_front() {
            self.depth = job.depth;
            // Node's own jobs run none of the program's code: no step of the timeline.
            if !matches!(job.kind, JobKind::Settle { .. }) {
                let cause = Rc::from(format!("tick {}: {}", job.depth, job.cause).as_str());
                self.begin_step(Lane::Microtask, Some(job.depth), cause);
            }
            match job.kind {
                JobKind::Settle {
                    promise,
                    value,
                    after,
                } => self.run_settle(promise, value, after, job.cause),
                JobKind::Reaction { reaction, argument } => {
                    self.run_reaction(reaction, argument)?
                }
                JobKind::ResolveThenable {
                    promise,
                    thenable,
                    then,
                } => self.run_resolve_thenable(promise, thenable, then)?,
                JobKind::Microtask { callback } => {
                    if let Completion::Throw(_) =
                        self.call(&callback, Value::Undefined, Vec::new())?
                    {
                        return Err(Halt::Crash("uncaught exception in a microtask".into()));
                    }
                }
            }
        }
        self.depth = 0;
        Ok(())
    }

    /// One of Node's own jobs before a built-in's promise settles: queues the next, or settles.
    fn run_settle(&mut self, promise: ObjId, value: Value, after: u32, cause: Rc<str>) {
        if after > 1 {
            let next = JobKind::Settle {
                promise,
                value,
                after: after - 1,
            };
            self.enqueue(next, cause);
        } else {
            self.fulfill_promise(promise, value);
        }
    }

    /// Node's `processTicksAndRejections` (lib/internal/process/task_queues.js).
    pub fn checkpoint(&mut self) -> Run<()> {
        loop {
            // After the CommonJS main script or a timer, Node runs the
            // nextTick queue before the first drain, so those callbacks
            // belong to the phase's synchronous part (generation 0). Ticks
            // queued by microtasks run once the queue is empty: a new phase.
            if !self.ticks.is_empty() && self.event_loop.drained {
                self.start_phase(PhaseKind::NextTick);
            }
            while let Some(Callback { function, args }) = self.ticks.pop_front() {
                self.depth = 0;
                self.begin_step(Lane::NextTick, None, Rc::from("nextTick queue"));
                if let Completion::Throw(_) = self.call(&function, Value::Undefined, args)? {
                    return Err(Halt::Crash("uncaught exception in a nextTick".into()));
                }
            }
            self.drain_microtasks()?;
            if self.ticks.is_empty() {
                if !self.unhandled.is_empty() {
                    return Err(Halt::Crash("unhandled promise rejection".into()));
                }
                if self.microtasks.is_empty() {
                    return Ok(());
                }
            }
        }
    }

    /// A new synchronous start: job generations count from 0 again, and no
    /// tick count carries over from the phase before.
    pub fn start_phase(&mut self, kind: PhaseKind) {
        self.event_loop.phase += 1;
        self.event_loop.later_phase_kinds.push(kind);
        self.event_loop.drained = false;
        self.depth = 0;
    }

    /// A phase that starts as if inside a microtask job: a nextTick it
    /// queues runs in a later phase, after the queue drains (symbolic entries).
    pub fn start_phase_in_a_job(&mut self, kind: PhaseKind) {
        self.start_phase(kind);
        self.event_loop.drained = true;
    }

    /// What started the phase that runs now.
    pub fn phase_kind(&self) -> PhaseKind {
        self.kind_of_phase(self.event_loop.phase)
    }

    /// What started phase number `phase` of this run.
    pub fn kind_of_phase(&self, phase: usize) -> PhaseKind {
        match phase.checked_sub(1) {
            None => PhaseKind::Main,
            Some(later) => self
                .event_loop
                .later_phase_kinds
                .get(later)
                .copied()
                .unwrap_or_default(),
        }
    }

    /// After a facts-only call of a function in isolation: finish its jobs.
    pub fn run_after_isolated_call(&mut self) -> Run<()> {
        self.checkpoint()?;
        self.event_loop()
    }

    pub(crate) fn count_macrotask(&mut self, kind: PhaseKind) -> Run<()> {
        self.event_loop.macrotasks += 1;
        self.event_loop.instant += 1;
        self.start_phase(kind);
        if self.event_loop.macrotasks > MACROTASK_LIMIT {
            return self.abstain_at("step limit reached (too many timer callbacks)", 0..0);
        }
        Ok(())
    }

    fn event_loop(&mut self) -> Run<()> {
        loop {
            let phase_instant = self.event_loop.instant;
            self.timers_phase()?;
            self.poll_phase()?;
            let pending: Vec<usize> = std::mem::take(&mut self.event_loop.immediates)
                .into_iter()
                .filter(|i| self.event_loop.timers[*i].active)
                .collect();
            if !pending.is_empty() {
                self.check_no_racing_timer(phase_instant)?;
                self.check_phase(pending)?;
                continue;
            }
            // Only ref'd timers and I/O keep the loop alive (libuv's `uv_loop_alive`).
            let alive = self
                .event_loop
                .timers
                .iter()
                .any(|t| t.active && t.kind != TimerKind::Immediate && !t.unref);
            if !alive && self.event_loop.io.is_empty() {
                return Ok(());
            }
            // Poll: nothing else to do, so libuv sleeps until the next timer.
            let next = self
                .event_loop
                .timers
                .iter()
                .filter(|t| t.active && t.kind != TimerKind::Immediate)
                .map(|t| t.due)
                .fold(f64::INFINITY, f64::min);
            if next.is_infinite() {
                if self.event_loop.io.is_empty() {
                    return Ok(());
                }
                // A completion started I/O: libuv waits for it in the next poll phase.
                continue;
            }
            self.event_loop.now = self.event_loop.now.max(next);
        }
    }

    /// Before immediates run: a timer created earlier whose expiry is close
    /// to now may already have expired in real time, and then Node would have
    /// run it before these immediates (the classic `setTimeout(f, 0)` vs
    /// `setImmediate(g)` race in the main module).
    fn check_no_racing_timer(&self, phase_instant: usize) -> Run<()> {
        let now = self.event_loop.now;
        let racing = self.event_loop.timers.iter().find(|t| {
            t.active
                && t.kind != TimerKind::Immediate
                && t.instant <= phase_instant
                && t.due <= now + TIMER_DRIFT_MS
        });
        match racing {
            Some(timer) => self.abstain_at(
                format!(
                    "whether the timer from line {} fires before the pending setImmediate \
                     callbacks depends on elapsed real time (Node does not fix this order)",
                    timer.line
                ),
                0..0,
            ),
            None => Ok(()),
        }
    }

    fn timers_phase(&mut self) -> Run<()> {
        // (seq, due) of the timers this phase has run, as they were when run.
        let mut ran: Vec<(usize, f64)> = Vec::new();
        loop {
            let now = self.event_loop.now;
            let next = self
                .event_loop
                .timers
                .iter()
                .enumerate()
                .filter(|(_, t)| t.active && t.kind != TimerKind::Immediate && t.due <= now)
                .min_by(|(_, a), (_, b)| a.due.total_cmp(&b.due).then(a.seq.cmp(&b.seq)))
                .map(|(i, _)| i);
            let Some(index) = next else {
                return Ok(());
            };
            self.check_timer_order(index)?;
            self.check_still_in_this_phase(index, &ran)?;
            let timer = &self.event_loop.timers[index];
            ran.push((timer.seq, timer.due));
            self.run_timer(index)?;
        }
    }

    /// A later timer of the same phase runs before the immediates queued
    /// meanwhile only if it had expired when the phase began. Node checks each
    /// timer against the loop time (timers.js `listOnTimeout`), and a timer
    /// created after one that already ran may not have expired yet in real time
    /// (two `setTimeout(f, 0)` a moment apart, the first queueing a
    /// `setImmediate`: Node prints both orders). It surely had when a timer
    /// created later and due no earlier already ran in this phase.
    fn check_still_in_this_phase(&self, index: usize, ran: &[(usize, f64)]) -> Run<()> {
        if ran.is_empty() {
            return Ok(());
        }
        let immediates_pending = self
            .event_loop
            .immediates
            .iter()
            .any(|&i| self.event_loop.timers[i].active);
        if !immediates_pending {
            return Ok(());
        }
        let timer = &self.event_loop.timers[index];
        let surely_expired = ran
            .iter()
            .any(|&(seq, due)| seq > timer.seq && due >= timer.due);
        if surely_expired {
            return Ok(());
        }
        self.abstain_at(
            format!(
                "whether the timer from line {} still runs in this timers phase, before the \
                 pending setImmediate callbacks, depends on elapsed real time",
                timer.line
            ),
            0..0,
        )
    }

    /// The chosen timer must come first whatever real time elapsed between
    /// the moments timers were created. Node reads the clock at every
    /// `setTimeout` (timers.js `insert` calls `getLibuvNow`, which updates
    /// libuv's time), and interval re-arms happen when their callback runs,
    /// so every creation is its own moment, later ones at least as late.
    fn check_timer_order(&self, index: usize) -> Run<()> {
        let first = &self.event_loop.timers[index];
        for (other_index, other) in self.event_loop.timers.iter().enumerate() {
            if other_index == index || !other.active || other.kind == TimerKind::Immediate {
                continue;
            }
            let robust = if first.seq < other.seq {
                // Created earlier and due no later: drift only delays `other`.
                true
            } else {
                // Each interval re-arm can add its callback's lateness again.
                let rearms = f64::from(first.rearms.min(1_000) as u32);
                other.due - first.due > creation_drift(first, other) * (1.0 + rearms)
            };
            if !robust {
                return self.abstain_at(
                    format!(
                        "the timers from lines {} and {} were created at different times; \
                         which fires first depends on elapsed real time",
                        first.line, other.line
                    ),
                    0..0,
                );
            }
        }
        Ok(())
    }

    fn run_timer(&mut self, index: usize) -> Run<()> {
        self.count_macrotask(PhaseKind::Timer)?;
        let timer = &mut self.event_loop.timers[index];
        let (callback, handle) = (timer.callback.clone(), timer.handle);
        let what = if timer.kind == TimerKind::Interval {
            "setInterval"
        } else {
            timer.active = false;
            "setTimeout"
        };
        let cause = Rc::from(
            format!(
                "timers phase: {what} at line {} (delay {})",
                timer.line, timer.delay
            )
            .as_str(),
        );
        self.begin_step(Lane::Timers, None, cause);
        let instant = self.event_loop.instant;
        let now = self.event_loop.now;
        let outcome = self.call(&callback.function, Value::Object(handle), callback.args)?;
        // Node re-arms an interval right after its callback (timers.js listOnTimeout).
        let seq = self.event_loop.seq + 1;
        let timer = &mut self.event_loop.timers[index];
        if timer.kind == TimerKind::Interval && timer.active {
            timer.due = now + timer.delay;
            timer.instant = instant;
            timer.seq = seq;
            timer.rearms += 1;
            self.event_loop.seq = seq;
        }
        if let Completion::Throw(_) = outcome {
            return Err(Halt::Crash("uncaught exception in a timer".into()));
        }
        self.checkpoint()
    }

    fn check_phase(&mut self, pending: Vec<usize>) -> Run<()> {
        for index in pending {
            if !self.event_loop.timers[index].active {
                continue;
            }
            self.count_macrotask(PhaseKind::Immediate)?;
            let timer = &mut self.event_loop.timers[index];
            timer.active = false;
            let (callback, handle) = (timer.callback.clone(), timer.handle);
            let cause =
                Rc::from(format!("check phase: setImmediate at line {}", timer.line).as_str());
            self.begin_step(Lane::Check, None, cause);
            let outcome = self.call(&callback.function, Value::Object(handle), callback.args)?;
            if let Completion::Throw(_) = outcome {
                return Err(Halt::Crash("uncaught exception in an immediate".into()));
            }
            self.checkpoint()?;
        }
        Ok(())
    }
}

/// How far real time may separate the creations of `later` and `earlier`
/// beyond the virtual clock: [`SAME_RUN_DRIFT_MS`] for timers created close
/// together in one synchronous run, [`TIMER_DRIFT_MS`] otherwise.
fn creation_drift(later: &Timer, earlier: &Timer) -> f64 {
    let same_run = later.instant == earlier.instant
        && later.rearms == 0
        && earlier.rearms == 0
        && later.created_step.abs_diff(earlier.created_step) <= SAME_RUN_STEPS;
    if same_run {
        SAME_RUN_DRIFT_MS
    } else {
        TIMER_DRIFT_MS
    }
}
