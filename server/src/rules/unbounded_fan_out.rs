use std::ops::Range;

use tree_sitter::Node;

use crate::analysis::source_facts::AsyncFacts;
use crate::findings::{Finding, Fix};
use crate::syntax::await_lookup;
use crate::syntax::js::{in_async_function, is_async_function, is_function, unwrap_parens};
use crate::syntax;
use crate::syntax::js::named_children_but_comments;

use super::report::{one_edit_fix, short_code};
use super::tree_walks::has_named_descendant;
use super::{declare_rule, RuleContext};


declare_rule! {
    pub struct UnboundedFanOut { code: "unbounded-fan-out", docs: "unbounded_fan_out.md",
        summary: "`Promise.all(xs.map(...))` starts one operation per element, all at once",
        severity: Hint, fixes: [ChangesBehaviour], triggers: [Operand("Promise")],
        precision: { tuning: "71% (12 of 17 findings, 2026-11-25)" },
        queries: [FAN_OUTS("fan-outs.scm", ["fan_out.all", "fan_out.callee", "fan_out.promise",
            "fan_out.method", "fan_out.items", "fan_out.map", "fan_out.map_call",
            "fan_out.callback"])],
    }
}

const BATCH_SIZE: &str = "BATCH_SIZE";

/// Methods that release a resource the element already holds.
const TEARDOWN_METHODS: &[&str] = &[
    "close",
    "destroy",
    "dispose",
    "end",
    "terminate",
    "disconnect",
    "abort",
];

/// Callees that bound concurrency themselves (p-limit, p-queue, semaphores).
const LIMITER_HINTS: &[&str] = &[
    "limit",
    "throttl",
    "queue",
    "pool",
    "semaphore",
    "mutex",
    "acquire",
    "schedule",
];

fn check(ctx: &RuleContext) -> Vec<Finding> {
    META.report_each(detect(ctx), |fan_out| {
        let fix = batch_fix(ctx, &fan_out);
        (fan_out.highlight.clone(), message(ctx, &fan_out), fix)
    })
}

fn detect<'a>(ctx: &RuleContext<'a>) -> Vec<FanOut<'a>> {
    ctx.filter_map_complete_captures(
        &FAN_OUTS,
        [
            "fan_out.all",
            "fan_out.callee",
            "fan_out.method",
            "fan_out.items",
            "fan_out.map_call",
            "fan_out.callback",
        ],
        |[all, callee, method, items, map_call, callback]| {
            let facts = ctx.facts();
            if already_bounded(ctx, items) || !starts_async_work(ctx, facts, callback) {
                return None;
            }
            Some(FanOut {
                all,
                method,
                items,
                map_call,
                callback,
                highlight: callee.byte_range(),
            })
        },
    )
}

/// `Promise.all(items.map(callback))` where the callback starts async work.
struct FanOut<'t> {
    /// The whole `Promise.all(...)` call, what the fix replaces.
    all: Node<'t>,
    /// `all` or `allSettled`.
    method: Node<'t>,
    /// The collection mapped over: its size decides whether the rule speaks.
    items: Node<'t>,
    /// `items.map(callback)`.
    map_call: Node<'t>,
    callback: Node<'t>,
    /// `Promise.all`.
    highlight: Range<usize>,
}

fn message(ctx: &RuleContext, fan_out: &FanOut) -> String {
    let method = ctx.text(fan_out.method);
    let shown = short_code(ctx.text(fan_out.items), 30, "the input");
    format!(
        "`Promise.{method}` starts one operation per element of {shown}, all at once: \
         with a large input this is unbounded concurrency (sockets, connections, \
         memory); process it in batches or through a concurrency limiter"
    )
}

/// The most elements a collection written out in the code may have and still
/// count as small by construction.
const SHORT_LITERAL: usize = 16;

fn already_bounded(ctx: &RuleContext, items: Node) -> bool {
    let items = unwrap_parens(items);
    if items.kind() == "array" || small_by_construction(ctx, items) {
        return true;
    }
    let text = ctx.text(items).to_ascii_lowercase();
    text.contains(".slice(")
        || text.contains(".splice(")
        || text.contains("batch")
        || text.contains("chunk")
}

