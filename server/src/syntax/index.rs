//! One walk over a tree, many questions answered from it.
//!
//! A tree-sitter query cursor walks the whole tree for every query; with a
//! dozen query files per document that walk, not the matching, dominated the
//! analysis. [`SyntaxIndex`] walks the tree once and remembers the nodes whose
//! kind can root a pattern of some query file (or that [`crate::analysis::source_facts`]
//! records). [`SyntaxIndex::for_each_match`] then runs each query only at its
//! candidate roots, with the cursor held to matches that start at the root.
//!
//! The root kinds of a query file are read from its patterns
//! ([`QueryFile::root_kinds`]); a pattern that starts with a wildcard makes the
//! file fall back to one whole-tree cursor.

use std::sync::OnceLock;

use tree_sitter::{Node, QueryCapture, QueryCursor, StreamingIterator, TreeCursor};

use super::js::FUNCTION_KINDS;
use super::queries::{QueryFile, QuerySet};
use super::words::Words;
use crate::syntax::KindName;

/// Node kinds the analysis looks up directly, besides the query roots and
/// the functions ([`FUNCTION_KINDS`]): what the async facts record, and awaits.
const DIRECT_KINDS: &[&str] = &[
    "await_expression",
    "class_declaration",
    "class",
    "variable_declarator",
    "formal_parameters",
    "catch_clause",
    "try_statement",
    "expression_statement",
    "import_statement",
];

/// The number of node kind ids, plus one: the length of a table by kind id.
fn kind_table_len() -> usize {
    usize::from(super::language().node_kind_count() as u16) + 1
}

/// For each node kind id, whether an index serving `files` keeps nodes of
/// that kind: the direct kinds and the root kinds of the files' patterns.
pub(super) fn kept_kinds(files: &[&QueryFile]) -> Vec<bool> {
    let language = super::language();
    let mut keep = vec![false; kind_table_len()];
    let mut mark = |id: u16| {
        if let Some(slot) = keep.get_mut(usize::from(id)) {
            *slot = true;
        }
    };
    for kind in DIRECT_KINDS.iter().chain(FUNCTION_KINDS) {
        mark(language.id_for_node_kind(kind, true));
    }
    for file in files {
        for &id in file.root_kinds().into_iter().flatten() {
            mark(id);
        }
    }
    keep
}

/// Kinds whose nodes hold no node of any kept kind, whatever the text: the
/// walk does not enter them. A string's or a regex's parts are text (a
/// template string is not here: its substitutions hold expressions).
const OPAQUE_KINDS: &[&str] = &["string", "regex"];

/// For each node kind id, whether the walk skips what is inside its nodes.
fn opaque_kinds() -> &'static [bool] {
    static KINDS: OnceLock<Vec<bool>> = OnceLock::new();
    KINDS.get_or_init(|| {
        let mut opaque = vec![false; kind_table_len()];
        for kind in OPAQUE_KINDS {
            opaque[usize::from(super::kind_id(kind))] = true;
        }
        opaque
    })
}

/// Up to this many children, the walk reaches a node's children by index.
const FEW_CHILDREN: usize = 8;

/// The nodes of one tree (or one subtree), grouped by kind, in document order.
pub struct SyntaxIndex<'t> {
    /// The nodes walked: one root, or the top-level nodes of one unit.
    roots: Vec<Node<'t>>,
    /// For each node kind id, whether the index keeps nodes of that kind.
    kept: &'static [bool],
    by_kind: Vec<Vec<Node<'t>>>,
}

impl<'t> SyntaxIndex<'t> {
    /// Walks `root` once, keeping the nodes of every kind `queries` or the
    /// analysis looks up.
    pub fn new(root: Node<'t>, queries: &'static QuerySet) -> Self {
        Self::spanning(&[root], queries)
    }

