//! The machine's side of loops over iterables and of destructuring: the
//! iterator ops of `for...of`/`for...in` and the ops patterns compile to.

use std::rc::Rc;

use super::bytecode::Op;
use super::machine::{Machine, Run};
use super::value::{ObjKind, Value};

impl Machine<'_> {
    /// `for...of` and `yield*`: arrays through their iterator (§23.1.5.1),
    /// generators as their own iterator (§27.5.1).
    pub(crate) fn iter_init(&mut self, name: &Rc<str>) -> Run<()> {
        let iterable = self.pop();
        let iter = match iterable.as_object().map(|id| (id, &self.heap[id].kind)) {
            Some((array, ObjKind::Array(_))) => {
                Value::Object(self.alloc(ObjKind::ArrayIter { array, next: 0 }))
            }
            Some((_, ObjKind::Generator(_) | ObjKind::CollectionIter { .. })) => iterable,
            _ => match self.default_collection_iterator(&iterable) {
                Some(iter) => iter,
                None => self.unknown_iterator(&iterable)?,
            },
        };
        let scope = self.scope();
        self.declare(scope, name, Some(iter), false);
        Ok(())
    }

    /// Iterating what the engine cannot see into and that runs none of the
    /// program's code (an unknown, a host object, a string): in a facts
    /// run an unknown iterator, whose items are unknowns and whose length
    /// each path decides ([`Machine::another_unknown_item`]); an order run
    /// stops. An object of the program's stops both: its iterator may run
    /// its code.
    fn unknown_iterator(&mut self, iterable: &Value) -> Run<Value> {
        let reason = "iterating something other than an array, a Map, a Set or a generator";
        let origin = match iterable {
            Value::Str(_) => self.span_text(),
            Value::Object(id) => match &self.heap[*id].kind {
                ObjKind::Unknown(unknown) => unknown.origin.to_string(),
                ObjKind::Opaque { name, .. } => name.to_string(),
                _ => return self.abstain(reason),
            },
            _ => return self.abstain(reason),
        };
        self.unknown_or_abstain(&origin, reason)
    }

    /// The next element of an array iterator, or `None` when it is done.
    pub(crate) fn array_iter_step(&mut self, iter: &Value) -> Run<Option<Value>> {
        let Some(iter) = iter.as_object() else {
            return self.abstain("internal: lost a loop iterator");
        };
        let ObjKind::ArrayIter { array, next } = self.heap[iter].kind else {
            return self.abstain("internal: lost a loop iterator");
        };
        // Array iterators re-read the length each step (§23.1.5.1).
        let item = match &self.heap[array].kind {
            ObjKind::Array(items) => items.get(next).cloned(),
            _ => None,
        };
        if item.is_some() {
            self.heap[iter].kind = ObjKind::ArrayIter {
                array,
                next: next + 1,
            };
        }
        Ok(item)
    }

    /// `for...in` (§14.7.5.6 ForIn/OfHeadEvaluation, §14.7.5.9
    /// EnumerateObjectProperties): `null`/`undefined` run no turn; an array or
    /// string yields its indices; a plain object its own keys in insertion
    /// order (the engine's objects have no integer keys and no enumerable
    /// inherited ones).
    pub(crate) fn for_in_init(&mut self, name: &Rc<str>) -> Run<()> {
        let object = self.pop();
        let keys: Vec<Rc<str>> = match &object {
            Value::Undefined | Value::Null => Vec::new(),
            Value::Str(text) if text.is_ascii() => index_keys(text.len()),
            Value::Object(id) => match &self.heap[*id].kind {
                ObjKind::Array(items) => index_keys(items.len()),
                // A prototype the program made may hold enumerable keys, and
                // hidden properties are not enumerable: neither is modelled.
                ObjKind::Plain
                    if self.heap[*id].proto.is_none() && !self.heap[*id].hidden_props =>
                {
                    self.heap[*id]
                        .props
                        .iter()
                        .map(|(k, _)| k.clone())
                        .collect()
                }
                _ => match self.emitter_prototype_keys(*id) {
                    Some(keys) => keys,
                    None => {
                        return self.abstain("`for...in` over this kind of object is not modelled")
                    }
                },
            },
            _ => return self.abstain("`for...in` over this value is not modelled"),
        };
        let iter = self.alloc(ObjKind::ForInKeys {
            object,
            keys,
            next: 0,
        });
        let scope = self.scope();
        self.declare(scope, name, Some(Value::Object(iter)), false);
        Ok(())
    }

    /// Pushes the next element of a `for...of`/`for...in` loop, or jumps to
    /// `exit` when there is none. Returns what the iterator threw, if it did.
    pub(crate) fn iter_next(&mut self, name: &Rc<str>, exit: usize) -> Run<Option<Value>> {
        let scope = self.scope();
        let iterator = self.load(scope, name)?;
        let Some(id) = iterator.as_object() else {
            return self.abstain("internal: lost a loop iterator");
        };
        let item = match &self.heap[id].kind {
            ObjKind::ArrayIter { .. } => self.array_iter_step(&iterator)?,
            ObjKind::ForInKeys { .. } => self.next_key(id),
            ObjKind::CollectionIter { .. } => self.collection_iter_step(id)?,
            ObjKind::Generator(_) => match self.generator_step(&iterator, Value::Undefined)? {
                Err(error) => return Ok(Some(error)),
                Ok((_, true, _)) => None,
                Ok((value, false, _)) => Some(value),
            },
            ObjKind::Unknown(unknown) => {
                let origin = unknown.origin.clone();
                self.another_unknown_item(&origin)?
                    .then(|| self.new_unknown(&format!("an item of `{origin}`"), false))
            }
            _ => return self.abstain("internal: lost a loop iterator"),
        };
        match item {
            Some(item) => self.push(item),
            None => self.frame().pc = exit,
        }
        Ok(None)
    }

    /// The next key still present: a key deleted before its turn is skipped
    /// (§14.7.5.9), keys added during the loop are not visited (V8's enum cache).
    fn next_key(&mut self, iter: usize) -> Option<Value> {
        loop {
            let ObjKind::ForInKeys { object, keys, next } = &mut self.heap[iter].kind else {
                return None;
            };
            let key = keys.get(*next)?.clone();
            *next += 1;
            let object = object.clone();
            let present = match object.as_object() {
                Some(id) => match &self.heap[id].kind {
                    ObjKind::Array(items) => key.parse::<usize>().is_ok_and(|i| i < items.len()),
                    // Node's keys of `EventEmitter.prototype` are not props here.
                    _ => self.heap[id].get_own(&key).is_some() || self.is_emitter_prototype(id),
                },
                None => true,
            };
            if present {
                return Some(Value::Str(key));
            }
        }
    }

    /// The ops destructuring and optional chains compile to.
    pub(crate) fn pattern_op(&mut self, op: &Op) -> Run<()> {
        match op {
            Op::Swap => {
                let top = self.pop();
                let below = self.pop();
                self.push(top);
                self.push(below);
            }
            Op::RequireObjectCoercible => {
                let value = self.pop();
                if value.is_nullish() {
                    return self.abstain("destructuring `null` or `undefined` (a TypeError)");
                }
                self.push(value);
            }
            Op::RequireIndexable => {
                let value = self.pop();
                let indexable = match &value {
                    Value::Str(text) => text.is_ascii(),
                    // An unknown's elements are unknowns (`get_index`, `rest_of_unknown`).
                    Value::Object(id) => {
                        matches!(self.heap[*id].kind, ObjKind::Array(_) | ObjKind::Unknown(_))
                    }
                    _ => false,
                };
                if !indexable {
                    return self.abstain(
                        "array destructuring of something other than an array or an ASCII string",
                    );
                }
                self.push(value);
            }
            Op::ObjectRest(taken) => {
                let value = self.pop();
                let plain = value.as_object().filter(|id| {
                    matches!(self.heap[*id].kind, ObjKind::Plain)
                        && !self.heap[*id].hidden_props
                        && !self.has_accessor(*id)
                });
                let props = match plain.map(|id| &self.heap[id]) {
                    Some(object) => object
                        .props
                        .iter()
                        .filter(|(key, _)| !taken.contains(key))
                        .cloned()
                        .collect(),
                    _ => return self.abstain("object rest of something other than a plain object"),
                };
                let rest = self.alloc(ObjKind::Plain);
                self.heap[rest].props = props;
                self.push(Value::Object(rest));
            }
            Op::RestFrom(start) => {
                let value = self.pop();
                let items: Vec<Value> = match &value {
                    Value::Str(text) => text
                        .get(*start..)
                        .unwrap_or("")
                        .chars()
                        .map(|c| Value::str(c.encode_utf8(&mut [0; 4])))
                        .collect(),
                    Value::Object(id) => match &self.heap[*id].kind {
                        ObjKind::Array(items) => items.iter().skip(*start).cloned().collect(),
                        ObjKind::Unknown(_) => return self.rest_of_unknown(*id),
                        _ => return self.abstain("internal: rest of a non-array"),
                    },
                    _ => return self.abstain("internal: rest of a non-array"),
                };
                self.account_slots(items.len())?;
                let array = self.alloc(ObjKind::Array(items));
                self.push(Value::Object(array));
            }
            Op::SkipIfNullish { target, drop } => {
                let top = self.pop();
                if top.is_nullish() {
                    for _ in 1..*drop {
                        self.pop();
                    }
                    self.frame().pc = *target;
                } else {
                    self.push(top);
                }
            }
            _ => return self.abstain("internal: not a pattern op"),
        }
        Ok(())
    }
}

fn index_keys(len: usize) -> Vec<Rc<str>> {
    (0..len).map(|i| Rc::from(i.to_string().as_str())).collect()
}
