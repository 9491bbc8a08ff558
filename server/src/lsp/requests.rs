//! Request handlers about one document: convert in, call the core, convert
//! out, always from the document's newest text.
//!
//! Every request goes through [`on_newest`]: its answer is computed from a
//! snapshot of the document, and when a newer text replaces that snapshot
//! before the answer is ready, the work is dropped and done again on the newer
//! text. A request is never answered from a superseded text, and never waits
//! for a computation about one.

use std::future::Future;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::analysis::insights::{self, Insights};
use crate::document::Document;
use crate::driver::{self, Analysis};
use crate::engine::{self, ModuleKind, OrderOutcome};
use crate::ide;

use super::backend::Backend;
use super::code_actions;
use super::convert;
use super::state::{file_path, OpenDocument};

/// `answer` computed from the newest text of the document at `uri`, starting
/// again whenever a newer text replaces the one it works on. `None` for an
/// unknown or out-of-sync document (or when `answer` has none).
pub(super) async fn on_newest<T, F, Fut>(backend: &Backend, uri: &Uri, answer: F) -> Option<T>
where
    F: Fn(OpenDocument) -> Fut,
    Fut: Future<Output = Option<T>>,
{
    loop {
        let open = backend.state.settled_snapshot(uri).await?;
        if !open.usable() {
            return None;
        }
        let text = open.superseded.clone();
        tokio::select! {
            biased;
            () = text.over() => {}
            answer = answer(open) => if !text.is_over() {
                return answer;
            },
        }
        tracing::debug!(
            "a request about {uri} starts again on a newer text",
            uri = uri.as_str()
        );
    }
}

pub async fn hover(backend: &Backend, params: HoverParams) -> Result<Option<Hover>> {
    let position = params.text_document_position_params;
    let uri = &position.text_document.uri;
    let encoding = backend.state.encoding();
    let format = backend.state.markup();
    Ok(on_newest(backend, uri, |open| async move {
        let doc = &open.doc;
        let offset = convert::offset(doc, position.position, encoding)?;
        let insights = match open.insights.whole.get() {
            Some(ready) => ready.clone(),
            None => match function_first(backend, &open, uri, offset).await {
                Ok(found) => {
                    return found.map(|hover| convert::hover(doc, hover, encoding, format));
                }
                Err(whole) => whole,
            },
        };
        super::idle_trees::with_tree(doc).await;
        let found = ide::hover(doc.written(), doc.tree(), insights.as_deref(), offset);
        found.map(|hover| convert::hover(doc, hover, encoding, format))
    })
    .await)
}

/// A hover at `offset` while the text's insights are not ready: what answers
/// it ahead of them is computed first (`insights::ahead_at`: the insights of
/// the function there, or none where the syntax alone shows that the
/// insights have no hover there; the same answer as the whole insights
/// give), and the whole computation follows. `Err` with the whole insights
/// when that does not answer there (a dropped promise, code of an async
/// function its insights do not answer) or when the whole computation had
/// started already.
async fn function_first(
    backend: &Backend,
    open: &OpenDocument,
    uri: &Uri,
    offset: usize,
) -> std::result::Result<Option<ide::HoverResult>, Option<Arc<Insights>>> {
    let Some(first) = open.insights.want_first(offset) else {
        return Err(insights_of(backend, open, uri).await);
    };
    let whole = insights_of(backend, open, uri);
    tokio::pin!(whole);
    tokio::select! {
        biased;
        whole = &mut whole => return Err(whole),
        ahead = first => {
            let doc = &open.doc;
            let ahead = ahead.ok().flatten();
            // The syntax alone may answer (`Ahead::Syntax`).
            super::idle_trees::with_tree(doc).await;
            if let Some(found) = ide::hover_ahead(doc.written(), doc.tree(), ahead.as_ref(), offset) {
                return Ok(found);
            }
        }
    }
    Err(whole.await)
}

/// Inlay hints: each await's resume tick, and a marker after dropped promises.
pub async fn inlay_hint(
    backend: &Backend,
    params: InlayHintParams,
) -> Result<Option<Vec<InlayHint>>> {
    let enabled = backend.state.settings().inlay_hints;
    let format = backend.state.markup();
    let uri = &params.text_document.uri;
    with_insights(backend, uri, enabled, |doc, insights, encoding| {
        let start = convert::offset(doc, params.range.start, encoding).unwrap_or(0);
        let end = convert::offset(doc, params.range.end, encoding).unwrap_or(doc.text().len());
        ide::inlay_hints(insights, start..end)
            .into_iter()
            .map(|hint| convert::inlay_hint(doc, hint, encoding, format))
            .collect()
    })
    .await
}

