//! What each checked file binds from the other workspace files it imports:
//! its `require`s and `import`s are resolved as Node resolves them, and each
//! imported file's export summary is built once per run, shared by the
//! threads. With the cache on, both the bindings of a file and the summary of
//! an imported file are kept by their text's hash, so a warm run parses
//! neither.

use std::path::Path;
use std::sync::Arc;

use tree_sitter::Tree;

use super::cache::Cache;
use crate::analysis::modules::imports::{bind_imports, import_bindings, ImportBinding};
use crate::analysis::modules::summaries::{Summaries, SummaryStore};
use crate::analysis::modules::ImportedNames;
use crate::syntax;
use crate::workspace::{resolve, DiskFs, RequireOrImport, Resolution};

pub struct Workspace {
    summaries: Summaries,
    cache: Option<Arc<Cache>>,
}

impl Workspace {
    pub fn new(cache: Option<Arc<Cache>>) -> Self {
        let store = cache
            .clone()
            .map(|cache| Box::new(cache) as Box<dyn SummaryStore>);
        Self {
            summaries: Summaries::for_run(store),
            cache,
        }
    }

    /// Whether the file at `path`, whose text is `source`, may bind a
    /// promise function from a workspace file: some relative specifier in
    /// its text (read without parsing it) names a file whose summary holds
    /// one, or a re-export. A file no rule's trigger word names is analysed
    /// only then.
    pub fn may_bind_promises(&self, path: &Path, source: &str) -> bool {
        let specifiers = relative_specifiers(source);
        if specifiers.is_empty() {
            return false;
        }
        let Ok(path) = std::path::absolute(path) else {
            return false;
        };
        specifiers.iter().any(|specifier| {
            [RequireOrImport::Require, RequireOrImport::Import]
                .into_iter()
                .any(|kind| match resolve(specifier, &path, kind, &DiskFs) {
                    Resolution::File(target) => self
                        .summaries
                        .of(&target, &DiskFs)
                        .is_some_and(|file| file.summary.may_bind_promises()),
                    _ => false,
                })
        })
    }

    /// The names the file at `path`, whose text is `source`, binds from
    /// workspace files. `tree` is its parse when there is one; when the
    /// bindings must be read from the text, the file is parsed into `tree`
    /// (within the parse budget; past it, the file binds nothing known).
    pub fn imports(&self, path: &Path, source: &str, tree: &mut Option<Tree>) -> ImportedNames {
        let key = self
            .cache
            .as_ref()
            .map(|cache| cache.text_key("imports", source.as_bytes()));
        let cached = match (&self.cache, &key) {
            (Some(cache), Some(key)) => cache.read::<Vec<ImportBinding>>(key),
            _ => None,
        };
        let bindings = match cached {
            Some(bindings) => bindings,
            None => {
                if tree.is_none() {
                    *tree = syntax::parse_within(source, None, syntax::parse_budget(source.len()));
                }
                let Some(parsed) = tree.as_ref() else {
                    return ImportedNames::default();
                };
                let bindings = import_bindings(source, parsed);
                if let (Some(cache), Some(key)) = (&self.cache, &key) {
                    cache.write(key, &bindings);
                }
                bindings
            }
        };
        if bindings.is_empty() {
            return ImportedNames::default();
        }
        // Node resolves from the file's absolute path.
        let Ok(path) = std::path::absolute(path) else {
            return ImportedNames::default();
        };
        bind_imports(&path, &bindings, &DiskFs, &self.summaries)
    }
}

/// The strings in `source` that start with `./` or `../`, each once: every
/// relative specifier of its imports among them (and other strings too).
fn relative_specifiers(source: &str) -> Vec<&str> {
    let mut found: Vec<&str> = Vec::new();
    for finder in ["'./", "\"./", "'../", "\"../", "`./", "`../"] {
        let quote = char::from(finder.as_bytes()[0]);
        for (start, _) in source.match_indices(finder) {
            let rest = &source[start + 1..];
            let Some(end) = rest.find([quote, '\n']) else {
                continue;
            };
            let specifier = &rest[..end];
            if !found.contains(&specifier) {
                found.push(specifier);
            }
        }
    }
    found
}
