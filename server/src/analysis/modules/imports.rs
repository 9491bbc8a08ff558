//! The names a file binds from other workspace files, with the export
//! summary of what each names: `const a = require('./a')`,
//! `const { f, g: h } = require('./a')`, `const f = require('./a').f`,
//! `import a from`, `import * as a from`, `import { f as g } from`. The
//! specifier is resolved as Node 24
//! resolves it ([`crate::workspace::resolve`]); a built-in, a package outside
//! the workspace's relative paths or an unresolvable path binds nothing known.
//!
//! A name an `export ... from` brings is followed to the file it names; a
//! cycle of re-exports, or one that cannot be resolved, leaves it unknown.
//! A [`SummarySource`] gives each file's summary (see [`super::summaries`]).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tree_sitter::{Node, Tree};

pub use super::summaries::Summaries;
use super::summaries::{FileSummary, SummarySource};
use super::{ExportedValue, Extends, Imported, ImportedNames, Rejects};
use crate::syntax::js::unwrap_parens;
use crate::workspace::imports::import_sites;
use crate::workspace::{resolve_source, FileSystem, ModuleKind, RequireOrImport, Resolution};

/// How many `export ... from` hops a name is followed through.
const MAX_REEXPORT_DEPTH: usize = 8;

/// One `require` or `import` of a file with the local names it binds: all
/// that binding the file's imports needs of its text, so `check` can keep it
/// by the file's hash and bind a cached file's imports without parsing it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportBinding {
    pub specifier: String,
    pub kind: RequireOrImport,
    pub locals: Vec<(String, Binds)>,
}

/// The `require`s and `import`s of `source` that bind local names.
pub fn import_bindings(source: &str, tree: &Tree) -> Vec<ImportBinding> {
    let mut found = Vec::new();
    for (site, string) in import_sites(source, tree) {
        let locals = bindings_of(source, string);
        if !locals.is_empty() {
            found.push(ImportBinding {
                specifier: site.specifier,
                kind: site.kind,
                locals,
            });
        }
    }
    found
}

/// The names the file at `path` (whose text is `source`) binds from
/// workspace files, read through `fs`.
pub fn imported_names(
    path: &Path,
    source: &str,
    tree: &Tree,
    fs: &impl FileSystem,
    summaries: &Summaries,
) -> ImportedNames {
    let bindings = import_bindings(source, tree);
    bind_imports(path, &bindings, fs, &summaries.reading(fs))
}

/// The names `bindings` (the imports of the file at `path`) bind, with the
/// summaries of the files they name. A local name bound by two imports is
/// left out: without scopes, which one a use reads is unknown.
pub fn bind_imports(
    path: &Path,
    bindings: &[ImportBinding],
    fs: &impl FileSystem,
    summaries: &dyn SummarySource,
) -> ImportedNames {
    let mut binder = Binder {
        fs,
        summaries,
        names: ImportedNames::default(),
        inheriting: 0,
    };
    let mut twice = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for binding in bindings {
        for (local, _) in &binding.locals {
            if !seen.insert(local.as_str()) {
                twice.push(local.as_str());
            }
        }
        binder.bind(path, binding);
    }
    let mut names = binder.names;
    for local in twice {
        names.names.remove(local);
    }
    names
}

/// Binds imports, following `export ... from` through the files they name.
struct Binder<'a, F> {
    fs: &'a F,
    summaries: &'a dyn SummarySource,
    names: ImportedNames,
    /// How many `extends` hops the class being completed was reached
    /// through (see [`Binder::inherit`]).
    inheriting: usize,
}

