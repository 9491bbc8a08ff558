//! Node's I/O: `fs.promises` (also `fs/promises`), callback `fs`, `dns.promises.lookup`, and
//! when their completions run.
//!
//! An I/O call starts work outside JavaScript (libuv's thread pool); its promise settles, or
//! its callback runs, in the poll phase of some later loop turn, as a macrotask of its own with
//! a checkpoint after it. Which turn depends on the disk, the thread pool and the clock, so the
//! scheduler keeps each pending completion as an event with an unknown turn and claims only
//! what Node fixes whatever that turn is:
//! - all synchronous code, nextTicks and microtasks queued before run before any completion
//!   (the loop has not started);
//! - one completion pending, and no timer, immediate or other completion waiting: it runs next;
//! - an immediate queued from a completion runs before any timer (the check phase follows poll
//!   in the same turn).
//!
//! Anything else waiting beside a completion (a timer of any delay, an immediate queued before
//! the loop reached poll, a second completion) races it: the order run abstains there, naming
//! both, and `explain_order` gives the lines printed before, which every run of Node prints
//! first. The engine cannot see the disk, so it assumes each call succeeds; the assumption is
//! returned with the answer (`ExplainedOrder::assumptions`).
//!
//! A facts run (hovers, the code lens) does not schedule completions: an I/O call is an unknown
//! value there (a native promise for the promise forms), as any call the engine cannot see, and
//! the run's order outcome is an abstention at the first I/O call.

use std::ops::Range;
use std::rc::Rc;

use super::builtins::arg;
use super::machine::{Completion, Halt, Machine, Run};
use super::node_modules::NodeFn;
use super::scheduler::{Callback, JobKind, PhaseKind, TimerKind};
use super::timeline::{Lane, Step};
use super::value::{Builtin, ObjId, ObjKind, Value};
use super::{Abstention, ModuleKind, OrderOutcome, PrintedLine};

/// An I/O function of a built-in module, by what it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum IoOp {
    ReadFile,
    WriteFile,
    AppendFile,
    Stat,
    Lstat,
    Access,
    Unlink,
    Mkdir,
    Rmdir,
    Rename,
    CopyFile,
    DnsLookup,
}

/// How an I/O function reports completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum IoStyle {
    /// Returns a native promise (`fs.promises.readFile`).
    Promise,
    /// Takes a callback `(err, value)` last (`fs.readFile`).
    Callback,
}

/// What an operation's success gives.
enum IoResult {
    /// Nothing: `undefined`.
    Nothing,
    /// An object the engine cannot see into (a `Buffer`, a `Stats`), named by what made it.
    Object(&'static str),
}

impl IoOp {
    /// The members of `fs` (and of `fs/promises`) the engine models.
    pub(crate) const FS: &'static [IoOp] = &[
        IoOp::ReadFile,
        IoOp::WriteFile,
        IoOp::AppendFile,
        IoOp::Stat,
        IoOp::Lstat,
        IoOp::Access,
        IoOp::Unlink,
        IoOp::Mkdir,
        IoOp::Rmdir,
        IoOp::Rename,
        IoOp::CopyFile,
    ];

