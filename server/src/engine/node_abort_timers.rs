//! A `{ signal }` option to `timers/promises` `setTimeout`/`setImmediate`, as Node 24 runs it
//! (lib/timers/promises.js). An already aborted signal gives `PromiseReject(new AbortError(...))`
//! at once. Otherwise the timer's callback is the resolve function of a promise, an `'abort'`
//! listener clears the timer (unless it already ran) and rejects with an `AbortError`, and the
//! promise returned is `SafePromisePrototypeFinally(promise, removeListener)`: `new Promise((a, b)
//! => new SafePromise((a, b) => promise.then(a, b)).finally(removeListener).then(a, b))`, built
//! here from the engine's own promises, so an awaiter resumes six jobs after the timer or the
//! abort (measured on Node 24 in `tests/node_async_iter.rs`). Other options abstain (a facts run
//! goes on with an unknown promise).

use super::machine::{Completion, Machine, Run};
use super::node_modules::NodeFn;
use super::scheduler::TimerKind;
use super::value::{Builtin, ErrorKind, ObjId, ObjKind, Value};

/// The hidden state of one timer's cancellation: its handle, the promise's reject function,
/// the signal and the `'abort'` listener.
const TIMER: &str = "%timer";
const REJECT: &str = "%reject";
const SIGNAL: &str = "%signal";
const LISTENER: &str = "%listener";

impl Machine<'_> {
    /// The signal of `{ signal }` when `options` is exactly that and the signal is an
    /// `AbortSignal` the engine made.
    pub(crate) fn signal_option(&self, options: &Value) -> Option<ObjId> {
        let id = options.as_object()?;
        let object = &self.heap[id];
        if !matches!(object.kind, ObjKind::Plain)
            || object.proto.is_some()
            || object.props.len() != 1
        {
            return None;
        }
        let signal = object.get_own("signal")?.as_object()?;
        self.heap[signal]
            .get_own("%abort-listeners")
            .map(|_| signal)
    }

    /// `new AbortError(undefined, { cause: reason })` (lib/internal/errors.js).
    pub(crate) fn abort_error(&mut self, reason: Value) -> Run<Value> {
        let message = Value::str("The operation was aborted");
        let error = self.new_error(ErrorKind::Error, &[message])?;
        if let Some(id) = error.as_object() {
            self.heap[id].set_own("cause", reason);
            self.heap[id].set_own("code", Value::str("ABORT_ERR"));
            self.heap[id].set_own("name", Value::str("AbortError"));
        }
        Ok(error)
    }

    /// `setTimeout(delay, value, { signal })` or `setImmediate(value, { signal })`.
    pub(crate) fn promised_timer_with_signal(
        &mut self,
        kind: TimerKind,
        timer_args: Vec<Value>,
        signal: ObjId,
    ) -> Run<Value> {
        if self.heap[signal].get_own("aborted") == Some(&Value::Bool(true)) {
            let reason = self.heap[signal]
                .get_own("reason")
                .cloned()
                .unwrap_or(Value::Undefined);
            let error = self.abort_error(reason)?;
            let rejected = self.new_promise();
            self.reject_promise(rejected, error);
            return Ok(Value::Object(rejected));
        }
        let promise = self.new_promise();
        let (resolve, reject) = self.resolving_functions(promise);
        let mut args = vec![Value::Object(resolve)];
        args.extend(timer_args);
        let timer = self.add_timer(kind, args)?;
        let holder = self.alloc(ObjKind::Plain);
        self.heap[holder].hidden_props = true;
        let listener = self.builtin_value(Builtin::Node(NodeFn::AbortTimer(holder)));
        for (name, value) in [
            (TIMER, timer),
            (REJECT, Value::Object(reject)),
            (SIGNAL, Value::Object(signal)),
            (LISTENER, listener.clone()),
        ] {
            self.heap[holder].set_own(name, value);
        }
        let add = super::node_abort::SignalMethod::AddEventListener;
        self.signal_method(
            add,
            &Value::Object(signal),
            &[Value::str("abort"), listener],
        )?;
        // SafePromisePrototypeFinally(promise, () => signal.removeEventListener(...)).
        let origin = self.origin("`timers/promises` with a signal");
        let safe = self.new_promise();
        let (a, b) = self.resolving_functions(safe);
        self.promise_then(
            promise,
            &Value::Object(a),
            &Value::Object(b),
            origin.clone(),
        );
        let finally = self.get_property(&Value::Object(safe), "finally")?;
        let remove = self.builtin_value(Builtin::Node(NodeFn::AbortTimerFinally(holder)));
        let Completion::Normal(Value::Object(finished)) =
            self.call(&finally, Value::Object(safe), vec![remove])?
        else {
            return self.abstain("internal: `finally` did not return a promise");
        };
        let outer = self.new_promise();
        let (a, b) = self.resolving_functions(outer);
        self.promise_then(finished, &Value::Object(a), &Value::Object(b), origin);
        Ok(Value::Object(outer))
    }

    /// The `'abort'` listener (lib/timers/promises.js `cancelListenerHandler`): a timer that has
    /// not run is cleared and the promise rejected with an `AbortError`.
    pub(crate) fn abort_timer(&mut self, holder: ObjId) -> Run<Completion> {
        let slot = |machine: &Self, name| {
            machine.heap[holder]
                .get_own(name)
                .cloned()
                .unwrap_or(Value::Undefined)
        };
        let timer = slot(self, TIMER);
        let pending = timer
            .as_object()
            .is_some_and(|id| match self.heap[id].kind {
                ObjKind::TimerHandle(index) => self.event_loop.timers[index].active,
                _ => false,
            });
        if pending {
            self.clear_timer(&timer);
            let signal = slot(self, SIGNAL);
            let reason = self.get_property(&signal, "reason")?;
            let error = self.abort_error(reason)?;
            let reject = slot(self, REJECT);
            self.call(&reject, Value::Undefined, vec![error])?;
        }
        Ok(Completion::Normal(Value::Undefined))
    }

    /// The `finally` callback: removes the `'abort'` listener.
    pub(crate) fn abort_timer_finally(&mut self, holder: ObjId) -> Run<Completion> {
        let signal = self.heap[holder].get_own(SIGNAL).cloned();
        let listener = self.heap[holder].get_own(LISTENER).cloned();
        if let (Some(signal), Some(listener)) = (signal, listener) {
            let remove = super::node_abort::SignalMethod::RemoveEventListener;
            self.signal_method(remove, &signal, &[Value::str("abort"), listener])?;
        }
        Ok(Completion::Normal(Value::Undefined))
    }
}