/// `items` is a short collection written out in the code: a `const` bound to
/// a literal array of at most [`SHORT_LITERAL`] elements (`const items = [a,
/// b]`), or the keys, values or entries of a literal object (or of a `const`
/// bound to one).
fn small_by_construction(ctx: &RuleContext, items: Node) -> bool {
    match items.kind() {
        "identifier" => const_value(ctx, items)
            .is_some_and(|value| short_literal(value, "array") || small_by_construction(ctx, value)),
        "call_expression" => {
            let Some(function) = items.child_by_field_id(crate::field!("function")) else {
                return false;
            };
            if !matches!(
                ctx.text(function),
                "Object.keys" | "Object.values" | "Object.entries"
            ) {
                return false;
            }
            let argument = items
                .child_by_field_id(crate::field!("arguments"))
                .and_then(|a| named_children_but_comments(a).into_iter().next())
                .map(unwrap_parens);
            argument.is_some_and(|argument| match argument.kind() {
                "object" => short_literal(argument, "object"),
                "identifier" => {
                    const_value(ctx, argument).is_some_and(|v| short_literal(v, "object"))
                }
                _ => false,
            })
        }
        _ => false,
    }
}

/// A literal array or object of `kind` with at most [`SHORT_LITERAL`]
/// elements and no spread (whose size the code does not show).
fn short_literal(value: Node, kind: &str) -> bool {
    let value = unwrap_parens(value);
    let elements = named_children_but_comments(value);
    value.kind() == kind
        && elements.len() <= SHORT_LITERAL
        && elements.iter().all(|e| e.kind() != "spread_element")
}

/// The initial value of the `const` that `name` refers to, declared in a
/// block around it before it (within the code the rule examines).
fn const_value<'t>(ctx: &RuleContext, name: Node<'t>) -> Option<Node<'t>> {
    let wanted = ctx.text(name);
    let mut at = name;
    while let Some(parent) = at.parent() {
        if matches!(parent.kind(), "statement_block" | "program" | "class_static_block") {
            let mut found = None;
            for statement in named_children_but_comments(parent) {
                if statement.start_byte() >= name.start_byte() {
                    break;
                }
                if statement.kind() != "lexical_declaration"
                    || statement
                        .child_by_field_id(crate::field!("kind"))
                        .is_none_or(|k| ctx.text(k) != "const")
                {
                    continue;
                }
                for declarator in named_children_but_comments(statement) {
                    let declared = declarator.child_by_field_id(crate::field!("name"));
                    if declared.is_some_and(|d| d.kind() == "identifier" && ctx.text(d) == wanted) {
                        found = declarator.child_by_field_id(crate::field!("value"));
                    }
                }
            }
            if found.is_some() {
                // A `const` array can still grow.
                let block = ctx.text(parent);
                let grows = [".push(", ".unshift(", ".splice(", "[", ".length"]
                    .iter()
                    .any(|op| block.contains(&format!("{wanted}{op}")));
                return found.filter(|_| !grows);
            }
        }
        if ctx.scope().contains(&parent)
            || (is_function(parent) && declares_parameter(ctx, parent, wanted))
        {
            return None;
        }
        at = parent;
    }
    None
}

/// Whether `function` has a parameter named `name` (which hides outer names).
fn declares_parameter(ctx: &RuleContext, function: Node, name: &str) -> bool {
    let parameters = function
        .child_by_field_id(crate::field!("parameters"))
        .or_else(|| function.child_by_field_id(crate::field!("parameter")));
    parameters.is_some_and(|p| {
        has_named_descendant(p, |n| n.kind() == "identifier" && ctx.text(n) == name)
    })
}

/// The callback starts async work: it is async, returns a call, or names an
/// async function of this file; and it does not go through a limiter.
fn starts_async_work(ctx: &RuleContext, facts: &AsyncFacts, callback: Node) -> bool {
    let callback = unwrap_parens(callback);
    if callback.kind() == "identifier" {
        return facts.is_async_function_name(ctx.text(callback));
    }
    if !is_function(callback) {
        return false;
    }
    let Some(body) = callback.child_by_field_id(crate::field!("body")) else {
        return false;
    };
    if uses_limiter(ctx, body) {
        return false;
    }
    if is_async_function(callback) {
        return true;
    }
    let returned = if body.kind() == "statement_block" {
        match named_children_but_comments(body).as_slice() {
            [only] if only.kind() == "return_statement" => only.named_child(0),
            _ => None,
        }
    } else {
        Some(body)
    };
    returned.is_some_and(|r| {
        let r = unwrap_parens(r);
        (r.kind() == "call_expression" && !tears_down_parameter(ctx, callback, r))
            || (r.kind() == "new_expression" && ctx.text(r).starts_with("new Promise"))
    })
}

