//! TypeScript as Node 24 runs it: by *type stripping*. Node replaces every
//! type-only range of a `.ts`/`.mts`/`.cts` file with blanks, keeping every
//! position, and refuses the syntax that would need a transform (`enum`,
//! namespaces holding values, parameter properties, `<T>x`). ticklens does the
//! same ([`erase`]) and analyses the erased text with the JavaScript grammar,
//! so every byte offset of a finding is an offset of the original text.
//!
//! The blanks are Node's own (`stripTypeScriptTypes`): a space for each ASCII
//! byte, `\n` and `\r` kept, and for a character of two, three or four UTF-8
//! bytes U+00A0, U+2002 or a space followed by U+FEFF: the same UTF-8 length
//! and the same UTF-16 length, so line and column positions agree too.
//! `tests/typescript.rs` compares [`erase`] with Node 24's stripping.

use std::ops::Range;

use tree_sitter::{Language as Grammar, Node, Parser, Tree};

/// The two TypeScript grammars: `.tsx` files are TypeScript with JSX (Node
/// does not run them; the editor still analyses them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    TypeScript,
    Tsx,
}

impl Dialect {
    pub fn grammar(self) -> Grammar {
        match self {
            Dialect::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Dialect::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        }
    }

    /// A parser set up for this dialect.
    pub fn parser(self) -> Parser {
        let mut parser = Parser::new();
        parser
            .set_language(&self.grammar())
            .expect("the bundled TypeScript grammar matches the tree-sitter runtime");
        parser
    }

    /// Like [`Dialect::parse`], but gives up once `budget` has passed.
    pub fn parse_within(
        self,
        text: &str,
        old: Option<&Tree>,
        budget: std::time::Duration,
    ) -> Option<Tree> {
        super::parse_with_budget(self.parser(), text, old, budget)
    }

    /// Parses `text` with this dialect's grammar.
    pub fn parse(self, text: &str, old: Option<&Tree>) -> Tree {
        self.parser()
            .parse(text, old)
            .expect("parsing without a timeout or cancellation flag always yields a tree")
    }
}

/// Syntax Node refuses to strip, with Node's own words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub range: Range<usize>,
    pub message: String,
}

/// A TypeScript text with its types blanked, byte for byte as long as the original.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Erasure {
    pub text: String,
    /// The first syntax Node refuses in strip-only mode, in document order.
    pub refusal: Option<Refusal>,
}

const ENUM: &str = "TypeScript enum is not supported in strip-only mode";
const NAMESPACE: &str = "TypeScript namespace declaration is not supported in strip-only mode";
const MODULE: &str = "`module` keyword is not supported. Use `namespace` instead.";
const IMPORT_EQUALS: &str =
    "TypeScript import equals declaration is not supported in strip-only mode";
const EXPORT_ASSIGNMENT: &str = "TypeScript export assignment is not supported in strip-only mode";
const PARAMETER_PROPERTY: &str =
    "TypeScript parameter property is not supported in strip-only mode";
const ANGLE_ASSERTION: &str = "The angle-bracket syntax for type assertions, `<T>expr`, is not \
     supported in type strip mode. Instead, use the 'as' syntax: `expr as T`.";

/// Node kinds that are type-only wherever they appear.
const TYPE_ONLY: &[&str] = &[
    "type_annotation",
    "type_arguments",
    "type_parameters",
    "type_predicate_annotation",
    "asserts_annotation",
    "omitting_type_annotation",
    "opting_type_annotation",
    "adding_type_annotation",
    "implements_clause",
    "accessibility_modifier",
    "override_modifier",
];

/// Statements that declare types only.
const TYPE_ONLY_STATEMENTS: &[&str] = &[
    "interface_declaration",
    "type_alias_declaration",
    "ambient_declaration",
    "function_signature",
];

/// Class members that declare types only.
const TYPE_ONLY_MEMBERS: &[&str] = &[
    "index_signature",
    "abstract_method_signature",
    "method_signature",
];

