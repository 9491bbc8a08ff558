//! Property reads and writes on the objects the engine models.
//!
//! Plain objects have no prototype chain here, so a read of a name that
//! `Object.prototype` defines abstains instead of answering `undefined`.

use std::rc::Rc;

use super::builtins_descriptors::legacy_accessor_definer;
use super::index_keys::index_key;
use super::machine::{Machine, Run};
use super::value::{ArrayMethod, Builtin, NumberMethod, ObjId, ObjKind, StringMethod, Value};

/// Names on `Object.prototype` (§20.1.3) and legacy accessors.
pub(crate) const OBJECT_PROTOTYPE_NAMES: &[&str] = &[
    "constructor",
    "toString",
    "toLocaleString",
    "valueOf",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "__proto__",
    "__defineGetter__",
    "__defineSetter__",
    "__lookupGetter__",
    "__lookupSetter__",
];

/// The name of the opaque object standing for `Object.prototype`.
const OBJECT_PROTOTYPE: &str = "Object.prototype";

/// `Object.getOwnPropertyNames(Array.prototype)` in Node v24.11.1: a name
/// neither there nor on `Object.prototype` reads `undefined` on an array
/// (the engine's arrays have no other own named properties).
const ARRAY_PROTOTYPE_NAMES: &[&str] = &[
    "length",
    "constructor",
    "at",
    "concat",
    "copyWithin",
    "fill",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
    "lastIndexOf",
    "pop",
    "push",
    "reverse",
    "shift",
    "unshift",
    "slice",
    "sort",
    "splice",
    "includes",
    "indexOf",
    "join",
    "keys",
    "entries",
    "values",
    "forEach",
    "filter",
    "flat",
    "flatMap",
    "map",
    "every",
    "some",
    "reduce",
    "reduceRight",
    "toReversed",
    "toSorted",
    "toSpliced",
    "with",
    "toLocaleString",
    "toString",
];

/// A name an array reads as `undefined`.
fn absent_from_arrays(name: &str) -> bool {
    !ARRAY_PROTOTYPE_NAMES.contains(&name)
        && !OBJECT_PROTOTYPE_NAMES.contains(&name)
        && !super::classes::is_private(name)
}

/// `Object.getOwnPropertyNames(String.prototype)` in Node v24.11.1.
#[rustfmt::skip]
const STRING_PROTOTYPE_NAMES: &[&str] = &[
    "length", "constructor", "anchor", "at", "big", "blink", "bold", "charAt", "charCodeAt",
    "codePointAt", "concat", "endsWith", "fontcolor", "fontsize", "fixed", "includes", "indexOf",
    "isWellFormed", "italics", "lastIndexOf", "link", "localeCompare", "match", "matchAll",
    "normalize", "padEnd", "padStart", "repeat", "replace", "replaceAll", "search", "slice",
    "small", "split", "strike", "sub", "substr", "substring", "sup", "startsWith", "toString",
    "toWellFormed", "trim", "trimStart", "trimLeft", "trimEnd", "trimRight", "toLocaleLowerCase",
    "toLocaleUpperCase", "toLowerCase", "toUpperCase", "valueOf",
];

/// `Object.getOwnPropertyNames(Number.prototype)` in Node v24.11.1.
#[rustfmt::skip]
const NUMBER_PROTOTYPE_NAMES: &[&str] = &[
    "constructor", "toExponential", "toFixed", "toPrecision", "toString", "valueOf",
    "toLocaleString",
];

/// A name that reads `undefined` on a primitive whose prototype holds
/// `names`: neither there, nor on `Object.prototype`, nor an index (a
/// string's characters). The engine models no write to the intrinsic
/// prototypes (reading them abstains in an order run).
fn absent_from_primitive(names: &[&str], name: &str) -> bool {
    !names.contains(&name)
        && !OBJECT_PROTOTYPE_NAMES.contains(&name)
        && !name.bytes().all(|b| b.is_ascii_digit())
}

