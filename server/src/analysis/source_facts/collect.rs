//! Collecting the facts: one walk over a file (or a unit of it) records what
//! each declaration binds; the facts of units merge into the file's.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};

use tree_sitter::{Node, Tree};

use super::failure_paths::{cannot_fail, cannot_fail_given_an_object};
use super::{text_of, AsyncFacts, FS_PROMISES_NON_PROMISE};
use crate::syntax::js::{
    is_async_function, is_plain_async_method, parameter_pattern, pattern_names, unwrap_parens,
    FUNCTION_KINDS,
};
use crate::syntax::{queries, SyntaxIndex};

/// The kinds of top-level declarations whose names [`AsyncFacts`] keeps.
const MODULE_DECLARATION_KINDS: &[&str] = &[
    "function_declaration",
    "generator_function_declaration",
    "class_declaration",
    "variable_declarator",
    "import_statement",
];

/// The named methods and fields of a class, each with its async function: the
/// method itself when it is a plain `async` method, a field's async function
/// value, `None` for the rest.
fn class_members(class: Node) -> Vec<(Node, Option<Node>)> {
    let mut members = Vec::new();
    let Some(body) = class.child_by_field_id(crate::field!("body")) else {
        return members;
    };
    let mut cursor = body.walk();
    for member in body.named_children(&mut cursor) {
        let Some(name) = member.child_by_field_id(crate::field!("name")) else {
            continue;
        };
        let function = match member.kind() {
            "method_definition" => Some(member).filter(|m| is_plain_async_method(*m)),
            "field_definition" => member
                .child_by_field_id(crate::field!("value"))
                .map(unwrap_parens)
                .filter(|v| is_async_function(*v)),
            _ => continue,
        };
        members.push((name, function));
    }
    members
}

/// A key for a class that does not depend on where it is, nor on its
/// methods' bodies: a hash of its members' names and whether each is async.
/// Two classes with the same key answer every question the facts ask alike.
pub(super) fn class_key(source: &str, class: Node) -> u64 {
    let members: Vec<(&str, bool)> = class_members(class)
        .into_iter()
        .map(|(name, function)| (text_of(source, name), function.is_some()))
        .collect();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    class
        .child_by_field_id(crate::field!("name"))
        .map(|name| text_of(source, name))
        .hash(&mut hasher);
    members.hash(&mut hasher);
    hasher.finish()
}

/// The node kinds [`AsyncFacts::record`] reads besides functions (it reads
/// declarations' names and arrows' bare parameters); every other kind it
/// ignores. The order among classes and among declarators is kept: a later
/// one overwrites an earlier one's entry.
const RECORDED_KINDS: &[&str] = &[
    "class_declaration",
    "class",
    "variable_declarator",
    "formal_parameters",
    "catch_clause",
    "import_statement",
];

impl AsyncFacts {
    /// Walks the file once and records its bindings.
    pub fn collect(source: &str, tree: &Tree) -> AsyncFacts {
        AsyncFacts::from_index(
            source,
            &SyntaxIndex::new(tree.root_node(), queries::shared()),
        )
    }

    /// The facts of the part of a file `index` covers.
    pub fn from_index(source: &str, index: &SyntaxIndex) -> AsyncFacts {
        let mut facts = AsyncFacts::default();
        for kind in FUNCTION_KINDS.iter().chain(RECORDED_KINDS) {
            for &node in index.nodes(kind) {
                facts.record(source, node);
            }
        }
        for &method in index.nodes("method_definition") {
            if let Some(name) = method.child_by_field_id(crate::field!("name")) {
                if is_async_function(method) {
                    facts
                        .async_method_names
                        .insert(text_of(source, name).to_owned());
                }
            }
        }
        // From the top-level statements down, never from each declaration up:
        // `Node::parent` descends from the root again, O(siblings) per call,
        // which made a file of thousands of top-level statements quadratic.
        for statement in index.top_level() {
            let mut cursor = statement.walk();
            let parts: Vec<Node> = match statement.kind() {
                "export_statement" => statement.named_children(&mut cursor).collect(),
                _ => vec![statement],
            };
            for part in parts {
                match part.kind() {
                    "lexical_declaration" | "variable_declaration" => {
                        let mut cursor = part.walk();
                        for declarator in part.named_children(&mut cursor) {
                            if declarator.kind() == "variable_declarator" {
                                facts.record_module_names(source, declarator);
                            }
                        }
                    }
                    kind if MODULE_DECLARATION_KINDS.contains(&kind) => {
                        facts.record_module_names(source, part);
                    }
                    _ => {}
                }
            }
        }
        facts
    }