    /// Its property name on its module.
    pub(crate) fn name(self) -> &'static str {
        match self {
            IoOp::ReadFile => "readFile",
            IoOp::WriteFile => "writeFile",
            IoOp::AppendFile => "appendFile",
            IoOp::Stat => "stat",
            IoOp::Lstat => "lstat",
            IoOp::Access => "access",
            IoOp::Unlink => "unlink",
            IoOp::Mkdir => "mkdir",
            IoOp::Rmdir => "rmdir",
            IoOp::Rename => "rename",
            IoOp::CopyFile => "copyFile",
            IoOp::DnsLookup => "lookup",
        }
    }

    fn module(self, style: IoStyle) -> &'static str {
        match (self, style) {
            (IoOp::DnsLookup, _) => "dns.promises",
            (_, IoStyle::Promise) => "fs.promises",
            (_, IoStyle::Callback) => "fs",
        }
    }

    /// The string arguments it needs (paths, the data written, a host name). Options are not
    /// modelled: an encoding makes the result a string, whose value the engine cannot see but
    /// a branch on it would need.
    fn string_args(self) -> usize {
        match self {
            IoOp::WriteFile | IoOp::AppendFile | IoOp::Rename | IoOp::CopyFile => 2,
            _ => 1,
        }
    }

    /// How many of Node's own jobs run, in the phase of the last completion, before the promise
    /// form's promise fulfils: `fs.promises` functions are async functions of Node's
    /// (lib/internal/fs/promises.js) that await the binding's promise, and `readFile`,
    /// `writeFile` and `appendFile` also await opening, using and closing a file handle. The
    /// awaiter of the promise resumes one job later. Measured on Node 24 (tests/order_timeline.rs
    /// checks the tick drawn): whatever the file's size, each call resumes its awaiter at
    /// generation 10 (`readFile`, `writeFile`), 11 (`appendFile`), 3 (the others) or 1
    /// (`dns.promises.lookup`) of that phase.
    fn settle_jobs(self) -> u32 {
        match self {
            IoOp::ReadFile | IoOp::WriteFile => 9,
            IoOp::AppendFile => 10,
            IoOp::DnsLookup => 0,
            IoOp::Stat
            | IoOp::Lstat
            | IoOp::Access
            | IoOp::Unlink
            | IoOp::Mkdir
            | IoOp::Rmdir
            | IoOp::Rename
            | IoOp::CopyFile => 2,
        }
    }

    fn result(self) -> IoResult {
        match self {
            IoOp::ReadFile => IoResult::Object("Buffer"),
            IoOp::Stat | IoOp::Lstat => IoResult::Object("Stats"),
            IoOp::DnsLookup => IoResult::Object("address"),
            _ => IoResult::Nothing,
        }
    }
}

/// How a pending completion reports back.
#[derive(Debug, Clone)]
pub(crate) enum IoCompletion {
    /// Fulfils this promise with the value, after this many of Node's own jobs.
    Fulfil(ObjId, Value, u32),
    /// Calls the callback (`this` and arguments included).
    Call(Callback, Value),
}

/// An I/O call whose completion is still to run.
#[derive(Debug, Clone)]
pub(crate) struct PendingIo {
    /// "`fs.readFile` at line 3", for reasons and `--explain`.
    pub what: Rc<str>,
    /// The call's source range, where an abstention points.
    pub span: Range<usize>,
    pub completion: IoCompletion,
}

/// Why an order run stopped at an I/O race, kept for [`explain_order`].
#[derive(Debug, Clone, Default)]
pub(crate) struct IoRace {
    /// What waits, in the order the program started it.
    pub waiting: Vec<String>,
}

