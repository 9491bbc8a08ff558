use std::ops::Range;

use tree_sitter::Node;

use crate::analysis::dataflow::{contains, Binding, BindingKind, FunctionFlow, LargeValue};
use crate::analysis::retention::{self, Certainty, RetainedVar, RetentionGroup};
use crate::findings::{Finding, Fix};
use crate::syntax::queries::ASYNC_FUNCTIONS;

use super::report::one_edit_fix;
use super::{declare_rule, RuleContext};

declare_rule! {
    // `name = null;` after the last use: the variable is dead there (no later read
    // on any path, no closure refers to it), so nothing observes the change.
    pub struct LargeRetainedAcrossAwait { code: "large-retained-across-await", docs: "large_retained_across_await.md",
        summary: "a large value stays in scope across an `await` it is not used after",
        severity: Hint, default: off, fixes: [Safe], triggers: [Word("await")],
        precision: { tuning: "no figure (no findings when the corpus was sampled, 2026-11-25)", held_out: 0 of 0, held_out_tests: 0 of 15, held_out_second: 1 of 20 },
    }
}

fn check(ctx: &RuleContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    ctx.for_each_complete_capture(&ASYNC_FUNCTIONS, ["function.async"], |[function]| {
        findings.extend(check_function(ctx, function));
    });
    findings
}

fn check_function(ctx: &RuleContext, function: Node) -> Vec<Finding> {
    let flow = FunctionFlow::new(ctx.source, function);
    let retention = retention::retained_with_flow(ctx.source, function, &flow);
    let mut findings = Vec::new();
    let mut reported: Vec<Range<usize>> = Vec::new();
    for (point, at) in flow.awaits.iter().zip(&retention) {
        for var in &at.retained {
            // A captured variable's lifetime is also the closure's, and a
            // variable the function still reads cannot be cleared.
            if var.group != RetentionGroup::Idle
                || var.captured
                // The running loop's iterator holds it too: clearing frees nothing.
                || var.held_by_loop.is_some()
                || var.likely_large.is_none()
                || reported.contains(&var.decl_range)
                || !matches!(
                    var.kind,
                    BindingKind::Let | BindingKind::Const | BindingKind::Var
                )
            {
                continue;
            }
            let Some(index) = flow.binding_declared_at(&var.decl_range) else {
                continue;
            };
            let binding = &flow.bindings[index];
            // Read by the awaited call itself: the callee holds it meanwhile anyway.
            if binding
                .reads
                .iter()
                .any(|read| contains(&point.operand, read))
            {
                continue;
            }
            if kept_elsewhere(ctx, function, binding)
                || equal_to_small_literal(ctx, function, binding, point.range.start)
            {
                continue;
            }
            let Some(last_read) = binding
                .reads
                .iter()
                .filter(|read| read.end <= point.range.start)
                .max_by_key(|read| read.start)
            else {
                continue;
            };
            reported.push(var.decl_range.clone());
            findings.push(report(
                ctx,
                function,
                binding,
                var,
                last_read,
                point.keyword.clone(),
            ));
        }
    }
    findings
}

/// Methods that keep their argument: a stream's or socket's write queue, a
/// collection.
const KEEPING_METHODS: &[&str] = &["write", "end", "send", "push", "enqueue", "set", "add"];

/// Methods whose result may share the value's memory: a `Buffer` view, a
/// V8 sliced string.
const VIEW_METHODS: &[&str] = &["slice", "subarray", "substring", "substr"];

/// Whether something else may keep the value alive whatever the local does:
/// it is stored in a property (`options.cert = cert`), handed to a method
/// that keeps it (`socket.write(buffer)`, `list.push(buf)`), or a view of it
/// is taken (`buf.slice(4)`). Clearing the local would free nothing.
fn kept_elsewhere(ctx: &RuleContext, function: Node, binding: &Binding) -> bool {
    binding.reads.iter().any(|read| {
        let Some(node) = function.descendant_for_byte_range(read.start, read.end) else {
            return false;
        };
        let Some(parent) = node.parent() else {
            return false;
        };
        match parent.kind() {
            "assignment_expression" | "augmented_assignment_expression" => {
                parent.child_by_field_id(crate::field!("right")) == Some(node)
                    && parent
                        .child_by_field_id(crate::field!("left"))
                        .is_some_and(|l| {
                            matches!(l.kind(), "member_expression" | "subscript_expression")
                        })
            }
            "arguments" => parent
                .parent()
                .and_then(|call| call.child_by_field_id(crate::field!("function")))
                .filter(|f| f.kind() == "member_expression")
                .and_then(|f| f.child_by_field_id(crate::field!("property")))
                .is_some_and(|m| KEEPING_METHODS.contains(&ctx.text(m))),
            "member_expression" => {
                parent.child_by_field_id(crate::field!("object")) == Some(node)
                    && parent
                        .child_by_field_id(crate::field!("property"))
                        .is_some_and(|m| VIEW_METHODS.contains(&ctx.text(m)))
            }
            _ => false,
        }
    })
}