/// Blanks the type-only ranges of `source`, parsed as `tree` by a TypeScript grammar.
pub fn erase(source: &str, tree: &Tree) -> Erasure {
    let mut eraser = Eraser {
        source,
        ranges: Vec::new(),
        semicolons: Vec::new(),
        refusal: None,
    };
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        let descend = eraser.visit(node);
        if let Some(children) = descend {
            stack.extend(children.into_iter().rev());
        }
    }
    Erasure {
        text: eraser.blanked(),
        refusal: eraser.refusal,
    }
}

struct Eraser<'s> {
    source: &'s str,
    ranges: Vec<Range<usize>>,
    /// Erased statements that begin with a `;`, as Node writes one where the
    /// next line would otherwise continue the statement before.
    semicolons: Vec<usize>,
    refusal: Option<Refusal>,
}

impl<'s> Eraser<'s> {
    /// Erases what `node` holds of types; the children to visit next.
    fn visit<'t>(&mut self, node: Node<'t>) -> Option<Vec<Node<'t>>> {
        let kind = node.kind();
        if TYPE_ONLY.contains(&kind) {
            self.ranges.push(node.byte_range());
            return None;
        }
        if TYPE_ONLY_STATEMENTS.contains(&kind) {
            self.erase_statement(node);
            return None;
        }
        if TYPE_ONLY_MEMBERS.contains(&kind) {
            self.erase_member(node);
            return None;
        }
        let mut children = named_and_anonymous(node);
        match kind {
            "enum_declaration" => self.refuse(node, ENUM),
            "module" => self.refuse(node, MODULE),
            "type_assertion" => self.refuse(node, ANGLE_ASSERTION),
            "import_alias" | "import_require_clause" => self.refuse(node, IMPORT_EQUALS),
            "expression_statement"
                if children.first().map(Node::kind) == Some("internal_module") =>
            {
                if holds_types_only(children[0]) {
                    self.erase_statement(node);
                } else {
                    self.refuse(node, NAMESPACE);
                }
                return None;
            }
            "internal_module" => {
                if holds_types_only(node) {
                    self.ranges.push(node.byte_range());
                } else {
                    self.refuse(node, NAMESPACE);
                }
                return None;
            }
            "as_expression" | "satisfies_expression" => {
                // `x as T`: the operator and the type go, the expression stays.
                let operator = children.iter().find(|child| !child.is_named())?;
                self.ranges.push(operator.start_byte()..node.end_byte());
                children.truncate(1);
            }
            "non_null_expression" => {
                if let Some(bang) = children.last().filter(|child| child.kind() == "!") {
                    self.ranges.push(bang.byte_range());
                }
                children.truncate(1);
            }
            "abstract_class_declaration" => self.erase_tokens(&children, &["abstract"]),
            "public_field_definition" => {
                if children
                    .iter()
                    .any(|child| matches!(child.kind(), "declare" | "abstract"))
                {
                    self.erase_member(node);
                    return None;
                }
                self.erase_tokens(&children, &["readonly", "?", "!"]);
            }
            "method_definition" => self.erase_tokens(&children, &["?"]),
            "variable_declarator" => self.erase_tokens(&children, &["!"]),
            "required_parameter" | "optional_parameter" => {
                if children.iter().any(|child| {
                    matches!(
                        child.kind(),
                        "accessibility_modifier" | "override_modifier" | "readonly"
                    )
                }) {
                    self.refuse(node, PARAMETER_PROPERTY);
                }
                let pattern = node.child_by_field_name("pattern");
                if pattern.is_some_and(|pattern| pattern.kind() == "this") {
                    self.erase_with_comma(node);
                    return None;
                }
                self.erase_tokens(&children, &["?"]);
            }
            "import_statement" | "export_statement"
                if children.iter().any(|child| child.kind() == "type") =>
            {
                // `import type …`, `export type { … }`, `export type * from …`.
                self.erase_statement(node);
                return None;
            }
            "export_statement" => {
                if children.iter().any(|child| child.kind() == "=") {
                    self.refuse(node, EXPORT_ASSIGNMENT);
                }
                let declaration = node.child_by_field_name("declaration");
                if declaration.is_some_and(|declaration| {
                    TYPE_ONLY_STATEMENTS.contains(&declaration.kind())
                        || (declaration.kind() == "internal_module"
                            && holds_types_only(declaration))
                }) {
                    self.erase_statement(node);
                    return None;
                }
            }
            "import_specifier" | "export_specifier"
                if children.iter().any(|child| child.kind() == "type") =>
            {
                self.erase_with_comma(node);
                return None;
            }
            _ => {}
        }
        Some(children)
    }

    fn refuse(&mut self, node: Node, message: &str) {
        let earlier = self
            .refusal
            .as_ref()
            .is_some_and(|refusal| refusal.range.start <= node.start_byte());
        if !earlier {
            self.refusal = Some(Refusal {
                range: node.byte_range(),
                message: message.to_owned(),
            });
        }
    }

    /// Erases the anonymous tokens among `children` whose text is one of `tokens`.
    fn erase_tokens(&mut self, children: &[Node], tokens: &[&str]) {
        for child in children {
            if !child.is_named() && tokens.contains(&child.kind()) {
                self.ranges.push(child.byte_range());
            }
        }
    }

    /// Erases a statement, starting it with a `;` where the code after it would
    /// otherwise continue the statement before it (as Node does).
    fn erase_statement(&mut self, node: Node) {
        self.ranges.push(node.byte_range());
        let previous = significant_sibling(node, Node::prev_sibling);
        let next = significant_sibling(node, Node::next_sibling);
        let continues = previous
            .is_some_and(|previous| !self.source[previous.byte_range()].trim_end().ends_with(';'))
            && next.is_some_and(|next| {
                self.source[next.byte_range()].starts_with(['(', '[', '`', '+', '-', '/'])
            });
        if continues && node.end_byte() > node.start_byte() {
            self.semicolons.push(node.start_byte());
        }
    }

    /// Erases a class member and the `;` that ends it.
    fn erase_member(&mut self, node: Node) {
        let end = match node.next_sibling() {
            Some(next) if next.kind() == ";" => next.end_byte(),
            _ => node.end_byte(),
        };
        self.ranges.push(node.start_byte()..end);
    }

    /// Erases a list item and the `,` after it.
    fn erase_with_comma(&mut self, node: Node) {
        let end = match node.next_sibling() {
            Some(next) if next.kind() == "," => next.end_byte(),
            _ => node.end_byte(),
        };
        self.ranges.push(node.start_byte()..end);
    }

    /// The source with every erased range blanked.
    fn blanked(&mut self) -> String {
        self.ranges.sort_by_key(|range| range.start);
        let mut text = String::with_capacity(self.source.len());
        let mut copied = 0;
        for range in &self.ranges {
            let start = range.start.max(copied);
            if range.end <= start {
                continue;
            }
            text.push_str(&self.source[copied..start]);
            blank(&self.source[start..range.end], &mut text);
            copied = range.end;
        }
        text.push_str(&self.source[copied..]);
        for &at in &self.semicolons {
            // The first byte of an erased statement is a blank ASCII space
            // (every statement starts with an ASCII keyword).
            if text.as_bytes().get(at) == Some(&b' ') {
                text.replace_range(at..at + 1, ";");
            }
        }
        text
    }
}