/// `call` is `item.close()` (or another [`TEARDOWN_METHODS`] call) on the
/// callback's own parameter `item`.
fn tears_down_parameter(ctx: &RuleContext, callback: Node, call: Node) -> bool {
    let parameter = callback
        .child_by_field_id(crate::field!("parameter"))
        .or_else(|| {
            let params = callback.child_by_field_id(crate::field!("parameters"))?;
            named_children_but_comments(params).into_iter().next()
        });
    let Some(parameter) = parameter.filter(|p| p.kind() == "identifier") else {
        return false;
    };
    let Some(callee) = call
        .child_by_field_id(crate::field!("function"))
        .filter(|f| f.kind() == "member_expression")
    else {
        return false;
    };
    let object = callee
        .child_by_field_id(crate::field!("object"))
        .map(unwrap_parens);
    let property = callee.child_by_field_id(crate::field!("property"));
    object.is_some_and(|o| o.kind() == "identifier" && ctx.text(o) == ctx.text(parameter))
        && property.is_some_and(|p| TEARDOWN_METHODS.contains(&ctx.text(p)))
}

fn uses_limiter(ctx: &RuleContext, body: Node) -> bool {
    let names_limiter = |text: &str| {
        let text = text.to_ascii_lowercase();
        LIMITER_HINTS.iter().any(|hint| text.contains(hint))
    };
    has_named_descendant(body, |node| {
        node.kind() == "call_expression"
            && node
                .child_by_field_id(crate::field!("function"))
                .is_some_and(|callee| {
                    // Or a `const` made by one: `const run = pLimit(4)`, `run(() => ..)`.
                    let made_by_limiter = match callee.kind() {
                        "identifier" => Some(callee),
                        _ => crate::syntax::js::receiver(callee).filter(|r| r.kind() == "identifier"),
                    }
                    .and_then(|name| const_value(ctx, name))
                    .map(unwrap_parens)
                    .and_then(crate::syntax::js::callee)
                    .is_some_and(|maker| names_limiter(ctx.text(maker)));
                    names_limiter(ctx.text(callee)) || made_by_limiter || through_one_connection(ctx, callee)
                })
    })
}

/// Objects that carry every call over one connection or transaction: the
/// calls queue on it (a socket, a Redis pipeline, a transaction) instead of
/// opening one resource each.
const ONE_CONNECTION_WORDS: &[&str] = &[
    "socket", "conn", "connection", "redis", "pipeline", "multi", "trx", "transaction", "tx",
];

/// A method call through an object that names one connection
/// (`this.socket.send(..)`, `redis.get(k)`, `trx.insert(..)`).
fn through_one_connection(ctx: &RuleContext, callee: Node) -> bool {
    callee.kind() == "member_expression"
        && callee
            .child_by_field_id(crate::field!("object"))
            .is_some_and(|object| {
                ctx.text(object)
                    .to_ascii_lowercase()
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|part| ONE_CONNECTION_WORDS.contains(&part))
            })
}

/// `await Promise.all(xs.map(cb));` → a loop over batches of `BATCH_SIZE`.
fn batch_fix(ctx: &RuleContext, fan_out: &FanOut) -> Option<Fix> {
    let &FanOut {
        all,
        items,
        map_call,
        callback,
        ..
    } = fan_out;
    // `await (Promise.all(...))` too, which tree-sitter reads as a call of
    // a function `await` (see `syntax::awaits`).
    let awaited = await_lookup::await_of_operand(ctx.source, all, ctx.top_level_awaits())?;
    let statement = awaited
        .node
        .parent()
        .filter(|p| p.kind() == "expression_statement")?;
    if !in_async_function(statement) {
        return None;
    }
    // `xs` is read three times: it must be a plain name or property path.
    if !is_plain_path(items) {
        return None;
    }
    // One argument only (no thisArg), and a callback that ignores the index:
    // inside a batch the index would restart at 0.
    if map_call
        .child_by_field_id(crate::field!("arguments"))
        .is_none_or(|a| a.named_child_count() != 1)
    {
        return None;
    }
    let callback = unwrap_parens(callback);
    if !is_function(callback) {
        return None;
    }
    let param_count = match callback.child_by_field_id(crate::field!("parameters")) {
        Some(params) => params.named_child_count(),
        None => 1,
    };
    if param_count > 1 {
        return None;
    }
    // A module-level `BATCH_SIZE` is reused; any other one in sight is left alone.
    let module_size = ctx.facts().declares_at_module_level(BATCH_SIZE);
    let local_size = ctx
        .scope()
        .iter()
        .any(|&scope| source_mentions(ctx, scope, BATCH_SIZE));
    if local_size && !module_size {
        return None;
    }
    let declared_size = module_size;
    let index = ["i", "start", "offset"]
        .into_iter()
        .find(|name| !source_mentions(ctx, all, name))?;
    let indent = syntax::line_indent(ctx.source, statement);
    let items_text = ctx.text(items);
    let all_text = ctx.text(all);
    // Rewrite `items.map` inside the Promise.all call.
    let items_start = items.start_byte() - all.start_byte();
    let items_end = items.end_byte() - all.start_byte();
    let mut batched = all_text.to_owned();
    batched.replace_range(
        items_start..items_end,
        &format!("{items_text}.slice({index}, {index} + {BATCH_SIZE})"),
    );
    let declaration = if declared_size {
        String::new()
    } else {
        format!("const {BATCH_SIZE} = 100;\n{indent}")
    };
    let text = format!(
        "{declaration}for (let {index} = 0; {index} < {items_text}.length; {index} += {BATCH_SIZE}) {{\n\
         {indent}  await {batched};\n\
         {indent}}}"
    );
    Some(one_edit_fix(
        format!("Process `{items_text}` in batches of {BATCH_SIZE}"),
        FIX_SAFETY,
        statement.byte_range(),
        text,
    ))
}

