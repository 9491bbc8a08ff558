//! Closures of the suspended function: which of them read a binding, whether
//! one may run after an `await` (and so needs the binding), and whether one
//! may still exist there (and so keeps a block's context alive).

use std::ops::Range;

use tree_sitter::Node;

use super::{Certainty, ClosureRead, Held, MayReason, Model};
use crate::analysis::dataflow::{contains, preorder, Access, Binding, Resolution, Walk};
use crate::syntax::js::{is_async_function, is_function};

impl<'t> Model<'_, 't> {
    /// The function nested directly in the analysed one that holds `range`.
    pub(super) fn outermost_closure(&self, range: &Range<usize>) -> Option<Node<'t>> {
        let mut at = self
            .function
            .descendant_for_byte_range(range.start, range.end)?;
        let mut outermost = None;
        while at.id() != self.function.id() {
            if is_function(at) {
                outermost = Some(at);
            }
            at = at.parent()?;
        }
        outermost
    }

    /// A closure reading binding `index` that may run after await
    /// `await_index`: one created after it (or in a loop around it, by a
    /// later iteration), or one created before it that may still exist
    /// there. A closure only called in place before the await is done.
    pub(super) fn closure_reading_after(
        &self,
        index: usize,
        await_index: usize,
    ) -> Option<ClosureRead> {
        let point = &self.flow.awaits[await_index].range;
        let mut found: Option<ClosureRead> = None;
        for &closure in &self.closure_reads[index] {
            let range = closure.byte_range();
            let created_after = range.start >= point.end
                || self
                    .flow
                    .loops
                    .iter()
                    .any(|l| contains(&l.range, &range) && contains(&l.range, point))
                // A function declaration exists from the start of its block.
                || closure.kind() == "function_declaration";
            if !created_after && !self.may_run_after(closure, await_index) {
                continue;
            }
            let read = ClosureRead {
                range,
                name: self.closure_name(closure),
                created_after,
            };
            match &found {
                Some(earlier) if earlier.created_after || !created_after => {}
                _ => found = Some(read),
            }
        }
        found
    }

    /// Whether `closure`, created before await `await_index`, may be called
    /// after it. Not when it was only called in place, or when the local
    /// holding it is neither read after the await nor handed to other code
    /// (nobody can call it then). Anywhere else it may be.
    fn may_run_after(&self, closure: Node, await_index: usize) -> bool {
        if self.closure_fate(closure, await_index, 0).is_none() {
            return false;
        }
        let at = outermost_parens(closure);
        let holder = at.parent().and_then(|parent| match parent.kind() {
            "variable_declarator"
                if parent.child_by_field_id(crate::field!("value")) == Some(at) =>
            {
                parent.child_by_field_id(crate::field!("name"))
            }
            _ => None,
        });
        let Some(holder) = holder.filter(|h| h.kind() == "identifier") else {
            return true;
        };
        let Some(local) = self.flow.binding_declared_at(&holder.byte_range()) else {
            return true;
        };
        let point = &self.flow.awaits[await_index].range;
        let binding = &self.flow.bindings[local];
        // A call `log()` before the await runs it then; any other read
        // (`register(log)`) may hand it to code that calls it later.
        let handed_over = self.flow.references.iter().any(|r| {
            r.resolution == Resolution::Local(local)
                && r.access != Access::Write
                && !(r.range.end <= point.start && !r.in_closure && self.is_called_here(&r.range))
        });
        self.flow.is_live_after(local, await_index) || binding.captured || handed_over
    }

    /// The identifier at `range` is the callee of a call (`log()`).
    fn is_called_here(&self, range: &Range<usize>) -> bool {
        self.node_at(range)
            .and_then(|ident| ident.parent().map(|call| (ident, call)))
            .is_some_and(|(ident, call)| {
                call.kind() == "call_expression"
                    && call.child_by_field_id(crate::field!("function")) == Some(ident)
            })
    }

    /// `log` for `const log = () => ...`, `log = () => ...` and `function log() {}`.
    fn closure_name(&self, closure: Node) -> Option<String> {
        let named = |node: Option<Node>| {
            node.filter(|n| n.kind() == "identifier")
                .map(|n| self.source[n.byte_range()].to_owned())
        };
        if closure.kind() == "function_declaration" {
            return named(closure.child_by_field_id(crate::field!("name")));
        }
        let at = outermost_parens(closure);
        let parent = at.parent()?;
        match parent.kind() {
            "variable_declarator" => named(parent.child_by_field_id(crate::field!("name"))),
            "assignment_expression" => named(parent.child_by_field_id(crate::field!("left"))),
            _ => None,
        }
    }

    /// Whether some closure created in `binding`'s block may still exist at
    /// the await: `Some(Certain)` when a local of the frame certainly holds
    /// one, `Some(May(..))` when one was handed elsewhere, `None` when every
    /// one was called in place or dropped.
    pub(super) fn block_closures_outlive(
        &self,
        binding: &Binding,
        await_index: usize,
        depth: usize,
    ) -> Option<Certainty> {
        let scope = self.node_at(&binding.scope)?;
        let mut verdict: Option<Certainty> = None;
        let mut closures = Vec::new();
        preorder(scope, |node| {
            if node != scope && is_function(node) {
                closures.push(node);
                return Walk::Skip;
            }
            Walk::Enter
        });
        for closure in closures {
            let fate = self.closure_fate(closure, await_index, depth);
            verdict = match (verdict, fate) {
                (Some(Certainty::Certain), _) | (_, Some(Certainty::Certain)) => {
                    Some(Certainty::Certain)
                }
                (Some(may), _) | (None, Some(may)) => Some(may),
                (None, None) => None,
            };
        }
        verdict
    }

    /// Whether `closure` still exists at await `await_index`.
    fn closure_fate(&self, closure: Node, await_index: usize, depth: usize) -> Option<Certainty> {
        let may = Some(Certainty::May(MayReason::ClosureMayOutlive));
        // A generator or async closure's activation can outlive its call.
        let suspends = closure.kind().starts_with("generator") || is_async_function(closure);
        let at = outermost_parens(closure);
        let Some(parent) = at.parent() else {
            return may;
        };
        let field = |name: &str| parent.child_by_field_name(name) == Some(at);
        let holder = match parent.kind() {
            "call_expression" if field("function") && !suspends => return None,
            "variable_declarator" if field("value") => {
                parent.child_by_field_id(crate::field!("name"))
            }
            "assignment_expression" if field("right") => {
                parent.child_by_field_id(crate::field!("left"))
            }
            _ => return may,
        };
        // Stored in a property, an array, an outer variable: kept as long
        // as that is, which this function does not know.
        let Some(holder) = holder.filter(|h| h.kind() == "identifier") else {
            return may;
        };
        let Some(Resolution::Local(local)) =
            self.flow.resolution_at(&holder.byte_range()).or_else(|| {
                self.flow
                    .binding_declared_at(&holder.byte_range())
                    .map(Resolution::Local)
            })
        else {
            return may;
        };
        if depth >= 2 {
            return may;
        }
        match self.held_at(local, await_index, depth + 1).0 {
            Held::Kept(certainty) => Some(certainty),
            Held::Nothing => None,
        }
    }
}

/// The outermost parenthesized expression around `node` (`((f))` for `f`),
/// or `node` itself: where the code around sees its value.
fn outermost_parens(node: Node) -> Node {
    let mut at = node;
    while let Some(parent) = at.parent() {
        if parent.kind() != "parenthesized_expression" {
            break;
        }
        at = parent;
    }
    at
}
