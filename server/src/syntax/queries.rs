//! The tree-sitter queries in `queries/`, embedded in the binary and compiled
//! once per process.

use std::sync::OnceLock;

use tree_sitter::Query;

/// One query file: its name in `queries/`, its text, and the captures the code uses.
pub struct QueryFile {
    pub name: &'static str,
    pub source: &'static str,
    pub captures: &'static [&'static str],
}

/// Every query file the analysis uses, with the capture names the code relies on.
pub const QUERY_FILES: &[QueryFile] = &[
    QueryFile {
        name: "async-functions.scm",
        source: include_str!("../../../queries/async-functions.scm"),
        captures: &["function.async", "function.async_keyword"],
    },
    QueryFile {
        name: "awaits.scm",
        source: include_str!("../../../queries/awaits.scm"),
        captures: &["await", "await.keyword", "await.operand"],
    },
    QueryFile {
        name: "promise-executors.scm",
        source: include_str!("../../../queries/promise-executors.scm"),
        captures: &[
            "promise.new",
            "promise.constructor",
            "executor",
            "executor.async_keyword",
        ],
    },
];

/// The compiled queries.
pub struct Queries {
    pub async_functions: Query,
    pub awaits: Query,
    pub promise_executors: Query,
}

impl Queries {
    /// The process-wide compiled queries.
    pub fn get() -> &'static Queries {
        static QUERIES: OnceLock<Queries> = OnceLock::new();
        QUERIES.get_or_init(|| Queries {
            async_functions: compile_named("async-functions.scm"),
            awaits: compile_named("awaits.scm"),
            promise_executors: compile_named("promise-executors.scm"),
        })
    }
}

fn compile_named(name: &str) -> Query {
    let file = QUERY_FILES
        .iter()
        .find(|file| file.name == name)
        .unwrap_or_else(|| panic!("queries/{name} is not embedded"));
    compile(file)
}

/// Compiles one embedded query; a failure is a bug in a shipped file, caught by the tests.
pub fn compile(file: &QueryFile) -> Query {
    Query::new(&super::language(), file.source)
        .unwrap_or_else(|err| panic!("queries/{} does not compile: {err}", file.name))
}

/// The index of capture `name` in `query`. The names are checked by a test, so a
/// missing one is a bug in the shipped queries.
pub fn capture_index(query: &Query, name: &str) -> u32 {
    query
        .capture_index_for_name(name)
        .unwrap_or_else(|| panic!("query has no capture @{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_file_compiles_and_has_the_captures_the_code_uses() {
        for file in QUERY_FILES {
            let query = compile(file);
            for capture in file.captures {
                assert!(
                    query.capture_index_for_name(capture).is_some(),
                    "queries/{} lacks @{capture}",
                    file.name
                );
            }
        }
    }

    #[test]
    fn every_file_in_the_queries_folder_is_embedded() {
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
        let mut embedded: Vec<&str> = QUERY_FILES.iter().map(|f| f.name).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }

    #[test]
    fn each_query_file_starts_with_a_comment() {
        for file in QUERY_FILES {
            assert!(
                file.source.starts_with(';'),
                "queries/{} needs a header comment",
                file.name
            );
        }
    }
}
