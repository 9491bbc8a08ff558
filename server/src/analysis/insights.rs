//! What the editor shows about *when* code runs: per-await resume ticks and
//! retained variables, per-function contracts, dropped promises and the
//! predicted output. Computed once per document version from the ordering
//! engine, the data-flow analysis and the shared async facts; hover, inlay
//! hints and code lens only read it.

use std::ops::Range;

use tree_sitter::{Node, Tree};

use crate::engine::{self, ModuleKind, OrderOutcome, ResumeTick};

use super::async_facts::AsyncFacts;
use super::dataflow::{self, RetainReason, RetainedVar};

/// Everything the editor surfaces for one document.
#[derive(Clone, Debug)]
pub struct Insights {
    pub functions: Vec<FunctionInsight>,
    pub dropped: Vec<DroppedCall>,
    pub order: OrderOutcome,
}

#[derive(Clone, Debug)]
pub struct FunctionInsight {
    /// The whole function node.
    pub range: Range<usize>,
    /// The function's head (up to its body), where a hover shows the contract.
    pub head: Range<usize>,
    pub name: String,
    /// The first `await` (the end of the synchronous prefix), if any.
    pub first_await: Option<Range<usize>>,
    pub settles: ResumeTick,
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
    /// Whether the operand reads a result of the previous await (`None` for the first).
    pub depends_on_previous: Option<bool>,
    pub retained: Vec<RetainedVar>,
}

/// A call whose promise nobody keeps.
#[derive(Clone, Debug)]
pub struct DroppedCall {
    pub range: Range<usize>,
    pub label: String,
}