    /// Adds `other`'s facts to these: the facts of a file from those of its parts.
    pub fn merge(&mut self, other: &AsyncFacts) {
        fn union(into: &mut HashSet<String>, from: &HashSet<String>) {
            into.extend(from.iter().cloned());
        }
        union(&mut self.async_names, &other.async_names);
        union(&mut self.other_names, &other.other_names);
        union(&mut self.async_members, &other.async_members);
        union(&mut self.other_members, &other.other_members);
        union(&mut self.async_method_names, &other.async_method_names);
        union(&mut self.class_async_members, &other.class_async_members);
        union(&mut self.rejecting_names, &other.rejecting_names);
        union(
            &mut self.rejecting_without_options,
            &other.rejecting_without_options,
        );
        union(&mut self.rejecting_members, &other.rejecting_members);
        for (class, methods) in &other.rejecting_class_methods {
            union(
                self.rejecting_class_methods.entry(*class).or_default(),
                methods,
            );
        }
        union(&mut self.module_names, &other.module_names);
        union(&mut self.fs_modules, &other.fs_modules);
        union(&mut self.fs_promises_modules, &other.fs_promises_modules);
        union(
            &mut self.fs_promises_functions,
            &other.fs_promises_functions,
        );
        union(&mut self.util_modules, &other.util_modules);
        union(&mut self.util_promisify, &other.util_promisify);
        for (class, (async_methods, other_methods)) in &other.class_methods {
            let entry = self.class_methods.entry(*class).or_default();
            union(&mut entry.0, async_methods);
            union(&mut entry.1, other_methods);
        }
        self.class_ids
            .extend(other.class_ids.iter().map(|(k, v)| (k.clone(), *v)));
        self.instances
            .extend(other.instances.iter().map(|(k, v)| (k.clone(), v.clone())));
    }

    /// Records the names a top-level declaration (one of
    /// [`MODULE_DECLARATION_KINDS`]) binds.
    fn record_module_names(&mut self, source: &str, node: Node) {
        match node.kind() {
            "variable_declarator" => {
                if let Some(name) = node.child_by_field_id(crate::field!("name")) {
                    self.module_names.extend(pattern_names(source, name));
                }
            }
            "import_statement" => {
                // `import a, * as b, { c, d as e } from "m"` binds a, b, c and e.
                let mut stack = vec![node];
                while let Some(n) = stack.pop() {
                    match n.kind() {
                        "import_specifier" => {
                            if let Some(bound) = n
                                .child_by_field_id(crate::field!("alias"))
                                .or_else(|| n.child_by_field_id(crate::field!("name")))
                            {
                                self.module_names.insert(text_of(source, bound).to_owned());
                            }
                        }
                        "identifier" => {
                            self.module_names.insert(text_of(source, n).to_owned());
                        }
                        "string" => {}
                        _ => {
                            let mut cursor = n.walk();
                            stack.extend(n.named_children(&mut cursor));
                        }
                    }
                }
            }
            _ => {
                if let Some(name) = node.child_by_field_id(crate::field!("name")) {
                    self.module_names.insert(text_of(source, name).to_owned());
                }
            }
        }
    }

    /// Records what `node` (a function or one of [`RECORDED_KINDS`]) declares.
    fn record(&mut self, source: &str, node: Node) {
        let text = |n: Node| source[n.byte_range()].to_owned();
        match node.kind() {
            "function_declaration" | "generator_function_declaration" => {
                if let Some(name) = node.child_by_field_id(crate::field!("name")) {
                    if is_async_function(node) && node.kind() == "function_declaration" {
                        self.async_names.insert(text(name));
                        if !cannot_fail(source, node) {
                            self.rejecting_names.insert(text(name));
                            if cannot_fail_given_an_object(source, node) {
                                self.rejecting_without_options.insert(text(name));
                            }
                        }
                    } else {
                        self.other_names.insert(text(name));
                    }
                }
            }
            "class_declaration" | "class" => {
                if let Some(name) = node.child_by_field_id(crate::field!("name")) {
                    self.other_names.insert(text(name));
                    self.class_ids.insert(text(name), class_key(source, node));
                }
                let mut methods = (HashSet::new(), HashSet::new());
                let mut rejecting = HashSet::new();
                for (name, function) in class_members(node) {
                    match function {
                        Some(function) => {
                            methods.0.insert(text(name));
                            self.class_async_members.insert(text(name));
                            if !cannot_fail(source, function) {
                                rejecting.insert(text(name));
                            }
                        }
                        None => {
                            methods.1.insert(text(name));
                        }
                    }
                }
                let key = class_key(source, node);
                self.class_methods.insert(key, methods);
                if !rejecting.is_empty() {
                    self.rejecting_class_methods.insert(key, rejecting);
                }
            }
            "variable_declarator" => self.record_declarator(source, node),
            "formal_parameters" | "catch_clause" => {
                if let Some(target) = parameter_pattern(node) {
                    for name in pattern_names(source, target) {
                        self.other_names.insert(name);
                    }
                }
            }
            "arrow_function" => {
                if let Some(param) = node.child_by_field_id(crate::field!("parameter")) {
                    self.other_names.insert(text(param));
                }
            }
            "import_statement" => self.record_import(source, node),
            _ => {}
        }
    }

