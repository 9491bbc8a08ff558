//! Which imported names the rules may trust: a file's facts resolve names
//! without scopes, so an imported promise function counts only where the
//! file binds its name once, by the import itself, and never writes it. Read
//! from the text's occurrences of the few imported names, not a walk of the
//! whole tree.

use std::collections::{BTreeMap, BTreeSet};

use tree_sitter::{Node, Tree};

use super::{ExportedValue, ImportedNames, Rejects};

/// The imported names whose calls certainly return a native promise, for the
/// file's facts (`AsyncFacts::add_imported`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ImportedPromises {
    /// Functions, by local name.
    pub functions: BTreeSet<String>,
    /// Functions held by an imported object, as `"local.member"`.
    pub members: BTreeSet<String>,
    /// Classes, by local name, with their methods whose calls do.
    pub classes: BTreeMap<String, BTreeSet<String>>,
    /// The functions and members (as above) whose calls cannot reject
    /// ([`Rejects::Never`]).
    pub never_reject: BTreeSet<String>,
    /// The functions that may reject only by destructuring their first
    /// parameter ([`Rejects::UnlessGivenAnObject`]).
    pub without_options: BTreeSet<String>,
    /// The functions and members that are promised timers, with the timer's
    /// name ([`Rejects::Timer`]).
    pub timers: BTreeMap<String, String>,
    /// The file's own functions and members (as above) whose every call the
    /// file's TypeScript declares to return `Promise<T>`, with the
    /// declaration (`DeclaredPromise::why`).
    pub declared: BTreeMap<String, String>,
    /// The async functions passed where the file's TypeScript declares a
    /// `void`-returning callback.
    pub void_callbacks: Vec<crate::analysis::declared_types::VoidCallback>,
}

impl ImportedPromises {
    pub fn is_empty(&self) -> bool {
        self.functions.is_empty()
            && self.members.is_empty()
            && self.classes.is_empty()
            && self.void_callbacks.is_empty()
    }

    /// Records whether the function or member `key` can reject. A member
    /// called with options is taken to be able to (the file's facts read
    /// that condition for a function's name only).
    fn note_rejects(&mut self, key: &str, rejects: &Rejects, is_function: bool) {
        match rejects {
            Rejects::Maybe => {}
            Rejects::Never => {
                self.never_reject.insert(key.to_owned());
            }
            Rejects::UnlessGivenAnObject => {
                if is_function {
                    self.without_options.insert(key.to_owned());
                }
            }
            Rejects::Timer(timer) => {
                self.timers.insert(key.to_owned(), timer.clone());
            }
        }
    }
}

/// The names of `imports` that `source` binds only by their import.
pub fn imported_promises(source: &str, tree: &Tree, imports: &ImportedNames) -> ImportedPromises {
    let mut found = ImportedPromises::default();
    for (local, imported) in &imports.names {
        if !bound_once(source, tree, local) {
            continue;
        }
        match &imported.value {
            ExportedValue::PromiseFunction { rejects, .. } => {
                found.functions.insert(local.clone());
                found.note_rejects(local, rejects, true);
            }
            ExportedValue::Object(members) => {
                for (member, value) in members {
                    if let ExportedValue::PromiseFunction { rejects, .. } = value {
                        let qualified = format!("{local}.{member}");
                        found.note_rejects(&qualified, rejects, false);
                        found.members.insert(qualified);
                    }
                }
            }
            ExportedValue::Class { methods, .. } => {
                let methods = methods
                    .iter()
                    .filter(|(_, value)| matches!(value, ExportedValue::PromiseFunction { .. }))
                    .map(|(method, _)| method.clone())
                    .collect();
                found.classes.insert(local.clone(), methods);
            }
            // Its calls give objects, not promises.
            ExportedValue::ObjectFunction { .. } | ExportedValue::PackageFunction { .. } => {}
        }
    }
    for (callee, declared) in imports.declared.promise_callees() {
        // An imported name is the exporting file's to decide.
        let local = callee.split('.').next().unwrap_or(callee);
        if imports.names.contains_key(local) {
            continue;
        }
        match callee.contains('.') {
            true => found.members.insert(callee.clone()),
            false => found.functions.insert(callee.clone()),
        };
        found.declared.insert(callee.clone(), declared.why());
    }
    found.void_callbacks = imports.declared.void_callbacks().to_vec();
    found
}

