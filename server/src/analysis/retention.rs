//! What a suspended async function keeps alive at each `await`, as V8 in
//! Node 24 does it.
//!
//! Measured on Node 24 (`node --expose-gc`, a `FinalizationRegistry`, the
//! awaited promise kept pending; `tests/retention.rs` checks every claim):
//!
//! - Every local and parameter of the frame keeps the value it holds when the
//!   function suspends, read later or not, in whatever block it was declared:
//!   a dead `const`, a `const` of an inner block that has ended (also in a
//!   `switch` case or a labeled block), an unused parameter, a destructured
//!   binding, the last value of a finished loop's variable. Ignition saves the
//!   whole register file at a suspension (`SuspendGenerator`), and V8 gives
//!   every block-scoped local a register of its own. A value is released only
//!   when the binding is overwritten (`x = null`) or the function returns;
//!   work done in a helper function frees the helper's locals when it returns.
//! - A `let`/`const` declared in a loop body after the `await` still holds the
//!   previous iteration's value there (V8 skips the hole reset when it can).
//! - A variable a closure refers to lives in a context. The function's own
//!   context (parameters, top-level bindings, every `var`) and the context of
//!   a loop head stay with the suspended frame, closure or not. The context
//!   of an inner block (or of `catch (e)`), once the block has ended, lives
//!   only as long as a closure created in it: kept when that closure is held
//!   by a local of the frame or stored elsewhere, freed when the closure was
//!   only called in place.
//! - `catch (e)` with a plain identifier: `e` is released when the `catch`
//!   block ends (it lives in the catch context); `catch ({ v })` binds `v` as
//!   an ordinary block local, kept.
//! - When the function reads `arguments`, the arguments object keeps every
//!   argument for the whole call, also a parameter set to `null`. Arguments
//!   beyond the parameters are otherwise not kept.
//!
//! Optimized code (TurboFan, Maglev) may drop a dead register at a suspension;
//! a function that runs a few times is interpreted, so "kept" is what a
//! developer sees. Where a binding holds a value on some paths only, the claim
//! is conditional ([`Certainty::May`]); nothing is ever claimed "not kept"
//! unless every path overwrites it, and a value that other code may also
//! hold is said to be released by this function only ([`ReleasedVar::shared`]).

use std::ops::Range;

use tree_sitter::{Node, Tree};

use crate::syntax::js::is_function;

use super::dataflow::{
    contains, for_in_head_of, preorder, Access, Binding, BindingKind, FunctionFlow, LargeValue,
    Resolution, Walk,
};

/// Why the suspended function keeps a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetentionGroup {
    /// The function's own code may read it after the await.
    Live,
    /// Not needed any more, but the suspended frame still holds it.
    Idle,
    /// Held by a closure that outlives the await, not by the frame itself
    /// (a variable of an inner block that has ended).
    Closure,
}

/// How sure the claim is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Certainty {
    /// On every path that reaches the await.
    Certain,
    /// Only in some cases, for the reason given.
    May(MayReason),
}

/// Why a retention claim is conditional.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MayReason {
    /// The binding gets a value (or a value that is not an object) on some
    /// paths to the await only.
    SomePaths,
    /// The value is the one a previous loop iteration left.
    EarlierIteration,
    /// The value is what a loop's last iteration left, if the loop ran.
    LoopMayNotRun,
    /// A closure created in the block may or may not be kept by the code it
    /// was handed to.
    ClosureMayOutlive,
    /// `eval` or `with` can reach every binding.
    DynamicScope,
}

/// A local or parameter whose value the suspended function keeps.
#[derive(Clone, Debug, PartialEq)]
pub struct RetainedVar {
    pub name: String,
    pub decl_range: Range<usize>,
    pub kind: BindingKind,
    pub group: RetentionGroup,
    pub certainty: Certainty,
    /// A closure refers to the variable (setting it to `null` also clears it
    /// for the closure).
    pub captured: bool,
    pub likely_large: Option<LargeValue>,
    /// A closure that reads the variable and may run after the await: the
    /// variable is needed, whatever the function's own code does with it (a
    /// closure captures the binding, not its value, so clearing the binding
    /// breaks the closure).
    pub read_by_closure: Option<ClosureRead>,
    /// A `for...of`/`for...in` loop that iterates over the variable's value
    /// and is running at the await: its iterator holds the value too, so
    /// clearing the variable frees nothing before the loop ends.
    pub held_by_loop: Option<LoopKind>,
    /// The variable is the head binding of a loop whose body holds the
    /// await: it holds the element of the current iteration.
    pub current_element: bool,
}

