use tree_sitter::Node;

use crate::analysis::dataflow::{preorder, BindingKind, FunctionFlow, Resolution, Walk};
use crate::findings::{Edit, Finding, Fix};
use crate::syntax::awaits::{await_expression, AwaitExpr};
use crate::syntax::js::{enclosing_function, is_async_function, is_function};
use crate::syntax;

use super::report::shorten_with;
use super::{declare_rule, RuleContext};


declare_rule! {
    // Moving the `await` before the read makes the update use the current value:
    // that is the point, but the read now happens later.
    pub struct StaleReadAcrossAwait { code: "stale-read-across-await", docs: "stale_read_across_await.md",
        summary: "a shared value is updated from a read made before an `await`",
        severity: Hint, default: off, fixes: [ChangesBehaviour], triggers: [Word("await")],
        reads: [ImportedSummaries, DeclaredPromises],
        precision: { tuning: "no figure (no findings when the corpus was sampled, 2026-11-25)", held_out: 0 of 0, held_out_tests: 0 of 0, held_out_second: 0 of 4 },
        queries: [UPDATES("updates.scm", ["update", "update.target", "update.value"])],
    }
}

fn check(ctx: &RuleContext) -> Vec<Finding> {
    META.report_each(detect(ctx), |found| {
        // Only a value with one await has one place to hoist it from.
        let fix = match found.awaits.as_slice() {
            [only] => hoist_fix(ctx, found.update, found.value, only.node),
            _ => None,
        };
        (found.target.byte_range(), message(ctx, &found), fix)
    })
}

/// An update of shared state that reads it before an `await` and writes it
/// after.
struct StaleUpdate<'t> {
    /// The assignment (`total += ...`, `x = x + ...`), what the fix rewrites.
    update: Node<'t>,
    /// The shared state read and written, the highlight.
    target: Node<'t>,
    /// The right-hand side holding the await.
    value: Node<'t>,
    /// The value's own awaits, at least one.
    awaits: Vec<AwaitExpr<'t>>,
}

fn detect<'a>(ctx: &RuleContext<'a>) -> Vec<StaleUpdate<'a>> {
    // Only an `await` inside the match makes a finding.
    ctx.filter_map_complete_captures_holding(
        &UPDATES,
        &["await"],
        ["update", "update.target", "update.value"],
        |[update, target, value]| stale_update(ctx, update, target, value),
    )
}

fn message(ctx: &RuleContext, found: &StaleUpdate) -> String {
    let first = found.awaits[0];
    let target_text = ctx.text(found.target);
    let awaited = match first.operand {
        Some(operand) => brief(ctx, operand),
        None => crate::analysis::insights::shorten(&ctx.source[first.operand_range()], 40),
    };
    let written = crate::analysis::insights::shorten(
        &ctx.text(found.update)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        50,
    );
    format!(
        "read `{target_text}` after the `await`: `{written}` reads it before the `await` and \
         writes it after, so a change other code makes to `{target_text}` while this function \
         waits for `{awaited}` (another call of this function, for example) is lost"
    )
}

/// The awaits evaluated as part of `value`, not inside nested functions, as
/// JavaScript reads them (`await (x).y` too; see `syntax::awaits`). At the
/// top level a rule does not know the module's kind and reads an ES
/// module's top-level awaits.
fn own_awaits<'t>(source: &str, value: Node<'t>) -> Vec<AwaitExpr<'t>> {
    let mut awaits = Vec::new();
    preorder(value, |node| {
        if is_function(node) {
            return Walk::Skip;
        }
        awaits.extend(await_expression(source, node, true));
        Walk::Enter
    });
    awaits
}

