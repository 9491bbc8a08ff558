//! How long a hover on a small open document waits while a 3 MB document is
//! being opened and analysed: the per-document state of `lsp/state.rs` means
//! the large document's parse, analysis and publication hold only its own
//! locks, so the hover should not wait for any of them.
//!
//! Run: `cargo bench -p ticklens --bench hover_under_load`
//!
//! The real server binary (release build) speaks JSON-RPC over stdio, as an
//! editor does. Each round opens a new 3 MB document (generated: async
//! functions with awaits and async Promise executors, so every rule has work)
//! and then sends hovers on the small document, each as soon as the previous
//! one was answered, until the large document's complete diagnostics arrive.
//! Every hover counted was answered while the large document was still being
//! framed, parsed or analysed; the figure is the time from sending a hover to
//! its answer. The first hover of a round also waits for the server to read
//! the 3 MB message that precedes it on the wire.
//!
//! Target: every hover under 50 ms; the bench fails (after its report) when
//! the slowest is over. It also reports the largest `publishDiagnostics` of
//! the large document, the message a hover's answer may have to wait behind.
//!
//! Figures (2026-12-05, 3 rounds): docs/performance.md, "A hover while a
//! 3 MB document is analysed". Each round prints its first hover (the one
//! behind the `didOpen`), the median, and the slowest with its position.

#[path = "../support/lsp_client.rs"]
mod lsp_client;

use std::time::{Duration, Instant};

use lsp_client::{LspClient, TIMEOUT};
use serde_json::{json, Value};

const ROUNDS: usize = 3;
const LARGE_BYTES: usize = 3 * 1024 * 1024;
const SMALL_URI: &str = "file:///bench/small.js";
/// Line 1's `await` has a hover naming `fetch(url)`.
const SMALL: &str =
    "async function load(url) {\n  const data = await fetch(url);\n  return data;\n}\nload('x');\n";

fn large_text() -> String {
    let mut text = String::with_capacity(LARGE_BYTES + 200);
    let mut i = 0;
    while text.len() < LARGE_BYTES {
        text.push_str(&format!(
            "async function f{i}(x) {{\n  const a = await g{i}(x);\n  \
             new Promise(async (r) => r(await x));\n  return a;\n}}\n"
        ));
        i += 1;
    }
    text
}

/// Whether `message` is the large document's complete (not partial) publication.
fn completes(message: &Value, uri: &str) -> bool {
    message["method"] == "textDocument/publishDiagnostics"
        && message["params"]["uri"] == uri
        && message["params"]["diagnostics"]
            .as_array()
            .is_some_and(|d| d.iter().all(|d| d["code"] != "analysis-partial"))
}

/// The slowest hover allowed.
const TARGET: Duration = Duration::from_millis(50);

/// The largest publication of a round: its diagnostics and its JSON bytes.
#[derive(Default)]
struct Largest {
    diagnostics: usize,
    bytes: usize,
}

/// Hovers until the large document is published; each hover's answer time.
fn hovers_while_analysing(
    client: &mut LspClient,
    large_uri: &str,
    largest: &mut Largest,
) -> Vec<Duration> {
    let mut latencies = Vec::new();
    let mut published = false;
    while !published {
        let id = client.send_request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": SMALL_URI },
                    "position": { "line": 1, "character": 16 } }),
        );
        let sent = Instant::now();
        loop {
            let message = client
                .next_message(TIMEOUT)
                .expect("the server answers within the timeout");
            published |= completes(&message, large_uri);
            if message["params"]["uri"] == large_uri {
                let count = message["params"]["diagnostics"]
                    .as_array()
                    .map_or(0, Vec::len);
                if count > largest.diagnostics {
                    largest.diagnostics = count;
                    largest.bytes = message.to_string().len();
                }
            }
            if message["id"] == id && message.get("method").is_none() {
                latencies.push(sent.elapsed());
                let text = message["result"]["contents"]["value"].as_str();
                assert!(text.is_some_and(|t| t.contains("fetch(url)")), "{message}");
                break;
            }
        }
    }
    latencies
}

fn main() {
    let large = large_text();
    let mut client = LspClient::spawn();
    client.initialize(json!({}));
    client.open(SMALL_URI, SMALL);
    client.diagnostics(SMALL_URI, 1);
    client.hover(SMALL_URI, 1, 16); // computes the small document's insights
    println!(
        "hover on a small document while a {:.1} MB document is opened and analysed",
        large.len() as f64 / 1e6
    );
    let mut all = Vec::new();
    for round in 0..ROUNDS {
        let large_uri = format!("file:///bench/large{round}.js");
        let opened = Instant::now();
        client.open(&large_uri, &large);
        let mut largest = Largest::default();
        let mut latencies = hovers_while_analysing(&mut client, &large_uri, &mut largest);
        let analysed = opened.elapsed();
        let first = latencies[0];
        let slowest = (0..latencies.len())
            .max_by_key(|&i| latencies[i])
            .expect("hovers");
        latencies.sort();
        println!(
            "round {round}: large document published after {:.0} ms (largest publication: \
             {} diagnostics, {:.1} MB); {} hovers meanwhile: \
             first {:.1} ms, median {:.1} ms, max {:.1} ms (hover #{slowest})",
            analysed.as_secs_f64() * 1e3,
            largest.diagnostics,
            largest.bytes as f64 / 1e6,
            latencies.len(),
            ms(first),
            ms(latencies[latencies.len() / 2]),
            ms(*latencies.last().expect("one hover at least")),
        );
        all.extend(latencies);
    }
    all.sort();
    let max = *all.last().expect("hovers");
    println!(
        "all {} hovers: median {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms (target < {} ms)",
        all.len(),
        ms(all[all.len() / 2]),
        ms(all[all.len() * 95 / 100]),
        ms(all[all.len() * 99 / 100]),
        ms(max),
        TARGET.as_millis(),
    );
    assert!(client.shutdown_and_exit().success());
    assert!(
        max < TARGET,
        "the slowest hover took {:.1} ms, over the {} ms target",
        ms(max),
        TARGET.as_millis()
    );
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}
