//! Native promises as ECMA-262 §27.2 specifies them, with V8's job kinds.
//!
//! Every tick count the engine predicts falls out of these few algorithms:
//! settling a promise queues one `PromiseReaction` job per reaction;
//! resolving a promise with a thenable (a native promise included) queues a
//! `ResolveThenable` job, which calls `then` and so costs one more job.

use std::ops::Range;
use std::rc::Rc;

use super::machine::{heap_payload_accessors, Completion, Machine, Run};
use super::scheduler::{Job, JobKind};
use super::value::{Native, ObjId, ObjKind, Value};

#[derive(Debug, Clone)]
pub(crate) enum PromiseState {
    Pending,
    Fulfilled(Value),
    Rejected(Value),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReactionKind {
    Fulfill,
    Reject,
}

/// What a reaction job calls.
#[derive(Debug, Clone)]
pub(crate) enum ReactionHandler {
    Callable(Value),
    /// A missing `onFulfilled`: pass the value on.
    Identity,
    /// A missing `onRejected`: pass the reason on.
    Thrower,
    /// Resume a suspended async activation (`await`).
    AwaitResume(usize),
    /// Settle an async generator's `return` request (AsyncGeneratorAwaitReturn).
    AsyncGeneratorReturn(usize),
}

/// A PromiseReaction Record (§27.2.1.2).
#[derive(Debug, Clone)]
pub(crate) struct Reaction {
    /// The promise `then` returned; `None` for `await`.
    pub derived: Option<ObjId>,
    /// The derived promise's resolve and reject functions when it is a
    /// subclass instance (`promise_subclass.rs`): the job calls them.
    pub resolving: Option<(ObjId, ObjId)>,
    pub kind: ReactionKind,
    pub handler: ReactionHandler,
    /// Where the reaction was attached, for `--explain`.
    pub origin: Rc<str>,
}

#[derive(Debug, Clone)]
pub(crate) struct PromiseData {
    pub state: PromiseState,
    pub fulfill_reactions: Vec<Reaction>,
    pub reject_reactions: Vec<Reaction>,
    /// [[PromiseIsHandled]]: a rejection handler was ever attached.
    pub handled: bool,
    /// When it settled (phase, job depth), for per-function facts.
    pub settled_at: Option<(usize, u32)>,
}

heap_payload_accessors!(pub fn promise_data, fn promise_data_mut => Promise(PromiseData));

impl Machine<'_> {
    pub fn new_promise(&mut self) -> ObjId {
        self.alloc(ObjKind::Promise(PromiseData {
            state: PromiseState::Pending,
            fulfill_reactions: Vec::new(),
            reject_reactions: Vec::new(),
            handled: false,
            settled_at: None,
        }))
    }

    /// CreateResolvingFunctions (§27.2.1.3): a resolve/reject pair sharing
    /// one "already resolved" flag.
    pub fn resolving_functions(&mut self, promise: ObjId) -> (ObjId, ObjId) {
        let flag = self.new_flag();
        let resolve = self.alloc(ObjKind::Native(Native::Resolve { promise, flag }));
        let reject = self.alloc(ObjKind::Native(Native::Reject { promise, flag }));
        (resolve, reject)
    }

    /// The body of a promise resolve function (§27.2.1.3.2 steps 7-16).
    pub fn resolve_promise(&mut self, promise: ObjId, resolution: Value) -> Run<()> {
        if resolution.as_object() == Some(promise) {
            return self.abstain("resolving a promise with itself (a TypeError) is not modelled");
        }
        if self.resolve_with_unknown(promise, &resolution) {
            return Ok(());
        }
        match self.then_of(&resolution)? {
            Some(then) => {
                // A thenable (native promises included) is adopted through a
                // NewPromiseResolveThenableJob: one extra job before `then` runs.
                let line = self.line_of(self.current_span().start);
                self.enqueue(
                    JobKind::ResolveThenable {
                        promise,
                        thenable: resolution,
                        then,
                    },
                    Rc::from(format!("resolve-thenable job (line {line})").as_str()),
                );
                Ok(())
            }
            None => {
                self.fulfill_promise(promise, resolution);
                Ok(())
            }
        }
    }

    /// Get(resolution, "then") when callable, for the objects the engine models.
    pub fn then_of(&mut self, value: &Value) -> Run<Option<Value>> {
        let Some(id) = value.as_object() else {
            return Ok(None);
        };
        let then = match &self.heap[id].kind {
            ObjKind::Promise(_) if self.is_plain_native_promise(id) => {
                Some(self.builtin_value(super::value::Builtin::PromiseThen))
            }
            // Subclass instances and class instances find `then` on their
            // prototype chain, and a getter runs here, once (§27.2.1.3.2 step 9).
            ObjKind::Promise(_) | ObjKind::Plain | ObjKind::Error | ObjKind::Class(_) => {
                Some(self.get_property(value, "then")?)
            }
            ObjKind::Closure { .. } => self.heap[id].get_own("then").cloned(),
            ObjKind::Namespace(_) => {
                return self.abstain("resolving with a built-in namespace object")
            }
            // A modelled `then` (a built-in module's namespace has none: `node_modules.rs`).
            ObjKind::Opaque { name, .. } => match self.heap[id].get_own("then") {
                Some(then) => Some(then.clone()),
                None => {
                    return self.abstain(format!(
                        "resolving with `{name}`, whose `then` is not modelled by ticklens"
                    ))
                }
            },
            _ => None,
        };
        Ok(then.filter(|then| self.is_callable(then)))
    }

