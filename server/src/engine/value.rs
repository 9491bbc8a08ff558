//! Runtime values of the abstract machine: primitives, heap objects, scopes.
//!
//! Objects live in one arena (`Heap`) and are named by index, so a suspended
//! async activation can hold references without lifetimes. Nothing is ever
//! freed: the step limit bounds how much a run can allocate.

use std::collections::HashMap;
use std::ops::Deref;
use std::rc::Rc;

use super::bytecode::FuncId;
use super::promise::PromiseData;

pub(crate) type ObjId = usize;
pub(crate) type ScopeId = usize;

/// A JavaScript value the engine models.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Undefined,
    Null,
    Bool(bool),
    Number(f64),
    Str(Rc<str>),
    Object(ObjId),
}

impl Value {
    pub(crate) fn str(text: &str) -> Value {
        Value::Str(Rc::from(text))
    }

    pub(crate) fn as_object(&self) -> Option<ObjId> {
        match self {
            Value::Object(id) => Some(*id),
            _ => None,
        }
    }

    /// ECMAScript ToBoolean.
    pub(crate) fn truthy(&self) -> bool {
        match self {
            Value::Undefined | Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => *n != 0.0 && !n.is_nan(),
            Value::Str(s) => !s.is_empty(),
            Value::Object(_) => true,
        }
    }

    pub(crate) fn is_nullish(&self) -> bool {
        matches!(self, Value::Undefined | Value::Null)
    }
}