/// The members of a modelled namespace a facts run reads as unknown values:
/// `Object`'s but `Object.prototype` (its functions only read or change their arguments, which are
/// blurred when handed to them), `Math`'s (numbers: `Math.random`, and the functions whose
/// results V8 computes to its own last bit, such as `Math.tan`) and `process`'s data;
/// `process.on` and the like stay stops, since what they schedule is not modelled.
fn unseen_namespace_value(namespace: &str, name: &str) -> bool {
    match namespace {
        // A write into `Object.prototype` would change every object's reads.
        "Object" => name != "prototype",
        // A number the engine does not compute (`Math.random`, `Math.tan`): an unknown,
        // never a guess.
        "Math" => true,
        "process" => matches!(
            name,
            "env"
                | "versions"
                | "version"
                | "argv"
                | "execArgv"
                | "execPath"
                | "platform"
                | "arch"
                | "pid"
                | "release"
                | "config"
        ),
        _ => false,
    }
}

fn array_method(name: &str) -> Option<ArrayMethod> {
    use ArrayMethod::*;
    Option::Some(match name {
        "push" => Push,
        "pop" => Pop,
        "shift" => Shift,
        "unshift" => Unshift,
        "join" => Join,
        "map" => Map,
        "filter" => Filter,
        "forEach" => ForEach,
        "reduce" => Reduce,
        "includes" => Includes,
        "indexOf" => IndexOf,
        "slice" => Slice,
        "concat" => Concat,
        "some" => ArrayMethod::Some,
        "every" => Every,
        "find" => Find,
        "findIndex" => FindIndex,
        "reverse" => Reverse,
        "splice" => Splice,
        "sort" => Sort,
        "flat" => Flat,
        "flatMap" => FlatMap,
        "fill" => Fill,
        "at" => At,
        "findLast" => FindLast,
        "findLastIndex" => FindLastIndex,
        "lastIndexOf" => LastIndexOf,
        _ => return Option::None,
    })
}

fn string_method(name: &str) -> Option<StringMethod> {
    use StringMethod::*;
    Some(match name {
        "toUpperCase" => ToUpperCase,
        "toLowerCase" => ToLowerCase,
        "includes" => Includes,
        "repeat" => Repeat,
        "padStart" => PadStart,
        "padEnd" => PadEnd,
        "slice" => Slice,
        "trim" => Trim,
        "startsWith" => StartsWith,
        "endsWith" => EndsWith,
        "indexOf" => IndexOf,
        "split" => Split,
        "replace" => Replace,
        "replaceAll" => ReplaceAll,
        "trimStart" => TrimStart,
        "trimEnd" => TrimEnd,
        "substring" => Substring,
        "substr" => Substr,
        "at" => At,
        "charAt" => CharAt,
        "lastIndexOf" => LastIndexOf,
        _ => return None,
    })
}