    fn record_declarator(&mut self, source: &str, node: Node) {
        let Some(name) = node.child_by_field_id(crate::field!("name")) else {
            return;
        };
        let value = node
            .child_by_field_id(crate::field!("value"))
            .map(unwrap_parens);
        let module = value.and_then(|v| required_module(source, v));
        if name.kind() == "identifier" {
            let name_text = source[name.byte_range()].to_owned();
            match (value, module) {
                (_, Some(RequiredModule::Fs)) => {
                    self.fs_modules.insert(name_text);
                }
                (_, Some(RequiredModule::FsPromises)) => {
                    self.fs_promises_modules.insert(name_text);
                }
                (_, Some(RequiredModule::Util)) => {
                    self.util_modules.insert(name_text);
                }
                (_, Some(RequiredModule::UtilPromisify)) => {
                    self.util_promisify.insert(name_text);
                }
                (Some(v), None) if is_async_function(v) && v.kind() != "method_definition" => {
                    if !cannot_fail(source, v) {
                        self.rejecting_names.insert(name_text.clone());
                        if cannot_fail_given_an_object(source, v) {
                            self.rejecting_without_options.insert(name_text.clone());
                        }
                    }
                    self.async_names.insert(name_text);
                }
                (Some(v), None) if v.kind() == "object" => {
                    self.other_names.insert(name_text.clone());
                    self.record_object_members(source, &name_text, v);
                }
                (Some(v), None) if v.kind() == "new_expression" => {
                    if let Some(class) = v.child_by_field_id(crate::field!("constructor")) {
                        if class.kind() == "identifier" {
                            self.instances
                                .insert(name_text.clone(), source[class.byte_range()].to_owned());
                        }
                    }
                    self.other_names.insert(name_text);
                }
                _ => {
                    self.other_names.insert(name_text);
                }
            }
            return;
        }
        // Destructuring: `const { readFile } = require('fs/promises')`,
        // `const { promises: fsp } = require('fs')`.
        if name.kind() == "object_pattern" {
            let mut cursor = name.walk();
            for prop in name.named_children(&mut cursor) {
                let (key, bound) = match prop.kind() {
                    "shorthand_property_identifier_pattern" => (prop, prop),
                    "pair_pattern" => {
                        match (
                            prop.child_by_field_id(crate::field!("key")),
                            prop.child_by_field_id(crate::field!("value")),
                        ) {
                            (Some(k), Some(v)) if v.kind() == "identifier" => (k, v),
                            _ => {
                                for n in pattern_names(source, prop) {
                                    self.other_names.insert(n);
                                }
                                continue;
                            }
                        }
                    }
                    _ => {
                        for n in pattern_names(source, prop) {
                            self.other_names.insert(n);
                        }
                        continue;
                    }
                };
                let key = &source[key.byte_range()];
                let bound = source[bound.byte_range()].to_owned();
                match module {
                    Some(RequiredModule::Fs) if key == "promises" => {
                        self.fs_promises_modules.insert(bound);
                    }
                    Some(RequiredModule::FsPromises) if !FS_PROMISES_NON_PROMISE.contains(&key) => {
                        self.fs_promises_functions.insert(bound);
                    }
                    Some(RequiredModule::Util) if key == "promisify" => {
                        self.util_promisify.insert(bound);
                    }
                    _ => {
                        self.other_names.insert(bound);
                    }
                }
            }
            return;
        }
        for n in pattern_names(source, name) {
            self.other_names.insert(n);
        }
    }

