//! What a file's imports bring in, as far as promise kinds go: each workspace
//! file's export summary ([`exports`]: which exported names are functions
//! whose calls certainly return a native promise, classes and their such
//! methods), and a file's imported names ([`imports`]: each local name bound
//! by a relative `require` or `import`, with the summary of what it names).
//!
//! Summaries are small, position-free (but for the line that decided each
//! entry, shown in the hover) and serialisable; they are built from one file's
//! text alone, so a change to a file changes its own summary only.

pub mod exports;
pub mod imports;
pub mod sole_bindings;
pub mod summaries;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// An exported value whose calls the workspace shows certainly return a
/// native promise (or that holds such functions).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExportedValue {
    /// A function: `why` says what makes its calls native promises ("an async
    /// function", "returns a native promise on every path"), `line` (1-based)
    /// where it is declared, `rejects` whether its promise can reject.
    PromiseFunction {
        why: String,
        line: u32,
        /// Absent from a summary stored before it existed: then it may.
        #[serde(default)]
        rejects: Rejects,
    },
    /// A class: its own methods whose calls return native promises, by name.
    /// Inherited methods are not listed (unknown), nor is any method a
    /// subclass elsewhere may override: only `new C().m()` reads it. When
    /// it extends an imported class, `extends` names that class, for the
    /// importer to add the methods it inherits (see [`imports`]).
    Class {
        line: u32,
        methods: BTreeMap<String, ExportedValue>,
        #[serde(default)]
        extends: Option<Box<Extends>>,
    },
    /// An object: the module's namespace, or `module.exports = { ... }`.
    Object(BTreeMap<String, ExportedValue>),
    /// A function whose every call returns a new object literal whose
    /// listed members hold native promises (`promiseWithResolvers()`'s
    /// `{ promise, resolve, reject }`): each member's name and why, and
    /// the line the function is declared on.
    ObjectFunction {
        line: u32,
        promises: BTreeMap<String, String>,
    },
    /// A function whose calls return the package `package` as
    /// `require(package)` gives it inside a `try` (an optional dependency),
    /// or, on the path that caught its failure, an error object: no
    /// promise the workspace shows, what the hedges name.
    PackageFunction { line: u32, package: String },
}

/// Whether the promise of a call to an exported function can reject,
/// decided in the exporting file by the facts its own calls are judged by
/// (`AsyncFacts::cannot_reject`): the importer cannot see the body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Rejects {
    /// It may (the default: nothing shows that it cannot).
    #[default]
    Maybe,
    /// It cannot, whatever it is passed: an async function whose body
    /// cannot fail (`failure_paths::cannot_fail`).
    Never,
    /// It may only by destructuring its first parameter, an object pattern:
    /// a call passing an object literal there cannot reject.
    UnlessGivenAnObject,
    /// It is the promised timer of that name (`promisify(setTimeout)`,
    /// `require('timers/promises').setTimeout`): a call cannot reject on the
    /// arguments the engine's table (`engine::PromisedTimer`) says.
    Timer(String),
}

impl ExportedValue {
    /// Whether `text` may reach a promise function in this value, named
    /// `name` where it is bound (`None`: by any local name): through the
    /// innermost name on the way to the function, which `text` must hold.
    fn reaches_promise(&self, name: Option<&str>, text: &str) -> bool {
        match self {
            ExportedValue::PromiseFunction { .. }
            | ExportedValue::ObjectFunction { .. }
            | ExportedValue::PackageFunction { .. } => name.is_none_or(|name| text.contains(name)),
            // What it inherits is not known here: its name may reach one.
            ExportedValue::Class {
                extends: Some(_), ..
            } => name.is_none_or(|name| text.contains(name)),
            ExportedValue::Class {
                methods: members, ..
            }
            | ExportedValue::Object(members) => members
                .iter()
                .any(|(key, value)| value.reaches_promise(Some(key), text)),
        }
    }

    /// The member `name` of an object value.
    pub fn member(&self, name: &str) -> Option<&ExportedValue> {
        match self {
            ExportedValue::Object(members) => members.get(name),
            _ => None,
        }
    }
}

/// The imported class a class extends (`class C extends ns.P`, with `ns`
/// bound by `require(specifier)` or an `import`), and the names its
/// instances do not inherit from it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Extends {
    /// The import's specifier as written, resolved from the class's file.
    pub specifier: String,
    pub kind: crate::workspace::RequireOrImport,
    /// What the import binds to the name the `extends` clause reads.
    pub binds: imports::Binds,
    /// `P` in `extends ns.P`.
    pub member: Option<String>,
    /// The class's own instance members, and every property name its file
    /// writes (such a write may replace an inherited method).
    pub hidden: BTreeSet<String>,
}

/// What one file exports, as far as promise kinds go.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportSummary {
    /// ES module: the named exports (`default` included). CommonJS: the
    /// properties assigned to `exports` / `module.exports`.
    pub named: BTreeMap<String, ExportedValue>,
    /// CommonJS `module.exports = <value>` when the value itself is known.
    pub whole: Option<ExportedValue>,
    /// True when `module.exports` is replaced by something unknown (then
    /// `named` says nothing of the module's value).
    pub whole_unknown: bool,
    /// ES module: the names it exports itself whose values are unknown (they
    /// hide a name an `export *` would otherwise bring in).
    #[serde(default)]
    pub unknown: BTreeSet<String>,
    /// ES module: `export ... from` clauses, followed when the file that
    /// imports this one is bound (see [`imports`]).
    #[serde(default)]
    pub reexports: Vec<ReExport>,
}

