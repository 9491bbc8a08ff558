//! What the editor shows about *when* code runs: per-await resume ticks and
//! retained variables, per-function contracts, dropped promises and the
//! predicted output. Computed once per document version from the ordering
//! engine, the data-flow analysis and the shared async facts; hover, inlay
//! hints and code lens only read it.

use std::collections::HashSet;
use std::ops::Range;

use tree_sitter::{Node, Tree};

use crate::engine::{self, LaterPhase, ModuleKind, OrderOutcome, ResumeTick};
use crate::syntax::awaits::{self, SuspensionKind};
use crate::syntax::js;

use super::dataflow;
use super::retention::{self, AwaitRetention};
use super::source_facts::{self, AsyncFacts, DroppedPromise, PromiseKind};

mod retention_text;
use retention_text::retention_text;

/// Everything the editor surfaces for one document.
#[derive(Clone, Debug)]
pub struct Insights {
    pub functions: Vec<FunctionInsight>,
    /// The awaits of an ES module's top level (its body is async too).
    pub module_awaits: Vec<AwaitInsight>,
    pub dropped: Vec<DroppedCall>,
    pub order: OrderOutcome,
}

/// How a resume sentence names an ES module's body.
pub const MODULE_BODY: &str = "the module";

#[derive(Clone, Debug)]
pub struct FunctionInsight {
    /// The whole function node.
    pub range: Range<usize>,
    /// The function's head (up to its body), where a hover shows the contract.
    pub head: Range<usize>,
    pub name: String,
    /// Whether the function is an arrow function (`async () => ...`).
    pub is_arrow: bool,
    /// The first `await` (the end of the synchronous prefix), if any.
    pub first_await: Option<Range<usize>>,
    /// The first `return` of the function's own code before its first
    /// `await`: on that path the whole call runs synchronously.
    pub early_return: Option<Range<usize>>,
    pub settles: ResumeTick,
    /// Every call's promise settled in a later phase than the call's entry, of this kind.
    pub settles_in: Option<LaterPhase>,
    /// What rejects the function's promise: `throw`s and awaits outside any `try/catch`.
    pub rejected_by: Vec<Rejection>,
    pub awaits: Vec<AwaitInsight>,
}

#[derive(Clone, Debug)]
pub struct Rejection {
    pub range: Range<usize>,
    pub what: String,
}

#[derive(Clone, Debug)]
pub struct AwaitInsight {
    /// The whole `await` expression.
    pub range: Range<usize>,
    pub operand: String,
    pub resume: ResumeTick,
    /// Every resumption comes in a later phase than the call's entry (after
    /// the nextTick queue, in a timer or an immediate): then no tick number
    /// after entry applies, and the hover names the phase.
    pub later_phase: Option<LaterPhase>,
    /// Whether the operand reads a result of the previous await, directly or
    /// through variables computed from it; `None` when there is nothing
    /// sound to say (the first await, a previous await that binds no result,
    /// an operand that starts no work, awaits in different try regions).
    pub depends_on_previous: Option<bool>,
    /// What the suspended function keeps alive here (empty for an ES
    /// module's top level, whose bindings live as long as the module).
    pub retention: Option<AwaitRetention>,
    /// The operand is a thenable that is not a native promise (so the tick
    /// includes the job that calls its `then`), on every run the engine saw.
    pub thenable: bool,
    /// In a function the program never calls, an operand that is certainly
    /// not a thenable (`await null`): it resumes one job after it is reached,
    /// whatever the arguments.
    pub plain_value: bool,
}

impl AwaitInsight {
    /// The inlay label: `tick 2`, `tick 3 (calls its then)`, `after fetch(…)`,
    /// `after the nextTick queue`.
    pub fn inlay_label(&self) -> Option<String> {
        if self.plain_value {
            let ticks = engine::job_counts().await_plain_value;
            return Some(format!("+{}", ticks_phrase(ticks)));
        }
        let tick = match self.later_phase {
            Some(phase) => short_phase(phase).to_owned(),
            None => short_tick(&self.resume)?,
        };
        Some(match self.thenable {
            true => format!("{tick} (via .then)"),
            false => tick,
        })
    }

    /// When it resumes, as sentences, for `function` (its call label).
    pub fn resume_text(&self, function: &str) -> String {
        if self.plain_value {
            let jobs = engine::job_counts().await_plain_value;
            return format!(
                "Resumes {} after this `await` is reached: `{}` is not a promise, so `await` only \
                 lets the microtasks already queued run first.",
                ticks_phrase(jobs),
                shorten(&self.operand, 40)
            );
        }
        let mut text = match self.later_phase {
            Some(phase) => describe_later_resume(phase, &self.resume, function),
            None => describe_resume(&self.resume, function),
        };
        if self.thenable {
            // One NewPromiseResolveThenableJob calls `then` (ECMA-262
            // 27.2.2.2); the engine's model says what the resumption adds.
            let more = engine::job_counts().await_thenable.saturating_sub(1);
            text.push_str(&format!(
                " `{}` is not a native `Promise` but an object with a `then` method: `await` \
                 calls its `then` one tick later, and resumes {} {} after `then` calls `resolve`.",
                shorten(&self.operand, 40),
                engine::count_word(more),
                if more == 1 { "tick" } else { "ticks" }
            ));
        }
        text
    }
}

/// `1 tick`, `2 ticks`: rounds of microtasks (see [`tick_definition`]).
fn ticks_phrase(ticks: u32) -> String {
    match ticks {
        1 => "1 tick".to_owned(),
        n => format!("{n} ticks"),
    }
}

/// A call whose promise nobody keeps.
#[derive(Clone, Debug)]
pub struct DroppedCall {
    pub range: Range<usize>,
    pub label: String,
    /// What happens to it, as a sentence: what already ran, what nobody observes.
    pub consequence: String,
    /// A `.then` chain without a rejection handler (its promise is used, not dropped).
    pub unhandled_then: bool,
    /// Whether the dropped promise can reject (`Promise.allSettled` cannot).
    pub may_reject: bool,
}

/// Computes the insights of a document.
pub fn insights(source: &str, tree: &Tree, module: ModuleKind) -> Insights {
    let (facts, order) = engine::facts_and_order(source, tree, module);
    let async_facts = AsyncFacts::collect(source, tree);
    let root = tree.root_node();
    let module_is_async = module == ModuleKind::EsModule;
    let mut functions = Vec::new();
    let mut module_awaits = Vec::new();
    for fact in facts {
        if fact.is_module_body {
            // Module-level bindings live as long as the module: no await
            // retains anything on its account.
            module_awaits = await_insights(source, root, &fact, &[], module_is_async);
            continue;
        }
        let Some(node) = root.descendant_for_byte_range(fact.range.start, fact.range.end) else {
            continue;
        };
        let node = enclosing_function_node(node, &fact.range);
        let retention = retention::retained_at_awaits(source, tree, node);
        let awaits = await_insights(source, node, &fact, &retention, module_is_async);
        let head_end = node
            .child_by_field_id(crate::field!("body"))
            .map_or(node.end_byte(), |body| body.start_byte());
        functions.push(FunctionInsight {
            range: fact.range.clone(),
            head: node.start_byte()..head_end,
            name: fact.name.clone(),
            is_arrow: node.kind() == "arrow_function",
            early_return: early_return(node, awaits.first().map(|a| a.range.start)),
            first_await: awaits.first().map(|a| a.range.clone()),
            settles: fact.settles.clone(),
            settles_in: fact.settles_in,
            rejected_by: rejections(source, &async_facts, node),
            awaits,
        });
    }
    let dropped = async_facts
        .dropped_promises(source, tree)
        .into_iter()
        .map(|d| DroppedCall {
            range: d.expression.byte_range(),
            consequence: dropped_consequence(source, &d, &|name, range| {
                runs_to_completion(functions.iter().filter(|f| match range {
                    Some(range) => f.range == *range,
                    None => !name.is_empty() && f.name == name,
                }))
            }),
            unhandled_then: d.unhandled_then,
            may_reject: d.unhandled_then || !is_all_settled(source, &d),
            label: d.label,
        })
        .collect();
    Insights {
        functions,
        module_awaits,
        dropped,
        order,
    }
}

