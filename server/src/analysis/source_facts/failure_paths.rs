//! Can it fail? Which functions can neither throw nor reject whatever they
//! are passed, and which promises certainly cannot reject.

use tree_sitter::Node;

use super::collect::class_key;
use super::promise_kinds::certainly_not_thenable;
use super::{text_of, AsyncFacts, PromiseKind};
use crate::analysis::lookups::Lookup;
use crate::syntax::awaits;
use crate::syntax::js::{
    enclosing_class_of_this, first_argument, for_each_own_node, is_async_function,
    is_constant_template, is_function, method_call, named_children_but_comments, only_argument,
    unwrap_parens,
};

impl AsyncFacts {
    /// True when the promise `expr` evaluates to certainly cannot reject: a
    /// call to an async function of the file whose body [`cannot_fail`],
    /// `Promise.resolve()` of nothing or of a value that is not a thenable, and
    /// `.then(f)` / `.finally(f)` on such a promise with an `f` that cannot fail.
    pub fn cannot_reject(&self, source: &str, expr: Node) -> bool {
        let expr = unwrap_parens(expr);
        if let Some((receiver, method, count)) = method_call(source, expr) {
            if matches!(method, "then" | "finally") && count <= 1 {
                let callback_cannot_fail = first_argument(expr)
                    .map(unwrap_parens)
                    .is_none_or(|f| is_function(f) && cannot_fail(source, f));
                return callback_cannot_fail && self.cannot_reject(source, receiver);
            }
        }
        if self.is_promised_timer(source, expr) {
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

    /// The timers of `timers/promises` called without options, whether read
    /// from the module or made by `util.promisify` (Node returns the same
    /// functions, their `util.promisify.custom`; the engine models them in
    /// `engine/node_modules.rs`): `promisify(setTimeout)(ms)`,
    /// `util.promisify(setImmediate)()`, `require('timers/promises').setTimeout(ms, v)`.
    /// They fulfil when the timer fires and reject on an aborted `signal`
    /// option, an options value that is not an object, a delay that is not a
    /// number, or a value that is a rejected thenable (the promise adopts it):
    /// with a number literal, a value that is not a thenable and no options,
    /// they cannot reject (Node 24).
    fn is_promised_timer(&self, source: &str, call: Node) -> bool {
        let Some(args) = call
            .child_by_field_id(crate::field!("arguments"))
            .filter(|a| a.kind() == "arguments")
        else {
            return false;
        };
        let args = named_children_but_comments(args);
        if args.iter().any(|a| a.kind() == "spread_element") {
            return false;
        }
        let Some(callee) = call
            .child_by_field_id(crate::field!("function"))
            .map(unwrap_parens)
        else {
            return false;
        };
        let timer = match callee.kind() {
            // `promisify(setTimeout)`, `util.promisify(setTimeout)`.
            "call_expression" => {
                let Some(promisify) = callee
                    .child_by_field_id(crate::field!("function"))
                    .map(unwrap_parens)
                else {
                    return false;
                };
                let is_promisify = match promisify.kind() {
                    "identifier" => text_of(source, promisify) == "promisify",
                    "member_expression" => {
                        promisify
                            .child_by_field_id(crate::field!("property"))
                            .is_some_and(|p| text_of(source, p) == "promisify")
                            && promisify
                                .child_by_field_id(crate::field!("object"))
                                .map(unwrap_parens)
                                .is_some_and(|o| {
                                    text_of(source, o) == "util"
                                        || required_specifier(source, o)
                                            .is_some_and(|m| m == "util")
                                })
                    }
                    _ => false,
                };
                let timer = sole_argument(callee)
                    .map(unwrap_parens)
                    .filter(|t| t.kind() == "identifier")
                    .map(|t| text_of(source, t));
                match timer {
                    Some(name) if is_promisify => {
                        // The global timer, not a function of the file's own.
                        self.note_name(name);
                        if self.binds(name) {
                            return false;
                        }
                        name
                    }
                    _ => return false,
                }
            }
            // `require('timers/promises').setTimeout`.
            "member_expression" => {
                let from_module = callee
                    .child_by_field_id(crate::field!("object"))
                    .map(unwrap_parens)
                    .and_then(|o| required_specifier(source, o))
                    .is_some_and(|m| m == "timers/promises");
                match callee.child_by_field_id(crate::field!("property")) {
                    Some(p) if from_module => text_of(source, p),
                    _ => return false,
                }
            }
            _ => return false,
        };
        // A delay that is not a number rejects with a `TypeError`, and the
        // promise adopts a thenable value, so both must be certain.
        let value_settles =
            |value: Option<&Node>| value.is_none_or(|v| certainly_not_thenable(source, *v));
        match (timer, args.as_slice()) {
            ("setTimeout", []) => true,
            ("setTimeout", [delay, value @ ..]) => {
                unwrap_parens(*delay).kind() == "number"
                    && value.len() <= 1
                    && value_settles(value.first())
            }
            ("setImmediate", value) => value.len() <= 1 && value_settles(value.first()),
            _ => false,
        }
    }

    /// True when the file binds `name` to anything (shadowing a global).
    fn binds(&self, name: &str) -> bool {
        self.async_names.contains(name)
            || self.other_names.contains(name)
            || self.module_names.contains(name)
    }

    /// True when a `new Promise(executor)` cannot reject: the executor is a
    /// function of plain parameters that never mentions its `reject`, and its
    /// body only hands `resolve` to the global timers
    /// (`setTimeout(resolve, ms)`, `setImmediate(resolve)`, `queueMicrotask`,
    /// `process.nextTick`) or calls it with a value that is not a thenable. A
    /// throw in the executor rejects the promise, and a thenable passed to
    /// `resolve` may reject it, so nothing else is allowed; what a timer's
    /// callback throws later is an uncaught exception, not a rejection.
    fn executor_never_rejects(&self, source: &str, executor: Node) -> bool {
        let executor = unwrap_parens(executor);
        if !is_function(executor) || is_async_function(executor) {
            return false;
        }
        let Some(params) = executor.child_by_field_id(crate::field!("parameters")) else {
            // `resolve => ...`: the one parameter is the field `parameter`.
            return executor
                .child_by_field_id(crate::field!("parameter"))
                .filter(|p| p.kind() == "identifier")
                .is_some_and(|resolve| {
                    self.body_only_resolves(source, executor, text_of(source, resolve))
                });
        };
        let params = named_children_but_comments(params);
        let [resolve, rest @ ..] = params.as_slice() else {
            return false;
        };
        if resolve.kind() != "identifier" || rest.len() > 1 {
            return false;
        }
        if let Some(reject) = rest.first() {
            if reject.kind() != "identifier" {
                return false;
            }
            let reject = text_of(source, *reject);
            let mut mentioned = false;
            if let Some(body) = executor.child_by_field_id(crate::field!("body")) {
                for_each_node(body, |n| {
                    mentioned |= n.kind() == "identifier" && text_of(source, n) == reject;
                });
            }
            if mentioned {
                return false;
            }
        }
        self.body_only_resolves(source, executor, text_of(source, *resolve))
    }

    /// The statements of an executor's body (or its expression body) are all
    /// [`Self::only_resolves`].
    fn body_only_resolves(&self, source: &str, executor: Node, resolve: &str) -> bool {
        let Some(body) = executor.child_by_field_id(crate::field!("body")) else {
            return false;
        };
        if body.kind() != "statement_block" {
            return self.only_resolves(source, body, resolve);
        }
        named_children_but_comments(body)
            .into_iter()
            .all(|statement| {
                statement.kind() == "expression_statement"
                    && statement
                        .named_child(0)
                        .is_some_and(|e| self.only_resolves(source, e, resolve))
            })
    }

    /// `resolve()`, `resolve(1)`, `setTimeout(resolve, 10)`,
    /// `setImmediate(resolve)`, `queueMicrotask(resolve)`,
    /// `process.nextTick(resolve)`: calls that cannot throw and hand
    /// `resolve` nothing that could be a thenable.
    fn only_resolves(&self, source: &str, expr: Node, resolve: &str) -> bool {
        let expr = unwrap_parens(expr);
        if expr.kind() != "call_expression" {
            return false;
        }
        let Some(callee) = expr
            .child_by_field_id(crate::field!("function"))
            .map(unwrap_parens)
        else {
            return false;
        };
        let Some(args) = expr
            .child_by_field_id(crate::field!("arguments"))
            .filter(|a| a.kind() == "arguments")
        else {
            return false;
        };
        let args = named_children_but_comments(args);
        let settled = |values: &[Node]| {
            values
                .iter()
                .all(|v| cannot_throw_to_evaluate(source, *v) && certainly_not_thenable(source, *v))
        };
        let callee_text = text_of(source, callee);
        if callee.kind() == "identifier" && callee_text == resolve {
            return args.len() <= 1 && settled(&args);
        }
        let timer = match callee_text {
            "setTimeout" | "setImmediate" | "queueMicrotask" => {
                self.note_name(callee_text);
                !self.binds(callee_text)
            }
            "process.nextTick" => !self.is_bound("process"),
            _ => false,
        };
        let Some((first, values)) = args.split_first() else {
            return false;
        };
        // `setTimeout(resolve, ms, value)` calls `resolve(value)`; the delay
        // is a literal (a delay cannot throw; other values could be thenables).
        timer
            && first.kind() == "identifier"
            && text_of(source, *first) == resolve
            && settled(values)
            && (callee_text != "queueMicrotask" || values.is_empty())
    }

    /// Whether the async function a call (of kind [`PromiseKind::AsyncCall`])
    /// reaches may reject; looked up as [`AsyncFacts::promise_kind`] found it.
    fn async_call_may_reject(&self, source: &str, call: Node) -> bool {
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
            }
            "member_expression" => {
                let (Some(object), Some(property)) = (
                    callee
                        .child_by_field_id(crate::field!("object"))
                        .map(unwrap_parens),
                    callee.child_by_field_id(crate::field!("property")),
                ) else {
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

/// True unless `argument` is a value that is certainly not iterable (a
/// number, `null`, an object literal...): `Promise.allSettled` rejects only
/// when iterating its argument throws.
fn may_be_iterable(argument: Node) -> bool {
    !matches!(
        unwrap_parens(argument).kind(),
        "number" | "null" | "undefined" | "true" | "false" | "object" | "regex" | "spread_element"
    )
}

/// `require('m')` or `require('node:m')`: the module name `m`.
fn required_specifier<'s>(source: &'s str, expr: Node) -> Option<&'s str> {
    let expr = unwrap_parens(expr);
    let callee = expr.child_by_field_id(crate::field!("function"))?;
    if expr.kind() != "call_expression" || text_of(source, callee) != "require" {
        return None;
    }
    let specifier = sole_argument(expr)?;
    if specifier.kind() != "string" {
        return None;
    }
    let text = text_of(source, specifier).trim_matches(|c| c == '\'' || c == '"');
    Some(text.strip_prefix("node:").unwrap_or(text))
}

/// The one argument of a call.
fn sole_argument(call: Node) -> Option<Node> {
    call.child_by_field_id(crate::field!("arguments"))
        .filter(|a| a.kind() == "arguments")
        .and_then(only_argument)
}

/// Every named node under `root` (itself excluded), nested functions too.
fn for_each_node<'t>(root: Node<'t>, mut each: impl FnMut(Node<'t>)) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            each(child);
            stack.push(child);
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
///
/// and every `return` inside those `try` statements hands back nothing that
/// could be a rejected thenable: a value that is not a thenable, or an `await`
/// inside the `try` block.
pub fn cannot_fail(source: &str, function: Node) -> bool {
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
            .all(|p| p.kind() == "identifier");
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
    let statements_cannot_fail = named_children_but_comments(body)
        .into_iter()
        .all(|statement| match statement.kind() {
            "empty_statement" | "function_declaration" => true,
            "lexical_declaration" | "variable_declaration" => {
                let mut cursor = statement.walk();
                let all = statement
                    .named_children(&mut cursor)
                    .filter(|d| d.kind() == "variable_declarator")
                    .all(|declarator| {
                        declarator
                            .child_by_field_id(crate::field!("name"))
                            .is_some_and(|n| n.kind() == "identifier")
                            && declarator
                                .child_by_field_id(crate::field!("value"))
                                .is_none_or(|v| cannot_throw_to_evaluate(source, v))
                    });
                all
            }
            "try_statement" => catches_without_rethrowing(statement),
            "return_statement" => {
                returned_value(statement).is_none_or(|v| cannot_throw_to_evaluate(source, v))
            }
            _ => false,
        });
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
fn returned_value(statement: Node) -> Option<Node> {
    named_children_but_comments(statement).first().copied()
}

/// Literals, empty array and object literals, and functions: evaluating them
/// cannot throw.
fn cannot_throw_to_evaluate(source: &str, expr: Node) -> bool {
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
fn catches_without_rethrowing(try_statement: Node) -> bool {
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
}