impl<F: FileSystem> Binder<'_, F> {
    fn bind(&mut self, path: &Path, binding: &ImportBinding) {
        let target = match resolve_source(&binding.specifier, path, binding.kind, self.fs) {
            Resolution::File(target) => target,
            Resolution::Builtin(module) => {
                bind_builtin(
                    &mut self.names,
                    &binding.specifier,
                    &module,
                    &binding.locals,
                );
                return;
            }
            Resolution::Unresolved { .. } => return,
        };
        let Some(file) = self.summary(&target) else {
            return;
        };
        for (local, what) in &binding.locals {
            let mut seen = Vec::new();
            let value = self.bound(&target, &file, what, &mut seen);
            if let Some(value) = value {
                let imported = Imported {
                    specifier: binding.specifier.clone(),
                    value,
                };
                self.names.names.insert(local.clone(), imported);
            }
        }
    }

    /// What an import of the file at `path` binds to a name.
    fn bound(
        &mut self,
        path: &Path,
        file: &FileSummary,
        what: &Binds,
        seen: &mut Vec<PathBuf>,
    ) -> Option<ExportedValue> {
        match what {
            Binds::Namespace => self.namespace(path, file, seen),
            Binds::Default => match file.kind {
                ModuleKind::CommonJs => file
                    .summary
                    .namespace()
                    .map(|value| self.inherit(path, value)),
                ModuleKind::EsModule => self.export(path, file, "default", seen),
            },
            Binds::Export(name) => self.export(path, file, name, seen),
        }
    }

    /// `value`, read from the file at `path`, with each class that extends
    /// an imported class given the methods it inherits from it (a method
    /// the class hides is not): the parent is read from the import that
    /// names it, resolved from `path`, and completed the same way. A chain
    /// longer than [`MAX_REEXPORT_DEPTH`] (a cycle among them) or a parent
    /// that cannot be read adds nothing.
    fn inherit(&mut self, path: &Path, value: ExportedValue) -> ExportedValue {
        match value {
            ExportedValue::Object(members) => ExportedValue::Object(
                members
                    .into_iter()
                    .map(|(name, member)| (name, self.inherit(path, member)))
                    .collect(),
            ),
            ExportedValue::Class {
                line,
                mut methods,
                extends: Some(extends),
            } => {
                if self.inheriting < MAX_REEXPORT_DEPTH {
                    self.inheriting += 1;
                    let parent = self.parent(path, &extends);
                    self.inheriting -= 1;
                    if let Some(ExportedValue::Class {
                        methods: inherited, ..
                    }) = parent
                    {
                        let parent_name =
                            extends.member.as_deref().unwrap_or(match &extends.binds {
                                Binds::Export(name) => name.as_str(),
                                Binds::Namespace | Binds::Default => extends.specifier.as_str(),
                            });
                        for (name, method) in inherited {
                            if extends.hidden.contains(&name) || methods.contains_key(&name) {
                                continue;
                            }
                            let ExportedValue::PromiseFunction {
                                why,
                                line: parent_line,
                                rejects,
                            } = method
                            else {
                                continue;
                            };
                            let why = format!(
                                "is inherited from `{parent_name}` of `{}`, whose `{name}` {why} (line {parent_line}); the class is",
                                extends.specifier
                            );
                            methods.insert(
                                name,
                                ExportedValue::PromiseFunction { why, line, rejects },
                            );
                        }
                    }
                }
                ExportedValue::Class {
                    line,
                    methods,
                    extends: None,
                }
            }
            other => other,
        }
    }

    /// The class `extends` names, imported by the file at `path`, with what
    /// it inherits itself.
    fn parent(&mut self, path: &Path, extends: &Extends) -> Option<ExportedValue> {
        let Resolution::File(target) =
            resolve_source(&extends.specifier, path, extends.kind, self.fs)
        else {
            return None;
        };
        let file = self.summary(&target)?;
        let mut seen = Vec::new();
        if let (Binds::Namespace, Some(member)) = (&extends.binds, &extends.member) {
            return self.export(&target, &file, member, &mut seen);
        }
        let value = self.bound(&target, &file, &extends.binds, &mut seen)?;
        match &extends.member {
            Some(member) => value.member(member).cloned(),
            None => Some(value),
        }
    }

    /// The summary of `target`, noted among the files the names read.
    fn summary(&mut self, target: &Path) -> Option<std::sync::Arc<FileSummary>> {
        if !self.names.files.iter().any(|file| file == target) {
            self.names.files.push(target.to_path_buf());
        }
        self.summaries.summary_of(target)
    }

    /// The file an `export ... from` of the file at `from` names.
    fn reexported_file(
        &mut self,
        specifier: &str,
        from: &Path,
    ) -> Option<(PathBuf, std::sync::Arc<FileSummary>)> {
        let Resolution::File(target) =
            resolve_source(specifier, from, RequireOrImport::Import, self.fs)
        else {
            return None;
        };
        let file = self.summary(&target)?;
        Some((target, file))
    }

    /// The export `name` of the file at `path`; `seen` are the files whose
    /// re-exports led here (met again: a cycle, unknown).
    fn export(
        &mut self,
        path: &Path,
        file: &FileSummary,
        name: &str,
        seen: &mut Vec<PathBuf>,
    ) -> Option<ExportedValue> {
        let summary = &file.summary;
        let own = summary.whole.is_some()
            || summary.whole_unknown
            || summary.named.contains_key(name)
            || summary.unknown.contains(name);
        if own || summary.reexports.is_empty() {
            return summary.export(name).map(|value| self.inherit(path, value));
        }
        if seen.iter().any(|p| p == path) || seen.len() >= MAX_REEXPORT_DEPTH {
            return None;
        }
        seen.push(path.to_path_buf());
        let found = self.reexport(path, file, name, seen);
        seen.pop();
        found
    }

    /// The export `name` that the file at `path` re-exports.
    fn reexport(
        &mut self,
        path: &Path,
        file: &FileSummary,
        name: &str,
        seen: &mut Vec<PathBuf>,
    ) -> Option<ExportedValue> {
        for reexport in &file.summary.reexports {
            if let Some((_, imported)) = reexport.names.iter().find(|(e, _)| e == name) {
                let (target, other) = self.reexported_file(&reexport.specifier, path)?;
                return match imported.as_str() {
                    "*" => self.namespace(&target, &other, seen),
                    imported => self.export(&target, &other, imported, seen),
                };
            }
        }
        if name == "default" {
            return None;
        }
        // `export *`: a name two of them bring is ambiguous, and one that
        // cannot be read may bring any name.
        let mut found = None;
        for reexport in file.summary.reexports.iter().filter(|r| r.is_star()) {
            let (target, other) = self.reexported_file(&reexport.specifier, path)?;
            if let Some(value) = self.export(&target, &other, name, seen) {
                if found.is_some() {
                    return None;
                }
                found = Some(value);
            }
        }
        found
    }

    /// The namespace object of the file at `path`, its re-exports included
    /// (but for those a cycle leads back to).
    fn namespace(
        &mut self,
        path: &Path,
        file: &FileSummary,
        seen: &mut Vec<PathBuf>,
    ) -> Option<ExportedValue> {
        let base = self.inherit(path, file.summary.namespace()?);
        let ExportedValue::Object(mut members) = base else {
            return Some(base);
        };
        if file.summary.whole.is_some()
            || seen.iter().any(|p| p == path)
            || seen.len() >= MAX_REEXPORT_DEPTH
        {
            return Some(ExportedValue::Object(members));
        }
        seen.push(path.to_path_buf());
        let mut names: Vec<String> = Vec::new();
        for reexport in &file.summary.reexports {
            if !reexport.is_star() {
                names.extend(reexport.names.iter().map(|(exported, _)| exported.clone()));
                continue;
            }
            let Some((target, other)) = self.reexported_file(&reexport.specifier, path) else {
                continue;
            };
            if let Some(ExportedValue::Object(more)) = self.namespace(&target, &other, seen) {
                names.extend(more.into_keys().filter(|name| name != "default"));
            }
        }
        for name in names {
            if members.contains_key(&name) || file.summary.unknown.contains(&name) {
                continue;
            }
            if let Some(value) = self.reexport(path, file, &name, seen) {
                members.insert(name, value);
            }
        }
        seen.pop();
        Some(ExportedValue::Object(members))
    }
}

