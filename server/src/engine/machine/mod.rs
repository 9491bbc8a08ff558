//! The abstract machine: heap, scopes, the frame stack and the run loop.
//!
//! JavaScript calls never recurse in Rust: a call pushes a `Frame` and the
//! same loop continues. An async activation's frame is moved out to its
//! `Activation` at `await` and moved back by the resuming job, which is what
//! lets `await` suspend in the middle of any expression. Rust recursion only
//! happens when a built-in calls back into JavaScript (`forEach`, a promise
//! executor, a job), and that nesting is bounded by `MAX_NATIVE_DEPTH`.
//!
//! This file holds the machine's state, its limits and the heap; the rest
//! is one file an idea: `scopes.rs` (bindings), `calls.rs` (entering
//! frames), `run_loop.rs` (stepping, unwinding, suspending frames) and
//! `dispatch.rs` (what each op does).

use std::cell::Cell;
use std::collections::{HashMap, VecDeque};
use std::ops::Range;
use std::rc::Rc;

use super::async_generators::AsyncGenerator;
use super::bytecode::{FuncId, FunctionCode, HandlerKind};
use super::scheduler::{Callback, EventLoop, Job};
use super::tick_observer::Observer;
use super::value::{Builtin, ObjId, ObjKind, Object, Props, Scope, ScopeId, Value};
use super::{Abstention, ModuleKind, PrintedLine};
use journal::Journal;

pub(crate) mod branches;
mod calls;
mod dispatch;
pub(crate) mod journal;
mod state_marks;
pub(crate) use state_marks::StateMark;
mod run_loop;
mod scopes;
mod unknowns;

/// Ops executed before the engine gives up (loops, recursion).
pub(crate) const STEP_LIMIT: u64 = 2_000_000;
const MAX_FRAMES: usize = 2_000;
pub(crate) const MAX_NATIVE_DEPTH: usize = 48;
pub(crate) const MAX_OUTPUT_LINES: usize = 20_000;
/// The longest string the engine builds, in bytes. V8 allows about 512 MiB,
/// but a string that doubles in a loop gets there in 30 steps and would take
/// the language server's memory with it; the engine abstains long before.
pub(crate) const MAX_STRING_BYTES: usize = 1 << 20;
/// All the strings, array slots and output one run may build, in bytes: the
/// step limit bounds the ops, not what each op allocates (`s + s`,
/// `a.concat(a)`, `[...a, ...a]`, a 1 MiB string kept a million times). It
/// bounds the engine's memory and its copying; the price is that a string
/// built one character at a time abstains past about 16,000 characters
/// (16,000²/2 bytes copied), where V8's ropes would not copy at all.
pub(crate) const MAX_BUILT_BYTES: usize = 128 << 20;
/// Arrays nested inside arrays that `String(array)` joins; V8 recurses too,
/// and a cycle or a 100,000-deep nest would recurse without end here.
const MAX_JOIN_DEPTH: usize = 128;

/// Why a run stops early.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Halt {
    /// The engine cannot predict what Node does from here.
    #[error("{}", .0.reason)]
    Abstain(Abstention),
    /// Node would exit here (uncaught exception, unhandled rejection): stdout ends.
    #[error("the process exits: {0}")]
    Crash(String),
}

pub(crate) type Run<T> = Result<T, Halt>;

/// How a JavaScript evaluation ended.
#[derive(Debug, Clone)]
pub(crate) enum Completion {
    Normal(Value),
    Throw(Value),
}

/// Declares two accessors on `Machine` for heap objects of one kind: `$get(id)`
/// and `$get_mut(id)` give the payload of object `id` when it is an
/// `ObjKind::$variant`, `None` otherwise (one pattern for every kind).
macro_rules! heap_payload_accessors {
    ($vis:vis fn $get:ident, $mut_vis:vis fn $get_mut:ident => $variant:ident($payload:ty)) => {
        impl $crate::engine::machine::Machine<'_> {
            $vis fn $get(&self, id: $crate::engine::value::ObjId) -> Option<&$payload> {
                match &self.heap[id].kind {
                    $crate::engine::value::ObjKind::$variant(payload) => Some(payload),
                    _ => None,
                }
            }

            $mut_vis fn $get_mut(&mut self, id: $crate::engine::value::ObjId) -> Option<&mut $payload> {
                match &mut self.heap[id].kind {
                    $crate::engine::value::ObjKind::$variant(payload) => Some(payload),
                    _ => None,
                }
            }
        }
    };
}
pub(crate) use heap_payload_accessors;

