//! The workspace files of one `check` run: each file is read once and parsed
//! at most once, and its export summary (what its importers bind) comes from
//! that same parse.
//!
//! Every file, checked or only imported, has one cell for the run. The first
//! thread that needs a file owns it: it reads the file, and builds its
//! summary while it holds the parse its own check needs. A checked file
//! claimed by another file's imports is checked next by the thread that
//! claimed it (the file's own turn in the walk finds it taken), so its parse
//! is not thrown away. Building a summary reads only its own file, never
//! another cell, so two threads that import each other's files cannot wait
//! on each other, and a cycle of imports is bound like any other import.
//!
//! Without the cache, a summary is built only for a file some walked file
//! may import: before the checks, the relative specifiers in the text (read
//! without parsing it) of every walked file whose check may bind its imports
//! are resolved, and a file none of them names gets no summary from its
//! check's parse. (A file without trigger words binds them only when its
//! config turns on a rule that may report a call of an imported promise
//! function in it: see `driver::imports_may_report_untriggered`. Without
//! such a rule, a file binds them only when its first analysis, without
//! them, needed them, which is rare: the files it names are read again then.) The files each walked
//! file names are kept, so deciding whether a file without trigger words may
//! bind a promise function does not scan and resolve its text again.
//! Building one summary costs about half a parse (it reads every binding
//! and write of the file), and most large files of a dependency tree
//! (bundles, builds) are imported by no file. A file named only otherwise (a package's name, `..`) is parsed
//! again when an import needs its summary. With the cache, every parsed
//! file's summary is built and kept, as a warm run must not read every file
//! twice to find the names (that doubled its time).
//!
//! With the cache on, the names a file's imports bind and its summary are
//! kept by its text's hash, so a warm run parses neither.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use rayon::prelude::*;
use tree_sitter::Tree;

use super::cache::Cache;
use super::configs::ConfigCache;
use crate::analysis::declared_types::{self, DeclarationFiles, DeclaredTypes};
use crate::analysis::modules::imports::{bind_imports, import_bindings, ImportBinding};
use crate::analysis::modules::summaries::{needs_parse, FileSummary, StoredSummary, SummarySource};
use crate::analysis::modules::ImportedNames;
use crate::config::Config;
use crate::driver::{
    enabled_rules, has_suppression_comment, imports_may_report_untriggered, reads_beyond, refused,
};
use crate::findings::Finding;
use crate::rules::{self, Reads};
use crate::syntax::{self, SourceLanguage};
use crate::workspace::{resolve_source, DiskFs, RequireOrImport, Resolution};

/// A file's text as `check` read it, or why it has none.
pub enum Read {
    Text(String),
    /// Not read: over the size limit (the note says so).
    Skipped(String),
    Failed(String),
}

/// A TypeScript file as written: `check` analyses its erased text (the
/// [`Read::Text`] beside it, every offset the same), and reports this text,
/// the first reason Node would not run it, and writes fixes into it.
pub struct Written {
    pub language: SourceLanguage,
    pub text: String,
    pub error: Option<Finding>,
    /// Its TypeScript parse, which its declared types are read from: the
    /// grammar's erasure made it, or it is made when a rule first reads them
    /// (`None`: given up, past its budget).
    tree: std::cell::OnceCell<Option<Tree>>,
    /// What its declared types decide, read when the check first needs them
    /// (a file no rule that is on can report in needs none).
    declared: std::cell::OnceCell<DeclaredTypes>,
}

impl Written {
    /// What the declared types of this file, at `path`, decide, as far as
    /// its rules read them (`reads`, from `driver::reads_beyond`, the same
    /// for every call); the files it imports are read through `files`.
    /// `erased`, the erased text and its parse when the caller has them,
    /// spares the TypeScript parse of a file whose rules read only void
    /// callbacks and which may have none ([`Self::void_callbacks`]).
    pub fn declared(
        &self,
        path: &Path,
        files: &DeclarationFiles,
        reads: &[Reads],
        erased: Option<(&str, &Tree)>,
    ) -> &DeclaredTypes {
        self.declared.get_or_init(|| {
            let text = &self.text;
            if reads.contains(&Reads::DeclaredPromises) {
                self.tree()
                    .map(|tree| DeclaredTypes::of_file_with(path, text, tree, &DiskFs, files))
                    .unwrap_or_default()
            } else if reads.contains(&Reads::DeclaredVoidCallbacks) {
                match erased {
                    Some(erased) => self.void_callbacks(path, files, erased),
                    None => self
                        .tree()
                        .map(|tree| {
                            DeclaredTypes::void_callbacks_of_file_with(
                                path, text, tree, &DiskFs, files,
                            )
                        })
                        .unwrap_or_default(),
                }
            } else {
                DeclaredTypes::default()
            }
        })
    }

    /// The async functions this file, at `path`, passes where its declared
    /// types take a `void`-returning callback, alone (not kept: a check
    /// reads them alone once, and [`Self::declared`] after them when a rule
    /// needs more).
    /// `erased` is the erased text and `tree` its parse, which decide first
    /// whether a declaration may make one (`may_have_void_callbacks`): most
    /// files pass async functions only to functions of packages, and need
    /// no TypeScript parse for that.
    pub fn void_callbacks(
        &self,
        path: &Path,
        files: &DeclarationFiles,
        (erased, tree): (&str, &Tree),
    ) -> DeclaredTypes {
        if !declared_types::may_have_void_callbacks(&self.text, erased, tree) {
            return DeclaredTypes::default();
        }
        match self.tree() {
            Some(tree) => {
                DeclaredTypes::void_callbacks_of_file_with(path, &self.text, tree, &DiskFs, files)
            }
            None => DeclaredTypes::default(),
        }
    }

    /// Its TypeScript parse, made on first use.
    fn tree(&self) -> Option<&Tree> {
        self.tree
            .get_or_init(|| {
                let dialect = self.language.dialect()?;
                dialect.parse_within(&self.text, None, syntax::parse_budget(self.text.len()))
            })
            .as_ref()
    }
}