    /// Walks each of `nodes` (top-level nodes, in document order): one unit
    /// of a document.
    pub fn spanning(nodes: &[Node<'t>], queries: &'static QuerySet) -> Self {
        let (keep, opaque) = (queries.kept(), opaque_kinds());
        let mut by_kind: Vec<Vec<Node<'t>>> = vec![Vec::new(); keep.len()];
        // Depth first, each node before its children, children in order: the
        // stack holds the nodes still to visit, the next one on top.
        let mut stack: Vec<Node<'t>> = nodes.iter().rev().copied().collect();
        let mut children = Vec::new();
        let mut cursor: Option<TreeCursor> = None;
        while let Some(node) = stack.pop() {
            let id = usize::from(node.kind_id());
            if keep.get(id).copied().unwrap_or(false) {
                by_kind[id].push(node);
            }
            if opaque.get(id).copied().unwrap_or(false) {
                continue;
            }
            // `Node::child(i)` starts from the first child each time, but
            // for a few children that is cheaper than a cursor's steps
            // (about a fifth less time for the whole walk).
            match node.child_count() {
                0 => {}
                count @ 1..=FEW_CHILDREN => {
                    stack.extend((0..count).rev().filter_map(|i| node.child(i)));
                }
                _ => {
                    let cursor = cursor.get_or_insert_with(|| node.walk());
                    cursor.reset(node);
                    if cursor.goto_first_child() {
                        children.push(cursor.node());
                        while cursor.goto_next_sibling() {
                            children.push(cursor.node());
                        }
                    }
                    stack.extend(children.drain(..).rev());
                }
            }
        }
        Self {
            roots: nodes.to_vec(),
            kept: keep,
            by_kind,
        }
    }

    /// The nodes the index was built from: one root, or the nodes of a unit.
    pub fn roots(&self) -> &[Node<'t>] {
        &self.roots
    }

    /// The file's top-level statements among the nodes walked: the children of
    /// a `program` root, and the roots of a unit themselves.
    pub fn top_level(&self) -> Vec<Node<'t>> {
        let mut statements = Vec::new();
        for &root in &self.roots {
            if root.kind_name() == "program" {
                let mut cursor = root.walk();
                statements.extend(root.named_children(&mut cursor));
            } else {
                statements.push(root);
            }
        }
        statements
    }

    /// Every node of `kind`, in document order. `kind` must be a kept kind
    /// (a query root or one of the direct kinds); asking for another is a bug.
    pub fn nodes(&self, kind: &str) -> &[Node<'t>] {
        let id = usize::from(super::kind_id(kind));
        debug_assert!(
            self.kept.get(id).copied().unwrap_or(false),
            "the syntax index does not keep `{kind}` nodes"
        );
        self.by_kind.get(id).map_or(&[], Vec::as_slice)
    }

    /// Whether some node of `kind` (a kept kind) lies inside `within`.
    pub fn contains(&self, within: Node, kind: &str) -> bool {
        let nodes = self.nodes(kind);
        let first = nodes.partition_point(|n| n.start_byte() < within.start_byte());
        nodes.get(first).is_some_and(|n| {
            n.end_byte() <= within.end_byte() && n.start_byte() < within.end_byte()
        })
    }

