//! The abstract machine: heap, scopes, the frame stack and the run loop.
//!
//! JavaScript calls never recurse in Rust: a call pushes a `Frame` and the
//! same loop continues. An async activation's frame is moved out to its
//! `Activation` at `await` and moved back by the resuming job, which is what
//! lets `await` suspend in the middle of any expression. Rust recursion only
//! happens when a built-in calls back into JavaScript (`forEach`, a promise
//! executor, a job), and that nesting is bounded by `MAX_NATIVE_DEPTH`.

use std::cell::Cell;
use std::collections::{HashMap, VecDeque};
use std::ops::Range;
use std::rc::Rc;

use super::async_generators::{AfterYield, AsyncGenerator};
use super::bytecode::{DeclKind, FuncId, FunctionCode, HandlerKind, Op};
use super::facts::Observer;
use super::scheduler::{EventLoop, Job, Tick};
use super::value::{Binding, Builtin, ObjId, ObjKind, Object, Scope, ScopeId, Value};
use super::{Abstention, ModuleKind, PrintedLine};

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
#[derive(Debug)]
pub(crate) struct Activation {
    pub func: FuncId,
    pub outer: ObjId,
    pub frame: Option<Frame>,
    /// The `await` the activation is suspended at.
    pub await_span: Range<usize>,
}

pub(crate) struct Machine<'s> {
    pub src: std::marker::PhantomData<&'s str>,
    pub module: ModuleKind,
    pub funcs: Vec<Rc<FunctionCode>>,
    pub heap: Vec<Object>,
    pub scopes: Vec<Scope>,
    pub global: ScopeId,
    pub frames: Vec<Frame>,
    pub activations: Vec<Activation>,
    /// Generator objects' states, by `ObjKind::Generator` index.
    pub generators: Vec<super::generators::GeneratorState>,
    /// Async generator objects, by `ObjKind::AsyncGenerator` index.
    pub async_generators: Vec<AsyncGenerator>,
    /// Shared one-shot flags ("already resolved", "already called").
    pub flags: Vec<bool>,
    /// Shared counters (`Promise.all`'s remaining elements).
    pub counters: Vec<usize>,
    pub builtins: HashMap<Builtin, ObjId>,
    /// Opaque Node globals and built-in modules, made on first use (`globals.rs`).
    pub opaque_globals: HashMap<Rc<str>, ObjId>,
    pub microtasks: VecDeque<Job>,
    pub ticks: VecDeque<Tick>,
    pub event_loop: EventLoop,
    pub output: Vec<PrintedLine>,
    pub steps: u64,
    pub step_limit: u64,
    /// Bytes of strings, array slots and output built so far (see [`MAX_BUILT_BYTES`]).
    built_bytes: Cell<usize>,
    pub(crate) native_depth: usize,
    /// Causal depth of the job now running (0 in a macrotask).
    pub depth: u32,
    /// What runs now, for `--explain`.
    pub cause: Rc<str>,
    /// Rejected promises without a handler, in rejection order.
    pub unhandled: Vec<ObjId>,
    line_starts: Vec<usize>,
    pub observer: Option<Observer>,
}

