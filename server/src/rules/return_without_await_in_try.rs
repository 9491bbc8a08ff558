use std::ops::Range;

use tree_sitter::Node;

use crate::analysis::dataflow::{preorder, Walk};
use crate::findings::{Edit, Finding, Fix};
use crate::syntax::js::{
    enclosing_function, is_async_function, is_function, unwrap_parens, FUNCTION_KINDS,
};

use super::report::brief_call;
use super::{declare_rule, RuleContext};


declare_rule! {
    // The fix makes the code do what it reads as (the `try` covers the returned
    // work), which changes the paths the finding is about: a rejection now reaches
    // the `catch` and `finally` now waits. That is a change of behaviour, so the
    // fix is offered in the editor, not applied by `check --fix`.
    pub struct ReturnWithoutAwaitInTry { code: "return-without-await-in-try", docs: "return_without_await_in_try.md",
        summary: "a promise returned without `await` from inside `try`",
        severity: Warning, default: off, fixes: [ChangesBehaviour], triggers: [Modifier("async")],
        reads: [ImportedSummaries, DeclaredPromises],
        precision: { tuning: "no figure (no findings when the corpus was sampled, 2026-11-25)", held_out: 2 of 2, held_out_tests: 0 of 0, held_out_second: 1 of 4,
            typescript: "2 of 2 right on the fifth corpus, 0 of 1 on the fourth, 3 of 3 on the third, 2 of 5 on the second (every rule on)" },
        queries: [RETURNS("returns.scm", ["return", "return.keyword", "return.value"])],
    }
}

/// What a `return` inside `try` skips.
#[derive(Default)]
struct Bypassed {
    catch: bool,
    finally: bool,
}

fn check(ctx: &RuleContext) -> Vec<Finding> {
    META.report_each(detect(ctx), |found| {
        (
            found.keyword.byte_range(),
            message(&found),
            vec![fix(found.value)],
        )
    })
}

/// A `return` of a promise, without `await`, inside a `try` it escapes.
struct UnawaitedReturn<'t> {
    keyword: Node<'t>,
    value: Node<'t>,
    bypassed: Bypassed,
    /// How the message names the returned promise.
    described: String,
}

fn detect<'a>(ctx: &RuleContext<'a>) -> Vec<UnawaitedReturn<'a>> {
    let mut found = Vec::new();
    // Only a return inside both a `try` and an async function can count:
    // the walk up from a return is what costs, so the rest are left out
    // by their offset first.
    let tries = Spans::of(ctx.nodes("try_statement").iter().copied());
    let async_functions = Spans::of(
        FUNCTION_KINDS
            .iter()
            .filter(|kind| !is_generator_kind(kind))
            .flat_map(|kind| ctx.nodes(kind).iter().copied())
            .filter(|&function| is_async_function(function)),
    );
    if tries.is_empty() || async_functions.is_empty() {
        return found;
    }
    ctx.for_each_complete_capture(
        &RETURNS,
        ["return.keyword", "return.value"],
        |[keyword, value]| {
            let at = keyword.start_byte();
            if tries.contains(at) && async_functions.contains(at) {
                found.extend(unawaited_return(ctx, keyword, value));
            }
        },
    );
    found
}

fn unawaited_return<'a>(
    ctx: &RuleContext<'a>,
    keyword: Node<'a>,
    value: Node<'a>,
) -> Option<UnawaitedReturn<'a>> {
    let (bypassed, function) = bypassed_handlers(keyword)?;
    if !(bypassed.catch || bypassed.finally)
        || !is_async_function(function)
        || is_generator_kind(function.kind())
    {
        return None;
    }
    let described = promise_description(ctx, value, function, 0)?;
    Some(UnawaitedReturn {
        keyword,
        value,
        bypassed,
        described,
    })
}

fn message(found: &UnawaitedReturn) -> String {
    let described = &found.described;
    match (found.bypassed.catch, found.bypassed.finally) {
        (true, true) => format!(
            "the `catch` never sees a rejection of `{described}`, and `finally` runs before it \
             settles: use `return await` (it is returned without `await` inside `try`)"
        ),
        (true, false) => format!(
            "the `catch` never sees a rejection of `{described}`, the caller gets it instead: \
             use `return await` (it is returned without `await` inside `try`)"
        ),
        _ => format!(
            "`finally` runs before `{described}` settles: use `return await` (it is returned \
             without `await` inside `try`)"
        ),
    }
}