/// The functions of Node's built-in modules that always return a native
/// promise (each is an async function or returns `new Promise` in Node 24's
/// sources), by module.
const BUILTIN_PROMISE_FUNCTIONS: &[(&str, &[&str])] = &[
    ("timers/promises", &["setTimeout", "setImmediate"]),
    ("events", &["once"]),
    ("stream/promises", &["pipeline", "finished"]),
    (
        "dns/promises",
        &[
            "lookup",
            "lookupService",
            "resolve",
            "resolve4",
            "resolve6",
            "resolveAny",
            "resolveCaa",
            "resolveCname",
            "resolveMx",
            "resolveNaptr",
            "resolveNs",
            "resolvePtr",
            "resolveSoa",
            "resolveSrv",
            "resolveTxt",
            "reverse",
        ],
    ),
    (
        "fs/promises",
        &[
            "access",
            "appendFile",
            "chmod",
            "chown",
            "copyFile",
            "cp",
            "lchown",
            "link",
            "lstat",
            "lutimes",
            "mkdir",
            "mkdtemp",
            "open",
            "opendir",
            "readdir",
            "readFile",
            "readlink",
            "realpath",
            "rename",
            "rm",
            "rmdir",
            "stat",
            "statfs",
            "symlink",
            "truncate",
            "unlink",
            "utimes",
            "writeFile",
        ],
    ),
];

