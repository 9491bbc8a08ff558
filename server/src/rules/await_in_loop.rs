use std::collections::HashSet;

use tree_sitter::Node;

use crate::analysis::dataflow::{for_in_declaration_kind, is_loop, preorder, Walk};
use crate::findings::{Finding, Fix};
use crate::syntax::awaits::AwaitExpr;
use crate::syntax::js::{
    enclosing_function, is_async_function, is_for_await, is_function, is_pause,
    named_children_but_comments, pattern_identifiers, receiver, unwrap_parens,
};

use super::report::{awaited_name, one_edit_fix};
use super::{declare_rule, RuleContext};


declare_rule! {
    // `Promise.all` overlaps the iterations: behaviour changes on purpose.
    pub struct AwaitInLoop { code: "await-in-loop", docs: "await_in_loop.md",
        summary: "a loop awaits each iteration although the iterations are independent",
        severity: Hint, default: off, fixes: [ChangesBehaviour], triggers: [Word("await")],
        precision: { tuning: "100% (3 of 3 findings, 2026-11-25)", held_out: 3 of 12, held_out_tests: 8 of 13, held_out_second: 3 of 20 },
        queries: [LOOPS("loops.scm", ["loop", "loop.body"])],
    }
}

fn check(ctx: &RuleContext) -> Vec<Finding> {
    META.report_each(detect(ctx), |found| {
        let fix = found
            .fixable
            .then(|| map_fix(ctx, found.node, found.body))
            .flatten();
        (found.first.keyword.byte_range(), message(ctx, &found), fix)
    })
}

/// A loop whose iterations await one after another although none depends
/// on another.
struct IndependentLoop<'t> {
    node: Node<'t>,
    body: Node<'t>,
    /// The loop's first `await`, the highlight.
    first: AwaitExpr<'t>,
    /// Whether the body can move into a `Promise.all` callback as it is.
    fixable: bool,
}

fn detect<'a>(ctx: &RuleContext<'a>) -> Vec<IndependentLoop<'a>> {
    // Only an `await` inside the match makes a finding.
    ctx.filter_map_complete_captures_holding(
        &LOOPS,
        &["await"],
        ["loop", "loop.body"],
        |[node, body]| independent_loop(ctx, node, body),
    )
}

fn message(ctx: &RuleContext, found: &IndependentLoop) -> String {
    let awaited = brief(ctx, &found.first);
    format!(
        "run these independent iterations together with `Promise.all`: each one waits for \
         `{awaited}` before the next starts, although none depends on another (this changes \
         behaviour: side effects happen in a different order, and starting every iteration at \
         once may hit rate limits)"
    )
}

/// What the walk over a loop body found, ignoring nested functions' control
/// flow (their writes still count).
#[derive(Default)]
struct BodyFacts<'t> {
    /// Awaits whose innermost loop is this one, either form (`await (x).y()`).
    awaits: Vec<AwaitExpr<'t>>,
    /// Some await belongs to a nested loop.
    nested_loop_await: bool,
    early_exit: bool,
    /// A `continue` of this loop after an await.
    late_continue: bool,
    has_continue: bool,
    declares_var: bool,
    yields: bool,
    declared: HashSet<String>,
    /// Roots of assignment targets: `total`, `cache` in `cache[k] = ...`.
    written_roots: Vec<String>,
    /// Roots of `x.push(..)`-style mutations.
    pushed_roots: Vec<String>,
}