fn stale_update<'a>(
    ctx: &RuleContext<'a>,
    update: Node<'a>,
    target: Node<'a>,
    value: Node<'a>,
) -> Option<StaleUpdate<'a>> {
    if !matches!(target.kind(), "identifier" | "member_expression") {
        return None;
    }
    let awaits = own_awaits(ctx.source, value);
    let first = *awaits.first()?;
    let first_await = first.node;
    let function = enclosing_function(update)?;
    if !is_async_function(function) {
        return None;
    }
    let target_text = ctx.text(target);
    // The old value is read before the await: by `+=` itself, or by a read of
    // the same target textually before the await (left-to-right evaluation).
    let reads_first = match update.kind() {
        "augmented_assignment_expression" => {
            let operator = update
                .child_by_field_id(crate::field!("operator"))
                .map_or("", |o| ctx.text(o));
            !matches!(operator, "??=" | "||=" | "&&=")
        }
        _ => {
            let mut found = false;
            preorder(value, |node| {
                if is_function(node) || node.start_byte() >= first_await.start_byte() {
                    return Walk::Skip;
                }
                if node.kind() == target.kind() && ctx.text(node) == target_text {
                    found = true;
                }
                Walk::Enter
            });
            found
        }
    };
    if !reads_first || !is_shared(ctx, function, target) {
        return None;
    }
    Some(StaleUpdate {
        update,
        target,
        value,
        awaits,
    })
}

