//! The global environment the engine models: `console`, `Promise`, timers,
//! `process.nextTick`, `queueMicrotask`, errors, `JSON`, `Object`, `Math`,
//! and the constructors with their statics, each bound to its built-in.
//! Node's other globals are opaque values (`globals.rs`).

use std::rc::Rc;

use super::collections::CollectionKind;
use super::machine::Machine;
use super::node_modules::NodeFn;
use super::value::{
    Builtin, ErrorKind, MathMethod, NumberStatic, ObjKind, ObjectStatic, PromiseStatic, Value,
};

pub(crate) const TIMER_FUNCTIONS: &[(&str, Builtin)] = &[
    ("setTimeout", Builtin::SetTimeout),
    ("setInterval", Builtin::SetInterval),
    ("setImmediate", Builtin::SetImmediate),
    ("clearTimeout", Builtin::ClearTimeout),
    ("clearInterval", Builtin::ClearTimeout),
    ("clearImmediate", Builtin::ClearImmediate),
];

impl Machine<'_> {
    pub(crate) fn install_globals(&mut self) {
        let functions: &[(&str, Builtin)] = &[
            ("queueMicrotask", Builtin::QueueMicrotask),
            ("structuredClone", Builtin::StructuredClone),
            ("AbortController", Builtin::Node(NodeFn::AbortController)),
            ("AbortSignal", Builtin::Node(NodeFn::AbortSignal)),
            (
                "fetch",
                Builtin::Node(NodeFn::PendingIo(super::node_pending_io::PendingIo::Fetch)),
            ),
            ("Error", Builtin::ErrorCtor(ErrorKind::Error)),
            ("TypeError", Builtin::ErrorCtor(ErrorKind::TypeError)),
            ("RangeError", Builtin::ErrorCtor(ErrorKind::RangeError)),
            ("String", Builtin::StringCtor),
            ("Number", Builtin::NumberCtor),
            ("Array", Builtin::ArrayCtor),
            ("parseInt", Builtin::NumberStatic(NumberStatic::ParseInt)),
            (
                "parseFloat",
                Builtin::NumberStatic(NumberStatic::ParseFloat),
            ),
            ("isNaN", Builtin::NumberStatic(NumberStatic::GlobalIsNaN)),
            (
                "isFinite",
                Builtin::NumberStatic(NumberStatic::GlobalIsFinite),
            ),
            ("Boolean", Builtin::BooleanCtor),
            ("Map", Builtin::CollectionCtor(CollectionKind::Map)),
            ("Set", Builtin::CollectionCtor(CollectionKind::Set)),
            ("WeakMap", Builtin::CollectionCtor(CollectionKind::WeakMap)),
            ("WeakSet", Builtin::CollectionCtor(CollectionKind::WeakSet)),
        ];
        for (name, builtin) in TIMER_FUNCTIONS.iter().chain(functions) {
            let value = self.builtin_value(*builtin);
            self.define_global(name, value);
        }
        let regex = self.builtin_value(Builtin::RegexLiteral);
        self.define_global(super::builtins_regex::REGEX_LITERAL_BINDING, regex);
        let object_statics = [
            listed(&[
                ("keys", Builtin::ObjectKeys),
                ("values", Builtin::ObjectValues),
                ("entries", Builtin::ObjectEntries),
            ]),
            ObjectStatic::members(Builtin::ObjectStatic),
        ];
        let namespaces = [
            (
                "console",
                listed(&[
                    ("log", Builtin::ConsoleLog),
                    ("info", Builtin::ConsoleLog),
                    ("debug", Builtin::ConsoleLog),
                    ("error", Builtin::ConsoleError),
                    ("warn", Builtin::ConsoleError),
                ]),
            ),
            ("process", listed(&[("nextTick", Builtin::NextTick)])),
            (
                "JSON",
                listed(&[
                    ("stringify", Builtin::JsonStringify),
                    ("parse", Builtin::JsonParse),
                ]),
            ),
            ("Object", object_statics.concat()),
            ("Math", MathMethod::members(Builtin::MathMethod)),
        ];
        for (name, members) in namespaces {
            let id = self.alloc(ObjKind::Namespace(name));
            for (member, builtin) in members {
                let value = self.builtin_value(builtin);
                self.heap[id].set_own(&member, value);
            }
            if name == "Math" {
                for (constant, value) in super::builtins_number::MATH_CONSTANTS {
                    self.heap[id].set_own(constant, Value::Number(value));
                }
            }
            self.define_global(name, Value::Object(id));
        }
        // `Promise`, `Array` and `Number` are constructors with statics.
        let promise = self.builtin_value(Builtin::PromiseCtor);
        self.define_global("Promise", promise);
        let constructor_statics = [
            (
                Builtin::Node(NodeFn::AbortSignal),
                listed(&[("timeout", Builtin::Node(NodeFn::AbortSignalTimeout))]),
            ),
            (
                Builtin::PromiseCtor,
                PromiseStatic::members(Builtin::PromiseStatic),
            ),
            (
                Builtin::ArrayCtor,
                listed(&[
                    ("isArray", Builtin::ArrayIsArray),
                    ("from", Builtin::ArrayFrom),
                    ("of", Builtin::ArrayOf),
                ]),
            ),
            (
                Builtin::NumberCtor,
                listed(&[
                    ("isInteger", Builtin::NumberStatic(NumberStatic::IsInteger)),
                    (
                        "isSafeInteger",
                        Builtin::NumberStatic(NumberStatic::IsSafeInteger),
                    ),
                    ("isFinite", Builtin::NumberStatic(NumberStatic::IsFinite)),
                    ("isNaN", Builtin::NumberStatic(NumberStatic::IsNaN)),
                    ("parseInt", Builtin::NumberStatic(NumberStatic::ParseInt)),
                    (
                        "parseFloat",
                        Builtin::NumberStatic(NumberStatic::ParseFloat),
                    ),
                ]),
            ),
        ];
        for (constructor, statics) in constructor_statics {
            let constructor = self.builtin_value(constructor);
            for (member, builtin) in statics {
                let value = self.builtin_value(builtin);
                if let Some(id) = constructor.as_object() {
                    self.heap[id].set_own(&member, value);
                }
            }
        }
        // The loaders `import` declarations and `import()` compile to (`compile_module.rs`).
        let loaders = [
            (super::compile_module::IMPORT_BINDING, NodeFn::Import),
            (
                super::compile_module::DYNAMIC_IMPORT_BINDING,
                NodeFn::DynamicImport,
            ),
        ];
        for (name, function) in loaders {
            let value = self.builtin_value(Builtin::Node(function));
            self.define_global(name, value);
        }
        self.define_global("NaN", Value::Number(f64::NAN));
        self.define_global("Infinity", Value::Number(f64::INFINITY));
        self.define_global("undefined", Value::Undefined);
    }

    pub(crate) fn define_global(&mut self, name: &str, value: Value) {
        let global = self.global;
        self.scopes[global].vars.push(super::value::Binding {
            name: Rc::from(name),
            value: Some(value),
            mutable: false,
        });
    }
}

/// Members written out by name, beside those named by their variants.
fn listed(members: &[(&str, Builtin)]) -> Vec<(String, Builtin)> {
    let owned = members
        .iter()
        .map(|(name, builtin)| (name.to_string(), *builtin));
    owned.collect()
}
