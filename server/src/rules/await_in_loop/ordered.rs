//! Loops whose order is the point: each iteration calls the element itself
//! (hooks, middleware, plugins), releases it in turn (ordered teardown), or
//! sends one more statement or input step through the same connection,
//! transaction or page.

use std::collections::HashSet;

use tree_sitter::Node;

use crate::syntax::awaits::AwaitExpr;
use crate::syntax::js::{
    callee, is_constant_template, named_children_but_comments, receiver, unwrap_parens,
};

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
    if passes_connection(ctx, awaited, local) || writes_fixed_file(ctx, awaited, local) {
        return true;
    }
    let is_head = |node: Node| {
        let node = unwrap_parens(node);
        node.kind() == "identifier" && head_names.iter().any(|name| name == ctx.text(node))
    };
    match function.kind() {
        // Modules run their top-level code in the order they are loaded.
        "import" => return true,
        "identifier" => return is_head(function) || TEST_METHODS.contains(&ctx.text(function)),
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
    if is_ddl(method) || TEST_METHODS.contains(&method) {
        return true;
    }
    if builder_called_as_function(ctx, function, local)
        && (ROW_METHODS.contains(&method) || is_statement_method(method))
    {
        return true;
    }
    // The same object in every iteration.
    let Some(root) = receiver(function) else {
        return false;
    };
    if local.contains(ctx.text(root)) {
        return false;
    }
    object.is_some_and(|o| names_connection(ctx.text(o))) || is_statement_method(method)
}

/// A method that sends a statement: one of `STATEMENT_METHODS`, or a name
/// whose first word is a statement verb or that ends in `Query` or `Sql`
/// (`queryArray`, `executeSql`, `runQuery`).
fn is_statement_method(method: &str) -> bool {
    if STATEMENT_METHODS.contains(&method) {
        return true;
    }
    let first_end = method
        .char_indices()
        .find(|(_, c)| c.is_ascii_uppercase())
        .map_or(method.len(), |(i, _)| i);
    let last_start = method
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_ascii_uppercase())
        .map_or(0, |(i, _)| i);
    first_end < method.len() && matches!(&method[..first_end], "query" | "execute" | "exec" | "raw")
        || matches!(&method[last_start..], "Query" | "Sql" | "Statement")
}

/// Test and subtest calls: `node:test` runs the subtests of one test one
/// after another anyway, and a test's steps are ordered.
const TEST_METHODS: &[&str] = &["test", "step", "subtest", "describe", "suite", "it"];

/// Methods of a query builder that write or remove rows.
const ROW_METHODS: &[&str] = &[
    "insert", "update", "upsert", "delete", "del", "increment", "decrement", "truncate", "merge",
    "replace",
];

/// The method goes through a call of a function that is the same in every
/// iteration (`tr(table).insert(x)`, `knex('users').where(w).update(u)`): a
/// transaction or connection called as a function to build a statement.
fn builder_called_as_function(ctx: &RuleContext, function: Node, local: &HashSet<String>) -> bool {
    let mut node = function;
    let mut through_call = false;
    loop {
        node = unwrap_parens(node);
        match node.kind() {
            "member_expression" => match node.child_by_field_id(crate::field!("object")) {
                Some(object) => node = object,
                None => return false,
            },
            "call_expression" => match node.child_by_field_id(crate::field!("function")) {
                Some(inner) => {
                    through_call = true;
                    node = inner;
                }
                None => return false,
            },
            "identifier" => return through_call && !local.contains(ctx.text(node)),
            _ => return false,
        }
    }
}

/// The call writes a file whose path is the same in every iteration
/// (`await writeFile(tmp, x)`, `await fs.writeFile('out.json', x)`): the
/// iterations share it, so running them together would mix their contents.
fn writes_fixed_file(ctx: &RuleContext, awaited: &AwaitExpr, local: &HashSet<String>) -> bool {
    let Some(call) = awaited.operand.map(unwrap_parens) else {
        return false;
    };
    let Some(function) = callee(call).map(unwrap_parens) else {
        return false;
    };
    let name = match function.kind() {
        "identifier" => ctx.text(function),
        "member_expression" => function
            .child_by_field_id(crate::field!("property"))
            .map_or("", |p| ctx.text(p)),
        _ => return false,
    };
    if !["write", "append", "output"].iter().any(|verb| name.starts_with(verb)) {
        return false;
    }
    let Some(path) = call
        .child_by_field_id(crate::field!("arguments"))
        .and_then(|arguments| named_children_but_comments(arguments).into_iter().next())
    else {
        return false;
    };
    match path.kind() {
        "string" => true,
        "template_string" => is_constant_template(path),
        "identifier" => !local.contains(ctx.text(path)),
        "member_expression" => {
            receiver(path).is_some_and(|root| !local.contains(ctx.text(root)))
                && !ctx.text(path).contains('[')
        }
        _ => false,
    }
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
