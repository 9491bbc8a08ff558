use std::collections::HashSet;

use tree_sitter::Node;

use crate::analysis::dataflow::{names_assigned, names_mentioned, preorder, Walk};
use crate::findings::{Finding, Fix};
use crate::syntax::awaits::AwaitExpr;
use crate::syntax::js::{
    callee, is_function, is_pause, named_children_but_comments, pattern_identifiers, receiver,
    unwrap_parens,
};
use crate::syntax;

use super::report::{awaited_name, one_edit_fix};
use resources::same_external_resource;
use super::{declare_rule, RuleContext};


declare_rule! {
    // `Promise.all` starts the calls together: behaviour changes on purpose.
    pub struct SequentialAwaits { code: "sequential-awaits", docs: "sequential_awaits.md",
        summary: "independent awaits run one after another",
        severity: Hint, default: off, fixes: [ChangesBehaviour], triggers: [Word("await")],
        precision: { tuning: "no figure (no findings when the corpus was sampled, 2026-11-25)", held_out: 1 of 2, held_out_tests: 8 of 9, held_out_second: 12 of 20 },
        queries: [AWAIT_STATEMENTS("await-statements.scm", ["await_statement",
            "await_statement.binding", "await_statement.keyword", "await_statement.operand",
            "await_statement.chain"])],
    }
}

/// One statement that is a single await.
#[derive(Clone, Copy)]
struct AwaitStatement<'t> {
    statement: Node<'t>,
    binding: Option<Node<'t>>,
    /// The await, either form (`await (x).y()` too, see `syntax::awaits`).
    awaited: AwaitExpr<'t>,
    /// Where the operand's names are read: the operand, or for a misparsed
    /// chain (which has no operand node) the whole chain, keyword included.
    operand: Node<'t>,
}

impl<'t> AwaitStatement<'t> {
    /// The callee of the awaited call or `new`.
    fn callee_text<'a>(&self, ctx: &RuleContext<'a>) -> Option<&'a str> {
        self.awaited
            .operand_callee()
            .map(|range| &ctx.source[range])
    }

    /// The callee as a node: none for a misparsed chain (`(x).load` in
    /// `await (x).load()` is no node).
    fn callee_node(&self) -> Option<Node<'t>> {
        self.awaited.operand.and_then(callee)
    }
}

fn check(ctx: &RuleContext) -> Vec<Finding> {
    META.report_each(detect(ctx), |group| {
        (
            group[1].awaited.keyword.byte_range(),
            message(ctx, &group),
            fix(ctx, &group),
        )
    })
}

/// Every statement of the scope that is a single await, in source order.
fn await_statements<'a>(ctx: &RuleContext<'a>) -> Vec<AwaitStatement<'a>> {
    let mut items: Vec<AwaitStatement> = Vec::new();
    ctx.for_each_capture(
        &AWAIT_STATEMENTS,
        [
            "await_statement",
            "await_statement.binding",
            "await_statement.keyword",
            "await_statement.operand",
            "await_statement.chain",
        ],
        |[statement, binding, keyword, operand, chain]| {
            let awaited = match (keyword, operand, chain) {
                (Some(keyword), Some(_), _) => keyword.parent().and_then(|n| ctx.await_at(n)),
                // Only where `syntax::awaits` reads the chain as an await.
                (_, _, Some(chain)) => ctx.await_at(chain),
                _ => None,
            };
            if let (Some(statement), Some(awaited)) = (statement, awaited) {
                items.push(AwaitStatement {
                    statement,
                    binding,
                    awaited,
                    operand: awaited.operand.unwrap_or(awaited.node),
                });
            }
        },
    );
    items.sort_by_key(|item| item.statement.start_byte());
    items.dedup_by_key(|item| item.statement.id());
    items
}

