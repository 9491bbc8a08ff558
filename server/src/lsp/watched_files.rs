//! The workspace files around the open documents: what an open document's
//! imports bind (each imported file's export summary, an open buffer winning
//! over the disk copy), which files each open document's insights read, and
//! re-computing the insights of exactly the open documents that import a
//! file when it changes (an edit of its buffer, or `didChangeWatchedFiles`
//! for a closed file).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use dashmap::DashMap;
use tower_lsp_server::ls_types::{FileSystemWatcher, GlobPattern, Uri};

use super::state::{file_path, ServerState};
use crate::analysis::modules::imports::{bind_imports, import_bindings, ImportBinding, Summaries};
use crate::analysis::modules::ImportedNames;
use crate::document::Document;
use crate::workspace::{DiskFs, FileSystem};

/// The glob of the files whose changes re-compute importers' insights.
pub const SOURCE_GLOB: &str = "**/*.{js,mjs,cjs,jsx}";

/// The watcher to register (dynamically) for workspace source files.
pub fn source_watcher() -> FileSystemWatcher {
    FileSystemWatcher {
        glob_pattern: GlobPattern::String(SOURCE_GLOB.to_owned()),
        kind: None,
    }
}

/// Export summaries, and the files each open document's insights read.
#[derive(Default)]
pub struct WorkspaceFiles {
    summaries: Summaries,
    /// Open document -> the workspace files its last insights imported from.
    reads: DashMap<Uri, Vec<PathBuf>>,
    /// Serialises recording what a document read against "a file changed,
    /// reset the readers", and counts the changes. The imports are computed
    /// before the lock (a keystroke's `changed` must not wait for disk
    /// reads); a change that lands during that computation is caught by the
    /// clock (see [`WorkspaceFiles::imports_of`]).
    order: Mutex<ChangeClock>,
    /// Open document -> its last imports, reused while its import statements
    /// and every other workspace file stay as they were (an analysis runs
    /// on every keystroke; most keystrokes touch neither).
    bound: DashMap<Uri, BoundImports>,
}

/// A document's imports as last bound, and the change they were bound after.
struct BoundImports {
    bindings: Vec<ImportBinding>,
    at: u64,
    names: ImportedNames,
}

/// Attempts at computing a document's imports while files it reads keep
/// changing, before giving up on a current result.
const IMPORT_ATTEMPTS: usize = 3;

/// The changes of workspace files, numbered: which file changed last when.
#[derive(Default)]
struct ChangeClock {
    /// The number of the last change.
    now: u64,
    /// Each file that ever changed, with the number of its last change.
    changed_at: HashMap<PathBuf, u64>,
}

impl ChangeClock {
    fn tick(&mut self, path: &Path) {
        self.now += 1;
        self.changed_at.insert(path.to_owned(), self.now);
    }

    /// Whether a file other than `own` changed after the change numbered
    /// `since` (a file an import could not find may have been created).
    fn other_changed_since(&self, since: u64, own: &Path) -> bool {
        self.changed_at
            .iter()
            .any(|(file, &at)| at > since && file != own)
    }

    /// Whether one of `files` changed after the change numbered `since`.
    fn changed_since(&self, since: u64, files: &[PathBuf]) -> bool {
        files
            .iter()
            .any(|file| self.changed_at.get(file).is_some_and(|&at| at > since))
    }
}

