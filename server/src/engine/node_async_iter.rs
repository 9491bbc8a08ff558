//! The async iterators of Node's built-in modules: `events.on` (here) and `timers/promises`
//! `setInterval` (`node_interval.rs`), as objects whose `next`/`return`/`throw` the engine runs
//! natively, job for job as Node 24's JavaScript does.
//!
//! Such an iterator is a plain object with hidden state (own properties no program can spell)
//! and its three methods; it is frozen, so a program's write into it abstains. `for await` and
//! `yield*` (`for_await.rs`) use it as its own async iterator: each step calls `next()` and
//! awaits the promise it returns, one job after that promise settles.
//!
//! `events.on(emitter, name)` follows lib/events.js `on`: an `on` listener for `name` that
//! queues each event's arguments (an array) or resolves the oldest pending `next()` promise
//! with `{ value: args, done: false }`, and, unless `name` is `'error'`, an `'error'` listener
//! that rejects the oldest pending `next()` (or keeps the error for the next one) and closes the
//! iterator. `next()` returns `PromiseResolve` of a queued event's result (a new fulfilled
//! promise), a rejected promise for a kept error, the done result once closed, or a new pending
//! promise. `return()` closes it: both listeners removed, pending `next()` promises resolved with
//! `{ value: undefined, done: true }`, and a fulfilled promise of that result returned. Options
//! (`signal`, `close`, watermarks) are not modelled. Measured on Node 24 in
//! `tests/node_async_iter.rs`.

use std::rc::Rc;

use super::builtins::arg;
use super::generators::Resume;
use super::machine::{Completion, Machine, Run};
use super::node_interval::IntervalPoint;
use super::node_modules::NodeFn;
use super::value::{Builtin, ObjId, ObjKind, Value};

/// The hidden own property naming which iterator an object is.
const KIND: &str = "%async-iter";
pub(crate) const EVENTS_ON: &str = "events.on";
pub(crate) const INTERVAL: &str = "setInterval";

/// `events.on`'s hidden state: the emitter, its two listener records, the queue of unconsumed
/// events (arrays of arguments), the pending `next()` promises, the kept error, and whether it
/// is finished.
const EMITTER: &str = "%emitter";
const EVENT: &str = "%event";
const RECORDS: &str = "%records";
const EVENTS: &str = "%events";
const PENDING: &str = "%pending";
const ERROR: &str = "%error";
const FINISHED: &str = "%finished";

/// The native functions behind these iterators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum IterFn {
    /// `next`, `return` and `throw` of an iterator (its `this`).
    Method(Resume),
    /// `events.on` itself, and the listeners it adds for the event and for `'error'`.
    EventsOn,
    OnEvent(ObjId),
    OnError(ObjId),
    /// `timers/promises` `setInterval`, its timer's callback, and the points where its body
    /// goes on after an await (`node_interval.rs`).
    SetInterval,
    IntervalTick(ObjId),
    IntervalStep(ObjId, IntervalPoint),
}

