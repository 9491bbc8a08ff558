//! The `LanguageServer` implementation: one line per method into the handlers.

use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::handlers;
use super::requests::{self, OrderParams, OrderResult};
use super::state::ServerState;
use super::timeline::{self, TimelineParams};

pub struct Backend {
    pub(super) client: Client,
    pub(super) state: Arc<ServerState>,
}

impl Backend {
    pub fn new(client: Client) -> Self {
        Self {
            client,
            state: Arc::new(ServerState::new()),
        }
    }

    pub(super) fn state(&self) -> Arc<ServerState> {
        Arc::clone(&self.state)
    }

    /// `ticklens/order`: the predicted stdout of running the document with Node.
    pub async fn order(&self, params: OrderParams) -> Result<OrderResult> {
        requests::order(self, params).await
    }

    /// `ticklens/timeline`: the steps of the predicted run, as `order --timeline --format json`.
    pub async fn timeline(&self, params: TimelineParams) -> Result<serde_json::Value> {
        timeline::timeline(self, params).await
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        handlers::initialize(self, params)
    }

    async fn initialized(&self, _: InitializedParams) {
        handlers::initialized(self)
    }

    async fn shutdown(&self) -> Result<()> {
        handlers::shutdown(self)
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        handlers::did_open(self, params).await
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        handlers::did_change(self, params).await
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        handlers::did_close(self, params).await
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        handlers::did_change_configuration(self, params)
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        handlers::did_change_watched_files(self, params)
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        requests::hover(self, params).await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        requests::inlay_hint(self, params).await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        requests::code_lens(self, params).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        requests::code_action(self, params).await
    }
}
