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
    /// where it is declared.
    PromiseFunction { why: String, line: u32 },
    /// A class: its own methods whose calls return native promises, by name.
    /// Inherited methods are not listed (unknown), nor is any method a
    /// subclass elsewhere may override: only `new C().m()` reads it.
    Class {
        line: u32,
        methods: BTreeMap<String, ExportedValue>,
    },
    /// An object: the module's namespace, or `module.exports = { ... }`.
    Object(BTreeMap<String, ExportedValue>),
}

impl ExportedValue {
    /// The member `name` of an object value.
    pub fn member(&self, name: &str) -> Option<&ExportedValue> {
        match self {
            ExportedValue::Object(members) => members.get(name),
            _ => None,
        }
    }
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

    /// Whether importing the file can bind anything known: a promise
    /// function, an object or class holding one, or a re-export.
    pub fn may_bind_promises(&self) -> bool {
        !self.named.is_empty() || self.whole.is_some() || !self.reexports.is_empty()
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
}

impl ImportedNames {
    pub fn get(&self, name: &str) -> Option<&Imported> {
        self.names.get(name)
    }
}