/// Code lens: the predicted output above the file, and each async function's settle tick.
pub async fn code_lens(backend: &Backend, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
    let enabled = backend.state.settings().code_lens;
    let uri = &params.text_document.uri;
    with_insights(backend, uri, enabled, |doc, insights, encoding| {
        ide::code_lenses(insights)
            .into_iter()
            .map(|lens| convert::code_lens(doc, uri, lens, encoding))
            .collect()
    })
    .await
}

/// The answer of a feature the settings can turn off (an empty list), computed
/// from the newest text's insights; `None` when there are none.
async fn with_insights<T>(
    backend: &Backend,
    uri: &Uri,
    enabled: bool,
    answer: impl Fn(&Document, &Insights, crate::line_index::Encoding) -> Vec<T>,
) -> Result<Option<Vec<T>>> {
    if !enabled {
        return Ok(Some(Vec::new()));
    }
    let encoding = backend.state.encoding();
    let answer = &answer;
    Ok(on_newest(backend, uri, |open| async move {
        let insights = insights_of(backend, &open, uri).await?;
        Some(answer(&open.doc, &insights, encoding))
    })
    .await)
}

/// The insights of the snapshot's text (computed off the reactor when
/// missing); `None` when computing them failed.
async fn insights_of(backend: &Backend, open: &OpenDocument, uri: &Uri) -> Option<Arc<Insights>> {
    let cell = Arc::clone(&open.insights);
    if let Some(insights) = cell.whole.get() {
        return insights.clone();
    }
    let doc = Arc::clone(&open.doc);
    let cache = Arc::clone(&open.insights_cache);
    let declared = Arc::clone(&open.declared);
    let uri = uri.clone();
    let state = backend.state();
    // The computation runs in a task of its own and fills the text's cell: a
    // cancelled request ($/cancelRequest drops its future) neither stops it
    // nor loses its result, and concurrent requests share one computation.
    let computing = tokio::spawn(async move {
        let first = Arc::clone(&cell);
        cell.whole
            .get_or_init(|| async move {
                tracing::debug!(
                    "computing the insights of {uri} at version {}",
                    doc.version(),
                    uri = uri.as_str()
                );
                let uri_of_doc = uri.clone();
                let computed = tokio::task::spawn_blocking(move || {
                    let insights = driver::contain_panic(|| {
                        // Off the reactor: it parses the text when its tree was dropped.
                        let module = module_kind(&uri_of_doc, &doc);
                        let mut imports =
                            state.workspace_files.imports_of(&state, &uri_of_doc, &doc);
                        imports.declared =
                            OpenDocument::declared_types(&declared, &uri_of_doc, &doc);
                        // Taken out of its lock for the run, as the analysis
                        // cache is: a computation for a newer text starts from
                        // an empty cache instead of waiting, and a panic drops
                        // the cache instead of leaving half of it.
                        let lock = || cache.lock().unwrap_or_else(|poison| poison.into_inner());
                        let mut taken = std::mem::take(&mut *lock());
                        // The hovers waiting get their functions' insights
                        // first, each from the cache the one before it left
                        // (the first from the previous version's).
                        for (offset, answer) in first.take_first() {
                            let ahead = insights::ahead_at(
                                (doc.text(), doc.written()),
                                doc.tree(),
                                module,
                                &imports,
                                &mut taken,
                                offset,
                            );
                            // A hover cancelled meanwhile does not want it.
                            let _ = answer.send(ahead);
                        }
                        let insights = insights::insights_cached(
                            (doc.text(), doc.written()),
                            doc.tree(),
                            module,
                            &imports,
                            &mut taken,
                        );
                        *lock() = taken;
                        insights
                    });
                    // The engine's run freed most of what it allocated.
                    super::memory::release_freed();
                    insights
                })
                .await;
                match computed {
                    Ok(Ok(insights)) => Some(Arc::new(insights)),
                    Ok(Err(panic)) => {
                        tracing::error!("insights for {uri} failed: {panic}", uri = uri.as_str());
                        None
                    }
                    Err(error) => {
                        tracing::error!(
                            "insights task for {uri} did not finish: {error}",
                            uri = uri.as_str()
                        );
                        None
                    }
                }
            })
            .await
            .clone()
    });
    computing.await.ok().flatten()
}

