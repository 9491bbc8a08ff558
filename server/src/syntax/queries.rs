//! The tree-sitter queries in `queries/`, embedded in the binary and each
//! compiled once per process, on first use.
//!
//! A query file is a `static QueryFile`; shared ones are declared here, and a
//! rule that needs its own declares it in its file and lists it in its
//! `RuleMeta::queries`, so the tests can check every file and capture.

use std::sync::OnceLock;

use tree_sitter::Query;

/// One query file: its name in `queries/`, its text, and the captures the code uses.
pub struct QueryFile {
    pub name: &'static str,
    pub source: &'static str,
    pub captures: &'static [&'static str],
    compiled: OnceLock<Query>,
    roots: OnceLock<Option<Vec<u16>>>,
    requires: OnceLock<Vec<&'static str>>,
}

impl std::fmt::Debug for QueryFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryFile")
            .field("name", &self.name)
            .finish()
    }
}

impl QueryFile {
    pub const fn new(
        name: &'static str,
        source: &'static str,
        captures: &'static [&'static str],
    ) -> Self {
        Self {
            name,
            source,
            captures,
            compiled: OnceLock::new(),
            roots: OnceLock::new(),
            requires: OnceLock::new(),
        }
    }

    /// The compiled query. A shipped file that does not compile is a bug, caught by the tests.
    pub fn query(&self) -> &Query {
        self.compiled.get_or_init(|| {
            Query::new(&super::language(), self.source)
                .unwrap_or_else(|err| panic!("queries/{} does not compile: {err}", self.name))
        })
    }

    /// The node kind ids that can root a match of this file: the first node of
    /// each pattern (each alternative, for a pattern that is an alternation).
    /// `None` when some pattern starts with a wildcard or an anonymous node.
    pub fn root_kinds(&self) -> Option<&[u16]> {
        self.roots
            .get_or_init(|| {
                let query = self.query();
                let language = super::language();
                let mut ids = Vec::new();
                for pattern in 0..query.pattern_count() {
                    let text = &self.source[query.start_byte_for_pattern(pattern)..];
                    for kind in pattern_root_kinds(text)? {
                        let id = language.id_for_node_kind(kind, true);
                        if id == 0 {
                            return None;
                        }
                        ids.push(id);
                    }
                }
                ids.sort_unstable();
                ids.dedup();
                Some(ids)
            })
            .as_deref()
    }

    /// The words the text of every match holds, declared in the file's header
    /// comment as `; requires: Promise race`: a candidate root whose text
    /// lacks one of them cannot match (see [`super::words`]).
    pub fn requires(&self) -> &[&'static str] {
        self.requires.get_or_init(|| {
            let source: &'static str = self.source;
            source
                .lines()
                .take_while(|line| line.starts_with(';'))
                .filter_map(|line| {
                    line.trim_start_matches(';')
                        .trim()
                        .strip_prefix("requires:")
                })
                .flat_map(str::split_whitespace)
                .collect()
        })
    }

    /// The index of capture `name`, which the tests check exists.
    pub fn capture(&self, name: &str) -> u32 {
        self.query()
            .capture_index_for_name(name)
            .unwrap_or_else(|| panic!("queries/{} has no capture @{name}", self.name))
    }
}

/// The kinds that start the pattern at the beginning of `text`: `(kind ...)`
/// gives `kind`; `[(a ...) (b ...)]` gives `a` and `b`. `None` for a wildcard,
/// a string or anything else this reader does not understand.
fn pattern_root_kinds(text: &str) -> Option<Vec<&str>> {
    let text = text.trim_start();
    if let Some(rest) = text.strip_prefix('[') {
        let mut kinds = Vec::new();
        let mut depth = 0usize;
        let mut chars = rest.char_indices();
        while let Some((at, c)) = chars.next() {
            match c {
                ';' => {
                    chars.by_ref().find(|&(_, c)| c == '\n');
                }
                '"' => {
                    let mut escaped = false;
                    for (_, c) in chars.by_ref() {
                        match c {
                            '\\' if !escaped => escaped = true,
                            '"' if !escaped => break,
                            _ => escaped = false,
                        }
                    }
                    if depth == 0 {
                        return None;
                    }
                }
                '(' => {
                    if depth == 0 {
                        kinds.push(node_kind_at(&rest[at..])?);
                    }
                    depth += 1;
                }
                ')' => depth = depth.checked_sub(1)?,
                ']' if depth == 0 => return Some(kinds),
                c if depth == 0 && !c.is_whitespace() => return None,
                _ => {}
            }
        }
        None
    } else {
        node_kind_at(text).map(|kind| vec![kind])
    }
}

/// `kind` from `(kind ...`, unless it is the wildcard `_`.
fn node_kind_at(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('(')?.trim_start();
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let kind = &rest[..end];
    (!kind.is_empty() && kind != "_").then_some(kind)
}

