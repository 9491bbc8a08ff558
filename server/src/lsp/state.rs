//! The server's state: open documents and their latest analyses.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use dashmap::DashMap;
use serde::Deserialize;
use tower_lsp_server::ls_types::Uri;

use crate::analysis::declared_types::DeclaredTypes;
use crate::analysis::insights::{Ahead, Insights, InsightsCache};
use crate::config::{Config, ConfigError, RuleLevel};
use crate::document::Document;
use crate::driver::{self, Analysis, AnalysisCache, CancelToken};
use crate::line_index::Encoding;
use crate::rules;

/// Settings the editor sends in `initializationOptions` and
/// `workspace/didChangeConfiguration` (under a `ticklens` key or bare).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ClientSettings {
    pub inlay_hints: bool,
    pub code_lens: bool,
    /// Per-rule levels; they override `ticklens.toml`.
    pub rules: BTreeMap<String, RuleLevel>,
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            inlay_hints: true,
            code_lens: true,
            rules: BTreeMap::new(),
        }
    }
}

impl ClientSettings {
    /// Reads settings from a JSON value; unknown or malformed parts keep their defaults.
    pub fn from_json(value: &serde_json::Value) -> Option<Self> {
        let value = value.get("ticklens").unwrap_or(value);
        if value.is_null() {
            return None;
        }
        serde_json::from_value(value.clone()).ok()
    }
}

/// How long one pass of a document's analysis may run before it reports what
/// it has (marked partial) and yields to the next pass.
pub const ANALYSIS_BUDGET: Duration = Duration::from_millis(1000);

/// An analysis that examined this many units (opening a document, an edit
/// that changed the file's facts) hands the memory it freed back to the
/// system; a smaller one, the common edit, frees little and leaves it.
const RELEASE_AFTER_UNITS: usize = 100;

/// One open document.
#[derive(Clone)]
pub struct OpenDocument {
    /// The latest text and tree. Replaced, never mutated in place, so a worker can
    /// analyse a snapshot while edits keep arriving.
    pub doc: Arc<Document>,
    /// False after a change could not be applied: our text may differ from the
    /// editor's, so nothing is reported until a full-text change or a reopen.
    pub in_sync: bool,
    /// The analysis of `doc`, once computed for its version.
    pub analysis: Option<(i32, Arc<Analysis>)>,
    /// The editor insights (ticks, retained variables, order) of `doc`, filled
    /// once per text by the first request that needs them (`None` inside when
    /// computing them failed). A change gives the document a new, empty cell.
    pub insights: Arc<InsightsCell>,
    /// What `doc`'s declared types decide (TypeScript), read once per text
    /// for both its analysis and its insights. A change, or a change of
    /// another file, gives the document a new, empty cell.
    pub declared: Arc<OnceLock<DeclaredTypes>>,
    /// What the last analysis of this document keeps for the next one, so an
    /// edit re-examines only the units it touched.
    pub cache: Arc<Mutex<AnalysisCache>>,
    /// What the last insights of this document keep for the next version's
    /// (each unchanged function's retention and rejections).
    pub insights_cache: Arc<Mutex<InsightsCache>>,
    /// Ends when a newer text replaces `doc` or the document closes, so
    /// analyses of `doc` stop early and requests about it start again from
    /// the newer text.
    pub superseded: Supersession,
    /// Set once the timer that drops this text's tree when idle is running
    /// (`idle_trees`); a newer text gets a new one.
    pub tree_timer: Arc<AtomicBool>,
}

/// One text's insights, filled once by the first request that needs them
/// (`None` inside when computing them failed), and the hovers waiting for
/// them that want their function's insights first.
#[derive(Default)]
pub struct InsightsCell {
    pub whole: tokio::sync::OnceCell<Option<Arc<Insights>>>,
    /// The hovers that want their function's insights ahead of the whole ones.
    first: Mutex<FirstWaiting>,
}

/// Until the whole computation starts, each hover's offset, and where to send
/// what answers it ahead of the whole insights (`None` when nothing does).
#[derive(Default)]
struct FirstWaiting {
    started: bool,
    waiting: Vec<FunctionFirst>,
}

/// A hover's offset, and where what answers it ahead goes (`insights::ahead_at`).
pub type FunctionFirst = (usize, tokio::sync::oneshot::Sender<Option<Ahead>>);

impl InsightsCell {
    /// Registers a hover at `offset` that wants its function's insights
    /// first; `None` when the computation started already (then the hover
    /// waits for the whole insights).
    pub fn want_first(
        &self,
        offset: usize,
    ) -> Option<tokio::sync::oneshot::Receiver<Option<Ahead>>> {
        let mut first = self.first.lock().unwrap_or_else(|p| p.into_inner());
        if first.started {
            return None;
        }
        let (send, receive) = tokio::sync::oneshot::channel();
        first.waiting.push((offset, send));
        Some(receive)
    }

