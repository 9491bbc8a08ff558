//! Request and notification handlers: convert in, call the core, convert out.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

use crate::analysis::{self, hover::hover_at, Analysis};
use crate::document::Document;
use crate::engine::{self, ModuleKind, OrderOutcome};
use crate::rules;

use super::backend::Backend;
use super::capabilities::{negotiate_encoding, server_capabilities};
use super::convert;
use super::state::OpenDocument;

pub fn initialize(backend: &Backend, params: InitializeParams) -> Result<InitializeResult> {
    let encoding = negotiate_encoding(&params.capabilities);
    *backend
        .state
        .encoding
        .write()
        .unwrap_or_else(|poison| poison.into_inner()) = encoding;
    Ok(InitializeResult {
        capabilities: server_capabilities(encoding),
        server_info: Some(ServerInfo {
            name: "ticklens".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
    })
}

pub fn shutdown(backend: &Backend) -> Result<()> {
    backend
        .state
        .shutdown_requested
        .store(true, Ordering::SeqCst);
    Ok(())
}

pub fn did_open(backend: &Backend, params: DidOpenTextDocumentParams) {
    let item = params.text_document;
    let doc = Arc::new(Document::new(item.text, item.version));
    backend.state.documents.insert(
        item.uri.clone(),
        OpenDocument {
            doc,
            in_sync: true,
            analysis: None,
        },
    );
    schedule_analysis(backend, item.uri);
}

/// Applies a batch of changes atomically. Stale versions are ignored; a change
/// that does not fit the text leaves the document out of sync (nothing is
/// reported for it) until the editor sends the full text again.
pub async fn did_change(backend: &Backend, params: DidChangeTextDocumentParams) {
    let uri = params.text_document.uri;
    let version = params.text_document.version;
    let encoding = backend.state.encoding();
    let problem = {
        let Some(mut entry) = backend.state.documents.get_mut(&uri) else {
            tracing::warn!("didChange for {uri}, which is not open: ignored");
            return;
        };
        if version <= entry.doc.version() {
            tracing::warn!(
                "didChange for {uri} at version {version}, not newer than {}: ignored",
                entry.doc.version()
            );
            return;
        }
        let mut doc = (*entry.doc).clone();
        let mut in_sync = entry.in_sync;
        let mut problem = None;
        for change in params.content_changes {
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
        entry.doc = Arc::new(doc);
        entry.in_sync = in_sync;
        entry.analysis = None;
        problem
    };
    if let Some(error) = problem {
        let message = format!(
            "ticklens: an edit to {uri} did not fit the text it has ({error}); \
             results for this file are paused until it is reopened"
        );
        tracing::error!("{message}");
        backend
            .client
            .log_message(MessageType::ERROR, message)
            .await;
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
    backend.state.documents.remove(&uri);
    backend
        .client
        .publish_diagnostics(uri, Vec::new(), None)
        .await;
}

/// Analyses the current version off the async reactor and publishes its
/// diagnostics, unless a newer version arrived in the meantime.
fn schedule_analysis(backend: &Backend, uri: Url) {
    let Some(open) = backend.state.snapshot(&uri) else {
        return;
    };
    if !open.in_sync {
        return;
    }
    let state = backend.state();
    let client = backend.client.clone();
    tokio::spawn(async move {
        let doc = Arc::clone(&open.doc);
        let fault_marker = state.fault_marker.clone();
        let worker_doc = Arc::clone(&doc);
        let outcome = tokio::task::spawn_blocking(move || {
            analysis::contain_panic(|| {
                if let Some(marker) = &fault_marker {
                    if worker_doc.text().contains(marker.as_str()) {
                        panic!("fault injected for a test");
                    }
                }
                analysis::analyze_with(worker_doc.text(), worker_doc.tree(), rules::ALL)
            })
        })
        .await;
        let analysis = match outcome {
            Ok(Ok(analysis)) => Arc::new(analysis),
            Ok(Err(panic)) => {
                let message = format!("ticklens: analysis of {uri} failed: {panic}");
                tracing::error!("{message}");
                client.log_message(MessageType::ERROR, message).await;
                return;
            }
            Err(join_error) => {
                tracing::error!("analysis task for {uri} did not finish: {join_error}");
                return;
            }
        };
        let version = doc.version();
        {
            let Some(mut entry) = state.documents.get_mut(&uri) else {
                return;
            };
            if entry.doc.version() != version || !entry.in_sync {
                return;
            }
            entry.analysis = Some((version, Arc::clone(&analysis)));
        }
        publish(&client, &uri, &doc, &analysis, state.encoding()).await;
    });
}

async fn publish(
    client: &tower_lsp::Client,
    uri: &Url,
    doc: &Document,
    analysis: &Analysis,
    encoding: crate::line_index::Encoding,
) {
    let diagnostics = analysis
        .findings
        .iter()
        .map(|finding| convert::diagnostic(doc, finding, encoding))
        .collect();
    client
        .publish_diagnostics(uri.clone(), diagnostics, Some(doc.version()))
        .await;
}

pub fn hover(backend: &Backend, params: HoverParams) -> Result<Option<Hover>> {
    let position = params.text_document_position_params;
    let Some(open) = backend.state.snapshot(&position.text_document.uri) else {
        return Ok(None);
    };
    if !open.in_sync {
        return Ok(None);
    }
    let encoding = backend.state.encoding();
    let doc = &open.doc;
    let Some(offset) = convert::offset(doc, position.position, encoding) else {
        return Ok(None);
    };
    Ok(hover_at(doc.text(), doc.tree(), offset).map(|info| Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: info.markdown,
        }),
        range: Some(convert::range(doc, info.range, encoding)),
    }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderParams {
    pub text_document: TextDocumentIdentifier,
}

/// Either the predicted lines or the reason the engine abstains.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderResult {
    pub lines: Option<Vec<String>>,
    pub abstained: Option<String>,
}

pub async fn order(backend: &Backend, params: OrderParams) -> Result<OrderResult> {
    let uri = params.text_document.uri;
    let Some(open) = backend.state.snapshot(&uri) else {
        return Ok(OrderResult {
            lines: None,
            abstained: Some(format!("{uri} is not open")),
        });
    };
    let doc = open.doc;
    let outcome = tokio::task::spawn_blocking(move || {
        let module = uri
            .to_file_path()
            .map(|path: PathBuf| engine::detect_module_kind(&path, doc.text(), doc.tree()))
            .unwrap_or(ModuleKind::CommonJs);
        analysis::contain_panic(|| engine::predict_order(doc.text(), doc.tree(), module))
    })
    .await;
    Ok(match outcome {
        Ok(Ok(OrderOutcome::Determined(lines))) => OrderResult {
            lines: Some(lines.into_iter().map(|line| line.text).collect()),
            abstained: None,
        },
        Ok(Ok(OrderOutcome::Abstained(abstention))) => OrderResult {
            lines: None,
            abstained: Some(abstention.reason),
        },
        Ok(Err(panic)) => OrderResult {
            lines: None,
            abstained: Some(format!("internal error: {panic}")),
        },
        Err(join_error) => OrderResult {
            lines: None,
            abstained: Some(format!("internal error: {join_error}")),
        },
    })
}
