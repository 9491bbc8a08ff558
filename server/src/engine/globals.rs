//! Names Node defines that the engine does not model.
//!
//! `data/node-globals.txt` is Node 24's own list (`Object.getOwnPropertyNames(globalThis)` and
//! `typeof` of each, for a CommonJS and an ES main module, recorded by
//! scripts/record-node-globals.sh). A global the engine does not model is an opaque value: it
//! exists, `typeof` gives Node's answer, and anything that needs its value (a property, a call,
//! printing it, awaiting it) abstains with "not modelled by ticklens". A name that is neither
//! declared nor a Node global abstains too: it would be a ReferenceError only if nothing else
//! defines it, which one file cannot tell. tests/node_globals.rs checks the list against Node 24.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::OnceLock;

use super::machine::{Machine, Run};
use super::value::{ObjKind, Value};
use super::ModuleKind;

const RECORDED: &str = include_str!("data/node-globals.txt");

/// Node 24's globals: `typeof` of each name, per module kind, and its built-in module names.
struct NodeGlobals {
    commonjs: HashMap<&'static str, &'static str>,
    es_module: HashMap<&'static str, &'static str>,
    builtin_modules: Vec<&'static str>,
}

fn recorded() -> &'static NodeGlobals {
    static GLOBALS: OnceLock<NodeGlobals> = OnceLock::new();
    GLOBALS.get_or_init(|| {
        let mut globals = NodeGlobals {
            commonjs: HashMap::new(),
            es_module: HashMap::new(),
            builtin_modules: Vec::new(),
        };
        for line in RECORDED.lines().filter(|l| !l.starts_with('#')) {
            let mut words = line.split(' ');
            match (words.next(), words.next(), words.next()) {
                (Some("cjs"), Some(name), Some(type_of)) => {
                    globals.commonjs.insert(name, type_of);
                }
                (Some("esm"), Some(name), Some(type_of)) => {
                    globals.es_module.insert(name, type_of);
                }
                (Some("builtin"), Some(name), None) => globals.builtin_modules.push(name),
                _ => {}
            }
        }
        globals
    })
}

/// `typeof name` in Node 24 when `name` is not declared by the program, or `None` when Node
/// does not define it (then `typeof` gives "undefined" and a read is a ReferenceError).
pub(crate) fn node_global_type(module: ModuleKind, name: &str) -> Option<&'static str> {
    let globals = recorded();
    let table = match module {
        ModuleKind::CommonJs => &globals.commonjs,
        ModuleKind::EsModule => &globals.es_module,
    };
    table.get(name).copied()
}

/// The canonical name of a built-in module `require` loads from Node itself (`node:events` and
/// `events` are one module; `node:test` exists only with its prefix), or `None`.
pub(crate) fn builtin_module(specifier: &str) -> Option<&'static str> {
    let modules = &recorded().builtin_modules;
    let listed = |name: &str| modules.iter().copied().find(|&m| m == name);
    let found = match specifier.strip_prefix("node:") {
        // `node:events` is `events`; `node:test` and `node:sea` are listed with their prefix.
        Some(bare) => listed(bare).or_else(|| listed(specifier)),
        None => listed(specifier).filter(|m| !m.starts_with("node:")),
    }?;
    Some(found.strip_prefix("node:").unwrap_or(found))
}

/// Every recorded global of one module kind, for tests.
#[cfg(test)]
pub(crate) fn all_globals(module: ModuleKind) -> Vec<(&'static str, &'static str)> {
    let globals = recorded();
    let table = match module {
        ModuleKind::CommonJs => &globals.commonjs,
        ModuleKind::EsModule => &globals.es_module,
    };
    let mut all: Vec<_> = table.iter().map(|(k, v)| (*k, *v)).collect();
    all.sort_unstable();
    all
}

