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
        severity: Hint, default: off, fixes: [ChangesBehaviour], triggers: [Operand("Promise")],
        reads: [ImportedSummaries, DeclaredPromises],
        precision: { tuning: "71% (12 of 17 findings, 2026-11-25)", held_out: 3 of 20, held_out_tests: 1 of 4, held_out_second: 2 of 20 },
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
    "quit",
    "kill",
    "unref",
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
            let evidence = unbounded_evidence(ctx, items, 0)?;
            Some(FanOut {
                all,
                method,
                items,
                map_call,
                callback,
                evidence,
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
    /// Why the collection's size is the data's, not the code's.
    evidence: Evidence,
    /// `Promise.all`.
    highlight: Range<usize>,
}

fn message(ctx: &RuleContext, fan_out: &FanOut) -> String {
    let method = ctx.text(fan_out.method);
    let shown = short_code(ctx.text(fan_out.items), 30, "the input");
    let evidence = &fan_out.evidence;
    format!(
        "`Promise.{method}` starts one operation per element of {shown}, all at once; \
         {evidence}. With a large input this is unbounded concurrency (sockets, connections, \
         memory): process it in batches or through a concurrency limiter"
    )
}

/// Positive evidence that a collection's size is the data's, not the code's:
/// the rule speaks only with one, and names it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Evidence {
    /// `rows` from `db.query(…)`, `lines_above` lines above the fan-out.
    From {
        name: Option<String>,
        source: String,
        lines_above: usize,
    },
    /// A parameter (or a name declared elsewhere) named for a list of data:
    /// `rows`, `userIds`, `files`.
    Named { name: String, parameter: bool },
    /// `Array.from({ length: n })` with a length the code does not bound.
    Length(String),
}

impl std::fmt::Display for Evidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Evidence::From {
                name,
                source,
                lines_above,
            } => {
                let what = match name {
                    Some(name) => format!("`{name}`"),
                    None => "it".to_owned(),
                };
                let at = match lines_above {
                    0 => "on the same line".to_owned(),
                    1 => "1 line above".to_owned(),
                    n => format!("{n} lines above"),
                };
                write!(f, "{what} comes from `{source}` {at}: its size is the data's")
            }
            Evidence::Named {
                name,
                parameter: true,
            } => write!(
                f,
                "`{name}` is a parameter named for a list of data: its size is the caller's"
            ),
            Evidence::Named {
                name,
                parameter: false,
            } => write!(
                f,
                "`{name}` is named for a list of data: its size is the data's, not the code's"
            ),
            Evidence::Length(length) => write!(
                f,
                "`Array.from({{ length: {length} }})` makes as many elements as `{length}`, \
                 which the code does not bound"
            ),
        }
    }
}

/// Calls whose results are as large as the data they read: a query's rows, a
/// folder's entries, a string's parts, a response body.
const DATA_SOURCES: &[&str] = &[
    "query",
    "find",
    "findAll",
    "findMany",
    "select",
    "scan",
    "readdir",
    "readdirSync",
    "split",
    "glob",
    "globSync",
    "fastGlob",
    "fetch",
    "json",
    "matchAll",
    "readFile",
    "readFileSync",
    "list",
    "listObjects",
    "listObjectsV2",
    "getAll",
    "lrange",
    "smembers",
    "hgetall",
];

/// The last word of a name (`userIds` → `ids`, `all_files` → `files`) that
/// names a list of data records.
const DATA_WORDS: &[&str] = &[
    "rows", "items", "ids", "files", "urls", "uris", "users", "records", "docs", "documents",
    "entries", "paths", "filenames", "messages", "events", "jobs", "tasks", "results", "objects",
    "assets", "accounts", "emails", "links", "lines", "keys", "products", "orders", "posts",
    "comments", "images", "pages", "packages", "modules", "dependencies", "deps",
    "addresses", "recipients", "tweets", "list", "data", "models",
];

