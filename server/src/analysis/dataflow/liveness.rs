//! Liveness: whether the function's own code may still read a binding's
//! value after an `await`, and which statements overwrite it on every path.

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::Node;

use crate::syntax::js::named_children_but_comments;

use super::walk::{ancestor_with_range, contains};
use super::{Binding, FunctionFlow, Kill, LoopInfo};

/// Step 4 of [`FunctionFlow::new`]: the child statement ranges of every block
/// that holds a kill, for [`FunctionFlow::kill_blocks_path`].
pub(super) fn block_children(
    root: Node,
    bindings: &[Binding],
) -> HashMap<(usize, usize), Vec<Range<usize>>> {
    let mut block_children = HashMap::new();
    for kill in bindings.iter().flat_map(|b| b.kills.iter()) {
        let key = (kill.block.start, kill.block.end);
        if block_children.contains_key(&key) {
            continue;
        }
        if let Some(block) = root.descendant_for_byte_range(kill.block.start, kill.block.end) {
            let block = ancestor_with_range(block, &kill.block);
            let children: Vec<Range<usize>> = named_children_but_comments(block)
                .iter()
                .map(|c| c.byte_range())
                .collect();
            block_children.insert(key, children);
        }
    }
    block_children
}

impl FunctionFlow {
    /// Whether the function's own code may read `binding`'s current value after
    /// await `await_index` resumes (on some path, before overwriting it).
    pub fn is_live_after(&self, binding_index: usize, await_index: usize) -> bool {
        let (Some(binding), Some(point)) = (
            self.bindings.get(binding_index),
            self.awaits.get(await_index),
        ) else {
            return false;
        };
        let index = binding_index;
        binding
            .reads
            .iter()
            .any(|read| self.reaches(index, binding, &point.range, read))
    }

    /// The statement that overwrites `binding` on every path from its
    /// declaration to await `await_index` (`big = null;` in the await's block,
    /// before it), if there is one: the value it was declared with is then no
    /// longer held at that await, whatever keeps the variable itself.
    pub fn overwritten_before(
        &self,
        binding_index: usize,
        await_index: usize,
    ) -> Option<Range<usize>> {
        let binding = self.bindings.get(binding_index)?;
        let point = self.awaits.get(await_index)?;
        binding
            .kills
            .iter()
            .filter(|kill| !contains(&kill.stmt, &binding.decl_range))
            .find(|kill| self.kill_blocks_path(kill, &binding.decl_range, &point.range))
            .map(|kill| kill.stmt.clone())
    }

    /// Whether control can flow from the end of `from` to `read` without
    /// passing a statement that overwrites the binding.
    fn reaches(
        &self,
        index: usize,
        binding: &Binding,
        from: &Range<usize>,
        read: &Range<usize>,
    ) -> bool {
        let forward = read.start >= from.end;
        let around_a_loop = !forward
            && self
                .loops_around(index, from, read)
                .any(|l| !l.once.as_ref().is_some_and(|once| contains(once, read)));
        if !forward && !around_a_loop {
            return false;
        }
        !binding
            .kills
            .iter()
            .any(|kill| self.kill_blocks_path(kill, from, read))
    }

    /// The loops of the function around both `from` and `to` whose head does
    /// not assign binding `index` afresh: the back edge of each may carry the
    /// binding's value from `from` around to `to`.
    pub(crate) fn loops_around<'a>(
        &'a self,
        index: usize,
        from: &'a Range<usize>,
        to: &'a Range<usize>,
    ) -> impl Iterator<Item = &'a LoopInfo> + 'a {
        self.loops.iter().filter(move |l| {
            contains(&l.range, from) && contains(&l.range, to) && !l.head_binds.contains(&index)
        })
    }

    /// Every path from `from` to `read` runs `kill.stmt` when `read` sits in a
    /// later statement of the same block and `from` is not between the two:
    /// JavaScript has no jump into the middle of a block.
    fn kill_blocks_path(&self, kill: &Kill, from: &Range<usize>, read: &Range<usize>) -> bool {
        if !contains(&kill.block, read) || read.start < kill.stmt.end {
            return false;
        }
        let Some(children) = self.block_children.get(&(kill.block.start, kill.block.end)) else {
            return false;
        };
        let Some(read_stmt) = children.iter().find(|s| contains(s, read)) else {
            return false;
        };
        !(from.start >= kill.stmt.end && from.start < read_stmt.end)
    }
}