    /// The hovers registered so far, taken as the computation starts: none
    /// registers after this.
    pub fn take_first(&self) -> Vec<FunctionFirst> {
        let mut first = self.first.lock().unwrap_or_else(|p| p.into_inner());
        first.started = true;
        std::mem::take(&mut first.waiting)
    }
}

/// The end of one text's life: a [`CancelToken`] for the analyses of the
/// text (they check it between units), and a signal requests can await.
#[derive(Clone, Default)]
pub struct Supersession {
    token: CancelToken,
    replaced: Arc<tokio::sync::Notify>,
}

impl Supersession {
    fn end(&self) {
        self.token.cancel();
        self.replaced.notify_waiters();
    }

    pub fn token(&self) -> &CancelToken {
        &self.token
    }

    pub fn is_over(&self) -> bool {
        self.token.is_cancelled()
    }

    /// Returns once a newer text has replaced this one (at once if it has).
    pub async fn over(&self) {
        let notified = self.replaced.notified();
        tokio::pin!(notified);
        // Registered before the check, so an `end` between the two is not missed.
        notified.as_mut().enable();
        if self.is_over() {
            return;
        }
        notified.await;
    }
}

impl OpenDocument {
    /// Whether results may be computed from `doc`: its text is the editor's
    /// and its tree parses that text.
    pub fn usable(&self) -> bool {
        self.in_sync && self.doc.is_parsed()
    }

    pub fn new(doc: Arc<Document>) -> Self {
        Self {
            doc,
            in_sync: true,
            analysis: None,
            insights: Arc::default(),
            declared: Arc::default(),
            cache: Arc::default(),
            insights_cache: Arc::default(),
            superseded: Supersession::default(),
            tree_timer: Arc::default(),
        }
    }

    /// What `doc` (at `uri`) declares, from `cell` when its text's were read
    /// already.
    pub fn declared_types(
        cell: &OnceLock<DeclaredTypes>,
        uri: &Uri,
        doc: &Document,
    ) -> DeclaredTypes {
        cell.get_or_init(|| DeclaredTypes::of_document(doc, file_path(uri).as_deref()))
            .clone()
    }

    /// Marks the current text as replaced by a newer one (see [`Self::superseded`]).
    pub fn supersede(&mut self) {
        self.superseded.end();
        self.superseded = Supersession::default();
        self.tree_timer = Arc::default();
    }

    /// Analyses `doc` (a snapshot of this document) with `cache`, reusing what
    /// the previous analysis found in the units the edits did not touch, and
    /// stopping after [`ANALYSIS_BUDGET`] with a partial result (the next call
    /// goes on from there), or as soon as `superseded` ends.
    ///
    /// The cache is taken out of its lock for the run and put back after, so an
    /// analysis of a newer text never waits for this one (it starts from an empty
    /// cache instead), and a cache left behind by a panicking analysis is
    /// dropped, not trusted.
    ///
    /// The names `doc` (at `uri`) binds from other workspace files are read
    /// first, so a dropped call of an imported async function is a floating
    /// promise here as in `check`.
    pub fn analyze(
        state: &ServerState,
        uri: &Uri,
        (cache, declared): (&Mutex<AnalysisCache>, &OnceLock<DeclaredTypes>),
        doc: &Document,
        config: &Config,
        superseded: &Supersession,
    ) -> Analysis {
        let mut imports = state.workspace_files.imports_of(state, uri, doc);
        imports.declared = Self::declared_types(declared, uri, doc);
        let lock = || cache.lock().unwrap_or_else(|poison| poison.into_inner());
        let mut taken = std::mem::take(&mut *lock());
        // The rules read the text as written (TypeScript's types too: the
        // erased tree's every offset is the same), so their messages and fix
        // texts quote what the user wrote.
        taken.set_imports(doc.written(), doc.tree(), &imports);
        let deadline = Instant::now() + ANALYSIS_BUDGET;
        let analysis = driver::analyze_within(
            doc.written(),
            doc.tree(),
            rules::ALL,
            config,
            &mut taken,
            Some(deadline),
            Some(superseded.token()),
        );
        if taken.last_examined >= RELEASE_AFTER_UNITS {
            super::memory::release_freed();
        }
        *lock() = taken;
        analysis
    }
}

/// The local path a `file:` URI names; `None` for other schemes (`untitled:`
/// buffers have no folder and no `ticklens.toml`).
pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    uri.to_file_path().map(|path| path.into_owned())
}

