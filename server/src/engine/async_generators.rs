//! Async generators (§27.6): `next`/`return`/`throw` return promises and
//! queue a request; the body runs while the queue holds requests, and each
//! `yield` or completion settles the oldest request's promise.
//!
//! The body's frame is an async activation (its awaits suspend like any
//! async function's) that is also tied to its generator (`Frame::generator`
//! indexes `Machine::async_generators`). Job counts follow the spec's
//! algorithms over the engine's promises, all measured on Node 24.11.1
//! (tests/async_generators.rs):
//! - `yield v` awaits `v` first (§15.5.5 Yield: `Await` in async generators),
//!   then settles the request with `{ value, done: false }`;
//! - `return v` awaits `v` (§15.1.1 ReturnStatement evaluation);
//! - `return(v)` at a `yield` awaits `v` there before the `return`
//!   completion runs the `finally` bodies (AsyncGeneratorUnwrapYieldResumption);
//! - `return(v)` before the start or after the end settles one job after
//!   `PromiseResolve(v)` does (AsyncGeneratorAwaitReturn).

use std::collections::VecDeque;
use std::rc::Rc;

use super::bytecode::{HandlerKind, Op};
use super::compile::{Compiler, FnBuilder};
use super::generators::{GeneratorState, Resume};
use super::machine::{Completion, Frame, Machine, Run, MAX_NATIVE_DEPTH};
use super::promise::ReactionHandler;
use super::value::{Builtin, ObjId, ObjKind, Value};

/// An AsyncGeneratorRequest Record (§27.6.3.1).
#[derive(Debug, Clone)]
pub(crate) struct AsyncGeneratorRequest {
    pub how: Resume,
    pub value: Value,
    pub promise: ObjId,
}

#[derive(Debug, Clone)]
pub(crate) struct AsyncGenerator {
    pub state: GeneratorState,
    pub queue: VecDeque<AsyncGeneratorRequest>,
}

/// What the run loop does after an async generator's `yield`.
pub(crate) enum AfterYield {
    /// The generator suspended: the run ends with this completion.
    Leave(Completion),
    /// Another request was waiting: the body goes on without suspending.
    Continue,
    /// The waiting request is a `throw(e)`: it throws at the `yield`.
    Throw(Value),
}

impl<'s> Compiler<'s> {
    /// `yield v` in an async generator: `v` is awaited, and the resumption
    /// leaves `[sent, is_return]`; a `return(v)` request awaits `v` and
    /// returns it through the `finally` bodies (§27.6.3.7).
    pub(crate) fn async_yield(&mut self, b: &mut FnBuilder) {
        b.emit(Op::Await);
        b.emit(Op::Yield);
        let resumed = b.emit(Op::JumpIfFalse(0));
        b.emit(Op::Await);
        b.emit(Op::Return);
        b.patch(resumed);
    }

    /// `yield* iterable` in an async generator (§15.5.5 step 7): each inner
    /// result is awaited, and its value yielded without another await. A
    /// `return(v)` request awaits `v` at the `yield` (as any yield resumption
    /// does), then calls the inner `return(v)` and awaits its result; done,
    /// its value is returned without another await (measured on Node 24).
    /// A `throw()` request while delegating abstains.
    pub(crate) fn async_yield_delegate(&mut self, b: &mut FnBuilder) {
        let inner = self.hidden_name("asyncdelegate");
        b.emit(Op::AsyncIterInit(inner.clone()));
        b.emit(Op::Push(Value::Undefined));
        let step = b.emit(Op::AsyncDelegateStep(inner.clone()));
        b.emit(Op::Await);
        b.emit(Op::ForAwaitUnpack);
        let exit = b.emit(Op::JumpIfTrue(0));
        let yielded = b.emit(Op::YieldDelegated);
        b.emit(Op::JumpIfFalse(step));
        // A rejected `v` would go to the inner `throw()`, which is not modelled.
        b.handlers += 1;
        let rejected = b.emit(Op::PushHandler(HandlerKind::Catch, 0));
        b.emit(Op::Await);
        b.handlers -= 1;
        b.emit(Op::PopHandler);
        b.emit(Op::AsyncDelegateReturn(inner));
        b.emit(Op::Await);
        b.emit(Op::ForAwaitUnpack);
        b.emit(Op::JumpIfFalse(yielded));
        b.emit(Op::Return);
        b.patch(rejected);
        b.emit(Op::Abstain(Rc::from(
            "`return()` with a rejected promise on an async generator inside `yield*` is not modelled",
        )));
        b.patch(exit);
    }
}

