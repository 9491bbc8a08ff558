//! Unknown values: what a facts run does where an order run stops.
//!
//! An order run (`predict_order`) abstains at the first thing the engine
//! cannot see, because the printed order may depend on it. A facts run
//! (`Machine::open`, the run that feeds hovers) makes it an unknown value
//! instead (`ObjKind::Unknown`) that remembers where it came from, records
//! the abstention the order run would have made (`first_unknown`, which is
//! the facts run's order outcome), and goes on: reading, calling or
//! combining an unknown gives another unknown; writing into one is lost;
//! callbacks handed to one are not called (they get their own symbolic
//! entry, `function_ticks.rs`). A promise resolved with an unknown settles
//! at a time the engine cannot see: after the run drains, each settles in a
//! phase of its own ([`Machine::settle_unknowns`]), so the code after an
//! `await` on it runs and counts its ticks from that settling. A branch on
//! an unknown takes a recorded decision and the run's driver explores the
//! other arm as another path (`branches.rs`). What would need the
//! unknown's actual value otherwise (a loop bound, an index into a known
//! object) still stops the run: never a guess.

use std::rc::Rc;

use super::{Completion, Machine, Run, Step};
use crate::engine::bytecode::{DefineKind, Op};
use crate::engine::scheduler::PhaseKind;
use crate::engine::value::{Builtin, Native, ObjId, ObjKind, Unknown, Value};

/// The longest source text an unknown's origin quotes.
const MAX_ORIGIN_CHARS: usize = 60;
/// Promises resolved with unknowns that one run settles, at most.
const MAX_SETTLEMENTS: usize = 400;