fn independent_loop<'t>(
    ctx: &RuleContext<'t>,
    node: Node<'t>,
    body: Node<'t>,
) -> Option<IndependentLoop<'t>> {
    if !ctx.contains_await(body) {
        return None;
    }
    let head_names = loop_head(ctx, node)?;
    let facts = body_facts(ctx, node, body);
    let first = *facts.awaits.first()?;
    let function = enclosing_function(node);
    if function.is_some_and(|f| !is_async_function(f)) {
        return None;
    }
    if facts.early_exit || facts.late_continue || facts.declares_var || facts.yields {
        return None;
    }
    let mut local = facts.declared.clone();
    local.extend(head_names.iter().cloned());
    if facts.written_roots.iter().any(|root| !local.contains(root)) {
        return None;
    }
    let deliberate = facts.awaits.iter().any(|a| {
        ctx.source[a.operand_range()].contains("setTimeout")
            || callee_name(ctx, a).is_some_and(|name| {
                is_pause(name)
                    || matches!(
                        name,
                        "Promise.all" | "Promise.allSettled" | "Promise.race" | "Promise.any"
                    )
            })
    });
    // Awaiting promises that already exist (`await pair.value`) starts nothing:
    // overlapping the iterations would gain nothing.
    let starts_work = facts.awaits.iter().any(|a| callee_name(ctx, a).is_some());
    // `results.push(..)` plus another read of `results` in the body: later
    // iterations see what earlier ones pushed.
    let mentions = crate::analysis::dataflow::names_mentioned(body, ctx.source);
    let pushed_and_read = facts.pushed_roots.iter().any(|root| {
        !local.contains(root) && mentions.contains(root) && {
            let pushes = facts.pushed_roots.iter().filter(|r| *r == root).count();
            count_mentions(ctx, body, root) > pushes
        }
    });
    // Two awaited calls through the same object (`this.cd(d)` then `this.cdup()`):
    // an ordered protocol on one connection or one piece of state.
    let mut receivers = HashSet::new();
    let same_receiver_twice = facts.awaits.iter().any(|a| {
        a.operand
            .and_then(|operand| callee_receiver(ctx, operand))
            .is_some_and(|receiver| !receivers.insert(receiver))
    });
    // Hooks, ordered teardown, statements on one connection: the order is the point.
    let ordered = facts
        .awaits
        .iter()
        .any(|a| ordered::ordered_step(ctx, a, &head_names, &local));
    // A benchmark: each iteration is timed, or runs a worker of its own;
    // isolation is the point.
    let timed = timed_or_isolated(ctx, body, &facts.awaits);
    if !starts_work || pushed_and_read || same_receiver_twice || ordered || timed {
        return None;
    }
    let head_text = ctx.source[node.start_byte()..body.start_byte()].to_ascii_lowercase();
    if deliberate
        || head_text.contains("migration")
        || head_text.contains("retr")
        || head_text.contains("attempt")
    {
        return None;
    }
    let outer_push = facts.pushed_roots.iter().any(|root| !local.contains(root));
    Some(IndependentLoop {
        node,
        body,
        first,
        fixable: !(outer_push || facts.has_continue || facts.nested_loop_await),
    })
}

/// Whether the body starts a `Worker` (a thread of its own, awaited one at a
/// time so they do not compete for the cores), or reads a clock
/// (`performance.now()`, `process.hrtime()`, `Date.now()`) both before its
/// first await and after its last: it times each iteration alone.
fn timed_or_isolated(ctx: &RuleContext, body: Node, awaits: &[AwaitExpr]) -> bool {
    let (Some(first), Some(last)) = (awaits.first(), awaits.last()) else {
        return false;
    };
    let (start, end) = (first.range().start, last.range().end);
    let (mut before, mut after, mut worker) = (false, false, false);
    preorder(body, |n| {
        match n.kind() {
            "new_expression" => {
                worker |= n
                    .child_by_field_id(crate::field!("constructor"))
                    .is_some_and(|c| {
                        let text = ctx.text(c);
                        text == "Worker" || text.ends_with(".Worker")
                    });
            }
            "call_expression" => {
                let clock = n
                    .child_by_field_id(crate::field!("function"))
                    .is_some_and(|f| {
                        matches!(
                            ctx.text(f),
                            "performance.now"
                                | "process.hrtime"
                                | "process.hrtime.bigint"
                                | "Date.now"
                                | "hrtime"
                                | "hrtime.bigint"
                        )
                    });
                before |= clock && n.end_byte() <= start;
                after |= clock && n.start_byte() >= end;
            }
            _ => {}
        }
        Walk::Enter
    });
    worker || (before && after)
}

