//! `AbortSignal.timeout(ms)`, as Node 24 runs it (lib/internal/abort_controller.js): a signal
//! aborted by an unref'd timer `ms` later, with a `DOMException` named `TimeoutError` as its
//! `reason` (an opaque value here). The timer fires in the timers phase among the program's
//! own timers, in creation order for equal expiry times, and dispatches `'abort'` as
//! `controller.abort(reason)` does (`node_abort.rs`). Being unref'd, it keeps no program
//! alive: a program whose other timers, immediates and I/O are done exits without it
//! (`scheduler.rs` skips unref'd timers when it asks whether the loop is alive).
//! `AbortSignal.any`, `AbortSignal.abort` and `new AbortSignal()` are not modelled.

use super::builtins::arg;
use super::machine::{Completion, Machine, Run};
use super::node_modules::NodeFn;
use super::scheduler::TimerKind;
use super::value::{Builtin, ObjKind, Value};

impl Machine<'_> {
    /// `AbortSignal.timeout(ms)`: the signal of a fresh controller whose `abort` an unref'd
    /// timer calls.
    pub(crate) fn abort_signal_timeout(&mut self, args: &[Value]) -> Run<Value> {
        let delay = arg(args, 0);
        // Node validates `ms` as an integer from 0 to 2^53 - 1 (a TypeError or RangeError
        // otherwise); `setTimeout` clamps 0 to 1 ms as it does for every timer.
        let valid = matches!(delay, Value::Number(ms) if ms >= 0.0 && ms.fract() == 0.0 && ms <= 9_007_199_254_740_991.0);
        if !valid {
            return self
                .abstain("`AbortSignal.timeout` with a delay that is not a whole number of ms");
        }
        let controller = self.new_abort_controller();
        let fire = self.builtin_value(Builtin::Node(NodeFn::AbortOnTimeout));
        self.add_timer(TimerKind::Timeout, vec![fire, delay, controller.clone()])?;
        if let Some(timer) = self.event_loop.timers.last_mut() {
            timer.unref = true;
        }
        let signal = controller
            .as_object()
            .and_then(|id| self.heap[id].get_own("signal").cloned());
        match signal {
            Some(signal) => Ok(signal),
            None => self.abstain("an AbortController without its signal"),
        }
    }

    /// The timer of `AbortSignal.timeout`: aborts the controller it was given.
    pub(crate) fn abort_on_timeout(&mut self, args: &[Value]) -> Run<Completion> {
        let reason = Value::Object(self.alloc(ObjKind::Opaque {
            name: "DOMException [TimeoutError]".into(),
            type_of: "object",
        }));
        self.abort_controller(&arg(args, 0), &[reason])
    }
}
