//! Which expressions certainly evaluate to a promise, and why
//! ([`PromiseKind`]), and which certainly do not evaluate to a thenable.

use tree_sitter::Node;

use super::readers::Reads;

use super::collect::class_key;
use super::{text_of, AsyncFacts, PromiseKind, FS_PROMISES_NON_PROMISE};
use crate::analysis::lookups::Lookup;
use crate::syntax::js::{
    enclosing_class_of_this, has_optional_chain, is_async_function, is_constant_template,
    through_compiled_call, unwrap_parens,
};

impl AsyncFacts {
    /// Why `expr` certainly evaluates to a promise, or `None` when it may not.
    pub fn promise_kind(&self, source: &str, expr: Node) -> Option<PromiseKind> {
        self.reads_beyond_file(&[Reads::ImportedSummaries, Reads::DeclaredPromises]);
        let expr = unwrap_parens(expr);
        match expr.kind() {
            "new_expression" => {
                let constructor = expr.child_by_field_id(crate::field!("constructor"))?;
                (text_of(source, constructor) == "Promise" && !self.is_bound("Promise"))
                    .then_some(PromiseKind::NewPromise)
            }
            "call_expression" => self.call_promise_kind(source, expr),
            _ => None,
        }
    }

    /// True when `expr` certainly evaluates to a promise.
    pub fn is_certainly_promise(&self, source: &str, expr: Node) -> bool {
        self.promise_kind(source, expr).is_some()
    }

    fn call_promise_kind(&self, source: &str, call: Node) -> Option<PromiseKind> {
        // `(0, f)(x)`, the compiled call of an imported `f`, calls `f`.
        let callee = through_compiled_call(unwrap_parens(
            call.child_by_field_id(crate::field!("function"))?,
        ));
        // Tagged templates and optional calls (`f?.()`) may not call at all.
        if call
            .child_by_field_id(crate::field!("arguments"))
            .is_none_or(|a| a.kind() != "arguments")
            || has_optional_chain(call)
        {
            return None;
        }
        match callee.kind() {
            "identifier" => {
                let name = text_of(source, callee);
                self.note_name(name);
                if self.is_async_function_name(name) {
                    Some(PromiseKind::AsyncCall)
                } else if name == "fetch" && !self.is_bound("fetch") {
                    Some(PromiseKind::Fetch)
                } else if self.fs_promises_functions.contains(name)
                    && !self.other_names.contains(name)
                {
                    Some(PromiseKind::FsPromises)
                } else {
                    None
                }
            }
            "arrow_function" | "function_expression" if is_async_function(callee) => {
                Some(PromiseKind::AsyncIife)
            }
            "member_expression" => self.member_call_promise_kind(source, callee),
            _ => None,
        }
    }

    fn member_call_promise_kind(&self, source: &str, callee: Node) -> Option<PromiseKind> {
        if has_optional_chain(callee) {
            return None;
        }
        let object = unwrap_parens(callee.child_by_field_id(crate::field!("object"))?);
        let property = callee.child_by_field_id(crate::field!("property"))?;
        if property.kind() != "property_identifier" {
            return None;
        }
        let method = text_of(source, property);
        if matches!(method, "then" | "catch" | "finally") {
            // A `then` with a callback is the thenable protocol; `catch` and
            // `finally` only when the receiver is known.
            return (method == "then" || self.is_certainly_promise(source, object))
                .then_some(PromiseKind::Chain);
        }
        match object.kind() {
            "identifier" => {
                let object_name = text_of(source, object);
                self.note_name(object_name);
                if object_name == "Promise" && !self.is_bound("Promise") {
                    return match method {
                        "resolve" => Some(PromiseKind::PromiseResolve),
                        "all" | "allSettled" | "any" | "race" | "reject" | "try" => {
                            Some(PromiseKind::PromiseStatic)
                        }
                        _ => None,
                    };
                }
                if self.fs_promises_modules.contains(object_name)
                    && !self.other_names.contains(object_name)
                    && !FS_PROMISES_NON_PROMISE.contains(&method)
                {
                    return Some(PromiseKind::FsPromises);
                }
                let qualified = format!("{object_name}.{method}");
                self.note_member(&qualified);
                if self.async_members.contains(&qualified)
                    && !self.other_members.contains(&qualified)
                {
                    return Some(PromiseKind::AsyncCall);
                }
                let class = self.instances.get(object_name)?;
                self.note_name(class);
                let id = self.class_ids.get(class)?;
                self.class_method_is_async(*id, method)
                    .then_some(PromiseKind::AsyncCall)
            }
            // `fs.promises.readFile(...)`
            "member_expression" => {
                let inner_object = object.child_by_field_id(crate::field!("object"))?;
                let inner_property = object.child_by_field_id(crate::field!("property"))?;
                let module = text_of(source, inner_object);
                self.note_name(module);
                let is_fs =
                    self.fs_modules.contains(module) || (module == "fs" && !self.is_bound("fs"));
                (inner_object.kind() == "identifier"
                    && is_fs
                    && text_of(source, inner_property) == "promises"
                    && !FS_PROMISES_NON_PROMISE.contains(&method))
                .then_some(PromiseKind::FsPromises)
            }
            // `this.save()` inside a class that declares `async save()`.
            "this" => {
                self.note_name(method);
                if !self.class_async_members.contains(method) {
                    return None;
                }
                let class = enclosing_class_of_this(object)?;
                self.class_method_is_async(class_key(source, class), method)
                    .then_some(PromiseKind::AsyncCall)
            }
            _ => None,
        }
    }

