//! What the fuzz targets check, kept out of the `fuzz_target!` bodies so the
//! targets stay one call long and the checks read as plain functions.
//!
//! - [`whole_analysis`]: everything the server and `check` compute for one
//!   text (diagnostics, fix-all, insights and hovers at every `await`, the
//!   predicted order) must finish without panicking, return byte ranges that
//!   lie on the text's character boundaries, and be deterministic.
//! - [`incremental`]: a document edited through `Document::apply_change` keeps
//!   the text of an independent model and the tree of a fresh parse, and its
//!   analysis equals a fresh analysis.

pub mod analysis;
pub mod incremental;
pub mod tokens;

pub use analysis::{module_of, source_of, whole_analysis};