    fn record_object_members(&mut self, source: &str, object_name: &str, object: Node) {
        let mut cursor = object.walk();
        for member in object.named_children(&mut cursor) {
            let (key, function) = match member.kind() {
                "method_definition" => match member.child_by_field_id(crate::field!("name")) {
                    Some(name) => (name, Some(member).filter(|m| is_plain_async_method(*m))),
                    None => continue,
                },
                "pair" => match (
                    member.child_by_field_id(crate::field!("key")),
                    member.child_by_field_id(crate::field!("value")),
                ) {
                    (Some(key), Some(value)) => (
                        key,
                        Some(unwrap_parens(value)).filter(|v| is_async_function(*v)),
                    ),
                    _ => continue,
                },
                _ => continue,
            };
            if key.kind() != "property_identifier" {
                continue;
            }
            let qualified = format!("{object_name}.{}", &source[key.byte_range()]);
            if let Some(function) = function {
                if !cannot_fail(source, function) {
                    self.rejecting_members.insert(qualified.clone());
                }
                self.async_members.insert(qualified);
            } else {
                self.other_members.insert(qualified);
            }
        }
    }

    fn record_import(&mut self, source: &str, node: Node) {
        let module = node
            .child_by_field_id(crate::field!("source"))
            .and_then(|s| module_kind(&string_value(source, s)));
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            let mut cursor = n.walk();
            for child in n.named_children(&mut cursor) {
                match child.kind() {
                    "import_clause" | "named_imports" => stack.push(child),
                    // `import fs from 'fs'`
                    "identifier" => self.record_imported(source, module, None, child),
                    // `import * as fs from 'fs'`
                    "namespace_import" => {
                        let mut c = child.walk();
                        let bound = child
                            .named_children(&mut c)
                            .find(|x| x.kind() == "identifier");
                        if let Some(bound) = bound {
                            self.record_imported(source, module, None, bound);
                        }
                    }
                    // `import { readFile as read } from 'fs/promises'`
                    "import_specifier" => {
                        let name = child.child_by_field_id(crate::field!("name"));
                        let bound = child.child_by_field_id(crate::field!("alias")).or(name);
                        if let (Some(name), Some(bound)) = (name, bound) {
                            self.record_imported(source, module, Some(name), bound);
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    fn record_imported(
        &mut self,
        source: &str,
        module: Option<RequiredModule>,
        imported: Option<Node>,
        bound: Node,
    ) {
        let bound_text = source[bound.byte_range()].to_owned();
        let imported = imported.map(|n| &source[n.byte_range()]);
        match (module, imported) {
            (Some(RequiredModule::Fs), None | Some("default")) => {
                self.fs_modules.insert(bound_text);
            }
            (Some(RequiredModule::Fs), Some("promises"))
            | (Some(RequiredModule::FsPromises), None | Some("default")) => {
                self.fs_promises_modules.insert(bound_text);
            }
            (Some(RequiredModule::FsPromises), Some(name))
                if !FS_PROMISES_NON_PROMISE.contains(&name) =>
            {
                self.fs_promises_functions.insert(bound_text);
            }
            (Some(RequiredModule::Util), None | Some("default")) => {
                self.util_modules.insert(bound_text);
            }
            (Some(RequiredModule::Util), Some("promisify")) => {
                self.util_promisify.insert(bound_text);
            }
            _ => {
                self.other_names.insert(bound_text);
            }
        }
    }
}

#[derive(Clone, Copy)]
enum RequiredModule {
    Fs,
    FsPromises,
    /// Node's `util`.
    Util,
    /// `require('util').promisify`.
    UtilPromisify,
}

fn module_kind(specifier: &str) -> Option<RequiredModule> {
    match specifier {
        "fs" | "node:fs" => Some(RequiredModule::Fs),
        "fs/promises" | "node:fs/promises" => Some(RequiredModule::FsPromises),
        "util" | "node:util" => Some(RequiredModule::Util),
        _ => None,
    }
}

/// `require('fs')`, `require('fs/promises')`, `require('fs').promises`,
/// `require('util')` or `require('util').promisify`.
fn required_module(source: &str, value: Node) -> Option<RequiredModule> {
    if value.kind() == "member_expression" {
        let object = value.child_by_field_id(crate::field!("object"))?;
        let property = value.child_by_field_id(crate::field!("property"))?;
        return match (required_module(source, object)?, text_of(source, property)) {
            (RequiredModule::Fs, "promises") => Some(RequiredModule::FsPromises),
            (RequiredModule::Util, "promisify") => Some(RequiredModule::UtilPromisify),
            _ => None,
        };
    }
    if value.kind() != "call_expression" {
        return None;
    }
    let callee = value.child_by_field_id(crate::field!("function"))?;
    if text_of(source, callee) != "require" {
        return None;
    }
    let args = value.child_by_field_id(crate::field!("arguments"))?;
    let first = args.named_child(0)?;
    if first.kind() != "string" {
        return None;
    }
    module_kind(&string_value(source, first))
}

fn string_value(source: &str, string: Node) -> String {
    let text = text_of(source, string);
    text.trim_matches(|c| c == '\'' || c == '"' || c == '`')
        .to_owned()
}