/// A closure that reads a variable of the suspended function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosureRead {
    /// The closure's whole text.
    pub range: Range<usize>,
    /// The variable the closure is stored in (`const log = () => ...`), or the
    /// function declaration's name.
    pub name: Option<String>,
    /// Created after the await (or by a later iteration of a loop around it),
    /// so it certainly reads the value then if it runs; otherwise it was
    /// created before the await and may still run.
    pub created_after: bool,
}

/// Which loop holds an iterable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoopKind {
    ForOf,
    ForIn,
}

/// Why a value a binding held earlier is no longer kept at the await.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReleaseReason {
    /// Overwritten on every path to the await, by the statement at this range.
    Overwritten { at: Range<usize> },
    /// A variable of an inner block that has ended, and every closure created
    /// in that block is gone.
    ClosuresGone,
    /// The parameter of a `catch` block that has ended.
    CatchEnded,
}

/// A binding whose earlier value the suspended function no longer keeps.
#[derive(Clone, Debug, PartialEq)]
pub struct ReleasedVar {
    pub name: String,
    pub decl_range: Range<usize>,
    pub reason: ReleaseReason,
    /// The value was handed to other code (passed to a call, copied to
    /// another variable, returned by a closure): the function no longer
    /// holds it, but that code may.
    pub shared: bool,
    /// The call the value was first passed to, when that is how it was
    /// handed over (`parseRequest(body)`).
    pub handed_to: Option<Range<usize>>,
}

/// What the suspended function keeps at one `await`.
#[derive(Clone, Debug, PartialEq)]
pub struct AwaitRetention {
    /// The whole `await` expression.
    pub await_range: Range<usize>,
    pub retained: Vec<RetainedVar>,
    pub released: Vec<ReleasedVar>,
    /// The function reads `arguments`: every argument of the call is kept.
    pub keeps_arguments: bool,
}

/// For each `await` of `function` (its own, not those of nested functions),
/// what the suspended function keeps alive and what it has released. `tree`
/// must be the parse `function` comes from.
pub fn retained_at_awaits(source: &str, _tree: &Tree, function: Node) -> Vec<AwaitRetention> {
    retained_with_flow(source, function, &FunctionFlow::new(source, function))
}

/// [`retained_at_awaits`] with `function`'s data flow already computed.
pub fn retained_with_flow(
    source: &str,
    function: Node,
    flow: &FunctionFlow,
) -> Vec<AwaitRetention> {
    let model = Model::new(source, function, flow);
    (0..flow.awaits.len())
        .map(|await_index| model.at_await(await_index))
        .collect()
}

/// A place where a binding gets a value.
#[derive(Clone, Debug)]
struct Write {
    /// The declaring or assigned identifier.
    ident: Range<usize>,
    /// From here on the binding holds the value.
    end: usize,
    /// The value is `null`, `undefined`, a number, a string or a boolean:
    /// nothing worth keeping.
    primitive: bool,
    /// The binding gets it on every path that reaches a later point of the
    /// enclosing block (see [`Model::dominates`]).
    entry: bool,
}

/// What one binding holds at one await.
enum Held {
    /// No value from this frame's code reaches the await.
    Nothing,
    Kept(Certainty),
}

struct Model<'a, 't> {
    source: &'a str,
    function: Node<'t>,
    flow: &'a FunctionFlow,
    writes: Vec<Vec<Write>>,
    /// Own-code `try` statements (their bodies can be left by a throw).
    tries: Vec<Node<'t>>,
    /// Own-code `break` and `continue` statements.
    jumps: Vec<Range<usize>>,
    keeps_arguments: bool,
    dynamic_scope: bool,
    /// Per binding: [`Model::value_stays_in_binding`], computed once.
    stays: Vec<bool>,
    /// Per binding: the call the value is first passed to as an argument.
    handed_to: Vec<Option<Range<usize>>>,
    /// Per binding: the closures of the function's own code (outermost
    /// nested functions) that read it.
    closure_reads: Vec<Vec<Node<'t>>>,
    /// Own-code `for...of` and `for...in` statements.
    for_in_loops: Vec<Node<'t>>,
}