impl Machine<'_> {
    pub fn builtin_value(&mut self, builtin: Builtin) -> Value {
        if let Some(id) = self.builtins.get(&builtin) {
            return Value::Object(*id);
        }
        let id = self.alloc(ObjKind::Native(super::value::Native::Builtin(builtin)));
        self.builtins.insert(builtin, id);
        Value::Object(id)
    }

    pub fn get_property(&mut self, object: &Value, name: &str) -> Run<Value> {
        match object {
            Value::Undefined | Value::Null => self.abstain(format!(
                "reading `.{name}` of {} (a TypeError)",
                if object == &Value::Null {
                    "null"
                } else {
                    "undefined"
                }
            )),
            Value::Str(text) => match name {
                "length" => Ok(Value::Number(text.encode_utf16().count() as f64)),
                _ => match string_method(name) {
                    Some(method) => Ok(self.builtin_value(Builtin::StringMethod(method))),
                    None if absent_from_primitive(STRING_PROTOTYPE_NAMES, name) => {
                        Ok(Value::Undefined)
                    }
                    None => self.abstain(format!("the string property `.{name}` is not modelled")),
                },
            },
            Value::Number(_) => match name {
                "toFixed" => Ok(self.builtin_value(Builtin::NumberMethod(NumberMethod::ToFixed))),
                "toString" => Ok(self.builtin_value(Builtin::NumberMethod(NumberMethod::ToString))),
                _ if absent_from_primitive(NUMBER_PROTOTYPE_NAMES, name) => Ok(Value::Undefined),
                _ => self.abstain(format!("the number property `.{name}` is not modelled")),
            },
            Value::Bool(_) => self.abstain(format!(
                "the property `.{name}` of a primitive is not modelled"
            )),
            Value::Object(id) => {
                let id = *id;
                if let ObjKind::Unknown(unknown) = &self.heap[id].kind {
                    let origin = format!("{}.{name}", unknown.origin);
                    return Ok(self.new_unknown(&origin, false));
                }
                if let Some(unknown) = self.blurred_read(id, &format!(".{name}")) {
                    return Ok(unknown);
                }
                if super::classes::is_private(name) || self.reads_through_chain(id, name) {
                    return self.chain_get(id, name, object);
                }
                let object = &self.heap[id];
                match &object.kind {
                    ObjKind::Array(items) => {
                        if name == "length" {
                            return Ok(Value::Number(items.len() as f64));
                        }
                        match array_method(name) {
                            Some(method) => Ok(self.builtin_value(Builtin::ArrayMethod(method))),
                            None if absent_from_arrays(name) => Ok(Value::Undefined),
                            None => self
                                .abstain(format!("the array property `.{name}` is not modelled")),
                        }
                    }
                    ObjKind::Collection(_) => self.collection_property(id, name),
                    ObjKind::Holes(len) => match (name, array_method(name)) {
                        ("length", _) => Ok(Value::Number(*len as f64)),
                        (_, Some(method)) => Ok(self.builtin_value(Builtin::ArrayMethod(method))),
                        _ => self.abstain(format!("the array property `.{name}` is not modelled")),
                    },
                    ObjKind::Promise(_) => {
                        let builtin = match name {
                            "then" => Builtin::PromiseThen,
                            "catch" => Builtin::PromiseCatch,
                            "finally" => Builtin::PromiseFinally,
                            _ => {
                                return self.abstain(format!(
                                    "the promise property `.{name}` is not modelled"
                                ))
                            }
                        };
                        Ok(self.builtin_value(builtin))
                    }
                    ObjKind::Plain | ObjKind::Error | ObjKind::Namespace(_) => {
                        if let Some(value) = object.get_own(name) {
                            return Ok(value.clone());
                        }
                        if matches!(object.kind, ObjKind::Error) && name == "stack" {
                            return self.abstain("error stacks are not modelled");
                        }
                        if let ObjKind::Namespace(namespace) = object.kind {
                            if namespace == "Object" && name == "prototype" {
                                return Ok(self.object_prototype());
                            }
                            let reason = format!("the property `.{name}` is not modelled");
                            if !unseen_namespace_value(namespace, name) {
                                return self.abstain(reason);
                            }
                            // `Object.prototype`, `process.env`: a value in a facts run.
                            let origin = format!("{namespace}.{name}");
                            return self.unknown_or_abstain(&origin, reason);
                        }
                        let legacy = legacy_accessor_definer(name);
                        if let (Some(definer), ObjKind::Plain) = (legacy, &object.kind) {
                            return Ok(self.builtin_value(definer));
                        }
                        if OBJECT_PROTOTYPE_NAMES.contains(&name) {
                            return self.abstain(format!("the property `.{name}` is not modelled"));
                        }
                        Ok(Value::Undefined)
                    }
                    ObjKind::Generator(_) => self.generator_method(name),
                    ObjKind::AsyncGenerator(_) => self.async_generator_method_value(name),
                    ObjKind::Opaque { name: what, .. } => match object.get_own(name) {
                        Some(value) => Ok(value.clone()),
                        None => {
                            let origin = format!("{what}.{name}");
                            let reason = format!("`{origin}` is not modelled by ticklens");
                            self.unknown_or_abstain(&origin, reason)
                        }
                    },
                    _ => match object.get_own(name) {
                        Some(value) => Ok(value.clone()),
                        // Code the engine cannot see may have set it (a
                        // function handed to it is not blurred).
                        None => self.unknown_or_abstain(
                            &format!(".{name}"),
                            format!(
                                "the property `.{name}` of a function or host object is not modelled"
                            ),
                        ),
                    },
                }
            }
        }
    }

    pub fn set_property(&mut self, object: &Value, name: &str, value: Value) -> Run<()> {
        let Some(id) = object.as_object() else {
            return self.abstain(format!("setting `.{name}` on a primitive"));
        };
        // An own `constructor` is an ordinary data property; it matters to
        // PromiseResolve and SpeciesConstructor, which read it. An own
        // `toString` (`Query.prototype.toString = ...`) or `hasOwnProperty`
        // is one too: reads find it first, and conversions abstain on any
        // `toString`/`valueOf` of the program's (`ops.rs`). A promise's
        // conversions do not look, and `__proto__` is an accessor.
        let promise = matches!(self.heap[id].kind, ObjKind::Promise(_));
        if OBJECT_PROTOTYPE_NAMES.contains(&name)
            && (name == "__proto__" || (promise && name != "constructor"))
        {
            return self.abstain(format!("setting `.{name}` is not modelled"));
        }
        if self.heap[id].frozen {
            return self.abstain(
                "writing to a frozen object (ignored in sloppy code, a TypeError in strict code)",
            );
        }
        if self.set_through_accessor(id, name, &value)?.is_some() {
            return Ok(());
        }
        if self.non_writable_on_chain(id, name) {
            return self.abstain(format!(
                "writing `.{name}`, which is not writable (ignored in sloppy code, a TypeError in strict code)"
            ));
        }
        if super::classes::is_private(name) {
            // Only a private field the object has can be written (§7.3.32 PrivateSet).
            if self.heap[id].get_own(name).is_none() {
                return self.abstain(
                    "writing a private member the object lacks, or a private method (a TypeError)",
                );
            }
            self.heap[id].set_own(name, value);
            return Ok(());
        }
        match &self.heap[id].kind {
            ObjKind::Plain | ObjKind::Error | ObjKind::Promise(_) => {
                self.heap[id].set_own(name, value);
                Ok(())
            }
            ObjKind::Class(_) if !matches!(name, "prototype" | "name" | "length") => {
                if let ObjKind::Class(data) = &mut self.heap[id].kind {
                    data.static_fields = true;
                }
                self.heap[id].set_own(name, value);
                Ok(())
            }
            ObjKind::Closure { .. } if !matches!(name, "name" | "length" | "constructor") => {
                self.heap[id].set_own(name, value);
                Ok(())
            }
            // A modelled member of an opaque object (`module.exports = ...`) can be replaced,
            // and `EventEmitter.prototype` takes new members (`node_events.rs`).
            ObjKind::Opaque { .. }
                if self.heap[id].get_own(name).is_some() || self.is_emitter_prototype(id) =>
            {
                self.heap[id].set_own(name, value);
                Ok(())
            }
            // A write into `Object.prototype` would change every object's reads.
            ObjKind::Opaque { name: what, .. } if &**what == OBJECT_PROTOTYPE => {
                self.abstain(format!("setting `Object.prototype.{name}` is not modelled"))
            }
            ObjKind::Opaque { name: what, .. } => {
                let what = what.clone();
                self.see_past(format!(
                    "setting `{what}.{name}` is not modelled by ticklens"
                ))
            }
            // Writing into a value the engine cannot see is lost (facts runs only).
            ObjKind::Unknown(_) => Ok(()),
            _ => self.abstain(format!(
                "setting `.{name}` on an array, function, promise or built-in is not modelled"
            )),
        }
    }

    /// `key in object`: HasProperty, or where an object on the chain is one
    /// the engine cannot see, an unknown in a facts run.
    pub(crate) fn in_operator(&mut self, key: &Value, object: &Value) -> Run<Value> {
        match self.has_property(object, key)? {
            Some(found) => Ok(Value::Bool(found)),
            None => {
                let origin = self.span_text();
                self.unknown_or_abstain(&origin, "`in` on this kind of object is not modelled")
            }
        }
    }

    /// HasProperty (§7.3.12) for `key in object`, on arrays and on plain
    /// objects whose chain the program made; `None` where an object on the
    /// chain is one the engine cannot see; anything else abstains.
    pub(crate) fn has_property(&self, object: &Value, key: &Value) -> Run<Option<bool>> {
        let Some(id) = object.as_object() else {
            return self.abstain("`in` on a primitive (a TypeError)");
        };
        if let ObjKind::Array(items) = &self.heap[id].kind {
            return match (Self::index_of_key(key), key) {
                (Some(index), _) => Ok(Some(index < items.len())),
                (None, Value::Str(name)) if &**name == "length" => Ok(Some(true)),
                _ => self.abstain("`in` on an array with this key is not modelled"),
            };
        }
        let name = match key {
            Value::Str(name) if !super::compile_literal::is_array_index(name) => name.clone(),
            _ if index_key(key).is_some() => return self.has_index_member(id, key),
            _ => return self.abstain("`in` with this key is not modelled"),
        };
        let mut current = id;
        loop {
            let object = &self.heap[current];
            let unseen = matches!(
                object.kind,
                ObjKind::Unknown(_) | ObjKind::Opaque { .. } | ObjKind::Namespace(_)
            );
            if unseen || object.blurred {
                return Ok(None);
            }
            if !matches!(object.kind, ObjKind::Plain) {
                return self.abstain("`in` on this kind of object is not modelled");
            }
            if object.get_own(&name).is_some() {
                return Ok(Some(true));
            }
            match object.proto {
                Some(next) => current = next,
                None => return Ok(Some(OBJECT_PROTOTYPE_NAMES.contains(&&*name))),
            }
        }
    }

    /// An array index from a key, if it is one.
    fn index_of_key(key: &Value) -> Option<usize> {
        match key {
            Value::Number(n) if *n >= 0.0 && n.fract() == 0.0 && *n < 4_294_967_295.0 => {
                Some(*n as usize)
            }
            _ => None,
        }
    }

    pub fn get_index(&mut self, object: &Value, key: &Value) -> Run<Value> {
        if let Some(unknown) = self.unknown_of(object).or_else(|| self.unknown_of(key)) {
            let origin = format!("{}[…]", unknown.origin);
            return Ok(self.new_unknown(&origin, false));
        }
        if let Some(id) = object.as_object() {
            if let Some(unknown) = self.blurred_read(id, "[…]") {
                return Ok(unknown);
            }
        }
        if let Value::Str(text) = object {
            if let Some(index) = Self::index_of_key(key) {
                if !text.is_ascii() {
                    return self.abstain("indexing a non-ASCII string is not modelled");
                }
                return Ok(text
                    .get(index..index + 1)
                    .map_or(Value::Undefined, Value::str));
            }
        }
        if let Some(ObjKind::Array(items)) = object.as_object().map(|id| &self.heap[id].kind) {
            if let Some(index) = Self::index_of_key(key) {
                return Ok(items.get(index).cloned().unwrap_or(Value::Undefined));
            }
        }
        match key {
            Value::Str(name) if !super::compile_literal::is_array_index(name) => {
                let name: Rc<str> = name.clone();
                self.get_property(object, &name)
            }
            // An index key the object has (`define_index_member`); another
            // index key on a non-array, a symbol: an unknown in a facts run
            // (the engine defines no accessor under such a key, so no getter
            // of the program's is skipped).
            _ => match self.own_index_member(object, key) {
                Some(value) => Ok(value),
                None => {
                    self.unknown_or_abstain("[…]", "this computed property read is not modelled")
                }
            },
        }
    }

    pub fn set_index(&mut self, object: &Value, key: &Value, value: Value) -> Run<()> {
        if self.unknown_of(object).is_some() {
            return Ok(());
        }
        if let Some(id) = object.as_object() {
            if self.heap[id].frozen {
                return self.abstain(
                    "writing to a frozen object (ignored in sloppy code, a TypeError in strict code)",
                );
            }
            if let ObjKind::Array(items) = &mut self.heap[id].kind {
                return match Self::index_of_key(key) {
                    Some(index) if index < items.len() => {
                        items[index] = value;
                        Ok(())
                    }
                    Some(index) if index == items.len() => {
                        items.push(value);
                        Ok(())
                    }
                    _ => self.lose_array(
                        id,
                        "writing past the end of an array (holes) is not modelled",
                        "an array with holes",
                    ),
                };
            }
        }
        match key {
            Value::Str(name) if !super::compile_literal::is_array_index(name) => {
                let name: Rc<str> = name.clone();
                self.set_property(object, &name, value)
            }
            Value::Str(_) | Value::Number(_) if index_key(key).is_some() => {
                self.define_index_member(object, key, value)
            }
            // Under a key the engine cannot see, the write could replace any
            // member: in a facts run the object is blurred.
            Value::Object(key_id) if matches!(self.heap[*key_id].kind, ObjKind::Unknown(_)) => {
                self.see_past("a write under a key the engine cannot see")?;
                if let Some(id) = object.as_object() {
                    self.blur(id);
                }
                Ok(())
            }
            _ => self.abstain("this computed property write is not modelled"),
        }
    }
}