/// The function node whose range is exactly `range` (the smallest node may be a child).
fn enclosing_function_node<'t>(node: Node<'t>, range: &Range<usize>) -> Node<'t> {
    let mut current = node;
    while current.byte_range() != *range {
        match current.parent() {
            Some(parent) => current = parent,
            None => return node,
        }
    }
    current
}

/// The names an await's result is bound to (`const [a, b] = await ...`, `x = await ...`),
/// also through the expression around it (`const body = (await res).body`,
/// `const n = 1 + await count()`): whatever is computed from the result carries it.
fn result_names(source: &str, await_node: Node) -> Vec<String> {
    let mut current = await_node;
    while let Some(parent) = current.parent() {
        match parent.kind() {
            "variable_declarator" => {
                return parent
                    .child_by_field_id(crate::field!("name"))
                    .map(|p| {
                        dataflow::pattern_identifiers(p)
                            .into_iter()
                            .map(|n| source[n.byte_range()].to_owned())
                            .collect()
                    })
                    .unwrap_or_default();
            }
            "assignment_expression" | "augmented_assignment_expression" => {
                let left = parent.child_by_field_id(crate::field!("left"));
                if left.is_some_and(|l| l.id() == current.id()) {
                    return Vec::new();
                }
                return left.map(|l| assigned_names(source, l)).unwrap_or_default();
            }
            // A statement, or a function that only closes over the value: the result
            // reaches no binding of this function.
            kind if kind.ends_with("statement")
                || kind == "statement_block"
                || dataflow::is_function(parent) =>
            {
                return Vec::new()
            }
            _ => current = parent,
        }
    }
    Vec::new()
}

/// What to say about `current` and the await before it in `function`:
/// `Some(true)` when its operand reads the previous result, directly or
/// through names assigned from it in between; `Some(false)` only when
/// suggesting `Promise.all` could make sense; `None` otherwise.
fn dependence(
    source: &str,
    function: Node,
    previous: Node,
    current: Node,
    operand: Option<Node>,
) -> Option<bool> {
    // `await (await fetch(u)).json()`: the inner await runs first, and the
    // outer one's operand is computed from its result.
    if previous.start_byte() <= current.start_byte() && current.end_byte() <= previous.end_byte() {
        return None;
    }
    if current.start_byte() <= previous.start_byte() && previous.end_byte() <= current.end_byte() {
        return Some(true);
    }
    let mut tainted: HashSet<String> = result_names(source, previous).into_iter().collect();
    if tainted.is_empty() {
        // Nothing flows from it, but it may still have to finish first (a lock).
        return None;
    }
    // A misparsed `await (x).y` chain has no operand node: the whole chain
    // (with the `await` name, which no binding of the function can taint)
    // is read for names, and nothing is said about independence.
    let reads = operand.unwrap_or(current);
    // Assignments between the two awaits: (names assigned, names read).
    let mut flows: Vec<(Vec<String>, HashSet<String>)> = Vec::new();
    let between = previous.end_byte()..current.start_byte();
    dataflow::preorder(function, |node| {
        if node.end_byte() <= between.start || node.start_byte() >= between.end {
            return dataflow::Walk::Skip;
        }
        let fully_between = node.start_byte() >= between.start && node.end_byte() <= between.end;
        let (targets, value) = match node.kind() {
            "variable_declarator" => (
                node.child_by_field_id(crate::field!("name")),
                node.child_by_field_id(crate::field!("value")),
            ),
            "assignment_expression" | "augmented_assignment_expression" => (
                node.child_by_field_id(crate::field!("left")),
                node.child_by_field_id(crate::field!("right")),
            ),
            // `list.push(value)`: the receiver now holds the value.
            "call_expression" => (
                node.child_by_field_id(crate::field!("function"))
                    .filter(|f| f.kind() == "member_expression")
                    .and_then(|f| f.child_by_field_id(crate::field!("object"))),
                node.child_by_field_id(crate::field!("arguments")),
            ),
            _ => (None, None),
        };
        if let (Some(targets), Some(value), true) = (targets, value, fully_between) {
            flows.push((
                assigned_names(source, targets),
                dataflow::names_mentioned(value, source),
            ));
        }
        dataflow::Walk::Enter
    });
    // Until nothing changes: an assignment in a loop can feed an earlier one.
    let mut changed = true;
    while changed {
        changed = false;
        for (targets, reads) in &flows {
            if reads.iter().any(|r| tainted.contains(r)) {
                for target in targets {
                    changed |= tainted.insert(target.clone());
                }
            }
        }
    }
    if dataflow::names_mentioned(reads, source)
        .iter()
        .any(|n| tainted.contains(n))
    {
        return Some(true);
    }
    let operand = operand?;
    if !starts_work(operand) || try_region(previous, function) != try_region(current, function) {
        return None;
    }
    Some(false)
}

/// The names an assignment target binds or changes: identifiers of a
/// pattern, or the root object of `a.b.c` / `a[i]`.
fn assigned_names(source: &str, target: Node) -> Vec<String> {
    let mut root = target;
    while matches!(root.kind(), "member_expression" | "subscript_expression") {
        match root.child_by_field_id(crate::field!("object")) {
            Some(object) => root = object,
            None => break,
        }
    }
    if root.kind() == "identifier" {
        return vec![source[root.byte_range()].to_owned()];
    }
    dataflow::pattern_identifiers(root)
        .into_iter()
        .map(|n| source[n.byte_range()].to_owned())
        .collect()
}

/// Whether evaluating `operand` calls something (and so may start work that
/// could run alongside other work); `await p` or `await null` starts nothing.
fn starts_work(operand: Node) -> bool {
    let mut calls = false;
    dataflow::preorder(operand, |node| {
        if node != operand && dataflow::is_function(node) {
            return dataflow::Walk::Skip;
        }
        if matches!(node.kind(), "call_expression" | "new_expression") {
            calls = true;
        }
        dataflow::Walk::Enter
    });
    calls
}

