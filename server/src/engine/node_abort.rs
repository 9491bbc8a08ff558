//! `AbortController` and its `AbortSignal`, as Node 24 runs them (lib/internal/abort_controller.js
//! on lib/internal/event_target.js).
//!
//! `controller.abort(reason)` marks the signal aborted, sets its `reason` (a `DOMException`
//! named `AbortError` when none is given: an opaque value here) and dispatches the `abort`
//! event synchronously, inside the call: each `'abort'` listener in registration order, with
//! the signal as `this`, on a copy of the list (a listener added during the dispatch waits, a
//! removed one is skipped), a `once` listener removed before it runs. A second `abort()` does
//! nothing. Registering the same function twice (with the same `capture`) adds it once.
//! `signal.aborted`, `signal.reason`, `controller.signal` are getters in Node, so the objects
//! are frozen here: a write to them (ignored, or a TypeError in strict code) abstains, and so
//! does `onabort` (its place among the listeners is not modelled). A listener that throws
//! (Node reports it as an uncaught exception), the event object's members and `AbortSignal.any`
//! are not modelled; `AbortSignal.timeout` is in `node_abort_timeout.rs`.

use super::builtins::arg;
use super::machine::{Completion, Machine, Run};
use super::node_modules::NodeFn;
use super::value::{Builtin, ObjId, ObjKind, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum SignalMethod {
    AddEventListener,
    RemoveEventListener,
    ThrowIfAborted,
}

/// The controller's own property holding its signal: no program can spell it.
const SIGNAL: &str = "%signal";
/// The signal's own property holding its `'abort'` listener records, each a hidden array
/// `[function, capture, once, removed]`.
const LISTENERS: &str = "%abort-listeners";

impl Machine<'_> {
    /// `new AbortController()`: a controller with a fresh signal.
    pub(crate) fn new_abort_controller(&mut self) -> Value {
        let signal = self.alloc(ObjKind::Plain);
        let listeners = self.alloc(ObjKind::Array(Vec::new()));
        let methods = [
            ("addEventListener", SignalMethod::AddEventListener),
            ("removeEventListener", SignalMethod::RemoveEventListener),
            ("throwIfAborted", SignalMethod::ThrowIfAborted),
        ];
        for (name, method) in methods {
            let value = self.builtin_value(Builtin::Node(NodeFn::Signal(method)));
            self.heap[signal].set_own(name, value);
        }
        self.heap[signal].set_own("aborted", Value::Bool(false));
        self.heap[signal].set_own("reason", Value::Undefined);
        self.heap[signal].set_own(LISTENERS, Value::Object(listeners));
        let controller = self.alloc(ObjKind::Plain);
        let abort = self.builtin_value(Builtin::Node(NodeFn::Abort));
        self.heap[controller].set_own("signal", Value::Object(signal));
        self.heap[controller].set_own(SIGNAL, Value::Object(signal));
        self.heap[controller].set_own("abort", abort);
        for id in [signal, controller] {
            self.heap[id].hidden_props = true;
            self.heap[id].frozen = true;
        }
        Value::Object(controller)
    }

    /// `controller.abort(reason)`.
    pub(crate) fn abort_controller(&mut self, this: &Value, args: &[Value]) -> Run<Completion> {
        let signal = this
            .as_object()
            .and_then(|id| self.heap[id].get_own(SIGNAL))
            .and_then(Value::as_object);
        let Some(signal) = signal else {
            return self.abstain("`abort` called on something other than an AbortController");
        };
        if self.heap[signal].get_own("aborted") == Some(&Value::Bool(true)) {
            return Ok(Completion::Normal(Value::Undefined));
        }
        let reason = match arg(args, 0) {
            Value::Undefined => Value::Object(self.alloc(ObjKind::Opaque {
                name: "DOMException [AbortError]".into(),
                type_of: "object",
            })),
            reason => reason,
        };
        self.heap[signal].set_own("aborted", Value::Bool(true));
        self.heap[signal].set_own("reason", reason);
        let event = Value::Object(self.alloc(ObjKind::Opaque {
            name: "the abort event".into(),
            type_of: "object",
        }));
        for record in self.abort_records(signal) {
            if self.record_flag(record, 3) {
                continue;
            }
            if self.record_flag(record, 2) {
                self.remove_abort_record(signal, record);
            }
            let function = self.abort_record_part(record, 0);
            let args = vec![event.clone()];
            match self.call(&function, Value::Object(signal), args)? {
                Completion::Throw(_) => {
                    return self.abstain(
                        "an `abort` listener that throws (reported as an uncaught exception) is \
                         not modelled",
                    )
                }
                // Node calls `then` on what a listener returns (lib/internal/event_target.js
                // `addCatch`): one more reaction on an async listener's promise.
                Completion::Normal(Value::Object(_)) => {
                    return self.abstain(
                        "an `abort` listener that returns an object (an async function) is not \
                         modelled",
                    )
                }
                Completion::Normal(_) => {}
            }
        }
        Ok(Completion::Normal(Value::Undefined))
    }

    pub(crate) fn signal_method(
        &mut self,
        method: SignalMethod,
        this: &Value,
        args: &[Value],
    ) -> Run<Completion> {
        let signal = this
            .as_object()
            .filter(|id| self.heap[*id].get_own(LISTENERS).is_some());
        let Some(signal) = signal else {
            return self.abstain("an AbortSignal method on another object is not modelled");
        };
        if method == SignalMethod::ThrowIfAborted {
            return Ok(match self.heap[signal].get_own("aborted") {
                Some(Value::Bool(true)) => {
                    let reason = self.heap[signal].get_own("reason").cloned();
                    Completion::Throw(reason.unwrap_or(Value::Undefined))
                }
                _ => Completion::Normal(Value::Undefined),
            });
        }
        let listener = arg(args, 1);
        let (capture, once) = self.listener_options(&arg(args, 2), method)?;
        // Only `'abort'` ever fires on a signal: other names change nothing the engine models.
        if arg(args, 0) != Value::str("abort") || listener.is_nullish() {
            return Ok(Completion::Normal(Value::Undefined));
        }
        if !self.is_callable(&listener) {
            return self.abstain("an event listener object (`handleEvent`) is not modelled");
        }
        let found = self.abort_records(signal).into_iter().find(|&record| {
            !self.record_flag(record, 3)
                && self.abort_record_part(record, 0) == listener
                && self.record_flag(record, 1) == capture
        });
        match (method, found) {
            (SignalMethod::AddEventListener, None) => {
                let record = self.alloc(ObjKind::Array(vec![
                    listener,
                    Value::Bool(capture),
                    Value::Bool(once),
                    Value::Bool(false),
                ]));
                let list = self.abort_list(signal);
                if let ObjKind::Array(items) = &mut self.heap[list].kind {
                    items.push(Value::Object(record));
                }
            }
            (SignalMethod::RemoveEventListener, Some(record)) => {
                self.remove_abort_record(signal, record);
            }
            _ => {}
        }
        Ok(Completion::Normal(Value::Undefined))
    }

    /// `capture` and `once` from the third argument of `addEventListener` (a boolean is
    /// `capture`); `passive` changes nothing here, a `signal` option is not modelled.
    fn listener_options(&mut self, options: &Value, method: SignalMethod) -> Run<(bool, bool)> {
        match options {
            Value::Undefined => Ok((false, false)),
            Value::Bool(capture) => Ok((*capture, false)),
            Value::Object(id) if matches!(self.heap[*id].kind, ObjKind::Plain) => {
                let object = &self.heap[*id];
                let known = ["capture", "once", "passive"];
                if object.blurred
                    || object.proto.is_some()
                    || object.props.iter().any(|(key, _)| !known.contains(&&**key))
                {
                    return self.abstain("these event listener options are not modelled");
                }
                let flag = |name: &str| object.get_own(name).is_some_and(Value::truthy);
                let once = method == SignalMethod::AddEventListener && flag("once");
                Ok((flag("capture"), once))
            }
            _ => self.abstain("these event listener options are not modelled"),
        }
    }

    fn abort_list(&self, signal: ObjId) -> ObjId {
        match self.heap[signal].get_own(LISTENERS) {
            Some(Value::Object(list)) => *list,
            _ => signal,
        }
    }

    /// The signal's listener records, a copy: what a dispatch iterates.
    fn abort_records(&self, signal: ObjId) -> Vec<ObjId> {
        match &self.heap[self.abort_list(signal)].kind {
            ObjKind::Array(items) => items.iter().filter_map(Value::as_object).collect(),
            _ => Vec::new(),
        }
    }

    fn abort_record_part(&self, record: ObjId, index: usize) -> Value {
        match &self.heap[record].kind {
            ObjKind::Array(items) => items.get(index).cloned().unwrap_or(Value::Undefined),
            _ => Value::Undefined,
        }
    }

    fn record_flag(&self, record: ObjId, index: usize) -> bool {
        self.abort_record_part(record, index) == Value::Bool(true)
    }

    /// Removes `record` from the list and marks it removed, so a dispatch that copied the
    /// list before skips it.
    fn remove_abort_record(&mut self, signal: ObjId, record: ObjId) {
        if let ObjKind::Array(items) = &mut self.heap[record].kind {
            if let Some(removed) = items.get_mut(3) {
                *removed = Value::Bool(true);
            }
        }
        let list = self.abort_list(signal);
        if let ObjKind::Array(items) = &mut self.heap[list].kind {
            items.retain(|item| item.as_object() != Some(record));
        }
    }
}
