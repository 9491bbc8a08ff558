//! Can it fail? Which functions can neither throw nor reject whatever they
//! are passed, and which promises certainly cannot reject.

use tree_sitter::Node;

use super::readers::Reads;

use super::cannot_throw::Body;
use super::collect::class_key;
use super::never_rejects::may_be_iterable;
use super::promise_kinds::certainly_not_thenable;
use super::{text_of, AsyncFacts, PromiseKind};
use crate::analysis::lookups::Lookup;
use crate::syntax::awaits;
use crate::syntax::js::{
    enclosing_class_of_this, first_argument, for_each_own_node, is_async_function,
    is_constant_template, is_function, member_parts, method_call, named_children_but_comments,
    unwrap_parens,
};

impl AsyncFacts {
    /// True when the promise `expr` evaluates to certainly cannot reject: a
    /// call to an async function of the file whose body [`cannot_fail`],
    /// `Promise.resolve()` of nothing or of a value that is not a thenable, and
    /// `.then(f)` / `.finally(f)` on such a promise with an `f` that cannot fail,
    /// and the `promise` of `Promise.withResolvers()` whose `reject` is never
    /// used (`never_rejects.rs`).
    pub fn cannot_reject(&self, source: &str, expr: Node) -> bool {
        self.reads_beyond_file(&[Reads::ImportedSummaries, Reads::DeclaredPromises]);
        let expr = unwrap_parens(expr);
        if let Some((receiver, method, count)) = method_call(source, expr) {
            if matches!(method, "then" | "finally") && count <= 1 {
                // The file's bindings are known here: the callback may use
                // the built-ins (timers, collections) they leave unshadowed.
                let callback_cannot_fail =
                    first_argument(expr).map(unwrap_parens).is_none_or(|f| {
                        is_function(f) && cannot_fail_with(source, f, false, Some(self))
                    });
                return callback_cannot_fail && self.cannot_reject(source, receiver);
            }
        }
        if self.is_promised_timer(source, expr) || self.resolvers_only_resolve(source, expr) {
            return true;
        }
        match self.promise_kind(source, expr) {
            Some(PromiseKind::PromiseResolve) => {
                first_argument(expr).is_none_or(|value| certainly_not_thenable(source, value))
            }
            Some(PromiseKind::AsyncCall) => !self.async_call_may_reject(source, expr),
            Some(PromiseKind::PromiseStatic) => {
                method_call(source, expr).is_some_and(|(_, method, count)| {
                    method == "allSettled"
                        && count == 1
                        && first_argument(expr).is_some_and(may_be_iterable)
                })
            }
            Some(PromiseKind::NewPromise) => first_argument(expr)
                .is_some_and(|executor| self.executor_never_rejects(source, executor)),
            _ => false,
        }
    }

    /// Whether the async function a call (of kind [`PromiseKind::AsyncCall`])
    /// reaches may reject; looked up as [`AsyncFacts::promise_kind`] found it.
    fn async_call_may_reject(&self, source: &str, call: Node) -> bool {
        // An imported promised timer (`imported.rs`) rejects on some arguments only.
        if self.imported_timer_cannot_reject(source, call) {
            return false;
        }
        let Some(callee) = call
            .child_by_field_id(crate::field!("function"))
            .map(unwrap_parens)
        else {
            return true;
        };
        match callee.kind() {
            "identifier" => {
                let name = text_of(source, callee);
                self.note_name(name);
                self.rejecting_names.contains(name)
                    && !(self.rejecting_without_options.contains(name)
                        && first_argument(call).is_some_and(is_plain_object_literal))
            }
            "member_expression" => {
                let Some((object, property)) = member_parts(callee) else {
                    return true;
                };
                let method = text_of(source, property);
                let class = match object.kind() {
                    "identifier" => {
                        let object_name = text_of(source, object);
                        let qualified = format!("{object_name}.{method}");
                        self.note_member(&qualified);
                        if self.async_members.contains(&qualified) {
                            return self.rejecting_members.contains(&qualified);
                        }
                        self.note_name(object_name);
                        self.instances.get(object_name).and_then(|class| {
                            self.note_name(class);
                            self.class_ids.get(class).copied()
                        })
                    }
                    "this" => enclosing_class_of_this(object).map(|c| class_key(source, c)),
                    _ => None,
                };
                class.is_none_or(|class| {
                    self.log.note(|| Lookup::Class(class));
                    self.rejecting_class_methods
                        .get(&class)
                        .is_some_and(|methods| methods.contains(method))
                })
            }
            _ => true,
        }
    }
}