    pub(crate) fn fulfill_promise(&mut self, promise: ObjId, value: Value) {
        let Some((reactions, _)) = self.settle(promise, PromiseState::Fulfilled(value.clone()))
        else {
            return;
        };
        for reaction in reactions {
            self.enqueue_reaction(reaction, value.clone());
        }
    }

    /// RejectPromise (§27.2.1.7). A rejection with no handler yet is tracked
    /// (HostPromiseRejectionTracker "reject"); Node reports it after the
    /// microtask queue drains.
    pub fn reject_promise(&mut self, promise: ObjId, reason: Value) {
        let Some((reactions, handled)) =
            self.settle(promise, PromiseState::Rejected(reason.clone()))
        else {
            return;
        };
        if !handled {
            self.unhandled.push(promise);
        }
        for reaction in reactions {
            self.enqueue_reaction(reaction, reason.clone());
        }
    }

    /// The steps FulfillPromise and RejectPromise share (§27.2.1.4 and
    /// §27.2.1.7 steps 1-6): a pending promise takes `state`, drops the
    /// other side's reactions and hands back its own, with whether it has a
    /// handler. `None` when it had settled already.
    fn settle(&mut self, promise: ObjId, state: PromiseState) -> Option<(Vec<Reaction>, bool)> {
        let settled_at = Some((self.event_loop.phase, self.depth));
        let data = self.promise_data_mut(promise)?;
        if !matches!(data.state, PromiseState::Pending) {
            return None;
        }
        let fulfilled = matches!(state, PromiseState::Fulfilled(_));
        data.settled_at = settled_at;
        data.state = state;
        let (own, other) = if fulfilled {
            (&mut data.fulfill_reactions, &mut data.reject_reactions)
        } else {
            (&mut data.reject_reactions, &mut data.fulfill_reactions)
        };
        other.clear();
        Some((std::mem::take(own), data.handled))
    }

    fn enqueue_reaction(&mut self, reaction: Reaction, argument: Value) {
        let cause = Rc::from(format!("promise reaction ({})", reaction.origin).as_str());
        self.enqueue(JobKind::Reaction { reaction, argument }, cause);
    }

    pub fn enqueue(&mut self, kind: JobKind, cause: Rc<str>) {
        self.microtasks.push_back(Job {
            kind,
            depth: self.depth + 1,
            cause,
        });
    }

    /// PerformPromiseThen (§27.2.5.4.1).
    pub fn perform_then(
        &mut self,
        promise: ObjId,
        on_fulfilled: ReactionHandler,
        on_rejected: ReactionHandler,
        derived: Option<ObjId>,
        origin: Rc<str>,
    ) {
        let fulfill = Reaction {
            derived,
            resolving: None,
            kind: ReactionKind::Fulfill,
            handler: on_fulfilled,
            origin: origin.clone(),
        };
        let reject = Reaction {
            derived,
            resolving: None,
            kind: ReactionKind::Reject,
            handler: on_rejected,
            origin,
        };
        self.attach_reactions(promise, fulfill, reject);
    }

    /// PerformPromiseThen with a capability whose functions settle the
    /// derived promise (a subclass's, `promise_subclass.rs`).
    pub fn perform_then_capability(
        &mut self,
        promise: ObjId,
        on_fulfilled: ReactionHandler,
        on_rejected: ReactionHandler,
        capability: super::value::Capability,
        origin: Rc<str>,
    ) {
        let resolving = Some((capability.resolve, capability.reject));
        let fulfill = Reaction {
            derived: None,
            resolving,
            kind: ReactionKind::Fulfill,
            handler: on_fulfilled,
            origin: origin.clone(),
        };
        let reject = Reaction {
            derived: None,
            resolving,
            kind: ReactionKind::Reject,
            handler: on_rejected,
            origin,
        };
        self.attach_reactions(promise, fulfill, reject);
    }

    fn attach_reactions(&mut self, promise: ObjId, fulfill: Reaction, reject: Reaction) {
        let Some(data) = self.promise_data_mut(promise) else {
            return;
        };
        let was_handled = data.handled;
        data.handled = true;
        match data.state.clone() {
            PromiseState::Pending => {
                data.fulfill_reactions.push(fulfill);
                data.reject_reactions.push(reject);
            }
            PromiseState::Fulfilled(value) => self.enqueue_reaction(fulfill, value),
            PromiseState::Rejected(reason) => {
                if !was_handled {
                    // HostPromiseRejectionTracker "handle".
                    self.unhandled.retain(|p| *p != promise);
                }
                self.enqueue_reaction(reject, reason);
            }
        }
    }

