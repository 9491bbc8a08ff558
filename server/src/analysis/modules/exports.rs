//! A file's export summary: which of its exports are functions whose calls
//! certainly return a native promise, and classes with such methods, read
//! from its text alone (its own imports are not followed, so a cycle cannot
//! loop and a change to a file changes its own summary only).
//!
//! ES modules: `export async function f`, `export const f = ...`, `export
//! class C`, `export default ...`, `export { a, b as c }`; re-exports from
//! another file (`export ... from`) are listed, for the importer to follow. CommonJS: `exports.f = ...`,
//! `module.exports.f = ...`, `module.exports = { ... }` or `= f`, at the top
//! level; a name assigned twice (but for TypeScript's `exports.f = void 0`
//! before the real value) is unknown.

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};

use tree_sitter::{Node, Tree};

use super::imports::{import_bindings, ImportBinding};
use super::{ExportSummary, ExportedValue, Extends, ImportedNames, ReExport, Rejects};
use crate::analysis::source_facts::{
    cannot_fail, cannot_fail_given_an_object, AsyncFacts, PromiseDeclarations,
};
use crate::syntax::js::{is_async_function, is_function, unwrap_parens};

/// The export summary of `source`.
pub fn export_summary(source: &str, tree: &Tree) -> ExportSummary {
    let none = ImportedNames::default();
    let reader = Reader {
        source,
        tree,
        none: &none,
        declarations: OnceCell::new(),
        root: tree.root_node(),
        facts: OnceCell::new(),
        import_bindings: OnceCell::new(),
    };
    let mut named: HashMap<String, Vec<Option<ExportedValue>>> = HashMap::new();
    let mut whole: Vec<Option<ExportedValue>> = Vec::new();
    let mut reexports = Vec::new();
    let root = tree.root_node();
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        match statement.kind() {
            "export_statement" => match reader.reexport(statement) {
                Some(reexport) => reexports.push(reexport),
                None => reader.es_export(statement, &mut named),
            },
            "expression_statement" => {
                let Some(expr) = statement.named_child(0) else {
                    continue;
                };
                reader.commonjs_assignment(unwrap_parens(expr), &mut named, &mut whole);
            }
            _ => {}
        }
    }
    let decided = |values: Vec<Option<ExportedValue>>| match values.as_slice() {
        [Some(value)] => Some(value.clone()),
        _ => None,
    };
    let mut summary = ExportSummary {
        reexports,
        ..ExportSummary::default()
    };
    for (name, values) in named {
        match decided(values) {
            Some(value) => {
                summary.named.insert(name, value);
            }
            None => {
                summary.unknown.insert(name);
            }
        }
    }
    if !whole.is_empty() {
        summary.whole = decided(whole);
        summary.whole_unknown = summary.whole.is_none();
    }
    summary
}

struct Reader<'t> {
    source: &'t str,
    tree: &'t Tree,
    /// No imports: a summary reads its own file only.
    none: &'t ImportedNames,
    /// The file's declarations, read when some export needs them (a file
    /// that exports nothing, or only re-exports, needs no walk of its tree).
    declarations: OnceCell<PromiseDeclarations<'t>>,
    root: Node<'t>,
    /// The file's facts, collected when a value may be a promised timer.
    facts: OnceCell<AsyncFacts>,
    /// The file's imports, read when a class extends an imported one.
    import_bindings: OnceCell<Vec<ImportBinding>>,
}