impl<'a, 't> Model<'a, 't> {
    fn new(source: &'a str, function: Node<'t>, flow: &'a FunctionFlow) -> Model<'a, 't> {
        let mut tries = Vec::new();
        let mut jumps = Vec::new();
        let mut for_in_loops = Vec::new();
        let mut keeps_arguments = false;
        let mut dynamic_scope = false;
        let is_arrow = function.kind() == "arrow_function";
        preorder(function, |node| {
            if node != function && is_function(node) {
                // Arrow functions see the enclosing `arguments`; `eval` in any
                // nested function can only reach its own scope chain, which
                // includes ours, so keep looking for it there.
                if node.kind() != "arrow_function" {
                    if let Some(body) = node.child_by_field_id(crate::field!("body")) {
                        preorder(body, |inner| {
                            dynamic_scope |= is_direct_eval(source, inner);
                            Walk::Enter
                        });
                    }
                    return Walk::Skip;
                }
            }
            match node.kind() {
                "try_statement" => tries.push(node),
                "for_in_statement" => for_in_loops.push(node),
                "break_statement" | "continue_statement" => jumps.push(node.byte_range()),
                "with_statement" => dynamic_scope = true,
                "identifier" if !is_arrow && &source[node.byte_range()] == "arguments" => {
                    keeps_arguments = true
                }
                _ => dynamic_scope |= is_direct_eval(source, node),
            }
            Walk::Enter
        });
        let mut model = Model {
            source,
            function,
            flow,
            writes: Vec::new(),
            tries,
            jumps,
            keeps_arguments,
            dynamic_scope,
            stays: Vec::new(),
            handed_to: vec![None; flow.bindings.len()],
            closure_reads: vec![Vec::new(); flow.bindings.len()],
            for_in_loops,
        };
        model.writes = (0..flow.bindings.len())
            .map(|index| model.writes_of(index))
            .collect();
        model.stays = vec![true; flow.bindings.len()];
        for reference in &flow.references {
            if let Resolution::Local(index) = reference.resolution {
                if reference.access != Access::Write
                    && model.stays[index]
                    && !model.only_reads_a_property(&reference.range)
                {
                    model.stays[index] = false;
                    model.handed_to[index] = model.call_given(&reference.range);
                }
                if reference.in_closure && reference.access != Access::Write {
                    if let Some(closure) = model.outermost_closure(&reference.range) {
                        if !model.closure_reads[index].contains(&closure) {
                            model.closure_reads[index].push(closure);
                        }
                    }
                }
            }
        }
        model
    }

    /// The call whose argument is the identifier at `range` (`f(x)`).
    fn call_given(&self, range: &Range<usize>) -> Option<Range<usize>> {
        let arguments = self.node_at(range)?.parent()?;
        let call = arguments.parent()?;
        (arguments.kind() == "arguments" && call.kind() == "call_expression")
            .then(|| call.byte_range())
    }

