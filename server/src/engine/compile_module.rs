//! ES module syntax: static `import` and `export ... from`, hoisted as ES modules link them
//! (every import is bound before the body's first statement runs), and dynamic `import()`.
//!
//! Each import calls the hidden global `%import` (`node_modules.rs`), which loads the module
//! value (a model of a Node built-in, or an opaque module naming its specifier); the bindings
//! are `const`, as import bindings cannot be assigned.

use std::rc::Rc;

use tree_sitter::Node;

use super::bytecode::{DeclKind, Op};
use super::compile::{Compiler, FnBuilder};
use super::compile_literal::decode_string;
use super::value::Value;
use crate::syntax::js::named_children_but_comments;
use crate::syntax::KindName;

/// The hidden globals `install_globals.rs` binds to the module loaders.
pub(crate) const IMPORT_BINDING: &str = "%import";
pub(crate) const DYNAMIC_IMPORT_BINDING: &str = "%dynamic_import";

impl<'s> Compiler<'s> {
    /// Binds every `import` and loads every `export ... from` of the module's top level, in
    /// source order, before the body runs.
    pub(crate) fn hoist_imports(&mut self, b: &mut FnBuilder, children: &[Node]) {
        for &node in children {
            let source = node.child_by_field_id(crate::field!("source"));
            match (node.kind_name(), source) {
                ("import_statement", Some(source)) => self.import_statement(b, node, source),
                ("export_statement", Some(source)) => {
                    let span = b.at(node);
                    if self.load_module(b, source, false) {
                        b.emit(Op::Pop);
                    }
                    b.restore(span);
                }
                _ => {}
            }
        }
    }

    /// Pushes the module `source` names (its namespace object when `namespace`); false when the
    /// specifier is not a plain string (then it abstained).
    fn load_module(&mut self, b: &mut FnBuilder, source: Node, namespace: bool) -> bool {
        let Some(specifier) = decode_string(self, source) else {
            b.abstain("this module specifier is not modelled");
            return false;
        };
        b.emit(Op::Load(Rc::from(IMPORT_BINDING)));
        b.emit(Op::Push(Value::str(&specifier)));
        b.emit(Op::Push(Value::Bool(namespace)));
        b.emit(Op::Call {
            argc: 2,
            with_this: false,
        });
        true
    }

    fn import_statement(&mut self, b: &mut FnBuilder, node: Node, source: Node) {
        let span = b.at(node);
        let clause = named_children_but_comments(node)
            .into_iter()
            .find(|c| c.kind_name() == "import_clause");
        let Some(clause) = clause else {
            // `import 'x'`: loaded for its effects only.
            if self.load_module(b, source, false) {
                b.emit(Op::Pop);
            }
            return b.restore(span);
        };
        for part in named_children_but_comments(clause) {
            match part.kind_name() {
                "identifier" => self.bind_import(b, source, false, part),
                "namespace_import" => {
                    if let Some(name) = named_children_but_comments(part).into_iter().next() {
                        self.bind_import(b, source, true, name);
                    }
                }
                "named_imports" => self.named_imports(b, source, part),
                other => b.abstain(format!("`{other}` in an import is not modelled")),
            }
        }
        b.restore(span);
    }

    /// `import x from` (the module's default export: a built-in's `module.exports`) or
    /// `import * as x from` (its namespace).
    fn bind_import(&mut self, b: &mut FnBuilder, source: Node, namespace: bool, name: Node) {
        if self.load_module(b, source, namespace) {
            b.emit(Op::Declare(Rc::from(self.text(name)), DeclKind::Const));
        }
    }

    /// `import { a, b as c, default as d } from`.
    fn named_imports(&mut self, b: &mut FnBuilder, source: Node, list: Node) {
        if !self.load_module(b, source, false) {
            return;
        }
        for specifier in named_children_but_comments(list) {
            let Some(imported) = specifier.child_by_field_id(crate::field!("name")) else {
                continue;
            };
            let local = specifier
                .child_by_field_id(crate::field!("alias"))
                .unwrap_or(imported);
            let imported = match imported.kind_name() {
                "string" => decode_string(self, imported),
                _ => Some(self.text(imported).to_owned()),
            };
            let Some(imported) = imported else {
                return b.abstain("this import name is not modelled");
            };
            b.emit(Op::Dup);
            if imported != "default" {
                b.emit(Op::GetProp(Rc::from(imported.as_str())));
            }
            b.emit(Op::Declare(Rc::from(self.text(local)), DeclKind::Const));
        }
        b.emit(Op::Pop);
    }

    /// `import(specifier)`: a call of the hidden dynamic loader.
    pub(crate) fn dynamic_import(&mut self, b: &mut FnBuilder, args: Option<Node>) {
        b.emit(Op::Load(Rc::from(DYNAMIC_IMPORT_BINDING)));
        self.call_with_arguments(b, args, false);
    }
}
