//! Protocol abuse against the real `ticklens lsp` binary over stdio: broken
//! framing, bodies that are not JSON or not UTF-8, messages out of order, bad
//! parameters and positions. After each abuse the server must either answer as
//! the protocol says or ignore the message, and then still serve a hover on a
//! known document (`assert_still_serving`).

#[path = "support/lsp_client.rs"]
mod lsp_client;

use std::time::Instant;

use lsp_client::{frame, LspClient};
use serde_json::{json, Value};

const URI: &str = "file:///project/known.js";

/// The known document: line 1's `await` has a hover naming `fetch(url)`.
const KNOWN: &str =
    "async function load(url) {\n  const data = await fetch(url);\n  return data;\n}\nload('x');\n";

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;
const SERVER_NOT_INITIALIZED: i64 = -32002;
const REQUEST_CANCELLED: i64 = -32800;

/// A server, initialized, with the known document open and analysed.
fn serving() -> LspClient {
    let mut client = LspClient::spawn();
    client.initialize(json!({}));
    client.open(URI, KNOWN);
    client.diagnostics(URI, 1);
    client
}

fn hover_params(uri: &str, line: u64, character: u64) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } })
}

/// A hover on the known document still answers, and nothing the test did not
/// wait for was answered (no stray or duplicate error responses).
fn assert_still_serving(client: &mut LspClient) {
    let hover = client.hover(URI, 1, 16);
    let text = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(text.contains("fetch(url)"), "hover after abuse: {hover}");
    let stray: Vec<Value> = client
        .take_backlog()
        .into_iter()
        .filter(|m| m.get("id").is_some() && m.get("method").is_none())
        .collect();
    assert!(stray.is_empty(), "unexpected responses: {stray:#?}");
}