/// Functions implemented in Rust. Some carry the state the spec keeps in
/// closures (a promise's resolving functions, `Promise.all`'s element functions).
#[derive(Clone, Debug)]
pub(crate) enum Native {
    Builtin(Builtin),
    /// A promise's resolve function (ECMA-262 §27.2.1.3.2); `flag` is the
    /// shared "already resolved" record.
    Resolve {
        promise: ObjId,
        flag: usize,
    },
    /// A promise's reject function (§27.2.1.3.1).
    Reject {
        promise: ObjId,
        flag: usize,
    },
    /// `Promise.all`/`allSettled`/`any` element functions (§27.2.4.1.3 and kin).
    Element(ElementFn),
    /// `finally`'s thenFinally / catchFinally (§27.2.5.3.1-2).
    FinallyThen {
        on_finally: Value,
    },
    FinallyCatch {
        on_finally: Value,
    },
    /// `finally`'s value thunk and thrower (§27.2.5.3.1 step 8, §27.2.5.3.2 step 8).
    ReturnValue(Value),
    ThrowValue(Value),
    /// GetCapabilitiesExecutor (§27.2.1.5.1); `record` is a two-slot array.
    CapabilityExecutor {
        record: ObjId,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ElementKind {
    AllResolve,
    AllSettledResolve,
    AllSettledReject,
    AnyReject,
}

#[derive(Clone, Debug)]
pub(crate) struct ElementFn {
    pub kind: ElementKind,
    pub index: usize,
    /// The shared list of values (an array object) and remaining-elements counter.
    pub values: ObjId,
    pub counter: usize,
    /// Shared "already called" flag of the resolve/reject element pair.
    pub called: usize,
    pub capability: Capability,
}

/// A promise with its resolving functions (§27.2.1.1 PromiseCapability Record).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Capability {
    pub promise: ObjId,
    pub resolve: ObjId,
    pub reject: ObjId,
}

/// Built-in functions and methods, by name.
/// Declares a fieldless enum of built-in functions whose variant names are
/// their JavaScript property names in UpperCamelCase (`AllSettled` is
/// `allSettled`), so each name is written once: `members(wrap)` gives every
/// variant's name and built-in, in declaration order (`install_globals.rs`).
macro_rules! js_named_builtins {
    ($(#[$attr:meta])* $vis:vis enum $name:ident { $($variant:ident),+ $(,)? }) => {
        $(#[$attr])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name { $($variant),+ }

        impl $name {
            pub(crate) fn members(wrap: fn($name) -> Builtin) -> Vec<(String, Builtin)> {
                let named = [$(($name::$variant, stringify!($variant))),+];
                named
                    .into_iter()
                    .map(|(variant, upper_camel)| {
                        let mut name = upper_camel.to_string();
                        name[..1].make_ascii_lowercase();
                        (name, wrap(variant))
                    })
                    .collect()
            }
        }
    };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Builtin {
    ConsoleLog,
    ConsoleError,
    SetTimeout,
    SetInterval,
    SetImmediate,
    ClearTimeout,
    ClearImmediate,
    QueueMicrotask,
    NextTick,
    /// `structuredClone` of plain data (`builtins_clone.rs`).
    StructuredClone,
    /// `Object.prototype.__defineGetter__` (`builtins_descriptors.rs`).
    DefineGetter,
    /// `Object.prototype.__defineSetter__` (`builtins_descriptors.rs`).
    DefineSetter,
    PromiseCtor,
    /// `Promise.resolve`, `reject`, the combinators and `withResolvers`
    /// (`builtins_promise.rs`).
    PromiseStatic(PromiseStatic),
    PromiseThen,
    PromiseCatch,
    PromiseFinally,
    ErrorCtor(ErrorKind),
    ArrayIsArray,
    ArrayMethod(ArrayMethod),
    StringMethod(StringMethod),
    MathMethod(MathMethod),
    StringCtor,
    NumberCtor,
    BooleanCtor,
    ObjectKeys,
    ObjectValues,
    ObjectEntries,
    /// `next`, `return` and `throw` of generator objects.
    Generator(super::generators::Resume),
    /// `next`, `return` and `throw` of async generator objects.
    AsyncGenerator(super::generators::Resume),
    CollectionCtor(super::collections::CollectionKind),
    JsonStringify,
    CollectionMethod(super::collections::CollectionMethod),
    /// CommonJS `require`, for Node's built-in modules (`globals.rs`).
    Require,
    /// `util.promisify`, exact only for the timers that carry a custom promisified form.
    UtilPromisify,
    /// `require('timers/promises').setTimeout` and `.setImmediate`.
    TimersPromisesSetTimeout,
    TimersPromisesSetImmediate,
    /// `Array(n)` / `new Array(...)`, and `Array.from` / `Array.of` (`builtins_array.rs`).
    ArrayCtor,
    ArrayFrom,
    ArrayOf,
    /// `Object.assign`, `freeze`, `isFrozen`, `fromEntries`, `create` (`builtins_object.rs`).
    ObjectStatic(ObjectStatic),
    JsonParse,
    /// `parseInt`, `parseFloat`, `Number.isInteger` and kin (`builtins_number.rs`).
    NumberStatic(NumberStatic),
    NumberMethod(NumberMethod),
    /// Node's module loaders and the models of its built-in modules (`node_modules.rs`).
    Node(super::node_modules::NodeFn),
    /// What a regex literal evaluates to (`builtins_regex.rs`).
    RegexLiteral,
}

js_named_builtins! {
    pub(crate) enum PromiseStatic { Resolve, Reject, All, AllSettled, Race, Any, WithResolvers }
}

js_named_builtins! {
    pub(crate) enum ObjectStatic {
        Assign, Freeze, IsFrozen, FromEntries, Create, DefineProperty, DefineProperties,
        GetOwnPropertyDescriptor, GetPrototypeOf, SetPrototypeOf,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum NumberStatic {
    ParseInt,
    ParseFloat,
    IsInteger,
    IsSafeInteger,
    IsFinite,
    IsNaN,
    /// The global `isNaN` and `isFinite`, which convert their argument first.
    GlobalIsNaN,
    GlobalIsFinite,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum NumberMethod {
    ToFixed,
    ToString,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ErrorKind {
    Error,
    TypeError,
    RangeError,
}

impl ErrorKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            ErrorKind::Error => "Error",
            ErrorKind::TypeError => "TypeError",
            ErrorKind::RangeError => "RangeError",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ArrayMethod {
    Push,
    Pop,
    Shift,
    Unshift,
    Join,
    Map,
    Filter,
    ForEach,
    Reduce,
    Includes,
    IndexOf,
    Slice,
    Concat,
    Some,
    Every,
    Find,
    FindIndex,
    Reverse,
    Splice,
    Sort,
    Flat,
    FlatMap,
    Fill,
    At,
    FindLast,
    FindLastIndex,
    LastIndexOf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum StringMethod {
    ToUpperCase,
    ToLowerCase,
    Includes,
    Repeat,
    PadStart,
    PadEnd,
    Slice,
    Trim,
    StartsWith,
    EndsWith,
    IndexOf,
    Split,
    Replace,
    ReplaceAll,
    TrimStart,
    TrimEnd,
    Substring,
    Substr,
    At,
    CharAt,
    LastIndexOf,
}

js_named_builtins! {
    pub(crate) enum MathMethod { Max, Min, Floor, Ceil, Round, Abs, Trunc, Sign, Sqrt }
}

/// What an object is, beyond its own properties.
#[derive(Debug, Clone)]
pub(crate) enum ObjKind {
    Plain,
    Array(Vec<Value>),
    /// A function written in the program. `this` is captured for arrows.
    Closure {
        func: FuncId,
        scope: ScopeId,
        this: Value,
    },
    Native(Native),
    Promise(PromiseData),
    /// An `Error` (or subclass) instance: `name` and `message` are properties.
    Error,
    /// A namespace object (`console`, `Promise`, `process`, `Math`, ...).
    Namespace(&'static str),
    /// What `setTimeout`/`setInterval`/`setImmediate` return.
    TimerHandle(usize),
    /// A value Node defines that the engine does not model (`fetch`, `globalThis`, a built-in
    /// module): it exists and `typeof` gives `type_of`, but reading it, calling it or printing
    /// it abstains. Only objects and functions: primitive globals are modelled or abstain.
    Opaque {
        name: Rc<str>,
        type_of: &'static str,
    },
    /// A value the engine cannot see, in a facts run (`Machine::open`): a parameter at a
    /// symbolic entry, what an opaque or unknown value gives when read or called
    /// (`machine/unknowns.rs`). Only facts runs make them; an order run abstains instead.
    Unknown(Unknown),
    /// The state of a `for...of` loop over an array.
    ArrayIter {
        array: ObjId,
        next: usize,
    },
    /// A generator object; its state is `Machine::generators[index]`.
    Generator(usize),
    /// An async generator object; its state is `Machine::async_generators[index]`.
    AsyncGenerator(usize),
    /// The state of a `for...in` loop: the keys found at its start, each
    /// visited only if it is still there (§14.7.5.10).
    ForInKeys {
        object: Value,
        keys: Vec<Rc<str>>,
        next: usize,
    },
    /// A class constructor (`classes.rs`).
    Class(super::classes::ClassData),
    /// A getter/setter pair, stored as the value of an accessor property;
    /// only property reads and writes see through it (`classes.rs`).
    Accessor {
        get: Option<Value>,
        set: Option<Value>,
    },
    /// The intrinsic `Promise.prototype`, the end of a Promise subclass's chain.
    PromisePrototype,
    /// The intrinsic `Error.prototype` (or a native error's), the end of an
    /// Error subclass's chain: any name read there abstains.
    ErrorPrototype,
    /// A `Map`, `Set`, `WeakMap` or `WeakSet` (`collections.rs`).
    Collection(super::collections::Collection),
    /// What a Map's or Set's `keys()`, `values()` and `entries()` return; it
    /// reads the live entry list, so entries added or deleted while iterating
    /// are seen as Node sees them (§24.1.5.1 CreateMapIterator).
    CollectionIter {
        collection: ObjId,
        next: usize,
        part: super::collections::IterPart,
    },
    /// `new Array(n)` with n > 0: n holes. Only `length`, `fill()`, `join()`,
    /// spreading and `Array.from` are modelled on it (`builtins_array.rs`).
    Holes(usize),
}

/// Where an unknown value came from, and what is decided about it.
#[derive(Clone, Debug)]
pub(crate) struct Unknown {
    /// Source text or a description: "parameter `db`", "fs.readFile(p)".
    pub origin: Rc<str>,
    /// It is certainly a native promise (otherwise undecided: a thenable
    /// takes longer to adopt, a plain value settles at once).
    pub native_promise: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Object {
    pub kind: ObjKind,
    /// Own properties in insertion order.
    pub props: Props,
    /// [[Prototype]] when it is an object the program made (a class's
    /// prototype, a constructor function's `prototype`); `None` is the
    /// intrinsic prototype of the object's kind.
    pub proto: Option<ObjId>,
    /// Some own properties are not enumerable (a prototype's methods and
    /// `constructor`): enumerating or printing this object abstains.
    pub hidden_props: bool,
    /// `Object.freeze` was called on it: a write abstains (ignored in sloppy
    /// code, a TypeError in strict code).
    pub frozen: bool,
    /// The attributes of the own properties `Object.defineProperty` made
    /// (`builtins_descriptors.rs`); a property not listed is writable,
    /// configurable, and enumerable unless `hidden_props` says otherwise.
    pub attrs: Vec<(Rc<str>, PropAttrs)>,
    /// A value the engine cannot see may have changed it (it was handed to
    /// an unknown function, or got the properties of an unknown value): in
    /// a facts run, reading it gives unknowns (`machine/unknowns.rs`).
    pub blurred: bool,
}

/// A property's attributes (§6.1.7.1); `writable` means nothing for an accessor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PropAttrs {
    pub writable: bool,
    pub enumerable: bool,
    pub configurable: bool,
}

impl Object {
    pub(crate) fn get_own(&self, key: &str) -> Option<&Value> {
        self.props.get(key)
    }

    pub(crate) fn set_own(&mut self, key: &str, value: Value) {
        self.props.set(key, value);
    }
}

/// An object's own properties in insertion order (read as a slice), with an
/// index of their keys once there are [`Props::INDEXED`] of them: a bundle's
/// module table (`var __m = {0: …, 1: …, …}`, 36,732 keys in
/// tests/pathological.rs) made every write a search of all the keys before
/// it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Props {
    list: Vec<(Rc<str>, Value)>,
    /// Each key's position in `list`; `None` while the list is short.
    index: Option<Box<KeyIndex>>,
}

/// The position of each key of a long [`Props`] list, boxed there so that
/// the many objects without one grow by a pointer, not by a map.
#[derive(Clone, Debug, Default)]
struct KeyIndex(HashMap<Rc<str>, usize>);

impl Props {
    /// From how many properties on the keys are indexed.
    const INDEXED: usize = 32;

    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        self.position(key).map(|at| &self.list[at].1)
    }

    /// Replaces the value of `key`, or adds it last.
    pub(crate) fn set(&mut self, key: &str, value: Value) {
        match self.position(key) {
            Some(at) => self.list[at].1 = value,
            None => {
                let key: Rc<str> = Rc::from(key);
                if let Some(index) = &mut self.index {
                    index.0.insert(key.clone(), self.list.len());
                }
                self.list.push((key, value));
                self.index_if_long();
            }
        }
    }

    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.0.get(key).copied(),
            None => self.list.iter().position(|(k, _)| &**k == key),
        }
    }

    fn index_if_long(&mut self) {
        if self.index.is_none() && self.list.len() >= Self::INDEXED {
            let mut index = HashMap::with_capacity(self.list.len());
            // A repeated key (a list given whole) is found at its first place,
            // as the search of the list finds it.
            for (at, (key, _)) in self.list.iter().enumerate().rev() {
                index.insert(key.clone(), at);
            }
            self.index = Some(Box::new(KeyIndex(index)));
        }
    }
}

impl From<Vec<(Rc<str>, Value)>> for Props {
    fn from(list: Vec<(Rc<str>, Value)>) -> Self {
        let mut props = Props { list, index: None };
        props.index_if_long();
        props
    }
}

impl FromIterator<(Rc<str>, Value)> for Props {
    fn from_iter<I: IntoIterator<Item = (Rc<str>, Value)>>(items: I) -> Self {
        Props::from(items.into_iter().collect::<Vec<_>>())
    }
}

impl Deref for Props {
    type Target = [(Rc<str>, Value)];

    fn deref(&self) -> &Self::Target {
        &self.list
    }
}

impl<'a> IntoIterator for &'a Props {
    type Item = &'a (Rc<str>, Value);
    type IntoIter = std::slice::Iter<'a, (Rc<str>, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

/// A variable slot. `None` is the temporal dead zone of `let`/`const`.
#[derive(Debug, Clone)]
pub(crate) struct Binding {
    pub name: Rc<str>,
    pub value: Option<Value>,
    pub mutable: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Scope {
    pub vars: Vec<Binding>,
    pub parent: Option<ScopeId>,
}

impl Scope {
    pub(crate) fn find(&self, name: &str) -> Option<usize> {
        self.vars.iter().position(|b| &*b.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the search of the list answers, for comparison with the index.
    fn searched(list: &[(Rc<str>, Value)], key: &str) -> Option<Value> {
        list.iter()
            .find(|(k, _)| &**k == key)
            .map(|(_, v)| v.clone())
    }

    #[test]
    fn indexed_props_answer_as_the_search_of_the_list_does() {
        let mut props = Props::default();
        let mut list: Vec<(Rc<str>, Value)> = Vec::new();
        for round in 0..3 {
            for i in 0..(Props::INDEXED * 2) {
                let key = format!("k{}", i * 7 % (Props::INDEXED * 2));
                let value = Value::Number((round * 1000 + i) as f64);
                props.set(&key, value.clone());
                match list.iter_mut().find(|(k, _)| **k == *key) {
                    Some(slot) => slot.1 = value,
                    None => list.push((Rc::from(key.as_str()), value)),
                }
                assert_eq!(&*props, &list[..]);
            }
        }
        assert!(props.index.is_some());
        for i in 0..(Props::INDEXED * 3) {
            let key = format!("k{i}");
            assert_eq!(props.get(&key).cloned(), searched(&list, &key));
        }
    }

    #[test]
    fn a_list_given_whole_finds_a_repeated_key_at_its_first_place() {
        let mut list: Vec<(Rc<str>, Value)> = (0..Props::INDEXED)
            .map(|i| (Rc::from(format!("k{i}").as_str()), Value::Number(i as f64)))
            .collect();
        list.push((Rc::from("k1"), Value::str("repeated")));
        let mut props = Props::from(list.clone());
        assert!(props.index.is_some());
        assert_eq!(props.get("k1"), Some(&Value::Number(1.0)));
        props.set("k1", Value::str("set"));
        assert_eq!(props[1].1, Value::str("set"));
        assert_eq!(props[Props::INDEXED].1, Value::str("repeated"));
    }
}