/// `text`, the file at `path`, as the analysis reads it: TypeScript erased
/// (with the file as written beside it), JavaScript as it is.
/// Erased by the grammar, its exported declarations are kept in `files` for
/// the files importing it, from the same parse.
pub fn erased(path: &Path, text: String, files: &DeclarationFiles) -> (Read, Option<Written>) {
    let language = SourceLanguage::of_path(path).unwrap_or_default();
    let Some(dialect) = language.dialect() else {
        return (Read::Text(text), None);
    };
    if let Some(stripped) = syntax::typescript::strip(&text, dialect) {
        // Node runs it as stripped: no reason it would not, and no
        // TypeScript parse until a rule reads its declared types (its
        // exported declarations are read by an importer's own parse of it).
        let written = Written {
            language,
            text,
            error: None,
            tree: std::cell::OnceCell::new(),
            declared: std::cell::OnceCell::new(),
        };
        return (Read::Text(stripped), Some(written));
    }
    let budget = syntax::parse_budget(text.len());
    let Some(tree) = dialect.parse_within(&text, None, budget) else {
        let failed = format!("parsing took over {} s and was given up", budget.as_secs());
        return (Read::Failed(failed), None);
    };
    files.read_from(path, &text, tree.root_node());
    let erasure = syntax::typescript::erase(&text, &tree);
    let error = refused(&text, &tree, erasure.refusal.as_ref());
    let written = Written {
        language,
        text,
        error,
        tree: std::cell::OnceCell::from(Some(tree)),
        declared: std::cell::OnceCell::new(),
    };
    (Read::Text(erasure.text), Some(written))
}

/// A checked file its owner has read: its text, and its parse when the owner
/// made one (`Some(None)`: the parse was given up, past its budget).
pub struct Loaded {
    /// The path as walked (the one its report names).
    pub path: PathBuf,
    pub read: Read,
    /// The file as written, when it is TypeScript (`read` is then erased).
    pub written: Option<Written>,
    pub parsed: Option<Option<Tree>>,
}

/// The files of one run, each with its cell.
pub struct Workspace {
    cells: Mutex<HashMap<PathBuf, Arc<Cell>>>,
    /// The files the run checks, by absolute path, each as walked.
    walked: HashMap<PathBuf, PathBuf>,
    /// The files a relative specifier in a walked file's text names: the
    /// only ones whose summary is built from their check's parse (`None`:
    /// every file's, with the cache on).
    named: Option<Named>,
    cache: Option<Arc<Cache>>,
    /// The config of each walked file: its enabled rules' trigger words
    /// decide whether its check parses it.
    configs: Arc<ConfigCache>,
    max_file_size: u64,
    include_minified: bool,
    /// Whether a walked TypeScript file whose check cannot parse it is left
    /// unerased (only reporting: a fix or `--order` reads the erased text).
    lazy_erasure: bool,
    /// The declarations TypeScript files import from each other, each file
    /// read once in the run (read again for every import when fixing, as a
    /// fix rewrites files while the run lasts).
    pub declarations: DeclarationFiles,
    /// Every parse this run made, by file (what shows a file parsed twice).
    parses: Mutex<HashMap<PathBuf, usize>>,
    /// The bytes of every parse this run made.
    parsed_bytes: AtomicUsize,
    /// The TypeScript files this run erased (each a parse with the
    /// TypeScript grammar), once per erasure.
    erasures: Mutex<Vec<PathBuf>>,
    /// The files without trigger words analysed because they may bind a
    /// promise function of another file, and their bytes.
    untriggered: [AtomicUsize; 2],
    /// The files whose summary this run built from a parse.
    summarised: Mutex<Vec<PathBuf>>,
    /// The files whose summary some import asked for.
    asked: Mutex<HashSet<PathBuf>>,
}

/// What the relative specifiers in the walked files' texts name, found
/// once before the checks (without the cache).
#[derive(Default)]
struct Named {
    /// Every file some walked file's specifiers name.
    files: HashSet<PathBuf>,
    /// The files each walked file's specifiers name (absolute), in the order
    /// of its specifiers, each once: what [`Importer::may_bind_promises`]
    /// looks at, so the text is not scanned and resolved again.
    targets: HashMap<PathBuf, Vec<PathBuf>>,
}

/// One file's state in the run.
#[derive(Default)]
struct Cell {
    /// Set by the file's owner, once.
    first: OnceLock<First>,
    /// The summary of a file whose owner did not parse it: built by the first
    /// importer that needs it, or from the owner's parse when its check made
    /// one after all.
    later: OnceLock<Option<Arc<FileSummary>>>,
}

/// What the owner of a file found.
enum First {
    /// The summary (`None`: the file cannot be read).
    Summary(Option<Arc<FileSummary>>),
    /// The owner checks the file without parsing it (nothing in its text
    /// needs a parse): its summary is built when some import needs it.
    Later,
}

/// Who asks for a file first: its own turn in the walk, or an import.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Asker {
    Walk,
    Import,
}

impl Workspace {
    /// The workspace of a run checking `walked` under `configs`.
    pub fn new(
        walked: &[PathBuf],
        cache: Option<Arc<Cache>>,
        options: &super::Options,
        configs: Arc<ConfigCache>,
    ) -> Self {
        Self {
            named: cache
                .is_none()
                .then(|| named_by_relative_specifiers(walked, options, &configs)),
            cells: Mutex::default(),
            walked: walked
                .iter()
                .filter_map(|path| Some((absolute(path)?, path.clone())))
                .collect(),
            cache,
            configs,
            max_file_size: options.max_file_size,
            include_minified: options.include_minified,
            lazy_erasure: options.fix == super::FixMode::Report && !options.order,
            declarations: match options.fix {
                super::FixMode::Report => DeclarationFiles::kept(),
                _ => DeclarationFiles::default(),
            },
            parses: Mutex::default(),
            parsed_bytes: AtomicUsize::new(0),
            erasures: Mutex::default(),
            untriggered: Default::default(),
            summarised: Mutex::default(),
            asked: Mutex::default(),
        }
    }