    /// `promise.then(onFulfilled, onRejected)` on a native promise.
    pub fn promise_then(
        &mut self,
        promise: ObjId,
        on_fulfilled: &Value,
        on_rejected: &Value,
        origin: Rc<str>,
    ) -> ObjId {
        let derived = self.new_promise();
        let fulfill = if self.is_callable(on_fulfilled) {
            ReactionHandler::Callable(on_fulfilled.clone())
        } else {
            ReactionHandler::Identity
        };
        let reject = if self.is_callable(on_rejected) {
            ReactionHandler::Callable(on_rejected.clone())
        } else {
            ReactionHandler::Thrower
        };
        self.perform_then(promise, fulfill, reject, Some(derived), origin);
        derived
    }

    /// PromiseResolve(%Promise%, x) (§27.2.4.7.1): a native promise is
    /// returned as is; anything else gets a new promise resolved with it.
    pub fn promise_resolve(&mut self, value: Value) -> Run<ObjId> {
        let promise_ctor = self.builtin_value(super::value::Builtin::PromiseCtor);
        if let Some(id) = self.promise_with_constructor(&value, &promise_ctor)? {
            return Ok(id);
        }
        let promise = self.new_promise();
        self.resolve_promise(promise, value)?;
        Ok(promise)
    }

    /// Await's reactions (§27.7.5.3 steps 2-9): V8's await on a native
    /// promise costs exactly one job after it settles.
    pub fn await_promise(&mut self, promise: ObjId, activation: usize) -> Run<()> {
        let origin = self.await_origin(activation, self.current_span());
        self.perform_then_resuming(promise, ReactionHandler::AwaitResume(activation), origin);
        Ok(())
    }

    /// PerformPromiseThen for the engine's own continuations (an `await`,
    /// an async generator's return): one handler for both outcomes and no
    /// derived promise.
    pub(crate) fn perform_then_resuming(
        &mut self,
        promise: ObjId,
        resume: ReactionHandler,
        origin: Rc<str>,
    ) {
        self.perform_then(promise, resume.clone(), resume, None, origin);
    }

    fn await_origin(&self, activation: usize, span: Range<usize>) -> Rc<str> {
        let func = self.activations[activation].func;
        let name = &self.funcs[func].name;
        let line = self.line_of(span.start);
        let who = if func == 0 {
            "top-level await".to_owned()
        } else if name.is_empty() {
            "await in an anonymous function".to_owned()
        } else {
            format!("await in {name}()")
        };
        Rc::from(format!("{who} at line {line}").as_str())
    }

    /// NewPromiseReactionJob (§27.2.2.1).
    pub fn run_reaction(&mut self, reaction: Reaction, argument: Value) -> Run<()> {
        let outcome = match reaction.handler {
            ReactionHandler::AwaitResume(activation) => {
                let outcome = match reaction.kind {
                    ReactionKind::Fulfill => Completion::Normal(argument),
                    ReactionKind::Reject => Completion::Throw(argument),
                };
                return self.resume(activation, outcome);
            }
            ReactionHandler::AsyncGeneratorReturn(generator) => {
                let outcome = match reaction.kind {
                    ReactionKind::Fulfill => Completion::Normal(argument),
                    ReactionKind::Reject => Completion::Throw(argument),
                };
                // AsyncGeneratorAwaitReturn's reaction completes the
                // generator as a finished body does.
                return self.async_generator_finished(generator, outcome);
            }
            ReactionHandler::Identity => Completion::Normal(argument),
            ReactionHandler::Thrower => Completion::Throw(argument),
            ReactionHandler::Callable(handler) => {
                self.call(&handler, Value::Undefined, vec![argument])?
            }
        };
        if let Some((resolve, reject)) = reaction.resolving {
            let (function, value) = match outcome {
                Completion::Normal(value) => (resolve, value),
                Completion::Throw(error) => (reject, error),
            };
            return self.call_capability(function, value);
        }
        if let Some(derived) = reaction.derived {
            match outcome {
                Completion::Normal(value) => self.resolve_promise(derived, value)?,
                Completion::Throw(error) => self.reject_promise(derived, error),
            }
        }
        Ok(())
    }

    /// NewPromiseResolveThenableJob (§27.2.2.2).
    pub fn run_resolve_thenable(
        &mut self,
        promise: ObjId,
        thenable: Value,
        then: Value,
    ) -> Run<()> {
        let (resolve, reject) = self.resolving_functions(promise);
        let args = vec![Value::Object(resolve), Value::Object(reject)];
        if let Completion::Throw(error) = self.call(&then, thenable, args)? {
            self.call(&Value::Object(reject), Value::Undefined, vec![error])?;
        }
        Ok(())
    }
}