fn is_plain_path(node: Node) -> bool {
    match node.kind() {
        "identifier" | "this" => true,
        "member_expression" => {
            node.child_by_field_id(crate::field!("property"))
                .is_some_and(|p| p.kind() == "property_identifier")
                && node
                    .child_by_field_id(crate::field!("object"))
                    .is_some_and(is_plain_path)
        }
        _ => false,
    }
}

/// `name` appears as an identifier anywhere under `root`.
fn source_mentions(ctx: &RuleContext, root: Node, name: &str) -> bool {
    has_named_descendant(root, |node| {
        matches!(node.kind(), "identifier" | "shorthand_property_identifier")
            && ctx.text(node) == name
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::fix_outputs::{assert_fix_outputs, fix_outputs};
    use crate::rules::testing::{assert_invalid, assert_valid};

    #[test]
    fn bounded_or_sync_fan_outs_pass() {
        assert_valid(
            &UnboundedFanOut,
            &[
                "await Promise.all([a, b, c].map((x) => load(x)));",
                "await Promise.all(items.slice(i, i + 100).map((x) => load(x)));",
                "await Promise.all(batch.map((x) => load(x)));",
                "for (const chunk of chunks) { await Promise.all(chunk.map((x) => load(x))); }",
                "await Promise.all(items.map((x) => limit(() => load(x))));",
                "await Promise.all(items.map(async (x) => { await sem.acquire(); try { await load(x); } finally { sem.release(); } }));",
                // Nothing async is started.
                "await Promise.all(items.map((x) => x.value));",
                "await Promise.all(items.map(toPromise));",
                "await Promise.race(items.map((x) => load(x)));",
            ],
        );
    }

    /// Collections small by construction, and work that already goes
    /// through a limiter made elsewhere.
    #[test]
    fn short_collections_and_named_limiters_pass() {
        assert_valid(
            &UnboundedFanOut,
            &[
                "async function f(a, b) { const items = [a, b]; await Promise.all(items.map((x) => load(x))); }",
                "async function f() { const files = ['a.js', 'b.js', 'c.js']; { await Promise.all(files.map(async (x) => { await load(x); })); } }",
                "async function f() { await Promise.all(Object.keys({ a: 1, b: 2 }).map((k) => load(k))); }",
                "async function f() { const stores = { users, posts }; await Promise.all(Object.values(stores).map((s) => s.sync())); }",
                "async function f(xs) { const run = pLimit(4); await Promise.all(xs.map((x) => run(() => load(x)))); }",
                "async function f(xs) { const q = new PQueue({ concurrency: 2 }); await Promise.all(xs.map((x) => q.add(() => load(x)))); }",
                // Calls queued on one connection or transaction.
                "async function f(keys) { await Promise.all(keys.map((k) => redis.get(k))); }",
                "async function f(trx, rows) { await Promise.all(rows.map((r) => trx.insert(r))); }",
                "async function f(xs) { await Promise.all(xs.map((x) => this.socket.send(x))); }",
            ],
        );
        assert_invalid(
            &UnboundedFanOut,
            &[
                // A `let` may be reassigned; a `const` array may grow.
                ("async function f(a, b) { let items = [a, b]; items = more(); await Promise.all(items.map((x) => load(x))); }", "Promise.all"),
                ("async function f(a, xs) { const items = [a]; items.push(...xs); await Promise.all(items.map((x) => load(x))); }", "Promise.all"),
                // A spread element, or a parameter that hides the short array.
                ("async function f(xs) { const items = [...xs]; await Promise.all(items.map((x) => load(x))); }", "Promise.all"),
                ("const items = [1, 2];\nasync function f(items) { await Promise.all(items.map((x) => load(x))); }", "Promise.all"),
                // Keys of an object whose size the code does not show.
                ("async function f(o) { await Promise.all(Object.keys(o).map((k) => load(k))); }", "Promise.all"),
                // A call that opens a connection of its own for each element.
                ("async function f(urls) { await Promise.all(urls.map((u) => connect(u))); }", "Promise.all"),
                ("async function f(urls) { await Promise.all(urls.map((u) => http.request(u))); }", "Promise.all"),
                // A `const` made by something that is not a limiter.
                ("async function f(xs) { const run = makeRunner(); await Promise.all(xs.map((x) => run(() => load(x)))); }", "Promise.all"),
            ],
        );
    }

    #[test]
    fn teardown_of_each_element_passes() {
        assert_valid(
            &UnboundedFanOut,
            &[
                // mongoose, undici: closing what is already open.
                "await Promise.all(_mongoose.connections.map(conn => conn.close()));",
                "await Promise.all(this[kClients].map(c => c.destroy(err)));",
                "await Promise.all(workers.map(function (w) { return w.terminate(); }));",
            ],
        );
        assert_invalid(
            &UnboundedFanOut,
            &[
                // Not a teardown method, or not the element's own.
                (
                    "await Promise.all(docs.map((d) => d.save()));",
                    "Promise.all",
                ),
                (
                    "await Promise.all(ids.map((id) => registry.close(id)));",
                    "Promise.all",
                ),
            ],
        );
    }

    #[test]
    fn unbounded_fan_outs_are_flagged_on_promise_all() {
        assert_invalid(
            &UnboundedFanOut,
            &[
                ("await Promise.all(users.map((user) => sendEmail(user)));", "Promise.all"),
                ("const out = await Promise.all(items.map(async (item) => { return await load(item); }));", "Promise.all"),
                ("await Promise.allSettled(files.map(function (f) { return fs.promises.readFile(f); }));", "Promise.allSettled"),
                ("async function load(x) {}\nawait Promise.all(ids.map(load));", "Promise.all"),
            ],
        );
    }

    /// tree-sitter reads `await (Promise.all(...))` as a call of a function
    /// `await` (tree-sitter-javascript #303); in async code it is an await.
    #[test]
    fn the_fix_batches_a_misparsed_awaited_statement() {
        assert_fix_outputs(
            &UnboundedFanOut,
            &[
                ("async function f(users) {\n  await (Promise.all(users.map((user) => sendEmail(user))));\n}", &["async function f(users) {\n  const BATCH_SIZE = 100;\n  for (let i = 0; i < users.length; i += BATCH_SIZE) {\n    await Promise.all(users.slice(i, i + BATCH_SIZE).map((user) => sendEmail(user)));\n  }\n}"]),
            ],
        );
    }

    #[test]
    fn the_fix_batches_awaited_statements_only() {
        assert_fix_outputs(
            &UnboundedFanOut,
            &[
                ("async function f(users) {\n  await Promise.all(users.map((user) => sendEmail(user)));\n}", &["async function f(users) {\n  const BATCH_SIZE = 100;\n  for (let i = 0; i < users.length; i += BATCH_SIZE) {\n    await Promise.all(users.slice(i, i + BATCH_SIZE).map((user) => sendEmail(user)));\n  }\n}"]),
                // An existing module-level BATCH_SIZE is reused; a callback naming `i` gets `start`.
                ("const BATCH_SIZE = 10;\nasync function f(o) {\n  await Promise.all(o.ids.map(async (i) => load(i)));\n}", &["const BATCH_SIZE = 10;\nasync function f(o) {\n  for (let start = 0; start < o.ids.length; start += BATCH_SIZE) {\n    await Promise.all(o.ids.slice(start, start + BATCH_SIZE).map(async (i) => load(i)));\n  }\n}"]),
            ],
        );
        for source in [
            // Results used.
            "async function f(xs) { const r = await Promise.all(xs.map((x) => load(x))); }",
            // Not awaited, or outside an async function.
            "function f(xs) { return Promise.all(xs.map((x) => load(x))); }",
            // The input is computed: reading it three times would recompute it.
            "async function f() { await Promise.all(getIds().map((x) => load(x))); }",
            // The index would restart in each batch.
            "async function f(xs) { await Promise.all(xs.map((x, n) => load(x, n))); }",
            // A BATCH_SIZE that is not module-level.
            "async function f(xs) { const BATCH_SIZE = 5; await Promise.all(xs.map((x) => load(x))); }",
        ] {
            assert!(fix_outputs(&UnboundedFanOut, source).is_empty(), "{source}");
        }
    }
}