impl<'t> Reader<'t> {
    fn text(&self, node: Node) -> &'t str {
        &self.source[node.byte_range()]
    }

    fn declarations(&self) -> &PromiseDeclarations<'t> {
        self.declarations
            .get_or_init(|| PromiseDeclarations::new(self.source, self.tree, self.none))
    }

    fn line(node: Node) -> u32 {
        u32::try_from(node.start_position().row + 1).unwrap_or(u32::MAX)
    }

    fn es_export(
        &self,
        statement: Node<'t>,
        named: &mut HashMap<String, Vec<Option<ExportedValue>>>,
    ) {
        let is_default = {
            let mut cursor = statement.walk();
            let found = statement
                .children(&mut cursor)
                .any(|c| c.kind() == "default");
            found
        };
        if let Some(declaration) = statement.child_by_field_id(crate::field!("declaration")) {
            match declaration.kind() {
                "lexical_declaration" | "variable_declaration" => {
                    let mut cursor = declaration.walk();
                    for declarator in declaration.named_children(&mut cursor) {
                        let name = declarator.child_by_field_id(crate::field!("name"));
                        if let Some(name) = name.filter(|n| n.kind() == "identifier") {
                            let value = declarator
                                .child_by_field_id(crate::field!("value"))
                                .and_then(|v| self.value(v));
                            named
                                .entry(self.text(name).to_owned())
                                .or_default()
                                .push(value);
                        }
                    }
                }
                _ => {
                    let key = match declaration.child_by_field_id(crate::field!("name")) {
                        Some(name) if !is_default => self.text(name).to_owned(),
                        _ => "default".to_owned(),
                    };
                    let value = self.value(declaration);
                    named.entry(key).or_default().push(value);
                }
            }
            return;
        }
        if is_default {
            if let Some(value) = statement.child_by_field_id(crate::field!("value")) {
                let value = self.value(value);
                named.entry("default".to_owned()).or_default().push(value);
            }
            return;
        }
        // `export { a, b as c }`
        let mut stack = vec![statement];
        while let Some(node) = stack.pop() {
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                match child.kind() {
                    "export_clause" => stack.push(child),
                    "export_specifier" => {
                        let Some(local) = child.child_by_field_id(crate::field!("name")) else {
                            continue;
                        };
                        let exported = child
                            .child_by_field_id(crate::field!("alias"))
                            .unwrap_or(local);
                        let value = self.value(local);
                        named
                            .entry(self.text(exported).to_owned())
                            .or_default()
                            .push(value);
                    }
                    _ => {}
                }
            }
        }
    }

    /// The `export ... from` clause of `statement`, if it is one.
    fn reexport(&self, statement: Node<'t>) -> Option<ReExport> {
        let source = statement.child_by_field_id(crate::field!("source"))?;
        let specifier = self.text(source);
        let specifier = specifier
            .get(1..specifier.len().checked_sub(1)?)?
            .to_owned();
        let mut names = Vec::new();
        let mut cursor = statement.walk();
        for child in statement.named_children(&mut cursor) {
            match child.kind() {
                "namespace_export" => {
                    let exported = child.named_child(0)?;
                    names.push((self.text(exported).to_owned(), "*".to_owned()));
                }
                "export_clause" => {
                    let mut cursor = child.walk();
                    for specifier in child.named_children(&mut cursor) {
                        let Some(name) = specifier.child_by_field_id(crate::field!("name")) else {
                            continue;
                        };
                        let exported = specifier
                            .child_by_field_id(crate::field!("alias"))
                            .unwrap_or(name);
                        names.push((self.text(exported).to_owned(), self.text(name).to_owned()));
                    }
                    // `export {} from './x'` exports nothing (it is not a star).
                    if names.is_empty() {
                        return None;
                    }
                }
                _ => {}
            }
        }
        Some(ReExport { specifier, names })
    }

    /// `exports.f = v`, `module.exports.f = v`, `module.exports = v`, and
    /// chains of them (`exports.a = exports.b = void 0`).
    fn commonjs_assignment(
        &self,
        expr: Node<'t>,
        named: &mut HashMap<String, Vec<Option<ExportedValue>>>,
        whole: &mut Vec<Option<ExportedValue>>,
    ) {
        let mut targets = Vec::new();
        let mut current = expr;
        while current.kind() == "assignment_expression" {
            let (Some(left), Some(right)) = (
                current.child_by_field_id(crate::field!("left")),
                current.child_by_field_id(crate::field!("right")),
            ) else {
                return;
            };
            targets.push(left);
            current = unwrap_parens(right);
        }
        if targets.is_empty() {
            return;
        }
        let is_void_0 = self.text(current).replace(' ', "") == "void0";
        for target in targets {
            match self.text(target).replace(char::is_whitespace, "").as_str() {
                "module.exports" => {
                    if current.kind() == "object" {
                        whole.push(Some(ExportedValue::Object(self.object_members(current))));
                    } else {
                        whole.push(self.value(current));
                    }
                }
                _ => {
                    let Some(name) = commonjs_export_name(self.source, target) else {
                        continue;
                    };
                    if !is_void_0 {
                        let value = self.value(current);
                        named.entry(name.to_owned()).or_default().push(value);
                    }
                }
            }
        }
    }

    /// The members of `module.exports = { ... }` that are known.
    fn object_members(&self, object: Node<'t>) -> BTreeMap<String, ExportedValue> {
        let mut members = BTreeMap::new();
        let mut cursor = object.walk();
        for member in object.named_children(&mut cursor) {
            let (key, value) = match member.kind() {
                "shorthand_property_identifier" => (member, self.value(member)),
                "pair" => match (
                    member.child_by_field_id(crate::field!("key")),
                    member.child_by_field_id(crate::field!("value")),
                ) {
                    (Some(key), Some(value)) => (key, self.value(value)),
                    _ => continue,
                },
                "method_definition" => match member.child_by_field_id(crate::field!("name")) {
                    Some(name) => (name, self.function_value(member)),
                    None => continue,
                },
                // A spread may overwrite what came before it.
                "spread_element" => {
                    members.clear();
                    continue;
                }
                _ => continue,
            };
            if key.kind() == "computed_property_name" {
                continue;
            }
            let key = self.text(key).trim_matches(|c| c == '\'' || c == '"');
            match value {
                Some(value) => {
                    members.insert(key.to_owned(), value);
                }
                None => {
                    members.remove(key);
                }
            }
        }
        members
    }

    /// What an exported expression (or declaration) is, when known: a
    /// function whose calls return a native promise, a class, or a name bound
    /// once to one of those.
    fn value(&self, node: Node<'t>) -> Option<ExportedValue> {
        let node = unwrap_parens(node);
        match node.kind() {
            kind if is_function(node) && kind != "method_definition" => self.function_value(node),
            "class_declaration" | "class" => Some(self.class_value(node)),
            "call_expression" | "member_expression" => self.timer_value(node),
            "identifier" | "shorthand_property_identifier" => {
                let declaration = self
                    .declarations()
                    .declaration_of(self.text(node), self.root)?;
                match declaration.kind() {
                    "variable_declarator" => {
                        let value = declaration.child_by_field_id(crate::field!("value"))?;
                        if matches!(unwrap_parens(value).kind(), "identifier") {
                            return None;
                        }
                        self.value(value)
                    }
                    _ => self.value(declaration),
                }
            }
            _ => None,
        }
    }

    /// A function whose calls return a native promise, and whether that
    /// promise can reject as the file's own calls of it are judged: an async
    /// function whose body cannot fail cannot.
    fn function_value(&self, function: Node<'t>) -> Option<ExportedValue> {
        let Some(why) = self.declarations().returns_native_promise(function) else {
            if let Some(package) = self.declarations().returned_package(function) {
                return Some(ExportedValue::PackageFunction {
                    line: Self::line(function),
                    package: package.to_owned(),
                });
            }
            let promises = self.declarations().returned_object_promises(function)?;
            return Some(ExportedValue::ObjectFunction {
                line: Self::line(function),
                promises,
            });
        };
        let rejects = if !is_async_function(function) {
            Rejects::Maybe
        } else if cannot_fail(self.source, function) {
            Rejects::Never
        } else if cannot_fail_given_an_object(self.source, function) {
            Rejects::UnlessGivenAnObject
        } else {
            Rejects::Maybe
        };
        Some(ExportedValue::PromiseFunction {
            why,
            line: Self::line(function),
            rejects,
        })
    }

    /// `promisify(setTimeout)`, `require('timers/promises').setImmediate`:
    /// a promised timer, as the file's facts read one called in place.
    fn timer_value(&self, node: Node<'t>) -> Option<ExportedValue> {
        let text = self.text(node);
        if !text.contains("promisify") && !text.contains("timers/promises") {
            return None;
        }
        let facts = self
            .facts
            .get_or_init(|| AsyncFacts::collect(self.source, self.tree));
        let timer = facts.promised_timer(self.source, node)?;
        Some(ExportedValue::PromiseFunction {
            why: format!("is Node's promised `{}` (`{text}`)", timer.name),
            line: Self::line(node),
            rejects: Rejects::Timer(timer.name.to_owned()),
        })
    }

    fn class_value(&self, class: Node<'t>) -> ExportedValue {
        ExportedValue::Class {
            line: Self::line(class),
            methods: self
                .declarations()
                .own_promise_methods(class)
                .into_iter()
                .map(|(name, why, line)| {
                    (
                        name,
                        ExportedValue::PromiseFunction {
                            why,
                            line: u32::try_from(line).unwrap_or(u32::MAX),
                            // A method's body is not judged here: it may.
                            rejects: Rejects::Maybe,
                        },
                    )
                })
                .collect(),
            extends: self.extends(class).map(Box::new),
        }
    }

    /// The imported class `class` extends, named by the import that binds
    /// it (a name two imports bind is unknown).
    fn extends(&self, class: Node<'t>) -> Option<Extends> {
        let (local, member, hidden) = self.declarations().imported_parent(class)?;
        let bindings = self
            .import_bindings
            .get_or_init(|| import_bindings(self.source, self.tree));
        let mut found = bindings.iter().flat_map(|binding| {
            binding
                .locals
                .iter()
                .filter(|(name, _)| name == local)
                .map(move |(_, binds)| (binding, binds))
        });
        let (binding, binds) = found.next()?;
        if found.next().is_some() {
            return None;
        }
        Some(Extends {
            specifier: binding.specifier.clone(),
            kind: binding.kind,
            binds: binds.clone(),
            member: member.map(str::to_owned),
            hidden,
        })
    }
}

