//! Computes the insights of a document: the engine's facts and order, the
//! syntax layer's suspension points, the data flow and what each suspended
//! function retains.

use std::ops::Range;
use std::sync::Arc;

use tree_sitter::{Node, Tree};

use crate::analysis::dataflow;
use crate::analysis::modules::ImportedNames;
use crate::analysis::retention::AwaitRetention;
use crate::analysis::source_facts::{self, AsyncFacts, PromiseDeclarations, PromiseKind};
use crate::engine::{self, ModuleKind, ResumeTick};
use crate::syntax::awaits::{self, SuspensionKind};
use crate::syntax::js;

use super::dependence::dependence;
use super::dropped_text::{dropped_consequence, is_all_settled};
use super::function_cache::InsightsCache;
use super::iterated::{iterable_node, iterated};
use super::{
    AwaitInsight, AwaitKind, DroppedCall, FunctionInsight, Insights, Iterated, YieldInsight,
    YieldKind,
};

/// Computes the insights of a document.
pub fn insights(source: &str, tree: &Tree, module: ModuleKind) -> Insights {
    insights_with_imports(source, tree, module, &ImportedNames::default())
}

/// Computes the insights of a document that binds `imports` from other
/// workspace files (what decides the promise kind of an imported call).
pub fn insights_with_imports(
    source: &str,
    tree: &Tree,
    module: ModuleKind,
    imports: &ImportedNames,
) -> Insights {
    insights_cached(
        (source, source),
        tree,
        module,
        imports,
        &mut InsightsCache::default(),
    )
}

/// [`insights_with_imports`] for a new version of a document whose previous
/// version's insights were computed with `cache`: each function's retention
/// and rejections are reused when its text and the facts it asked about are
/// unchanged (see `function_cache`). The result is the same as without the
/// cache.
///
/// `analysed` is the text the engine runs (for TypeScript, erased) and
/// `source` the same text as written, which every other part reads (every
/// offset is the same; a node's text is what the user wrote), so a hover
/// quotes the code with its types.
pub fn insights_cached(
    (analysed, source): (&str, &str),
    tree: &Tree,
    module: ModuleKind,
    imports: &ImportedNames,
    cache: &mut InsightsCache,
) -> Insights {
    cache.begin();
    let (facts, order) = engine::facts_and_order_cached(analysed, tree, module, &mut cache.entries);
    let source_facts = cache.statement_facts.facts(source, tree);
    let declarations = PromiseDeclarations::new(source, tree, imports);
    let root = tree.root_node();
    let module_is_async = module == ModuleKind::EsModule;
    let mut functions = Vec::new();
    let mut module_awaits = Vec::new();
    for fact in facts {
        if fact.is_module_body {
            // Module-level bindings live as long as the module: no await
            // retains anything on its account.
            module_awaits = await_insights(
                source,
                root,
                &fact,
                &[],
                &source_facts,
                &declarations,
                module_is_async,
            );
            continue;
        }
        let inputs = FunctionInputs {
            source,
            root,
            source_facts: &source_facts,
            declarations: &declarations,
            module_is_async,
        };
        functions.extend(function_insight(&inputs, &fact, cache));
    }
    let dropped = source_facts
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
    cache.end();
    number_lines(source, &mut functions);
    let mut insights = Insights::new(functions, module_awaits, dropped, order);
    insights.shrink_to_fit();
    insights
}

/// The insights of the innermost async function holding `offset`, for a
/// new version of a document whose previous version's insights were
/// computed with `cache`: the same as `insights_cached(..).function_at(offset)`,
/// without the other functions' parts (their joins, await insights and
/// retention) and without the dropped promises. The cache is left ready for
/// the whole computation of this version, which then reuses what this one
/// computed (the symbolic entries, the statements' facts, the function's
/// retention and rejections). `analysed` and `source` as for
/// [`insights_cached`].
pub fn function_insight_at(
    (analysed, source): (&str, &str),
    tree: &Tree,
    module: ModuleKind,
    imports: &ImportedNames,
    cache: &mut InsightsCache,
    offset: usize,
) -> Option<FunctionInsight> {
    // The engine's run and the whole file's declarations read nothing of
    // each other: the first hover after an edit waits for the longer only.
    let entries = &mut cache.entries;
    let (facts, source_facts, declarations) = std::thread::scope(|scope| {
        let engine =
            scope.spawn(|| engine::facts_at_cached(analysed, tree, module, entries, offset));
        let source_facts = cache.statement_facts.facts(source, tree);
        let declarations = PromiseDeclarations::new(source, tree, imports);
        let facts = engine
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (facts, source_facts, declarations)
    });
    // The innermost, as `Insights::function_at` picks it.
    let fact = facts
        .iter()
        .filter(|f| f.range.contains(&offset))
        .min_by_key(|f| f.range.len())?;
    let inputs = FunctionInputs {
        source,
        root: tree.root_node(),
        source_facts: &source_facts,
        declarations: &declarations,
        module_is_async: module == ModuleKind::EsModule,
    };
    let mut insight = cache.ahead(|cache| function_insight(&inputs, fact, cache))?;
    number_lines(source, std::slice::from_mut(&mut insight));
    insight.shrink_to_fit();
    Some(insight)
}