/// Whether other continuations can reach `target`: declared outside
/// `function`, or a property of `this`, a parameter or an outer object.
fn is_shared(ctx: &RuleContext, function: Node, target: Node) -> bool {
    let mut root = target;
    while matches!(root.kind(), "member_expression" | "subscript_expression") {
        match root.child_by_field_id(crate::field!("object")) {
            Some(object) => root = object,
            None => return false,
        }
    }
    let is_member = root != target;
    match root.kind() {
        "this" => is_member,
        "identifier" => {
            let flow = FunctionFlow::new(ctx.source, function);
            match flow.resolution_at(&root.byte_range()) {
                Some(Resolution::Outer) => true,
                Some(Resolution::Local(index)) => {
                    is_member && flow.bindings[index].kind == BindingKind::Param
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// `callee(…)` (`callee()` without arguments) or the expression text,
/// shortened for messages.
fn brief(ctx: &RuleContext, operand: Node) -> String {
    let (text, suffix) = match operand.kind() {
        "call_expression" => (
            operand
                .child_by_field_id(crate::field!("function"))
                .map_or_else(|| ctx.text(operand), |c| ctx.text(c)),
            match operand
                .child_by_field_id(crate::field!("arguments"))
                .is_some_and(|args| args.named_child_count() > 0)
            {
                true => "(…)",
                false => "()",
            },
        ),
        _ => (ctx.text(operand), ""),
    };
    shorten_with(text, "…", suffix)
}

/// `total += await f();` → `const fResult = await f();\ntotal += fResult;`
/// when the update is a whole statement and the await is not conditional.
fn hoist_fix(ctx: &RuleContext, update: Node, value: Node, awaited: Node) -> Option<Fix> {
    let statement = update.parent()?;
    let block = statement.parent()?;
    if statement.kind() != "expression_statement"
        || !matches!(block.kind(), "statement_block" | "program" | "switch_case")
    {
        return None;
    }
    // Every step from the value down to the await must evaluate unconditionally.
    let mut at = awaited;
    while at != value {
        let parent = at.parent()?;
        let unconditional = match parent.kind() {
            "binary_expression" => !matches!(
                parent
                    .child_by_field_id(crate::field!("operator"))
                    .map(|o| o.kind()),
                Some("&&" | "||" | "??")
            ),
            "parenthesized_expression"
            | "unary_expression"
            | "array"
            | "spread_element"
            | "template_string"
            | "template_substitution" => true,
            _ => false,
        };
        if !unconditional {
            return None;
        }
        at = parent;
    }
    let name = fresh_name(ctx, awaited);
    let indent = syntax::line_indent(ctx.source, statement);
    let starts_line = ctx.source[..statement.start_byte()]
        .rsplit(['\n', '\r'])
        .next()
        .is_some_and(|before| before.trim().is_empty());
    let separator = if starts_line {
        format!("\n{indent}")
    } else {
        " ".to_owned()
    };
    Some(Fix {
        title: format!("Await into `{name}` first, then update from the current value"),
        safety: FIX_SAFETY,
        edits: vec![
            Edit {
                range: statement.start_byte()..statement.start_byte(),
                text: format!("const {name} = {};{separator}", ctx.text(awaited)),
            },
            Edit {
                range: awaited.byte_range(),
                text: name,
            },
        ],
    })
}

/// `<callee>Result`, or `awaited`, made unique in the file.
fn fresh_name(ctx: &RuleContext, awaited: Node) -> String {
    let base = awaited
        .named_child(0)
        .filter(|operand| operand.kind() == "call_expression")
        .and_then(|call| call.child_by_field_id(crate::field!("function")))
        .map(|callee| {
            let text = ctx.text(callee);
            text.rsplit('.').next().unwrap_or(text).to_owned()
        })
        .filter(|name| {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
        })
        .map_or_else(|| "awaited".to_owned(), |name| format!("{name}Result"));
    let mut names = std::collections::HashSet::new();
    // Names used in this part of the file, and those declared at its top level.
    for &scope in ctx.scope() {
        preorder(scope, |node| {
            if matches!(
                node.kind(),
                "identifier"
                    | "shorthand_property_identifier"
                    | "shorthand_property_identifier_pattern"
            ) {
                names.insert(ctx.text(node));
            }
            Walk::Enter
        });
    }
    let mut name = base.clone();
    let mut n = 2;
    while names.contains(name.as_str()) || ctx.facts().declares_at_module_level(&name) {
        name = format!("{base}{n}");
        n += 1;
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::FixSafety;
    use crate::rules::testing::{
        assert_invalid, assert_valid, first_message, only_finding_without_fix,
    };

    #[test]
    fn private_or_fresh_updates_pass() {
        assert_valid(
            &StaleReadAcrossAwait,
            &[
                // A local of the function itself: no other continuation sees it.
                "async function f(xs) { let total = 0; for (const x of xs) { total += await g(x); } return total; }",
                "async function f() { const acc = { n: 0 }; acc.n = acc.n + await g(); }",
                // The read happens after the await.
                "let total = 0;\nasync function f() { total = await g() + total; }",
                "let total = 0;\nasync function f() { const v = await g(); total += v; }",
                // The value does not come from the old one.
                "let last;\nasync function f() { last = await g(); }",
                "async function f() { this.user = await load(); }",
                // Lazy initialisation is a different pattern.
                "let cache;\nasync function f() { cache ??= await load(); }",
                // Not async, or the await is in a nested function.
                "let total = 0;\nfunction f() { total += g(); }",
                "let n = 0;\nasync function f() { n += [1].map(async () => await g()).length; }",
            ],
        );
    }

    #[test]
    fn shared_updates_across_an_await_are_flagged_on_the_target() {
        assert_invalid(
            &StaleReadAcrossAwait,
            &[
                ("let total = 0;\nasync function add(f) { total += await f(); }", "total"),
                ("let total = 0;\nasync function add() { total = total + await size(); }", "total"),
                ("class C { async inc() { this.count = this.count + await h(); } }", "this.count"),
                ("let total = 0;\nawait Promise.all(files.map(async (file) => {\n  total += await sizeOf(file);\n}));", "total"),
                ("async function f(stats) { stats.bytes += await read(); }", "stats.bytes"),
                ("const state = { items: [] };\nasync function f() { state.items = [...state.items, await load()]; }", "state.items"),
            ],
        );
    }

    #[test]
    fn the_message_names_the_interleaving() {
        let source = "let total = 0;\nasync function add() { total = total + await f(); }";
        let message = first_message(&StaleReadAcrossAwait, source);
        assert!(message.starts_with(
                "read `total` after the `await`: `total = total + await f()` reads it before the \
                 `await` and writes it after, so a change other code makes to `total` while this \
                 function waits for `f()` (another call of this function, for example) is lost"
            ), "{message}");
    }

    #[test]
    fn the_fix_awaits_first_then_updates() {
        let cases = [
            (
                "let total = 0;\nasync function add() {\n  total += await sizeOf(x);\n}",
                "let total = 0;\nasync function add() {\n  const sizeOfResult = await sizeOf(x);\n  total += sizeOfResult;\n}",
            ),
            (
                "class C { async inc() { this.count = this.count + await this.h(); } }",
                "class C { async inc() { const hResult = await this.h(); this.count = this.count + hResult; } }",
            ),
        ];
        crate::rules::testing::assert_first_fix(&StaleReadAcrossAwait, FixSafety::ChangesBehaviour, &cases);
    }

    #[test]
    fn no_fix_when_the_await_is_conditional() {
        let source = "let n = 0;\nasync function f(c) { n = n + (c && await g()); }";
        only_finding_without_fix(&StaleReadAcrossAwait, source);
    }
}