/// True when calling `function` can neither throw nor (when it is async)
/// reject, whatever it is passed: its parameters are plain names (a default
/// or a destructuring could throw), and its body is only
///
/// - declarations that cannot throw (functions, and variables initialised with
///   literals, functions or nothing),
/// - `try` statements whose `catch` does not rethrow (no `throw` of its own, in
///   the `catch` or a `finally`; what the handler calls is trusted not to
///   throw, as the handler `h` of `.catch(h)` is),
/// - `return` of nothing or of such a literal,
/// - the other statements [`Body`] finds cannot throw (early returns on
///   parameters, endless loops, fields of `this`; read from the function's
///   own top-level unit only, see `cannot_throw.rs`),
///
/// and every `return` inside those `try` statements hands back nothing that
/// could be a rejected thenable: a value that is not a thenable, or an `await`
/// inside the `try` block.
pub fn cannot_fail(source: &str, function: Node) -> bool {
    cannot_fail_with(source, function, false, None)
}

/// True when calling `function` can neither throw nor reject as long as its
/// first parameter, an object pattern of plain names
/// (`async ({ signal, timeout }) => ...`), receives an object: destructuring
/// `undefined` or `null` throws (a rejection, for an async function), an
/// object without some of the names gives `undefined` for them. The rest is
/// as in [`cannot_fail`].
pub fn cannot_fail_given_an_object(source: &str, function: Node) -> bool {
    cannot_fail_with(source, function, true, None)
}

/// An object literal of plain properties, spreads and shorthands: reading a
/// property of it runs no getter, so destructuring it cannot throw.
fn is_plain_object_literal(expr: Node) -> bool {
    let expr = unwrap_parens(expr);
    expr.kind() == "object"
        && named_children_but_comments(expr).iter().all(|member| {
            matches!(
                member.kind(),
                "pair" | "shorthand_property_identifier" | "spread_element"
            )
        })
}

/// An object pattern whose every property binds a plain name, without
/// defaults or nested patterns: `{ a, b: c }`.
fn is_plain_object_pattern(pattern: Node) -> bool {
    pattern.kind() == "object_pattern"
        && named_children_but_comments(pattern).iter().all(|property| {
            property.kind() == "shorthand_property_identifier_pattern"
                || (property.kind() == "pair_pattern"
                    && property
                        .child_by_field_id(crate::field!("key"))
                        .is_some_and(|k| k.kind() == "property_identifier")
                    && property
                        .child_by_field_id(crate::field!("value"))
                        .is_some_and(|v| v.kind() == "identifier"))
        })
}

/// [`cannot_fail`] and [`cannot_fail_given_an_object`], with the file's
/// facts when they are known (`bindings`): then the body may also use the
/// built-ins no binding of the file shadows (`own_state.rs`).
fn cannot_fail_with(
    source: &str,
    function: Node,
    first_is_object: bool,
    bindings: Option<&AsyncFacts>,
) -> bool {
    // A generator's body runs on `next()`, not on the call.
    let generator = matches!(
        function.kind(),
        "generator_function_declaration" | "generator_function"
    );
    if !is_function(function) || generator {
        return false;
    }
    if let Some(params) = function.child_by_field_id(crate::field!("parameters")) {
        let plain = named_children_but_comments(params)
            .iter()
            .enumerate()
            .all(|(i, p)| {
                p.kind() == "identifier"
                    || (first_is_object && i == 0 && is_plain_object_pattern(*p))
            });
        if !plain {
            return false;
        }
    }
    let Some(body) = function.child_by_field_id(crate::field!("body")) else {
        return false;
    };
    if body.kind() != "statement_block" {
        return cannot_throw_to_evaluate(source, body);
    }
    let statements_cannot_fail = Body {
        source,
        function,
        bindings,
    }
    .block_cannot_throw(body, 0);
    if !statements_cannot_fail {
        return false;
    }
    let mut returns_settled_values = true;
    for_each_own_node(body, |node| {
        if node.kind() != "return_statement" {
            return;
        }
        let Some(value) = returned_value(node) else {
            return;
        };
        let value = unwrap_parens(value);
        // An `await` as Node reads it (`await (x).y()` too, see
        // `syntax::awaits`): `node` is the function's own code.
        let is_await =
            awaits::await_expression_in(source, value, is_async_function(function)).is_some();
        let fine =
            certainly_not_thenable(source, value) || (is_await && inside_try_block(node, body));
        returns_settled_values &= fine;
    });
    returns_settled_values
}

/// The value a `return` statement hands back; `None` for a bare `return`.
/// A comment before the value (`return /* why */ g();`) is not the value.
pub(super) fn returned_value(statement: Node) -> Option<Node> {
    named_children_but_comments(statement).first().copied()
}