    /// True when `receiver` is certainly an instance of a class of this file
    /// that declares its own `then` method, not an async one
    /// (`const reply = new Reply(); reply.then(f)`, `new Reply().then(f)`):
    /// `receiver.then(f)` calls that method, so it is no promise's chain, and
    /// nothing says what it returns.
    pub(super) fn is_own_thenable(&self, source: &str, receiver: Node) -> bool {
        // A class the file imports is one of `class_ids`.
        self.reads_beyond_file(&[Reads::ImportedSummaries, Reads::DeclaredPromises]);
        let receiver = unwrap_parens(receiver);
        let class_name = match receiver.kind() {
            "identifier" => {
                let name = text_of(source, receiver);
                self.note_name(name);
                self.instances.get(name).map(String::as_str)
            }
            "new_expression" => receiver
                .child_by_field_id(crate::field!("constructor"))
                .filter(|c| c.kind() == "identifier")
                .map(|c| text_of(source, c)),
            _ => None,
        };
        let Some(class_name) = class_name else {
            return false;
        };
        self.note_name(class_name);
        let Some(&class) = self.class_ids.get(class_name) else {
            return false;
        };
        self.log.note(|| Lookup::Class(class));
        self.class_methods
            .get(&class)
            .is_some_and(|(async_methods, other)| {
                other.contains("then") && !async_methods.contains("then")
            })
    }

    fn class_method_is_async(&self, class: u64, method: &str) -> bool {
        self.log.note(|| Lookup::Class(class));
        self.class_methods
            .get(&class)
            .is_some_and(|(async_methods, other)| {
                async_methods.contains(method) && !other.contains(method)
            })
    }
}