/// The innermost `try` block, `catch` clause or `finally` clause of
/// `function` that holds `node`, by node id.
fn try_region(node: Node, function: Node) -> Option<usize> {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if parent.id() == function.id() {
            return None;
        }
        let is_region = match parent.kind() {
            "catch_clause" | "finally_clause" => true,
            "try_statement" => parent
                .child_by_field_id(crate::field!("body"))
                .is_some_and(|b| b.id() == current.id()),
            _ => false,
        };
        if is_region {
            return Some(if parent.kind() == "try_statement" {
                current.id()
            } else {
                parent.id()
            });
        }
        current = parent;
    }
    None
}

/// How a message names a call without its arguments: `save()`, `save(…)`,
/// `new Promise(…)`, `fs.promises.readFile(…)`; `None` when the callee is
/// not a plain name or member path.
fn callee_form(source: &str, call: Node) -> Option<String> {
    let (callee, prefix) = match call.kind() {
        "call_expression" => (call.child_by_field_id(crate::field!("function"))?, ""),
        "new_expression" => (
            call.child_by_field_id(crate::field!("constructor"))?,
            "new ",
        ),
        _ => return None,
    };
    let text = &source[callee.byte_range()];
    let plain = text
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '$' | '.'));
    if !plain || text.is_empty() || text.len() > 40 {
        return None;
    }
    let has_arguments = call
        .child_by_field_id(crate::field!("arguments"))
        .is_some_and(|a| a.named_child_count() > 0);
    Some(format!(
        "{prefix}{text}({})",
        if has_arguments { "…" } else { "" }
    ))
}

/// Whether the async functions a dropped call may run have no `await` (they
/// run to completion during the call): `None` when unknown. Asked by name
/// (`save` for `save(x)` or `obj.save(x)`) or, for an async IIFE, by the
/// function's range.
pub type RunsToCompletion<'a> = &'a dyn Fn(&str, Option<&Range<usize>>) -> Option<bool>;

/// Whether every one of `candidates` has no `await`: `Some(true)` when none
/// has one, `Some(false)` when all have, `None` when unknown or mixed.
fn runs_to_completion<'f>(candidates: impl Iterator<Item = &'f FunctionInsight>) -> Option<bool> {
    let with_awaits: Vec<bool> = candidates.map(|f| !f.awaits.is_empty()).collect();
    if with_awaits.is_empty() {
        None
    } else if with_awaits.iter().all(|has| !has) {
        Some(true)
    } else if with_awaits.iter().all(|has| *has) {
        Some(false)
    } else {
        None
    }
}

/// The sentence for a dropped promise: what already ran, and what nobody
/// observes. Only says "runs until its first await" of a function that has
/// one. The hover and the `floating-promise` rule both say this.
pub fn dropped_consequence(
    source: &str,
    dropped: &DroppedPromise,
    completes: RunsToCompletion,
) -> String {
    let origin = dropped.origin;
    let named = callee_form(source, origin);
    let label = named.clone().unwrap_or_else(|| "this call".to_owned());
    if dropped.unhandled_then {
        let chain = dropped.expression;
        let direct_then = chain.kind() == "call_expression"
            && chain
                .child_by_field_id(crate::field!("function"))
                .filter(|f| f.kind() == "member_expression")
                .is_some_and(|f| {
                    f.child_by_field_id(crate::field!("object"))
                        .is_some_and(|o| o.id() == origin.id())
                        && f.child_by_field_id(crate::field!("property"))
                            .is_some_and(|p| &source[p.byte_range()] == "then")
                });
        return if direct_then {
            format!(
                "`{label}.then(…)`: if `{label}` or the callback fails, nobody handles the \
                 rejection."
            )
        } else {
            format!(
                "The chain on `{label}`: if `{label}` or a callback fails, nobody handles the \
                 rejection."
            )
        };
    }
    let async_call = |subject: &str, completes: Option<bool>| match completes {
        Some(true) => {
            format!("{subject} runs to completion now; nobody observes its result or its failure.")
        }
        Some(false) => format!(
            "{subject} starts now, runs until its first await, and nobody observes its completion \
             or its failure."
        ),
        None => format!("{subject} starts now; nobody observes its completion or its failure."),
    };
    let method = origin
        .child_by_field_id(crate::field!("function"))
        .and_then(|f| f.child_by_field_id(crate::field!("property")))
        .map_or("", |p| &source[p.byte_range()]);
    match dropped.kind {
        PromiseKind::AsyncCall => {
            let callee = origin.child_by_field_id(crate::field!("function"));
            let name = callee
                .map(|c| c.child_by_field_id(crate::field!("property")).unwrap_or(c))
                .map_or("", |n| &source[n.byte_range()]);
            async_call(&format!("`{label}`"), completes(name, None))
        }
        PromiseKind::AsyncIife => {
            let function = origin
                .child_by_field_id(crate::field!("function"))
                .map(js::unwrap_parens);
            let range = function.map(|n| n.byte_range());
            async_call("This async IIFE", completes("", range.as_ref()))
        }
        PromiseKind::NewPromise => format!(
            "`{label}`: its executor has already run; nobody observes the result or a rejection."
        ),
        PromiseKind::PromiseStatic => match method {
            "all" | "race" => format!("`{label}`: if any input rejects, nobody handles it."),
            "any" => format!("`{label}`: if every input rejects, nobody handles the rejection."),
            "allSettled" => format!("`{label}`: nobody observes the results."),
            "reject" => format!("`{label}`: nobody handles the rejection."),
            _ => format!("`{label}`: nobody observes its result or handles its rejection."),
        },
        PromiseKind::PromiseResolve => {
            format!("`{label}`: if its argument rejects, nobody handles the rejection.")
        }
        PromiseKind::Fetch => format!(
            "`{label}` starts the request now; nobody observes its response or its failure."
        ),
        _ if named.is_some() => {
            format!("`{label}` starts now; nobody observes its completion or its failure.")
        }
        _ => "Nobody observes this promise's result or handles its rejection.".to_owned(),
    }
}

