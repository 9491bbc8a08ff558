//! The interpreter dispatch: what one op of the top frame does.
//!
//! `step` is the one dispatch: it sends each op to the function of its
//! family (stack and scopes, properties, building values, calls, control
//! flow, iteration, patterns), so each family reads as one short match.

use super::{Completion, Handler, Machine, Pending, Run, Step};
use crate::engine::bytecode::{BinOp, DeclKind, Op, OpFamily};
use crate::engine::value::{ObjKind, Value};

impl Machine<'_> {
    /// Runs one op. The arms only route: an op's family function does the work.
    pub(super) fn step(&mut self, op: &Op) -> Run<Step> {
        if self.has_unknowns {
            if let Some(step) = self.step_on_unknown(op)? {
                return Ok(step);
            }
        }
        match op.family() {
            OpFamily::Stack => self.stack_op(op)?,
            OpFamily::Property => self.property_op(op)?,
            OpFamily::Value => self.value_op(op)?,
            OpFamily::Call => return self.call_op(op),
            OpFamily::Control => return self.control_op(op),
            OpFamily::Iteration => return self.iteration_op(op),
            OpFamily::Pattern => self.pattern_op(op)?,
            OpFamily::Abstain => match op {
                Op::Abstain(reason) => return self.abstain(reason.to_string()),
                _ => return self.abstain("internal: not an abstain op"),
            },
        }
        Ok(Step::Continue)
    }

    /// The operand stack, bindings and scopes, `this` and arguments.
    fn stack_op(&mut self, op: &Op) -> Run<()> {
        match op {
            Op::Push(value) => self.push(value.clone()),
            Op::Pop => {
                self.pop();
            }
            Op::Dup => {
                let top = self.pop();
                self.push(top.clone());
                self.push(top);
            }
            Op::Dup2 => {
                let b = self.pop();
                let a = self.pop();
                for v in [a.clone(), b.clone(), a, b] {
                    self.push(v);
                }
            }
            Op::Load(name) => {
                let scope = self.scope();
                let value = self.load(scope, name)?;
                self.push(value);
            }
            Op::Store(name) => {
                let value = self.pop();
                let scope = self.scope();
                self.store(scope, name, value)?;
            }
            Op::Declare(name, kind) => {
                let scope = match kind {
                    DeclKind::Var => self.frame().scopes.first().copied().unwrap_or(0),
                    _ => self.scope(),
                };
                match kind {
                    DeclKind::Uninitialised => self.declare(scope, name, None, true),
                    DeclKind::Const => {
                        let value = self.pop();
                        self.declare(scope, name, Some(value), false);
                    }
                    DeclKind::Let | DeclKind::Var => {
                        let value = self.pop();
                        self.declare(scope, name, Some(value), true);
                    }
                }
            }
            Op::TypeofName(name) => {
                let scope = self.scope();
                let text = match self.lookup(scope, name) {
                    Some(_) => {
                        let value = self.load(scope, name)?;
                        self.type_of(&value)
                    }
                    None => self.typeof_undeclared(name),
                };
                self.push(Value::str(text));
            }
            Op::PushScope => {
                let parent = self.scope();
                let scope = self.new_scope(parent);
                self.frame().scopes.push(scope);
            }
            Op::PopScope => {
                self.frame().scopes.pop();
            }
            Op::RenewScope => {
                let old = self.scope();
                let copy = self.scopes[old].clone();
                self.scopes.push(copy);
                let new = self.scopes.len() - 1;
                if let Some(top) = self.frame().scopes.last_mut() {
                    *top = new;
                }
            }
            Op::LoadThis => {
                let this = self.frame().this.clone();
                self.push(this);
            }
            Op::LoadArg(index) => {
                let value = self.frame().args.get(*index).cloned();
                self.push(value.unwrap_or(Value::Undefined));
            }
            Op::LoadRestArgs(index) => {
                let rest: Vec<Value> = self.frame().args.iter().skip(*index).cloned().collect();
                self.account_slots(rest.len())?;
                let array = self.alloc(ObjKind::Array(rest));
                self.push(Value::Object(array));
            }
            _ => return self.abstain("internal: not a stack op"),
        }
        Ok(())
    }

    /// Reading, writing and defining properties.
    fn property_op(&mut self, op: &Op) -> Run<()> {
        match op {
            Op::GetProp(name) => {
                let object = self.pop();
                let value = self.get_property(&object, name)?;
                self.push(value);
            }
            Op::GetMethod(name) => {
                let object = self.pop();
                let value = self.get_property(&object, name)?;
                self.push(object);
                self.push(value);
            }
            Op::GetIndex => {
                let key = self.pop();
                let object = self.pop();
                let value = self.get_index(&object, &key)?;
                self.push(value);
            }
            Op::GetIndexMethod => {
                let key = self.pop();
                let object = self.pop();
                let value = self.get_index(&object, &key)?;
                self.push(object);
                self.push(value);
            }
            Op::SetProp(name) => {
                let value = self.pop();
                let object = self.pop();
                self.set_property(&object, name, value.clone())?;
                self.push(value);
            }
            Op::SetIndex => {
                let value = self.pop();
                let key = self.pop();
                let object = self.pop();
                self.set_index(&object, &key, value.clone())?;
                self.push(value);
            }
            Op::UpdateProp {
                name,
                delta,
                prefix,
            } => {
                let object = self.pop();
                let old = self.get_property(&object, name)?;
                let old = self.to_number(&old)?;
                let new = old + delta;
                self.set_property(&object, name, Value::Number(new))?;
                self.push(Value::Number(if *prefix { new } else { old }));
            }
            Op::UpdateIndex { delta, prefix } => {
                let key = self.pop();
                let object = self.pop();
                let old = self.get_index(&object, &key)?;
                let old = self.to_number(&old)?;
                let new = old + delta;
                self.set_index(&object, &key, Value::Number(new))?;
                self.push(Value::Number(if *prefix { new } else { old }));
            }
            Op::ObjectSpread => {
                let source = self.pop();
                let object = self.pop();
                self.object_spread(&object, &source)?;
                self.push(object);
            }
            Op::Define { name, kind } => {
                let value = self.pop();
                let object = self.pop();
                self.define_member(&object, name, *kind, value)?;
                self.push(object);
            }
            Op::DefineComputed(kind) => {
                let value = self.pop();
                let key = self.pop();
                let object = self.pop();
                self.define_computed(&object, &key, *kind, value)?;
                self.push(object);
            }
            Op::GetSuper(name) => {
                let home = self.pop();
                let receiver = self.pop();
                let value = self.super_get(&home, name, &receiver)?;
                self.push(value);
            }
            _ => return self.abstain("internal: not a property op"),
        }
        Ok(())
    }

    /// Building values: closures, classes, arrays, objects, operators.
    fn value_op(&mut self, op: &Op) -> Run<()> {
        match op {
            Op::Closure(func) => {
                let mut scope = self.scope();
                let own_name = self.funcs[*func].own_name.clone();
                if own_name.is_some() {
                    // A named function expression sees its own name in a scope of its own,
                    // between its closure and its body (§15.2.5 step 3).
                    scope = self.new_scope(scope);
                }
                let this = self.frame().this.clone();
                let closure = self.alloc(ObjKind::Closure {
                    func: *func,
                    scope,
                    this,
                });
                if let Some(name) = own_name {
                    self.declare(scope, &name, Some(Value::Object(closure)), false);
                }
                self.push(Value::Object(closure));
            }
            Op::MakeClass { name, derived } => {
                let fields = self.pop();
                let constructor = self.pop();
                let heritage = derived.then(|| self.pop());
                let scope = self.scope();
                let class = self.make_class(name.clone(), heritage, constructor, fields, scope)?;
                self.push(class);
            }
            Op::Array(count) => {
                let items = self.pop_n(*count);
                let array = self.alloc(ObjKind::Array(items));
                self.push(Value::Object(array));
            }
            Op::ArrayPush => {
                let value = self.pop();
                let array = self.pop();
                if let Some(ObjKind::Array(items)) =
                    array.as_object().map(|id| &mut self.heap[id].kind)
                {
                    items.push(value);
                }
                self.push(array);
            }
            Op::ArraySpread if self.peek_is_unknown() => {
                self.pop();
                let array = self.pop();
                if let Some(id) = array.as_object() {
                    self.lose_array(
                        id,
                        "spreading or iterating something other than an array",
                        "spreads a value the engine cannot see",
                    )?;
                }
                self.push(array);
            }
            Op::ArraySpread => {
                let iterable = self.pop();
                let extra = self.spread_items(&iterable)?;
                self.account_slots(extra.len())?;
                let array = self.pop();
                if let Some(ObjKind::Array(items)) =
                    array.as_object().map(|id| &mut self.heap[id].kind)
                {
                    items.extend(extra);
                }
                self.push(array);
            }
            Op::Object(keys) => {
                let values = self.pop_n(keys.len());
                let object = self.alloc(ObjKind::Plain);
                self.heap[object].props = keys.iter().cloned().zip(values).collect();
                self.push(Value::Object(object));
            }
            Op::Binary(BinOp::In) => {
                let right = self.pop();
                let left = self.pop();
                let value = self.in_operator(&left, &right)?;
                self.push(value);
            }
            Op::Binary(op) => {
                let right = self.pop();
                let left = self.pop();
                let value = self.binary(*op, &left, &right)?;
                self.push(value);
            }
            Op::Unary(op) => {
                let value = self.pop();
                let result = self.unary(*op, &value)?;
                self.push(result);
            }
            Op::ToNumber => {
                let value = self.pop();
                let number = self.to_number(&value)?;
                self.push(Value::Number(number));
            }
            Op::Concat(count) => {
                let parts = self.pop_n(*count);
                let mut text = String::new();
                for part in &parts {
                    let part = self.to_string(part)?;
                    self.check_length(text.len() + part.len())?;
                    text.push_str(&part);
                }
                let text = self.new_string(&text)?;
                self.push(text);
            }
            _ => return self.abstain("internal: not a value op"),
        }
        Ok(())
    }

    /// Calls, `new` and `super(...)`.
    fn call_op(&mut self, op: &Op) -> Run<Step> {
        match op {
            Op::Call { with_this, .. } | Op::CallSpread { with_this } => {
                let args = self.pop_arguments(op)?;
                let callee = self.pop();
                let this = self.pop_receiver(*with_this);
                self.call_from_code(callee, this, args)
            }
            Op::New { .. } | Op::NewSpread => {
                let args = self.pop_arguments(op)?;
                let constructor = self.pop();
                let completion = self.construct(&constructor, args)?;
                Ok(self.push_completion(completion))
            }
            Op::SuperCall { .. } | Op::SuperCallSpread => {
                let args = self.pop_arguments(op)?;
                let scope = self.scope();
                let completion = self.super_call(scope, args)?;
                Ok(self.push_completion(completion))
            }
            _ => self.abstain("internal: not a call op"),
        }
    }

    /// A call op's arguments, on top of the stack: `argc` values, or the
    /// items of the one array a call with spread arguments built.
    fn pop_arguments(&mut self, op: &Op) -> Run<Vec<Value>> {
        match op {
            Op::Call { argc, .. } | Op::New { argc } | Op::SuperCall { argc } => {
                Ok(self.pop_n(*argc))
            }
            _ => {
                let array = self.pop();
                self.array_items(&array)
            }
        }
    }

    /// The callee's receiver under it on the stack, when the call has one.
    fn pop_receiver(&mut self, with_this: bool) -> Value {
        if with_this {
            self.pop()
        } else {
            Value::Undefined
        }
    }

    /// Jumps, `return`/`throw`/`await`, and `try`/`finally` bookkeeping.
    fn control_op(&mut self, op: &Op) -> Run<Step> {
        match op {
            Op::Jump(target) => self.frame().pc = *target,
            Op::JumpIfFalse(target) => {
                if !self.pop().truthy() {
                    self.frame().pc = *target;
                }
            }
            Op::JumpIfTrue(target) => {
                if self.pop().truthy() {
                    self.frame().pc = *target;
                }
            }
            Op::JumpIfTrueKeep(target) | Op::JumpIfFalseKeep(target) => {
                let value = self.pop();
                let want = matches!(op, Op::JumpIfTrueKeep(_));
                if value.truthy() == want {
                    self.push(value);
                    self.frame().pc = *target;
                }
            }
            Op::JumpIfNotNullishKeep(target) => {
                let value = self.pop();
                if !value.is_nullish() {
                    self.push(value);
                    self.frame().pc = *target;
                }
            }
            Op::Return => {
                let value = self.pop();
                return Ok(self.leave(Pending::Return(value)));
            }
            Op::Throw => return Ok(Step::Throw(self.pop())),
            Op::Await => return Ok(Step::Suspend),
            Op::PushHandler(kind, pc) => {
                let frame = self.frame();
                let handler = Handler {
                    kind: *kind,
                    pc: *pc,
                    scopes: frame.scopes.len(),
                    pendings: frame.pendings.len(),
                };
                frame.handlers.push(handler);
            }
            Op::PopHandler => {
                self.frame().handlers.pop();
            }
            Op::NormalCompletion => self.frame().pendings.push(Pending::Normal),
            Op::EndFinally => {
                let pending = self.frame().pendings.pop().unwrap_or(Pending::Normal);
                return Ok(match pending {
                    Pending::Normal => Step::Continue,
                    Pending::Throw(error) => Step::Throw(error),
                    other => self.leave(other),
                });
            }
            Op::Exit {
                target,
                handlers,
                scopes,
            } => {
                return Ok(self.leave(Pending::Exit {
                    target: *target,
                    handlers: *handlers,
                    scopes: *scopes,
                }))
            }
            Op::RethrowUnlessThrowing => {
                if let Some(error) = self.rethrow_unless_throwing() {
                    return Ok(Step::Throw(error));
                }
            }
            _ => return self.abstain("internal: not a control op"),
        }
        Ok(Step::Continue)
    }

    /// `for...of`, `for...in`, `for await`, `yield` and `yield*`.
    fn iteration_op(&mut self, op: &Op) -> Run<Step> {
        let thrown = match op {
            Op::AsyncIterInit(name) => self.async_iter_init(name).map(|()| None)?,
            Op::ForAwaitStep(name) => self
                .async_iter_step(name, Value::Undefined)
                .map(|()| None)?,
            Op::AsyncDelegateStep(name) => {
                let sent = self.pop();
                self.async_iter_step(name, sent).map(|()| None)?
            }
            Op::ForAwaitUnpack => self.async_iter_unpack().map(|()| None)?,
            Op::ForAwaitClose(name) => self.async_iter_close(name).map(|()| None)?,
            Op::AsyncDelegateReturn(name) => {
                let value = self.pop();
                self.async_iter_return(name, value).map(|()| None)?
            }
            Op::IterInit(name) => self.iter_init(name).map(|()| None)?,
            Op::ForInInit(name) => self.for_in_init(name).map(|()| None)?,
            Op::IterNext(name, exit) => self.iter_next(name, *exit)?,
            Op::Yield | Op::YieldDelegated => return Ok(Step::Yield),
            Op::YieldDelegate(name, exit) => self.yield_delegate(name, *exit)?,
            Op::IterClose(name) => self.iter_close(name)?,
            _ => return self.abstain("internal: not an iteration op"),
        };
        // An iterator op that calls user code (`next`, `return`) may throw into this frame.
        Ok(thrown.map_or(Step::Continue, Step::Throw))
    }

    /// A completion a call op leaves: its value on the stack, or a throw.
    pub(super) fn push_completion(&mut self, completion: Completion) -> Step {
        match completion {
            Completion::Normal(value) => {
                self.push(value);
                Step::Continue
            }
            Completion::Throw(error) => Step::Throw(error),
        }
    }
}
