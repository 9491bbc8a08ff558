//! Parsing JavaScript with tree-sitter, and the queries the analysis runs.

pub mod index;
pub mod queries;

pub use index::SyntaxIndex;

pub use queries::QueryFile;

use tree_sitter::{Language, Node, Parser, Tree};

/// The JavaScript grammar (which also covers JSX).
pub fn language() -> Language {
    tree_sitter_javascript::LANGUAGE.into()
}

/// A parser set up for JavaScript.
pub fn parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&language())
        .expect("the bundled grammar matches the tree-sitter runtime");
    parser
}

/// Parses `text`, reusing the unchanged parts of `old` when given (`old` must
/// already have been edited to match `text`).
pub fn parse(text: &str, old: Option<&Tree>) -> Tree {
    parser()
        .parse(text, old)
        .expect("parsing without a timeout or cancellation flag always yields a tree")
}

/// The part of `node`'s line before it, from the line's start: O(1) to find,
/// since tree-sitter knows the byte column. tree-sitter ends rows at `\n` only;
/// a lone `\r` also ends a line for editors, so the text after the last one counts.
pub fn line_prefix<'s>(source: &'s str, node: Node) -> &'s str {
    let start = node.start_byte();
    let prefix = &source[start - node.start_position().column..start];
    match prefix.rfind('\r') {
        Some(i) => &prefix[i + 1..],
        None => prefix,
    }
}

/// The spaces and tabs that start `node`'s line: the indentation a fix
/// writes its new lines with.
pub fn line_indent<'s>(source: &'s str, node: Node) -> &'s str {
    let prefix = line_prefix(source, node);
    let end = prefix
        .find(|c: char| c != ' ' && c != '\t')
        .unwrap_or(prefix.len());
    &prefix[..end]
}
