//! The server's state: open documents and their latest analyses.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, RwLock};

use dashmap::DashMap;
use tower_lsp::lsp_types::Url;

use crate::analysis::Analysis;
use crate::document::Document;
use crate::line_index::Encoding;

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
}

/// Shared by the backend and the `run_stdio` loop.
#[derive(Default)]
pub struct ServerState {
    pub documents: DashMap<Url, OpenDocument>,
    pub encoding: RwLock<Encoding>,
    pub shutdown_requested: AtomicBool,
    /// Tests set `TICKLENS_FAULT_INJECT_PANIC` to a marker; analysing a document
    /// that contains it panics, to prove a panic is contained.
    pub fault_marker: Option<String>,
}

impl ServerState {
    pub fn new() -> Self {
        Self {
            fault_marker: std::env::var("TICKLENS_FAULT_INJECT_PANIC")
                .ok()
                .filter(|m| !m.is_empty()),
            ..Self::default()
        }
    }

    pub fn encoding(&self) -> Encoding {
        *self
            .encoding
            .read()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// A snapshot of an open document, with the map's guard already dropped.
    pub fn snapshot(&self, uri: &Url) -> Option<OpenDocument> {
        self.documents.get(uri).map(|entry| entry.value().clone())
    }
}