/// A built-in's normal return: the call completes with `value`.
pub(crate) fn normal(value: Value) -> Run<Completion> {
    Ok(Completion::Normal(value))
}

/// A completion waiting for a `finally` body to end (§14.15.3).
#[derive(Debug, Clone)]
pub(crate) enum Pending {
    Normal,
    Return(Value),
    Throw(Value),
    Exit {
        target: usize,
        handlers: usize,
        scopes: usize,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Handler {
    pub kind: HandlerKind,
    pub pc: usize,
    pub scopes: usize,
    pub pendings: usize,
}

/// One activation of a function: everything needed to resume it.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    pub code: Rc<FunctionCode>,
    pub pc: usize,
    pub scopes: Vec<ScopeId>,
    pub stack: Vec<Value>,
    pub handlers: Vec<Handler>,
    pub pendings: Vec<Pending>,
    pub this: Value,
    pub args: Vec<Value>,
    pub activation: Option<usize>,
    /// The generator this frame runs the body of (`generators.rs`).
    pub generator: Option<usize>,
    /// new.target of a constructor call (`super()` passes it on).
    pub new_target: Option<Value>,
}

/// An async function's call: its outer promise and, while suspended, its frame.
#[derive(Debug, Clone)]
pub(crate) struct Activation {
    pub func: FuncId,
    pub outer: ObjId,
    pub frame: Option<Frame>,
    /// The `await` the activation is suspended at.
    pub await_span: Range<usize>,
}

pub(crate) struct Machine<'s> {
    /// The program's text, for the provenance of unknown values.
    pub text: &'s str,
    /// A facts run: what the engine cannot see becomes an unknown value
    /// (`unknowns.rs`) and the run goes on; an order run abstains there.
    pub open: bool,
    /// In a facts run, the abstention an order run would have stopped at.
    pub first_unknown: Option<Abstention>,
    /// The run made an unknown value: ops check their operands for one.
    has_unknowns: bool,
    /// Promises resolved with an unknown value: they settle at a time the
    /// engine cannot see, each in a phase of its own after the run drains.
    pub unknown_settlements: VecDeque<(ObjId, Rc<str>)>,
    /// Functions handed to code the engine cannot see, which may call them
    /// at any time: they get a symbolic entry even when the program calls them.
    pub escaped: std::collections::BTreeSet<FuncId>,
    /// The decisions of the path a facts run follows (`branches.rs`).
    pub paths: branches::Paths,
    pub module: ModuleKind,
    pub funcs: Vec<Rc<FunctionCode>>,
    pub heap: Journal<Object>,
    pub scopes: Journal<Scope>,
    pub global: ScopeId,
    pub frames: Vec<Frame>,
    pub activations: Journal<Activation>,
    /// Generator objects' states, by `ObjKind::Generator` index.
    pub generators: Journal<super::generators::GeneratorState>,
    /// Async generator objects, by `ObjKind::AsyncGenerator` index.
    pub async_generators: Journal<AsyncGenerator>,
    /// Shared one-shot flags ("already resolved", "already called").
    pub flags: Journal<bool>,
    /// Shared counters (`Promise.all`'s remaining elements).
    pub counters: Journal<usize>,
    pub builtins: HashMap<Builtin, ObjId>,
    /// Opaque Node globals and built-in modules, made on first use (`globals.rs`).
    pub opaque_globals: HashMap<Rc<str>, ObjId>,
    pub microtasks: VecDeque<Job>,
    pub ticks: VecDeque<Callback>,
    pub event_loop: EventLoop,
    pub output: Vec<PrintedLine>,
    pub steps: u64,
    pub step_limit: u64,
    /// Bytes of strings, array slots and output built so far (see [`MAX_BUILT_BYTES`]).
    built_bytes: Cell<usize>,
    pub(crate) native_depth: usize,
    /// Causal depth of the job now running (0 in a macrotask).
    pub depth: u32,
    /// What runs now, for `--explain` (set by `begin_step`).
    pub cause: Rc<str>,
    /// The steps of the run, when it records them (`timeline.rs`).
    pub(crate) timeline: Option<Vec<super::timeline::Recorded>>,
    /// How much of the timeline was recorded when the first unseen module loaded (steps, and
    /// lines of the last one): what runs after it may interleave with that module's code.
    pub(crate) seen_until: Option<(usize, usize)>,
    /// Rejected promises without a handler, in rejection order.
    pub unhandled: Vec<ObjId>,
    line_starts: Vec<usize>,
    pub observer: Option<Observer>,
    /// Which functions ran: each function's last [`Ran::generation`] that
    /// called it, and the functions first called in the current generation.
    /// What a symbolic entry observed depends on the code it ran, so the
    /// insights of a later version may reuse it (`entry_cache.rs`).
    pub ran: Ran,
}

