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
        }
    }

    /// The compiled query. A shipped file that does not compile is a bug, caught by the tests.
    pub fn query(&self) -> &Query {
        self.compiled.get_or_init(|| {
            Query::new(&super::language(), self.source)
                .unwrap_or_else(|err| panic!("queries/{} does not compile: {err}", self.name))
        })
    }

    /// The index of capture `name`, which the tests check exists.
    pub fn capture(&self, name: &str) -> u32 {
        self.query()
            .capture_index_for_name(name)
            .unwrap_or_else(|| panic!("queries/{} has no capture @{name}", self.name))
    }
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

/// Every embedded query file: the shared ones and each rule's own.
pub fn all() -> Vec<&'static QueryFile> {
    let mut files: Vec<&'static QueryFile> = SHARED.to_vec();
    for rule in crate::rules::ALL {
        files.extend(rule.meta().queries.iter().copied());
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_file_compiles_and_has_the_captures_the_code_uses() {
        for file in all() {
            for capture in file.captures {
                assert!(
                    file.query().capture_index_for_name(capture).is_some(),
                    "queries/{} lacks @{capture}",
                    file.name
                );
            }
        }
    }

    #[test]
    fn every_file_in_the_queries_folder_is_embedded_once() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../queries");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
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
        on_disk.sort();
        let mut embedded: Vec<&str> = all().iter().map(|f| f.name).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }

    #[test]
    fn each_query_file_starts_with_a_comment() {
        for file in all() {
            assert!(
                file.source.starts_with(';'),
                "queries/{} needs a header comment",
                file.name
            );
        }
    }
}