/// `export { a, b as c } from './x'`, `export * as ns from './x'` or
/// `export * from './x'`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReExport {
    pub specifier: String,
    /// (exported name, its name in the other file, `*` for its namespace);
    /// empty for `export *`.
    pub names: Vec<(String, String)>,
}

impl ReExport {
    /// `export * from`: every name of the other file but `default`.
    pub fn is_star(&self) -> bool {
        self.names.is_empty()
    }
}

impl ExportSummary {
    /// The value of `require(file)` or `import * as ns` (CommonJS: the
    /// `module.exports` object).
    pub fn namespace(&self) -> Option<ExportedValue> {
        if let Some(whole) = &self.whole {
            return Some(whole.clone());
        }
        (!self.whole_unknown).then(|| ExportedValue::Object(self.named.clone()))
    }

    /// Whether a file whose text is `importer` may reach a promise function
    /// by importing this file (a text test, never a parse): some promise
    /// function is the module's value or its default export (any local name
    /// binds it), or the name that reaches one (its export name, or its key
    /// in an object or class it is a member or method of) is in the text. A
    /// re-export may bring any name: it always may.
    ///
    /// Without it, no name the importer binds holds a promise function that
    /// its text reaches, so a rule cannot report on one.
    pub fn may_bind_promises_in(&self, importer: &str) -> bool {
        if !self.reexports.is_empty() {
            return true;
        }
        let anonymous = self.whole.iter().chain(self.named.get("default"));
        anonymous
            .into_iter()
            .any(|value| value.reaches_promise(None, importer))
            || self
                .named
                .iter()
                .any(|(name, value)| value.reaches_promise(Some(name), importer))
    }

    /// The export `name` (`import { name }`, `require(file).name`).
    pub fn export(&self, name: &str) -> Option<ExportedValue> {
        match &self.whole {
            Some(whole) => whole.member(name).cloned(),
            None if self.whole_unknown => None,
            None => self.named.get(name).cloned(),
        }
    }
}

/// A name a file binds from another workspace file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    /// The specifier as written (`../operations/execute_operation`).
    pub specifier: String,
    pub value: ExportedValue,
}

/// The names a file binds from the workspace files it imports, by local name.
/// A name is listed only when its value is known to hold promise functions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportedNames {
    pub names: HashMap<String, Imported>,
    /// Every workspace file the names were read from (what a change to
    /// which makes them stale).
    pub files: Vec<PathBuf>,
    /// What the file's own TypeScript declarations decide (empty for
    /// JavaScript): set by whoever holds the file as written, beside its
    /// imports, because both say what the file's calls return.
    pub declared: crate::analysis::declared_types::DeclaredTypes,
}

impl ImportedNames {
    pub fn get(&self, name: &str) -> Option<&Imported> {
        self.names.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn promise() -> ExportedValue {
        ExportedValue::PromiseFunction {
            why: "an async function".to_owned(),
            line: 1,
            rejects: Rejects::Maybe,
        }
    }

    #[test]
    fn an_importer_reaches_a_promise_function_only_by_a_name_in_its_text() {
        let summary = ExportSummary {
            named: BTreeMap::from([
                ("save".to_owned(), promise()),
                (
                    "Store".to_owned(),
                    ExportedValue::Class {
                        line: 2,
                        methods: BTreeMap::from([("flush".to_owned(), promise())]),
                        extends: None,
                    },
                ),
                (
                    "api".to_owned(),
                    ExportedValue::Object(BTreeMap::from([("post".to_owned(), promise())])),
                ),
                ("empty".to_owned(), ExportedValue::Object(BTreeMap::new())),
            ]),
            ..ExportSummary::default()
        };
        assert!(summary.may_bind_promises_in("const { save } = require('./s');"));
        assert!(summary.may_bind_promises_in("new s.Store().flush();"));
        assert!(summary.may_bind_promises_in("s.api.post(1);"));
        // The outer name alone reaches no function: its member is not named.
        assert!(!summary.may_bind_promises_in("const { Store, api, empty } = require('./s');"));
        assert!(!summary.may_bind_promises_in(""));
    }

    #[test]
    fn the_module_value_or_default_export_is_reached_by_any_name() {
        let whole = ExportSummary {
            whole: Some(promise()),
            ..ExportSummary::default()
        };
        assert!(whole.may_bind_promises_in("const f = require('./f'); f();"));
        let default = ExportSummary {
            named: BTreeMap::from([("default".to_owned(), promise())]),
            ..ExportSummary::default()
        };
        assert!(default.may_bind_promises_in("import f from './f.js'; f();"));
        // An object of no promise function reaches none, whatever it is called.
        let object = ExportSummary {
            whole: Some(ExportedValue::Object(BTreeMap::from([(
                "wrap".to_owned(),
                ExportedValue::Object(BTreeMap::new()),
            )]))),
            ..ExportSummary::default()
        };
        assert!(!object.may_bind_promises_in("const t = require('./t'); t.wrap();"));
    }

    #[test]
    fn a_re_export_may_bring_any_name() {
        let summary = ExportSummary {
            reexports: vec![ReExport {
                specifier: "./x".to_owned(),
                names: Vec::new(),
            }],
            ..ExportSummary::default()
        };
        assert!(summary.may_bind_promises_in(""));
    }
}