/// Node's blanks for `erased`: the same UTF-8 and UTF-16 length, line breaks kept.
fn blank(erased: &str, out: &mut String) {
    for c in erased.chars() {
        match c {
            '\n' | '\r' => out.push(c),
            _ => match c.len_utf8() {
                1 => out.push(' '),
                2 => out.push('\u{a0}'),
                3 => out.push('\u{2002}'),
                _ => out.push_str(" \u{feff}"),
            },
        }
    }
}

fn named_and_anonymous<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.children(&mut cursor).collect()
}

/// The nearest sibling of `node` in one direction that is no comment.
fn significant_sibling<'t>(
    node: Node<'t>,
    step: impl Fn(&Node<'t>) -> Option<Node<'t>>,
) -> Option<Node<'t>> {
    let mut sibling = step(&node);
    while let Some(current) = sibling {
        if !matches!(current.kind(), "comment" | "html_comment") {
            return Some(current);
        }
        sibling = step(&current);
    }
    None
}

/// Whether a namespace declares types only (Node strips it then, and refuses
/// one that holds a value).
fn holds_types_only(namespace: Node) -> bool {
    types_only_within(namespace, 0)
}

/// Namespaces nested deeper than this are taken to hold values (refused):
/// the check recurses, and a file can nest thousands.
const MAX_NAMESPACE_DEPTH: usize = 64;