/// Objects whose properties are settings, not data: a list read from one is
/// as long as its author wrote it.
const CONFIG_WORDS: &[&str] = &[
    "options", "opts", "config", "conf", "cfg", "settings", "defaults", "env", "argv", "pkg",
];

fn last_word(name: &str) -> String {
    let start = name
        .char_indices()
        .filter(|&(i, c)| i > 0 && (c.is_ascii_uppercase() || c == '_'))
        .map(|(i, c)| if c == '_' { i + 1 } else { i })
        .next_back()
        .unwrap_or(0);
    name[start.min(name.len())..].to_ascii_lowercase()
}

fn names_data(name: &str) -> bool {
    DATA_WORDS.contains(&last_word(name).as_str())
}

fn names_config(path: &str) -> bool {
    path.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .any(|part| CONFIG_WORDS.contains(&part.to_ascii_lowercase().as_str()))
}

/// The name a call is known by: `db.query` → `query`.
fn call_source<'a>(ctx: &RuleContext<'a>, call: Node) -> Option<&'a str> {
    let callee = call.child_by_field_id(crate::field!("function"))?;
    let last = match callee.kind() {
        "identifier" => callee,
        "member_expression" => callee.child_by_field_id(crate::field!("property"))?,
        _ => return None,
    };
    Some(ctx.text(callee)).filter(|_| DATA_SOURCES.contains(&ctx.text(last)))
}

/// Why the size of `items` is the data's, if the code shows it: a call that
/// reads data, a parameter named for a list of data, a local bound to
/// either, or an unbounded `Array.from({ length })`. Methods that keep or
/// shrink the list (`filter`, `Object.keys`) pass the evidence on.
fn unbounded_evidence(ctx: &RuleContext, items: Node, depth: usize) -> Option<Evidence> {
    if depth > 4 {
        return None;
    }
    let items = unwrap_await(unwrap_parens(items));
    match items.kind() {
        "call_expression" => {
            let callee = items.child_by_field_id(crate::field!("function"))?;
            let first_argument = items
                .child_by_field_id(crate::field!("arguments"))
                .and_then(|a| named_children_but_comments(a).into_iter().next())
                .map(unwrap_parens);
            let callee_text = ctx.text(callee);
            if matches!(
                callee_text,
                "Object.keys" | "Object.values" | "Object.entries" | "Array.from"
            ) {
                let argument = first_argument?;
                if callee_text == "Array.from" && argument.kind() == "object" {
                    return unbounded_length(ctx, argument);
                }
                return unbounded_evidence(ctx, argument, depth + 1);
            }
            if let Some(source) = call_source(ctx, items) {
                if names_config(source) {
                    return None;
                }
                return Some(Evidence::From {
                    name: None,
                    source: super::report::shorten_with(source, "…", "(…)"),
                    lines_above: 0,
                });
            }
            // `rows.filter(..)`, `files.flat()`: as large as what they keep.
            if callee.kind() == "member_expression" {
                let method = callee.child_by_field_id(crate::field!("property"))?;
                if matches!(
                    ctx.text(method),
                    "filter" | "flat" | "flatMap" | "concat" | "reverse" | "sort" | "map"
                ) {
                    let object = callee.child_by_field_id(crate::field!("object"))?;
                    return unbounded_evidence(ctx, object, depth + 1);
                }
            }
            None
        }
        "array" => named_children_but_comments(items)
            .into_iter()
            .filter(|e| e.kind() == "spread_element")
            .find_map(|e| unbounded_evidence(ctx, e.named_child(0)?, depth + 1)),
        "identifier" => {
            let name = ctx.text(items);
            match declaration(ctx, items) {
                Some(Declared::Local(Some(value))) => {
                    let Some(evidence) = unbounded_evidence(ctx, value, depth + 1) else {
                        // `let items = [a, b]; items = more();`, `const tasks = [];`
                        // filled in a loop: named for data, not read from settings.
                        return (names_data(name) && !names_config(ctx.text(value))).then(|| {
                            Evidence::Named {
                                name: name.to_owned(),
                                parameter: false,
                            }
                        });
                    };
                    let evidence = match evidence {
                        Evidence::From { source, .. } => Evidence::From {
                            name: Some(name.to_owned()),
                            source,
                            lines_above: ctx.source[value.start_byte()..items.start_byte()]
                                .matches('\n')
                                .count(),
                        },
                        other => other,
                    };
                    Some(evidence)
                }
                Some(Declared::Local(None)) => None,
                Some(Declared::Parameter) => names_data(name).then(|| Evidence::Named {
                    name: name.to_owned(),
                    parameter: true,
                }),
                None => names_data(name).then(|| Evidence::Named {
                    name: name.to_owned(),
                    parameter: false,
                }),
            }
        }
        // `req.body.ids`, `this.files`: a property named for data, not read
        // from a configuration object.
        "member_expression" => {
            let property = items.child_by_field_id(crate::field!("property"))?;
            let path = ctx.text(items);
            (property.kind() == "property_identifier"
                && names_data(ctx.text(property))
                && !names_config(path)
                && is_plain_path(items))
            .then(|| Evidence::Named {
                name: short_path(path),
                parameter: false,
            })
        }
        _ => None,
    }
}

