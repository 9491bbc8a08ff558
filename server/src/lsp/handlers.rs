//! Lifecycle and document-sync handlers: the server's state follows the
//! editor's texts, and each text's analysis is published as diagnostics.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::document::Document;
use crate::driver::{self, Analysis};
use crate::line_index::Encoding;
use crate::syntax::{self, SourceLanguage};

use super::backend::Backend;
use super::capabilities::{negotiate_encoding, server_capabilities};
use super::convert;
use super::publication;
use super::state::{ClientSettings, OpenDocument};

pub fn initialize(backend: &Backend, params: InitializeParams) -> Result<InitializeResult> {
    let encoding = negotiate_encoding(&params.capabilities);
    let watches_files = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|workspace| workspace.did_change_watched_files.as_ref())
        .and_then(|watch| watch.dynamic_registration)
        .unwrap_or(false);
    backend
        .state
        .client_watches_files
        .store(watches_files, Ordering::SeqCst);
    if let Some(settings) = params
        .initialization_options
        .as_ref()
        .and_then(ClientSettings::from_json)
    {
        *backend
            .state
            .settings
            .write()
            .unwrap_or_else(|poison| poison.into_inner()) = settings;
    }
    *backend
        .state
        .encoding
        .write()
        .unwrap_or_else(|poison| poison.into_inner()) = encoding;
    *backend
        .state
        .markup
        .write()
        .unwrap_or_else(|poison| poison.into_inner()) =
        super::markup::hover_format(&params.capabilities);
    Ok(InitializeResult {
        capabilities: server_capabilities(encoding),
        server_info: Some(ServerInfo {
            name: "ticklens".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
        offset_encoding: None,
    })
}

/// Asks the client to tell us when a `ticklens.toml` changes, when it can.
pub fn initialized(backend: &Backend) {
    tracing::info!("ticklens {} ready", env!("CARGO_PKG_VERSION"));
    if !backend.state.client_watches_files.load(Ordering::SeqCst) {
        return;
    }
    let options = DidChangeWatchedFilesRegistrationOptions {
        watchers: vec![
            FileSystemWatcher {
                glob_pattern: GlobPattern::String(format!("**/{}", crate::config::FILE_NAME)),
                kind: None,
            },
            super::watched_files::source_watcher(),
        ],
    };
    let registration = Registration {
        id: "ticklens-config-watcher".to_owned(),
        method: "workspace/didChangeWatchedFiles".to_owned(),
        register_options: serde_json::to_value(options).ok(),
    };
    let client = backend.client.clone();
    // Not awaited here: the reply comes from the client whenever it comes.
    tokio::spawn(async move {
        if let Err(error) = client.register_capability(vec![registration]).await {
            tracing::warn!("the client refused to watch ticklens.toml ({error})");
        }
    });
}

/// New editor settings: re-analyse every open document under them.
pub fn did_change_configuration(backend: &Backend, params: DidChangeConfigurationParams) {
    if let Some(settings) = ClientSettings::from_json(&params.settings) {
        *backend
            .state
            .settings
            .write()
            .unwrap_or_else(|poison| poison.into_inner()) = settings;
        reanalyze_all(backend);
    }
}

/// A `ticklens.toml` changed: forget the loaded configs and re-analyse. A
/// source file changed: re-compute the insights of the open files importing it.
pub fn did_change_watched_files(backend: &Backend, params: DidChangeWatchedFilesParams) {
    let mut config_changed = false;
    for change in &params.changes {
        match super::state::file_path(&change.uri) {
            Some(path) if !path.ends_with(crate::config::FILE_NAME) => {
                for reader in backend.state.workspace_files.changed(&backend.state, &path) {
                    schedule_analysis(backend, reader);
                }
            }
            _ => config_changed = true,
        }
    }
    if !config_changed && !params.changes.is_empty() {
        return;
    }
    backend.state.configs.clear();
    backend
        .state
        .config_errors_shown
        .lock()
        .unwrap_or_else(|poison| poison.into_inner())
        .clear();
    reanalyze_all(backend);
}

fn reanalyze_all(backend: &Backend) {
    let uris: Vec<Uri> = backend
        .state
        .documents
        .iter()
        .map(|entry| entry.key().clone())
        .collect();
    for uri in uris {
        schedule_analysis(backend, uri);
    }
}

pub fn shutdown(backend: &Backend) -> Result<()> {
    backend
        .state
        .shutdown_requested
        .store(true, Ordering::SeqCst);
    Ok(())
}

/// The language of an opened document: its language id says, and for an id
/// that is neither JavaScript's nor TypeScript's, its file's extension.
fn document_language(language_id: &str, uri: &Uri) -> SourceLanguage {
    match language_id {
        "javascript" | "javascriptreact" | "typescript" | "typescriptreact" => {
            SourceLanguage::of_language_id(language_id)
        }
        _ => super::state::file_path(uri)
            .and_then(|path| SourceLanguage::of_path(&path))
            .unwrap_or_default(),
    }
}

/// Parses the opened text off the message loop (a 10 MB bundle takes seconds),
/// holding the document's sync lock so its later changes wait for it.
pub async fn did_open(backend: &Backend, params: DidOpenTextDocumentParams) {
    let item = params.text_document;
    let locks = backend.state.locks(&item.uri);
    let _sync = locks.sync.lock().await;
    let (text, version) = (item.text, item.version);
    let language = document_language(&item.language_id, &item.uri);
    let parse = move || {
        let doc = Document::in_language(text, version, language);
        // The parser's stacks and pools are freed; an idle pool thread would keep them.
        super::memory::release_freed();
        doc
    };
    let doc = match tokio::task::spawn_blocking(parse).await {
        Ok(doc) => Arc::new(doc),
        Err(error) => {
            tracing::error!("didOpen for {}: parsing failed: {error}", item.uri.as_str());
            return;
        }
    };
    let replaced = backend
        .state
        .documents
        .insert(item.uri.clone(), OpenDocument::new(doc));
    if let Some(mut replaced) = replaced {
        replaced.supersede();
    }
    buffer_changed(backend, &item.uri);
    schedule_analysis(backend, item.uri);
}

/// Applies a batch of changes atomically, off the message loop and in the
/// order the notifications arrived (the document's sync lock). Stale versions are
/// ignored; a change that does not fit the text leaves the document out of
/// sync (nothing is reported for it) until the editor sends the full text again.
pub async fn did_change(backend: &Backend, params: DidChangeTextDocumentParams) {
    let uri = params.text_document.uri;
    let locks = backend.state.locks(&uri);
    let _sync = locks.sync.lock().await;
    let version = params.text_document.version;
    let encoding = backend.state.encoding();
    let (mut doc, in_sync) = {
        let Some(entry) = backend.state.documents.get(&uri) else {
            tracing::warn!(
                "didChange for {uri}, which is not open: ignored",
                uri = uri.as_str()
            );
            return;
        };
        if version <= entry.doc.version() {
            tracing::warn!(
                "didChange for {uri} at version {version}, not newer than {}: ignored",
                entry.doc.version(),
                uri = uri.as_str()
            );
            return;
        }
        ((*entry.doc).clone(), entry.in_sync)
    };
    let changes = params.content_changes;
    let applied = tokio::task::spawn_blocking(move || {
        let mut in_sync = in_sync;
        let mut problem = None;
        // An idle document's tree was dropped: its text is parsed in full.
        let full_parse = !doc.has_tree();
        for change in changes {
            let change = convert::text_change(change);
            let full_text = change.range.is_none();
            match doc.apply_change(&change, encoding) {
                Ok(()) if full_text => in_sync = true,
                Ok(()) => {}
                Err(error) => {
                    in_sync = false;
                    problem = Some(error);
                    break;
                }
            }
        }
        doc.set_version(version);
        if full_parse {
            // The parser's stacks and pools are freed; an idle pool thread would keep them.
            super::memory::release_freed();
        }
        (doc, in_sync, problem)
    })
    .await;
    let (doc, in_sync, problem) = match applied {
        Ok(applied) => applied,
        Err(error) => {
            tracing::error!(
                "didChange for {uri}: applying the changes failed: {error}",
                uri = uri.as_str()
            );
            return;
        }
    };
    {
        let Some(mut entry) = backend.state.documents.get_mut(&uri) else {
            return;
        };
        entry.supersede();
        entry.doc = Arc::new(doc);
        entry.in_sync = in_sync;
        entry.analysis = None;
        entry.insights = Arc::default();
        entry.declared = Arc::default();
    }
    buffer_changed(backend, &uri);
    if let Some(error) = problem {
        let message = format!(
            "ticklens: an edit to {uri} did not fit the text it has ({error}); \
             results for this file are paused until it is reopened",
            uri = uri.as_str()
        );
        tracing::error!("{message}");
        backend
            .client
            .log_message(MessageType::ERROR, message)
            .await;
        let _publishing = locks.publish.lock().await;
        backend
            .client
            .publish_diagnostics(uri.clone(), Vec::new(), Some(version))
            .await;
        return;
    }
    schedule_analysis(backend, uri);
}

pub async fn did_close(backend: &Backend, params: DidCloseTextDocumentParams) {
    let uri = params.text_document.uri;
    let locks = backend.state.locks(&uri);
    let _sync = locks.sync.lock().await;
    let _publishing = locks.publish.lock().await;
    if let Some((_, mut closed)) = backend.state.documents.remove(&uri) {
        closed.supersede();
    }
    backend.state.workspace_files.closed(&uri);
    buffer_changed(backend, &uri);
    backend
        .client
        .publish_diagnostics(uri, Vec::new(), None)
        .await;
}

/// The buffer of `uri` changed (opened, edited, closed): the open files that
/// import it see its new text from their next request on, and their
/// diagnostics (a floating call of a function that became async) are
/// published again.
fn buffer_changed(backend: &Backend, uri: &Uri) {
    if let Some(path) = super::state::file_path(uri) {
        for reader in backend.state.workspace_files.changed(&backend.state, &path) {
            if reader != *uri {
                schedule_analysis(backend, reader);
            }
        }
    }
}

/// Analyses the current version off the async reactor and publishes its
/// diagnostics, unless a newer version arrived in the meantime.
fn schedule_analysis(backend: &Backend, uri: Uri) {
    let Some(open) = backend.state.snapshot(&uri) else {
        return;
    };
    if open.in_sync && !open.doc.is_parsed() {
        let client = backend.client.clone();
        let state = backend.state();
        tokio::spawn(async move {
            let budget = syntax::parse_budget(open.doc.text().len());
            let message = format!(
                "ticklens: parsing {uri} took over {} s and was given up; its results are \
                 cleared until an edit gives a text that parses in time",
                budget.as_secs(),
                uri = uri.as_str()
            );
            tracing::warn!("{message}");
            client.log_message(MessageType::WARNING, message).await;
            let locks = state.locks(&uri);
            let _publishing = locks.publish.lock().await;
            let current = state
                .documents
                .get(&uri)
                .is_some_and(|entry| Arc::ptr_eq(&entry.doc, &open.doc));
            if current {
                client
                    .publish_diagnostics(uri, Vec::new(), Some(open.doc.version()))
                    .await;
            }
        });
        return;
    }
    if !open.usable() {
        return;
    }
    let state = backend.state();
    let client = backend.client.clone();
    let (config, config_problem) = state.config_for(&uri);
    tokio::spawn(async move {
        if let Some(problem) = config_problem {
            client
                .show_message(
                    MessageType::WARNING,
                    format!(
                        "ticklens is using its default settings until ticklens.toml is fixed: {problem}"
                    ),
                )
                .await;
        }
        let doc = Arc::clone(&open.doc);
        // A pass that runs out of time publishes what it has, marked partial,
        // and the next pass goes on from the cache until the analysis is complete.
        loop {
            let worker_state = Arc::clone(&state);
            let worker_doc = Arc::clone(&doc);
            let cache = Arc::clone(&open.cache);
            let declared = Arc::clone(&open.declared);
            let config = config.clone();
            let superseded = open.superseded.clone();
            let worker_uri = uri.clone();
            let outcome = tokio::task::spawn_blocking(move || {
                driver::contain_panic(|| {
                    worker_state.inject_fault(worker_doc.text());
                    OpenDocument::analyze(
                        &worker_state,
                        &worker_uri,
                        (&cache, &declared),
                        &worker_doc,
                        &config,
                        &superseded,
                    )
                })
            })
            .await;
            let analysis = match outcome {
                Ok(Ok(analysis)) => Arc::new(analysis),
                Ok(Err(panic)) => {
                    let message = format!(
                        "ticklens: analysis of {uri} failed: {panic}",
                        uri = uri.as_str()
                    );
                    tracing::error!("{message}");
                    client.log_message(MessageType::ERROR, message).await;
                    return;
                }
                Err(join_error) => {
                    tracing::error!(
                        "analysis task for {uri} did not finish: {join_error}",
                        uri = uri.as_str()
                    );
                    return;
                }
            };
            if open.superseded.is_over() {
                // A newer text (or a close) replaced this one; it was stopped early.
                return;
            }
            let version = doc.version();
            // Checked and published under the lock, so a result cannot overtake a
            // newer one, a close, or a reopen on its way out.
            let locks = state.locks(&uri);
            let _publishing = locks.publish.lock().await;
            {
                let Some(mut entry) = state.documents.get_mut(&uri) else {
                    return;
                };
                // The same snapshot, not just the same version number: a document
                // closed and reopened starts at version 1 again with other text.
                if !Arc::ptr_eq(&entry.doc, &doc) || !entry.usable() {
                    return;
                }
                if !analysis.is_partial() {
                    entry.analysis = Some((version, Arc::clone(&analysis)));
                }
            }
            publish(&client, &uri, &doc, &analysis, state.encoding()).await;
            if !analysis.is_partial() {
                super::idle_trees::drop_tree_when_idle(Arc::clone(&state), uri, &open);
                return;
            }
        }
    });
}

async fn publish(
    client: &tower_lsp_server::Client,
    uri: &Uri,
    doc: &Document,
    analysis: &Analysis,
    encoding: Encoding,
) {
    let diagnostics = publication::diagnostics(doc, analysis, encoding);
    client
        .publish_diagnostics(uri.clone(), diagnostics, Some(doc.version()))
        .await;
}
