//! The machine's side of async iteration (`for await` and `yield*` in async
//! generators): the async iterator of an iterable (§7.4.3 GetIterator with
//! kind async), one step, and AsyncIteratorClose (§7.4.13).
//!
//! The iterators of `events.on` and `timers/promises` `setInterval`
//! (`node_async_iter.rs`) are their own async iterators, like async
//! generators: each step awaits the promise their `next()` returns.
//! Arrays and sync generators go through CreateAsyncFromSyncIterator
//! (§27.1.6): each result's value is wrapped with `PromiseResolve` and a
//! `then`, two jobs for a plain value. Async generators are their own async
//! iterator: each step awaits the request's promise. Measured on Node
//! 24.11.1 (tests/control.rs, tests/async_generators.rs).

use std::rc::Rc;

use super::generators::Resume;
use super::machine::{Completion, Machine, Pending, Run};
use super::value::{ObjId, ObjKind, Value};

impl Machine<'_> {
    /// `[iterable] -> []`: declares the hidden async iterator binding.
    pub(crate) fn async_iter_init(&mut self, name: &Rc<str>) -> Run<()> {
        let iterable = self.pop();
        let native = iterable
            .as_object()
            .is_some_and(|id| self.native_iter_kind(id).is_some());
        let iter =
            match iterable.as_object().map(|id| (id, &self.heap[id].kind)) {
                // `events.on` and `setInterval` iterators are their own async iterators.
                Some(_) if native => iterable,
                // A facts run iterates an unknown as many turns as the path decides.
                Some((_, ObjKind::Unknown(_))) => iterable,
                Some((array, ObjKind::Array(_))) => {
                    Value::Object(self.alloc(ObjKind::ArrayIter { array, next: 0 }))
                }
                Some((_, ObjKind::Generator(_) | ObjKind::AsyncGenerator(_))) => iterable,
                _ => return self.abstain(
                    "`for await` or `yield*` over something other than an array or a generator \
                     (strings, `Map`/`Set` and `[Symbol.asyncIterator]` objects are not modelled)",
                ),
            };
        let scope = self.scope();
        self.declare(scope, name, Some(iter), false);
        Ok(())
    }

    /// One step: `[] -> [done, promise]`, the promise being the one to await.
    /// `done` is a boolean for a sync iterator, whose result is known now,
    /// and `undefined` for an async one, whose promise gives `{ value, done }`.
    pub(crate) fn async_iter_step(&mut self, name: &Rc<str>, sent: Value) -> Run<()> {
        let (iterator, id) = self.async_iterator(name)?;
        if self.native_iter_kind(id).is_some() {
            return self.native_iter_step(id, Resume::Next, sent);
        }
        if let Some(origin) = self.unknown_of(&iterator).map(|u| u.origin.clone()) {
            let more = self.another_unknown_item(&origin)?;
            return self.unknown_step(&origin, !more);
        }
        let (item, done) = match self.heap[id].kind {
            ObjKind::AsyncGenerator(_) => {
                return self.async_generator_step(&iterator, Resume::Next, sent);
            }
            ObjKind::ArrayIter { .. } => {
                let item = self.array_iter_step(&iterator)?;
                let done = item.is_none();
                (item.unwrap_or(Value::Undefined), done)
            }
            ObjKind::Generator(_) => match self.generator_step(&iterator, sent)? {
                // %AsyncFromSyncIteratorPrototype%.next: a throw rejects the step.
                Err(error) => {
                    self.push_rejected_step(error);
                    return Ok(());
                }
                Ok((value, done, _)) => {
                    if !done && self.may_be_thenable(&value) {
                        // A rejected one closes the sync iterator in newer
                        // editions of §27.1.6.4 (closeOnRejection).
                        return self.abstain(
                            "a sync generator yielding a promise to `for await` is not modelled",
                        );
                    }
                    (value, done)
                }
            },
            _ => return self.abstain("internal: lost an async iterator"),
        };
        self.push_wrapped_step(item, done, "for await step")
    }

    /// `[done, awaited] -> [value, done]`: a sync step's value is the awaited
    /// one; an async step's awaited value is its `{ value, done }` result.
    pub(crate) fn async_iter_unpack(&mut self) -> Run<()> {
        let awaited = self.pop();
        let done = self.pop();
        if let Value::Bool(done) = done {
            self.push(awaited);
            self.push(Value::Bool(done));
            return Ok(());
        }
        if !matches!(awaited, Value::Object(_)) {
            return self.abstain("an async iterator result that is not an object (a TypeError)");
        }
        let done = self.get_property(&awaited, "done")?.truthy();
        let value = self.get_property(&awaited, "value")?;
        self.push(value);
        self.push(Value::Bool(done));
        Ok(())
    }

    /// AsyncIteratorClose's call of `return()`: `[] -> [promise]` to await.
    pub(crate) fn async_iter_close(&mut self, name: &Rc<str>) -> Run<()> {
        self.async_iter_return(name, Value::Undefined)?;
        let promise = self.pop();
        self.pop();
        self.push(promise);
        Ok(())
    }

    /// `return(value)` on an async iterator: `[] -> [done, promise]` as a
    /// step. An array's async-from-sync iterator has no sync `return` to call
    /// and settles at once with `{ value, done: true }` (§27.1.6.2.2); a sync
    /// generator's `return()` runs now and its value is wrapped as in a step;
    /// an async generator gets a `return` request.
    pub(crate) fn async_iter_return(&mut self, name: &Rc<str>, value: Value) -> Run<()> {
        let (iterator, id) = self.async_iterator(name)?;
        if self.native_iter_kind(id).is_some() {
            return self.native_iter_step(id, Resume::Return, value);
        }
        if let Some(origin) = self.unknown_of(&iterator).map(|u| u.origin.clone()) {
            return self.unknown_step(&origin, true);
        }
        match self.heap[id].kind {
            ObjKind::AsyncGenerator(_) => {
                self.async_generator_step(&iterator, Resume::Return, value)?;
            }
            ObjKind::Generator(_) => {
                match self.resume_generator(&iterator, Resume::Return, value)? {
                    Completion::Throw(error) => self.push_rejected_step(error),
                    Completion::Normal(result) => {
                        let value = self.get_property(&result, "value")?;
                        let done = self.get_property(&result, "done")?.truthy();
                        self.push_wrapped_step(value, done, "for await close")?;
                    }
                }
            }
            _ => {
                let result = self.iter_result(value, true);
                let settled = self.new_promise();
                self.resolve_promise(settled, result)?;
                self.push(Value::Undefined);
                self.push(Value::Object(settled));
            }
        }
        Ok(())
    }

    /// The iterator in the hidden binding `name` of a `for await` or `yield*`.
    fn async_iterator(&mut self, name: &Rc<str>) -> Run<(Value, ObjId)> {
        let scope = self.scope();
        let iterator = self.load(scope, name)?;
        let Some(id) = iterator.as_object() else {
            return self.abstain("internal: lost an async iterator");
        };
        Ok((iterator, id))
    }

    /// A step of an async generator: `[] -> [undefined, promise]`, the
    /// promise of its `next`/`return` request.
    fn async_generator_step(&mut self, iterator: &Value, how: Resume, sent: Value) -> Run<()> {
        let Completion::Normal(promise) = self.async_generator_request(iterator, how, sent)? else {
            return self.abstain("internal: an async generator request threw");
        };
        self.push(Value::Undefined);
        self.push(promise);
        Ok(())
    }

    /// A step of a built-in module's async iterator (`node_async_iter.rs`): `[] ->
    /// [undefined, promise]`, the promise its `next()` or `return()` returned.
    fn native_iter_step(&mut self, iter: ObjId, how: Resume, sent: Value) -> Run<()> {
        let Completion::Normal(promise) = self.native_iter_request(iter, how, sent)? else {
            return self.abstain("internal: an async iterator request threw");
        };
        if promise
            .as_object()
            .is_none_or(|id| self.promise_data(id).is_none())
        {
            return self.abstain("an async iterator result that is not a promise");
        }
        self.push(Value::Undefined);
        self.push(promise);
        Ok(())
    }

    /// A step of an unknown async iterator in a facts run: `[] -> [done, promise]`, the
    /// promise an unknown one (when it settles is unknown) whose value is the item.
    fn unknown_step(&mut self, origin: &str, done: bool) -> Run<()> {
        let promise = self.new_unknown(&format!("a step of `for await` over `{origin}`"), true);
        self.push(Value::Bool(done));
        self.push(promise);
        Ok(())
    }

    /// A sync iterator's step that threw: `[] -> [true, rejected promise]`
    /// (%AsyncFromSyncIteratorPrototype% rejects instead of throwing).
    fn push_rejected_step(&mut self, error: Value) {
        let rejected = self.new_promise();
        self.reject_promise(rejected, error);
        self.push(Value::Bool(true));
        self.push(Value::Object(rejected));
    }

    /// A sync iterator's result wrapped for `await`: `[] -> [done, promise]`
    /// (AsyncFromSyncIteratorContinuation, §27.1.6.4).
    fn push_wrapped_step(&mut self, value: Value, done: bool, origin: &str) -> Run<()> {
        let wrapper = self.promise_resolve(value)?;
        let origin: Rc<str> = Rc::from(origin);
        let derived = self.promise_then(wrapper, &Value::Undefined, &Value::Undefined, origin);
        self.push(Value::Bool(done));
        self.push(Value::Object(derived));
        Ok(())
    }

    /// AsyncIteratorClose step 6 (§7.4.13): when the loop is left by a throw,
    /// an error from `return()` (or its awaited promise) is dropped.
    pub(crate) fn rethrow_unless_throwing(&mut self) -> Option<Value> {
        let error = self.pop();
        let throwing = matches!(self.frame().pendings.last(), Some(Pending::Throw(_)));
        (!throwing).then_some(error)
    }

    /// Whether `PromiseResolve` could adopt `value` through a `then`.
    fn may_be_thenable(&self, value: &Value) -> bool {
        let Some(id) = value.as_object() else {
            return false;
        };
        let object = &self.heap[id];
        match object.kind {
            ObjKind::Array(_) => false,
            ObjKind::Plain => object.proto.is_some() || object.get_own("then").is_some(),
            _ => true,
        }
    }
}
