//! `Map`, `Set`, `WeakMap` and `WeakSet` (§24.1-24.4).
//!
//! Entries keep insertion order. A deleted entry leaves a hole (`None`) rather
//! than shifting the rest, as the spec's List does (§24.1.3.3 step 4): a
//! `forEach` in progress then visits exactly the entries Node visits, also
//! when the callback adds or deletes some.

use super::builtins::arg;
use super::machine::{heap_payload_accessors, normal, Completion, Machine, Run};
use super::value::{Builtin, ObjId, ObjKind, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum CollectionKind {
    Map,
    Set,
    WeakMap,
    WeakSet,
}

impl CollectionKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            CollectionKind::Map => "Map",
            CollectionKind::Set => "Set",
            CollectionKind::WeakMap => "WeakMap",
            CollectionKind::WeakSet => "WeakSet",
        }
    }

    fn is_weak(self) -> bool {
        matches!(self, CollectionKind::WeakMap | CollectionKind::WeakSet)
    }

    fn is_set(self) -> bool {
        matches!(self, CollectionKind::Set | CollectionKind::WeakSet)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum CollectionMethod {
    Get,
    Set,
    Add,
    Has,
    Delete,
    Clear,
    ForEach,
    Keys,
    Values,
    Entries,
}

/// What a collection iterator yields (§24.1.5.1 CreateMapIterator's `kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum IterPart {
    Keys,
    Values,
    Entries,
}

#[derive(Debug, Clone)]
pub(crate) struct Collection {
    pub kind: CollectionKind,
    /// (key, value) in insertion order; a Set stores its value as the key.
    pub entries: Vec<Option<(Value, Value)>>,
}

impl Collection {
    pub(crate) fn size(&self) -> usize {
        self.entries.iter().flatten().count()
    }

    fn position(&self, key: &Value) -> Option<usize> {
        self.entries
            .iter()
            .position(|entry| entry.as_ref().is_some_and(|(k, _)| same_value_zero(k, key)))
    }
}

/// SameValueZero (§7.2.11): NaN equals NaN, and +0 equals -0.
fn same_value_zero(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || (x.is_nan() && y.is_nan()),
        _ => a == b,
    }
}

/// The method a collection of `kind` has under `name`.
pub(crate) fn collection_method(kind: CollectionKind, name: &str) -> Option<CollectionMethod> {
    use CollectionMethod::*;
    let method = match name {
        "get" => Get,
        "set" => Set,
        "add" => Add,
        "has" => Has,
        "delete" => Delete,
        "clear" => Clear,
        "forEach" => ForEach,
        "keys" => Keys,
        "values" => Values,
        "entries" => Entries,
        _ => return None,
    };
    let fits = match method {
        Get | Set => !kind.is_set(),
        Add => kind.is_set(),
        Has | Delete => true,
        Clear | ForEach | Keys | Values | Entries => !kind.is_weak(),
    };
    fits.then_some(method)
}

heap_payload_accessors!(fn collection, fn collection_mut => Collection(Collection));

