//! Generators (§27.5): a generator function's call returns a generator object
//! holding the unstarted frame; `next`/`return`/`throw` run that frame until
//! its next `yield` or its end. Frames are plain data (see `machine/mod.rs`), so a
//! yield moves the frame into the generator's state, like an await moves it
//! into its activation.
//!
//! Async generators, with their request queue, are in `async_generators.rs`.

use std::rc::Rc;

use tree_sitter::Node;

use super::bytecode::Op;
use super::compile::{Compiler, FnBuilder};
use super::machine::{Completion, Frame, Machine, Pending, Run, Step, MAX_NATIVE_DEPTH};
use super::value::{Builtin, ObjKind, Value};

/// §27.5.2 [[GeneratorState]], with the frame of a suspended generator; async
/// generators (`async_generators.rs`) have the same states and one more
/// (§27.6.2 [[AsyncGeneratorState]]).
#[derive(Debug, Clone)]
pub(crate) enum GeneratorState {
    SuspendedStart(Box<Frame>),
    SuspendedYield(Box<Frame>),
    /// Running; an async generator also while suspended at an `await` (the
    /// frame is in its activation).
    Executing,
    /// An async generator awaiting the value of a `return(v)` request
    /// (§27.6.3.9 AsyncGeneratorAwaitReturn); never a sync generator's.
    AwaitingReturn,
    Completed,
}

/// How a generator is resumed (§27.5.3.2-4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Resume {
    Next,
    Return,
    Throw,
}

impl Resume {
    pub(crate) fn method(name: &str) -> Option<Resume> {
        match name {
            "next" => Some(Resume::Next),
            "return" => Some(Resume::Return),
            "throw" => Some(Resume::Throw),
            _ => None,
        }
    }
}

impl<'s> Compiler<'s> {
    /// `yield v` and `yield* iterable`.
    pub(crate) fn yield_expression(&mut self, b: &mut FnBuilder, node: Node) {
        if !b.is_generator {
            return b.abstain("`yield` outside a generator");
        }
        self.operand_or_undefined(b, node);
        let delegate = super::compile::has_token(node, crate::token!("*"));
        if b.is_async {
            return if delegate {
                self.async_yield_delegate(b)
            } else {
                self.async_yield(b)
            };
        }
        if !delegate {
            b.emit(Op::Yield);
            return;
        }
        // yield* (§15.5.5): pass each inner result through, unchanged, until
        // the inner iterator is done; its return value is the expression's.
        let inner = self.hidden_name("delegate");
        b.emit(Op::IterInit(inner.clone()));
        b.emit(Op::Push(Value::Undefined));
        let step = b.emit(Op::YieldDelegate(inner, 0));
        b.emit(Op::Yield);
        b.emit(Op::Jump(step));
        b.patch(step);
    }
}