/// Assertion calls that throw unless their two arguments are equal:
/// `assert.deepStrictEqual(a, b)`, `t.same(a, b)`.
const EQUAL_ASSERTIONS: &[&str] = &[
    "deepStrictEqual",
    "deepEqual",
    "strictEqual",
    "equal",
    "equals",
    "same",
    "strictSame",
    "is",
    "eql",
];

/// Matchers that throw unless the value equals their argument:
/// `expect(a).toEqual(b)`, `expect(a).to.deep.equal(b)`.
const EQUAL_MATCHERS: &[&str] = &["toEqual", "toStrictEqual", "toBe", "equal", "eql", "equals"];

/// Size by usage: the value's last read before `await_start` asserts that it
/// equals a literal written in the code (`assert.deepStrictEqual(body, { ok:
/// true })`, `expect(data).toEqual([1, 2])`), in a statement that runs
/// whenever the declaration does, and nothing assigns the binding between
/// that statement and the await. Past the assertion the value is as small as
/// the literal; when it differs, the assertion throws and the function never
/// reaches the await.
fn equal_to_small_literal(
    ctx: &RuleContext,
    function: Node,
    binding: &Binding,
    await_start: usize,
) -> bool {
    let Some(last) = binding
        .reads
        .iter()
        .filter(|read| read.end <= await_start)
        .max_by_key(|read| read.start)
    else {
        return false;
    };
    let Some(read) = function.descendant_for_byte_range(last.start, last.end) else {
        return false;
    };
    let Some(statement) = equality_statement(ctx, read) else {
        return false;
    };
    statement
        .parent()
        .is_some_and(|block| block.byte_range() == binding.scope)
        && statement.end_byte() <= await_start
        && !binding
            .writes
            .iter()
            .any(|w| w.start >= statement.start_byte() && w.end <= await_start)
}