fn fix(value: Node) -> Fix {
    let needs_parens = !matches!(
        value.kind(),
        "call_expression"
            | "new_expression"
            | "identifier"
            | "member_expression"
            | "subscript_expression"
            | "parenthesized_expression"
    );
    let edits = if needs_parens {
        vec![
            Edit {
                range: value.start_byte()..value.start_byte(),
                text: "await (".to_owned(),
            },
            Edit {
                range: value.end_byte()..value.end_byte(),
                text: ")".to_owned(),
            },
        ]
    } else {
        vec![Edit {
            range: value.start_byte()..value.start_byte(),
            text: "await ".to_owned(),
        }]
    };
    Fix {
        title: "Use `return await` so the `try` covers the returned promise".to_owned(),
        safety: FIX_SAFETY,
        edits,
    }
}

/// Whether functions of `kind` are generators (`function*`): an async
/// generator's `return` is awaited by the generator itself.
fn is_generator_kind(kind: &str) -> bool {
    kind.starts_with("generator")
}

/// The byte offsets some node of a set covers, as disjoint sorted ranges.
struct Spans(Vec<Range<usize>>);

impl Spans {
    fn of<'t>(nodes: impl Iterator<Item = Node<'t>>) -> Self {
        let mut ranges: Vec<Range<usize>> = nodes.map(|node| node.byte_range()).collect();
        ranges.sort_by_key(|range| range.start);
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
        for range in ranges {
            match merged.last_mut() {
                Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                _ => merged.push(range),
            }
        }
        Self(merged)
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn contains(&self, offset: usize) -> bool {
        let after = self.0.partition_point(|range| range.start <= offset);
        after > 0 && offset < self.0[after - 1].end
    }
}

/// The handlers a `return` at `keyword` leaves early, and its function. `None`
/// when the return is not inside a `try` block or `catch` of its own function.
fn bypassed_handlers(keyword: Node) -> Option<(Bypassed, Node)> {
    let mut bypassed = Bypassed::default();
    let mut child = keyword.parent()?;
    while let Some(parent) = child.parent() {
        match parent.kind() {
            _ if is_function(parent) || parent.kind() == "class_body" => {
                return Some((bypassed, parent));
            }
            "try_statement" if parent.child_by_field_id(crate::field!("body")) == Some(child) => {
                bypassed.catch |= parent.child_by_field_id(crate::field!("handler")).is_some();
                bypassed.finally |= parent
                    .child_by_field_id(crate::field!("finalizer"))
                    .is_some();
            }
            "try_statement"
                if parent.child_by_field_id(crate::field!("handler")) == Some(child) =>
            {
                bypassed.finally |= parent
                    .child_by_field_id(crate::field!("finalizer"))
                    .is_some();
            }
            _ => {}
        }
        child = parent;
    }
    None
}

/// Known-asynchronous call names: a call to one of these returns a promise in
/// the libraries people use (fetch, axios, ORMs, fs/promises) or by convention.
fn name_says_async(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "fetch",
        "axios",
        "got",
        "query",
        "execute",
        "findOne",
        "findMany",
        "findAll",
        "findById",
        "findUnique",
        "findFirst",
        "insertOne",
        "insertMany",
        "updateOne",
        "updateMany",
        "deleteOne",
        "deleteMany",
        "aggregate",
        "request",
        "readFile",
        "writeFile",
        "appendFile",
        "mkdir",
        "readdir",
        "unlink",
        "rm",
        "stat",
        "access",
        "sleep",
        "delay",
        "transaction",
        "commit",
        "rollback",
        "connect",
        "save",
        "load",
    ];
    const PREFIXES: &[&str] = &["fetch", "load", "save", "download", "upload", "request"];
    EXACT.contains(&name)
        || name.ends_with("Async")
        || PREFIXES.iter().any(|prefix| {
            name.strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
        })
}

