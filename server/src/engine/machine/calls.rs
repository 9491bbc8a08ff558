//! Calls: entering a closure as a frame, from Rust or from bytecode, and
//! resuming a suspended async activation.

use super::{Activation, Completion, Frame, Machine, Run, Step, MAX_FRAMES, MAX_NATIVE_DEPTH};
use crate::engine::value::{ObjId, ObjKind, Value};

impl Machine<'_> {
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
            ObjKind::Opaque { .. } | ObjKind::Unknown(_) => self.call_unknown(id, &this, &args),
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
                    | ObjKind::Unknown(_)
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
        self.ran.record(func);
        if self.timeline.is_some() {
            self.step_enters(&code.range);
        }
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
        if self.timeline.is_some() {
            let range = frame.code.range.clone();
            self.step_enters(&range);
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

    pub(super) fn call_from_code(
        &mut self,
        callee: Value,
        this: Value,
        args: Vec<Value>,
    ) -> Run<Step> {
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
            ObjKind::Opaque { .. } | ObjKind::Unknown(_) => {
                let completion = self.call_unknown(id, &this, &args)?;
                Ok(self.push_completion(completion))
            }
            ObjKind::Native(native) => {
                let native = native.clone();
                let completion = self.call_native(native, this, args)?;
                Ok(self.push_completion(completion))
            }
            _ => self.abstain("calling a value that is not a function (a TypeError)"),
        }
    }
}
