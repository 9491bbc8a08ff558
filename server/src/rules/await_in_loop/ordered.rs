//! Loops whose order is the point: each iteration calls the element itself
//! (hooks, middleware, plugins), releases it in turn (ordered teardown), or
//! sends one more statement or input step through the same connection,
//! transaction or page.

use std::collections::HashSet;

use tree_sitter::Node;

use crate::syntax::awaits::AwaitExpr;
use crate::syntax::js::{callee, named_children_but_comments, receiver, unwrap_parens};

use super::RuleContext;

/// Methods of an element that run it or tear it down: hooks, plugins and
/// resources that are started, applied or released one after another.
const ELEMENT_METHODS: &[&str] = &[
    "call", "apply", "run", "handle", "handler", "invoke", "execute", "exec", "setup", "init",
    "initialize", "start", "stop", "register", "install", "up", "down", "close", "destroy",
    "dispose", "end", "terminate", "disconnect", "teardown", "shutdown", "quit", "kill", "cleanup",
    "unload", "release",
];

/// Words naming one connection, transaction or page in a receiver: the
/// statements sent through it run in order on purpose (DDL in a transaction,
/// commands on one socket, input steps on one page).
const CONNECTION_WORDS: &[&str] = &[
    "conn", "client", "db", "database", "trx", "tx", "transaction", "session", "knex", "sql",
    "schema", "queryinterface", "socket", "channel", "redis", "page", "keyboard", "mouse", "browser",
    "writer", "stream", "cursor", "migrator", "runner", "sequelize", "pool",
];

/// Methods that send a statement or an input step: order matters on one
/// connection or page.
const STATEMENT_METHODS: &[&str] = &[
    "query", "execute", "exec", "raw", "run", "press", "type", "click", "fill", "write",
];

/// Whether the awaited call is one step of an ordered protocol: it calls a
/// loop variable (`await h(ctx)`, `await hooks[i](ctx)`), runs or releases
/// it (`await s.close()`), or goes through an object that is the same in
/// every iteration and names a connection or sends a statement
/// (`await conn.query(q)`, `await trx.raw(sql)`, `await page.keyboard.press(k)`).
pub(super) fn ordered_step(
    ctx: &RuleContext,
    awaited: &AwaitExpr,
    head_names: &[String],
    local: &HashSet<String>,
) -> bool {
    let Some(function) = awaited.operand.and_then(callee).map(unwrap_parens) else {
        return false;
    };
    if passes_connection(ctx, awaited, local) {
        return true;
    }
    let is_head = |node: Node| {
        let node = unwrap_parens(node);
        node.kind() == "identifier" && head_names.iter().any(|name| name == ctx.text(node))
    };
    match function.kind() {
        "identifier" => return is_head(function),
        "subscript_expression" => {
            return function
                .child_by_field_id(crate::field!("index"))
                .is_some_and(is_head)
        }
        "member_expression" => {}
        _ => return false,
    }
    let method = function
        .child_by_field_id(crate::field!("property"))
        .map(|p| ctx.text(p))
        .unwrap_or_default();
    let object = function.child_by_field_id(crate::field!("object"));
    if object.is_some_and(is_head) {
        return ELEMENT_METHODS.contains(&method);
    }
    if is_ddl(method) {
        return true;
    }
    // The same object in every iteration.
    let Some(root) = receiver(function) else {
        return false;
    };
    if local.contains(ctx.text(root)) {
        return false;
    }
    object.is_some_and(|o| names_connection(ctx.text(o))) || STATEMENT_METHODS.contains(&method)
}

/// Whether a name, or a path's part, names a connection, transaction or page.
fn names_connection(text: &str) -> bool {
    text.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|part| {
            CONNECTION_WORDS
                .iter()
                .any(|word| part == *word || (part.ends_with(word) && word.len() >= 4))
        })
}

/// The call is given, by name, a connection, session or transaction that is
/// the same in every iteration (`op.execute(server, session)`).
fn passes_connection(ctx: &RuleContext, awaited: &AwaitExpr, local: &HashSet<String>) -> bool {
    let Some(arguments) = awaited
        .operand
        .map(unwrap_parens)
        .and_then(|call| call.child_by_field_id(crate::field!("arguments")))
    else {
        return false;
    };
    named_children_but_comments(arguments).into_iter().any(|argument| {
        argument.kind() == "identifier"
            && !local.contains(ctx.text(argument))
            && names_connection(ctx.text(argument))
    })
}

/// A schema change: `createTable`, `dropCollection`, `createSearchIndex`.
/// Schema changes run in order (one may need another's table; many engines
/// lock the schema).
fn is_ddl(method: &str) -> bool {
    let method = method.to_ascii_lowercase();
    ["create", "drop", "alter", "rename", "truncate", "ensure"]
        .iter()
        .any(|verb| method.starts_with(verb))
        && ["table", "index", "collection", "schema", "column", "view", "database"]
            .iter()
            .any(|object| method.contains(object))
}