/// Why an expression certainly does not evaluate to a thenable, if it does
/// not: literals, templates without substitutions, array literals, object
/// literals without a `then` key or spread, and arithmetic or comparisons.
pub fn certainly_not_thenable(source: &str, expr: Node) -> bool {
    let expr = unwrap_parens(expr);
    match expr.kind() {
        "number" | "string" | "true" | "false" | "null" | "regex" | "undefined" => true,
        "identifier" => text_of(source, expr) == "undefined",
        "template_string" => is_constant_template(expr),
        "array" => true,
        "object" => {
            let mut cursor = expr.walk();
            let thenable = expr.named_children(&mut cursor).any(|member| {
                let key = match member.kind() {
                    "pair" | "method_definition" => member
                        .child_by_field_id(crate::field!("key"))
                        .or_else(|| member.child_by_field_id(crate::field!("name"))),
                    "shorthand_property_identifier" => Some(member),
                    "spread_element" => return true,
                    _ => None,
                };
                // A computed key could be `then`.
                key.is_none_or(|k| {
                    k.kind() == "computed_property_name"
                        || text_of(source, k).trim_matches(|c| c == '\'' || c == '"') == "then"
                })
            });
            !thenable
        }
        "binary_expression" => expr
            .child_by_field_id(crate::field!("operator"))
            .is_some_and(|op| !matches!(text_of(source, op), "&&" | "||" | "??")),
        "unary_expression" => expr
            .child_by_field_id(crate::field!("operator"))
            .is_some_and(|op| {
                matches!(
                    text_of(source, op),
                    "!" | "-" | "+" | "~" | "typeof" | "void"
                )
            }),
        "update_expression" => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    /// The promise kind of the last expression statement's expression.
    fn kind_of_last(source: &str) -> Option<PromiseKind> {
        let tree = syntax::parse(source, None);
        let facts = AsyncFacts::collect(source, &tree);
        let root = tree.root_node();
        let last = root.named_child(root.named_child_count().checked_sub(1)?)?;
        assert_eq!(last.kind(), "expression_statement", "{source}");
        facts.promise_kind(source, last.named_child(0)?)
    }

    #[test]
    fn calls_to_async_functions_declared_in_the_file_are_promises() {
        for source in [
            "async function save() {}\nsave();",
            "const save = async () => {};\nsave(1);",
            "const save = async function () {};\nsave();",
            "const api = { async save() {} };\napi.save();",
            "const api = { save: async () => {} };\napi.save();",
            "class Repo { async save() {} run() { this.save(); } }\nconst r = new Repo();\nr.save();",
        ] {
            assert_eq!(kind_of_last(source), Some(PromiseKind::AsyncCall), "{source}");
        }
    }

    #[test]
    fn a_name_also_bound_to_something_else_is_unknown() {
        for source in [
            "async function save() {}\nfunction run(save) { save(); }\nsave();",
            "async function save() {}\nfunction save2() {}\nconst save = 1;\nsave();",
            "function save() {}\nsave();",
            "const api = { async save() {} };\nconst other = api;\nother.save();",
            "class Repo { async save() {} get save() {} }\nconst r = new Repo();\nr.save();",
        ] {
            assert_eq!(kind_of_last(source), None, "{source}");
        }
    }

    #[test]
    fn promise_apis_are_recognised() {
        let cases: &[(PromiseKind, &[&str])] = &[
            (PromiseKind::Fetch, &["fetch(url);"]),
            (PromiseKind::NewPromise, &["new Promise((r) => r(1));"]),
            (PromiseKind::PromiseStatic, &["Promise.all([a, b]);"]),
            (PromiseKind::PromiseResolve, &["Promise.resolve(1);"]),
            (PromiseKind::Chain, &["p.then(f);"]),
            (
                PromiseKind::FsPromises,
                &[
                    "fs.promises.writeFile('a', 'b');",
                    "const fsp = require('node:fs/promises');\nfsp.readFile('a');",
                    "import { writeFile as w } from 'fs/promises';\nw('a', 'b');",
                    "import { promises as fsp } from 'node:fs';\nfsp.mkdir('a');",
                    "const { readFile } = require('fs/promises');\nreadFile('a');",
                ],
            ),
            (PromiseKind::AsyncIife, &["(async () => {})();"]),
        ];
        for (kind, sources) in cases {
            for source in *sources {
                assert_eq!(kind_of_last(source), Some(*kind), "{source}");
            }
        }
        for source in [
            "function fetch() {}\nfetch(url);",
            "Promise.withResolvers();",
            "fsp.watch('a');",
            "import fs from 'fs-extra';\nfs.promises.readFile('a');",
            "p.catch(f);",
            "f?.();",
        ] {
            assert_eq!(kind_of_last(source), None, "{source}");
        }
    }

    #[test]
    fn literals_and_arithmetic_are_not_thenables() {
        let tree_of = |s: &str| syntax::parse(s, None);
        for (source, expected) in [
            ("42", true),
            ("`a`", true),
            ("`${a}`", false),
            ("[a, b]", true),
            ("({ a: 1 })", true),
            ("({ then() {} })", false),
            ("({ ...a })", false),
            ("a + 1", true),
            ("a || b", false),
            ("x", false),
            ("f()", false),
        ] {
            let tree = tree_of(source);
            let expr = tree
                .root_node()
                .named_child(0)
                .and_then(|s| s.named_child(0))
                .expect("an expression");
            assert_eq!(certainly_not_thenable(source, expr), expected, "{source}");
        }
    }
}