fn short_path(path: &str) -> String {
    super::report::shorten_with(path, "…", "")
}

/// `Array.from({ length: n })` where `n` is not a number literal.
fn unbounded_length(ctx: &RuleContext, object: Node) -> Option<Evidence> {
    let length = named_children_but_comments(object).into_iter().find_map(|pair| {
        // `{ length }`: a name, whatever it holds.
        if pair.kind() == "shorthand_property_identifier" && ctx.text(pair) == "length" {
            return Some(pair);
        }
        let key = pair.child_by_field_id(crate::field!("key"))?;
        (ctx.text(key) == "length").then(|| pair.child_by_field_id(crate::field!("value")))?
    })?;
    (length.kind() != "number" && !names_config(ctx.text(length)))
        .then(|| Evidence::Length(short_path(ctx.text(length))))
}

fn unwrap_await(node: Node) -> Node {
    if node.kind() == "await_expression" {
        node.named_child(0).map_or(node, unwrap_parens)
    } else {
        node
    }
}

/// How the name a node reads is declared, as far as the rule examines.
enum Declared<'t> {
    /// A `const`, `let` or `var` declared before the read in a block around
    /// it, with its initial value; a `let` or `var` assigned later again is
    /// judged by its initial value too.
    Local(Option<Node<'t>>),
    /// A parameter of a function around the read.
    Parameter,
}

fn declaration<'t>(ctx: &RuleContext, name: Node<'t>) -> Option<Declared<'t>> {
    let wanted = ctx.text(name);
    let mut at = name;
    while let Some(parent) = at.parent() {
        let any_declaration = |statement: Node| {
            matches!(
                statement.kind(),
                "lexical_declaration" | "variable_declaration"
            )
        };
        if let Some(value) = declared_before(ctx, parent, name, any_declaration) {
            return Some(Declared::Local(value));
        }
        if is_function(parent) && declares_parameter(ctx, parent, wanted) {
            return Some(Declared::Parameter);
        }
        if ctx.scope().contains(&parent) {
            return None;
        }
        at = parent;
    }
    None
}

/// The last declarator of `name` among the statements of `block` (a block,
/// the program or a static block) before `name` that `keep` accepts, with its
/// value (`None` without an initialiser). `None` when no such statement
/// declares it, or `block` is not a block.
fn declared_before<'t>(
    ctx: &RuleContext,
    block: Node<'t>,
    name: Node<'t>,
    keep: impl Fn(Node<'t>) -> bool,
) -> Option<Option<Node<'t>>> {
    if !matches!(
        block.kind(),
        "statement_block" | "program" | "class_static_block"
    ) {
        return None;
    }
    let wanted = ctx.text(name);
    let mut found = None;
    for statement in named_children_but_comments(block) {
        if statement.start_byte() >= name.start_byte() {
            break;
        }
        if !keep(statement) {
            continue;
        }
        for declarator in named_children_but_comments(statement) {
            let declared = declarator.child_by_field_id(crate::field!("name"));
            if declared.is_some_and(|d| d.kind() == "identifier" && ctx.text(d) == wanted) {
                found = Some(declarator.child_by_field_id(crate::field!("value")));
            }
        }
    }
    found
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
        "identifier" => const_binding(ctx, items).is_some_and(|(value, pushed)| {
            short_literal_with(value, "array", pushed)
                || (pushed == 0 && small_by_construction(ctx, value))
        }),
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
    short_literal_with(value, kind, 0)
}

