//! Classes and prototypes at run time: class objects (§15.7.14), `new` on
//! classes and ordinary functions (§10.2.2 [[Construct]]), `super`,
//! accessor properties, and the prototype chains of objects the program made.
//!
//! Objects the program builds with `new` or a class carry their [[Prototype]]
//! in `Object::proto`; a chain ends at the intrinsic prototype of the last
//! object's kind (`Object.prototype`, `Function.prototype`,
//! `Promise.prototype`), where a name the engine does not model abstains.

use std::rc::Rc;

use super::builtins_descriptors::legacy_accessor_definer;
use super::bytecode::DefineKind;
use super::compile::THIS_BINDING;
use super::compile_class::{CTOR_BINDING, PROTO_BINDING};
use super::machine::{Completion, Machine, Run};
use super::props::OBJECT_PROTOTYPE_NAMES;
use super::value::{Builtin, Native, ObjId, ObjKind, ScopeId, Value};

/// Names `Function.prototype` defines (§20.2.3), besides `Object.prototype`'s.
const FUNCTION_PROTOTYPE_NAMES: &[&str] = &[
    "length",
    "arguments",
    "caller",
    "apply",
    "bind",
    "call",
    "toString",
];

/// A private member's key (`#x@3`, see `compile_class.rs`): never enumerated
/// or printed, and reading one the object lacks is a TypeError.
pub(crate) fn is_private(name: &str) -> bool {
    name.starts_with('#')
}

/// A class constructor's internal slots.
#[derive(Debug, Clone)]
pub(crate) struct ClassData {
    pub name: Rc<str>,
    pub prototype: ObjId,
    /// The compiled `constructor(...)`, if the class body has one.
    pub constructor: Option<Value>,
    /// The instance field initialiser (`compile_class.rs`), if any.
    pub fields: Option<Value>,
    pub derived: bool,
    /// The class has enumerable own properties (static fields): printing abstains.
    pub static_fields: bool,
}