/// The names the loop head declares, or `None` when the loop is not one the
/// rule reasons about.
fn loop_head(ctx: &RuleContext, node: Node) -> Option<Vec<String>> {
    match node.kind() {
        "for_in_statement" => {
            if is_for_await(node) || !matches!(for_in_declaration_kind(node), Some("const" | "let"))
            {
                return None;
            }
            let left = node.child_by_field_id(crate::field!("left"))?;
            Some(
                pattern_identifiers(left)
                    .into_iter()
                    .map(|ident| ctx.text(ident).to_owned())
                    .collect(),
            )
        }
        "for_statement" => counter_loop(ctx, node).map(|counter| vec![counter]),
        _ => None,
    }
}

/// `for (let i = ...; i < n; i++)`: the counter's name.
fn counter_loop(ctx: &RuleContext, node: Node) -> Option<String> {
    let init = node.child_by_field_id(crate::field!("initializer"))?;
    if init.kind() != "lexical_declaration" || init.named_child_count() != 1 {
        return None;
    }
    let declarator = init.named_child(0)?;
    let name = declarator.child_by_field_id(crate::field!("name"))?;
    if name.kind() != "identifier" {
        return None;
    }
    let counter = ctx.text(name);
    let condition = node.child_by_field_id(crate::field!("condition"))?;
    let condition = if condition.kind() == "expression_statement" {
        condition.named_child(0)?
    } else {
        condition
    };
    let left = condition
        .child_by_field_id(crate::field!("left"))
        .map(|n| ctx.text(n));
    let right = condition
        .child_by_field_id(crate::field!("right"))
        .map(|n| ctx.text(n));
    let operator = condition
        .child_by_field_id(crate::field!("operator"))
        .map(|n| ctx.text(n));
    let bounded = match operator {
        Some("<" | "<=" | "!=" | "!==") => left == Some(counter),
        Some(">" | ">=") => right == Some(counter),
        _ => false,
    };
    let increment = node.child_by_field_id(crate::field!("increment"))?;
    let step: String = ctx.text(increment).split_whitespace().collect();
    let steps_by_one = [
        format!("{counter}++"),
        format!("++{counter}"),
        format!("{counter}+=1"),
        format!("{counter}={counter}+1"),
    ]
    .contains(&step);
    (bounded && steps_by_one).then(|| counter.to_owned())
}