/// [`short_literal`] once `pushed` more elements are added.
fn short_literal_with(value: Node, kind: &str, pushed: usize) -> bool {
    let value = unwrap_parens(value);
    let elements = named_children_but_comments(value);
    value.kind() == kind
        && elements.len() + pushed <= SHORT_LITERAL
        && elements.iter().all(|e| e.kind() != "spread_element")
}

/// The initial value of the `const` that `name` refers to, declared in a
/// block around it before it (within the code the rule examines), when
/// nothing adds to it.
fn const_value<'t>(ctx: &RuleContext, name: Node<'t>) -> Option<Node<'t>> {
    const_binding(ctx, name)
        .filter(|&(_, pushed)| pushed == 0)
        .map(|(value, _)| value)
}

/// The initial value of the `const` that `name` refers to, and how many
/// elements its block adds with `name.push(a, b)` calls made once each (not
/// in a loop or a nested function, without spread): `const xs = []; if (a)
/// xs.push(a);` holds at most one element. `None` when the block grows it in
/// any other way.
fn const_binding<'t>(ctx: &RuleContext, name: Node<'t>) -> Option<(Node<'t>, usize)> {
    let wanted = ctx.text(name);
    let mut at = name;
    while let Some(parent) = at.parent() {
        let is_const = |statement: Node| {
            statement.kind() == "lexical_declaration"
                && statement
                    .child_by_field_id(crate::field!("kind"))
                    .is_some_and(|k| ctx.text(k) == "const")
        };
        if let Some(Some(value)) = declared_before(ctx, parent, name, is_const) {
            // A `const` array can still grow.
            let block = ctx.text(parent);
            let grows = [".unshift(", ".splice(", "[", ".length"]
                .iter()
                .any(|op| block.contains(&format!("{wanted}{op}")));
            if grows {
                return None;
            }
            return pushes_once(ctx, parent, wanted).map(|pushed| (value, pushed));
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

/// How many elements the `name.push(..)` calls in `block` add, when each
/// runs at most once per run of the block: none in a loop or a nested
/// function, none with a spread argument. `None` otherwise.
fn pushes_once(ctx: &RuleContext, block: Node, name: &str) -> Option<usize> {
    let mut pushed = 0;
    let mut bounded = true;
    let mut cursor = block.walk();
    let mut stack = vec![block];
    while let Some(node) = stack.pop() {
        if node.kind() == "call_expression" {
            let callee = node.child_by_field_id(crate::field!("function"));
            let pushes = callee.is_some_and(|c| {
                c.kind() == "member_expression"
                    && c.child_by_field_id(crate::field!("object"))
                        .is_some_and(|o| o.kind() == "identifier" && ctx.text(o) == name)
                    && c.child_by_field_id(crate::field!("property"))
                        .is_some_and(|p| ctx.text(p) == "push")
            });
            if pushes {
                let arguments = node
                    .child_by_field_id(crate::field!("arguments"))
                    .map(named_children_but_comments)
                    .unwrap_or_default();
                let repeated = std::iter::successors(node.parent(), |n| n.parent())
                    .take_while(|n| *n != block)
                    .any(|n| {
                        is_function(n)
                            || matches!(
                                n.kind(),
                                "for_statement"
                                    | "for_in_statement"
                                    | "while_statement"
                                    | "do_statement"
                            )
                    });
                if repeated || arguments.iter().any(|a| a.kind() == "spread_element") {
                    bounded = false;
                }
                pushed += arguments.len();
            }
        }
        stack.extend(node.named_children(&mut cursor));
    }
    bounded.then_some(pushed)
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
    if uses_limiter(ctx, body) || queues_on_own_class(ctx, callback, body) {
        return false;
    }
    let only = if body.kind() == "statement_block" {
        match named_children_but_comments(body).as_slice() {
            [only] if matches!(only.kind(), "return_statement" | "expression_statement") => {
                only.named_child(0)
            }
            _ => None,
        }
    } else {
        Some(body)
    };
    // `async (c) => { await c.quit(); }`: the one thing done, awaited.
    let only = only.map(|r| unwrap_await(unwrap_parens(r)));
    let starts_nothing = only.is_some_and(|r| {
        r.kind() == "call_expression"
            && (tears_down_parameter(ctx, callback, r) || awaits_existing_promise(ctx, callback, r))
    });
    if starts_nothing {
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
        r.kind() == "call_expression"
            || (r.kind() == "new_expression" && ctx.text(r).starts_with("new Promise"))
    })
}

/// The callback's first parameter, when it is a plain name.
fn first_parameter<'a>(ctx: &RuleContext<'a>, callback: Node) -> Option<&'a str> {
    callback
        .child_by_field_id(crate::field!("parameter"))
        .or_else(|| {
            let params = callback.child_by_field_id(crate::field!("parameters"))?;
            named_children_but_comments(params).into_iter().next()
        })
        .filter(|p| p.kind() == "identifier")
        .map(|p| ctx.text(p))
}