/// Declares a `static QueryFile` for `queries/<file>`.
#[macro_export]
macro_rules! query_file {
    ($name:ident, $file:literal, [$($capture:literal),* $(,)?]) => {
        pub static $name: $crate::syntax::QueryFile = $crate::syntax::QueryFile::new(
            $file,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../queries/", $file)),
            &[$($capture),*],
        );
    };
}

query_file!(
    ASYNC_FUNCTIONS,
    "async-functions.scm",
    ["function.async", "function.async_keyword"]
);
query_file!(
    AWAITS,
    "awaits.scm",
    ["await", "await.keyword", "await.operand"]
);

/// The query files shared by several parts of the analysis.
pub static SHARED: &[&QueryFile] = &[&ASYNC_FUNCTIONS, &AWAITS];

/// The query files one [`SyntaxIndex`](super::SyntaxIndex) serves, with what
/// an index needs of them: the node kinds their patterns start at, and the
/// words they require. The rules' registry builds the set of every file
/// (`rules::query_registry`); the facts below the rules use [`shared`].
pub struct QuerySet {
    files: Vec<&'static QueryFile>,
    words: Vec<&'static str>,
    /// For each node kind id, whether an index keeps nodes of that kind.
    kept: Vec<bool>,
}

impl QuerySet {
    pub fn new(files: Vec<&'static QueryFile>) -> Self {
        let mut words: Vec<&'static str> = files
            .iter()
            .flat_map(|file| file.requires().iter().copied())
            .collect();
        words.sort_unstable();
        words.dedup();
        let kept = super::index::kept_kinds(&files);
        Self { files, words, kept }
    }

    /// The query files of the set.
    pub fn files(&self) -> &[&'static QueryFile] {
        &self.files
    }

    /// Every word some query file of the set requires (see [`QueryFile::requires`]).
    pub fn required_words(&self) -> &[&'static str] {
        &self.words
    }

    /// For each node kind id, whether an index serving this set keeps its nodes.
    pub(super) fn kept(&self) -> &[bool] {
        &self.kept
    }
}

/// The shared query files alone.
pub fn shared() -> &'static QuerySet {
    static SET: OnceLock<QuerySet> = OnceLock::new();
    SET.get_or_init(|| QuerySet::new(SHARED.to_vec()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Every file in the `queries` folder, read at test time: the same files
    /// the rules' registry embeds (`rules::query_registry` checks that), for
    /// testing the syntax layer with all of them without importing the rules.
    pub(crate) fn on_disk() -> &'static QuerySet {
        static SET: OnceLock<QuerySet> = OnceLock::new();
        SET.get_or_init(|| {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../queries");
            let mut names: Vec<String> = std::fs::read_dir(dir)
                .expect("queries folder")
                .map(|entry| {
                    entry
                        .expect("entry")
                        .file_name()
                        .to_string_lossy()
                        .into_owned()
                })
                .filter(|name| name.ends_with(".scm"))
                .collect();
            names.sort();
            let files = names
                .into_iter()
                .map(|name| {
                    let source = std::fs::read_to_string(format!("{dir}/{name}")).expect("query");
                    let file = QueryFile::new(name.leak(), source.leak(), &[]);
                    &*Box::leak(Box::new(file))
                })
                .collect();
            QuerySet::new(files)
        })
    }

    #[test]
    fn every_required_word_is_spelled_out_in_the_patterns() {
        for file in on_disk().files() {
            let patterns: String = file
                .source
                .lines()
                .filter(|line| !line.trim_start().starts_with(';'))
                .collect();
            for word in file.requires() {
                assert!(
                    patterns.contains(&format!("\"{word}\"")),
                    "queries/{} requires `{word}` but no pattern spells it as a token or an #eq? value",
                    file.name
                );
            }
        }
    }

    #[test]
    fn pattern_roots_are_read_from_plain_patterns_and_alternations() {
        assert_eq!(
            pattern_root_kinds("(call_expression) @c"),
            Some(vec!["call_expression"])
        );
        assert_eq!(
            pattern_root_kinds("[\n  ; a comment (with parens)\n  (a \"(\" (b)) (c)\n] @x"),
            Some(vec!["a", "c"])
        );
        assert_eq!(pattern_root_kinds("(_) @any"), None);
        assert_eq!(pattern_root_kinds("[\"async\" (a)] @x"), None);
        assert_eq!(pattern_root_kinds("\"await\" @k"), None);
    }

    #[test]
    fn each_query_file_starts_with_a_comment() {
        for file in on_disk().files() {
            assert!(
                file.source.starts_with(';'),
                "queries/{} needs a header comment",
                file.name
            );
        }
    }
}