/// The insights of the awaits of `function` (or of an ES module's body, with
/// `function` the program): tick, dependence on the previous await, what the
/// suspended state retains (`retention`, from the data flow).
fn await_insights(
    source: &str,
    function: Node,
    facts: &engine::AsyncFunctionFacts,
    retention: &[AwaitRetention],
    module_is_async: bool,
) -> Vec<AwaitInsight> {
    let called = facts.called_by_program;
    let mut awaits = Vec::new();
    // The syntax layer says where the function suspends; the engine's run
    // says when, for the awaits it compiled and reached.
    let points = awaits::points_of(source, function, module_is_async);
    let places: Vec<(&awaits::SuspensionPoint, SuspensionPlace)> = points
        .iter()
        .filter_map(|point| Some((point, suspension_place(source, function, point)?)))
        .collect();
    // The order in which they suspend: an await suspends once its operand is
    // evaluated, so `await (await fetch(u)).json()` suspends inside first.
    let mut suspension_order: Vec<usize> = (0..places.len()).collect();
    suspension_order.sort_by_key(|&index| places[index].1.range.end);
    for (index, (point, place)) in places.iter().enumerate() {
        let operand = source[point.operand.clone()].to_owned();
        let previous = suspension_order
            .iter()
            .position(|&i| i == index)
            .and_then(|position| position.checked_sub(1))
            .and_then(|position| places[suspension_order[position]].1.awaited)
            .map(|a| a.node);
        let depends_on_previous = match (previous, place.awaited) {
            (Some(previous), Some(current)) => {
                dependence(source, function, previous, current.node, current.operand)
            }
            _ => None,
        };
        let fact = facts.awaits.iter().find(|a| a.range == place.range);
        let resume = match fact {
            // A function the program never calls was run once with
            // `undefined` arguments; its ticks hold for that call only, so
            // say what holds for any argument: what an await of a native
            // promise costs once it settles.
            Some(_) if !called => ResumeTick::AfterSettle {
                jobs: engine::job_counts().await_native_promise,
                operand: operand.clone(),
                if_native_promise: true,
            },
            Some(fact) => fact.resume.clone(),
            None => ResumeTick::Unknown {
                reason: match point.kind {
                    SuspensionKind::ForAwait => {
                        "each step of this `for await` loop awaits the iterator's next result, \
                         which is not modelled by ticklens"
                            .to_owned()
                    }
                    _ => "the code around it is not modelled by ticklens".to_owned(),
                },
            },
        };
        let operand_node = place.awaited.and_then(|a| a.operand);
        awaits.push(AwaitInsight {
            range: place.range.clone(),
            operand,
            resume,
            later_phase: fact.filter(|_| called).and_then(|f| f.later_phase),
            thenable: called && fact.is_some_and(|f| f.thenable),
            plain_value: !called
                && fact.is_some()
                && operand_node.is_some_and(|o| source_facts::certainly_not_thenable(source, o)),
            depends_on_previous,
            retention: retention
                .iter()
                .find(|r| r.await_range == place.range)
                .cloned(),
        });
    }
    awaits
}

/// Where the editor shows a suspension point: an `await` over its whole
/// expression; a `for await` loop over its head (`for await (x of xs)`), so
/// that the awaits in its body keep their own hovers. Yields are not shown.
struct SuspensionPlace<'t> {
    range: Range<usize>,
    awaited: Option<awaits::AwaitExpr<'t>>,
}

fn suspension_place<'t>(
    source: &str,
    function: Node<'t>,
    point: &awaits::SuspensionPoint,
) -> Option<SuspensionPlace<'t>> {
    let node = function.descendant_for_byte_range(point.range.start, point.range.end)?;
    let node = enclosing_node_with_range(node, &point.range);
    match point.kind {
        SuspensionKind::Await => Some(SuspensionPlace {
            range: point.range.clone(),
            // `suspension_points` found it in an async context already.
            awaited: Some(awaits::await_shape(source, node)?),
        }),
        SuspensionKind::ForAwait => {
            let head_end = node
                .child_by_field_id(crate::field!("body"))
                .and_then(|body| body.prev_sibling())
                .map_or(point.range.end, |paren| paren.end_byte());
            Some(SuspensionPlace {
                range: point.range.start..head_end,
                awaited: None,
            })
        }
        SuspensionKind::Yield => None,
    }
}

/// The outermost node at `node` or above it whose range is exactly `range`.
fn enclosing_node_with_range<'t>(node: Node<'t>, range: &Range<usize>) -> Node<'t> {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if parent.byte_range() != *range {
            break;
        }
        current = parent;
    }
    current
}

/// The first `return` of `function`'s own code (not of nested functions)
/// that ends before `first_await` starts (`return await x` does not count).
fn early_return(function: Node, first_await: Option<usize>) -> Option<Range<usize>> {
    let first_await = first_await?;
    let body = function.child_by_field_id(crate::field!("body"))?;
    let mut found: Option<Range<usize>> = None;
    js::for_each_own_node(body, |node| {
        if node.kind() == "return_statement"
            && node.end_byte() <= first_await
            && found.as_ref().is_none_or(|f| node.start_byte() < f.start)
        {
            found = Some(node.byte_range());
        }
    });
    found
}

/// `throw` statements and awaits of the function (not of nested functions) that
/// no enclosing `try` with a `catch` handles.
fn rejections(source: &str, facts: &AsyncFacts, function: Node) -> Vec<Rejection> {
    let mut found = Vec::new();
    let Some(body) = function.child_by_field_id(crate::field!("body")) else {
        return found;
    };
    let function_is_async = dataflow::is_async_function(function);
    dataflow::preorder(body, |node| {
        if node != body && dataflow::is_function(node) {
            return dataflow::Walk::Skip;
        }
        let caught = || source_facts::inside_try_block(node, function);
        if node.kind() == "throw_statement" && !caught() {
            found.push(Rejection {
                range: node.byte_range(),
                what: "its `throw` runs".to_owned(),
            });
        }
        // `await null` and `await Promise.resolve()` cannot reject: only an
        // operand that may be a thenable, and may reject, can. (Inside the
        // function's own code the module's kind does not matter.)
        if let Some(awaited) = awaits::await_expression_in(source, node, function_is_async) {
            let cannot_reject = awaited.operand.is_some_and(|o| {
                source_facts::certainly_not_thenable(source, o) || facts.cannot_reject(source, o)
            });
            if !cannot_reject && !caught() {
                let operand = &source[awaited.operand_range()];
                found.push(Rejection {
                    range: node.byte_range(),
                    what: format!("`{}` rejects", shorten(operand, 40)),
                });
            }
        }
        // `return p()` in an async function adopts the promise after the
        // function has left every `try`: its rejection rejects the call,
        // caught or not.
        if function_is_async && node.kind() == "return_statement" {
            let returned = node
                .named_child(0)
                .filter(|value| value.kind() != "comment");
            if let Some(value) = returned.map(js::unwrap_parens) {
                // Only a call or `new` can produce a promise here: a local
                // holds no rejecting thenable after an `await` (the result of
                // one is never a thenable), and other values are not read.
                let may_reject = matches!(value.kind(), "call_expression" | "new_expression")
                    && awaits::await_shape(source, value).is_none()
                    && !source_facts::certainly_not_thenable(source, value)
                    && !facts.cannot_reject(source, value);
                if may_reject {
                    found.push(Rejection {
                        range: node.byte_range(),
                        what: format!(
                            "the returned `{}` rejects",
                            shorten(&source[value.byte_range()], 40)
                        ),
                    });
                }
            }
        }
        dataflow::Walk::Enter
    });
    found
}

/// `text` cut to `max` characters with an ellipsis, on one line.
pub fn shorten(text: &str, max: usize) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        let cut: String = one_line.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// A short phrase for a resume tick, for inlay hints: `tick 2`, `after fetch()`.
pub fn short_tick(tick: &ResumeTick) -> Option<String> {
    match tick {
        ResumeTick::AfterEntry { jobs } => Some(format!("tick {jobs}")),
        ResumeTick::AfterSettle { jobs, operand, .. } => {
            let plus = if *jobs == 1 {
                String::new()
            } else {
                format!(" +{jobs}")
            };
            Some(format!("after {}{plus}", operand_form(operand)))
        }
        ResumeTick::Unknown { .. } => None,
    }
}