fn types_only_within(namespace: Node, depth: usize) -> bool {
    if depth > MAX_NAMESPACE_DEPTH {
        return false;
    }
    let Some(body) = namespace.child_by_field_name("body") else {
        return true;
    };
    let mut cursor = body.walk();
    let statements: Vec<Node> = body.named_children(&mut cursor).collect();
    statements.into_iter().all(|statement| {
        let statement = match statement.kind() {
            "export_statement" => match statement.child_by_field_name("declaration") {
                Some(declaration) => declaration,
                None => return false,
            },
            "expression_statement" => match statement.named_child(0) {
                Some(inner) => inner,
                None => return false,
            },
            _ => statement,
        };
        match statement.kind() {
            "comment" | "html_comment" | "empty_statement" => true,
            "internal_module" => types_only_within(statement, depth + 1),
            kind => TYPE_ONLY_STATEMENTS.contains(&kind),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn erased(source: &str) -> String {
        let tree = Dialect::TypeScript.parse(source, None);
        erase(source, &tree).text
    }

    fn refused(source: &str) -> String {
        let tree = Dialect::TypeScript.parse(source, None);
        erase(source, &tree).refusal.expect("refused").message
    }

    // Each expected text is what Node 24.11.1's `stripTypeScriptTypes` returns.
    #[test]
    fn annotations_generics_and_assertions_become_blanks() {
        assert_eq!(
            erased("function f<T>(a: T, b?: number): Promise<T> { return g(a as T)!; }"),
            "function f   (a   , b         )             { return g(a     ) ; }"
        );
        assert_eq!(
            erased("let v = f<number>(1) satisfies Promise<number>;"),
            "let v = f        (1)                          ;"
        );
        assert_eq!(
            erased("let a = async (x: number): Promise<void> => {};"),
            "let a = async (x        )                => {};"
        );
    }

    #[test]
    fn type_only_declarations_and_imports_become_blanks() {
        assert_eq!(erased("interface I { x: number }"), " ".repeat(25));
        assert_eq!(
            erased("import { type X, Y } from './x';"),
            "import {         Y } from './x';"
        );
        assert_eq!(erased("export type { X } from './x';"), " ".repeat(29));
        assert_eq!(
            erased("let a = 1\ninterface I {}\n[1].map(f)"),
            "let a = 1\n;             \n[1].map(f)"
        );
    }

    #[test]
    fn class_members_lose_their_modifiers_and_signatures() {
        assert_eq!(
            erased("abstract class A { abstract x: number; protected abstract m(): void; }"),
            "         class A {                                                   }"
        );
        assert_eq!(
            erased(
                "class C implements I { private readonly x!: number; declare y: string; m?() {} }"
            ),
            "class C              {                  x         ;                    m () {} }"
        );
        assert_eq!(
            erased("function g(this: Window, a) {}"),
            "function g(              a) {}"
        );
    }

    #[test]
    fn multibyte_characters_become_blanks_of_the_same_lengths() {
        assert_eq!(
            erased("let x: 'é€😀' = 1;"),
            "let x   \u{a0}\u{2002} \u{feff}  = 1;"
        );
    }

    #[test]
    fn syntax_that_needs_a_transform_is_refused_with_nodes_words() {
        assert_eq!(refused("enum E { A }"), ENUM);
        assert_eq!(refused("namespace N { export const x = 1 }"), NAMESPACE);
        assert_eq!(
            refused("class A { constructor(private x: number) {} }"),
            PARAMETER_PROPERTY
        );
        assert_eq!(refused("let y = <number>1;"), ANGLE_ASSERTION);
        assert_eq!(refused("import x = require('x');"), IMPORT_EQUALS);
        assert_eq!(erased("namespace N { export type T = 1 }"), " ".repeat(33));
    }
}
