//! What the rules about `new Promise(executor)` ask of the executor.

use crate::syntax::js::named_children_but_comments;
use tree_sitter::Node;

use super::RuleContext;

/// The executor's `(resolve)` or `(resolve, reject)` parameters, as plain
/// identifiers (comments aside); `None` for any other parameter list.
pub fn executor_params<'s>(
    ctx: &RuleContext<'s>,
    executor: Node,
) -> Option<(&'s str, Option<&'s str>)> {
    if let Some(single) = executor.child_by_field_id(crate::field!("parameter")) {
        return (single.kind() == "identifier").then(|| (ctx.text(single), None));
    }
    let params = executor.child_by_field_id(crate::field!("parameters"))?;
    let names = named_children_but_comments(params);
    if names.iter().any(|p| p.kind() != "identifier") {
        return None;
    }
    match names.as_slice() {
        [resolve] => Some((ctx.text(*resolve), None)),
        [resolve, reject] => Some((ctx.text(*resolve), Some(ctx.text(*reject)))),
        _ => None,
    }
}