impl Machine<'_> {
    pub(crate) fn new_async_generator(&mut self, mut frame: Frame) -> Value {
        let index = self.async_generators.len();
        frame.generator = Some(index);
        self.async_generators.push(AsyncGenerator {
            state: GeneratorState::SuspendedStart(Box::new(frame)),
            queue: VecDeque::new(),
        });
        Value::Object(self.alloc(ObjKind::AsyncGenerator(index)))
    }

    pub(crate) fn async_generator_of(&self, value: &Value) -> Option<usize> {
        value.as_object().and_then(|id| match self.heap[id].kind {
            ObjKind::AsyncGenerator(index) => Some(index),
            _ => None,
        })
    }

    /// `next`, `return` and `throw` as property reads.
    pub(crate) fn async_generator_method_value(&mut self, name: &str) -> Run<Value> {
        match Resume::method(name) {
            Some(how) => Ok(self.builtin_value(Builtin::AsyncGenerator(how))),
            None => self.abstain(format!(
                "the async generator property `.{name}` is not modelled"
            )),
        }
    }

    /// %AsyncGeneratorPrototype%.next/return/throw (§27.6.1.2-4): a new
    /// promise for the request, queued, and the body resumed if suspended.
    pub(crate) fn async_generator_request(
        &mut self,
        this: &Value,
        how: Resume,
        value: Value,
    ) -> Run<Completion> {
        let Some(generator) = self.async_generator_of(this) else {
            return self.abstain("an async generator method called on another value");
        };
        let promise = self.new_promise();
        let result = Completion::Normal(Value::Object(promise));
        let state = &self.async_generators[generator].state;
        let (start, completed, suspended) = (
            matches!(state, GeneratorState::SuspendedStart(_)),
            matches!(state, GeneratorState::Completed),
            matches!(
                state,
                GeneratorState::SuspendedStart(_) | GeneratorState::SuspendedYield(_)
            ),
        );
        if how == Resume::Next && completed {
            let done = self.iter_result(Value::Undefined, true);
            self.resolve_promise(promise, done)?;
            return Ok(result);
        }
        if how == Resume::Throw && (start || completed) {
            // A throw before the start completes the generator unrun (§27.6.1.4 step 8).
            if start {
                self.async_generators[generator].state = GeneratorState::Completed;
            }
            self.reject_promise(promise, value);
            return Ok(result);
        }
        self.async_generators[generator]
            .queue
            .push_back(AsyncGeneratorRequest {
                how,
                value: value.clone(),
                promise,
            });
        if how == Resume::Return && (start || completed) {
            self.async_generators[generator].state = GeneratorState::AwaitingReturn;
            self.async_generator_await_return(generator)?;
        } else if suspended {
            self.async_generator_resume(generator, how, value)?;
        }
        Ok(result)
    }

    /// AsyncGeneratorResume (§27.6.3.5): runs the body from its suspension
    /// point until its next `yield`, `await` or end.
    fn async_generator_resume(&mut self, generator: usize, how: Resume, value: Value) -> Run<()> {
        let state = std::mem::replace(
            &mut self.async_generators[generator].state,
            GeneratorState::Executing,
        );
        let (mut frame, at_yield) = match state {
            GeneratorState::SuspendedStart(frame) => (frame, false),
            GeneratorState::SuspendedYield(frame) => (frame, true),
            other => {
                self.async_generators[generator].state = other;
                return self.abstain("internal: resuming an async generator that is not suspended");
            }
        };
        if self.native_depth >= MAX_NATIVE_DEPTH {
            return self.abstain("generators nest too deeply to model");
        }
        let throw = if at_yield {
            self.deliver_resumption(&mut frame, how, value)?
        } else {
            None
        };
        let base = self.frames.len();
        self.frames.push(*frame);
        self.native_depth += 1;
        let result = self.run(base, throw);
        self.native_depth -= 1;
        result.map(|_| ())
    }

    /// The request's completion arrives at the `yield`: `[sent, is_return]`
    /// on the stack, or the error to throw there.
    fn deliver_resumption(
        &mut self,
        frame: &mut Frame,
        how: Resume,
        value: Value,
    ) -> Run<Option<Value>> {
        let delegating =
            frame.pc >= 1 && matches!(frame.code.code.get(frame.pc - 1), Some(Op::YieldDelegated));
        if delegating && how == Resume::Throw {
            return self.abstain("`throw()` on an async generator inside `yield*` is not modelled");
        }
        Ok(match how {
            Resume::Throw => Some(value),
            Resume::Next | Resume::Return => {
                frame.stack.push(value);
                frame.stack.push(Value::Bool(how == Resume::Return));
                None
            }
        })
    }

    /// AsyncGeneratorYield (§27.6.3.8): settles the oldest request with
    /// `{ value, done: false }`; with another request queued the body goes
    /// on at once, otherwise the frame is stored until the next request.
    pub(crate) fn async_generator_yield(&mut self, base: usize) -> Run<AfterYield> {
        let value = self.pop();
        let Some(generator) = self.frames.last().and_then(|f| f.generator) else {
            return self.abstain("internal: `yield` outside a generator frame");
        };
        if self.frames.len() != base + 1 {
            return self.abstain("internal: an async generator yields below its caller");
        }
        self.async_generator_complete_step(generator, Completion::Normal(value), false)?;
        let waiting = self.async_generators[generator]
            .queue
            .front()
            .map(|request| (request.how, request.value.clone()));
        if let Some((how, value)) = waiting {
            let mut frame = match self.frames.pop() {
                Some(frame) => frame,
                None => return self.abstain("internal: no frame to yield from"),
            };
            let throw = self.deliver_resumption(&mut frame, how, value)?;
            self.frames.push(frame);
            return Ok(match throw {
                Some(error) => AfterYield::Throw(error),
                None => AfterYield::Continue,
            });
        }
        let Some(frame) = self.frames.pop() else {
            return self.abstain("internal: no frame to yield from");
        };
        self.async_generators[generator].state = GeneratorState::SuspendedYield(Box::new(frame));
        Ok(AfterYield::Leave(Completion::Normal(Value::Undefined)))
    }

    /// The body returned or threw (§27.6.3.2 AsyncGeneratorStart step 4):
    /// the oldest request settles with it, then the rest drain.
    pub(crate) fn async_generator_finished(
        &mut self,
        generator: usize,
        completion: Completion,
    ) -> Run<()> {
        self.async_generators[generator].state = GeneratorState::Completed;
        self.async_generator_complete_step(generator, completion, true)?;
        self.async_generator_drain_queue(generator)
    }

    /// AsyncGeneratorCompleteStep (§27.6.3.4).
    fn async_generator_complete_step(
        &mut self,
        generator: usize,
        completion: Completion,
        done: bool,
    ) -> Run<()> {
        let Some(request) = self.async_generators[generator].queue.pop_front() else {
            return self.abstain("internal: an async generator step with no request");
        };
        match completion {
            Completion::Throw(error) => self.reject_promise(request.promise, error),
            Completion::Normal(value) => {
                let result = self.iter_result(value, done);
                self.resolve_promise(request.promise, result)?;
            }
        }
        Ok(())
    }

    /// AsyncGeneratorDrainQueue (§27.6.3.11): requests made to a completed
    /// generator settle in order; a `return(v)` first awaits `v`.
    fn async_generator_drain_queue(&mut self, generator: usize) -> Run<()> {
        while let Some(request) = self.async_generators[generator].queue.front() {
            match request.how {
                Resume::Return => {
                    self.async_generators[generator].state = GeneratorState::AwaitingReturn;
                    return self.async_generator_await_return(generator);
                }
                Resume::Next => self.async_generator_complete_step(
                    generator,
                    Completion::Normal(Value::Undefined),
                    true,
                )?,
                Resume::Throw => {
                    let error = request.value.clone();
                    self.async_generator_complete_step(generator, Completion::Throw(error), true)?
                }
            }
        }
        Ok(())
    }

    /// AsyncGeneratorAwaitReturn (§27.6.3.10): `PromiseResolve(v)`, and the
    /// request settles in the reaction job.
    fn async_generator_await_return(&mut self, generator: usize) -> Run<()> {
        let Some(value) = self.async_generators[generator]
            .queue
            .front()
            .map(|request| request.value.clone())
        else {
            return self.abstain("internal: an async generator return with no request");
        };
        let promise = self.promise_resolve(value)?;
        let line = self.line_of(self.current_span().start);
        let origin: Rc<str> = Rc::from(format!("async generator return (line {line})").as_str());
        let resume = ReactionHandler::AsyncGeneratorReturn(generator);
        self.perform_then_resuming(promise, resume, origin);
        Ok(())
    }
}
