//! The run loop: steps the top frame, and unwinds, finishes, suspends and
//! leaves frames (`finally`, `return`, `throw`, `await`).

use super::{Completion, Frame, Machine, Pending, Run, Step};
use crate::engine::async_generators::AfterYield;
use crate::engine::bytecode::HandlerKind;
use crate::engine::promise::PromiseState;
use crate::engine::value::{ScopeId, Value};

impl Machine<'_> {
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

    /// The top `count` values of the operand stack, bottom first.
    pub(crate) fn pop_n(&mut self, count: usize) -> Vec<Value> {
        let stack = &mut self.frame().stack;
        stack.split_off(stack.len().saturating_sub(count))
    }

    pub(crate) fn push(&mut self, value: Value) {
        self.frame().stack.push(value);
    }

    pub(crate) fn scope(&mut self) -> ScopeId {
        let frame = self.frame();
        frame.scopes.last().copied().unwrap_or(0)
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
        let promise = self.promise_resolve(operand.clone())?;
        let unknown = self.awaited_unknown(&operand, promise);
        // Adopted through its `then` (a thenable, or a promise whose
        // constructor is not %Promise%): PromiseResolve made a new promise
        // resolved with it, and that promise has a pending resolve-thenable job.
        let thenable = !unknown
            && operand_object.is_some_and(|id| {
                id != promise
                    && self
                        .promise_data(promise)
                        .is_some_and(|data| matches!(data.state, PromiseState::Pending))
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
}