impl Machine<'_> {
    /// The value of a name the program does not declare: an opaque Node global (the same
    /// object on every read, so `globalThis === global`), or an abstention.
    pub(crate) fn undeclared_name(&mut self, name: &str) -> Run<Value> {
        let Some(type_of) = node_global_type(self.module, name) else {
            return self.unknown_or_abstain(
                name,
                format!(
                    "`{name}` is not declared in this file, and ticklens does not model code \
                     from elsewhere"
                ),
            );
        };
        if !matches!(type_of, "object" | "function") {
            let reason = format!("the value of `{name}` is not modelled by ticklens");
            return self.unknown_or_abstain(name, reason);
        }
        let key = if name == "global" { "globalThis" } else { name };
        if let Some(&id) = self.opaque_globals.get(key) {
            return Ok(Value::Object(id));
        }
        let id = self.alloc(ObjKind::Opaque {
            name: Rc::from(key),
            type_of,
        });
        self.opaque_globals.insert(Rc::from(key), id);
        Ok(Value::Object(id))
    }

    /// `typeof name` for a name the program does not declare (§13.5.3: no ReferenceError).
    pub(crate) fn typeof_undeclared(&self, name: &str) -> &'static str {
        node_global_type(self.module, name).unwrap_or("undefined")
    }

    /// `this` of a sloppy-mode function called without a receiver (§10.2.1.2
    /// OrdinaryCallBindThis: undefined becomes the global object).
    pub(crate) fn global_this(&mut self) -> Run<Value> {
        self.undeclared_name("globalThis")
    }

    /// `typeof` of a namespace the engine models in part (`Array`, `Object`, `Math`): Node's
    /// answer for the global of that name.
    pub(crate) fn namespace_type(&self, name: &str) -> &'static str {
        node_global_type(self.module, name).unwrap_or("object")
    }

    /// The CommonJS module wrapper's names (`require`, `module`, `exports`, `__filename`,
    /// `__dirname`): `exports` is the top level's `this`, `module.exports` starts as the same
    /// object, and `require` loads Node's built-in modules (`node_modules.rs`).
    pub(crate) fn install_commonjs_wrapper(&mut self, exports: Value) {
        let require = self.builtin_value(super::value::Builtin::Require);
        let module = self.alloc(ObjKind::Opaque {
            name: Rc::from("module"),
            type_of: "object",
        });
        self.heap[module].set_own("exports", exports.clone());
        // Parameters of the wrapper function: the module may assign them
        // (`module.exports = exports = f`).
        for (name, value) in [
            ("require", require),
            ("module", Value::Object(module)),
            ("exports", exports),
        ] {
            self.define_global(name, value);
            if let Some((scope, slot)) = self.lookup(self.global, name) {
                self.scopes[scope].vars[slot].mutable = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_globals_hold_the_wrapper_names_only_in_commonjs() {
        for name in ["require", "module", "exports", "__filename", "__dirname"] {
            assert!(
                node_global_type(ModuleKind::CommonJs, name).is_some(),
                "{name}"
            );
            assert_eq!(node_global_type(ModuleKind::EsModule, name), None, "{name}");
        }
        assert_eq!(
            node_global_type(ModuleKind::EsModule, "fetch"),
            Some("function")
        );
        assert_eq!(
            node_global_type(ModuleKind::CommonJs, "globalThis"),
            Some("object")
        );
        assert!(all_globals(ModuleKind::EsModule).len() > 100);
    }

    #[test]
    fn builtin_modules_resolve_with_and_without_the_node_prefix() {
        assert_eq!(builtin_module("node:events"), Some("events"));
        assert_eq!(builtin_module("events"), Some("events"));
        assert_eq!(builtin_module("timers/promises"), Some("timers/promises"));
        assert_eq!(builtin_module("node:test"), Some("test"));
        assert_eq!(builtin_module("test"), None);
        assert_eq!(builtin_module("./events"), None);
        assert_eq!(builtin_module("node:nonsense"), None);
    }
}
