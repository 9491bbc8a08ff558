//! Driving the language service over stdio: the parsed messages of
//! [`super::framing`] go straight into tower-lsp-server's `LspService` (a tower
//! `Service<Request>`), the client's answers into its `ClientSocket`, and
//! everything bound for the client out through one writer.
//!
//! tower-lsp-server's own `Server` would read the messages again from a byte
//! stream and write every outgoing message through one queue, so an answer to
//! a hover waited behind whatever notifications were queued before it. Here
//! each outgoing message is serialised by the task that produced it, and the
//! writer takes responses before notifications and requests to the client:
//! a response waits at most for the one message being written.

use std::future::poll_fn;

use futures::stream::FuturesUnordered;
use futures::{SinkExt, Stream, StreamExt};
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::ClientSocket;
use tower_service::Service;

use super::framing::{frame, Framer, Incoming, Message};

/// Parsed messages waiting for the service; when full, reading stops.
const MESSAGE_QUEUE: usize = 64;
/// Requests and notifications being handled at once. tower-lsp-server's
/// `Server` allowed 4, so one slow document's requests held up every other;
/// handlers that must keep their order (document sync) queue on their
/// document's lock instead (`lsp/state.rs`).
const MAX_IN_FLIGHT: usize = 64;

/// How the session ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// The client sent `exit`.
    Exit,
    /// The input ended (or could not be read) without `exit`.
    InputClosed,
}

/// Serves `service` on `input`/`output` until `exit` or the end of the input.
///
/// On `exit` it returns at once (the protocol says the server exits right
/// after it, and a client may never close its end). When the input ends it
/// first answers the requests already read and writes what is queued.
pub async fn serve<I, O, S>(input: I, output: O, mut service: S, socket: ClientSocket) -> Ended
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
{
    let (client_requests, mut client_responses) = socket.split();
    let (outbox, responses_rx, others_rx) = Outbox::new();
    let writer = tokio::spawn(write_output(output, responses_rx, others_rx));
    let forwarder = tokio::spawn(forward_client_requests(client_requests, outbox.clone()));
    let (messages_tx, mut messages) = mpsc::channel(MESSAGE_QUEUE);
    tokio::spawn(read_input(input, messages_tx, outbox.clone()));

    // Handlers are polled here, in one task, in the order their messages
    // arrived: a document-sync handler queues on its document's (fair) lock
    // at its first poll, so the text changes in the order the client sent.
    let mut in_flight = FuturesUnordered::new();
    let ended = loop {
        tokio::select! {
            Some(answer) = in_flight.next(), if !in_flight.is_empty() => outbox.respond(answer),
            message = messages.recv(), if in_flight.len() < MAX_IN_FLIGHT => {
                let request = match message {
                    None => break Ended::InputClosed,
                    Some(Message::Response(response)) => {
                        if client_responses.send(response).await.is_err() {
                            tracing::error!("the service stopped taking the client's responses");
                        }
                        continue;
                    }
                    Some(Message::Request(request)) => request,
                };
                // The service is not ready while `initialize` runs; readiness
                // is asked again each time a handler finishes.
                loop {
                    tokio::select! {
                        biased;
                        ready = poll_fn(|cx| service.poll_ready(cx)) => {
                            if ready.is_err() {
                                // The service has exited.
                                return Ended::Exit;
                            }
                            break;
                        }
                        Some(answer) = in_flight.next(), if !in_flight.is_empty() => {
                            outbox.respond(answer);
                        }
                    }
                }
                if request.method() == "exit" {
                    // Marks the service exited; the answers still in flight
                    // are abandoned with the process.
                    let _ = service.call(request).await;
                    break Ended::Exit;
                }
                in_flight.push(service.call(request));
            }
        }
    };
    if ended == Ended::Exit {
        return ended;
    }
    while let Some(answer) = in_flight.next().await {
        outbox.respond(answer);
    }
    // Nothing more will be asked of the server: stop forwarding what it sends
    // on its own, and let the writer finish what is queued.
    forwarder.abort();
    drop(outbox);
    let _ = writer.await;
    ended
}

