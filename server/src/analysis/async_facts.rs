//! Facts about async code that several rules share: which functions are
//! async, which expressions certainly produce a promise, and where a promise
//! is dropped.
//!
//! Everything here is syntactic and per file. Names are resolved without
//! scopes, so a name that is bound to an async function in one place and to
//! anything else in another (a parameter, a sync function, an import) counts as
//! unknown: a fact is only reported when the file leaves no doubt.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::lookups::{Lookup, LookupLog};
use crate::syntax::{awaits, queries, SyntaxIndex};

/// Methods of `fs/promises` that do not return a promise.
const FS_PROMISES_NON_PROMISE: &[&str] = &["watch", "constants"];

/// Why an expression certainly evaluates to a promise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromiseKind {
    /// A call to an async function (or method) declared in this file.
    AsyncCall,
    /// `(async () => { ... })()`.
    AsyncIife,
    /// `new Promise(...)`.
    NewPromise,
    /// `Promise.resolve(...)`: settles like its argument and adds no failure of its own.
    PromiseResolve,
    /// `Promise.all/allSettled/any/race/reject/try(...)`.
    PromiseStatic,
    /// `x.then(...)`, `x.catch(...)`, `x.finally(...)`.
    Chain,
    /// `fetch(...)`.
    Fetch,
    /// `fs.promises.*(...)` and the functions of `fs/promises`.
    FsPromises,
}

/// A promise created and dropped at statement level.
#[derive(Clone, Debug)]
pub struct DroppedPromise<'t> {
    /// The `expression_statement`.
    pub statement: Node<'t>,
    /// The dropped expression (inside any parentheses).
    pub expression: Node<'t>,
    /// The call (or `new`) that creates the first promise of the chain.
    pub origin: Node<'t>,
    pub kind: PromiseKind,
    /// True when the chain ends in a `.then(...)` without a rejection handler.
    pub unhandled_then: bool,
    /// The narrow range to show: the origin's callee, or the unhandled `then`.
    pub highlight: Range<usize>,
    /// How to name it in a message, such as `save()` or `new Promise(…)`.
    pub label: String,
}

/// Which names in one file are bound to async functions, methods and promise APIs.
///
/// The facts of a file are the union of the facts of its parts, so the facts
/// of each top-level unit can be kept and [merged](AsyncFacts::merge) again
/// after an edit elsewhere. Nothing in them depends on positions: classes are
/// keyed by a hash of their text, not by node identity.
#[derive(Clone, Debug, Default)]
pub struct AsyncFacts {
    async_names: HashSet<String>,
    other_names: HashSet<String>,
    /// `"object.method"` for methods of object literals bound to a name.
    async_members: HashSet<String>,
    other_members: HashSet<String>,
    /// Class key ([`class_key`]) -> (async methods, other methods).
    class_methods: HashMap<u64, (HashSet<String>, HashSet<String>)>,
    /// Class name -> class key.
    class_ids: HashMap<String, u64>,
    /// Names of the async methods (and async function fields) of every class
    /// in [`Self::class_methods`]: `this.name()` can start an async method
    /// only when `name` is here, which is cheaper to ask than which class
    /// `this` is.
    class_async_members: HashSet<String>,
    /// Names of async methods of any class or object literal.
    async_method_names: HashSet<String>,
    /// The async functions, object-literal methods (`"object.method"`) and
    /// class methods (class key -> names) that may reject: every one whose body
    /// is not [`cannot_fail`]. A name declared twice may reject when either may.
    rejecting_names: HashSet<String>,
    rejecting_members: HashSet<String>,
    rejecting_class_methods: HashMap<u64, HashSet<String>>,
    /// Names the module's top level declares (in scope everywhere in the file).
    module_names: HashSet<String>,
    /// Variable -> the class it was constructed from (`const repo = new Repo()`).
    instances: HashMap<String, String>,
    /// Names bound to the `fs` module.
    fs_modules: HashSet<String>,
    /// Names bound to `fs/promises` (or `fs.promises`).
    fs_promises_modules: HashSet<String>,
    /// Functions imported from `fs/promises` by name.
    fs_promises_functions: HashSet<String>,
    /// Every query below notes here the keys it reads, when asked to.
    log: LookupLog,
}