    /// Runs `file` and calls `each` with the captures of every match, in the
    /// order of the matches' roots in the document.
    /// Candidates whose text lacks a word the file [requires](QueryFile::requires)
    /// or one of `holding` (looked up in `words`, built on the same source)
    /// are skipped.
    pub fn for_each_match(
        &self,
        file: &QueryFile,
        source: &str,
        words: &Words,
        holding: &[&str],
        mut each: impl FnMut(&[QueryCapture<'t>]),
    ) {
        let mut cursor = QueryCursor::new();
        let Some(roots) = file.root_kinds() else {
            for &root in &self.roots {
                let mut matches = cursor.matches(file.query(), root, source.as_bytes());
                while let Some(m) = matches.next() {
                    each(m.captures);
                }
            }
            return;
        };
        let mut candidates: Vec<Node<'t>> = roots
            .iter()
            .filter_map(|&id| self.by_kind.get(usize::from(id)))
            .flatten()
            .copied()
            .collect();
        if roots.len() > 1 {
            // Outer nodes first when two start together, as a preorder walk meets them.
            candidates.sort_by_key(|n| (n.start_byte(), std::cmp::Reverse(n.end_byte())));
        }
        cursor.set_max_start_depth(Some(0));
        let requires = file.requires();
        for candidate in candidates {
            if !words.all_within(requires, candidate.byte_range())
                || !words.all_within(holding, candidate.byte_range())
            {
                continue;
            }
            let mut matches = cursor.matches(file.query(), candidate, source.as_bytes());
            while let Some(m) = matches.next() {
                each(m.captures);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;
    use crate::syntax::queries::tests::on_disk;

    fn whole_tree_matches(file: &QueryFile, source: &str) -> Vec<Vec<(u32, usize, usize)>> {
        let tree = syntax::parse(source, None);
        let mut cursor = QueryCursor::new();
        let mut matches = cursor.matches(file.query(), tree.root_node(), source.as_bytes());
        let mut out = Vec::new();
        while let Some(m) = matches.next() {
            out.push(key(m.captures));
        }
        out.sort();
        out
    }

    fn key(captures: &[QueryCapture]) -> Vec<(u32, usize, usize)> {
        let mut key: Vec<_> = captures
            .iter()
            .map(|c| (c.index, c.node.start_byte(), c.node.end_byte()))
            .collect();
        key.sort();
        key
    }

    const SAMPLE: &str = r#"
import { readFile } from "node:fs/promises";
async function load(id) {
  try { return fetch(id); } finally { done(); }
}
const f = async (x) => { for (const y of x) { await g(y); } let n = 0; n += await h(); };
class C { async m() { await Promise.all([a(), await b()]); } }
new Promise(async (resolve) => resolve(await load(1)));
items.forEach(async (item) => { await item.save(); });
process.nextTick(() => {}); setTimeout(() => {}, 10);
Promise.race([load(1), new Promise((r) => setTimeout(r, 5))]);
load(2).then((v) => v);
"#;

    #[test]
    fn indexed_matching_finds_exactly_the_whole_tree_matches() {
        let tree = syntax::parse(SAMPLE, None);
        let index = SyntaxIndex::new(tree.root_node(), on_disk());
        for file in on_disk().files() {
            let mut found = Vec::new();
            let words = Words::new(SAMPLE, on_disk().required_words());
            index.for_each_match(file, SAMPLE, &words, &[], |captures| {
                found.push(key(captures))
            });
            found.sort();
            assert_eq!(found, whole_tree_matches(file, SAMPLE), "{}", file.name);
        }
    }

    #[test]
    fn every_shipped_query_file_has_known_root_kinds() {
        for file in on_disk().files() {
            assert!(
                file.root_kinds().is_some_and(|roots| !roots.is_empty()),
                "queries/{}: every pattern should start with a named node kind",
                file.name
            );
        }
    }

    #[test]
    fn contains_finds_a_kept_kind_inside_a_node() {
        let source = "for (const a of b) { f(); }\nfor (const c of d) { await g(c); }\n";
        let tree = syntax::parse(source, None);
        let index = SyntaxIndex::new(tree.root_node(), on_disk());
        let root = tree.root_node();
        let (first, second) = (root.named_child(0).unwrap(), root.named_child(1).unwrap());
        assert!(!index.contains(first, "await_expression"));
        assert!(index.contains(second, "await_expression"));
        assert!(index.contains(root, "await_expression"));
    }

    #[test]
    fn every_kept_node_is_found_in_document_order() {
        // An array of twenty calls (a node with many children), and calls
        // nested in calls (few children).
        let calls: Vec<String> = (0..20).map(|i| format!("f{i}(g(h{i}()))")).collect();
        let source = format!(
            "const xs = [{}];\nasync function a() {{ await b(c()); }}\n",
            calls.join(", ")
        );
        let tree = syntax::parse(&source, None);
        let index = SyntaxIndex::new(tree.root_node(), on_disk());
        let mut expected = Vec::new();
        let mut stack = vec![tree.root_node()];
        while let Some(node) = stack.pop() {
            if node.kind_name() == "call_expression" {
                expected.push(node);
            }
            let mut cursor = node.walk();
            let children: Vec<Node> = node.children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
        assert_eq!(expected.len(), 62);
        assert_eq!(index.nodes("call_expression"), expected.as_slice());
    }

    #[test]
    fn opaque_kinds_hold_no_kept_kind() {
        let source =
            r#"const s = "a \" async ${x}", t = 'await (b)', r = /Promise(\.all)?[/]/giu;"#;
        let tree = syntax::parse(source, None);
        let (keep, opaque) = (on_disk().kept(), opaque_kinds());
        let mut seen = 0;
        let mut stack = vec![tree.root_node()];
        while let Some(node) = stack.pop() {
            let mut cursor = node.walk();
            stack.extend(node.children(&mut cursor));
            if opaque[usize::from(node.kind_id())] {
                seen += 1;
                let mut inside = vec![node];
                while let Some(part) = inside.pop() {
                    assert!(
                        part == node || !keep[usize::from(part.kind_id())],
                        "{}",
                        part.kind_name()
                    );
                    let mut cursor = part.walk();
                    inside.extend(part.children(&mut cursor));
                }
            }
        }
        assert_eq!(seen, 3, "{}", tree.root_node().to_sexp());
        assert!(OPAQUE_KINDS.iter().all(|kind| syntax::kind_id(kind) != 0));
    }

    #[test]
    fn the_index_keeps_the_nodes_a_plain_walk_finds_in_the_same_order() {
        let sources = [
            SAMPLE,
            "f(\"async\", /await/, `t ${await x}`);\nclass A { #p = 1; static { g(); } }\n",
            "if (a) { b(", // broken
            "",
        ];
        for source in sources {
            let tree = syntax::parse(source, None);
            let root = tree.root_node();
            let mut cursor = root.walk();
            let statements: Vec<Node> = root.children(&mut cursor).collect();
            for nodes in [
                vec![root],
                statements.clone(),
                statements.into_iter().skip(1).collect(),
            ] {
                let index = SyntaxIndex::spanning(&nodes, on_disk());
                // A plain walk: a stack of children, each node before
                // them, the children in order, opaque nodes not entered.
                let (keep, opaque) = (on_disk().kept(), opaque_kinds());
                let mut expected: Vec<Vec<Node>> = vec![Vec::new(); keep.len()];
                let mut stack: Vec<Node> = nodes.iter().rev().copied().collect();
                while let Some(node) = stack.pop() {
                    let id = usize::from(node.kind_id());
                    if keep.get(id).copied().unwrap_or(false) {
                        expected[id].push(node);
                    }
                    if !opaque.get(id).copied().unwrap_or(false) {
                        let mut cursor = node.walk();
                        let children: Vec<Node> = node.children(&mut cursor).collect();
                        stack.extend(children.into_iter().rev());
                    }
                }
                assert!(source != SAMPLE || expected.iter().any(|nodes| nodes.len() > 1));
                assert_eq!(index.by_kind, expected, "{source}");
            }
        }
    }

    #[test]
    fn an_index_of_a_subtree_stays_inside_it() {
        let source = "async function a() { await x; }\nasync function b() { await y; }\n";
        let tree = syntax::parse(source, None);
        let second = tree.root_node().named_child(1).expect("b");
        let index = SyntaxIndex::new(second, on_disk());
        let awaits = index.nodes("await_expression");
        assert_eq!(awaits.len(), 1);
        assert_eq!(&source[awaits[0].byte_range()], "await y");
    }
}
