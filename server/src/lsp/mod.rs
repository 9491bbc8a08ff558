//! The language server: translates between LSP and the analysis core.
//!
//! Each `LanguageServer` method in [`backend`] is one line into [`handlers`];
//! positions and ranges are converted in [`convert`] and nowhere else.

mod backend;
mod capabilities;
mod code_actions;
mod convert;
mod handlers;
mod state;

use std::process::ExitCode;
use std::sync::atomic::Ordering;

use tower_lsp::{LspService, Server};

pub use backend::Backend;

/// Serves LSP on stdin/stdout until the client sends `exit`.
///
/// Exit status per the protocol: 0 when `shutdown` came before `exit`, 1 otherwise.
pub fn run_stdio() -> ExitCode {
    init_logging();
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
    runtime.block_on(async {
        let (service, socket) = LspService::build(Backend::new)
            .custom_method("ticklens/order", Backend::order)
            .finish();
        let state = service.inner().state();
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
            .serve(service)
            .await;
        if state.shutdown_requested.load(Ordering::SeqCst) {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        }
    })
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
