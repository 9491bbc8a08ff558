//! ticklens: shows JavaScript developers when their asynchronous code runs.
//!
//! The crate is layered so the folder tree tells the data flow:
//!
//! - [`syntax`], [`document`], [`analysis`], [`engine`] and [`rules`] form the
//!   analysis core. They take source text and a tree-sitter tree and return plain
//!   data with byte ranges. They know nothing of the Language Server Protocol.
//! - [`ide`] answers the editor's questions (hover, inlay hints, code lenses,
//!   fixes) from the core, as plain data with byte ranges.
//! - [`lsp`] translates between the protocol and [`ide`] or the core.
//! - [`cli`] walks files and formats what the core found.

pub mod analysis;
pub mod cli;
pub mod config;
pub mod document;
pub mod driver;
pub mod engine;
pub mod findings;
pub mod ide;
pub mod line_index;
pub mod lsp;
pub mod rules;
pub mod suggest;
pub mod syntax;
pub mod workspace;

#[cfg(test)]
mod tidy;
