//! The global environment: `console`, `Promise`, timers, `process.nextTick`,
//! `queueMicrotask`, errors, and the few array/string/math helpers programs
//! commonly use. Node's other globals are opaque values (`globals.rs`).

use std::rc::Rc;

use super::collections::CollectionKind;
use super::machine::{Completion, Machine, Run};
use super::scheduler::{JobKind, Tick, TimerKind};
use super::value::{
    Builtin, ErrorKind, MathMethod, Native, NumberStatic, ObjId, ObjKind, ObjectStatic, Value,
};

fn arg(args: &[Value], index: usize) -> Value {
    args.get(index).cloned().unwrap_or(Value::Undefined)
}

/// The timer functions: globals, and the members of the `timers` module.
pub(crate) const TIMER_FUNCTIONS: &[(&str, Builtin)] = &[
    ("setTimeout", Builtin::SetTimeout),
    ("setInterval", Builtin::SetInterval),
    ("setImmediate", Builtin::SetImmediate),
    ("clearTimeout", Builtin::ClearTimeout),
    ("clearInterval", Builtin::ClearTimeout),
    ("clearImmediate", Builtin::ClearImmediate),
];

impl Machine<'_> {
    pub(crate) fn install_globals(&mut self) {
        let functions: &[(&str, Builtin)] = &[
            ("queueMicrotask", Builtin::QueueMicrotask),
            ("Error", Builtin::ErrorCtor(ErrorKind::Error)),
            ("TypeError", Builtin::ErrorCtor(ErrorKind::TypeError)),
            ("RangeError", Builtin::ErrorCtor(ErrorKind::RangeError)),
            ("String", Builtin::StringCtor),
            ("Number", Builtin::NumberCtor),
            ("Array", Builtin::ArrayCtor),
            ("parseInt", Builtin::NumberStatic(NumberStatic::ParseInt)),
            (
                "parseFloat",
                Builtin::NumberStatic(NumberStatic::ParseFloat),
            ),
            ("isNaN", Builtin::NumberStatic(NumberStatic::GlobalIsNaN)),
            (
                "isFinite",
                Builtin::NumberStatic(NumberStatic::GlobalIsFinite),
            ),
            ("Boolean", Builtin::BooleanCtor),
            ("Map", Builtin::CollectionCtor(CollectionKind::Map)),
            ("Set", Builtin::CollectionCtor(CollectionKind::Set)),
            ("WeakMap", Builtin::CollectionCtor(CollectionKind::WeakMap)),
            ("WeakSet", Builtin::CollectionCtor(CollectionKind::WeakSet)),
        ];
        for (name, builtin) in TIMER_FUNCTIONS.iter().chain(functions) {
            let value = self.builtin_value(*builtin);
            self.define_global(name, value);
        }
        let namespaces: &[(&str, &[(&str, Builtin)])] = &[
            (
                "console",
                &[
                    ("log", Builtin::ConsoleLog),
                    ("info", Builtin::ConsoleLog),
                    ("debug", Builtin::ConsoleLog),
                    ("error", Builtin::ConsoleError),
                    ("warn", Builtin::ConsoleError),
                ],
            ),
            ("process", &[("nextTick", Builtin::NextTick)]),
            (
                "JSON",
                &[
                    ("stringify", Builtin::JsonStringify),
                    ("parse", Builtin::JsonParse),
                ],
            ),
            (
                "Object",
                &[
                    ("keys", Builtin::ObjectKeys),
                    ("values", Builtin::ObjectValues),
                    ("entries", Builtin::ObjectEntries),
                    ("assign", Builtin::ObjectStatic(ObjectStatic::Assign)),
                    ("freeze", Builtin::ObjectStatic(ObjectStatic::Freeze)),
                    ("isFrozen", Builtin::ObjectStatic(ObjectStatic::IsFrozen)),
                    (
                        "fromEntries",
                        Builtin::ObjectStatic(ObjectStatic::FromEntries),
                    ),
                    ("create", Builtin::ObjectStatic(ObjectStatic::Create)),
                ],
            ),
            (
                "Math",
                &[
                    ("max", Builtin::MathMethod(MathMethod::Max)),
                    ("min", Builtin::MathMethod(MathMethod::Min)),
                    ("floor", Builtin::MathMethod(MathMethod::Floor)),
                    ("ceil", Builtin::MathMethod(MathMethod::Ceil)),
                    ("round", Builtin::MathMethod(MathMethod::Round)),
                    ("abs", Builtin::MathMethod(MathMethod::Abs)),
                    ("trunc", Builtin::MathMethod(MathMethod::Trunc)),
                    ("sign", Builtin::MathMethod(MathMethod::Sign)),
                    ("sqrt", Builtin::MathMethod(MathMethod::Sqrt)),
                ],
            ),
        ];
        for (name, members) in namespaces {
            let id = self.alloc(ObjKind::Namespace(name));
            for (member, builtin) in *members {
                let value = self.builtin_value(*builtin);
                self.heap[id].set_own(member, value);
            }
            self.define_global(name, Value::Object(id));
        }
        // `Promise` is both a constructor and a namespace of statics.
        let promise = self.builtin_value(Builtin::PromiseCtor);
        let statics = [
            ("resolve", Builtin::PromiseResolve),
            ("reject", Builtin::PromiseReject),
            ("all", Builtin::PromiseAll),
            ("allSettled", Builtin::PromiseAllSettled),
            ("race", Builtin::PromiseRace),
            ("any", Builtin::PromiseAny),
            ("withResolvers", Builtin::PromiseWithResolvers),
        ];
        for (member, builtin) in statics {
            let value = self.builtin_value(builtin);
            if let Some(id) = promise.as_object() {
                self.heap[id].set_own(member, value);
            }
        }
        self.define_global("Promise", promise);
        // `Array` and `Number` are constructors with statics.
        let constructor_statics: [(Builtin, &[(&str, Builtin)]); 2] = [
            (
                Builtin::ArrayCtor,
                &[
                    ("isArray", Builtin::ArrayIsArray),
                    ("from", Builtin::ArrayFrom),
                    ("of", Builtin::ArrayOf),
                ],
            ),
            (
                Builtin::NumberCtor,
                &[
                    ("isInteger", Builtin::NumberStatic(NumberStatic::IsInteger)),
                    (
                        "isSafeInteger",
                        Builtin::NumberStatic(NumberStatic::IsSafeInteger),
                    ),
                    ("isFinite", Builtin::NumberStatic(NumberStatic::IsFinite)),
                    ("isNaN", Builtin::NumberStatic(NumberStatic::IsNaN)),
                    ("parseInt", Builtin::NumberStatic(NumberStatic::ParseInt)),
                    (
                        "parseFloat",
                        Builtin::NumberStatic(NumberStatic::ParseFloat),
                    ),
                ],
            ),
        ];
        for (constructor, statics) in constructor_statics {
            let constructor = self.builtin_value(constructor);
            for (member, builtin) in statics {
                let value = self.builtin_value(*builtin);
                if let Some(id) = constructor.as_object() {
                    self.heap[id].set_own(member, value);
                }
            }
        }
        self.define_global("NaN", Value::Number(f64::NAN));
        self.define_global("Infinity", Value::Number(f64::INFINITY));
        self.define_global("undefined", Value::Undefined);
    }

    pub(crate) fn define_global(&mut self, name: &str, value: Value) {
        let global = self.global;
        self.scopes[global].vars.push(super::value::Binding {
            name: Rc::from(name),
            value: Some(value),
            mutable: false,
        });
    }

    fn origin(&self, what: &str) -> Rc<str> {
        let line = self.line_of(self.current_span().start);
        Rc::from(format!("{what} at line {line}").as_str())
    }

    pub(crate) fn call_native(
        &mut self,
        native: Native,
        this: Value,
        args: Vec<Value>,
    ) -> Run<Completion> {
        let normal = |value: Value| Ok(Completion::Normal(value));
        match native {
            Native::Builtin(builtin) => self.call_builtin(builtin, this, args),
            Native::Resolve { promise, flag } | Native::Reject { promise, flag } => {
                if !self.flags[flag] {
                    self.flags[flag] = true;
                    if matches!(native, Native::Resolve { .. }) {
                        self.resolve_promise(promise, arg(&args, 0))?;
                    } else {
                        self.reject_promise(promise, arg(&args, 0));
                    }
                }
                normal(Value::Undefined)
            }
            Native::Element(element) => self.call_element(element, arg(&args, 0)),
            Native::FinallyThen { ref on_finally } | Native::FinallyCatch { ref on_finally } => {
                let is_then = matches!(native, Native::FinallyThen { .. });
                let on_finally = on_finally.clone();
                // thenFinally / catchFinally (§27.2.5.3.1-2): call onFinally,
                // then wait for its result before passing the original on.
                let result = match self.call(&on_finally, Value::Undefined, Vec::new())? {
                    Completion::Normal(value) => value,
                    thrown => return Ok(thrown),
                };
                let promise = self.promise_resolve(result)?;
                let passed = arg(&args, 0);
                let thunk = if is_then {
                    Native::ReturnValue(passed)
                } else {
                    Native::ThrowValue(passed)
                };
                let thunk = Value::Object(self.alloc(ObjKind::Native(thunk)));
                let origin = self.origin("`.finally`");
                let derived = self.promise_then(promise, &thunk, &Value::Undefined, origin);
                normal(Value::Object(derived))
            }
            Native::ReturnValue(value) => normal(value),
            Native::ThrowValue(value) => Ok(Completion::Throw(value)),
            Native::CapabilityExecutor { record } => self.capability_executor(record, &args),
        }
    }

    fn call_builtin(&mut self, builtin: Builtin, this: Value, args: Vec<Value>) -> Run<Completion> {
        let normal = |value: Value| Ok(Completion::Normal(value));
        match builtin {
            Builtin::ConsoleLog => {
                let text = self.format_log(&args)?;
                for line in text.split('\n') {
                    self.print(line.to_owned())?;
                }
                normal(Value::Undefined)
            }
            Builtin::ConsoleError => normal(Value::Undefined),
            Builtin::SetTimeout => normal(self.add_timer(TimerKind::Timeout, args)?),
            Builtin::SetInterval => normal(self.add_timer(TimerKind::Interval, args)?),
            Builtin::SetImmediate => normal(self.add_timer(TimerKind::Immediate, args)?),
            Builtin::ClearTimeout | Builtin::ClearImmediate => {
                self.clear_timer(&arg(&args, 0));
                normal(Value::Undefined)
            }
            Builtin::QueueMicrotask => {
                let callback = arg(&args, 0);
                if !self.is_callable(&callback) {
                    return self.abstain("queueMicrotask without a function (a TypeError)");
                }
                let origin = self.origin("queueMicrotask");
                self.enqueue(JobKind::Microtask { callback }, origin);
                normal(Value::Undefined)
            }
            Builtin::NextTick => {
                let mut args = args.into_iter();
                let callback = args.next().unwrap_or(Value::Undefined);
                if !self.is_callable(&callback) {
                    return self.abstain("process.nextTick without a function (a TypeError)");
                }
                self.ticks.push_back(Tick {
                    callback,
                    args: args.collect(),
                });
                normal(Value::Undefined)
            }
            Builtin::PromiseCtor => self.abstain("calling `Promise` without `new` (a TypeError)"),
            Builtin::PromiseResolve if self.is_class(&this) => {
                normal(self.promise_resolve_in(&this, arg(&args, 0))?)
            }
            Builtin::PromiseReject if self.is_class(&this) => {
                let capability = self.new_promise_capability(&this)?;
                self.call_capability(capability.reject, arg(&args, 0))?;
                normal(Value::Object(capability.promise))
            }
            Builtin::PromiseResolve => {
                self.check_promise_receiver(&this)?;
                let promise = self.promise_resolve(arg(&args, 0))?;
                normal(Value::Object(promise))
            }
            Builtin::PromiseReject => {
                self.check_promise_receiver(&this)?;
                let promise = self.new_promise();
                self.reject_promise(promise, arg(&args, 0));
                normal(Value::Object(promise))
            }
            Builtin::PromiseAll
            | Builtin::PromiseAllSettled
            | Builtin::PromiseRace
            | Builtin::PromiseAny => {
                self.check_promise_receiver(&this)?;
                self.combinator(builtin, arg(&args, 0))
            }
            Builtin::PromiseWithResolvers => {
                self.check_promise_receiver(&this)?;
                let promise = self.new_promise();
                let (resolve, reject) = self.resolving_functions(promise);
                let object = self.alloc(ObjKind::Plain);
                self.heap[object].props = vec![
                    (Rc::from("promise"), Value::Object(promise)),
                    (Rc::from("resolve"), Value::Object(resolve)),
                    (Rc::from("reject"), Value::Object(reject)),
                ];
                normal(Value::Object(object))
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
            Builtin::ErrorCtor(kind) => normal(self.new_error(kind, &args)?),
            Builtin::ArrayIsArray => {
                let is_array = arg(&args, 0).as_object().is_some_and(|id| {
                    matches!(self.heap[id].kind, ObjKind::Array(_) | ObjKind::Holes(_))
                });
                normal(Value::Bool(is_array))
            }
            Builtin::ArrayMethod(method) => self.array_method(method, this, args),
            Builtin::ArrayCtor => self.array_constructor(args),
            Builtin::ArrayFrom | Builtin::ArrayOf => self.array_static(builtin, this, args),
            Builtin::ObjectStatic(method) => self.object_static(method, args),
            Builtin::JsonParse => self.json_parse(&args),
            Builtin::NumberStatic(method) => self.number_static(method, &args),
            Builtin::NumberMethod(method) => self.number_method(method, this, &args),
            Builtin::CollectionCtor(kind) => self.abstain(format!(
                "calling `{}` without `new` (a TypeError)",
                kind.name()
            )),
            Builtin::CollectionMethod(method) => self.collection_call(method, this, args),
            Builtin::JsonStringify => normal(self.json_stringify(&args)?),
            Builtin::StringMethod(method) => self.string_method(method, this, args),
            Builtin::MathMethod(method) => self.math_method(method, &args),
            Builtin::StringCtor => {
                let value = arg(&args, 0);
                if args.is_empty() {
                    return normal(Value::str(""));
                }
                normal(self.new_string(&self.to_string(&value)?)?)
            }
            Builtin::NumberCtor => {
                if args.is_empty() {
                    return normal(Value::Number(0.0));
                }
                normal(Value::Number(self.to_number(&arg(&args, 0))?))
            }
            Builtin::BooleanCtor => normal(Value::Bool(arg(&args, 0).truthy())),
            Builtin::Generator(how) => self.resume_generator(&this, how, arg(&args, 0)),
            Builtin::AsyncGenerator(how) => self.async_generator_request(&this, how, arg(&args, 0)),
            Builtin::Require
            | Builtin::UtilPromisify
            | Builtin::TimersPromisesSetTimeout
            | Builtin::TimersPromisesSetImmediate => self.call_node_builtin(builtin, args),
            Builtin::ObjectKeys | Builtin::ObjectValues | Builtin::ObjectEntries => {
                let target = arg(&args, 0);
                let Some(id) = target.as_object().filter(|id| {
                    matches!(self.heap[*id].kind, ObjKind::Plain)
                        && !self.heap[*id].hidden_props
                        && !self.has_accessor(*id)
                }) else {
                    return self.abstain("Object.keys/values/entries of a non-plain object");
                };
                let mut props = self.heap[id].props.clone();
                props.retain(|(key, _)| !super::classes::is_private(key));
                let mut items = Vec::with_capacity(props.len());
                for (key, value) in props {
                    items.push(match builtin {
                        Builtin::ObjectKeys => Value::Str(key),
                        Builtin::ObjectValues => value,
                        _ => {
                            let pair = self.alloc(ObjKind::Array(vec![Value::Str(key), value]));
                            Value::Object(pair)
                        }
                    });
                }
                normal(Value::Object(self.alloc(ObjKind::Array(items))))
            }
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

    pub(crate) fn new_error(&mut self, kind: ErrorKind, args: &[Value]) -> Run<Value> {
        if args.len() > 1 {
            return self.abstain("error options (`cause`) are not modelled");
        }
        let error = self.alloc(ObjKind::Error);
        self.heap[error].set_own("name", Value::str(kind.name()));
        let message = arg(args, 0);
        let text = if message == Value::Undefined {
            String::new()
        } else {
            self.to_string(&message)?
        };
        self.heap[error].set_own("message", Value::str(&text));
        Ok(Value::Object(error))
    }

    /// `new C(...)` for the constructors the engine models.
    pub(crate) fn construct(&mut self, constructor: &Value, args: Vec<Value>) -> Run<Completion> {
        let builtin = constructor
            .as_object()
            .and_then(|id| match &self.heap[id].kind {
                ObjKind::Native(Native::Builtin(builtin)) => Some(*builtin),
                _ => None,
            });
        let program_made = constructor.as_object().is_some_and(|id| {
            matches!(
                self.heap[id].kind,
                ObjKind::Class(_) | ObjKind::Closure { .. }
            )
        });
        if program_made {
            return self.construct_with_target(constructor, args, constructor);
        }
        match builtin {
            Some(Builtin::PromiseCtor) => self.construct_promise(args, None),
            Some(Builtin::ErrorCtor(kind)) => Ok(Completion::Normal(self.new_error(kind, &args)?)),
            Some(Builtin::CollectionCtor(kind)) => self.construct_collection(kind, &args),
            Some(Builtin::ArrayCtor) => self.array_constructor(args),
            _ => self.abstain("`new` on anything but Promise or Error is not modelled"),
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
    fn combinator(&mut self, builtin: Builtin, iterable: Value) -> Run<Completion> {
        use super::value::{ElementFn, ElementKind};
        let items = self.array_items(&iterable)?;
        let capability = self.capability();
        let values = self.alloc(ObjKind::Array(Vec::new()));
        self.counters.push(1);
        let counter = self.counters.len() - 1;
        let what = match builtin {
            Builtin::PromiseAll => "Promise.all",
            Builtin::PromiseAllSettled => "Promise.allSettled",
            Builtin::PromiseRace => "Promise.race",
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
            let (on_fulfilled, on_rejected) = match builtin {
                Builtin::PromiseAll => (
                    element(self, ElementKind::AllResolve),
                    Value::Object(capability.reject),
                ),
                Builtin::PromiseAllSettled => (
                    element(self, ElementKind::AllSettledResolve),
                    element(self, ElementKind::AllSettledReject),
                ),
                Builtin::PromiseRace => (
                    Value::Object(capability.resolve),
                    Value::Object(capability.reject),
                ),
                _ => (
                    Value::Object(capability.resolve),
                    element(self, ElementKind::AnyReject),
                ),
            };
            if builtin != Builtin::PromiseRace {
                self.counters[counter] += 1;
            }
            self.promise_then(next, &on_fulfilled, &on_rejected, origin.clone());
        }
        if builtin != Builtin::PromiseRace {
            self.counters[counter] -= 1;
            if self.counters[counter] == 0 {
                self.finish_combinator(builtin == Builtin::PromiseAny, values, capability)?;
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

    fn call_element(&mut self, element: super::value::ElementFn, value: Value) -> Run<Completion> {
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
                ];
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

    fn math_method(&mut self, method: MathMethod, args: &[Value]) -> Run<Completion> {
        let mut numbers = Vec::with_capacity(args.len());
        for value in args {
            numbers.push(self.to_number(value)?);
        }
        let first = numbers.first().copied().unwrap_or(f64::NAN);
        let result = match method {
            MathMethod::Max => numbers
                .iter()
                .try_fold(f64::NEG_INFINITY, |acc, n| {
                    if n.is_nan() {
                        None
                    } else {
                        Some(acc.max(*n))
                    }
                })
                .unwrap_or(f64::NAN),
            MathMethod::Min => numbers
                .iter()
                .try_fold(f64::INFINITY, |acc, n| {
                    if n.is_nan() {
                        None
                    } else {
                        Some(acc.min(*n))
                    }
                })
                .unwrap_or(f64::NAN),
            MathMethod::Floor => first.floor(),
            MathMethod::Ceil => first.ceil(),
            // Math.round rounds half up (§21.3.2.28), unlike f64::round.
            MathMethod::Round => (first + 0.5).floor(),
            MathMethod::Abs => first.abs(),
            MathMethod::Trunc => first.trunc(),
            MathMethod::Sign => {
                if first.is_nan() || first == 0.0 {
                    first
                } else {
                    first.signum()
                }
            }
            MathMethod::Sqrt => first.sqrt(),
        };
        Ok(Completion::Normal(Value::Number(result)))
    }
}
