//! Top-level units: the pieces of a document the rules examine one at a time,
//! so that an edit re-examines only the piece it touched.
//!
//! A unit is one top-level declaration of a function or class (also when
//! exported, or bound by `const f = async () => {}`), or a maximal run of the
//! other top-level statements between them. Runs are kept together because
//! rules read neighbouring statements (two top-level `await`s in a row are one
//! `sequential-awaits` finding); declarations stand alone because that is
//! where the code, and the typing, is.

use std::hash::{Hash, Hasher};
use std::ops::Range;

use tree_sitter::{Node, Tree};

/// One unit: the top-level nodes it spans and a key for its content.
#[derive(Clone, Debug)]
pub struct Unit<'t> {
    /// The unit's top-level nodes, in order (one for a declaration).
    pub nodes: Vec<Node<'t>>,
    /// A syntax error lies in the unit, or the whole document failed to parse
    /// as a program (then its root is an error node).
    pub has_error: bool,
    /// A hash of everything the rules' findings in this unit can depend on
    /// besides the file's facts: the unit's text and the text before it on its
    /// first line (indentation that fixes copy).
    pub key: u64,
}

impl Unit<'_> {
    pub fn range(&self) -> Range<usize> {
        let first = self.nodes.first().map_or(0, |n| n.start_byte());
        let last = self.nodes.last().map_or(first, |n| n.end_byte());
        first..last
    }
}

/// The units of `tree`, in document order. Comments between units belong to no unit.
pub fn units<'t>(source: &str, tree: &'t Tree) -> Vec<Unit<'t>> {
    let root = tree.root_node();
    let broken = root.kind() != "program";
    let mut units = Vec::new();
    let mut run: Vec<Node<'t>> = Vec::new();
    let mut lines = LineStarts::default();
    let mut cursor = root.walk();
    for node in root.named_children(&mut cursor) {
        if node.kind() == "comment" {
            continue;
        }
        if is_declaration(node) {
            if !run.is_empty() {
                units.push(unit(source, &mut lines, std::mem::take(&mut run), broken));
            }
            units.push(unit(source, &mut lines, vec![node], broken));
        } else {
            run.push(node);
        }
    }
    if !run.is_empty() {
        units.push(unit(source, &mut lines, run, broken));
    }
    units
}

/// The start of the line holding each unit, found in one forward scan over
/// the file as the units come in order (`\n`, `\r\n` and a lone `\r` end lines):
/// searching back from every unit made many units on one long line quadratic.
#[derive(Default)]
struct LineStarts {
    scanned_to: usize,
    line_start: usize,
}

impl LineStarts {
    fn line_start_of(&mut self, source: &str, offset: usize) -> usize {
        let bytes = &source.as_bytes()[self.scanned_to..offset];
        if let Some(i) = bytes.iter().rposition(|&b| b == b'\n' || b == b'\r') {
            self.line_start = self.scanned_to + i + 1;
        }
        self.scanned_to = offset;
        self.line_start
    }
}

fn unit<'t>(source: &str, lines: &mut LineStarts, nodes: Vec<Node<'t>>, broken: bool) -> Unit<'t> {
    let start = nodes.first().map_or(0, |n| n.start_byte());
    let end = nodes.last().map_or(start, |n| n.end_byte());
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    source[start..end].hash(&mut hasher);
    // What a unit's findings may depend on outside its text: the indentation
    // its fixes write and its first column. Only these are hashed, never the
    // whole line before it (on a 1 MB line that made keying quadratic).
    let prefix = &source[lines.line_start_of(source, start)..start];
    let indent = prefix
        .find(|c: char| c != ' ' && c != '\t')
        .unwrap_or(prefix.len());
    prefix[..indent].hash(&mut hasher);
    prefix.len().hash(&mut hasher);
    Unit {
        has_error: broken || nodes.iter().any(|n| n.has_error()),
        nodes,
        key: hasher.finish(),
    }
}

/// A top-level function or class declaration, possibly exported, or a
/// `const`/`let`/`var` whose every initializer is a function or class.
fn is_declaration(node: Node) -> bool {
    let node = match node.kind() {
        "export_statement" => match node.child_by_field_id(crate::field!("declaration")) {
            Some(declaration) => declaration,
            None => return false,
        },
        _ => node,
    };
    match node.kind() {
        "function_declaration" | "generator_function_declaration" | "class_declaration" => true,
        "lexical_declaration" | "variable_declaration" => {
            let mut cursor = node.walk();
            let mut declarators = node
                .named_children(&mut cursor)
                .filter(|child| child.kind() == "variable_declarator")
                .peekable();
            declarators.peek().is_some()
                && declarators.all(|declarator| {
                    declarator
                        .child_by_field_id(crate::field!("value"))
                        .is_some_and(|value| {
                            matches!(
                                value.kind(),
                                "arrow_function" | "function_expression" | "class"
                            )
                        })
                })
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    fn unit_texts(source: &str) -> Vec<&str> {
        let tree = syntax::parse(source, None);
        units(source, &tree)
            .iter()
            .map(|unit| &source[unit.range()])
            .collect()
    }

    #[test]
    fn declarations_stand_alone_and_other_statements_run_together() {
        let source = "import x from 'x';\nconst a = await f();\nconst b = await g();\n\
                      async function h() { await a; }\n// note\nexport class C {}\n\
                      const k = async () => 1;\nk();\nh();\n";
        assert_eq!(
            unit_texts(source),
            vec![
                "import x from 'x';\nconst a = await f();\nconst b = await g();",
                "async function h() { await a; }",
                "export class C {}",
                "const k = async () => 1;",
                "k();\nh();",
            ]
        );
    }

    #[test]
    fn the_key_follows_the_text_not_the_position() {
        let tree_a = syntax::parse("f();\nasync function g() {}\n", None);
        let tree_b = syntax::parse("f(); f();\n\nasync function g() {}\n", None);
        let a = units("f();\nasync function g() {}\n", &tree_a);
        let b = units("f(); f();\n\nasync function g() {}\n", &tree_b);
        assert_eq!(
            a[1].key, b[1].key,
            "the declaration moved but did not change"
        );
        assert_ne!(a[0].key, b[0].key);
    }

    #[test]
    fn the_key_sees_text_before_the_unit_on_its_line() {
        let one = "x;\nasync function g() {}\n";
        let two = "x;  async function g() {}\n";
        let (tree_one, tree_two) = (syntax::parse(one, None), syntax::parse(two, None));
        assert_ne!(units(one, &tree_one)[1].key, units(two, &tree_two)[1].key);
    }
}