/// Literals, empty array and object literals, and functions: evaluating them
/// cannot throw.
pub(super) fn cannot_throw_to_evaluate(source: &str, expr: Node) -> bool {
    let expr = unwrap_parens(expr);
    match expr.kind() {
        "number" | "string" | "true" | "false" | "null" | "undefined" => true,
        "identifier" => text_of(source, expr) == "undefined",
        "template_string" => is_constant_template(expr),
        "array" | "object" => named_children_but_comments(expr).is_empty(),
        "arrow_function" | "function_expression" => true,
        _ => false,
    }
}

/// A `try` with a `catch` (binding a plain name or nothing) that throws
/// nothing of its own, and no `throw` in its `finally`.
pub(super) fn catches_without_rethrowing(try_statement: Node) -> bool {
    let Some(handler) = try_statement.child_by_field_id(crate::field!("handler")) else {
        return false;
    };
    if handler
        .child_by_field_id(crate::field!("parameter"))
        .is_some_and(|p| p.kind() != "identifier")
    {
        return false;
    }
    let throws = |block: Option<Node>| {
        let mut found = false;
        if let Some(block) = block {
            for_each_own_node(block, |node| found |= node.kind() == "throw_statement");
        }
        found
    };
    !throws(handler.child_by_field_id(crate::field!("body")))
        && !throws(try_statement.child_by_field_id(crate::field!("finalizer")))
}

/// True when `node` lies in the block of a `try` with a `catch`, below `limit`.
pub fn inside_try_block(node: Node, limit: Node) -> bool {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if parent.id() == limit.id() {
            return false;
        }
        if parent.kind() == "try_statement"
            && parent.child_by_field_id(crate::field!("handler")).is_some()
            && parent
                .child_by_field_id(crate::field!("body"))
                .is_some_and(|b| b.id() == current.id())
        {
            return true;
        }
        current = parent;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    #[test]
    fn functions_that_cannot_fail_catch_everything_they_do() {
        let cannot_fail_first = |source: &str| {
            let tree = syntax::parse(source, None);
            let function = tree
                .root_node()
                .named_child(0)
                .expect("a function declaration");
            cannot_fail(source, function)
        };
        for (source, expected) in [
            ("async function f() {}", true),
            (
                "async function f(a, b) { try { await a(); } catch (e) { b(e); } }",
                true,
            ),
            (
                "async function f() { let n = 0; try { n = await g(); } catch {} }",
                true,
            ),
            (
                "async function f() { try { return await g(); } catch { return null; } }",
                true,
            ),
            (
                "async function f() { try { await g(); } catch (e) {} finally { h(); } }",
                true,
            ),
            (
                "async function f() { try { await g(); } catch (e) { throw e; } }",
                false,
            ),
            (
                "async function f() { try { await g(); } finally { h(); } }",
                false,
            ),
            (
                "async function f() { try { await g(); } catch {} finally { throw x; } }",
                false,
            ),
            ("async function f() { try { return g(); } catch {} }", false),
            (
                "async function f() { h(); try { await g(); } catch {} }",
                false,
            ),
            (
                "async function f() { const x = g(); try { await x; } catch {} }",
                false,
            ),
            (
                "async function f() { try { await g(); } catch {} return h(); }",
                false,
            ),
            ("async function f(a = g()) {}", false),
            ("async function f({ a }, b) {}", false),
            ("async function f({ a }) {}", false),
            ("async function f() { try {} catch ({ code }) {} }", false),
            ("function* f() {}", false),
            // A comment before the returned value hides nothing.
            ("async function f() { return /* why */ g(); }", false),
            ("async function f() { return /* nothing */; }", true),
        ] {
            assert_eq!(cannot_fail_first(source), expected, "{source}");
        }
    }

    #[test]
    fn an_object_pattern_first_parameter_fails_only_on_a_missing_object() {
        let given_an_object = |source: &str| {
            let tree = syntax::parse(source, None);
            let function = tree.root_node().named_child(0).expect("a function");
            cannot_fail_given_an_object(source, function)
        };
        for (source, expected) in [
            (
                "async function f({ a, b: c }, d) { try { await a(c, d); } catch {} }",
                true,
            ),
            ("async function f(a) {}", true),
            ("async function f(a, { b }) {}", false),
            ("async function f({ a = g() }) {}", false),
            ("async function f({ a: { b } }) {}", false),
            ("async function f({ ...rest }) {}", false),
            ("async function f({ a }) { await a; }", false),
        ] {
            assert_eq!(given_an_object(source), expected, "{source}");
        }
    }
}
