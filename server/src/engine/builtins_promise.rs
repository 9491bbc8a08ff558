//! The `Promise` built-ins: the constructor, its statics (`resolve`,
//! `reject`, the combinators `all`/`allSettled`/`race`/`any`,
//! `withResolvers`) and the prototype's `then`/`catch`/`finally`. The
//! promise model they call into is `promise.rs`.

use std::rc::Rc;

use super::builtins::arg;
use super::machine::{normal, Completion, Machine, Run};
use super::value::{Builtin, ErrorKind, Native, ObjId, ObjKind, PromiseStatic, Value};

impl Machine<'_> {
    /// Calls one of the `Promise` built-ins.
    pub(crate) fn promise_builtin(
        &mut self,
        builtin: Builtin,
        this: Value,
        args: Vec<Value>,
    ) -> Run<Completion> {
        match builtin {
            Builtin::PromiseCtor => self.abstain("calling `Promise` without `new` (a TypeError)"),
            Builtin::PromiseStatic(PromiseStatic::Resolve) if self.is_class(&this) => {
                normal(self.promise_resolve_in(&this, arg(&args, 0))?)
            }
            Builtin::PromiseStatic(PromiseStatic::Reject) if self.is_class(&this) => {
                let capability = self.new_promise_capability(&this)?;
                self.call_capability(capability.reject, arg(&args, 0))?;
                normal(Value::Object(capability.promise))
            }
            Builtin::PromiseStatic(PromiseStatic::Resolve) => {
                self.check_promise_receiver(&this)?;
                let promise = self.promise_resolve(arg(&args, 0))?;
                normal(Value::Object(promise))
            }
            Builtin::PromiseStatic(PromiseStatic::Reject) => {
                self.check_promise_receiver(&this)?;
                let promise = self.new_promise();
                self.reject_promise(promise, arg(&args, 0));
                normal(Value::Object(promise))
            }
            Builtin::PromiseStatic(PromiseStatic::WithResolvers) => {
                self.check_promise_receiver(&this)?;
                let promise = self.new_promise();
                let (resolve, reject) = self.resolving_functions(promise);
                let object = self.alloc(ObjKind::Plain);
                self.heap[object].props = vec![
                    (Rc::from("promise"), Value::Object(promise)),
                    (Rc::from("resolve"), Value::Object(resolve)),
                    (Rc::from("reject"), Value::Object(reject)),
                ]
                .into();
                normal(Value::Object(object))
            }
            Builtin::PromiseStatic(combinator) => {
                self.check_promise_receiver(&this)?;
                self.combinator(combinator, arg(&args, 0))
            }
            Builtin::PromiseThen | Builtin::PromiseCatch | Builtin::PromiseFinally => {
                let Some(promise) = this
                    .as_object()
                    .filter(|id| self.promise_data(*id).is_some())
                else {
                    return self.abstain("a promise method called on a non-promise");
                };
                if !self.is_plain_native_promise(promise) {
                    return self.subclass_promise_method(builtin, promise, this, args);
                }
                let (on_fulfilled, on_rejected, what) = match builtin {
                    Builtin::PromiseThen => (arg(&args, 0), arg(&args, 1), "`.then`"),
                    Builtin::PromiseCatch => (Value::Undefined, arg(&args, 0), "`.catch`"),
                    _ => {
                        let on_finally = arg(&args, 0);
                        if self.is_callable(&on_finally) {
                            let then = self.alloc(ObjKind::Native(Native::FinallyThen {
                                on_finally: on_finally.clone(),
                            }));
                            let catch =
                                self.alloc(ObjKind::Native(Native::FinallyCatch { on_finally }));
                            (Value::Object(then), Value::Object(catch), "`.finally`")
                        } else {
                            (on_finally.clone(), on_finally, "`.finally`")
                        }
                    }
                };
                let origin = self.origin(what);
                let derived = self.promise_then(promise, &on_fulfilled, &on_rejected, origin);
                normal(Value::Object(derived))
            }
            _ => self.abstain("internal: not a Promise built-in"),
        }
    }

    fn is_class(&self, value: &Value) -> bool {
        value
            .as_object()
            .is_some_and(|id| matches!(self.heap[id].kind, ObjKind::Class(_)))
    }

    /// `then`, `catch` and `finally` on a promise that may have another
    /// constructor: `then` uses SpeciesConstructor, `catch` invokes the
    /// receiver's own `then` (§27.2.5.1); `finally` is not modelled there.
    fn subclass_promise_method(
        &mut self,
        builtin: Builtin,
        promise: ObjId,
        this: Value,
        args: Vec<Value>,
    ) -> Run<Completion> {
        match builtin {
            Builtin::PromiseThen => {
                let (on_fulfilled, on_rejected) = (arg(&args, 0), arg(&args, 1));
                let origin = self.origin("`.then`");
                let derived = match self.species_constructor(promise)? {
                    Some(c) => {
                        self.then_with_species(promise, &c, &on_fulfilled, &on_rejected, origin)?
                    }
                    None => Value::Object(self.promise_then(
                        promise,
                        &on_fulfilled,
                        &on_rejected,
                        origin,
                    )),
                };
                Ok(Completion::Normal(derived))
            }
            Builtin::PromiseCatch => {
                let then = self.get_property(&this, "then")?;
                self.call(&then, this, vec![Value::Undefined, arg(&args, 0)])
            }
            _ => self.abstain("`.finally` on a Promise subclass instance is not modelled"),
        }
    }

    /// Statics called on something other than `Promise` (a subclass, or
    /// detached) would use another constructor.
    fn check_promise_receiver(&self, this: &Value) -> Run<()> {
        let is_promise_ctor = this.as_object().is_some_and(|id| {
            matches!(
                self.heap[id].kind,
                ObjKind::Native(Native::Builtin(Builtin::PromiseCtor))
            )
        });
        if is_promise_ctor {
            Ok(())
        } else {
            self.abstain("a Promise static called on something other than `Promise`")
        }
    }

    /// new Promise(executor) (§27.2.3.1): an executor that throws rejects
    /// the promise unless it was already resolved. `proto` is a subclass's
    /// prototype when `super(executor)` runs it.
    pub(crate) fn construct_promise(
        &mut self,
        args: Vec<Value>,
        proto: Option<ObjId>,
    ) -> Run<Completion> {
        let executor = arg(&args, 0);
        if !self.is_callable(&executor) {
            return self.abstain("`new Promise` without an executor (a TypeError)");
        }
        let promise = self.new_promise();
        self.heap[promise].proto = proto;
        let (resolve, reject) = self.resolving_functions(promise);
        let call_args = vec![Value::Object(resolve), Value::Object(reject)];
        if let Completion::Throw(error) = self.call(&executor, Value::Undefined, call_args)? {
            self.call(&Value::Object(reject), Value::Undefined, vec![error])?;
        }
        Ok(Completion::Normal(Value::Object(promise)))
    }

    fn capability(&mut self) -> super::value::Capability {
        let promise = self.new_promise();
        let (resolve, reject) = self.resolving_functions(promise);
        super::value::Capability {
            promise,
            resolve,
            reject,
        }
    }

    /// Promise.all / allSettled / race / any (§27.2.4.1-5): each element goes
    /// through `Promise.resolve` and gets its own `then`.
    fn combinator(&mut self, which: PromiseStatic, iterable: Value) -> Run<Completion> {
        use super::value::{ElementFn, ElementKind};
        let items = self.array_items(&iterable)?;
        let capability = self.capability();
        let values = self.alloc(ObjKind::Array(Vec::new()));
        self.counters.push(1);
        let counter = self.counters.len() - 1;
        let what = match which {
            PromiseStatic::All => "Promise.all",
            PromiseStatic::AllSettled => "Promise.allSettled",
            PromiseStatic::Race => "Promise.race",
            _ => "Promise.any",
        };
        let origin = self.origin(what);
        for (index, item) in items.into_iter().enumerate() {
            if let ObjKind::Array(list) = &mut self.heap[values].kind {
                list.push(Value::Undefined);
            }
            let next = self.promise_resolve(item)?;
            let called = self.new_flag();
            let element = |machine: &mut Self, kind: ElementKind| {
                Value::Object(machine.alloc(ObjKind::Native(Native::Element(ElementFn {
                    kind,
                    index,
                    values,
                    counter,
                    called,
                    capability,
                }))))
            };
            let (on_fulfilled, on_rejected) = match which {
                PromiseStatic::All => (
                    element(self, ElementKind::AllResolve),
                    Value::Object(capability.reject),
                ),
                PromiseStatic::AllSettled => (
                    element(self, ElementKind::AllSettledResolve),
                    element(self, ElementKind::AllSettledReject),
                ),
                PromiseStatic::Race => (
                    Value::Object(capability.resolve),
                    Value::Object(capability.reject),
                ),
                _ => (
                    Value::Object(capability.resolve),
                    element(self, ElementKind::AnyReject),
                ),
            };
            if which != PromiseStatic::Race {
                self.counters[counter] += 1;
            }
            self.promise_then(next, &on_fulfilled, &on_rejected, origin.clone());
        }
        if which != PromiseStatic::Race {
            self.counters[counter] -= 1;
            if self.counters[counter] == 0 {
                self.finish_combinator(which == PromiseStatic::Any, values, capability)?;
            }
        }
        Ok(Completion::Normal(Value::Object(capability.promise)))
    }

    fn finish_combinator(
        &mut self,
        is_any: bool,
        values: ObjId,
        capability: super::value::Capability,
    ) -> Run<()> {
        if is_any {
            let error = self.new_error(
                ErrorKind::Error,
                &[Value::str("All promises were rejected")],
            )?;
            if let Some(id) = error.as_object() {
                self.heap[id].set_own("name", Value::str("AggregateError"));
                self.heap[id].set_own("errors", Value::Object(values));
            }
            self.call(
                &Value::Object(capability.reject),
                Value::Undefined,
                vec![error],
            )?;
        } else {
            let resolve = Value::Object(capability.resolve);
            self.call(&resolve, Value::Undefined, vec![Value::Object(values)])?;
        }
        Ok(())
    }

    pub(crate) fn call_element(
        &mut self,
        element: super::value::ElementFn,
        value: Value,
    ) -> Run<Completion> {
        use super::value::ElementKind;
        if self.flags[element.called] {
            return Ok(Completion::Normal(Value::Undefined));
        }
        self.flags[element.called] = true;
        let stored = match element.kind {
            ElementKind::AllResolve | ElementKind::AnyReject => value,
            ElementKind::AllSettledResolve | ElementKind::AllSettledReject => {
                let (status, key) = if element.kind == ElementKind::AllSettledResolve {
                    ("fulfilled", "value")
                } else {
                    ("rejected", "reason")
                };
                let object = self.alloc(ObjKind::Plain);
                self.heap[object].props = vec![
                    (Rc::from("status"), Value::str(status)),
                    (Rc::from(key), value),
                ]
                .into();
                Value::Object(object)
            }
        };
        if let ObjKind::Array(list) = &mut self.heap[element.values].kind {
            if let Some(slot) = list.get_mut(element.index) {
                *slot = stored;
            }
        }
        self.counters[element.counter] -= 1;
        if self.counters[element.counter] == 0 {
            let is_any = element.kind == ElementKind::AnyReject;
            self.finish_combinator(is_any, element.values, element.capability)?;
        }
        Ok(Completion::Normal(Value::Undefined))
    }
}