    /// The walked file `path`, read, when this thread owns it; `None` when
    /// another file's imports claimed it already (its check is theirs).
    pub fn claim(&self, path: &Path) -> Option<Loaded> {
        let Some(key) = absolute(path) else {
            // No absolute path: no import can name it, and it has no cell.
            let (read, written) = self.read_erased(path);
            return Some(Loaded {
                path: path.to_owned(),
                read,
                written,
                parsed: None,
            });
        };
        let mut loaded = None;
        self.cell(&key)
            .first
            .get_or_init(|| self.own(&key, Asker::Walk, &mut loaded));
        loaded.map(|mut loaded: Loaded| {
            path.clone_into(&mut loaded.path);
            loaded
        })
    }

    /// Parses `text`, the file at `path`, within the parse budget, counted.
    pub fn parse(&self, path: &Path, text: &str) -> Option<Tree> {
        *self
            .lock_parses()
            .entry(absolute(path).unwrap_or_else(|| path.to_owned()))
            .or_default() += 1;
        self.parsed_bytes.fetch_add(text.len(), Ordering::Relaxed);
        syntax::parse_within(text, None, syntax::parse_budget(text.len()))
    }

    /// `tree` is the parse the check of the file at `path` made of `text`
    /// although its owner made none: its summary comes from it when some
    /// walked file may import it, unless an import needed the summary before.
    pub fn parsed(&self, path: &Path, text: &str, tree: &Tree) {
        let Some(key) = absolute(path) else { return };
        if !self.named(&key) {
            return;
        }
        let cell = self.cell(&key);
        if matches!(cell.first.get(), Some(First::Later)) {
            cell.later
                .get_or_init(|| Some(self.summary(&key, text, Some(tree))));
        }
    }

    /// Whether the summary of the file at `key` is built from its check's
    /// parse: some walked file may import it, or the cache keeps every one.
    fn named(&self, key: &Path) -> bool {
        self.named
            .as_ref()
            .is_none_or(|named| named.files.contains(key))
    }

    /// Counts a file without trigger words that is analysed because it may
    /// bind a promise function of another file; `len` is its size.
    pub fn untriggered_analysed(&self, len: usize) {
        self.untriggered[0].fetch_add(1, Ordering::Relaxed);
        self.untriggered[1].fetch_add(len, Ordering::Relaxed);
    }

    /// What this run parsed and summarised, in one line (printed with
    /// `TICKLENS_CHECK_STATS=1`, to see where a cold run's time goes).
    pub fn stats(&self) -> String {
        let parses = self.lock_parses();
        let summarised = self
            .summarised
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let erasures = self
            .erasures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        let asked = self.asked.lock().unwrap_or_else(PoisonError::into_inner);
        let summarised_asked = summarised.iter().filter(|p| asked.contains(*p)).count();
        let summarised = summarised.len();
        format!(
            "{} files walked; {} parses of {} files, {} bytes; {} files parsed more than once; \
             {} TypeScript erasures; {} summaries built from a parse, {} of them asked for by an \
             import ({} files asked for); {} files without trigger words analysed ({} bytes)",
            self.walked.len(),
            parses.values().sum::<usize>(),
            parses.len(),
            self.parsed_bytes.load(Ordering::Relaxed),
            parses.values().filter(|&&n| n > 1).count(),
            erasures,
            summarised,
            summarised_asked,
            asked.len(),
            self.untriggered[0].load(Ordering::Relaxed),
            self.untriggered[1].load(Ordering::Relaxed),
        )
    }

    /// How many times each file was parsed in this run.
    #[cfg(test)]
    pub fn parse_counts(&self) -> HashMap<PathBuf, usize> {
        self.lock_parses().clone()
    }

