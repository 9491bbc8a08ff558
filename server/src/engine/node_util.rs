//! Node's `util.promisify` and `util.callbackify`, modelled on lib/internal/util.js and
//! lib/util.js of Node 24.
//!
//! For the timers, Node returns their `util.promisify.custom` function, the `timers/promises`
//! one. For a function of the program, the promisified function returns `new Promise(...)`
//! whose executor calls the original with a last callback `(err, value)` that rejects with a
//! truthy `err` or resolves with `value`: the promise settles when the callback runs, and an
//! `await` on it resumes one job later. A throw of the original rejects the promise.
//!
//! `util.callbackify(f)` returns a function that takes a callback last, calls `f` with the
//! rest, and on `f`'s promise settling queues `process.nextTick(cb, null, value)` (or
//! `cb(reason)`): the callback runs once the microtask queue has drained after the settling,
//! never in a microtask. A synchronous throw of `f`, or a result without `then`, throws from
//! the call itself.

use super::builtins::arg;
use super::machine::{Completion, Machine, Run};
use super::node_modules::NodeFn;
use super::promised_timers::PromisedTimer;
use super::value::{Builtin, Native, ObjId, ObjKind, Value};

impl Machine<'_> {
    /// `util.promisify(f)`.
    pub(crate) fn promisify(&mut self, function: &Value) -> Run<Value> {
        let Some(id) = function.as_object() else {
            return self
                .abstain("`util.promisify` of a value that is not a function (a TypeError)");
        };
        // The global timers' `util.promisify.custom`: the `timers/promises` function.
        if let ObjKind::Native(Native::Builtin(global)) = self.heap[id].kind {
            if let Some(timer) = PromisedTimer::promisified(global) {
                return Ok(self.builtin_value(timer.promised));
            }
        }
        match self.heap[id].kind {
            // A new function on each call, as in Node.
            ObjKind::Closure { .. } => Ok(Value::Object(self.alloc(ObjKind::Native(
                Native::Builtin(Builtin::Node(NodeFn::Promisified(id))),
            )))),
            // Of a function the engine cannot see: what it returns is unseen
            // too (a custom `util.promisify.custom` may return anything).
            _ => self.unknown_or_abstain(
                "util.promisify(…)",
                "`util.promisify` of this function is not modelled by ticklens",
            ),
        }
    }

    /// A call of a promisified function: the original runs now, with the callback last.
    pub(crate) fn call_promisified(
        &mut self,
        original: ObjId,
        this: Value,
        mut args: Vec<Value>,
    ) -> Run<Value> {
        let promise = self.new_promise();
        let (resolve, reject) = self.resolving_functions(promise);
        let callback = self.alloc(ObjKind::Native(Native::Builtin(Builtin::Node(
            NodeFn::PromisifyCallback(resolve),
        ))));
        args.push(Value::Object(callback));
        match self.call(&Value::Object(original), this, args)? {
            Completion::Normal(result) => {
                let returns_promise = result
                    .as_object()
                    .is_some_and(|id| matches!(self.heap[id].kind, ObjKind::Promise(_)));
                if returns_promise {
                    // Node warns on stderr from a nextTick; the callback may never run.
                    return self.abstain(
                        "`util.promisify` of a function that returns a promise is not modelled",
                    );
                }
            }
            // The executor's throw rejects the promise (unless the callback already settled it).
            Completion::Throw(error) => {
                self.call(&Value::Object(reject), Value::Undefined, vec![error])?;
            }
        }
        Ok(Value::Object(promise))
    }

    /// The callback `(err, ...values)`: rejects with a truthy `err`, else resolves with the
    /// first value; a second call does nothing (the resolving functions' shared flag).
    pub(crate) fn promisify_callback(&mut self, resolve: ObjId, args: &[Value]) -> Run<Value> {
        let (promise, flag) = match self.heap[resolve].kind {
            ObjKind::Native(Native::Resolve { promise, flag }) => (promise, flag),
            _ => return self.abstain("internal: a promisify callback without its promise"),
        };
        let error = arg(args, 0);
        let settle = if error.truthy() {
            (Native::Reject { promise, flag }, error)
        } else {
            (Native::Resolve { promise, flag }, arg(args, 1))
        };
        self.call_native(settle.0, Value::Undefined, vec![settle.1])?;
        Ok(Value::Undefined)
    }
}

