//! [`RuleContext`]: what a rule sees of the document it examines.

use std::borrow::Cow;
use std::sync::OnceLock;

use tree_sitter::{Node, QueryCapture, Tree};

use crate::analysis::source_facts::AsyncFacts;
use crate::config::Config;
use crate::syntax::awaits::{self, AwaitExpr};
use crate::syntax::js;
use crate::syntax::{await_lookup, QueryFile, SyntaxIndex, Words};

use super::query_registry;

/// What a rule sees: the text, its tree, the settings, and what every rule
/// shares — one index of the part of the tree being examined (its *scope*: the
/// whole document, or one top-level unit of it) and the file's async facts.
///
/// A rule reports only on what lies in its scope, and looks outside it only
/// through the facts: that is what lets the analysis re-examine one edited unit
/// and keep the findings of the others.
pub struct RuleContext<'a> {
    pub source: &'a str,
    pub tree: &'a Tree,
    pub config: &'a Config,
    index: SyntaxIndex<'a>,
    /// Where the words the queries require occur in the whole document.
    words: Cow<'a, Words<'a>>,
    facts: Facts<'a>,
    /// Whether the file reads as an ES module by its syntax, on first use.
    module_syntax: OnceLock<bool>,
}

enum Facts<'a> {
    /// Computed from the index on first use (the scope is the whole document).
    Lazy(Box<OnceLock<AsyncFacts>>),
    /// The whole document's facts, given by the caller.
    Given(&'a AsyncFacts),
}

impl<'a> RuleContext<'a> {
    /// A context whose scope is the whole document.
    pub fn new(source: &'a str, tree: &'a Tree, config: &'a Config) -> Self {
        Self {
            source,
            tree,
            config,
            index: SyntaxIndex::new(tree.root_node(), query_registry::query_set()),
            words: Cow::Owned(Words::new(
                source,
                query_registry::query_set().required_words(),
            )),
            facts: Facts::Lazy(Box::default()),
            module_syntax: OnceLock::new(),
        }
    }

    /// A context whose scope is `unit`, a part of the document, with whether
    /// the document has ES-module syntax (`await_lookup::has_module_syntax`,
    /// computed once per document); `words` and `facts` are the whole
    /// document's.
    pub fn for_unit(
        source: &'a str,
        tree: &'a Tree,
        config: &'a Config,
        unit: SyntaxIndex<'a>,
        module_syntax: bool,
        words: &'a Words<'a>,
        facts: &'a AsyncFacts,
    ) -> Self {
        Self {
            source,
            tree,
            config,
            index: unit,
            words: Cow::Borrowed(words),
            facts: Facts::Given(facts),
            module_syntax: OnceLock::from(module_syntax),
        }
    }

    /// The nodes the rules examine: the document's root, or the top-level
    /// nodes of one unit.
    pub fn scope(&self) -> &[Node<'a>] {
        self.index.roots()
    }

    pub fn text(&self, node: Node) -> &'a str {
        &self.source[node.byte_range()]
    }

    /// The file's declarations as far as promises go, computed on first use.
    pub fn facts(&self) -> &AsyncFacts {
        match &self.facts {
            Facts::Lazy(facts) => {
                facts.get_or_init(|| AsyncFacts::from_index(self.source, &self.index))
            }
            Facts::Given(facts) => facts,
        }
    }

    /// Every node of `kind` in the scope, in document order (only kinds the
    /// index keeps: query roots and the kinds the async facts read).
    pub fn nodes(&self, kind: &str) -> &[Node<'a>] {
        self.index.nodes(kind)
    }

    /// Whether `node` contains a node of `kind` (a kind [`RuleContext::nodes`] answers for).
    pub fn contains(&self, node: Node, kind: &str) -> bool {
        self.index.contains(node, kind)
    }

    /// Whether `await` is an operator at the file's top level. A rule does
    /// not see the file's path or `package.json`, so this is Node's
    /// detection by syntax: an `import`, `export` or unambiguous top-level
    /// `await` makes an ES module.
    pub fn top_level_awaits(&self) -> bool {
        *self
            .module_syntax
            .get_or_init(|| await_lookup::has_module_syntax(self.tree))
    }

    /// `node` read as an `await` as Node reads it (see [`crate::syntax::awaits`]):
    /// a tree-sitter `await_expression`, or the top of a chain tree-sitter
    /// misparsed as a call of `await` (`await (x).y()`), where `await` is an
    /// operator (in async code; elsewhere `await (x)` calls a function named
    /// `await`). Rules ask this rather than matching `await_expression` nodes.
    pub fn await_at<'t>(&self, node: Node<'t>) -> Option<AwaitExpr<'t>> {
        // Either form starts with its keyword: most nodes stop here.
        if !self.source[node.byte_range()].starts_with("await") {
            return None;
        }
        // The owner is found from the root down: climbing with `Node::parent`
        // costs a descent from the root per step (quadratic in nesting depth).
        let root = self.tree.root_node();
        awaits::await_shape(self.source, node).filter(|awaited| {
            js::in_async_context_under(root, awaited.node, self.top_level_awaits())
        })
    }

    /// Whether `node` may hold an `await` of either form: a cheap test before
    /// a walk that asks [`RuleContext::await_at`] (a tree-sitter
    /// `await_expression` counts here even where it is a call).
    pub fn contains_await(&self, node: Node) -> bool {
        self.contains(node, "await_expression")
            || !await_lookup::misparsed_awaits_in(self.source, node, self.top_level_awaits())
                .is_empty()
    }

    /// Every `await` of either form in the scope, in source order.
    pub fn awaits(&self) -> Vec<AwaitExpr<'a>> {
        let mut found: Vec<AwaitExpr<'a>> = self
            .nodes("await_expression")
            .iter()
            .filter_map(|&node| self.await_at(node))
            .collect();
        for &root in self.scope() {
            found.extend(await_lookup::misparsed_awaits_in(
                self.source,
                root,
                self.top_level_awaits(),
            ));
        }
        found.sort_by_key(|awaited| awaited.node.start_byte());
        found
    }

    /// Runs a query file and calls `each` with every match's captures.
    pub fn for_each_match(&self, file: &QueryFile, each: impl FnMut(&[QueryCapture<'a>])) {
        self.index
            .for_each_match(file, self.source, &self.words, &[], each);
    }

    /// Like [`RuleContext::for_each_match`], for a rule that can only report
    /// on a match whose text holds each of `words` (an `await` in a loop):
    /// other candidates are skipped before the query runs at them.
    pub fn for_each_match_holding(
        &self,
        file: &QueryFile,
        words: &[&str],
        each: impl FnMut(&[QueryCapture<'a>]),
    ) {
        self.index
            .for_each_match(file, self.source, &self.words, words, each);
    }
}