/// The runs of two or more adjacent, independent await statements.
fn detect<'a>(ctx: &RuleContext<'a>) -> Vec<Vec<AwaitStatement<'a>>> {
    let mut groups = Vec::new();
    let mut group: Vec<AwaitStatement> = Vec::new();
    for item in await_statements(ctx) {
        let adjacent = group
            .last()
            .is_some_and(|last| next_statement(last.statement) == Some(item.statement));
        if !adjacent || !joins(ctx, &group, &item) {
            groups.push(std::mem::take(&mut group));
        }
        if eligible(ctx, &item) {
            group.push(item);
        }
    }
    groups.push(group);
    groups.retain(|group| group.len() >= 2);
    groups
}

/// The next statement in the same block, skipping comments.
fn next_statement(statement: Node) -> Option<Node> {
    let mut next = statement.next_named_sibling();
    while let Some(node) = next.filter(|n| n.kind() == "comment") {
        next = node.next_named_sibling();
    }
    next
}

/// Whether a statement can take part in a group at all.
fn eligible(ctx: &RuleContext, item: &AwaitStatement) -> bool {
    let Some(text) = item.callee_text(ctx) else {
        return false;
    };
    if is_pause(text)
        || matches!(
            text,
            "Promise.all" | "Promise.allSettled" | "Promise.race" | "Promise.any"
        )
    {
        return false;
    }
    let mut nested_await = false;
    preorder(item.operand, |node| {
        if is_function(node) {
            return Walk::Skip;
        }
        if node == item.awaited.node {
            // A misparsed chain: the await itself, not one nested in it.
            return Walk::Enter;
        }
        // `await (x).y` too (see `syntax::awaits`); top-level awaits of an
        // ES module count, whatever the file's kind (the rule cannot tell).
        nested_await |= crate::syntax::awaits::await_expression(ctx.source, node, true).is_some();
        Walk::Enter
    });
    if nested_await {
        return false;
    }
    // A bare `await f();` joins only a repetition of the same plain function.
    item.binding.is_some() || item.callee_node().is_some_and(|c| c.kind() == "identifier")
}