/// An await operand for an inlay label: a call as its callee with `(…)`
/// (`fs.promises.readFile(…)`, `new Promise(…)`), anything else shortened.
/// Never cut inside a word.
fn operand_form(operand: &str) -> String {
    let text = operand.trim();
    if let Some(inner) = text.strip_suffix(')') {
        // The `(` that matches the final `)`.
        let mut depth = 0usize;
        let mut open = None;
        for (at, c) in inner.char_indices().rev() {
            match c {
                ')' => depth += 1,
                '(' if depth == 0 => {
                    open = Some(at);
                    break;
                }
                '(' => depth -= 1,
                _ => {}
            }
        }
        if let Some(open) = open {
            let callee = &text[..open];
            let path = callee.strip_prefix("new ").unwrap_or(callee);
            let plain = !path.is_empty()
                && path
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '$' | '.'));
            if plain && callee.chars().count() <= 32 {
                let empty = inner[open + 1..].trim().is_empty();
                return format!("{callee}({})", if empty { "" } else { "…" });
            }
        }
    }
    if text.chars().count() <= 24 {
        return shorten(text, 24);
    }
    // Cut at a word boundary.
    let cut: String = text.chars().take(23).collect();
    let end = cut
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .filter(|&i| i > 0)
        .unwrap_or(cut.len());
    format!("{}…", cut[..end].trim_end())
}

/// How a sentence names the function: `` `run()` ``, or "this function" for an anonymous one.
fn subject(function: &str) -> String {
    if function.starts_with("an anonymous") {
        "this function".to_owned()
    } else {
        format!("`{function}`")
    }
}

/// What "microtask tick N" means, said in every hover that states one (the
/// definition of docs/ARCHITECTURE.md, "Tick"); `entry` names what is entered.
pub fn tick_definition(entry: &str) -> String {
    format!(
        "*Microtask tick N*: the N-th round of microtasks (promise callbacks) after {entry}: its \
         synchronous code queues round 1, round 1 queues round 2, and so on. Timers, I/O and \
         `process.nextTick` callbacks start no round."
    )
}

/// If a `jobs` count holds only for a plain `Promise` operand.
const IF_PLAIN_PROMISE: &str = ", if it is a plain `Promise` (not a subclass or a thenable)";

/// The inlay (and code lens) form of a later phase.
pub fn short_phase(phase: LaterPhase) -> &'static str {
    match phase {
        LaterPhase::NextTick => "after the nextTick queue",
        LaterPhase::Timer => "in a later macrotask (timer)",
        LaterPhase::Immediate => "in the check phase (setImmediate)",
    }
}

/// Where something happens in a later phase than its call's entry, as the
/// start of a sentence after "Resumes" or "settles". Never a number: the
/// microtask queue emptied in between (see measuring-claims.md, "Phase").
fn phase_phrase(phase: LaterPhase) -> &'static str {
    match phase {
        LaterPhase::NextTick => {
            "after the nextTick queue, once every microtask queued before it has run"
        }
        LaterPhase::Timer => "in a later macrotask (a timer callback)",
        LaterPhase::Immediate => "in the check phase (a `setImmediate` callback)",
    }
}

/// A resumption in a later phase than the call's entry: the phase, then what
/// is known of the jobs there. `function` is a [`FunctionInsight::call_label`].
pub fn describe_later_resume(phase: LaterPhase, tick: &ResumeTick, function: &str) -> String {
    let entry = if function == MODULE_BODY {
        "the module started evaluating".to_owned()
    } else {
        format!("{} was entered", subject(function))
    };
    let mut text = format!(
        "Resumes {}: not on a microtask tick after {entry}, because the microtask queue \
         emptied in between.",
        phase_phrase(phase)
    );
    match tick {
        ResumeTick::AfterSettle {
            jobs,
            operand,
            if_native_promise,
        } => text.push_str(&format!(
            " There it resumes {} after `{}` settles{}.",
            ticks_phrase(*jobs),
            shorten(operand, 60),
            if *if_native_promise {
                IF_PLAIN_PROMISE
            } else {
                ""
            }
        )),
        // Never a count after entry in a later phase (the engine's facts).
        ResumeTick::AfterEntry { .. } | ResumeTick::Unknown { .. } => {}
    }
    text
}

/// A sentence for a resume tick, for hovers. `function` is a
/// [`FunctionInsight::call_label`].
pub fn describe_resume(tick: &ResumeTick, function: &str) -> String {
    match tick {
        ResumeTick::AfterEntry { jobs } if function == MODULE_BODY => {
            format!("Resumes on microtask tick {jobs} after the module started evaluating.")
        }
        ResumeTick::AfterEntry { jobs } => {
            format!(
                "Resumes on microtask tick {jobs} after {} was entered, in every call this file \
                 makes.",
                subject(function)
            )
        }
        ResumeTick::AfterSettle {
            jobs,
            operand,
            if_native_promise,
        } => format!(
            "Resumes {} after `{}` settles (fulfils or rejects){}.",
            ticks_phrase(*jobs),
            shorten(operand, 60),
            if *if_native_promise {
                IF_PLAIN_PROMISE
            } else {
                ""
            }
        ),
        ResumeTick::Unknown { reason } if reason.starts_with("varies") => {
            format!("Resume tick {reason}.")
        }
        ResumeTick::Unknown { reason } => format!("Resume tick unknown: {reason}."),
    }
}

fn describe_settle(tick: &ResumeTick) -> String {
    match tick {
        ResumeTick::AfterEntry { jobs: 0 } => {
            "Its promise settles before each call returns (microtask tick 0); an `await` on it \
             still resumes 1 tick later."
                .to_owned()
        }
        ResumeTick::AfterEntry { jobs } => {
            format!(
                "Its promise settles on microtask tick {jobs} after entry, in every call this file \
                 makes."
            )
        }
        ResumeTick::AfterSettle { jobs, operand, .. } => format!(
            "Its promise settles {} after `{}` settles.",
            ticks_phrase(*jobs),
            shorten(operand, 60)
        ),
        ResumeTick::Unknown { reason } if reason.starts_with("varies") => {
            format!("When its promise settles {reason}.")
        }
        ResumeTick::Unknown { reason } => format!("When its promise settles is unknown: {reason}."),
    }
}

/// A function's promise settling in a later phase than each call's entry.
fn describe_later_settle(phase: LaterPhase, tick: &ResumeTick) -> String {
    let mut text = format!(
        "Its promise settles {}: not on a microtask tick after the call was entered, because \
         the microtask queue emptied in between.",
        phase_phrase(phase)
    );
    if let ResumeTick::AfterSettle { jobs, operand, .. } = tick {
        text.push_str(&format!(
            " There it settles {} after `{}` settles.",
            ticks_phrase(*jobs),
            shorten(operand, 60)
        ));
    }
    text
}

/// Markdown for a hover on an `await`.
pub fn await_hover(source: &str, function: &FunctionInsight, at: &AwaitInsight) -> String {
    let name = function.call_label();
    let within = if function.name.is_empty() {
        name.clone()
    } else {
        format!("`{name}`")
    };
    // A `for await` loop's place starts at its `for` (see `suspension_place`).
    let is_for_await = source
        .get(at.range.clone())
        .is_some_and(|text| text.starts_with("for"));
    let keyword = if is_for_await {
        "for await** over"
    } else {
        "await**"
    };
    let mut text = format!(
        "**{keyword} `{}` in {within}\n\n{}",
        shorten(&at.operand, 60),
        at.resume_text(&name)
    );
    if matches!(at.resume, ResumeTick::AfterEntry { .. }) {
        text.push_str(&format!("\n\n{}", tick_definition("the call")));
    }
    match at.depends_on_previous {
        Some(false) => text.push_str(
            "\n\nDoes not use the previous await's result; if the two operations are \
             independent, start both and await them together (`Promise.all`).",
        ),
        Some(true) => text.push_str("\n\nUses the result of the previous await."),
        None => {}
    }
    if let Some(retention) = &at.retention {
        text.push_str(&retention_text(source, retention));
    }
    text
}

