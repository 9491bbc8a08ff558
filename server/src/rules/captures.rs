//! The nodes a rule's query captured, by name: every rule reads its query's
//! matches through these, instead of looking each capture up in each match.

use tree_sitter::{Node, QueryCapture};

use crate::syntax::QueryFile;

use super::RuleContext;

/// The nodes of `indices` in one match's `captures` (the first node of each
/// capture), `None` where the match did not capture it.
fn captured<'a, const N: usize>(
    captures: &[QueryCapture<'a>],
    indices: &[u32; N],
) -> [Option<Node<'a>>; N] {
    indices.map(|index| {
        captures
            .iter()
            .find(|capture| capture.index == index)
            .map(|capture| capture.node)
    })
}

/// Every capture of `names` present: the nodes, else `None`.
fn all_present<'a, const N: usize>(nodes: [Option<Node<'a>>; N]) -> Option<[Node<'a>; N]> {
    if nodes.iter().all(Option::is_some) {
        Some(nodes.map(|node| node.expect("every capture is present")))
    } else {
        None
    }
}

impl<'a> RuleContext<'a> {
    /// Runs `file` and calls `each` with the nodes of the captures `names`
    /// in every match, `None` for a capture the match lacks (an optional
    /// part of the pattern).
    pub fn for_each_capture<const N: usize>(
        &self,
        file: &QueryFile,
        names: [&str; N],
        mut each: impl FnMut([Option<Node<'a>>; N]),
    ) {
        let indices = names.map(|name| file.capture(name));
        self.for_each_match(file, |captures| each(captured(captures, &indices)));
    }

    /// Like [`RuleContext::for_each_capture`], only for the matches that
    /// captured every one of `names`.
    pub fn for_each_complete_capture<const N: usize>(
        &self,
        file: &QueryFile,
        names: [&str; N],
        mut each: impl FnMut([Node<'a>; N]),
    ) {
        self.for_each_capture(file, names, |nodes| {
            if let Some(nodes) = all_present(nodes) {
                each(nodes);
            }
        });
    }

    /// What `each` makes of the nodes of `names` in every match that
    /// captured all of them, where it makes something.
    pub fn filter_map_complete_captures<T, const N: usize>(
        &self,
        file: &QueryFile,
        names: [&str; N],
        each: impl FnMut([Node<'a>; N]) -> Option<T>,
    ) -> Vec<T> {
        self.filter_map_complete_captures_holding(file, &[], names, each)
    }

    /// Like [`RuleContext::filter_map_complete_captures`], for a rule that
    /// can only report on a match whose text holds each of `words` (see
    /// [`RuleContext::for_each_match_holding`]).
    pub fn filter_map_complete_captures_holding<T, const N: usize>(
        &self,
        file: &QueryFile,
        words: &[&str],
        names: [&str; N],
        mut each: impl FnMut([Node<'a>; N]) -> Option<T>,
    ) -> Vec<T> {
        let indices = names.map(|name| file.capture(name));
        let mut made = Vec::new();
        self.for_each_match_holding(file, words, |captures| {
            if let Some(nodes) = all_present(captured(captures, &indices)) {
                made.extend(each(nodes));
            }
        });
        made
    }
}