impl Machine<'_> {
    /// `MakeClass`: the class object and its prototype, linked to the parent's.
    pub(crate) fn make_class(
        &mut self,
        name: Rc<str>,
        heritage: Option<Value>,
        constructor: Value,
        fields: Value,
        scope: ScopeId,
    ) -> Run<Value> {
        let derived = heritage.is_some();
        let (parent, parent_proto) = match heritage {
            None => (None, None),
            Some(heritage) => {
                let heritage = self.seen_heritage(heritage)?;
                let parent_proto = self.heritage_prototype(&heritage)?;
                (heritage.as_object(), Some(parent_proto))
            }
        };
        let prototype = self.alloc(ObjKind::Plain);
        self.heap[prototype].proto = parent_proto;
        self.heap[prototype].hidden_props = true;
        let class = self.alloc(ObjKind::Class(ClassData {
            name,
            prototype,
            constructor: Some(constructor).filter(|c| !c.is_nullish()),
            fields: Some(fields).filter(|f| !f.is_nullish()),
            derived,
            static_fields: false,
        }));
        self.heap[class].proto = parent;
        self.heap[prototype].set_own("constructor", Value::Object(class));
        self.declare(
            scope,
            &Rc::from(PROTO_BINDING),
            Some(Value::Object(prototype)),
            false,
        );
        self.declare(
            scope,
            &Rc::from(CTOR_BINDING),
            Some(Value::Object(class)),
            false,
        );
        Ok(Value::Object(class))
    }

    /// `extends Map`, `extends Array` and the other built-ins but Promise and
    /// the errors: their instances' internal slots are not modelled, so in a
    /// facts run the parent is an unknown (as an opaque package's class is),
    /// and `super()` makes an unknown instance; an order run abstains.
    fn seen_heritage(&mut self, heritage: Value) -> Run<Value> {
        let unmodelled = heritage.as_object().is_some_and(|id| {
            matches!(
                &self.heap[id].kind,
                ObjKind::Native(Native::Builtin(builtin)) if !matches!(
                    builtin,
                    Builtin::PromiseCtor | Builtin::ErrorCtor(_) | Builtin::Node(_)
                )
            )
        });
        if !unmodelled {
            return Ok(heritage);
        }
        self.unknown_or_abstain(
            "a built-in parent class",
            "`extends` of a built-in other than Promise and the errors (Array, Map...) is not modelled",
        )
    }

    /// The prototype a subclass's prototype inherits from (§15.7.14 step 8).
    fn heritage_prototype(&mut self, heritage: &Value) -> Run<ObjId> {
        let Some(id) = heritage.as_object() else {
            return self.abstain("`extends` of something other than a class or function");
        };
        match &self.heap[id].kind {
            ObjKind::Class(data) => Ok(data.prototype),
            ObjKind::Native(Native::Builtin(Builtin::PromiseCtor)) => {
                Ok(self.promise_prototype(id))
            }
            ObjKind::Native(Native::Builtin(Builtin::ErrorCtor(_))) => Ok(self.error_prototype(id)),
            ObjKind::Native(Native::Builtin(Builtin::Node(_))) => self.node_heritage_prototype(id),
            ObjKind::Closure { func, .. } if self.funcs[*func].constructible => {
                match self.get_property(heritage, "prototype")? {
                    Value::Object(proto) => Ok(proto),
                    _ => self.abstain("`extends` a function whose `prototype` is not an object"),
                }
            }
            // A parent the engine cannot see (an opaque package's class, an
            // unknown): in a facts run the class is made, and every read
            // that reaches the parent, static or through instances, is an
            // unknown (`super()` constructs an unknown instance).
            ObjKind::Unknown(_) | ObjKind::Opaque { .. } => {
                self.see_past("`extends` of a class the engine cannot see is not modelled")?;
                self.blur(id);
                let prototype = self.alloc(ObjKind::Plain);
                self.blur(prototype);
                Ok(prototype)
            }
            _ => self.abstain(
                "`extends` of a built-in other than Promise and the errors (Array, Map...) is not modelled",
            ),
        }
    }

    /// The intrinsic `Promise.prototype`, made on first use and kept as the
    /// `prototype` property of the `Promise` constructor.
    pub(crate) fn promise_prototype(&mut self, promise_ctor: ObjId) -> ObjId {
        if let Some(Value::Object(id)) = self.heap[promise_ctor].get_own("prototype") {
            return *id;
        }
        let id = self.alloc(ObjKind::PromisePrototype);
        for (name, builtin) in [
            ("then", Builtin::PromiseThen),
            ("catch", Builtin::PromiseCatch),
            ("finally", Builtin::PromiseFinally),
        ] {
            let method = self.builtin_value(builtin);
            self.heap[id].set_own(name, method);
        }
        self.heap[id].set_own("constructor", Value::Object(promise_ctor));
        self.heap[id].hidden_props = true;
        self.heap[promise_ctor].set_own("prototype", Value::Object(id));
        id
    }

    /// `Error.prototype` (or `TypeError.prototype`...), made on first use
    /// and kept as the constructor's `prototype`. The engine gives errors
    /// own `name` and `message`, so nothing needs to be read from it.
    fn error_prototype(&mut self, error_ctor: ObjId) -> ObjId {
        if let Some(Value::Object(id)) = self.heap[error_ctor].get_own("prototype") {
            return *id;
        }
        let id = self.alloc(ObjKind::ErrorPrototype);
        self.heap[id].set_own("constructor", Value::Object(error_ctor));
        self.heap[id].hidden_props = true;
        self.heap[error_ctor].set_own("prototype", Value::Object(id));
        id
    }

    /// `Op::Define`: a class member or an object literal member.
    pub(crate) fn define_member(
        &mut self,
        object: &Value,
        name: &str,
        kind: DefineKind,
        value: Value,
    ) -> Run<()> {
        let Some(id) = object.as_object() else {
            return self.abstain("internal: defining a member on a primitive");
        };
        let (get, set) = match kind {
            DefineKind::Field | DefineKind::Method => {
                if let ObjKind::Class(data) = &mut self.heap[id].kind {
                    if name == "prototype" || name == "name" {
                        return self.abstain(format!("a static member named `{name}`"));
                    }
                    data.static_fields |= kind == DefineKind::Field && !is_private(name);
                }
                self.heap[id].hidden_props |= kind == DefineKind::Method;
                self.heap[id].set_own(name, value);
                return Ok(());
            }
            DefineKind::Getter => (Some(value), None),
            DefineKind::Setter => (None, Some(value)),
        };
        let existing = self.heap[id].get_own(name).and_then(|v| v.as_object());
        if let Some(ObjKind::Accessor {
            get: old_get,
            set: old_set,
        }) = existing.map(|a| &mut self.heap[a].kind)
        {
            // `get x` and `set x` fill one accessor property (§10.2.8).
            if get.is_some() {
                *old_get = get;
            } else {
                *old_set = set;
            }
            return Ok(());
        }
        let accessor = self.alloc(ObjKind::Accessor { get, set });
        self.heap[id].set_own(name, Value::Object(accessor));
        Ok(())
    }

    /// The getter and setter of `value` if it is an accessor property's slot.
    pub(crate) fn accessor(&self, value: &Value) -> Option<(Option<Value>, Option<Value>)> {
        match value.as_object().map(|id| &self.heap[id].kind) {
            Some(ObjKind::Accessor { get, set }) => Some((get.clone(), set.clone())),
            _ => None,
        }
    }

    /// An object has an accessor among its own properties (enumerating or
    /// printing it would show or call them; the engine abstains instead).
    pub(crate) fn has_accessor(&self, id: ObjId) -> bool {
        self.heap[id]
            .props
            .iter()
            .any(|(_, value)| self.accessor(value).is_some())
    }

    /// Whether a read of `name` on `id` needs the prototype chain rather
    /// than the kind-based rules in `props.rs`.
    pub(crate) fn reads_through_chain(&self, id: ObjId, name: &str) -> bool {
        let object = &self.heap[id];
        object.proto.is_some()
            || match &object.kind {
                ObjKind::Class(_) | ObjKind::PromisePrototype | ObjKind::ErrorPrototype => true,
                ObjKind::Promise(_) => !object.props.is_empty(),
                ObjKind::Closure { .. } => {
                    name == "prototype"
                        || object
                            .get_own(name)
                            .is_some_and(|value| self.accessor(value).is_some())
                }
                ObjKind::Plain | ObjKind::Error => object
                    .get_own(name)
                    .is_some_and(|value| self.accessor(value).is_some()),
                _ => false,
            }
    }

    /// [[Get]] along the prototype chain from `start`, with `receiver` as
    /// the getter's `this` (§10.1.8.1 OrdinaryGet).
    pub(crate) fn chain_get(&mut self, start: ObjId, name: &str, receiver: &Value) -> Run<Value> {
        let mut current = start;
        loop {
            if let Some(unknown) = self.blurred_read(current, &format!(".{name}")) {
                return Ok(unknown);
            }
            if let ObjKind::Class(data) = &self.heap[current].kind {
                match name {
                    "prototype" => return Ok(Value::Object(data.prototype)),
                    "name" => return Ok(Value::Str(data.name.clone())),
                    _ => {}
                }
            }
            if let Some(value) = self.heap[current].get_own(name).cloned() {
                return match self.accessor(&value) {
                    Some((Some(getter), _)) => {
                        match self.call(&getter, receiver.clone(), Vec::new())? {
                            Completion::Normal(value) => Ok(value),
                            Completion::Throw(_) => self.abstain("a getter that throws"),
                        }
                    }
                    Some((None, _)) => Ok(Value::Undefined),
                    None => Ok(value),
                };
            }
            match self.heap[current].proto {
                Some(next) => current = next,
                None if is_private(name) => {
                    return self.abstain("reading a private member the object lacks (a TypeError)")
                }
                None => return self.end_of_chain(current, name),
            }
        }
    }

    /// A name not found up to `last`: what the intrinsic prototype of
    /// `last`'s kind holds, or an abstention where the engine does not know.
    fn end_of_chain(&mut self, last: ObjId, name: &str) -> Run<Value> {
        let object_names = OBJECT_PROTOTYPE_NAMES.contains(&name);
        let legacy = legacy_accessor_definer(name);
        if let (ObjKind::Plain, Some(definer)) = (&self.heap[last].kind, legacy) {
            return Ok(self.builtin_value(definer));
        }
        match &self.heap[last].kind {
            ObjKind::Plain | ObjKind::PromisePrototype if !object_names => Ok(Value::Undefined),
            ObjKind::Error if !object_names && name != "stack" => Ok(Value::Undefined),
            ObjKind::Class(_) if !object_names && !FUNCTION_PROTOTYPE_NAMES.contains(&name) => {
                Ok(Value::Undefined)
            }
            ObjKind::Promise(_) => match name {
                "then" => Ok(self.builtin_value(Builtin::PromiseThen)),
                "catch" => Ok(self.builtin_value(Builtin::PromiseCatch)),
                "finally" => Ok(self.builtin_value(Builtin::PromiseFinally)),
                "constructor" => Ok(self.builtin_value(Builtin::PromiseCtor)),
                _ => self.abstain(format!("the promise property `.{name}` is not modelled")),
            },
            ObjKind::Closure { func, .. } if name == "prototype" => {
                if !self.funcs[*func].constructible {
                    return Ok(Value::Undefined);
                }
                // An ordinary function's `prototype` (§10.2.5 MakeConstructor),
                // made when first read: nothing can tell the difference.
                let proto = self.alloc(ObjKind::Plain);
                self.heap[proto].set_own("constructor", Value::Object(last));
                self.heap[proto].hidden_props = true;
                self.heap[last].set_own("prototype", Value::Object(proto));
                Ok(Value::Object(proto))
            }
            _ => self.abstain(format!("the property `.{name}` is not modelled here")),
        }
    }

    /// [[Set]] through an accessor on the chain: `Some(())` when a setter
    /// ran, `None` when the write defines or updates an own data property.
    pub(crate) fn set_through_accessor(
        &mut self,
        id: ObjId,
        name: &str,
        value: &Value,
    ) -> Run<Option<()>> {
        let mut current = id;
        loop {
            if let Some(slot) = self.heap[current].get_own(name).cloned() {
                return match self.accessor(&slot) {
                    Some((_, Some(setter))) => {
                        match self.call(&setter, Value::Object(id), vec![value.clone()])? {
                            Completion::Normal(_) => Ok(Some(())),
                            Completion::Throw(_) => self.abstain("a setter that throws"),
                        }
                    }
                    Some((_, None)) => self.abstain(format!(
                        "assigning to `.{name}`, which has a getter and no setter"
                    )),
                    None => Ok(None),
                };
            }
            match self.heap[current].proto {
                Some(next) => current = next,
                None => return Ok(None),
            }
        }
    }

    /// `super.name` with `this` as the receiver (§13.3.7.1): the lookup
    /// starts at the home object's [[Prototype]].
    pub(crate) fn super_get(&mut self, home: &Value, name: &str, receiver: &Value) -> Run<Value> {
        let Some(home) = home.as_object() else {
            return self.abstain("internal: `super` without a home object");
        };
        match self.heap[home].proto {
            Some(start) => self.chain_get(start, name, receiver),
            // The base class's prototype inherits from Object.prototype, the
            // class itself from Function.prototype.
            None if OBJECT_PROTOTYPE_NAMES.contains(&name)
                || FUNCTION_PROTOTYPE_NAMES.contains(&name) =>
            {
                self.abstain(format!(
                    "`super.{name}` of a built-in prototype is not modelled"
                ))
            }
            None => Ok(Value::Undefined),
        }
    }

    /// `new C(...args)` with `new_target` (§10.2.2 [[Construct]], §27.2.3.1
    /// for `Promise`): classes, ordinary functions, and `Promise` under a subclass.
    pub(crate) fn construct_with_target(
        &mut self,
        constructor: &Value,
        args: Vec<Value>,
        new_target: &Value,
    ) -> Run<Completion> {
        let Some(id) = constructor.as_object() else {
            return self.abstain("`new` on a value that is not a constructor (a TypeError)");
        };
        match &self.heap[id].kind {
            ObjKind::Class(data) => {
                let (derived, body, fields) =
                    (data.derived, data.constructor.clone(), data.fields.clone());
                if derived {
                    return self.construct_derived(id, body, fields, args, new_target);
                }
                let this = self.ordinary_create(new_target)?;
                if let Some(Completion::Throw(error)) = self.initialize_fields(fields, &this)? {
                    return Ok(Completion::Throw(error));
                }
                match body {
                    Some(body) => self.run_constructor_body(&body, this, args, new_target),
                    None => Ok(Completion::Normal(this)),
                }
            }
            ObjKind::Closure { func, .. } => {
                if !self.funcs[*func].constructible {
                    return self
                        .abstain("`new` on a function that is not a constructor (a TypeError)");
                }
                let this = self.ordinary_create(new_target)?;
                self.run_constructor_body(constructor, this, args, new_target)
            }
            ObjKind::Native(Native::Builtin(Builtin::PromiseCtor)) => {
                let proto = if new_target == constructor {
                    None
                } else {
                    match self.get_property(new_target, "prototype")? {
                        Value::Object(proto) => Some(proto),
                        _ => return self.abstain("a subclass whose `prototype` is not an object"),
                    }
                };
                self.construct_promise(args, proto)
            }
            ObjKind::Native(Native::Builtin(Builtin::ErrorCtor(kind)))
                if new_target != constructor =>
            {
                // `super(message)` in `class E extends Error`: an error whose
                // prototype is the subclass's (§20.5.1.1 step 2).
                let kind = *kind;
                let proto = match self.get_property(new_target, "prototype")? {
                    Value::Object(proto) => proto,
                    _ => return self.abstain("a subclass whose `prototype` is not an object"),
                };
                let error = self.new_error(kind, &args)?;
                if let Some(id) = error.as_object() {
                    self.heap[id].proto = Some(proto);
                }
                Ok(Completion::Normal(error))
            }
            _ if new_target == constructor => self.construct(constructor, args),
            // `super()` under a parent the engine cannot see (`heritage_prototype`).
            ObjKind::Unknown(_) | ObjKind::Opaque { .. } => {
                self.construct_unknown(constructor, &args)
            }
            ObjKind::Native(Native::Builtin(Builtin::Node(function))) => {
                let function = *function;
                self.construct_node(function, &args, new_target)
            }
            _ => self.abstain("extending this built-in is not modelled"),
        }
    }

    /// A derived class: its own constructor, or the default one, which is
    /// `constructor(...args) { super(...args) }` (§15.7.14 step 14.a).
    fn construct_derived(
        &mut self,
        class: ObjId,
        body: Option<Value>,
        fields: Option<Value>,
        args: Vec<Value>,
        new_target: &Value,
    ) -> Run<Completion> {
        if let Some(body) = body {
            // The compiled body returns its `%this` binding.
            return self.run_constructor_body(&body, Value::Undefined, args, new_target);
        }
        let Some(parent) = self.heap[class].proto else {
            return self.abstain("internal: a derived class without a parent");
        };
        let this = match self.construct_with_target(&Value::Object(parent), args, new_target)? {
            Completion::Normal(this) => this,
            thrown => return Ok(thrown),
        };
        match self.initialize_fields(fields, &this)? {
            Some(thrown) => Ok(thrown),
            None => Ok(Completion::Normal(this)),
        }
    }

    /// OrdinaryCreateFromConstructor (§10.1.13): a plain object inheriting
    /// from `new_target.prototype`.
    fn ordinary_create(&mut self, new_target: &Value) -> Run<Value> {
        let proto = match self.get_property(new_target, "prototype")? {
            Value::Object(proto) => Some(proto),
            _ => None,
        };
        let object = self.alloc(ObjKind::Plain);
        self.heap[object].proto = proto;
        Ok(Value::Object(object))
    }

    /// Runs the instance field initialiser on `this`; the thrown completion if it threw.
    fn initialize_fields(
        &mut self,
        fields: Option<Value>,
        this: &Value,
    ) -> Run<Option<Completion>> {
        let Some(fields) = fields else {
            return Ok(None);
        };
        Ok(match self.call(&fields, this.clone(), Vec::new())? {
            Completion::Normal(_) => None,
            thrown => Some(thrown),
        })
    }

    /// Calls a constructor body; an object it returns replaces `this` (§10.2.2 step 10).
    fn run_constructor_body(
        &mut self,
        body: &Value,
        this: Value,
        args: Vec<Value>,
        new_target: &Value,
    ) -> Run<Completion> {
        let Some(closure) = body.as_object() else {
            return self.abstain("internal: a constructor body that is not a function");
        };
        Ok(
            match self.call_constructor(closure, this.clone(), args, new_target.clone())? {
                Completion::Normal(value @ Value::Object(_)) => Completion::Normal(value),
                Completion::Normal(_) if this != Value::Undefined => Completion::Normal(this),
                Completion::Normal(_) => {
                    return self.abstain("a derived constructor that returns no object")
                }
                thrown => thrown,
            },
        )
    }

    /// `super(...args)` (§13.3.7.1 SuperCall): constructs the parent with
    /// this call's new.target, binds `this`, then runs this class's fields.
    pub(crate) fn super_call(&mut self, scope: ScopeId, args: Vec<Value>) -> Run<Completion> {
        let Some(new_target) = self.frames.last().and_then(|f| f.new_target.clone()) else {
            return self.abstain("`super()` outside a constructor call");
        };
        let class = self.load(scope, CTOR_BINDING)?;
        let Some(class) = class.as_object() else {
            return self.abstain("internal: `super()` without a class");
        };
        let Some(parent) = self.heap[class].proto else {
            return self.abstain("internal: `super()` in a class without a parent");
        };
        let this = match self.construct_with_target(&Value::Object(parent), args, &new_target)? {
            Completion::Normal(this) => this,
            thrown => return Ok(thrown),
        };
        let Some((scope, index)) = self.lookup(scope, THIS_BINDING) else {
            return self.abstain("internal: `super()` without a `this` binding");
        };
        let binding = &mut self.scopes[scope].vars[index];
        if binding.value.is_some() {
            return self.abstain("`super()` called twice (a ReferenceError)");
        }
        binding.value = Some(this.clone());
        binding.mutable = false;
        let fields = match &self.heap[class].kind {
            ObjKind::Class(data) => data.fields.clone(),
            _ => None,
        };
        match self.initialize_fields(fields, &this)? {
            Some(thrown) => Ok(thrown),
            None => Ok(Completion::Normal(this)),
        }
    }

    /// `left instanceof right` for classes and ordinary functions
    /// (§7.3.21 OrdinaryHasInstance); `None` for other right-hand sides.
    pub(crate) fn has_instance(&self, left: &Value, right: &Value) -> Option<bool> {
        let right = right.as_object()?;
        let prototype = match &self.heap[right].kind {
            ObjKind::Class(data) => data.prototype,
            ObjKind::Closure { .. } => match self.heap[right].get_own("prototype") {
                Some(Value::Object(proto)) => *proto,
                // Never read, so no object inherits from it yet.
                _ => return Some(false),
            },
            _ => return None,
        };
        let mut current = left.as_object().and_then(|id| self.heap[id].proto);
        while let Some(id) = current {
            if id == prototype {
                return Some(true);
            }
            current = self.heap[id].proto;
        }
        Some(false)
    }

    /// `[class A]` or `[class B extends A]`, as util.inspect prints a class.
    pub(crate) fn inspect_class(&self, id: ObjId) -> Run<String> {
        let ObjKind::Class(data) = &self.heap[id].kind else {
            return self.abstain("internal: not a class");
        };
        if data.static_fields {
            return self.abstain("printing a class with static fields is not modelled");
        }
        let name = if data.name.is_empty() {
            "(anonymous)".to_owned()
        } else {
            data.name.to_string()
        };
        let parent = match self.heap[id].proto.map(|p| &self.heap[p].kind) {
            None => return Ok(format!("[class {name}]")),
            Some(ObjKind::Class(parent)) if !parent.name.is_empty() => parent.name.to_string(),
            Some(ObjKind::Native(Native::Builtin(Builtin::PromiseCtor))) => "Promise".to_owned(),
            _ => return self.abstain("printing this class is not modelled"),
        };
        Ok(format!("[class {name} extends {parent}]"))
    }

    /// The name util.inspect puts before an instance's braces (`Point { x: 1 }`):
    /// its prototype's own `constructor`'s name.
    pub(crate) fn instance_prefix(&self, id: ObjId) -> Run<Option<String>> {
        let Some(proto) = self.heap[id].proto else {
            return Ok(None);
        };
        let name = match self.heap[proto].get_own("constructor") {
            Some(Value::Object(ctor)) => match &self.heap[*ctor].kind {
                ObjKind::Class(data) => Some(data.name.to_string()),
                ObjKind::Closure { func, .. } => Some(self.funcs[*func].name.to_string()),
                _ => None,
            },
            _ => None,
        };
        match name {
            Some(name) if !name.is_empty() => Ok(Some(name)),
            _ => self.abstain("printing an instance without a named constructor"),
        }
    }
}
