//! Property descriptors and prototypes (§20.1.2): `Object.defineProperty`,
//! `defineProperties`, `getOwnPropertyDescriptor`, `getPrototypeOf`,
//! `setPrototypeOf` and `create`, on the objects the program made.
//!
//! Attributes other than the defaults (writable, enumerable, configurable)
//! are kept in `Object::attrs`; a non-enumerable property sets
//! `hidden_props`, so enumerating or printing the object abstains. A write to
//! a non-writable property and a redefinition of a non-configurable one
//! abstain (a TypeError in strict code, ignored or partly allowed in sloppy
//! code): never a guess. Compiled CommonJS starts with
//! `Object.defineProperty(exports, "__esModule", { value: true })`.

use std::rc::Rc;

use super::builtins::arg;
use super::bytecode::DefineKind;
use super::machine::{normal, Completion, Machine, Run};
use super::value::{Builtin, ObjId, ObjKind, PropAttrs, Value};

/// The built-in `o.__defineGetter__` or `o.__defineSetter__` names, on a
/// plain object (`Object.prototype`'s, which the engine models for them).
pub(crate) fn legacy_accessor_definer(name: &str) -> Option<Builtin> {
    match name {
        "__defineGetter__" => Some(Builtin::DefineGetter),
        "__defineSetter__" => Some(Builtin::DefineSetter),
        _ => None,
    }
}

/// ToPropertyDescriptor's result (§6.2.6.5): each field present or not.
#[derive(Default)]
struct Descriptor {
    value: Option<Value>,
    writable: Option<bool>,
    get: Option<Value>,
    set: Option<Value>,
    enumerable: Option<bool>,
    configurable: Option<bool>,
}

impl Descriptor {
    fn is_accessor(&self) -> bool {
        self.get.is_some() || self.set.is_some()
    }
}

const ALL_TRUE: PropAttrs = PropAttrs {
    writable: true,
    enumerable: true,
    configurable: true,
};

