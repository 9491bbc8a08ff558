//! Parsing JavaScript with tree-sitter, and the queries the analysis runs.

pub mod index;
pub mod queries;

pub use index::SyntaxIndex;

pub use queries::QueryFile;

use tree_sitter::{Language, Parser, Tree};

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