impl Machine<'_> {
    /// A call of a modelled I/O function.
    pub(crate) fn call_io(&mut self, op: IoOp, style: IoStyle, args: Vec<Value>) -> Run<Value> {
        let line = self.line_of(self.current_span().start);
        let what = format!("`{}.{}` at line {line}", op.module(style), op.name());
        if self.open {
            // The facts run's order outcome is its first stop: the code lens abstains here,
            // as before I/O was modelled, rather than print a run that skipped the completion.
            self.see_past(format!(
                "{what} does I/O, which the code lens does not follow (`ticklens order` does)"
            ))?;
            return Ok(self.io_in_a_facts_run(style, &args));
        }
        let given = match style {
            IoStyle::Promise => args.len(),
            IoStyle::Callback => args.len().saturating_sub(1),
        };
        if given != op.string_args() || args[..given].iter().any(|a| !matches!(a, Value::Str(_))) {
            return self.abstain(format!(
                "{what} with these arguments is not modelled by ticklens (only {} string \
                 argument(s){}, no options)",
                op.string_args(),
                if style == IoStyle::Callback {
                    " and a callback"
                } else {
                    ""
                }
            ));
        }
        let callee = self.text.get(self.current_span()).unwrap_or_default();
        let value = match op.result() {
            IoResult::Nothing => Value::Undefined,
            IoResult::Object(kind) => {
                let id = self.alloc(ObjKind::Opaque {
                    name: Rc::from(format!("the {kind} of {}", shorten(callee)).as_str()),
                    type_of: "object",
                });
                // No Buffer, Stats or address object has a `then`.
                self.heap[id].set_own("then", Value::Undefined);
                Value::Object(id)
            }
        };
        let (completion, returned) = match style {
            IoStyle::Promise => {
                let promise = self.new_promise();
                (
                    IoCompletion::Fulfil(promise, value, op.settle_jobs()),
                    Value::Object(promise),
                )
            }
            IoStyle::Callback => {
                let callback = arg(&args, given);
                if !self.is_callable(&callback) {
                    return self.abstain(format!(
                        "{what} without a callback function throws a TypeError"
                    ));
                }
                let mut callback_args = vec![Value::Null];
                if matches!(op.result(), IoResult::Object(_)) {
                    callback_args.push(value);
                }
                let request = self.alloc(ObjKind::Opaque {
                    name: Rc::from(format!("the request of {what}").as_str()),
                    type_of: "object",
                });
                let callback = Callback {
                    function: callback,
                    args: callback_args,
                };
                (
                    IoCompletion::Call(callback, Value::Object(request)),
                    Value::Undefined,
                )
            }
        };
        self.event_loop.io.push(PendingIo {
            what: Rc::from(what.as_str()),
            span: self.current_span(),
            completion,
        });
        Ok(returned)
    }

    /// In a facts run the completion is not scheduled: the promise form gives an unknown native
    /// promise, and the callback escapes (it gets a symbolic entry of its own).
    fn io_in_a_facts_run(&mut self, style: IoStyle, args: &[Value]) -> Value {
        for arg in args {
            if let Some(ObjKind::Closure { func, .. }) =
                arg.as_object().map(|id| &self.heap[id].kind)
            {
                self.escaped.insert(*func);
            }
        }
        let origin = self.text.get(self.current_span()).unwrap_or_default();
        match style {
            IoStyle::Promise => self.new_unknown(origin, true),
            IoStyle::Callback => Value::Undefined,
        }
    }

    /// libuv's poll phase: runs the one pending completion when nothing else waits beside it,
    /// else abstains naming what races it.
    pub(crate) fn poll_phase(&mut self) -> Run<()> {
        if self.event_loop.io.is_empty() {
            return Ok(());
        }
        if let Some(reason) = self.io_rival() {
            let waiting = self.waiting_list();
            self.event_loop.io_race = Some(IoRace { waiting });
            let span = self.event_loop.io[0].span.clone();
            return self.abstain_at(reason, span);
        }
        let io = self.event_loop.io.remove(0);
        self.event_loop.io_completed.push(io.what.to_string());
        self.count_macrotask(PhaseKind::Io)?;
        let cause: Rc<str> = Rc::from(format!("poll phase: {} completed", io.what).as_str());
        self.begin_step(Lane::Io, None, cause.clone());
        match io.completion {
            IoCompletion::Fulfil(promise, value, 0) => self.fulfill_promise(promise, value),
            IoCompletion::Fulfil(promise, value, jobs) => self.enqueue(
                JobKind::Settle {
                    promise,
                    value,
                    after: jobs,
                },
                cause,
            ),
            IoCompletion::Call(callback, this) => {
                if let Completion::Throw(_) = self.call(&callback.function, this, callback.args)? {
                    return Err(Halt::Crash("uncaught exception in an I/O callback".into()));
                }
            }
        }
        self.checkpoint()
    }

    /// What may run before the first pending completion, if anything: then Node does not fix
    /// which comes first.
    fn io_rival(&self) -> Option<String> {
        let event_loop = &self.event_loop;
        let first = &event_loop.io[0].what;
        if let Some(second) = event_loop.io.get(1) {
            return Some(format!(
                "{first} and {} both wait on I/O; which completes first is not fixed by Node",
                second.what
            ));
        }
        let active = |kind: &dyn Fn(TimerKind) -> bool| {
            event_loop
                .timers
                .iter()
                .find(|t| t.active && kind(t.kind))
                .map(|t| t.line)
        };
        if let Some(line) = active(&|k| k == TimerKind::Immediate) {
            return Some(format!(
                "whether {first} completes before the setImmediate callback from line {line} \
                 depends on how long the I/O takes (Node does not fix this order)"
            ));
        }
        active(&|k| k != TimerKind::Immediate).map(|line| {
            format!(
                "whether {first} completes before the timer from line {line} fires depends on \
                 how long the I/O takes (Node does not fix this order)"
            )
        })
    }

    /// Everything waiting when the run stopped at a race: completions and timers.
    fn waiting_list(&self) -> Vec<String> {
        let io = self
            .event_loop
            .io
            .iter()
            .map(|io| format!("I/O: {}", io.what));
        let timers = self.event_loop.timers.iter().filter(|t| t.active).map(|t| {
            let what = match t.kind {
                TimerKind::Immediate => "setImmediate",
                TimerKind::Timeout => "setTimeout",
                TimerKind::Interval => "setInterval",
            };
            format!("{what} at line {}", t.line)
        });
        io.chain(timers).collect()
    }
}

