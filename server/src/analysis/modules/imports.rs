//! The names a file binds from other workspace files, with the export
//! summary of what each names: `const a = require('./a')`,
//! `const { f, g: h } = require('./a')`, `const f = require('./a').f`,
//! `import a from`, `import * as a from`, `import { f as g } from`. The
//! specifier is resolved as Node 24
//! resolves it ([`crate::workspace::resolve`]); a built-in, a package outside
//! the workspace's relative paths or an unresolvable path binds nothing known.
//!
//! [`Summaries`] keeps each file's summary by its text's hash, so that `check`
//! builds a file's summary once per run and the server only when the file
//! changed.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tree_sitter::{Node, Tree};

use super::exports::export_summary;
use super::{ExportSummary, ExportedValue, Imported, ImportedNames};
use crate::syntax;
use crate::syntax::js::unwrap_parens;
use crate::workspace::imports::imports;
use crate::workspace::{module_kind, resolve, FileSystem, ModuleKind, Resolution};

/// Export summaries by file, each with the hash of the text it was built from.
#[derive(Default)]
pub struct Summaries {
    by_path: Mutex<HashMap<PathBuf, (u64, Arc<FileSummary>)>>,
}

/// A file's summary and module kind.
#[derive(Debug)]
pub struct FileSummary {
    pub summary: ExportSummary,
    pub kind: ModuleKind,
}

impl Summaries {
    /// The summary of `path` as `fs` holds it now; `None` when unreadable.
    pub fn of(&self, path: &Path, fs: &impl FileSystem) -> Option<Arc<FileSummary>> {
        let text = fs.read(path)?;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        text.hash(&mut hasher);
        let hash = hasher.finish();
        if let Some((known, summary)) = self.lock().get(path) {
            if *known == hash {
                return Some(Arc::clone(summary));
            }
        }
        let tree = syntax::parse(&text, None);
        let summary = Arc::new(FileSummary {
            summary: export_summary(&text, &tree),
            kind: module_kind(path, &tree, fs),
        });
        self.lock()
            .insert(path.to_path_buf(), (hash, Arc::clone(&summary)));
        Some(summary)
    }

    /// Forgets `path`'s summary (the file changed or went away).
    pub fn forget(&self, path: &Path) {
        self.lock().remove(path);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, (u64, Arc<FileSummary>)>> {
        self.by_path
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
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
    let mut names = ImportedNames::default();
    for site in imports(source, tree) {
        let Some(string) = tree
            .root_node()
            .descendant_for_byte_range(site.range.start, site.range.end)
        else {
            continue;
        };
        let bindings = bindings_of(source, string);
        if bindings.is_empty() {
            continue;
        }
        let target = match resolve(&site.specifier, path, site.kind, fs) {
            Resolution::File(target) => target,
            Resolution::Builtin(module) => {
                bind_builtin(&mut names, &site.specifier, &module, bindings);
                continue;
            }
            Resolution::Unresolved { .. } => continue,
        };
        names.files.push(target.clone());
        let Some(file) = summaries.of(&target, fs) else {
            continue;
        };
        for (local, what) in bindings {
            let value = match what {
                Binds::Namespace => file.summary.namespace(),
                Binds::Default => match file.kind {
                    ModuleKind::CommonJs => file.summary.namespace(),
                    ModuleKind::EsModule => file.summary.export("default"),
                },
                Binds::Export(name) => file.summary.export(&name),
            };
            if let Some(value) = value {
                names.names.insert(
                    local,
                    Imported {
                        specifier: site.specifier.clone(),
                        value,
                    },
                );
            }
        }
    }
    names
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
    bindings: Vec<(String, Binds)>,
) {
    for (local, what) in bindings {
        let value = match what {
            Binds::Namespace | Binds::Default => builtin_value(module, None),
            Binds::Export(name) => builtin_value(module, Some(&name)),
        };
        if let Some(value) = value {
            let imported = Imported {
                specifier: specifier.to_owned(),
                value,
            };
            names.names.insert(local, imported);
        }
    }
}

/// What a local name is bound to.
enum Binds {
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
}