impl<'s> Machine<'s> {
    pub fn new(src: &'s str, module: ModuleKind, funcs: Vec<Rc<FunctionCode>>) -> Self {
        let line_starts = std::iter::once(0)
            .chain(src.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let mut machine = Machine {
            src: std::marker::PhantomData,
            module,
            funcs,
            heap: Vec::new(),
            scopes: vec![Scope {
                vars: Vec::new(),
                parent: None,
            }],
            global: 0,
            frames: Vec::new(),
            activations: Vec::new(),
            generators: Vec::new(),
            async_generators: Vec::new(),
            flags: Vec::new(),
            counters: Vec::new(),
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
            unhandled: Vec::new(),
            line_starts,
            observer: None,
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
            props: Vec::new(),
            proto: None,
            hidden_props: false,
            frozen: false,
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
        self.output.push(PrintedLine {
            text,
            cause: self.cause.to_string(),
        });
        Ok(())
    }

    // ----- scopes -----

    pub fn new_scope(&mut self, parent: ScopeId) -> ScopeId {
        self.scopes.push(Scope {
            vars: Vec::new(),
            parent: Some(parent),
        });
        self.scopes.len() - 1
    }

    pub(crate) fn lookup(&self, start: ScopeId, name: &str) -> Option<(ScopeId, usize)> {
        let mut scope = Some(start);
        while let Some(id) = scope {
            if let Some(index) = self.scopes[id].find(name) {
                return Some((id, index));
            }
            scope = self.scopes[id].parent;
        }
        None
    }

    pub(crate) fn load(&mut self, scope: ScopeId, name: &str) -> Run<Value> {
        match self.lookup(scope, name) {
            Some((id, index)) => match &self.scopes[id].vars[index].value {
                Some(value) => Ok(value.clone()),
                None => self.abstain(format!(
                    "`{name}` is read before its declaration runs (a ReferenceError)"
                )),
            },
            None => self.undeclared_name(name),
        }
    }

    /// A global binding's value (the program's own top-level bindings come first).
    pub fn load_global(&mut self, name: &str) -> Run<Value> {
        self.load(self.global, name)
    }

    fn store(&mut self, scope: ScopeId, name: &str, value: Value) -> Run<()> {
        match self.lookup(scope, name) {
            Some((id, index)) => {
                let binding = &mut self.scopes[id].vars[index];
                if binding.value.is_none() {
                    return self.abstain(format!("`{name}` is assigned before its declaration"));
                }
                if !binding.mutable {
                    return self.abstain(format!("assignment to the constant `{name}`"));
                }
                binding.value = Some(value);
                Ok(())
            }
            None => self.abstain(format!(
                "assignment to `{name}`, which this file does not declare (an implicit global), \
                 is not modelled by ticklens"
            )),
        }
    }

    pub(crate) fn declare(
        &mut self,
        scope: ScopeId,
        name: &Rc<str>,
        value: Option<Value>,
        mutable: bool,
    ) {
        let vars = &mut self.scopes[scope].vars;
        match vars.iter_mut().find(|b| b.name == *name) {
            Some(binding) => {
                binding.value = value;
                binding.mutable = mutable;
            }
            None => vars.push(Binding {
                name: name.clone(),
                value,
                mutable,
            }),
        }
    }

    // ----- calls -----

    /// Calls `callee` from Rust (a built-in or a job) and runs it to completion
    /// or to its first suspension.
    pub fn call(&mut self, callee: &Value, this: Value, args: Vec<Value>) -> Run<Completion> {
        let Some(id) = callee.as_object() else {
            return self.abstain("calling a value that is not a function (a TypeError)");
        };
        match &self.heap[id].kind {
            ObjKind::Native(native) => {
                let native = native.clone();
                self.call_native(native, this, args)
            }
            ObjKind::Opaque { name, .. } => {
                self.abstain(format!("calling `{name}` is not modelled by ticklens"))
            }
            ObjKind::Closure { .. } => {
                if self.native_depth >= MAX_NATIVE_DEPTH {
                    return self.abstain("callbacks nest too deeply to model");
                }
                let base = self.frames.len();
                if let Some(generator) = self.push_frame(id, this, args)? {
                    return Ok(Completion::Normal(generator));
                }
                self.native_depth += 1;
                let result = self.run(base, None);
                self.native_depth -= 1;
                result
            }
            _ => self.abstain("calling a value that is not a function (a TypeError)"),
        }
    }

    /// Calls a constructor's body with `new_target`, which `super()` reads.
    pub(crate) fn call_constructor(
        &mut self,
        closure: ObjId,
        this: Value,
        args: Vec<Value>,
        new_target: Value,
    ) -> Run<Completion> {
        if self.native_depth >= MAX_NATIVE_DEPTH {
            return self.abstain("constructors nest too deeply to model");
        }
        let base = self.frames.len();
        if self.push_frame(closure, this, args)?.is_some() {
            return self.abstain("`new` on a generator function (a TypeError)");
        }
        self.frame().new_target = Some(new_target);
        self.native_depth += 1;
        let result = self.run(base, None);
        self.native_depth -= 1;
        result
    }

    /// Whether `value` is a function. An opaque function counts: calling it then abstains.
    pub fn is_callable(&self, value: &Value) -> bool {
        value.as_object().is_some_and(|id| {
            matches!(
                self.heap[id].kind,
                ObjKind::Closure { .. }
                    | ObjKind::Native(_)
                    | ObjKind::Class(_)
                    | ObjKind::Opaque {
                        type_of: "function",
                        ..
                    }
            )
        })
    }

    /// Enters a closure: a new frame, and for async functions the outer
    /// promise, which V8 creates before the body runs. A generator function
    /// runs nothing: its frame goes into the generator object it returns.
    fn push_frame(&mut self, closure: ObjId, this: Value, args: Vec<Value>) -> Run<Option<Value>> {
        let ObjKind::Closure {
            func,
            scope,
            this: captured,
        } = &self.heap[closure].kind
        else {
            return self.abstain("calling a value that is not a function");
        };
        let (func, parent, captured) = (*func, *scope, captured.clone());
        if self.frames.len() >= MAX_FRAMES {
            return self.abstain("call depth limit reached (unbounded recursion?)");
        }
        let code = self.funcs[func].clone();
        let scope = self.new_scope(parent);
        let this = if code.is_arrow {
            captured
        } else if !code.is_strict && this.is_nullish() {
            // Sloppy-mode functions see the global object for a missing receiver (§10.2.1.2).
            self.global_this()?
        } else {
            this
        };
        let activation = if code.is_async {
            let outer = self.new_promise();
            self.activations.push(Activation {
                func,
                outer,
                frame: None,
                await_span: 0..0,
            });
            let id = self.activations.len() - 1;
            let (depth, phase) = (self.depth, self.event_loop.phase);
            // An async generator's awaits are not counted from its call:
            // its body runs from `next()` requests (`async_generators.rs`).
            if let (Some(observer), false) = (&mut self.observer, code.is_generator) {
                observer.entered(id, func, outer, depth, phase);
            }
            Some(id)
        } else {
            None
        };
        let is_generator = code.is_generator;
        let frame = Frame {
            code,
            pc: 0,
            scopes: vec![scope],
            stack: Vec::new(),
            handlers: Vec::new(),
            pendings: Vec::new(),
            this,
            args,
            activation,
            generator: None,
            new_target: None,
        };
        if is_generator && frame.code.is_async {
            return Ok(Some(self.new_async_generator(frame)));
        }
        if is_generator {
            return Ok(Some(self.new_generator(frame)));
        }
        self.frames.push(frame);
        Ok(None)
    }

    /// Starts the program's top level (function 0) as a frame and runs it.
    pub fn run_top_level(&mut self, this: Value) -> Run<Completion> {
        let closure = self.alloc(ObjKind::Closure {
            func: 0,
            scope: self.global,
            this: Value::Undefined,
        });
        self.call(&Value::Object(closure), this, Vec::new())
    }

    /// Resumes a suspended activation with the awaited outcome.
    pub fn resume(&mut self, activation: usize, outcome: Completion) -> Run<()> {
        let Some(mut frame) = self
            .activations
            .get_mut(activation)
            .and_then(|a| a.frame.take())
        else {
            return self.abstain("resuming an activation that is not suspended");
        };
        let span = self.activations[activation].await_span.clone();
        if self.observer.is_some() {
            let settled = self
                .observer
                .as_ref()
                .and_then(|o| o.awaited_promise(activation))
                .and_then(|p| self.promise_data(p))
                .and_then(|data| data.settled_at);
            let (depth, phase) = (self.depth, (self.event_loop.phase, self.phase_kind()));
            if let Some(observer) = &mut self.observer {
                observer.resumed(activation, span, depth, phase, settled);
            }
        }
        let base = self.frames.len();
        let throw = match outcome {
            Completion::Normal(value) => {
                frame.stack.push(value);
                None
            }
            Completion::Throw(error) => Some(error),
        };
        self.frames.push(frame);
        self.native_depth += 1;
        let result = self.run(base, throw);
        self.native_depth -= 1;
        result.map(|_| ())
    }

    /// Runs frames until the stack is back at `base`.
    pub(crate) fn run(&mut self, base: usize, mut throw: Option<Value>) -> Run<Completion> {
        loop {
            if let Some(error) = throw.take() {
                if let Some(done) = self.unwind(error, base)? {
                    return Ok(done);
                }
            }
            self.steps += 1;
            if self.steps > self.step_limit {
                return self.abstain("step limit reached (a long or infinite loop?)");
            }
            let Some(frame) = self.frames.last_mut() else {
                return self.abstain("internal: no frame to run");
            };
            let code = frame.code.clone();
            let Some(op) = code.code.get(frame.pc) else {
                return self.abstain("internal: ran past the end of a function");
            };
            frame.pc += 1;
            match self.step(op)? {
                Step::Continue => {}
                Step::Throw(error) => throw = Some(error),
                Step::Finish(completion) => {
                    if let Some(done) = self.finish_frame(completion, base)? {
                        return Ok(done);
                    }
                }
                Step::Suspend => {
                    if let Some(done) = self.suspend_frame(base)? {
                        return Ok(done);
                    }
                }
                Step::Yield => {
                    let is_async = self.frames.last().is_some_and(|f| f.code.is_async);
                    if !is_async {
                        return self.yield_frame();
                    }
                    match self.async_generator_yield(base)? {
                        AfterYield::Leave(done) => return Ok(done),
                        AfterYield::Continue => {}
                        AfterYield::Throw(error) => throw = Some(error),
                    }
                }
            }
        }
    }

    pub(crate) fn frame(&mut self) -> &mut Frame {
        // The run loop only steps while a frame exists.
        let last = self.frames.len() - 1;
        &mut self.frames[last]
    }

    pub fn pop(&mut self) -> Value {
        self.frame().stack.pop().unwrap_or(Value::Undefined)
    }

    pub(crate) fn push(&mut self, value: Value) {
        self.frame().stack.push(value);
    }

    pub(crate) fn scope(&mut self) -> ScopeId {
        let frame = self.frame();
        frame.scopes.last().copied().unwrap_or(0)
    }

    fn step(&mut self, op: &Op) -> Run<Step> {
        match op {
            Op::Push(value) => self.push(value.clone()),
            Op::Pop => {
                self.pop();
            }
            Op::Dup => {
                let top = self.pop();
                self.push(top.clone());
                self.push(top);
            }
            Op::Dup2 => {
                let b = self.pop();
                let a = self.pop();
                for v in [a.clone(), b.clone(), a, b] {
                    self.push(v);
                }
            }
            Op::Load(name) => {
                let scope = self.scope();
                let value = self.load(scope, name)?;
                self.push(value);
            }
            Op::Store(name) => {
                let value = self.pop();
                let scope = self.scope();
                self.store(scope, name, value)?;
            }
            Op::Declare(name, kind) => {
                let scope = match kind {
                    DeclKind::Var => self.frame().scopes.first().copied().unwrap_or(0),
                    _ => self.scope(),
                };
                match kind {
                    DeclKind::Uninitialised => self.declare(scope, name, None, true),
                    DeclKind::Const => {
                        let value = self.pop();
                        self.declare(scope, name, Some(value), false);
                    }
                    DeclKind::Let | DeclKind::Var => {
                        let value = self.pop();
                        self.declare(scope, name, Some(value), true);
                    }
                }
            }
            Op::TypeofName(name) => {
                let scope = self.scope();
                let text = match self.lookup(scope, name) {
                    Some(_) => {
                        let value = self.load(scope, name)?;
                        self.type_of(&value)
                    }
                    None => self.typeof_undeclared(name),
                };
                self.push(Value::str(text));
            }
            Op::PushScope => {
                let parent = self.scope();
                let scope = self.new_scope(parent);
                self.frame().scopes.push(scope);
            }
            Op::PopScope => {
                self.frame().scopes.pop();
            }
            Op::RenewScope => {
                let old = self.scope();
                let copy = self.scopes[old].clone();
                self.scopes.push(copy);
                let new = self.scopes.len() - 1;
                if let Some(top) = self.frame().scopes.last_mut() {
                    *top = new;
                }
            }
            Op::LoadThis => {
                let this = self.frame().this.clone();
                self.push(this);
            }
            Op::LoadArg(index) => {
                let value = self.frame().args.get(*index).cloned();
                self.push(value.unwrap_or(Value::Undefined));
            }
            Op::LoadRestArgs(index) => {
                let rest: Vec<Value> = self.frame().args.iter().skip(*index).cloned().collect();
                self.account_slots(rest.len())?;
                let array = self.alloc(ObjKind::Array(rest));
                self.push(Value::Object(array));
            }
            Op::GetProp(name) => {
                let object = self.pop();
                let value = self.get_property(&object, name)?;
                self.push(value);
            }
            Op::GetMethod(name) => {
                let object = self.pop();
                let value = self.get_property(&object, name)?;
                self.push(object);
                self.push(value);
            }
            Op::GetIndex => {
                let key = self.pop();
                let object = self.pop();
                let value = self.get_index(&object, &key)?;
                self.push(value);
            }
            Op::GetIndexMethod => {
                let key = self.pop();
                let object = self.pop();
                let value = self.get_index(&object, &key)?;
                self.push(object);
                self.push(value);
            }
            Op::SetProp(name) => {
                let value = self.pop();
                let object = self.pop();
                self.set_property(&object, name, value.clone())?;
                self.push(value);
            }
            Op::SetIndex => {
                let value = self.pop();
                let key = self.pop();
                let object = self.pop();
                self.set_index(&object, &key, value.clone())?;
                self.push(value);
            }
            Op::UpdateProp {
                name,
                delta,
                prefix,
            } => {
                let object = self.pop();
                let old = self.get_property(&object, name)?;
                let old = self.to_number(&old)?;
                let new = old + delta;
                self.set_property(&object, name, Value::Number(new))?;
                self.push(Value::Number(if *prefix { new } else { old }));
            }
            Op::UpdateIndex { delta, prefix } => {
                let key = self.pop();
                let object = self.pop();
                let old = self.get_index(&object, &key)?;
                let old = self.to_number(&old)?;
                let new = old + delta;
                self.set_index(&object, &key, Value::Number(new))?;
                self.push(Value::Number(if *prefix { new } else { old }));
            }
            Op::Call { argc, with_this } => {
                let len = self.frame().stack.len();
                let args = self.frame().stack.split_off(len.saturating_sub(*argc));
                let callee = self.pop();
                let this = if *with_this {
                    self.pop()
                } else {
                    Value::Undefined
                };
                return self.call_from_code(callee, this, args);
            }
            Op::CallSpread { with_this } => {
                let array = self.pop();
                let args = self.array_items(&array)?;
                let callee = self.pop();
                let this = if *with_this {
                    self.pop()
                } else {
                    Value::Undefined
                };
                return self.call_from_code(callee, this, args);
            }
            Op::New { argc } => {
                let len = self.frame().stack.len();
                let args = self.frame().stack.split_off(len.saturating_sub(*argc));
                let constructor = self.pop();
                return Ok(match self.construct(&constructor, args)? {
                    Completion::Normal(value) => {
                        self.push(value);
                        Step::Continue
                    }
                    Completion::Throw(error) => Step::Throw(error),
                });
            }
            Op::Closure(func) => {
                let mut scope = self.scope();
                let own_name = self.funcs[*func].own_name.clone();
                if own_name.is_some() {
                    // A named function expression sees its own name in a scope of its own,
                    // between its closure and its body (§15.2.5 step 3).
                    scope = self.new_scope(scope);
                }
                let this = self.frame().this.clone();
                let closure = self.alloc(ObjKind::Closure {
                    func: *func,
                    scope,
                    this,
                });
                if let Some(name) = own_name {
                    self.declare(scope, &name, Some(Value::Object(closure)), false);
                }
                self.push(Value::Object(closure));
            }
            Op::Array(count) => {
                let len = self.frame().stack.len();
                let items = self.frame().stack.split_off(len.saturating_sub(*count));
                let array = self.alloc(ObjKind::Array(items));
                self.push(Value::Object(array));
            }
            Op::ArrayPush => {
                let value = self.pop();
                let array = self.pop();
                if let Some(ObjKind::Array(items)) =
                    array.as_object().map(|id| &mut self.heap[id].kind)
                {
                    items.push(value);
                }
                self.push(array);
            }
            Op::ArraySpread => {
                let iterable = self.pop();
                let extra = self.spread_items(&iterable)?;
                self.account_slots(extra.len())?;
                let array = self.pop();
                if let Some(ObjKind::Array(items)) =
                    array.as_object().map(|id| &mut self.heap[id].kind)
                {
                    items.extend(extra);
                }
                self.push(array);
            }
            Op::Object(keys) => {
                let len = self.frame().stack.len();
                let values = self.frame().stack.split_off(len.saturating_sub(keys.len()));
                let object = self.alloc(ObjKind::Plain);
                self.heap[object].props = keys.iter().cloned().zip(values).collect();
                self.push(Value::Object(object));
            }
            Op::Binary(op) => {
                let right = self.pop();
                let left = self.pop();
                let value = self.binary(*op, &left, &right)?;
                self.push(value);
            }
            Op::Unary(op) => {
                let value = self.pop();
                let result = self.unary(*op, &value)?;
                self.push(result);
            }
            Op::ToNumber => {
                let value = self.pop();
                let number = self.to_number(&value)?;
                self.push(Value::Number(number));
            }
            Op::Concat(count) => {
                let len = self.frame().stack.len();
                let parts = self.frame().stack.split_off(len.saturating_sub(*count));
                let mut text = String::new();
                for part in &parts {
                    let part = self.to_string(part)?;
                    self.check_length(text.len() + part.len())?;
                    text.push_str(&part);
                }
                let text = self.new_string(&text)?;
                self.push(text);
            }
            Op::Jump(target) => self.frame().pc = *target,
            Op::JumpIfFalse(target) => {
                if !self.pop().truthy() {
                    self.frame().pc = *target;
                }
            }
            Op::JumpIfTrue(target) => {
                if self.pop().truthy() {
                    self.frame().pc = *target;
                }
            }
            Op::AsyncIterInit(name) => self.async_iter_init(name)?,
            Op::ForAwaitStep(name) => self.async_iter_step(name, Value::Undefined)?,
            Op::AsyncDelegateStep(name) => {
                let sent = self.pop();
                self.async_iter_step(name, sent)?;
            }
            Op::ForAwaitUnpack => self.async_iter_unpack()?,
            Op::ForAwaitClose(name) => self.async_iter_close(name)?,
            Op::AsyncDelegateReturn(name) => {
                let value = self.pop();
                self.async_iter_return(name, value)?;
            }
            Op::RethrowUnlessThrowing => {
                if let Some(error) = self.rethrow_unless_throwing() {
                    return Ok(Step::Throw(error));
                }
            }
            Op::JumpIfTrueKeep(target) | Op::JumpIfFalseKeep(target) => {
                let value = self.pop();
                let want = matches!(op, Op::JumpIfTrueKeep(_));
                if value.truthy() == want {
                    self.push(value);
                    self.frame().pc = *target;
                }
            }
            Op::JumpIfNotNullishKeep(target) => {
                let value = self.pop();
                if !value.is_nullish() {
                    self.push(value);
                    self.frame().pc = *target;
                }
            }
            Op::Return => {
                let value = self.pop();
                return Ok(self.leave(Pending::Return(value)));
            }
            Op::Throw => return Ok(Step::Throw(self.pop())),
            Op::Await => return Ok(Step::Suspend),
            Op::PushHandler(kind, pc) => {
                let frame = self.frame();
                let handler = Handler {
                    kind: *kind,
                    pc: *pc,
                    scopes: frame.scopes.len(),
                    pendings: frame.pendings.len(),
                };
                frame.handlers.push(handler);
            }
            Op::PopHandler => {
                self.frame().handlers.pop();
            }
            Op::NormalCompletion => self.frame().pendings.push(Pending::Normal),
            Op::EndFinally => {
                let pending = self.frame().pendings.pop().unwrap_or(Pending::Normal);
                return Ok(match pending {
                    Pending::Normal => Step::Continue,
                    Pending::Throw(error) => Step::Throw(error),
                    other => self.leave(other),
                });
            }
            Op::Exit {
                target,
                handlers,
                scopes,
            } => {
                return Ok(self.leave(Pending::Exit {
                    target: *target,
                    handlers: *handlers,
                    scopes: *scopes,
                }))
            }
            Op::IterInit(name) => self.iter_init(name)?,
            Op::ForInInit(name) => self.for_in_init(name)?,
            Op::IterNext(name, exit) => {
                if let Some(error) = self.iter_next(name, *exit)? {
                    return Ok(Step::Throw(error));
                }
            }
            Op::Yield | Op::YieldDelegated => return Ok(Step::Yield),
            Op::YieldDelegate(name, exit) => {
                if let Some(error) = self.yield_delegate(name, *exit)? {
                    return Ok(Step::Throw(error));
                }
            }
            Op::IterClose(name) => {
                if let Some(error) = self.iter_close(name)? {
                    return Ok(Step::Throw(error));
                }
            }
            Op::Swap
            | Op::RequireObjectCoercible
            | Op::RequireIndexable
            | Op::ObjectRest(_)
            | Op::RestFrom(_)
            | Op::SkipIfNullish { .. } => self.pattern_op(op)?,
            Op::Abstain(reason) => return self.abstain(reason.to_string()),
            Op::MakeClass { name, derived } => {
                let fields = self.pop();
                let constructor = self.pop();
                let heritage = derived.then(|| self.pop());
                let scope = self.scope();
                let class = self.make_class(name.clone(), heritage, constructor, fields, scope)?;
                self.push(class);
            }
            Op::ObjectSpread => {
                let source = self.pop();
                let object = self.pop();
                self.object_spread(&object, &source)?;
                self.push(object);
            }
            Op::Define { name, kind } => {
                let value = self.pop();
                let object = self.pop();
                self.define_member(&object, name, *kind, value)?;
                self.push(object);
            }
            Op::SuperCall { argc } => {
                let len = self.frame().stack.len();
                let args = self.frame().stack.split_off(len.saturating_sub(*argc));
                let scope = self.scope();
                return Ok(match self.super_call(scope, args)? {
                    Completion::Normal(this) => {
                        self.push(this);
                        Step::Continue
                    }
                    Completion::Throw(error) => Step::Throw(error),
                });
            }
            Op::GetSuper(name) => {
                let home = self.pop();
                let receiver = self.pop();
                let value = self.super_get(&home, name, &receiver)?;
                self.push(value);
            }
        }
        Ok(Step::Continue)
    }

    fn call_from_code(&mut self, callee: Value, this: Value, args: Vec<Value>) -> Run<Step> {
        let Some(id) = callee.as_object() else {
            return self.abstain("calling a value that is not a function (a TypeError)");
        };
        match &self.heap[id].kind {
            ObjKind::Closure { .. } => {
                if let Some(generator) = self.push_frame(id, this, args)? {
                    self.push(generator);
                }
                Ok(Step::Continue)
            }
            ObjKind::Opaque { name, .. } => {
                self.abstain(format!("calling `{name}` is not modelled by ticklens"))
            }
            ObjKind::Native(native) => {
                let native = native.clone();
                Ok(match self.call_native(native, this, args)? {
                    Completion::Normal(value) => {
                        self.push(value);
                        Step::Continue
                    }
                    Completion::Throw(error) => Step::Throw(error),
                })
            }
            _ => self.abstain("calling a value that is not a function (a TypeError)"),
        }
    }

    /// `return`, `break`, `continue` and the end of a `finally`: run the
    /// enclosing `finally` bodies first (§14.15.3).
    pub(crate) fn leave(&mut self, pending: Pending) -> Step {
        let frame = self.frame();
        let floor = match &pending {
            Pending::Exit { handlers, .. } => *handlers,
            _ => 0,
        };
        while frame.handlers.len() > floor {
            let Some(handler) = frame.handlers.pop() else {
                break;
            };
            if handler.kind == HandlerKind::Finally {
                frame.scopes.truncate(handler.scopes);
                frame.pendings.truncate(handler.pendings);
                frame.pendings.push(pending);
                frame.pc = handler.pc;
                return Step::Continue;
            }
        }
        match pending {
            Pending::Return(value) => Step::Finish(Completion::Normal(value)),
            Pending::Exit { target, scopes, .. } => {
                frame.scopes.truncate(scopes.max(1));
                frame.pc = target;
                Step::Continue
            }
            Pending::Normal => Step::Continue,
            Pending::Throw(error) => Step::Throw(error),
        }
    }

    /// Throws `error` in the top frame: to its innermost handler, or out of
    /// the frame (and on to callers, iteratively). Returns the completion if
    /// it leaves the `base` frame.
    fn unwind(&mut self, error: Value, base: usize) -> Run<Option<Completion>> {
        loop {
            let frame = self.frame();
            if let Some(handler) = frame.handlers.pop() {
                frame.scopes.truncate(handler.scopes);
                frame.pendings.truncate(handler.pendings);
                frame.stack.clear();
                frame.pc = handler.pc;
                match handler.kind {
                    HandlerKind::Catch => frame.stack.push(error),
                    HandlerKind::Finally => frame.pendings.push(Pending::Throw(error)),
                }
                return Ok(None);
            }
            if frame.activation.is_some() || frame.generator.is_some() {
                return self.finish_frame(Completion::Throw(error), base);
            }
            self.frames.pop();
            if self.frames.len() <= base {
                return Ok(Some(Completion::Throw(error)));
            }
        }
    }

    /// The top frame returned or threw out. Async activations settle their
    /// outer promise and hand it to the caller (§27.7.5.2 AsyncBlockStart).
    pub(crate) fn finish_frame(
        &mut self,
        completion: Completion,
        base: usize,
    ) -> Run<Option<Completion>> {
        let Some(frame) = self.frames.last() else {
            return self.abstain("internal: no frame to finish");
        };
        if let (Some(generator), true) = (frame.generator, frame.code.is_async) {
            self.frames.pop();
            self.async_generator_finished(generator, completion)?;
            return Ok(self.deliver(Completion::Normal(Value::Undefined), base));
        }
        if let Some(generator) = frame.generator {
            let completion = self.generator_finished(generator, completion);
            if let Completion::Throw(error) = completion {
                return self.unwind_out(error, base);
            }
            self.frames.pop();
            return Ok(self.deliver(completion, base));
        }
        let Some(activation) = frame.activation else {
            if let Completion::Throw(error) = completion {
                return self.unwind_out(error, base);
            }
            self.frames.pop();
            return Ok(self.deliver(completion, base));
        };
        self.frames.pop();
        let outer = self.activations[activation].outer;
        match completion {
            Completion::Normal(value) => self.resolve_promise(outer, value)?,
            Completion::Throw(error) => self.reject_promise(outer, error),
        }
        Ok(self.deliver(Completion::Normal(Value::Object(outer)), base))
    }

    /// A sync frame throws with no handler left: pop it and keep unwinding.
    fn unwind_out(&mut self, error: Value, base: usize) -> Run<Option<Completion>> {
        self.frames.pop();
        if self.frames.len() <= base {
            return Ok(Some(Completion::Throw(error)));
        }
        self.unwind(error, base)
    }

    /// Hands a normal result to the caller frame, or out of `run`.
    fn deliver(&mut self, completion: Completion, base: usize) -> Option<Completion> {
        if self.frames.len() <= base {
            return Some(completion);
        }
        if let Completion::Normal(value) = completion {
            self.push(value);
        }
        None
    }

    /// `await v` (§27.7.5.3 Await): PromiseResolve, then attach the resume
    /// reactions; the frame moves to its activation until a job resumes it.
    fn suspend_frame(&mut self, base: usize) -> Run<Option<Completion>> {
        let operand = self.pop();
        let span = self.current_span();
        let Some(activation) = self.frame().activation else {
            return self.abstain("`await` outside an async function");
        };
        let operand_object = operand.as_object();
        let promise = self.promise_resolve(operand)?;
        // Adopted through its `then` (a thenable, or a promise whose
        // constructor is not %Promise%): PromiseResolve made a new promise
        // resolved with it, and that promise has a pending resolve-thenable job.
        let thenable = operand_object.is_some_and(|id| {
            id != promise
                && self
                    .promise_data(promise)
                    .is_some_and(|data| matches!(data.state, super::promise::PromiseState::Pending))
        });
        let started = (self.event_loop.phase, self.depth);
        if let Some(observer) = &mut self.observer {
            let operand_is_promise = operand_object == Some(promise);
            observer.awaited(
                activation,
                span.clone(),
                promise,
                thenable,
                operand_is_promise,
                started,
            );
        }
        self.await_promise(promise, activation)?;
        let Some(frame) = self.frames.pop() else {
            return self.abstain("internal: no frame to suspend");
        };
        let outer = self.activations[activation].outer;
        self.activations[activation].frame = Some(frame);
        self.activations[activation].await_span = span;
        if self.frames.len() <= base {
            return Ok(Some(Completion::Normal(Value::Object(outer))));
        }
        self.push(Value::Object(outer));
        Ok(None)
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
