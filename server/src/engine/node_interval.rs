//! `timers/promises` `setInterval(delay, value)`, as Node 24 runs it.
//!
//! In lib/timers/promises.js it is an async generator:
//!
//! ```js
//! let notYielded = 0, callback;
//! interval = new Timeout(() => { notYielded++; if (callback) { callback(); callback = undefined; } },
//!                        after, undefined, true, ref);
//! while (true) {
//!   if (notYielded === 0) await new Promise((resolve) => callback = resolve);
//!   for (; notYielded > 0; notYielded--) yield value;
//! }
//! // finally: clearInterval(interval)
//! ```
//!
//! The engine runs that body natively on an iterator object (`node_async_iter.rs`) with the
//! async generator's request queue (§27.6.3): the body starts at the first request (so the
//! interval is armed then, not at the call), each `await` is a reaction on the engine's own
//! promises (one job after its operand settles, as V8's await on a native promise), `yield
//! value` awaits `value` and settles the oldest request with `{ value, done: false }`, going on
//! at once when another request waits; `return(v)` at a `yield` awaits `v`, clears the interval
//! and settles with `{ value: v, done: true }`, which a `for await` left by `break` awaits: two
//! jobs after the `break`. From the interval's callback to the loop body of a waiting
//! `for await` are three jobs. The `signal` and `ref` options are not modelled. Measured on
//! Node 24 in `tests/node_async_iter.rs`.

use std::rc::Rc;

use super::builtins::arg;
use super::generators::Resume;
use super::machine::{Completion, Machine, Run};
use super::node_async_iter::{IterFn, INTERVAL};
use super::scheduler::TimerKind;
use super::value::{ObjId, Value};

/// Where the body goes on when one of its awaits settles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum IntervalPoint {
    /// `await new Promise((resolve) => callback = resolve)`.
    Fired,
    FiredRejected,
    /// The await of `yield value`.
    Yielded,
    YieldRejected,
    /// The await of `v` after `return(v)` at a `yield`.
    Returned,
    ReturnRejected,
    /// AsyncGeneratorAwaitReturn: `return(v)` before the start or after the end.
    AwaitReturnDone,
    AwaitReturnFailed,
}

const DELAY: &str = "%delay";
const VALUE: &str = "%value";
/// `start`, `await` (the body waits on one of its awaits), `yield` (suspended at a `yield`),
/// `await-return` or `done`.
const STATE: &str = "%state";
/// `notYielded`.
const COUNT: &str = "%not-yielded";
/// `callback`: the resolve function of the promise the body awaits, or `undefined`.
const CALLBACK: &str = "%callback";
const TIMER: &str = "%timer";
/// The requests, each a hidden array `[how, value, promise]`.
const QUEUE: &str = "%queue";

fn how_name(how: Resume) -> &'static str {
    match how {
        Resume::Next => "next",
        Resume::Return => "return",
        Resume::Throw => "throw",
    }
}