/// The globals whose shadowing [`AsyncFacts::is_bound`] answers for.
pub const BOUND_GLOBALS: &[&str] = &["Promise", "fetch", "process", "fs"];

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
fn class_key(source: &str, class: Node) -> u64 {
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

/// The node kinds [`AsyncFacts::record`] reads; every other kind it ignores.
const RECORDED_KINDS: &[&str] = &[
    "function_declaration",
    "generator_function_declaration",
    "class_declaration",
    "class",
    "variable_declarator",
    "formal_parameters",
    "catch_clause",
    "arrow_function",
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
        for kind in RECORDED_KINDS {
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

    /// A hash of every fact recorded, the same for equal facts whatever order
    /// they were recorded in: it tells whether a unit's facts changed.
    pub fn fingerprint(&self) -> u64 {
        fn sorted<'a>(items: impl Iterator<Item = &'a String>) -> Vec<&'a String> {
            let mut items: Vec<_> = items.collect();
            items.sort_unstable();
            items
        }
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for set in [&self.other_names, &self.other_members] {
            sorted(set.iter()).hash(&mut hasher);
        }
        let mut instances: Vec<_> = self.instances.iter().collect();
        instances.sort_unstable();
        instances.hash(&mut hasher);
        self.answers_fingerprint().hash(&mut hasher);
        hasher.finish()
    }

    /// A hash of what these facts can answer, the same for facts that answer
    /// every query alike. Names bound to something other than an async
    /// function matter only where they shadow an async function, an
    /// `fs/promises` binding or one of the [`BOUND_GLOBALS`]; the rest (every
    /// local variable of the file) is left out, so an edit to a local does not
    /// change it. Meaningful for a whole file's merged facts only: a unit's
    /// local can shadow another unit's async function.
    pub fn answers_fingerprint(&self) -> u64 {
        fn sorted<'a>(items: impl Iterator<Item = &'a String>) -> Vec<&'a String> {
            let mut items: Vec<_> = items.collect();
            items.sort_unstable();
            items
        }
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for set in [
            &self.async_names,
            &self.async_members,
            &self.async_method_names,
            &self.rejecting_names,
            &self.rejecting_members,
            &self.module_names,
            &self.fs_modules,
            &self.fs_promises_modules,
            &self.fs_promises_functions,
        ] {
            sorted(set.iter()).hash(&mut hasher);
            0xffu8.hash(&mut hasher);
        }
        let shadowing = self.other_names.iter().filter(|name| {
            self.async_names.contains(*name)
                || self.fs_promises_functions.contains(*name)
                || self.fs_promises_modules.contains(*name)
                || BOUND_GLOBALS.contains(&name.as_str())
        });
        sorted(shadowing).hash(&mut hasher);
        sorted(
            self.other_members
                .iter()
                .filter(|member| self.async_members.contains(*member)),
        )
        .hash(&mut hasher);
        let mut classes: Vec<_> = self
            .class_methods
            .iter()
            .map(|(class, (a, o))| (*class, sorted(a.iter()), sorted(o.iter())))
            .collect();
        classes.sort_unstable();
        classes.hash(&mut hasher);
        let mut rejecting: Vec<_> = self
            .rejecting_class_methods
            .iter()
            .map(|(class, methods)| (*class, sorted(methods.iter())))
            .collect();
        rejecting.sort_unstable();
        rejecting.hash(&mut hasher);
        let mut ids: Vec<_> = self.class_ids.iter().collect();
        ids.sort_unstable();
        ids.hash(&mut hasher);
        let mut instances: Vec<_> = self
            .instances
            .iter()
            .filter(|(_, class)| self.class_ids.contains_key(*class))
            .collect();
        instances.sort_unstable();
        instances.hash(&mut hasher);
        hasher.finish()
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

    /// True when the module's top level declares `name`.
    pub fn declares_at_module_level(&self, name: &str) -> bool {
        self.note_name(name);
        self.module_names.contains(name)
    }

    /// True when the file declares an async function (declaration or function
    /// bound to a variable) called `name`, whatever else it is also bound to.
    pub fn declares_async_function(&self, name: &str) -> bool {
        self.note_name(name);
        self.async_names.contains(name)
    }

    /// True when some class or object literal in the file has an async method `name`.
    pub fn declares_async_method(&self, name: &str) -> bool {
        self.note_name(name);
        self.async_method_names.contains(name)
    }

    /// Records what `node` (of one of [`RECORDED_KINDS`]) declares.
    fn record(&mut self, source: &str, node: Node) {
        let text = |n: Node| source[n.byte_range()].to_owned();
        match node.kind() {
            "function_declaration" | "generator_function_declaration" => {
                if let Some(name) = node.child_by_field_id(crate::field!("name")) {
                    if is_async_function(node) && node.kind() == "function_declaration" {
                        self.async_names.insert(text(name));
                        if !cannot_fail(source, node) {
                            self.rejecting_names.insert(text(name));
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
                let target = if node.kind() == "catch_clause" {
                    node.child_by_field_id(crate::field!("parameter"))
                } else {
                    Some(node)
                };
                if let Some(target) = target {
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
                (Some(v), None) if is_async_function(v) && v.kind() != "method_definition" => {
                    if !cannot_fail(source, v) {
                        self.rejecting_names.insert(name_text.clone());
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
            _ => {
                self.other_names.insert(bound_text);
            }
        }
    }

    /// The log of the keys the queries read (see [`Lookup`]).
    pub fn lookups(&self) -> &LookupLog {
        &self.log
    }

    fn note_name(&self, name: &str) {
        self.log.note(|| Lookup::Name(name.to_owned()));
    }

    fn note_member(&self, qualified: &str) {
        self.log.note(|| Lookup::Member(qualified.to_owned()));
    }

    /// A hash of every answer these facts give for `lookup`'s key, in every
    /// table keyed by it: equal before and after an edit when no query about
    /// the key can tell the two apart.
    pub fn answer(&self, lookup: &Lookup) -> u64 {
        fn sorted(set: &HashSet<String>) -> Vec<&String> {
            let mut items: Vec<_> = set.iter().collect();
            items.sort_unstable();
            items
        }
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        match lookup {
            Lookup::Name(name) => {
                for set in [
                    &self.async_names,
                    &self.other_names,
                    &self.async_method_names,
                    &self.class_async_members,
                    &self.rejecting_names,
                    &self.module_names,
                    &self.fs_modules,
                    &self.fs_promises_modules,
                    &self.fs_promises_functions,
                ] {
                    set.contains(name).hash(&mut hasher);
                }
                self.instances.get(name).hash(&mut hasher);
                self.class_ids.get(name).hash(&mut hasher);
            }
            Lookup::Member(qualified) => {
                for set in [
                    &self.async_members,
                    &self.other_members,
                    &self.rejecting_members,
                ] {
                    set.contains(qualified).hash(&mut hasher);
                }
            }
            Lookup::Class(class) => {
                self.class_methods
                    .get(class)
                    .map(|(async_methods, other)| (sorted(async_methods), sorted(other)))
                    .hash(&mut hasher);
                self.rejecting_class_methods
                    .get(class)
                    .map(sorted)
                    .hash(&mut hasher);
            }
        }
        hasher.finish()
    }

    /// True when `name` is bound only to async functions in this file.
    pub fn is_async_function_name(&self, name: &str) -> bool {
        self.note_name(name);
        self.async_names.contains(name) && !self.other_names.contains(name)
    }

    /// The constructor `name` was initialised from (`const seen = new Map()`).
    pub fn constructed_from(&self, name: &str) -> Option<&str> {
        self.note_name(name);
        self.instances.get(name).map(String::as_str)
    }

    /// True when `name`, one of the [`BOUND_GLOBALS`], is bound anywhere in
    /// this file (to anything), shadowing the global.
    pub fn is_bound(&self, name: &str) -> bool {
        debug_assert!(
            BOUND_GLOBALS.contains(&name),
            "is_bound answers for the globals the fingerprint covers, not `{name}`"
        );
        self.note_name(name);
        self.async_names.contains(name)
            || self.other_names.contains(name)
            || self.fs_modules.contains(name)
            || self.fs_promises_modules.contains(name)
            || self.fs_promises_functions.contains(name)
    }

    /// Why `expr` certainly evaluates to a promise, or `None` when it may not.
    pub fn promise_kind(&self, source: &str, expr: Node) -> Option<PromiseKind> {
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
        let callee = unwrap_parens(call.child_by_field_id(crate::field!("function"))?);
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

    fn class_method_is_async(&self, class: u64, method: &str) -> bool {
        self.log.note(|| Lookup::Class(class));
        self.class_methods
            .get(&class)
            .is_some_and(|(async_methods, other)| {
                async_methods.contains(method) && !other.contains(method)
            })
    }

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
                        if handled_upstream(source, receiver) || self.cannot_reject(source, expr) {
                            return None;
                        }
                        let origin = chain_origin(source, receiver);
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
        match self.promise_kind(source, expr) {
            Some(PromiseKind::PromiseResolve) => {
                first_argument(expr).is_none_or(|value| certainly_not_thenable(source, value))
            }
            Some(PromiseKind::AsyncCall) => !self.async_call_may_reject(source, expr),
            _ => false,
        }
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

    /// Every promise dropped at statement level: created by an expression
    /// statement and neither awaited, returned, assigned, passed on, `void`ed nor
    /// given a rejection handler.
    pub fn dropped_promises<'t>(&self, source: &str, tree: &'t Tree) -> Vec<DroppedPromise<'t>> {
        let mut dropped = Vec::new();
        let mut stack = vec![tree.root_node()];
        while let Some(node) = stack.pop() {
            if node.kind() == "expression_statement" {
                if let Some(found) = self.dropped_at(source, node) {
                    dropped.push(found);
                }
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
        }
        dropped.sort_by_key(|d| d.statement.start_byte());
        dropped
    }

    /// The dropped promise of one expression statement, if it drops one.
    pub fn dropped_at<'t>(&self, source: &str, statement: Node<'t>) -> Option<DroppedPromise<'t>> {
        let expression = unwrap_parens(statement.named_child(0)?);
        // `await (async () => {…})()` is awaited, not a call of `await`. At
        // the top level it is read as an await too (the module's kind is not
        // known here): a script calling a function named `await` is rare, and
        // missing a finding is better than a false one.
        if awaits::await_expression(source, expression, true).is_some() {
            return None;
        }
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

#[derive(Clone, Copy)]
enum RequiredModule {
    Fs,
    FsPromises,
}

fn module_kind(specifier: &str) -> Option<RequiredModule> {
    match specifier {
        "fs" | "node:fs" => Some(RequiredModule::Fs),
        "fs/promises" | "node:fs/promises" => Some(RequiredModule::FsPromises),
        _ => None,
    }
}

/// `require('fs')`, `require('fs/promises')` or `require('fs').promises`.
fn required_module(source: &str, value: Node) -> Option<RequiredModule> {
    if value.kind() == "member_expression" {
        let object = value.child_by_field_id(crate::field!("object"))?;
        let property = value.child_by_field_id(crate::field!("property"))?;
        return match (required_module(source, object)?, text_of(source, property)) {
            (RequiredModule::Fs, "promises") => Some(RequiredModule::FsPromises),
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

fn text_of<'s>(source: &'s str, node: Node) -> &'s str {
    &source[node.byte_range()]
}

pub use crate::syntax::js::{
    enclosing_function, is_async_function, is_for_await, is_function, pattern_names, unwrap_parens,
};

/// An `async` method that is not a getter, setter or generator.
fn is_plain_async_method(method: Node) -> bool {
    let mut cursor = method.walk();
    let mut is_async = false;
    for child in method.children(&mut cursor) {
        match child.kind() {
            "async" => is_async = true,
            "get" | "set" | "*" => return false,
            _ => {}
        }
    }
    is_async
}

/// True when `await` is allowed at `node` because an async function encloses it.
/// Module top level is not counted: the file may be a script.
pub fn in_async_function(node: Node) -> bool {
    enclosing_function(node).is_some_and(is_async_function)
}

/// Calls `each` on every descendant of `root` that belongs to the same
/// function: nested functions are not entered (their `await`s and `return`s
/// are their own).
pub fn for_each_own_node<'t>(root: Node<'t>, mut each: impl FnMut(Node<'t>)) {
    let mut stack = Vec::new();
    let mut cursor = root.walk();
    stack.extend(root.named_children(&mut cursor));
    while let Some(node) = stack.pop() {
        each(node);
        if is_function(node) || matches!(node.kind(), "class_declaration" | "class") {
            continue;
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
}

/// True when `function` (its own code, not nested functions) awaits: an
/// `await` expression, as JavaScript reads it, or a `for await` loop.
pub fn awaits_itself(source: &str, function: Node) -> bool {
    awaits::points_of(source, function, false)
        .iter()
        .any(|p| p.kind != awaits::SuspensionKind::Yield)
}

/// True when `function` refers to its own `this` or `arguments` (which an
/// arrow function or a loop body would not see the same way).
pub fn uses_own_this_or_arguments(source: &str, function: Node) -> bool {
    if function.kind() == "arrow_function" {
        return false;
    }
    let Some(body) = function.child_by_field_id(crate::field!("body")) else {
        return false;
    };
    let mut found = false;
    let mut stack = vec![body];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "this" => found = true,
            "identifier" if text_of(source, node) == "arguments" => found = true,
            // Arrows see the same `this`; other functions have their own.
            k if is_function(node) && k != "arrow_function" => continue,
            _ => {}
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    found
}

/// `receiver.method(args)`: the receiver, the method name and the argument count.
pub fn method_call<'t, 's>(source: &'s str, call: Node<'t>) -> Option<(Node<'t>, &'s str, usize)> {
    if call.kind() != "call_expression" {
        return None;
    }
    let callee = unwrap_parens(call.child_by_field_id(crate::field!("function"))?);
    if callee.kind() != "member_expression" {
        return None;
    }
    let property = callee.child_by_field_id(crate::field!("property"))?;
    if property.kind() != "property_identifier" {
        return None;
    }
    let args = call.child_by_field_id(crate::field!("arguments"))?;
    if args.kind() != "arguments" {
        return None;
    }
    let mut cursor = args.walk();
    let count = args
        .named_children(&mut cursor)
        .filter(|a| a.kind() != "comment")
        .count();
    Some((
        unwrap_parens(callee.child_by_field_id(crate::field!("object"))?),
        text_of(source, property),
        count,
    ))
}

/// The first argument of a call, if it has one.
fn first_argument(call: Node) -> Option<Node> {
    let args = call.child_by_field_id(crate::field!("arguments"))?;
    let mut cursor = args.walk();
    let first = args
        .named_children(&mut cursor)
        .find(|a| a.kind() != "comment");
    first
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
        let mut cursor = params.walk();
        let plain = params
            .named_children(&mut cursor)
            .all(|p| matches!(p.kind(), "identifier" | "comment"));
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
    let mut cursor = body.walk();
    let statements_cannot_fail = body
        .named_children(&mut cursor)
        .all(|statement| match statement.kind() {
            "comment" | "empty_statement" | "function_declaration" => true,
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
            "return_statement" => statement
                .named_child(0)
                .filter(|v| v.kind() != "comment")
                .is_none_or(|v| cannot_throw_to_evaluate(source, v)),
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
        let Some(value) = node.named_child(0).filter(|v| v.kind() != "comment") else {
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

/// Literals, empty array and object literals, and functions: evaluating them
/// cannot throw.
fn cannot_throw_to_evaluate(source: &str, expr: Node) -> bool {
    let expr = unwrap_parens(expr);
    match expr.kind() {
        "number" | "string" | "true" | "false" | "null" | "undefined" => true,
        "identifier" => text_of(source, expr) == "undefined",
        "template_string" => {
            let mut cursor = expr.walk();
            let substituted = expr
                .named_children(&mut cursor)
                .any(|c| c.kind() == "template_substitution");
            !substituted
        }
        "array" | "object" => {
            let mut cursor = expr.walk();
            let empty = expr
                .named_children(&mut cursor)
                .all(|c| c.kind() == "comment");
            empty
        }
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

fn has_optional_chain(node: Node) -> bool {
    let mut cursor = node.walk();
    let found = node
        .children(&mut cursor)
        .any(|c| c.kind() == "optional_chain");
    found
}

/// The `this` of `node` is the instance of this class (not rebound by a
/// non-arrow function in between).
fn enclosing_class_of_this(node: Node) -> Option<Node> {
    let mut current = node.parent();
    while let Some(n) = current {
        match n.kind() {
            "method_definition" | "field_definition" => {
                let class = n.parent()?.parent()?;
                return matches!(class.kind(), "class_declaration" | "class").then_some(class);
            }
            "function_expression"
            | "function_declaration"
            | "generator_function"
            | "generator_function_declaration" => return None,
            _ => current = n.parent(),
        }
    }
    None
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
    let named = match call.kind() {
        "new_expression" => call
            .child_by_field_id(crate::field!("constructor"))
            .map(|c| format!("new {}{arguments}", text_of(source, c))),
        "call_expression" => call
            .child_by_field_id(crate::field!("function"))
            .filter(|f| !is_function(unwrap_parens(*f)))
            .map(|f| format!("{}{arguments}", text_of(source, f))),
        _ => None,
    };
    match named {
        Some(label) if label.len() <= 60 && !label.contains('\n') => label,
        _ => "this call".to_owned(),
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
        "template_string" => {
            let mut cursor = expr.walk();
            let substituted = expr
                .named_children(&mut cursor)
                .any(|c| c.kind() == "template_substitution");
            !substituted
        }
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
        let cases = [
            ("fetch(url);", PromiseKind::Fetch),
            ("new Promise((r) => r(1));", PromiseKind::NewPromise),
            ("Promise.all([a, b]);", PromiseKind::PromiseStatic),
            ("Promise.resolve(1);", PromiseKind::PromiseResolve),
            ("p.then(f);", PromiseKind::Chain),
            ("fs.promises.writeFile('a', 'b');", PromiseKind::FsPromises),
            (
                "const fsp = require('node:fs/promises');\nfsp.readFile('a');",
                PromiseKind::FsPromises,
            ),
            (
                "import { writeFile as w } from 'fs/promises';\nw('a', 'b');",
                PromiseKind::FsPromises,
            ),
            (
                "import { promises as fsp } from 'node:fs';\nfsp.mkdir('a');",
                PromiseKind::FsPromises,
            ),
            (
                "const { readFile } = require('fs/promises');\nreadFile('a');",
                PromiseKind::FsPromises,
            ),
            ("(async () => {})();", PromiseKind::AsyncIife),
        ];
        for (source, kind) in cases {
            assert_eq!(kind_of_last(source), Some(kind), "{source}");
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

    #[test]
    fn renaming_a_plain_local_keeps_the_answers_and_shadowing_changes_them() {
        let answers = |source: &str| {
            let facts = AsyncFacts::collect(source, &syntax::parse(source, None));
            (facts.fingerprint(), facts.answers_fingerprint())
        };
        let base = "async function save() {}\nfunction run(a) { let count = 1; save(); }\n";
        let renamed = "async function save() {}\nfunction run(a) { let total = 1; save(); }\n";
        let shadowing = "async function save() {}\nfunction run(a) { let save = 1; save(); }\n";
        let (base_all, base_answers) = answers(base);
        let (renamed_all, renamed_answers) = answers(renamed);
        let (shadowing_all, shadowing_answers) = answers(shadowing);
        assert_ne!(base_all, renamed_all, "the recorded facts changed");
        assert_eq!(
            base_answers, renamed_answers,
            "no query answers differently"
        );
        assert_ne!(base_all, shadowing_all);
        assert_ne!(
            base_answers, shadowing_answers,
            "save() is no longer certainly async"
        );
        let global = "async function save() {}\nfunction run(Promise) { save(); }\n";
        assert_ne!(
            base_answers,
            answers(global).1,
            "a shadowed global changes answers"
        );
    }

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
        ] {
            assert_eq!(cannot_fail_first(source), expected, "{source}");
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

    #[test]
    fn enclosing_async_function_is_found_through_arrows_but_not_class_fields() {
        let source = "async function f() { g(); const h = () => k(); }";
        let tree = syntax::parse(source, None);
        let g = tree
            .root_node()
            .descendant_for_byte_range(21, 22)
            .expect("g");
        assert!(in_async_function(g));
        let k = tree
            .root_node()
            .descendant_for_byte_range(42, 43)
            .expect("k");
        assert!(!in_async_function(k));
    }
}
