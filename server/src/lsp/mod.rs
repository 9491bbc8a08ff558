//! The language server: translates between LSP and the analysis core.
//!
//! Each `LanguageServer` method in [`backend`] is one line into [`handlers`]
//! (lifecycle and document sync) or [`requests`] (questions about a document);
//! positions and ranges are converted in [`convert`] and nowhere else.

mod backend;
mod capabilities;
mod code_actions;
mod convert;
mod framing;
mod handlers;
mod idle_trees;
mod markup;
mod memory;
mod publication;
mod requests;
mod state;
mod timeline;
mod transport;
mod watched_files;

use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Request, Response};
use tower_lsp_server::LspService;
use tower_service::Service;

pub use backend::Backend;
pub use memory::disable_huge_pages;

/// Serves LSP on stdin/stdout until the client sends `exit`.
///
/// Exit status per the protocol: 0 when `shutdown` came before `exit`, 1 otherwise.
pub fn run_stdio() -> ExitCode {
    init_logging();
    memory::disable_huge_pages();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("ticklens: cannot start the async runtime: {error}");
            return ExitCode::from(2);
        }
    };
    let status = runtime.block_on(async {
        let (service, socket) = LspService::build(Backend::new)
            .custom_method("ticklens/order", Backend::order)
            .custom_method("ticklens/timeline", Backend::timeline)
            .finish();
        let state = service.inner().state();
        let service = ProtocolFixes { inner: service };
        transport::serve(tokio::io::stdin(), tokio::io::stdout(), service, socket).await;
        if state.shutdown_requested.load(Ordering::SeqCst) {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        }
    });
    // Do not wait for the blocking stdin reader: it only returns on the next input.
    runtime.shutdown_background();
    status
}

/// Forwards every message to the server, normalising the params of
/// `shutdown` and `exit`, and answers unknown `$/` requests.
///
/// tower-lsp drops the `MethodNotFound` error of any `$/` method, which is right
/// for notifications but leaves a `$/` *request* unanswered; LSP 3.17 says such
/// a request must get `MethodNotFound`.
struct ProtocolFixes<S> {
    inner: S,
}

impl<S> Service<Request> for ProtocolFixes<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let request = without_empty_params(request);
        let dollar_request_id = request
            .id()
            .filter(|_| request.method().starts_with("$/"))
            .cloned();
        let future = self.inner.call(request);
        Box::pin(async move {
            let response = future.await?;
            Ok(match (response, dollar_request_id) {
                (None, Some(id)) => Some(Response::from_error(id, Error::method_not_found())),
                (response, _) => response,
            })
        })
    }
}

/// `shutdown` and `exit` take no params. Clients send them without the key,
/// with `null` (Eglot, LSP4IJ) or with `{}`; tower-lsp-server accepts the first
/// two and answers `{}` with -32602, so an empty object is dropped here.
fn without_empty_params(request: Request) -> Request {
    let takes_none = matches!(request.method(), "shutdown" | "exit");
    let empty = matches!(request.params(), Some(Value::Object(map)) if map.is_empty());
    if !(takes_none && empty) {
        return request;
    }
    let (method, id, _) = request.into_parts();
    let bare = Request::build(method);
    match id {
        Some(id) => bare.id(id).finish(),
        None => bare.finish(),
    }
}

/// Logs go to stderr: stdout carries the protocol. `TICKLENS_LOG` sets the filter.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TICKLENS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
