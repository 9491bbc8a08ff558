//! ticklens's type erasure of TypeScript files, for comparing with Node 24's
//! `stripTypeScriptTypes` on a corpus (scripts/ts-parse-truth.sh).
//!
//!     cargo run --release -p ticklens --example ts_erase < paths.txt
//!
//! Reads one path a line (`.ts`/`.mts`/`.cts`/`.tsx`) and prints a JSON line per file:
//! `{"path", "erased"}` or `{"path", "refused"}` (Node's words), and `"tree_error"`,
//! the first byte of an error or missing node in the TypeScript tree, when there is one, and
//! `"triggered"`: the rules whose trigger words the erased text holds in their roles, with
//! `"triggered_as_written"`, those the text as written may (which must hold every one of them).
//! With `--tree`, also `"tree"`: the TypeScript tree as an S-expression.

use std::io::{BufRead, Write};

use ticklens::syntax::typescript::{erase_as_node, Dialect};
use tree_sitter::Node;

fn first_error(node: Node) -> Option<usize> {
    if !node.has_error() {
        return None;
    }
    if node.is_error() || node.is_missing() {
        return Some(node.start_byte());
    }
    let mut cursor = node.walk();
    let children: Vec<Node> = node.children(&mut cursor).collect();
    children.into_iter().find_map(first_error)
}

fn main() {
    let with_tree = std::env::args().any(|arg| arg == "--tree");
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for path in std::io::stdin().lock().lines() {
        let path = path.expect("stdin is text");
        let Ok(source) = std::fs::read_to_string(&path) else {
            continue;
        };
        let dialect = if path.ends_with(".tsx") {
            Dialect::Tsx
        } else {
            Dialect::TypeScript
        };
        let tree = dialect.parse(&source, None);
        let erasure = erase_as_node(&source, dialect, &tree);
        let mut line = serde_json::json!({ "path": path });
        let codes = |rules: Vec<&dyn ticklens::rules::Rule>| -> Vec<&str> {
            rules.into_iter().map(|rule| rule.meta().code).collect()
        };
        line["triggered_as_written"] = codes(ticklens::rules::triggered_as_written(
            &source,
            ticklens::rules::ALL,
        ))
        .into();
        match erasure.refusal {
            Some(refusal) => line["refused"] = refusal.message.into(),
            None => {
                line["triggered"] = codes(ticklens::rules::triggered(
                    &erasure.text,
                    ticklens::rules::ALL,
                ))
                .into();
                line["erased"] = erasure.text.into();
            }
        }
        if with_tree {
            line["tree"] = tree.root_node().to_sexp().into();
        }
        if let Some(at) = first_error(tree.root_node()) {
            line["tree_error"] = at.into();
        }
        writeln!(out, "{line}").expect("stdout is open");
    }
}
