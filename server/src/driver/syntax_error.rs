//! The first syntax error of a document, as a finding of its own code
//! (`syntax-error`, always an error): `check` exits 1 on it and the editor
//! shows it, where a file that does not parse would otherwise pass in silence.
//!
//! Only the first is reported, as ESLint does: after it, tree-sitter's error
//! recovery guesses, and the errors it finds further on are often artefacts of
//! its guess. It is no rule: no config level or suppression comment can hide
//! it, since Node refuses the whole file.

use tree_sitter::{Node, Tree};

use crate::findings::{Finding, Severity, SYNTAX_ERROR};
use crate::syntax::{Prepared, Refusal};

/// The first reason Node will not run a prepared file: for TypeScript, a
/// syntax error of the TypeScript grammar, else syntax Node refuses to strip
/// (in Node's words); then a syntax error of the text the analysis reads.
pub fn first_reason(source: &str, prepared: &Prepared) -> Option<Finding> {
    typescript_error(source, prepared)
        .or_else(|| syntax_error(prepared.text(source), &prepared.tree))
}

/// What stops Node before it erases a TypeScript file's types: a syntax error
/// of the TypeScript grammar, else the first syntax Node refuses to strip.
/// `None` for JavaScript.
pub fn typescript_error(source: &str, prepared: &Prepared) -> Option<Finding> {
    let tree = prepared.typescript.as_ref()?;
    refused(source, tree, prepared.refusal.as_ref())
}

/// A TypeScript source's syntax error, in `tree` (its TypeScript parse), else
/// the syntax Node refuses to strip, `refusal`.
pub fn refused(source: &str, tree: &Tree, refusal: Option<&Refusal>) -> Option<Finding> {
    syntax_error(source, tree).or_else(|| {
        let refusal = refusal?;
        Some(Finding {
            rule: SYNTAX_ERROR,
            severity: Severity::Error,
            message: format!("Node will not run this file: {}", refusal.message),
            range: refusal.range.clone(),
            fixes: Vec::new(),
        })
    })
}

/// The first place in document order where `tree` could not be parsed.
pub fn syntax_error(source: &str, tree: &Tree) -> Option<Finding> {
    let root = tree.root_node();
    if !root.has_error() {
        return None;
    }
    let node = first_error(root)?;
    let (range, what) = if node.is_missing() {
        // An inserted token: empty, where the token was expected.
        let at = node.start_byte();
        (
            at..at,
            format!("a syntax error here (`{}` missing?)", node.kind()),
        )
    } else {
        // The tokens the parser skipped. Where V8 stops is at or near the
        // first of them, not always on it: tree-sitter's recovery may skip a
        // token before the one V8 rejects (`=` in `const x = ;`, where V8
        // rejects `;`), so the message says "at or near".
        let first = first_leaf(node);
        let range = first.byte_range();
        match source.get(range.clone()).map(str::trim) {
            Some(token) if !token.is_empty() => (
                range,
                format!("a syntax error at or near `{}`", brief(token)),
            ),
            _ => (range, "a syntax error at the end of the file".to_owned()),
        }
    };
    Some(Finding {
        rule: SYNTAX_ERROR,
        severity: Severity::Error,
        message: format!("Node will not run this file: {what}"),
        range,
        fixes: Vec::new(),
    })
}

/// The first ERROR or MISSING node in document order, found without recursion
/// (a tree can be 50,000 levels deep), entering only subtrees that hold one.
fn first_error(root: Node) -> Option<Node> {
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            return Some(node);
        }
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return None;
            }
        }
    }
}

/// The first token under `node` (itself when it has no children).
fn first_leaf(node: Node) -> Node {
    let mut leaf = node;
    while let Some(child) = leaf.child(0) {
        leaf = child;
    }
    leaf
}

/// A token as quoted in the message: one line, at most 30 characters.
fn brief(token: &str) -> String {
    let line = token.lines().next().unwrap_or_default();
    match line.char_indices().nth(30) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None if line.len() < token.len() => format!("{line}..."),
        None => line.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    /// The message's `what` part and the highlighted text of `source`'s syntax error.
    fn error(source: &str) -> Option<(String, String)> {
        let tree = syntax::parse(source, None);
        syntax_error(source, &tree).map(|finding| {
            let what = finding
                .message
                .trim_start_matches("Node will not run this file: ")
                .to_owned();
            (what, source[finding.range].to_owned())
        })
    }

    #[test]
    fn a_file_that_parses_has_none() {
        assert_eq!(error("const x = await f();\nlet y = x ?? 1;\n"), None);
    }

    #[test]
    fn the_first_skipped_token_is_named_and_highlighted() {
        // tree-sitter skips `=` here; V8 rejects the `;` after it: "near".
        let (what, text) = error("const broken = ;\n").expect("a syntax error");
        assert_eq!(
            (what.as_str(), text.as_str()),
            ("a syntax error at or near `=`", "=")
        );
        let source = "async function load(db, id) {\n  const row = await db.get(id);\n  return row;\n}\n\nconst broken = ;\nconsole.log(1);\n";
        let (what, text) = error(source).expect("a syntax error");
        assert_eq!(
            (what.as_str(), text.as_str()),
            ("a syntax error at or near `;`", ";")
        );
    }

    #[test]
    fn a_missing_token_is_reported_where_it_was_expected() {
        let source = "function f() {\n  g(1;\n}\n";
        let tree = syntax::parse(source, None);
        let finding = syntax_error(source, &tree).expect("a syntax error");
        assert_eq!(finding.severity, Severity::Error);
        assert_eq!(finding.rule, SYNTAX_ERROR);
        assert!(
            finding.range.start > source.find("g(").unwrap(),
            "{finding:?}"
        );
    }

    #[test]
    fn long_tokens_are_cut_to_one_short_line() {
        assert_eq!(brief("`a\nb`"), "`a...");
        assert_eq!(brief(&"x".repeat(40)), format!("{}...", "x".repeat(30)));
    }
}
