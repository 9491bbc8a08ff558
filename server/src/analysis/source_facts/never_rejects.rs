//! Promises that certainly cannot reject, whatever the code around them
//! does: `Promise.allSettled` of a value that may be iterable, the timers of
//! `timers/promises` without options however they are reached, and
//! `new Promise` executors that only resolve. Asked by
//! [`AsyncFacts::cannot_reject`].

use tree_sitter::Node;

use super::failure_paths::cannot_throw_to_evaluate;
use super::promise_kinds::certainly_not_thenable;
use super::{text_of, AsyncFacts};
use crate::engine::PromisedTimer;
use crate::syntax::js::{
    has_optional_chain, is_async_function, is_function, named_children_but_comments, only_argument,
    unwrap_parens,
};

impl AsyncFacts {
    /// The timers of `timers/promises` called without options, whether read
    /// from the module or made by `util.promisify` (Node returns the same
    /// functions, their `util.promisify.custom`): `promisify(setTimeout)(5)`,
    /// `util.promisify(setImmediate)()`, `require('timers/promises').setTimeout(5, v)`.
    /// Which timers there are, how they read their arguments and on which
    /// they cannot reject is the engine's table ([`PromisedTimer`]), the one
    /// its model of the timers reads.
    /// `promisify` and `util` count only when the file binds them to Node's
    /// `util` (`const { promisify } = require('util')`, `import * as util
    /// from 'node:util'`, `require('util').promisify`).
    /// A delay counts as a number when it is a number literal, a value as
    /// not a thenable when [`certainly_not_thenable`] says so.
    pub(super) fn is_promised_timer(&self, source: &str, call: Node) -> bool {
        call.child_by_field_id(crate::field!("function"))
            .and_then(|callee| self.promised_timer(source, callee))
            .is_some_and(|timer| timer_call_cannot_reject(source, timer, call))
    }