/// `reflect(x.promise)`, `x.promise.then(f)`: a call on a promise the
/// element already holds (a property of the parameter named for a promise).
/// Waiting for work already started starts none.
fn awaits_existing_promise(ctx: &RuleContext, callback: Node, call: Node) -> bool {
    let Some(parameter) = first_parameter(ctx, callback) else {
        return false;
    };
    let is_held_promise = |node: Node| {
        let node = unwrap_parens(node);
        node.kind() == "member_expression"
            && node
                .child_by_field_id(crate::field!("object"))
                .is_some_and(|o| o.kind() == "identifier" && ctx.text(o) == parameter)
            && node
                .child_by_field_id(crate::field!("property"))
                .is_some_and(|p| ctx.text(p).to_ascii_lowercase().ends_with("promise"))
    };
    let Some(callee) = call.child_by_field_id(crate::field!("function")) else {
        return false;
    };
    let arguments = call
        .child_by_field_id(crate::field!("arguments"))
        .map(named_children_but_comments)
        .unwrap_or_default();
    let on_held = callee.kind() == "member_expression"
        && callee
            .child_by_field_id(crate::field!("object"))
            .is_some_and(is_held_promise)
        && callee
            .child_by_field_id(crate::field!("property"))
            .is_some_and(|p| matches!(ctx.text(p), "then" | "catch" | "finally"));
    let wraps_held = callee.kind() == "identifier"
        && matches!(arguments.as_slice(), [only] if is_held_promise(*only));
    on_held || wraps_held
}

/// `this.add(() => ..)` in a class whose own `add` method queues the work
/// (its body names a queue, a limit or a concurrency): the class is the
/// limiter.
fn queues_on_own_class(ctx: &RuleContext, callback: Node, body: Node) -> bool {
    let Some(class_body) = std::iter::successors(callback.parent(), |n| n.parent())
        .find(|n| n.kind() == "class_body")
    else {
        return false;
    };
    let queuing_methods: Vec<&str> = named_children_but_comments(class_body)
        .into_iter()
        .filter(|m| m.kind() == "method_definition")
        .filter(|m| {
            let text = ctx.text(*m).to_ascii_lowercase();
            text.contains("queue") || text.contains("concurrency") || text.contains("limit")
        })
        .filter_map(|m| m.child_by_field_id(crate::field!("name")).map(|n| ctx.text(n)))
        .collect();
    has_named_descendant(body, |node| {
        node.kind() == "call_expression"
            && node
                .child_by_field_id(crate::field!("function"))
                .filter(|f| f.kind() == "member_expression")
                .is_some_and(|f| {
                    f.child_by_field_id(crate::field!("object"))
                        .is_some_and(|o| o.kind() == "this")
                        && f.child_by_field_id(crate::field!("property"))
                            .is_some_and(|p| queuing_methods.contains(&ctx.text(p)))
                })
    })
}