fn bound_names(ctx: &RuleContext, item: &AwaitStatement) -> Vec<String> {
    item.binding
        .map(|binding| {
            pattern_identifiers(binding)
                .into_iter()
                .map(|ident| ctx.text(ident).to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `item` can be awaited together with the statements of `group`.
fn joins(ctx: &RuleContext, group: &[AwaitStatement], item: &AwaitStatement) -> bool {
    let Some(first) = group.first() else {
        return true;
    };
    if !eligible(ctx, item) || first.binding.is_some() != item.binding.is_some() {
        return false;
    }
    let Some(item_callee) = item.callee_text(ctx) else {
        return false;
    };
    if item.binding.is_none() && first.callee_text(ctx) != Some(item_callee) {
        return false;
    }
    let (reads, writes, item_receiver) = footprint(ctx, item);
    let touched = touched_objects(ctx, item);
    group.iter().all(|earlier| {
        let (earlier_reads, earlier_writes, earlier_receiver) = footprint(ctx, earlier);
        bound_names(ctx, earlier)
            .iter()
            .all(|name| !reads.contains(name))
            && earlier_writes.is_disjoint(&reads)
            && writes.is_disjoint(&earlier_reads)
            && (item_receiver.is_none() || item_receiver != earlier_receiver)
            // A side effect of one call may be what the other reads.
            && touched_objects(ctx, earlier).is_disjoint(&reads)
            && touched.is_disjoint(&earlier_reads)
            && !(works_on_implicit_state(earlier) && works_on_implicit_state(item))
            && !same_external_resource(ctx, earlier, item)
    })
}

/// The objects an awaited call may change, which a neighbouring await may
/// then read: the object the call goes through (`server` in
/// `server.listen()`) and the objects passed to it by name (`c` in
/// `work(c)`, `client` in `init({ client })`). Names that usually hold a
/// string or a number (`id`, `userId`, `url`) are left out: a call cannot
/// change them.
fn touched_objects(ctx: &RuleContext, item: &AwaitStatement) -> HashSet<String> {
    let mut names = HashSet::new();
    let Some(callee) = item.callee_node() else {
        return names;
    };
    if let Some(through) = receiver(callee).filter(|r| r.kind() == "identifier") {
        names.insert(ctx.text(through).to_owned());
    }
    let arguments = item
        .awaited
        .operand
        .map(unwrap_parens)
        .and_then(|call| call.child_by_field_id(crate::field!("arguments")));
    let Some(arguments) = arguments else {
        return names;
    };
    let mut passed = Vec::new();
    for argument in named_children_but_comments(arguments) {
        match argument.kind() {
            "identifier" => passed.push(argument),
            "object" => {
                for property in named_children_but_comments(argument) {
                    match property.kind() {
                        "shorthand_property_identifier" => passed.push(property),
                        "pair" => passed.extend(
                            property
                                .child_by_field_id(crate::field!("value"))
                                .filter(|v| v.kind() == "identifier"),
                        ),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    names.extend(
        passed
            .into_iter()
            .map(|node| ctx.text(node))
            .filter(|name| !looks_scalar(name) && *name != "undefined")
            .map(str::to_owned),
    );
    names
}

/// Whether a name reads like one of a string or a number: `id`, `userId`,
/// `url`, `filePath`, `count`.
fn looks_scalar(name: &str) -> bool {
    const SCALAR_WORDS: &[&str] = &[
        "id", "ids", "key", "name", "url", "uri", "path", "dir", "filename", "token", "slug",
        "email", "count", "index", "type", "kind", "size", "limit", "offset", "page", "port",
        "host", "hash", "code", "sql", "version", "str", "text", "num", "number", "n", "i",
    ];
    ends_in_one_of(name, SCALAR_WORDS)
}

/// Whether `name`, or its last word (`Id` in `userId`, `dir` in `out_dir`),
/// is one of `words` (lower case), whatever its case.
fn ends_in_one_of(name: &str, words: &[&str]) -> bool {
    let word = name.rsplit('_').next().unwrap_or(name);
    let start = word
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_ascii_uppercase())
        .map_or(0, |(i, _)| i);
    let is_word = |text: &str| words.contains(&text.to_ascii_lowercase().as_str());
    is_word(&word[start..]) || is_word(name)
}

/// A call of a plain function with no arguments (`await startSession()`,
/// `await loadEntry()`): it can only work on state it does not name (one
/// implicit connection, a module's session), so two of them are left in
/// their order.
fn works_on_implicit_state(item: &AwaitStatement) -> bool {
    let plain = item.callee_node().is_some_and(|c| c.kind() == "identifier");
    let no_arguments = item
        .awaited
        .operand
        .map(unwrap_parens)
        .and_then(|call| call.child_by_field_id(crate::field!("arguments")))
        .is_some_and(|arguments| {
            named_children_but_comments(arguments).is_empty()
        });
    plain && no_arguments
}

/// The names an await statement's operand reads and writes, and the object
/// its call goes through (`db` in `db.users.find()`, `this`).
fn footprint<'a>(
    ctx: &RuleContext<'a>,
    item: &AwaitStatement,
) -> (HashSet<String>, HashSet<String>, Option<&'a str>) {
    let reads = names_mentioned(item.operand, ctx.source);
    let writes = names_assigned(item.operand, ctx.source);
    let through = item
        .callee_node()
        .and_then(receiver)
        .map(|node| ctx.text(node));
    (reads, writes, through)
}

fn brief(ctx: &RuleContext, item: &AwaitStatement) -> String {
    awaited_name(ctx.source, &item.awaited)
}

fn message(ctx: &RuleContext, group: &[AwaitStatement]) -> String {
    let first = group[0];
    let second = group[1];
    // Consequence and action first, the mechanism after. Two calls of the same
    // function read alike (`fetch(..)`), so they are told apart by position.
    if group.len() == 2 {
        let (earlier, later) = (brief(ctx, &first), brief(ctx, &second));
        let (later, earlier) = match earlier == later {
            true => (format!("the second `{later}`"), "the first".to_owned()),
            false => (format!("`{later}`"), format!("`{earlier}`")),
        };
        format!(
            "{later} waits for {earlier} to settle without using its result; start both with \
             `Promise.all` to wait for the slower one only (this changes behaviour: both start \
             together, and one still runs when the other rejects)"
        )
    } else {
        format!(
            "these {} awaits run one after another, starting with `{}`, though none uses \
             another's result; start them with `Promise.all` to wait for the slowest only \
             (this changes behaviour: they start together, and the others still run when one \
             rejects)",
            group.len(),
            brief(ctx, &first)
        )
    }
}

fn declaration_kind<'a>(ctx: &RuleContext<'a>, statement: Node) -> Option<&'a str> {
    match statement.kind() {
        "lexical_declaration" => statement
            .child_by_field_id(crate::field!("kind"))
            .map(|k| ctx.text(k)),
        "variable_declaration" => Some("var"),
        _ => None,
    }
}

fn fix(ctx: &RuleContext, group: &[AwaitStatement]) -> Option<Fix> {
    let first = group.first()?;
    let last = group.last()?;
    let range = first.statement.start_byte()..last.statement.end_byte();
    // Comments between the statements would be lost.
    let operands: Vec<std::ops::Range<usize>> = group
        .iter()
        .map(|item| item.awaited.operand_range())
        .collect();
    let mut has_comment = false;
    if let Some(parent) = first.statement.parent() {
        preorder(parent, |node| {
            let r = node.byte_range();
            if r.end <= range.start || r.start >= range.end {
                return Walk::Skip;
            }
            if node.kind() == "comment"
                && !operands
                    .iter()
                    .any(|o| o.start <= r.start && r.end <= o.end)
            {
                has_comment = true;
            }
            Walk::Enter
        });
    }
    if has_comment {
        return None;
    }
    let kinds: HashSet<Option<&str>> = group
        .iter()
        .map(|item| declaration_kind(ctx, item.statement))
        .collect();
    if kinds.len() != 1 {
        return None;
    }
    let kind = declaration_kind(ctx, first.statement);
    let operand_texts: Vec<&str> = group
        .iter()
        .map(|item| &ctx.source[item.awaited.operand_range()])
        .collect();
    let head = match kind {
        Some(kind) => {
            let patterns: Vec<&str> = group
                .iter()
                .map(|item| item.binding.map_or("", |b| ctx.text(b)))
                .collect();
            // TypeScript: the bindings' types become the tuple's, all or none
            // (a tuple cannot leave one element's type to inference).
            let types: Vec<Option<&str>> = group
                .iter()
                .map(|item| type_annotation(ctx, item))
                .collect();
            let annotation = match types.iter().flatten().count() {
                0 => String::new(),
                n if n == types.len() => {
                    let types: Vec<&str> = types.into_iter().flatten().collect();
                    format!(": [{}]", types.join(", "))
                }
                _ => return None,
            };
            format!("{kind} [{}]{annotation} = ", patterns.join(", "))
        }
        None => String::new(),
    };
    let one_line = format!("{head}await Promise.all([{}]);", operand_texts.join(", "));
    let text = if one_line.len() <= 90 && !one_line.contains('\n') {
        one_line
    } else {
        let indent = syntax::line_indent(ctx.source, first.statement);
        let mut text = format!("{head}await Promise.all([\n");
        for operand in &operand_texts {
            text.push_str(&format!("{indent}  {operand},\n"));
        }
        text.push_str(&format!("{indent}]);"));
        text
    };
    Some(one_edit_fix(
        "Start them together with `Promise.all`".to_owned(),
        FIX_SAFETY,
        range,
        text,
    ))
}

/// The type a TypeScript declaration writes for `item`'s binding (`User` of
/// `const user: User = await ...`): the text between the binding and the
/// declarator's `=`, which the rules read as written (erased, it is blank).
fn type_annotation<'a>(ctx: &RuleContext<'a>, item: &AwaitStatement) -> Option<&'a str> {
    let binding = item.binding?;
    let declarator = binding.parent()?;
    let mut cursor = declarator.walk();
    let equals = declarator
        .children(&mut cursor)
        .find(|child| child.kind() == "=" && child.start_byte() >= binding.end_byte())?;
    let between = ctx.source.get(binding.end_byte()..equals.start_byte())?.trim();
    let written = between.strip_prefix('!').unwrap_or(between).trim_start();
    let written = written.strip_prefix(':')?.trim();
    (!written.is_empty()).then_some(written)
}

mod resources;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::first_fix_output;
    use crate::findings::FixSafety;
    use crate::rules::testing::{assert_invalid, assert_valid, first_message};

    const RULE: SequentialAwaits = SequentialAwaits;

    #[test]
    fn dependent_or_ordered_awaits_pass() {
        assert_valid(
            &RULE,
            &[
                // The second uses the first's result.
                "async function f() { const a = await f1(); const b = await f2(a); }",
                "async function f() { const { id } = await f1(); const b = await f2({ id }); }",
                "async function f() { const [x] = await f1(); const b = await f2(() => x); }",
                // One operand writes what the other reads.
                "async function f() { const a = await f1(i++); const b = await f2(i); }",
                // Same object: one connection or an ordered protocol.
                "async function f() { const tx = await db.begin(); const rows = await db.query(q); }",
                "async function f() { const a = await this.load(); const b = await this.check(); }",
                // Not adjacent: something runs in between.
                "async function f() { const a = await f1(); log(a); const b = await f2(); }",
                // Bare awaits of different functions: ordered side effects.
                "async function f() { await mkdir(dir); await writeFile(path, data); }",
                "async function f() { await client.connect(); await client.query(q); }",
                "async function f() { await login(); const data = await getData(); }",
                // Pauses are deliberate.
                "async function f() { const a = await poll(); await sleep(100); const b = await poll(); }",
                // Awaiting already started promises costs nothing extra.
                "async function f() { const pa = f1(); const pb = f2(); const a = await pa; const b = await pb; }",
                // Already batched.
                "async function f() { const a = await Promise.all(xs); const b = await Promise.all(ys); }",
                // A single await.
                "async function f() { const a = await f1(); return a; }",
                // Different blocks.
                "async function f() { { const a = await f1(); } const b = await f2(); }",
            ],
        );
    }

    #[test]
    fn independent_awaits_are_flagged_on_the_second_await() {
        assert_invalid(
            &RULE,
            &[
                ("async function f(id) {\n  const user = await getUser(id);\n  const posts = await getPosts(id);\n}", "await"),
                ("async function f(x, y, z) { let a = await f1(x); let b = await f2(y); let c = await f3(z); }", "await"),
                ("async function f(a, b) { await sendEmail(a); await sendEmail(b); }", "await"),
                ("async function f() { const a = await f1(); const b = await f2(a); const c = await f3(); }", "await"),
                ("async function f() { const a = await api.users(); const b = await cache.get(k); }", "await"),
                ("async function f(x, y) { const a = await f1(x); let b = await f2(y); }", "await"),
                // Names that hold a string or a number cannot be changed by a call.
                ("async function f(userId) { const u = await getUser(userId); const p = await getPosts(userId); }", "await"),
                // Different objects, none read by the other call.
                ("async function f(a, b) { const x = await a.load(); const y = await b.load(); }", "await"),
                // One call without arguments next to one with: not one implicit connection.
                ("async function f(id) { const a = await f1(); const b = await f2(id); }", "await"),
            ],
        );
    }

    /// A call may change the objects it goes through or is given; a
    /// neighbouring await that reads them may depend on that side effect.
    #[test]
    fn awaits_that_may_depend_through_side_effects_pass() {
        assert_valid(
            &RULE,
            &[
                // The same object passed to both.
                "async function f(c) { await work(c); await work(c); }",
                "async function f(c) { const a = await work(c); const b = await check(c); }",
                "async function f(client) { const a = await init({ client }); const b = await check({ db: client }); }",
                // Read after the call that changes it.
                "async function f(server) { const a = await server.listen(0); const r = await get(server.address().port); }",
                "async function f(c) { const a = await setup(c); const b = await c.status(); }",
                // Two calls that name no input work on one implicit connection.
                "async function f() { const s = await startSession(); const e = await loadEntry(); }",
                "async function f() { await reset(); await reset(); }",
            ],
        );
    }

    /// Awaits that work on the same thing outside the program (a resource
    /// named by the same literal, a file passed along between commands, the
    /// same path): the later may read what the earlier made.
    #[test]
    fn awaits_on_the_same_external_resource_pass() {
        assert_valid(
            &RULE,
            &[
                // The same function on the same resource, named by the same literal.
                "async function f() { await recreate('pg', 1); await recreate('pg', 2); }",
                "async function f() { const a = await recreate('pg', 1); const b = await recreate('pg', 2); }",
                // Commands in a row: the later may read what the earlier wrote.
                "async function f() { await exec('tsc -p .'); await exec('mv x.js y.js'); }",
                "async function f() { await run(['tsc']); await run(['mv', 'x.js', 'y.js']); }",
                "async function f() { const a = await execa('tsc'); const b = await execa('node', ['x.js']); }",
                "async function f() { const a = await cp.spawn('tsc'); const b = await spawn('node'); }",
                "async function f() { await $`tsc -p .`; await $`mv x.js y.js`; }",
                // The same path given to both.
                "async function f(filePath, d, q) { const a = await fs.promises.writeFile(filePath, d); const b = await fsp.rename(filePath, q); }",
                "async function f(d, q) { const a = await writeFile('out.json', d); const b = await readFile('out.json'); }",
                "async function f(d) { const a = await writeFile(`dist/out.json`, d); const b = await readFile(`dist/out.json`); }",
                "async function f(p, d, q) { await fs.writeFile(p, d); await fs.rename(p, q); }",
            ],
        );
        assert_invalid(
            &RULE,
            &[
                // Different literals name different resources.
                ("async function f() { await recreate('pg', 1); await recreate('mysql', 1); }", "await"),
                // A shared id is a value, not a resource one call changes.
                ("async function f(id) { const u = await getUser(id); const p = await getPosts(id); }", "await"),
            ],
        );
    }

    /// tree-sitter reads `await (x).y()` as a call of a function `await`
    /// (tree-sitter-javascript #303); in async code it is an await.
    /// `await (0, lib_1.f)(x)` is TypeScript's and Babel's call of an imported `f`.
    #[test]
    fn compiled_calls_are_named_by_their_target() {
        let source = "async function f(a, b) { const x = await (0, lib_1.getUser)(a); const y = await (0, lib_1.getPosts)(b); }";
        assert_invalid(&RULE, &[(source, "await")]);
        let message = first_message(&RULE, source);
        assert!(
            message.contains("lib_1.getUser(..)") && message.contains("lib_1.getPosts(..)"),
            "{message}"
        );
    }

    #[test]
    fn misparsed_await_statements_group_like_the_others() {
        assert_invalid(
            &RULE,
            &[(
                "async function f(a, b) { const x = await (a.repo).load(); const y = await (b.repo).load(); }",
                "await",
            )],
        );
        assert_eq!(
            first_fix_output(&RULE, FixSafety::ChangesBehaviour, "async function f(a, b) {\n  const x = await (a.repo).load();\n  const y = await getY(b);\n}").as_deref(),
            Some("async function f(a, b) {\n  const [x, y] = await Promise.all([(a.repo).load(), getY(b)]);\n}")
        );
        assert_valid(
            &RULE,
            &[
                // A nested await orders the work: the fetch idiom stays sequential.
                "async function f(u, v) { const a = await (await fetch(u)).json(); const b = await (await fetch(v)).json(); }",
                // The second reads the first's result through the chain.
                "async function f() { const a = await f1(); const b = await (a.next).call(); }",
                // Outside async code `await (x).y()` calls a function named `await`.
                "function f() { const a = await (x).load(); const b = await (y).load(); }",
            ],
        );
    }

    #[test]
    fn the_fix_uses_promise_all_and_keeps_names_and_kinds() {
        let cases = [
            (
                "async function f(id) {\n  const user = await getUser(id);\n  const posts = await getPosts(id);\n}",
                "async function f(id) {\n  const [user, posts] = await Promise.all([getUser(id), getPosts(id)]);\n}",
            ),
            (
                "async function f(x, y) {\n  let { data } = await f1(x);\n  let [first] = await f2(y);\n}",
                "async function f(x, y) {\n  let [{ data }, [first]] = await Promise.all([f1(x), f2(y)]);\n}",
            ),
            (
                "async function f(a, b) {\n  await sendEmail(a);\n  await sendEmail(b);\n}",
                "async function f(a, b) {\n  await Promise.all([sendEmail(a), sendEmail(b)]);\n}",
            ),
            (
                "async function f() {\n    const account = await loadAccountWithSettings(accountId);\n    const permissions = await loadPermissionsForUser(userId);\n}",
                "async function f() {\n    const [account, permissions] = await Promise.all([\n      loadAccountWithSettings(accountId),\n      loadPermissionsForUser(userId),\n    ]);\n}",
            ),
        ];
        crate::rules::testing::assert_first_fix(&RULE, FixSafety::ChangesBehaviour, &cases);
    }

    #[test]
    fn the_fix_keeps_typescript_annotations_all_or_none() {
        let fixed = |before| {
            crate::rules::testing::typescript_fix_output(&RULE, FIX_SAFETY, before)
        };
        assert_eq!(
            fixed("async function f(id: string): Promise<void> {\n  const user: User = await getUser(id as Id);\n  const posts: Array<Post> = await getPosts<Post>(id);\n}").as_deref(),
            Some("async function f(id: string): Promise<void> {\n  const [user, posts]: [User, Array<Post>] = await Promise.all([\n    getUser(id as Id),\n    getPosts<Post>(id),\n  ]);\n}")
        );
        assert_eq!(
            fixed("async function f(id: string) {\n  const { a }: { a: () => void } = await f1(id);\n  const [b]: B[] = await f2(id!);\n}").as_deref(),
            Some("async function f(id: string) {\n  const [{ a }, [b]]: [{ a: () => void }, B[]] = await Promise.all([f1(id), f2(id!)]);\n}")
        );
        assert_eq!(
            fixed("async function f(id: string) {\n  const user = await getUser(id);\n  const posts = await getPosts(id satisfies string);\n}").as_deref(),
            Some("async function f(id: string) {\n  const [user, posts] = await Promise.all([getUser(id), getPosts(id satisfies string)]);\n}")
        );
        // One annotated, one inferred: a tuple type cannot leave one to inference.
        assert_eq!(
            fixed("async function f(id: string) {\n  const user: User = await getUser(id);\n  const posts = await getPosts(id);\n}"),
            None
        );
    }

    /// The message as the first finding of `source` reads.
    fn message(source: &str) -> String {
        first_message(&RULE, source)
    }

    #[test]
    fn the_message_never_names_the_same_call_twice() {
        let same = message("async function f(a, b) { await fetch(a); await fetch(b); }");
        assert!(
            same.starts_with("the second `fetch(..)` waits for the first to settle"),
            "{same}"
        );
        let different = message(
            "async function f(id) { const u = await getUser(id); const p = await getPosts(id); }",
        );
        assert!(
            different.starts_with("`getPosts(..)` waits for `getUser(..)` to settle"),
            "{different}"
        );
    }

    #[test]
    fn no_fix_when_kinds_differ_or_comments_would_be_lost() {
        assert_eq!(
            first_fix_output(
                &RULE,
                FIX_SAFETY,
                "async function f(x, y) { const a = await f1(x); let b = await f2(y); }"
            ),
            None
        );
        assert_eq!(
            first_fix_output(
                &RULE,
                FIX_SAFETY,
                "async function f(x, y) { const a = await f1(x);\n  // why\n  const b = await f2(y); }"
            ),
            None
        );
    }
}