/// The functions a part of a run called (see [`Machine::ran`]).
#[derive(Debug, Default)]
pub(crate) struct Ran {
    pub generation: u32,
    last: Vec<u32>,
    /// The functions called since the generation started, first call first.
    pub called: Vec<FuncId>,
}

impl Ran {
    /// Starts a new part: `called` is emptied.
    pub fn start(&mut self) {
        self.generation += 1;
        self.called.clear();
    }

    pub fn record(&mut self, func: FuncId) {
        if self.last.len() <= func {
            self.last.resize(func + 1, 0);
        }
        if self.last[func] != self.generation {
            self.last[func] = self.generation;
            self.called.push(func);
        }
    }
}

impl<'s> Machine<'s> {
    pub fn new(src: &'s str, module: ModuleKind, funcs: Vec<Rc<FunctionCode>>) -> Self {
        let line_starts = std::iter::once(0)
            .chain(src.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let mut machine = Machine {
            text: src,
            open: false,
            first_unknown: None,
            has_unknowns: false,
            unknown_settlements: VecDeque::new(),
            escaped: Default::default(),
            paths: Default::default(),
            module,
            funcs,
            heap: Journal::default(),
            scopes: Journal::from(vec![Scope {
                vars: Vec::new(),
                parent: None,
            }]),
            global: 0,
            frames: Vec::new(),
            activations: Journal::default(),
            generators: Journal::default(),
            async_generators: Journal::default(),
            flags: Journal::default(),
            counters: Journal::default(),
            builtins: HashMap::new(),
            opaque_globals: HashMap::new(),
            microtasks: VecDeque::new(),
            ticks: VecDeque::new(),
            event_loop: EventLoop::default(),
            output: Vec::new(),
            steps: 0,
            step_limit: STEP_LIMIT,
            built_bytes: Cell::new(0),
            native_depth: 0,
            depth: 0,
            cause: Rc::from("sync"),
            timeline: None,
            seen_until: None,
            unhandled: Vec::new(),
            line_starts,
            observer: None,
            ran: Ran {
                generation: 1,
                ..Ran::default()
            },
        };
        machine.install_globals();
        machine
    }

    /// 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset)
    }

    pub fn alloc(&mut self, kind: ObjKind) -> ObjId {
        self.heap.push(Object {
            kind,
            props: Props::default(),
            proto: None,
            hidden_props: false,
            frozen: false,
            attrs: Vec::new(),
            blurred: false,
        });
        self.heap.len() - 1
    }

    pub fn new_flag(&mut self) -> usize {
        self.flags.push(false);
        self.flags.len() - 1
    }

    pub fn abstain<T>(&self, reason: impl Into<String>) -> Run<T> {
        let range = self.frames.last().and_then(|frame| {
            let pc = frame.pc.checked_sub(1)?;
            frame.code.spans.get(pc).cloned()
        });
        Err(Halt::Abstain(Abstention {
            reason: reason.into(),
            range,
        }))
    }

    pub fn abstain_at<T>(&self, reason: impl Into<String>, range: Range<usize>) -> Run<T> {
        Err(Halt::Abstain(Abstention {
            reason: reason.into(),
            range: Some(range),
        }))
    }

