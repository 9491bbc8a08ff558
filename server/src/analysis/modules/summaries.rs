//! Each workspace file's export summary, built once per text: the server
//! keeps a summary until its file changes; `check` builds each once per run
//! (its files do not change while it runs) and keeps them in its content-hash
//! cache through a [`SummaryStore`], so a warm run parses no imported file.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};

use super::exports::export_summary;
use super::ExportSummary;
use crate::syntax;
use crate::syntax::await_lookup::has_module_syntax;
use crate::workspace::{module_kind_from, FileSystem, ModuleKind};

/// Export summaries by file, each with the hash of the text it was built from.
#[derive(Default)]
pub struct Summaries {
    by_path: Mutex<HashMap<PathBuf, (u64, Arc<FileSummary>)>>,
    /// Files do not change while this lives (one `check` run): a file's
    /// summary, once known, is not checked against its text again.
    frozen: bool,
    store: Option<Box<dyn SummaryStore>>,
}

/// A file's summary and module kind.
#[derive(Debug)]
pub struct FileSummary {
    pub summary: ExportSummary,
    pub kind: ModuleKind,
}

/// What is kept of a file's text across runs: its summary, and whether it
/// uses ES-module syntax (its kind also depends on its path and package).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSummary {
    pub summary: ExportSummary,
    pub module_syntax: bool,
}

/// A cache of [`StoredSummary`]s by file text (`check`'s content-hash cache).
pub trait SummaryStore: Send + Sync {
    fn get(&self, text: &str) -> Option<StoredSummary>;
    fn put(&self, text: &str, summary: &StoredSummary);
}

impl Summaries {
    /// Summaries for one run over files that do not change meanwhile, read
    /// from and written to `store` when there is one.
    pub fn for_run(store: Option<Box<dyn SummaryStore>>) -> Self {
        Self {
            frozen: true,
            store,
            ..Self::default()
        }
    }

    /// The summary of `path` as `fs` holds it now; `None` when unreadable.
    pub fn of(&self, path: &Path, fs: &impl FileSystem) -> Option<Arc<FileSummary>> {
        if self.frozen {
            if let Some((_, summary)) = self.lock().get(path) {
                return Some(Arc::clone(summary));
            }
        }
        let text = fs.read(path)?;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        text.hash(&mut hasher);
        let hash = hasher.finish();
        if let Some((known, summary)) = self.lock().get(path) {
            if *known == hash {
                return Some(Arc::clone(summary));
            }
        }
        let stored = match self.store.as_ref().and_then(|store| store.get(&text)) {
            Some(stored) => stored,
            None if !may_export_promises(&text) => StoredSummary {
                summary: ExportSummary::default(),
                // Read only for a default import, which binds nothing known
                // from an empty summary either way.
                module_syntax: false,
            },
            None => {
                let tree = syntax::parse(&text, None);
                let stored = StoredSummary {
                    summary: export_summary(&text, &tree),
                    module_syntax: has_module_syntax(&tree),
                };
                if let Some(store) = &self.store {
                    store.put(&text, &stored);
                }
                stored
            }
        };
        let summary = Arc::new(FileSummary {
            kind: module_kind_from(path, || stored.module_syntax, fs),
            summary: stored.summary,
        });
        self.lock()
            .insert(path.to_path_buf(), (hash, Arc::clone(&summary)));
        Some(summary)
    }

    /// Forgets `path`'s summary (the file changed or went away).
    pub fn forget(&self, path: &Path) {
        self.lock().remove(path);
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<PathBuf, (u64, Arc<FileSummary>)>> {
        self.by_path.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Whether a file's text can export a function whose calls return a native
/// promise, or re-export one: its summary is read from async functions, the
/// `Promise` global and `export ... from`. A file without them is not parsed.
fn may_export_promises(text: &str) -> bool {
    text.contains("async")
        || text.contains("Promise")
        || (text.contains("export") && text.contains("from"))
}
