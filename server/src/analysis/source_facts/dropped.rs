//! Promises created and dropped at statement level: neither awaited,
//! returned, assigned, passed on, `void`ed nor given a rejection handler.

use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::{text_of, AsyncFacts, DroppedPromise, PromiseKind};
use crate::syntax::awaits;
use crate::syntax::js::{is_function, method_call, through_compiled_call, unwrap_parens};

impl AsyncFacts {
    /// If `expr` (inside any parentheses) is a promise nobody handles a
    /// rejection of, the call that starts the chain and its kind.
    ///
    /// `.catch(h)` and `.then(a, b)` handle rejections, also for the links
    /// after them (their callbacks are trusted not to throw, as `a` is in
    /// `.then(a, b)`); `.finally(f)` passes them on; `.then(a)` drops them.
    /// A promise that [cannot reject](AsyncFacts::cannot_reject) has no
    /// rejection to handle.
    pub fn unhandled_promise<'t>(
        &self,
        source: &str,
        expr: Node<'t>,
    ) -> Option<(Node<'t>, PromiseKind, bool)> {
        let expr = unwrap_parens(expr);
        if expr.kind() == "call_expression" {
            if let Some((receiver, method, args)) = method_call(source, expr) {
                match (method, args) {
                    ("catch", n) if n >= 1 => return None,
                    ("then", n) if n >= 2 => return None,
                    ("then", _) => {
                        let origin = chain_origin(source, receiver);
                        if handled_upstream(source, receiver)
                            || self.cannot_reject(source, expr)
                            || self.is_own_thenable(source, origin)
                        {
                            return None;
                        }
                        let kind = self
                            .promise_kind(source, origin)
                            .unwrap_or(PromiseKind::Chain);
                        return Some((origin, kind, true));
                    }
                    ("finally", _) => return self.unhandled_promise(source, receiver),
                    _ => {}
                }
            }
        }
        let kind = self.promise_kind(source, expr)?;
        if kind == PromiseKind::Chain {
            // `x.catch()` without arguments, or `p.finally()` on a known promise.
            let origin = chain_origin(source, expr);
            let kind = self
                .promise_kind(source, origin)
                .unwrap_or(PromiseKind::Chain);
            return Some((origin, kind, false));
        }
        if kind == PromiseKind::AsyncCall && self.cannot_reject(source, expr) {
            return None;
        }
        Some((expr, kind, false))
    }

    /// Every promise dropped at statement level: created by an expression
    /// statement and neither awaited, returned, assigned, passed on, `void`ed nor
    /// given a rejection handler.
    pub fn dropped_promises<'t>(&self, source: &str, tree: &'t Tree) -> Vec<DroppedPromise<'t>> {
        let mut dropped = Vec::new();
        // One cursor over the whole tree: a cursor (an allocation) and a
        // stack push per node made the walk most of this function's cost.
        let mut cursor = tree.walk();
        loop {
            let node = cursor.node();
            if node.kind() == "expression_statement" {
                if let Some(found) = self.dropped_at(source, node) {
                    dropped.push(found);
                }
            }
            if cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    dropped.sort_by_key(|d| d.statement.start_byte());
                    return dropped;
                }
            }
        }
    }

    /// The dropped promise of one expression statement, if it drops one.
    pub fn dropped_at<'t>(&self, source: &str, statement: Node<'t>) -> Option<DroppedPromise<'t>> {
        let expression = dropped_candidate(source, statement)?;
        let (origin, kind, unhandled_then) = self.unhandled_promise(source, expression)?;
        let highlight = if unhandled_then {
            last_then_property(source, expression)
                .map_or(expression.byte_range(), |p| p.byte_range())
        } else {
            callee_range(origin)
        };
        Some(DroppedPromise {
            statement,
            expression,
            origin,
            kind,
            unhandled_then,
            highlight,
            label: call_label(source, origin),
        })
    }
}

/// The expression of an expression statement that may drop a promise: the
/// part of [`AsyncFacts::dropped_at`] that needs no facts (`None` for an
/// awaited expression). A dropped promise's range is this expression's.
pub fn dropped_candidate<'t>(source: &str, statement: Node<'t>) -> Option<Node<'t>> {
    let expression = unwrap_parens(statement.named_child(0)?);
    // `await (async () => {…})()` is awaited, not a call of `await`. At
    // the top level it is read as an await too (the module's kind is not
    // known here): a script calling a function named `await` is rare, and
    // missing a finding is better than a false one.
    if awaits::await_expression(source, expression, true).is_some() {
        return None;
    }
    Some(expression)
}

/// True when a link before `receiver` in its chain handles a rejection:
/// `.catch(h)` or `.then(a, b)` in `p.catch(h).then(f)`.
fn handled_upstream(source: &str, mut receiver: Node) -> bool {
    while let Some((inner, method, count)) = method_call(source, receiver) {
        match (method, count) {
            ("catch", n) if n >= 1 => return true,
            ("then", n) if n >= 2 => return true,
            ("then" | "catch" | "finally", _) => receiver = inner,
            _ => return false,
        }
    }
    false
}