impl Machine<'_> {
    /// `util.callbackify(f)`: a new function on each call, as in Node.
    pub(crate) fn callbackify(&mut self, function: &Value) -> Run<Value> {
        match function.as_object().map(|id| (id, &self.heap[id].kind)) {
            Some((id, ObjKind::Closure { .. })) => Ok(Value::Object(self.alloc(ObjKind::Native(
                Native::Builtin(Builtin::Node(NodeFn::Callbackified(id))),
            )))),
            _ => self.abstain("`util.callbackify` of this value is not modelled by ticklens"),
        }
    }

    /// A call of a callbackified function: the callback is the last argument.
    pub(crate) fn call_callbackified(
        &mut self,
        original: ObjId,
        this: Value,
        args: Vec<Value>,
    ) -> Run<Completion> {
        let (callback, args) = match args.split_last() {
            Some((callback, rest)) if self.is_callable(callback) => {
                (callback.clone(), rest.to_vec())
            }
            _ => return self.abstain("a callbackified call without a callback last (a TypeError)"),
        };
        let result = match self.call(&Value::Object(original), this.clone(), args)? {
            Completion::Normal(result) => result,
            thrown => return Ok(thrown),
        };
        let promise = match result.as_object() {
            Some(id) if self.is_plain_native_promise(id) => id,
            _ => {
                return self.abstain(
                    "`util.callbackify` of a function that returns no native promise is not \
                     modelled by ticklens",
                )
            }
        };
        let holder = self.alloc(ObjKind::Plain);
        self.heap[holder].set_own("callback", callback);
        self.heap[holder].set_own("this", this);
        let settled = |machine: &mut Self, rejected| {
            let settled = NodeFn::CallbackifySettled { holder, rejected };
            Value::Object(machine.alloc(ObjKind::Native(Native::Builtin(Builtin::Node(settled)))))
        };
        let (on_fulfilled, on_rejected) = (settled(self, false), settled(self, true));
        let origin = self.origin("a callbackified call");
        self.promise_then(promise, &on_fulfilled, &on_rejected, origin);
        Ok(Completion::Normal(Value::Undefined))
    }

    /// The reaction to the original's promise: queues the callback as a nextTick.
    pub(crate) fn callbackify_settled(
        &mut self,
        holder: ObjId,
        rejected: bool,
        value: Value,
    ) -> Run<Value> {
        let args = if !rejected {
            vec![Value::Null, value]
        } else if value.truthy() {
            vec![value]
        } else {
            // Node wraps a falsy reason in an ERR_FALSY_VALUE_REJECTION error.
            return self.abstain("`util.callbackify` of a promise rejected with a falsy reason");
        };
        let invoke = Value::Object(self.alloc(ObjKind::Native(Native::Builtin(Builtin::Node(
            NodeFn::CallbackifyInvoke(holder),
        )))));
        self.ticks.push_back(super::scheduler::Callback {
            function: invoke,
            args,
        });
        Ok(Value::Undefined)
    }

    /// The nextTick: the callback, with the `this` the callbackified function had.
    pub(crate) fn callbackify_invoke(
        &mut self,
        holder: ObjId,
        args: Vec<Value>,
    ) -> Run<Completion> {
        let callback = self.heap[holder]
            .get_own("callback")
            .cloned()
            .unwrap_or(Value::Undefined);
        let this = self.heap[holder]
            .get_own("this")
            .cloned()
            .unwrap_or(Value::Undefined);
        self.call(&callback, this, args)
    }
}
