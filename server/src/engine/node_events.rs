//! Node's `events` module: `EventEmitter` and `events.once` (`events.on` is in
//! `node_async_iter.rs`).
//!
//! Modelled on lib/events.js of Node 24. An emitter keeps its listeners per event name in
//! registration order; `emit` calls a copy of the list synchronously, with the emitter as
//! `this`, so listeners added or removed during an emit take effect from the next one; a `once`
//! listener is removed just before it runs. `emit('error')` with no listener throws the error.
//! `events.once` is an async function returning `new Promise(...)`: its promise adopts the
//! inner one through a NewPromiseResolveThenableJob, so an `await` resumes two jobs after the
//! emit (measured on Node 24, see `tests/node_modules.rs`). Members not listed here
//! (`prependListener`, `removeAllListeners`, `setMaxListeners`, ...) abstain naming them.

use std::rc::Rc;

use super::builtins::arg;
use super::machine::{Completion, Machine, Run};
use super::node_modules::NodeFn;
use super::value::{Builtin, ObjId, ObjKind, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum EmitterMethod {
    On,
    Once,
    Off,
    Emit,
    ListenerCount,
}

/// The own property of an emitter holding its listeners: no program can spell it.
const LISTENERS: &str = "%listeners";

/// What a listener record (a hidden array `[function, kind, partner]`) does when emitted.
/// `kind` is one of these strings; `partner` links the two listeners `events.once` adds.
const ON: &str = "on";
const ONCE: &str = "once";
/// `events.once`'s resolver: resolves with the emitted arguments as an array, after removing
/// its `'error'` partner.
const RESOLVER: &str = "resolver";
/// `events.once`'s `'error'` listener: rejects, after removing its resolver partner.
const REJECTER: &str = "rejecter";
/// A once-only record that ran: an emit that copied the list before it ran skips it, as
/// lib/events.js's `onceWrapper` checks its `fired` flag.
const FIRED: &str = "fired";

/// The modelled methods of `EventEmitter.prototype`, each under its names.
const METHODS: [(EmitterMethod, &[&str]); 5] = [
    (EmitterMethod::On, &["on", "addListener"]),
    (EmitterMethod::Once, &["once"]),
    (EmitterMethod::Off, &["off", "removeListener"]),
    (EmitterMethod::Emit, &["emit"]),
    (EmitterMethod::ListenerCount, &["listenerCount"]),
];

/// `for (const key in EventEmitter.prototype)` in Node 24: its enumerable keys, in order
/// (mongoose copies them onto its constructors so). The values of those the engine does not
/// model read as unknowns in a facts run.
const PROTOTYPE_KEYS: [&str; 18] = [
    "_events",
    "_eventsCount",
    "_maxListeners",
    "setMaxListeners",
    "getMaxListeners",
    "emit",
    "addListener",
    "on",
    "prependListener",
    "once",
    "prependOnceListener",
    "removeListener",
    "off",
    "removeAllListeners",
    "listeners",
    "rawListeners",
    "listenerCount",
    "eventNames",
];

/// The name of the opaque object standing for `EventEmitter.prototype`.
const PROTOTYPE_NAME: &str = "EventEmitter.prototype";

impl Machine<'_> {
    /// Whether `id` is the opaque object standing for `EventEmitter.prototype`: a write into
    /// it is kept as an own property (`props.rs`), so its keys stay known.
    pub(crate) fn is_emitter_prototype(&self, id: ObjId) -> bool {
        matches!(&self.heap[id].kind, ObjKind::Opaque { name, .. } if &**name == PROTOTYPE_NAME)
    }

    /// The keys `for...in` visits on `id` when it is `EventEmitter.prototype`: Node's, then
    /// those the program added, in the order it added them (`constructor` is not enumerable).
    pub(crate) fn emitter_prototype_keys(&self, id: ObjId) -> Option<Vec<Rc<str>>> {
        if !self.is_emitter_prototype(id) {
            return None;
        }
        let mut keys: Vec<Rc<str>> = PROTOTYPE_KEYS.iter().map(|&key| Rc::from(key)).collect();
        for (key, _) in &self.heap[id].props {
            if &**key != "constructor" && !keys.contains(key) {
                keys.push(key.clone());
            }
        }
        Some(keys)
    }

    /// `require('events')`: the `EventEmitter` constructor itself, with `EventEmitter`,
    /// `once` and its `prototype` as properties.
    pub(crate) fn events_module(&mut self) -> Value {
        let constructor = self.builtin_value(Builtin::Node(NodeFn::EmitterCtor));
        let Some(id) = constructor.as_object() else {
            return constructor;
        };
        if self.heap[id].get_own("prototype").is_none() {
            let prototype = self.alloc(ObjKind::Opaque {
                name: Rc::from(PROTOTYPE_NAME),
                type_of: "object",
            });
            for (method, names) in METHODS {
                let value = self.builtin_value(Builtin::Node(NodeFn::Emitter(method)));
                for name in names {
                    self.heap[prototype].set_own(name, value.clone());
                }
            }
            self.heap[prototype].set_own("constructor", constructor.clone());
            self.heap[id].set_own("prototype", Value::Object(prototype));
            self.heap[id].set_own("EventEmitter", constructor.clone());
            let once = self.builtin_value(Builtin::Node(NodeFn::EventsOnce));
            self.heap[id].set_own("once", once);
            let on = self.iter_fn_value(super::node_async_iter::IterFn::EventsOn);
            self.heap[id].set_own("on", on);
        }
        constructor
    }

    /// `class X extends EventEmitter`: the prototype its prototype inherits from.
    pub(crate) fn node_heritage_prototype(&mut self, constructor: ObjId) -> Run<ObjId> {
        match self.heap[constructor].get_own("prototype") {
            Some(Value::Object(prototype)) => Ok(*prototype),
            _ => self.abstain("`extends` of this Node function is not modelled"),
        }
    }

    /// `new EventEmitter()`, or `super()` in a subclass: an object inheriting from
    /// `new_target.prototype` with no listeners. Its own fields (`_events`, ...) are Node's
    /// internals, so printing or enumerating it abstains.
    pub(crate) fn new_emitter(&mut self, args: &[Value], new_target: &Value) -> Run<Value> {
        if !matches!(arg(args, 0), Value::Undefined) {
            return self.abstain("`EventEmitter` options (`captureRejections`) are not modelled");
        }
        let prototype = match self.get_property(new_target, "prototype")? {
            Value::Object(prototype) => prototype,
            _ => return self.abstain("a subclass whose `prototype` is not an object"),
        };
        let emitter = self.alloc(ObjKind::Plain);
        self.heap[emitter].proto = Some(prototype);
        self.heap[emitter].hidden_props = true;
        let table = self.alloc(ObjKind::Plain);
        self.heap[emitter].set_own(LISTENERS, Value::Object(table));
        Ok(Value::Object(emitter))
    }

    /// The listener table of an emitter, or an abstention for any other receiver.
    pub(crate) fn listener_table(&mut self, emitter: &Value) -> Run<ObjId> {
        let table = emitter
            .as_object()
            .and_then(|id| self.heap[id].get_own(LISTENERS))
            .and_then(Value::as_object);
        match table {
            Some(table) => Ok(table),
            None => self.abstain("an EventEmitter method on another object is not modelled"),
        }
    }

    /// The records listening to `event`, in registration order.
    fn records(&self, table: ObjId, event: &str) -> Vec<ObjId> {
        let Some(Value::Object(list)) = self.heap[table].get_own(event) else {
            return Vec::new();
        };
        match &self.heap[*list].kind {
            ObjKind::Array(items) => items.iter().filter_map(Value::as_object).collect(),
            _ => Vec::new(),
        }
    }

    fn set_records(&mut self, table: ObjId, event: &str, records: Vec<ObjId>) {
        let items = records.into_iter().map(Value::Object).collect();
        let list = self.alloc(ObjKind::Array(items));
        self.heap[table].set_own(event, Value::Object(list));
    }

    fn record_part(&self, record: ObjId, index: usize) -> Value {
        match &self.heap[record].kind {
            ObjKind::Array(items) => items.get(index).cloned().unwrap_or(Value::Undefined),
            _ => Value::Undefined,
        }
    }

    /// An `on` listener record for `event`: what `emitter.on(event, listener)` adds.
    pub(crate) fn add_on_record(&mut self, table: ObjId, event: &str, listener: Value) -> ObjId {
        self.add_record(table, event, vec![listener, Value::str(ON)])
    }

    fn add_record(&mut self, table: ObjId, event: &str, parts: Vec<Value>) -> ObjId {
        let record = self.alloc(ObjKind::Array(parts));
        let mut records = self.records(table, event);
        records.push(record);
        self.set_records(table, event, records);
        record
    }

    pub(crate) fn remove_record(&mut self, table: ObjId, event: &str, record: ObjId) {
        let mut records = self.records(table, event);
        records.retain(|r| *r != record);
        self.set_records(table, event, records);
    }

    /// The event name argument: a string (symbols are not modelled).
    pub(crate) fn event_name(&mut self, value: &Value) -> Run<Rc<str>> {
        match value {
            Value::Str(name) => Ok(name.clone()),
            _ => self.abstain("an event name that is not a string is not modelled"),
        }
    }

    pub(crate) fn emitter_method(
        &mut self,
        method: EmitterMethod,
        this: Value,
        args: Vec<Value>,
    ) -> Run<Completion> {
        let table = self.listener_table(&this)?;
        let event = self.event_name(&arg(&args, 0))?;
        let listener = arg(&args, 1);
        match method {
            EmitterMethod::On | EmitterMethod::Once => {
                if !self.is_callable(&listener) {
                    return self.abstain("a listener that is not a function (a TypeError)");
                }
                self.no_meta_listeners(table, &event)?;
                let kind = if method == EmitterMethod::On {
                    ON
                } else {
                    ONCE
                };
                self.add_record(table, &event, vec![listener, Value::str(kind)]);
                Ok(Completion::Normal(this))
            }
            EmitterMethod::Off => {
                self.no_meta_listeners(table, &event)?;
                // The most recently added registration of that function goes (lib/events.js
                // searches from the end), a `once` one too.
                let records = self.records(table, &event);
                let found = records.iter().rev().copied().find(|&r| {
                    self.record_part(r, 0) == listener
                        && matches!(self.record_part(r, 1), Value::Str(k) if &*k == ON || &*k == ONCE)
                });
                if let Some(record) = found {
                    self.remove_record(table, &event, record);
                }
                Ok(Completion::Normal(this))
            }
            EmitterMethod::ListenerCount => {
                if args.len() > 1 {
                    return self.abstain("`listenerCount` with a listener is not modelled");
                }
                let count = self.records(table, &event).len();
                Ok(Completion::Normal(Value::Number(count as f64)))
            }
            EmitterMethod::Emit => self.emit(table, this, &event, args[1..].to_vec()),
        }
    }

    /// `'newListener'` and `'removeListener'` listeners run inside `on` and `off`: not modelled.
    pub(crate) fn no_meta_listeners(&mut self, table: ObjId, event: &str) -> Run<()> {
        let meta = ["newListener", "removeListener"];
        if meta.contains(&event) || meta.iter().any(|m| !self.records(table, m).is_empty()) {
            return self.abstain("`newListener`/`removeListener` events are not modelled");
        }
        Ok(())
    }

    /// `emitter.emit(event, ...args)` (lib/events.js `EventEmitter.prototype.emit`).
    fn emit(
        &mut self,
        table: ObjId,
        emitter: Value,
        event: &str,
        args: Vec<Value>,
    ) -> Run<Completion> {
        let records = self.records(table, event);
        if records.is_empty() {
            if event == "error" {
                let error = arg(&args, 0);
                let is_error = error
                    .as_object()
                    .is_some_and(|id| matches!(self.heap[id].kind, ObjKind::Error));
                if !is_error {
                    return self.abstain(
                        "`emit('error')` of a non-Error with no listener (ERR_UNHANDLED_ERROR) is \
                         not modelled",
                    );
                }
                return Ok(Completion::Throw(error));
            }
            return Ok(Completion::Normal(Value::Bool(false)));
        }
        for record in records {
            let function = self.record_part(record, 0);
            let kind = match self.record_part(record, 1) {
                Value::Str(kind) => kind,
                _ => return self.abstain("internal: a malformed listener record"),
            };
            if &*kind != ON {
                if let ObjKind::Array(parts) = &mut self.heap[record].kind {
                    parts[1] = Value::str(FIRED);
                }
            }
            let (this, call_args) = match &*kind {
                ON => (emitter.clone(), args.clone()),
                FIRED => continue,
                ONCE => {
                    self.remove_record(table, event, record);
                    (emitter.clone(), args.clone())
                }
                RESOLVER => {
                    self.remove_record(table, event, record);
                    if let Some(partner) = self.record_part(record, 2).as_object() {
                        self.remove_record(table, "error", partner);
                    }
                    let values = self.alloc(ObjKind::Array(args.clone()));
                    (Value::Undefined, vec![Value::Object(values)])
                }
                _ => {
                    self.remove_record(table, event, record);
                    if let (Some(partner), Value::Str(name)) = (
                        self.record_part(record, 2).as_object(),
                        self.record_part(record, 3),
                    ) {
                        self.remove_record(table, &name, partner);
                    }
                    (Value::Undefined, vec![arg(&args, 0)])
                }
            };
            if let Completion::Throw(error) = self.call(&function, this, call_args)? {
                return Ok(Completion::Throw(error));
            }
        }
        Ok(Completion::Normal(Value::Bool(true)))
    }

    /// `events.once(emitter, name)`: lib/events.js's async function, which returns a promise
    /// resolved with the arguments of the next `name` event, or rejected by an `'error'`
    /// before it (whose listener it adds after the resolver).
    pub(crate) fn events_once(&mut self, args: &[Value]) -> Run<Value> {
        if args.len() > 2 {
            // A facts run goes on with a native promise that settles at an unknown time.
            self.see_past("`events.once` options (`signal`) are not modelled")?;
            let origin = self.span_text();
            return Ok(self.new_unknown(&origin, true));
        }
        let table = self.listener_table(&arg(args, 0))?;
        let event = self.event_name(&arg(args, 1))?;
        self.no_meta_listeners(table, &event)?;
        let inner = self.new_promise();
        let (resolve, reject) = self.resolving_functions(inner);
        let resolver = self.add_record(
            table,
            &event,
            vec![Value::Object(resolve), Value::str(RESOLVER)],
        );
        if &*event != "error" {
            let rejecter = self.add_record(
                table,
                "error",
                vec![
                    Value::Object(reject),
                    Value::str(REJECTER),
                    Value::Object(resolver),
                    Value::Str(event.clone()),
                ],
            );
            if let ObjKind::Array(parts) = &mut self.heap[resolver].kind {
                parts.push(Value::Object(rejecter));
            }
        }
        // The async function's own promise, resolved with the inner one at its return.
        let outer = self.new_promise();
        self.resolve_promise(outer, Value::Object(inner))?;
        Ok(Value::Object(outer))
    }
}