fn body_facts<'t>(ctx: &RuleContext<'t>, node: Node<'t>, body: Node<'t>) -> BodyFacts<'t> {
    let mut facts = BodyFacts::default();
    preorder(body, |n| {
        let in_closure = inside_function_below(n, node);
        if let Some(awaited) = ctx.await_at(n).filter(|_| !in_closure) {
            if innermost_loop(n) == Some(node) {
                facts.awaits.push(awaited);
            } else {
                facts.nested_loop_await = true;
            }
        }
        match n.kind() {
            "return_statement" if !in_closure => facts.early_exit = true,
            "yield_expression" if !in_closure => facts.yields = true,
            "break_statement" | "continue_statement" if !in_closure => {
                let labelled = n.named_child_count() > 0;
                let targets_this =
                    innermost_breakable(n, n.kind() == "break_statement") == Some(node);
                if labelled || (targets_this && n.kind() == "break_statement") {
                    facts.early_exit = true;
                } else if targets_this {
                    facts.has_continue = true;
                    let after_await = facts
                        .awaits
                        .first()
                        .is_some_and(|a| a.range().start < n.start_byte());
                    facts.late_continue |= after_await;
                }
            }
            "throw_statement" if !in_closure && !caught_within(n, body) => facts.early_exit = true,
            "variable_declaration" if !in_closure => facts.declares_var = true,
            "variable_declarator" => {
                if let Some(name) = n.child_by_field_id(crate::field!("name")) {
                    for ident in pattern_identifiers(name) {
                        facts.declared.insert(ctx.text(ident).to_owned());
                    }
                }
            }
            "formal_parameters" | "catch_clause" => {
                let target = if n.kind() == "catch_clause" {
                    n.child_by_field_id(crate::field!("parameter"))
                } else {
                    Some(n)
                };
                if let Some(target) = target {
                    let params: Vec<Node> = if n.kind() == "catch_clause" {
                        vec![target]
                    } else {
                        named_children_but_comments(target)
                    };
                    for param in params {
                        for ident in pattern_identifiers(param) {
                            facts.declared.insert(ctx.text(ident).to_owned());
                        }
                    }
                }
            }
            "arrow_function" => {
                if let Some(param) = n.child_by_field_id(crate::field!("parameter")) {
                    facts.declared.insert(ctx.text(param).to_owned());
                }
            }
            "function_declaration" | "class_declaration" => {
                if let Some(name) = n.child_by_field_id(crate::field!("name")) {
                    facts.declared.insert(ctx.text(name).to_owned());
                }
            }
            "for_in_statement" => {
                if let Some(left) = n.child_by_field_id(crate::field!("left")) {
                    let names = pattern_identifiers(left)
                        .into_iter()
                        .map(|ident| ctx.text(ident).to_owned());
                    if for_in_declaration_kind(n).is_some() {
                        facts.declared.extend(names);
                    } else {
                        facts.written_roots.extend(names);
                    }
                }
            }
            "assignment_expression" | "augmented_assignment_expression" => {
                if let Some(left) = n.child_by_field_id(crate::field!("left")) {
                    if matches!(left.kind(), "array_pattern" | "object_pattern") {
                        for ident in pattern_identifiers(left) {
                            facts.written_roots.push(ctx.text(ident).to_owned());
                        }
                        // Member targets inside a pattern count as outer writes.
                        facts.written_roots.push(String::new());
                    } else if let Some(root) = root_name(ctx, left) {
                        facts.written_roots.push(root);
                    }
                }
            }
            "update_expression" => {
                if let Some(root) = n.named_child(0).and_then(|arg| root_name(ctx, arg)) {
                    facts.written_roots.push(root);
                }
            }
            "unary_expression" if n.child(0).is_some_and(|op| op.kind() == "delete") => {
                if let Some(root) = n.named_child(0).and_then(|arg| root_name(ctx, arg)) {
                    facts.written_roots.push(root);
                }
            }
            "call_expression" => {
                let callee = n.child_by_field_id(crate::field!("function"));
                if let Some(callee) = callee.filter(|c| c.kind() == "member_expression") {
                    let method = callee
                        .child_by_field_id(crate::field!("property"))
                        .map(|p| ctx.text(p));
                    if matches!(method, Some("push" | "unshift" | "add" | "set" | "splice")) {
                        if let Some(root) = callee
                            .child_by_field_id(crate::field!("object"))
                            .and_then(|o| root_name(ctx, o))
                        {
                            facts.pushed_roots.push(root);
                        }
                    }
                }
            }
            _ => {}
        }
        Walk::Enter
    });
    facts
}

/// The object an awaited method call goes through: `this`, `client`.
fn callee_receiver<'a>(ctx: &RuleContext<'a>, operand: Node) -> Option<&'a str> {
    let callee = unwrap_parens(operand).child_by_field_id(crate::field!("function"))?;
    receiver(callee).map(|node| ctx.text(node))
}

/// How many times `name` is mentioned as a variable in `node`.
fn count_mentions(ctx: &RuleContext, node: Node, name: &str) -> usize {
    let mut count = 0;
    preorder(node, |n| {
        if matches!(n.kind(), "identifier" | "shorthand_property_identifier") && ctx.text(n) == name
        {
            count += 1;
        }
        Walk::Enter
    });
    count
}

/// The variable an assignment target hangs from: `a` in `a`, `a.b[c]`; `this`.
fn root_name(ctx: &RuleContext, target: Node) -> Option<String> {
    let mut node = target;
    loop {
        match node.kind() {
            "member_expression" | "subscript_expression" => {
                node = node.child_by_field_id(crate::field!("object"))?
            }
            "parenthesized_expression" => node = node.named_child(0)?,
            "identifier" | "this" => return Some(ctx.text(node).to_owned()),
            _ => return Some(String::new()),
        }
    }
}