impl Machine<'_> {
    /// `Object.defineProperty(target, key, descriptor)`.
    pub(crate) fn define_property(&mut self, args: &[Value]) -> Run<Completion> {
        let target = arg(args, 0);
        if self.defines_on_unseen(&target, args)? {
            return normal(target);
        }
        let id = self.definable_target(&target)?;
        let key = self.descriptor_key(&arg(args, 1))?;
        if self.descriptors_unseen(id, &arg(args, 2))? {
            return normal(target);
        }
        let descriptor = self.descriptor_of(&arg(args, 2))?;
        self.define_own(id, &key, descriptor)?;
        normal(target)
    }

    /// `Object.defineProperties(target, descriptors)`: every descriptor is
    /// read before any is defined (§20.1.2.3.1 ObjectDefineProperties).
    pub(crate) fn define_properties(&mut self, args: &[Value]) -> Run<Completion> {
        let target = arg(args, 0);
        if self.defines_on_unseen(&target, args)? {
            return normal(target);
        }
        let id = self.definable_target(&target)?;
        let descriptors_map = arg(args, 1);
        if self.descriptors_unseen(id, &descriptors_map)? {
            return normal(target);
        }
        let mut descriptors = Vec::new();
        for (key, value) in self.own_enumerable_entries(&descriptors_map)? {
            if self.descriptors_unseen(id, &value)? {
                continue;
            }
            let key = self.descriptor_key(&Value::str(&key))?;
            descriptors.push((key, self.descriptor_of(&value)?));
        }
        for (key, descriptor) in descriptors {
            self.define_own(id, &key, descriptor)?;
        }
        normal(target)
    }

    /// `Object.getOwnPropertyDescriptor(target, key)`.
    pub(crate) fn own_property_descriptor(&mut self, args: &[Value]) -> Run<Completion> {
        let id = self.definable_target(&arg(args, 0))?;
        let key = self.descriptor_key(&arg(args, 1))?;
        let Some(slot) = self.heap[id].get_own(&key).cloned() else {
            return normal(Value::Undefined);
        };
        let attrs = match self.attrs_of(id, &key) {
            Some(attrs) => attrs,
            None if !self.heap[id].hidden_props => ALL_TRUE,
            None => return self.abstain("the descriptor of a property that may be hidden"),
        };
        let result = self.alloc(ObjKind::Plain);
        let fields = match self.accessor(&slot) {
            Some((get, set)) => vec![
                ("get", get.unwrap_or(Value::Undefined)),
                ("set", set.unwrap_or(Value::Undefined)),
            ],
            None => vec![("value", slot), ("writable", Value::Bool(attrs.writable))],
        };
        for (name, value) in fields {
            self.heap[result].set_own(name, value);
        }
        self.heap[result].set_own("enumerable", Value::Bool(attrs.enumerable));
        self.heap[result].set_own("configurable", Value::Bool(attrs.configurable));
        normal(Value::Object(result))
    }

    /// `o.__defineGetter__(key, getter)` and `o.__defineSetter__(key, setter)`
    /// (Annex B.2.2.2-3): defines an enumerable, configurable accessor
    /// getting (setting) with the function, keeping the other half already
    /// there (mongoose defines `Mongoose.prototype.connection` with both).
    /// On plain objects whose property has default attributes.
    pub(crate) fn define_accessor_legacy(
        &mut self,
        kind: DefineKind,
        this: &Value,
        args: &[Value],
    ) -> Run<Completion> {
        let name = match kind {
            DefineKind::Setter => "__defineSetter__",
            _ => "__defineGetter__",
        };
        let target = this
            .as_object()
            .filter(|id| matches!(self.heap[*id].kind, ObjKind::Plain) && !self.heap[*id].frozen);
        let Some(id) = target else {
            return self.abstain(format!("`{name}` on this kind of object is not modelled"));
        };
        let function = arg(args, 1);
        if !self.is_callable(&function) {
            return self.abstain(format!("`{name}` without a function (a TypeError)"));
        }
        let key = self.descriptor_key(&arg(args, 0))?;
        if self.attrs_of(id, &key).is_some() {
            return self.abstain(format!("`{name}` over a property with its own attributes"));
        }
        self.define_member(this, &key, kind, function)?;
        normal(Value::Undefined)
    }

    /// `Object.getPrototypeOf(o)`: a prototype the program made; the
    /// intrinsic ones (`Object.prototype`, `Function.prototype`) abstain.
    pub(crate) fn prototype_of(&mut self, args: &[Value]) -> Run<Completion> {
        let target = arg(args, 0);
        let Some(id) = target.as_object() else {
            return self.abstain("Object.getPrototypeOf of a primitive is not modelled");
        };
        match (&self.heap[id].kind, self.heap[id].proto) {
            (ObjKind::Unknown(_), _) => {
                let origin = self.span_text();
                normal(self.new_unknown(&origin, false))
            }
            (_, Some(proto)) => normal(Value::Object(proto)),
            // A host constructor's parent (`%TypedArray%` for `Uint8Array`):
            // a function the engine does not model, so an unknown in a facts
            // run. Never `Object.prototype`, whose reads the engine models.
            (
                ObjKind::Opaque {
                    type_of: "function",
                    ..
                },
                None,
            ) => {
                let origin = self.span_text();
                let reason = "the prototype of a host function is not modelled";
                normal(self.unknown_or_abstain(&origin, reason)?)
            }
            // A facts run goes on: the result is some intrinsic prototype.
            _ => {
                let origin = self.span_text();
                let reason = "an intrinsic prototype (`Object.prototype`...) is not modelled";
                normal(self.unknown_or_abstain(&origin, reason)?)
            }
        }
    }

    /// `Object.setPrototypeOf(o, proto)` on a plain object, a function or a
    /// class (TypeScript's `__extends` sets a class's parent this way).
    pub(crate) fn set_prototype_of(&mut self, args: &[Value]) -> Run<Completion> {
        let target = arg(args, 0);
        let Some(id) = target.as_object() else {
            return self.abstain("Object.setPrototypeOf of a primitive is not modelled");
        };
        if !matches!(
            self.heap[id].kind,
            ObjKind::Plain | ObjKind::Closure { .. } | ObjKind::Class(_)
        ) || self.heap[id].frozen
        {
            return self.abstain("Object.setPrototypeOf of this kind of object is not modelled");
        }
        let Some(proto) = self.program_prototype(&arg(args, 1))? else {
            // A facts run goes on: what the object now inherits is unseen.
            self.blur(id);
            return normal(target);
        };
        let mut walk = Some(proto);
        while let Some(current) = walk {
            if current == id {
                return self.abstain("a prototype cycle (a TypeError)");
            }
            walk = self.heap[current].proto;
        }
        self.heap[id].proto = Some(proto);
        // util.inspect names an object after its chain: printing abstains.
        self.heap[id].hidden_props = true;
        normal(target)
    }

    /// `Object.create(proto, properties?)` with a prototype the program made.
    pub(crate) fn object_create(&mut self, args: &[Value]) -> Run<Completion> {
        let proto = self.program_prototype(&arg(args, 0))?;
        let id = self.alloc(ObjKind::Plain);
        match proto {
            Some(proto) => self.heap[id].proto = Some(proto),
            // A facts run goes on: what the object inherits is unseen.
            None => self.blur(id),
        }
        self.heap[id].hidden_props = true;
        let properties = arg(args, 1);
        if !matches!(properties, Value::Undefined) {
            self.define_properties(&[Value::Object(id), properties])?;
        }
        normal(Value::Object(id))
    }

    /// A prototype `setPrototypeOf` and `create` can link to: an object the
    /// program made. `null` (an object printed `[Object: null prototype]`)
    /// and the intrinsic prototypes abstain.
    /// A facts run goes on past any other prototype (`None`).
    fn program_prototype(&mut self, proto: &Value) -> Run<Option<ObjId>> {
        match proto.as_object() {
            Some(id)
                if matches!(
                    self.heap[id].kind,
                    ObjKind::Plain | ObjKind::Class(_) | ObjKind::Closure { .. }
                ) =>
            {
                Ok(Some(id))
            }
            _ => {
                self.see_past(
                    "Object.create or Object.setPrototypeOf with a `null` or built-in prototype is not modelled",
                )?;
                Ok(None)
            }
        }
    }

    /// `defineProperty` on a value the engine cannot see (an unknown, an
    /// opaque module's object): in a facts run the definition is lost, like
    /// a write into it, and its getters and setters escape (`true`); in an
    /// order run, the abstention. `false`: the target is modelled.
    fn defines_on_unseen(&mut self, target: &Value, args: &[Value]) -> Run<bool> {
        let unseen = target.as_object().is_some_and(|id| {
            matches!(
                self.heap[id].kind,
                ObjKind::Unknown(_) | ObjKind::Opaque { .. }
            )
        });
        if !unseen {
            return Ok(false);
        }
        self.see_past("a descriptor on this kind of object is not modelled")?;
        self.hand_to_unknown(&args[1..]);
        Ok(true)
    }

    /// A descriptor (or map of them) the engine cannot read (an unknown, an
    /// object code the engine cannot see changed): in a facts run `target`
    /// gets properties the engine cannot see, so it is blurred (`true`).
    fn descriptors_unseen(&mut self, target: ObjId, descriptors: &Value) -> Run<bool> {
        let unseen = descriptors.as_object().is_some_and(|id| {
            self.heap[id].blurred || matches!(self.heap[id].kind, ObjKind::Unknown(_))
        });
        if !unseen {
            return Ok(false);
        }
        self.see_past("a descriptor the engine cannot see")?;
        self.blur(target);
        Ok(true)
    }

    /// The object `defineProperty` may change: one the program made.
    fn definable_target(&self, target: &Value) -> Run<ObjId> {
        match target.as_object() {
            Some(id)
                if matches!(
                    self.heap[id].kind,
                    ObjKind::Plain | ObjKind::Error | ObjKind::Closure { .. } | ObjKind::Class(_)
                ) && !self.heap[id].frozen =>
            {
                Ok(id)
            }
            _ => self.abstain("a descriptor on this kind of object is not modelled"),
        }
    }

    /// A key `defineProperty` can place: a string that is no array index,
    /// private name or name a function or class keeps in its own slots.
    fn descriptor_key(&self, key: &Value) -> Run<Rc<str>> {
        let Value::Str(key) = key else {
            return self.abstain("a descriptor key that is not a string is not modelled");
        };
        if super::compile_literal::is_array_index(key)
            || super::classes::is_private(key)
            || matches!(&**key, "prototype" | "name" | "length" | "__proto__")
        {
            return self.abstain(format!(
                "defining `{key}` with a descriptor is not modelled"
            ));
        }
        Ok(key.clone())
    }

    /// ToPropertyDescriptor (§6.2.6.5) of a plain object.
    fn descriptor_of(&self, value: &Value) -> Run<Descriptor> {
        let Some(id) = value.as_object() else {
            return self.abstain("a descriptor that is not an object (a TypeError)");
        };
        if !matches!(self.heap[id].kind, ObjKind::Plain)
            || self.heap[id].proto.is_some()
            || self.has_accessor(id)
        {
            return self.abstain("a descriptor that is not a plain object is not modelled");
        }
        let field = |name: &str| self.heap[id].get_own(name).cloned();
        let flag = |name: &str| field(name).map(|v| v.truthy());
        let descriptor = Descriptor {
            value: field("value"),
            writable: flag("writable"),
            get: field("get"),
            set: field("set"),
            enumerable: flag("enumerable"),
            configurable: flag("configurable"),
        };
        for function in [&descriptor.get, &descriptor.set].into_iter().flatten() {
            if !matches!(function, Value::Undefined) && !self.is_callable(function) {
                return self.abstain("a getter or setter that is not a function (a TypeError)");
            }
        }
        if descriptor.is_accessor() && (descriptor.value.is_some() || descriptor.writable.is_some())
        {
            return self.abstain("a descriptor with both a value and a getter (a TypeError)");
        }
        Ok(descriptor)
    }

    /// ValidateAndApplyPropertyDescriptor (§10.1.6.3) for an extensible
    /// object, where the property is new or configurable.
    fn define_own(&mut self, id: ObjId, key: &Rc<str>, descriptor: Descriptor) -> Run<()> {
        let existing = self.heap[id].get_own(key).cloned();
        let old_attrs = self.attrs_of(id, key);
        if old_attrs.is_some_and(|attrs| !attrs.configurable) {
            return self.abstain(format!(
                "redefining `{key}`, which is not configurable, is not modelled"
            ));
        }
        let old_accessor = existing.as_ref().and_then(|slot| self.accessor(slot));
        // A new property's missing fields are false; an existing one keeps its own.
        let (writable, enumerable, configurable) = match (&existing, old_attrs) {
            (None, _) => (false, false, false),
            (Some(_), Some(attrs)) => (attrs.writable, attrs.enumerable, attrs.configurable),
            // Enumerable unless the object hides some of its properties.
            (Some(_), None) => (true, !self.heap[id].hidden_props, true),
        };
        let enumerable = descriptor.enumerable.unwrap_or(enumerable);
        let configurable = descriptor.configurable.unwrap_or(configurable);
        let stays_accessor = descriptor.is_accessor()
            || old_accessor.is_some()
                && descriptor.value.is_none()
                && descriptor.writable.is_none();
        let slot = if descriptor.is_accessor() {
            let (old_get, old_set) = old_accessor.clone().unwrap_or((None, None));
            let get = descriptor.get.or(old_get).filter(|v| !v.is_nullish());
            let set = descriptor.set.or(old_set).filter(|v| !v.is_nullish());
            Value::Object(self.alloc(ObjKind::Accessor { get, set }))
        } else if old_accessor.is_some() {
            match (&descriptor.value, descriptor.writable) {
                // Only attributes change on an accessor property.
                (None, None) => existing.clone().unwrap_or(Value::Undefined),
                _ => descriptor.value.clone().unwrap_or(Value::Undefined),
            }
        } else {
            descriptor
                .value
                .clone()
                .or_else(|| existing.clone())
                .unwrap_or(Value::Undefined)
        };
        let writable = if stays_accessor {
            false
        } else if old_accessor.is_some() {
            descriptor.writable.unwrap_or(false)
        } else {
            descriptor.writable.unwrap_or(writable)
        };
        self.account_slots(2)?;
        let object = &mut self.heap[id];
        object.set_own(key, slot);
        if !enumerable {
            object.hidden_props = true;
        }
        if let ObjKind::Class(data) = &mut object.kind {
            data.static_fields = true;
        }
        let attrs = PropAttrs {
            writable,
            enumerable,
            configurable,
        };
        object.attrs.retain(|(name, _)| name != key);
        if attrs != ALL_TRUE {
            object.attrs.push((key.clone(), attrs));
        }
        Ok(())
    }

    /// The attributes `defineProperty` gave `key` on `id`, if it did.
    fn attrs_of(&self, id: ObjId, key: &str) -> Option<PropAttrs> {
        self.heap[id]
            .attrs
            .iter()
            .find(|(name, _)| &**name == key)
            .map(|(_, attrs)| *attrs)
    }

    /// A write to `key` meets a non-writable data property on `id` or its
    /// chain (§10.1.9.2 OrdinarySetWithOwnDescriptor): the write abstains.
    pub(crate) fn non_writable_on_chain(&self, id: ObjId, key: &str) -> bool {
        let mut current = Some(id);
        while let Some(object) = current {
            if self.heap[object].get_own(key).is_some() {
                return self
                    .attrs_of(object, key)
                    .is_some_and(|attrs| !attrs.writable)
                    && self.heap[object]
                        .get_own(key)
                        .is_some_and(|slot| self.accessor(slot).is_none());
            }
            current = self.heap[object].proto;
        }
        false
    }
}