/// The statement `read` is compared in with a literal, if it is one of
/// [`EQUAL_ASSERTIONS`] or [`EQUAL_MATCHERS`] on its own.
fn equality_statement<'t>(ctx: &RuleContext, read: Node<'t>) -> Option<Node<'t>> {
    let arguments = read.parent().filter(|p| p.kind() == "arguments")?;
    let call = arguments.parent()?;
    let callee = call.child_by_field_id(crate::field!("function"))?;
    let last_name = |callee: Node| match callee.kind() {
        "identifier" => Some(ctx.text(callee)),
        "member_expression" => callee
            .child_by_field_id(crate::field!("property"))
            .map(|p| ctx.text(p)),
        _ => None,
    };
    let args = |call: Node<'t>| {
        call.child_by_field_id(crate::field!("arguments"))
            .map(|a| {
                let mut cursor = a.walk();
                a.named_children(&mut cursor)
                    .filter(|n| n.kind() != "comment")
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let asserting = if callee.kind() == "identifier" && ctx.text(callee) == "expect" {
        // `expect(x)` then `.to.deep.equal(lit)` or `.toEqual(lit)`.
        let mut node = call;
        while let Some(parent) = node.parent().filter(|p| {
            p.kind() == "member_expression"
                && p.child_by_field_id(crate::field!("object")) == Some(node)
        }) {
            node = parent;
        }
        let matcher = node.parent().filter(|p| {
            p.kind() == "call_expression"
                && p.child_by_field_id(crate::field!("function")) == Some(node)
        })?;
        let matcher_args = args(matcher);
        (last_name(node).is_some_and(|m| EQUAL_MATCHERS.contains(&m))
            && matches!(matcher_args.as_slice(), [only] if small_literal(ctx, *only)))
        .then_some(matcher)?
    } else {
        let call_args = args(call);
        let [first, second, ..] = call_args.as_slice() else {
            return None;
        };
        let other = if *first == read { *second } else { *first };
        (last_name(callee).is_some_and(|m| EQUAL_ASSERTIONS.contains(&m))
            && (*first == read || *second == read)
            && small_literal(ctx, other))
        .then_some(call)?
    };
    asserting
        .parent()
        .filter(|p| p.kind() == "expression_statement")
}

/// A literal written out in full: strings, numbers, `true`, `null`, and
/// arrays and objects of those (no spread, no names, no calls).
fn small_literal(ctx: &RuleContext, node: Node) -> bool {
    match node.kind() {
        "string" | "number" | "true" | "false" | "null" => true,
        "identifier" => ctx.text(node) == "undefined",
        "template_string" => {
            let mut cursor = node.walk();
            let plain = node
                .named_children(&mut cursor)
                .all(|c| c.kind() != "template_substitution");
            plain
        }
        "unary_expression" | "parenthesized_expression" => {
            node.named_child(0).is_some_and(|c| small_literal(ctx, c))
        }
        "array" => {
            let mut cursor = node.walk();
            let all = node
                .named_children(&mut cursor)
                .filter(|c| c.kind() != "comment")
                .all(|c| small_literal(ctx, c));
            all
        }
        "object" => {
            let mut cursor = node.walk();
            let all = node
                .named_children(&mut cursor)
                .filter(|c| c.kind() != "comment")
                .all(|pair| {
                    pair.kind() == "pair"
                        && pair
                            .child_by_field_id(crate::field!("key"))
                            .is_some_and(|k| {
                                matches!(k.kind(), "property_identifier" | "string" | "number")
                            })
                        && pair
                            .child_by_field_id(crate::field!("value"))
                            .is_some_and(|v| small_literal(ctx, v))
                });
            all
        }
        _ => false,
    }
}

/// The finding for `binding`, retained across the await at `await_keyword`
/// although last read at `last_read`.
fn report(
    ctx: &RuleContext,
    function: Node,
    binding: &Binding,
    var: &RetainedVar,
    last_read: &Range<usize>,
    await_keyword: Range<usize>,
) -> Finding {
    let fix = match binding.kind {
        BindingKind::Const => None,
        _ => null_fix(ctx, function, binding, last_read, &await_keyword),
    };
    META.finding(
        binding.decl_range.clone(),
        message(ctx, binding, var, last_read, &await_keyword),
        fix.into_iter().collect(),
    )
}

fn message(
    ctx: &RuleContext,
    binding: &Binding,
    var: &RetainedVar,
    last_read: &Range<usize>,
    await_keyword: &Range<usize>,
) -> String {
    let name = &binding.name;
    let Some(large) = &var.likely_large else {
        unreachable!("only likely-large values are reported")
    };
    // Relative, not absolute, lines: the message must not change when lines
    // are added above the function (its findings are reused then).
    let lines_between = ctx.source[last_read.start..await_keyword.start]
        .matches('\n')
        .count();
    let distance = match lines_between {
        0 => "on the line of".to_owned(),
        1 => "1 line above".to_owned(),
        n => format!("{n} lines above"),
    };
    let advice = match binding.kind {
        BindingKind::Const => "declare it with `let` and set it to `null` after its last use, or \
                               move the work that uses it into a helper function"
            .to_owned(),
        _ => format!(
            "set `{name} = null` after its last use, or move the work that uses it into a \
             helper function"
        ),
    };
    let stays = match var.certainty {
        Certainty::Certain => "stays in memory",
        Certainty::May(_) => "may stay in memory (on some paths)",
    };
    let evidence = evidence(ctx, binding, large);
    format!(
        "`{name}` {stays} while this function waits: {advice}. It holds {large}{evidence}, last \
         used {distance} the next `await` (V8 keeps a suspended async function's locals until \
         they are overwritten or the function returns)"
    )
}

/// Where a value whose description does not name its origin comes from:
/// `` from `fs.promises.readFile(…)`, a size nothing in the code bounds``.
fn evidence(ctx: &RuleContext, binding: &Binding, large: &LargeValue) -> String {
    match large {
        LargeValue::ResponseBody(_) => return ", a size nothing in the code bounds".to_owned(),
        LargeValue::JsonParse => return parsed_evidence(ctx, binding),
        LargeValue::FileContents | LargeValue::Buffer | LargeValue::Text(_) => {}
        _ => return String::new(),
    }
    let origin = binding.init.as_ref().and_then(|init| {
        let text = ctx.source[init.clone()].trim_start();
        let text = text.strip_prefix("await").unwrap_or(text).trim_start();
        let callee = &text[..text.find('(')?];
        let plain = !callee.is_empty()
            && callee
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '$'));
        plain.then(|| callee.to_owned())
    });
    match origin {
        Some(callee) => format!(
            " from `{}`, a size nothing in the code bounds",
            super::report::shorten_with(&callee, "…", "(…)")
        ),
        None => String::new(),
    }
}

