//! `await-in-promise-all`: `Promise.all([await a(), await b()])`.
//!
//! The array is built before `Promise.all` is called, left to right. Each
//! `await` inside it suspends the function, so `b()` starts only after `a()` has
//! settled, and `Promise.all` receives values that are already there: the
//! combinator runs nothing concurrently. Worse, with `[a(), await b()]` a
//! rejection of `a()` while the function waits for `b()` has no handler yet and
//! is reported as unhandled.
//!
//! The same holds for `Promise.allSettled`, `Promise.race` and `Promise.any`.
//!
//! Bad:
//! ```js
//! const [user, posts] = await Promise.all([await getUser(id), await getPosts(id)]);
//! ```
//!
//! Good:
//! ```js
//! const [user, posts] = await Promise.all([getUser(id), getPosts(id)]);
//! ```

use tree_sitter::Node;

use crate::analysis::{Edit, Finding, Fix, FixSafety, Severity};
use crate::query_file;

use super::{Rule, RuleContext, RuleMeta, Trigger};

pub struct AwaitInPromiseAll;

query_file!(
    PROMISE_COMBINATORS,
    "promise-combinators.scm",
    [
        "combinator",
        "combinator.object",
        "combinator.method",
        "combinator.array"
    ]
);

static META: RuleMeta = RuleMeta {
    code: "await-in-promise-all",
    default_severity: Severity::Warning,
    summary: "`await` inside the array passed to `Promise.all` serialises the work",
    triggers: &[Trigger::Word("await")],
    queries: &[&PROMISE_COMBINATORS],
};

/// Dropping the inner `await`s starts the operations together, which is what
/// the code asks for, but it is a change: they now overlap.
pub const FIX_SAFETY: FixSafety = FixSafety::ChangesBehaviour;

impl Rule for AwaitInPromiseAll {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext) -> Vec<Finding> {
        let method_index = PROMISE_COMBINATORS.capture("combinator.method");
        let array_index = PROMISE_COMBINATORS.capture("combinator.array");
        let mut findings = Vec::new();
        ctx.for_each_match(&PROMISE_COMBINATORS, |captures| {
            let method = captures.iter().find(|c| c.index == method_index);
            let array = captures.iter().find(|c| c.index == array_index);
            if let (Some(method), Some(array)) = (method, array) {
                findings.extend(check_array(ctx, ctx.text(method.node), array.node));
            }
        });
        findings
    }
}

fn check_array(ctx: &RuleContext, method: &str, array: Node) -> Option<Finding> {
    let mut cursor = array.walk();
    let elements: Vec<Node> = array
        .named_children(&mut cursor)
        .filter(|n| n.kind() != "comment")
        .collect();
    if elements.len() < 2 {
        return None;
    }
    let awaited: Vec<(usize, Node)> = elements
        .iter()
        .enumerate()
        .filter(|(_, element)| element.kind() == "await_expression")
        .map(|(index, element)| (index, *element))
        .collect();
    let (first_index, first) = *awaited.first()?;
    let keyword = first.child(0)?;
    let operand = first.named_child(0)?;
    let operand_text = brief(ctx, operand);
    let started_later = elements
        .iter()
        .enumerate()
        .skip(first_index + 1)
        .find(|(_, element)| contains_call(**element))
        .map(|(index, element)| {
            let inner = if element.kind() == "await_expression" {
                element.named_child(0).unwrap_or(*element)
            } else {
                *element
            };
            (index, brief(ctx, inner))
        });
    let message = match started_later {
        Some((later_index, later)) => format!(
            "`await` inside `Promise.{method}([…])` runs the elements one after another: the \
             {} element, `{later}`, starts only after the {}, `{operand_text}`, settles, and \
             `Promise.{method}` receives values that are already finished",
            ordinal(later_index),
            ordinal(first_index)
        ),
        None => format!(
            "`await` inside `Promise.{method}([…])` waits for `{operand_text}` before \
             `Promise.{method}` is called: meanwhile a rejection of an earlier element has no \
             handler and is reported as unhandled"
        ),
    };
    let mut edits = Vec::new();
    for (_, element) in &awaited {
        let (Some(keyword), Some(operand)) = (element.child(0), element.named_child(0)) else {
            return None;
        };
        edits.push(Edit {
            range: keyword.start_byte()..operand.start_byte(),
            text: String::new(),
        });
    }
    Some(Finding {
        rule: META.code,
        severity: META.default_severity,
        message,
        range: keyword.byte_range(),
        fixes: vec![Fix {
            title: format!("Remove the `await`s inside `Promise.{method}`: start them together"),
            safety: FIX_SAFETY,
            edits,
        }],
    })
}