    /// The promised timer `callee` is, as [`Self::is_promised_timer`] reads
    /// it: `promisify(setTimeout)`, `util.promisify(setImmediate)`,
    /// `require('timers/promises').setTimeout`. Also what an export summary
    /// records of a function value (`const sleep = promisify(setTimeout)`).
    pub(crate) fn promised_timer(
        &self,
        source: &str,
        callee: Node,
    ) -> Option<&'static PromisedTimer> {
        let callee = unwrap_parens(callee);
        let timer = match callee.kind() {
            // `promisify(setTimeout)`, `util.promisify(setTimeout)`.
            "call_expression" => {
                let promisify = callee
                    .child_by_field_id(crate::field!("function"))
                    .map(unwrap_parens)?;
                // Only Node's own `promisify`, through a binding the file
                // makes: another library's `promisify` (bluebird's), a
                // parameter or an unbound name may return anything.
                let is_promisify = match promisify.kind() {
                    "identifier" => self.is_util_promisify_name(text_of(source, promisify)),
                    "member_expression" => {
                        promisify
                            .child_by_field_id(crate::field!("property"))
                            .is_some_and(|p| text_of(source, p) == "promisify")
                            && promisify
                                .child_by_field_id(crate::field!("object"))
                                .map(unwrap_parens)
                                .is_some_and(|o| {
                                    (o.kind() == "identifier"
                                        && self.is_util_module_name(text_of(source, o)))
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
                            return None;
                        }
                        name
                    }
                    _ => return None,
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
                    _ => return None,
                }
            }
            _ => return None,
        };
        PromisedTimer::named(timer)
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
    /// `d.promise` of `const d = Promise.withResolvers()` declared in a
    /// function around `expr`, whose every other use in that function (its
    /// nested functions included) is `d.promise` or a call `d.resolve()` /
    /// `d.resolve(v)` with a `v` that is not a thenable: `reject` is never
    /// called or handed on, and `resolve` never adopts a thenable, so the
    /// promise can only resolve. A `d` of the module's top level is not taken
    /// (other units could use it).
    pub(super) fn resolvers_only_resolve(&self, source: &str, expr: Node) -> bool {
        let expr = unwrap_parens(expr);
        let (Some(object), Some(property)) = (
            expr.child_by_field_id(crate::field!("object")),
            expr.child_by_field_id(crate::field!("property")),
        ) else {
            return false;
        };
        if expr.kind() != "member_expression"
            || object.kind() != "identifier"
            || text_of(source, property) != "promise"
            || has_optional_chain(expr)
        {
            return false;
        }
        let name = text_of(source, object);
        let mut scope = expr.parent();
        while let Some(node) = scope {
            if is_function(node) {
                if let Some(body) = node.child_by_field_id(crate::field!("body")) {
                    if let Some(only_resolve) = self.resolvers_declared_in(source, body, name) {
                        return only_resolve;
                    }
                }
            }
            scope = node.parent();
        }
        false
    }

    /// Whether `body` declares `name` once, as `const name =
    /// Promise.withResolvers()`, and uses it only as
    /// [`Self::resolvers_only_resolve`] allows; `None` when `body` declares
    /// no `name` at all.
    fn resolvers_declared_in(&self, source: &str, body: Node, name: &str) -> Option<bool> {
        let mut declarations = 0;
        let mut fine = true;
        for_each_node(body, |node| {
            if node.kind() != "identifier" || text_of(source, node) != name {
                return;
            }
            let Some(parent) = node.parent() else {
                fine = false;
                return;
            };
            if parent.kind() == "variable_declarator"
                && parent
                    .child_by_field_id(crate::field!("name"))
                    .is_some_and(|n| n.id() == node.id())
            {
                declarations += 1;
                let constant = parent.parent().is_some_and(|d| {
                    d.kind() == "lexical_declaration"
                        && d.child(0).is_some_and(|k| k.kind() == "const")
                });
                let made = parent
                    .child_by_field_id(crate::field!("value"))
                    .map(unwrap_parens)
                    .is_some_and(|value| {
                        value.kind() == "call_expression"
                            && value
                                .child_by_field_id(crate::field!("function"))
                                .is_some_and(|f| {
                                    f.kind() == "member_expression"
                                        && text_of(source, f).split_whitespace().collect::<String>()
                                            == "Promise.withResolvers"
                                })
                            && value
                                .child_by_field_id(crate::field!("arguments"))
                                .is_some_and(|a| {
                                    a.kind() == "arguments"
                                        && named_children_but_comments(a).is_empty()
                                })
                    });
                fine &= constant && made;
                return;
            }
            if node.kind() == "identifier" && is_binding_elsewhere(parent, node) {
                fine = false;
                return;
            }
            let member = (parent.kind() == "member_expression"
                && parent
                    .child_by_field_id(crate::field!("object"))
                    .is_some_and(|o| o.id() == node.id())
                && !has_optional_chain(parent))
            .then(|| parent.child_by_field_id(crate::field!("property")))
            .flatten()
            .map(|p| text_of(source, p));
            fine &= match member {
                Some("promise") => true,
                Some("resolve") => parent.parent().is_some_and(|call| {
                    call.kind() == "call_expression"
                        && call
                            .child_by_field_id(crate::field!("function"))
                            .is_some_and(|f| f.id() == parent.id())
                        && call
                            .child_by_field_id(crate::field!("arguments"))
                            .filter(|a| a.kind() == "arguments")
                            .is_some_and(|a| {
                                let values = named_children_but_comments(a);
                                values.len() <= 1
                                    && values.iter().all(|v| {
                                        cannot_throw_to_evaluate(source, *v)
                                            && certainly_not_thenable(source, *v)
                                    })
                            })
                }),
                _ => false,
            };
        });
        match declarations {
            0 => None,
            1 => Some(fine && !self.is_bound("Promise")),
            _ => Some(false),
        }
    }

    pub(super) fn executor_never_rejects(&self, source: &str, executor: Node) -> bool {
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
}

/// True when a `call` of `timer` cannot reject: the engine's table says how
/// the timer reads its arguments and on which it cannot reject; a delay counts
/// as a number when it is a number literal, a value as not a thenable when
/// [`certainly_not_thenable`] says so, and a spread argument as anything.
pub(super) fn timer_call_cannot_reject(source: &str, timer: &PromisedTimer, call: Node) -> bool {
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
    timer.cannot_reject(
        &args,
        |delay| unwrap_parens(*delay).kind() == "number",
        |value| certainly_not_thenable(source, *value),
    )
}

/// True unless `argument` is a value that is certainly not iterable (a
/// number, `null`, an object literal...): `Promise.allSettled` rejects only
/// when iterating its argument throws.
pub(super) fn may_be_iterable(argument: Node) -> bool {
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

/// Whether the identifier `node` under `parent` binds a name (a parameter,
/// a pattern, a catch binding, a declaration of a function or class) rather
/// than reading it.
fn is_binding_elsewhere(parent: Node, node: Node) -> bool {
    parent.kind().ends_with("pattern")
        || matches!(
            parent.kind(),
            "formal_parameters" | "catch_clause" | "function_declaration" | "class_declaration"
        )
        || (parent.kind() == "arrow_function"
            && parent
                .child_by_field_id(crate::field!("parameter"))
                .is_some_and(|p| p.id() == node.id()))
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