/// The error code of a response, failing the test when it is a result.
fn error_code(response: &Value) -> i64 {
    response["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("expected an error response, got {response}"))
}

fn request_bytes(id: i64, method: &str, params: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
        .unwrap()
}

#[test]
fn malformed_json_bodies_get_a_parse_error_and_the_server_keeps_serving() {
    let mut client = serving();
    let bodies: &[&[u8]] = &[
        br#"{"jsonrpc":"2.0","id":2,"method":"#,
        b"{",
        b"nul",
        b"[1, 2",
        br#""unterminated"#,
        br#"{"jsonrpc": "2.0", "id": 3, "method": "textDocument/hover",}"#,
        br#"{"jsonrpc":"2.0","method":"initialized"} trailing"#,
        b"\xEF\xBB\xBF{\"jsonrpc\":\"2.0\",\"method\":\"initialized\"}",
        b" ",
        b"",
    ];
    for body in bodies {
        client.send_frame(body);
        let response = client.response(&Value::Null);
        assert_eq!(error_code(&response), PARSE_ERROR, "{body:?}: {response}");
        assert_still_serving(&mut client);
    }
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn json_that_is_not_a_message_is_an_invalid_request() {
    let mut client = serving();
    // (body, the id the error must carry: the request's when it can be read)
    let cases: &[(&str, Value)] = &[
        ("[]", Value::Null),
        ("42", Value::Null),
        ("{}", Value::Null),
        (
            r#"[{"jsonrpc":"2.0","id":5,"method":"shutdown"}]"#,
            Value::Null,
        ),
        (r#"{"jsonrpc":"2.0","id":7,"method":5}"#, json!(7)),
        (
            r#"{"jsonrpc":"1.0","id":8,"method":"textDocument/hover"}"#,
            json!(8),
        ),
        (
            r#"{"id":"nine","method":"textDocument/hover"}"#,
            json!("nine"),
        ),
        (
            r#"{"jsonrpc":"2.0","id":{"x":1},"method":"shutdown"}"#,
            Value::Null,
        ),
        (
            r#"{"jsonrpc":"2.0","id":1.5,"method":"shutdown"}"#,
            Value::Null,
        ),
    ];
    for (body, id) in cases {
        client.send_frame(body.as_bytes());
        let response = client.response(id);
        assert_eq!(error_code(&response), INVALID_REQUEST, "{body}: {response}");
        assert_still_serving(&mut client);
    }
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn a_content_length_shorter_than_the_body_loses_that_message_only() {
    let mut client = serving();
    let body = request_bytes(40, "textDocument/hover", hover_params(URI, 1, 16));
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len() - 10).into_bytes();
    frame.extend_from_slice(&body);
    client.send_raw(&frame);
    let response = client.response(&Value::Null);
    assert_eq!(error_code(&response), PARSE_ERROR, "{response}");
    // The tail of the body is skipped up to the next header, without an answer.
    assert_still_serving(&mut client);
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn a_content_length_longer_than_the_body_loses_that_message_only() {
    let mut client = serving();
    let body = request_bytes(41, "textDocument/hover", hover_params(URI, 1, 16));
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len() + 50).into_bytes();
    frame.extend_from_slice(&body);
    client.send_raw(&frame);
    // The declared body runs into the next message: the server must not wait
    // for bytes that never come, nor swallow the next request.
    let hover = client.hover(URI, 1, 16);
    assert!(hover["contents"]["value"].as_str().is_some(), "{hover}");
    let response = client.response(&Value::Null);
    assert_eq!(error_code(&response), PARSE_ERROR, "{response}");
    assert_still_serving(&mut client);
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn a_content_length_that_is_not_a_number_loses_that_message_only() {
    let mut client = serving();
    let body = request_bytes(42, "textDocument/hover", hover_params(URI, 1, 16));
    let headers = [
        "Content-Length: abc\r\n\r\n".to_owned(),
        "Content-Length: -5\r\n\r\n".to_owned(),
        "Content-Length: 1e3\r\n\r\n".to_owned(),
        "Content-Length: \r\n\r\n".to_owned(),
        "Content-Length: 99999999999999999999999999\r\n\r\n".to_owned(),
        // No Content-Length at all.
        "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n".to_owned(),
        // Two that disagree.
        format!(
            "Content-Length: {}\r\nContent-Length: 3\r\n\r\n",
            body.len()
        ),
    ];
    for header in &headers {
        let mut frame = header.clone().into_bytes();
        frame.extend_from_slice(&body);
        client.send_raw(&frame);
        let response = client.response(&Value::Null);
        assert_eq!(error_code(&response), PARSE_ERROR, "{header:?}: {response}");
        assert_still_serving(&mut client);
    }
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn headers_other_editors_send_are_accepted() {
    let mut client = serving();
    let body = request_bytes(43, "textDocument/hover", hover_params(URI, 1, 16));
    for header in [
        format!(
            "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
            body.len()
        ),
        format!("content-length: {}\r\n\r\n", body.len()),
        format!("Content-Length:{}\r\nX-Extra: 1\r\n\r\n", body.len()),
    ] {
        let mut frame = header.into_bytes();
        frame.extend_from_slice(&body);
        client.send_raw(&frame);
        let hover = client.response(&json!(43));
        assert!(
            hover["result"]["contents"]["value"].as_str().is_some(),
            "{hover}"
        );
        assert_still_serving(&mut client);
    }
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn garbage_between_messages_is_skipped_without_an_answer() {
    let mut client = serving();
    for garbage in [
        &b"hello\r\n"[..],
        b"\r\n\r\n",
        b"\x00\x01\x02\xff\xfe",
        b"}}}]]",
        b"GET / HTTP/1.1\r\nHost: x\r\n",
    ] {
        client.send_raw(garbage);
        assert_still_serving(&mut client);
    }
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn a_body_that_is_not_utf8_gets_a_parse_error() {
    let mut client = serving();
    let bodies: &[&[u8]] = &[
        // Latin-1 é inside a string.
        b"{\"jsonrpc\":\"2.0\",\"id\":50,\"method\":\"caf\xe9\"}",
        // A lone continuation byte, an overlong encoding, a UTF-16 surrogate in UTF-8.
        b"{\"jsonrpc\":\"2.0\",\"method\":\"\x80\"}",
        b"{\"jsonrpc\":\"2.0\",\"method\":\"\xc0\xaf\"}",
        b"{\"jsonrpc\":\"2.0\",\"method\":\"\xed\xa0\x80\"}",
        // A didOpen whose document text is not UTF-8.
        b"{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{\"textDocument\":{\"uri\":\"file:///x.js\",\"languageId\":\"javascript\",\"version\":1,\"text\":\"\xff\xfe\"}}}",
    ];
    for body in bodies {
        client.send_frame(body);
        let response = client.response(&Value::Null);
        assert_eq!(error_code(&response), PARSE_ERROR, "{body:?}: {response}");
        assert_still_serving(&mut client);
    }
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn requests_before_initialize_get_server_not_initialized() {
    let mut client = LspClient::spawn();
    for method in ["textDocument/hover", "shutdown", "ticklens/order"] {
        let response = client.request(method, hover_params(URI, 1, 16));
        assert_eq!(error_code(&response), SERVER_NOT_INITIALIZED, "{response}");
    }
    // Notifications before initialize are dropped: this open never happened.
    client.open(URI, KNOWN);
    client.initialize(json!({}));
    assert_eq!(client.hover(URI, 1, 16), Value::Null);
    client.open(URI, KNOWN);
    client.diagnostics(URI, 1);
    assert_still_serving(&mut client);
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn unknown_methods_get_method_not_found_and_unknown_notifications_are_ignored() {
    let mut client = serving();
    for method in [
        "ticklens/noSuchThing",
        "textDocument/noSuchThing",
        "",
        "$/ticklens/private",
    ] {
        let response = client.request(method, json!({}));
        assert_eq!(
            error_code(&response),
            METHOD_NOT_FOUND,
            "{method}: {response}"
        );
        assert_still_serving(&mut client);
    }
    for method in [
        "ticklens/noSuchNotification",
        "$/noSuchNotification",
        "$/progress",
        "",
    ] {
        client.notify(method, json!({ "token": 1 }));
        assert_still_serving(&mut client);
    }
    // A response to a request the server never sent.
    client.send(&json!({ "jsonrpc": "2.0", "id": 999, "result": null }));
    client.send(&json!({ "jsonrpc": "2.0", "id": "abc", "error": { "code": 1, "message": "x" } }));
    assert_still_serving(&mut client);
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn wrong_parameter_types_get_invalid_params() {
    let mut client = serving();
    let cases = [
        ("textDocument/hover", json!({ "textDocument": 5 })),
        ("textDocument/hover", Value::Null),
        ("textDocument/hover", json!([1, 2])),
        (
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": { "line": -1, "character": 0 } }),
        ),
        (
            "textDocument/hover",
            json!({ "textDocument": { "uri": "not a uri" }, "position": { "line": 0, "character": 0 } }),
        ),
        (
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": { "line": 4294967296u64, "character": 0 } }),
        ),
        (
            "textDocument/inlayHint",
            json!({ "textDocument": { "uri": URI }, "range": "all" }),
        ),
        (
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": URI }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } } }),
        ),
        (
            "textDocument/codeLens",
            json!({ "textDocument": { "uri": 1 } }),
        ),
        ("ticklens/order", json!({ "textDocument": null })),
        ("ticklens/timeline", json!({ "textDocument": null })),
    ];
    for (method, params) in cases {
        let response = client.request(method, params.clone());
        assert_eq!(
            error_code(&response),
            INVALID_PARAMS,
            "{method} {params}: {response}"
        );
        assert_still_serving(&mut client);
    }
    // Notifications with bad parameters have nobody to answer: they are dropped.
    let notifications = [
        (
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": URI, "text": 5 } }),
        ),
        (
            "textDocument/didChange",
            json!({ "textDocument": { "uri": URI, "version": 9 }, "contentChanges": "x" }),
        ),
        (
            "textDocument/didChange",
            json!({ "textDocument": { "uri": URI, "version": 9 }, "contentChanges": [{ "range": { "start": { "line": 0, "character": 0 } }, "text": "x" }] }),
        ),
        ("textDocument/didClose", json!({ "textDocument": {} })),
        ("workspace/didChangeConfiguration", json!([])),
        ("$/cancelRequest", json!({ "id": { "nested": true } })),
    ];
    for (method, params) in notifications {
        client.notify(method, params);
        assert_still_serving(&mut client);
    }
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn an_initialize_with_wrong_parameters_gets_invalid_params_and_a_good_one_still_works() {
    let mut client = LspClient::spawn();
    for params in [json!({ "capabilities": 3 }), json!([]), Value::Null] {
        let response = client.request("initialize", params.clone());
        assert_eq!(
            error_code(&response),
            INVALID_PARAMS,
            "{params}: {response}"
        );
    }
    client.initialize(json!({}));
    client.open(URI, KNOWN);
    client.diagnostics(URI, 1);
    assert_still_serving(&mut client);
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn positions_past_the_end_of_a_line_or_the_document_are_answered_without_error() {
    let mut client = serving();
    let far = u32::MAX as u64;
    for (line, character) in [
        (0, 500),
        (1, far),
        (4, 0),
        (5, 0),
        (6, 3),
        (999, 0),
        (far, far),
    ] {
        let response = client.request("textDocument/hover", hover_params(URI, line, character));
        assert!(
            response.get("error").is_none(),
            "hover {line}:{character}: {response}"
        );
        let range = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": line, "character": character } });
        let hints = client.call(
            "textDocument/inlayHint",
            json!({ "textDocument": { "uri": URI }, "range": range }),
        );
        assert!(hints.is_array(), "inlayHint to {line}:{character}: {hints}");
        let backwards = json!({ "start": { "line": line, "character": character }, "end": { "line": 0, "character": 0 } });
        for range in [&range, &backwards] {
            let actions = client.call(
                "textDocument/codeAction",
                json!({ "textDocument": { "uri": URI }, "range": range, "context": { "diagnostics": [] } }),
            );
            assert!(actions.is_array(), "codeAction {range}: {actions}");
        }
        assert_still_serving(&mut client);
    }
    // The middle of a surrogate pair (UTF-16) lands on the character's start.
    let emoji = "file:///project/emoji.js";
    client.open(emoji, "const s = '😀😀'; async function f() { await s; }\n");
    client.diagnostics(emoji, 1);
    for character in 0..20 {
        let response = client.request("textDocument/hover", hover_params(emoji, 0, character));
        assert!(response.get("error").is_none(), "{response}");
    }
    assert_still_serving(&mut client);
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn did_change_for_an_unopened_document_is_ignored() {
    let mut client = serving();
    let ghost = "file:///project/ghost.js";
    client.change(
        ghost,
        2,
        json!([{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": "x" }]),
    );
    client.change(ghost, 3, json!([{ "text": KNOWN }]));
    assert_eq!(client.hover(ghost, 1, 16), Value::Null);
    let published: Vec<Value> = client
        .take_backlog()
        .into_iter()
        .filter(|m| m["params"]["uri"] == ghost)
        .collect();
    assert!(published.is_empty(), "{published:#?}");
    assert_still_serving(&mut client);
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn changes_with_versions_going_backwards_are_ignored() {
    let mut client = serving();
    let replaced = format!("// v5\n{KNOWN}");
    client.change(URI, 5, json!([{ "text": replaced }]));
    client.diagnostics(URI, 5);
    // Older and equal versions must not replace the newer text.
    for version in [4, 1, 0, -3, 5] {
        client.change(URI, version, json!([{ "text": "garbage(" }]));
    }
    let hover = client.hover(URI, 2, 16);
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .contains("fetch(url)"),
        "{hover}"
    );
    client.change(
        URI,
        6,
        json!([{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 1, "character": 0 } }, "text": "" }]),
    );
    client.diagnostics(URI, 6);
    assert_still_serving(&mut client);
    assert!(client.shutdown_and_exit().success());
}

/// A document whose first hover takes a while: its insights are computed then.
const FUNCTIONS: usize = 150;

fn slow_document() -> String {
    let mut text = String::new();
    for i in 0..FUNCTIONS {
        text.push_str(&format!(
            "async function f{i}(x) {{\n  const a = await g{i}(x);\n  await null;\n  return a + await Promise.resolve({i});\n}}\n"
        ));
    }
    for i in 0..FUNCTIONS {
        text.push_str(&format!("f{i}(1);\n"));
    }
    text
}

#[test]
fn cancelling_a_running_request_answers_request_cancelled_and_a_finished_one_is_ignored() {
    let mut client = serving();
    let slow = "file:///project/slow.js";
    let text = slow_document();

    // Hover and cancel in one write: the cancel arrives while the first hover
    // of the document computes its insights.
    client.open(slow, &text);
    let mut bytes = Vec::new();
    for message in [
        json!({ "jsonrpc": "2.0", "id": 700, "method": "textDocument/hover", "params": hover_params(slow, 1, 12) }),
        json!({ "jsonrpc": "2.0", "method": "$/cancelRequest", "params": { "id": 700 } }),
    ] {
        let body = serde_json::to_vec(&message).unwrap();
        bytes.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        bytes.extend_from_slice(&body);
    }
    client.send_raw(&bytes);
    let response = client.response(&json!(700));
    assert_eq!(error_code(&response), REQUEST_CANCELLED, "{response}");

    // The same hover, not cancelled, is answered (and shows the work was not instant).
    let started = Instant::now();
    let hover = client.hover(slow, 1, 12);
    assert!(hover["contents"]["value"].as_str().is_some(), "{hover}");
    eprintln!(
        "uncancelled hover of the slow document: {:?}",
        started.elapsed()
    );

    // Cancelling a request that was answered, or one that never existed, is ignored.
    let id = client.send_request("textDocument/hover", hover_params(URI, 1, 16));
    client.response(&json!(id));
    for cancelled in [json!(id), json!(123456), json!("never-sent")] {
        client.notify("$/cancelRequest", json!({ "id": cancelled }));
    }
    // tower-lsp runs a `$/cancelRequest` handler concurrently with the messages
    // after it, so a client must not reuse the id of a request it cancels (ids
    // are unique in LSP); a new id is answered normally.
    let id = client.send_request("textDocument/hover", hover_params(URI, 1, 16));
    let answer = client.response(&json!(id));
    assert!(answer.get("error").is_none(), "{answer}");
    assert_still_serving(&mut client);
    assert!(client.shutdown_and_exit().success());
}

/// The insights computation a cancelled hover started is not lost: it runs
/// to the end and the next hover on the same text uses it, so the server
/// computes them once (its debug log says how often).
#[test]
fn a_cancelled_hovers_insights_serve_the_next_hover() {
    let log = std::env::temp_dir().join(format!("ticklens-cancel-{}.log", std::process::id()));
    let mut client = LspClient::spawn_logging_to(&[("TICKLENS_LOG", "ticklens=debug")], &log);
    client.initialize(json!({}));
    let slow = "file:///project/slow.js";
    client.open(slow, &slow_document());
    let mut bytes = Vec::new();
    for message in [
        json!({ "jsonrpc": "2.0", "id": 800, "method": "textDocument/hover", "params": hover_params(slow, 1, 12) }),
        json!({ "jsonrpc": "2.0", "method": "$/cancelRequest", "params": { "id": 800 } }),
    ] {
        bytes.extend_from_slice(&frame(&message));
    }
    client.send_raw(&bytes);
    assert_eq!(error_code(&client.response(&json!(800))), REQUEST_CANCELLED);
    let hover = client.hover(slow, 1, 12);
    assert!(hover["contents"]["value"].as_str().is_some(), "{hover}");
    assert!(client.shutdown_and_exit().success());
    let text = std::fs::read_to_string(&log).expect("the server log");
    let _ = std::fs::remove_file(&log);
    let computed = text
        .matches("computing the insights of file:///project/slow.js")
        .count();
    assert_eq!(computed, 1, "insights computed {computed} times:\n{text}");
}

#[test]
fn a_second_initialize_is_an_invalid_request() {
    let mut client = serving();
    let response = client.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": {} }),
    );
    assert_eq!(error_code(&response), INVALID_REQUEST, "{response}");
    client.notify("initialized", json!({}));
    assert_still_serving(&mut client);
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn requests_after_shutdown_are_invalid_requests_and_exit_then_succeeds() {
    let mut client = serving();
    client.call("shutdown", Value::Null);
    for method in [
        "textDocument/hover",
        "shutdown",
        "initialize",
        "ticklens/order",
    ] {
        let response = client.request(method, hover_params(URI, 1, 16));
        assert_eq!(
            error_code(&response),
            INVALID_REQUEST,
            "{method}: {response}"
        );
    }
    // Notifications after shutdown are dropped; the server still answers requests.
    client.open("file:///project/late.js", KNOWN);
    client.change(URI, 9, json!([{ "text": "x" }]));
    let response = client.request("textDocument/hover", hover_params(URI, 1, 16));
    assert_eq!(error_code(&response), INVALID_REQUEST, "{response}");
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit().code(), Some(0));
}

#[test]
fn exit_without_shutdown_exits_with_status_1_even_after_abuse() {
    let mut client = serving();
    client.send_frame(b"{not json");
    client.response(&Value::Null);
    client.send_raw(b"Content-Length: zz\r\n\r\n{}");
    client.response(&Value::Null);
    assert_still_serving(&mut client);
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit().code(), Some(1));

    // Before initialize, too.
    let mut client = LspClient::spawn();
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit().code(), Some(1));
}

#[test]
fn closing_stdin_without_exit_ends_the_server_with_status_1() {
    let mut client = serving();
    client.close_stdin();
    assert_eq!(client.wait_exit().code(), Some(1));

    // A frame cut off by the end of input changes nothing.
    let mut client = serving();
    client.send_raw(b"Content-Length: 500\r\n\r\n{\"jsonrpc\":");
    client.close_stdin();
    assert_eq!(client.wait_exit().code(), Some(1));
}
