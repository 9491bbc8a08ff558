//! The workspace files around the open documents: what an open document's
//! imports bind (each imported file's export summary, an open buffer winning
//! over the disk copy), which files each open document's insights read, and
//! re-computing the insights of exactly the open documents that import a
//! file when it changes (an edit of its buffer, or `didChangeWatchedFiles`
//! for a closed file).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use dashmap::DashMap;
use tower_lsp_server::ls_types::{FileSystemWatcher, GlobPattern, Uri};

use super::state::{file_path, ServerState};
use crate::analysis::modules::imports::{imported_names, Summaries};
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
    /// reset the readers". The imports are computed before the lock (a
    /// keystroke's `changed` must not wait for disk reads), so a change that
    /// lands during that computation is not seen until the next change.
    order: Mutex<()>,
}

impl WorkspaceFiles {
    /// What `doc` (at `uri`) binds from workspace files, read through the open
    /// buffers over the disk; remembers which files it read.
    pub fn imports_of(&self, state: &ServerState, uri: &Uri, doc: &Document) -> ImportedNames {
        let Some(path) = file_path(uri) else {
            return ImportedNames::default();
        };
        let fs = OpenBuffers { state };
        let names = imported_names(&path, doc.text(), doc.tree(), &fs, &self.summaries);
        let _order = self.lock();
        self.reads.insert(uri.clone(), names.files.clone());
        names
    }

    /// The file at `path` changed (its buffer, or on disk): forgets its
    /// summary and gives every open document that imports it a new, empty
    /// insights cell, so the next request computes them again.
    pub fn changed(&self, state: &ServerState, path: &Path) {
        let _order = self.lock();
        self.summaries.forget(path);
        let readers: Vec<Uri> = self
            .reads
            .iter()
            .filter(|entry| entry.value().iter().any(|read| read == path))
            .map(|entry| entry.key().clone())
            .collect();
        for uri in readers {
            self.reads.remove(&uri);
            if let Some(mut open) = state.documents.get_mut(&uri) {
                open.insights = Arc::default();
            }
        }
    }

    /// The document at `uri` closed: it reads nothing any more.
    pub fn closed(&self, uri: &Uri) {
        self.reads.remove(uri);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.order
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
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
