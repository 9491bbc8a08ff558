//! The file's async facts, kept per top-level statement across versions of a
//! document. The facts hold no positions and a file's are the union of its
//! parts' ([`AsyncFacts::merge`], as the findings' analysis merges its
//! units'), so a statement whose text is unchanged gives its facts back
//! packed, and only the edited statement is walked again: the walk of the
//! whole file (its index of every node) was a tenth of an insights
//! computation after an edit.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use tree_sitter::Tree;

use crate::analysis::source_facts::{AsyncFacts, CompactFacts};
use crate::syntax::{queries, SyntaxIndex};

/// One version's facts per statement, for the next.
#[derive(Default)]
pub(super) struct StatementFacts {
    previous: HashMap<StatementKey, CompactFacts>,
    /// Statements whose facts the last computation walked for.
    pub last_collected: usize,
}

/// A statement's node kind and text, hashed twice with different prefixes.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
struct StatementKey(u64, u64);

impl StatementKey {
    fn of(kind: &str, text: &str) -> StatementKey {
        let hash = |seed: u8| {
            let mut hasher = DefaultHasher::new();
            seed.hash(&mut hasher);
            kind.hash(&mut hasher);
            text.hash(&mut hasher);
            hasher.finish()
        };
        StatementKey(hash(0), hash(1))
    }
}

impl StatementFacts {
    /// The facts of `tree`: each top-level statement's from the previous
    /// version when its text is unchanged, merged in the file's order. A
    /// tree with a syntax error is read whole, and what was kept stays for
    /// the next version (the same text can parse differently in another
    /// context, so nothing of it is kept).
    pub(super) fn facts(&mut self, source: &str, tree: &Tree) -> AsyncFacts {
        let root = tree.root_node();
        if root.kind() != "program" || root.has_error() {
            self.last_collected = 1;
            return AsyncFacts::collect(source, tree);
        }
        let mut current: HashMap<StatementKey, CompactFacts> = HashMap::new();
        let mut facts = AsyncFacts::default();
        let mut collected = 0;
        let mut cursor = root.walk();
        for statement in root.named_children(&mut cursor) {
            if statement.kind() == "comment" {
                continue;
            }
            let key = StatementKey::of(statement.kind(), &source[statement.byte_range()]);
            let known = self
                .previous
                .remove(&key)
                .or_else(|| current.get(&key).cloned());
            let packed = known.unwrap_or_else(|| {
                collected += 1;
                let index = SyntaxIndex::spanning(&[statement], queries::shared());
                AsyncFacts::from_index(source, &index).compact()
            });
            facts.merge_compact(&packed);
            current.insert(key, packed);
        }
        self.previous = current;
        self.last_collected = collected;
        facts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROGRAM: &str = "const fs = require('fs');
async function save(x) { await fs.promises.writeFile('a', x); }
class Repo { async load() { return 1; } plain() {} }
const repo = new Repo();
function sync() { return 1; }
async function main() { await save(1); await repo.load(); }
main();
";

    fn facts_of(source: &str, kept: &mut StatementFacts) -> AsyncFacts {
        kept.facts(source, &crate::syntax::parse(source, None))
    }

    #[test]
    fn merged_statements_answer_as_the_whole_file_walk() {
        let tree = crate::syntax::parse(PROGRAM, None);
        let merged = StatementFacts::default().facts(PROGRAM, &tree);
        let whole = AsyncFacts::collect(PROGRAM, &tree);
        assert_eq!(merged.fingerprint(), whole.fingerprint());
    }

    #[test]
    fn an_edit_inside_one_statement_walks_that_statement_only() {
        let mut kept = StatementFacts::default();
        facts_of(PROGRAM, &mut kept);
        assert_eq!(kept.last_collected, 7, "every statement, the first time");
        let edited = PROGRAM.replace("return 1; }\n", "return 12; }\n");
        let reused = facts_of(&edited, &mut kept);
        assert_eq!(kept.last_collected, 1);
        let fresh = facts_of(&edited, &mut StatementFacts::default());
        assert_eq!(reused.fingerprint(), fresh.fingerprint());
        // Making `sync` async changes the file's facts; the cache follows.
        let now_async = edited.replace("function sync()", "async function sync()");
        let reused = facts_of(&now_async, &mut kept);
        assert_eq!(kept.last_collected, 1);
        let fresh = facts_of(&now_async, &mut StatementFacts::default());
        assert_eq!(reused.fingerprint(), fresh.fingerprint());
        assert!(reused.is_async_function_name("sync"));
    }

    #[test]
    fn a_syntax_error_reads_the_whole_file_and_keeps_the_statements() {
        let mut kept = StatementFacts::default();
        facts_of(PROGRAM, &mut kept);
        let broken = PROGRAM.replace("main();", "main(;");
        let facts = facts_of(&broken, &mut kept);
        let tree = crate::syntax::parse(&broken, None);
        assert_eq!(
            facts.fingerprint(),
            AsyncFacts::collect(&broken, &tree).fingerprint()
        );
        facts_of(PROGRAM, &mut kept);
        assert_eq!(kept.last_collected, 0, "the statements before the error");
    }
}
