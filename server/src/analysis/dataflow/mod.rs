//! Bindings, reads and writes: which names a piece of code reads or writes,
//! which locals stay live across an `await`, and which are captured by closures.
//!
//! The unit of analysis is one function ([`FunctionFlow::new`]). Inside it the
//! module resolves every identifier to the binding it names (parameters, `var`,
//! `let`, `const`, function and class declarations, catch parameters, imports),
//! honouring block scopes and shadowing, and records for each binding its reads,
//! its writes and whether a closure created in the function refers to it.
//!
//! [`FunctionFlow::is_live_after`] says whether the function's own code may
//! still read a binding after an `await`; what the suspended function keeps
//! alive (more than that) is `analysis::retention`.
//!
//! All walks are iterative: deeply nested input cannot overflow the stack.
//!
//! The parts, in the order [`FunctionFlow::new`] runs them:
//! - `walk`: iterative tree walks and ancestor lookups;
//! - `access`: names mentioned or assigned, read or write;
//! - `scopes`: declarations, their scopes, and name resolution;
//! - `references`: every use of a name, the function's awaits and loops;
//! - `large_values`: values that are probably large;
//! - `liveness`: reads reachable after an await, overwrites on every path.

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::Node;

mod access;
mod large_values;
mod liveness;
mod references;
mod scopes;
mod walk;

pub use access::{access, names_assigned, names_mentioned, Access};
pub use large_values::{large_value, LargeValue};
pub use scopes::{for_in_declaration_kind, for_in_head_of};
pub use walk::{ancestors_of, contains, preorder, preorder_with_ancestors, Walk};

/// Whether `node` is a loop whose body may run more than once.
pub fn is_loop(node: Node) -> bool {
    matches!(
        node.kind(),
        "for_statement" | "for_in_statement" | "while_statement" | "do_statement"
    )
}

/// How a binding was declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingKind {
    Param,
    Var,
    Let,
    Const,
    Function,
    Class,
    CatchParam,
    Import,
}

/// One name declared in the analysed function (not in a nested one).
#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    pub name: String,
    pub kind: BindingKind,
    /// The declaring identifier.
    pub decl_range: Range<usize>,
    /// Where the declaration (statement, parameter or loop head) ends: the
    /// binding holds a value from there on.
    pub decl_end: usize,
    /// Where the name is visible: its block, or the whole function.
    pub scope: Range<usize>,
    /// The initializer, when the declaration has one.
    pub init: Option<Range<usize>>,
    pub likely_large: Option<LargeValue>,
    /// A closure created in the function refers to it.
    pub captured: bool,
    /// Reads in the function's own code (not in closures), in document order.
    pub reads: Vec<Range<usize>>,
    /// Writes in the function's own code, in document order.
    pub writes: Vec<Range<usize>>,
    /// Statements that overwrite the binding whatever its value (`x = ...;`,
    /// `let x;`), with the block that holds them.
    pub(crate) kills: Vec<Kill>,
}

/// A statement that overwrites a binding whatever its value, with the block
/// that holds it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Kill {
    pub(crate) stmt: Range<usize>,
    pub(crate) block: Range<usize>,
}

/// An `await` of the analysed function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwaitPoint {
    /// The whole `await` expression.
    pub range: Range<usize>,
    /// The `await` keyword.
    pub keyword: Range<usize>,
    /// The awaited operand.
    pub operand: Range<usize>,
}

/// What an identifier in the function refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// A binding of the analysed function: an index into [`FunctionFlow::bindings`].
    Local(usize),
    /// A binding declared in a function nested inside the analysed one.
    Nested,
    /// A name declared outside the function (module scope, an enclosing
    /// function, or a global).
    Outer,
}

/// One use of a name inside the analysed function, closures included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub range: Range<usize>,
    pub access: Access,
    pub resolution: Resolution,
    /// The use is inside a closure nested in the function.
    pub in_closure: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LoopInfo {
    pub(crate) range: Range<usize>,
    /// Parts evaluated once, before the first iteration (the `for...of`
    /// iterable, the `for` initializer): a back edge does not reach them.
    pub(crate) once: Option<Range<usize>>,
    /// Bindings the loop head assigns afresh on every iteration.
    pub(crate) head_binds: Vec<usize>,
}

/// Bindings, references, awaits and loops of one function.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionFlow {
    pub function: Range<usize>,
    pub bindings: Vec<Binding>,
    /// The function's own awaits (not those of nested functions), in order.
    pub awaits: Vec<AwaitPoint>,
    /// Every use of a name in the function, closures included, in document order.
    pub references: Vec<Reference>,
    pub(crate) loops: Vec<LoopInfo>,
    /// Child statement ranges of the blocks that hold a kill.
    block_children: HashMap<(usize, usize), Vec<Range<usize>>>,
}

impl FunctionFlow {
    /// Analyses `function` (any function-like node, or a `program`).
    pub fn new(source: &str, function: Node) -> FunctionFlow {
        let root = function;
        let declared = scopes::Declarations::collect(source, root);
        let (names, mut bindings) = scopes::Resolver::new(&declared.decls, root.id());
        let uses =
            references::Uses::collect(source, root, &names, &declared.decl_sites, &mut bindings);
        large_values::mark_likely_large(source, root, &mut bindings, uses.assigned_values);
        let block_children = liveness::block_children(root, &bindings);
        FunctionFlow {
            function: root.byte_range(),
            bindings,
            awaits: uses.awaits,
            references: uses.references,
            loops: uses.loops,
            block_children,
        }
    }

    /// What the name at `range` refers to, when `range` is a use in the function.
    pub fn resolution_at(&self, range: &Range<usize>) -> Option<Resolution> {
        let index = self
            .references
            .binary_search_by_key(&range.start, |r| r.range.start)
            .ok()?;
        let reference = &self.references[index];
        (reference.range == *range).then_some(reference.resolution)
    }

    /// The binding declared by the identifier at `decl_range`.
    pub fn binding_declared_at(&self, decl_range: &Range<usize>) -> Option<usize> {
        self.bindings
            .iter()
            .position(|binding| binding.decl_range == *decl_range)
    }

    /// The bindings that hold a value at await `await_index`: in scope there,
    /// declared before it.
    pub fn in_scope_at(&self, await_index: usize) -> Vec<usize> {
        let Some(point) = self.awaits.get(await_index) else {
            return Vec::new();
        };
        self.bindings
            .iter()
            .enumerate()
            .filter(|(_, b)| contains(&b.scope, &point.range) && b.decl_end <= point.range.start)
            .map(|(index, _)| index)
            .collect()
    }
}

/// The first function of a tree, in document order: the snippet tests'
/// subject.
#[cfg(test)]
pub(crate) fn first_function(root: Node) -> Option<Node> {
    let mut function = None;
    preorder(root, |node| {
        if function.is_none() && crate::syntax::js::is_function(node) {
            function = Some(node);
        }
        Walk::Enter
    });
    function
}

#[cfg(test)]
mod tests;