impl Machine<'_> {
    /// `setInterval(delay, value)`: the generator object; nothing runs until its first
    /// request.
    pub(crate) fn set_interval_iter(&mut self, args: &[Value]) -> Run<Value> {
        if args.len() > 2 {
            self.see_past(
                "`timers/promises` `setInterval` options (`signal`, `ref`) are not modelled by \
                 ticklens",
            )?;
            let origin = self.span_text();
            return Ok(self.new_unknown(&origin, false));
        }
        let delay = arg(args, 0);
        if !matches!(delay, Value::Undefined | Value::Number(_)) {
            return self.abstain("a `setInterval` delay that is not a number (a TypeError)");
        }
        let iter = self.new_native_iter(INTERVAL);
        self.set_slot(iter, DELAY, delay);
        self.set_slot(iter, VALUE, arg(args, 1));
        self.set_slot(iter, STATE, Value::str("start"));
        self.set_slot(iter, COUNT, Value::Number(0.0));
        self.set_slot(iter, CALLBACK, Value::Undefined);
        self.set_slot_list(iter, QUEUE, Vec::new());
        Ok(Value::Object(iter))
    }

    fn interval_state(&self, iter: ObjId) -> Rc<str> {
        match self.slot(iter, STATE) {
            Value::Str(state) => state,
            _ => Rc::from("done"),
        }
    }

    fn set_interval_state(&mut self, iter: ObjId, state: &str) {
        self.set_slot(iter, STATE, Value::str(state));
    }

    fn interval_count(&self, iter: ObjId) -> f64 {
        match self.slot(iter, COUNT) {
            Value::Number(count) => count,
            _ => 0.0,
        }
    }

    /// %AsyncGeneratorPrototype%.next/return/throw on the interval's generator.
    pub(crate) fn interval_request(
        &mut self,
        iter: ObjId,
        how: Resume,
        value: Value,
    ) -> Run<Value> {
        let promise = self.new_promise();
        let state = self.interval_state(iter);
        match (how, &*state) {
            (Resume::Next, "done") => {
                let done = self.iter_result(Value::Undefined, true);
                self.resolve_promise(promise, done)?;
                return Ok(Value::Object(promise));
            }
            (Resume::Throw, "start" | "done") => {
                self.set_interval_state(iter, "done");
                self.reject_promise(promise, value);
                return Ok(Value::Object(promise));
            }
            _ => {}
        }
        let request = self.alloc(super::value::ObjKind::Array(vec![
            Value::str(how_name(how)),
            value.clone(),
            Value::Object(promise),
        ]));
        self.slot_push(iter, QUEUE, Value::Object(request));
        match (how, &*state) {
            (Resume::Return, "start" | "done") => {
                self.set_interval_state(iter, "await-return");
                self.interval_await_return(iter)?;
            }
            (_, "start") => self.interval_start(iter)?,
            (_, "yield") => self.interval_resume(iter, how, value)?,
            _ => {}
        }
        Ok(Value::Object(promise))
    }

    /// The body from its start: the interval is armed, then the loop.
    fn interval_start(&mut self, iter: ObjId) -> Run<()> {
        self.set_interval_state(iter, "await");
        let tick = self.iter_fn_value(IterFn::IntervalTick(iter));
        let delay = self.slot(iter, DELAY);
        let timer = self.add_timer(TimerKind::Interval, vec![tick, delay])?;
        self.set_slot(iter, TIMER, timer);
        self.interval_loop_top(iter)
    }

    /// The interval's callback.
    pub(crate) fn interval_tick(&mut self, iter: ObjId) -> Run<()> {
        let count = self.interval_count(iter);
        self.set_slot(iter, COUNT, Value::Number(count + 1.0));
        let callback = self.slot(iter, CALLBACK);
        if !callback.is_nullish() {
            if let Completion::Throw(_) = self.call(&callback, Value::Undefined, Vec::new())? {
                return self.abstain("internal: a resolve function threw");
            }
            self.set_slot(iter, CALLBACK, Value::Undefined);
        }
        Ok(())
    }

    /// The top of `while`: wait for the callback when no tick is left to yield.
    fn interval_loop_top(&mut self, iter: ObjId) -> Run<()> {
        if self.interval_count(iter) > 0.0 {
            return self.interval_yield(iter);
        }
        let promise = self.new_promise();
        let (resolve, _) = self.resolving_functions(promise);
        self.set_slot(iter, CALLBACK, Value::Object(resolve));
        self.interval_await(
            iter,
            promise,
            IntervalPoint::Fired,
            IntervalPoint::FiredRejected,
        );
        Ok(())
    }

    /// `yield value`: awaits `value` first.
    fn interval_yield(&mut self, iter: ObjId) -> Run<()> {
        let value = self.slot(iter, VALUE);
        let promise = self.promise_resolve(value)?;
        self.interval_await(
            iter,
            promise,
            IntervalPoint::Yielded,
            IntervalPoint::YieldRejected,
        );
        Ok(())
    }

    fn interval_await(
        &mut self,
        iter: ObjId,
        promise: ObjId,
        fulfilled: IntervalPoint,
        rejected: IntervalPoint,
    ) {
        self.set_interval_state(iter, "await");
        let on_fulfilled = self.iter_fn_value(IterFn::IntervalStep(iter, fulfilled));
        let on_rejected = self.iter_fn_value(IterFn::IntervalStep(iter, rejected));
        let line = self.line_of(self.current_span().start);
        let origin: Rc<str> = Rc::from(format!("await in setInterval (line {line})").as_str());
        self.promise_then(promise, &on_fulfilled, &on_rejected, origin);
    }

    /// The body goes on after one of its awaits settled with `value`.
    pub(crate) fn interval_step(
        &mut self,
        iter: ObjId,
        point: IntervalPoint,
        value: Value,
    ) -> Run<()> {
        match point {
            IntervalPoint::Fired => self.interval_for_check(iter),
            IntervalPoint::Yielded => {
                self.interval_complete_step(iter, Completion::Normal(value), false)?;
                match self.interval_front(iter) {
                    Some((how, sent)) => self.interval_resume(iter, how, sent),
                    None => {
                        self.set_interval_state(iter, "yield");
                        Ok(())
                    }
                }
            }
            IntervalPoint::Returned => self.interval_finish(iter, Completion::Normal(value)),
            IntervalPoint::FiredRejected
            | IntervalPoint::YieldRejected
            | IntervalPoint::ReturnRejected => self.interval_finish(iter, Completion::Throw(value)),
            IntervalPoint::AwaitReturnDone | IntervalPoint::AwaitReturnFailed => {
                self.set_interval_state(iter, "done");
                let completion = if point == IntervalPoint::AwaitReturnDone {
                    Completion::Normal(value)
                } else {
                    Completion::Throw(value)
                };
                self.interval_complete_step(iter, completion, true)?;
                self.interval_drain(iter)
            }
        }
    }

    /// `for (; notYielded > 0; ...)`: yield again, or back to the top of `while`.
    fn interval_for_check(&mut self, iter: ObjId) -> Run<()> {
        if self.interval_count(iter) > 0.0 {
            self.interval_yield(iter)
        } else {
            self.interval_loop_top(iter)
        }
    }

    /// A request resumes the body at its `yield`.
    fn interval_resume(&mut self, iter: ObjId, how: Resume, value: Value) -> Run<()> {
        match how {
            Resume::Next => {
                let count = self.interval_count(iter);
                self.set_slot(iter, COUNT, Value::Number(count - 1.0));
                self.interval_for_check(iter)
            }
            Resume::Return => {
                let promise = self.promise_resolve(value)?;
                self.interval_await(
                    iter,
                    promise,
                    IntervalPoint::Returned,
                    IntervalPoint::ReturnRejected,
                );
                Ok(())
            }
            Resume::Throw => self.interval_finish(iter, Completion::Throw(value)),
        }
    }

    /// The body ends: `finally` clears the interval, the oldest request settles, the rest drain.
    fn interval_finish(&mut self, iter: ObjId, completion: Completion) -> Run<()> {
        let timer = self.slot(iter, TIMER);
        self.clear_timer(&timer);
        self.set_slot(iter, CALLBACK, Value::Undefined);
        self.set_interval_state(iter, "done");
        self.interval_complete_step(iter, completion, true)?;
        self.interval_drain(iter)
    }

    /// The oldest request's kind and value.
    fn interval_front(&self, iter: ObjId) -> Option<(Resume, Value)> {
        let request = self.slot_list(iter, QUEUE).first()?.as_object()?;
        let how = match self.slot_record(request, 0) {
            Value::Str(how) => Resume::method(&how)?,
            _ => return None,
        };
        Some((how, self.slot_record(request, 1)))
    }

    fn slot_record(&self, record: ObjId, index: usize) -> Value {
        match &self.heap[record].kind {
            super::value::ObjKind::Array(items) => {
                items.get(index).cloned().unwrap_or(Value::Undefined)
            }
            _ => Value::Undefined,
        }
    }

    /// AsyncGeneratorCompleteStep: the oldest request settles.
    fn interval_complete_step(
        &mut self,
        iter: ObjId,
        completion: Completion,
        done: bool,
    ) -> Run<()> {
        let Some(request) = self.slot_shift(iter, QUEUE).and_then(|r| r.as_object()) else {
            return self.abstain("internal: a `setInterval` step with no request");
        };
        let Some(promise) = self.slot_record(request, 2).as_object() else {
            return self.abstain("internal: a `setInterval` request without its promise");
        };
        match completion {
            Completion::Throw(error) => self.reject_promise(promise, error),
            Completion::Normal(value) => {
                let result = self.iter_result(value, done);
                self.resolve_promise(promise, result)?;
            }
        }
        Ok(())
    }

    /// AsyncGeneratorDrainQueue: requests to the finished generator settle in order.
    fn interval_drain(&mut self, iter: ObjId) -> Run<()> {
        while let Some((how, value)) = self.interval_front(iter) {
            match how {
                Resume::Return => {
                    self.set_interval_state(iter, "await-return");
                    return self.interval_await_return(iter);
                }
                Resume::Next => {
                    self.interval_complete_step(iter, Completion::Normal(Value::Undefined), true)?
                }
                Resume::Throw => {
                    self.interval_complete_step(iter, Completion::Throw(value), true)?
                }
            }
        }
        Ok(())
    }

    /// AsyncGeneratorAwaitReturn: the oldest request (a `return(v)`) settles one job after
    /// `PromiseResolve(v)` does.
    fn interval_await_return(&mut self, iter: ObjId) -> Run<()> {
        let value = self
            .interval_front(iter)
            .map_or(Value::Undefined, |(_, v)| v);
        let promise = self.promise_resolve(value)?;
        self.interval_await(
            iter,
            promise,
            IntervalPoint::AwaitReturnDone,
            IntervalPoint::AwaitReturnFailed,
        );
        self.set_interval_state(iter, "await-return");
        Ok(())
    }
}