/// Computes the insights of a document.
pub fn insights(source: &str, tree: &Tree, module: ModuleKind) -> Insights {
    let facts = engine::function_facts(source, tree, module);
    let order = engine::predict_order(source, tree, module);
    let root = tree.root_node();
    let mut functions = Vec::new();
    for fact in facts {
        let Some(node) = root.descendant_for_byte_range(fact.range.start, fact.range.end) else {
            continue;
        };
        let node = enclosing_function_node(node, &fact.range);
        let retention = dataflow::retained_at_awaits(source, tree, node);
        let mut previous_results: Option<Vec<String>> = None;
        let mut awaits = Vec::new();
        for await_fact in &fact.awaits {
            let Some(await_node) =
                root.descendant_for_byte_range(await_fact.range.start, await_fact.range.end)
            else {
                continue;
            };
            let operand = await_node
                .named_child(0)
                .map(|o| source[o.byte_range()].to_owned())
                .unwrap_or_default();
            let mentioned = await_node
                .named_child(0)
                .map(|o| dataflow::names_mentioned(o, source))
                .unwrap_or_default();
            let depends_on_previous = previous_results
                .as_ref()
                .map(|names| names.iter().any(|n| mentioned.contains(n)));
            previous_results = Some(result_names(source, await_node));
            awaits.push(AwaitInsight {
                range: await_fact.range.clone(),
                operand,
                resume: await_fact.resume.clone(),
                depends_on_previous,
                retained: retention
                    .iter()
                    .find(|r| r.await_range == await_fact.range)
                    .map(|r| r.retained.clone())
                    .unwrap_or_default(),
            });
        }
        let head_end = node
            .child_by_field_name("body")
            .map_or(node.end_byte(), |body| body.start_byte());
        functions.push(FunctionInsight {
            range: fact.range.clone(),
            head: node.start_byte()..head_end,
            name: fact.name.clone(),
            first_await: awaits.first().map(|a| a.range.clone()),
            settles: fact.settles.clone(),
            rejected_by: rejections(source, node),
            awaits,
        });
    }
    let async_facts = AsyncFacts::collect(source, tree);
    let dropped = async_facts
        .dropped_promises(source, tree)
        .into_iter()
        .map(|d| DroppedCall {
            range: d.expression.byte_range(),
            label: d.label,
        })
        .collect();
    Insights {
        functions,
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

/// The names an await's result is bound to (`const [a, b] = await ...`, `x = await ...`).
fn result_names(source: &str, await_node: Node) -> Vec<String> {
    let mut current = await_node;
    while let Some(parent) = current.parent() {
        match parent.kind() {
            "parenthesized_expression" => current = parent,
            "variable_declarator" => {
                return parent
                    .child_by_field_name("name")
                    .map(|p| {
                        dataflow::pattern_identifiers(p)
                            .into_iter()
                            .map(|n| source[n.byte_range()].to_owned())
                            .collect()
                    })
                    .unwrap_or_default();
            }
            "assignment_expression" => {
                return parent
                    .child_by_field_name("left")
                    .map(|l| vec![source[l.byte_range()].to_owned()])
                    .unwrap_or_default();
            }
            _ => return Vec::new(),
        }
    }
    Vec::new()
}

/// `throw` statements and awaits of the function (not of nested functions) that
/// no enclosing `try` with a `catch` handles.
fn rejections(source: &str, function: Node) -> Vec<Rejection> {
    let mut found = Vec::new();
    let Some(body) = function.child_by_field_name("body") else {
        return found;
    };
    dataflow::preorder(body, |node| {
        if node != body && dataflow::is_function(node) {
            return dataflow::Walk::Skip;
        }
        let caught = || {
            let mut current = node;
            while let Some(parent) = current.parent() {
                if parent.id() == function.id() {
                    return false;
                }
                if parent.kind() == "try_statement"
                    && parent.child_by_field_name("handler").is_some()
                    && parent
                        .child_by_field_name("body")
                        .is_some_and(|b| b.id() == current.id())
                {
                    return true;
                }
                current = parent;
            }
            false
        };
        match node.kind() {
            "throw_statement" if !caught() => found.push(Rejection {
                range: node.byte_range(),
                what: "a `throw`".to_owned(),
            }),
            "await_expression" if !caught() => {
                let operand = node
                    .named_child(0)
                    .map(|o| &source[o.byte_range()])
                    .unwrap_or("its operand");
                found.push(Rejection {
                    range: node.byte_range(),
                    what: format!("a rejection of `{}`", shorten(operand, 40)),
                });
            }
            _ => {}
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
            Some(format!("after {}{plus}", shorten(operand, 24)))
        }
        ResumeTick::Unknown { .. } => None,
    }
}

/// A sentence for a resume tick, for hovers.
pub fn describe_resume(tick: &ResumeTick, function: &str) -> String {
    match tick {
        ResumeTick::AfterEntry { jobs } => {
            format!("Resumes on microtask tick {jobs} after `{function}` was entered.")
        }
        ResumeTick::AfterSettle {
            jobs,
            operand,
            if_native_promise,
        } => format!(
            "Resumes {jobs} job{} after `{}` settles{}.",
            if *jobs == 1 { "" } else { "s" },
            shorten(operand, 60),
            if *if_native_promise {
                " (if it is a native promise)"
            } else {
                ""
            }
        ),
        ResumeTick::Unknown { reason } => format!("Resume tick unknown: {reason}."),
    }
}

fn describe_settle(tick: &ResumeTick) -> String {
    match tick {
        ResumeTick::AfterEntry { jobs: 0 } => {
            "Its promise settles during the call (tick 0).".to_owned()
        }
        ResumeTick::AfterEntry { jobs } => {
            format!("Its promise settles on microtask tick {jobs} after entry.")
        }
        ResumeTick::AfterSettle { jobs, operand, .. } => format!(
            "Its promise settles {jobs} job{} after `{}` settles.",
            if *jobs == 1 { "" } else { "s" },
            shorten(operand, 60)
        ),
        ResumeTick::Unknown { reason } => format!("When its promise settles is unknown: {reason}."),
    }
}

/// Markdown for a hover on an `await`.
pub fn await_hover(source: &str, function: &FunctionInsight, at: &AwaitInsight) -> String {
    let name = function.call_label();
    let mut text = format!(
        "**await** `{}` in `{name}`\n\n{}",
        shorten(&at.operand, 60),
        describe_resume(&at.resume, &name)
    );
    match at.depends_on_previous {
        Some(false) => text.push_str(
            "\n\nIndependent of the previous await: could run concurrently with `Promise.all`.",
        ),
        Some(true) => text.push_str("\n\nUses the result of the previous await."),
        None => {}
    }
    if at.retained.is_empty() {
        text.push_str("\n\nRetains no locals while it waits.");
    } else {
        text.push_str("\n\n**Retained while waiting:**");
        for var in &at.retained {
            let line = source[..var.decl_range.start].matches('\n').count() + 1;
            let reason = match var.reason {
                RetainReason::Live => "live: read after the await",
                RetainReason::Captured => "captured by a closure",
            };
            text.push_str(&format!("\n- `{}` (line {line}, {reason})", var.name));
            if let Some(large) = &var.likely_large {
                text.push_str(&format!(" — likely large: {large}"));
            }
        }
    }
    text
}

/// Markdown for a hover on an async function's head.
pub fn function_hover(source: &str, function: &FunctionInsight) -> String {
    let line_of = |offset: usize| source[..offset].matches('\n').count() + 1;
    let mut text = format!(
        "**async function** `{}`\n\nReturns a promise on every call. ",
        function.call_label()
    );
    match &function.first_await {
        Some(first) => text.push_str(&format!(
            "Runs synchronously up to line {} (its first `await`); {} suspension point{}.",
            line_of(first.start),
            function.awaits.len(),
            if function.awaits.len() == 1 { "" } else { "s" }
        )),
        None => text.push_str("Has no `await`: the whole body runs synchronously during the call."),
    }
    text.push_str("\n\n");
    text.push_str(&describe_settle(&function.settles));
    if !function.rejected_by.is_empty() {
        let reasons: Vec<String> = function
            .rejected_by
            .iter()
            .take(4)
            .map(|r| format!("{} (line {})", r.what, line_of(r.range.start)))
            .collect();
        text.push_str(&format!("\n\nRejected by: {}.", reasons.join("; ")));
    }
    text
}

/// Markdown for a hover on a dropped promise.
pub fn dropped_hover(call: &DroppedCall) -> String {
    format!(
        "**Fire-and-forget:** `{}` starts now, runs until its first await, and nobody \
         observes its completion or its failure.",
        shorten(&call.label, 60)
    )
}

impl FunctionInsight {
    /// How messages name the function: `run()`, or a description when it has no name.
    pub fn call_label(&self) -> String {
        if self.name.is_empty() {
            "the anonymous async function".to_owned()
        } else {
            format!("{}()", self.name)
        }
    }

    /// One line for a code lens: `run(): settles on tick 2`; `None` when unknown.
    pub fn settle_title(&self) -> Option<String> {
        match &self.settles {
            ResumeTick::AfterEntry { jobs } => {
                Some(format!("{}: settles on tick {jobs}", self.call_label()))
            }
            ResumeTick::AfterSettle { jobs, operand, .. } => Some(format!(
                "{}: settles {jobs} job{} after {}",
                self.call_label(),
                if *jobs == 1 { "" } else { "s" },
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
                format!("order: cannot tell ({})", shorten(&abstention.reason, 80))
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
        assert!(text.contains("Retains no locals"), "{text}");
    }

    #[test]
    fn second_await_of_x_resumes_on_tick_2() {
        let text = hover(
            "async function x() {\n  console.log('x1');\n  await Promise.resolve();\n  console.log('x2');\n  $0await Promise.resolve();\n  console.log('x3');\n}\nasync function y() {\n  console.log('y1');\n  await Promise.resolve();\n  console.log('y2');\n}\nx();\ny();\n",
        );
        assert!(text.contains("tick 2"), "{text}");
        assert!(text.contains("Independent of the previous await"), "{text}");
    }

    #[test]
    fn nulled_body_is_not_retained_but_a_later_read_is() {
        let text = hover(
            "async function handle(req) {\n  let body = await readBody(req);\n  const parsed = parseRequest(body);\n  body = null;\n  const saved = $0await db.save(parsed);\n  return [saved, parsed.id];\n}\n",
        );
        assert!(!text.contains("`body`"), "{text}");
        assert!(
            text.contains("`parsed` (line 3, live: read after the await)"),
            "{text}"
        );
    }

    #[test]
    fn a_value_only_passed_to_the_awaited_call_is_not_kept_by_the_function() {
        // `parsed` is read when `db.save(parsed)` is called, before the function
        // suspends; after the await nothing reads it, so the suspended state need
        // not keep it (the pending call may, but that is not this function's state).
        let text = hover(
            "async function handle(req) {\n  let body = await readBody(req);\n  const parsed = parseRequest(body);\n  body = null;\n  return $0await db.save(parsed);\n}\n",
        );
        assert!(text.contains("Retains no locals"), "{text}");
    }

    #[test]
    fn a_captured_variable_is_retained_with_its_reason() {
        let text = hover(
            "async function f(items) {\n  const big = await load();\n  const get = () => big;\n  await $0save();\n  return 1;\n}\n",
        );
        assert!(
            text.contains("`big` (line 2, captured by a closure)"),
            "{text}"
        );
    }

    #[test]
    fn unknown_operand_resumes_one_job_after_it_settles() {
        let text = hover("async function load(id) {\n  const user = $0await fetchUser(id);\n  return user.name;\n}\n");
        assert!(
            text.contains("Resumes 1 job after `fetchUser(id)` settles"),
            "{text}"
        );
    }

    #[test]
    fn function_hover_states_the_contract() {
        let text = hover("async function $0run() {\n  console.log(1);\n  await Promise.resolve();\n  throw new Error('x');\n}\nrun().catch(() => {});\n");
        assert!(text.contains("Returns a promise on every call"), "{text}");
        assert!(text.contains("up to line 3"), "{text}");
        assert!(text.contains("1 suspension point."), "{text}");
        assert!(text.contains("a `throw` (line 4)"), "{text}");
    }

    #[test]
    fn dropped_call_hover_says_nobody_observes_it() {
        let text = hover("async function save(d) { await d; }\n$0save(1);\n");
        assert!(
            text.contains("nobody observes its completion or its failure"),
            "{text}"
        );
    }
}