impl Machine<'_> {
    /// `new Map(iterable)` and kin; iterables other than arrays abstain.
    pub(crate) fn construct_collection(
        &mut self,
        kind: CollectionKind,
        args: &[Value],
    ) -> Run<Completion> {
        let id = self.alloc(ObjKind::Collection(Collection {
            kind,
            entries: Vec::new(),
        }));
        let source = arg(args, 0);
        if source.is_nullish() {
            return Ok(Completion::Normal(Value::Object(id)));
        }
        if self.unknown_of(&source).is_some() {
            // What it holds is unseen: the collection is an unknown too.
            let origin = "a collection of values the engine cannot see";
            let reason = "spreading or iterating something other than an array";
            return Ok(Completion::Normal(self.unknown_or_abstain(origin, reason)?));
        }
        let items = self.array_items(&source)?;
        for item in items {
            let (key, value) = if kind.is_set() {
                (item.clone(), item)
            } else {
                if item.as_object().is_none() {
                    return self.abstain("a Map entry that is not an object (a TypeError)");
                }
                let key = self.get_index(&item, &Value::Number(0.0))?;
                let value = self.get_index(&item, &Value::Number(1.0))?;
                (key, value)
            };
            self.collection_put(id, key, value)?;
        }
        Ok(Completion::Normal(Value::Object(id)))
    }

    /// Map.prototype.set / Set.prototype.add (§24.1.3.9, §24.2.3.1).
    fn collection_put(&mut self, id: ObjId, key: Value, value: Value) -> Run<()> {
        let Some(kind) = self.collection(id).map(|c| c.kind) else {
            return self.abstain("internal: not a collection");
        };
        if kind.is_weak() && key.as_object().is_none() {
            return self.abstain(format!(
                "a {} key that is not an object (a TypeError)",
                kind.name()
            ));
        }
        // -0 is stored as +0 (`==` on numbers holds for both zeros).
        let key = if key == Value::Number(0.0) {
            Value::Number(0.0)
        } else {
            key
        };
        self.account_slots(2)?;
        let Some(collection) = self.collection_mut(id) else {
            return Ok(());
        };
        match collection.position(&key) {
            Some(at) => collection.entries[at] = Some((key, value)),
            None => collection.entries.push(Some((key, value))),
        }
        Ok(())
    }

    pub(crate) fn collection_call(
        &mut self,
        method: CollectionMethod,
        this: Value,
        args: Vec<Value>,
    ) -> Run<Completion> {
        let Some(id) = this.as_object().filter(|id| {
            self.collection(*id)
                .is_some_and(|c| collection_method(c.kind, name(method)).is_some())
        }) else {
            return self.abstain("a Map or Set method called on another object (a TypeError)");
        };
        let key = arg(&args, 0);
        match method {
            CollectionMethod::Get => {
                let found = self
                    .collection(id)
                    .and_then(|c| c.position(&key).and_then(|at| c.entries[at].clone()));
                normal(found.map_or(Value::Undefined, |(_, value)| value))
            }
            CollectionMethod::Has => {
                let found = self.collection(id).and_then(|c| c.position(&key));
                normal(Value::Bool(found.is_some()))
            }
            CollectionMethod::Set => {
                self.collection_put(id, key, arg(&args, 1))?;
                normal(this)
            }
            CollectionMethod::Add => {
                self.collection_put(id, key.clone(), key)?;
                normal(this)
            }
            CollectionMethod::Delete => {
                let Some(collection) = self.collection_mut(id) else {
                    return normal(Value::Bool(false));
                };
                let at = collection.position(&key);
                if let Some(at) = at {
                    collection.entries[at] = None;
                }
                normal(Value::Bool(at.is_some()))
            }
            CollectionMethod::Clear => {
                if let Some(collection) = self.collection_mut(id) {
                    collection
                        .entries
                        .iter_mut()
                        .for_each(|entry| *entry = None);
                }
                normal(Value::Undefined)
            }
            CollectionMethod::Keys | CollectionMethod::Values | CollectionMethod::Entries => {
                // A Set's keys are its values (§24.2.3.8: `keys` is `values`).
                let part = match method {
                    CollectionMethod::Keys => IterPart::Keys,
                    CollectionMethod::Values => IterPart::Values,
                    _ => IterPart::Entries,
                };
                normal(self.collection_iterator(id, part))
            }
            CollectionMethod::ForEach => {
                let callback = key;
                if !self.is_callable(&callback) {
                    return self.abstain("forEach without a function (a TypeError)");
                }
                let this_arg = arg(&args, 1);
                let mut index = 0;
                // The length is read again each step: entries added by the
                // callback are visited, deleted ones are not.
                while let Some(entry) = self
                    .collection(id)
                    .and_then(|c| c.entries.get(index).cloned())
                {
                    index += 1;
                    let Some((key, value)) = entry else {
                        continue;
                    };
                    let call_args = vec![value, key, this.clone()];
                    if let Completion::Throw(error) =
                        self.call(&callback, this_arg.clone(), call_args)?
                    {
                        return Ok(Completion::Throw(error));
                    }
                }
                normal(Value::Undefined)
            }
        }
    }

    /// A live iterator over `id`'s entries.
    pub(crate) fn collection_iterator(&mut self, id: ObjId, part: IterPart) -> Value {
        Value::Object(self.alloc(ObjKind::CollectionIter {
            collection: id,
            next: 0,
            part,
        }))
    }

    /// The default iterator of a Map (its entries) or Set (its values), for
    /// `for...of`, spread and `Array.from`; `None` for other values.
    pub(crate) fn default_collection_iterator(&mut self, value: &Value) -> Option<Value> {
        let id = value.as_object()?;
        match self.collection(id)?.kind {
            CollectionKind::Map => Some(self.collection_iterator(id, IterPart::Entries)),
            CollectionKind::Set => Some(self.collection_iterator(id, IterPart::Values)),
            _ => None,
        }
    }

    /// The next item of a collection iterator, or `None` once it is done
    /// (%MapIteratorPrototype%.next, §24.1.5.2.1). The length is read again
    /// each step, and deleted entries (holes) are skipped; once done it stays done.
    pub(crate) fn collection_iter_step(&mut self, iter: ObjId) -> Run<Option<Value>> {
        let ObjKind::CollectionIter {
            collection,
            next,
            part,
        } = self.heap[iter].kind
        else {
            return self.abstain("internal: lost a collection iterator");
        };
        let mut index = next;
        let found = loop {
            match self
                .collection(collection)
                .and_then(|c| c.entries.get(index))
            {
                None => break None,
                Some(None) => index += 1,
                Some(Some(entry)) => break Some(entry.clone()),
            }
        };
        let Some((key, value)) = found else {
            // A finished iterator never resumes, even if entries are added later.
            self.heap[iter].kind = ObjKind::CollectionIter {
                collection,
                next: usize::MAX,
                part,
            };
            return Ok(None);
        };
        self.heap[iter].kind = ObjKind::CollectionIter {
            collection,
            next: index + 1,
            part,
        };
        Ok(Some(match part {
            IterPart::Keys => key,
            IterPart::Values => value,
            IterPart::Entries => {
                self.account_slots(2)?;
                Value::Object(self.alloc(ObjKind::Array(vec![key, value])))
            }
        }))
    }

    /// Every remaining item of a collection iterator.
    pub(crate) fn drain_collection_iter(&mut self, iter: ObjId) -> Run<Vec<Value>> {
        let mut items = Vec::new();
        while let Some(item) = self.collection_iter_step(iter)? {
            self.account_slots(1)?;
            items.push(item);
        }
        Ok(items)
    }

    /// `map.size`, and the methods, as property reads.
    pub(crate) fn collection_property(&mut self, id: ObjId, name: &str) -> Run<Value> {
        let Some(kind) = self.collection(id).map(|c| c.kind) else {
            return self.abstain("internal: not a collection");
        };
        if name == "size" && !kind.is_weak() {
            let size = self.collection(id).map_or(0, Collection::size);
            return Ok(Value::Number(size as f64));
        }
        match collection_method(kind, name) {
            Some(method) => Ok(self.builtin_value(Builtin::CollectionMethod(method))),
            None => self.abstain(format!(
                "the {} property `.{name}` is not modelled",
                kind.name()
            )),
        }
    }

    /// util.inspect of a collection: `Map(2) { 'a' => 1, 'b' => 2 }`,
    /// `Set(1) { 1 }`, `WeakMap { <items unknown> }`.
    pub(crate) fn inspect_collection(
        &self,
        id: ObjId,
        depth: usize,
        inspect: impl Fn(&Value, usize) -> Run<String>,
        single_line: impl Fn(&str, &[String]) -> Run<String>,
    ) -> Run<String> {
        let Some(collection) = self.collection(id) else {
            return self.abstain("internal: not a collection");
        };
        let name = collection.kind.name();
        if collection.kind.is_weak() {
            return Ok(format!("{name} {{ <items unknown> }}"));
        }
        let size = collection.size();
        if size == 0 {
            return Ok(format!("{name}(0) {{}}"));
        }
        if depth > 2 {
            return Ok(format!("[{name}]"));
        }
        let mut parts = Vec::with_capacity(size);
        for (key, value) in collection.entries.iter().flatten() {
            parts.push(if collection.kind.is_set() {
                inspect(key, depth + 1)?
            } else {
                format!(
                    "{} => {}",
                    inspect(key, depth + 1)?,
                    inspect(value, depth + 1)?
                )
            });
        }
        single_line(&format!("{name}({size}) {{"), &parts)
    }
}

fn name(method: CollectionMethod) -> &'static str {
    match method {
        CollectionMethod::Get => "get",
        CollectionMethod::Set => "set",
        CollectionMethod::Add => "add",
        CollectionMethod::Has => "has",
        CollectionMethod::Delete => "delete",
        CollectionMethod::Clear => "clear",
        CollectionMethod::ForEach => "forEach",
        CollectionMethod::Keys => "keys",
        CollectionMethod::Values => "values",
        CollectionMethod::Entries => "entries",
    }
}