impl Machine<'_> {
    pub(crate) fn new_generator(&mut self, frame: Frame) -> Value {
        let index = self.generators.len();
        self.generators
            .push(GeneratorState::SuspendedStart(Box::new(frame)));
        Value::Object(self.alloc(ObjKind::Generator(index)))
    }

    /// `{ value, done }` (§7.4.14 CreateIterResultObject).
    pub(crate) fn iter_result(&mut self, value: Value, done: bool) -> Value {
        let result = self.alloc(ObjKind::Plain);
        self.heap[result].props = vec![
            (Rc::from("value"), value),
            (Rc::from("done"), Value::Bool(done)),
        ]
        .into();
        Value::Object(result)
    }

    /// The generator's body returned or threw: it is completed, and a return
    /// value becomes `{ value, done: true }`.
    pub(crate) fn generator_finished(
        &mut self,
        generator: usize,
        completion: Completion,
    ) -> Completion {
        self.generators[generator] = GeneratorState::Completed;
        match completion {
            Completion::Normal(value) => Completion::Normal(self.iter_result(value, true)),
            thrown => thrown,
        }
    }

    /// The generator's frame reached `yield`: it leaves the frame stack with
    /// the yielded value as `{ value, done: false }` (§27.5.3.7 GeneratorYield).
    /// A `yield*` step yields the inner result object itself.
    pub(crate) fn yield_frame(&mut self) -> Run<Completion> {
        let value = self.pop();
        let Some(frame) = self.frames.pop() else {
            return self.abstain("internal: no frame to yield from");
        };
        let Some(generator) = frame.generator else {
            return self.abstain("internal: `yield` outside a generator frame");
        };
        let delegating = frame.pc >= 2
            && matches!(
                frame.code.code.get(frame.pc - 2),
                Some(Op::YieldDelegate(..))
            );
        self.generators[generator] = GeneratorState::SuspendedYield(Box::new(frame));
        if delegating {
            return Ok(Completion::Normal(value));
        }
        Ok(Completion::Normal(self.iter_result(value, false)))
    }

    /// `generator.next(v)`, `.return(v)` and `.throw(e)` (§27.5.3.3
    /// GeneratorResume, §27.5.3.4 GeneratorResumeAbrupt).
    pub(crate) fn resume_generator(
        &mut self,
        this: &Value,
        how: Resume,
        sent: Value,
    ) -> Run<Completion> {
        let Some(generator) = this.as_object().and_then(|id| match self.heap[id].kind {
            ObjKind::Generator(index) => Some(index),
            _ => None,
        }) else {
            return self.abstain("a generator method called on another value (a TypeError)");
        };
        let state = std::mem::replace(&mut self.generators[generator], GeneratorState::Executing);
        let mut frame = match state {
            GeneratorState::Executing | GeneratorState::AwaitingReturn => {
                return self.abstain("resuming a running generator (a TypeError)")
            }
            GeneratorState::Completed => {
                self.generators[generator] = GeneratorState::Completed;
                return Ok(match how {
                    Resume::Next => Completion::Normal(self.iter_result(Value::Undefined, true)),
                    Resume::Return => Completion::Normal(self.iter_result(sent, true)),
                    Resume::Throw => Completion::Throw(sent),
                });
            }
            GeneratorState::SuspendedStart(frame) => {
                if how != Resume::Next {
                    // An unstarted generator completes without running its body.
                    self.generators[generator] = GeneratorState::Completed;
                    return Ok(match how {
                        Resume::Return => Completion::Normal(self.iter_result(sent, true)),
                        _ => Completion::Throw(sent),
                    });
                }
                frame
            }
            GeneratorState::SuspendedYield(mut frame) => {
                let delegating = frame.pc >= 2
                    && matches!(
                        frame.code.code.get(frame.pc - 2),
                        Some(Op::YieldDelegate(..))
                    );
                if delegating && how != Resume::Next {
                    self.generators[generator] = GeneratorState::SuspendedYield(frame);
                    return self.abstain(
                        "`return()`/`throw()` on a generator inside `yield*` is not modelled",
                    );
                }
                if how == Resume::Next {
                    frame.stack.push(sent.clone());
                }
                frame
            }
        };
        if self.native_depth >= MAX_NATIVE_DEPTH {
            return self.abstain("generators nest too deeply to model");
        }
        frame.generator = Some(generator);
        let base = self.frames.len();
        self.frames.push(*frame);
        self.native_depth += 1;
        let result = match how {
            Resume::Next => self.run(base, None),
            Resume::Throw => self.run(base, Some(sent)),
            // `return v` at the yield: `finally` bodies run first (§27.5.3.4).
            Resume::Return => match self.leave(Pending::Return(sent)) {
                Step::Finish(completion) => match self.finish_frame(completion, base)? {
                    Some(done) => Ok(done),
                    None => self.run(base, None),
                },
                _ => self.run(base, None),
            },
        };
        self.native_depth -= 1;
        result
    }

    /// The generator behind a `for...of` or `yield*` iterator value.
    pub(crate) fn generator_of(&self, value: &Value) -> Option<usize> {
        value.as_object().and_then(|id| match self.heap[id].kind {
            ObjKind::Generator(index) => Some(index),
            _ => None,
        })
    }

    /// Calls `next(sent)` on a generator used as an iterator: `Ok(Err(e))`
    /// when it throws, else its `(value, done)`.
    pub(crate) fn generator_step(
        &mut self,
        iterator: &Value,
        sent: Value,
    ) -> Run<Result<(Value, bool, Value), Value>> {
        match self.resume_generator(iterator, Resume::Next, sent)? {
            Completion::Throw(error) => Ok(Err(error)),
            Completion::Normal(result) => {
                let value = self.get_property(&result, "value")?;
                let done = self.get_property(&result, "done")?.truthy();
                Ok(Ok((value, done, result)))
            }
        }
    }

    /// One `yield*` step: `[sent]` on the stack.
    pub(crate) fn yield_delegate(&mut self, name: &Rc<str>, exit: usize) -> Run<Option<Value>> {
        let sent = self.pop();
        let scope = self.scope();
        let iterator = self.load(scope, name)?;
        if self.generator_of(&iterator).is_some() {
            return Ok(match self.generator_step(&iterator, sent)? {
                Err(error) => Some(error),
                Ok((value, true, _)) => {
                    self.push(value);
                    self.frame().pc = exit;
                    None
                }
                Ok((_, false, result)) => {
                    self.push(result);
                    None
                }
            });
        }
        // An array iterator ignores what is sent to it.
        match self.array_iter_step(&iterator)? {
            Some(item) => {
                let result = self.iter_result(item, false);
                self.push(result);
            }
            None => {
                self.push(Value::Undefined);
                self.frame().pc = exit;
            }
        }
        Ok(None)
    }

    /// Closes a `for...of` iterator left early: a generator not yet completed
    /// runs its `finally` bodies through `return()` (§7.4.11 IteratorClose).
    /// When the loop is left by a throw, an error from `return()` is dropped.
    pub(crate) fn iter_close(&mut self, name: &Rc<str>) -> Run<Option<Value>> {
        let scope = self.scope();
        let iterator = self.load(scope, name)?;
        let Some(generator) = self.generator_of(&iterator) else {
            return Ok(None);
        };
        if matches!(self.generators[generator], GeneratorState::Completed) {
            return Ok(None);
        }
        let throwing = matches!(self.frame().pendings.last(), Some(Pending::Throw(_)));
        match self.resume_generator(&iterator, Resume::Return, Value::Undefined)? {
            Completion::Throw(error) if !throwing => Ok(Some(error)),
            _ => Ok(None),
        }
    }

    /// `generator.next` and kin, as property reads.
    pub(crate) fn generator_method(&mut self, name: &str) -> Run<Value> {
        match Resume::method(name) {
            Some(how) => Ok(self.builtin_value(Builtin::Generator(how))),
            None => self.abstain(format!("the generator property `.{name}` is not modelled")),
        }
    }
}

impl Machine<'_> {
    /// The elements `...value` spreads: an array's, or every value a
    /// generator yields (run to its end, §13.2.4.1 ArrayAccumulation).
    pub(crate) fn spread_items(&mut self, value: &Value) -> Run<Vec<Value>> {
        if let Some(items) = self.iterable_items(value)? {
            return Ok(items);
        }
        if self.generator_of(value).is_none() {
            return self.array_items(value);
        }
        let mut items = Vec::new();
        loop {
            match self.generator_step(value, Value::Undefined)? {
                Err(_) => return self.abstain("a generator that throws while spread"),
                Ok((_, true, _)) => return Ok(items),
                Ok((item, false, _)) => {
                    self.account_slots(1)?;
                    items.push(item);
                }
            }
        }
    }
}