/// The two queues of the writer; each message is serialised before it is
/// queued, by the task that sends it.
#[derive(Clone)]
struct Outbox {
    responses: mpsc::UnboundedSender<Vec<u8>>,
    others: mpsc::UnboundedSender<Vec<u8>>,
}

type Queue = mpsc::UnboundedReceiver<Vec<u8>>;

impl Outbox {
    fn new() -> (Self, Queue, Queue) {
        let (responses, responses_rx) = mpsc::unbounded_channel();
        let (others, others_rx) = mpsc::unbounded_channel();
        (Self { responses, others }, responses_rx, others_rx)
    }

    /// Queues the answer to a request, ahead of every notification.
    fn respond<E>(&self, answer: Result<Option<Response>, E>) {
        if let Ok(Some(response)) = answer {
            if let Some(bytes) = serialise(&response) {
                let _ = self.responses.send(bytes);
            }
        }
    }

    /// Queues an error response for a message the framer rejected.
    fn reject(&self, bytes: Vec<u8>) {
        let _ = self.responses.send(bytes);
    }

    /// Queues a notification or a request to the client.
    fn send_to_client(&self, request: &Request) {
        if let Some(bytes) = serialise(request) {
            let _ = self.others.send(bytes);
        }
    }
}

fn serialise(message: &impl Serialize) -> Option<Vec<u8>> {
    match serde_json::to_vec(message) {
        Ok(body) => Some(frame(&body)),
        Err(error) => {
            tracing::error!("cannot serialise a message to the client: {error}");
            None
        }
    }
}

/// Reads the input, frames and parses it; messages go to the service, broken
/// ones are answered at once.
async fn read_input<I>(mut input: I, messages: mpsc::Sender<Message>, outbox: Outbox)
where
    I: AsyncRead + Unpin,
{
    let mut framer = Framer::default();
    let mut chunk = vec![0; 64 * 1024];
    loop {
        let read = match input.read(&mut chunk).await {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) => {
                tracing::error!("cannot read the client's input: {error}");
                break;
            }
        };
        framer.push(&chunk[..read]);
        while let Some(incoming) = framer.next_incoming() {
            match incoming {
                Incoming::Message(message) => {
                    if messages.send(message).await.is_err() {
                        // The server has stopped (after `exit`).
                        return;
                    }
                }
                Incoming::Rejected(rejection) => {
                    tracing::warn!(
                        "rejected a message from the client: {} ({})",
                        rejection.message,
                        rejection.code
                    );
                    outbox.reject(rejection.frame());
                }
                Incoming::Skipped(bytes) => {
                    tracing::warn!("skipped {bytes} bytes that belong to no message");
                }
            }
        }
    }
    if framer.buffered() > 0 {
        tracing::warn!(
            "the input ended inside a message ({} bytes unread)",
            framer.buffered()
        );
    }
}

/// What the server sends on its own (notifications such as
/// `publishDiagnostics`, requests such as `client/registerCapability`).
async fn forward_client_requests(
    mut requests: impl Stream<Item = Request> + Unpin,
    outbox: Outbox,
) {
    while let Some(request) = requests.next().await {
        outbox.send_to_client(&request);
    }
}

/// Writes whole frames, so messages never interleave; a queued response goes
/// before any queued notification.
async fn write_output<O>(mut output: O, mut responses: Queue, mut others: Queue)
where
    O: AsyncWrite + Unpin,
{
    loop {
        let frame = tokio::select! {
            biased;
            Some(frame) = responses.recv() => frame,
            Some(frame) = others.recv() => frame,
            else => return,
        };
        let written = async {
            output.write_all(&frame).await?;
            output.flush().await
        };
        if let Err(error) = written.await {
            tracing::error!("cannot write to the client: {error}");
            return;
        }
    }
}