/// A short description of `value` when it is likely a promise, else `None`.
fn promise_description(
    ctx: &RuleContext,
    value: Node,
    function: Node,
    depth: usize,
) -> Option<String> {
    if depth > 4 {
        return None;
    }
    // `return await (await fetch(u)).json()` is awaited: tree-sitter reads
    // it as a call of a function `await` (see `syntax::awaits`).
    if ctx.await_at(value).is_some() {
        return None;
    }
    match value.kind() {
        "parenthesized_expression" => {
            promise_description(ctx, value.named_child(0)?, function, depth + 1)
        }
        "new_expression" => {
            let constructor = value.child_by_field_id(crate::field!("constructor"))?;
            (ctx.text(constructor) == "Promise").then(|| "new Promise(..)".to_owned())
        }
        "call_expression" => call_is_promise(ctx, value).then(|| brief_call_or_promise(ctx, value)),
        "identifier" => {
            let init = promise_binding(ctx, value, function)?;
            promise_description(ctx, init, function, depth + 1)?;
            if awaited_before(ctx, value, function) {
                return None;
            }
            Some(ctx.text(value).to_owned())
        }
        "ternary_expression" => {
            let either = ["consequence", "alternative"].iter().any(|field| {
                value.child_by_field_name(field).is_some_and(|branch| {
                    promise_description(ctx, branch, function, depth + 1).is_some()
                })
            });
            either.then(|| "the returned promise".to_owned())
        }
        _ => None,
    }
}

/// `callee(..)`, shortened for messages.
fn brief_call_or_promise(ctx: &RuleContext, call: Node) -> String {
    brief_call(ctx.source, call).unwrap_or_else(|| "the returned promise".to_owned())
}

fn call_is_promise(ctx: &RuleContext, call: Node) -> bool {
    let Some(callee) = call.child_by_field_id(crate::field!("function")) else {
        return false;
    };
    let args = call
        .child_by_field_id(crate::field!("arguments"))
        .map_or(0, |args| args.named_child_count());
    match callee.kind() {
        "identifier" => {
            let name = ctx.text(callee);
            name_says_async(name) || local_function_is_async(ctx, name, false)
        }
        "member_expression" => {
            let Some(property) = callee.child_by_field_id(crate::field!("property")) else {
                return false;
            };
            let method = ctx.text(property);
            let object = callee
                .child_by_field_id(crate::field!("object"))
                .map_or("", |object| ctx.text(object));
            if matches!(method, "then" | "catch" | "finally") || object == "Promise" {
                return true;
            }
            // A fetch `Response` body; `res.json(data)` (Express) has an argument.
            if args == 0 && matches!(method, "json" | "text" | "arrayBuffer" | "blob") {
                return true;
            }
            let through_this = matches!(object, "this" | "super");
            name_says_async(method) || (through_this && local_function_is_async(ctx, method, true))
        }
        _ => false,
    }
}

/// Whether the file declares an async function (or, with `methods`, an async
/// class method) called `name`.
fn local_function_is_async(ctx: &RuleContext, name: &str, methods: bool) -> bool {
    if methods {
        ctx.facts().declares_async_method(name)
    } else {
        ctx.facts().declares_async_function(name)
    }
}

/// True when a statement before the one holding `ident`, in a block that
/// holds it (up to its function's body), is `await name;` or declares
/// `const x = await name;`: the promise has settled by then (fulfilled, or the
/// `await` threw and the return is never reached), so returning it without
/// `await` skips nothing. The binding is not reassigned ([`promise_binding`]).
fn awaited_before(ctx: &RuleContext, ident: Node, function: Node) -> bool {
    let name = ctx.text(ident);
    let awaits_name = |expr: Option<Node>| {
        expr.filter(|e| e.kind() == "await_expression")
            .and_then(|e| e.named_child(0))
            .map(unwrap_parens)
            .is_some_and(|awaited| awaited.kind() == "identifier" && ctx.text(awaited) == name)
    };
    let awaits_in = |statement: Node| match statement.kind() {
        "expression_statement" => awaits_name(statement.named_child(0)),
        "lexical_declaration" | "variable_declaration" => {
            let mut cursor = statement.walk();
            let found = statement
                .named_children(&mut cursor)
                .any(|d| awaits_name(d.child_by_field_id(crate::field!("value")).map(unwrap_parens)));
            found
        }
        _ => false,
    };
    let mut current = ident;
    while let Some(parent) = current.parent() {
        if parent.id() == function.id() {
            return false;
        }
        if parent.kind() == "statement_block" {
            let mut sibling = current.prev_named_sibling();
            while let Some(statement) = sibling {
                if awaits_in(statement) {
                    return true;
                }
                sibling = statement.prev_named_sibling();
            }
        }
        current = parent;
    }
    false
}

