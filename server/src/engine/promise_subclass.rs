//! Promises whose constructor is not %Promise%: instances of `class P extends
//! Promise`, and native promises whose `constructor` was reassigned.
//!
//! ECMA-262 reads `x.constructor` in two places, and both change job counts:
//! - PromiseResolve (§27.2.4.7.1), used by `await`, `Promise.resolve` and the
//!   combinators, returns `x` itself only when `x.constructor === C`; any
//!   other promise is wrapped in a new one resolved with it, which adopts it
//!   through a resolve-thenable job (V8's await takes 3 jobs instead of 1).
//! - `then` (§27.2.5.4) makes its derived promise with SpeciesConstructor
//!   (§7.3.22), so a subclass's constructor runs inside `then`.

use super::machine::{Completion, Machine, Run};
use super::promise::ReactionHandler;
use super::value::{Builtin, Capability, Native, ObjId, ObjKind, Value};

impl Machine<'_> {
    /// A native promise with no own properties and the intrinsic prototype:
    /// everything about it is what `promise.rs` assumes.
    pub(crate) fn is_plain_native_promise(&self, id: ObjId) -> bool {
        let object = &self.heap[id];
        matches!(object.kind, ObjKind::Promise(_))
            && object.proto.is_none()
            && object.props.is_empty()
    }

    fn is_promise_constructor(&self, value: &Value) -> bool {
        value.as_object().is_some_and(|id| {
            matches!(
                self.heap[id].kind,
                ObjKind::Native(Native::Builtin(Builtin::PromiseCtor))
            )
        })
    }

    /// IsPromise(x) and `x.constructor === C` (PromiseResolve step 1).
    pub(crate) fn promise_with_constructor(
        &mut self,
        value: &Value,
        c: &Value,
    ) -> Run<Option<ObjId>> {
        let Some(id) = value
            .as_object()
            .filter(|id| self.promise_data(*id).is_some())
        else {
            return Ok(None);
        };
        if self.is_plain_native_promise(id) {
            return Ok(self.is_promise_constructor(c).then_some(id));
        }
        let constructor = self.get_property(value, "constructor")?;
        Ok((constructor.as_object().is_some() && constructor == *c).then_some(id))
    }

    /// PromiseResolve(C, x) for a constructor `C` other than %Promise%.
    pub(crate) fn promise_resolve_in(&mut self, c: &Value, value: Value) -> Run<Value> {
        if let Some(id) = self.promise_with_constructor(&value, c)? {
            return Ok(Value::Object(id));
        }
        let capability = self.new_promise_capability(c)?;
        self.call_capability(capability.resolve, value)?;
        Ok(Value::Object(capability.promise))
    }

    /// Calls a capability's resolve or reject function.
    pub(crate) fn call_capability(&mut self, function: ObjId, value: Value) -> Run<()> {
        match self.call(&Value::Object(function), Value::Undefined, vec![value])? {
            Completion::Normal(_) => Ok(()),
            Completion::Throw(_) => self.abstain("a promise capability's function threw"),
        }
    }

    /// SpeciesConstructor(promise, %Promise%): `None` for %Promise% itself.
    /// A class that extends Promise inherits `Promise[@@species]`, a getter
    /// returning `this`; any other constructor value has no @@species (the
    /// engine abstains on computed keys, so no class defines one).
    pub(crate) fn species_constructor(&mut self, promise: ObjId) -> Run<Option<Value>> {
        if self.is_plain_native_promise(promise) {
            return Ok(None);
        }
        let constructor = self.get_property(&Value::Object(promise), "constructor")?;
        let Some(id) = constructor.as_object() else {
            return match constructor {
                Value::Undefined => Ok(None),
                _ => self.abstain("a promise whose `constructor` is a primitive (a TypeError)"),
            };
        };
        if !matches!(self.heap[id].kind, ObjKind::Class(_)) {
            return Ok(None);
        }
        let mut current = self.heap[id].proto;
        while let Some(ancestor) = current {
            if self.is_promise_constructor(&Value::Object(ancestor)) {
                return Ok(Some(constructor));
            }
            current = self.heap[ancestor].proto;
        }
        Ok(None)
    }

    /// NewPromiseCapability(C) (§27.2.1.5) for a constructor other than
    /// %Promise%: `new C(executor)`, where the executor records the
    /// resolving functions C's constructor passes it.
    pub(crate) fn new_promise_capability(&mut self, c: &Value) -> Run<Capability> {
        let record = self.alloc(ObjKind::Array(vec![Value::Undefined, Value::Undefined]));
        let executor = self.alloc(ObjKind::Native(Native::CapabilityExecutor { record }));
        let promise = match self.construct_with_target(c, vec![Value::Object(executor)], c)? {
            Completion::Normal(Value::Object(promise)) => promise,
            Completion::Normal(_) => return self.abstain("a constructor that made no object"),
            Completion::Throw(_) => {
                return self.abstain("a promise constructor that throws inside `then` or a static")
            }
        };
        let functions = match &self.heap[record].kind {
            ObjKind::Array(items) => (items[0].as_object(), items[1].as_object()),
            _ => (None, None),
        };
        match functions {
            (Some(resolve), Some(reject))
                if self.is_callable(&Value::Object(resolve))
                    && self.is_callable(&Value::Object(reject)) =>
            {
                Ok(Capability {
                    promise,
                    resolve,
                    reject,
                })
            }
            _ => self.abstain("a promise subclass that does not call its executor (a TypeError)"),
        }
    }

    /// GetCapabilitiesExecutor's function (§27.2.1.5.1).
    pub(crate) fn capability_executor(&mut self, record: ObjId, args: &[Value]) -> Run<Completion> {
        let ObjKind::Array(items) = &mut self.heap[record].kind else {
            return self.abstain("internal: lost a capability record");
        };
        if items.iter().any(|item| *item != Value::Undefined) {
            return self.abstain("a promise executor called twice (a TypeError)");
        }
        for (slot, value) in items.iter_mut().zip(args.iter()) {
            *slot = value.clone();
        }
        Ok(Completion::Normal(Value::Undefined))
    }

    /// `promise.then(f, r)` when SpeciesConstructor gives a subclass `c`:
    /// the derived promise is a `c` instance, settled through its capability.
    pub(crate) fn then_with_species(
        &mut self,
        promise: ObjId,
        c: &Value,
        on_fulfilled: &Value,
        on_rejected: &Value,
        origin: std::rc::Rc<str>,
    ) -> Run<Value> {
        let capability = self.new_promise_capability(c)?;
        let handler = |machine: &Self, value: &Value, fallback: ReactionHandler| {
            if machine.is_callable(value) {
                ReactionHandler::Callable(value.clone())
            } else {
                fallback
            }
        };
        let fulfill = handler(self, on_fulfilled, ReactionHandler::Identity);
        let reject = handler(self, on_rejected, ReactionHandler::Thrower);
        self.perform_then_capability(promise, fulfill, reject, capability, origin);
        Ok(Value::Object(capability.promise))
    }
}