    /// The running `for...of`/`for...in` loop around `point` that iterates
    /// over binding `index` itself (`for (const x of items)`): its iterator
    /// holds the value the binding had when the loop started.
    fn running_loop_over(&self, index: usize, point: &Range<usize>) -> Option<Node<'t>> {
        self.for_in_loops.iter().copied().find(|l| {
            let body_holds_point = l
                .child_by_field_id(crate::field!("body"))
                .is_some_and(|body| contains(&body.byte_range(), point));
            let over_binding = l
                .child_by_field_id(crate::field!("right"))
                .filter(|right| right.kind() == "identifier")
                .is_some_and(|right| {
                    self.flow.resolution_at(&right.byte_range()) == Some(Resolution::Local(index))
                });
            body_holds_point && over_binding
        })
    }

    /// Binding `index` is the head binding of a loop whose body holds `point`.
    fn is_current_element(&self, binding: &Binding, point: &Range<usize>) -> bool {
        self.node_at(&binding.decl_range)
            .and_then(for_in_head_of)
            .and_then(|for_in| for_in.child_by_field_id(crate::field!("body")))
            .is_some_and(|body| contains(&body.byte_range(), point))
    }

    fn at_await(&self, await_index: usize) -> AwaitRetention {
        let point = &self.flow.awaits[await_index].range;
        let mut retained = Vec::new();
        let mut released = Vec::new();
        for (index, binding) in self.flow.bindings.iter().enumerate() {
            if !matches!(
                binding.kind,
                BindingKind::Param
                    | BindingKind::Var
                    | BindingKind::Let
                    | BindingKind::Const
                    | BindingKind::CatchParam
            ) {
                continue;
            }
            let (held, mut release) = self.held_at(index, await_index, 0);
            let running_loop = self.running_loop_over(index, point);
            // Cleared inside a loop that iterates over it: the loop's
            // iterator still holds the value until the loop ends.
            if let (Some(ReleaseReason::Overwritten { at }), Some(l)) = (&release, running_loop) {
                if contains(&l.byte_range(), at) {
                    release = None;
                }
            }
            if let Some(reason) = release {
                released.push(ReleasedVar {
                    name: binding.name.clone(),
                    decl_range: binding.decl_range.clone(),
                    reason,
                    shared: !self.value_stays_in_binding(index),
                    handed_to: self.handed_to[index].clone(),
                });
            }
            let Held::Kept(certainty) = held else {
                continue;
            };
            let read_by_closure = self.closure_reading_after(index, await_index);
            let group = if self.ended_block_context(binding, point) {
                RetentionGroup::Closure
            } else if self.flow.is_live_after(index, await_index) || read_by_closure.is_some() {
                RetentionGroup::Live
            } else {
                RetentionGroup::Idle
            };
            // The loop holds the value the binding had when it started,
            // unless the binding got another one inside the loop since.
            let held_by_loop = running_loop
                .filter(|l| {
                    !binding
                        .writes
                        .iter()
                        .any(|w| contains(&l.byte_range(), w) && w.start < point.start)
                })
                .map(|l| {
                    let mut cursor = l.walk();
                    let of = l.children(&mut cursor).any(|c| c.kind() == "of");
                    match of {
                        true => LoopKind::ForOf,
                        false => LoopKind::ForIn,
                    }
                });
            retained.push(RetainedVar {
                name: binding.name.clone(),
                decl_range: binding.decl_range.clone(),
                kind: binding.kind,
                group,
                certainty,
                captured: binding.captured,
                likely_large: binding.likely_large.clone(),
                read_by_closure,
                held_by_loop,
                current_element: self.is_current_element(binding, point),
            });
        }
        AwaitRetention {
            await_range: point.clone(),
            retained,
            released,
            keeps_arguments: self.keeps_arguments,
        }
    }

    /// What binding `index` holds at await `await_index`, and why an earlier
    /// value of it is certainly no longer kept, if it is not.
    fn held_at(
        &self,
        index: usize,
        await_index: usize,
        depth: usize,
    ) -> (Held, Option<ReleaseReason>) {
        let binding = &self.flow.bindings[index];
        let point = &self.flow.awaits[await_index].range;
        let writes = &self.writes[index];
        // The arguments object keeps every argument, whatever the parameter holds now.
        if binding.kind == BindingKind::Param && self.keeps_arguments {
            return (Held::Kept(self.sure(Certainty::Certain)), None);
        }
        let reaching: Vec<&Write> = writes
            .iter()
            .filter(|w| self.reaches(index, w, point))
            .collect();
        let mut release = None;
        if !self.dynamic_scope {
            // An object value written before the await that no longer reaches it.
            if let Some(kill) = writes
                .iter()
                .filter(|w| !w.primitive && w.end <= point.start)
                .filter(|w| !reaching.iter().any(|r| r.ident == w.ident))
                .find_map(|w| self.certain_kill(binding, w, point))
            {
                release = Some(ReleaseReason::Overwritten { at: kill.stmt });
            }
        }
        let objects: Vec<&&Write> = reaching.iter().filter(|w| !w.primitive).collect();
        if objects.is_empty() {
            return (Held::Nothing, release);
        }
        let certainty = if reaching.iter().any(|w| w.primitive) {
            Certainty::May(MayReason::SomePaths)
        } else if objects.iter().any(|w| self.dominates(w, point)) {
            Certainty::Certain
        } else if objects.iter().all(|w| w.ident.start >= point.end) {
            Certainty::May(MayReason::EarlierIteration)
        } else if objects.iter().any(|w| self.is_loop_head(w)) {
            Certainty::May(MayReason::LoopMayNotRun)
        } else {
            Certainty::May(MayReason::SomePaths)
        };
        // A variable of an inner block or `catch` that has ended lives on only
        // in its context, as long as a closure created there does.
        let plain_catch = binding.kind == BindingKind::CatchParam
            && !contains(&binding.scope, point)
            && self.is_plain_catch_param(binding);
        if plain_catch && !binding.captured {
            return (Held::Nothing, Some(ReleaseReason::CatchEnded));
        }
        if self.ended_block_context(binding, point) {
            return match self.block_closures_outlive(binding, await_index, depth) {
                Some(closure) => (Held::Kept(self.sure(weakest(certainty, closure))), release),
                None => {
                    let reason = (!self.dynamic_scope).then_some(ReleaseReason::ClosuresGone);
                    (Held::Nothing, reason.or(release))
                }
            };
        }
        (Held::Kept(self.sure(certainty)), release)
    }

    fn sure(&self, certainty: Certainty) -> Certainty {
        match self.dynamic_scope {
            true => Certainty::May(MayReason::DynamicScope),
            false => certainty,
        }
    }

    /// The binding is context-allocated in an inner block (or `catch`) that
    /// does not contain `point`: its value lives in that block's context.
    fn ended_block_context(&self, binding: &Binding, point: &Range<usize>) -> bool {
        if !binding.captured || contains(&binding.scope, point) {
            return false;
        }
        match binding.kind {
            BindingKind::Let | BindingKind::Const => self
                .node_at(&binding.scope)
                .is_some_and(|scope| matches!(scope.kind(), "statement_block" | "switch_body")),
            BindingKind::CatchParam => self.is_plain_catch_param(binding),
            _ => false,
        }
    }

    fn is_plain_catch_param(&self, binding: &Binding) -> bool {
        self.node_at(&binding.decl_range)
            .and_then(|ident| ident.parent())
            .is_some_and(|parent| parent.kind() == "catch_clause")
    }

    /// Whether every use of the binding, in the function and its closures,
    /// only reads a property of its value (`x.size`, `x.items = []`), so no
    /// other reference can have taken the value itself.
    fn value_stays_in_binding(&self, index: usize) -> bool {
        self.stays.get(index).copied().unwrap_or(false)
    }

    /// Whether the identifier at `range` is the object of a property read or
    /// write. A method call (`x.f()`) hands the value to `f` as `this` and
    /// does not count.
    fn only_reads_a_property(&self, range: &Range<usize>) -> bool {
        let Some(node) = self.node_at(range) else {
            return false;
        };
        let Some(parent) = node.parent() else {
            return false;
        };
        parent.kind() == "member_expression"
            && parent.child_by_field_id(crate::field!("object")) == Some(node)
            && !parent.parent().is_some_and(|call| {
                call.kind() == "call_expression"
                    && call.child_by_field_id(crate::field!("function")) == Some(parent)
            })
    }

    /// The node whose range is exactly `range` (the outermost such).
    fn node_at(&self, range: &Range<usize>) -> Option<Node<'t>> {
        let mut node = self
            .function
            .descendant_for_byte_range(range.start, range.end)?;
        while let Some(parent) = node.parent() {
            if parent.byte_range() != *range || parent.id() == self.function.id() {
                break;
            }
            node = parent;
        }
        (node.byte_range() == *range).then_some(node)
    }
}

fn weakest(a: Certainty, b: Certainty) -> Certainty {
    match (a, b) {
        (Certainty::Certain, other) | (other, Certainty::Certain) => other,
        (may, _) => may,
    }
}

/// `eval(...)` called by that name: a direct eval, which sees every binding.
fn is_direct_eval(source: &str, node: Node) -> bool {
    node.kind() == "call_expression"
        && node
            .child_by_field_id(crate::field!("function"))
            .is_some_and(|f| f.kind() == "identifier" && &source[f.byte_range()] == "eval")
}

mod closures;
mod moved;
pub use moved::moved_range;
mod paths;
#[cfg(test)]
mod tests;