    /// The source range of the op now executing.
    pub fn current_span(&self) -> Range<usize> {
        self.frames
            .last()
            .and_then(|frame| frame.code.spans.get(frame.pc.checked_sub(1)?).cloned())
            .unwrap_or(0..0)
    }

    /// Counts `bytes` about to be built (a string, array slots, output)
    /// against [`MAX_BUILT_BYTES`], and abstains past it.
    pub fn account(&self, bytes: usize) -> Run<()> {
        let total = self.built_bytes.get().saturating_add(bytes);
        self.built_bytes.set(total);
        if total > MAX_BUILT_BYTES {
            return self.abstain("the program builds more text and arrays than the engine models");
        }
        Ok(())
    }

    /// [`Machine::account`] for `count` array elements.
    pub fn account_slots(&self, count: usize) -> Run<()> {
        self.account(count.saturating_mul(std::mem::size_of::<Value>()))
    }

    /// Abstains when a string of `len` bytes would be longer than the engine
    /// builds ([`MAX_STRING_BYTES`]); call it before building the string.
    pub fn check_length(&self, len: usize) -> Run<()> {
        if len > MAX_STRING_BYTES {
            return self.abstain("a string longer than 1 MiB is not modelled");
        }
        Ok(())
    }

    /// A string value built at run time, checked and counted.
    pub fn new_string(&self, text: &str) -> Run<Value> {
        self.check_length(text.len())?;
        self.account(text.len())?;
        Ok(Value::str(text))
    }

    /// `String(array)`: Array.prototype.join with `,`, nested arrays joined in
    /// turn. `open` holds the arrays being joined around this one.
    pub fn join_array(&self, id: ObjId, open: &mut Vec<ObjId>) -> Run<String> {
        if open.contains(&id) {
            return self.abstain("a self-containing array converted to text");
        }
        if open.len() >= MAX_JOIN_DEPTH {
            return self.abstain("arrays nest too deeply to convert to text");
        }
        let items = match &self.heap[id].kind {
            ObjKind::Array(items) => items.clone(),
            _ => return self.to_string(&Value::Object(id)),
        };
        open.push(id);
        let mut text = String::new();
        for (index, item) in items.iter().enumerate() {
            let part = match item {
                item if item.is_nullish() => String::new(),
                Value::Object(inner) if matches!(self.heap[*inner].kind, ObjKind::Array(_)) => {
                    self.join_array(*inner, open)?
                }
                other => self.to_string(other)?,
            };
            self.check_length(text.len() + usize::from(index > 0) + part.len())?;
            if index > 0 {
                text.push(',');
            }
            text.push_str(&part);
        }
        open.pop();
        Ok(text)
    }

    pub fn print(&mut self, text: String) -> Run<()> {
        if self.output.len() >= MAX_OUTPUT_LINES {
            return self.abstain("the program prints too many lines to model");
        }
        self.account(text.len())?;
        self.step_prints(&text);
        self.output.push(PrintedLine {
            text,
            cause: self.cause.to_string(),
        });
        Ok(())
    }

    pub fn type_of(&self, value: &Value) -> &'static str {
        match value {
            Value::Undefined => "undefined",
            Value::Null => "object",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::Str(_) => "string",
            Value::Object(id) => match self.heap[*id].kind {
                ObjKind::Closure { .. } | ObjKind::Native(_) | ObjKind::Class(_) => "function",
                ObjKind::Opaque { type_of, .. } => type_of,
                ObjKind::Namespace(name) => self.namespace_type(name),
                _ => "object",
            },
        }
    }

    pub fn array_items(&self, value: &Value) -> Run<Vec<Value>> {
        match value.as_object().map(|id| &self.heap[id].kind) {
            Some(ObjKind::Array(items)) => Ok(items.clone()),
            _ => self.abstain("spreading or iterating something other than an array"),
        }
    }
}

pub(crate) enum Step {
    Continue,
    Throw(Value),
    Finish(Completion),
    Suspend,
    /// A generator yields the value on its stack (`generators.rs`).
    Yield,
}
