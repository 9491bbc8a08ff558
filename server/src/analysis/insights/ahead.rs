//! What a hover on a new version of a document can be answered from before
//! its whole insights are ready: the insights of the async function at the
//! offset ([`function_insight_at`]), or nothing of the insights at all, where
//! the syntax alone shows that no part of them has a hover there.
//!
//! The whole insights' hover at an offset is, in this order, the innermost
//! async function's (an `await`, a `yield`, its head), an ES module's
//! top-level `await`, a dropped promise, and else the generic one read from
//! the syntax (`ide::hover`). The first two come from the engine's facts,
//! which exist only for code inside an async function or an `await` of the
//! module's own; the engine gives none for a file with a syntax error (it
//! does not run). A dropped promise is an expression statement's
//! expression, decided by the file's async facts, not the engine's. So where
//! the engine has nothing at the offset and no expression statement around
//! it drops a promise, the whole insights add nothing to the generic hover.

use tree_sitter::{Node, Tree};

use crate::analysis::modules::ImportedNames;
use crate::analysis::source_facts;
use crate::engine::ModuleKind;
use crate::syntax::{awaits, js};

use super::build::function_insight_at;
use super::function_cache::InsightsCache;
use super::FunctionInsight;

/// What a hover can be answered from ahead of the whole insights.
#[derive(Clone, Debug)]
pub enum Ahead {
    /// The insights of the innermost async function holding the offset, as
    /// [`function_insight_at`] gives them.
    Function(Box<FunctionInsight>),
    /// No part of the insights has a hover at the offset: the hover there
    /// is the generic one, read from the syntax alone.
    Syntax,
}

/// What a hover at `offset` can be answered from before the whole insights
/// of this version (`None`: it needs them). The engine runs only where its
/// facts may say something at `offset`; the statements' facts are read only
/// where a promise may be dropped around it. Arguments as for
/// [`function_insight_at`], whose cache is left ready for the whole
/// computation in the same way.
pub fn ahead_at(
    (analysed, source): (&str, &str),
    tree: &Tree,
    module: ModuleKind,
    imports: &ImportedNames,
    cache: &mut InsightsCache,
    offset: usize,
) -> Option<Ahead> {
    let around = Around::read(source, tree, offset)?;
    if around.engine_may_answer {
        return function_insight_at((analysed, source), tree, module, imports, cache, offset)
            .map(|function| Ahead::Function(Box::new(function)));
    }
    if !around.may_drop.is_empty() {
        let facts = cache.statement_facts.facts(source, tree);
        if around
            .may_drop
            .iter()
            .any(|&statement| facts.dropped_at(source, statement).is_some())
        {
            return None;
        }
    }
    Some(Ahead::Syntax)
}

/// What the syntax shows around one offset.
struct Around<'t> {
    /// An async function or an `await` of the module's own holds the
    /// offset, in a file the engine runs: its facts may have a hover there.
    engine_may_answer: bool,
    /// The expression statements whose expression holds the offset and may
    /// drop a promise (the part of `AsyncFacts::dropped_at` that needs no facts).
    may_drop: Vec<Node<'t>>,
}

impl<'t> Around<'t> {
    /// `None` at the end of the text, which no insight's range holds.
    fn read(source: &str, tree: &'t Tree, offset: usize) -> Option<Around<'t>> {
        if offset >= source.len() {
            return None;
        }
        let root = tree.root_node();
        // Every node holding the byte at `offset` is on the path to the
        // smallest one: siblings do not overlap.
        let node = root.descendant_for_byte_range(offset, offset + 1)?;
        let path = js::path_from(root, node);
        if path.is_empty() {
            return None;
        }
        // A syntax error stops the engine before it runs (`engine::prepare`).
        let engine_runs = !root.has_error();
        let engine_may_answer = engine_runs
            && path.iter().enumerate().any(|(at, &n)| {
                // `async` as one of the node's own tokens, as the engine's
                // compiler reads it, whatever the node's kind. The parent
                // comes from the path: `Node::parent` costs a descent from
                // the root, quadratic over a deep path.
                let parent = at.checked_sub(1).map(|up| path[up]);
                has_async_token(n)
                    || js::is_for_await(n)
                    || awaits::await_shape_under(source, n, || parent).is_some()
            });
        let may_drop = path
            .iter()
            .filter(|n| n.kind() == "expression_statement")
            .filter(|&&statement| {
                source_facts::dropped_candidate(source, statement)
                    .is_some_and(|expression| expression.byte_range().contains(&offset))
            })
            .copied()
            .collect();
        Some(Around {
            engine_may_answer,
            may_drop,
        })
    }
}

/// Whether `node` has the keyword `async` among its own tokens.
fn has_async_token(node: Node) -> bool {
    let mut cursor = node.walk();
    let found = node
        .children(&mut cursor)
        .any(|child| !child.is_named() && child.kind() == "async");
    found
}
