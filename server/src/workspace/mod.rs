//! The workspace around a file: which file a specifier names (as Node 24
//! resolves it), whether a file is CommonJS or an ES module, which specifiers
//! a file names, and the import graph between files. No engine here: the
//! engine and the server build on these answers.

pub mod builtins;
pub mod exports;
pub mod fs;
pub mod graph;
pub mod imports;
pub mod json;
pub mod module_kind;
pub mod resolve;

pub use fs::{DiskFs, FileSystem, MemoryFs};
pub use graph::ImportGraph;
pub use module_kind::{module_kind, module_kind_from, ModuleKind};
pub use resolve::{resolve, resolve_source, RequireOrImport, Resolution};