/// The initializer of the `const`/`let` that `ident` names, when it is declared
/// in `function` and never reassigned.
fn promise_binding<'t>(ctx: &RuleContext, ident: Node<'t>, function: Node<'t>) -> Option<Node<'t>> {
    let name = ctx.text(ident);
    let mut init = None;
    let mut reassigned = false;
    preorder(function, |node| {
        match node.kind() {
            "variable_declarator" if node.start_byte() < ident.start_byte() => {
                if let Some(declared) = node.child_by_field_id(crate::field!("name")) {
                    if declared.kind() == "identifier" && ctx.text(declared) == name {
                        init = node.child_by_field_id(crate::field!("value"));
                    }
                }
            }
            "assignment_expression" | "augmented_assignment_expression"
                if node
                    .child_by_field_id(crate::field!("left"))
                    .is_some_and(|left| ctx.text(left) == name) =>
            {
                reassigned = true;
            }
            _ => {}
        }
        Walk::Enter
    });
    // The binding must belong to this function, not an outer one it shadows.
    let init = init.filter(|init| enclosing_function(*init) == Some(function))?;
    (!reassigned).then_some(init)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::FixSafety;
    use crate::rules::testing::{assert_invalid, assert_valid, assert_first_fix, first_message};
    use crate::syntax;

    const RULE: ReturnWithoutAwaitInTry = ReturnWithoutAwaitInTry;

    #[test]
    fn spans_merge_nested_and_overlapping_nodes() {
        let source = "try { try { a(); } catch {} } catch {}\nb();\ntry { c(); } finally {}";
        let tree = syntax::parse(source, None);
        let index = crate::syntax::SyntaxIndex::new(
            tree.root_node(),
            crate::rules::query_registry::query_set(),
        );
        let spans = Spans::of(index.nodes("try_statement").iter().copied());
        assert_eq!(spans.0.len(), 2, "{:?}", spans.0);
        assert!(spans.contains(0));
        assert!(spans.contains(source.find("a()").unwrap()));
        assert!(!spans.contains(source.find("b()").unwrap()));
        assert!(spans.contains(source.find("c()").unwrap()));
        assert!(!spans.contains(source.len()));
    }

    #[test]
    fn a_return_in_a_try_of_a_sync_function_nested_in_an_async_one_passes() {
        assert_valid(
            &RULE,
            &["async function f() { await g(); function h() { try { return fetch(u); } catch (e) {} } }"],
        );
    }

    #[test]
    fn returns_that_are_awaited_sync_or_outside_try_pass() {
        assert_valid(
            &RULE,
            &[
                // Already awaited.
                "async function f() { try { return await fetch(u); } catch (e) { return null; } }",
                // Not inside try: plain forwarding is fine.
                "async function f() { return fetch(u); }",
                // Not async: the function does not own the promise's outcome anyway.
                "function f() { try { return fetch(u); } catch (e) { return null; } }",
                // Values that are certainly not promises.
                "async function f() { try { return 42; } catch (e) {} }",
                "async function f(x) { try { return JSON.parse(x); } catch (e) { return null; } }",
                "async function f(x) { try { return { a: 1 }; } finally { done(); } }",
                // Unknown calls are not assumed to be promises.
                "async function f() { try { const d = await fetchX(); return transform(d); } catch (e) { log(e); } }",
                // Express responses: `res.json(data)` returns `res`.
                "async function h(req, res) { try { return res.json(await load()); } catch (e) { return res.status(500).json({}); } }",
                // A return in a nested function belongs to that function.
                "async function f() { try { items.map(x => { return fetch(x); }); } catch (e) {} }",
                // A return in `catch` without `finally` leaves nothing behind.
                "async function f() { try { await g(); } catch (e) { return fetch(u); } }",
                // A return in `finally` itself.
                "async function f() { try { await g(); } finally { return fetch(u); } }",
                // Async generators await returned values themselves.
                "async function* f() { try { return fetch(u); } finally { done(); } }",
                // A local rebound after its declaration is not trusted.
                "async function f() { let p = fetch(u); p = 1; try { return p; } catch (e) {} }",
                // `JSON.parse` is not the file's own async `parse`.
                "async function parse(t) { try { return JSON.parse(t); } catch (e) {} }",
                // Awaited before in the same `try`, or before it: already settled.
                "async function f(em) { const done = new Promise((r) => em.once('x', r)); try { await done; return done; } finally { em.off(); } }",
                "async function f() { const p = fetch(u); await p; try { return p; } catch (e) {} }",
                "async function f() { const p = fetch(u); try { const r = await p; log(r); return p; } finally { t(); } }",
                // A local sync function.
                "function helper() { return 1; }\nasync function f() { try { return helper(); } catch (e) {} }",
            ],
        );
    }

    #[test]
    fn promises_returned_from_try_are_flagged_on_the_return_keyword() {
        assert_invalid(
            &RULE,
            &[
                ("async function f() { try { return fetch(u); } catch (e) { return null; } }", "return"),
                ("async function f(lock) { try { return loadUser(1); } finally { lock.release(); } }", "return"),
                ("const f = async () => { try { return db.query(sql); } catch (e) { throw wrap(e); } };", "return"),
                ("class A { async m() { try { return this.save(); } catch (e) {} } }", "return"),
                ("class A { async get() {} async m() { try { return this.get(); } catch (e) {} } }", "return"),
                ("async function f() { try { return g().then(h); } catch (e) {} }", "return"),
                ("async function f() { try { return new Promise(r => setTimeout(r, 9)); } finally { t(); } }", "return"),
                ("async function f(r) { try { if (r) { return r.json(); } } catch (e) {} }", "return"),
                ("async function f() { const p = fetch(u); try { return p; } catch (e) {} }", "return"),
                // Awaited only on one path, or after the return.
                ("async function f(c) { const p = fetch(u); try { if (c) { await p; } return p; } catch (e) {} }", "return"),
                ("async function f(c) { const p = fetch(u); try { if (c) return p; await p; } finally { t(); } }", "return"),
                ("async function g() {}\nasync function f() { try { return g(); } catch (e) {} }", "return"),
                ("async function f() { try { await a(); } catch (e) { return retryAsync(); } finally { done(); } }", "return"),
                ("async function f(c) { try { return c ? fetch(a) : null; } catch (e) {} }", "return"),
            ],
        );
    }

    #[test]
    fn messages_state_what_is_skipped() {
        let source =
            "async function f() { try { return fetch(u); } catch (e) {} finally { done(); } }";
        assert_eq!(
            first_message(&RULE, source),
            "the `catch` never sees a rejection of `fetch(..)`, and `finally` runs before it \
             settles: use `return await` (it is returned without `await` inside `try`)"
        );
        // A constructed promise is named with its `new`, not as a call `Promise(..)`.
        let constructed = first_message(
            &RULE,
            "async function f() { try { return new Promise((r) => setTimeout(r, 9)); } finally { t(); } }",
        );
        assert!(
            constructed.starts_with("`finally` runs before `new Promise(..)` settles"),
            "{constructed}"
        );
    }

    #[test]
    fn misparsed_awaits_are_awaited_returns() {
        // tree-sitter reads these as calls of a function `await`
        // (tree-sitter-javascript #303); in async code they are awaits.
        assert_valid(
            &RULE,
            &[
                "async function f(u) { try { return await (await fetch(u)).json(); } catch (e) { return null; } }",
                "async function f(db) { try { return await (db.pool).query(q); } finally { done(); } }",
            ],
        );
    }

    #[test]
    fn the_fix_adds_await_and_parenthesises_where_needed() {
        let cases = [
            (
                "async function f() { try { return fetch(u); } catch (e) {} }",
                "async function f() { try { return await fetch(u); } catch (e) {} }",
            ),
            (
                "async function f(c) { try { return c ? fetch(a) : null; } catch (e) {} }",
                "async function f(c) { try { return await (c ? fetch(a) : null); } catch (e) {} }",
            ),
            (
                "async function f() { try { return g()\n  .then(h); } finally { x(); } }",
                "async function f() { try { return await g()\n  .then(h); } finally { x(); } }",
            ),
        ];
        assert_first_fix(&RULE, FixSafety::ChangesBehaviour, &cases);
    }
}