/// `f` in `exports.f` or `module.exports.f`.
fn commonjs_export_name<'s>(source: &'s str, target: Node) -> Option<&'s str> {
    if target.kind() != "member_expression" {
        return None;
    }
    let object = target.child_by_field_id(crate::field!("object"))?;
    let property = target.child_by_field_id(crate::field!("property"))?;
    let object_text: String = source[object.byte_range()]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    (matches!(object_text.as_str(), "exports" | "module.exports")
        && property.kind() == "property_identifier")
        .then(|| &source[property.byte_range()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    fn summary(source: &str) -> ExportSummary {
        export_summary(source, &syntax::parse(source, None))
    }

    fn is_promise_function(value: Option<ExportedValue>) -> bool {
        matches!(value, Some(ExportedValue::PromiseFunction { .. }))
    }

    #[test]
    fn commonjs_exports_of_async_functions_are_listed() {
        let s = summary(
            "\"use strict\";\nexports.run = exports.other = void 0;\nexports.run = run;\nasync function run() {}\nexports.other = 1;\n",
        );
        assert!(is_promise_function(s.export("run")), "{s:?}");
        assert_eq!(s.export("other"), None);
        let s = summary(
            "module.exports = { a: async () => {}, b() { return Promise.resolve(1); }, c: 1 };",
        );
        assert!(is_promise_function(s.export("a")), "{s:?}");
        assert!(is_promise_function(s.export("b")), "{s:?}");
        assert_eq!(s.export("c"), None);
        let s = summary("async function f() {}\nmodule.exports = f;");
        assert!(matches!(
            s.namespace(),
            Some(ExportedValue::PromiseFunction { .. })
        ));
        let s = summary("exports.f = async () => {};\nexports.f = () => 1;");
        assert_eq!(s.export("f"), None, "assigned twice");
        let s = summary("exports.f = async () => {};\nmodule.exports = other;");
        assert_eq!(s.export("f"), None, "module.exports replaced");
    }

    #[test]
    fn es_exports_of_async_functions_and_classes_are_listed() {
        let s = summary(
            "export async function a() {}\nexport const b = async () => {};\nfunction c() { return new Promise(() => {}); }\nexport { c as d };\nexport default async function () {}\nexport class K { async m() {} n() {} }\nexport function e() {}\n",
        );
        for name in ["a", "b", "d", "default"] {
            assert!(is_promise_function(s.export(name)), "{name}: {s:?}");
        }
        assert_eq!(s.export("e"), None);
        assert_eq!(s.export("c"), None);
        let Some(ExportedValue::Class { methods, .. }) = s.export("K") else {
            panic!("{s:?}");
        };
        assert!(methods.contains_key("m") && !methods.contains_key("n"));
    }

    fn rejects(value: Option<ExportedValue>) -> Option<Rejects> {
        match value {
            Some(ExportedValue::PromiseFunction { rejects, .. }) => Some(rejects),
            _ => None,
        }
    }

    #[test]
    fn whether_an_exported_function_can_reject_is_the_files_own_fact() {
        let s = summary(
            "async function drop(x) { try { await x; } catch (e) {} }\n\
             async function save(x) { await x; }\n\
             const wait = async ({ signal }) => { try { await signal; } catch {} };\n\
             function later() { return Promise.resolve(1); }\n\
             module.exports = { drop, save, wait, later };\n",
        );
        assert_eq!(rejects(s.export("drop")), Some(Rejects::Never), "{s:?}");
        assert_eq!(rejects(s.export("save")), Some(Rejects::Maybe));
        assert_eq!(
            rejects(s.export("wait")),
            Some(Rejects::UnlessGivenAnObject)
        );
        // Not async: its body is not judged.
        assert_eq!(rejects(s.export("later")), Some(Rejects::Maybe));
    }

    #[test]
    fn a_function_returning_a_deferred_object_lists_its_promise_member() {
        let s = summary(
            "function withResolvers() {\n  let resolve;\n  const promise = new Promise((r) => { resolve = r; });\n  return { promise, resolve, other: 1 };\n}\nfunction twice(x) {\n  if (x) return { promise: Promise.resolve(1) };\n  return { promise: x };\n}\nmodule.exports = { withResolvers, twice };\n",
        );
        let Some(ExportedValue::ObjectFunction { promises, .. }) = s.export("withResolvers") else {
            panic!("{s:?}");
        };
        assert_eq!(promises.keys().collect::<Vec<_>>(), ["promise"]);
        assert_eq!(s.export("twice"), None, "two returns");
    }

    #[test]
    fn a_function_returning_an_optional_package_names_it() {
        let s = summary(
            "function getSnappy() {\n  try {\n    const value = require('snappy');\n    return value;\n  } catch (error) {\n    return { error };\n  }\n}\nfunction getKerberos() {\n  let k;\n  try { k = require('kerberos'); } catch (e) { k = {}; }\n  return k;\n}\nfunction local() { try { return require('./x'); } catch { return null; } }\nfunction builtin() { try { return require('node:fs'); } catch { return null; } }\nfunction other() { try { require('snappy'); } catch {} return 1; }\nmodule.exports = { getSnappy, getKerberos, local, builtin, other };\n",
        );
        let package = |name: &str| match s.export(name) {
            Some(ExportedValue::PackageFunction { package, .. }) => Some(package),
            _ => None,
        };
        assert_eq!(package("getSnappy").as_deref(), Some("snappy"), "{s:?}");
        assert_eq!(package("getKerberos").as_deref(), Some("kerberos"), "{s:?}");
        for name in ["local", "builtin", "other"] {
            assert_eq!(package(name), None, "{name}: {s:?}");
        }
    }

    #[test]
    fn an_exported_promised_timer_is_a_promise_function_judged_on_its_arguments() {
        let timer = |name: &str| Some(Rejects::Timer(name.to_owned()));
        let s = summary(
            "const { promisify } = require('util');\nconst sleep = promisify(setTimeout);\nmodule.exports = { sleep };\n",
        );
        assert_eq!(rejects(s.export("sleep")), timer("setTimeout"), "{s:?}");
        let s = summary(
            "const util = require('node:util');\nexports.nap = util.promisify(setImmediate);\nexports.later = require('timers/promises').setTimeout;\n",
        );
        assert_eq!(rejects(s.export("nap")), timer("setImmediate"), "{s:?}");
        assert_eq!(rejects(s.export("later")), timer("setTimeout"), "{s:?}");
        let s = summary(
            "import { promisify } from 'util';\nexport const sleep = promisify(setTimeout);\n",
        );
        assert_eq!(rejects(s.export("sleep")), timer("setTimeout"), "{s:?}");
        // Another library's `promisify`, a timer of the file's own, a timer
        // with no promised form: unknown.
        for source in [
            "const { promisify } = require('bluebird');\nexports.sleep = promisify(setTimeout);\n",
            "const { promisify } = require('util');\nfunction setTimeout(f) { f(new Error('x')); }\nexports.sleep = promisify(setTimeout);\n",
            "const { promisify } = require('util');\nexports.tick = promisify(setInterval);\n",
        ] {
            let s = summary(source);
            assert_eq!(s.export("sleep").or(s.export("tick")), None, "{source}: {s:?}");
        }
    }
}