/// What every function's insights read of the whole file.
struct FunctionInputs<'a, 't> {
    source: &'a str,
    root: Node<'t>,
    source_facts: &'a AsyncFacts,
    declarations: &'a PromiseDeclarations<'t>,
    module_is_async: bool,
}

/// The insights of the async function the engine's `fact` is about.
fn function_insight(
    inputs: &FunctionInputs,
    fact: &engine::AsyncFunctionFacts,
    cache: &mut InsightsCache,
) -> Option<FunctionInsight> {
    let source = inputs.source;
    let node = inputs
        .root
        .descendant_for_byte_range(fact.range.start, fact.range.end)?;
    let node = enclosing_function_node(node, &fact.range);
    let (retention, rejected_by) = cache.function_parts(source, node, inputs.source_facts);
    let awaits = await_insights(
        source,
        node,
        fact,
        &retention,
        inputs.source_facts,
        inputs.declarations,
        inputs.module_is_async,
    );
    let head_end = node
        .child_by_field_id(crate::field!("body"))
        .map_or(node.end_byte(), |body| body.start_byte());
    Some(FunctionInsight {
        range: fact.range.clone(),
        line: 1, // numbered by the caller, with `number_lines`
        head: node.start_byte()..head_end,
        name: fact.name.clone(),
        is_arrow: node.kind() == "arrow_function",
        is_generator: js::is_generator_function(node),
        yields: yield_insights(source, node),
        early_return: early_return(node, awaits.first().map(|a| a.range.start)),
        first_await: awaits.first().map(|a| a.range.clone()),
        settles: fact.settles.clone(),
        for_any_caller: !fact.called_by_program,
        settles_in: fact.settles_in,
        rejected_by,
        awaits,
    })
}