    /// The TypeScript files this run erased, once per erasure.
    #[cfg(test)]
    pub fn erasures(&self) -> Vec<PathBuf> {
        self.erasures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The files whose summary this run built from a parse.
    #[cfg(test)]
    pub fn summarised(&self) -> Vec<PathBuf> {
        self.summarised
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The summaries of the files the checks on this thread import; the
    /// checked files among them that this claims are left in `claimed`.
    pub fn importer(&self) -> Importer<'_> {
        Importer {
            workspace: self,
            claimed: RefCell::default(),
        }
    }

    /// Reads the file at `key` (absolute) as its owner. Asked by an import,
    /// its summary is built now (from a parse the file's own check then
    /// reuses); asked by the walk, only when its check will parse it anyway
    /// and some walked file may import it. A walked file's text and parse
    /// are left in `loaded`.
    fn own(&self, key: &Path, asker: Asker, loaded: &mut Option<Loaded>) -> First {
        let (read, written, unerased) = self.read_for(key, asker);
        let walked = self.walked.get(key);
        let mut parsed = None;
        let first = match &read {
            // The text as written: its check parses nothing; an import that
            // needs its summary reads it erased (`Later`).
            Read::Text(text) if unerased => {
                if may_export_promises_as_written(text) {
                    First::Later
                } else {
                    First::Summary(Some(self.summary(key, text, None)))
                }
            }
            Read::Text(text) => {
                if !may_export_promises(text) {
                    First::Summary(Some(self.summary(key, text, None)))
                } else if asker == Asker::Walk
                    && (!self.named(key)
                        || !walked.is_some_and(|path| self.check_parses(path, text)))
                {
                    // Its check parses it when it needs to (unless cached).
                    First::Later
                } else if let Some(stored) = self.stored(text) {
                    First::Summary(Some(Arc::new(FileSummary::new(key, stored, &DiskFs))))
                } else {
                    let tree = self.parse(key, text);
                    let summary = self.summary(key, text, tree.as_ref());
                    parsed = Some(tree);
                    First::Summary(Some(summary))
                }
            }
            _ => First::Summary(None),
        };
        if let Some(path) = walked {
            *loaded = Some(Loaded {
                path: path.clone(),
                read,
                written,
                parsed,
            });
        }
        first
    }

    /// The file at `key` as its owner reads it: TypeScript erased, unless
    /// neither its check nor its summary can need a parse of it (see
    /// [`Self::needs_erasure`]); then the text as written, and `true`. Its
    /// check then finds nothing and its summary is empty, so the erasure (a
    /// parse of its own) is not made for them.
    fn read_for(&self, key: &Path, asker: Asker) -> (Read, Option<Written>, bool) {
        let typescript = SourceLanguage::of_path(key).is_some_and(|l| l.dialect().is_some());
        if !(typescript && self.lazy_erasure) {
            let (read, written) = self.read_erased(key);
            return (read, written, false);
        }
        match read_file(key, self.max_file_size) {
            Read::Text(text) if !self.needs_erasure(key, &text, asker) => {
                (Read::Text(text), None, true)
            }
            Read::Text(text) => {
                let (read, written) = self.erased(key, text);
                (read, written, false)
            }
            read => (read, None, false),
        }
    }

    /// The file at `path`, read with [`read_file`], TypeScript erased.
    fn read_erased(&self, path: &Path) -> (Read, Option<Written>) {
        match read_file(path, self.max_file_size) {
            Read::Text(text) => self.erased(path, text),
            read => (read, None),
        }
    }

    /// [`erased`], counted when `path` is TypeScript.
    fn erased(&self, path: &Path, text: String) -> (Read, Option<Written>) {
        let (read, written) = erased(path, text, &self.declarations);
        if written.is_some() {
            self.erasures
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(path.to_owned());
        }
        (read, written)
    }

    /// Whether the TypeScript file at `key`, whose text as written is `text`,
    /// is erased when `asker` reads it first: its check, when it is walked,
    /// may parse it; or an import asks for its summary, which needs a parse.
    /// (A summary asked for later, of a file read as written, is built from
    /// the erased text then: `First::Later`.)
    fn needs_erasure(&self, key: &Path, text: &str, asker: Asker) -> bool {
        let checked = self.walked.contains_key(key) && self.check_may_parse_written(key, text);
        checked || (asker == Asker::Import && may_export_promises_as_written(text))
    }

    /// Whether the check of the walked TypeScript file at `path`, whose text
    /// as written is `text`, may parse it: it is not skipped as minified
    /// (erasure keeps every line's length), and a trigger word of a rule its
    /// config turns on may be in the erased text in its role, told from the
    /// text as written (`rules::triggered_as_written`), or a suppression
    /// comment, or the config turns on a rule that reports a call of an
    /// imported promise function in a file without trigger words (which
    /// needs the parse to know). A broken config lets it through, for its
    /// check to report.
    fn check_may_parse_written(&self, path: &Path, text: &str) -> bool {
        if !self.include_minified && super::looks_minified(text) {
            return false;
        }
        let Ok(config) = self.configs.for_file(path) else {
            return true;
        };
        imports_may_report_untriggered(&config)
            || has_suppression_comment(text)
            || !rules::triggered_as_written(text, &enabled_rules(&config)).is_empty()
    }

    /// Whether the check of the walked file at `path`, whose text is `text`,
    /// parses it (unless its findings are cached): a trigger word of a rule
    /// its config turns on, or a suppression comment, is in it, and it is not
    /// skipped as minified. (One that binds a promise function of another
    /// file is parsed too; its summary is then built from that parse, see
    /// [`Self::parsed`].)
    fn check_parses(&self, path: &Path, text: &str) -> bool {
        (self.include_minified || !super::looks_minified(text))
            && self
                .configs
                .for_file(path)
                .is_ok_and(|config| is_triggered(text, &config))
    }

    /// The summary of the file at `key`, whose text is `text` and parse
    /// `tree` (when it needs one), kept in the cache.
    fn summary(&self, key: &Path, text: &str, tree: Option<&Tree>) -> Arc<FileSummary> {
        if tree.is_some() {
            self.summarised
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(key.to_owned());
        }
        let stored = StoredSummary::of(text, tree);
        if let (Some(cache), Some(_)) = (&self.cache, tree) {
            cache.write(&cache.text_key("summary", text.as_bytes()), &stored);
        }
        Arc::new(FileSummary::new(key, stored, &DiskFs))
    }

    /// The summary of `text` kept in the cache.
    fn stored(&self, text: &str) -> Option<StoredSummary> {
        let cache = self.cache.as_ref()?;
        cache.read(&cache.text_key("summary", text.as_bytes()))
    }

    /// The summary of the file at `key` for an import of it.
    fn summary_for_import(
        &self,
        key: &Path,
        claimed: &mut Option<Loaded>,
    ) -> Option<Arc<FileSummary>> {
        self.asked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_owned());
        let cell = self.cell(key);
        match cell
            .first
            .get_or_init(|| self.own(key, Asker::Import, claimed))
        {
            First::Summary(summary) => summary.clone(),
            First::Later => cell
                .later
                .get_or_init(|| {
                    let Read::Text(text) = self.read_erased(key).0 else {
                        return None;
                    };
                    if let Some(stored) = self.stored(&text) {
                        return Some(Arc::new(FileSummary::new(key, stored, &DiskFs)));
                    }
                    let tree = self.parse(key, &text);
                    Some(self.summary(key, &text, tree.as_ref()))
                })
                .clone(),
        }
    }

    fn cell(&self, key: &Path) -> Arc<Cell> {
        let mut cells = self.cells.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(cells.entry(key.to_owned()).or_default())
    }

    fn lock_parses(&self) -> MutexGuard<'_, HashMap<PathBuf, usize>> {
        self.parses.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Binds the imports of the files one thread checks, claiming the checked
/// files they import that no thread owns yet.
pub struct Importer<'w> {
    workspace: &'w Workspace,
    claimed: RefCell<Vec<Loaded>>,
}

impl SummarySource for Importer<'_> {
    fn summary_of(&self, path: &Path) -> Option<Arc<FileSummary>> {
        let mut claimed = None;
        let summary = self.workspace.summary_for_import(path, &mut claimed);
        self.claimed.borrow_mut().extend(claimed);
        summary
    }
}

