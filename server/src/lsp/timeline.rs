//! `ticklens/timeline`: the steps of the run the ordering engine predicts for an open document,
//! in the JSON shape of `order --timeline --format json` (`ide::timeline_json`, version 1).
//!
//! The engine runs off the reactor on the document's newest text; a panic there is logged and
//! answered with an error, not a dead server.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::TextDocumentIdentifier;

use crate::{driver, engine, ide};

use super::backend::Backend;
use super::requests::{module_kind, on_newest};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineParams {
    pub text_document: TextDocumentIdentifier,
}

pub async fn timeline(backend: &Backend, params: TimelineParams) -> Result<Value> {
    let uri = &params.text_document.uri;
    let answer = on_newest(backend, uri, |open| async move {
        let doc = Arc::clone(&open.doc);
        let module = module_kind(uri, &doc);
        let computed = tokio::task::spawn_blocking(move || {
            driver::contain_panic(|| {
                let timeline = engine::timeline(doc.text(), doc.tree(), module);
                ide::timeline_json(&timeline, doc.text())
            })
        })
        .await;
        match computed {
            Ok(Ok(value)) => Some(Ok(value)),
            Ok(Err(panic)) => {
                tracing::error!("the timeline of {uri} failed: {panic}", uri = uri.as_str());
                Some(Err(Error::internal_error()))
            }
            Err(_) => Some(Err(Error::internal_error())),
        }
    })
    .await;
    answer.unwrap_or_else(|| {
        Err(Error::invalid_params(format!(
            "{uri} is not open",
            uri = uri.as_str()
        )))
    })
}