fn contains_call(node: Node) -> bool {
    let mut found = false;
    crate::analysis::dataflow::preorder(node, |n| {
        if crate::analysis::dataflow::is_function(n) {
            return crate::analysis::dataflow::Walk::Skip;
        }
        found |= matches!(n.kind(), "call_expression" | "new_expression");
        crate::analysis::dataflow::Walk::Enter
    });
    found
}

/// `first`, `second`, ... for the element at `index`.
fn ordinal(index: usize) -> String {
    const NAMES: [&str; 10] = [
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
        "tenth",
    ];
    NAMES.get(index).map_or_else(
        || format!("element {}", index + 1),
        |name| (*name).to_owned(),
    )
}

/// The call as written when it is short (`load(names[0])`), else
/// `callee(…)` (or `callee()` without arguments), or the expression text,
/// shortened for messages.
fn brief(ctx: &RuleContext, node: Node) -> String {
    let written = ctx
        .text(node)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if node.kind() == "call_expression" && written.len() <= 30 {
        return written;
    }
    let (text, suffix) = match node.kind() {
        "call_expression" => {
            let callee = node
                .child_by_field_id(crate::field!("function"))
                .unwrap_or(node);
            let empty = node
                .child_by_field_id(crate::field!("arguments"))
                .is_some_and(|args| args.named_child_count() == 0);
            (ctx.text(callee), if empty { "()" } else { "(…)" })
        }
        _ => (ctx.text(node), ""),
    };
    let mut text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.len() > 40 {
        let cut = (0..=37)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        text.truncate(cut);
        text.push('…');
    }
    format!("{text}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{assert_invalid, assert_valid};
    use crate::syntax;

    const RULE: AwaitInPromiseAll = AwaitInPromiseAll;

    #[test]
    fn combinators_of_promises_pass() {
        assert_valid(
            &RULE,
            &[
                "await Promise.all([a(), b()]);",
                "await Promise.all(items.map(async (x) => await f(x)));",
                // The await inside a callback belongs to the callback.
                "await Promise.all([(async () => await a())(), b()]);",
                // One element: nothing to overlap.
                "await Promise.all([await a()]);",
                "await Promise.allSettled([a(), b().then(async (x) => await c(x))]);",
                // Not the global Promise.
                "await MyPromise.all([await a(), await b()]);",
                "await Promise.resolve([await a(), await b()]);",
            ],
        );
    }

    #[test]
    fn awaits_inside_the_array_are_flagged_on_the_first_await() {
        assert_invalid(
            &RULE,
            &[
                ("await Promise.all([await a(), await b()]);", "await"),
                ("const [u, p] = await Promise.all([\n  await getUser(id),\n  getPosts(id),\n]);", "await"),
                ("await Promise.allSettled([a(), await b()]);", "await"),
                ("await Promise.race([await a(), b()]);", "await"),
                ("await Promise.any([await a(), await b()]);", "await"),
            ],
        );
    }

    #[test]
    fn messages_name_the_serialised_calls() {
        let source = "await Promise.all([await getUser(id), await getPosts(id)]);";
        let tree = syntax::parse(source, None);
        let findings = crate::analysis::analyze_with(source, &tree, &[&RULE]).findings;
        assert_eq!(
            findings[0].message,
            "`await` inside `Promise.all([…])` runs the elements one after another: the \
             second element, `getPosts(id)`, starts only after the first, `getUser(id)`, \
             settles, and `Promise.all` receives values that are already finished"
        );
    }

    #[test]
    fn the_fix_drops_every_inner_await() {
        let cases = [
            (
                "await Promise.all([await a(), await b()]);",
                "await Promise.all([a(), b()]);",
            ),
            (
                "const [u, p] = await Promise.all([\n  await getUser(id),\n  getPosts(id),\n]);",
                "const [u, p] = await Promise.all([\n  getUser(id),\n  getPosts(id),\n]);",
            ),
            (
                "await Promise.race([a(), await   b()]);",
                "await Promise.race([a(), b()]);",
            ),
        ];
        crate::rules::testing::assert_first_fix(&RULE, FixSafety::ChangesBehaviour, &cases);
    }
}