/// Sets each function's `line`, counting the file's newlines once, in the
/// order the functions start.
fn number_lines(source: &str, functions: &mut [FunctionInsight]) {
    let mut order: Vec<usize> = (0..functions.len()).collect();
    order.sort_by_key(|&i| functions[i].range.start);
    let (mut counted_to, mut line) = (0, 1);
    for i in order {
        let start = functions[i].range.start.min(source.len());
        line += super::newlines(&source.as_bytes()[counted_to..start]);
        counted_to = start;
        functions[i].line = line;
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

/// The insights of the awaits of `function` (or of an ES module's body, with
/// `function` the program): tick, dependence on the previous await, what the
/// suspended state retains (`retention`, from the data flow).
fn await_insights(
    source: &str,
    function: Node,
    facts: &engine::AsyncFunctionFacts,
    retention: &[Arc<AwaitRetention>],
    source_facts: &AsyncFacts,
    declarations: &PromiseDeclarations,
    module_is_async: bool,
) -> Vec<AwaitInsight> {
    let called = facts.called_by_program;
    let tries = own_tries(function);
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
        let operand_node = place.awaited.and_then(|a| a.operand);
        let claim = match fact {
            Some(fact) if called => Claim {
                resume: fact.resume.clone(),
                later_phase: fact.later_phase,
                thenable: fact.thenable,
                for_any_caller: false,
            },
            // A stopped entry may have seen a loop's first iterations only;
            // past a `try`, a throw the entry did not see takes another path.
            Some(fact) => {
                let partial = facts.entry_stopped && in_a_loop(function, &place.range)
                    || past_a_try(&tries, &place.range);
                uncalled_claim(fact, &operand, partial)
            }
            // A `for await` step is no `await` of the engine's: what the
            // loop iterates over says when each iteration resumes.
            None if point.kind == SuspensionKind::ForAwait => {
                Claim::unknown("it depends on the iterator")
            }
            None => Claim::unknown("the code around it is not modelled by ticklens"),
        };
        // The file's async facts show the operand is a native promise.
        let native_by_facts =
            operand_node.is_some_and(|o| is_native_promise(source, source_facts, o));
        // What the file's declarations (and its imports) show the operand is.
        let native_because = match operand_node {
            _ if native_by_facts => None,
            Some(o) => declarations.decide(o),
            None => place
                .awaited
                .filter(|a| a.misparsed)
                .and_then(|a| declarations.decide_misparsed(a.node)),
        };
        // Where the file shows the operand is a native promise (a call of
        // its own async function, `new Promise`, `Promise.resolve`,
        // `fetch`...), the engine's count for a native promise holds as is.
        let resume = match claim.resume {
            ResumeTick::AfterSettle {
                jobs,
                operand,
                if_native_promise: true,
            } if native_because.is_some() || native_by_facts => ResumeTick::AfterSettle {
                jobs,
                operand,
                if_native_promise: false,
            },
            resume => resume,
        };
        // Why not, where the count holds only for a native promise.
        let undecided_because = match (&resume, operand_node) {
            (
                ResumeTick::AfterSettle {
                    if_native_promise: true,
                    ..
                },
                Some(o),
            ) => Some(declarations.why_undecided(o).why),
            _ => None,
        };
        // In a function the program never calls, `await null` resumes one
        // job after it is reached, whatever the arguments; a tick after
        // entry, when the symbolic entry gives one, says more.
        let plain_value = !called
            && fact.is_some()
            && !matches!(resume, ResumeTick::AfterEntry { .. })
            && operand_node.is_some_and(|o| source_facts::certainly_not_thenable(source, o));
        let kind = match point.kind {
            SuspensionKind::ForAwait => {
                AwaitKind::ForAwait(iterated(source, function, &point.operand))
            }
            _ => AwaitKind::Await,
        };
        // What an iterable the file does not show is, for the loop's hedge.
        let undecided_because = match kind {
            AwaitKind::ForAwait(Iterated::Unknown) => iterable_node(function, &point.operand)
                .map(|iterable| declarations.why_undecided(iterable).why),
            _ => undecided_because,
        };
        // What the file's TypeScript declares the operand is, where the
        // count holds only for a native promise: a promise, not a thenable.
        let declared_promise = match (&kind, &resume, operand_node) {
            (
                AwaitKind::Await,
                ResumeTick::AfterSettle {
                    if_native_promise: true,
                    ..
                },
                Some(o),
            ) => declarations.declared_promise(&o.byte_range()),
            _ => None,
        };
        let undecided_because = undecided_because.filter(|_| declared_promise.is_none());
        awaits.push(AwaitInsight {
            range: place.range.clone(),
            operand,
            kind,
            resume,
            later_phase: claim.later_phase,
            thenable: claim.thenable,
            for_any_caller: claim.for_any_caller,
            plain_value,
            depends_on_previous,
            native_because: native_because.map(|d| d.why),
            undecided_because,
            declared_promise,
            retention: retention
                .iter()
                .find(|r| r.await_range == place.range)
                .cloned(),
        });
    }
    awaits
}

/// What an await's hover and inlay hint claim of when it resumes.
struct Claim {
    resume: ResumeTick,
    later_phase: Option<engine::LaterPhase>,
    thenable: bool,
    for_any_caller: bool,
}

impl Claim {
    fn unknown(reason: &str) -> Self {
        Claim {
            resume: ResumeTick::Unknown {
                reason: reason.to_owned(),
            },
            later_phase: None,
            thenable: false,
            for_any_caller: false,
        }
    }
}

/// The claim on an await of a function the program never calls, from its
/// symbolic entries (unknown arguments and `this`, entered as a caller
/// inside a job would enter it) and what the file shows of `operand`:
/// - a tick after entry, when every entry resumed it in the entry's phase
///   with every step before it known: no caller changes that count;
/// - a timer or immediate phase, in which every caller resumes (a nextTick
///   phase is not one: the CommonJS main script runs its nextTicks before
///   its first drain, within its own phase);
/// - else a count after its own operand settles: the engine's, when every
///   entry saw that operand settle as a native promise it could see;
///   otherwise what an await of a native promise costs, hedged unless the
///   file shows the operand's kind. (A count after an earlier operand, the
///   engine's anchor once an unknown settled, is not stated: this await's
///   own operand is what a reader looks at.)
///
/// With `partial` (the entry stopped and the await is in a loop, so later
/// iterations may not have been seen; or the await is past a `try`, where a
/// throw the entry did not see takes another path) neither a tick after
/// entry nor a phase.
fn uncalled_claim(fact: &engine::AwaitFacts, operand: &str, partial: bool) -> Claim {
    let later_phase = fact
        .later_phase
        .filter(|phase| !partial && phase.holds_for_any_caller());
    let fallback = ResumeTick::AfterSettle {
        jobs: engine::job_counts().await_native_promise,
        operand: operand.to_owned(),
        if_native_promise: true,
    };
    let (resume, thenable, for_any_caller) = match &fact.resume {
        ResumeTick::AfterEntry { .. } | ResumeTick::Conditional { .. }
            if fact.later_phase.is_none() && !partial =>
        {
            (fact.resume.clone(), fact.thenable, true)
        }
        _ => match fact.jobs_after_operand {
            Some(jobs) if !fact.thenable => (
                ResumeTick::AfterSettle {
                    jobs,
                    operand: operand.to_owned(),
                    if_native_promise: false,
                },
                false,
                false,
            ),
            _ => (fallback, false, false),
        },
    };
    Claim {
        resume,
        later_phase,
        thenable,
        for_any_caller,
    }
}

/// Whether the suspension at `range` is inside a loop of `function`'s own
/// code (not counting loops around `function` itself).
fn in_a_loop(function: Node, range: &Range<usize>) -> bool {
    let mut node = function.descendant_for_byte_range(range.start, range.end);
    while let Some(current) = node.filter(|n| *n != function) {
        if dataflow::is_loop(current) {
            return true;
        }
        node = current.parent();
    }
    false
}

/// The `try` statements of `function`'s own code: where each starts, and
/// its block's range. Found once per function, not once per await.
fn own_tries(function: Node) -> Vec<(usize, Option<Range<usize>>)> {
    let Some(body) = function.child_by_field_id(crate::field!("body")) else {
        return Vec::new();
    };
    let mut tries = Vec::new();
    js::for_each_own_node(body, |node| {
        if node.kind() == "try_statement" {
            let block = node.child_by_field_id(crate::field!("body"));
            tries.push((node.start_byte(), block.map(|b| b.byte_range())));
        }
    });
    tries
}

/// Whether the suspension at `range` comes after the start of one of a
/// function's own `tries` ([`own_tries`]) without being inside its block:
/// in its `catch` or `finally`, or after it. A call or member read the
/// symbolic entry saw succeed may throw for another caller, and then the
/// code takes that path (and its awaits) instead.
fn past_a_try(tries: &[(usize, Option<Range<usize>>)], range: &Range<usize>) -> bool {
    tries.iter().any(|(start, block)| {
        let in_block = block
            .as_ref()
            .is_some_and(|block| block.start <= range.start && range.end <= block.end);
        *start < range.start && !in_block
    })
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
    match point.kind {
        SuspensionKind::Await => Some(SuspensionPlace {
            range: point.range.clone(),
            // `suspension_points` found it in an async context already.
            awaited: Some(
                same_range_chain(node, &point.range)
                    .find_map(|n| awaits::await_shape(source, n))?,
            ),
        }),
        SuspensionKind::ForAwait => {
            let node = enclosing_node_with_range(node, &point.range);
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

/// Whether the file shows `operand` evaluates to a native promise: the
/// kinds of [`AsyncFacts::promise_kind`] but a `.then` chain, whose
/// receiver may be any thenable.
fn is_native_promise(source: &str, facts: &AsyncFacts, operand: Node) -> bool {
    facts
        .promise_kind(source, operand)
        .is_some_and(|kind| kind != PromiseKind::Chain)
}

/// The `yield`s `function` owns, if it is an async generator.
fn yield_insights(source: &str, function: Node) -> Vec<YieldInsight> {
    if !(js::is_async_function(function) && js::is_generator_function(function)) {
        return Vec::new();
    }
    awaits::points_of(source, function, false)
        .into_iter()
        .filter(|point| point.kind == SuspensionKind::Yield)
        .filter_map(|point| {
            let node = function.descendant_for_byte_range(point.range.start, point.range.end)?;
            let node = same_range_chain(node, &point.range)
                .find(|n| n.kind() == "yield_expression")
                .unwrap_or_else(|| enclosing_node_with_range(node, &point.range));
            Some(YieldInsight {
                range: point.range.clone(),
                operand: source[point.operand.clone()].to_owned(),
                kind: yield_kind(source, node),
            })
        })
        .collect()
}

/// What the `yield_expression` `node` hands over.
pub fn yield_kind(source: &str, node: Node) -> YieldKind {
    let mut cursor = node.walk();
    if node.children(&mut cursor).any(|c| c.kind() == "*") {
        return YieldKind::Delegate;
    }
    let awaited = node
        .named_child(0)
        .map(js::unwrap_parens)
        .is_some_and(|operand| awaits::await_shape(source, operand).is_some());
    match awaited {
        true => YieldKind::AwaitedValue,
        false => YieldKind::Value,
    }
}

/// The outermost node at `node` or above it whose range is exactly `range`.
pub(super) fn enclosing_node_with_range<'t>(node: Node<'t>, range: &Range<usize>) -> Node<'t> {
    same_range_chain(node, range).last().unwrap_or(node)
}

/// `node` and its ancestors that cover exactly `range`, innermost first. A
/// statement without its `;` (automatic semicolon insertion) has the range of
/// its expression: `await x` and `yield* g()` are found below their statement.
fn same_range_chain<'t>(node: Node<'t>, range: &Range<usize>) -> impl Iterator<Item = Node<'t>> {
    let range = range.clone();
    std::iter::successors(Some(node), |n| n.parent()).take_while(move |n| n.byte_range() == range)
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