impl Machine<'_> {
    /// What array `id` holds is no longer known (a write past its end, the
    /// spread of an unknown into it): in a facts run it becomes an unknown
    /// (every later read, call or iteration of it goes through the
    /// unknowns); an order run abstains with `reason`.
    pub(crate) fn lose_array(&mut self, id: ObjId, reason: &str, what: &str) -> Run<()> {
        self.see_past(reason)?;
        let origin = format!("{} ({what})", self.span_text());
        let Value::Object(unknown) = self.new_unknown(&origin, false) else {
            unreachable!("an unknown is an object")
        };
        let kind = std::mem::replace(&mut self.heap[unknown].kind, ObjKind::Plain);
        self.heap[id].kind = kind;
        Ok(())
    }

    /// `[a, ...rest] = value` where `value` is an unknown: the rest is one too.
    pub(crate) fn rest_of_unknown(&mut self, id: ObjId) -> Run<()> {
        let origin = match &self.heap[id].kind {
            ObjKind::Unknown(unknown) => format!("{}[…]", unknown.origin),
            _ => "[…]".to_owned(),
        };
        let rest = self.new_unknown(&origin, false);
        self.push(rest);
        Ok(())
    }

    /// `Object.prototype`: an opaque object, the same on every read (axios
    /// destructures `toString` from it). Its members are unknowns in a facts
    /// run; a write into it abstains in both runs, since it would change
    /// every object's reads; the engine never gives it out as a prototype
    /// (`Object.getPrototypeOf({})` abstains), so identity tests stay exact.
    fn object_prototype(&mut self) -> Value {
        if let Some(&id) = self.opaque_globals.get(OBJECT_PROTOTYPE) {
            return Value::Object(id);
        }
        let id = self.alloc(ObjKind::Opaque {
            name: Rc::from(OBJECT_PROTOTYPE),
            type_of: "object",
        });
        self.opaque_globals.insert(Rc::from(OBJECT_PROTOTYPE), id);
        Value::Object(id)
    }
}
