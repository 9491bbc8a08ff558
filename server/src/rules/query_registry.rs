//! Every query file the rules run: the shared ones (`syntax::queries`) and
//! each rule's own (its `RuleMeta::queries`). It lives with the registry, not
//! in `syntax`, so that the syntax layer never imports the rules; a
//! [`SyntaxIndex`](crate::syntax::SyntaxIndex) serving the rules is built with
//! this set.

use std::sync::OnceLock;

use crate::syntax::queries::{QuerySet, SHARED};

/// The shared query files and every rule's own.
pub fn query_set() -> &'static QuerySet {
    static SET: OnceLock<QuerySet> = OnceLock::new();
    SET.get_or_init(|| {
        let mut files = SHARED.to_vec();
        for rule in super::ALL {
            files.extend(rule.meta().queries.iter().copied());
        }
        QuerySet::new(files)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::queries::tests::on_disk;
    use crate::syntax::QueryFile;

    #[test]
    fn every_query_file_compiles_and_has_the_captures_the_code_uses() {
        for file in query_set().files() {
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
        let names = |files: &[&QueryFile]| {
            let mut names: Vec<&str> = files.iter().map(|f| f.name).collect();
            names.sort();
            names
        };
        assert_eq!(names(on_disk().files()), names(query_set().files()));
    }
}
