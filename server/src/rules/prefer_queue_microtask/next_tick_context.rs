//! Where a `process.nextTick` call runs, which decides whether its callback
//! runs before or after the promise callbacks already queued.
//!
//! Node drains the nextTick queue, then the microtask queue, each time a
//! macrotask's JavaScript returns (`processTicksAndRejections` in
//! lib/internal/process/task_queues.js). So a `nextTick` queued by the main
//! CommonJS script or by a timer callback runs before every promise callback
//! queued so far. Queued while the microtask queue is being drained (inside a
//! promise callback, after an `await`, in a `queueMicrotask` callback, or in an
//! ES module's body, which Node evaluates from a promise job), it waits until
//! that queue is empty: after every pending promise callback. Checked on
//! Node 24 by `tests/next_tick_context.rs`.

use tree_sitter::Node;

use crate::syntax::awaits;
use crate::syntax::js::{is_async_function, owner, unwrap_parens, Owner};

/// When the callback of a `process.nextTick` call runs, relative to the
/// promise callbacks already queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextTickContext {
    /// At the top level of a file with `import`/`export` or a top-level
    /// `await`: Node runs it as an ES module, inside a microtask.
    EsModuleTopLevel,
    /// At the top level of a file without ES-module syntax: CommonJS, unless
    /// its extension or `package.json` makes it an ES module.
    ScriptTopLevel,
    /// In a `setTimeout`/`setInterval`/`setImmediate` callback's own code.
    TimerCallback,
    /// In a promise callback, a `queueMicrotask` callback, or an async
    /// function after an `await` every path runs.
    Microtask,
    /// Called from code this file does not show the caller of.
    Unknown,
}

/// The context of the `process.nextTick` call `call`.
pub fn next_tick_context(source: &str, call: Node, module_syntax: bool) -> NextTickContext {
    let function = match owner(call) {
        Owner::TopLevel if module_syntax => return NextTickContext::EsModuleTopLevel,
        Owner::TopLevel => return NextTickContext::ScriptTopLevel,
        Owner::ClassInitializer(_) => return NextTickContext::Unknown,
        Owner::Function(function) => function,
    };
    if let Some(callee) = callback_of(source, function) {
        return match callee {
            "setTimeout" | "setInterval" | "setImmediate" => NextTickContext::TimerCallback,
            "then" | "catch" | "finally" | "queueMicrotask" => NextTickContext::Microtask,
            _ => NextTickContext::Unknown,
        };
    }
    if is_async_function(function) && after_an_unconditional_await(source, function, call) {
        return NextTickContext::Microtask;
    }
    NextTickContext::Unknown
}

/// The name of the function `function` is passed to as its first argument
/// (`setTimeout(() => ...)`, `p.then(fn)`; the callee's last property name),
/// also `.then`'s second argument (the rejection handler).
fn callback_of<'s>(source: &'s str, function: Node) -> Option<&'s str> {
    let mut at = function;
    while let Some(parent) = at.parent() {
        if parent.kind() != "parenthesized_expression" {
            break;
        }
        at = parent;
    }
    let arguments = at.parent().filter(|p| p.kind() == "arguments")?;
    let call = arguments
        .parent()
        .filter(|p| p.kind() == "call_expression")?;
    let position = {
        let mut cursor = arguments.walk();
        let found = arguments
            .named_children(&mut cursor)
            .position(|arg| arg.id() == at.id());
        found?
    };
    let callee = unwrap_parens(call.child_by_field_id(crate::field!("function"))?);
    let name = match callee.kind() {
        "identifier" => &source[callee.byte_range()],
        "member_expression" => {
            &source[callee
                .child_by_field_id(crate::field!("property"))?
                .byte_range()]
        }
        _ => return None,
    };
    match (name, position) {
        (_, 0) | ("then", 1) => Some(name),
        _ => None,
    }
}

/// Whether `function`'s own code runs an `await` on every path before `call`:
/// a statement of the function's body, before the one holding `call`, that is
/// an expression or declaration whose `await` is not inside a condition.
fn after_an_unconditional_await(source: &str, function: Node, call: Node) -> bool {
    let Some(body) = function.child_by_field_id(crate::field!("body")) else {
        return false;
    };
    if body.kind() != "statement_block" {
        return false;
    }
    let mut cursor = body.walk();
    let statements: Vec<Node> = body.named_children(&mut cursor).collect();
    statements
        .iter()
        .take_while(|statement| statement.end_byte() <= call.start_byte())
        .filter(|statement| {
            matches!(
                statement.kind(),
                "expression_statement" | "lexical_declaration" | "variable_declaration"
            )
        })
        .any(|statement| unconditional_await_in(source, *statement, function))
}

/// An `await` of `function`'s own code in `statement` that no `?:`, `&&`,
/// `||`, `??` or `?.` can skip.
fn unconditional_await_in(source: &str, statement: Node, function: Node) -> bool {
    let mut stack = vec![statement];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "ternary_expression" | "binary_expression" | "optional_chain" => continue,
            kind if crate::syntax::js::FUNCTION_KINDS.contains(&kind) => continue,
            _ => {}
        }
        if let Some(awaited) = awaits::await_expression_in(source, node, true) {
            if owner(awaited.keyword) == Owner::Function(function) {
                return true;
            }
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    false
}