impl Importer<'_> {
    /// The checked files claimed so far, to be checked by this thread.
    pub fn take_claimed(&self) -> Vec<Loaded> {
        std::mem::take(&mut *self.claimed.borrow_mut())
    }

    /// Whether the file at `path`, whose text is `source`, may bind a
    /// promise function from a workspace file and reach it: some relative
    /// specifier in its text (read without parsing it) names a file whose
    /// summary holds one that the text may reach by name, or a re-export
    /// ([`ExportSummary::may_bind_promises_in`]). A file no rule's trigger
    /// word names is analysed (and parsed) only then: otherwise no rule can
    /// report in it, as none of its names holds a promise function.
    ///
    /// [`ExportSummary::may_bind_promises_in`]: crate::analysis::modules::ExportSummary::may_bind_promises_in
    pub fn may_bind_promises(&self, path: &Path, source: &str) -> bool {
        let Some(path) = absolute(path) else {
            return false;
        };
        let found;
        let targets = match self
            .workspace
            .named
            .as_ref()
            .and_then(|named| named.targets.get(&path))
        {
            Some(targets) => targets,
            None => {
                found = targets_of(source, &path);
                &found
            }
        };
        targets.iter().any(|target| {
            self.summary_of(target)
                .is_some_and(|file| file.summary.may_bind_promises_in(source))
        })
    }

    /// The names the file at `path`, whose text is `source`, binds from
    /// workspace files. `parsed` is its parse when there is one; when the
    /// bindings must be read from the text, the file is parsed into it.
    pub fn imports(
        &self,
        path: &Path,
        source: &str,
        parsed: &mut Option<Option<Tree>>,
    ) -> ImportedNames {
        let cache = self.workspace.cache.as_ref();
        let key = cache.map(|cache| cache.text_key("imports", source.as_bytes()));
        let cached = cache
            .zip(key.as_ref())
            .and_then(|(cache, key)| cache.read(key));
        let bindings: Vec<ImportBinding> = match cached {
            Some(bindings) => bindings,
            None => {
                let tree = parsed.get_or_insert_with(|| self.workspace.parse(path, source));
                let Some(tree) = tree.as_ref() else {
                    return ImportedNames::default();
                };
                let bindings = import_bindings(source, tree);
                if let Some((cache, key)) = cache.zip(key.as_ref()) {
                    cache.write(key, &bindings);
                }
                bindings
            }
        };
        if bindings.is_empty() {
            return ImportedNames::default();
        }
        // Node resolves from the file's absolute path.
        let Some(path) = absolute(path) else {
            return ImportedNames::default();
        };
        bind_imports(&path, &bindings, &DiskFs, self)
    }
}

/// Whether the summary of a file whose text is `text` needs its parse: the
/// text may declare a function whose calls return a native promise (a
/// trigger word of `floating-promise` in its role: `async` as a modifier,
/// `Promise` as an operand, `.then`...; any rule's trigger is tested) or
/// re-export one, or make a promised timer (`promisify(setTimeout)`, one
/// of `timers/promises`), which no rule's trigger word names. Bare
/// substrings (`isAsync`, `@returns {Promise}`) would parse files whose
/// summary is empty (docs/performance.md).
fn may_export_promises(text: &str) -> bool {
    needs_parse(text)
        && (!rules::triggered(text, rules::ALL).is_empty()
            || text.contains("promisify")
            || text.contains("timers/promises")
            || (text.contains("export") && text.contains("from")))
}

/// [`may_export_promises`] of the text a TypeScript file as written erases
/// to, told without erasing it (`rules::triggered_as_written`; erasing only
/// removes text, so the other words carry over).
fn may_export_promises_as_written(text: &str) -> bool {
    needs_parse(text)
        && (!rules::triggered_as_written(text, rules::ALL).is_empty()
            || text.contains("promisify")
            || text.contains("timers/promises")
            || (text.contains("export") && text.contains("from")))
}

/// Whether a trigger word of a rule `config` turns on, or a suppression
/// comment, is in `text`: what makes `check` parse and analyse a file, and
/// so report its syntax error (docs/rules/syntax-error.md).
pub fn is_triggered(text: &str, config: &Config) -> bool {
    !rules::triggered(text, &enabled_rules(config)).is_empty() || has_suppression_comment(text)
}

/// The files that a relative specifier in the text of a walked file may
/// name, resolved as `require` and as `import` (what
/// [`Importer::may_bind_promises`] and the checks' imports may ask a summary
/// of), and by which file. The specifiers of a file whose check binds no
/// imports are not resolved: one skipped as minified, one whose config is
/// broken, one without the trigger words of its enabled rules unless its
/// config turns on a rule that reports an imported promise function's call
/// there (`driver::imports_may_report_untriggered`), one none of whose
/// rules read other files' summaries (`driver::reads_beyond`), and one whose
/// config turns on no such rule, which binds its imports only when a first
/// analysis without them needed them.
fn named_by_relative_specifiers(
    walked: &[PathBuf],
    options: &super::Options,
    configs: &ConfigCache,
) -> Named {
    walked
        .par_iter()
        .fold(Named::default, |mut named, path| {
            let Read::Text(text) = read_file(path, options.max_file_size) else {
                return named;
            };
            if !options.include_minified && super::looks_minified(&text) {
                return named;
            }
            let Ok(config) = configs.for_file(path) else {
                return named;
            };
            if !is_triggered(&text, &config) && !imports_may_report_untriggered(&config) {
                return named;
            }
            // A file whose rules read other files' summaries binds its
            // imports only after a first analysis without them needed them
            // (rare: see `Checker::analyse`), unless a rule reporting imported
            // calls in files without trigger words is on: only then is what
            // it names likely to be asked for.
            if !reads_beyond(&text, &config).contains(&Reads::ImportedSummaries)
                || !imports_may_report_untriggered(&config)
            {
                return named;
            }
            let Some(path) = absolute(path) else {
                return named;
            };
            let targets = targets_of(&text, &path);
            named.files.extend(targets.iter().cloned());
            named.targets.insert(path, targets);
            named
        })
        .reduce(Named::default, |mut all, named| {
            all.files.extend(named.files);
            all.targets.extend(named.targets);
            all
        })
}

/// The files the relative specifiers in `text`, the text of the file at
/// `path` (absolute), name, resolved as `require` and as `import`: in the
/// order of the specifiers, each once.
fn targets_of(text: &str, path: &Path) -> Vec<PathBuf> {
    let mut targets: Vec<PathBuf> = Vec::new();
    for specifier in relative_specifiers(text) {
        for kind in [RequireOrImport::Require, RequireOrImport::Import] {
            if let Resolution::File(target) = resolve_source(specifier, path, kind, &DiskFs) {
                if !targets.contains(&target) {
                    targets.push(target);
                }
            }
        }
    }
    targets
}

