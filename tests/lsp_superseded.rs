//! Requests about a text that a newer text replaces before they are answered.
//!
//! Issue 19: a request for a superseded version is answered with
//! `ContentModified` (-32801) or from the newest text, never from the replaced
//! one, and never by waiting for the replaced text's work to finish.

#[path = "support/lsp_client.rs"]
mod lsp_client;

use std::time::Instant;

use lsp_client::{frame, LspClient};
use serde_json::{json, Value};

const CONTENT_MODIFIED: i64 = -32801;

/// A text whose insights take a good while: many async functions, all called.
fn slow_text() -> String {
    const FUNCTIONS: usize = 1500;
    let functions = (0..FUNCTIONS).map(|i| {
        format!(
            "async function f{i}(x) {{ const a = await g{i}(x); await null; \
             return a + await Promise.resolve({i}); }}\n"
        )
    });
    let calls = (0..FUNCTIONS).map(|i| format!("f{i}(1);\n"));
    functions
        .chain(calls)
        .chain(["console.log('old');\n".to_owned()])
        .collect()
}

/// The newer text: line 1's `await` has a hover naming `fetch(url)`.
const NEWER: &str = "async function load(url) {\n  const data = await fetch(url);\n  return data;\n}\nload('x');\nconsole.log('new');\n";

/// The document-wide requests the test sends, each with its params.
fn requests(uri: &str) -> Vec<(&'static str, Value)> {
    let document = json!({ "uri": uri });
    let whole =
        json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 10000, "character": 0 } });
    vec![
        (
            "textDocument/hover",
            json!({ "textDocument": document, "position": { "line": 1, "character": 16 } }),
        ),
        (
            "textDocument/inlayHint",
            json!({ "textDocument": document, "range": whole }),
        ),
        ("textDocument/codeLens", json!({ "textDocument": document })),
        ("ticklens/order", json!({ "textDocument": document })),
        (
            "textDocument/codeAction",
            json!({ "textDocument": document, "range": whole, "context": { "diagnostics": [] } }),
        ),
    ]
}

#[test]
fn requests_about_a_replaced_text_are_answered_from_the_newer_text_without_waiting() {
    let mut client = LspClient::spawn();
    client.initialize(json!({}));
    let uri = "file:///project/replaced.js";
    let slow = slow_text();
    client.open(uri, &slow);

    // The requests and then the change, in one write: every request starts on
    // the slow text, and the change replaces it while they compute.
    let mut bytes = Vec::new();
    let mut ids = Vec::new();
    for (n, (method, params)) in requests(uri).into_iter().enumerate() {
        let id = 1000 + n as i64;
        ids.push((method, id));
        bytes.extend(frame(
            &json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }),
        ));
    }
    bytes.extend(frame(&json!({
        "jsonrpc": "2.0", "method": "textDocument/didChange",
        "params": { "textDocument": { "uri": uri, "version": 2 },
                    "contentChanges": [{ "text": NEWER }] },
    })));
    let sent = Instant::now();
    client.send_raw(&bytes);
    let replaced: Vec<(&str, Value)> = ids
        .iter()
        .map(|&(method, id)| (method, client.response(&json!(id))))
        .collect();
    let answered_after = sent.elapsed();

    // The same requests about the newer text, once it is the settled one.
    client.diagnostics(uri, 2);
    let newest: Vec<Value> = requests(uri)
        .into_iter()
        .map(|(method, params)| client.request(method, params))
        .collect();
    assert!(
        newest[0]["result"]["contents"]["value"]
            .as_str()
            .is_some_and(|text| text.contains("fetch(url)")),
        "the newer text's hover: {}",
        newest[0]
    );
    for ((method, answer), newest) in replaced.iter().zip(&newest) {
        if let Some(code) = answer["error"]["code"].as_i64() {
            assert_eq!(code, CONTENT_MODIFIED, "{method}: {answer}");
        } else {
            assert_eq!(
                answer["result"], newest["result"],
                "{method} was answered from the replaced text"
            );
        }
    }

    // What waiting for the slow text's work would have cost: the same text,
    // opened fresh, until its hover is answered.
    let fresh = "file:///project/fresh.js";
    client.open(fresh, &slow);
    let started = Instant::now();
    client.hover(fresh, 1, 16);
    let slow_work = started.elapsed();
    eprintln!(
        "answers about the replaced text after {answered_after:?}; the slow text's hover takes {slow_work:?}"
    );
    assert!(
        answered_after < slow_work,
        "the requests waited for the replaced text ({answered_after:?}; its work takes {slow_work:?})"
    );
    assert!(client.shutdown_and_exit().success());
}