impl Machine<'_> {
    /// In a facts run, an unknown value from `origin`, noting `reason` as the
    /// order run's abstention if it is the first; in an order run, the abstention.
    pub(crate) fn unknown_or_abstain(
        &mut self,
        origin: &str,
        reason: impl Into<String>,
    ) -> Run<Value> {
        self.see_past(reason)?;
        Ok(self.new_unknown(origin, false))
    }

    /// In a facts run, goes on past something the engine cannot see (noting
    /// `reason` if it is the first); in an order run, abstains with `reason`.
    pub(crate) fn see_past(&mut self, reason: impl Into<String>) -> Run<()> {
        let stop = self.abstain(reason);
        if !self.open {
            return stop;
        }
        if let (None, Err(super::Halt::Abstain(abstention))) = (&self.first_unknown, stop) {
            self.first_unknown = Some(abstention);
        }
        Ok(())
    }

    pub(crate) fn new_unknown(&mut self, origin: &str, native_promise: bool) -> Value {
        self.has_unknowns = true;
        let origin = shorten(origin);
        Value::Object(self.alloc(ObjKind::Unknown(Unknown {
            origin: Rc::from(origin.as_str()),
            native_promise,
        })))
    }

    pub(crate) fn unknown_of(&self, value: &Value) -> Option<&Unknown> {
        match &self.heap[value.as_object()?].kind {
            ObjKind::Unknown(unknown) => Some(unknown),
            _ => None,
        }
    }

    /// The source text of the op now executing, for an unknown's origin.
    pub(crate) fn span_text(&self) -> String {
        let span = self.current_span();
        self.text.get(span).unwrap_or_default().to_owned()
    }

    /// The origin of the first unknown among `values`.
    fn first_unknown_origin(&self, values: &[Value]) -> Option<Rc<str>> {
        values
            .iter()
            .find_map(|value| self.unknown_of(value).map(|u| u.origin.clone()))
    }

    /// Whether the value on top of the stack is an unknown.
    pub(super) fn peek_is_unknown(&self) -> bool {
        self.peek(0)
            .is_some_and(|value| self.unknown_of(value).is_some())
    }

    fn peek(&self, depth: usize) -> Option<&Value> {
        let stack = &self.frames.last()?.stack;
        stack.get(stack.len().checked_sub(depth + 1)?)
    }

    /// In a facts run, an op whose operands include an unknown: the value it
    /// computes is unknown (`Some(step)` once the op is done), and a branch
    /// on it takes this path's decision (`branches.rs`). `None`: the op runs
    /// as usual.
    pub(super) fn step_on_unknown(&mut self, op: &Op) -> Run<Option<Step>> {
        let operands = match op {
            Op::Binary(_) | Op::UpdateIndex { .. } => 2,
            Op::Unary(_) | Op::ToNumber | Op::UpdateProp { .. } => 1,
            Op::Concat(count) => *count,
            Op::JumpIfFalse(_)
            | Op::JumpIfTrue(_)
            | Op::JumpIfTrueKeep(_)
            | Op::JumpIfFalseKeep(_)
            | Op::JumpIfNotNullishKeep(_) => {
                let Some(origin) = self
                    .peek(0)
                    .and_then(|v| Some(self.unknown_of(v)?.origin.clone()))
                else {
                    return Ok(None);
                };
                return self.branch_on_unknown(op, &origin);
            }
            Op::TypeofName(name) => {
                let scope = self.scope();
                if self.lookup(scope, name).is_none() {
                    return Ok(None);
                }
                let value = self.load(scope, name)?;
                let Some(origin) = self.unknown_of(&value).map(|u| u.origin.clone()) else {
                    return Ok(None);
                };
                let result = self.new_unknown(&format!("typeof {origin}"), false);
                self.push(result);
                return Ok(Some(Step::Continue));
            }
            Op::Call { argc, with_this } => return self.call_with_unknowns(*argc, *with_this),
            Op::New { argc } => return self.new_on_unknown(*argc),
            _ => return Ok(None),
        };
        let values: Vec<Value> = (0..operands)
            .filter_map(|d| self.peek(d).cloned())
            .collect();
        if self.first_unknown_origin(&values).is_none() {
            return Ok(None);
        }
        self.pop_n(operands);
        let result = self.new_unknown(&self.span_text(), false);
        self.push(result);
        Ok(Some(Step::Continue))
    }

    /// `console.log(x)` with an unknown `x` prints nothing a facts run needs
    /// (its order outcome is already an abstention).
    fn call_with_unknowns(&mut self, argc: usize, with_this: bool) -> Run<Option<Step>> {
        let callee = self.peek(argc).and_then(Value::as_object);
        let is_console = callee.is_some_and(|id| {
            matches!(
                self.heap[id].kind,
                ObjKind::Native(Native::Builtin(Builtin::ConsoleLog | Builtin::ConsoleError))
            )
        });
        let args: Vec<Value> = (0..argc).filter_map(|d| self.peek(d).cloned()).collect();
        if !is_console || self.first_unknown_origin(&args).is_none() {
            return Ok(None);
        }
        self.pop_n(argc + 1 + usize::from(with_this));
        self.push(Value::Undefined);
        Ok(Some(Step::Continue))
    }

    /// `new X(...)` on what the engine does not model as a constructor: in a
    /// facts run, an unknown instance when `X` is opaque or unknown (its
    /// arguments are handed to code the engine cannot see).
    pub(crate) fn construct_unknown(
        &mut self,
        constructor: &Value,
        args: &[Value],
    ) -> Run<Completion> {
        let reason = "`new` on anything but Promise or Error is not modelled";
        let unseen = constructor.as_object().is_some_and(|id| {
            matches!(
                self.heap[id].kind,
                ObjKind::Unknown(_) | ObjKind::Opaque { .. }
            )
        });
        if !unseen {
            return self.abstain(reason);
        }
        let origin = self.span_text();
        let instance = self.unknown_or_abstain(&origin, reason)?;
        self.hand_to_unknown(args);
        Ok(Completion::Normal(instance))
    }

    /// Values handed to code the engine cannot see: closures escape (they
    /// get a symbolic entry), objects the program made are blurred (that
    /// code may have changed them).
    pub(crate) fn hand_to_unknown(&mut self, values: &[Value]) {
        for value in values {
            let Some(id) = value.as_object() else {
                continue;
            };
            match &self.heap[id].kind {
                ObjKind::Closure { func, .. } => {
                    self.escaped.insert(*func);
                }
                ObjKind::Plain | ObjKind::Array(_) | ObjKind::Error | ObjKind::Holes(_) => {
                    self.blur(id);
                }
                _ => {}
            }
        }
    }

    /// Marks `id` as changed by code the engine cannot see.
    pub(crate) fn blur(&mut self, id: ObjId) {
        self.has_unknowns = true;
        self.heap[id].blurred = true;
    }

    /// A read of `what` on a blurred object: an unknown (facts runs only
    /// blur, so an order run never gets here).
    pub(crate) fn blurred_read(&mut self, id: ObjId, what: &str) -> Option<Value> {
        if !self.heap[id].blurred {
            return None;
        }
        let origin = format!("{what} (changed by code the engine cannot see)");
        Some(self.new_unknown(&origin, false))
    }

    /// A member under a computed key (`Op::DefineComputed`): under a key
    /// the engine cannot see (`[Symbol.iterator]` in a facts run) it could
    /// replace any other member, so the object is blurred; a known string
    /// key defines it, unless the value is a function that would take its
    /// `name` from the key; an index key (V8 orders those first) abstains.
    pub(crate) fn define_computed(
        &mut self,
        object: &Value,
        key: &Value,
        kind: DefineKind,
        value: Value,
    ) -> Run<()> {
        if self.unknown_of(key).is_some() {
            if let Some(id) = object.as_object() {
                self.blur(id);
            }
            return Ok(());
        }
        let named_by_key = match value.as_object().map(|id| &self.heap[id].kind) {
            Some(ObjKind::Closure { func, .. }) => self.funcs[*func].name.is_empty(),
            Some(ObjKind::Class(data)) => data.name.is_empty(),
            _ => false,
        };
        match key {
            Value::Str(name)
                if !crate::engine::compile_literal::is_array_index(name)
                    && !crate::engine::classes::is_private(name)
                    && &**name != "__proto__"
                    && !named_by_key =>
            {
                let name = name.clone();
                self.define_member(object, &name, kind, value)
            }
            Value::Str(_) | Value::Number(_) if kind == DefineKind::Field && !named_by_key => {
                self.define_index_member(object, key, value)
            }
            _ => self.abstain("computed or numeric member names are not modelled"),
        }
    }

    /// `new X(...)` on an unknown or opaque `X`: an unknown instance.
    fn new_on_unknown(&mut self, argc: usize) -> Run<Option<Step>> {
        let Some(id) = self.peek(argc).and_then(Value::as_object) else {
            return Ok(None);
        };
        if !matches!(
            self.heap[id].kind,
            ObjKind::Unknown(_) | ObjKind::Opaque { .. }
        ) {
            return Ok(None);
        }
        let origin = self.span_text();
        let instance = self.unknown_or_abstain(
            &origin,
            "`new` on anything but Promise or Error is not modelled",
        )?;
        let args: Vec<Value> = (0..argc).filter_map(|d| self.peek(d).cloned()).collect();
        self.hand_to_unknown(&args);
        self.pop_n(argc + 1);
        self.push(instance);
        Ok(Some(Step::Continue))
    }

    /// Calling an unknown (or, in a facts run, opaque) function: an unknown
    /// result named by the call's source text. Its callbacks are not called
    /// here: they escape, and get a symbolic entry (`symbolic_entries.rs`).
    pub(super) fn call_unknown(
        &mut self,
        callee: ObjId,
        this: &Value,
        args: &[Value],
    ) -> Run<Completion> {
        let reason = match &self.heap[callee].kind {
            ObjKind::Opaque { name, .. } => format!("calling `{name}` is not modelled by ticklens"),
            _ => "calling a value the engine cannot see".to_owned(),
        };
        let origin = self.span_text();
        let result = self.unknown_or_abstain(&origin, reason)?;
        self.hand_to_unknown(args);
        self.hand_to_unknown(std::slice::from_ref(this));
        Ok(Completion::Normal(result))
    }

    /// ResolvePromise with an unknown value: `promise` stays pending and
    /// settles later, at a time the engine cannot see. `false` when
    /// `resolution` is no unknown.
    pub(crate) fn resolve_with_unknown(&mut self, promise: ObjId, resolution: &Value) -> bool {
        let Some(origin) = self.unknown_of(resolution).map(|u| u.origin.clone()) else {
            return false;
        };
        self.unknown_settlements.push_back((promise, origin));
        true
    }

    /// `await` on an unknown: the promise it waits on settles when the
    /// unknown does, and unless the unknown is known to be a native promise,
    /// the count after its settling holds only if it is one.
    pub(super) fn awaited_unknown(&mut self, operand: &Value, promise: ObjId) -> bool {
        let Some(unknown) = self.unknown_of(operand) else {
            return false;
        };
        if !unknown.native_promise {
            let origin = unknown.origin.to_string();
            if let Some(observer) = &mut self.observer {
                observer.opaque_promises.insert(promise, origin);
            }
        }
        true
    }

    /// After a facts run drains: settles each promise resolved with an
    /// unknown, one at a time in a phase of its own, and runs what that
    /// settling queues. Stops at the first abstention or crash.
    pub(crate) fn settle_unknowns(&mut self) -> Run<()> {
        let mut settled = 0;
        while let Some((promise, origin)) = self.unknown_settlements.pop_front() {
            settled += 1;
            if settled > MAX_SETTLEMENTS {
                return self.abstain_at("too many operations the engine cannot see settle", 0..0);
            }
            self.microtasks.clear();
            self.ticks.clear();
            self.start_phase(PhaseKind::UnknownSettles);
            let value = self.new_unknown(&format!("the value of {origin}"), false);
            self.fulfill_promise(promise, value);
            self.run_after_isolated_call()?;
        }
        Ok(())
    }
}

/// `text` on one line, cut to [`MAX_ORIGIN_CHARS`].
fn shorten(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(MAX_ORIGIN_CHARS) {
        Some((cut, _)) => format!("{}…", &one_line[..cut]),
        None => one_line,
    }
}