fn is_identifier_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Whether `name` occurs exactly once where it is bound or written (the
/// import), and everywhere else only where it is read or inside a string or
/// comment. An occurrence in a place not known to read it counts as a
/// binding: unsure, the name is not trusted.
fn bound_once(source: &str, tree: &Tree, name: &str) -> bool {
    let root = tree.root_node();
    let mut bindings = 0;
    for (start, _) in source.match_indices(name) {
        let end = start + name.len();
        let before = source[..start].chars().next_back();
        let after = source[end..].chars().next();
        if before.is_some_and(is_identifier_char) || after.is_some_and(is_identifier_char) {
            continue;
        }
        let Some(node) = root.descendant_for_byte_range(start, end) else {
            return false;
        };
        if node.byte_range() != (start..end) {
            if in_text(node) {
                continue;
            }
            return false;
        }
        match node.kind() {
            "property_identifier" | "shorthand_property_identifier" | "statement_identifier" => {}
            "identifier" if is_read(node) => {}
            _ => bindings += 1,
        }
        if bindings > 1 {
            return false;
        }
    }
    bindings == 1
}

/// Whether `node` lies in a comment, a string or a regular expression.
fn in_text(node: Node) -> bool {
    let mut current = Some(node);
    while let Some(n) = current {
        if matches!(
            n.kind(),
            "comment" | "string" | "template_string" | "regex" | "string_fragment"
        ) {
            return true;
        }
        current = n.parent();
    }
    false
}

/// Whether the identifier `node` is read where it stands (not bound, not
/// written).
fn is_read(node: Node) -> bool {
    let Some(parent) = node.parent() else {
        return false;
    };
    let is_field = |field: u16| parent.child_by_field_id(field) == Some(node);
    match parent.kind() {
        "call_expression"
        | "new_expression"
        | "arguments"
        | "await_expression"
        | "return_statement"
        | "expression_statement"
        | "binary_expression"
        | "unary_expression"
        | "ternary_expression"
        | "array"
        | "spread_element"
        | "parenthesized_expression"
        | "template_substitution"
        | "export_specifier"
        | "sequence_expression"
        | "pair"
        | "subscript_expression"
        | "yield_expression" => true,
        "member_expression" => is_field(crate::field!("object")),
        "variable_declarator" => is_field(crate::field!("value")),
        "assignment_expression" => is_field(crate::field!("right")),
        "arrow_function" => is_field(crate::field!("body")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::modules::Imported;
    use crate::syntax;

    fn imports(names: &[(&str, ExportedValue)]) -> ImportedNames {
        let mut imports = ImportedNames::default();
        for (name, value) in names {
            let imported = Imported {
                specifier: "./a".to_owned(),
                value: value.clone(),
            };
            imports.names.insert((*name).to_owned(), imported);
        }
        imports
    }

    fn function() -> ExportedValue {
        ExportedValue::PromiseFunction {
            why: "is an async function".to_owned(),
            line: 1,
            rejects: Rejects::Maybe,
        }
    }

    fn trusted(source: &str) -> BTreeSet<String> {
        let tree = syntax::parse(source, None);
        let names = imports(&[("save", function())]);
        imported_promises(source, &tree, &names).functions
    }

    #[test]
    fn a_name_bound_only_by_its_import_is_trusted() {
        let read = "const { save } = require('./a');\n// save\nsave();\nawait save(`${save}`);\nx.save = 1;\nexport { save };\n";
        assert_eq!(trusted(read).len(), 1, "{read}");
        for shadowed in [
            "const { save } = require('./a');\nfunction f(save) { save(); }\n",
            "const { save } = require('./a');\nsave = other;\nsave();\n",
            "const { save } = require('./a');\nfunction g() { const save = 1; }\n",
            "import { save } from './a';\nconst { save: s, ...save } = x;\n",
            "save();\n",
        ] {
            assert!(trusted(shadowed).is_empty(), "{shadowed}");
        }
    }

    #[test]
    fn objects_and_classes_bring_their_promise_functions() {
        let source = "const a = require('./a');\nconst { Repo } = require('./a');\na.save();\n";
        let tree = syntax::parse(source, None);
        let mut methods = BTreeMap::new();
        methods.insert("load".to_owned(), function());
        let names = imports(&[
            (
                "a",
                ExportedValue::Object(BTreeMap::from([("save".to_owned(), function())])),
            ),
            (
                "Repo",
                ExportedValue::Class {
                    line: 1,
                    methods,
                    extends: None,
                },
            ),
        ]);
        let found = imported_promises(source, &tree, &names);
        assert_eq!(found.members, BTreeSet::from(["a.save".to_owned()]));
        assert_eq!(
            found.classes.get("Repo"),
            Some(&BTreeSet::from(["load".to_owned()]))
        );
    }
}