/// What a `JSON.parse(…)` payload was parsed from: `` of `body`, a size
/// nothing in the code bounds``, `` of `readFile(…)`'s result, ...``.
fn parsed_evidence(ctx: &RuleContext, binding: &Binding) -> String {
    let argument = binding.init.as_ref().and_then(|init| {
        let text = ctx.source[init.clone()].trim_start();
        let text = text.strip_prefix("await").unwrap_or(text).trim_start();
        let inner = text.strip_prefix("JSON.parse(")?;
        let inner = inner.trim_start();
        let inner = inner.strip_prefix("await").unwrap_or(inner).trim_start();
        let end = inner
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '.' | '_' | '$')))
            .unwrap_or(inner.len());
        let path = &inner[..end];
        if path.is_empty() {
            return None;
        }
        let shown = super::report::shorten_with(path, "…", "");
        Some(if inner[end..].starts_with('(') {
            format!("`{shown}(…)`'s result")
        } else {
            format!("`{shown}`")
        })
    });
    match argument {
        Some(argument) => format!(" of {argument}, a size nothing in the code bounds"),
        None => ", a size nothing in the code bounds".to_owned(),
    }
}

/// `name = null;` right after the statement holding the last use, in the block
/// that also holds the await or, when the variable's block ends before the
/// await, in the variable's own block.
fn null_fix(
    ctx: &RuleContext,
    function: Node,
    binding: &Binding,
    last_read: &Range<usize>,
    await_keyword: &Range<usize>,
) -> Option<Fix> {
    let name = &binding.name;
    let read = function.descendant_for_byte_range(last_read.start, last_read.end)?;
    let mut statement = read;
    loop {
        let parent = statement.parent()?;
        if parent == function {
            return None;
        }
        if matches!(
            parent.kind(),
            "statement_block" | "program" | "switch_case" | "switch_default"
        ) && (contains(&parent.byte_range(), await_keyword)
            || parent.byte_range() == binding.scope)
        {
            if contains(&statement.byte_range(), await_keyword) {
                return None;
            }
            break;
        }
        statement = parent;
    }
    let line_start = ctx.source[..statement.start_byte()]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1);
    let before = &ctx.source[line_start..statement.start_byte()];
    let separator = if before.trim().is_empty() {
        format!("\n{before}")
    } else {
        " ".to_owned()
    };
    Some(one_edit_fix(
        format!("Set `{name} = null` after its last use"),
        FIX_SAFETY,
        statement.end_byte()..statement.end_byte(),
        format!("{separator}{name} = null;"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::FixSafety;
    use crate::rules::testing::{
        assert_invalid, assert_valid, first_message, only_finding_without_fix,
    };

    #[test]
    fn released_used_or_small_values_pass() {
        assert_valid(
            &LargeRetainedAcrossAwait,
            &[
                // The seed's shape: cleared before the long await.
                "async function handle(req) {\n  let body = await readBody(req);\n  const parsed = parseRequest(body);\n  body = null;\n  await db.save(parsed);\n}",
                // Still used after the await.
                "async function f(res) { const data = await res.json(); await log(); use(data); }",
                // Used by the awaited call itself.
                "async function f(res) { const data = await res.json(); await db.insert(data); }",
                // No later await.
                "async function f(res) { const data = await res.json(); return transform(data); }",
                // Not likely large.
                "async function f() { const n = await count(); use(n); await save(); }",
                "async function f(res) { const r = res.json({ ok: 1 }); use(r); await save(); }",
                // A closure refers to it: its lifetime is the closure's.
                "async function f(p) { const buf = Buffer.from(p); const g = () => buf; await save(g); }",
                // Read on the next iteration of the loop.
                "async function f(p, xs) { const buf = await fs.promises.readFile(p); for (const x of xs) { use(buf, x); await save(x); } }",
                // Not in an async function.
                "function f(p) { const data = JSON.parse(p); use(data); }",
                // Kept by something else: clearing the local frees nothing.
                "async function f(o) { const cert = await fs.readFile(o.file); o.cert = o.key = cert; await next(); }",
                "async function f(cmd) { const buffer = Buffer.concat(await cmd.toBin()); if (this.socket.write(buffer)) return; await once(this.socket, 'drain'); }",
                "async function f(chunks) { const all = Buffer.concat(chunks); const body = all.slice(16); await compress(body); }",
            ],
        );
    }

    #[test]
    fn large_values_dead_across_an_await_are_flagged_on_their_name() {
        assert_invalid(
            &LargeRetainedAcrossAwait,
            &[
                ("async function handle(req) {\n  let body = await readBody(req);\n  const parsed = parseRequest(body);\n  await db.save(parsed);\n}", "body"),
                ("async function f(p) {\n  const text = await fs.promises.readFile(p, 'utf8');\n  const n = count(text);\n  await report(n);\n}", "text"),
                ("const f = async (res) => { const json = await res.json(); const id = json.id; await save(id); return id; };", "json"),
                ("async function f(chunks) { var buf = Buffer.concat(chunks); send(buf.length); await flush(); }", "buf"),
                // The block has ended, but V8 still keeps the const.
                ("async function f(p) { { const data = JSON.parse(p); use(data); } await save(); }", "data"),
            ],
        );
    }

    /// tree-sitter reads `await (await fetch(u)).json()` as a call of a
    /// function `await` (tree-sitter-javascript #303); it is an awaited body.
    #[test]
    fn a_misparsed_awaited_response_body_is_large() {
        assert_invalid(
            &LargeRetainedAcrossAwait,
            &[(
                "async function f(u) {\n  const json = await (await fetch(u)).json();\n  const id = json.id;\n  await save(id);\n}",
                "json",
            )],
        );
    }

    /// Values small by construction or by type are no large values.
    #[test]
    fn values_small_by_construction_pass() {
        assert_valid(
            &LargeRetainedAcrossAwait,
            &[
                // A string, not a `Buffer`, of a value not known to be large.
                "async function f(h) { const s = Buffer.from(h).toString(); use(s); await save(); }",
                "async function f(h) { const s = String(Buffer.from(h, 'base64')); use(s); await save(); }",
                // Parsed from a literal.
                "async function f() { const o = JSON.parse('{\"a\":1}'); use(o); await save(); }",
                // A salt: a few bytes.
                "async function f() { const salt = crypto.randomBytes(16); use(salt); await save(); }",
                "async function f() { const b = Buffer.alloc(16); use(b); await save(); }",
                "async function f() { const b = Buffer.from('abc'); use(b); await save(); }",
            ],
        );
        assert_invalid(
            &LargeRetainedAcrossAwait,
            &[
                // The text of a large value is large.
                ("async function f(p) { const s = fs.readFileSync(p).toString(); use(s); await save(); }", "s"),
                ("async function f(chunks) { const s = Buffer.concat(chunks).toString(); use(s); await save(); }", "s"),
                ("async function f(n) { const b = Buffer.alloc(n); use(b); await save(); }", "b"),
            ],
        );
    }

    /// Issue 21: a value the code then asserts equal to a literal is as small
    /// as the literal (or the assertion throws before the await).
    #[test]
    fn values_asserted_equal_to_a_literal_pass() {
        assert_valid(
            &LargeRetainedAcrossAwait,
            &[
                "async function t(res) { const body = JSON.parse(res.payload); assert.deepStrictEqual(body, { ok: true, id: 1 }); await close(); }",
                "async function t(res) { const data = await res.json(); expect(data).toEqual([1, 2]); await close(); }",
                "async function t(res) { const data = await res.json(); expect(data).to.deep.equal({ a: 'x' }); await close(); }",
                "async function t(res) { const body = JSON.parse(res.body); t.same(body, { a: 1 }); await close(); }",
            ],
        );
        assert_invalid(
            &LargeRetainedAcrossAwait,
            &[
                // A partial match bounds nothing; a literal holding a name, or
                // an assertion in a branch, bounds nothing either.
                ("async function t(res) { const body = JSON.parse(res.payload); expect(body).toMatchObject({ ok: true }); await close(); }", "body"),
                ("async function t(res, big) { const body = JSON.parse(res.payload); assert.deepStrictEqual(body, { rows: big }); await close(); }", "body"),
                ("async function t(res, c) { const body = JSON.parse(res.payload); if (c) { assert.deepStrictEqual(body, { ok: true }); } await close(); }", "body"),
                // Read again after the assertion, before the await.
                ("async function t(res) { const body = JSON.parse(res.payload); assert.deepStrictEqual(body, { ok: true }); use(body); await close(); }", "body"),
            ],
        );
    }

    #[test]
    fn the_message_names_what_a_payload_was_parsed_from() {
        let message = first_message(
            &LargeRetainedAcrossAwait,
            "async function f(f) {\n  const log = JSON.parse(await readFile(f));\n  use(log);\n  await report();\n}",
        );
        assert!(
            message.contains(
                "It holds a parsed `JSON.parse(…)` payload of `readFile(…)`'s result, a size \
                 nothing in the code bounds"
            ),
            "{message}"
        );
        let message = first_message(
            &LargeRetainedAcrossAwait,
            "async function f(res) {\n  const data = await res.json();\n  use(data);\n  await report();\n}",
        );
        assert!(
            message.contains("from `.json()`, a size nothing in the code bounds"),
            "{message}"
        );
    }

    #[test]
    fn the_message_names_where_an_unbounded_value_comes_from() {
        let message = first_message(
            &LargeRetainedAcrossAwait,
            "async function f(p) {\n  const text = await fs.promises.readFile(p, 'utf8');\n  const n = count(text);\n  await report(n);\n}",
        );
        assert!(
            message.contains(
                "It holds file contents from `fs.promises.readFile(…)`, a size nothing in the \
                 code bounds, last used 1 line above"
            ),
            "{message}"
        );
    }

    #[test]
    fn the_message_names_the_value_and_how_far_its_last_use_is() {
        let source = "async function handle(req) {\n  let body = await readBody(req);\n  const parsed = parseRequest(body);\n  await db.save(parsed);\n}";
        assert_eq!(
            first_message(&LargeRetainedAcrossAwait, source),
            "`body` stays in memory while this function waits: set `body = null` after its last \
             use, or move the work that uses it into a helper function. It holds a request body \
             from `readBody(…)`, last used 1 line above the next `await` (V8 keeps a suspended \
             async function's locals until they are overwritten or the function returns)"
        );
    }

    // One case a line: the source, then the fixed source.
    #[rustfmt::skip]
    #[test]
    fn the_fix_clears_a_let_after_its_last_use() {
        let cases = [
            // Used only before the next await: cleared right before it.
            ("async function handle(req) {\n  let body = await readBody(req);\n  const parsed = parseRequest(body);\n  await db.save(parsed);\n}", "async function handle(req) {\n  let body = await readBody(req);\n  const parsed = parseRequest(body);\n  body = null;\n  await db.save(parsed);\n}"),
            // Last used inside a branch: cleared after the branch, not in it.
            ("async function f(res, c) {\n  let rows = await res.json();\n  if (c) {\n    use(rows);\n  }\n  await save();\n}", "async function f(res, c) {\n  let rows = await res.json();\n  if (c) {\n    use(rows);\n  }\n  rows = null;\n  await save();\n}"),
            // A `let` of a block that has ended is cleared inside its block.
            ("async function f(p) {\n  {\n    let data = JSON.parse(p);\n    use(data);\n  }\n  await save();\n}", "async function f(p) {\n  {\n    let data = JSON.parse(p);\n    use(data);\n    data = null;\n  }\n  await save();\n}"),
        ];
        crate::rules::testing::assert_first_fix(&LargeRetainedAcrossAwait, FixSafety::Safe, &cases);
    }

    #[test]
    fn a_const_gets_advice_but_no_edit() {
        let source = "async function f(p) { const data = JSON.parse(p); use(data); await save(); }";
        let message = only_finding_without_fix(&LargeRetainedAcrossAwait, source).message;
        assert!(message.contains(
            "declare it with `let` and set it to `null` after its last use, or move the work \
             that uses it into a helper function"
        ));
        assert!(!message.contains("block"));
    }
}