/// `text` on one line, cut to 60 characters.
fn shorten(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(60) {
        Some((cut, _)) => format!("`{}…`", &one_line[..cut]),
        None => format!("`{one_line}`"),
    }
}

/// `order --explain`'s answer: the outcome, and what an I/O race leaves determined.
#[derive(Clone, Debug, PartialEq)]
pub struct ExplainedOrder {
    pub outcome: OrderOutcome,
    /// When the run stopped at an I/O race: the lines every run of Node prints first, in order.
    pub determined: Vec<PrintedLine>,
    /// When the run stopped at an I/O race: the completions and timers that wait, in no fixed order.
    pub waiting: Vec<String>,
    /// The I/O calls the answer assumes succeed (the engine cannot see the disk).
    pub assumptions: Vec<String>,
    /// The jobs and callbacks the run ran, with what each printed (`timeline.rs`).
    pub steps: Vec<Step>,
}

/// Like [`super::predict_order`], with the determined part of a program that races I/O.
pub fn explain_order(source: &str, tree: &tree_sitter::Tree, module: ModuleKind) -> ExplainedOrder {
    let mut machine = match super::prepare(source, tree, module) {
        Ok(machine) => machine,
        Err(abstention) => return ExplainedOrder::stopped(abstention),
    };
    machine.timeline = Some(Vec::new());
    let halt = machine.run_program().err();
    let outcome = super::outcome_of_run(&machine, halt.as_ref());
    // The race is why the run stopped only when it stopped at an abstention (`io_race` is set
    // just before it) and no unseen module ran code ticklens cannot order.
    let stopped_at_race =
        matches!(halt, Some(Halt::Abstain(_))) && machine.unseen_module_loaded().is_none();
    let race = match &machine.event_loop.io_race {
        Some(race) if stopped_at_race => race.clone(),
        _ => IoRace::default(),
    };
    let determined = if race.waiting.is_empty() {
        Vec::new()
    } else {
        machine.output.clone()
    };
    ExplainedOrder {
        outcome,
        determined,
        waiting: race.waiting,
        assumptions: machine.event_loop.io_completed.clone(),
        steps: machine.determined_steps(),
    }
}

impl ExplainedOrder {
    fn stopped(abstention: Abstention) -> Self {
        ExplainedOrder {
            outcome: OrderOutcome::Abstained(abstention),
            determined: Vec::new(),
            waiting: Vec::new(),
            assumptions: Vec::new(),
            steps: Vec::new(),
        }
    }
}

/// The value a built-in module member of `NodeFn::Io` is.
pub(crate) fn io_function(op: IoOp, style: IoStyle) -> Builtin {
    Builtin::Node(NodeFn::Io(op, style))
}