/// The start of a `.then/.catch/.finally` chain: `load(x)` in `load(x).then(f).finally(g)`.
fn chain_origin<'t>(source: &str, mut expr: Node<'t>) -> Node<'t> {
    while let Some((receiver, method, _)) = method_call(source, expr) {
        if !matches!(method, "then" | "catch" | "finally") {
            break;
        }
        expr = receiver;
    }
    expr
}

/// The `then` property of the outermost unhandled `.then(...)` in a chain.
fn last_then_property<'t>(source: &str, mut expr: Node<'t>) -> Option<Node<'t>> {
    loop {
        let (receiver, method, _) = method_call(source, expr)?;
        let callee = unwrap_parens(expr.child_by_field_id(crate::field!("function"))?);
        match method {
            "then" => return callee.child_by_field_id(crate::field!("property")),
            "finally" => expr = receiver,
            _ => return None,
        }
    }
}

/// The narrow range naming a call: its callee, or `new Promise` for a `new`.
fn callee_range(call: Node) -> Range<usize> {
    match call.kind() {
        "new_expression" => {
            let end = call
                .child_by_field_id(crate::field!("constructor"))
                .map_or(call.end_byte(), |c| c.end_byte());
            call.start_byte()..end
        }
        "call_expression" => match call.child_by_field_id(crate::field!("function")) {
            // An IIFE: highlight only its `async` keyword's function head.
            Some(f) if is_function(unwrap_parens(f)) => {
                let inner = unwrap_parens(f);
                let mut cursor = inner.walk();
                let keyword = inner.children(&mut cursor).find(|c| c.kind() == "async");
                keyword.map_or(inner.byte_range(), |k| k.byte_range())
            }
            Some(f) => f.byte_range(),
            None => call.byte_range(),
        },
        _ => call.byte_range(),
    }
}

/// How a message names a call: `save()`, `api.save(…)`, `new Promise(…)`.
pub fn call_label(source: &str, call: Node) -> String {
    // `(…)` when the call has arguments, `()` when it has none.
    let arguments = match call
        .child_by_field_id(crate::field!("arguments"))
        .is_some_and(|args| args.named_child_count() > 0)
    {
        true => "(…)",
        false => "()",
    };
    // Long or multi-line text is cut (on one line), never replaced by a
    // word that names nothing; a compiled `(0, lib.f)(x)` is `lib.f(…)`.
    let short = |node: Node| crate::analysis::insights::shorten(text_of(source, node), 56);
    let named = match call.kind() {
        "new_expression" => call
            .child_by_field_id(crate::field!("constructor"))
            .map(|c| format!("new {}{arguments}", short(c))),
        "call_expression" => call
            .child_by_field_id(crate::field!("function"))
            .filter(|f| !is_function(unwrap_parens(*f)))
            .map(|f| format!("{}{arguments}", short(through_compiled_call(f)))),
        _ => None,
    };
    named.unwrap_or_else(|| crate::analysis::insights::shorten(text_of(source, call), 40))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    #[test]
    fn dropped_promises_skip_handled_chains() {
        let source = "async function save() { await db(); }\n\
                      save();\n\
                      save().catch(log);\n\
                      save().then(ok, bad);\n\
                      save().then(ok).finally(done);\n\
                      save().catch(log).finally(done);\n\
                      save().catch(log).then(next);\n\
                      void save();\n\
                      await save();\n\
                      const p = save();\n";
        let tree = syntax::parse(source, None);
        let facts = AsyncFacts::collect(source, &tree);
        let dropped = facts.dropped_promises(source, &tree);
        let highlighted: Vec<&str> = dropped
            .iter()
            .map(|d| &source[d.highlight.clone()])
            .collect();
        assert_eq!(highlighted, ["save", "then"]);
        assert_eq!(dropped[0].label, "save()");
        assert!(dropped[1].unhandled_then);
    }

    /// Calls are named by their text, cut when long, never by a vague word.
    #[test]
    fn calls_are_labelled_by_their_shortened_text() {
        let source = "(0, lib_1.save)(x);
                      this.connectionManager.getConnectionFromPoolWithRetries.bind(this)(x);
                      (async () => {
  await go();
})();
                      new Promise((r) => r(1));
";
        let tree = syntax::parse(source, None);
        let mut cursor = tree.root_node().walk();
        let labels: Vec<String> = tree
            .root_node()
            .named_children(&mut cursor)
            .map(|statement| call_label(source, statement.named_child(0).unwrap()))
            .collect();
        assert_eq!(
            labels,
            [
                "lib_1.save(…)",
                "this.connectionManager.getConnectionFromPoolWithRetries…(…)",
                "(async () => { await go(); })()",
                "new Promise(…)"
            ]
        );
    }
}