/// Shared by the backend and the `run_stdio` loop.
#[derive(Default)]
pub struct ServerState {
    pub documents: DashMap<Uri, OpenDocument>,
    pub encoding: RwLock<Encoding>,
    /// How the client reads hovers (and the tooltips that follow them).
    pub markup: RwLock<super::markup::Format>,
    pub shutdown_requested: AtomicBool,
    /// Whether the client can register file watchers for us (`ticklens.toml`).
    pub client_watches_files: AtomicBool,
    /// Tests set `TICKLENS_FAULT_INJECT_PANIC` to a marker; analysing a document
    /// that contains it panics, to prove a panic is contained. Only in builds
    /// with the `fault-injection` feature (the test script's), never in releases.
    #[cfg(feature = "fault-injection")]
    fault_marker: Option<String>,
    pub settings: RwLock<ClientSettings>,
    /// `ticklens.toml` per folder, as loaded; cleared when a config file changes.
    pub configs: DashMap<PathBuf, Arc<Result<Config, ConfigError>>>,
    /// The config errors already shown to the user, so that each is shown once,
    /// not on every edit of every file it governs; cleared with `configs`.
    pub config_errors_shown: Mutex<HashSet<String>>,
    /// Each document's locks, kept after it closes (a reopen must queue behind
    /// the close): one small entry per document ever opened.
    pub locks: DashMap<Uri, Arc<DocumentLocks>>,
    /// The workspace files the open documents import (`watched_files`).
    pub workspace_files: super::watched_files::WorkspaceFiles,
}

/// The order-keeping locks of one document. Per document, so that a large
/// document's parse or publication never stalls requests about another.
#[derive(Default)]
pub struct DocumentLocks {
    /// Held by `didOpen`, `didChange` and `didClose` from their first poll to
    /// their end. tower-lsp-server runs handlers concurrently, and these parse
    /// off the message loop; the lock is fair, so the text changes in the order
    /// the notifications arrived.
    pub sync: tokio::sync::Mutex<()>,
    /// Held from "is this result still current?" to the end of its
    /// `publishDiagnostics`, and by `didClose`, so publications keep the order
    /// of the document's versions.
    pub publish: tokio::sync::Mutex<()>,
}

impl ServerState {
    pub fn new() -> Self {
        Self {
            #[cfg(feature = "fault-injection")]
            fault_marker: std::env::var("TICKLENS_FAULT_INJECT_PANIC")
                .ok()
                .filter(|m| !m.is_empty()),
            ..Self::default()
        }
    }

    /// Panics when `text` holds the test's fault marker (see `fault_marker`);
    /// does nothing in a build without the `fault-injection` feature.
    pub fn inject_fault(&self, text: &str) {
        #[cfg(feature = "fault-injection")]
        if let Some(marker) = &self.fault_marker {
            if text.contains(marker.as_str()) {
                panic!("fault injected for a test");
            }
        }
        #[cfg(not(feature = "fault-injection"))]
        let _ = text;
    }

    pub fn encoding(&self) -> Encoding {
        *self
            .encoding
            .read()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    pub fn markup(&self) -> super::markup::Format {
        *self
            .markup
            .read()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    pub fn settings(&self) -> ClientSettings {
        self.settings
            .read()
            .unwrap_or_else(|poison| poison.into_inner())
            .clone()
    }

    /// The configuration for a document: its folder's `ticklens.toml` (loaded once
    /// and cached; the package's `engines.node` when it names no Node range),
    /// with the editor's rule levels on top. A broken config file is
    /// returned as the error the first time it is met, so the caller can report
    /// it once; defaults apply meanwhile.
    pub fn config_for(&self, uri: &Uri) -> (Config, Option<String>) {
        let mut config = Config::default();
        let mut problem = None;
        if let Some(folder) = file_path(uri).and_then(|path| path.parent().map(PathBuf::from)) {
            let loaded = self
                .configs
                .entry(folder.clone())
                .or_insert_with(|| {
                    Arc::new(Config::load_for(&folder, crate::driver::known_rules()).map(
                        |(_, c)| {
                            c.or_package_engines(|| {
                                crate::workspace::json::engines_node(
                                    &crate::workspace::DiskFs,
                                    &folder,
                                )
                            })
                        },
                    ))
                })
                .clone();
            match &*loaded {
                Ok(found) => config = found.clone(),
                Err(error) => {
                    let message = error.to_string();
                    let mut shown = self
                        .config_errors_shown
                        .lock()
                        .unwrap_or_else(|poison| poison.into_inner());
                    if shown.insert(message.clone()) {
                        problem = Some(message);
                    }
                }
            }
        }
        config.rules.extend(self.settings().rules);
        (config, problem)
    }

    /// A snapshot of an open document, with the map's guard already dropped.
    pub fn snapshot(&self, uri: &Uri) -> Option<OpenDocument> {
        self.documents.get(uri).map(|entry| entry.value().clone())
    }

    /// The locks of the document at `uri` (taken without awaiting, so a
    /// handler queues on them in the order it was first polled).
    pub fn locks(&self, uri: &Uri) -> Arc<DocumentLocks> {
        Arc::clone(&self.locks.entry(uri.clone()).or_default())
    }

    /// A snapshot taken once every `didOpen`/`didChange`/`didClose` of this
    /// document that arrived before this request has been applied (its sync
    /// lock is fair), so a request sees at least the text it was sent against.
    /// Other documents' edits are not waited for.
    pub async fn settled_snapshot(&self, uri: &Uri) -> Option<OpenDocument> {
        drop(self.locks(uri).sync.lock().await);
        self.snapshot(uri)
    }
}