pub(super) fn module_kind(uri: &Uri, doc: &Document) -> ModuleKind {
    file_path(uri)
        .map(|path| engine::detect_module_kind(&path, doc.text(), doc.tree()))
        .unwrap_or(ModuleKind::CommonJs)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderParams {
    pub text_document: TextDocumentIdentifier,
}

/// Either the predicted lines (with what ran each) or the reason the engine abstains.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderResult {
    pub lines: Option<Vec<String>>,
    /// For each line, the job or phase that printed it (the `--explain` trace).
    pub explain: Option<Vec<String>>,
    pub abstained: Option<String>,
}

pub async fn order(backend: &Backend, params: OrderParams) -> Result<OrderResult> {
    let uri = &params.text_document.uri;
    let abstained = |reason: String| OrderResult {
        lines: None,
        explain: None,
        abstained: Some(reason),
    };
    // The outer `None`: not open (or out of sync); the inner: the analysis failed.
    let insights = on_newest(backend, uri, |open| async move {
        Some(insights_of(backend, &open, uri).await)
    })
    .await;
    Ok(match insights {
        None => abstained(format!("{uri} is not open", uri = uri.as_str())),
        Some(None) => abstained("internal error: the analysis failed".to_owned()),
        Some(Some(insights)) => match &insights.order {
            OrderOutcome::Determined(lines) => OrderResult {
                lines: Some(lines.iter().map(|line| line.text.clone()).collect()),
                explain: Some(lines.iter().map(|line| line.cause.clone()).collect()),
                abstained: None,
            },
            OrderOutcome::Abstained(abstention) => abstained(abstention.reason.clone()),
        },
    })
}

/// Quick-fixes for the findings under the range, and "fix all" for the document.
pub async fn code_action(
    backend: &Backend,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    let uri = &params.text_document.uri;
    let encoding = backend.state.encoding();
    let only = params.context.only.as_deref();
    let range = params.range;
    Ok(on_newest(backend, uri, |open| async move {
        let analysis = analysis_of(backend, &open, uri).await?;
        let doc = &open.doc;
        let mut actions = Vec::new();
        if code_actions::wanted(only, &CodeActionKind::QUICKFIX) {
            let start = convert::offset(doc, range.start, encoding).unwrap_or(doc.text().len());
            let end = convert::offset(doc, range.end, encoding).unwrap_or(doc.text().len());
            let fixes = ide::quick_fixes(doc.written(), &analysis.findings, start..end);
            actions.extend(
                fixes
                    .into_iter()
                    .map(|fix| code_actions::quick_fix(uri, doc, fix, encoding)),
            );
        }
        if code_actions::wanted(only, &code_actions::fix_all_kind()) {
            let (config, _) = backend.state.config_for(uri);
            let worker_doc = Arc::clone(doc);
            let fixed = tokio::task::spawn_blocking(move || {
                driver::contain_panic(|| {
                    ide::fix_all(
                        worker_doc.written(),
                        worker_doc.language(),
                        worker_doc.tree(),
                        &config,
                    )
                })
            })
            .await;
            if let Ok(Ok(Some(fix_all))) = fixed {
                actions.push(code_actions::fix_all(uri, doc, fix_all, encoding));
            }
        }
        Some(actions)
    })
    .await)
}

/// The analysis of the snapshot's text: the background analysis's when it
/// has finished, else computed here (it stops early when the text is
/// superseded, and [`on_newest`] then starts again).
async fn analysis_of(backend: &Backend, open: &OpenDocument, uri: &Uri) -> Option<Arc<Analysis>> {
    if let Some((version, analysis)) = &open.analysis {
        if *version == open.doc.version() {
            return Some(Arc::clone(analysis));
        }
    }
    let (config, _) = backend.state.config_for(uri);
    let doc = Arc::clone(&open.doc);
    let cache = Arc::clone(&open.cache);
    let declared = Arc::clone(&open.declared);
    let superseded = open.superseded.clone();
    let (state, uri) = (backend.state(), uri.clone());
    let analysis = tokio::task::spawn_blocking(move || {
        driver::contain_panic(|| {
            let parts = (&*cache, &*declared);
            OpenDocument::analyze(&state, &uri, parts, &doc, &config, &superseded)
        })
    })
    .await;
    match analysis {
        Ok(Ok(analysis)) => Some(Arc::new(analysis)),
        _ => None,
    }
}