/// The value of a built-in module's export, as far as promise kinds go.
pub fn builtin_value(module: &str, export: Option<&str>) -> Option<ExportedValue> {
    let (_, functions) = BUILTIN_PROMISE_FUNCTIONS
        .iter()
        .find(|(name, _)| *name == module)?;
    let function = |name: &str| ExportedValue::PromiseFunction {
        why: format!("is Node's `{module}` function `{name}`, which returns a native promise"),
        line: 0,
        // A timer of `timers/promises` rejects only on some arguments.
        rejects: match module {
            "timers/promises" => Rejects::Timer(name.to_owned()),
            _ => Rejects::Maybe,
        },
    };
    match export {
        Some(name) => functions.contains(&name).then(|| function(name)),
        None => Some(ExportedValue::Object(
            functions
                .iter()
                .map(|name| ((*name).to_owned(), function(name)))
                .collect(),
        )),
    }
}

/// Binds the names a `require` or `import` of the built-in `module` binds.
fn bind_builtin(
    names: &mut ImportedNames,
    specifier: &str,
    module: &str,
    bindings: &[(String, Binds)],
) {
    for (local, what) in bindings {
        let value = match what {
            Binds::Namespace | Binds::Default => builtin_value(module, None),
            Binds::Export(name) => builtin_value(module, Some(name)),
        };
        if let Some(value) = value {
            let imported = Imported {
                specifier: specifier.to_owned(),
                value,
            };
            names.names.insert(local.clone(), imported);
        }
    }
}

/// What a local name is bound to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Binds {
    /// The module's namespace (`require(x)`, `import * as`).
    Namespace,
    /// `import a from`.
    Default,
    /// One export (`import { f }`, `const { f } = require(x)`).
    Export(String),
}

