//! The sentences for dropped promises: what already ran, what nobody
//! observes (shared by the hover and the `floating-promise` rule).

use tree_sitter::Node;

use crate::analysis::source_facts::{DroppedPromise, PromiseKind};
use crate::syntax::js;

use super::hover_text::shorten;
use super::{DroppedCall, RunsToCompletion};

/// How a message names a call without its arguments: `save()`, `save(…)`,
/// `new Promise(…)`, `fs.promises.readFile(…)`; `None` when the callee is
/// not a plain name or member path.
fn callee_form(source: &str, call: Node) -> Option<String> {
    let prefix = match call.kind() {
        "call_expression" => "",
        "new_expression" => "new ",
        _ => return None,
    };
    let callee = js::callee(call)?;
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
    let label = named
        .clone()
        .or_else(|| {
            // A receiver that is not a call (`chain.then(f)`, `this.ready.then(f)`):
            // its own text, on one line and shortened.
            Some(shorten(&source[origin.byte_range()], 40)).filter(|text| !text.contains('`'))
        })
        .unwrap_or_else(|| "this promise".to_owned());
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

/// Whether the dropped promise is `Promise.allSettled(…)`, which never rejects.
pub(super) fn is_all_settled(source: &str, dropped: &DroppedPromise) -> bool {
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
