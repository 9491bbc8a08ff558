//! The public per-function facts API (see `facts.rs` for what a tick is).

use std::ops::Range;

use tree_sitter::Tree;

use super::ModuleKind;

/// When one `await` resumes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResumeTick {
    /// `jobs` microtask jobs after the function was entered.
    AfterEntry { jobs: u32 },
    /// `jobs` jobs after `operand` (source text) settles. When
    /// `if_native_promise` is set the operand is unknown code, and the count
    /// holds if it returns a native promise.
    AfterSettle {
        jobs: u32,
        operand: String,
        if_native_promise: bool,
    },
    /// Not known; `reason` says why (varies between calls, never reached, ...).
    Unknown { reason: String },
}

/// When the function's outer promise settles.
pub type SettleTick = ResumeTick;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwaitFacts {
    /// Byte range of the `await_expression`.
    pub range: Range<usize>,
    pub resume: ResumeTick,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsyncFunctionFacts {
    /// Byte range of the function node.
    pub range: Range<usize>,
    pub name: String,
    pub awaits: Vec<AwaitFacts>,
    pub settles: SettleTick,
}

/// Facts for every async function in the program.
pub fn function_facts(_source: &str, _tree: &Tree, _module: ModuleKind) -> Vec<AsyncFunctionFacts> {
    Vec::new()
}