/// Markdown for a hover on an `await` at an ES module's top level.
pub fn module_await_hover(at: &AwaitInsight) -> String {
    let mut text = format!(
        "**await** `{}` at the module's top level\n\n{}",
        shorten(&at.operand, 60),
        at.resume_text(MODULE_BODY)
    );
    if matches!(at.resume, ResumeTick::AfterEntry { .. }) {
        text.push_str(&format!(
            "\n\n{}",
            tick_definition("the module's evaluation")
        ));
    }
    match at.depends_on_previous {
        Some(false) => text.push_str(
            "\n\nDoes not use the previous await's result; if the two operations are \
             independent, start both and await them together (`Promise.all`).",
        ),
        Some(true) => text.push_str("\n\nUses the result of the previous await."),
        None => {}
    }
    text.push_str(
        "\n\nModules that import this one wait for it to finish evaluating; its top-level \
         bindings live as long as the module.",
    );
    text
}

/// Markdown for a hover on an async function's head.
pub fn function_hover(source: &str, function: &FunctionInsight) -> String {
    let line_of = |offset: usize| source[..offset].matches('\n').count() + 1;
    let heading = if function.name.is_empty() {
        format!("**{}**", function.kind_description())
    } else {
        format!("**async function** `{}`", function.call_label())
    };
    let mut text = format!("{heading}\n\n");
    match &function.first_await {
        Some(first) => {
            text.push_str(&format!(
                "Runs synchronously up to line {} (its first `await`); pauses at {} `await`{}.",
                line_of(first.start),
                function.awaits.len(),
                if function.awaits.len() == 1 { "" } else { "s" }
            ));
            if let Some(early) = &function.early_return {
                text.push_str(&format!(
                    " A path that returns before it (line {}) runs the whole call synchronously.",
                    line_of(early.start)
                ));
            }
        }
        None => text.push_str(
            "Has no `await`: the whole body runs synchronously during the call, and it returns a \
             promise.",
        ),
    }
    text.push_str("\n\n");
    text.push_str(&match function.settles_in {
        Some(phase) => describe_later_settle(phase, &function.settles),
        None => describe_settle(&function.settles),
    });
    if matches!(function.settles, ResumeTick::AfterEntry { jobs } if jobs > 0) {
        text.push_str(&format!("\n\n{}", tick_definition("the call")));
    }
    if !function.rejected_by.is_empty() {
        // Only what the code shows: any call in it can throw as well, so the
        // list never reads as complete.
        const SHOWN: usize = 4;
        let mut reasons: Vec<String> = function
            .rejected_by
            .iter()
            .take(SHOWN)
            .map(|r| format!("{} (line {})", r.what, line_of(r.range.start)))
            .collect();
        let more = function.rejected_by.len().saturating_sub(SHOWN);
        if more > 0 {
            reasons.push(format!("{more} more of these"));
        }
        text.push_str(&format!(
            "\n\nRejects when: {}. Any other code in it that throws rejects it too.",
            reasons.join("; ")
        ));
    }
    text
}

/// Whether the dropped promise is `Promise.allSettled(…)`, which never rejects.
fn is_all_settled(source: &str, dropped: &DroppedPromise) -> bool {
    dropped.kind == PromiseKind::PromiseStatic
        && dropped
            .origin
            .child_by_field_id(crate::field!("function"))
            .and_then(|f| f.child_by_field_id(crate::field!("property")))
            .is_some_and(|p| &source[p.byte_range()] == "allSettled")
}

/// Markdown for a hover on a dropped promise. Node 24's default
/// `--unhandled-rejections=throw` ends the process on a rejection nobody handles.
pub fn dropped_hover(call: &DroppedCall) -> String {
    let heading = if call.unhandled_then {
        "No rejection handler"
    } else {
        "Fire-and-forget"
    };
    let mut text = format!("**{heading}:** {}", call.consequence);
    if call.may_reject {
        text.push_str(
            " If it rejects, Node 24 exits with an unhandled-rejection error (unless the program \
             listens for `unhandledRejection`).",
        );
    }
    text
}

impl FunctionInsight {
    /// How messages name the function: `run()`, or a description (not code)
    /// when it has no name: `an anonymous async arrow function`.
    pub fn call_label(&self) -> String {
        if self.name.is_empty() {
            format!("an {}", self.kind_description())
        } else {
            format!("{}()", self.name)
        }
    }

    /// `anonymous async arrow function` or `anonymous async function`.
    fn kind_description(&self) -> &'static str {
        if self.is_arrow {
            "anonymous async arrow function"
        } else {
            "anonymous async function"
        }
    }

    /// The name for the start of a code lens title.
    fn lens_label(&self) -> String {
        if self.name.is_empty() {
            self.kind_description().to_owned()
        } else {
            self.call_label()
        }
    }

    /// One line for a code lens: `run(): settles 2 ticks after each call is
    /// entered`; `None` when unknown.
    pub fn settle_title(&self) -> Option<String> {
        if let Some(phase) = self.settles_in {
            return Some(format!(
                "{}: settles {}",
                self.lens_label(),
                short_phase(phase)
            ));
        }
        match &self.settles {
            ResumeTick::AfterEntry { jobs: 0 } => Some(format!(
                "{}: settles before each call returns",
                self.lens_label()
            )),
            ResumeTick::AfterEntry { jobs } => Some(format!(
                "{}: settles {jobs} tick{} after each call is entered",
                self.lens_label(),
                if *jobs == 1 { "" } else { "s" }
            )),
            ResumeTick::AfterSettle { jobs, operand, .. } => Some(format!(
                "{}: settles {} after {}",
                self.lens_label(),
                ticks_phrase(*jobs),
                shorten(operand, 40)
            )),
            ResumeTick::Unknown { .. } => None,
        }
    }
}

impl Insights {
    /// One line for a code lens: `prints: A, D, B, C`, or why the order is unknown.
    pub fn order_title(&self) -> String {
        match &self.order {
            OrderOutcome::Determined(lines) if lines.is_empty() => "prints nothing".to_owned(),
            OrderOutcome::Determined(lines) => {
                let joined: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
                format!("prints: {}", shorten(&joined.join(", "), 100))
            }
            OrderOutcome::Abstained(abstention) => {
                format!("order: cannot tell: {}", shorten(&abstention.reason, 80))
            }
        }
    }

    /// The innermost async function whose range holds `offset`.
    pub fn function_at(&self, offset: usize) -> Option<&FunctionInsight> {
        self.functions
            .iter()
            .filter(|f| f.range.contains(&offset))
            .min_by_key(|f| f.range.len())
    }

