//! `Object.assign`, `Object.freeze`, `Object.isFrozen` and
//! `Object.fromEntries` (§20.1.2), and object spread `{...a}` (§13.2.5.5
//! CopyDataProperties), for the plain objects the engine models.

use super::builtins::arg;
use super::machine::{normal, Completion, Machine, Run};
use super::value::{Builtin, ObjId, ObjKind, ObjectStatic, Value};

impl Machine<'_> {
    pub(crate) fn object_static(
        &mut self,
        method: ObjectStatic,
        args: Vec<Value>,
    ) -> Run<Completion> {
        let target = arg(&args, 0);
        match method {
            ObjectStatic::Assign => {
                if target.is_nullish() {
                    return self.abstain("Object.assign to null or undefined (a TypeError)");
                }
                for source in args.iter().skip(1) {
                    if self.copy_unseen(&target, source)? {
                        continue;
                    }
                    for (key, value) in self.own_enumerable_entries(source)? {
                        self.set_property(&target, &key, value)?;
                    }
                }
                normal(target)
            }
            ObjectStatic::Freeze => {
                // A primitive is returned as it is (§20.1.2.6 step 1).
                let Some(id) = target.as_object() else {
                    return normal(target);
                };
                if !self.is_plain_data(id) && !matches!(self.heap[id].kind, ObjKind::Array(_)) {
                    return self.abstain("Object.freeze of this kind of object is not modelled");
                }
                self.heap[id].frozen = true;
                normal(target)
            }
            ObjectStatic::IsFrozen => {
                let Some(id) = target.as_object() else {
                    return normal(Value::Bool(true));
                };
                if !self.is_plain_data(id) && !matches!(self.heap[id].kind, ObjKind::Array(_)) {
                    return self.abstain("Object.isFrozen of this kind of object is not modelled");
                }
                normal(Value::Bool(self.heap[id].frozen))
            }
            ObjectStatic::FromEntries => {
                if target.is_nullish() {
                    return self.abstain("Object.fromEntries of null or undefined (a TypeError)");
                }
                let entries = self.spread_items(&target)?;
                let object = self.alloc(ObjKind::Plain);
                for entry in entries {
                    if entry.as_object().is_none() {
                        return self.abstain("an entry that is not an object (a TypeError)");
                    }
                    let key = self.get_index(&entry, &Value::Number(0.0))?;
                    let value = self.get_index(&entry, &Value::Number(1.0))?;
                    let key = self.property_key_of(&key)?;
                    self.account_slots(2)?;
                    self.heap[object].set_own(&key, value);
                }
                normal(Value::Object(object))
            }
            ObjectStatic::Create => self.object_create(&args),
            ObjectStatic::DefineProperty => self.define_property(&args),
            ObjectStatic::DefineProperties => self.define_properties(&args),
            ObjectStatic::GetOwnPropertyDescriptor => self.own_property_descriptor(&args),
            ObjectStatic::GetPrototypeOf => self.prototype_of(&args),
            ObjectStatic::SetPrototypeOf => self.set_prototype_of(&args),
        }
    }

    /// A plain object whose own properties are all enumerable data properties.
    fn is_plain_data(&self, id: ObjId) -> bool {
        let object = &self.heap[id];
        matches!(object.kind, ObjKind::Plain)
            && !object.hidden_props
            && !object.blurred
            && !self.has_accessor(id)
    }

    /// ToPropertyKey for a key the engine can place: integer-like keys are
    /// ordered first by V8, which the engine's objects do not model.
    fn property_key_of(&self, key: &Value) -> Run<String> {
        if key.as_object().is_some() {
            return self.abstain("an object used as a property key is not modelled");
        }
        let key = self.to_string(key)?;
        if super::compile_literal::is_array_index(&key) || super::classes::is_private(&key) {
            return self.abstain("an integer-like property key is not modelled");
        }
        Ok(key)
    }

    /// The own enumerable string-keyed properties CopyDataProperties and
    /// `Object.assign` copy, in order: none for `null`, `undefined`, numbers
    /// and booleans; abstains for strings, arrays and other objects, whose
    /// keys are indices or not modelled.
    pub(crate) fn own_enumerable_entries(&self, source: &Value) -> Run<Vec<(String, Value)>> {
        match source {
            Value::Undefined | Value::Null | Value::Number(_) | Value::Bool(_) => Ok(Vec::new()),
            Value::Str(text) if text.is_empty() => Ok(Vec::new()),
            Value::Object(id) if self.is_plain_data(*id) => Ok(self.heap[*id]
                .props
                .iter()
                .filter(|(key, _)| !super::classes::is_private(key))
                .map(|(key, value)| (key.to_string(), value.clone()))
                .collect()),
            _ => self.abstain("copying the properties of this value is not modelled"),
        }
    }

    /// Copying the properties of a value the engine cannot list (an
    /// unknown, a blurred object, a host object): in a facts run `target`
    /// gets properties the engine cannot see, so it is blurred (`true`); in
    /// an order run, the abstention. `false`: the copy is modelled.
    fn copy_unseen(&mut self, target: &Value, source: &Value) -> Run<bool> {
        let listable = match source {
            Value::Object(id) => self.is_plain_data(*id) && !self.heap[*id].blurred,
            _ => true,
        };
        if listable || target.as_object().is_none() {
            return Ok(false);
        }
        self.see_past("copying the properties of this value is not modelled")?;
        if let Some(id) = target.as_object() {
            self.blur(id);
        }
        Ok(true)
    }

    /// `{ ...source }` inside an object literal: the copied properties are
    /// defined on `target` (CreateDataProperty, so setters are not called).
    pub(crate) fn object_spread(&mut self, target: &Value, source: &Value) -> Run<()> {
        let Some(id) = target.as_object() else {
            return self.abstain("internal: object spread without an object");
        };
        if self.copy_unseen(target, source)? {
            return Ok(());
        }
        for (key, value) in self.own_enumerable_entries(source)? {
            self.account_slots(2)?;
            self.heap[id].set_own(&key, value);
        }
        Ok(())
    }

    /// `Object.keys`, `Object.values` and `Object.entries` (§20.1.2.18,
    /// .23, .5) of a plain object.
    pub(crate) fn object_listing(&mut self, builtin: Builtin, args: &[Value]) -> Run<Completion> {
        let target = arg(args, 0);
        let unseen = target.as_object().is_some_and(|id| {
            self.heap[id].blurred || matches!(self.heap[id].kind, ObjKind::Unknown(_))
        });
        if unseen {
            let origin = self.span_text();
            let reason = "Object.keys/values/entries of a non-plain object";
            return normal(self.unknown_or_abstain(&origin, reason)?);
        }
        let Some(id) = target.as_object().filter(|id| self.is_plain_data(*id)) else {
            return self.abstain("Object.keys/values/entries of a non-plain object");
        };
        let mut props = self.heap[id].props.to_vec();
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
