//! Calling the built-ins: the dispatch from a native function to its
//! implementation (`console`, timers, `process.nextTick`, `queueMicrotask`,
//! errors, `Math`, the constructors), `new` on the modelled constructors.
//! The `Promise` built-ins are in `builtins_promise.rs`, the others in the
//! `builtins_*.rs` of their object; `install_globals.rs` binds them to names.

use std::rc::Rc;

use super::bytecode::DefineKind::{Getter, Setter};
use super::machine::{normal, Completion, Machine, Run};
use super::scheduler::{Callback, JobKind, TimerKind};
use super::value::{Builtin, ErrorKind, MathMethod, Native, ObjKind, Value};

/// A built-in's argument `index`, `undefined` when the call passed fewer.
pub(crate) fn arg(args: &[Value], index: usize) -> Value {
    args.get(index).cloned().unwrap_or(Value::Undefined)
}

impl Machine<'_> {
    /// What a job the current op queues is reported as (`--explain`).
    pub(crate) fn origin(&self, what: &str) -> Rc<str> {
        let line = self.line_of(self.current_span().start);
        Rc::from(format!("{what} at line {line}").as_str())
    }

    pub(crate) fn call_native(
        &mut self,
        native: Native,
        this: Value,
        args: Vec<Value>,
    ) -> Run<Completion> {
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
            Builtin::StructuredClone => self.structured_clone(&args),
            Builtin::DefineGetter => self.define_accessor_legacy(Getter, &this, &args),
            Builtin::DefineSetter => self.define_accessor_legacy(Setter, &this, &args),
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
                self.ticks.push_back(Callback {
                    function: callback,
                    args: args.collect(),
                });
                normal(Value::Undefined)
            }
            Builtin::PromiseCtor
            | Builtin::PromiseStatic(_)
            | Builtin::PromiseThen
            | Builtin::PromiseCatch
            | Builtin::PromiseFinally => self.promise_builtin(builtin, this, args),
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
            Builtin::RegexLiteral => self.regex_literal(&args),
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
            Builtin::Node(function) => self.call_node_function(function, this, args),
            Builtin::ObjectKeys | Builtin::ObjectValues | Builtin::ObjectEntries => {
                self.object_listing(builtin, &args)
            }
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
            Some(Builtin::Node(function)) => self.construct_node(function, &args, constructor),
            _ => self.construct_unknown(constructor, &args),
        }
    }

    fn math_method(&mut self, method: MathMethod, args: &[Value]) -> Run<Completion> {
        let mut numbers = Vec::with_capacity(args.len());
        for value in args {
            numbers.push(self.to_number(value)?);
        }
        let first = numbers.first().copied().unwrap_or(f64::NAN);
        let result = match method {
            MathMethod::Max => extreme(&numbers, f64::NEG_INFINITY, f64::max),
            MathMethod::Min => extreme(&numbers, f64::INFINITY, f64::min),
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

/// `Math.max` and `Math.min` (§21.3.2.24-25): NaN when any argument is NaN,
/// else `pick` folded from `start` (the result of no arguments).
fn extreme(numbers: &[f64], start: f64, pick: fn(f64, f64) -> f64) -> f64 {
    numbers
        .iter()
        .try_fold(start, |acc, n| (!n.is_nan()).then(|| pick(acc, *n)))
        .unwrap_or(f64::NAN)
}