/// The local names bound by the `require` or `import` whose specifier is the
/// string `string`.
fn bindings_of(source: &str, string: Node) -> Vec<(String, Binds)> {
    let text = |n: Node| source[n.byte_range()].to_owned();
    let mut found = Vec::new();
    let Some(parent) = string.parent() else {
        return found;
    };
    if parent.kind() == "import_statement" {
        let mut cursor = parent.walk();
        let Some(clause) = parent
            .named_children(&mut cursor)
            .find(|c| c.kind() == "import_clause")
        else {
            return found;
        };
        let mut cursor = clause.walk();
        for child in clause.named_children(&mut cursor) {
            match child.kind() {
                "identifier" => found.push((text(child), Binds::Default)),
                "namespace_import" => {
                    if let Some(name) = child.named_child(0) {
                        found.push((text(name), Binds::Namespace));
                    }
                }
                "named_imports" => {
                    let mut cursor = child.walk();
                    for specifier in child.named_children(&mut cursor) {
                        let name = specifier.child_by_field_id(crate::field!("name"));
                        let alias = specifier.child_by_field_id(crate::field!("alias"));
                        if let Some(name) = name.filter(|n| n.kind() == "identifier") {
                            found.push((text(alias.unwrap_or(name)), Binds::Export(text(name))));
                        }
                    }
                }
                _ => {}
            }
        }
        return found;
    }
    // `require("x")`: the string is the call's only argument.
    let Some(call) = parent.parent().filter(|c| c.kind() == "call_expression") else {
        return found;
    };
    let mut value = call;
    let mut member = None;
    let mut up = call.parent();
    while let Some(node) = up.filter(|n| n.kind() == "parenthesized_expression") {
        value = node;
        up = node.parent();
    }
    if let Some(access) = up.filter(|n| n.kind() == "member_expression") {
        member = access
            .child_by_field_id(crate::field!("property"))
            .filter(|p| p.kind() == "property_identifier")
            .map(text);
        if member.is_none() {
            return found;
        }
        value = access;
        up = access.parent();
    }
    let Some(declarator) = up.filter(|n| n.kind() == "variable_declarator") else {
        return found;
    };
    let value_is_ours = declarator
        .child_by_field_id(crate::field!("value"))
        .is_some_and(|v| unwrap_parens(v) == unwrap_parens(value) || v == value);
    let Some(name) = declarator.child_by_field_id(crate::field!("name")) else {
        return found;
    };
    if !value_is_ours {
        return found;
    }
    match (name.kind(), member) {
        ("identifier", None) => found.push((text(name), Binds::Namespace)),
        ("identifier", Some(member)) => found.push((text(name), Binds::Export(member))),
        ("object_pattern", None) => {
            let mut cursor = name.walk();
            for property in name.named_children(&mut cursor) {
                match property.kind() {
                    "shorthand_property_identifier_pattern" => {
                        found.push((text(property), Binds::Export(text(property))));
                    }
                    "pair_pattern" => {
                        let key = property.child_by_field_id(crate::field!("key"));
                        let bound = property.child_by_field_id(crate::field!("value"));
                        if let (Some(key), Some(bound)) = (key, bound) {
                            if key.kind() == "property_identifier" && bound.kind() == "identifier" {
                                found.push((text(bound), Binds::Export(text(key))));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    found
}

/// The value an import binds, for tests and callers that hold one.
pub fn value_of<'n>(names: &'n ImportedNames, local: &str) -> Option<&'n ExportedValue> {
    names.get(local).map(|imported| &imported.value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;
    use crate::workspace::MemoryFs;

    fn names_of(files: &[(&str, &str)], main: &str) -> ImportedNames {
        let fs = MemoryFs::with(files);
        let source = fs.read(Path::new(main)).expect("the main file");
        let tree = syntax::parse(&source, None);
        imported_names(Path::new(main), &source, &tree, &fs, &Summaries::default())
    }

    fn is_promise_function(value: Option<&ExportedValue>) -> bool {
        matches!(value, Some(ExportedValue::PromiseFunction { .. }))
    }

    #[test]
    fn a_typescript_file_exports_what_its_erased_text_does() {
        let b = "export async function f(x: number): Promise<number> { return x; }\nexport function g<T>(v: T): Promise<T> { return Promise.resolve(v); }\n";
        let names = names_of(
            &[
                ("/w/b.ts", b),
                ("/w/main.js", "import { f, g } from './b.ts';\n"),
            ],
            "/w/main.js",
        );
        assert!(is_promise_function(value_of(&names, "f")));
        assert!(is_promise_function(value_of(&names, "g")));
    }

    #[test]
    fn requires_and_imports_bind_the_summaries_of_workspace_files() {
        let a = "exports.f = async function () {};\nexports.g = 1;\n";
        let names = names_of(
            &[
                ("/w/a.js", a),
                (
                    "/w/main.js",
                    "const a = require('./a');\nconst { f, f: h, g } = require('./a.js');\nconst k = require('./a').f;\nconst n = require('node:fs');\nconst m = require('./missing');\n",
                ),
            ],
            "/w/main.js",
        );
        assert!(is_promise_function(
            value_of(&names, "a").and_then(|a| a.member("f"))
        ));
        for local in ["f", "h", "k"] {
            assert!(is_promise_function(value_of(&names, local)), "{local}");
        }
        for local in ["g", "n", "m"] {
            assert_eq!(value_of(&names, local), None, "{local}");
        }
        let names = names_of(
            &[
                ("/w/package.json", "{\"type\": \"module\"}"),
                (
                    "/w/b.js",
                    "export async function f() {}\nexport default async () => {};\n",
                ),
                (
                    "/w/main.js",
                    "import d, { f as g } from './b.js';\nimport * as ns from './b.js';\n",
                ),
            ],
            "/w/main.js",
        );
        assert!(is_promise_function(value_of(&names, "d")));
        assert!(is_promise_function(value_of(&names, "g")));
        assert!(is_promise_function(
            value_of(&names, "ns").and_then(|ns| ns.member("f"))
        ));
        let names = names_of(
            &[(
                "/w/main.js",
                "const t = require('node:timers/promises');\nconst { once, on } = require('events');\nconst { readFile, watch } = require('fs/promises');\n",
            )],
            "/w/main.js",
        );
        assert!(is_promise_function(
            value_of(&names, "t").and_then(|t| t.member("setTimeout"))
        ));
        assert_eq!(
            value_of(&names, "t").and_then(|t| t.member("setInterval")),
            None
        );
        for local in ["once", "readFile"] {
            assert!(is_promise_function(value_of(&names, local)), "{local}");
        }
        for local in ["on", "watch"] {
            assert_eq!(value_of(&names, local), None, "{local}");
        }
    }

    #[test]
    fn a_class_gets_the_methods_it_inherits_from_an_imported_class_and_a_cycle_stops() {
        let class_of = |names: &ImportedNames, local: &str| match value_of(names, local) {
            Some(ExportedValue::Class { methods, .. }) => methods.keys().cloned().collect(),
            other => panic!("{local}: {other:?}"),
        };
        let names = names_of(
            &[
                ("/w/base.js", "class Base { async next() {} async shadowed() {} }\nexports.Base = Base;\n"),
                ("/w/child.js", "const b = require('./base');\nclass Child extends b.Base { shadowed() {} }\nexports.Child = Child;\n"),
                ("/w/main.js", "const { Child } = require('./child');\n"),
            ],
            "/w/main.js",
        );
        let methods: Vec<String> = class_of(&names, "Child");
        assert_eq!(methods, ["next"]);
        // Two files whose classes extend each other: the chain stops.
        let names = names_of(
            &[
                ("/w/a.js", "const { B } = require('./b');\nclass A extends B {}\nexports.A = A;\n"),
                ("/w/b.js", "const { A } = require('./a');\nclass B extends A { async m() {} }\nexports.B = B;\n"),
                ("/w/main.js", "const { A } = require('./a');\n"),
            ],
            "/w/main.js",
        );
        let methods: Vec<String> = class_of(&names, "A");
        assert!(methods.len() <= 1, "{methods:?}");
    }
}