/// `path` made absolute, with `.` and `..` folded as the resolver folds the
/// paths it returns, so a file named by the walk and by an import is one.
fn absolute(path: &Path) -> Option<PathBuf> {
    let full = std::path::absolute(path).ok()?;
    let mut folded = PathBuf::new();
    for part in full.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                folded.pop();
            }
            part => folded.push(part),
        }
    }
    Some(folded)
}

/// The text of the file at `path`, or why `check` does not read it.
fn read_file(path: &Path, max_size: u64) -> Read {
    match super::read_limited(path, max_size) {
        Ok(Ok(bytes)) => match super::decode_source(bytes) {
            Ok(text) => Read::Text(text),
            Err(error) => Read::Failed(format!("{error:#}")),
        },
        Ok(Err(skip)) => Read::Skipped(skip),
        Err(error) => Read::Failed(format!("{error:#}")),
    }
}

/// The strings in `source` that start with `./` or `../`, each once: every
/// relative specifier of its imports among them (and other strings too).
/// By their opening, in the order `'./`, `"./`, `'../`, `"../`, `` `./ ``,
/// `` `../ ``, and in text order for each: one scan for `./` finds them all
/// (a `../` holds one), where a search per opening made six.
fn relative_specifiers(source: &str) -> Vec<&str> {
    const QUOTES: [u8; 3] = [b'\'', b'"', b'`'];
    let bytes = source.as_bytes();
    // (the opening's rank, where the string starts, its quote)
    let mut openings: Vec<(usize, usize, u8)> = Vec::new();
    for at in memchr::memmem::find_iter(bytes, b"./") {
        let before = |back: usize| at.checked_sub(back).map(|i| bytes[i]);
        let (start, dots) = match (before(1), before(2)) {
            (Some(quote), _) if QUOTES.contains(&quote) => (at - 1, 0),
            (Some(b'.'), Some(quote)) if QUOTES.contains(&quote) => (at - 2, 1),
            _ => continue,
        };
        let quote = bytes[start];
        let rank = match (quote, dots) {
            (b'\'', 0) => 0,
            (b'"', 0) => 1,
            (b'\'', _) => 2,
            (b'"', _) => 3,
            (_, 0) => 4,
            _ => 5,
        };
        openings.push((rank, start, quote));
    }
    openings.sort_unstable();
    let mut found: Vec<&str> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for (_, start, quote) in openings {
        let rest = &source[start + 1..];
        let Some(end) = rest.find([char::from(quote), '\n']) else {
            continue;
        };
        let specifier = &rest[..end];
        if seen.insert(specifier) {
            found.push(specifier);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::super::{configs::ConfigCache, Checker, Options};
    use super::*;
    use crate::cli::report::Outcome;

    /// A project whose files import each other through a re-export: `main`
    /// drops a call of the async `save` that `store` exports and `barrel`
    /// re-exports; `plain` exports nothing async and `other` imports it;
    /// `loader` imports `store` but names only its `load`, not `save`;
    /// `lonely` drops a call of its own async function, and no file imports it.
    const FILES: [(&str, &str); 8] = [
        ("package.json", "{\"type\": \"module\"}"),
        (
            "store.js",
            "export async function save(x) { await x; }\nexport function load() { return 1; }\n",
        ),
        ("barrel.js", "export { save, load } from './store.js';\n"),
        (
            "main.js",
            "import { save, load } from './barrel.js';\nsave(1);\nload();\n",
        ),
        ("plain.js", "export const x = 1;\n"),
        ("other.js", "import { x } from './plain.js';\nx();\n"),
        ("loader.js", "import { load } from './store.js';\nload();\n"),
        ("lonely.js", "async function f(x) { await x; }\nf(1);\n"),
    ];

    /// Each file's name with the rules of its findings, by name.
    type Found = Vec<(String, Vec<&'static str>)>;

    /// What one run did: each file's rules found, how often each file was
    /// parsed, and the files whose summary was built from a parse.
    struct Run {
        found: Found,
        parses: HashMap<String, usize>,
        summarised: Vec<String>,
        /// The TypeScript files erased, sorted (once per erasure).
        erased: Vec<String>,
    }

    fn file_name(path: &Path) -> String {
        path.file_name().unwrap().to_string_lossy().into_owned()
    }

    /// Checks the project's files one after another in `order` (file
    /// names), with floating-promise on.
    fn run(order: &[&str]) -> Run {
        run_with(order, "[rules]\nfloating-promise = \"on\"\n")
    }

    /// Checks the project's files one after another in `order`, under the
    /// `ticklens.toml` `config`.
    fn run_with(order: &[&str], config: &str) -> Run {
        run_files(&FILES, order, config)
    }

    /// Writes `files` (name, text), then checks them one after another in
    /// `order`, under the `ticklens.toml` `config`.
    fn run_files(files: &[(&str, &str)], order: &[&str], config: &str) -> Run {
        let dir = tempfile::tempdir().expect("a scratch folder");
        for &(name, text) in files {
            std::fs::write(dir.path().join(name), text).expect("the file is written");
        }
        std::fs::write(dir.path().join("ticklens.toml"), config).expect("the config is written");
        let files: Vec<PathBuf> = order.iter().map(|name| dir.path().join(name)).collect();
        let options = Options {
            paths: vec![dir.path().to_owned()],
            ..Options::default()
        };
        let configs = ConfigCache::load(&files).expect("no config");
        let checker = Checker::new(&options, configs, &files);
        let mut found: Found = files
            .iter()
            .flat_map(|path| checker.visit(path))
            .map(|report| {
                let name = report
                    .path
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                match report.outcome {
                    Outcome::Checked(findings) => (name, findings.iter().map(|f| f.rule).collect()),
                    Outcome::Skipped(_) => (name, vec!["(skipped)"]),
                    Outcome::Failed(error) => panic!("{name} failed: {error}"),
                }
            })
            .collect();
        found.sort();
        let parses = checker
            .workspace
            .parse_counts()
            .into_iter()
            .map(|(path, count)| (file_name(&path), count))
            .collect();
        let sorted_names = |paths: Vec<PathBuf>| {
            let mut names: Vec<String> = paths.iter().map(|path| file_name(path)).collect();
            names.sort();
            names
        };
        Run {
            found,
            parses,
            summarised: sorted_names(checker.workspace.summarised()),
            erased: sorted_names(checker.workspace.erasures()),
        }
    }

    #[test]
    fn one_scan_finds_the_specifiers_six_searches_found_in_their_order() {
        let source = "import a from \"../a.js\";\nconst b = require('./b');\n\
                      const c = `./c/${x}`; import('../d'); require(\"./b\");\n\
                      '.../no' './e\n' \"./f\" './b' \"../a.js\" `../g` ''./h'";
        // The searches `relative_specifiers` made before, one per opening.
        let mut expected: Vec<&str> = Vec::new();
        for finder in ["'./", "\"./", "'../", "\"../", "`./", "`../"] {
            let quote = char::from(finder.as_bytes()[0]);
            for (start, _) in source.match_indices(finder) {
                let rest = &source[start + 1..];
                let Some(end) = rest.find([quote, '\n']) else {
                    continue;
                };
                if !expected.contains(&&rest[..end]) {
                    expected.push(&rest[..end]);
                }
            }
        }
        assert!(expected.len() >= 8, "{expected:?}");
        assert_eq!(relative_specifiers(source), expected);
    }

    const ORDER: [&str; 7] = [
        "main.js",
        "barrel.js",
        "store.js",
        "plain.js",
        "other.js",
        "loader.js",
        "lonely.js",
    ];

    #[test]
    fn each_file_is_parsed_once_whichever_is_checked_first() {
        let mut reversed = ORDER;
        reversed.reverse();
        for order in [ORDER, reversed] {
            let Run { found, parses, .. } = run(&order);
            let files: Vec<&str> = found.iter().map(|(name, _)| name.as_str()).collect();
            assert_eq!(
                files,
                [
                    "barrel.js",
                    "loader.js",
                    "lonely.js",
                    "main.js",
                    "other.js",
                    "plain.js",
                    "store.js"
                ],
                "every file is reported once ({order:?})"
            );
            for file in ["lonely.js", "main.js"] {
                let rules = &found.iter().find(|(name, _)| name == file).unwrap().1;
                assert!(rules.contains(&"floating-promise"), "{order:?}: {found:?}");
            }
            // The files the imports and the rules need parsed, each once;
            // `plain` and `other` need no parse at all, nor does `loader`,
            // whose text does not name `save`.
            let mut parsed: Vec<(&str, usize)> =
                parses.iter().map(|(name, &n)| (name.as_str(), n)).collect();
            parsed.sort();
            assert_eq!(
                parsed,
                [
                    ("barrel.js", 1),
                    ("lonely.js", 1),
                    ("main.js", 1),
                    ("store.js", 1)
                ],
                "{order:?}"
            );
        }
    }

    #[test]
    fn without_floating_promise_a_file_without_trigger_words_is_not_parsed_for_its_imports() {
        // floating-promise is off by default, and no other rule reports in
        // `main`, which holds no trigger word: it is not parsed, nor is
        // `barrel`, which only `main` imports, and no file binds imports
        // that need a summary.
        let mut reversed = ORDER;
        reversed.reverse();
        for order in [ORDER, reversed] {
            let Run {
                found,
                parses,
                summarised,
                ..
            } = run_with(&order, "");
            assert!(
                found.iter().all(|(_, rules)| rules.is_empty()),
                "{order:?}: {found:?}"
            );
            let mut parsed: Vec<&str> = parses.keys().map(String::as_str).collect();
            parsed.sort_unstable();
            assert_eq!(parsed, ["lonely.js", "store.js"], "{order:?}");
            assert_eq!(summarised, Vec::<String>::new(), "{order:?}");
        }
    }

    #[test]
    fn only_files_some_file_names_get_a_summary_from_their_parse() {
        let mut reversed = ORDER;
        reversed.reverse();
        for order in [ORDER, reversed] {
            // `main` and `lonely` are parsed for their own checks, but no
            // file's specifiers name them: no summary of theirs is built.
            assert_eq!(
                run(&order).summarised,
                ["barrel.js", "store.js"],
                "{order:?}"
            );
        }
    }

    #[test]
    fn a_file_holding_only_the_trigger_words_of_rules_that_are_off_is_parsed_only_for_a_summary() {
        // `.then` is a trigger word of floating-promise only (off by
        // default). `then.js` holds it and a syntax error, and `Promise`
        // (in a comment, not a trigger word), so its summary needs a parse;
        // `user.js` races `go()` against a timer (timeout-without-abort reads
        // other files' summaries, and asks whether `go()` is a promise), and
        // binds `go` from it, so that summary is asked for; `plain.js` names
        // `ready.js` but holds no trigger word.
        const FILES: [(&str, &str); 4] = [
            (
                "then.js",
                "/** @returns {Promise} */\nexports.go = function () { return load().then(show); };\nconst broken = ;\n",
            ),
            (
                "user.js",
                "const { go } = require('./then.js');\nasync function f() { await Promise.race([go(), new Promise((r) => setTimeout(r, 10))]); }\nmodule.exports = f;\n",
            ),
            ("ready.js", "exports.ready = () => load().then(show);\n"),
            ("plain.js", "require('./ready.js');\n"),
        ];
        let order = ["then.js", "user.js", "ready.js", "plain.js"];
        let mut reversed = order;
        reversed.reverse();
        for order in [order, reversed] {
            // Off: `then.js` is parsed once, for the summary `user.js`
            // asks for, and its syntax error is not reported; `ready.js`,
            // which no file binding imports names, is not parsed.
            let Run { found, parses, .. } = run_files(&FILES, &order, "");
            assert!(
                found.iter().all(|(_, rules)| rules.is_empty()),
                "{order:?}: {found:?}"
            );
            let mut parsed: Vec<(&str, usize)> =
                parses.iter().map(|(name, &n)| (name.as_str(), n)).collect();
            parsed.sort();
            assert_eq!(parsed, [("then.js", 1), ("user.js", 1)], "{order:?}");
            // On: each is parsed once, and `then.js`'s syntax error reported.
            let Run { found, parses, .. } =
                run_files(&FILES, &order, "[rules]\nfloating-promise = \"on\"\n");
            let then = &found.iter().find(|(name, _)| name == "then.js").unwrap().1;
            assert_eq!(then, &["syntax-error"], "{order:?}: {found:?}");
            let mut parsed: Vec<(&str, usize)> =
                parses.iter().map(|(name, &n)| (name.as_str(), n)).collect();
            parsed.sort();
            assert_eq!(
                parsed,
                [("ready.js", 1), ("then.js", 1), ("user.js", 1)],
                "{order:?}"
            );
        }
    }

    #[test]
    fn a_file_whose_rules_read_no_summaries_binds_no_imports() {
        // `user.js` awaits an imported function: the rules its `await` and
        // `async` trigger by default read nothing of another file, so the
        // summary of `go.js` (which needs a parse: `Promise` in its text)
        // is not built, and `go.js`, which holds no trigger word of a rule
        // that is on, is not parsed. With `Promise.race` in `user.js`
        // (timeout-without-abort reads the summaries), it is when the rule
        // asks what `go()` is: not for a race of one promise (no timeout),
        // nor for a `new Promise` that only hands `resolve` to a timer
        // (promise-constructor-wrap asks nothing of it); for a race against
        // a timer, it is.
        let go =
            "/** @returns {Promise} */\nexports.go = function () { return load().then(show); };\n";
        let awaits = "const { go } = require('./go.js');\nasync function f() { await go(); }\n";
        let races_one =
            "const { go } = require('./go.js');\nasync function f() { await Promise.race([go()]); }\n";
        let sleeps = "const { go } = require('./go.js');\n\
                      const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));\n";
        let races = "const { go } = require('./go.js');\n\
                     async function f() { await Promise.race([go(), new Promise((r) => setTimeout(r, 10))]); }\n";
        for (user, summarised) in [
            (awaits, false),
            (races_one, false),
            (sleeps, false),
            (races, true),
        ] {
            let files = [("go.js", go), ("user.js", user)];
            for order in [["go.js", "user.js"], ["user.js", "go.js"]] {
                let Run { parses, .. } = run_files(&files, &order, "");
                assert_eq!(parses.contains_key("go.js"), summarised, "{user}");
            }
        }
    }

    #[test]
    fn a_file_is_analysed_again_with_its_imports_when_a_rule_asks_what_they_decide() {
        // `wrap.js` wraps a call of an imported async function: whether
        // `load()` is a promise is the imported file's to say, so the check
        // reads `lib.js`'s summary and reports what it would have with its
        // imports bound from the start. `lib.js` is not walked.
        let lib = "exports.load = async function () { return 1; };\n";
        let wrap = "const { load } = require('./lib.js');\n\
                    function f() { return new Promise((resolve) => resolve(load())); }\n\
                    module.exports = f;\n";
        let files = [("lib.js", lib), ("wrap.js", wrap)];
        let Run { found, parses, .. } = run_files(&files, &["wrap.js"], "");
        assert_eq!(
            found,
            [("wrap.js".to_owned(), vec!["promise-constructor-wrap"])]
        );
        assert_eq!(parses.get("lib.js"), Some(&1), "{parses:?}");
        // Not a promise the file can tell without `lib.js`: no finding.
        let local = wrap.replace(
            "const { load } = require('./lib.js');",
            "const load = () => 1;",
        );
        let files = [("lib.js", lib), ("wrap.js", local.as_str())];
        let Run { found, parses, .. } = run_files(&files, &["wrap.js"], "");
        assert_eq!(found, [("wrap.js".to_owned(), vec![])]);
        assert!(!parses.contains_key("lib.js"), "{parses:?}");
    }

    #[test]
    fn a_typescript_file_is_erased_only_when_its_check_or_its_summary_needs_a_parse() {
        // `main.ts` awaits (its check parses it) and imports the three
        // others: `plain.ts` and `refused.ts` hold no word a summary needs a
        // parse for, `typed.ts` declares an async function. `bundle.ts` holds
        // trigger words only on lines too long to check (it looks minified).
        let bundle = format!(
            "export const script = \"{}\";\n",
            "async function f(){await g()};".repeat(1_000)
        );
        let files = [
            (
                "main.ts",
                "import { double } from './plain.ts';\nimport { Store } from './refused.ts';\n\
                 import { load } from './typed.ts';\n\
                 async function f(): Promise<number> { return double(await load()); }\n\
                 f().then(() => new Store(1));\n",
            ),
            (
                "plain.ts",
                "export const double = (x: number): number => x * 2;\n",
            ),
            (
                "refused.ts",
                "export class Store { constructor(private size: number) {} }\n",
            ),
            (
                "typed.ts",
                "export async function load(): Promise<number> { return 1; }\n",
            ),
            ("bundle.ts", bundle.as_str()),
        ];
        let order = ["main.ts", "plain.ts", "refused.ts", "typed.ts", "bundle.ts"];
        let mut reversed = order;
        reversed.reverse();
        for order in [order, reversed] {
            let Run { found, erased, .. } = run_files(&files, &order, "");
            assert_eq!(erased, ["main.ts", "typed.ts"], "{order:?}");
            // Node refuses `refused.ts` (a parameter property), but its check
            // parses nothing, whoever reads it first: nothing is reported,
            // as for a JavaScript file's syntax error.
            let found: Vec<(&str, &[&str])> = found
                .iter()
                .map(|(name, rules)| (name.as_str(), rules.as_slice()))
                .collect();
            assert_eq!(
                found,
                [
                    ("bundle.ts", &["(skipped)"][..]),
                    ("main.ts", &[]),
                    ("plain.ts", &[]),
                    ("refused.ts", &[]),
                    ("typed.ts", &[]),
                ],
                "{order:?}"
            );
        }
        // Its own trigger word makes its check parse it, and report Node's
        // refusal.
        let mut files = files;
        files[2].1 =
            "export class Store { constructor(private size: number) {}\n  async save() {} }\n";
        let Run { found, .. } = run_files(&files, &order, "");
        let refused = &found
            .iter()
            .find(|(name, _)| name == "refused.ts")
            .unwrap()
            .1;
        assert_eq!(refused, &["syntax-error"], "{found:?}");
    }
}