/// `call` is `item.close()` (or another [`TEARDOWN_METHODS`] call) on the
/// callback's own parameter `item`.
fn tears_down_parameter(ctx: &RuleContext, callback: Node, call: Node) -> bool {
    let Some(parameter) = first_parameter(ctx, callback) else {
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
    object.is_some_and(|o| o.kind() == "identifier" && ctx.text(o) == parameter)
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
                // Pushed in a loop or a callback: as many as the loop runs.
                ("async function f(rows) { const items = []; for (const r of rows) items.push(r); await Promise.all(items.map((x) => load(x))); }", "Promise.all"),
                ("async function f(rows) { const items = []; rows.forEach((r) => items.push(r)); await Promise.all(items.map((x) => load(x))); }", "Promise.all"),
                // A spread element, or a parameter that hides the short array.
                ("async function f(ids) { const items = [...ids]; await Promise.all(items.map((x) => load(x))); }", "Promise.all"),
                ("const items = [1, 2];\nasync function f(items) { await Promise.all(items.map((x) => load(x))); }", "Promise.all"),
                // Keys of an object whose size the code does not show.
                ("async function f(res) { const byId = await res.json(); await Promise.all(Object.keys(byId).map((k) => load(k))); }", "Promise.all"),
                // A call that opens a connection of its own for each element.
                ("async function f(urls) { await Promise.all(urls.map((u) => connect(u))); }", "Promise.all"),
                ("async function f(urls) { await Promise.all(urls.map((u) => http.request(u))); }", "Promise.all"),
                // A `const` made by something that is not a limiter.
                ("async function f(ids) { const run = makeRunner(); await Promise.all(ids.map((x) => run(() => load(x)))); }", "Promise.all"),
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

    /// Issue 21: a local array given a bounded number of elements, pushed
    /// once each outside loops, is small by construction.
    #[test]
    fn a_local_array_pushed_a_few_times_passes() {
        assert_valid(
            &UnboundedFanOut,
            &[
                "async function f(a, b, items) { const tasks = []; if (a) tasks.push(a); if (b) tasks.push(b); await Promise.all(tasks.map((t) => load(t))); }",
                "async function f(child, items) { const streams = []; if (child.stdout) { streams.push(child.stdout); } if (child.stderr) { streams.push(child.stderr); } await Promise.all(streams.map((s) => drain(s))); }",
            ],
        );
    }

    /// Issue 21: the rule speaks only with evidence that the collection's
    /// size is the data's (a parameter named for data, a query's rows, a
    /// folder's entries, a response body, an unbounded `Array.from`), not on
    /// any collection: settings, stdio streams and fixed method lists pass.
    #[test]
    fn collections_without_evidence_of_data_pass() {
        assert_valid(
            &UnboundedFanOut,
            &[
                "async function f(xs) { await Promise.all(xs.map((x) => load(x))); }",
                "class A { async start() { await Promise.all(Object.keys(this.options.stores).map((k) => open(k))); } }",
                "async function f(options) { await Promise.all(options.hosts.map((h) => connect(h))); }",
                "async function f(opts) { const files = opts.files; await Promise.all(files.map((f) => load(f))); }",
                "async function f(child) { await Promise.all([child.stdout, child.stderr].map((s) => drain(s))); }",
                "async function f() { await Promise.all(['stdout', 'stderr'].map((s) => drain(process[s]))); }",
                "const methods = ['get', 'post', 'put', 'delete', 'patch', 'head', 'options', 'trace', 'connect', 'search', 'lock', 'unlock', 'bind', 'link', 'copy', 'move', 'merge'];\nasync function f(app) { await Promise.all(methods.map((m) => app.route(m))); }",
                "async function f(app) { await Promise.all(http.METHODS.map((m) => app.route(m))); }",
                "async function f() { await Promise.all(Array.from({ length: 4 }, (_, i) => i).map((i) => load(i))); }",
            ],
        );
        assert_invalid(
            &UnboundedFanOut,
            &[
                ("async function f(db) { const rows = await db.query('select id from t'); await Promise.all(rows.map((r) => load(r))); }", "Promise.all"),
                ("async function f(dir) { const names = await fs.promises.readdir(dir); await Promise.all(names.map((n) => load(n))); }", "Promise.all"),
                ("async function f(text) { await Promise.all(text.split('\\n').map((line) => load(line))); }", "Promise.all"),
                ("async function f(n) { await Promise.all(Array.from({ length: n }).map(() => load())); }", "Promise.all"),
                ("async function f(req) { await Promise.all(req.body.ids.map((id) => load(id))); }", "Promise.all"),
                ("async function f(userIds) { await Promise.all(userIds.filter(Boolean).map((id) => load(id))); }", "Promise.all"),
            ],
        );
    }

    #[test]
    fn the_message_names_the_evidence_of_size() {
        let message = crate::rules::testing::first_message(
            &UnboundedFanOut,
            "async function f(db) {\n  const rows = await db.query('select id from t');\n  await Promise.all(rows.map((r) => load(r)));\n}",
        );
        assert!(
            message.contains("`rows` comes from `db.query(…)` 1 line above: its size is the data's"),
            "{message}"
        );
        let message = crate::rules::testing::first_message(
            &UnboundedFanOut,
            "async function f(ids) { await Promise.all(ids.map((id) => load(id))); }",
        );
        assert!(
            message.contains("`ids` is a parameter named for a list of data: its size is the caller's"),
            "{message}"
        );
    }

    /// Issue 21: closing what is open, waiting for promises the elements
    /// already hold, and a class's own queue start no unbounded work.
    #[test]
    fn teardown_existing_promises_and_own_queues_pass() {
        assert_valid(
            &UnboundedFanOut,
            &[
                "async function f(clients) { await Promise.all(clients.map((c) => c.quit())); }",
                "async function f(workers) { await Promise.all(workers.map(async (w) => { await w.kill(); })); }",
                "async function f(items) { await Promise.all(items.map((x) => x.unref())); }",
                "async function f(items) { await Promise.all(items.map((x) => reflect(x.promise))); }",
                "async function f(items) { await Promise.all(items.map((x) => x.promise.catch(noop))); }",
                "class Q { add(fn) { this.queue.push(fn); this.next(); } async addAll(items) { await Promise.all(items.map((x) => this.add(() => run(x)))); } }",
            ],
        );
        assert_invalid(
            &UnboundedFanOut,
            &[
                // A call that takes the held promise among other work, or a
                // class method that does not queue.
                ("async function f(items) { await Promise.all(items.map((x) => load(x.promise, x.id))); }", "Promise.all"),
                ("class Q { add(x) { return fetch(x); } async addAll(items) { await Promise.all(items.map((x) => this.add(x))); } }", "Promise.all"),
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
            "async function f(ids) { const r = await Promise.all(ids.map((x) => load(x))); }",
            // Not awaited, or outside an async function.
            "function f(ids) { return Promise.all(ids.map((x) => load(x))); }",
            // The input is computed: reading it three times would recompute it.
            "async function f(db) { await Promise.all(db.query().map((x) => load(x))); }",
            // The index would restart in each batch.
            "async function f(ids) { await Promise.all(ids.map((x, n) => load(x, n))); }",
            // A BATCH_SIZE that is not module-level.
            "async function f(ids) { const BATCH_SIZE = 5; await Promise.all(ids.map((x) => load(x))); }",
        ] {
            assert!(fix_outputs(&UnboundedFanOut, source).is_empty(), "{source}");
        }
    }
}