impl WorkspaceFiles {
    /// What `doc` (at `uri`) binds from workspace files, read through the open
    /// buffers over the disk; remembers which files it read.
    ///
    /// A file it read may change while it is read (`changed` does not wait
    /// for this): then `changed` found no reader to reset, so the imports
    /// are computed again. When files keep changing after
    /// [`IMPORT_ATTEMPTS`], the last result is returned but the document's
    /// insights cell is reset, so the insights computed from it answer the
    /// requests waiting for them and are not kept.
    pub fn imports_of(&self, state: &ServerState, uri: &Uri, doc: &Document) -> ImportedNames {
        let Some(path) = file_path(uri) else {
            return ImportedNames::default();
        };
        let bindings = import_bindings(doc.text(), doc.tree());
        // Copied out first: the map's guard is never held while the clock is
        // locked (the insertion below happens under the clock's lock).
        let reusable = self
            .bound
            .get(uri)
            .filter(|bound| bound.bindings == bindings)
            .map(|bound| (bound.at, bound.names.clone()));
        if let Some((at, names)) = reusable {
            if !self.lock().other_changed_since(at, &path) {
                return names;
            }
        }
        let fs = OpenBuffers { state };
        let mut attempt = 1;
        loop {
            let started = self.lock().now;
            let names = bind_imports(&path, &bindings, &fs, &self.summaries.reading(&fs));
            let clock = self.lock();
            let stale = clock.changed_since(started, &names.files);
            if stale && attempt < IMPORT_ATTEMPTS {
                attempt += 1;
                continue;
            }
            self.reads.insert(uri.clone(), names.files.clone());
            if stale {
                reset_insights(state, uri);
                self.bound.remove(uri);
            } else {
                let bound = BoundImports {
                    bindings,
                    at: started,
                    names: names.clone(),
                };
                self.bound.insert(uri.clone(), bound);
            }
            return names;
        }
    }

    /// The file at `path` changed (its buffer, or on disk): forgets its
    /// summary and gives every open document that imports it a new, empty
    /// insights cell, so the next request computes them again. Returns those
    /// documents, whose diagnostics depend on it too.
    pub fn changed(&self, state: &ServerState, path: &Path) -> Vec<Uri> {
        let mut clock = self.lock();
        clock.tick(path);
        self.summaries.forget(path);
        let readers: Vec<Uri> = self
            .reads
            .iter()
            .filter(|entry| entry.value().iter().any(|read| read == path))
            .map(|entry| entry.key().clone())
            .collect();
        for uri in &readers {
            self.reads.remove(uri);
            reset_insights(state, uri);
        }
        readers
    }

    /// The document at `uri` closed: it reads nothing any more.
    pub fn closed(&self, uri: &Uri) {
        self.reads.remove(uri);
        self.bound.remove(uri);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ChangeClock> {
        self.order
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Gives the open document at `uri` a new, empty insights cell (and
/// declared types' cell: they read other files too): the next request
/// computes them again.
fn reset_insights(state: &ServerState, uri: &Uri) {
    if let Some(mut open) = state.documents.get_mut(uri) {
        open.insights = Arc::default();
        open.declared = Arc::default();
    }
}

/// The disk, with each open document's buffer in place of its file.
struct OpenBuffers<'a> {
    state: &'a ServerState,
}

impl OpenBuffers<'_> {
    fn buffer(&self, path: &Path) -> Option<String> {
        self.state.documents.iter().find_map(|entry| {
            (file_path(entry.key()).as_deref() == Some(path)).then(|| entry.doc.text().to_owned())
        })
    }
}

impl FileSystem for OpenBuffers<'_> {
    fn read(&self, path: &Path) -> Option<String> {
        self.buffer(path).or_else(|| DiskFs.read(path))
    }

    fn is_file(&self, path: &Path) -> bool {
        let open = self
            .state
            .documents
            .iter()
            .any(|entry| file_path(entry.key()).as_deref() == Some(path));
        open || DiskFs.is_file(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        DiskFs.is_dir(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_tells_a_read_file_changed_during_the_reading() {
        let (a, b) = (PathBuf::from("/w/a.js"), PathBuf::from("/w/b.js"));
        let mut clock = ChangeClock::default();
        clock.tick(&a);
        let started = clock.now;
        assert!(!clock.changed_since(started, &[a.clone(), b.clone()]));
        clock.tick(&b);
        assert!(clock.changed_since(started, &[a.clone(), b.clone()]));
        assert!(!clock.changed_since(started, std::slice::from_ref(&a)));
        assert!(!clock.changed_since(clock.now, &[a, b]));
    }
}