/// Whether `node` sits in a function nested inside `outer`.
fn inside_function_below(node: Node, outer: Node) -> bool {
    let mut at = node.parent();
    while let Some(parent) = at {
        if parent == outer {
            return false;
        }
        if is_function(parent) {
            return true;
        }
        at = parent.parent();
    }
    false
}

fn innermost_loop(node: Node) -> Option<Node> {
    let mut at = node.parent();
    while let Some(parent) = at {
        if is_function(parent) {
            return None;
        }
        if is_loop(parent) {
            return Some(parent);
        }
        at = parent.parent();
    }
    None
}

/// The loop (or, for `break`, the `switch`) an unlabelled jump leaves.
fn innermost_breakable(node: Node, is_break: bool) -> Option<Node> {
    let mut at = node.parent();
    while let Some(parent) = at {
        if is_function(parent) {
            return None;
        }
        if is_loop(parent) || (is_break && parent.kind() == "switch_statement") {
            return Some(parent);
        }
        at = parent.parent();
    }
    None
}

/// A `throw` inside a `try` (within the loop body) that has a `catch`.
fn caught_within(throw: Node, body: Node) -> bool {
    let mut child = throw;
    while let Some(parent) = child.parent() {
        if parent == body || is_function(parent) {
            return false;
        }
        if parent.kind() == "try_statement"
            && parent.child_by_field_id(crate::field!("body")) == Some(child)
            && parent.child_by_field_id(crate::field!("handler")).is_some()
        {
            return true;
        }
        child = parent;
    }
    false
}

/// The callee of the awaited call or `new`, either form of `await`.
fn callee_name<'a>(ctx: &RuleContext<'a>, awaited: &AwaitExpr) -> Option<&'a str> {
    awaited.operand_callee().map(|callee| &ctx.source[callee])
}

fn brief(ctx: &RuleContext, awaited: &AwaitExpr) -> String {
    awaited_name(ctx.source, awaited)
}

/// Whether `expr` is certainly an array, so `.map` exists on it.
fn is_array(ctx: &RuleContext, expr: Node) -> bool {
    match expr.kind() {
        "array" => true,
        "call_expression" => {
            let Some(callee) = expr.child_by_field_id(crate::field!("function")) else {
                return false;
            };
            let text = ctx.text(callee);
            if matches!(
                text,
                "Object.keys" | "Object.values" | "Object.entries" | "Array.from" | "Array.of"
            ) {
                return true;
            }
            callee.kind() == "member_expression"
                && callee
                    .child_by_field_id(crate::field!("property"))
                    .is_some_and(|p| {
                        matches!(
                            ctx.text(p),
                            "map" | "filter" | "slice" | "concat" | "flat" | "flatMap" | "split"
                        )
                    })
        }
        _ => false,
    }
}

/// `for (const x of xs) { body }` → `await Promise.all(xs.map(async (x) => { body }));`
fn map_fix(ctx: &RuleContext, node: Node, body: Node) -> Option<Fix> {
    if node.kind() != "for_in_statement"
        || node
            .child_by_field_id(crate::field!("operator"))
            .map(|o| o.kind())
            != Some("of")
        || node
            .parent()
            .is_some_and(|p| p.kind() == "labeled_statement")
    {
        return None;
    }
    let left = node.child_by_field_id(crate::field!("left"))?;
    let right = node.child_by_field_id(crate::field!("right"))?;
    let body_text = if body.kind() == "statement_block" {
        ctx.text(body).to_owned()
    } else {
        format!("{{ {} }}", ctx.text(body))
    };
    let callback = format!("async ({}) => {}", ctx.text(left), body_text);
    let iterable = ctx.text(right);
    let mapped = if is_array(ctx, right) {
        format!("{iterable}.map({callback})")
    } else {
        format!("Array.from({iterable}, {callback})")
    };
    Some(one_edit_fix(
        "Run the iterations together with `Promise.all`".to_owned(),
        FIX_SAFETY,
        node.byte_range(),
        format!("await Promise.all({mapped});"),
    ))
}

mod ordered;
#[cfg(test)]
mod tests;