    /// Hover text and range for `offset`, if ticklens has something to say there.
    pub fn hover(&self, source: &str, offset: usize) -> Option<(Range<usize>, String)> {
        if let Some(function) = self.function_at(offset) {
            if let Some(at) = function
                .awaits
                .iter()
                .filter(|a| a.range.contains(&offset))
                .min_by_key(|a| a.range.len())
            {
                return Some((at.range.clone(), await_hover(source, function, at)));
            }
            if function.head.contains(&offset) {
                return Some((function.head.clone(), function_hover(source, function)));
            }
        }
        if let Some(at) = self
            .module_awaits
            .iter()
            .filter(|a| a.range.contains(&offset))
            .min_by_key(|a| a.range.len())
        {
            return Some((at.range.clone(), module_await_hover(at)));
        }
        self.dropped
            .iter()
            .find(|d| d.range.contains(&offset))
            .map(|d| (d.range.clone(), dropped_hover(d)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    fn hover(source_with_cursor: &str) -> String {
        let offset = source_with_cursor.find("$0").expect("cursor marker");
        let source = source_with_cursor.replace("$0", "");
        let tree = syntax::parse(&source, None);
        insights(&source, &tree, ModuleKind::CommonJs)
            .hover(&source, offset)
            .map(|(_, text)| text)
            .unwrap_or_default()
    }

    #[test]
    fn await_in_example_resumes_on_tick_1() {
        let text = hover(
            "async function example() {\n  console.log('A');\n  const val = $0await Promise.resolve('B');\n  console.log(val);\n}\nexample();\nconsole.log('D');\n",
        );
        assert!(
            text.contains("Resumes on microtask tick 1 after `example()` was entered"),
            "{text}"
        );
        // `val` only gets its value when the function resumes: nothing is kept.
        assert!(
            text.contains("Nothing this function holds is kept alive while it waits."),
            "{text}"
        );
    }

    #[test]
    fn second_await_of_x_resumes_on_tick_2() {
        let text = hover(
            "async function x() {\n  console.log('x1');\n  await Promise.resolve();\n  console.log('x2');\n  $0await Promise.resolve();\n  console.log('x3');\n}\nasync function y() {\n  console.log('y1');\n  await Promise.resolve();\n  console.log('y2');\n}\nx();\ny();\n",
        );
        assert!(text.contains("tick 2"), "{text}");
        // The first await binds no result: nothing to say about independence.
        assert!(!text.contains("Promise.all"), "{text}");
    }

    #[test]
    fn a_result_used_through_an_intermediate_variable_is_a_dependency() {
        let text = hover(
            "async function forward(req) {\n  const body = await readBody(req);\n  const parsed = parseRequest(body);\n  return $0await db.save(parsed);\n}\n",
        );
        assert!(
            text.contains("Uses the result of the previous await"),
            "{text}"
        );
    }

    /// What the hover says about the await at `$0` and the one before it.
    fn dependence_at(source_with_cursor: &str) -> Option<bool> {
        let offset = source_with_cursor.find("$0").expect("cursor marker");
        let source = source_with_cursor.replace("$0", "");
        let tree = syntax::parse(&source, None);
        let insights = insights(&source, &tree, ModuleKind::CommonJs);
        let function = insights.function_at(offset).expect("an async function");
        let at = function
            .awaits
            .iter()
            .filter(|a| a.range.contains(&offset))
            .min_by_key(|a| a.range.len())
            .expect("an await at the cursor");
        at.depends_on_previous
    }

    #[test]
    fn uses_the_previous_result_only_where_the_operand_reads_it() {
        let uses = [
            "async function h() { const a = await f(); $0await g(a.x); }",
            "async function h() { const a = await f(); const b = a + 1; $0await g(b); }",
            "async function h() { const { data } = await f(); $0await g(data); }",
            "async function h() { const [, second] = await f(); $0await g(second); }",
            "async function h() { const { a: { b = 1 } } = await f(); $0await g(b); }",
            "async function h() { const body = (await f()).body; $0await g(body); }",
            "async function h() { let n = 0; n += await f(); $0await g(n); }",
            "async function h() { const a = await f(); const list = []; list.push(a); $0await g(list); }",
            "async function h(xs) { for (const x of xs) { const a = await f(x); $0await g(a); } }",
            "async function h() { const a = await f(); $0await (a).save(); }",
            "async function h() { const a = await f(); $0await g(`${a}`); }",
            "async function h(u) { const res = await fetch(u); $0await res.json(); }",
        ];
        for source in uses {
            assert_eq!(dependence_at(source), Some(true), "{source}");
        }
        let independent = [
            "async function h() { const a = await f(); log(a); $0await g(); }",
            "async function h() { const a = await f(); const b = 2; $0await g(b); }",
            "async function h(xs) { for (const x of xs) { const a = await f(x); $0await g(x); } }",
            "async function h() { const { data } = await f(); $0await g(other.data); }",
        ];
        for source in independent {
            assert_eq!(dependence_at(source), Some(false), "{source}");
        }
        // Nothing bound (a lock), or the inner await of a chain: nothing said.
        let silent = [
            "async function h() { await lock(); $0await g(); }",
            "async function h(u) { return (await fetch(u)).json(); }",
        ];
        for source in silent {
            if source.contains("$0") {
                assert_eq!(dependence_at(source), None, "{source}");
            }
        }
    }

    #[test]
    fn an_await_inside_the_previous_ones_operand_says_nothing_and_the_outer_one_uses_it() {
        let source =
            "async function h(u) { const data = await (await fetch(u)).json(); return data; }";
        let outer = source.replacen("await (", "$0await (", 1);
        assert_eq!(dependence_at(&outer), Some(true), "{outer}");
        let inner = source.replacen("(await fetch", "($0await fetch", 1);
        assert_eq!(dependence_at(&inner), None, "{inner}");
    }

    #[test]
    fn an_unused_result_only_suggests_promise_all_as_a_possibility() {
        let text = hover(
            "async function getA() { return 1; }\nasync function getB() { return 2; }\nasync function f() {\n  const a = await getA();\n  const b = $0await getB();\n  return a + b;\n}\nf();\n",
        );
        assert!(
            text.contains(
                "Does not use the previous await's result; if the two operations are independent"
            ),
            "{text}"
        );
    }

    #[test]
    fn awaits_after_a_lock_or_in_finally_say_nothing_about_independence() {
        let source = "async function withLock(resource, fn) {\n  await resource.lock();\n  try {\n    return await fn();\n  } finally {\n    await resource.unlock();\n  }\n}\n";
        for marker in ["return $0await fn()", "$0await resource.unlock()"] {
            let text = hover(&source.replacen(&marker.replace("$0", ""), marker, 1));
            assert!(!text.contains("Promise.all"), "{text}");
            assert!(!text.contains("Independent"), "{text}");
        }
    }

    #[test]
    fn a_function_the_file_never_calls_claims_no_tick_from_entry() {
        let text =
            hover("async function neverCalled(x) {\n  const y = $0await x;\n  return y;\n}\n");
        assert!(
            text.contains(
                "Resumes 1 tick after `x` settles (fulfils or rejects), if it is a plain `Promise` (not a subclass or a thenable)"
            ),
            "{text}"
        );
        let head =
            hover("async function $0neverCalled(x) {\n  const y = await x;\n  return y;\n}\n");
        assert!(head.contains("this file never calls it"), "{head}");
    }

    #[test]
    fn a_loop_await_whose_ticks_vary_resumes_one_job_after_its_operand_settles() {
        let text = hover(
            "async function step(a) { return a; }\nasync function sendAll(users) {\n  for (const u of users) {\n    $0await step(u);\n  }\n}\nsendAll([1, 2]);\n",
        );
        assert!(
            text.contains("Resumes 1 tick after `step(u)` settles (fulfils or rejects)."),
            "{text}"
        );
    }

    #[test]
    fn a_loop_await_without_a_common_count_lists_the_ticks_of_its_iterations() {
        let text = hover(
            "async function sendAll(users) {\n  for (const u of users) {\n    $0await (u === 1 ? Promise.resolve(u) : { then(r) { r(u); } });\n  }\n}\nsendAll([1, 2]);\n",
        );
        assert!(text.contains("Resume tick varies: tick 1, then "), "{text}");
    }

    #[test]
    fn a_then_chain_without_a_rejection_handler_says_so() {
        let text =
            hover("async function noAwait() { return compute(); }\n$0noAwait().then(v => v);\n");
        assert!(
            text.contains("**No rejection handler:** `noAwait().then(…)`: if `noAwait()` or the callback fails, nobody handles the rejection."),
            "{text}"
        );
        assert!(!text.contains("first await"), "{text}");
    }

    #[test]
    fn dropped_promises_without_awaits_do_not_run_until_an_await() {
        let source = "async function sync() { return compute(); }\n$0sync();\nnew Promise(r => r(compute()));\nPromise.all([sync()]);\n";
        let text = hover(source);
        assert!(text.contains("`sync()` runs to completion now"), "{text}");
        let text = hover(
            &source
                .replace("$0", "")
                .replace("new Promise", "$0new Promise"),
        );
        assert!(text.contains("its executor has already run"), "{text}");
        let text = hover(
            &source
                .replace("$0", "")
                .replace("Promise.all", "$0Promise.all"),
        );
        assert!(
            text.contains("if any input rejects, nobody handles it"),
            "{text}"
        );
    }

    #[test]
    fn a_nulled_body_is_released_a_later_read_is_needed_and_the_rest_is_kept() {
        let text = hover(
            "async function handle(req) {\n  let body = await readBody(req);\n  const parsed = parseRequest(body);\n  body = null;\n  const saved = $0await db.save(parsed);\n  return [saved, parsed.id];\n}\n",
        );
        assert!(
            text.contains("Needed after the await:\n- `parsed` (line 3)"),
            "{text}"
        );
        // Nothing idle is likely large: one line, no advice.
        assert!(
            text.contains("Also held, though not needed any more: `req` (line 1, parameter)."),
            "{text}"
        );
        assert!(!text.contains("set it to `null`"), "{text}");
        assert!(
            text.contains("No longer kept: the earlier value of `body` (line 2, overwritten on line 4; `parseRequest(body)` may still hold it)."),
            "{text}"
        );
    }

    #[test]
    fn a_value_only_passed_to_the_awaited_call_is_still_kept_by_the_frame() {
        // V8 keeps every local of the suspended frame, read later or not.
        let text = hover(
            "async function handle(req) {\n  let body = await readBody(req);\n  const parsed = parseRequest(body);\n  body = null;\n  return $0await db.save(parsed);\n}\n",
        );
        assert!(
            text.contains(
                "Also held while it waits, though not needed any more: `req` (line 1, \
                 parameter), `parsed` (line 3)."
            ),
            "{text}"
        );
    }

    #[test]
    fn a_likely_large_idle_value_gets_the_list_and_the_advice() {
        let text = hover(
            "async function upload(req) {\n  const raw = await readBody(req);\n  const n = raw.length;\n  $0await save(n);\n  return n;\n}\n",
        );
        assert!(
            text.contains(
                "Held but not needed any more (until reassigned or the function returns):\n\
                 - `req` (line 1, parameter)\n\
                 - `raw` (line 2) — likely large: a request body from `readBody(…)`"
            ),
            "{text}"
        );
        // `raw` is a `const`: the advice says how to clear it anyway.
        assert!(
            text.contains(
                "set it to `null` after its last use (declare a `const` with `let` first), or \
                 move that work into a helper function, whose locals are freed when it returns."
            ),
            "{text}"
        );
    }

    #[test]
    fn a_value_a_closure_reads_after_the_await_is_needed() {
        // Clearing `req` before the first await would make `log()` throw.
        let text = hover(
            "async function handle(req) {\n  const id = $0await db.save(1);\n  const log = () => console.log(req.url);\n  await audit(id);\n  log();\n}\n",
        );
        assert!(
            text.contains(
                "- `req` (line 1, parameter; read after the await by the closure `log`, line 3)"
            ),
            "{text}"
        );
        assert!(!text.contains("not needed any more"), "{text}");
    }

    #[test]
    fn the_iterable_of_a_running_loop_is_not_advised_to_be_cleared() {
        let text = hover(
            "async function send(users) {\n  for (const user of users) {\n    $0await post(JSON.parse(user));\n  }\n}\n",
        );
        assert!(
            text.contains("`user` (line 2, the current element)"),
            "{text}"
        );
        assert!(!text.contains("if the loop ran"), "{text}");
    }

    #[test]
    fn a_captured_variable_is_kept_and_says_a_closure_refers_to_it() {
        let text = hover(
            "async function f(items) {\n  const big = await load();\n  const get = () => big;\n  await $0save();\n  return 1;\n}\n",
        );
        // `get` is neither called nor handed over: nothing can read `big`.
        assert!(text.contains("`big` (line 2)"), "{text}");
        assert!(!text.contains("closure"), "{text}");
    }

    #[test]
    fn unknown_operand_resumes_one_job_after_it_settles() {
        let text = hover("async function load(id) {\n  const user = $0await fetchUser(id);\n  return user.name;\n}\n");
        assert!(
            text.contains("Resumes 1 tick after `fetchUser(id)` settles"),
            "{text}"
        );
    }

    #[test]
    fn function_hover_states_the_contract() {
        let text = hover("async function $0run() {\n  console.log(1);\n  await Promise.resolve();\n  throw new Error('x');\n}\nrun().catch(() => {});\n");
        assert!(text.contains("up to line 3"), "{text}");
        assert!(text.contains("pauses at 1 `await`."), "{text}");
        assert!(
            text.contains("Rejects when: its `throw` runs (line 4). Any other code"),
            "{text}"
        );
    }

    #[test]
    fn dropped_call_hover_says_nobody_observes_it() {
        let text = hover("async function save(d) { await d; }\n$0save(1);\n");
        assert!(
            text.contains("nobody observes its completion or its failure"),
            "{text}"
        );
        assert!(
            text.contains("If it rejects, Node 24 exits with an unhandled-rejection error"),
            "{text}"
        );
        // `Promise.allSettled` never rejects.
        let text = hover("$0Promise.allSettled([1]);\n");
        assert!(!text.contains("If it rejects"), "{text}");
    }
}
