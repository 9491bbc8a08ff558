//! Each workspace file's export summary, built once per text. The server
//! keeps a summary until its file changes ([`Summaries`]); `check` builds
//! each from the parse of its own check, once per run, and keeps it in its
//! content-hash cache (cli/check/imported.rs). Both bind imports through a
//! [`SummarySource`].

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};
use tree_sitter::Tree;

use super::exports::export_summary;
use super::ExportSummary;
use crate::syntax;
use crate::syntax::await_lookup::has_module_syntax;
use crate::workspace::{module_kind_from, FileSystem, ModuleKind};

/// Where binding a file's imports reads the summaries of the files they name.
pub trait SummarySource {
    /// The summary of the file at `path`; `None` when it cannot be read.
    fn summary_of(&self, path: &Path) -> Option<Arc<FileSummary>>;
}

/// Export summaries by file, each with the hash of the text it was built
/// from: an open buffer's or the disk copy's, read again on every request.
#[derive(Default)]
pub struct Summaries {
    by_path: Mutex<HashMap<PathBuf, (u64, Arc<FileSummary>)>>,
}

/// A file's summary and module kind.
#[derive(Debug)]
pub struct FileSummary {
    pub summary: ExportSummary,
    pub kind: ModuleKind,
}

impl FileSummary {
    /// The summary of the file at `path`, from what its text decides.
    pub fn new(path: &Path, stored: StoredSummary, fs: &impl FileSystem) -> Self {
        Self {
            kind: module_kind_from(path, || stored.module_syntax, fs),
            summary: stored.summary,
        }
    }
}

/// What is kept of a file's text across runs: its summary, and whether it
/// uses ES-module syntax (its kind also depends on its path and package).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSummary {
    pub summary: ExportSummary,
    pub module_syntax: bool,
}

impl StoredSummary {
    /// The summary of `text`, whose parse is `tree`. A text that
    /// [cannot export promises](needs_parse) needs none: pass `None`.
    pub fn of(text: &str, tree: Option<&Tree>) -> Self {
        match tree {
            Some(tree) if needs_parse(text) => Self {
                summary: export_summary(text, tree),
                module_syntax: has_module_syntax(tree),
            },
            // `module_syntax` is read only for a default import, which binds
            // nothing known from an empty summary either way.
            _ => Self::default(),
        }
    }
}

impl Summaries {
    /// The summary of `path` as `fs` holds it now; `None` when unreadable.
    pub fn of(&self, path: &Path, fs: &impl FileSystem) -> Option<Arc<FileSummary>> {
        let text = fs.read(path)?;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        text.hash(&mut hasher);
        let hash = hasher.finish();
        if let Some((known, summary)) = self.lock().get(path) {
            if *known == hash {
                return Some(Arc::clone(summary));
            }
        }
        // A TypeScript file exports what its erased text does, as Node runs it
        // (`check` reads it erased too: cli/check/imported.rs).
        let text = match syntax::SourceLanguage::of_path(path).and_then(|l| l.dialect()) {
            Some(dialect) if needs_parse(&text) => {
                let tree = dialect.parse(&text, None);
                syntax::typescript::erase(&text, &tree).text
            }
            _ => text,
        };
        let tree = needs_parse(&text).then(|| syntax::parse(&text, None));
        let stored = StoredSummary::of(&text, tree.as_ref());
        let summary = Arc::new(FileSummary::new(path, stored, fs));
        self.lock()
            .insert(path.to_path_buf(), (hash, Arc::clone(&summary)));
        Some(summary)
    }

    /// These summaries, read through `fs`.
    pub fn reading<'a, F: FileSystem>(&'a self, fs: &'a F) -> impl SummarySource + 'a {
        Reading {
            summaries: self,
            fs,
        }
    }

    /// Forgets `path`'s summary (the file changed or went away).
    pub fn forget(&self, path: &Path) {
        self.lock().remove(path);
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<PathBuf, (u64, Arc<FileSummary>)>> {
        self.by_path.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

struct Reading<'a, F> {
    summaries: &'a Summaries,
    fs: &'a F,
}

impl<F: FileSystem> SummarySource for Reading<'_, F> {
    fn summary_of(&self, path: &Path) -> Option<Arc<FileSummary>> {
        self.summaries.of(path, self.fs)
    }
}

/// Whether a file's text can export a function whose calls return a native
/// promise, or re-export one: its summary is read from async functions, the
/// `Promise` global, promised timers (`promisify`, `timers/promises`),
/// classes that inherit methods (`extends`), `export ... from`, and
/// optional packages (a `require` inside a `try`, for
/// `ExportedValue::PackageFunction`). A file without them is not parsed.
pub fn needs_parse(text: &str) -> bool {
    text.contains("async")
        || (text.contains("try") && text.contains("require("))
        || text.contains("Promise")
        || text.contains("promisify")
        || text.contains("timers/promises")
        || text.contains("extends")
        || (text.contains("export") && text.contains("from"))
}