impl Machine<'_> {
    /// A new iterator object of `kind` with its methods.
    pub(crate) fn new_native_iter(&mut self, kind: &str) -> ObjId {
        let iter = self.alloc(ObjKind::Plain);
        for (name, how) in [
            ("next", Resume::Next),
            ("return", Resume::Return),
            ("throw", Resume::Throw),
        ] {
            let method = self.iter_fn_value(IterFn::Method(how));
            self.heap[iter].set_own(name, method);
        }
        self.heap[iter].set_own(KIND, Value::str(kind));
        self.heap[iter].hidden_props = true;
        self.heap[iter].frozen = true;
        iter
    }

    pub(crate) fn iter_fn_value(&mut self, function: IterFn) -> Value {
        self.builtin_value(Builtin::Node(NodeFn::AsyncIter(function)))
    }

    /// Which native iterator `id` is, if it is one.
    pub(crate) fn native_iter_kind(&self, id: ObjId) -> Option<Rc<str>> {
        match self.heap[id].get_own(KIND) {
            Some(Value::Str(kind)) => Some(kind.clone()),
            _ => None,
        }
    }

    pub(crate) fn slot(&self, iter: ObjId, name: &str) -> Value {
        self.heap[iter]
            .get_own(name)
            .cloned()
            .unwrap_or(Value::Undefined)
    }

    pub(crate) fn set_slot(&mut self, iter: ObjId, name: &str, value: Value) {
        self.heap[iter].set_own(name, value);
    }

    /// The items of the hidden list `name` of `iter`.
    pub(crate) fn slot_list(&self, iter: ObjId, name: &str) -> Vec<Value> {
        match self.slot(iter, name) {
            Value::Object(list) => match &self.heap[list].kind {
                ObjKind::Array(items) => items.clone(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    pub(crate) fn set_slot_list(&mut self, iter: ObjId, name: &str, items: Vec<Value>) {
        let list = self.alloc(ObjKind::Array(items));
        self.set_slot(iter, name, Value::Object(list));
    }

    /// Takes the first item of the hidden list `name`.
    pub(crate) fn slot_shift(&mut self, iter: ObjId, name: &str) -> Option<Value> {
        let mut items = self.slot_list(iter, name);
        if items.is_empty() {
            return None;
        }
        let first = items.remove(0);
        self.set_slot_list(iter, name, items);
        Some(first)
    }

    pub(crate) fn slot_push(&mut self, iter: ObjId, name: &str, value: Value) {
        let mut items = self.slot_list(iter, name);
        items.push(value);
        self.set_slot_list(iter, name, items);
    }

    pub(crate) fn call_async_iter(
        &mut self,
        function: IterFn,
        this: Value,
        args: Vec<Value>,
    ) -> Run<Completion> {
        let value = match function {
            IterFn::Method(how) => {
                let iter = this
                    .as_object()
                    .filter(|&id| self.native_iter_kind(id).is_some());
                let Some(iter) = iter else {
                    return self.abstain("an async iterator method called on another value");
                };
                return self.native_iter_request(iter, how, arg(&args, 0));
            }
            IterFn::EventsOn => self.events_on(&args)?,
            IterFn::OnEvent(iter) => {
                let values = Value::Object(self.alloc(ObjKind::Array(args)));
                self.on_event(iter, values)?;
                Value::Undefined
            }
            IterFn::OnError(iter) => {
                self.on_error(iter, arg(&args, 0))?;
                Value::Undefined
            }
            IterFn::SetInterval => self.set_interval_iter(&args)?,
            IterFn::IntervalTick(iter) => {
                self.interval_tick(iter)?;
                Value::Undefined
            }
            IterFn::IntervalStep(iter, point) => {
                self.interval_step(iter, point, arg(&args, 0))?;
                Value::Undefined
            }
        };
        Ok(Completion::Normal(value))
    }

    /// `next()`, `return()` or `throw()` on a native iterator: what the call returns (a
    /// promise, or `undefined` for `events.on`'s `throw`).
    pub(crate) fn native_iter_request(
        &mut self,
        iter: ObjId,
        how: Resume,
        value: Value,
    ) -> Run<Completion> {
        match self.native_iter_kind(iter).as_deref() {
            Some(INTERVAL) => Ok(Completion::Normal(self.interval_request(iter, how, value)?)),
            Some(EVENTS_ON) => self.events_on_request(iter, how, value),
            _ => self.abstain("internal: not a native async iterator"),
        }
    }

    /// `events.on(emitter, name)`: the iterator, with its listeners added (the event's first,
    /// then `'error'`'s).
    fn events_on(&mut self, args: &[Value]) -> Run<Value> {
        if args.len() > 2 {
            // lib/events.js reads `signal`, `close` and the watermarks from the options.
            self.see_past("`events.on` options (`signal`, `close`) are not modelled by ticklens")?;
            let origin = self.span_text();
            return Ok(self.new_unknown(&origin, false));
        }
        let emitter = arg(args, 0);
        let table = self.listener_table(&emitter)?;
        let event = self.event_name(&arg(args, 1))?;
        self.no_meta_listeners(table, &event)?;
        let iter = self.new_native_iter(EVENTS_ON);
        self.set_slot(iter, EMITTER, emitter);
        self.set_slot(iter, EVENT, Value::Str(event.clone()));
        self.set_slot(iter, ERROR, Value::Null);
        self.set_slot(iter, FINISHED, Value::Bool(false));
        let listener = self.iter_fn_value(IterFn::OnEvent(iter));
        let record = self.add_on_record(table, &event, listener);
        let mut records = vec![Value::Object(record)];
        if &*event != "error" {
            let listener = self.iter_fn_value(IterFn::OnError(iter));
            records.push(Value::Object(self.add_on_record(table, "error", listener)));
        }
        self.set_slot_list(iter, RECORDS, records);
        Ok(Value::Object(iter))
    }

    /// lib/events.js `on`'s `eventHandler`.
    fn on_event(&mut self, iter: ObjId, values: Value) -> Run<()> {
        match self.slot_shift(iter, PENDING).and_then(|p| p.as_object()) {
            Some(promise) => {
                let result = self.iter_result(values, false);
                self.resolve_promise(promise, result)
            }
            None => {
                self.slot_push(iter, EVENTS, values);
                Ok(())
            }
        }
    }

    /// lib/events.js `on`'s `errorHandler`.
    fn on_error(&mut self, iter: ObjId, error: Value) -> Run<()> {
        match self.slot_shift(iter, PENDING).and_then(|p| p.as_object()) {
            Some(promise) => self.reject_promise(promise, error),
            None => self.set_slot(iter, ERROR, error),
        }
        self.events_on_close(iter)?;
        Ok(())
    }

    /// lib/events.js `on`'s `closeHandler`: the fulfilled promise it returns.
    fn events_on_close(&mut self, iter: ObjId) -> Run<Value> {
        let emitter = self.slot(iter, EMITTER);
        let table = self.listener_table(&emitter)?;
        let event = match self.slot(iter, EVENT) {
            Value::Str(event) => event,
            _ => return self.abstain("internal: an `events.on` iterator without its event"),
        };
        for (index, record) in self.slot_list(iter, RECORDS).into_iter().enumerate() {
            if let Some(record) = record.as_object() {
                let name = if index == 0 { &*event } else { "error" };
                self.remove_record(table, name, record);
            }
        }
        self.set_slot_list(iter, RECORDS, Vec::new());
        self.set_slot(iter, FINISHED, Value::Bool(true));
        let done = self.iter_result(Value::Undefined, true);
        while let Some(promise) = self.slot_shift(iter, PENDING).and_then(|p| p.as_object()) {
            self.resolve_promise(promise, done.clone())?;
        }
        let promise = self.new_promise();
        self.resolve_promise(promise, done)?;
        Ok(Value::Object(promise))
    }

    fn events_on_request(&mut self, iter: ObjId, how: Resume, value: Value) -> Run<Completion> {
        let returned = match how {
            Resume::Return => self.events_on_close(iter)?,
            Resume::Throw => {
                let is_error = value
                    .as_object()
                    .is_some_and(|id| matches!(self.heap[id].kind, ObjKind::Error));
                if !is_error {
                    return self.abstain(
                        "`throw()` of a non-Error on an `events.on` iterator (a TypeError) is \
                         not modelled",
                    );
                }
                self.on_error(iter, value)?;
                Value::Undefined
            }
            Resume::Next => {
                if let Some(values) = self.slot_shift(iter, EVENTS) {
                    let result = self.iter_result(values, false);
                    let promise = self.new_promise();
                    self.resolve_promise(promise, result)?;
                    Value::Object(promise)
                } else if self.slot(iter, ERROR).truthy() {
                    let error = self.slot(iter, ERROR);
                    self.set_slot(iter, ERROR, Value::Null);
                    let promise = self.new_promise();
                    self.reject_promise(promise, error);
                    Value::Object(promise)
                } else if self.slot(iter, FINISHED) == Value::Bool(true) {
                    self.events_on_close(iter)?
                } else {
                    let promise = self.new_promise();
                    self.slot_push(iter, PENDING, Value::Object(promise));
                    Value::Object(promise)
                }
            }
        };
        Ok(Completion::Normal(returned))
    }
}
